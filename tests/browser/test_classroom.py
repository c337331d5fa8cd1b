"""A class in real browsers: an instructor and three students, each in a browser of their own
(Debian's Chromium against a real daphne). Joining with the code, rejoining from a fresh browser
with the rejoin code, "My copy", editing a sandbox, resetting it both ways, the instructor's push
to every sandbox, watching a sandbox read-only then taking it over, and a student who cannot open
another's sandbox."""

from __future__ import annotations

import itertools

import pytest

pytestmark = pytest.mark.browser

_classes = itertools.count(1)


def pod(name: str) -> str:
    return f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  labels: {{zone: prod}}\nspec:\n  containers:\n  - name: c\n    image: nginx\n"


class Person:
    """One person's browser: a context of their own, one tab."""

    def __init__(self, context, server, dashboard):
        self.page = context.new_page()
        self.page.on("dialog", lambda dialog: dialog.accept())  # "Reset…?" asks first
        self.server = server
        self.board = dashboard(self.page)

    def go(self, path: str) -> None:
        self.page.goto(self.server.url + path)

    def live(self) -> None:
        self.board.wait_live()

    def apply(self, text: str) -> None:
        self.board.type_yaml(text)
        self.page.click("#apply-button")
        self.page.wait_for_selector("#editor-results .ok-box")

    def sees(self, ident: str) -> bool:
        return self.board.has_element(ident)

    def wait_gone(self, ident: str) -> None:
        self.page.wait_for_function("(id) => !window.__kubeviz.diagram.has(id)", arg=ident, timeout=15000)


@pytest.fixture
def people(server, open_browser, dashboard):
    def person() -> Person:
        return Person(open_browser(), server, dashboard)

    return person


def start_class(server, people) -> tuple[Person, str, str]:
    """An instructor (made with manage.py createinstructor) signs in and makes a class; returns
    (the instructor, the class page's path, its join code)."""
    n = next(_classes)
    name = f"teacher{n}"
    server.manage("createinstructor", name, "--password", "a-long-password-1")
    teacher = people()
    teacher.go("/sign-in/")
    teacher.page.fill("#id_username", name)
    teacher.page.fill("#id_password", "a-long-password-1")
    teacher.page.click("button[type=submit]")
    teacher.page.wait_for_url("**/classes/")
    teacher.page.fill("#id_name", f"Networking {n}")
    teacher.page.select_option("#id_lesson", "selector-and")
    teacher.page.click("#new-class button[type=submit]")
    teacher.page.wait_for_url("**/classes/*/")
    code = teacher.page.inner_text("#join-code").strip()
    return teacher, teacher.page.url.removeprefix(server.url), code


def join(people, code: str, name: str) -> tuple[Person, str]:
    """A student joins with the code and a name; returns (the student, their rejoin code)."""
    student = people()
    student.go("/join/")
    student.page.fill("#id_code", code.lower())
    student.page.fill("#id_display_name", name)
    student.page.click("#join-form button[type=submit]")
    student.page.wait_for_url("**/joined/**")
    rejoin = student.page.inner_text("#rejoin-code").strip()
    student.page.click("#to-projected")
    student.live()
    return student, rejoin


