"""Presenting live in real browsers: an instructor and three students, each in a browser of their
own (Debian's Chromium against a real daphne). Students follow the presenter's selection, trace,
tab and focus (on another screen size too), break away with their own click and come back with F
or the badge's button; a late joiner lands on the view; a student's sandbox is spotlighted with
its diff; a predict-then-reveal round from the lesson's prepared questions."""

from __future__ import annotations

import pytest

from .server import screenshot
from .test_classroom import join, people, start_class  # noqa: F401 - `people` is a fixture

pytestmark = pytest.mark.browser


def selected(person) -> str | None:
    return person.page.evaluate("window.__kubeviz.diagram.selected")


def wait_selected(person, ident: str | None) -> None:
    person.page.wait_for_function("(id) => window.__kubeviz.diagram.selected === id", arg=ident)


def wait_tab(person, tab: str) -> None:
    person.page.wait_for_function("(t) => window.__kubeviz.panels.tab === t", arg=tab)


def in_view(person, ident: str) -> bool:
    """The element lies wholly inside the page's diagram viewport."""
    return person.page.evaluate(
        """(id) => {
        const cy = window.__kubeviz.diagram.cy;
        const b = cy.getElementById(id).boundingBox();
        const e = cy.extent();
        return b.x1 >= e.x1 && b.x2 <= e.x2 && b.y1 >= e.y1 && b.y2 <= e.y2;
    }""",
        ident,
    )


def present(server, people):  # noqa: F811 - the fixture, passed on
    teacher, class_path, code = start_class(server, people)
    teacher.page.click("#projected-link")
    teacher.live()
    return teacher, code, class_path


def test_students_follow_the_presenters_selection_trace_tab_and_focus_break_away_and_come_back(
    server,
    people,  # noqa: F811
):
    teacher, code, _class_path = present(server, people)
    ana, _ = join(people, code, "Ana")
    bo, _ = join(lambda: small_person(people), code, "Bo")  # a smaller screen: focus is fitted to it
    teacher.page.click("#present-switch")
    for student in (ana, bo):
        student.page.wait_for_selector("#follow-badge:not([hidden])")
        assert student.page.inner_text("#follow-badge .follow-label").startswith("Following teacher")
    teacher.page.wait_for_function("document.querySelector('#followers').textContent === '2 following'")

    teacher.board.click_element("Service/default/prod")  # select
    for student in (ana, bo):
        wait_selected(student, "Service/default/prod")

    teacher.page.click("#tab-trace")  # the Trace tab, then a trace: its path lit on every screen
    teacher.page.select_option("#trace-from", "default/prod-1")
    teacher.page.fill("#trace-url", "http://prod/")
    teacher.page.click("#panels form.query button[type=submit]")
    for student in (ana, bo):
        wait_tab(student, "trace")
        student.page.wait_for_function("window.__kubeviz.lastTrace !== undefined")
        assert student.page.input_value("#trace-url") == "http://prod/"
        assert student.page.input_value("#trace-from") == "default/prod-1"

    teacher.page.click("#tab-dns")  # another tab
    for student in (ana, bo):
        wait_tab(student, "dns")

    # focus: the presenter zooms onto one pod; each follower fits it to their own screen
    teacher.page.evaluate(
        "() => { const cy = window.__kubeviz.diagram.cy; cy.fit(cy.getElementById('Pod/default/prod-2'), 40); }"
    )
    for student in (ana, bo):
        student.page.wait_for_function(
            "() => window.__kubeviz.diagram.cy.zoom() > 1.1 && !window.__kubeviz.diagram.cy.animated()"
        )  # zoomed in, as the presenter (fitted to this screen: less on the smaller one)
        assert in_view(student, "Pod/default/prod-2")
        assert not in_view(student, "Service/default/prod")

    # Ana breaks away with a click of her own; the presenter's count drops; Bo still follows
    ana.board.click_element("Pod/default/prod-1")
    ana.page.wait_for_selector("#follow-back:not([hidden])")
    assert ana.page.inner_text("#follow-badge .follow-label").startswith("Not following")
    teacher.page.wait_for_function("document.querySelector('#followers').textContent === '1 following'")
    teacher.page.click("#tab-rules")
    wait_tab(bo, "rules")
    assert ana.page.evaluate("window.__kubeviz.panels.tab") == "inspect"  # her own view stays
    assert selected(ana) == "Pod/default/prod-1"

    ana.page.keyboard.press("f")  # back: she lands on the presenter's view
    wait_tab(ana, "rules")
    wait_selected(ana, "Service/default/prod")
    teacher.page.wait_for_function("document.querySelector('#followers').textContent === '2 following'")

    cy, _ = join(people, code, "Cy")  # a late joiner lands on the view
    cy.page.wait_for_selector("#follow-badge:not([hidden])")
    wait_tab(cy, "rules")
    wait_selected(cy, "Service/default/prod")

    teacher.page.evaluate("() => window.__kubeviz.diagram.fit()")
    teacher.page.click("#tab-inspect")
    wait_tab(bo, "inspect")
    teacher.page.wait_for_timeout(600)  # the follower's fit animation and ELK settle
    screenshot(teacher.page, "presenting-projector.png")
    screenshot(bo.page, "presenting-student-following.png")
    for person in (teacher, ana, bo, cy):
        assert person.board.errors == []


