"""The Kubernetes object model: small dataclasses read from stored manifests.

A stored object is the manifest after conversion, defaulting and allocation (the same
shape `kubectl get -o yaml` shows: apiVersion, kind, metadata, spec, status). The typed
object keeps that manifest and the fields the engine needs in its hot paths, read once.
Objects never change; an update stores a new one (caches compare objects by identity).

The stored objects (Base and its kinds) are slotted but not `frozen=True`: a frozen
dataclass sets every field through object.__setattr__, which made building a Pod (22
fields) ten times slower than plain slot stores, and a cluster builds them by the ten
thousand. Nothing assigns to their fields after construction; treat them as frozen. The
small value types (OwnerRef, Taint, ...) stay frozen and hashable.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from .labels import Selector, from_label_selector
from .wellknown import (
    FINISHED_AT_ANNOTATION,
    INGRESS_CLASS_ANNOTATION,
    RESTARTS_ANNOTATION,
    STARTED_AT_ANNOTATION,
    STOPS_AT_ANNOTATION,
)

EMPTY: Mapping[str, str] = {}


@dataclass(frozen=True, slots=True)
class OwnerRef:
    kind: str
    name: str
    uid: str

    def to_dict(self) -> dict:
        return {"kind": self.kind, "name": self.name}


def _meta(manifest: dict) -> dict:
    return manifest.get("metadata") or {}


def _owner(meta: dict) -> OwnerRef | None:
    for ref in meta.get("ownerReferences") or ():
        if ref.get("controller"):
            return OwnerRef(ref.get("kind", ""), ref.get("name", ""), ref.get("uid", ""))
    return None


def owner_reference(kind: str, api_version: str, name: str, uid: str) -> dict:
    return {
        "apiVersion": api_version,
        "kind": kind,
        "name": name,
        "uid": uid,
        "controller": True,
        "blockOwnerDeletion": True,
    }


@dataclass(slots=True)  # not frozen: see the module docstring
class Base:
    kind: str
    namespace: str
    name: str
    uid: str
    seq: int  # creation order within the cluster
    labels: Mapping[str, str]
    owner: OwnerRef | None
    manifest: dict = field(repr=False, compare=False)

    @property
    def key(self) -> tuple[str, str]:
        return (self.namespace, self.name)

    @property
    def ref(self) -> str:
        return f"{self.namespace}/{self.name}" if self.namespace else self.name

    @property
    def spec(self) -> dict:
        return self.manifest.get("spec") or {}

    @property
    def annotations(self) -> Mapping[str, str]:
        return _meta(self.manifest).get("annotations") or EMPTY

    @property
    def resource_version(self) -> str:
        return str(_meta(self.manifest).get("resourceVersion", ""))


def _base_fields(manifest: dict, seq: int) -> dict:
    meta = _meta(manifest)
    return {
        "kind": manifest["kind"],
        "namespace": meta.get("namespace") or "",
        "name": meta["name"],
        "uid": meta.get("uid", ""),
        "seq": seq,
        "labels": meta.get("labels") or EMPTY,
        "owner": _owner(meta),
        "manifest": manifest,
    }


@dataclass(slots=True)  # not frozen: see the module docstring
class Namespace(Base):
    @classmethod
    def from_manifest(cls, manifest: dict, seq: int) -> Namespace:
        return cls(**_base_fields(manifest, seq))


@dataclass(slots=True)  # not frozen: see the module docstring
class Plain(Base):
    """A kind the cluster stores and serves but the simulation does not act on (ConfigMap,
    Secret, ServiceAccount, IngressClass): kept as the manifest, read by nobody in the engine."""

    @classmethod
    def from_manifest(cls, manifest: dict, seq: int) -> Plain:
        return cls(**_base_fields(manifest, seq))


@dataclass(frozen=True, slots=True)
class Taint:
    key: str
    value: str
    effect: str

    def to_dict(self) -> dict:
        out = {"key": self.key}
        if self.value:
            out["value"] = self.value
        out["effect"] = self.effect
        return out

    def __str__(self) -> str:
        return f"{self.key}={self.value}:{self.effect}" if self.value else f"{self.key}:{self.effect}"


@dataclass(frozen=True, slots=True)
class Toleration:
    key: str
    operator: str
    value: str
    effect: str

    def tolerates(self, taint: Taint) -> bool:
        """core/v1 Toleration.ToleratesTaint (k8s.io/api/core/v1/toleration.go)."""
        if self.effect and self.effect != taint.effect:
            return False
        if self.key and self.key != taint.key:
            return False
        if self.operator == "Exists":
            return True
        if self.operator in ("Equal", ""):
            return self.value == taint.value
        return False


@dataclass(slots=True)  # not frozen: see the module docstring
class Node(Base):
    ip: str | None
    pod_cidr: str | None
    taints: tuple[Taint, ...]
    unschedulable: bool

    @classmethod
    def from_manifest(cls, manifest: dict, seq: int) -> Node:
        spec = manifest.get("spec") or {}
        status = manifest.get("status") or {}
        ip = None
        for address in status.get("addresses") or ():
            if address.get("type") == "InternalIP":
                ip = address.get("address")
                break
        taints = tuple(
            Taint(t.get("key", ""), str(t.get("value") or ""), t.get("effect", "")) for t in spec.get("taints") or ()
        )
        return cls(
            **_base_fields(manifest, seq),
            ip=ip,
            pod_cidr=spec.get("podCIDR"),
            taints=taints,
            unschedulable=bool(spec.get("unschedulable")),
        )


@dataclass(frozen=True, slots=True)
class ContainerPort:
    container: str
    name: str
    port: int
    protocol: str


def tolerations_of(pod_spec: dict) -> tuple[Toleration, ...]:
    return tuple(
        Toleration(t.get("key") or "", t.get("operator") or "Equal", str(t.get("value") or ""), t.get("effect") or "")
        for t in pod_spec.get("tolerations") or ()
    )


_PORTS_CACHE: dict[int, tuple[list, list | None, tuple]] = {}


def container_ports(pod_spec: dict) -> tuple[ContainerPort, ...]:
    """The declared ports of a pod's containers, then of its sidecars (init containers with
    restartPolicy Always), the order pkg/api/v1/pod FindPort looks in; pods sharing one spec's
    lists share the result."""
    containers = pod_spec.get("containers")
    init = pod_spec.get("initContainers")
    if containers is None and not init:
        return ()
    hit = _PORTS_CACHE.get(id(containers))
    if hit is not None and hit[0] is containers and hit[1] is init:
        return hit[2]
    value = _container_ports(containers, init)
    if len(_PORTS_CACHE) > 50_000:
        _PORTS_CACHE.clear()
    _PORTS_CACHE[id(containers)] = (containers, init, value)
    return value


def _container_ports(containers: list | None, init: list | None) -> tuple[ContainerPort, ...]:
    out = []
    sidecars = [c for c in init or () if isinstance(c, dict) and c.get("restartPolicy") == "Always"]
    for container in (*(containers or ()), *sidecars):
        for p in container.get("ports") or ():
            out.append(
                ContainerPort(
                    container.get("name", ""), p.get("name") or "", p.get("containerPort"), p.get("protocol") or "TCP"
                )
            )
    return tuple(out)


BIND_ALL = "0.0.0.0"  # the scheduler's framework.DefaultBindAllHostIP
HostPort = tuple[str, str, int]  # (protocol, host IP, host port)


def host_ports(pod_spec: dict) -> tuple[HostPort, ...]:
    """pkg/scheduler/util GetHostPorts: the host ports of the containers and of the init
    containers that run all along (restartPolicy Always), sanitized as the scheduler's
    HostPortInfo does (no IP is 0.0.0.0, no protocol is TCP). A hostNetwork pod's container
    ports are host ports (SetDefaults_Pod)."""
    out: list[HostPort] = []
    sidecars = [c for c in pod_spec.get("initContainers") or () if c.get("restartPolicy") == "Always"]
    for container in (*sidecars, *(pod_spec.get("containers") or ())):
        for port in container.get("ports") or ():
            number = port.get("hostPort") or 0
            if number > 0:
                out.append((port.get("protocol") or "TCP", port.get("hostIP") or BIND_ALL, number))
    return tuple(out)


def pod_fields(spec: dict) -> dict:
    """The Pod model's fields that come from its spec alone (pods of one template share them)."""
    return {
        "ports": container_ports(spec),
        "hostname": spec.get("hostname") or None,
        "subdomain": spec.get("subdomain") or None,
        "enable_service_links": spec.get("enableServiceLinks", True) is not False,
        "node_selector": spec.get("nodeSelector") or EMPTY,
        "tolerations": tolerations_of(spec),
        "restart_policy": spec.get("restartPolicy") or "Always",
        "host_ports": host_ports(spec),
    }


