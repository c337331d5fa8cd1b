"""The objects the API serves for a running engine, as a real cluster would show them.

`served(engine, kind)` gives every object of a kind with the status a real cluster reports
(built by `objects` from the engine's facts), plus the kinds the engine only derives:
Endpoints and EndpointSlices from each Service's endpoints. The wiring step reads lists, gets
and watch events from here. ConfigMaps, Secrets, ServiceAccounts and IngressClasses are engine
kinds too, stored as plain objects (served as stored); Events are made up from the objects
(`api_selectors`).
"""

from __future__ import annotations

from . import engine_port, objects
from .discovery import DEFAULT_SERVER_VERSION

PLAIN_KINDS = ("ConfigMap", "Secret", "ServiceAccount", "IngressClass")
ENGINE_KINDS = (
    "Namespace",
    "Node",
    "Pod",
    "Service",
    "Deployment",
    "ReplicaSet",
    "DaemonSet",
    "Job",
    "Ingress",
    *PLAIN_KINDS,
)
DERIVED_KINDS = ("Endpoints", "EndpointSlice")
API_VERSIONS = {
    "Namespace": "v1",
    "Node": "v1",
    "Pod": "v1",
    "Service": "v1",
    "Endpoints": "v1",
    "Deployment": "apps/v1",
    "ReplicaSet": "apps/v1",
    "DaemonSet": "apps/v1",
    "Job": "batch/v1",
    "Ingress": "networking.k8s.io/v1",
    "ConfigMap": "v1",
    "Secret": "v1",
    "ServiceAccount": "v1",
    "IngressClass": "networking.k8s.io/v1",
    "EndpointSlice": "discovery.k8s.io/v1",
}
HIDDEN_ANNOTATIONS = (
    "kubeviz.io/seq",
    "kubeviz.io/started-at",
    "kubeviz.io/finished-at",
    "kubeviz.io/restarts",
    "kubeviz.io/stops-at",
)


def _public(manifest: dict) -> dict:
    """The manifest without the engine's own bookkeeping annotations.

    A shallow copy: the top level, metadata and annotations are new dicts, everything below is
    the engine's (stored objects are never changed in place; an update stores a new manifest).
    Served objects are read-only: callers that change one copy it first (patch does)."""
    obj = dict(manifest)
    metadata = dict(obj.get("metadata") or {})
    annotations = metadata.get("annotations")
    if annotations:
        kept = {k: v for k, v in annotations.items() if k not in HIDDEN_ANNOTATIONS}
        if kept:
            metadata["annotations"] = kept
        else:
            metadata.pop("annotations")
    obj["metadata"] = metadata
    return obj


def pod_facts(engine, pod) -> objects.PodFacts:
    return objects.PodFacts(
        phase=pod.phase,
        scheduled=bool(pod.node),
        ready=pod.ready,
        restarts=pod.restarts,
        started_at=engine_port.clock_time(pod.started_at),
        finished_at=engine_port.clock_time(pod.finished_at),
        unschedulable=engine_port.schedule_failure(engine, pod),
    )


def _pods_of(engine, owner) -> list:
    return [p for p in engine_port.owned_by(engine, owner.uid, "Pod") if p.active]


def serve_object(engine, obj) -> dict:
    """One engine object (Pod, Deployment, ...) as the API serves it."""
    served = _public(obj.manifest)
    kind = obj.kind
    if kind == "Pod":
        served["status"] = objects.pod_status(obj.manifest, pod_facts(engine, obj))
    elif kind == "Node":
        served["status"] = objects.node_status(obj.manifest, kubelet_version=DEFAULT_SERVER_VERSION)
    elif kind == "Namespace":
        served["status"] = objects.namespace_status(obj.manifest)
    elif kind == "ReplicaSet":
        pods = _pods_of(engine, obj)
        ready = sum(1 for p in pods if p.ready)
        served["status"] = objects.replicaset_status(obj.manifest, replicas=len(pods), ready=ready, available=ready)
    elif kind == "Deployment":
        sets = engine_port.owned_by(engine, obj.uid, "ReplicaSet")
        newest = max(
            sets, key=lambda rs: int(rs.annotations.get("deployment.kubernetes.io/revision", "0")), default=None
        )
        pods = [p for rs in sets for p in _pods_of(engine, rs)]
        updated = len(_pods_of(engine, newest)) if newest is not None else 0
        ready = sum(1 for p in pods if p.ready)
        served["status"] = objects.deployment_status(
            obj.manifest,
            replicas=len(pods),
            updated=updated,
            ready=ready,
            available=ready,
            new_replicaset=newest.name if newest is not None else None,
        )
    elif kind == "DaemonSet":
        pods = _pods_of(engine, obj)
        served["status"] = objects.daemonset_status(
            obj.manifest,
            desired=len(engine_port.daemon_nodes(engine, obj)),
            current=len(pods),
            ready=sum(1 for p in pods if p.ready),
        )
    elif kind == "Job":
        pods = _pods_of(engine, obj)
        served["status"] = objects.job_status(obj.manifest, active=len(pods), ready=sum(1 for p in pods if p.ready))
    served["apiVersion"] = API_VERSIONS.get(kind, served.get("apiVersion"))
    return served


