"""Scale-out for real: two daphne workers sharing PostgreSQL and Redis. An edit made through one
reaches a websocket client of the other."""

from __future__ import annotations

import asyncio
import json
import os

import pytest

from . import livehelpers

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="runs in the PostgreSQL pass of `make test`",
    ),
]


async def receive(ws, kind: str, timeout: float = 15) -> dict:
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), timeout))
        if message["type"] == kind:
            return message


def test_an_edit_through_one_daphne_reaches_a_client_of_another_through_redis():
    from websockets.asyncio.client import connect

    with livehelpers.postgres_database() as database_url:
        env = livehelpers.server_env(database_url, redis=True)
        livehelpers.manage(env, "migrate", "--noinput")
        livehelpers.manage(env, "loadscenario", "selector-and", "--cluster", "live")
        with livehelpers.daphnes(env, 2) as (ports, _processes):

            async def scenario():
                def url(port):
                    return f"ws://127.0.0.1:{port}/ws/clusters/live/"

                origin = {"Origin": f"http://127.0.0.1:{ports[0]}"}
                async with (
                    connect(url(ports[0]), additional_headers=origin, max_size=None) as student,
                    connect(url(ports[1]), additional_headers=origin, max_size=None) as teacher,
                ):
                    snapshot = await receive(student, "snapshot")
                    assert snapshot["version"] == 1
                    assert snapshot["entries"]["service/default/prod"]["endpoints"] == []
                    await receive(teacher, "snapshot")
                    fix = (
                        "apiVersion: v1\nkind: Pod\nmetadata: {name: prod-1, labels: {zone: prod, version: v1}}\n"
                        "spec: {containers: [{name: app, image: nginx, ports: [{containerPort: 8080}]}]}\n"
                    )
                    await teacher.send(json.dumps({"type": "apply", "id": 1, "yaml": fix}))
                    reply = await receive(teacher, "reply")
                    assert reply["ok"] and reply["results"] == ["pod/prod-1 configured"]
                    change = await receive(student, "change")
                    assert change["version"] == 2 and change["base"] == 1
                    assert [e["pod"] for e in change["set"]["service/default/prod"]["endpoints"]] == ["default/prod-1"]
                    watchers = None
                    while watchers != 2:  # counted across both workers (an earlier count may say 1)
                        watchers = (await receive(student, "presence"))["watchers"]

            asyncio.run(scenario())


def test_a_configmap_made_with_kubectl_through_one_daphne_is_served_and_watched_through_another():
    """The stored kinds are rows like every object: a second worker reads them, and its
    `kubectl get -w` hears of a write made through the first (the change's push, via Redis)."""
    import subprocess
    import tempfile
    from pathlib import Path

    from tests.kubeapi_live.conftest import binary
    from tests.kubeapi_live.test_one_truth import Lines

    kubectl = binary("newest")
    with livehelpers.postgres_database() as database_url:
        env = livehelpers.server_env(database_url, redis=True)
        livehelpers.manage(env, "migrate", "--noinput")
        livehelpers.manage(env, "loadscenario", "webapp", "--cluster", "live")
        with livehelpers.daphnes(env, 2) as (ports, _processes), tempfile.TemporaryDirectory() as work:
            configs = []
            for port in ports:
                config = Path(work) / f"{port}.kubeconfig"
                config.write_text(livehelpers.manage(env, "kubeconfig", "live", "--server", f"http://127.0.0.1:{port}"))
                configs.append(config)

            def run(worker: int, *args: str) -> str:
                done = subprocess.run(
                    [kubectl, "--cache-dir", f"{work}/cache{worker}", *args],
                    capture_output=True,
                    text=True,
                    env={**os.environ, "KUBECONFIG": str(configs[worker])},
                    timeout=60,
                )
                assert done.returncode == 0, done.stderr
                return done.stdout

            run(1, "create", "configmap", "first", "--from-literal=a=1")
            watcher = subprocess.Popen(
                [kubectl, "--cache-dir", f"{work}/watch", "get", "cm", "-w", "--output-watch-events"],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                env={**os.environ, "KUBECONFIG": str(configs[1])},
            )
            try:
                lines = Lines(watcher)
                # The watch's list has been answered: what follows comes by the watch itself.
                assert lines.until(lambda line: "first" in line).split()[:2] == ["ADDED", "first"]
                assert run(0, "create", "configmap", "shared", "--from-literal=a=1").strip() == (
                    "configmap/shared created"
                )
                assert lines.until(lambda line: "shared" in line).split()[:3] == ["ADDED", "shared", "1"]
                assert run(1, "get", "cm", "shared", "-o", "jsonpath={.data.a}") == "1"
                run(0, "delete", "cm", "shared")
                assert lines.until(lambda line: "shared" in line).split()[:2] == ["DELETED", "shared"]
                assert "shared" not in run(1, "get", "cm", "-o", "name")
            finally:
                watcher.terminate()
                watcher.wait(timeout=10)


