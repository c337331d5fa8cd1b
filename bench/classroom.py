"""A class of 300 students on one server: joining, forking, watching, editing.

    python bench/classroom.py                      # embedded default: one daphne, SQLite, in-memory layer
    python bench/classroom.py --redis              # PostgreSQL + Redis, two daphne workers
    python bench/classroom.py --students 50 --seconds 20
    python bench/classroom.py --presenter          # presenting live: 300 followers, then 300 answers

What happens, over real HTTP and websockets (each student a cookie jar and two sockets):
  1. an instructor (manage.py createinstructor) signs in and makes a class from the lesson `webapp`;
  2. 300 students arrive one after another over --arrivals seconds (40), join with the code and
     a name, then press "My copy" (a fork of the projected cluster as it is now): the time for
     all of them, and each fork's server time (the view's Server-Timing header);
  3. every student watches the projected cluster and their own sandbox (two sockets each);
  4. for --seconds, each student applies a one-object edit to their sandbox every 20 s (15 edits/s
     in all, staggered) while the instructor edits the projected cluster every 2 s;
  5. at the end: every acknowledged edit is in the database, and every socket holds its cluster's
     last version (a socket that missed a version resyncs, as the browser does, and counts).

Figures (targets from the issue):
  instructor edit -> the last of the students' projected sockets holds it   p99 <= 100 ms
  a student's apply -> their own sandbox socket holds it                    p99 <= 150 ms
  300 joins + forks                                                          <= 60 s, each fork <= 50 ms
  resident memory of the server process(es), engines for 300 sandboxes warm  <= 2 GB
  nothing lost
The bench's own clients share the machine's cores with the server (two here).

--presenter (issue 14, presenting live; PRESENTER_DOC below says what it measures):
  presenter event (select, trace, focus) -> the last of 300 followers has it  p99 <= 100 ms
  bytes per follower per event                                                <= 500
  300 answers in 10 s counted, presenter events not delayed meanwhile
"""

from __future__ import annotations

import argparse
import asyncio
import http.cookiejar
import json
import os
import re
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.app import livehelpers  # noqa: E402

SNAPSHOT_HEAD = re.compile(r'^\{"type":"snapshot","protocol":\d+,"version":(\d+),"part":(\d+),"parts":(\d+),')
CHANGE_HEAD = re.compile(r'^\{"type":"change","protocol":\d+,"version":(\d+),"base":(\d+),("resync":true)?')
PASSWORD = "bench-password-1"


def pod(name: str, value: int) -> str:
    return (
        f"apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, labels: {{run: {name}, edit: '{value}'}}}}\n"
        "spec: {containers: [{name: c, image: nginx}]}\n"
    )


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


# ---------------------------------------------------------------------- HTTP, as a browser
class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A cookie jar and Django's CSRF dance: what a browser does for a form."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)

    def request(self, path: str, data: dict | None = None) -> tuple[int, dict, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)
        if data is not None:
            request.add_header("X-CSRFToken", self.cookie("csrftoken") or "")
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:  # 302 (not followed) and 4xx
            return error.code, dict(error.headers), error.read().decode()


def sign_in_and_make_class(base: str, name: str) -> tuple[Browser, str, str]:
    teacher = Browser(base)
    teacher.request("/sign-in/")
    status, headers, _ = teacher.request("/sign-in/", {"username": name, "password": PASSWORD})
    assert status == 302, "sign-in failed"
    teacher.request("/classes/")
    status, headers, _ = teacher.request("/classes/", {"name": "Bench class", "lesson": "webapp"})
    assert status == 302, "class creation failed"
    _, _, page = teacher.request(headers["Location"])
    code = re.search(r'id="join-code">([A-Z0-9-]+)<', page).group(1)
    projected = re.search(r'id="projected-link" href="/clusters/([^/]+)/"', page).group(1)
    return teacher, code, projected


def join_and_fork(base: str, code: str, projected: str, n: int, at: float) -> dict:
    """Student n arrives at `at` (perf_counter), joins and presses "My copy"."""
    time.sleep(max(0.0, at - time.perf_counter()))
    student = Browser(base)
    started = time.perf_counter()
    student.request(f"/join/{code}/")
    status, headers, _ = student.request("/join/", {"code": code, "display_name": f"student {n:03d}"})
    assert status == 302, f"join failed: {status}"
    forked = time.perf_counter()
    status, headers, _ = student.request(f"/clusters/{projected}/fork/", {})
    assert status == 302, f"fork failed: {status}"
    done = time.perf_counter()
    server_ms = float(headers["Server-Timing"].split("dur=")[1])
    sandbox = headers["Location"].strip("/").split("/")[-1]
    return {
        "browser": student,
        "sandbox": sandbox,
        "fork_server_ms": server_ms,
        "fork_request_ms": (done - forked) * 1000,
        "join_and_fork_ms": (done - started) * 1000,
    }


