"""The Deployment controller: one ReplicaSet per pod template, the current one scaled to the
Deployment's replicas, the older ones to zero.

Source: pkg/controller/deployment (sync.go getNewReplicaSet: the ReplicaSet is named after the
template's hash, `pod-template-hash` joins its labels and selector, a name taken by a foreign
ReplicaSet bumps status.collisionCount; it carries the Deployment's annotations and the revision,
desired-replicas and max-replicas ones, util/deployment_util.go SetNewReplicaSetAnnotations,
copyDeploymentAnnotationsToReplicaSet, MaxSurge). The rollout is instant in the simulation: the
new ReplicaSet gets every replica at once, and revisionHistoryLimit old ReplicaSets are kept.

A paused Deployment (`spec.paused: true`) rolls nothing out (deployment_controller.go syncDeployment
calls sync, which asks getAllReplicaSetsAndSyncRevision not to create a ReplicaSet): a new
template gets no ReplicaSet, and a change of replicas scales the one active ReplicaSet, or the
newest (sync.go scale, FindActiveOrLatest). Created paused, it has no ReplicaSet and no pod.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from ..model import Workload, copy_manifest, owner_reference
from ..wellknown import (
    DESIRED_REPLICAS_ANNOTATION,
    MAX_REPLICAS_ANNOTATION,
    POD_TEMPLATE_HASH_LABEL,
    REVISION_ANNOTATION,
    REVISION_HISTORY_ANNOTATION,
    SERVER_ANNOTATIONS,
)

if TYPE_CHECKING:
    from .manager import ControllerManager

LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration"
# util/deployment_util.go annotationsToSkip: what a ReplicaSet does not copy from its Deployment.
_NOT_COPIED = frozenset(
    {
        LAST_APPLIED_ANNOTATION,
        REVISION_ANNOTATION,
        REVISION_HISTORY_ANNOTATION,
        DESIRED_REPLICAS_ANNOTATION,
        MAX_REPLICAS_ANNOTATION,
        "deprecated.deployment.rollback.to",
    }
)


def max_surge(dep: Workload, replicas: int) -> int:
    """deployment_util.go MaxSurge: maxSurge scaled to replicas (a percentage rounded up), for a
    RollingUpdate Deployment; 0 for Recreate."""
    strategy = dep.spec.get("strategy") or {}
    if strategy.get("type", "RollingUpdate") != "RollingUpdate":
        return 0
    value = (strategy.get("rollingUpdate") or {}).get("maxSurge", "25%")
    if isinstance(value, str) and value.endswith("%") and value[:-1].isdigit():
        return math.ceil(int(value[:-1]) * replicas / 100)
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _copied_annotations(dep: Workload) -> dict:
    return {k: v for k, v in dep.annotations.items() if k not in _NOT_COPIED and k not in SERVER_ANNOTATIONS}


def sync(manager: ControllerManager, dep: Workload) -> None:
    store = manager.store
    spec = dep.spec
    collision = int((dep.manifest.get("status") or {}).get("collisionCount") or 0)
    template_hash = manager.template_hash(dep.template, collision)
    rs_name = f"{dep.name}-{template_hash}"
    replicas = dep.replicas if dep.replicas is not None else 1
    owned = store.owned_by(dep.uid, "ReplicaSet")
    current = next((rs for rs in owned if rs.name == rs_name), None)
    old = [rs for rs in owned if rs.name != rs_name]
    limit = spec.get("revisionHistoryLimit", 10)
    if spec.get("paused"):
        target = _active_or_latest(current, old)
        if target is not None and target.replicas != replicas:
            _scale(manager, dep, target, replicas)
        _cleanup(manager, [rs for rs in old if rs is not target], limit)
        return
    if current is None:
        existing = store.get("ReplicaSet", dep.namespace, rs_name)
        if existing is not None:  # a name collision with a foreign ReplicaSet
            status = dict(dep.manifest.get("status") or {})
            status["collisionCount"] = collision + 1
            store.replace(dep, {**dep.manifest, "status": status})
            return
        # The ReplicaSet's template and selector are the Deployment's plus pod-template-hash;
        # everything else is shared (stored manifests are never changed in place).
        template_meta = dict(dep.template.get("metadata") or {})
        template_meta["labels"] = {**(template_meta.get("labels") or {}), POD_TEMPLATE_HASH_LABEL: template_hash}
        template = {**dep.template, "metadata": template_meta}
        selector = dict(spec.get("selector") or {})
        selector["matchLabels"] = {**(selector.get("matchLabels") or {}), POD_TEMPLATE_HASH_LABEL: template_hash}
        revision = 1 + max((int(rs.annotations.get(REVISION_ANNOTATION, 0)) for rs in owned), default=0)
        manager.registry.create(
            {
                "apiVersion": "apps/v1",
                "kind": "ReplicaSet",
                "metadata": {
                    "name": rs_name,
                    "namespace": dep.namespace,
                    "labels": dict(template["metadata"]["labels"]),
                    "annotations": {
                        **_copied_annotations(dep),
                        REVISION_ANNOTATION: str(revision),
                        DESIRED_REPLICAS_ANNOTATION: str(replicas),
                        MAX_REPLICAS_ANNOTATION: str(replicas + max_surge(dep, replicas)),
                    },
                    "ownerReferences": [owner_reference("Deployment", "apps/v1", dep.name, dep.uid)],
                },
                "spec": {
                    "replicas": replicas,
                    "selector": selector,
                    "template": template,
                    "minReadySeconds": spec.get("minReadySeconds", 0),
                },
            }
        )
    elif current.replicas != replicas:
        _scale(manager, dep, current, replicas)
    for rs in old:
        if rs.replicas:
            _scale(manager, dep, rs, 0)
    _cleanup(manager, old, limit)


def _active_or_latest(new, old: list):
    """deployment_util.go FindActiveOrLatest: the one ReplicaSet with replicas, else the new one or
    the newest; None when several have replicas (the controller would scale them in proportion)."""
    active = [rs for rs in ([new] if new is not None else []) + old if rs.replicas]
    if len(active) == 1:
        return active[0]
    if active:
        return None
    if new is not None:
        return new
    return max(old, key=lambda rs: rs.seq, default=None)


def _scale(manager: ControllerManager, dep: Workload, rs: Workload, replicas: int) -> None:
    """scaleReplicaSet: the new size, and the Deployment's replica annotations on the ReplicaSet."""
    desired = dep.replicas if dep.replicas is not None else 1
    manifest = copy_manifest(rs.manifest)
    manifest["spec"] = {**manifest["spec"], "replicas": replicas}
    manifest["metadata"]["annotations"] = {
        **manifest["metadata"].get("annotations", {}),
        DESIRED_REPLICAS_ANNOTATION: str(desired),
        MAX_REPLICAS_ANNOTATION: str(desired + max_surge(dep, desired)),
    }
    manager.write(rs, manifest)


def _cleanup(manager: ControllerManager, old: list, limit: int) -> None:
    """cleanupDeployment: beyond revisionHistoryLimit, the oldest ReplicaSets without replicas go."""
    store = manager.store
    old = [store.objects["ReplicaSet"].get(rs.key) or rs for rs in old]
    for rs in old[: max(0, len(old) - limit)]:
        if not rs.replicas:
            manager.delete(rs)
