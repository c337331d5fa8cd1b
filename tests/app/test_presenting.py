"""Presenting live: who may present, follow, spotlight and answer (each refusal with its reason);
presenter events reach followers as ephemeral messages and a late joiner lands on the view; the
presenter sees how many follow; a student's sandbox spotlighted anonymously with its diff; a
predict-then-reveal round graded by the simulator; the lesson's prepared questions."""

from __future__ import annotations

import asyncio
import json

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.test import Client

from kubeviz.asgi import application
from simulator import classrooms, models, permissions, presenting, selectors, services
from simulator.permissions import Action

ORIGIN = [(b"origin", b"http://127.0.0.1:8000")]
POD = (
    "apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, labels: {labels}}}\n"
    "spec: {{containers: [{{name: app, image: nginx, ports: [{{containerPort: 8080}}]}}]}}\n"
)


@pytest.fixture
def world(db):
    teacher, _ = classrooms.instructor_create(username="ada", password="pw-ada-123")
    other_teacher, _ = classrooms.instructor_create(username="bob", password="pw-bob-123")
    klass = classrooms.classroom_create(owner=teacher, name="Monday", lesson="selector-and")
    other = classrooms.classroom_create(owner=other_teacher, name="Tuesday", lesson="selector-and")
    ana, _ = classrooms.student_join(code=klass.join_code, display_name="Ana")
    bo, _ = classrooms.student_join(code=klass.join_code, display_name="Bo")
    cy, _ = classrooms.student_join(code=other.join_code, display_name="Cy")
    return {
        "teacher": teacher,
        "other_teacher": other_teacher,
        "klass": klass,
        "other": other,
        "ana": ana,
        "bo": bo,
        "cy": cy,
    }


def actor(world, who: str) -> permissions.Actor:
    if who in ("teacher", "other_teacher"):
        return permissions.actor_for(world[who], {})
    if who == "anonymous":
        return permissions.ANONYMOUS
    return permissions.actor_for(None, {permissions.SESSION_STUDENTS: [world[who].pk]})


# ---------------------------------------------------------------------- who may
def test_only_the_class_instructors_present_and_each_refusal_says_why(world):
    projected = world["klass"].projected
    assert permissions.decide(actor(world, "teacher"), Action.PRESENT, projected)
    refusals = {
        who: permissions.decide(actor(world, who), Action.PRESENT, projected).reason
        for who in ("ana", "cy", "other_teacher", "anonymous")
    }
    assert refusals == {
        "ana": "only the class's instructors present: you follow them",
        "cy": "only this class's instructors present to it",
        "other_teacher": "only this class's instructors present to it",
        "anonymous": "only this class's instructors present to it",
    }
    sandbox, _ = classrooms.sandbox_get_or_create(student=world["ana"])
    mine = permissions.decide(actor(world, "ana"), Action.PRESENT, sandbox)
    assert not mine and mine.reason == "presenting happens on a class's projected cluster"


def test_only_the_class_students_answer_and_instructors_only_spotlight_their_own_class(world):
    projected = world["klass"].projected
    assert permissions.decide(actor(world, "ana"), Action.ANSWER, projected)
    assert permissions.decide(actor(world, "teacher"), Action.ANSWER, projected).reason == (
        "the class's instructors ask; its students answer"
    )
    assert not permissions.decide(actor(world, "cy"), Action.ANSWER, projected)
    assert not permissions.decide(actor(world, "anonymous"), Action.ANSWER, projected)
    sandbox, _ = classrooms.sandbox_get_or_create(student=world["ana"])
    assert permissions.decide(actor(world, "teacher"), Action.SPOTLIGHT, sandbox)
    assert permissions.decide(actor(world, "other_teacher"), Action.SPOTLIGHT, sandbox).reason == (
        "only the class's instructors spotlight a student's sandbox"
    )
    assert permissions.decide(actor(world, "ana"), Action.SPOTLIGHT, sandbox).reason == (
        "only the class's instructors spotlight a student's sandbox"
    )
    assert permissions.decide(actor(world, "teacher"), Action.SPOTLIGHT, projected).reason == (
        "only a student's sandbox of the class can be spotlighted"
    )


