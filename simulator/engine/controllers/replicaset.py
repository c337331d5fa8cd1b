"""The ReplicaSet controller: adopt matching orphans, release pods that stopped matching, then
create or delete pods to reach spec.replicas.

Source: pkg/controller/replicaset/replica_set.go (syncReplicaSet, manageReplicas), with
pkg/controller/controller_ref_manager.go for adoption and release, and
pkg/controller/controller_utils.go ActivePods for which pods go first on a scale-down.
"""

from __future__ import annotations

from operator import attrgetter
from typing import TYPE_CHECKING

from ..model import Base, Workload

if TYPE_CHECKING:
    from .manager import ControllerManager


def sync(manager: ControllerManager, rs: Workload) -> None:
    store = manager.store
    mine = []
    for pod in store.owned_by(rs.uid, "Pod"):
        if rs.selector.matches(pod.labels):
            mine.append(pod)
        else:
            manager.set_owner(pod, None)  # released: it keeps running as an orphan
    # Orphans only (usually there are none): by label index oldest first, else in store order.
    pairs = rs.selector.equality_pairs()
    if pairs:
        orphans = sorted(
            (p for p in store.pods_with_labels(rs.namespace, dict(pairs), ordered=False) if p.owner is None),
            key=attrgetter("seq"),
        )
    else:
        orphans = [p for p in store.pods_in(rs.namespace).values() if p.owner is None]
    for pod in orphans:
        if pod.active and rs.selector.matches(pod.labels) and not _owned_by_other(pod):
            manager.set_owner(pod, rs)
            mine.append(store.objects["Pod"][pod.key])
    active = [p for p in mine if p.active]  # FilterActivePods: a terminating pod is not counted
    want = rs.replicas if rs.replicas is not None else 1
    if len(active) < want:
        manager.create_pods(rs, "apps/v1", rs.template, {}, count=want - len(active))
    elif len(active) > want:
        # controller.ActivePods ordering: unscheduled, then pending, then not ready, then newest first.
        victims = sorted(active, key=lambda p: (p.node is not None, p.phase != "Pending", p.ready, -p.seq))
        for pod in victims[: len(active) - want]:
            manager.delete(pod)


def _owned_by_other(pod: Base) -> bool:
    return any(r.get("controller") for r in (pod.manifest.get("metadata") or {}).get("ownerReferences") or ())
