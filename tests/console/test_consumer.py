"""The console's websocket: decided by `permissions.decide(actor, Action.CONSOLE, cluster)` on
connect and before every command, for every kind of person on every kind of cluster (the
permission matrix's world); kubectl gets a kubeconfig for the actor's own credential on this
cluster only; a refusal runs nothing."""

from __future__ import annotations

import json

import pytest
import yaml
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings

from kubeviz.asgi import application
from simulator import classrooms, permissions
from simulator.kubeapi import kubeconfig
from simulator.realtime import console, consumers
from tests.app.test_permission_matrix import ACTORS, CLUSTERS, ORIGIN, WRITERS, make_world, session_cookie


async def receive(ws, timeout: float = 10) -> dict:
    return json.loads(await ws.receive_from(timeout=timeout))


async def connect(cluster, cookie) -> tuple[WebsocketCommunicator, dict]:
    """A cluster's console socket, connected and past its `hello` (returned with it)."""
    ws = WebsocketCommunicator(application, f"/ws/clusters/{cluster.slug}/console/", headers=ORIGIN + cookie)
    connected, _ = await ws.connect()
    assert connected
    hello = await receive(ws)
    assert hello["type"] == "hello", hello
    return ws, hello


async def until(ws, kind: str, timeout: float = 30) -> tuple[dict, str]:
    """The next message of `kind`, and the output printed before it."""
    printed = ""
    while True:
        message = await receive(ws, timeout)
        if message["type"] == "output":
            printed += message["data"]
        if message["type"] == kind:
            return message, printed


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("target", CLUSTERS)
def test_the_console_opens_exactly_for_those_who_may_write_the_cluster(settings, target):
    settings.KUBEVIZ_OPEN_CLUSTERS = True
    settings.KUBEVIZ_EDIT_REQUIRES_LOGIN = False
    world = make_world()
    cluster = world.clusters[target]
    cookies = {actor: session_cookie(world, actor) for actor in ACTORS}

    async def scenario():
        for actor in ACTORS:
            ws = WebsocketCommunicator(
                application, f"/ws/clusters/{cluster.slug}/console/", headers=ORIGIN + cookies[actor]
            )
            connected, _ = await ws.connect()
            assert connected
            first = await receive(ws)
            if actor in WRITERS[target]:
                assert first["type"] == "hello", (actor, first)
                assert "get" in first["vocabulary"]["subcommands"]
                await ws.send_to(text_data=json.dumps({"type": "run", "id": 1, "line": "kubectl version --client"}))
                done, printed = await until(ws, "done")
                assert done["exit"] == 0 and "Client Version: v1.37.1" in printed, (actor, printed, done)
            else:
                assert first == {"type": "error", "message": first["message"], "code": "forbidden"}, actor
                assert len(first["message"]) > 15
                assert (await ws.receive_output(timeout=5))["code"] == consumers.CLOSE_FORBIDDEN
            await ws.disconnect()

    async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True)
def test_every_command_is_decided_again_even_without_a_push(settings):
    world = make_world()
    sandbox = world.clusters["sandbox"]
    cookie = session_cookie(world, "student")

    async def scenario():
        ws, _hello = await connect(sandbox, cookie)
        # The row changes without the service (so without push.access): the next command decides.
        await _db(type(world.students["student"]).objects.filter(pk=world.students["student"].pk).update)(removed=True)
        await ws.send_to(text_data=json.dumps({"type": "run", "id": 7, "line": "kubectl version --client"}))
        done, printed = await until(ws, "done")
        assert done == {"type": "done", "id": 7, "exit": 1, "refused": "the instructor removed you from this class"}
        assert printed == ""
        await ws.disconnect()

    async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True)
def test_a_student_removed_from_the_class_has_their_console_closed_at_once(settings):
    world = make_world()
    sandbox = world.clusters["sandbox"]
    cookie = session_cookie(world, "student")

    async def scenario():
        ws, _hello = await connect(sandbox, cookie)
        await _db(classrooms.student_remove)(student=world.students["student"])
        told = await receive(ws)
        assert told == {"type": "error", "message": "the instructor removed you from this class", "code": "forbidden"}
        assert (await ws.receive_output(timeout=5))["code"] == consumers.CLOSE_FORBIDDEN

    async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True)
def test_a_refused_line_runs_nothing_and_says_why(settings):
    world = make_world()
    cluster = world.clusters["open"]

    async def scenario():
        ws = WebsocketCommunicator(application, f"/ws/clusters/{cluster.slug}/console/", headers=ORIGIN)
        await ws.connect()
        await receive(ws)
        for n, (line, words) in enumerate(
            [
                ("kubectl get pods; cat /etc/passwd", "`;`"),
                ("kubectl get pods --server=http://10.0.0.1:6443", "`--server`"),
                ("kubectl get pods --kubeconfig=/root/.kube/config", "`--kubeconfig`"),
                ("kubectl create -f /etc/passwd", "reads a file on the server"),
                ("cat /etc/passwd", "`cat` is not kubectl"),
            ]
        ):
            await ws.send_to(text_data=json.dumps({"type": "run", "id": n, "line": line}))
            done, printed = await until(ws, "done")
            assert words in done["refused"] and printed == "", line
        await ws.disconnect()

    async_to_sync(scenario)()


@pytest.mark.django_db
def test_the_kubeconfig_carries_the_actors_own_token_for_this_cluster_only(settings):
    world = make_world()
    sandbox = world.clusters["sandbox"]
    actor = permissions.Actor(name="Ana", student_ids=frozenset({world.students["student"].pk}))
    text, user_key = console.console_kubeconfig(sandbox, actor, "http://127.0.0.1:8123")
    config = yaml.safe_load(text)
    server = config["clusters"][0]["cluster"]["server"]
    assert server.startswith("http://127.0.0.1:8123/k8s/")
    identity = kubeconfig.read_token(django_settings.SECRET_KEY, server.rsplit("/", 1)[-1])
    assert identity.cluster == sandbox.slug
    assert identity.user == f"student:{world.students['student'].pk}" == user_key


def test_kubectl_reaches_the_api_on_the_address_the_worker_serves():
    assert console.api_base({"server": ("0.0.0.0", 8000)}) == "http://127.0.0.1:8000"
    assert console.api_base({"server": ("127.0.0.1", 41234)}) == "http://127.0.0.1:41234"
    assert console.api_base({}) == "http://127.0.0.1:8000"
    assert console.api_base({"server": ("/run/kubeviz.sock", None)}) == "http://127.0.0.1:8000"


def test_a_configured_api_url_wins(settings):
    settings.KUBEVIZ_CONSOLE_API_URL = "http://10.1.2.3:8000/"
    assert console.api_base({"server": ("127.0.0.1", 41234)}) == "http://10.1.2.3:8000"


def _db(function):
    from channels.db import database_sync_to_async

    return database_sync_to_async(function)
