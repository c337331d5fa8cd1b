"""A class's exercise, live: goals re-evaluated after every change of a sandbox, hints revealed one
at a time and counted, the next step's manifests applied, the board's rows and its refusals."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from kubeviz.asgi import application
from simulator import classrooms, exercising, lessons, models, progress, push, services

PROD_1 = lessons.get("exercise-selector").exercise.step(1).solution.apply
PROD_2 = lessons.get("exercise-selector").exercise.step(2).solution.apply


@pytest.fixture
def klass(db):
    teacher, _ = classrooms.instructor_create(username="ada", password="pw-ada-123")
    return classrooms.classroom_create(owner=teacher, name="Labels", lesson="exercise-selector")


@pytest.fixture
def sandbox(klass):
    student, _ = classrooms.student_join(code=klass.join_code, display_name="Ana")
    return classrooms.sandbox_get_or_create(student=student)[0]


def board_listener(classroom_id: int):
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(push.board_group(classroom_id), channel)
    return layer, channel


def test_a_sandbox_of_a_lesson_with_steps_starts_on_step_one_with_failing_goals_saying_why(sandbox):
    state = progress.exercise_state(sandbox)
    assert state["step"]["number"] == 1 and state["step"]["of"] == 2
    assert [(c["goal"], c["passed"]) for c in state["checks"]] == [("prod-1-selected", False), ("selector-kept", True)]
    assert "pod prod-1 lacks label version=v1" in state["checks"][0]["why"]
    assert state["hints"] == [] and state["step"]["hintCount"] == 3 and not state["done"]
    assert "solution" not in json.dumps(state) and "version: v1\n" not in json.dumps(state)


def test_an_apply_re_evaluates_the_goals_and_pushes_the_panel_and_the_board_row(
    sandbox, klass, listener, django_capture_on_commit_callbacks
):
    watcher = listener(sandbox.pk)
    layer, board_channel = board_listener(klass.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.cluster_apply(cluster=sandbox, text=PROD_1)
    messages = [m for m in watcher.drain() if m["type"] == "cluster.exercise"]
    assert len(messages) == 1
    panel = json.loads(messages[0]["text"])
    assert panel["type"] == "exercise" and panel["done"] and all(c["passed"] for c in panel["checks"])
    row = json.loads(async_to_sync(layer.receive)(board_channel)["text"])["row"]
    assert row["name"] == "Ana" and row["cells"]["1.prod-1-selected"]["state"] == "ok"
    assert row["cells"]["1.prod-1-selected"]["at"] and row["cells"]["2.both-prod"] == {"state": "todo"}
    row_db = models.ExerciseProgress.objects.get(cluster=sandbox)
    assert set(row_db.solved) == {"1.prod-1-selected", "1.selector-kept"}


def test_a_change_that_changes_no_goal_pushes_no_panel(sandbox, listener, django_capture_on_commit_callbacks):
    progress.exercise_state(sandbox)
    watcher = listener(sandbox.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.cluster_apply(cluster=sandbox, text=PROD_1.replace("prod-1", "other"))
    assert len([m for m in watcher.drain() if m["type"] == "cluster.change"]) == 1
    assert [m for m in watcher.drain() if m["type"] == "cluster.exercise"] == []


def test_hints_come_one_at_a_time_are_counted_and_stop_at_the_last(sandbox):
    texts = lessons.get("exercise-selector").exercise.step(1).hints
    for n in range(1, 5):
        state = progress.exercise_hint(cluster=sandbox)
        assert state["hints"] == list(texts[: min(n, 3)])
    assert models.ExerciseProgress.objects.get(cluster=sandbox).hints == {"1": 3}


def test_next_step_waits_for_every_goal_then_applies_the_step_s_manifests(sandbox):
    answer = exercising.exercise_next(cluster=sandbox)
    assert not answer["advanced"] and "step 1 is not done yet: Service prod sends traffic to prod-1" in answer["why"]
    services.cluster_apply(cluster=sandbox, text=PROD_1)
    answer = exercising.exercise_next(cluster=sandbox)
    assert answer["advanced"] and answer["panel"]["step"]["number"] == 2
    assert models.Pod.objects.filter(cluster=sandbox, name="canary").exists()
    assert [(c["goal"], c["passed"]) for c in answer["panel"]["checks"]] == [("both-prod", False), ("no-canary", True)]
    services.cluster_apply(cluster=sandbox, text=PROD_2)
    state = progress.exercise_state(sandbox)
    assert state["done"] and state["last"] and state["finished"]
    assert not exercising.exercise_next(cluster=sandbox)["advanced"]


def test_the_board_has_a_row_per_student_and_a_column_per_goal(klass, sandbox):
    classrooms.student_join(code=klass.join_code, display_name="Bo")  # no sandbox yet
    services.cluster_apply(cluster=sandbox, text=PROD_1)
    board = progress.board(klass)
    assert [c["key"] for c in board["columns"]] == [
        "1.prod-1-selected",
        "1.selector-kept",
        "2.both-prod",
        "2.no-canary",
    ]
    ana, bo = board["rows"]
    assert (ana["name"], ana["solved"], ana["sandbox"]) == ("Ana", 2, sandbox.slug)
    assert (bo["name"], bo["solved"], bo["sandbox"]) == ("Bo", 0, None)


def test_a_cluster_without_steps_has_no_exercise_and_its_changes_make_no_progress_row(db):
    cluster = services.cluster_create(name="plain", lesson="selector-and")
    services.cluster_apply(cluster=cluster, text=PROD_1)
    assert progress.exercise_state(cluster) is None
    assert not models.ExerciseProgress.objects.exists()
    with pytest.raises(progress.ExerciseUnavailable):
        progress.exercise_hint(cluster=cluster)


@pytest.mark.django_db(transaction=True)
def test_the_board_socket_is_the_class_instructors_and_says_why_to_anyone_else(settings):
    teacher, _ = classrooms.instructor_create(username="ada", password="pw-ada-123")
    other, _ = classrooms.instructor_create(username="bea", password="pw-bea-123")
    klass = classrooms.classroom_create(owner=teacher, name="Labels", lesson="exercise-selector")
    student, _ = classrooms.student_join(code=klass.join_code, display_name="Ana")
    sandbox = classrooms.sandbox_get_or_create(student=student)[0]
    from django.test import Client

    def cookie(user=None, student_id=None):
        client = Client()
        if user is not None:
            client.force_login(user)
        else:
            session = client.session
            session["kubeviz.students"] = [student_id]
            session.save()
        client.get("/")
        value = client.cookies.get("sessionid")
        return [(b"cookie", f"sessionid={value.value}".encode())] if value else []

    origin = [(b"origin", b"http://127.0.0.1:8000")]
    refused = (cookie(other), cookie(student_id=student.pk), [])
    theirs = cookie(teacher)

    async def scenario():
        for headers in refused:
            ws = WebsocketCommunicator(application, f"/ws/classes/{klass.pk}/board/", headers=origin + headers)
            assert (await ws.connect())[0]
            first = json.loads(await ws.receive_from(timeout=5))
            assert first["type"] == "error" and first["code"] == "forbidden" and len(first["message"]) > 15
            await ws.disconnect()
        ws = WebsocketCommunicator(application, f"/ws/classes/{klass.pk}/board/", headers=origin + theirs)
        assert (await ws.connect())[0]
        board = json.loads(await ws.receive_from(timeout=5))
        assert board["type"] == "board" and board["rows"][0]["name"] == "Ana"
        from channels.db import database_sync_to_async

        await database_sync_to_async(services.cluster_apply)(cluster=sandbox, text=PROD_1)
        row = json.loads(await ws.receive_from(timeout=5))
        assert row["type"] == "board-row" and row["row"]["cells"]["1.prod-1-selected"]["state"] == "ok"
        await ws.disconnect()

    async_to_sync(scenario)()


def test_the_board_page_and_its_csv_list_students_and_goals_for_the_class_instructors(klass, sandbox):
    from django.test import Client

    services.cluster_apply(cluster=sandbox, text=PROD_1)
    progress.exercise_hint(cluster=sandbox)
    client = Client()
    client.force_login(klass.owner)
    page = client.get(f"/classes/{klass.pk}/board/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Exercise: fix the two-label selector" in html and ">Ana</a>" in html and "prod-1-selected" in html
    assert 'colspan="2" scope="colgroup">step 1' in html
    response = client.get(f"/classes/{klass.pk}/board.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="labels-exercise-board.csv"' in response["Content-Disposition"]
    header, ana = response.content.decode().splitlines()
    assert header.startswith("student,step,goals solved,hints used,stuck for (s),finished,1.prod-1-selected ")
    fields = ana.split(",")
    assert fields[:4] == ["Ana", "1", "2", "1"] and fields[6].startswith("20") and fields[8] == ""
    assert "Exercise board" in client.get(f"/classes/{klass.pk}/").content.decode()


def test_a_class_without_steps_has_an_empty_board_and_no_board_link(db):
    from django.test import Client

    teacher, _ = classrooms.instructor_create(username="cy", password="pw-cy-12345")
    plain = classrooms.classroom_create(owner=teacher, name="Plain", lesson="selector-and")
    client = Client()
    client.force_login(teacher)
    assert "has no steps" in client.get(f"/classes/{plain.pk}/board/").content.decode()
    assert "Exercise board" not in client.get(f"/classes/{plain.pk}/").content.decode()


def test_a_reset_to_the_lesson_start_starts_the_exercise_again_at_step_one(sandbox):
    services.cluster_apply(cluster=sandbox, text=PROD_1)
    assert exercising.exercise_next(cluster=sandbox)["advanced"]
    services.cluster_reset(cluster=sandbox, to="lesson")
    state = progress.exercise_state(sandbox)
    assert state["step"]["number"] == 1 and not state["done"]
    assert not models.Pod.objects.filter(cluster=sandbox, name="canary").exists()


def test_the_sandbox_page_shows_the_exercise_panel_without_javascript(klass, sandbox):
    from django.test import Client

    client = Client()
    session = client.session
    session["kubeviz.students"] = [sandbox.owner_student_id]
    session.save()
    html = client.get(f"/clusters/{sandbox.slug}/").content.decode()
    panel = html[html.index('<section id="exercise"') : html.index("</section>", html.index('<section id="exercise"'))]
    assert "hidden" not in panel.split(">", 1)[0]
    assert "Exercise · step 1 of 2" in panel and "<strong>prod</strong>" in panel
    assert "pod prod-1 lacks label version=v1" in panel and 'data-goal="prod-1-selected"' in panel