@dataclass(slots=True)  # not frozen: see the module docstring
class Pod(Base):
    node: str | None
    ip: str | None
    status_phase: str | None  # as stored; None means "derive from scheduling"
    ready_condition: bool | None  # an explicit Ready condition, when the document carried one
    ports: tuple[ContainerPort, ...]
    hostname: str | None
    subdomain: str | None
    enable_service_links: bool
    node_selector: Mapping[str, str]
    tolerations: tuple[Toleration, ...]
    restart_policy: str
    host_ports: tuple[tuple[str, str, int], ...]  # (protocol, host IP, port) it holds on its node
    started_at: float | None  # simulated clock seconds when it started running
    finished_at: float | None
    restarts: int
    # Being deleted gracefully (metadata.deletionTimestamp set): the kubelet clock's moment its
    # containers have stopped and the kubelet removes it (kubelet/termination); None otherwise.
    stops_at: float | None = None

    @classmethod
    def from_manifest(cls, manifest: dict, seq: int) -> Pod:
        spec = manifest.get("spec") or {}
        status = manifest.get("status") or {}
        ready = None
        for condition in status.get("conditions") or ():
            if condition.get("type") == "Ready":
                ready = condition.get("status") == "True"
        annotations = _meta(manifest).get("annotations") or EMPTY
        started = annotations.get(STARTED_AT_ANNOTATION)
        finished = annotations.get(FINISHED_AT_ANNOTATION)
        stops = annotations.get(STOPS_AT_ANNOTATION)
        return cls(
            **_base_fields(manifest, seq),
            node=spec.get("nodeName") or None,
            ip=status.get("podIP") or None,
            status_phase=status.get("phase") or None,
            ready_condition=ready,
            started_at=float(started) if started is not None else None,
            finished_at=float(finished) if finished is not None else None,
            restarts=int(annotations.get(RESTARTS_ANNOTATION, 0)),
            stops_at=float(stops) if stops is not None else None,
            **pod_fields(spec),
        )

    @property
    def phase(self) -> str:
        """A scheduled pod is Running unless its document said otherwise (simulate-contract.md)."""
        if self.status_phase:
            return self.status_phase
        # Running once bound to a node and given an address by the kubelet (a pod bound to a node
        # that does not exist never starts).
        return "Running" if self.node and self.ip else "Pending"

    @property
    def ready(self) -> bool:
        """podutil.IsPodReady: the Ready condition; a Running pod with none given is ready."""
        phase = self.phase
        if phase in ("Succeeded", "Failed"):
            return False
        if self.ready_condition is not None:
            return self.ready_condition
        return phase == "Running"

    @property
    def terminal(self) -> bool:
        # self.phase in ("Succeeded", "Failed"): only a phase the document gave can be terminal.
        return self.status_phase in ("Succeeded", "Failed")

    @property
    def terminating(self) -> bool:
        """Deleted gracefully, its containers not yet stopped (`kubectl get` says Terminating)."""
        return self.stops_at is not None

    @property
    def active(self) -> bool:
        """What a controller counts (pkg/controller/controller_utils.go IsPodActive): neither
        Succeeded nor Failed, and not being deleted (DeletionTimestamp nil)."""
        return self.stops_at is None and self.status_phase not in ("Succeeded", "Failed")


