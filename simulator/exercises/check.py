"""Evaluating goals: a step's checks against an engine, as the live panel, `simulate --check` and
CI use them. A goal whose checker raises is a failed check saying so, never a crash of the caller.
"""

from __future__ import annotations

from dataclasses import dataclass

from .format import Exercise, Step
from .goals import CHECKERS
from .markdown import render


@dataclass(frozen=True)
class Check:
    step: int
    goal: str
    title: str
    passed: bool
    why: str

    def to_dict(self) -> dict:
        return {"step": self.step, "goal": self.goal, "title": self.title, "passed": self.passed, "why": self.why}


def evaluate_step(cluster, step: Step) -> list[Check]:
    """Every goal of one step, in the step's order."""
    out = []
    for goal in step.goals:
        try:
            outcome = CHECKERS[goal.type](cluster, goal.spec)
            passed, why = outcome.passed, outcome.why
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            passed, why = False, f"this goal cannot be checked ({type(exc).__name__}: {exc}): fix the lesson file"
        out.append(Check(step.number, goal.id, goal.title, passed, why))
    return out


def evaluate(cluster, exercise: Exercise, step: int | None = None) -> list[Check]:
    """The checks of one step (`step`, from 1) or of every step in order."""
    steps = [exercise.step(step)] if step is not None else list(exercise.steps)
    return [check for s in steps for check in evaluate_step(cluster, s)]


def public_step(exercise: Exercise, number: int) -> dict:
    """What a student may see of a step: title, text as safe HTML, goals, how many hints there
    are (their text is sent one at a time, when asked). Never the solution."""
    step = exercise.step(number)
    return {
        "number": step.number,
        "of": len(exercise.steps),
        "title": step.title,
        "html": render(step.text),
        "goals": [g.to_public() for g in step.goals],
        "hintCount": len(step.hints),
    }