# ---------------------------------------------------------------------- views
def test_a_view_event_carries_only_what_changed_and_the_kept_view_merges_them(
    world, listener, django_capture_on_commit_callbacks
):
    projected = world["klass"].projected
    group = listener(projected.pk)
    with django_capture_on_commit_callbacks(execute=True):
        presenting.presenting_set(cluster=projected, user=world["teacher"], on=True)
    with django_capture_on_commit_callbacks(execute=True):
        presenting.presenter_view(
            cluster=projected, user=world["teacher"], fields={"select": "Service/default/prod", "tab": "inspect"}
        )
    with django_capture_on_commit_callbacks(execute=True):
        presenting.presenter_view(
            cluster=projected,
            user=world["teacher"],
            fields={"tab": "trace", "trace": {"from": "default/prod-1", "url": "http://prod/"}},
        )
    texts = [json.loads(m["text"]) for m in group.drain()]
    assert [t["type"] for t in texts] == ["presenting", "view", "view"]
    assert texts[2] == {
        "type": "view",
        "seq": 2,
        "set": {"tab": "trace", "trace": {"from": "default/prod-1", "url": "http://prod/"}},
    }
    state = presenting.presentation_state(projected)
    assert state["presenter"] == "ada" and state["seq"] == 2
    assert state["view"] == {
        "select": "Service/default/prod",
        "tab": "trace",
        "trace": {"from": "default/prod-1", "url": "http://prod/"},
    }
    assert projected.version == models.Cluster.objects.get(pk=projected.pk).version  # no version bumped


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"zoom": 2}, "view.zoom is not a view field"),
        ({"tab": "logs"}, "view.tab must be one of inspect, services, dns, trace, rules, workloads"),
        ({"trace": {"url": "http://x/"}}, "view.trace.from must be a non-empty string"),
        ({"focus": [f"Pod/default/p{i}" for i in range(30)]}, "view.focus has 30 element keys; at most 24"),
        ({"layers": {"owners": "yes"}}, "view.layers: owners and system are true or false"),
        ("select", "view must be an object of view fields"),
    ],
)
def test_a_bad_view_is_refused_saying_what_and_where_and_nothing_changes(world, fields, message):
    projected = world["klass"].projected
    presenting.presenting_set(cluster=projected, user=world["teacher"], on=True)
    with pytest.raises(presenting.PresentingError, match=message.replace(".", r"\.")):
        presenting.presenter_view(cluster=projected, user=world["teacher"], fields=fields)
    assert presenting.presentation_state(projected)["seq"] == 0


def test_view_events_need_present_on(world):
    projected = world["klass"].projected
    with pytest.raises(presenting.PresentingError, match="switch Present on first"):
        presenting.presenter_view(cluster=projected, user=world["teacher"], fields={"tab": "dns"})
    assert presenting.presentation_state(projected) is None


def _client(world, who: str) -> list:
    client = Client()
    if who in ("teacher", "other_teacher"):
        client.force_login(world[who])
    else:
        session = client.session
        session[permissions.SESSION_STUDENTS] = [world[who].pk]
        session.save()
    client.get("/")
    return [*ORIGIN, (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())]


async def _next(ws, kind: str, timeout: float = 5) -> dict:
    while True:
        message = json.loads(await ws.receive_from(timeout=timeout))
        if message["type"] == kind:
            return message


async def _request(ws, message: dict) -> dict:
    await ws.send_to(text_data=json.dumps(message))
    while True:
        reply = json.loads(await ws.receive_from(timeout=5))
        if reply["type"] == "reply" and reply["id"] == message["id"]:
            return reply


