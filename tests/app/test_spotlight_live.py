"""The spotlight stays live: a spotlighted sandbox's edits (and the projected cluster's) reach the
class as new spotlight messages with the new diff, newest first by `seq`, nothing sent when nothing
seen changed, none after the spotlight ends; a deleted sandbox ends the spotlight; an update too
big for the wire keeps its diff and leaves its diagram out."""

from __future__ import annotations

import asyncio
import json

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator

from kubeviz.asgi import application
from simulator import classrooms, models, presenting, push, services, spotlight

from .test_presenting import POD, _client, _next, _request, world  # noqa: F401 - `world` is a fixture

FIXED = POD.format(name="prod-1", labels="{zone: prod, version: v1}")  # prod-1 joins Service prod


def _spotlit(world):  # noqa: F811 - the fixture, passed on
    """Bo's sandbox, spotlighted on the class's projected cluster (Present on)."""
    projected = world["klass"].projected
    sandbox, _ = classrooms.sandbox_get_or_create(student=world["bo"])
    presenting.presenting_set(cluster=projected, user=world["teacher"], on=True)
    first = presenting.spotlight_set(cluster=projected, sandbox=sandbox)
    return projected, sandbox, first


def test_a_sandbox_edit_makes_a_newer_spotlight_with_the_new_diff_and_an_unchanged_one_makes_none(world):  # noqa: F811
    projected, sandbox, first = _spotlit(world)
    assert first["diff"] == {"added": [], "removed": [], "changed": [], "endpoints": {}}
    assert spotlight.spotlight_update(projected.pk) is None  # nothing the class sees has changed
    services.cluster_apply(cluster=sandbox, text=FIXED)
    update = json.loads(spotlight.spotlight_update(projected.pk))
    assert update["type"] == "spotlight" and update["live"] is True
    assert update["spotlight"]["seq"] == first["seq"] + 1  # screens keep the newest
    assert update["spotlight"]["label"] == "Student 2"  # still anonymous
    assert update["spotlight"]["diff"] == {
        "added": [],
        "removed": [],
        "changed": [{"ref": "Pod/default/prod-1", "fields": ["metadata.labels"]}],
        "endpoints": {"default/prod": {"gained": ["default/prod-1"], "lost": []}},
    }
    assert update["spotlight"]["version"] == models.Cluster.objects.get(pk=sandbox.pk).version
    assert spotlight.spotlight_update(projected.pk) is None  # sent once
    # the projected cluster makes the same edit: the diff empties again
    services.cluster_apply(cluster=projected, text=FIXED)
    again = json.loads(spotlight.spotlight_update(projected.pk))
    assert again["spotlight"]["diff"]["changed"] == [] and again["spotlight"]["diff"]["endpoints"] == {}
    assert again["spotlight"]["seq"] == first["seq"] + 2
    # ended: nothing more, whatever changes
    presenting.spotlight_set(cluster=projected, sandbox=None)
    services.cluster_apply(cluster=sandbox, text=POD.format(name="extra", labels="{zone: prod}"))
    assert spotlight.spotlight_update(projected.pk) is None


WRITES = {  # every kind of write, each through the one path (services._publish)
    "apply": lambda sandbox: services.cluster_apply(cluster=sandbox, text=FIXED),
    "delete": lambda sandbox: services.cluster_delete_object(
        cluster=sandbox, kind="Pod", namespace="default", name="prod-2"
    ),
    "clock": lambda sandbox: services.cluster_clock(cluster=sandbox, action="step", seconds=5),
    "reset": lambda sandbox: (
        services.cluster_apply(cluster=sandbox, text=FIXED),
        services.cluster_reset(cluster=sandbox, to="lesson"),
    ),
}


@pytest.mark.parametrize("write", sorted(WRITES))
def test_every_kind_of_write_to_the_spotlighted_sandbox_schedules_one_live_update(
    world,  # noqa: F811
    monkeypatch,
    django_capture_on_commit_callbacks,
    write,
):
    projected, sandbox, _first = _spotlit(world)
    scheduled = []
    monkeypatch.setattr(push, "spotlight", lambda projected_id, compose: scheduled.append((projected_id, compose)))
    with django_capture_on_commit_callbacks(execute=True):
        WRITES[write](sandbox)
    assert scheduled and {p for p, _ in scheduled} == {projected.pk}
    update = json.loads(scheduled[-1][1]())  # what the debounced push sends
    assert update["live"] is True and update["spotlight"]["version"] == sandbox.version
    # a write to another student's sandbox schedules nothing
    scheduled.clear()
    other, _ = classrooms.sandbox_get_or_create(student=world["ana"])
    with django_capture_on_commit_callbacks(execute=True):
        services.cluster_apply(cluster=other, text=FIXED)
    assert scheduled == []


