"""The Job controller (NonIndexed completion mode): keep `parallelism` pods running until
`completions` succeed; a work queue (no completions) finishes when one pod succeeded and none is
active; more than backoffLimit failures fail the Job.

Source: pkg/controller/job/job_controller.go (syncJob, manageJob, the Complete and Failed
conditions, BackoffLimitExceeded). The pods' run time comes from the simulated clock
(`kubelet/clock`); a Job says how long its pods run, and how many runs fail, with the
`kubeviz.io/run-seconds` and `kubeviz.io/failures` annotations.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import Workload, copy_manifest
from ..wellknown import FAILURES_ANNOTATION, RUN_SECONDS_ANNOTATION

if TYPE_CHECKING:
    from ..store import Store
    from .manager import ControllerManager

DEFAULT_RUN_SECONDS = 10.0


def sync(manager: ControllerManager, job: Workload) -> None:
    store = manager.store
    status = job.manifest.get("status") or {}
    if any(
        c.get("type") in ("Complete", "Failed") and c.get("status") == "True" for c in status.get("conditions") or ()
    ):
        return
    if job.spec.get("suspend"):
        return
    parallelism, completions, backoff = _numbers(job)
    pods = store.owned_by(job.uid, "Pod")
    active = [p for p in pods if not p.terminal]
    succeeded = int(status.get("succeeded", 0))
    failed = int(status.get("failed", 0))
    if failed > backoff:
        for pod in active:
            manager.delete(pod)
        finish(store, job, "Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit")
        return
    if completions is not None:
        if succeeded >= completions:
            finish(store, job, "Complete")
            return
        want = min(parallelism, completions - succeeded)
    else:
        if succeeded > 0:
            if not active:
                finish(store, job, "Complete")
            return
        want = parallelism
    if len(active) < want:
        manager.create_pods(job, "batch/v1", job.template, {}, count=want - len(active))
        if "startTime" not in status:
            set_status(store, job, {"startTime": store.timestamp})
    elif len(active) > want:
        for pod in sorted(active, key=lambda p: -p.seq)[: len(active) - want]:
            manager.delete(pod)


def _numbers(job: Workload) -> tuple[int, int | None, int]:
    spec = job.spec
    return spec.get("parallelism", 1), spec.get("completions"), spec.get("backoffLimit", 6)


def set_status(store: Store, job: Workload, updates: dict) -> Workload:
    """Merge `updates` into the stored Job's status (a new version of it)."""
    job = store.objects["Job"][job.key]
    manifest = copy_manifest(job.manifest)
    manifest["status"] = {**(manifest.get("status") or {}), **updates}
    return store.write(job, manifest)


def finish(store: Store, job: Workload, condition: str, reason: str = "", message: str = "") -> None:
    cond = {"type": condition, "status": "True", "lastTransitionTime": store.timestamp}
    if reason:
        cond["reason"], cond["message"] = reason, message
    updates = {"conditions": [cond]}
    if condition == "Complete":
        updates["completionTime"] = store.timestamp
    set_status(store, job, updates)


def run_seconds(job: Workload) -> float:
    """How long each pod of the Job runs, in simulated seconds."""
    try:
        return max(0.0, float(job.annotations.get(RUN_SECONDS_ANNOTATION, DEFAULT_RUN_SECONDS)))
    except ValueError:
        return DEFAULT_RUN_SECONDS


def failures_wanted(job: Workload) -> int:
    """How many of the Job's pod runs fail before they succeed."""
    try:
        return int(job.annotations.get(FAILURES_ANNOTATION, 0))
    except ValueError:
        return 0