# ---------------------------------------------------------------------- websockets, as the page
class Socket:
    """One page's socket: its version, when it got each version, and the replies to its requests."""

    def __init__(self, ws):
        self.ws = ws
        self.version: int | None = None
        self.got: dict[int, float] = {}
        self.replies: dict[int, dict] = {}
        self.waiting = False
        self.gaps = 0
        self.heals = 0
        self.ready = asyncio.Event()
        self.task = asyncio.ensure_future(self.run())

    async def run(self) -> None:
        try:
            async for raw in self.ws:
                now = time.perf_counter()
                head = SNAPSHOT_HEAD.match(raw[:100])
                if head:
                    if head.group(2) != head.group(3):
                        continue
                    version = int(head.group(1))
                    if self.waiting:
                        self.heals += 1
                        for missed in range((self.version or version) + 1, version + 1):
                            self.got.setdefault(missed, now)
                    if self.version is None or self.waiting or version >= self.version:
                        self.version, self.waiting = version, False
                    self.ready.set()
                    continue
                change = CHANGE_HEAD.match(raw[:100])
                if change:
                    version, base, resync = int(change.group(1)), int(change.group(2)), change.group(3)
                    if self.version is None or version <= self.version:
                        continue
                    if base != self.version or resync:
                        self.gaps += 1
                        if not self.waiting:
                            self.waiting = True
                            await self.ws.send('{"type":"resync"}')
                        continue
                    self.version = version
                    self.got[version] = now
                    continue
                if raw.startswith('{"type":"reply"'):
                    reply = json.loads(raw)
                    self.replies[reply["id"]] = reply
        except Exception:  # closed at the end of the run
            pass

    async def apply(self, request_id: int, text: str) -> None:
        await self.ws.send(json.dumps({"type": "apply", "id": request_id, "yaml": text}))


async def connect_cluster(port: int, slug: str, cookie: str):
    """A cluster page's websocket, signed in with the session cookie, as the browser opens it."""
    from websockets.asyncio.client import connect

    return await connect(
        f"ws://127.0.0.1:{port}/ws/clusters/{slug}/",
        additional_headers={"Origin": f"http://127.0.0.1:{port}", "Cookie": f"sessionid={cookie}"},
        max_size=None,
        ping_interval=None,
        max_queue=None,
    )


async def open_socket(port: int, slug: str, cookie: str) -> Socket:
    return Socket(await connect_cluster(port, slug, cookie))


async def open_all(specs: list[tuple[int, str, str]], batch: int = 25) -> list[Socket]:
    sockets = []
    for start in range(0, len(specs), batch):
        chunk = [await open_socket(*spec) for spec in specs[start : start + batch]]
        await asyncio.wait_for(asyncio.gather(*(s.ready.wait() for s in chunk)), 120)
        sockets += chunk
    return sockets