def test_an_update_over_the_bound_keeps_the_diff_and_leaves_the_diagram_out(world, monkeypatch):  # noqa: F811
    projected, sandbox, _first = _spotlit(world)
    services.cluster_apply(cluster=sandbox, text=FIXED)
    monkeypatch.setattr(spotlight, "LIVE_MAX_BYTES", 1000)
    text = spotlight.spotlight_update(projected.pk)
    update = json.loads(text)["spotlight"]
    assert update["entries"] is None and update["big"] is True
    assert update["diff"]["changed"] == [{"ref": "Pod/default/prod-1", "fields": ["metadata.labels"]}]
    assert len(text) < 1000


def test_a_diff_too_big_even_alone_is_cut_and_says_how_much_was_left_out(world, monkeypatch):  # noqa: F811
    projected, sandbox, _first = _spotlit(world)
    services.cluster_apply(cluster=sandbox, text=FIXED)
    for name in ("a", "b", "c"):
        services.cluster_apply(cluster=sandbox, text=POD.format(name=name, labels="{zone: prod, version: v1}"))
    monkeypatch.setattr(spotlight, "LIVE_MAX_BYTES", 200)
    monkeypatch.setattr(spotlight, "DIFF_ITEMS", 1)
    update = json.loads(spotlight.spotlight_update(projected.pk))["spotlight"]
    assert update["entries"] is None
    assert update["diff"]["added"] == ["Pod/default/a"]
    assert update["diff"]["endpoints"] == {"default/prod": {"gained": ["default/a"], "lost": []}}
    assert update["more"] == {"added": 2, "endpoints": 3}  # b, c; and b, c, prod-1 gained
    # what a late joiner gets is bounded the same way
    assert presenting.presentation_state(projected)["spotlight"]["more"] == {"added": 2, "endpoints": 3}


def test_a_cluster_outside_any_class_costs_no_spotlight_lookup(make_cluster, django_assert_num_queries):
    cluster = make_cluster("selector-and")
    with django_assert_num_queries(0):
        spotlight.spotlight_after_change(cluster=cluster)


