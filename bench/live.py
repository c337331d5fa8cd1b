"""The live path's figures: from an apply to every watching browser.

    python bench/live.py                          # 1,000 pods; 1, 50, 300 clients; 10 and 20 edits/s
    python bench/live.py --clients 1,50 --seconds 5
    python bench/live.py --redis                  # PostgreSQL + Redis instead of SQLite + in-memory

One daphne on loopback serves a cluster of 1,000 pods (100 Deployments of 10 pods behind 100
Services in 20 namespaces). N websocket clients watch it; an editor (one socket per 10 edits/s,
the per-socket limit being 20 messages a second) applies one-pod edits at a fixed rate: the pod
`probe` toggles a label so that it joins and leaves the Service `probe`. For each rate and N:

* p50 / p99 latency from sending the apply to the LAST client holding that version (a client
  that missed a version and healed by resync counts from when its snapshot arrived);
* bytes of change messages per edit per client (websocket payloads, as sent);
* versions missed (a client saw a gap) and healed (it asked for a snapshot and got one);
* the server's CPU time per edit (daphne's user + system time over the edit window);
* whether every client ended on the final version.

Runs are bounded in time (a few seconds of edits each; everything stops by itself) and fit a
2-core machine: clients parse only what they need (a snapshot's version, each change).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.app import livehelpers  # noqa: E402

SNAPSHOT_HEAD = re.compile(r'^\{"type":"snapshot","protocol":\d+,"version":(\d+),"part":(\d+),"parts":(\d+),')
CHANGE_HEAD = re.compile(r'^\{"type":"change","protocol":\d+,"version":(\d+),"base":(\d+),("resync":true)?')
CLK_TCK = os.sysconf("SC_CLK_TCK")


def cluster_yaml(pods: int) -> str:
    deployments = max(1, pods // 10)
    namespaces = max(1, deployments // 5)
    docs = [f"apiVersion: v1\nkind: Namespace\nmetadata: {{name: bench-{n}}}\n" for n in range(namespaces)]
    for d in range(deployments):
        ns = f"bench-{d % namespaces}"
        docs.append(f"""apiVersion: v1
kind: Service
metadata: {{name: app-{d}, namespace: {ns}}}
spec:
  selector: {{app: app-{d}}}
  ports: [{{name: http, port: 80, targetPort: http}}]
""")
        docs.append(f"""apiVersion: apps/v1
kind: Deployment
metadata: {{name: app-{d}, namespace: {ns}}}
spec:
  replicas: 10
  selector: {{matchLabels: {{app: app-{d}}}}}
  template:
    metadata: {{labels: {{app: app-{d}}}}}
    spec:
      containers: [{{name: web, image: nginx, ports: [{{name: http, containerPort: 8080}}]}}]
""")
    docs.append("""apiVersion: v1
kind: Service
metadata: {name: probe, namespace: bench-0}
spec:
  selector: {probe: "yes", tier: "on"}
  ports: [{name: http, port: 80, targetPort: 8080}]
""")
    docs.append(probe_pod("on"))
    return "---\n".join(docs)


def probe_pod(tier: str) -> str:
    return f"""apiVersion: v1
kind: Pod
metadata: {{name: probe, namespace: bench-0, labels: {{probe: "yes", tier: "{tier}"}}}}
spec:
  containers: [{{name: web, image: nginx, ports: [{{containerPort: 8080}}]}}]
