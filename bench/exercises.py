"""Exercise benchmark: evaluating the current step's goals after each change of a sandbox.

    python bench/exercises.py             # every built-in exercise, 200 changes each
    python bench/exercises.py --extra 100 # the same with 100 more pods (10 Services) in each cluster
    python bench/exercises.py --class 300 # a class of 300 through the app (SQLite, in-memory layer)

For each lesson with steps in lessons/: a fresh cluster from its start (as a new sandbox is), then
`--changes` one-object edits (a pod relabelled back and forth, so Services' endpoints, DNS and
env change), and after each, `evaluate_step` on the current step — what `services._publish`
runs through `progress.progress_after_change` on every change. Halfway the step's reference
solution is applied, so both failing goals (which explain themselves) and passing ones are timed.
With `--class N`, the app floor in one process on a temporary SQLite database: a class on
exercise-selector, N students joining and making their sandboxes, the board read whole (what an
instructor's board gets on connect), then one apply per student: the apply's own time, the part
of it spent re-evaluating the goals and writing the progress row (`progress_after_change`), and
the time from calling the apply to the board's row arriving on the board's group (the in-memory
channel layer; the browser's own hop is not counted).

Printed per exercise: objects in the cluster, goals, the first evaluation (it builds the derived
views' memos, as the first after a sandbox is made does), then median / p95 / max of the others
(target <= 5 ms on a lesson-sized cluster), and the edit's own median for comparison. The machine
is shared: max values include whatever else ran at that moment.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from simulator.engine import Engine
from simulator.exercises import evaluate_step, is_exercise, parse_exercise

LESSONS = pathlib.Path(__file__).resolve().parent.parent / "lessons"
POD = """apiVersion: v1
kind: Pod
metadata:
  name: bench-{n}
  labels: {{app: bench, tier: "{tier}"}}
spec:
  containers: [{{name: c, image: nginx, ports: [{{containerPort: 80}}]}}]
"""
EXTRA_SERVICE = """apiVersion: v1
kind: Service
metadata: {{name: extra-{n}}}
spec:
  selector: {{app: extra, group: "{n}"}}
  ports: [{{port: 80}}]
"""
EXTRA_POD = """apiVersion: v1
kind: Pod
metadata:
  name: extra-{n}
  labels: {{app: extra, group: "{group}"}}
spec:
  containers: [{{name: c, image: nginx, ports: [{{containerPort: 80}}]}}]
