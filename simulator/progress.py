"""A cluster's progress through its lesson's exercise (docs/lessons.md): the goals of the current
step evaluated after every change, hints revealed one at a time, and the instructor's board.

`progress_after_change` is called by `services._publish`, the one path every change takes, inside
its transaction and with the engine at the new version: it evaluates the current step's goals
(simulator/exercises, pure), records when each goal was first solved, and on commit pushes the
student's panel to the cluster's watchers and the student's row to the class's board. Nothing is
done for a cluster whose lesson has no steps. The reference solutions never leave the server.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from . import lessons, push, repository
from .exercises import Exercise, evaluate_step, public_step
from .live import payloads
from .models import Classroom, Cluster, ExerciseProgress, Student

_EXERCISES: dict[str, tuple[float, Exercise | None]] = {}


class ExerciseUnavailable(Exception):
    """The cluster has no exercise (its lesson has no steps); the message says so."""


def exercise_of(lesson: str | None) -> Exercise | None:
    """The exercise of a lesson with steps (parsed once per version of its file), else None."""
    if not lesson:
        return None
    path = lessons.directory() / f"{lesson}.yaml"
    try:
        stamp = path.stat().st_mtime
    except OSError:
        return None
    cached = _EXERCISES.get(str(path))
    if cached is not None and cached[0] == stamp:
        return cached[1]
    try:
        exercise = lessons.get(lesson).exercise
    except (lessons.UnknownLesson, ValueError):
        exercise = None
    _EXERCISES[str(path)] = (stamp, exercise)
    return exercise


def _iso(moment: datetime.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _evaluate(row: ExerciseProgress, exercise: Exercise, engine, version: int) -> bool:
    """Evaluate the row's current step on `engine`; True when anything a viewer sees changed."""
    now = timezone.now()
    step = exercise.step(min(max(row.step, 1), len(exercise.steps)))
    checks = [c.to_dict() for c in evaluate_step(engine, step)]
    changed = checks != row.checks
    for check in checks:
        key = f"{check['step']}.{check['goal']}"
        if check["passed"] and key not in row.solved:
            row.solved = {**row.solved, key: now.isoformat()}
            row.progressed = now
            changed = True
    if step.number == len(exercise.steps) and all(c["passed"] for c in checks) and row.finished is None:
        row.finished = now
        changed = True
    row.checks = checks
    row.version = version
    return changed


def progress_after_change(*, cluster: Cluster, engine) -> None:
    """Re-evaluate the current step's goals after a change (inside the change's transaction) and,
    on commit, push the panel and the board row. Cheap when the cluster has no exercise."""
    exercise = exercise_of(cluster.lesson)
    if exercise is None:
        return
    row, made = ExerciseProgress.objects.get_or_create(cluster=cluster)
    if not _evaluate(row, exercise, engine, cluster.version) and not made:
        ExerciseProgress.objects.filter(pk=row.pk).update(version=cluster.version)
        return
    row.save()
    _push_on_commit(cluster, row, exercise)


def _push_on_commit(cluster: Cluster, row: ExerciseProgress, exercise: Exercise) -> None:
    text = payloads.encode(panel(cluster, row, exercise))
    board = None
    if cluster.classroom_id is not None and cluster.role == Cluster.SANDBOX and cluster.owner_student_id:
        student = Student.objects.filter(pk=cluster.owner_student_id).first()
        if student is not None:
            board = payloads.encode({"type": "board-row", "row": board_row(student, cluster, row, exercise)})
    cluster_id, classroom_id = cluster.pk, cluster.classroom_id

    def after_commit() -> None:
        push.exercise(cluster_id, text)
        if board is not None:
            push.board(classroom_id, board)

    transaction.on_commit(after_commit)


# ---------------------------------------------------------------------- what the student sees
def panel(cluster: Cluster, row: ExerciseProgress, exercise: Exercise) -> dict:
    """The student's Exercise panel: the step (safe HTML, goals), the checks with their why, the
    hints shown so far, whether the step is done. Never a solution."""
    number = min(max(row.step, 1), len(exercise.steps))
    step = exercise.step(number)
    shown = int(row.hints.get(str(number), 0))
    checks = row.checks or []
    done = bool(checks) and all(c["passed"] for c in checks)
    return {
        "type": "exercise",
        "lesson": exercise.name,
        "title": exercise.title,
        "version": row.version,
        "step": public_step(exercise, number),
        "checks": [{k: c[k] for k in ("goal", "title", "passed", "why")} for c in checks],
        "hints": list(step.hints[:shown]),
        "done": done,
        "last": number == len(exercise.steps),
        "finished": _iso(row.finished),
    }


def _row_for(cluster: Cluster, exercise: Exercise) -> ExerciseProgress:
    """The cluster's progress row, evaluated at the cluster's current version (made if missing).

    Locks the cluster's row first, in the order every write takes its locks: a socket connecting
    (which makes the row) and an apply (which updates it) otherwise waited on each other on
    PostgreSQL, each holding what the other needed, until it broke the deadlock."""
    with transaction.atomic():
        current = Cluster.objects.select_for_update().filter(pk=cluster.pk).values_list("version", flat=True).first()
        row, made = ExerciseProgress.objects.get_or_create(cluster=cluster)
        if made or row.version != current:
            source, warm = repository.warm_for_read(cluster)
            if _evaluate(row, exercise, warm.engine, source.version) or made:
                row.save()
            else:
                ExerciseProgress.objects.filter(pk=row.pk).update(version=source.version)
    return row