@pytest.mark.django_db(transaction=True)
def test_followers_get_the_view_a_late_joiner_lands_on_it_and_the_presenter_counts_followers(world):
    path = f"/ws/clusters/{world['klass'].projected.slug}/"
    teacher_cookie, ana_cookie, bo_cookie = (_client(world, w) for w in ("teacher", "ana", "bo"))

    async def scenario():
        teacher = WebsocketCommunicator(application, path, headers=teacher_cookie)
        ana = WebsocketCommunicator(application, path, headers=ana_cookie)
        assert (await teacher.connect())[0] and (await ana.connect())[0]
        assert (await _request(teacher, {"type": "present", "on": True, "id": 1}))["ok"]
        assert (await _next(ana, "presenting"))["presenter"] == "ada"
        # the student cannot send presenter events: refused, and nobody gets one
        refused = await _request(ana, {"type": "view", "set": {"tab": "dns"}, "id": 2})
        assert (
            refused["code"] == "forbidden"
            and refused["error"] == "only the class's instructors present: you follow them"
        )
        assert (await _request(ana, {"type": "follow", "on": True, "id": 3}))["presenting"]["on"] is True
        while (presence := await _next(teacher, "presence")).get("following") != 1:
            pass
        await teacher.send_to(text_data=json.dumps({"type": "view", "set": {"select": "Pod/default/prod-1"}}))
        assert (await _next(ana, "view")) == {"type": "view", "seq": 1, "set": {"select": "Pod/default/prod-1"}}
        await teacher.send_to(text_data=json.dumps({"type": "view", "set": {"focus": ["Pod/default/prod-1"]}}))
        await _next(ana, "view")
        await asyncio.sleep(presenting.PresenterSession.SAVE_AFTER + 0.5)  # the view is remembered a moment later
        # Bo joins late: after the snapshot, the whole view
        bo = WebsocketCommunicator(application, path, headers=bo_cookie)
        assert (await bo.connect())[0]
        assert json.loads(await bo.receive_from(timeout=5))["type"] == "snapshot"
        late = json.loads(await bo.receive_from(timeout=5))
        assert late["type"] == "presenting" and late["seq"] == 2
        assert late["view"] == {"focus": ["Pod/default/prod-1"], "select": "Pod/default/prod-1"}
        assert presence["watchers"] == 2
        # breaking away: the count goes down
        await _request(ana, {"type": "follow", "on": False, "id": 4})
        while "following" in (await _next(teacher, "presence")):
            pass
        for ws in (teacher, ana, bo):
            await ws.disconnect()

    async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True)
def test_another_class_instructor_and_student_cannot_even_reach_the_presentation(world):
    path = f"/ws/clusters/{world['klass'].projected.slug}/"
    for who in ("other_teacher", "cy"):
        cookie = _client(world, who)

        async def scenario(cookie=cookie):
            ws = WebsocketCommunicator(application, path, headers=cookie)
            assert (await ws.connect())[0]
            first = json.loads(await ws.receive_from(timeout=5))
            assert first["code"] == "forbidden" and "join the class" in first["message"]

        async_to_sync(scenario)()


# ---------------------------------------------------------------------- spotlight
def test_a_spotlight_shows_the_sandbox_anonymised_with_its_diff_against_the_projector(
    world, listener, django_capture_on_commit_callbacks
):
    klass, projected = world["klass"], world["klass"].projected
    sandbox, _ = classrooms.sandbox_get_or_create(student=world["bo"])
    services.cluster_apply(cluster=sandbox, text=POD.format(name="prod-1", labels="{zone: prod, version: v1}"))
    services.cluster_apply(cluster=sandbox, text=POD.format(name="extra", labels="{zone: prod}"))
    # --grace-period=0: removed at once (a graceful deletion would leave it Terminating a moment)
    services.cluster_delete_object(cluster=sandbox, kind="Pod", namespace="default", name="prod-2", grace=0)
    presenting.presenting_set(cluster=projected, user=world["teacher"], on=True)
    group = listener(projected.pk)
    with django_capture_on_commit_callbacks(execute=True):
        payload = presenting.spotlight_set(cluster=projected, sandbox=sandbox)
    assert payload["label"] == "Student 2"  # Bo joined second and did not agree to show his name
    assert payload["diff"] == {
        "added": ["Pod/default/extra"],
        "removed": ["Pod/default/prod-2"],
        "changed": [{"ref": "Pod/default/prod-1", "fields": ["metadata.labels"]}],
        "endpoints": {"default/prod": {"gained": ["default/prod-1"], "lost": []}},
    }
    assert "graph/node/Pod/default/extra" in payload["entries"]
    assert not any(k.startswith("object/") for k in payload["entries"])
    assert json.loads(group.drain()[-1]["text"])["spotlight"]["label"] == "Student 2"
    assert presenting.presentation_state(projected)["spotlight"]["diff"] == payload["diff"]  # a late joiner's too
    classrooms.student_set_consent(student=world["bo"], spotlight_consent=True)
    assert presenting.spotlight_set(cluster=projected, sandbox=sandbox)["label"] == "Bo"
    assert presenting.spotlight_set(cluster=projected, sandbox=None) is None  # one click ends it
    assert presenting.presentation_state(projected)["spotlight"] is None
    assert klass.pk == sandbox.classroom_id