async def load(
    ports: list[int], pids: list[int], teacher_cookie: str, projected: str, students: list[dict], seconds: float
) -> dict:
    count = len(students)
    started = time.perf_counter()
    teacher = await open_socket(ports[0], projected, teacher_cookie)
    await teacher.ready.wait()
    watching = await open_all(
        [(ports[i % len(ports)], projected, s["cookie"]) for i, s in enumerate(students)]
    )  # every student watches the projected cluster
    own = await open_all([(ports[i % len(ports)], s["sandbox"], s["cookie"]) for i, s in enumerate(students)])
    connect_s = time.perf_counter() - started
    await asyncio.sleep(2.0)  # presence settles

    teacher_sent: dict[int, float] = {}  # request id -> sent at
    student_sent: dict[tuple[int, int], float] = {}  # (student, request id) -> sent at
    last_edit: dict[int, int] = {}  # student -> the k of their last edit
    request_ids = iter(range(1, 10**9))
    t0 = time.perf_counter()
    cpu_before = [cpu_seconds(pid) for pid in pids]
    client_cpu_before = time.process_time()
    instructor_every, student_every = 2.0, 20.0

    async def instructor() -> None:
        k = 0
        while (start := t0 + k * instructor_every) < t0 + seconds:
            await asyncio.sleep(max(0.0, start - time.perf_counter()))
            rid = next(request_ids)
            teacher_sent[rid] = time.perf_counter()
            await teacher.apply(rid, pod("lecture", k))
            k += 1

    async def student(i: int) -> None:
        offset = student_every * i / count  # staggered: 15 edits a second for 300 students
        k = 0
        while (start := t0 + offset + k * student_every) < t0 + seconds:
            await asyncio.sleep(max(0.0, start - time.perf_counter()))
            rid = next(request_ids)
            student_sent[(i, rid)] = time.perf_counter()
            last_edit[i] = k
            await own[i].apply(rid, pod("mine", k))
            k += 1

    await asyncio.gather(instructor(), *(student(i) for i in range(count)))
    window = time.perf_counter() - t0
    server_cpu = [(cpu_seconds(pid) - before) / window * 100 for pid, before in zip(pids, cpu_before, strict=True)]
    client_cpu = (time.process_time() - client_cpu_before) / window * 100

    def settled() -> bool:
        if len(teacher.replies) < len(teacher_sent):
            return False
        if any(rid not in own[i].replies for (i, rid) in student_sent):
            return False
        final = teacher.version
        return all(s.version == final for s in watching) and all(
            own[i].version >= own[i].replies[rid].get("version", 0) for (i, rid) in student_sent
        )

    deadline = time.perf_counter() + 60
    while time.perf_counter() < deadline and not settled():
        await asyncio.sleep(0.05)

    teacher_latency, student_latency, refused = [], [], 0
    for rid, sent in teacher_sent.items():
        reply = teacher.replies.get(rid)
        if not reply or not reply.get("ok"):
            refused += 1
            continue
        times = [s.got.get(reply["version"]) for s in watching]
        if all(t is not None for t in times):
            teacher_latency.append((max(times) - sent) * 1000)
    for (i, rid), sent in student_sent.items():
        reply = own[i].replies.get(rid)
        if not reply or not reply.get("ok"):
            refused += 1
            continue
        got = own[i].got.get(reply["version"])
        if got is not None:
            student_latency.append((got - sent) * 1000)
    last_teacher = max(teacher.replies.values(), key=lambda r: r.get("version", 0), default={}).get("version")
    result = {
        "connect_s": connect_s,
        "server_cpu": server_cpu,
        "client_cpu": client_cpu,
        "sockets": 1 + len(watching) + len(own),
        "teacher_edits": len(teacher_sent),
        "student_edits": len(student_sent),
        "refused": refused,
        "teacher_measured": len(teacher_latency),
        "student_measured": len(student_latency),
        "teacher_p50": percentile(teacher_latency, 0.5),
        "teacher_p99": percentile(teacher_latency, 0.99),
        "student_p50": percentile(student_latency, 0.5),
        "student_p99": percentile(student_latency, 0.99),
        "gaps": sum(s.gaps for s in (*watching, *own)),
        "heals": sum(s.heals for s in (*watching, *own)),
        "watchers_behind": sum(1 for s in watching if s.version != last_teacher),
        "sandbox_versions": {students[i]["sandbox"]: own[i].version for i in range(count)},
        "projected_version": last_teacher,
        "last_edit": {students[i]["sandbox"]: last_edit.get(i) for i in range(count)},
        "last_lecture": len(teacher_sent) - 1,
    }
    for s in (teacher, *watching, *own):
        await s.ws.close()
    return result


# ---------------------------------------------------------------------- nothing lost
CHECK = """
import json, sys
from simulator import models
expected = json.load(sys.stdin)
wrong = []
for slug, version in expected["versions"].items():
    cluster = models.Cluster.objects.get(slug=slug)
    if version is not None and cluster.version != version:
        wrong.append(f"{slug}: socket at {version}, database at {cluster.version}")
    k = expected["edits"].get(slug)
    if k is not None:
        labels = models.Pod.objects.get(cluster=cluster, name=expected["pods"][slug]).labels
        if labels.get("edit") != str(k):
            wrong.append(f"{slug}: edit {k} acknowledged, database has {labels.get('edit')}")
print(json.dumps(wrong))
"""


