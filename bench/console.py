"""Console benchmark: a class of students typing kubectl into the console at once, on the
embedded default (one daphne, SQLite, the in-memory channel layer) with the course's webapp
cluster.

    python bench/console.py                      # 30 students (3 of them in Chromium), one command every 5 s each, 60 s
    python bench/console.py --students 10 --seconds 30 --every 5
    python bench/console.py --browser 0          # console websockets only

Most students are a console websocket (what the browser's terminal sends: `run` with the line and
the editor's buffer); `--browser K` of them (default 3; the machine's cores bound it) are real
Chromium pages (Debian's /usr/bin/chromium, headless, Playwright) on the cluster page, typing the
line into the xterm console and pressing Enter. Every `--every` seconds, at a random phase, each
types the next command of the mix: get pods, get svc -o wide, describe service webapp,
exec busybox -- nslookup webapp, apply -f - (a ConfigMap of their own, in the page's editor).

Figures, p50 and p99 per command and overall (targets: p50 <= 300 ms, p99 <= 1 s):
* sockets, client-side: from Enter (the `run` message sent) to the output on the socket (first
  chunk) and to `done`;
* browsers, measured in the page: from the Enter key's keydown in the terminal to the frame that
  shows the output's first line in xterm's buffer, and to the frame that shows its last line
  (xterm has parsed every byte of the output and the command is done; the next prompt follows);
and the server's CPU per command (daphne's user+system time, with its kubectl children's, over
the run, divided by the commands run).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from playwright.async_api import async_playwright

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from tests.browser.server import CHROMIUM, CHROMIUM_ARGS, PYTHON, kubeviz_server, missing_requirements  # noqa: E402
from tests.console.liveclient import ConsoleClient  # noqa: E402

MIX = [
    ("get pods", "kubectl get pods"),
    ("get svc -o wide", "kubectl get svc -o wide"),
    ("describe svc", "kubectl describe service webapp"),
    ("exec nslookup", "kubectl exec busybox -- nslookup webapp"),
    ("apply -f -", "kubectl apply -f -"),
]
CONFIGMAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: student-{n}\ndata:\n  greeting: hello\n"


# In the page: time each command from the Enter key to the frames showing its output's first and
# last lines in xterm's buffer (the console is `window.__kubeviz.console`, console.js).
TIMER = """() => {
  const k = window.__kubeviz.console;
  const term = k.term;
  const bench = (window.__bench = { results: [], current: null });
  const frame = (then) => requestAnimationFrame(() => then(performance.now()));
  // on the terminal's box, capturing: before xterm's own keydown handler (on its textarea) runs it
  k.screen.addEventListener(
    "keydown",
    (event) => {
      if (event.key !== "Enter" || k.running !== null) return;
      const buffer = term.buffer.active;
      bench.current = { enter: performance.now(), row: buffer.baseY + buffer.cursorY, first: null, last: null };
    },
    true,
  );
  term.onWriteParsed(() => {
    const c = bench.current;
    if (!c) return;
    const buffer = term.buffer.active;
    const end = buffer.baseY + buffer.cursorY;
    const prompted = k.running === null && (buffer.getLine(end)?.translateToString(true) ?? "").startsWith("$");
    if (c.first === null) {
      let y = c.row + 1;
      while (y <= end && buffer.getLine(y)?.isWrapped) y++; // the command line, wrapped
      for (; y <= end; y++) {
        if (buffer.getLine(y)?.translateToString(true).trim()) {
          c.first = 0;
          frame((t) => (c.first = t - c.enter));
          break;
        }
      }
    }
    if (prompted && c.last === null) {
      bench.current = null;
      c.last = 0;
      const run = k.lastRun;
      frame((t) => {
        c.last = t - c.enter;
        if (c.first === null) c.first = c.last; // nothing printed: a refusal
        bench.results.push({ first: c.first, last: c.last, exit: run.exit, note: run.refused || run.stopped });
      });
    }
  });
}"""


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


async def open_browser_students(playwright, base: str, count: int) -> list:
    """`count` Chromium pages on the cluster page, each with its console open and ready, the
    editor holding the student's own ConfigMap (what `apply -f -` applies)."""
    out = []
    for n in range(count):
        profile = tempfile.mkdtemp(prefix="kubeviz-bench-chromium-")
        context = await playwright.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 720},
        )
        page = context.pages[0] if context.pages else await context.new_page()
        await page.goto(f"{base}/clusters/webapp/")
        await page.wait_for_function("window.__kubeviz && window.__kubeviz.console", timeout=60000)
        await page.click("#console-toggle")
        await page.wait_for_function("window.__kubeviz.console.ready === true", timeout=60000)
        await page.evaluate(
            """(text) => {
              const view = window.__kubeviz.editor.view;
              view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
            }""",
            CONFIGMAP.format(n=f"browser-{n}"),
        )
        await page.evaluate(TIMER)
        await page.click("#console-screen")
        out.append((context, page, profile))
    return out


