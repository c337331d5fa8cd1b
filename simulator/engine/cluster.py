"""A simulated cluster: the object store, its indexes, and allocation.

`Engine` plays the API server's storage (uids, resourceVersions, creation order, address
allocation), the scheduler and the kubelet's pod addresses. The apply path lives in
`applying` and the controller manager in `controllers` (both mixed in); the read side lives
in `endpoints`, `envvars`, `views` and the networking modules, which only read it.

Mutations record what changed (`pop_changes`, `pop_change_log`) so that callers can
re-derive only what an edit touched.
"""

from __future__ import annotations

import copy
import datetime
import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from . import kinds, scheduler
from .apiserver import defaults as api_defaults
from .apiserver import generate
from .apiserver.allocate import NodePortAllocator, PodIPAllocator, PoolAllocator, ServiceIPAllocator, node_pod_cidr
from .apiserver.apply import Applier, ApplyResult, has_node_documents, parse_entries
from .apiserver.documents import DEFAULT_MAX_BYTES, DEFAULT_MAX_DOCUMENTS
from .controllers.manager import _CONTROLLER_KINDS, Controllers, _fmt_clock
from .errors import Diagnostic
from .model import Base, Node, Pod, Service, from_manifest, tolerations_of

__all__ = ["ApplyResult", "ChangeLog", "ClusterSettings", "Engine", "has_node_documents", "parse_entries"]

DEFAULT_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
CONTROL_PLANE_ROLE = "node-role.kubernetes.io/control-plane"
SIM_EPOCH = 1_767_225_600  # 2026-01-01T00:00:00Z: creationTimestamps count from here in simulated seconds


@dataclass(frozen=True)
class ClusterSettings:
    domain: str = "cluster.local"
    service_cidr: str = "10.96.0.0/12"
    pod_cidr: str = "10.244.0.0/16"
    node_port_range: tuple[int, int] = (30000, 32767)
    workers: int = 2
    load_balancer_pool: str | None = None
    seed: str = "kubeviz"
    max_bytes: int = DEFAULT_MAX_BYTES
    max_documents: int = DEFAULT_MAX_DOCUMENTS

    def to_dict(self) -> dict:
        return {
            "domain": self.domain,
            "service_cidr": self.service_cidr,
            "pod_cidr": self.pod_cidr,
            "node_port_range": list(self.node_port_range),
            "workers": self.workers,
            "load_balancer_pool": self.load_balancer_pool,
            "seed": self.seed,
        }


class ChangeLog:
    """Keys of objects created, updated or deleted since the last `pop_changes()`.

    `before` keeps, for every changed object key, the object as it was when the log started
    (None when it did not exist then), so a reader can tell created, updated and deleted apart
    and re-derive what the old version produced (a deleted pod's owner, a Service's old ports).
    """

    def __init__(self) -> None:
        self.keys: dict[tuple[str, str, str], None] = {}
        self.before: dict[tuple[str, str, str], Base | None] = {}

    def add(self, kind: str, namespace: str, name: str) -> None:
        self.keys[(kind, namespace, name)] = None

    def seen(self, obj: Base, existed: bool, key: tuple[str, str, str] | None = None) -> None:
        """Record `obj`'s key (`key`, when the caller has it already); the first sighting fixes
        what it was before the log started."""
        if key is None:
            key = (obj.kind, obj.namespace, obj.name)
        self.keys[key] = None
        if key not in self.before:
            self.before[key] = obj if existed else None