def addresses(engine, service, *, terminating: bool = False) -> list[objects.Address]:
    """A Service's endpoints as builder input (pod uids looked up for targetRef). `terminating`:
    also those of its pods being deleted that only EndpointSlices keep (not ready, serving as
    the pod's readiness, terminating)."""
    out = [_address(engine, e) for e in engine_port.service_endpoints(engine, service)]
    if terminating:
        for endpoint in engine_port.terminating_endpoints(engine, service):
            out.append(_address(engine, endpoint, extra=True))
    return out


def _address(engine, endpoint, *, extra: bool = False) -> objects.Address:
    uid, being_deleted = None, False
    if endpoint.pod:
        namespace, name = endpoint.pod.split("/", 1)
        pod = engine_port.get(engine, "Pod", namespace, name)
        if pod is not None:
            uid, being_deleted = pod.uid, pod.terminating
    return objects.Address(
        ip=endpoint.ip,
        port=endpoint.port,
        port_name=endpoint.port_name,
        protocol=endpoint.protocol,
        ready=False if extra else endpoint.ready,
        node=endpoint.node,
        pod=endpoint.pod,
        pod_uid=uid,
        hostname=endpoint.hostname,
        terminating=being_deleted,
        serving=endpoint.ready if extra else None,
    )


# Kinds whose served form depends on the object alone: engine objects are never changed in place
# (an update stores a new one), so the served form can be kept while the object is the same.
SELF_CONTAINED = ("Namespace", "Node", "Pod", "Service", "Ingress", *PLAIN_KINDS)


class ServedCache:
    """Served objects of the self-contained kinds, kept per engine object (by identity)."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str], tuple[object, dict]] = {}

    def get(self, engine, obj) -> dict:
        key = (obj.kind, obj.uid)
        hit = self._entries.get(key)
        if hit is not None and hit[0] is obj:
            return hit[1]
        value = serve_object(engine, obj)
        self._entries[key] = (obj, value)
        return value

    def forget_missing(self, live_uids: set[str]) -> None:
        for key in [k for k in self._entries if k[1] not in live_uids]:
            del self._entries[key]


def served(engine, kind: str, cache: ServedCache | None = None) -> list[dict]:
    """Every object of `kind` the engine holds or derives, as the API serves it (pass a
    ServedCache kept beside the engine to make repeated lists cheap)."""
    if kind in ENGINE_KINDS:
        if cache is not None and kind in SELF_CONTAINED:
            return [cache.get(engine, obj) for obj in engine_port.objects(engine, kind)]
        return [serve_object(engine, obj) for obj in engine_port.objects(engine, kind)]
    if kind in DERIVED_KINDS:
        out = []
        for service in engine_port.objects(engine, "Service"):
            if service.type == "ExternalName":
                continue
            if not service.selector and not (service.namespace == "default" and service.name == "kubernetes"):
                continue  # no selector: the endpoints controller leaves the Service alone
            manifest = _public(service.manifest)
            rv = manifest["metadata"].get("resourceVersion", "0")
            if kind == "Endpoints":
                found = addresses(engine, service)
                out.append(objects.endpoints_object(manifest, found, resource_version=rv))
            else:
                found = addresses(engine, service, terminating=True)
                out.append(objects.endpointslice_object(manifest, found, resource_version=rv))
        return out
    return []