async def browser_student(n: int, page, every: float, until: float, results: list, errors: list) -> None:
    rng = random.Random(1000 + n)
    await asyncio.sleep(rng.uniform(0, every))
    step = n
    while time.perf_counter() < until:
        started = time.perf_counter()
        label, line = MIX[step % len(MIX)]
        step += 1
        count = await page.evaluate("window.__bench.results.length")
        await page.keyboard.type(line)
        await page.keyboard.press("Enter")
        await page.wait_for_function("(n) => window.__bench.results.length > n", arg=count, timeout=120000)
        result = await page.evaluate("window.__bench.results.at(-1)")
        if result["exit"] != 0:
            errors.append((label, result, ""))
        else:
            results.append((label, result["first"], result["last"]))
        await asyncio.sleep(max(0.0, every - (time.perf_counter() - started)))


def table(title: str, results: list, first: str, last: str) -> None:
    print(title)
    print(f"{'command':<18}{'n':>5}{first + ' p50':>18}{'p99':>8}{last + ' p50':>14}{'p99':>8}   (ms)")
    for label in [*(label for label, _ in MIX), "all"]:
        rows = [r for r in results if label in ("all", r[0])]
        if not rows:
            continue
        firsts = [r[1] for r in rows if r[1] is not None]
        lasts = [r[2] for r in rows]
        print(
            f"{label:<18}{len(rows):>5}"
            f"{percentile(firsts, 50):>18.0f}{percentile(firsts, 99):>8.0f}"
            f"{percentile(lasts, 50):>14.0f}{percentile(lasts, 99):>8.0f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--every", type=float, default=5.0, help="seconds between one student's commands")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the class types")
    parser.add_argument(
        "--browser", type=int, default=3, help="how many of the students are Chromium pages (0: sockets only)"
    )
    args = parser.parse_args()
    browsers = max(0, min(args.browser, args.students))
    if browsers and missing_requirements():
        sys.exit(f"--browser needs Chromium: {missing_requirements()} (or pass --browser 0)")

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
        in_browser: list = []
        sockets = args.students - browsers
        measured: dict = {}

        async def typing():
            async with async_playwright() as playwright:
                pages = await open_browser_students(playwright, server.url, browsers) if browsers else []
                measured["cpu"] = cpu_seconds(server.process.pid)
                measured["wall"] = time.perf_counter()
                until = time.perf_counter() + args.seconds
                await asyncio.gather(
                    *(student(n, server.url, args.every, until, results, errors) for n in range(sockets)),
                    *(
                        browser_student(n, page, args.every, until, in_browser, errors)
                        for n, (_context, page, _profile) in enumerate(pages)
                    ),
                )
                measured["wall"] = time.perf_counter() - measured["wall"]
                measured["cpu"] = cpu_seconds(server.process.pid) - measured["cpu"]
                for context, _page, profile in pages:
                    await context.close()
                    shutil.rmtree(profile, ignore_errors=True)

        asyncio.run(typing())
        wall, cpu = measured["wall"], measured["cpu"]

    commands = len(results) + len(in_browser) + len(errors)
    print(
        f"{args.students} students ({browsers} in Chromium), one command every {args.every:g} s each, {wall:.0f} s: "
        f"{commands} commands ({len(errors)} failed), {os.cpu_count()} CPUs on this machine"
    )
    if in_browser:
        table(
            f"In the browser ({browsers} Chromium pages): Enter -> the frame showing the output's line",
            in_browser,
            "first line",
            "last line",
        )
    if results:
        table(f"Over the socket ({sockets} students): Enter -> the socket's message", results, "first output", "done")
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