def exercise_state(cluster: Cluster) -> dict | None:
    """The panel of a cluster of a lesson with steps (for a socket that connects), else None."""
    exercise = exercise_of(cluster.lesson)
    if exercise is None:
        return None
    return panel(cluster, _row_for(cluster, exercise), exercise)


def _exercise_or_refuse(cluster: Cluster) -> Exercise:
    exercise = exercise_of(cluster.lesson)
    if exercise is None:
        raise ExerciseUnavailable("this cluster's lesson has no steps, so there is no exercise to follow")
    return exercise


def exercise_hint(*, cluster: Cluster) -> dict:
    """Reveal the next hint of the current step (counted); the panel, pushed to every watcher."""
    exercise = _exercise_or_refuse(cluster)
    with transaction.atomic():
        _row_for(cluster, exercise)
        row = ExerciseProgress.objects.select_for_update().get(cluster=cluster)
        number = min(max(row.step, 1), len(exercise.steps))
        shown = int(row.hints.get(str(number), 0))
        if shown < len(exercise.step(number).hints):
            row.hints = {**row.hints, str(number): shown + 1}
            row.save(update_fields=["hints"])
            _push_on_commit(cluster, row, exercise)
    return panel(cluster, row, exercise)


def progress_step_to(*, cluster: Cluster, number: int) -> ExerciseProgress:
    """Record that the cluster moved to step `number` (its manifests were applied by the caller)."""
    row = ExerciseProgress.objects.select_for_update().get(cluster=cluster)
    row.step = number
    row.step_started = row.progressed = timezone.now()
    row.version = -1  # the new step's goals are evaluated at the next read or change
    row.save(update_fields=["step", "step_started", "progressed", "version"])
    return row


def progress_restart(*, cluster: Cluster) -> None:
    """The cluster went back to its lesson's start: its exercise starts again at step 1 (the hints
    used and the times goals were first solved are kept, for the board's history)."""
    now = timezone.now()
    ExerciseProgress.objects.filter(cluster=cluster).update(
        step=1, version=-1, finished=None, step_started=now, progressed=now
    )


def push_panel(cluster: Cluster) -> dict | None:
    """Evaluate if stale, then push the panel and the board row now (after a step change)."""
    exercise = exercise_of(cluster.lesson)
    if exercise is None:
        return None
    row = _row_for(cluster, exercise)
    _push_on_commit(cluster, row, exercise)
    return panel(cluster, row, exercise)


def push_student_row(student: Student) -> None:
    """A student joined (no sandbox yet): their row on the board, on commit."""
    classroom = Classroom.objects.filter(pk=student.classroom_id).first()
    exercise = exercise_of(classroom.lesson) if classroom is not None else None
    if exercise is None:
        return
    text = payloads.encode({"type": "board-row", "row": board_row(student, None, None, exercise)})
    classroom_id = classroom.pk
    transaction.on_commit(lambda: push.board(classroom_id, text))


# ---------------------------------------------------------------------- the instructor's board
def board_columns(exercise: Exercise) -> list[dict]:
    return [
        {"key": f"{s.number}.{g.id}", "step": s.number, "goal": g.id, "title": g.title}
        for s in exercise.steps
        for g in s.goals
    ]


def board_row(student: Student, cluster: Cluster | None, row: ExerciseProgress | None, exercise: Exercise) -> dict:
    """One student's line: each goal ✓ (with when it was first solved) or ✗ (the current step's
    failing ones, with why) or not reached, the hints used, since when nothing progressed."""
    cells: dict[str, dict] = {}
    current = row.step if row is not None else 1
    current_checks = {f"{c['step']}.{c['goal']}": c for c in (row.checks if row is not None else [])}
    solved_count = 0
    for column in board_columns(exercise):
        key = column["key"]
        at = row.solved.get(key) if row is not None else None
        check = current_checks.get(key)
        if column["step"] < current or (check is not None and check["passed"]):
            cells[key] = {"state": "ok", "at": at}
            solved_count += 1
        elif check is not None:
            cells[key] = {"state": "fail", "why": check["why"], "at": at}
        else:
            cells[key] = {"state": "todo"}
    return {
        "student": student.pk,
        "name": student.display_name,
        "sandbox": cluster.slug if cluster is not None else None,
        "step": current,
        "solved": solved_count,
        "hints": sum(int(v) for v in row.hints.values()) if row is not None else 0,
        "since": _iso(row.progressed) if row is not None else None,
        "finished": _iso(row.finished) if row is not None else None,
        "cells": cells,
    }


def board(classroom: Classroom) -> dict:
    """The whole board of a class whose lesson has steps: columns, one row per current student."""
    exercise = exercise_of(classroom.lesson)
    if exercise is None:
        return {"exercise": None, "columns": [], "rows": []}
    students = list(Student.objects.filter(classroom=classroom, removed=False).order_by("display_name", "pk"))
    sandboxes = {
        c.owner_student_id: c
        for c in Cluster.objects.filter(classroom=classroom, role=Cluster.SANDBOX, owner_student__in=students)
    }
    rows = {p.cluster_id: p for p in ExerciseProgress.objects.filter(cluster__in=list(sandboxes.values()))}
    out = []
    for student in students:
        sandbox = sandboxes.get(student.pk)
        row = rows.get(sandbox.pk) if sandbox is not None else None
        if sandbox is not None and (row is None or row.version != sandbox.version):
            row = _row_for(sandbox, exercise)
        out.append(board_row(student, sandbox, row, exercise))
    return {
        "exercise": {"lesson": exercise.name, "title": exercise.title, "steps": len(exercise.steps)},
        "columns": board_columns(exercise),
        "rows": out,
    }