def test_deleting_the_spotlighted_sandbox_ends_the_spotlight_on_every_screen(
    world,  # noqa: F811
    listener,
    django_capture_on_commit_callbacks,
):
    projected, sandbox, _first = _spotlit(world)
    group = listener(projected.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.cluster_delete(cluster=sandbox)
    sent = [json.loads(m["text"]) for m in group.drain() if "text" in m]
    assert sent == [{"type": "spotlight", "spotlight": None}]
    assert presenting.presentation_state(projected)["spotlight"] is None
    assert spotlight.spotlight_update(projected.pk) is None


async def _until(ws, kind: str) -> list[dict]:
    """Every message up to and including the first of `kind`."""
    seen = []
    while True:
        message = json.loads(await ws.receive_from(timeout=5))
        seen.append(message)
        if message["type"] == kind:
            return seen


async def _settled() -> None:
    """The spotlight updates this worker has scheduled are out."""
    while push._spotlight_pending:
        await asyncio.gather(*list(push._spotlight_pending.values()), return_exceptions=True)


@pytest.mark.django_db(transaction=True)
def test_a_students_edit_reaches_the_class_spotlight_live_and_stops_when_it_ends(world):  # noqa: F811
    sandbox, _ = classrooms.sandbox_get_or_create(student=world["bo"])
    projected_path = f"/ws/clusters/{world['klass'].projected.slug}/"
    sandbox_path = f"/ws/clusters/{sandbox.slug}/"
    teacher_cookie, ana_cookie, bo_cookie = (_client(world, w) for w in ("teacher", "ana", "bo"))

    async def scenario():
        teacher = WebsocketCommunicator(application, projected_path, headers=teacher_cookie)
        ana = WebsocketCommunicator(application, projected_path, headers=ana_cookie)
        bo = WebsocketCommunicator(application, sandbox_path, headers=bo_cookie)
        for ws in (teacher, ana, bo):
            assert (await ws.connect())[0]
        assert (await _request(teacher, {"type": "present", "on": True, "id": 1}))["ok"]
        await _next(ana, "presenting")
        assert (await _request(teacher, {"type": "spotlight", "sandbox": sandbox.slug, "id": 2}))["ok"]
        first = (await _next(ana, "spotlight"))["spotlight"]
        assert first["diff"]["changed"] == [] and "live" not in first

        # Bo edits his sandbox through his own page's socket: the class's spotlight follows
        assert (await _request(bo, {"type": "apply", "yaml": FIXED, "id": 3}))["ok"]
        for ws in (ana, teacher):
            update = await _next(ws, "spotlight")
            assert update["live"] is True and update["spotlight"]["seq"] > first["seq"]
            assert update["spotlight"]["diff"]["endpoints"] == {
                "default/prod": {"gained": ["default/prod-1"], "lost": []}
            }
            assert "graph/node/Pod/default/prod-1" in update["spotlight"]["entries"]

        # still read-only for a student: the refusal is unchanged
        refused = await _request(ana, {"type": "spotlight", "sandbox": None, "id": 4})
        assert refused["code"] == "forbidden"
        assert refused["error"] == "only the class's instructors present: you follow them"

        # ended: Bo's next edit sends the class nothing
        assert (await _request(teacher, {"type": "spotlight", "sandbox": None, "id": 5}))["ok"]
        assert (await _next(ana, "spotlight"))["spotlight"] is None
        extra = POD.format(name="extra", labels="{zone: prod}")
        assert (await _request(bo, {"type": "apply", "yaml": extra, "id": 6}))["ok"]
        await _settled()
        await teacher.send_to(text_data=json.dumps({"type": "view", "set": {"tab": "dns"}}))
        assert [m["type"] for m in await _until(ana, "view") if m["type"] == "spotlight"] == []
        for ws in (teacher, ana, bo):
            await ws.disconnect()

    async_to_sync(scenario)()


# ---------------------------------------------------------------------- the board's Spotlight
def _spotlit_id(klass):
    return models.Presentation.objects.filter(classroom=klass).values_list("spotlight_id", flat=True).first()


def _board_client(world, who: str):  # noqa: F811 - the fixture, passed on
    from django.test import Client

    client = Client()
    client.force_login(world[who])
    return client


def test_the_board_spotlights_a_students_sandbox_for_the_presenting_instructor(world):  # noqa: F811
    klass, projected = world["klass"], world["klass"].projected
    sandbox, _ = classrooms.sandbox_get_or_create(student=world["bo"])
    client = _board_client(world, "teacher")
    url = f"/classes/{klass.pk}/spotlight/"
    page = client.get(f"/classes/{klass.pk}/board/").content.decode()
    assert url in page  # the board says where its Spotlight buttons post

    # not presenting: a clear message, nothing spotlighted
    response = client.post(url, {"sandbox": sandbox.slug}, follow=True)
    assert "switch Present on first" in response.content.decode()
    assert _spotlit_id(klass) is None

    presenting.presenting_set(cluster=projected, user=world["teacher"], on=True)
    response = client.post(url, {"sandbox": sandbox.slug}, follow=True)
    assert "Student 2&#x27;s sandbox is in the spotlight" in response.content.decode()
    assert _spotlit_id(klass) == sandbox.pk

    response = client.post(url, {"sandbox": "no-such-sandbox"}, follow=True)
    assert "no sandbox &#x27;no-such-sandbox&#x27;" in response.content.decode()
    assert _spotlit_id(klass) == sandbox.pk  # nothing lost


def test_the_boards_spotlight_refuses_another_class_sandbox_and_another_class_instructor(world):  # noqa: F811
    klass, projected = world["klass"], world["klass"].projected
    presenting.presenting_set(cluster=projected, user=world["teacher"], on=True)
    theirs, _ = classrooms.sandbox_get_or_create(student=world["cy"])
    response = _board_client(world, "teacher").post(f"/classes/{klass.pk}/spotlight/", {"sandbox": theirs.slug})
    assert response.status_code == 403
    assert "Only the class&#x27;s instructors spotlight a student&#x27;s sandbox." in response.content.decode()
    mine, _ = classrooms.sandbox_get_or_create(student=world["ana"])
    response = _board_client(world, "other_teacher").post(f"/classes/{klass.pk}/spotlight/", {"sandbox": mine.slug})
    assert response.status_code == 403
    assert "Only this class&#x27;s instructors present to it." in response.content.decode()
    assert _spotlit_id(klass) is None


def test_removing_the_spotlighted_student_ends_the_spotlight_on_every_screen_and_keeps_the_sandbox(
    world,  # noqa: F811
    listener,
    django_capture_on_commit_callbacks,
):
    projected, sandbox, _first = _spotlit(world)
    group = listener(projected.pk)
    with django_capture_on_commit_callbacks(execute=True):
        classrooms.student_remove(student=world["bo"])
    sent = [json.loads(m["text"]) for m in group.drain() if "text" in m]
    assert {"type": "spotlight", "spotlight": None} in sent
    assert presenting.presentation_state(projected)["spotlight"] is None
    assert spotlight.spotlight_update(projected.pk) is None  # nothing goes on being sent
    assert models.Cluster.objects.filter(pk=sandbox.pk).exists()  # kept for the instructors


def test_removing_another_student_leaves_the_spotlight_alone(world, listener):  # noqa: F811
    projected, _sandbox, _first = _spotlit(world)
    classrooms.student_remove(student=world["ana"])
    assert presenting.presentation_state(projected)["spotlight"] is not None
