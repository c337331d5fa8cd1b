"""Graceful pod deletion: the API server marks the pod, the kubelet stops it, then removes it.

Sources:
* pkg/registry/core/pod/strategy.go CheckGracefulDelete — the grace period is the request's
  `gracePeriodSeconds`, else the pod's `spec.terminationGracePeriodSeconds` (defaulted to 30),
  else 0; a pod no node took (no `spec.nodeName`) or one already Succeeded or Failed gets 0; a
  negative one becomes 1. A grace period of 0 deletes the pod at once (`--grace-period=0 --force`).
* apiserver/pkg/registry/rest/delete.go BeforeDelete — a graceful deletion sets
  `metadata.deletionTimestamp` to now plus the grace period and `deletionGracePeriodSeconds`,
  and stores the pod (a new resourceVersion: watchers see MODIFIED); deleting it again may only
  shorten the period (a longer one leaves it as it is; 0 removes it).
* pkg/kubelet (killPod, then the status manager's final delete with grace 0) — the kubelet sends
  the containers SIGTERM, waits until they exit or the grace period ends, then deletes the pod for
  good (watchers see DELETED).

What the simulated containers do: they exit STOP_SECONDS after SIGTERM (the way a small web
server that handles SIGTERM does), or when the grace period ends if that is sooner. A container's
preStop hook that sleeps runs first (the kubelet runs preStop before SIGTERM, within the grace
period: pkg/kubelet/kuberuntime killContainer, executePreStopHook): `lifecycle.preStop.sleep.seconds`
(the Sleep action, PodLifecycleSleepAction) or an exec hook `sleep N` (also `sh -c "sleep N"`)
delays the stop by N seconds; other hooks take no time here. The stop is timed on the kubelet's clock (`state["kubelet_clock"]`), which
moves with the simulated clock when it plays or steps, and on its own, a second per tick, while the
clock is paused (services.cluster_tick), so that a deleted pod goes away as on a real cluster
whether or not anyone pressed Play. The moment the pod stops is kept in its `kubeviz.io/stops-at`
annotation (the engine's bookkeeping, not served).
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from ..model import Pod, copy_manifest
from ..store import _timestamp, clock_text
from ..wellknown import STOPS_AT_ANNOTATION

if TYPE_CHECKING:
    from ..store import Store

STOP_SECONDS = 2.0  # how long a simulated container takes to exit after SIGTERM
DEFAULT_GRACE_SECONDS = 30  # spec.terminationGracePeriodSeconds when a pod has none (defaults.go)


def grace_period(pod: Pod, requested: int | None) -> int:
    """CheckGracefulDelete: the grace period a deletion of `pod` gets (0: at once)."""
    if requested is not None:
        period = int(requested)
    else:
        given = pod.spec.get("terminationGracePeriodSeconds")
        period = int(given) if isinstance(given, int) else 0
    if not pod.node:
        period = 0  # not scheduled: deleted at once
    if pod.status_phase in ("Succeeded", "Failed"):
        period = 0  # already terminated
    if period < 0:
        period = 1
    return period


def kubelet_clock(store: Store) -> float:
    return float(store.state.get("kubelet_clock", 0.0))


def stop_seconds(pod: Pod, grace: int) -> float:
    """How long after the deletion the simulated containers have stopped: their preStop sleep,
    then STOP_SECONDS after SIGTERM, bounded by the grace period."""
    return min(pre_stop_seconds(pod) + STOP_SECONDS, float(grace))


def pre_stop_seconds(pod: Pod) -> float:
    """The longest preStop sleep of the pod's containers (they run side by side)."""
    longest = 0.0
    for container in pod.spec.get("containers") or ():
        hook = ((container.get("lifecycle") or {}) if isinstance(container, dict) else {}).get("preStop")
        if isinstance(hook, dict):
            longest = max(longest, _sleep_of(hook))
    return longest


def _sleep_of(hook: dict) -> float:
    sleep = hook.get("sleep")
    if isinstance(sleep, dict) and isinstance(sleep.get("seconds"), int):
        return max(0.0, float(sleep["seconds"]))
    command = (hook.get("exec") or {}).get("command") if isinstance(hook.get("exec"), dict) else None
    if isinstance(command, list) and command:
        words = " ".join(str(part) for part in command).split()
        for before, word in itertools.pairwise(words):
            if before.rsplit("/", 1)[-1] == "sleep":
                try:
                    return max(0.0, float(word.strip("'\";")))
                except ValueError:
                    return 0.0
    return 0.0


def terminate(store: Store, pod: Pod, grace: int) -> bool:
    """Mark `pod` as being deleted with `grace` seconds (BeforeDelete). False when it must be
    removed at once instead (grace 0). A pod already terminating keeps its deadline unless the
    new one is sooner."""
    if grace <= 0:
        return False
    now = kubelet_clock(store)
    stops = now + stop_seconds(pod, grace)
    meta = pod.manifest.get("metadata") or {}
    if pod.terminating:
        old_grace = meta.get("deletionGracePeriodSeconds")
        if isinstance(old_grace, int) and old_grace <= grace:
            return True  # only a shorter grace period changes a deletion under way
        stops = min(stops, pod.stops_at or stops)
    manifest = copy_manifest(pod.manifest)
    m = manifest["metadata"]
    m["deletionTimestamp"] = _timestamp_after(store, grace)
    m["deletionGracePeriodSeconds"] = grace
    m["annotations"] = {**(m.get("annotations") or {}), STOPS_AT_ANNOTATION: _mark(stops)}
    store.write(pod, manifest)
    return True


def _timestamp_after(store: Store, seconds: int) -> str:
    """The simulated clock plus `seconds`, as a metav1.Time (deletionTimestamp is the deadline)."""
    return _timestamp(int(store.clock) + seconds)


def _mark(seconds: float) -> str:
    return clock_text(seconds)


def due(store: Store, until: float) -> list[Pod]:
    """The terminating pods whose containers have stopped by the kubelet clock's `until`, soonest
    first."""
    pods = [p for p in terminating_pods(store) if p.stops_at is not None and p.stops_at <= until]
    return sorted(pods, key=lambda p: (p.stops_at, p.seq))


def terminating_pods(store: Store) -> list[Pod]:
    pods = store.objects["Pod"]
    return [pods[key] for key in store.terminating if key in pods]


def next_stop(store: Store) -> float | None:
    """The kubelet clock's moment the next terminating pod stops (None when none is terminating)."""
    stops = [p.stops_at for p in terminating_pods(store) if p.stops_at is not None]
    return min(stops) if stops else None