"""


def extra(pods: int) -> str:
    services = [EXTRA_SERVICE.format(n=n) for n in range(max(1, pods // 10))]
    return "---\n".join(services + [EXTRA_POD.format(n=n, group=n % max(1, pods // 10)) for n in range(pods)])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def bench(path: pathlib.Path, changes: int, extra_pods: int) -> dict:
    exercise = parse_exercise(path.stem, path.read_text())
    engine = Engine.new()
    engine.apply_text(exercise.start)
    if extra_pods:
        engine.apply_text(extra(extra_pods))
    engine.reconcile()
    step = exercise.steps[0]
    evaluations, edits = [], []
    for n in range(changes):
        if n == changes // 2 and step.solution is not None:
            for kind, namespace, name in step.solution.delete:
                engine.delete(kind, namespace, name)
            if step.solution.apply.strip():
                engine.apply_text(step.solution.apply)
            if step.solution.settle:
                engine.settle()
        started = time.perf_counter()
        engine.apply_text(POD.format(n=n % 5, tier="a" if n % 2 else "b"))
        engine.pop_change_log()
        edited = time.perf_counter()
        checks = evaluate_step(engine, step)
        done = time.perf_counter()
        edits.append((edited - started) * 1000)
        evaluations.append((done - edited) * 1000)
    objects = sum(1 for _ in engine.all_objects())
    first, evaluations = evaluations[0], evaluations[1:]  # the first builds the derived views' memos
    return {
        "first": first,
        "name": path.stem,
        "objects": objects,
        "goals": len(checks),
        "passed": sum(c.passed for c in checks),
        "median": statistics.median(evaluations),
        "p95": percentile(evaluations, 0.95),
        "max": max(evaluations),
        "edit": statistics.median(edits),
    }


def bench_class(students: int) -> None:
    import tempfile

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kubeviz.settings")
    folder = tempfile.mkdtemp(prefix="kubeviz-bench-exercises-")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer
    from django.conf import settings
    from django.core.management import call_command

    from simulator import classrooms, lessons, progress, push, services

    settings.KUBEVIZ_MAX_STUDENTS_PER_CLASS = settings.KUBEVIZ_MAX_SANDBOXES_PER_CLASS = students + 10
    call_command("migrate", verbosity=0)
    teacher, _ = classrooms.instructor_create(username="bench", password="bench-password-1")
    klass = classrooms.classroom_create(owner=teacher, name="Bench", lesson="exercise-selector")
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(push.board_group(klass.pk), channel)

    started = time.perf_counter()
    sandboxes = []
    for n in range(students):
        student, _ = classrooms.student_join(code=klass.join_code, display_name=f"student {n}")
        sandboxes.append(classrooms.sandbox_get_or_create(student=student)[0])
    joined = time.perf_counter() - started
    drained = 0
    while layer.channels.get(channel, None) is not None and not layer.channels[channel].empty():
        async_to_sync(layer.receive)(channel)
        drained += 1

    started = time.perf_counter()
    board = progress.board(klass)
    board_ms = (time.perf_counter() - started) * 1000

    evaluating: list[float] = []
    original = progress.progress_after_change

    def timed(**kwargs):
        t0 = time.perf_counter()
        original(**kwargs)
        evaluating.append((time.perf_counter() - t0) * 1000)

    services.progress.progress_after_change = timed
    solution = lessons.get("exercise-selector").exercise.step(1).solution.apply
    applies, arrivals = [], []
    for sandbox in sandboxes:
        t0 = time.perf_counter()
        services.cluster_apply(cluster=sandbox, text=solution)
        t1 = time.perf_counter()
        message = async_to_sync(layer.receive)(channel)
        t2 = time.perf_counter()
        assert message["type"] == "board.row"
        applies.append((t1 - t0) * 1000)
        arrivals.append((t2 - t0) * 1000)
    services.progress.progress_after_change = original

    def stats(values: list[float]) -> str:
        return f"{statistics.median(values):.1f} / {percentile(values, 0.99):.1f} / {max(values):.1f} ms"

    print(f"a class of {students} on exercise-selector (SQLite, in-memory layer, one process)")
    print(f"  join + sandbox, all {students}:      {joined:.1f} s ({drained} board rows pushed meanwhile)")
    print(f"  the whole board ({len(board['rows'])} rows):   {board_ms:.1f} ms")
    print(f"  apply, p50 / p99 / max:             {stats(applies)}")
    print(f"    of which goals + progress row:    {stats(evaluating)}")
    print(f"  apply called -> board row on group: {stats(arrivals)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--changes", type=int, default=200)
    parser.add_argument("--extra", type=int, default=0, help="more pods (and a Service per 10) in each cluster")
    parser.add_argument("--class", dest="students", type=int, default=0, help="a class of N through the app")
    args = parser.parse_args()
    if args.students:
        bench_class(args.students)
        return
    paths = sorted(p for p in LESSONS.glob("*.yaml") if is_exercise(p.read_text()))
    print(f"goal evaluation per change, {args.changes} changes per exercise, +{args.extra} pods")
    print(
        f"{'exercise':32} {'objects':>7} {'goals':>5} {'first ms':>9} {'median ms':>10} {'p95 ms':>8} {'max ms':>8} "
        f"{'edit ms':>8}"
    )
    worst = 0.0
    for path in paths:
        r = bench(path, args.changes, args.extra)
        worst = max(worst, r["p95"])
        print(
            f"{r['name']:32} {r['objects']:7d} {r['goals']:5d} {r['first']:9.3f} {r['median']:10.3f} {r['p95']:8.3f} "
            f"{r['max']:8.3f} {r['edit']:8.3f}"
        )
    print(f"worst p95: {worst:.3f} ms (target <= 5 ms)")


if __name__ == "__main__":
    main()
