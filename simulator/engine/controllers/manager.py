"""kube-controller-manager: a work queue of the objects that changed, and the controllers it runs.

Each controller syncs one kind (`deployment`, `replicaset`, `daemonset`, `job`), woken by a queue
of the objects that changed, as kube-controller-manager's work queues are: an object is queued
when it changes, when something it owns changes, and (for ReplicaSets) when an orphan pod it
might adopt appears; a node change wakes every DaemonSet. Controllers act through the API server
(`registry`) as the real ones do through their clients, and create pods one way,
`create_pods`, from a `PodTemplate` worked out once per owner and template.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..apiserver.defaults import default_pod
from ..apiserver.generate import generate_name, pod_template_hash
from ..memo import Memo
from ..model import Base, OwnerRef, PodTemplate, Workload, copy_manifest, owner_reference, pod_field_values
from ..wellknown import SERVER_ANNOTATIONS

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..apiserver.registry import Registry
    from ..config import ClusterSettings
    from ..store import Key, Store

    Controller = Callable[["ControllerManager", Workload], None]  # a controller's sync(manager, obj)


class ControllerManager:
    def __init__(
        self, settings: ClusterSettings, store: Store, registry: Registry, controllers: dict[str, Controller]
    ) -> None:
        self.settings = settings
        self.store = store
        self.registry = registry
        self.controllers = controllers  # kind -> its controller's sync, in the order a pass runs them
        self.queue: dict[Key, None] = {}  # objects whose controller must look at them again
        self._replicasets_by_ns: dict[str, dict[str, None]] = {}  # who may adopt an orphan pod
        self._templates = Memo(limit=20_000)  # PodTemplate per (owner, template, extras)
        self._template_hashes = Memo(limit=20_000)  # pod_template_hash per template object
        self._pod_specs = Memo(limit=20_000)  # the defaulted pod spec per template object
        store.watch(("ReplicaSet",), self._replicaset_added, self._replicaset_removed)
        store.watch(self.store.objects, self._changed, self._changed)

    # ------------------------------------------------------------------ the work queue
    def _replicaset_added(self, rs: Base) -> None:
        self._replicasets_by_ns.setdefault(rs.namespace, {})[rs.name] = None

    def _replicaset_removed(self, rs: Base) -> None:
        self._replicasets_by_ns.get(rs.namespace, {}).pop(rs.name, None)

    def _changed(self, obj: Base) -> None:
        """Queue the controllers that care about this object (itself, its owner, adopters, daemons)."""
        kind = obj.kind
        if kind in self.controllers:
            self.queue[(kind, obj.namespace, obj.name)] = None
        if obj.owner is not None:
            owner = self.store.by_uid.get(obj.owner.uid)
            if owner is not None:
                self.queue[owner] = None
        elif kind == "Pod":
            # An orphan pod may be adopted by a ReplicaSet whose selector matches it.
            for name in self._replicasets_by_ns.get(obj.namespace, ()):
                self.queue[("ReplicaSet", obj.namespace, name)] = None
        if kind == "Node":
            for ds in self.store.objects["DaemonSet"].values():
                self.queue[("DaemonSet", ds.namespace, ds.name)] = None

    def sync_queued(self) -> None:
        """One pass: every queued object's controller syncs it, kind by kind in the controllers'
        order (Deployments before their ReplicaSets, whose pods depend on them)."""
        batch = list(self.queue)
        self.queue.clear()
        for kind, sync in self.controllers.items():
            objects = self.store.objects[kind]
            for k, ns, name in batch:
                if k != kind:
                    continue
                obj = objects.get((ns, name))
                if obj is not None:
                    sync(self, obj)

    # ------------------------------------------------------------------ what controllers write
    def create_pods(
        self,
        owner: Workload,
        api_version: str,
        template: dict,
        extra_labels: dict,
        *,
        node_name: str | None = None,
        extra_tolerations: tuple = (),
        count: int = 1,
    ) -> None:
        """Create `count` pods of `owner` from its template, one after the other, as its controller
        does through the API server (`node_name`: a DaemonSet binds each pod to its node)."""
        shape = self._templates.get(
            (owner.uid, id(template), tuple(extra_labels.items()), bool(extra_tolerations)),
            (template, owner),
            self._pod_template,
            owner,
            api_version,
            template,
            extra_labels,
            extra_tolerations,
        )
        pods = self.store.objects["Pod"]
        for _ in range(count):
            serial = self.store.upcoming_serial()
            name = generate_name(shape.prefix, f"{shape.seed}{serial}")
            attempt = 0
            while (owner.namespace, name) in pods:
                attempt += 1
                name = generate_name(shape.prefix, f"{shape.seed}{serial}/{attempt}")
            self.registry.create(shape.new_pod(name, node_name), shape)

    def _pod_template(
        self, owner: Workload, api_version: str, template: dict, extra_labels: dict, extra_tolerations: tuple
    ) -> PodTemplate:
        meta = template.get("metadata") or {}
        spec = self.pod_spec(template)
        if extra_tolerations:
            existing = list(spec.get("tolerations") or [])
            for tol in extra_tolerations:
                if tol not in existing:
                    existing.append(dict(tol))
            spec = {**spec, "tolerations": existing}
        annotations = {k: v for k, v in (meta.get("annotations") or {}).items() if k not in SERVER_ANNOTATIONS}
        return PodTemplate(
            owner=owner,
            prefix=f"{owner.name}-",
            seed=f"{self.settings.seed}/{owner.uid}/",
            labels={**(meta.get("labels") or {}), **extra_labels},
            annotations=annotations,
            owner_references=[owner_reference(owner.kind, api_version, owner.name, owner.uid)],
            spec=spec,
            fields=pod_field_values(spec),
            owner_ref=OwnerRef(owner.kind, owner.name, owner.uid),
        )

    def pod_spec(self, template: dict) -> dict:
        """Controllers create pods through the API server, which defaults them like any other pod;
        every pod of one template gets the same defaulted spec, so it is computed once (and shared:
        manifests are never changed in place)."""
        return self._pod_specs.get(id(template), template, _defaulted_pod_spec, template)

    def template_hash(self, template: dict, collision: int = 0) -> str:
        """pod_template_hash, remembered per template object (manifests never change in place)."""
        if collision:
            return pod_template_hash(template, collision)
        return self._template_hashes.get(id(template), template, pod_template_hash, template)

    def write(self, obj: Base, manifest: dict) -> Base:
        """Store a new version of `obj` (a controller's update: a new resourceVersion)."""
        return self.store.write(obj, manifest)

    def set_replicas(self, obj: Workload, replicas: int) -> None:
        manifest = copy_manifest(obj.manifest)
        manifest["spec"] = {**manifest["spec"], "replicas": replicas}
        self.write(obj, manifest)

    def set_owner(self, pod: Base, owner: Workload | None) -> None:
        """Adopt `pod` for `owner`, or release it (None): its controller ownerReference."""
        manifest = copy_manifest(pod.manifest)
        meta = manifest["metadata"]
        if owner is None:
            meta.pop("ownerReferences", None)
        else:
            meta["ownerReferences"] = [owner_reference(owner.kind, "apps/v1", owner.name, owner.uid)]
        self.write(pod, manifest)

    def delete(self, obj: Base) -> None:
        self.registry.delete(obj)


def _defaulted_pod_spec(template: dict) -> dict:
    manifest = {"apiVersion": "v1", "kind": "Pod", "metadata": {}, "spec": dict(template.get("spec") or {})}
    return default_pod(manifest)["spec"]
