"""The websocket consumer, through the whole ASGI stack (Origin check, session auth, routing)."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from kubeviz.asgi import application
from simulator import selectors, services
from simulator.live import client, payloads
from simulator.realtime import consumers

from .conftest import fresh_entries

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = [(b"origin", b"http://127.0.0.1:8000")]
POD = "apiVersion: v1\nkind: Pod\nmetadata: {name: p%d, labels: {zone: prod, version: v1}}\nspec: {containers: [{name: c, image: nginx}]}\n"


def run(coroutine_function):
    async_to_sync(coroutine_function)()


async def connect(slug: str, headers=ORIGIN) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(application, f"/ws/clusters/{slug}/", headers=headers)
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def next_of(communicator, kind: str, timeout: float = 5) -> dict:
    while True:
        message = json.loads(await communicator.receive_from(timeout=timeout))
        if message["type"] == kind:
            return message


def test_a_watcher_gets_a_snapshot_then_the_change_of_an_edit_made_by_another(make_cluster):
    make_cluster("zone-prod", name="class")

    async def scenario():
        student = await connect("class")
        snapshot = json.loads(await student.receive_from(timeout=5))
        assert snapshot["type"] == "snapshot" and snapshot["protocol"] == 1 and snapshot["version"] == 1
        assert snapshot["entries"]["meta"]["slug"] == "class"
        assert len(snapshot["entries"]["service/default/prod"]["endpoints"]) == 3
        teacher = await connect("class")
        await next_of(teacher, "snapshot")
        await teacher.send_to(text_data=json.dumps({"type": "apply", "id": 7, "yaml": POD % 4}))
        reply = await next_of(teacher, "reply")
        assert reply == {
            "type": "reply",
            "id": 7,
            "ok": True,
            "version": 2,
            "errors": [],
            "warnings": [],
            "results": ["pod/p4 created"],
        }
        change = await next_of(student, "change")
        assert change["version"] == 2 and change["base"] == 1
        assert change["cause"] == {"user": "anonymous", "summary": ["pod/p4 created"]}
        state = client.LiveState(version=1, entries=snapshot["entries"])
        state.receive(change)
        assert len(state.entries["service/default/prod"]["endpoints"]) == 4
        presence = await next_of(student, "presence")
        assert presence["watchers"] == 2
        await student.disconnect()
        await teacher.disconnect()

    run(scenario)


def test_a_client_that_missed_a_version_asks_for_a_snapshot_and_heals(make_cluster):
    cluster = make_cluster("zone-prod", name="gap")

    async def scenario():
        ws = await connect("gap")
        state = client.LiveState()
        snapshot = json.loads(await ws.receive_from(timeout=5))
        assert snapshot["parts"] == 1
        state.receive(snapshot)
        apply = database_sync_to_async(services.cluster_apply)
        await apply(cluster=cluster, text=POD % 4)
        await apply(cluster=cluster, text=POD % 5)
        first = await next_of(ws, "change")
        second = await next_of(ws, "change")
        state.receive(first)
        # the second change is "lost" in transit: the client gets the third one only
        await apply(cluster=cluster, text=POD % 6)
        third = await next_of(ws, "change")
        request = state.receive(third)
        assert request == {"type": "resync"} and state.gaps == 1
        await ws.send_to(text_data=json.dumps(request))
        state.receive(await next_of(ws, "snapshot"))
        assert state.version == 4 and state.resyncs == 1
        assert second["version"] == 3
        fresh = await database_sync_to_async(fresh_entries)(cluster)
        assert json.dumps(state.entries, sort_keys=True) == json.dumps(fresh, sort_keys=True)
        await ws.disconnect()

    run(scenario)


def test_the_in_memory_layer_drops_changes_for_a_full_queue_and_the_client_heals_by_resync(
    make_cluster, settings, listener
):
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "simulator.realtime.channel_layer.SharedInMemoryChannelLayer", "CONFIG": {"capacity": 2}}
    }
    cluster = make_cluster("zone-prod", name="full")
    _version, parts = selectors.cluster_snapshot_parts(cluster)
    state = client.LiveState()
    for text in parts:
        state.receive(json.loads(text))
    slow = listener(cluster.pk)  # a watcher that does not read while four edits happen
    for i in range(4):
        assert services.cluster_apply(cluster=cluster, text=POD % (10 + i)).ok
    delivered = slow.drain()
    assert [json.loads(m["text"])["version"] for m in delivered] == [2, 3]  # 4 and 5 were dropped silently
    for message in delivered:
        state.receive(json.loads(message["text"]))
    assert services.cluster_apply(cluster=cluster, text=POD % 20).ok
    [late] = slow.drain()
    assert state.receive(json.loads(late["text"])) == {"type": "resync"}
    _version, parts = selectors.cluster_snapshot_parts(cluster)
    for text in parts:
        state.receive(json.loads(text))
    assert state.version == 6
    assert json.dumps(state.entries, sort_keys=True) == json.dumps(fresh_entries(cluster), sort_keys=True)


def test_a_websocket_from_a_foreign_origin_is_refused(make_cluster):
    make_cluster(name="origin")

    async def scenario():
        ws = WebsocketCommunicator(application, "/ws/clusters/origin/", headers=[(b"origin", b"http://evil.example")])
        connected, _ = await ws.connect()
        assert not connected

    run(scenario)


def test_a_websocket_for_an_unknown_cluster_is_refused(db):
    async def scenario():
        ws = WebsocketCommunicator(application, "/ws/clusters/nope/", headers=ORIGIN)
        connected, code = await ws.connect()
        assert not connected and code == 4404

    run(scenario)


def test_too_large_and_too_many_messages_get_an_error_and_are_dropped(make_cluster, settings):
    make_cluster(name="limits")
    settings.KUBEVIZ_MAX_INPUT_BYTES = 1000

    async def scenario():
        ws = await connect("limits")
        await next_of(ws, "snapshot")
        await ws.send_to(text_data=json.dumps({"type": "apply", "yaml": "x" * 2000}))
        error = await next_of(ws, "error")
        assert "limit is 1000 bytes" in error["message"]
        burst = consumers.RATE_PER_SECOND + 5
        for _ in range(burst):  # far faster than 20 a second
            await ws.send_to(text_data=json.dumps({"type": "nothing-known"}))
        errors = [(await next_of(ws, "error"))["message"] for _ in range(burst)]
        refused = [e for e in errors if "too many messages" in e]
        assert 1 <= len(refused) <= 5
        assert (
            errors[: consumers.RATE_PER_SECOND] == ["unknown message type 'nothing-known'"] * consumers.RATE_PER_SECOND
        )
        await ws.disconnect()

    run(scenario)


def test_a_stale_edit_over_the_socket_is_a_conflict_and_a_bad_clock_action_an_error(make_cluster):
    make_cluster("selector-and", name="conflict")

    async def scenario():
        ws = await connect("conflict")
        snapshot = await next_of(ws, "snapshot")
        rv = snapshot["entries"]["object/Service/default/prod"]["resourceVersion"]
        text = "apiVersion: v1\nkind: Service\nmetadata: {name: prod}\nspec: {selector: {zone: prod}, ports: [{port: 80}]}\n"
        await ws.send_to(
            text_data=json.dumps(
                {"type": "apply", "id": 1, "yaml": text, "baseResourceVersion": {"Service/default/prod": rv}}
            )
        )
        assert (await next_of(ws, "reply"))["ok"]
        await ws.send_to(
            text_data=json.dumps(
                {
                    "type": "apply",
                    "id": 2,
                    "yaml": text.replace("80", "81"),
                    "baseResourceVersion": {"Service/default/prod": rv},
                }
            )
        )
        reply = await next_of(ws, "reply")
        assert reply["ok"] is False and reply["conflict"]["current"]["manifest"]["spec"]["selector"] == {"zone": "prod"}
        await ws.send_to(text_data=json.dumps({"type": "clock", "id": 3, "action": "rewind"}))
        reply = await next_of(ws, "reply")
        assert reply == {
            "type": "reply",
            "id": 3,
            "ok": False,
            "error": "unknown clock action 'rewind': use play, pause or step",
        }
        await ws.disconnect()

    run(scenario)


def test_when_editing_requires_login_an_anonymous_watcher_may_watch_but_not_edit(make_cluster, settings):
    make_cluster(name="locked")
    settings.KUBEVIZ_EDIT_REQUIRES_LOGIN = True

    async def scenario():
        ws = await connect("locked")
        await next_of(ws, "snapshot")
        await ws.send_to(text_data=json.dumps({"type": "apply", "id": 1, "yaml": POD % 1}))
        assert await next_of(ws, "reply") == {
            "type": "reply",
            "id": 1,
            "ok": False,
            "error": "sign in to edit this cluster",
            "code": "forbidden",
        }
        await ws.disconnect()

    run(scenario)


def test_a_large_snapshot_comes_in_parts_under_the_websocket_message_limit(make_cluster):
    from simulator.engine import ClusterSettings, Engine
    from simulator.live.entries import state_entries

    engine = Engine.new(ClusterSettings())
    engine.apply_text("---\n".join(POD % i for i in range(300)))
    entries = state_entries(engine)
    parts = payloads.snapshot_parts(9, entries)
    assert len(parts) > 1 and all(len(p.encode()) < 1024 * 1024 for p in parts)
    state = client.LiveState()
    for text in parts:
        state.receive(json.loads(text))
    assert state.version == 9 and state.entries == json.loads(payloads.encode(entries))


def test_a_socket_that_asks_for_merge_patches_gets_them_and_the_others_get_whole_entries(make_cluster):
    cluster = make_cluster("zone-prod", name="patches")

    async def scenario():
        plain = await connect("patches")
        patched = WebsocketCommunicator(application, "/ws/clusters/patches/?patch=1", headers=ORIGIN)
        assert (await patched.connect())[0]
        states = {}
        for name, ws in (("plain", plain), ("patched", patched)):
            states[name] = client.LiveState()
            states[name].receive(await next_of(ws, "snapshot"))
        relabel = (
            "apiVersion: v1\nkind: Pod\nmetadata: {name: prod-1, labels: {zone: prod, version: v2}}\n"
            "spec: {containers: [{name: app, image: nginx, ports: [{containerPort: 8080}]}]}\n"
        )
        outcome = await database_sync_to_async(services.cluster_apply)(cluster=cluster, text=relabel)
        assert outcome.ok, outcome.errors
        plain_change, patched_change = await next_of(plain, "change"), await next_of(patched, "change")
        assert "patch" not in plain_change and "object/Pod/default/prod-1" in plain_change["set"]
        assert "object/Pod/default/prod-1" in patched_change["patch"]
        for name, change in (("plain", plain_change), ("patched", patched_change)):
            states[name].receive(change)
        assert states["plain"].entries == states["patched"].entries
        await plain.disconnect()
        await patched.disconnect()

    run(scenario)


def test_play_makes_the_workers_ticker_advance_the_clock_and_jobs_progress_live(make_cluster):
    make_cluster("jobs", name="clock")

    async def scenario():
        ws = await connect("clock")
        state = client.LiveState()
        state.receive(await next_of(ws, "snapshot"))
        await ws.send_to(text_data=json.dumps({"type": "clock", "id": 1, "action": "play"}))
        ticks, replies = [], []
        while len(ticks) < 2:
            message = json.loads(await ws.receive_from(timeout=5))
            if message["type"] == "reply":
                replies.append(message)
            elif message["type"] == "change":
                assert state.receive(message) is None  # no gap
                if message["cause"]["user"] == "clock":
                    ticks.append(message)
        assert replies[0]["ok"]
        assert state.entries["meta"]["running"] is True and state.entries["meta"]["clock"] >= 1.0
        await ws.send_to(text_data=json.dumps({"type": "clock", "id": 2, "action": "pause"}))
        assert (await next_of(ws, "reply"))["ok"]
        await ws.disconnect()

    run(scenario)


def test_a_watcher_asks_why_pods_are_or_are_not_behind_a_service_and_gets_the_engines_answer(make_cluster):
    make_cluster("selector-and", name="explain")

    async def scenario():
        ws = await connect("explain")
        await next_of(ws, "snapshot")
        await ws.send_to(text_data=json.dumps({"type": "explain-service", "id": 1, "service": "default/prod"}))
        reply = await next_of(ws, "reply")
        assert reply["ok"] and reply["id"] == 1 and reply["version"] == 1 and reply["service"] == "default/prod"
        assert reply["selector"] == {"zone": "prod", "version": "v1"}
        assert {ref for ref in reply["pods"] if ref.startswith("default/")} == set(reply["pods"])
        assert reply["pods"]["default/prod-1"] == {
            "selected": False,
            "endpoint": False,
            "misses": ["lacks label version=v1"],
            "notEndpoint": None,
        }
        await ws.send_to(text_data=json.dumps({"type": "explain-pod", "id": 2, "pod": "default/prod-1"}))
        assert await next_of(ws, "reply") == {
            "type": "reply",
            "id": 2,
            "ok": True,
            "version": 1,
            "pod": "default/prod-1",
            "services": [],
        }
        await ws.send_to(text_data=json.dumps({"type": "explain-pod", "id": 3, "pod": "default/nope"}))
        assert await next_of(ws, "reply") == {
            "type": "reply",
            "id": 3,
            "ok": False,
            "error": "no Pod default/nope in this cluster",
        }
        await ws.send_to(text_data=json.dumps({"type": "explain-service", "id": 4, "service": "prod"}))
        assert (await next_of(ws, "reply"))["error"] == 'explain-service needs `service`: "NAMESPACE/NAME"'
        await ws.send_to(text_data=json.dumps({"type": "explain_service", "id": 5, "service": "default/prod"}))
        assert (await next_of(ws, "error"))["message"] == "unknown message type 'explain_service'"
        await ws.disconnect()

    run(scenario)
