"""Exercises: lesson steps with goals, checked against a simulated cluster (pure Python, no Django).

A lesson file may grow steps (docs/lessons.md): each step has Markdown text, optional manifests
applied at its start, goals (declarative checks over the cluster the engine simulates), hints and
a reference solution that is never sent to a student. `format` reads such a file, `goals` checks
one goal against an engine and says why it fails in the engine's own words, `markdown` renders a
step's text safely, and `check` evaluates a step (the live panel, `simulate --check`, CI).
"""

from .check import Check, evaluate, evaluate_step, public_step
from .format import Exercise, ExerciseError, Goal, Solution, Step, is_exercise, lesson_manifests, parse_exercise
from .markdown import render

__all__ = [
    "Check",
    "Exercise",
    "ExerciseError",
    "Goal",
    "Solution",
    "Step",
    "evaluate",
    "evaluate_step",
    "is_exercise",
    "lesson_manifests",
    "parse_exercise",
    "public_step",
    "render",
]
