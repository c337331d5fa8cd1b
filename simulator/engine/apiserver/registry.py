"""The API server's storage of every kind: create, update and delete, with the server's bookkeeping.

As pkg/registry/generic/registry/store.go does (BeforeCreate, BeforeUpdate): a new object gets
its uid, resourceVersion, creationTimestamp, `generation` 1 for the kinds with a spec the
controllers act on, and a creation number (`kubeviz.io/seq`); an update keeps the uid, the
creation time and the owner, bumps `generation` when the spec changed, and gets a new
resourceVersion. The per-kind REST storage steps come with it: the Job strategy's generated
selector (it needs the uid), a Service's ClusterIP, NodePorts and load-balancer address, a node's
pod range and address, and a new pod's placement (the scheduler binds it, the kubelet starts it:
the simulation does at once what the real components do right after the create). Deleting
collects garbage: what an object owns, what a namespace holds, the pods of a deleted node
(pkg/controller/garbagecollector, namespace deletion, the pod garbage collector).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import kinds
from ..kubelet import termination
from ..kubelet.node import with_default_labels
from ..model import Base, PodTemplate
from ..wellknown import SEQ_ANNOTATION
from .generate import make_uid

if TYPE_CHECKING:
    from ..config import ClusterSettings
    from ..scheduler import Scheduler
    from ..store import Store
    from .allocate import Allocations


class Registry:
    def __init__(self, settings: ClusterSettings, store: Store, allocations: Allocations, scheduler: Scheduler) -> None:
        self.settings = settings
        self.store = store
        self.allocations = allocations
        self.scheduler = scheduler

    def create(self, manifest: dict, template: PodTemplate | None = None) -> Base:
        """Store a new object. `template`: the pod template a controller makes this pod from, whose
        shared parts (spec per node, the fields the model reads from it) are worked out once."""
        store = self.store
        kind = manifest["kind"]
        info = kinds.KINDS[kind]
        seq = store.next_serial()
        meta = manifest.setdefault("metadata", {})
        if "uid" not in meta:
            meta["uid"] = make_uid(self.settings.seed, seq)
        if info.namespaced:
            if "namespace" not in meta:
                meta["namespace"] = "default"
        else:
            meta.pop("namespace", None)
        meta["resourceVersion"] = store.next_resource_version()
        if "creationTimestamp" not in meta:
            meta["creationTimestamp"] = store.timestamp
        if info.strategy.generation and "spec" in manifest:
            meta["generation"] = 1
        annotations = dict(meta.get("annotations") or {})
        annotations[SEQ_ANNOTATION] = str(seq)
        meta["annotations"] = annotations
        if info.strategy.with_uid is not None:
            manifest = info.strategy.with_uid(manifest, meta["uid"])
        if kind == "Node":
            self.allocations.allocate_node(manifest)
            with_default_labels(manifest)  # the node's kubelet registers it
        elif kind == "Service":
            self.allocations.allocate_service(manifest, None)
        elif kind == "Pod":
            self.scheduler.place(manifest, template)
        obj = template.pod(manifest, seq) if template is not None else info.model.from_manifest(manifest, seq)
        store.add(obj)
        return obj

    def update(self, old: Base, manifest: dict) -> Base:
        """Store `manifest` as the new version of `old` (kubectl apply's result)."""
        meta = manifest.setdefault("metadata", {})
        old_meta = old.manifest.get("metadata") or {}
        for key in ("uid", "creationTimestamp", "namespace"):
            if key in old_meta:
                meta[key] = old_meta[key]
        annotations = dict(meta.get("annotations") or {})
        annotations[SEQ_ANNOTATION] = str(old.seq)
        meta["annotations"] = annotations
        if old_meta.get("ownerReferences") and "ownerReferences" not in meta:
            meta["ownerReferences"] = old_meta["ownerReferences"]
        if "generation" in old_meta:
            changed = manifest.get("spec") != old.manifest.get("spec")
            meta["generation"] = old_meta["generation"] + (1 if changed else 0)
        meta["resourceVersion"] = self.store.next_resource_version()
        if old.kind == "Service":
            self.allocations.allocate_service(manifest, old)
        return self.store.replace(old, manifest)

    def delete(self, obj: Base, grace: int | None = None) -> None:
        """Remove `obj` and, by garbage collection, what it owns or holds. A pod on a node is
        deleted gracefully (kubelet/termination): marked Terminating, removed by its kubelet once
        its containers stopped; `grace` is the request's gracePeriodSeconds (None: the pod's own)."""
        store = self.store
        if obj.kind == "Pod":
            if not termination.terminate(store, obj, termination.grace_period(obj, grace)):
                store.remove(obj)
            return
        for child in store.owned_by(obj.uid):
            self.delete(child)  # the garbage collector deletes dependents with their own grace
        if obj.kind == "Namespace":
            # Simplified: a deleted namespace's pods go at once (a real namespace stays Terminating
            # until its pods are gone; the simulation removes the namespace right away).
            for kind in kinds.KIND_ORDER:
                if kind in kinds.CLUSTER_SCOPED:
                    continue
                for child in [o for o in store.objects[kind].values() if o.namespace == obj.name]:
                    if store.get(child.kind, child.namespace, child.name) is not None:
                        self.delete(child, 0 if child.kind == "Pod" else None)
        if obj.kind == "Node":
            # The pod garbage collector deletes pods bound to a node that no longer exists.
            for pod in [p for p in store.objects["Pod"].values() if p.node == obj.name]:
                store.remove(pod)
            self.allocations.forget_node(obj.name)
        if store.get(obj.kind, obj.namespace, obj.name) is not None:
            store.remove(obj)
