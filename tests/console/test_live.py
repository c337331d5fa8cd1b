"""The console on a live daphne (the embedded default), through real websockets: real kubectl
against the served API, and the server still answering others while one student floods it with
commands and another leaves a watch open."""

from __future__ import annotations

import asyncio
import json

import pytest

from tests.app.livehelpers import run_apart
from tests.browser.server import kubeviz_server
from tests.console.liveclient import ConsoleClient


@pytest.fixture(scope="module")
def live():
    def prepare(env):
        import subprocess
        import sys

        subprocess.run(
            [sys.executable, "manage.py", "loadscenario", "webapp", "--cluster", "webapp"],
            env=env,
            check=True,
            capture_output=True,
            timeout=300,
        )

    with kubeviz_server(prepare) as server:
        yield server


def test_the_server_answers_others_while_one_floods_and_one_watches(live):
    async def scenario():
        async with (
            ConsoleClient(live.url, "webapp") as watcher,
            ConsoleClient(live.url, "webapp") as flooder,
            ConsoleClient(live.url, "webapp") as other,
        ):
            watch_id = await watcher.start("kubectl get pods -w")
            for _ in range(100):  # 100 commands within a second
                await flooder.start("kubectl get pods")
            result = await other.run("kubectl get svc webapp")
            assert result.done["exit"] == 0, result
            assert "webapp" in result.printed and "ClusterIP" in result.printed
            refusals = []
            while len(refusals) < 100:
                message = await flooder.ws.recv()
                if '"done"' in message:
                    refusals.append(message)
            limited = [
                m for m in refusals if "the console's rate limit is 5 at once" in m or "a command is running" in m
            ]
            assert len(limited) >= 94  # the burst of 5 may run (one at a time), the rest are refused
            await watcher.send({"type": "interrupt", "hard": True})
            done = await watcher.finish(watch_id, 0, "kubectl get pods -w")
            assert done.done["stopped"] == "interrupted"
            assert "busybox" in done.printed

    run_apart(scenario())


def test_real_kubectl_through_the_console_changes_the_cluster_for_everyone(live):
    async def scenario():
        async with ConsoleClient(live.url, "webapp") as student:
            created = await student.run("kubectl create deployment web2 --image=nginx")
            assert created.done["exit"] == 0, created
            assert created.printed.strip() == "deployment.apps/web2 created"
            listed = await student.run("kubectl get deployments -o name | sort")
            assert listed.printed == "deployment.apps/web2\ndeployment.apps/webapp\n"
            deleted = await student.run("kubectl delete deployment web2")
            assert deleted.done["exit"] == 0, deleted

    run_apart(scenario())


async def _next(client: ConsoleClient, kind: str) -> tuple[dict, str]:
    """The next message of `kind`, and what was printed before it."""
    printed = ""
    while True:
        message = json.loads(await asyncio.wait_for(client.ws.recv(), 60))
        if message["type"] == "output":
            printed += message["data"]
        if message["type"] == kind:
            return message, printed


def test_kubectl_edit_opens_in_the_browser_reopens_on_the_apis_error_and_patches_on_save(live):
    """Runs last in this module: it leaves webapp a NodePort."""

    async def scenario():
        async with ConsoleClient(live.url, "webapp") as student:
            request_id = await student.start("kubectl edit service webapp")
            edit, _ = await _next(student, "edit")
            assert edit["title"] == "service/webapp" and edit["format"] == "yaml"
            assert "  type: ClusterIP\n" in edit["text"]
            bogus = edit["text"].replace("type: ClusterIP", "type: Bogus")
            await student.send({"type": "edit-save", "edit": edit["edit"], "text": bogus})
            closed, _ = await _next(student, "edit-closed")
            assert closed["edit"] == edit["edit"]
            again, printed = await _next(student, "edit")  # the API refused it: kubectl opens it again
            assert again["edit"] == edit["edit"] + 1
            assert '# services "webapp" was not valid:' in again["text"] and "Bogus" in again["text"]
            assert "type: Bogus" in again["text"]  # what the student typed is kept
            assert 'error: services "webapp" is invalid' in printed
            fixed = again["text"].replace("type: Bogus", "type: NodePort")
            await student.send({"type": "edit-save", "edit": again["edit"], "text": fixed})
            done = await student.finish(request_id, 0, "kubectl edit service webapp")
            assert done.done["exit"] == 0, done
            assert done.printed.strip().endswith("service/webapp edited")
            served = await student.run("kubectl get svc webapp -o jsonpath={.spec.type}")
            assert served.printed == "NodePort"

    run_apart(scenario())
