"""The spotlight, live, in real browsers: an instructor spotlights Ana's sandbox; as Ana edits it
on her own page, the spotlight on the instructor's screen and on Bo's (a follower) shows her edit
and its new diff without a reload — patched in place, the instructor's zoom and selection in the
spotlight kept; Bo, having closed it on his screen, is not shown it again by her next edit. The
exercise board's Spotlight does the same from the instructor's laptop."""

from __future__ import annotations

import pytest

from .server import screenshot
from .test_classroom import join, people  # noqa: F401 - `people` is a fixture
from .test_exercises import PROD_1, my_copy
from .test_exercises import start_class as start_exercise_class
from .test_presenting import present

pytestmark = pytest.mark.browser


FIX = (
    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: prod-1\n  labels: {zone: prod, version: v1}\n"
    "spec:\n  containers:\n  - name: app\n    image: nginx\n    ports:\n    - containerPort: 8080\n"
)
EXTRA = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: extra\n  labels: {zone: prod}\nspec:\n  containers:\n  - name: c\n    image: nginx\n"


def spot(person, expression: str):
    """`expression` over the person's spotlight view (`s`), its Cytoscape instance (`cy`)."""
    return person.page.evaluate(
        f"() => {{ const s = window.__kubeviz.spotlight; const cy = s.diagram.cy; return {expression}; }}"
    )


def wait_diff(person, text: str) -> None:
    person.page.wait_for_function(
        "(t) => (document.querySelector('#spot-diff')?.innerText || '').includes(t)", arg=text, timeout=15000
    )


def test_a_students_edit_appears_in_the_spotlight_of_the_instructor_and_a_follower_without_a_reload(
    server,
    people,  # noqa: F811
):
    teacher, code, _class_path = present(server, people)
    ana, _ = join(people, code, "Ana")
    ana.page.click("#my-copy")  # Ana works in her sandbox, on her own page
    ana.page.wait_for_url("**/clusters/**")
    ana.live()
    bo, _ = join(people, code, "Bo")

    teacher.page.click("#present-switch")
    teacher.page.click("#spotlight-button")
    teacher.page.click("#present-menu .spot-pick")
    for person in (teacher, bo):
        person.page.wait_for_selector("#spotlight:not([hidden])")
        wait_diff(person, "Nothing differs")
        assert person.page.locator("#spot-live").is_visible()  # the live chip
        person.page.evaluate("() => { window.__notReloaded = true; }")
    teacher.page.wait_for_function("() => window.__kubeviz.spotlight.diagram.settled")
    # the instructor zooms into the spotlight and selects the Service there
    spot(teacher, "(cy.zoom(cy.zoom() * 1.5), cy.getElementById('Service/default/prod').select(), true)")
    before = spot(teacher, "({zoom: cy.zoom(), pan: cy.pan(), seq: Number(s.el.dataset.seq)})")

    ana.apply(FIX)  # prod-1 gets version: v1 and joins Service prod
    for person in (teacher, bo):
        wait_diff(person, "default/prod gained default/prod-1")
        assert "Pod/default/prod-1: metadata.labels" in person.page.inner_text("#spot-diff")
        assert person.page.evaluate("() => window.__notReloaded === true")
    after = spot(teacher, "({zoom: cy.zoom(), pan: cy.pan(), seq: Number(s.el.dataset.seq)})")
    assert after["seq"] > before["seq"]
    assert (after["zoom"], after["pan"]) == (before["zoom"], before["pan"])  # the view the instructor chose
    assert spot(teacher, "cy.getElementById('Service/default/prod').selected()")
    assert spot(teacher, "s.diagram.snapshots") == 1  # patched in place, never redrawn whole
    teacher.page.wait_for_function(
        "() => window.__kubeviz.spotlight.diagram.cy.getElementById('Pod/default/prod-1').hasClass('spot-changed')"
    )
    screenshot(bo.page, "spotlight-live-follower.png")

    bo.page.click("#spot-close")  # Bo closes it on his screen: her next edit does not reopen it
    seq = spot(bo, "s.shown.seq")
    ana.apply(EXTRA)
    teacher.page.wait_for_function(
        "() => window.__kubeviz.spotlight.diagram.cy.getElementById('Pod/default/extra').nonempty()"
    )
    wait_diff(teacher, "+ Pod/default/extra")
    bo.page.wait_for_function("(seq) => window.__kubeviz.spotlight.shown.seq > seq", arg=seq)
    assert bo.page.locator("#spotlight").is_hidden()
    assert spot(bo, "cy.getElementById('Pod/default/extra').nonempty()")  # kept current, out of sight

    teacher.page.click("#spot-end")
    bo.page.wait_for_function("() => window.__kubeviz.store.presenter.spotlight === null")
    teacher.page.wait_for_selector("#spotlight", state="hidden")
    for person in (teacher, ana, bo):
        assert person.board.errors == []


def test_the_exercise_boards_spotlight_projects_a_students_sandbox_live(server, people):  # noqa: F811
    teacher, code = start_exercise_class(server, people, "exercise-selector")
    class_url = teacher.page.url
    teacher.page.click("#projected-link")
    teacher.live()
    ana, _ = join(people, code, "Ana")
    my_copy(ana)
    bo, _ = join(people, code, "Bo")  # on the projected cluster, following
    teacher.page.click("#present-switch")
    laptop = teacher.page.context.new_page()  # the instructor's board, in another tab
    laptop.goto(class_url + "board/")
    laptop.wait_for_selector("#board-live[data-state=live]")
    laptop.click("#board-rows tr:has-text('Ana') form.spot-row button")
    laptop.wait_for_selector('.messages li:has-text("Student 1\'s sandbox is in the spotlight")')
    for person in (teacher, bo):
        person.page.wait_for_selector("#spotlight:not([hidden])")
        assert person.page.inner_text("#spot-title") == "Spotlight: Student 1's sandbox"
    ana.apply(PROD_1)  # her step's fix: prod-1 joins Service prod, on every screen's spotlight
    for person in (teacher, bo):
        wait_diff(person, "default/prod gained default/prod-1")
    for person in (teacher, ana, bo):
        assert person.board.errors == []