def nothing_lost(env: dict, result: dict, projected: str) -> list[str]:
    import subprocess

    versions = dict(result["sandbox_versions"])
    versions[projected] = result["projected_version"]
    edits = dict(result["last_edit"])
    edits[projected] = result["last_lecture"]
    pods = dict.fromkeys(result["sandbox_versions"], "mine")
    pods[projected] = "lecture"
    done = subprocess.run(
        [livehelpers.PYTHON, "-c", f"import django; django.setup(); exec(open({_check_file()!r}).read())"],
        input=json.dumps({"versions": versions, "edits": edits, "pods": pods}),
        text=True,
        capture_output=True,
        cwd=ROOT,
        env=env,
        check=True,
    )
    return json.loads(done.stdout)


def _check_file() -> str:
    path = Path(tempfile.gettempdir()) / f"kubeviz-bench-check-{os.getpid()}.py"
    path.write_text(CHECK)
    return str(path)


# ---------------------------------------------------------------------- one setup
def run(env: dict, workers: int, students: int, seconds: float, label: str, arrivals: float) -> dict:
    livehelpers.manage(env, "migrate", "--noinput")
    livehelpers.manage(env, "createinstructor", "bench", "--password", PASSWORD)
    with livehelpers.daphnes(env, workers) as (ports, processes):
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        teacher, code, projected = sign_in_and_make_class(bases[0], "bench")
        started = time.perf_counter()
        gap = arrivals / students  # students arrive one after another over `arrivals` seconds
        with ThreadPoolExecutor(max_workers=16) as pool:
            joined = list(
                pool.map(
                    lambda n: join_and_fork(bases[n % workers], code, projected, n, started + n * gap), range(students)
                )
            )
        join_s = time.perf_counter() - started
        for entry in joined:
            entry["cookie"] = entry["browser"].cookie("sessionid")
        pids = [p.pid for p in processes]
        result = asyncio.run(load(ports, pids, teacher.cookie("sessionid"), projected, joined, seconds))
        result["load_average"] = os.getloadavg()[0]
        result["rss_mb"] = sum(rss_mb(p.pid) for p in processes)
        result["peak_rss_mb"] = sum(rss_mb(p.pid, "VmHWM") for p in processes)
    forks = [e["fork_server_ms"] for e in joined]
    result.update(
        {
            "label": label,
            "students": students,
            "join_s": join_s,
            "fork_server_p50": percentile(forks, 0.5),
            "fork_server_max": max(forks),
            "fork_server_p99": percentile(forks, 0.99),
            "forks_over_50": sum(1 for f in forks if f > 50),
            "fork_slowest": sorted(forks)[-5:],
            "fork_request_p99": percentile([e["fork_request_ms"] for e in joined], 0.99),
            "sandboxes": len({e["sandbox"] for e in joined}),
            "lost": nothing_lost(env, result, projected),
        }
    )
    return result


def report(r: dict) -> None:
    print(
        f"\n{r['label']}: {r['students']} students, {r['sandboxes']} sandboxes, {r['sockets']} sockets\n"
        f"  join + My copy for all: {r['join_s']:.1f} s; fork server time p50 {r['fork_server_p50']:.1f} ms, "
        f"p99 {r['fork_server_p99']:.1f} ms, max {r['fork_server_max']:.1f} ms; {r['forks_over_50']} over 50 ms "
        f"(slowest {', '.join(f'{x:.0f}' for x in r['fork_slowest'])}); request p99 {r['fork_request_p99']:.1f} ms\n"
        f"  sockets connected (snapshots in hand) in {r['connect_s']:.1f} s\n"
        f"  instructor edit -> last of {r['students']} students: p50 {r['teacher_p50']:.1f} ms, "
        f"p99 {r['teacher_p99']:.1f} ms ({r['teacher_measured']} of {r['teacher_edits']} edits)\n"
        f"  student apply -> own screen: p50 {r['student_p50']:.1f} ms, p99 {r['student_p99']:.1f} ms "
        f"({r['student_measured']} of {r['student_edits']} edits)\n"
        f"  resident memory: {r['rss_mb']:.0f} MB at the end, peak {r['peak_rss_mb']:.0f} MB\n"
        f"  while editing: server CPU {' + '.join(f'{c:.0f}' for c in r['server_cpu'])} % of a core, the bench's "
        f"clients {r['client_cpu']:.0f} %; load average {r['load_average']:.1f} on {os.cpu_count()} cores\n"
        f"  refused {r['refused']}, versions missed {r['gaps']} (healed {r['heals']}), "
        f"watchers behind at the end {r['watchers_behind']}, lost: {len(r['lost'])} {r['lost'][:3]}",
        flush=True,
    )


