"""One engine, one truth: a dashboard change shows up in a running `kubectl get -w`, and a kubectl
change reaches the browsers watching the cluster, through the same push (issue 16)."""

from __future__ import annotations

import asyncio
import json
import os
import queue
import subprocess
import threading

from tests.app.livehelpers import run_apart

from .conftest import binary


class Lines:
    """A running command's stdout, line by line, read by a thread."""

    def __init__(self, process: subprocess.Popen):
        self.process = process
        self.queue: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.queue.put(line.rstrip("\n"))

    def until(self, predicate, timeout: float = 30) -> str:
        seen = []
        while True:
            try:
                line = self.queue.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(f"no such line; saw {seen}") from None
            seen.append(line)
            if predicate(line):
                return line


async def receive(ws, kind: str, timeout: float = 30) -> dict:
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), timeout))
        if message["type"] == kind:
            return message


def test_dashboard_changes_reach_kubectl_get_w_and_kubectl_changes_reach_browsers(kube):
    from websockets.asyncio.client import connect

    process = subprocess.Popen(
        [binary("newest"), "--cache-dir", str(kube.cache / "watch"), "get", "pods", "-w"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "KUBECONFIG": str(kube.kubeconfig)},
    )
    try:
        lines = Lines(process)
        assert lines.until(lambda line: line.startswith("NAME")).split()[:3] == ["NAME", "READY", "STATUS"]
        first = lines.until(lambda line: line.startswith("webapp-")).split()[0]

        async def session():
            url = kube.server.url.replace("http://", "ws://") + "/ws/clusters/demo/"
            async with connect(url, additional_headers={"Origin": kube.server.url}, max_size=None) as browser:
                await receive(browser, "snapshot")
                pod = (
                    "apiVersion: v1\nkind: Pod\nmetadata: {name: from-dashboard}\n"
                    "spec: {containers: [{name: app, image: nginx}]}\n"
                )
                await browser.send(json.dumps({"type": "apply", "id": 1, "yaml": pod}))
                reply = await receive(browser, "reply")
                assert reply["ok"], reply
                # The dashboard's pod appears in kubectl's watch, as a Table row.
                row = await asyncio.to_thread(lines.until, lambda line: line.startswith("from-dashboard "))
                assert row.split()[1:3] == ["1/1", "Running"]
                # A kubectl write reaches the browser as a change of the cluster.
                await asyncio.to_thread(kube, "scale", "deployment", "webapp", "--replicas=2")
                change = await receive(browser, "change")
                assert change["cause"]["user"] == "anonymous (kubectl scale)"
                assert any("webapp" in key for key in change.get("set", {})), change
                # ...and the new pod the controller made reaches kubectl's watch too.
                second = await asyncio.to_thread(
                    lines.until, lambda line: line.startswith("webapp-") and not line.startswith(first + " ")
                )
                assert second.split()[1:3] == ["1/1", "Running"]

        run_apart(session())
    finally:
        process.terminate()
        process.wait(timeout=10)
    kube("scale", "deployment", "webapp", "--replicas=1")
    kube("delete", "pod", "from-dashboard")


def test_watchers_hanging_up_leave_the_server_serving(kube):
    """Clients close watches abruptly (kubectl's Ctrl-C, rollout status done): the streams end,
    and writes and reads go on."""
    import http.client
    import socket

    prefix = kube("config", "view", "-o", "jsonpath={.clusters[0].cluster.server}").split("127.0.0.1:", 1)[1]
    port, path = prefix.split("/", 1)
    streams = []
    for _ in range(5):
        conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=30)
        conn.request(
            "GET", f"/{path}/api/v1/namespaces/default/pods?watch=true", headers={"Accept": "application/json"}
        )
        response = conn.getresponse()
        assert response.status == 200
        first = json.loads(response.readline())
        assert first["type"] == "ADDED" and first["object"]["kind"] == "Pod"
        streams.append(conn)
    for conn in streams:
        conn.sock.shutdown(socket.SHUT_RDWR)
        conn.sock.close()
    assert kube("run", "after-hangup", "--image=nginx").strip() == "pod/after-hangup created"
    assert "after-hangup" in kube("get", "pods")
    log = (kube.server.workdir / "daphne.log").read_text()
    assert "Traceback" not in log, log[-3000:]
    kube("delete", "pod", "after-hangup")
