"""An exercise in real browsers: an instructor's class on a lesson with steps, students solving it
step by step in their sandboxes while the instructor's board follows; a hint shown, a why read.
Its two screenshots go to docs/ with KUBEVIZ_SCREENSHOTS=1 (`make screenshots`)."""

from __future__ import annotations

import itertools

import pytest

from simulator import lessons

from .server import screenshot
from .test_classroom import Person, join

pytestmark = pytest.mark.browser

EXERCISE = lessons.get("exercise-selector").exercise
PROD_1 = EXERCISE.step(1).solution.apply
PROD_2 = EXERCISE.step(2).solution.apply
_classes = itertools.count(1)


@pytest.fixture
def people(server, open_browser, dashboard):
    return lambda: Person(open_browser(), server, dashboard)


def start_class(server, people, lesson: str):
    n = next(_classes)
    name = f"coach{n}"
    server.manage("createinstructor", name, "--password", "a-long-password-1")
    teacher = people()
    teacher.go("/sign-in/")
    teacher.page.fill("#id_username", name)
    teacher.page.fill("#id_password", "a-long-password-1")
    teacher.page.click("button[type=submit]")
    teacher.page.wait_for_url("**/classes/")
    teacher.page.fill("#id_name", f"Labels {n}")
    teacher.page.select_option("#id_lesson", lesson)
    teacher.page.click("#new-class button[type=submit]")
    teacher.page.wait_for_url("**/classes/*/")
    return teacher, teacher.page.inner_text("#join-code").strip()


def my_copy(student) -> None:
    student.page.click("#my-copy")
    student.page.wait_for_url("**/clusters/**")
    student.live()
    student.page.wait_for_selector("#exercise:not([hidden]) .exercise-goals")


def goal(student, goal_id: str):
    return student.page.locator(f"#exercise li.goal[data-goal='{goal_id}']")


def cell(teacher, student_name: str, column: int):
    return teacher.page.locator(f"#board-rows tr:has(th:has-text('{student_name}')) td.cell").nth(column)


def test_a_student_solves_an_exercise_step_by_step_while_the_instructor_s_board_follows(server, people):
    teacher, code = start_class(server, people, "exercise-selector")
    teacher.page.click("#board-link")
    teacher.page.wait_for_selector("#board-live[data-state=live]")

    ana, _ = join(people, code, "Ana")
    bo, _ = join(people, code, "Bo")
    cy, _ = join(people, code, "Cy")
    join(people, code, "Dee")  # joins, no sandbox yet
    my_copy(ana)
    my_copy(bo)
    my_copy(cy)

    # Step 1 starts failing, and says why in the engine's words.
    assert "Exercise · step 1 of 2" in ana.page.text_content("#exercise .exercise-kicker")
    first = goal(ana, "prod-1-selected")
    assert "failed" in first.get_attribute("class")
    assert "pod prod-1 lacks label version=v1" in first.locator(".why").inner_text()
    assert ana.page.locator("#exercise .exercise-next").is_disabled()
    teacher.page.wait_for_selector("#board-rows tr:has-text('Bo') td.cell.fail")
    assert "lacks label version=v1" in cell(teacher, "Ana", 0).get_attribute("title")

    # A hint, one at a time, counted on the board.
    ana.page.click("#exercise .exercise-hint")
    ana.page.wait_for_selector("#exercise .hint-list li")
    assert "which label of the selector it lacks" in ana.page.inner_text("#exercise .hint-list")
    assert "Show a hint (2 of 3)" in ana.page.inner_text("#exercise .exercise-hint")
    teacher.page.wait_for_selector("#board-rows tr:has-text('Ana') td.hints:text-is('1')")

    # Bo solves step 1 and gets a hint (for the board's picture); Ana solves it too.
    bo.apply(PROD_1)
    bo.page.click("#exercise .exercise-hint")
    ana.apply(PROD_1)
    ana.page.wait_for_selector("#exercise li.goal[data-goal='prod-1-selected'].passed")
    assert ana.page.inner_text("#exercise .exercise-status") == "step done"
    teacher.page.wait_for_function(
        '() => document.querySelector("#board-rows tr[data-student] td.cell.ok") !== null'
        " && [...document.querySelectorAll('#board-rows tr')].find(r => r.textContent.includes('Ana'))"
        ".querySelector('td.cell').classList.contains('ok')"
    )
    assert "solved at" in cell(teacher, "Ana", 0).get_attribute("title")

    # Next step: its manifests arrive (the canary), its goals are checked at once.
    ana.page.click("#exercise .exercise-next")
    ana.page.wait_for_selector("#exercise .exercise-kicker:has-text('step 2 of 2')")
    ana.board.wait_element("Pod/default/canary")
    both = goal(ana, "both-prod")
    assert "pod prod-2 lacks label version=v1" in both.locator(".why").inner_text()
    assert "passed" in goal(ana, "no-canary").get_attribute("class")
    screenshot(ana.page, "exercises-panel.png")

    ana.apply(PROD_2)
    ana.page.wait_for_selector("#exercise .exercise-finished")
    teacher.page.wait_for_function(
        "() => [...document.querySelectorAll('#board-rows tr')].find(r => r.textContent.includes('Ana'))"
        "?.querySelectorAll('td.cell.ok').length === 4"
    )
    summary = teacher.page.locator("#board-summary td[data-key='1.prod-1-selected']").inner_text()
    assert summary == "2/4"  # Ana and Bo of four students
    teacher.page.select_option("#board-sort", "progress")
    names = teacher.page.locator("#board-rows tr th").all_inner_texts()
    assert [n.split(" ")[0] for n in names] == ["Ana", "Bo", "Cy", "Dee"]
    assert "lacks label version=v1" in cell(teacher, "Cy", 0).get_attribute("title")
    screenshot(teacher.page, "exercises-board.png")

    # The board's CSV, and a student cannot open the board.
    csv = teacher.page.request.get(teacher.page.url.replace("/board/", "/board.csv"))
    assert csv.status == 200 and "Ana,2,4,1" in csv.text()
    refused = bo.page.request.get(teacher.page.url)
    assert refused.status == 403
    assert not ana.board.errors and not bo.board.errors
