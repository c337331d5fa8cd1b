"""Console benchmark: a class of students typing kubectl into the console at once, on the
embedded default (one daphne, SQLite, the in-memory channel layer) with the course's webapp
cluster.

    python bench/console.py                      # 30 students, one command every 5 s each, 60 s
    python bench/console.py --students 10 --seconds 30 --every 5

Each student is a console websocket (what the browser's terminal sends: `run` with the line and
the editor's buffer). Every `--every` seconds, at a random phase, each types the next command of
the mix: get pods, get svc -o wide, describe service webapp, exec busybox -- nslookup webapp,
apply -f - (a ConfigMap of their own). Figures, client-side, from Enter (the `run` message sent)
to the output on the socket (first chunk) and to `done`: p50 and p99 per command and overall
(targets: p50 <= 300 ms, p99 <= 1 s); and the server's CPU per command (daphne's user+system
time, with its kubectl children's, over the run, divided by the commands run).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from tests.browser.server import PYTHON, kubeviz_server  # noqa: E402
from tests.console.liveclient import ConsoleClient  # noqa: E402

MIX = [
    ("get pods", "kubectl get pods"),
    ("get svc -o wide", "kubectl get svc -o wide"),
    ("describe svc", "kubectl describe service webapp"),
    ("exec nslookup", "kubectl exec busybox -- nslookup webapp"),
    ("apply -f -", "kubectl apply -f -"),
]
CONFIGMAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: student-{n}\ndata:\n  greeting: hello\n"


def cpu_seconds(pid: int) -> float:
    """utime + stime + cutime + cstime of `pid` (its reaped children, the kubectl runs, included)."""
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    ticks = sum(int(fields[i]) for i in (11, 12, 13, 14))
    return ticks / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))]


async def student(n: int, base: str, every: float, until: float, results: list, errors: list) -> None:
    rng = random.Random(n)
    async with ConsoleClient(base, "webapp") as client:
        await asyncio.sleep(rng.uniform(0, every))
        step = n
        while time.perf_counter() < until:
            started = time.perf_counter()
            label, line = MIX[step % len(MIX)]
            step += 1
            buffer = CONFIGMAP.format(n=n) if "apply" in line else None
            result = await client.run(line, buffer)
            if result.done.get("exit") != 0:
                errors.append((label, result.done, result.printed[-200:]))
            else:
                results.append((label, result.first_output_ms, result.done_ms))
            await asyncio.sleep(max(0.0, every - (time.perf_counter() - started)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--every", type=float, default=5.0, help="seconds between one student's commands")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the class types")
    args = parser.parse_args()

    def prepare(env):
        subprocess.run(
            [PYTHON, "manage.py", "loadscenario", "webapp", "--cluster", "webapp"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=300,
        )

    with kubeviz_server(prepare) as server:

        async def warm():
            async with ConsoleClient(server.url, "webapp") as client:
                for _label, line in MIX:
                    await client.run(line, CONFIGMAP.format(n="warm"))

        asyncio.run(warm())
        results: list = []
        errors: list = []
        cpu_before = cpu_seconds(server.process.pid)
        wall = time.perf_counter()

        async def typing():
            until = time.perf_counter() + args.seconds
            await asyncio.gather(
                *(student(n, server.url, args.every, until, results, errors) for n in range(args.students))
            )

        asyncio.run(typing())
        wall = time.perf_counter() - wall
        cpu = cpu_seconds(server.process.pid) - cpu_before

    commands = len(results) + len(errors)
    print(
        f"{args.students} students, one command every {args.every:g} s each, {wall:.0f} s: "
        f"{commands} commands ({len(errors)} failed), {os.cpu_count()} CPUs on this machine"
    )
    print(f"{'command':<18}{'n':>5}{'first output p50':>18}{'p99':>8}{'done p50':>10}{'p99':>8}   (ms)")
    for label in [*(label for label, _ in MIX), "all"]:
        rows = [r for r in results if label in ("all", r[0])]
        if not rows:
            continue
        firsts = [r[1] for r in rows if r[1] is not None]
        dones = [r[2] for r in rows]
        print(
            f"{label:<18}{len(rows):>5}"
            f"{percentile(firsts, 50):>18.0f}{percentile(firsts, 99):>8.0f}"
            f"{percentile(dones, 50):>10.0f}{percentile(dones, 99):>8.0f}"
        )
    print(
        f"server CPU: {cpu:.1f} s over {wall:.0f} s ({100 * cpu / wall:.0f}% of one core), "
        f"{1000 * cpu / max(commands, 1):.0f} ms per command (daphne + its kubectl runs)"
    )
    if results:
        print(f"mean done: {statistics.mean(r[2] for r in results):.0f} ms")
    for label, done, printed in errors[:5]:
        print(f"failed: {label}: {done} {printed!r}")


if __name__ == "__main__":
    main()
