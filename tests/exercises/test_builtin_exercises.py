"""Every built-in exercise can be solved, step by step, and does not start solved: its start
fails its first step, each step fails before its reference solution is applied and passes after.
The same path a student takes: a fresh cluster, the start, each step's manifests, the solution."""

from __future__ import annotations

import pathlib

import pytest

from simulator.engine import Engine
from simulator.exercises import evaluate_step, is_exercise, parse_exercise

LESSONS = pathlib.Path(__file__).resolve().parents[2] / "lessons"
EXERCISES = sorted(p for p in LESSONS.glob("*.yaml") if is_exercise(p.read_text()))


def load(path: pathlib.Path):
    return parse_exercise(path.stem, path.read_text())


def started(exercise) -> Engine:
    engine = Engine.new()
    result = engine.apply_text(exercise.start, atomic=True)
    assert not result.errors, [str(e) for e in result.errors]
    engine.reconcile()
    return engine


def apply_solution(engine: Engine, step) -> None:
    solution = step.solution
    assert solution is not None, f"step {step.number} has no reference solution"
    for kind, namespace, name in solution.delete:
        assert engine.delete(kind, namespace, name).ok, (kind, namespace, name)
    engine.finish_terminating()  # as `kubectl delete` waits until the pods are gone
    if solution.apply.strip():
        result = engine.apply_text(solution.apply, atomic=True)
        assert not result.errors, [str(e) for e in result.errors]
    if solution.settle:
        assert engine.settle()
    engine.finish_terminating()  # pods the controllers deleted are gone a moment later


def test_there_are_at_least_eight_built_in_exercises():
    assert len(EXERCISES) >= 8


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.stem)
def test_the_reference_solution_passes_every_step_and_no_step_starts_solved(path):
    exercise = load(path)
    engine = started(exercise)
    for step in exercise.steps:
        if step.number > 1 and step.apply.strip():
            result = engine.apply_text(step.apply, atomic=True)
            assert not result.errors, [str(e) for e in result.errors]
        before = evaluate_step(engine, step)
        assert not all(c.passed for c in before), f"step {step.number} is solved before its solution"
        assert all(c.why for c in before if not c.passed)
        apply_solution(engine, step)
        after = evaluate_step(engine, step)
        assert [c for c in after if not c.passed] == [], f"step {step.number} fails after its solution"


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.stem)
def test_every_step_has_text_goals_and_hints(path):
    exercise = load(path)
    for step in exercise.steps:
        assert step.text and step.goals and step.hints
