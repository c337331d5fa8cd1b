"""The controller manager of a simulated cluster, and the kubelet's side of Jobs.

Deployment -> ReplicaSet -> Pods (pkg/controller/deployment, replicaset), DaemonSet
(pkg/controller/daemon), Job (pkg/controller/job), each woken by a queue of the objects
that changed, as kube-controller-manager's work queues are; and the simulated clock that
finishes Job pods. A mixin of `Engine`: it works on the cluster's store through the
store's own create/replace/remove methods.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import attrgetter

from .. import scheduler
from ..apiserver import defaults as api_defaults
from ..apiserver import generate
from ..apiserver.strategy import FAILURES_ANNOTATION, RUN_SECONDS_ANNOTATION
from ..model import (
    Base,
    Node,
    OwnerRef,
    Pod,
    Workload,
    new_running_pod,
    owner_reference,
    pod_field_values,
    tolerations_of,
)

DEFAULT_RUN_SECONDS = 10.0

# Tolerations the DaemonSet controller adds to every daemon pod
# (pkg/controller/daemon/util/daemonset_util.go AddOrUpdateDaemonPodTolerations).
DAEMONSET_TOLERATIONS = (
    {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/disk-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/memory-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/pid-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"},
)

_CONTROLLER_KINDS = ("Deployment", "ReplicaSet", "DaemonSet", "Job")
_SYNC = {
    "Deployment": "_sync_deployment",
    "ReplicaSet": "_sync_replicaset",
    "DaemonSet": "_sync_daemonset",
    "Job": "_sync_job",
}


class Controllers:
    """Reconciliation and the simulated clock (mixed into Engine)."""

    def reconcile(self) -> None:
        """Run the controllers whose objects changed until nothing is left to do (bounded),
        then retry pending pods. Deployments sync before ReplicaSets, as their pods depend on them."""
        for _ in range(16):
            if not self._dirty and not self._pending:
                break
            before = self.generation
            batch = list(self._dirty)
            self._dirty.clear()
            for kind in ("Deployment", "ReplicaSet", "DaemonSet", "Job"):
                for k, ns, name in batch:
                    if k != kind:
                        continue
                    obj = self.objects[kind].get((ns, name))
                    if obj is not None:
                        getattr(self, _SYNC[kind])(obj)
            self._retry_pending()
            if self.generation == before and not self._dirty:
                break

    def _retry_pending(self) -> None:
        for key in list(self._pending):
            pod = self.objects["Pod"].get(key)
            if pod is None or (pod.node and pod.ip) or pod.terminal:
                self._pending.pop(key, None)
                continue
            if pod.node and ("", pod.node) not in self.objects["Node"]:
                continue  # bound to a node that does not exist (yet): nothing to do until it does
            manifest = _copy_manifest(pod.manifest)
            status = manifest.setdefault("status", {})
            status["conditions"] = [c for c in status.get("conditions") or () if c.get("type") != "PodScheduled"]
            manifest["spec"] = dict(manifest.get("spec") or {})
            self._place_pod(manifest)
            if manifest["spec"].get("nodeName") and key not in self.schedule_failures:
                manifest["metadata"]["resourceVersion"] = str(self._next("rv"))
                self._replace(pod, manifest)

    def _new_pod_from_template(
        self,
        owner: Workload,
        api_version: str,
        template: dict,
        extra_labels: dict,
        node_name: str | None = None,
        extra_tolerations: tuple = (),
        count: int = 1,
    ) -> None:
        """Create `count` pods of `owner` from its template, one after the other, as its controller
        does through the API server."""
        shape = self._pod_shape(owner, api_version, template, extra_labels, extra_tolerations)
        pods = self.objects["Pod"]
        marks = self._clock_marks()  # the clock does not move while pods are created
        for _ in range(count):
            serial = self.state["serial"] + 1
            name = generate.generate_name(shape.prefix, f"{shape.seed}{serial}")
            attempt = 0
            while ((owner.namespace, name)) in pods:
                attempt += 1
                name = generate.generate_name(shape.prefix, f"{shape.seed}{serial}/{attempt}")
            if self._create_pod_fast(shape, owner, name, node_name, marks) is not None:
                continue
            # Unschedulable, or a node that is not there: the general path records why.
            spec = dict(shape.spec)
            if node_name:
                spec["nodeName"] = node_name
            pod_meta = {
                "name": name,
                "generateName": shape.prefix,
                "namespace": owner.namespace,
                "labels": shape.labels,
                "ownerReferences": shape.owner_references,
            }
            if shape.annotations:
                pod_meta["annotations"] = dict(shape.annotations)
            self._create({"apiVersion": "v1", "kind": "Pod", "metadata": pod_meta, "spec": spec, "status": {}})

    def _pod_shape(
        self, owner: Workload, api_version: str, template: dict, extra_labels: dict, extra_tolerations: tuple
    ) -> _PodShape:
        """What every pod of one owner's template shares, worked out once (labels, owner reference,
        defaulted spec, the fields the model reads from it). Shared objects are never changed in place."""
        key = (owner.uid, id(template), tuple(extra_labels.items()), bool(extra_tolerations))
        shape = self._pod_shapes.get(key)
        if shape is not None and shape.template is template and shape.owner is owner:
            return shape
        meta = template.get("metadata") or {}
        spec = self._defaulted_pod_spec(template)
        if extra_tolerations:
            existing = list(spec.get("tolerations") or [])
            for tol in extra_tolerations:
                if tol not in existing:
                    existing.append(dict(tol))
            spec = {**spec, "tolerations": existing}
        ref = owner_reference(owner.kind, api_version, owner.name, owner.uid)
        if len(self._pod_shapes) > 20_000:
            self._pod_shapes.clear()
        shape = _PodShape(
            template=template,
            owner=owner,
            prefix=f"{owner.name}-",
            seed=f"{self.settings.seed}/{owner.uid}/",
            labels={**(meta.get("labels") or {}), **extra_labels},
            annotations=dict(meta.get("annotations") or {}),
            owner_references=[ref],
            spec=spec,
            node_name=spec.get("nodeName"),
            host_network=bool(spec.get("hostNetwork")),
            fields=pod_field_values(spec),
            owner_ref=OwnerRef(owner.kind, owner.name, owner.uid),
        )
        self._pod_shapes[key] = shape
        return shape

    def _create_pod_fast(
        self, shape: _PodShape, owner: Workload, name: str, node_name: str | None, marks: tuple[float, str, str]
    ) -> Pod | None:
        """`_create` + `_place_pod` + `Pod.from_manifest` for a pod whose shape is known, or None
        when it cannot be placed (then the general path takes it). `marks` is _clock_marks()."""
        spec = shape.spec
        node_name = node_name or shape.node_name  # a template may bind its pods to a node
        if shape.host_network:
            return None
        if node_name is None:
            node, _reason = scheduler.choose_node(
                self._feasible_nodes(spec), spec, (), (), self._owner_nodes.get(owner.uid, {}), self._pods_on_node
            )
            if node is None:
                return None
            node_name = node.name
        elif ("", node_name) not in self.objects["Node"]:
            return None
        allocator = self._pod_ip_allocator(node_name)
        ip = allocator.allocate()
        if ip is None:
            return None
        self.state["ipam"][node_name] = allocator.last
        seq = self._next("serial")
        uid = generate.make_uid(self.settings.seed, seq)
        clock, stamp, started = marks
        annotations = {**shape.annotations, "kubeviz.io/seq": str(seq), "kubeviz.io/started-at": started}
        host_ip = self._node_ips.get(node_name)
        manifest = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": name,
                "generateName": shape.prefix,
                "namespace": owner.namespace,
                "labels": shape.labels,
                "ownerReferences": shape.owner_references,
                "annotations": annotations,
                "uid": uid,
                "resourceVersion": str(self._next("rv")),
                "creationTimestamp": stamp,
            },
            "spec": shape.spec_on(node_name),
            "status": {"podIP": ip, "podIPs": [{"ip": ip}], "hostIP": host_ip, "startTime": stamp},
        }
        pod = new_running_pod(
            owner.namespace, name, uid, seq, shape.labels, shape.owner_ref, manifest, node_name, ip, clock, shape.fields
        )
        self.schedule_failures.pop((owner.namespace, name), None)
        self._index_add(pod, ip_taken=True)  # allocate() has marked the address used
        return pod

    def _clock_marks(self) -> tuple[float, str, str]:
        """(clock, creationTimestamp, started-at annotation) for the current simulated time."""
        clock = self.clock
        return clock, self._timestamp(), _fmt_clock(clock)

    def _defaulted_pod_spec(self, template: dict) -> dict:
        """Controllers create pods through the API server, which defaults them like any other pod;
        every pod of one template gets the same defaulted spec, so it is computed once (and shared:
        manifests are never changed in place)."""
        hit = self._template_cache.get(id(template))
        if hit is None or hit[0] is not template:
            hit = (template, None, {})
            self._template_cache[id(template)] = hit
        spec = hit[2].get("spec")
        if spec is None:
            spec = api_defaults.apply_defaults(
                "Pod", {"apiVersion": "v1", "kind": "Pod", "metadata": {}, "spec": dict(template.get("spec") or {})}
            )["spec"]
            hit[2]["spec"] = spec
        return spec

    def _sync_deployment(self, dep: Workload) -> None:
        spec = dep.spec
        collision = int((dep.manifest.get("status") or {}).get("collisionCount") or 0)
        template_hash = self._template_hash(dep.template, collision)
        rs_name = f"{dep.name}-{template_hash}"
        replicas = dep.replicas if dep.replicas is not None else 1
        owned = self.owned_by(dep.uid, "ReplicaSet")
        current = next((rs for rs in owned if rs.name == rs_name), None)
        if current is None:
            existing = self.get("ReplicaSet", dep.namespace, rs_name)
            if existing is not None:  # a name collision with a foreign ReplicaSet
                status = dict(dep.manifest.get("status") or {})
                status["collisionCount"] = collision + 1
                self._replace(dep, {**dep.manifest, "status": status})
                return
            # The ReplicaSet's template and selector are the Deployment's plus pod-template-hash;
            # everything else is shared (stored manifests are never changed in place).
            template_meta = dict(dep.template.get("metadata") or {})
            template_meta["labels"] = {**(template_meta.get("labels") or {}), "pod-template-hash": template_hash}
            template = {**dep.template, "metadata": template_meta}
            selector = dict(spec.get("selector") or {})
            selector["matchLabels"] = {**(selector.get("matchLabels") or {}), "pod-template-hash": template_hash}
            revision = 1 + max(
                (int(rs.annotations.get("deployment.kubernetes.io/revision", 0)) for rs in owned), default=0
            )
            self._create(
                {
                    "apiVersion": "apps/v1",
                    "kind": "ReplicaSet",
                    "metadata": {
                        "name": rs_name,
                        "namespace": dep.namespace,
                        "labels": dict(template["metadata"]["labels"]),
                        "annotations": {
                            "deployment.kubernetes.io/revision": str(revision),
                            "deployment.kubernetes.io/desired-replicas": str(replicas),
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
            self._set_replicas(current, replicas)
        # The rollout is instant in the simulation: older ReplicaSets scale to zero, and
        # revisionHistoryLimit of them are kept.
        old = [rs for rs in owned if rs.name != rs_name]
        for rs in old:
            if rs.replicas:
                self._set_replicas(rs, 0)
        limit = spec.get("revisionHistoryLimit", 10)
        for rs in old[: max(0, len(old) - limit)]:
            self._delete_cascade(rs)

    def _template_hash(self, template: dict, collision: int = 0) -> str:
        """pod_template_hash, cached per template object (manifests never change in place)."""
        hit = self._template_cache.get(id(template))
        if hit is None or hit[0] is not template:
            hit = (template, None, {})
        if collision:
            return generate.pod_template_hash(template, collision)
        if hit[1] is None:
            hit = (template, generate.pod_template_hash(template), hit[2])
            self._template_cache[id(template)] = hit
        return hit[1]

    def _set_replicas(self, obj: Workload, replicas: int) -> None:
        manifest = _copy_manifest(obj.manifest)
        manifest["spec"] = {**manifest["spec"], "replicas": replicas}
        manifest["metadata"]["resourceVersion"] = str(self._next("rv"))
        self._replace(obj, manifest)

    def _sync_replicaset(self, rs: Workload) -> None:
        """pkg/controller/replicaset: adopt matching orphans, release pods that stopped matching,
        then create or delete pods to reach spec.replicas."""
        mine = []
        for pod in self.owned_by(rs.uid, "Pod"):
            if rs.selector.matches(pod.labels):
                mine.append(pod)
            else:
                self._set_owner(pod, None)  # released: it keeps running as an orphan
        # Orphans only (usually there are none): by label index oldest first, else in store order.
        pairs = rs.selector.equality_pairs()
        if pairs:
            orphans = sorted(
                (p for p in self.pods_with_labels(rs.namespace, dict(pairs), ordered=False) if p.owner is None),
                key=attrgetter("seq"),
            )
        else:
            orphans = [p for p in self.pods_in(rs.namespace).values() if p.owner is None]
        for pod in orphans:
            if not pod.terminal and rs.selector.matches(pod.labels) and not _owned_by_other(pod):
                self._set_owner(pod, rs)
                mine.append(self.objects["Pod"][pod.key])
        active = [p for p in mine if not p.terminal]
        want = rs.replicas if rs.replicas is not None else 1
        if len(active) < want:
            self._new_pod_from_template(rs, "apps/v1", rs.template, {}, count=want - len(active))
        elif len(active) > want:
            # controller.ActivePods ordering: unscheduled, then pending, then not ready, then newest first.
            victims = sorted(active, key=lambda p: (p.node is not None, p.phase != "Pending", p.ready, -p.seq))
            for pod in victims[: len(active) - want]:
                self._index_remove(pod)

    def _set_owner(self, pod: Base, owner: Workload | None) -> None:
        manifest = _copy_manifest(pod.manifest)
        meta = manifest["metadata"]
        if owner is None:
            meta.pop("ownerReferences", None)
        else:
            meta["ownerReferences"] = [owner_reference(owner.kind, "apps/v1", owner.name, owner.uid)]
        meta["resourceVersion"] = str(self._next("rv"))
        self._replace(pod, manifest)

    def daemon_nodes(self, ds: Workload) -> list[Node]:
        spec = ds.template.get("spec") or {}
        tolerations = tolerations_of({"tolerations": list(spec.get("tolerations") or []) + list(DAEMONSET_TOLERATIONS)})
        return [
            n
            for n in self.nodes()
            if scheduler.feasible(n, spec, spec.get("nodeSelector") or {}, tolerations, ignore_unschedulable=True)
            is None
        ]

    def _sync_daemonset(self, ds: Workload) -> None:
        """pkg/controller/daemon: exactly one daemon pod on every node that can run it."""
        eligible = {n.name for n in self.daemon_nodes(ds)}
        template_hash = self._template_hash(ds.template)[:10]
        by_node: dict[str, list] = {}
        for pod in self.owned_by(ds.uid, "Pod"):
            if pod.terminal:
                continue
            by_node.setdefault(pod.node or "", []).append(pod)
        for node_name, pods in by_node.items():
            if node_name not in eligible:
                for pod in pods:
                    self._index_remove(pod)
            else:
                for pod in pods[1:]:
                    self._index_remove(pod)
        generation = str((ds.manifest.get("metadata") or {}).get("generation", 1))
        for node in self.nodes():
            if node.name in eligible and node.name not in by_node:
                self._new_pod_from_template(
                    ds,
                    "apps/v1",
                    ds.template,
                    {"controller-revision-hash": template_hash, "pod-template-generation": generation},
                    node_name=node.name,
                    extra_tolerations=DAEMONSET_TOLERATIONS,
                )

    # -- Jobs
    def _job_numbers(self, job: Workload) -> tuple[int, int | None, int]:
        spec = job.spec
        parallelism = spec.get("parallelism", 1)
        completions = spec.get("completions")
        backoff = spec.get("backoffLimit", 6)
        return parallelism, completions, backoff

    def _sync_job(self, job: Workload) -> None:
        """pkg/controller/job (NonIndexed): keep `parallelism` pods running until `completions`
        succeed; a work queue (no completions) finishes when one pod succeeded and none is active;
        more than backoffLimit failures fail the Job."""
        status = job.manifest.get("status") or {}
        if any(
            c.get("type") in ("Complete", "Failed") and c.get("status") == "True"
            for c in status.get("conditions") or ()
        ):
            return
        if job.spec.get("suspend"):
            return
        parallelism, completions, backoff = self._job_numbers(job)
        pods = self.owned_by(job.uid, "Pod")
        active = [p for p in pods if not p.terminal]
        succeeded = int(status.get("succeeded", 0))
        failed = int(status.get("failed", 0))
        if failed > backoff:
            for pod in active:
                self._index_remove(pod)
            self._finish_job(job, "Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit")
            return
        if completions is not None:
            if succeeded >= completions:
                self._finish_job(job, "Complete")
                return
            want = min(parallelism, completions - succeeded)
        else:
            if succeeded > 0:
                if not active:
                    self._finish_job(job, "Complete")
                return
            want = parallelism
        if len(active) < want:
            self._new_pod_from_template(job, "batch/v1", job.template, {}, count=want - len(active))
            if "startTime" not in status:
                self._set_job_status(job, {"startTime": self._timestamp()})
        elif len(active) > want:
            for pod in sorted(active, key=lambda p: -p.seq)[: len(active) - want]:
                self._index_remove(pod)

    def _set_job_status(self, job: Workload, updates: dict) -> Workload:
        job = self.objects["Job"][job.key]
        manifest = _copy_manifest(job.manifest)
        manifest["status"] = {**(manifest.get("status") or {}), **updates}
        manifest["metadata"]["resourceVersion"] = str(self._next("rv"))
        return self._replace(job, manifest)

    def _finish_job(self, job: Workload, condition: str, reason: str = "", message: str = "") -> None:
        cond = {"type": condition, "status": "True", "lastTransitionTime": self._timestamp()}
        if reason:
            cond["reason"], cond["message"] = reason, message
        updates = {"conditions": [cond]}
        if condition == "Complete":
            updates["completionTime"] = self._timestamp()
        self._set_job_status(job, updates)

    def job_run_seconds(self, job: Workload) -> float:
        try:
            return max(0.0, float(job.annotations.get(RUN_SECONDS_ANNOTATION, DEFAULT_RUN_SECONDS)))
        except ValueError:
            return DEFAULT_RUN_SECONDS

    # ------------------------------------------------------------------ the simulated clock
    def _job_pod_events(self) -> list[tuple[float, Pod, Workload]]:
        events = []
        for job in self.objects["Job"].values():
            run = self.job_run_seconds(job)
            for pod in self.owned_by(job.uid, "Pod"):
                if pod.terminal or not pod.node or pod.started_at is None:
                    continue
                events.append((pod.started_at + run, pod, job))
        return sorted(events, key=lambda e: (e[0], e[1].seq))

    def next_event(self) -> float | None:
        events = self._job_pod_events()
        return events[0][0] if events else None

    def advance(self, seconds: float) -> None:
        """Move the simulated clock forward, finishing Job pods whose run time is over."""
        target = self.clock + max(0.0, seconds)
        while True:
            events = [e for e in self._job_pod_events() if e[0] <= target]
            if not events:
                break
            when = events[0][0]
            self.state["clock"] = max(self.clock, when)
            for finish, pod, job in events:
                if finish != when:
                    continue
                self._finish_pod(pod, job)
            self.reconcile()
        self.state["clock"] = target
        self.generation += 1

    def _finish_pod(self, pod: Pod, job: Workload) -> None:
        job = self.objects["Job"].get(job.key) or job
        status = job.manifest.get("status") or {}
        try:
            failures_wanted = int(job.annotations.get(FAILURES_ANNOTATION, 0))
        except ValueError:
            failures_wanted = 0
        failed = int(status.get("failed", 0))
        fails = failed < failures_wanted
        manifest = _copy_manifest(pod.manifest)
        annotations = manifest["metadata"].setdefault("annotations", {})
        if fails and pod.restart_policy == "OnFailure":
            # The kubelet restarts the container in place; the Job controller counts it as a failure.
            annotations["kubeviz.io/restarts"] = str(pod.restarts + 1)
            annotations["kubeviz.io/started-at"] = _fmt_clock(self.clock)
            manifest["metadata"]["resourceVersion"] = str(self._next("rv"))
            self._replace(pod, manifest)
            self._set_job_status(job, {"failed": failed + 1})
            return
        phase = "Failed" if fails else "Succeeded"
        manifest["status"] = {
            **manifest.get("status", {}),
            "phase": phase,
            "conditions": [{"type": "Ready", "status": "False", "reason": "PodCompleted"}],
        }
        annotations["kubeviz.io/finished-at"] = _fmt_clock(self.clock)
        manifest["metadata"]["resourceVersion"] = str(self._next("rv"))
        self._replace(pod, manifest)
        key = "failed" if fails else "succeeded"
        self._set_job_status(job, {key: int(status.get(key, 0)) + 1})

    def settle(self, max_seconds: float = 24 * 3600, max_steps: int = 10_000) -> bool:
        """Run the clock until no Job is active (bounded). True when everything settled."""
        deadline = self.clock + max_seconds
        for _ in range(max_steps):
            when = self.next_event()
            if when is None:
                return True
            if when > deadline:
                return False
            self.advance(when - self.clock)
        return self.next_event() is None


def _copy_manifest(manifest: dict) -> dict:
    """Copy the parts of a manifest we change (metadata, status), sharing the rest."""
    out = dict(manifest)
    meta = dict(manifest.get("metadata") or {})
    if "annotations" in meta:
        meta["annotations"] = dict(meta["annotations"])
    if "labels" in meta:
        meta["labels"] = dict(meta["labels"])
    out["metadata"] = meta
    if "status" in manifest:
        out["status"] = dict(manifest["status"] or {})
    return out


def _owned_by_other(pod: Base) -> bool:
    return any(r.get("controller") for r in (pod.manifest.get("metadata") or {}).get("ownerReferences") or ())


def _fmt_clock(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.3f}"


@dataclass(frozen=True, eq=False)
class _PodShape:
    """What the pods of one owner's template share."""

    template: dict
    owner: Workload
    prefix: str
    seed: str  # what generated names of this owner's pods are drawn from, before the serial number
    labels: dict
    annotations: dict
    owner_references: list
    spec: dict
    node_name: str | None  # spec.nodeName: a template may bind its pods to a node
    host_network: bool
    fields: tuple  # the Pod model's spec-derived fields (pod_field_values)
    owner_ref: OwnerRef
    node_specs: dict = field(default_factory=dict)  # node name -> spec bound to it, shared by its pods

    def spec_on(self, node_name: str) -> dict:
        """The defaulted spec with spec.nodeName set: one dict per node, shared by the pods of this
        shape on that node (stored manifests are never changed in place)."""
        spec = self.node_specs.get(node_name)
        if spec is None:
            spec = self.node_specs[node_name] = {**self.spec, "nodeName": node_name}
        return spec