def test_another_class_sandbox_cannot_be_spotlighted(world):
    theirs, _ = classrooms.sandbox_get_or_create(student=world["cy"])
    projected = world["klass"].projected
    presenting.presenting_set(cluster=projected, user=world["teacher"], on=True)
    with pytest.raises(presenting.PresentingError, match="only a sandbox of this class's students"):
        presenting.spotlight_set(cluster=projected, sandbox=theirs)


# ---------------------------------------------------------------------- predict, then reveal
def test_a_round_counts_who_answered_then_reveal_applies_the_edit_and_grades_every_answer(
    world, listener, django_capture_on_commit_callbacks
):
    projected = world["klass"].projected
    ana, bo = world["ana"], world["bo"]
    question = presenting.question_ask(cluster=projected, user=world["teacher"], lesson_question="add-version")
    assert question["answerWith"] == "pods" and "correct" not in question and "edit" in question
    version = models.Cluster.objects.get(pk=projected.pk).version
    presenting.question_answer(
        cluster=projected, student_ids={ana.pk}, question_id=question["id"], answer={"pods": ["default/prod-1"]}
    )
    presenting.question_answer(
        cluster=projected,
        student_ids={bo.pk},
        question_id=question["id"],
        answer={"pods": ["default/prod-2", "default/prod-1"]},
    )
    assert selectors.question_answered_count(question["id"]) == 2
    assert models.Cluster.objects.get(pk=projected.pk).version == version  # answering changes nothing
    with pytest.raises(presenting.PresentingError, match="only the class's students answer"):
        presenting.question_answer(
            cluster=projected, student_ids={world["cy"].pk}, question_id=question["id"], answer={"pods": []}
        )
    with pytest.raises(presenting.PresentingError, match=r'answer must be \{"pods": \.\.\.\}'):
        presenting.question_answer(cluster=projected, student_ids={ana.pk}, question_id=question["id"], answer={})
    group = listener(projected.pk)
    with django_capture_on_commit_callbacks(execute=True):
        reveal = presenting.question_reveal(cluster=projected, user=world["teacher"], question_id=question["id"])
    assert models.Cluster.objects.get(pk=projected.pk).version == version + 1  # the edit, applied
    assert reveal.public["truth"] == "default/prod-1"
    assert reveal.public["elements"] == ["Service/default/prod", "Pod/default/prod-1"]
    assert reveal.public["distribution"] == [
        {"answer": "default/prod-1", "count": 1, "correct": True},
        {"answer": "default/prod-1, default/prod-2", "count": 1, "correct": False},
    ]
    assert reveal.results == [
        {"student": "Ana", "answer": "default/prod-1", "correct": True},
        {"student": "Bo", "answer": "default/prod-1, default/prod-2", "correct": False},
    ]
    sent = [json.loads(m["text"]) for m in group.drain() if "text" in m]
    assert [m["type"] for m in sent][-1] == "reveal"
    with pytest.raises(presenting.PresentingError, match="answers are closed"):
        presenting.question_answer(
            cluster=projected, student_ids={ana.pk}, question_id=question["id"], answer={"pods": []}
        )