# ---------------------------------------------------------------------- --presenter
PRESENTER_DOC = """Presenting live: an instructor presents the projected cluster to --students followers.
  1. the students join with the code (no sandbox), and each opens the projected cluster's socket;
  2. the instructor switches Present on; each follower says it follows (the presenter's count);
  3. --events presenter events, one every 0.5 s, cycling select / trace / focus: for each, the
     time until the LAST follower holds it (parsed off its socket; drawing is the browser's, see
     bench/browser.py), and its size on the wire (the same text to each follower);
  4. a question is asked; every student answers over 10 s (30 a second) while the presenter goes
     on sending an event every 0.5 s: those events' latency, and the time until the presenter's
     count says every student answered."""

EVENTS = [
    {"select": "Service/default/webapp", "tab": "inspect"},
    {"tab": "trace", "trace": {"from": "default/busybox", "url": "http://webapp:8080/"}},
    {"focus": ["Pod/default/busybox", "Service/default/webapp"]},
]


class Follower:
    """One page on the projected cluster: when each presenter event (by seq) arrived, and sizes."""

    def __init__(self, ws):
        self.ws = ws
        self.got: dict[int, float] = {}
        self.sizes: list[int] = []
        self.replies: dict[int, dict] = {}
        self.following = 0
        self.answered = 0
        self.ready = asyncio.Event()
        self.task = asyncio.ensure_future(self.run())

    async def run(self) -> None:
        try:
            async for raw in self.ws:
                now = time.perf_counter()
                if raw.startswith('{"type":"snapshot"'):
                    self.ready.set()
                    continue
                if raw.startswith('{"type":"view"'):
                    self.got[json.loads(raw)["seq"]] = now
                    self.sizes.append(len(raw.encode()))
                    continue
                message = json.loads(raw)
                kind = message["type"]
                if kind == "reply" and message.get("id") is not None:
                    self.replies[message["id"]] = message
                elif kind == "presence":
                    self.following = message.get("following", 0)
                elif kind == "answers":
                    self.answered = message["answered"]
        except Exception:  # closed at the end of the run
            pass

    async def send(self, message: dict) -> None:
        await self.ws.send(json.dumps(message))

    async def request(self, request_id: int, message: dict, timeout: float = 30) -> dict:
        await self.send({**message, "id": request_id})
        deadline = time.perf_counter() + timeout
        while request_id not in self.replies:
            if time.perf_counter() > deadline:
                raise TimeoutError(f"no reply to {message['type']}")
            await asyncio.sleep(0.01)
        return self.replies[request_id]


async def open_follower(port: int, slug: str, cookie: str) -> Follower:
    return Follower(await connect_cluster(port, slug, cookie))


