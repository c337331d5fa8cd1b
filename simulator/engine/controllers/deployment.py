"""The Deployment controller: one ReplicaSet per pod template, the current one scaled to the
Deployment's replicas, the older ones to zero.

Source: pkg/controller/deployment (sync.go getNewReplicaSet: the ReplicaSet is named after the
template's hash, `pod-template-hash` joins its labels and selector, a name taken by a foreign
ReplicaSet bumps status.collisionCount; the revision annotations). The rollout is instant in the
simulation: the new ReplicaSet gets every replica at once, and revisionHistoryLimit old
ReplicaSets are kept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import Workload, owner_reference
from ..wellknown import DESIRED_REPLICAS_ANNOTATION, POD_TEMPLATE_HASH_LABEL, REVISION_ANNOTATION

if TYPE_CHECKING:
    from .manager import ControllerManager


def sync(manager: ControllerManager, dep: Workload) -> None:
    store = manager.store
    spec = dep.spec
    collision = int((dep.manifest.get("status") or {}).get("collisionCount") or 0)
    template_hash = manager.template_hash(dep.template, collision)
    rs_name = f"{dep.name}-{template_hash}"
    replicas = dep.replicas if dep.replicas is not None else 1
    owned = store.owned_by(dep.uid, "ReplicaSet")
    current = next((rs for rs in owned if rs.name == rs_name), None)
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
                        REVISION_ANNOTATION: str(revision),
                        DESIRED_REPLICAS_ANNOTATION: str(replicas),
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
        manager.set_replicas(current, replicas)
    old = [rs for rs in owned if rs.name != rs_name]
    for rs in old:
        if rs.replicas:
            manager.set_replicas(rs, 0)
    limit = spec.get("revisionHistoryLimit", 10)
    for rs in old[: max(0, len(old) - limit)]:
        manager.delete(rs)
