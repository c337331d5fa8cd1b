"""The Kubernetes API as served (issue 16): the figures of the issue, printed.

    python bench/api.py            # or: make bench-api

A fresh SQLite database in a temp directory holds two clusters: `big`, the 10,000-pod cluster
of bench/engine.py, and `demo`, the webapp lesson. Figures:

  server time (in the worker, `simulator.web.apiserver.Api.handle`, warm engine, median of 7):
    get pods -A Table      `kubectl get pods -A` on `big` right after a change (target <= 300 ms),
                           and again with nothing changed (the encoded Table is kept per version)
    get pod (Table)        one named pod on `big` (target <= 10 ms)
    create pod             a POST through the dashboard's apply path on `demo` (target <= 10 ms),
                           beside the dashboard's own apply of the same pod (the write path's floor)
    patch deployment       a merge patch of `kubectl label` on `demo` (target <= 10 ms)
  live, against one daphne serving the same database:
    watch latency          from the PATCH's answer to the watch event's arrival at a raw
                           `get -w`-style stream on `demo` (target <= 100 ms), median of 20
    watch CPU              the daphne's CPU per change per watch with 50 watches open on `demo`,
                           over the CPU of the same changes with none (target <= 1 ms)
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORKDIR = Path(tempfile.mkdtemp(prefix="kubeviz-bench-api-"))
os.environ.update(
    {
        "DATABASE_URL": f"sqlite:///{WORKDIR / 'db.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "kubeviz.settings",
        "KUBEVIZ_DEBUG": "0",
        "KUBEVIZ_SECRET_KEY": secrets.token_hex(32),  # with DEBUG off, daphne refuses the development key
        "KUBEVIZ_OPEN_CLUSTERS": "1",
        "KUBEVIZ_MAX_DOCUMENTS": "5000",
        "KUBEVIZ_MAX_PODS": "20000",  # the 10,000-pod cluster is over the default per-cluster limit
        "KUBEVIZ_MAX_OBJECTS": "50000",
        "KUBEVIZ_MAX_INPUT_BYTES": str(64 * 1024 * 1024),
    }
)
os.environ.pop("REDIS_URL", None)
TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"


def median_ms(fn, runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def in_process() -> dict[str, float]:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from bench.engine import manifests
    from simulator import api_selectors, services
    from simulator.kubeapi import kubeconfig
    from simulator.web.apiserver import Api

    call_command("migrate", verbosity=0)
    text, workers = manifests(10_000)
    big = services.cluster_create(name="big", slug="big", workers=workers)
    outcome = services.cluster_apply(cluster=big, text=text)
    assert outcome.ok, outcome.errors[:3]
    demo = services.cluster_create(name="demo", slug="demo", lesson="webapp")

    def api(slug: str) -> Api:
        token = kubeconfig.make_token(settings.SECRET_KEY, slug, "anonymous")
        return Api(api_selectors.identify(token), token)

    def call(slug, method, path, accept="application/json", body=b"", content_type="application/json", query=None):
        reply = api(slug).handle(method, path, query or {}, {"accept": accept, "content-type": content_type}, body)
        assert reply.code < 300, reply.body[:300]
        return reply

    figures = {}
    call("big", "GET", "/api/v1/pods", TABLE)  # warm: the engine, the served and row caches
    rows = json.loads(call("big", "GET", "/api/v1/pods", TABLE).body)["rows"]
    one = rows[len(rows) // 2]["object"]["metadata"]
    path = f"/api/v1/namespaces/{one['namespace']}/pods/{one['name']}"
    steps = iter(range(10_000))
    times = []
    for _ in range(7):  # each after a change: a new version, nothing of the last Table reused
        body = json.dumps({"metadata": {"labels": {"step": str(next(steps))}}}).encode()
        call("big", "PATCH", path, body=body, content_type="application/merge-patch+json")
        times.append(median_ms(lambda: call("big", "GET", "/api/v1/pods", TABLE), runs=1))
    figures["get pods -A Table (10,000 pods), after a change"] = statistics.median(times)
    figures["  the same again, nothing changed"] = median_ms(lambda: call("big", "GET", "/api/v1/pods", TABLE))
    figures["get pod, Table (10,000-pod cluster)"] = median_ms(lambda: call("big", "GET", path, TABLE))
    counter = iter(range(10_000))

    def create():
        pod = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": f"bench-{next(counter)}"},
            "spec": {"containers": [{"name": "c", "image": "nginx"}]},
        }
        call("demo", "POST", "/api/v1/namespaces/default/pods", body=json.dumps(pod).encode())

    figures["create pod"] = median_ms(create, runs=15)

    def dashboard_create():
        name = f"dash-{next(counter)}"
        pod = f"apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}}}\nspec: {{containers: [{{name: c, image: nginx}}]}}\n"
        assert services.cluster_apply(cluster=demo, text=pod).ok

    figures["  (the dashboard's apply of the same pod)"] = median_ms(dashboard_create, runs=15)
    labels = iter(range(10_000))

    def label():
        body = json.dumps({"metadata": {"labels": {"bench": str(next(labels))}}}).encode()
        path = "/apis/apps/v1/namespaces/default/deployments/webapp"
        call("demo", "PATCH", path, body=body, content_type="application/merge-patch+json")

    figures["patch deployment (label)"] = median_ms(label, runs=15)
    token = kubeconfig.make_token(settings.SECRET_KEY, "demo", "anonymous")
    return figures, token


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Watch(threading.Thread):
    """A raw watch stream, as kubectl get -w opens it: records when each event line arrives."""

    def __init__(self, port: int, prefix: str, rv: str):
        super().__init__(daemon=True)
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.conn.request(
            "GET", f"{prefix}/api/v1/namespaces/default/pods?watch=true&resourceVersion={rv}", headers={"Accept": TABLE}
        )
        self.response = self.conn.getresponse()
        self.arrivals: list[float] = []

    def stop(self) -> None:
        """Hang up (a shutdown, not a close: the reading thread holds the response's buffer)."""
        self.conn.sock.shutdown(socket.SHUT_RDWR)
        self.join(timeout=10)

    def run(self) -> None:
        try:
            while True:
                line = self.response.fp.readline()
                if not line:
                    return
                if line.strip() and not line.strip().isalnum():
                    self.arrivals.append(time.perf_counter())
        except OSError:
            return


def live(token: str) -> dict[str, float]:
    port = free_port()
    log = open(WORKDIR / "daphne.log", "w")  # noqa: SIM115 - the daphne's output while it runs
    daphne = str(Path(sys.executable).with_name("daphne"))
    process = subprocess.Popen(
        [daphne, "-b", "127.0.0.1", "-p", str(port), "kubeviz.asgi:application"], cwd=ROOT, stdout=log, stderr=log
    )
    prefix = f"/k8s/{token}"
    figures = {}
    try:
        for _ in range(900):  # a loaded machine may take a minute to start daphne
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)

        def request(method, path, body=None, content_type="application/json"):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request(
                method, prefix + path, body=body, headers={"Content-Type": content_type, "Accept": "application/json"}
            )
            reply = conn.getresponse()
            data = reply.read()
            conn.close()
            assert reply.status < 300, data[:300]
            return json.loads(data)

        labels = iter(range(100_000))

        def change():
            body = json.dumps({"metadata": {"labels": {"step": str(next(labels))}}}).encode()
            request("PATCH", "/api/v1/namespaces/default/pods/busybox", body, "application/merge-patch+json")

        rv = request("GET", "/api/v1/namespaces/default/pods")["metadata"]["resourceVersion"]
        watcher = Watch(port, prefix, rv)
        watcher.start()
        latencies = []
        for _ in range(20):
            before = len(watcher.arrivals)
            change()
            answered = time.perf_counter()
            deadline = answered + 5
            while len(watcher.arrivals) == before and time.perf_counter() < deadline:
                time.sleep(0.0005)
            if len(watcher.arrivals) > before:
                latencies.append((watcher.arrivals[before] - answered) * 1000)
            time.sleep(0.05)
        figures["watch event after the change (ms, median of 20)"] = statistics.median(latencies)
        watcher.stop()

        def cpu() -> float:
            with open(f"/proc/{process.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

        changes = 30

        def run_changes() -> float:
            time.sleep(0.5)
            start = cpu()
            for _ in range(changes):
                change()
                time.sleep(0.05)
            time.sleep(1.0)
            return cpu() - start

        alone = run_changes()
        rv = request("GET", "/api/v1/namespaces/default/pods")["metadata"]["resourceVersion"]
        watchers = [Watch(port, prefix, rv) for _ in range(50)]
        for w in watchers:
            w.start()
        watched = run_changes()
        received = min(len(w.arrivals) for w in watchers)
        figures["watch CPU per change per watch, 50 watches (ms)"] = max(0.0, (watched - alone) * 1000 / changes / 50)
        figures["events each of the 50 watches received"] = received
        for w in watchers:
            w.stop()
    finally:
        process.terminate()
        process.wait(timeout=10)
    return figures


def main() -> None:
    try:
        figures, token = in_process()
        print("server time, in the worker (median of 7):")
        for name, value in figures.items():
            print(f"  {name:44} {value:8.1f} ms")
        print("live, one daphne:")
        for name, value in live(token).items():
            print(f"  {name:52} {value:8.2f}")
    finally:
        shutil.rmtree(WORKDIR, ignore_errors=True)


if __name__ == "__main__":
    main()