async def presenter_load(ports: list[int], teacher_cookie: str, projected: str, cookies: list[str], events: int):
    teacher = await open_follower(ports[0], projected, teacher_cookie)
    await teacher.ready.wait()
    followers = []
    for start in range(0, len(cookies), 25):
        chunk = [
            await open_follower(ports[(start + i) % len(ports)], projected, c)
            for i, c in enumerate(cookies[start : start + 25])
        ]
        await asyncio.wait_for(asyncio.gather(*(f.ready.wait() for f in chunk)), 120)
        followers += chunk
    assert (await teacher.request(1, {"type": "present", "on": True}))["ok"]
    # every follower's `follow` answered (each reply carries the presentation, read in a thread)
    # before the first event: the figure is presenting to a class that follows, not the join rush
    await asyncio.gather(*(f.request(3, {"type": "follow", "on": True}, timeout=60) for f in followers))
    deadline = time.perf_counter() + 30
    while teacher.following < len(followers) and time.perf_counter() < deadline:
        await asyncio.sleep(0.1)
    following = teacher.following
    await asyncio.sleep(1.0)

    sent: dict[int, float] = {}
    seq = 0

    async def event(k: int) -> None:
        nonlocal seq
        seq += 1
        sent[seq] = time.perf_counter()
        await teacher.send({"type": "view", "set": EVENTS[k % len(EVENTS)]})

    async def wait_all(seqs) -> None:
        deadline = time.perf_counter() + 30
        while any(s not in f.got for f in followers for s in seqs) and time.perf_counter() < deadline:
            await asyncio.sleep(0.05)

    for k in range(events):
        await event(k)
        await asyncio.sleep(0.5)
    quiet = list(range(1, seq + 1))
    await wait_all(quiet)

    # a question, answered by every student over 10 s while the presenter goes on presenting
    asked = await teacher.request(
        2, {"type": "ask", "question": {"kind": "choice", "prompt": "?", "choices": ["a", "b"], "correct": 0}}
    )
    question = asked["question"]["id"]
    answer_started = time.perf_counter()
    spread = 10.0 / len(followers)

    async def answers() -> None:
        for i, f in enumerate(followers):
            await asyncio.sleep(max(0.0, answer_started + i * spread - time.perf_counter()))
            await f.send({"type": "answer", "question": question, "answer": {"choice": i % 2}, "id": 10_000 + i})

    async def presenting_meanwhile() -> list[int]:
        during = []
        k = 0
        while time.perf_counter() < answer_started + 10.0:
            await event(k)
            during.append(seq)
            k += 1
            await asyncio.sleep(0.5)
        return during

    _, busy = await asyncio.gather(answers(), presenting_meanwhile())
    last_answer_sent = time.perf_counter()
    deadline = time.perf_counter() + 30
    while teacher.answered < len(followers) and time.perf_counter() < deadline:
        await asyncio.sleep(0.02)
    counted_after = time.perf_counter() - last_answer_sent
    await wait_all(busy)
    refused = sum(1 for f in followers for r in f.replies.values() if not r.get("ok"))

    def lags(seqs) -> list[float]:
        out = []
        for s in seqs:
            times = [f.got.get(s) for f in followers]
            if all(times):
                out.append((max(times) - sent[s]) * 1000)
        return out

    quiet_lags, busy_lags = lags(quiet), lags(busy)
    sizes = [size for f in followers for size in f.sizes]
    for ws in [teacher, *followers]:
        await ws.ws.close()
    return {
        "followers": len(followers),
        "following": following,
        "events": len(quiet),
        "measured": len(quiet_lags),
        "p50": percentile(quiet_lags, 0.5),
        "p99": percentile(quiet_lags, 0.99),
        "max": max(quiet_lags, default=float("nan")),
        "slowest": sorted(zip(quiet_lags, quiet, strict=True), reverse=True)[:3],
        "bytes_mean": sum(sizes) / max(1, len(sizes)),
        "bytes_max": max(sizes, default=0),
        "busy_events": len(busy),
        "busy_measured": len(busy_lags),
        "busy_p50": percentile(busy_lags, 0.5),
        "busy_p99": percentile(busy_lags, 0.99),
        "answered": teacher.answered,
        "counted_after_s": counted_after,
        "answer_refused": refused,
    }


def run_presenter(env: dict, workers: int, students: int, events: int, label: str) -> dict:
    livehelpers.manage(env, "migrate", "--noinput")
    livehelpers.manage(env, "createinstructor", "bench", "--password", PASSWORD)
    with livehelpers.daphnes(env, workers) as (ports, processes):
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        teacher, code, projected = sign_in_and_make_class(bases[0], "bench")

        def join_only(n: int) -> str:
            student = Browser(bases[n % workers])
            student.request(f"/join/{code}/")
            status, _, _ = student.request("/join/", {"code": code, "display_name": f"student {n:03d}"})
            assert status == 302, f"join failed: {status}"
            return student.cookie("sessionid")

        with ThreadPoolExecutor(max_workers=16) as pool:
            cookies = list(pool.map(join_only, range(students)))
        cpu_before = [cpu_seconds(p.pid) for p in processes]
        started = time.perf_counter()
        result = asyncio.run(presenter_load(ports, teacher.cookie("sessionid"), projected, cookies, events))
        elapsed = time.perf_counter() - started
        result["server_cpu"] = [
            100 * (cpu_seconds(p.pid) - before) / elapsed for p, before in zip(processes, cpu_before, strict=True)
        ]
        result["rss_mb"] = sum(rss_mb(p.pid) for p in processes)
    result["label"] = label
    return result