"""


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


class Watcher:
    """A browser tab, reduced to what the figures need: its version and when it got each one."""

    def __init__(self, ws):
        self.ws = ws
        self.version: int | None = None
        self.got: dict[int, float] = {}
        self.change_bytes = 0
        self.changes = 0
        self.gaps = 0
        self.heals = 0
        self.waiting = False
        self.watchers = 0
        self.ready = asyncio.Event()

    async def run(self) -> None:
        try:
            async for raw in self.ws:
                now = time.perf_counter()
                head = SNAPSHOT_HEAD.match(raw[:100])
                if head:
                    if head.group(2) != head.group(3):
                        continue  # a snapshot counts once its last part arrived
                    version = int(head.group(1))
                    if self.version is None or self.waiting or version >= self.version:
                        if self.waiting:
                            self.heals += 1
                            for missed in range((self.version or version) + 1, version + 1):
                                self.got.setdefault(missed, now)
                        self.version, self.waiting = version, False
                    self.ready.set()
                    continue
                if raw.startswith('{"type":"presence"'):
                    self.watchers = json.loads(raw)["watchers"]
                    continue
                change = CHANGE_HEAD.match(raw[:100])
                if change is None:
                    continue
                # the header says all the figures need; a browser would json-parse and apply it
                version, base, resync = int(change.group(1)), int(change.group(2)), change.group(3)
                self.change_bytes += len(raw.encode())
                self.changes += 1
                if version <= self.version:
                    continue
                if base != self.version or resync:
                    self.gaps += 1
                    if not self.waiting:
                        self.waiting = True
                        await self.ws.send('{"type":"resync"}')
                    continue
                self.version = version
                self.got[version] = now
        except Exception:  # the socket closed at the end of the run
            pass


async def open_watchers(url: str, origin: str, count: int) -> list[Watcher]:
    from websockets.asyncio.client import connect

    watchers = []
    for start in range(0, count, 25):
        batch = []
        for _ in range(min(25, count - start)):
            ws = await connect(
                url, additional_headers={"Origin": origin}, max_size=None, ping_interval=None, max_queue=None
            )
            watcher = Watcher(ws)
            watcher.task = asyncio.ensure_future(watcher.run())  # kept, so it is not collected mid-run
            batch.append(watcher)
        await asyncio.wait_for(asyncio.gather(*(w.ready.wait() for w in batch)), 120)
        watchers += batch
    return watchers


async def edit_run(
    url: str, origin: str, watchers: list[Watcher], rate: int, seconds: float, pid: int, tier: list[str]
) -> dict:
    from websockets.asyncio.client import connect

    editors = [
        await connect(url, additional_headers={"Origin": origin}, max_size=None, ping_interval=None)
        for _ in range(max(1, (rate + 9) // 10))
    ]
    replies: list[dict] = []
    base_version = None

    async def read(ws):
        nonlocal base_version
        async for raw in ws:
            head = SNAPSHOT_HEAD.match(raw[:100])
            if head and base_version is None:
                base_version = int(head.group(1))
            elif raw.startswith('{"type":"reply"'):
                replies.append(json.loads(raw))

    readers = [asyncio.ensure_future(read(ws)) for ws in editors]
    while base_version is None:
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.5)
    start_version = max(w.version for w in watchers)
    edits = int(rate * seconds)
    sent: dict[int, float] = {}
    bytes_before = sum(w.change_bytes for w in watchers)
    changes_before = sum(w.changes for w in watchers)
    gaps_before = sum(w.gaps for w in watchers)
    heals_before = sum(w.heals for w in watchers)
    cpu_before = cpu_seconds(pid)
    client_cpu_before = time.process_time()
    t0 = time.perf_counter()
    for i in range(edits):
        delay = t0 + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tier[0] = "off" if tier[0] == "on" else "on"
        sent[start_version + i + 1] = time.perf_counter()
        await editors[i % len(editors)].send(json.dumps({"type": "apply", "id": i, "yaml": probe_pod(tier[0])}))
    final = start_version + edits
    deadline = time.perf_counter() + 30
    while time.perf_counter() < deadline and (len(replies) < edits or any(w.version < final for w in watchers)):
        await asyncio.sleep(0.02)
    cpu = cpu_seconds(pid) - cpu_before
    client_cpu = time.process_time() - client_cpu_before
    for ws in editors:
        await ws.close()
    for reader in readers:
        reader.cancel()
    latencies = []
    for version, when in sent.items():
        times = [w.got.get(version) for w in watchers]
        if all(t is not None for t in times):
            latencies.append(max(times) - when)
    refused = [r for r in replies if not r.get("ok")]
    latencies.sort()
    changes = sum(w.changes for w in watchers) - changes_before
    return {
        "clients": len(watchers),
        "rate": rate,
        "edits": edits,
        "refused": len(refused),
        "p50_ms": statistics.median(latencies) * 1000 if latencies else float("nan"),
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000 if latencies else float("nan"),
        "bytes_per_edit_client": (sum(w.change_bytes for w in watchers) - bytes_before) / max(1, changes),
        "missed": sum(w.gaps for w in watchers) - gaps_before,
        "healed": sum(w.heals for w in watchers) - heals_before,
        "cpu_ms_per_edit": cpu / max(1, edits) * 1000,
        "client_cpu_ms_per_edit": client_cpu / max(1, edits) * 1000,
        "wrong_version": sum(1 for w in watchers if w.version != final),
        "measured": len(latencies),
    }


async def bench(
    port: int, pid: int, clients: list[int], rates: list[int], seconds: float, patches: bool = True
) -> list[dict]:
    url = f"ws://127.0.0.1:{port}/ws/clusters/bench/" + ("?patch=1" if patches else "")
    origin = f"http://127.0.0.1:{port}"
    watchers: list[Watcher] = []
    rows = []
    tier = ["on"]
    for count in clients:
        started = time.perf_counter()
        watchers += await open_watchers(url, origin, count - len(watchers))
        # steady state: every socket's presence is recorded (the server says so to everyone)
        deadline = time.perf_counter() + 60
        while time.perf_counter() < deadline and watchers[0].watchers < count:
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)
        print(
            f"  {count} clients connected ({time.perf_counter() - started:.1f}s for the new ones' snapshots)",
            flush=True,
        )
        for rate in rates:
            row = await edit_run(url, origin, watchers, rate, seconds, pid, tier)
            print("  " + format_row(row), flush=True)
            rows.append(row)
    for watcher in watchers:
        await watcher.ws.close()
    return rows


def format_row(row: dict) -> str:
    return (
        f"{row['clients']:>4} clients {row['rate']:>3}/s: p50 {row['p50_ms']:6.1f} ms  p99 {row['p99_ms']:6.1f} ms  "
        f"{row['bytes_per_edit_client']:6.0f} B/edit/client  missed {row['missed']:>4} healed {row['healed']:>4}  "
        f"server CPU {row['cpu_ms_per_edit']:5.1f} ms/edit (clients {row['client_cpu_ms_per_edit']:5.1f})  "
        f"wrong version {row['wrong_version']}  "
        f"refused {row['refused']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pods", type=int, default=1000)
    parser.add_argument("--clients", default="1,50,300")
    parser.add_argument("--rates", default="10,20")
    parser.add_argument("--seconds", type=float, default=6.0, help="seconds of edits per run")
    parser.add_argument("--redis", action="store_true", help="PostgreSQL + Redis (the scale-out setup)")
    parser.add_argument("--capacity", type=int, default=None, help="channel capacity (default: settings')")
    parser.add_argument("--no-patch", action="store_true", help="clients that take whole entries only")
    args = parser.parse_args()
    clients = [int(c) for c in args.clients.split(",")]
    rates = [int(r) for r in args.rates.split(",")]

    with tempfile.TemporaryDirectory() as tmp:
        lessons = Path(tmp) / "lessons"
        lessons.mkdir()
        (lessons / "bench.yaml").write_text("# title: bench\n" + cluster_yaml(args.pods))
        extra = {"KUBEVIZ_LESSONS_DIR": lessons, "KUBEVIZ_MAX_DOCUMENTS": 100000}
        if args.capacity:
            extra["KUBEVIZ_CHANNEL_CAPACITY"] = args.capacity

        def run(database_url: str) -> list[dict]:
            env = livehelpers.server_env(database_url, redis=args.redis, **extra)
            livehelpers.manage(env, "migrate", "--noinput")
            started = time.perf_counter()
            livehelpers.manage(env, "loadscenario", "bench", "--cluster", "bench", "--workers", "5")
            print(
                f"cluster of {args.pods} pods loaded in {time.perf_counter() - started:.1f}s; "
                f"{'PostgreSQL + Redis' if args.redis else 'SQLite + in-memory layer'}, one daphne",
                flush=True,
            )
            with livehelpers.daphnes(env, 1) as (ports, processes):
                return asyncio.run(
                    bench(ports[0], processes[0].pid, clients, rates, args.seconds, patches=not args.no_patch)
                )

        if args.redis:
            with livehelpers.postgres_database() as url:
                rows = run(url)
        else:
            rows = run(f"sqlite:///{tmp}/bench.sqlite3")
    print(
        "\n| clients | edits/s | p50 ms | p99 ms | bytes/edit/client | missed | healed | server CPU ms/edit "
        "| bench clients' CPU ms/edit | ended on a wrong version |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row['clients']} | {row['rate']} | {row['p50_ms']:.1f} | {row['p99_ms']:.1f} | "
            f"{row['bytes_per_edit_client']:.0f} | {row['missed']} | {row['healed']} | {row['cpu_ms_per_edit']:.1f} | "
            f"{row['client_cpu_ms_per_edit']:.1f} | {row['wrong_version']} |"
        )


if __name__ == "__main__":
    main()