class Engine(Applier, Controllers):
    def __init__(self, settings: ClusterSettings | None = None, state: dict | None = None):
        self.settings = settings or ClusterSettings()
        self.state = {"serial": 0, "rv": 0, "clock": 0.0, "ipam": {}}
        if state:
            self.state.update(copy.deepcopy(state))
        self.objects: dict[str, dict[tuple[str, str], Base]] = {k: {} for k in kinds.CURRENT}
        self.service_ips = ServiceIPAllocator(self.settings.service_cidr)
        self.node_ports = NodePortAllocator(*self.settings.node_port_range)
        self.lb_pool = PoolAllocator(self.settings.load_balancer_pool)
        self.pod_ips: dict[str, PodIPAllocator] = {}
        # indexes
        self._pods_by_ns: dict[str, dict[str, Pod]] = {}
        self._label_index: dict[str, dict[tuple[str, str], set[str]]] = {}
        self._services_by_ns: dict[str, dict[str, Service]] = {}
        self._owned: dict[str, dict[tuple[str, str, str], None]] = {}
        self._pods_on_node = scheduler.NodeLoad()  # node name -> pods bound to it
        self._pending: dict[tuple[str, str], None] = {}
        self._node_ips: dict[str, str] = {}
        self.changes = ChangeLog()
        self.generation = 0  # bumps on every mutation; caches compare it
        self._derived: dict[str, Any] = {}
        self.endpoints_cache: dict[tuple[str, str], tuple] = {}
        self.env_cache: dict[tuple, dict[str, str]] = {}
        self._service_versions: dict[str, int] = {}
        self._selector_index: dict[str, dict[tuple[str, str], set[str]]] = {}
        self._owner_nodes: dict[str, dict[str, int]] = {}  # owner uid -> node -> pods of that owner
        self._services_sorted: dict[str, tuple[int, list, list]] = {}
        # Per-module caches of derived views (dns, kubeproxy, ...), each keyed as its module likes;
        # entries should check identity of the objects they were derived from.
        self.scratch: dict[str, dict] = {}
        self.schedule_failures: dict[tuple[str, str], str] = {}
        self._by_uid: dict[str, tuple[str, str, str]] = {}
        # Controllers that must look at their objects again (kube-controller-manager's work queues).
        self._dirty: dict[tuple[str, str, str], None] = {}
        self._feasible_cache: dict[tuple, scheduler.FeasibleSet] = {}
        self._template_cache: dict[int, tuple[dict, str, dict]] = {}
        self._pod_shapes: dict[tuple, object] = {}
        self._replicasets_by_ns: dict[str, dict[str, None]] = {}
        self._feasible_keys: dict[int, tuple[dict, tuple]] = {}

    # ------------------------------------------------------------------ construction
    @classmethod
    def new(cls, settings: ClusterSettings | None = None, *, default_nodes: bool = True) -> Engine:
        """A fresh cluster as simulate-contract.md describes (namespaces, nodes, kubernetes and kube-dns)."""
        cluster = cls(settings)
        for ns in DEFAULT_NAMESPACES:
            cluster._create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
        if default_nodes:
            cluster.add_default_nodes()
        cluster._bootstrap_services()
        return cluster

    def add_default_nodes(self, workers: int | None = None) -> None:
        workers = self.settings.workers if workers is None else workers
        self._create(
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "control-plane", "labels": {CONTROL_PLANE_ROLE: ""}},
                "spec": {"taints": [{"key": CONTROL_PLANE_ROLE, "effect": "NoSchedule"}]},
            }
        )
        for i in range(1, workers + 1):
            self._create({"apiVersion": "v1", "kind": "Node", "metadata": {"name": f"worker-{i}"}, "spec": {}})

    def _bootstrap_services(self) -> None:
        net = self.service_ips
        self._bootstrap_kubernetes_service()
        self._create(
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {
                    "name": "kube-dns",
                    "namespace": "kube-system",
                    "labels": {
                        "k8s-app": "kube-dns",
                        "kubernetes.io/cluster-service": "true",
                        "kubernetes.io/name": "CoreDNS",
                    },
                },
                "spec": {
                    "type": "ClusterIP",
                    "clusterIP": net.ip(10),
                    "clusterIPs": [net.ip(10)],
                    "selector": {"k8s-app": "kube-dns"},
                    "sessionAffinity": "None",
                    "internalTrafficPolicy": "Cluster",
                    "ports": [
                        {"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
                        {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53},
                        {"name": "metrics", "port": 9153, "protocol": "TCP", "targetPort": 9153},
                    ],
                },
            }
        )
        template = {
            "metadata": {"labels": {"k8s-app": "kube-dns"}},
            "spec": {
                "containers": [
                    {
                        "name": "coredns",
                        "image": "registry.k8s.io/coredns/coredns:v1.11.3",
                        "args": ["-conf", "/etc/coredns/Corefile"],
                        "ports": [
                            {"containerPort": 53, "name": "dns", "protocol": "UDP"},
                            {"containerPort": 53, "name": "dns-tcp", "protocol": "TCP"},
                            {"containerPort": 9153, "name": "metrics", "protocol": "TCP"},
                        ],
                    }
                ],
                "dnsPolicy": "Default",
                "priorityClassName": "system-cluster-critical",
                "restartPolicy": "Always",
                "schedulerName": "default-scheduler",
                "terminationGracePeriodSeconds": 30,
                "enableServiceLinks": True,
                "tolerations": [
                    {"key": "CriticalAddonsOnly", "operator": "Exists"},
                    {"key": CONTROL_PLANE_ROLE, "effect": "NoSchedule"},
                ],
                # kubeadm clusters run CoreDNS on the control plane; prefer it, fall back to any node.
                "affinity": {
                    "nodeAffinity": {
                        "preferredDuringSchedulingIgnoredDuringExecution": [
                            {
                                "weight": 100,
                                "preference": {"matchExpressions": [{"key": CONTROL_PLANE_ROLE, "operator": "Exists"}]},
                            }
                        ]
                    }
                },
            },
        }
        self._create(
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": "coredns", "namespace": "kube-system", "labels": {"k8s-app": "kube-dns"}},
                "spec": {
                    "replicas": 2,
                    "selector": {"matchLabels": {"k8s-app": "kube-dns"}},
                    "template": template,
                    "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 1}},
                    "revisionHistoryLimit": 10,
                    "progressDeadlineSeconds": 600,
                },
            }
        )

    @classmethod
    def restore(cls, settings: ClusterSettings, state: dict, manifests: Iterable[dict]) -> Engine:
        """Rebuild a cluster from stored objects (in creation order) and its state."""
        cluster = cls(settings, state)
        for manifest in sorted(
            manifests, key=lambda m: int((m.get("metadata") or {}).get("annotations", {}).get("kubeviz.io/seq", 0))
        ):
            seq = int(manifest["metadata"]["annotations"]["kubeviz.io/seq"])
            cluster._index_add(from_manifest(manifest, seq))
        for key in cluster._pending:
            pod = cluster.objects["Pod"][key]
            reason = _unscheduled_reason(pod.manifest)
            if pod.node and ("", pod.node) not in cluster.objects["Node"]:
                reason = f'node "{pod.node}" does not exist'
            if reason:
                cluster.schedule_failures[key] = reason
        cluster.changes = ChangeLog()
        cluster._dirty.clear()
        return cluster

    def copy(self) -> Engine:
        """An independent cluster with the same objects (objects are immutable, so sharing them is safe)."""
        return Engine.restore(self.settings, self.state, (o.manifest for o in self.all_objects()))

    # ------------------------------------------------------------------ reading
    def get(self, kind: str, namespace: str, name: str) -> Base | None:
        return self.objects[kind].get((namespace if kind not in kinds.CLUSTER_SCOPED else "", name))

    def list(self, kind: str) -> list:
        return list(self.objects[kind].values())

    def all_objects(self) -> Iterator[Base]:
        for kind in kinds.KIND_ORDER:
            yield from self.objects[kind].values()

    def nodes(self) -> list[Node]:
        return list(self.objects["Node"].values())

    def namespaces(self) -> list[str]:
        return [ns for (_, ns) in self.objects["Namespace"]]

    def pods_in(self, namespace: str) -> dict[str, Pod]:
        return self._pods_by_ns.get(namespace, {})

    def services_in(self, namespace: str) -> dict[str, Service]:
        return self._services_by_ns.get(namespace, {})

    def service_version(self, namespace: str) -> int:
        """Bumps whenever a Service of the namespace is created, changed or deleted."""
        return self._service_versions.get(namespace, 0)

    def services_by_seq(self, namespace: str) -> tuple[list[int], list[Service]]:
        """The namespace's Services in creation order, with their creation numbers (for bisecting)."""
        version = self._service_versions.get(namespace, 0)
        hit = self._services_sorted.get(namespace)
        if hit is None or hit[0] != version:
            services = sorted(self._services_by_ns.get(namespace, {}).values(), key=lambda s: s.seq)
            hit = (version, [s.seq for s in services], services)
            self._services_sorted[namespace] = hit
        return hit[1], hit[2]

    def pods_with_labels(self, namespace: str, labels: dict[str, str], *, ordered: bool = True) -> list[Pod]:
        """Pods of `namespace` carrying every label in `labels` (a Service selector), by label index,
        in creation order (in no particular order when not `ordered`)."""
        index = self._label_index.get(namespace)
        pods = self._pods_by_ns.get(namespace)
        if not index or not pods:
            return []
        sets = []
        for pair in labels.items():
            found = index.get(pair)
            if not found:
                return []
            sets.append(found)
        sets.sort(key=len)
        names = set(sets[0]).intersection(*sets[1:]) if len(sets) > 1 else sets[0]
        if not ordered:
            return [pods[n] for n in names]
        return sorted((pods[n] for n in names), key=_BY_SEQ)

    def owned_by(self, uid: str, kind: str | None = None) -> list[Base]:
        out = []
        for k, ns, name in self._owned.get(uid, ()):
            if kind is None or k == kind:
                obj = self.objects[k].get((ns, name))
                if obj is not None:
                    out.append(obj)
        return sorted(out, key=_BY_SEQ)

    def node_ip(self, name: str | None) -> str | None:
        return self._node_ips.get(name) if name else None

    @property
    def clock(self) -> float:
        return float(self.state["clock"])

    def cached(self, key: str, compute):
        """A derived value cached until the next mutation."""
        entry = self._derived.get(key)
        if entry is not None and entry[0] == self.generation:
            return entry[1]
        value = compute()
        self._derived[key] = (self.generation, value)
        return value

    # ------------------------------------------------------------------ indexes
    def _mark_dirty(self, obj: Base) -> None:
        """Queue the controllers that care about this object (itself, its owner, adopters, daemons)."""
        kind = obj.kind
        if kind in _CONTROLLER_KINDS:
            self._dirty[(kind, obj.namespace, obj.name)] = None
        if obj.owner is not None:
            owner = self._by_uid.get(obj.owner.uid)
            if owner is not None:
                self._dirty[owner] = None
        elif kind == "Pod":
            # An orphan pod may be adopted by a ReplicaSet whose selector matches it.
            for name in self._replicasets_by_ns.get(obj.namespace, ()):
                self._dirty[("ReplicaSet", obj.namespace, name)] = None
        if kind == "Node":
            self._feasible_cache.clear()
            for ds in self.objects["DaemonSet"].values():
                self._dirty[("DaemonSet", ds.namespace, ds.name)] = None

    def _index_add(self, obj: Base, *, ip_taken: bool = False) -> None:
        """Store `obj` and index it. `ip_taken`: the pod's address was just allocated on its node
        (so the allocator already holds it)."""
        kind, namespace, name, owner = obj.kind, obj.namespace, obj.name, obj.owner
        ref = (kind, namespace, name)  # one tuple for the uid map, the change log and the owner's set
        self.objects[kind][(namespace, name)] = obj
        self._by_uid[obj.uid] = ref
        if kind == "ReplicaSet":
            self._replicasets_by_ns.setdefault(namespace, {})[name] = None
        self._mark_dirty(obj)
        self.generation += 1
        self.changes.seen(obj, existed=False, key=ref)
        if owner is not None:
            self._owned.setdefault(owner.uid, {})[ref] = None
        if kind == "Pod":
            self._touch_selecting_services(obj)
            self._pods_by_ns.setdefault(namespace, {})[name] = obj
            index = self._label_index.setdefault(namespace, {})
            for pair in obj.labels.items():
                index.setdefault(pair, set()).add(name)
            node = obj.node
            if node:
                self._pods_on_node.set(node, self._pods_on_node.get(node, 0) + 1)
                if owner is not None:
                    counts = self._owner_nodes.setdefault(owner.uid, {})
                    counts[node] = counts.get(node, 0) + 1
                if obj.ip and not ip_taken:
                    self._pod_ip_allocator(obj.node).take(obj.ip)
            if (not obj.node or not obj.ip) and not obj.terminal:
                self._pending[obj.key] = None  # not scheduled, or bound to a node that is not there
        elif kind == "Service":
            self.endpoints_cache.pop(obj.key, None)
            self.changes.add("Endpoints", obj.namespace, obj.name)
            self._service_versions[obj.namespace] = self._service_versions.get(obj.namespace, 0) + 1
            self._services_by_ns.setdefault(obj.namespace, {})[obj.name] = obj
            if obj.selector:
                index = self._selector_index.setdefault(obj.namespace, {})
                index.setdefault(_index_pair(obj.selector), set()).add(obj.name)
            if obj.has_cluster_ip:
                self.service_ips.take(obj.cluster_ip, obj.uid)
            for port in obj.ports:
                if port.node_port:
                    self.node_ports.take(port.node_port, port.protocol, obj.uid)
            for ip in obj.load_balancer_ips:
                self.lb_pool.take(ip, obj.uid)
        elif kind == "Node":
            self.endpoints_cache.pop(("default", "kubernetes"), None)
            if obj.ip:
                self._node_ips[obj.name] = obj.ip

    def _index_remove(self, obj: Base) -> None:
        kind = obj.kind
        self.objects[kind].pop(obj.key, None)
        if kind == "ReplicaSet":
            self._replicasets_by_ns.get(obj.namespace, {}).pop(obj.name, None)
        self._mark_dirty(obj)
        self._by_uid.pop(obj.uid, None)
        self.generation += 1
        self.changes.seen(obj, existed=True)
        if obj.owner is not None:
            owned = self._owned.get(obj.owner.uid)
            if owned is not None:
                owned.pop((kind, obj.namespace, obj.name), None)
                if not owned:
                    del self._owned[obj.owner.uid]
        if kind == "Pod":
            self._touch_selecting_services(obj)
            self._pods_by_ns.get(obj.namespace, {}).pop(obj.name, None)
            index = self._label_index.get(obj.namespace, {})
            for pair in obj.labels.items():
                names = index.get(pair)
                if names is not None:
                    names.discard(obj.name)
                    if not names:
                        del index[pair]
            if obj.node:
                self._pods_on_node.set(obj.node, self._pods_on_node.get(obj.node, 1) - 1)
                if obj.owner is not None:
                    counts = self._owner_nodes.get(obj.owner.uid)
                    if counts is not None:
                        left = counts.get(obj.node, 1) - 1
                        if left > 0:
                            counts[obj.node] = left
                        else:
                            counts.pop(obj.node, None)
                            if not counts:
                                del self._owner_nodes[obj.owner.uid]
                if obj.ip and obj.node in self.pod_ips:
                    self.pod_ips[obj.node].release(obj.ip)
            self._pending.pop(obj.key, None)
            self.schedule_failures.pop(obj.key, None)
        elif kind == "Service":
            self.endpoints_cache.pop(obj.key, None)
            self.changes.add("Endpoints", obj.namespace, obj.name)
            self._service_versions[obj.namespace] = self._service_versions.get(obj.namespace, 0) + 1
            self._services_by_ns.get(obj.namespace, {}).pop(obj.name, None)
            if obj.selector:
                index = self._selector_index.get(obj.namespace, {})
                pair = _index_pair(obj.selector)
                names = index.get(pair)
                if names is not None:
                    names.discard(obj.name)
                    if not names:
                        del index[pair]
            self.service_ips.release(obj.cluster_ip, obj.uid)
            self.node_ports.release_owner(obj.uid)
            self.lb_pool.release_owner(obj.uid)
        elif kind == "Node":
            self.endpoints_cache.pop(("default", "kubernetes"), None)
            self._node_ips.pop(obj.name, None)

    def _touch_selecting_services(self, pod: Pod) -> None:
        """Drop cached Endpoints of every Service whose selector matches this pod's labels.
        Each Service is indexed under one pair of its selector (a match needs every pair, so
        that one must match too)."""
        index = self._selector_index.get(pod.namespace)
        if not index:
            return
        labels = pod.labels
        for pair in labels.items():
            for name in index.get(pair, ()):
                svc = self._services_by_ns[pod.namespace][name]
                selector = svc.selector
                for k, v in selector.items():
                    if labels.get(k) != v:
                        break
                else:
                    self.endpoints_cache.pop(svc.key, None)
                    self.changes.add("Endpoints", svc.namespace, svc.name)

    def _replace(self, obj: Base, manifest: dict) -> Base:
        self._index_remove(obj)
        new = from_manifest(manifest, obj.seq)
        self._index_add(new)
        return new

    def _pod_ip_allocator(self, node_name: str) -> PodIPAllocator:
        allocator = self.pod_ips.get(node_name)
        if allocator is None:
            node = self.objects["Node"].get(("", node_name))
            cidr = node.pod_cidr if node and node.pod_cidr else "0.0.0.0/32"
            allocator = PodIPAllocator(cidr, last=int(self.state["ipam"].get(node_name, 1)))
            self.pod_ips[node_name] = allocator
        return allocator

    # ------------------------------------------------------------------ storing
    def _next(self, key: str) -> int:
        self.state[key] += 1
        return self.state[key]

    def _timestamp(self) -> str:
        return _timestamp(int(self.clock))

    def _create(self, manifest: dict) -> Base:
        """Store a new object: uid, resourceVersion, creation order, allocation."""
        seq = self._next("serial")
        meta = manifest.setdefault("metadata", {})
        meta.setdefault("uid", generate.make_uid(self.settings.seed, seq))
        if manifest["kind"] not in kinds.CLUSTER_SCOPED:
            meta.setdefault("namespace", "default")
        else:
            meta.pop("namespace", None)
        meta["resourceVersion"] = str(self._next("rv"))
        meta.setdefault("creationTimestamp", self._timestamp())
        if "spec" in manifest and manifest["kind"] not in ("Pod", "Namespace", "Node", "Service"):
            meta["generation"] = 1
        annotations = dict(meta.get("annotations") or {})
        annotations["kubeviz.io/seq"] = str(seq)
        meta["annotations"] = annotations
        kind = manifest["kind"]
        if kind == "Job" and not (manifest.get("spec") or {}).get("manualSelector"):
            manifest = api_defaults.prepare_job_for_create(manifest, meta["uid"])
        if kind == "Node":
            self._allocate_node(manifest)
        elif kind == "Service":
            self._allocate_service(manifest, None)
        elif kind == "Pod":
            self._place_pod(manifest)
        obj = from_manifest(manifest, seq)
        self._index_add(obj)
        return obj

    def _update(self, old: Base, manifest: dict) -> Base:
        meta = manifest.setdefault("metadata", {})
        old_meta = old.manifest.get("metadata") or {}
        for key in ("uid", "creationTimestamp", "namespace"):
            if key in old_meta:
                meta[key] = old_meta[key]
        annotations = dict(meta.get("annotations") or {})
        annotations["kubeviz.io/seq"] = str(old.seq)
        meta["annotations"] = annotations
        if old_meta.get("ownerReferences") and "ownerReferences" not in meta:
            meta["ownerReferences"] = old_meta["ownerReferences"]
        if "generation" in old_meta:
            changed = manifest.get("spec") != old.manifest.get("spec")
            meta["generation"] = old_meta["generation"] + (1 if changed else 0)
        meta["resourceVersion"] = str(self._next("rv"))
        if old.kind == "Service":
            self._allocate_service(manifest, old)
        return self._replace(old, manifest)

    def _allocate_node(self, manifest: dict) -> None:
        spec = manifest.setdefault("spec", {})
        used_cidrs = {n.pod_cidr for n in self.objects["Node"].values()}
        if not spec.get("podCIDR"):
            index = 0
            while node_pod_cidr(self.settings.pod_cidr, index) in used_cidrs:
                index += 1
            spec["podCIDR"] = node_pod_cidr(self.settings.pod_cidr, index)
        spec.setdefault("podCIDRs", [spec["podCIDR"]])
        status = manifest.setdefault("status", {})
        addresses = status.get("addresses") or []
        if not any(a.get("type") == "InternalIP" for a in addresses):
            used_ips = set(self._node_ips.values())
            host = 2
            while f"172.18.0.{host}" in used_ips:
                host += 1
            addresses = [
                {"type": "InternalIP", "address": f"172.18.0.{host}"},
                {"type": "Hostname", "address": manifest["metadata"]["name"]},
                *list(addresses),
            ]
        status["addresses"] = addresses
        status.setdefault("conditions", [{"type": "Ready", "status": "True", "reason": "KubeletReady"}])

    def _allocate_service(self, manifest: dict, old: Service | None) -> None:
        """ClusterIP, NodePorts and load-balancer address, as the apiserver's REST storage does.
        Explicit values were checked in `_check_allocations`."""
        spec = manifest["spec"]
        uid = manifest["metadata"]["uid"]
        stype = spec.get("type", "ClusterIP")
        if stype == "ExternalName":
            spec.pop("clusterIP", None)
            spec.pop("clusterIPs", None)
        elif not spec.get("clusterIP"):
            ip = old.cluster_ip if old is not None and old.has_cluster_ip else self.service_ips.allocate(uid, uid)
            spec["clusterIP"] = ip
            spec["clusterIPs"] = [ip]
        else:
            spec.setdefault("clusterIPs", [spec["clusterIP"]])
            if spec["clusterIP"] != "None":
                self.service_ips.take(spec["clusterIP"], uid)
        if stype in ("NodePort", "LoadBalancer"):
            old_ports = {(p.port, p.protocol): p.node_port for p in old.ports} if old else {}
            for index, port in enumerate(spec.get("ports") or []):
                if not port.get("nodePort"):
                    keep = old_ports.get((port.get("port"), port.get("protocol", "TCP")))
                    port["nodePort"] = keep or self.node_ports.allocate(
                        f"{uid}/{index}", port.get("protocol", "TCP"), uid
                    )
                self.node_ports.take(port["nodePort"], port.get("protocol", "TCP"), uid)
        else:
            for port in spec.get("ports") or []:
                port.pop("nodePort", None)
        if stype == "LoadBalancer" and spec.get("externalTrafficPolicy") == "Local":
            # The apiserver allocates a health-check node port for kube-proxy's Local policy
            # (pkg/registry/core/service/storage: allocHealthCheckNodePort).
            if not spec.get("healthCheckNodePort"):
                keep = (old.manifest.get("spec") or {}).get("healthCheckNodePort") if old is not None else None
                spec["healthCheckNodePort"] = keep or self.node_ports.allocate(f"{uid}/health", "TCP", uid)
            self.node_ports.take(spec["healthCheckNodePort"], "TCP", uid)
        else:
            spec.pop("healthCheckNodePort", None)
        status = manifest.setdefault("status", {})
        if stype == "LoadBalancer":
            lb = status.get("loadBalancer") or {}
            if not lb.get("ingress"):
                keep = old.load_balancer_ips if old is not None else ()
                ip = keep[0] if keep else (self.lb_pool.allocate(uid) if self.lb_pool.configured else None)
                status["loadBalancer"] = {"ingress": [{"ip": ip, "ipMode": "VIP"}]} if ip else {}
        else:
            status["loadBalancer"] = {}

    def _feasible_nodes(self, spec: dict) -> scheduler.FeasibleSet:
        """Nodes whose labels and taints admit pods of this scheduling signature, or (node, reason)
        for the others; cached until a node changes."""
        known = self._feasible_keys.get(id(spec))
        if known is not None and known[0] is spec:
            key = known[1]
        else:
            key = (repr(spec.get("nodeSelector")), repr(spec.get("tolerations")), repr(spec.get("affinity")))
            if len(self._feasible_keys) > 20_000:
                self._feasible_keys.clear()
            self._feasible_keys[id(spec)] = (spec, key)
        hit = self._feasible_cache.get(key)
        if hit is None:
            tolerations = tolerations_of(spec)
            hit = scheduler.FeasibleSet(
                [
                    (node, scheduler.feasible(node, spec, spec.get("nodeSelector") or {}, tolerations))
                    for node in self.objects["Node"].values()
                ]
            )
            self._feasible_cache[key] = hit
        return hit

    def _place_pod(self, manifest: dict) -> None:
        """Schedule (when not bound) and give an IP, as kube-scheduler and the kubelet's CNI would."""
        spec = manifest.setdefault("spec", {})
        status = manifest.setdefault("status", {})
        key = (manifest["metadata"].get("namespace", "default"), manifest["metadata"]["name"])
        if status.get("phase") in ("Succeeded", "Failed"):
            return
        node_name = spec.get("nodeName")
        if not node_name:
            refs = manifest["metadata"].get("ownerReferences")
            owner = (
                refs[0]
                if refs and len(refs) == 1 and refs[0].get("controller")
                else next((r for r in refs or () if r.get("controller")), None)
            )
            same_owner = self._owner_nodes.get(owner["uid"], {}) if owner is not None else {}
            node, reason = scheduler.choose_node(
                self._feasible_nodes(spec),
                spec,
                spec.get("nodeSelector") or {},
                (),
                same_owner,
                self._pods_on_node,
                total=len(self.objects["Node"]),
            )
            if node is None:
                self.schedule_failures[key] = reason
                status["conditions"] = [c for c in status.get("conditions") or () if c.get("type") != "PodScheduled"]
                status["conditions"].append(
                    {"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": reason}
                )
                return
            spec["nodeName"] = node_name = node.name
        if ("", node_name) not in self.objects["Node"]:
            self.schedule_failures[key] = f'node "{node_name}" does not exist'
            return
        self.schedule_failures.pop(key, None)
        if not status.get("podIP") and not (spec.get("hostNetwork")):
            allocator = self._pod_ip_allocator(node_name)
            ip = allocator.allocate()
            self.state["ipam"][node_name] = allocator.last
            if ip:
                status["podIP"] = ip
                status["podIPs"] = [{"ip": ip}]
        elif spec.get("hostNetwork") and not status.get("podIP"):
            status["podIP"] = self._node_ips.get(node_name)
            status["podIPs"] = [{"ip": status["podIP"]}]
        status["hostIP"] = self._node_ips.get(node_name)
        annotations = manifest["metadata"].setdefault("annotations", {})
        annotations.setdefault("kubeviz.io/started-at", _fmt_clock(self.clock))
        status.setdefault("startTime", self._timestamp())

    # ------------------------------------------------------------------ delete
    def delete(self, kind: str, namespace: str, name: str) -> ApplyResult:
        """`kubectl delete`: remove the object and, by garbage collection, what it owns."""
        result = ApplyResult()
        if kind in kinds.CLUSTER_SCOPED:
            namespace = ""
        obj = self.get(kind, namespace, name)
        if obj is None:
            resource = _resource(kind)
            result.errors.append(Diagnostic(None, None, kind, name, None, f'{resource} "{name}" not found'))
            return result
        if kind == "Namespace" and name in DEFAULT_NAMESPACES:
            result.errors.append(
                Diagnostic(
                    None, None, kind, name, None, f'namespaces "{name}" is forbidden: this namespace may not be deleted'
                )
            )
            return result
        self._delete_cascade(obj)
        result.results.append((kind, namespace, name, "deleted"))
        if kind == "Service" and namespace == "default" and name == "kubernetes":
            self._bootstrap_kubernetes_service()
        self.reconcile()
        return result

    def _bootstrap_kubernetes_service(self) -> None:
        """default/kubernetes, the apiserver's own Service on the range's first address; the
        apiserver's bootstrap controller creates it, and re-creates it when it is deleted."""
        if self.get("Service", "default", "kubernetes") is not None:
            return
        ip = self.service_ips.ip(1)
        self._create(
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {
                    "name": "kubernetes",
                    "namespace": "default",
                    "labels": {"component": "apiserver", "provider": "kubernetes"},
                },
                "spec": {
                    "type": "ClusterIP",
                    "clusterIP": ip,
                    "clusterIPs": [ip],
                    "sessionAffinity": "None",
                    "internalTrafficPolicy": "Cluster",
                    "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}],
                },
            }
        )

    def _delete_cascade(self, obj: Base) -> None:
        for child in self.owned_by(obj.uid):
            self._delete_cascade(child)
        if obj.kind == "Namespace":
            for kind in kinds.KIND_ORDER:
                if kind in kinds.CLUSTER_SCOPED:
                    continue
                for child in [o for o in self.objects[kind].values() if o.namespace == obj.name]:
                    if self.get(child.kind, child.namespace, child.name) is not None:
                        self._delete_cascade(child)
        if obj.kind == "Node":
            # The pod garbage collector deletes pods bound to a node that no longer exists.
            for pod in [p for p in self.objects["Pod"].values() if p.node == obj.name]:
                self._index_remove(pod)
            self.pod_ips.pop(obj.name, None)
        if self.get(obj.kind, obj.namespace, obj.name) is not None:
            self._index_remove(obj)

    # ------------------------------------------------------------------ changes
    def pop_changes(self) -> list[tuple[str, str, str]]:
        return list(self.pop_change_log().keys)

    def pop_change_log(self) -> ChangeLog:
        """The change log since the last pop (keys and the objects as they were before), reset."""
        log = self.changes
        self.changes = ChangeLog()
        return log

    def manifests(self) -> list[dict]:
        return [o.manifest for o in sorted(self.all_objects(), key=lambda o: o.seq)]


# ---------------------------------------------------------------------- helpers
@functools.lru_cache(maxsize=64)
def _timestamp(seconds: int) -> str:
    moment = datetime.datetime.fromtimestamp(SIM_EPOCH + seconds, datetime.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


_BY_SEQ = attrgetter("seq")  # creation order, as a C-level sort key


def _index_pair(selector: dict) -> tuple[str, str]:
    """The selector pair a Service is indexed under: the longest, usually the most specific
    (`app=web-17` rather than `tier=web`)."""
    return max(selector.items(), key=lambda kv: (len(kv[0]) + len(kv[1]), kv))


def _unscheduled_reason(manifest: dict) -> str | None:
    """The scheduler's message kept on a pending pod (its PodScheduled=False condition)."""
    for condition in (manifest.get("status") or {}).get("conditions") or ():
        if condition.get("type") == "PodScheduled" and condition.get("status") == "False":
            return condition.get("message")
    return None


def _resource(kind: str) -> str:
    return {
        "Ingress": "ingresses.networking.k8s.io",
        "Deployment": "deployments.apps",
        "ReplicaSet": "replicasets.apps",
        "DaemonSet": "daemonsets.apps",
        "Job": "jobs.batch",
    }.get(kind, kind.lower() + "s")