def report_presenter(r: dict) -> None:
    print(
        f"\n{r['label']}: {r['followers']} followers ({r['following']} counted following by the presenter)\n"
        f"  presenter event -> the last follower holds it: p50 {r['p50']:.1f} ms, p99 {r['p99']:.1f} ms, "
        f"max {r['max']:.1f} ms ({r['measured']} of {r['events']} events)\n"
        f"  slowest: {', '.join(f'event {seq} {lag:.0f} ms' for lag, seq in r['slowest'])}\n"
        f"  bytes per follower per event: mean {r['bytes_mean']:.0f}, max {r['bytes_max']}\n"
        f"  while {r['followers']} answer in 10 s: events p50 {r['busy_p50']:.1f} ms, p99 {r['busy_p99']:.1f} ms "
        f"({r['busy_measured']} of {r['busy_events']}); the presenter's count reached {r['answered']} "
        f"{r['counted_after_s'] * 1000:.0f} ms after the last answer; refused answers {r['answer_refused']}\n"
        f"  server CPU {' + '.join(f'{c:.0f}' for c in r['server_cpu'])} % of a core; resident {r['rss_mb']:.0f} MB",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=60.0, help="seconds of editing")
    parser.add_argument(
        "--arrivals", type=float, default=40.0, help="the students arrive one after another over these seconds"
    )
    parser.add_argument("--redis", action="store_true", help="only PostgreSQL + Redis with two daphne workers")
    parser.add_argument("--embedded", action="store_true", help="only the embedded default")
    parser.add_argument("--presenter", action="store_true", help="presenting live instead: " + PRESENTER_DOC)
    parser.add_argument("--events", type=int, default=40, help="--presenter: presenter events before the question")
    args = parser.parse_args()
    limits = {
        "KUBEVIZ_MAX_STUDENTS_PER_CLASS": args.students + 10,
        "KUBEVIZ_MAX_SANDBOXES_PER_CLASS": args.students + 10,
    }
    if args.presenter:
        main_presenter(args, limits)
        return
    results = []
    if not args.redis:
        with tempfile.TemporaryDirectory() as tmp:
            env = livehelpers.server_env(f"sqlite:///{tmp}/bench.sqlite3", redis=False, **limits)
            results.append(
                run(
                    env,
                    1,
                    args.students,
                    args.seconds,
                    "embedded default (one daphne, SQLite, in-memory)",
                    args.arrivals,
                )
            )
            report(results[-1])
    if not args.embedded:
        with livehelpers.postgres_database() as url:
            env = livehelpers.server_env(url, redis=True, **limits)
            results.append(
                run(env, 2, args.students, args.seconds, "PostgreSQL + Redis, two daphne workers", args.arrivals)
            )
            report(results[-1])
    print(
        "\n| setup | join + fork, all | fork server time p50 / max | instructor edit → last student p50 / p99 "
        "| student apply → own screen p50 / p99 | resident memory (peak) | lost |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['label']} | {r['join_s']:.1f} s | {r['fork_server_p50']:.1f} / {r['fork_server_max']:.1f} ms "
            f"| {r['teacher_p50']:.1f} / {r['teacher_p99']:.1f} ms | {r['student_p50']:.1f} / {r['student_p99']:.1f} ms "
            f"| {r['rss_mb']:.0f} MB ({r['peak_rss_mb']:.0f} MB) | {len(r['lost'])} |"
        )


def main_presenter(args, limits: dict) -> None:
    results = []
    if not args.redis:
        with tempfile.TemporaryDirectory() as tmp:
            env = livehelpers.server_env(f"sqlite:///{tmp}/bench.sqlite3", redis=False, **limits)
            label = "embedded default (one daphne, SQLite, in-memory)"
            results.append(run_presenter(env, 1, args.students, args.events, label))
            report_presenter(results[-1])
    if not args.embedded:
        with livehelpers.postgres_database() as url:
            env = livehelpers.server_env(url, redis=True, **limits)
            label = "PostgreSQL + Redis, two daphne workers"
            results.append(run_presenter(env, 2, args.students, args.events, label))
            report_presenter(results[-1])
    print(
        "\n| setup | event → last follower p50 / p99 | bytes per follower per event | events while 300 answer "
        "p50 / p99 | answers counted |"
    )
    print("|---|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['label']} | {r['p50']:.1f} / {r['p99']:.1f} ms | {r['bytes_mean']:.0f} (max {r['bytes_max']}) "
            f"| {r['busy_p50']:.1f} / {r['busy_p99']:.1f} ms | {r['answered']} of {r['followers']} |"
        )


if __name__ == "__main__":
    main()