SPOTLIGHT_SETUP = """
import json
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from simulator import classrooms, permissions, presenting

teacher, _ = classrooms.instructor_create(username="ada", password="pw-ada-123")
klass = classrooms.classroom_create(owner=teacher, name="Monday", lesson="selector-and")
bo, _ = classrooms.student_join(code=klass.join_code, display_name="Bo")
ana, _ = classrooms.student_join(code=klass.join_code, display_name="Ana")
sandbox, _ = classrooms.sandbox_get_or_create(student=bo)
presenting.presenting_set(cluster=klass.projected, user=teacher, on=True)
presenting.spotlight_set(cluster=klass.projected, sandbox=sandbox)
client = Client()
client.force_login(teacher)
sessions = {"teacher": client.cookies["sessionid"].value}
for name, student in (("ana", ana), ("bo", bo)):
    store = SessionStore()
    store[permissions.SESSION_STUDENTS] = [student.pk]
    store.create()
    sessions[name] = store.session_key
print(json.dumps({"projected": klass.projected.slug, "sandbox": sandbox.slug, "sessions": sessions}))
"""


def test_a_spotlighted_sandbox_edited_through_one_daphne_updates_the_spotlight_on_another():
    from websockets.asyncio.client import connect

    with livehelpers.postgres_database() as database_url:
        env = livehelpers.server_env(database_url, redis=True)
        livehelpers.manage(env, "migrate", "--noinput")
        setup = json.loads(livehelpers.manage(env, "shell", "-c", SPOTLIGHT_SETUP).strip().splitlines()[-1])
        with livehelpers.daphnes(env, 2) as (ports, _processes):

            async def scenario():
                def socket(port, slug, who):
                    headers = {
                        "Origin": f"http://127.0.0.1:{port}",
                        "Cookie": f"sessionid={setup['sessions'][who]}",
                    }
                    url = f"ws://127.0.0.1:{port}/ws/clusters/{slug}/"
                    return connect(url, additional_headers=headers, max_size=None)

                async with (
                    socket(ports[0], setup["projected"], "ana") as ana,  # follows on worker A
                    socket(ports[1], setup["sandbox"], "bo") as bo,  # edits on worker B
                ):
                    late = await receive(ana, "presenting")  # she lands on the spotlight
                    assert late["spotlight"]["label"] == "Student 1" and late["spotlight"]["diff"]["changed"] == []
                    await receive(bo, "snapshot")
                    fix = (
                        "apiVersion: v1\nkind: Pod\nmetadata: {name: prod-1, labels: {zone: prod, version: v1}}\n"
                        "spec: {containers: [{name: app, image: nginx, ports: [{containerPort: 8080}]}]}\n"
                    )
                    await bo.send(json.dumps({"type": "apply", "id": 1, "yaml": fix}))
                    assert (await receive(bo, "reply"))["ok"]
                    update = await receive(ana, "spotlight")
                    assert update["live"] is True and update["spotlight"]["seq"] > late["spotlight"]["seq"]
                    assert update["spotlight"]["diff"]["endpoints"] == {
                        "default/prod": {"gained": ["default/prod-1"], "lost": []}
                    }

            asyncio.run(scenario())
