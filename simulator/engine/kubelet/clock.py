"""The simulated clock, and what happens as it moves: Job pods run for their Job's run time, then
succeed, or fail as many times as the Job asks (`kubeviz.io/failures`).

A failing pod whose restartPolicy is OnFailure is restarted in place by the kubelet (its restart
count goes up and it runs again); otherwise it ends Failed and the Job controller makes another.
The Job controller counts each finish in the Job's status (pkg/controller/job: succeeded,
failed). Time only moves when asked (`advance`, `settle`).

The kubelet also removes pods being deleted gracefully once their containers have stopped
(`termination`). That is timed on the kubelet's clock, which moves with this one and, while it is
paused, on its own (`kubelet_tick`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..controllers import job as job_controller
from ..model import Pod, Workload, copy_manifest
from ..wellknown import FINISHED_AT_ANNOTATION, RESTARTS_ANNOTATION, STARTED_AT_ANNOTATION
from . import termination

if TYPE_CHECKING:
    from ..store import Store


class Timeline:
    def __init__(self, store: Store) -> None:
        self.store = store

    def _job_pod_events(self) -> list[tuple[float, Pod, Workload]]:
        """(when it finishes, pod, its Job) for every running Job pod, soonest first."""
        store = self.store
        events = []
        for job in store.objects["Job"].values():
            run = job_controller.run_seconds(job)
            for pod in store.owned_by(job.uid, "Pod"):
                if pod.terminal or pod.terminating or not pod.node or pod.started_at is None:
                    continue
                events.append((pod.started_at + run, pod, job))
        return sorted(events, key=lambda e: (e[0], e[1].seq))

    def next_event(self) -> float | None:
        """When (on the simulated clock) the next Job pod finishes or the next terminating pod
        stops (None when nothing is due)."""
        events = self._job_pod_events()
        stop = termination.next_stop(self.store)
        times = ([events[0][0]] if events else []) + ([self._on_clock(stop)] if stop is not None else [])
        return min(times) if times else None

    def _on_clock(self, kubelet_moment: float) -> float:
        """A moment of the kubelet clock as the simulated clock's (they move together in advance)."""
        return self.store.clock + max(0.0, kubelet_moment - termination.kubelet_clock(self.store))

    def advance(self, seconds: float, reconcile: Callable[[], None]) -> None:
        """Move the simulated clock (and the kubelet's with it) forward, finishing Job pods whose
        run time is over and removing terminating pods whose containers have stopped; after each
        moment, `reconcile` lets the control plane act on what it changed."""
        store = self.store
        target = store.clock + max(0.0, seconds)
        while True:
            events = [e for e in self._job_pod_events() if e[0] <= target]
            stop = termination.next_stop(store)
            stop_at = self._on_clock(stop) if stop is not None else None
            if not events and (stop_at is None or stop_at > target):
                break
            moments = [events[0][0]] if events else []
            if stop_at is not None and stop_at <= target:
                moments.append(stop_at)
            when = min(moments)
            self._move(when)
            for finish, pod, job in events:
                if finish != when:
                    continue
                self._finish_pod(pod, job)
            self._remove_stopped()
            reconcile()
        self._move(target)

    def _move(self, when: float) -> None:
        """Both clocks to the simulated clock's `when`."""
        store = self.store
        when = max(store.clock, when)
        store.state["kubelet_clock"] = termination.kubelet_clock(store) + (when - store.clock)
        store.set_clock(when)

    def kubelet_tick(self, seconds: float, reconcile: Callable[[], None]) -> None:
        """The kubelet's clock alone moves (the simulated clock is paused): pods whose containers
        stopped by then are removed."""
        store = self.store
        store.state["kubelet_clock"] = termination.kubelet_clock(store) + max(0.0, seconds)
        store.generation += 1
        if self._remove_stopped():
            reconcile()

    def _remove_stopped(self) -> bool:
        """The kubelet deletes, for good, the terminating pods whose containers have stopped
        (its final delete with grace 0). True when it removed any."""
        store = self.store
        stopped = termination.due(store, termination.kubelet_clock(store) + 1e-6)  # float sums
        for pod in stopped:
            store.next_resource_version()  # a deletion is a change watchers see (DELETED at a new RV)
            store.remove(pod)
        return bool(stopped)

    def settle(self, reconcile: Callable[[], None], max_seconds: float = 24 * 3600, max_steps: int = 10_000) -> bool:
        """Run the clock until no Job is active and no pod is terminating (bounded). True when
        everything settled."""
        deadline = self.store.clock + max_seconds
        for _ in range(max_steps):
            when = self.next_event()
            if when is None:
                return True
            if when > deadline:
                return False
            self.advance(when - self.store.clock, reconcile)
        return self.next_event() is None

    def _finish_pod(self, pod: Pod, job: Workload) -> None:
        store = self.store
        job = store.objects["Job"].get(job.key) or job
        status = job.manifest.get("status") or {}
        failed = int(status.get("failed", 0))
        fails = failed < job_controller.failures_wanted(job)
        manifest = copy_manifest(pod.manifest)
        annotations = manifest["metadata"].setdefault("annotations", {})
        now = store.clock_mark
        if fails and pod.restart_policy == "OnFailure":
            # The kubelet restarts the container in place; the Job controller counts it as a failure.
            annotations[RESTARTS_ANNOTATION] = str(pod.restarts + 1)
            annotations[STARTED_AT_ANNOTATION] = now
            store.write(pod, manifest)
            job_controller.set_status(store, job, {"failed": failed + 1})
            return
        phase = "Failed" if fails else "Succeeded"
        manifest["status"] = {
            **manifest.get("status", {}),
            "phase": phase,
            "conditions": [{"type": "Ready", "status": "False", "reason": "PodCompleted"}],
        }
        annotations[FINISHED_AT_ANNOTATION] = now
        store.write(pod, manifest)
        key = "failed" if fails else "succeeded"
        updates = {key: int(status.get(key, 0)) + 1}
        index = job_controller.completion_index(pod)
        if not fails and index is not None and job.spec.get("completionMode") == "Indexed":
            # an Indexed Job counts each index once (status.completedIndexes)
            done = job_controller.parse_indexes(status.get("completedIndexes")) | {index}
            updates = {"succeeded": len(done), "completedIndexes": job_controller.format_indexes(done)}
        job_controller.set_status(store, job, updates)