def test_students_join_rejoin_from_a_fresh_browser_copy_edit_and_reset(server, people):
    teacher, _class_path, code = start_class(server, people)
    ana, ana_code = join(people, code, "Ana")
    bo, _ = join(people, code, "Bo")
    cy, _ = join(people, code, "Cy")
    for student in (ana, bo, cy):  # the projected cluster: students watch, read-only
        assert student.page.inner_text("#access") == "read-only"
        assert student.page.locator("#apply-button").is_disabled()
        assert "only the class's instructors edit" in student.page.inner_text("#read-only-note")

    teacher.page.click("#projected-link")
    teacher.live()
    assert teacher.page.locator("#access").count() == 0  # the instructor writes it
    teacher.apply(pod("teacher-1"))
    for student in (ana, bo, cy):
        student.board.wait_element("Pod/default/teacher-1")

    ana.page.click("#my-copy")  # a copy of the projected cluster as it is now
    ana.page.wait_for_url("**/clusters/**")
    ana.live()
    sandbox_url = ana.page.url
    assert ana.sees("Pod/default/teacher-1")
    assert "only Ana and the class's instructors" in ana.page.inner_text("#audience")
    ana.apply(pod("ana-1"))
    ana.board.wait_element("Pod/default/ana-1")

    elsewhere = people()  # a fresh browser: no session, only the rejoin code
    elsewhere.go(sandbox_url.removeprefix(server.url))
    assert "Not allowed" in elsewhere.page.inner_text("h1")
    elsewhere.go("/rejoin/")
    elsewhere.page.fill("#id_rejoin_code", ana_code)
    elsewhere.page.click("#rejoin-form button[type=submit]")
    elsewhere.page.wait_for_url(sandbox_url)
    elsewhere.live()
    assert elsewhere.sees("Pod/default/ana-1")  # the same identity, the same sandbox

    teacher.apply(pod("teacher-2"))
    ana.page.click("#reset-lesson")
    ana.live()
    ana.wait_gone("Pod/default/ana-1")
    assert not ana.sees("Pod/default/teacher-1")
    elsewhere.wait_gone("Pod/default/ana-1")  # the other browser watching it follows live
    ana.page.click("#reset-projected")
    ana.live()
    ana.board.wait_element("Pod/default/teacher-2")
    assert ana.sees("Pod/default/teacher-1") and not ana.sees("Pod/default/ana-1")
    for person in (teacher, ana, bo, cy, elsewhere):
        assert person.board.errors == []


def test_the_instructor_pushes_watches_read_only_takes_over_and_students_cannot_peek(server, people):
    teacher, class_path, code = start_class(server, people)
    ana, _ = join(people, code, "Ana")
    bo, _ = join(people, code, "Bo")
    cy, _ = join(people, code, "Cy")
    for student in (ana, bo):
        student.page.click("#my-copy")
        student.page.wait_for_url("**/clusters/**")
        student.live()
    ana_sandbox = ana.page.url.removeprefix(server.url)
    ana.apply(pod("ana-1"))

    teacher.page.click("#projected-link")
    teacher.live()
    teacher.apply(pod("from-here"))
    teacher.go(class_path)
    teacher.page.click("#push")  # everyone starts from here
    teacher.page.wait_for_selector(".messages li")
    assert "in 2 sandboxes" in teacher.page.inner_text(".messages")
    for student in (ana, bo):
        student.board.wait_element("Pod/default/from-here")
    ana.wait_gone("Pod/default/ana-1")

    teacher.page.click('tr[data-student="Ana"] a.watch')
    teacher.page.wait_for_url(f"**{ana_sandbox}")
    teacher.live()
    assert teacher.page.inner_text("#access") == "read-only"
    assert teacher.page.locator("#apply-button").is_disabled()
    ana.page.wait_for_function("document.querySelector('#instructors-in').textContent.includes('is watching')")

    teacher.page.click("#take-over")
    teacher.live()
    assert teacher.page.inner_text("#access") == "editing as instructor"
    teacher.apply(pod("help-1"))
    ana.board.wait_element("Pod/default/help-1")
    ana.page.wait_for_function("document.querySelector('#instructors-in').textContent.includes('is editing here')")

    cy.go(ana_sandbox)  # guessing the URL is not enough
    assert "private to its student and the class's instructors" in cy.page.inner_text("#refusal")
    assert cy.page.locator("#cy").count() == 0
    teacher.page.click("#hand-back")
    teacher.live()
    assert teacher.page.inner_text("#access") == "read-only"
    for person in (teacher, ana, bo, cy):
        assert person.board.errors == []