@pytest.mark.parametrize(
    "lesson_question, answer, right",
    [
        ("pod-name-dns", {"text": "nxdomain"}, True),
        ("pod-name-dns", {"text": "10.244.1.2"}, False),
        ("curl-prod", {"pods": []}, True),  # prod selects no pod: nothing can receive it
        ("why-no-endpoints", {"choice": 1}, True),
        ("why-no-endpoints", {"choice": 0}, False),
    ],
)
def test_nslookup_curl_and_choice_questions_are_graded_by_the_simulator(world, lesson_question, answer, right):
    projected = world["klass"].projected
    question = presenting.question_ask(cluster=projected, user=world["teacher"], lesson_question=lesson_question)
    presenting.question_answer(
        cluster=projected, student_ids={world["ana"].pk}, question_id=question["id"], answer=answer
    )
    reveal = presenting.question_reveal(cluster=projected, user=world["teacher"], question_id=None)
    assert reveal.results[0]["correct"] is right
    assert reveal.public["answered"] == 1 and reveal.public["right"] == int(right)


def test_a_question_about_something_the_cluster_lacks_is_refused_before_anyone_answers(world):
    projected = world["klass"].projected
    with pytest.raises(presenting.PresentingError, match="no Service default/nope in this cluster"):
        presenting.question_ask(
            cluster=projected, user=world["teacher"], spec={"kind": "select", "service": "default/nope"}
        )
    with pytest.raises(presenting.PresentingError, match="the lesson has no question 'nope'; its questions: "):
        presenting.question_ask(cluster=projected, user=world["teacher"], lesson_question="nope")
    assert not models.Question.objects.exists()


def test_the_lessons_questions_file_is_read_and_checked(world, settings, tmp_path):
    ids = [q["id"] for q in presenting.lesson_questions("selector-and")]
    assert ids == ["why-no-endpoints", "add-version", "curl-prod", "pod-name-dns"]
    assert presenting.lesson_questions("webapp") == []
    (tmp_path / "questions").mkdir()
    (tmp_path / "questions" / "bad.yaml").write_text("- kind: select\n  service: prod\n")
    settings.KUBEVIZ_LESSONS_DIR = tmp_path
    with pytest.raises(
        presenting.PresentingError, match=r'bad.yaml, question 1: question.service must be "NAMESPACE/NAME"'
    ):
        presenting.lesson_questions("bad")


def test_a_class_answering_at_once_is_written_together_each_refusal_said_and_the_last_answer_kept(world):
    projected = world["klass"].projected
    question = presenting.question_ask(cluster=projected, user=world["teacher"], lesson_question="why-no-endpoints")
    given = [
        presenting.AnswerGiven(projected.pk, frozenset({world["ana"].pk}), question["id"], {"choice": 0}),
        presenting.AnswerGiven(projected.pk, frozenset({world["bo"].pk}), question["id"], {"choice": 1}),
        presenting.AnswerGiven(projected.pk, frozenset({world["ana"].pk}), question["id"], {"choice": 1}),  # changed
        presenting.AnswerGiven(projected.pk, frozenset({world["cy"].pk}), question["id"], {"choice": 1}),
        presenting.AnswerGiven(projected.pk, frozenset({world["bo"].pk}), 999, {"choice": 1}),
        presenting.AnswerGiven(projected.pk, frozenset({world["bo"].pk}), question["id"], {"choice": 9}),
    ]
    assert presenting.question_answers(given) == [
        None,
        None,
        None,
        "only the class's students answer its questions",
        "no question 999 in this class",
        "answer.choice must be the index of a choice, 0 to 2",
    ]
    kept = dict(models.Answer.objects.values_list("student__display_name", "answer"))
    assert kept == {"Ana": {"choice": 1}, "Bo": {"choice": 1}}
