"""The Job controller: keep `parallelism` pods running until `completions` succeed; a work queue
(no completions) finishes when one pod succeeded and none is active; more than backoffLimit
failures fail the Job. An Indexed Job (`completionMode: Indexed`) runs one pod per completion
index, lowest pending indexes first, and is complete when every index in [0, completions) has
succeeded once (`status.completedIndexes`).

Source: pkg/controller/job/job_controller.go (syncJob, manageJob, the Complete and Failed
conditions, BackoffLimitExceeded) and indexed_job_utils.go (firstPendingIndexes, the index's
label, annotation, hostname and pod name; completedIndexes as intervals). The pods' run time comes from the simulated clock
(`kubelet/clock`); a Job says how long its pods run, and how many runs fail, with the
`kubeviz.io/run-seconds` and `kubeviz.io/failures` annotations.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import Workload, copy_manifest
from ..wellknown import FAILURES_ANNOTATION, JOB_COMPLETION_INDEX, RUN_SECONDS_ANNOTATION

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
    active = [p for p in pods if p.active]  # a terminating pod is not counted (IsPodActive)
    succeeded = int(status.get("succeeded", 0))
    failed = int(status.get("failed", 0))
    if failed > backoff:
        for pod in active:
            manager.delete(pod)
        finish(store, job, "Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit")
        return
    if job.spec.get("completionMode") == "Indexed" and completions is not None:
        _sync_indexed(manager, job, status, active, parallelism, completions)
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


def _sync_indexed(
    manager: ControllerManager, job: Workload, status: dict, active: list, parallelism: int, completions: int
) -> None:
    """manageJob for an Indexed Job: the first pending indexes (neither succeeded nor running)
    get a pod each, up to parallelism; a pod for an index past completions is deleted."""
    store = manager.store
    done = parse_indexes(status.get("completedIndexes"))
    if len([i for i in done if i < completions]) >= completions:
        finish(store, job, "Complete")
        return
    running: dict[int, list] = {}
    for pod in active:
        running.setdefault(completion_index(pod), []).append(pod)
    for index, pods in running.items():
        if index is None or index >= completions or index in done:
            for pod in pods:
                manager.delete(pod)
        else:
            for pod in sorted(pods, key=lambda p: p.seq)[1:]:  # one pod per index
                manager.delete(pod)
    busy = {i for i in running if i is not None and i < completions and i not in done}
    want = min(parallelism, completions - len(done)) - len(busy)
    pending = [i for i in range(completions) if i not in done and i not in busy][: max(0, want)]
    for index in pending:
        manager.create_pods(job, "batch/v1", job.template, {}, index=index)
    if pending and "startTime" not in status:
        set_status(store, job, {"startTime": store.timestamp})


def completion_index(pod) -> int | None:
    """The pod's completion index (its annotation, indexed_job_utils.go getCompletionIndex)."""
    text = pod.annotations.get(JOB_COMPLETION_INDEX)
    return int(text) if isinstance(text, str) and text.isdigit() else None


def parse_indexes(text) -> set[int]:
    """`1,3-5,7` -> {1, 3, 4, 5, 7} (indexed_job_utils.go parseIndexesFromString)."""
    out: set[int] = set()
    for part in str(text or "").split(","):
        first, _, last = part.partition("-")
        if first.isdigit() and (not last or last.isdigit()):
            out.update(range(int(first), int(last or first) + 1))
    return out


def format_indexes(indexes) -> str:
    """orderedIntervals.String: runs of three or more as `a-b`, two in a row as `a,b`."""
    out: list[str] = []
    run: list[int] = []
    for index in sorted(indexes):
        if run and index == run[-1] + 1:
            run.append(index)
            continue
        if run:
            out.append(_interval(run))
        run = [index]
    if run:
        out.append(_interval(run))
    return ",".join(out)


def _interval(run: list[int]) -> str:
    if len(run) == 1:
        return str(run[0])
    return f"{run[0]},{run[-1]}" if len(run) == 2 else f"{run[0]}-{run[-1]}"


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