def pod_field_values(spec: dict) -> tuple:
    """pod_fields(spec)'s values, in the order Pod declares them (ports ... host_ports)."""
    return tuple(pod_fields(spec).values())


@dataclass(frozen=True, slots=True)
class ServicePort:
    name: str
    protocol: str
    port: int
    target_port: int | str
    node_port: int | None

    def to_dict(self) -> dict:
        return {
            "name": self.name or None,
            "protocol": self.protocol,
            "port": self.port,
            "targetPort": self.target_port,
            "nodePort": self.node_port,
        }


@dataclass(slots=True)  # not frozen: see the module docstring
class Service(Base):
    type: str
    cluster_ip: str | None  # an IP, "None" (headless) or None (ExternalName)
    selector: Mapping[str, str] | None
    ports: tuple[ServicePort, ...]
    external_name: str | None
    publish_not_ready: bool
    load_balancer_ips: tuple[str, ...]  # status.loadBalancer.ingress[].ip
    external_ips: tuple[str, ...]
    session_affinity: str
    external_traffic_policy: str
    internal_traffic_policy: str

    @classmethod
    def from_manifest(cls, manifest: dict, seq: int) -> Service:
        spec = manifest.get("spec") or {}
        status = manifest.get("status") or {}
        ports = tuple(
            ServicePort(
                p.get("name") or "",
                p.get("protocol") or "TCP",
                p.get("port"),
                p.get("targetPort", p.get("port")),
                p.get("nodePort") or None,
            )
            for p in spec.get("ports") or ()
        )
        lb = tuple(
            i.get("ip") or i.get("hostname")
            for i in (status.get("loadBalancer") or {}).get("ingress") or ()
            if i.get("ip") or i.get("hostname")
        )
        return cls(
            **_base_fields(manifest, seq),
            type=spec.get("type") or "ClusterIP",
            cluster_ip=spec.get("clusterIP") or None,
            selector=spec.get("selector"),
            ports=ports,
            external_name=spec.get("externalName") or None,
            publish_not_ready=bool(spec.get("publishNotReadyAddresses")),
            load_balancer_ips=lb,
            external_ips=tuple(spec.get("externalIPs") or ()),
            session_affinity=spec.get("sessionAffinity") or "None",
            external_traffic_policy=spec.get("externalTrafficPolicy") or "Cluster",
            internal_traffic_policy=spec.get("internalTrafficPolicy") or "Cluster",
        )

    @property
    def headless(self) -> bool:
        return self.cluster_ip == "None"

    @property
    def has_cluster_ip(self) -> bool:
        """v1helper.IsServiceIPSet: a real ClusterIP, not "None" and not empty."""
        return bool(self.cluster_ip) and self.cluster_ip != "None"


