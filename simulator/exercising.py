"""Moving on in an exercise: the next step's manifests applied through `services` (the one write
path, so the change is pushed and the goals re-evaluated like any other), then the step recorded
(`progress`). Who may is decided before, by `permissions.decide` (as a write of the cluster)."""

from __future__ import annotations

from django.db import transaction

from . import progress, services
from .models import Cluster


def exercise_next(*, cluster: Cluster, user=None) -> dict:
    """Go to the next step when every goal of the current one passes. Returns
    `{"advanced": bool, "why": str, "panel": {...}}`; not advancing is an answer, not an error."""
    exercise = progress.exercise_of(cluster.lesson)
    if exercise is None:
        raise progress.ExerciseUnavailable("this cluster's lesson has no steps, so there is no next step")
    state = progress.exercise_state(cluster)
    number = state["step"]["number"]
    if not state["done"]:
        failing = [c["title"] for c in state["checks"] if not c["passed"]]
        return {"advanced": False, "why": f"step {number} is not done yet: {'; '.join(failing)}", "panel": state}
    if number >= len(exercise.steps):
        return {"advanced": False, "why": "this was the last step: the exercise is done", "panel": state}
    step = exercise.step(number + 1)
    with transaction.atomic():
        progress.progress_step_to(cluster=cluster, number=step.number)
        if step.apply.strip():
            outcome = services.cluster_apply(cluster=cluster, text=step.apply, user=user)
            if not outcome.ok:
                raise services.ServiceError(f"step {step.number}'s manifests do not apply: {outcome.errors[0]}")
    state = progress.push_panel(cluster)
    return {"advanced": True, "why": f"step {step.number}: {step.title}", "panel": state}