def small_person(people):  # noqa: F811
    """A student on a smaller screen (1024×640)."""
    person = people()
    person.page.set_viewport_size({"width": 1024, "height": 640})
    return person


def test_a_spotlighted_sandbox_with_its_diff_then_a_predict_then_reveal_round(server, people):  # noqa: F811
    teacher, code, class_path = present(server, people)
    ana, _ = join(people, code, "Ana")
    bo, _ = join(people, code, "Bo")
    cy, _ = join(people, code, "Cy")
    projected = ana.page.url
    ana.page.click("#my-copy")  # Ana's sandbox, where she fixes the selector's AND
    ana.page.wait_for_url("**/clusters/**")
    ana.live()
    ana.apply(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: prod-1\n  labels: {zone: prod, version: v1}\n"
        "spec:\n  containers:\n  - name: app\n    image: nginx\n    ports:\n    - containerPort: 8080\n"
    )
    ana.page.goto(projected)
    ana.live()

    teacher.page.click("#present-switch")
    teacher.page.click("#spotlight-button")
    teacher.page.click("#present-menu .spot-pick")
    for person in (teacher, ana, bo, cy):
        person.page.wait_for_selector("#spotlight:not([hidden])")
        assert person.page.inner_text("#spot-title") == "Spotlight: Student 1's sandbox"  # anonymous
        diff = person.page.inner_text("#spot-diff")
        assert "Pod/default/prod-1: metadata.labels" in diff
        assert "default/prod gained default/prod-1" in diff
    assert bo.page.locator("#spot-end").count() == 0  # read-only for students: only the presenter ends it
    teacher.page.wait_for_timeout(400)
    screenshot(teacher.page, "presenting-spotlight.png")
    teacher.page.click("#spot-end")  # one click ends it
    for person in (ana, bo, cy):
        person.page.wait_for_selector("#spotlight", state="hidden")

    teacher.page.click("#ask-button")  # a question prepared in the lesson, asked with one click
    teacher.page.click(".ask-lesson[data-question=add-version]")
    for student in (ana, bo, cy):
        student.page.wait_for_selector("#question-prompt")
        assert "Which pods will Service prod select" in student.page.inner_text("#question-prompt")
    for student, pods in ((ana, ["prod-1"]), (bo, ["prod-1", "prod-2"])):
        for pod in pods:
            student.page.wait_for_function("() => !window.__kubeviz.diagram.cy.animated()")  # a follower's fit
            student.board.click_element(f"Pod/default/{pod}")
        assert student.page.inner_text("#answer-picked") == ", ".join(f"default/{p}" for p in pods)
        student.page.click("#answer-send")
        student.page.wait_for_selector("#answer-sent")
    teacher.page.wait_for_function("document.querySelector('#answered').textContent === '2 answered'")
    assert teacher.page.locator("#distribution").count() == 0  # who answered, not what, until the reveal

    teacher.page.click("#reveal-button")
    for person in (teacher, ana, bo, cy):
        person.page.wait_for_selector("#reveal")
        assert "default/prod-1" in person.page.inner_text("#reveal .truth")
        assert "1 of 2 right" in person.page.inner_text("#reveal")
    assert "Ana" not in bo.page.inner_text("#question")  # the distribution is anonymous
    for student in (ana, bo, cy):  # the edit was applied to the projected cluster: the truth lit
        student.page.wait_for_function(
            "() => window.__kubeviz.diagram.cy.getElementById('Pod/default/prod-1').hasClass('answer-truth')"
        )
    assert teacher.page.locator("#results").is_hidden()  # names never on the projector
    board = people()  # the instructor's class page (a laptop's screen): who was right
    board.page.context.add_cookies(teacher.page.context.cookies())
    board.go(class_path)
    results = board.page.inner_text("#questions-asked")
    assert "the simulator said: default/prod-1" in results
    assert "Ana\tdefault/prod-1\t✓ right" in results and "Bo\tdefault/prod-1, default/prod-2\t✗ wrong" in results
    bo.page.wait_for_timeout(300)
    screenshot(bo.page, "presenting-reveal.png")
    for person in (teacher, ana, bo, cy):
        assert person.board.errors == []