@dataclass(slots=True)  # not frozen: see the module docstring
class Workload(Base):
    """Deployment, ReplicaSet, DaemonSet or Job: a selector and a pod template."""

    selector: Selector
    template: dict
    replicas: int | None

    @classmethod
    def from_manifest(cls, manifest: dict, seq: int) -> Workload:
        spec = manifest.get("spec") or {}
        replicas = spec.get("replicas")
        return cls(
            **_base_fields(manifest, seq),
            selector=from_label_selector(spec.get("selector"), "spec.selector"),
            template=spec.get("template") or {},
            replicas=replicas if isinstance(replicas, int) else None,
        )

    @property
    def template_labels(self) -> Mapping[str, str]:
        return (self.template.get("metadata") or {}).get("labels") or EMPTY


@dataclass(slots=True)  # not frozen: see the module docstring
class Ingress(Base):
    @classmethod
    def from_manifest(cls, manifest: dict, seq: int) -> Ingress:
        return cls(**_base_fields(manifest, seq))

    @property
    def ingress_class(self) -> str | None:
        return self.spec.get("ingressClassName") or self.annotations.get(INGRESS_CLASS_ANNOTATION) or None


def copy_manifest(manifest: dict) -> dict:
    """A copy of a stored manifest to write a new version from: metadata (with its labels and
    annotations) and status are copied, the rest is shared (stored manifests never change)."""
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


@dataclass(frozen=True, eq=False)
class PodTemplate:
    """What the pods of one owner's template share, worked out once: their name prefix, labels,
    annotations, owner reference, defaulted spec (one per node once bound) and the fields the Pod
    model reads from that spec. Shared objects are never changed in place."""

    owner: Workload
    prefix: str
    seed: str  # what generated names of this owner's pods are drawn from, before the serial number
    labels: dict
    annotations: dict  # the template's, less the server's own (a pod's bookkeeping is the server's)
    owner_references: list
    spec: dict
    fields: tuple  # the Pod model's spec-derived fields (pod_field_values)
    owner_ref: OwnerRef
    place_on: Callable[[dict, str], dict] | None = None  # a daemon pod's spec for its node (DaemonSet)
    node_specs: dict = field(default_factory=dict)  # node name -> spec bound to it, shared by its pods
    daemon_specs: dict = field(default_factory=dict)  # node name -> a daemon pod's spec before binding

    @property
    def host_ports(self) -> tuple:
        """The host ports each pod of this template holds on its node (Pod.host_ports)."""
        return self.fields[-1]

    def new_pod(self, name: str, daemon_node: str | None = None) -> dict:
        """The manifest the controller sends to create one pod (a daemon pod for `daemon_node`
        carries its node affinity; the scheduler binds it)."""
        return {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": name,
                "generateName": self.prefix,
                "namespace": self.owner.namespace,
                "labels": self.labels,
                "ownerReferences": self.owner_references,
                "annotations": dict(self.annotations),
            },
            "spec": self.unbound_spec(daemon_node),
            "status": {},
        }

    def unbound_spec(self, daemon_node: str | None) -> dict:
        """The spec a new pod is created with: the template's, or a daemon pod's for its node (one
        dict per node, shared)."""
        if daemon_node is None or self.place_on is None:
            return self.spec
        spec = self.daemon_specs.get(daemon_node)
        if spec is None:
            spec = self.daemon_specs[daemon_node] = self.place_on(self.spec, daemon_node)
        return spec

    def spec_on(self, node_name: str) -> dict:
        """The spec with spec.nodeName set (a daemon pod's keeps its node affinity): one dict per
        node, shared by the pods of this template on that node."""
        spec = self.node_specs.get(node_name)
        if spec is None:
            base = self.unbound_spec(node_name) if self.place_on is not None else self.spec
            spec = self.node_specs[node_name] = {**base, "nodeName": node_name}
        return spec

    def pod(self, manifest: dict, seq: int) -> Pod:
        """Pod.from_manifest for a pod of this template, with what the template fixes already read
        (pods are made by the ten thousand, so the fields are given by position)."""
        meta = manifest["metadata"]
        status = manifest["status"]
        ready = None
        for condition in status.get("conditions") or ():
            if condition.get("type") == "Ready":
                ready = condition.get("status") == "True"
        started = meta["annotations"].get(STARTED_AT_ANNOTATION)
        return Pod(
            "Pod",
            meta["namespace"],
            meta["name"],
            meta["uid"],
            seq,
            self.labels,
            self.owner_ref,
            manifest,
            manifest["spec"].get("nodeName") or None,
            status.get("podIP") or None,
            status.get("phase") or None,
            ready,
            *self.fields,
            float(started) if started is not None else None,
            None,  # finished_at: a new pod has not finished
            0,  # restarts
        )
