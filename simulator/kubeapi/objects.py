"""Builders for the objects a real cluster would show that the engine keeps only as facts.

The engine stores manifests with the little status it needs (a pod's IP and start time, a Job's
counts) and derives the rest (a pod's phase and readiness, a Deployment's ready pods, a Service's
endpoints). kubectl reads the full objects: `describe` wants container statuses and conditions,
`get` wants a Deployment's status counts, `describe service` wants Endpoints (kubectl <= 1.32)
or EndpointSlices (1.33+). These pure functions build them from the facts.

Sources: the kubelet's status manager (pkg/kubelet/kubelet_pods.go generateAPIPodStatus: the
condition order and reasons), pkg/kubelet/nodestatus/setters.go (node conditions and their
messages), pkg/controller/deployment/sync.go and util (status counts, the Available/Progressing
conditions and their messages), pkg/controller/endpoint/endpoints_controller.go and
pkg/controller/endpointslice (the Endpoints and EndpointSlice objects, their labels, owner and
port names; an EndpointSlice port always has a `name`, "" when the Service port has none —
kubectl 1.33's `describe service` dereferences it), pkg/apis/core/v1/helper/qos (QoS class).

Known simplification: the endpoints controller orders a subset's ports by a hash of the port
(SortSubsets); we keep the Service's port order, which is the same for one-port Services.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .discovery import DEFAULT_SERVER_VERSION


def _stable_uid(*parts: str) -> str:
    """A uid that is the same every time for the same source object (derived objects have one)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "kubeviz:" + "/".join(parts)))


def _container_id(pod_uid: str, container: str) -> str:
    return "containerd://" + hashlib.sha256(f"{pod_uid}/{container}".encode()).hexdigest()


def _drop_zero(mapping: dict) -> dict:
    """encoding/json's omitempty for the int fields of a status."""
    return {k: v for k, v in mapping.items() if v not in (0, None, "", [], {})}


# ---------------------------------------------------------------------- pods
@dataclass(frozen=True)
class PodFacts:
    """What the engine knows of a pod's life: `phase` Pending/Running/Succeeded/Failed,
    `scheduled` (bound to a node), `ready`, `restarts`, and the RFC 3339 times it started and
    (for Succeeded/Failed) finished; `unschedulable` the scheduler's message when it could not
    place the pod."""

    phase: str
    scheduled: bool
    ready: bool
    restarts: int = 0
    started_at: str | None = None
    finished_at: str | None = None
    unschedulable: str | None = None


def qos_class(spec: dict) -> str:
    """qos.GetPodQOS, for cpu and memory: Guaranteed when every container limits both and its
    requests (defaulted to the limits) equal them; BestEffort with no requests or limits at all."""
    containers = [*(spec.get("initContainers") or ()), *(spec.get("containers") or ())]
    any_set = False
    guaranteed = True
    for container in containers:
        resources = container.get("resources") or {}
        limits, requests = resources.get("limits") or {}, resources.get("requests") or {}
        for name in ("cpu", "memory"):
            if name in limits or name in requests:
                any_set = True
            if name not in limits or str(requests.get(name, limits[name])) != str(limits[name]):
                guaranteed = False
    if not any_set:
        return "BestEffort"
    return "Guaranteed" if guaranteed else "Burstable"


def pod_status(manifest: dict, facts: PodFacts) -> dict:
    """The status kubelet would report, on top of what the engine stored (podIP, hostIP, ...)."""
    stored = dict(manifest.get("status") or {})
    spec = manifest.get("spec") or {}
    uid = (manifest.get("metadata") or {}).get("uid", "")
    status = {"phase": facts.phase}
    if not facts.scheduled:
        status["conditions"] = [
            {
                "type": "PodScheduled",
                "status": "False",
                "lastProbeTime": None,
                "lastTransitionTime": (manifest.get("metadata") or {}).get("creationTimestamp"),
                "reason": "Unschedulable",
                "message": facts.unschedulable or "0/0 nodes are available",
            }
        ]
        status["qosClass"] = qos_class(spec)
        return status
    started = facts.started_at or stored.get("startTime")
    running = facts.phase == "Running"
    ready = "True" if facts.ready else "False"

    def condition(kind: str, value: str, reason: str | None = None) -> dict:
        out = {"type": kind, "status": value, "lastProbeTime": None, "lastTransitionTime": started}
        if reason:
            out["reason"] = reason
        return out

    terminal = facts.phase in ("Succeeded", "Failed")
    not_ready_reason = "PodCompleted" if terminal else ("ContainersNotReady" if not facts.ready else None)
    status["conditions"] = [
        condition("PodReadyToStartContainers", "False" if terminal else "True"),
        condition("Initialized", "True", "PodCompleted" if terminal else None),
        condition("Ready", ready, not_ready_reason),
        condition("ContainersReady", ready, not_ready_reason),
        condition("PodScheduled", "True"),
    ]
    for key in ("hostIP", "hostIPs", "podIP", "podIPs"):
        if key in stored:
            status[key] = stored[key]
    if "hostIP" in stored and "hostIPs" not in stored:
        status["hostIPs"] = [{"ip": stored["hostIP"]}]
    if started:
        status["startTime"] = started
    statuses = []
    for container in spec.get("containers") or ():
        name = container.get("name", "")
        entry = {
            "name": name,
            "state": {},
            "lastState": {},
            "ready": facts.ready and running,
            "restartCount": facts.restarts,
            "image": container.get("image", ""),
            "imageID": "",
            "containerID": _container_id(uid, name),
            "started": running,
        }
        if running:
            entry["state"] = {"running": {"startedAt": started}}
        elif terminal:
            entry["state"] = {
                "terminated": {
                    "exitCode": 0 if facts.phase == "Succeeded" else 1,
                    "reason": "Completed" if facts.phase == "Succeeded" else "Error",
                    "startedAt": started,
                    "finishedAt": facts.finished_at or started,
                    "containerID": entry["containerID"],
                }
            }
        else:
            entry["state"] = {"waiting": {"reason": "ContainerCreating"}}
            entry["started"] = False
        statuses.append(entry)
    status["containerStatuses"] = statuses
    status["qosClass"] = qos_class(spec)
    return status


# ---------------------------------------------------------------------- nodes and namespaces
NODE_CONDITIONS = (
    ("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
    ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
    ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
)


def node_status(manifest: dict, *, kubelet_version: str = DEFAULT_SERVER_VERSION) -> dict:
    """The kubelet's node status setters: the pressure conditions, Ready (as stored), nodeInfo,
    capacity and allocatable (a kind node's figures), the kubelet endpoint."""
    stored = dict(manifest.get("status") or {})
    created = (manifest.get("metadata") or {}).get("creationTimestamp")
    ready = next((c for c in stored.get("conditions") or () if c.get("type") == "Ready"), None)
    ready_true = ready is None or ready.get("status") == "True"
    conditions = [
        {
            "type": kind,
            "status": value,
            "lastHeartbeatTime": created,
            "lastTransitionTime": created,
            "reason": reason,
            "message": message,
        }
        for kind, value, reason, message in NODE_CONDITIONS
    ]
    conditions.append(
        {
            "type": "Ready",
            "status": "True" if ready_true else (ready or {}).get("status", "False"),
            "lastHeartbeatTime": created,
            "lastTransitionTime": created,
            "reason": "KubeletReady" if ready_true else (ready or {}).get("reason", "KubeletNotReady"),
            "message": "kubelet is posting ready status"
            if ready_true
            else (ready or {}).get("message", "kubelet is not ready"),
        }
    )
    name = (manifest.get("metadata") or {}).get("name", "")
    capacity = {"cpu": "4", "ephemeral-storage": "102626232Ki", "memory": "16393916Ki", "pods": "110"}
    return {
        "capacity": capacity,
        "allocatable": dict(capacity),
        "conditions": conditions,
        "addresses": stored.get("addresses") or [],
        "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
        "nodeInfo": {
            "machineID": hashlib.sha256(name.encode()).hexdigest()[:32],
            "systemUUID": _stable_uid("node", name),
            "bootID": _stable_uid("boot", name),
            "kernelVersion": "6.1.0-kubeviz",
            "osImage": "Debian GNU/Linux 12 (bookworm)",
            "containerRuntimeVersion": "containerd://1.7.24",
            "kubeletVersion": kubelet_version,
            "kubeProxyVersion": kubelet_version,
            "operatingSystem": "linux",
            "architecture": "amd64",
        },
    }


def namespace_status(manifest: dict) -> dict:
    terminating = bool((manifest.get("metadata") or {}).get("deletionTimestamp"))
    return {"phase": "Terminating" if terminating else "Active"}


# ---------------------------------------------------------------------- workloads
def deployment_status(
    manifest: dict,
    *,
    replicas: int,
    updated: int,
    ready: int,
    available: int,
    new_replicaset: str | None,
    created: str | None = None,
) -> dict:
    """DeploymentStatus as the deployment controller writes it once it has synced."""
    meta = manifest.get("metadata") or {}
    desired = (manifest.get("spec") or {}).get("replicas", 1)
    when = created or meta.get("creationTimestamp")
    minimum = available >= desired - _max_unavailable(manifest, desired)
    conditions = [
        {
            "type": "Available",
            "status": "True" if minimum else "False",
            "lastUpdateTime": when,
            "lastTransitionTime": when,
            "reason": "MinimumReplicasAvailable" if minimum else "MinimumReplicasUnavailable",
            "message": "Deployment has minimum availability."
            if minimum
            else "Deployment does not have minimum availability.",
        }
    ]
    if new_replicaset:
        done = updated == desired and available == desired
        conditions.append(
            {
                "type": "Progressing",
                "status": "True",
                "lastUpdateTime": when,
                "lastTransitionTime": when,
                "reason": "NewReplicaSetAvailable" if done else "ReplicaSetUpdated",
                "message": f'ReplicaSet "{new_replicaset}" has successfully progressed.'
                if done
                else f'ReplicaSet "{new_replicaset}" is progressing.',
            }
        )
    status = _drop_zero(
        {
            "observedGeneration": meta.get("generation", 1),
            "replicas": replicas,
            "updatedReplicas": updated,
            "readyReplicas": ready,
            "availableReplicas": available,
            "unavailableReplicas": max(replicas - available, 0),
        }
    )
    status["conditions"] = conditions
    return status


def _max_unavailable(manifest: dict, desired: int) -> int:
    """The rolling update's maxUnavailable as a count (25% rounds down, as intstr does for it)."""
    strategy = (manifest.get("spec") or {}).get("strategy") or {}
    value = (strategy.get("rollingUpdate") or {}).get("maxUnavailable", "25%")
    if isinstance(value, str) and value.endswith("%"):
        return desired * int(value[:-1]) // 100
    return int(value)


def replicaset_status(manifest: dict, *, replicas: int, ready: int, available: int) -> dict:
    meta = manifest.get("metadata") or {}
    return {
        "replicas": replicas,
        **_drop_zero(
            {
                "fullyLabeledReplicas": replicas,
                "readyReplicas": ready,
                "availableReplicas": available,
                "observedGeneration": meta.get("generation", 1),
            }
        ),
    }


def daemonset_status(manifest: dict, *, desired: int, current: int, ready: int) -> dict:
    meta = manifest.get("metadata") or {}
    return {
        "currentNumberScheduled": current,
        "numberMisscheduled": 0,
        "desiredNumberScheduled": desired,
        "numberReady": ready,
        **_drop_zero(
            {
                "observedGeneration": meta.get("generation", 1),
                "updatedNumberScheduled": current,
                "numberAvailable": ready,
                "numberUnavailable": max(desired - ready, 0),
            }
        ),
    }


def job_status(manifest: dict, *, active: int, ready: int) -> dict:
    """The Job status the engine keeps (startTime, succeeded, failed, conditions, completionTime)
    plus the live counts of its pods."""
    status = dict(manifest.get("status") or {})
    if active:
        status["active"] = active
    status["ready"] = ready
    status.setdefault("terminating", 0)
    return status


# ---------------------------------------------------------------------- Endpoints and EndpointSlices
@dataclass(frozen=True)
class Address:
    """One backend of a Service port: a pod (namespace/name, uid) at `ip`, or the API server
    (`pod` None) behind default/kubernetes."""

    ip: str
    port: int | None
    port_name: str
    protocol: str
    ready: bool
    node: str | None = None
    pod: str | None = None  # "namespace/name"
    pod_uid: str | None = None
    hostname: str | None = None
    terminating: bool = False  # its pod is being deleted (EndpointSlice conditions)
    serving: bool | None = None  # None: as `ready`


def _target_ref(address: Address) -> dict | None:
    if not address.pod:
        return None
    namespace, name = address.pod.split("/", 1)
    ref = {"kind": "Pod", "namespace": namespace, "name": name}
    if address.pod_uid:
        ref["uid"] = address.pod_uid
    return ref


def _endpoint_address(address: Address) -> dict:
    out = {"ip": address.ip}
    if address.hostname:
        out["hostname"] = address.hostname
    if address.node:
        out["nodeName"] = address.node
    ref = _target_ref(address)
    if ref:
        out["targetRef"] = ref
    return out


def _port(address: Address) -> dict:
    """EndpointPort: the name only when the Service port has one (Endpoints)."""
    port = {"port": address.port, "protocol": address.protocol}
    if address.port_name:
        port = {"name": address.port_name, **port}
    return port


def _derived_meta(service: dict, name: str, kind: str, resource_version: str) -> dict:
    meta = service.get("metadata") or {}
    return {
        "name": name,
        "namespace": meta.get("namespace", "default"),
        "uid": _stable_uid(kind, meta.get("uid", ""), name),
        "resourceVersion": resource_version,
        "creationTimestamp": meta.get("creationTimestamp"),
    }


def _headless(service: dict) -> bool:
    return (service.get("spec") or {}).get("clusterIP") == "None"


def endpoints_object(service: dict, addresses: Sequence[Address], *, resource_version: str) -> dict:
    """The v1 Endpoints of a Service: addresses grouped into subsets by the set of ports they
    serve (RepackSubsets), ready ones in `addresses`, the others in `notReadyAddresses`, each
    list sorted by IP."""
    meta = _derived_meta(service, (service.get("metadata") or {}).get("name", ""), "Endpoints", resource_version)
    labels = dict((service.get("metadata") or {}).get("labels") or {})
    if _headless(service):
        labels["service.kubernetes.io/headless"] = ""
    if labels:
        meta["labels"] = labels
    by_ip: dict[tuple, dict] = {}
    for address in addresses:
        key = (address.ip, address.pod)
        entry = by_ip.setdefault(key, {"address": address, "ports": [], "ready": address.ready})
        if address.port is not None:
            port = _port(address)
            if port not in entry["ports"]:
                entry["ports"].append(port)
    subsets: dict[tuple, dict] = {}
    for entry in by_ip.values():
        ports_key = tuple(tuple(sorted(p.items())) for p in entry["ports"])
        subset = subsets.setdefault(ports_key, {"addresses": [], "notReadyAddresses": [], "ports": entry["ports"]})
        target = "addresses" if entry["ready"] else "notReadyAddresses"
        subset[target].append(_endpoint_address(entry["address"]))
    out_subsets = []
    for subset in subsets.values():
        item = {}
        for key in ("addresses", "notReadyAddresses"):
            if subset[key]:
                item[key] = sorted(subset[key], key=lambda a: _ip_key(a["ip"]))
        if subset["ports"]:
            item["ports"] = subset["ports"]
        out_subsets.append(item)
    out = {"kind": "Endpoints", "apiVersion": "v1", "metadata": meta}
    if out_subsets:
        out["subsets"] = out_subsets
    return out


def _ip_key(ip: str) -> tuple:
    parts = ip.split(".")
    if len(parts) == 4 and all(p.isdigit() for p in parts):
        return (0, *map(int, parts))
    return (1, ip)


def endpointslice_name(service: dict) -> str:
    """generateName `<service>-` plus five characters, made stable from the Service's uid."""
    meta = service.get("metadata") or {}
    alphabet = "bcdfghjklmnpqrstvwxz2456789"  # apimachinery's rand.String alphabet
    digest = hashlib.sha256(f"{meta.get('uid', '')}/{meta.get('name', '')}".encode()).digest()
    suffix = "".join(alphabet[b % len(alphabet)] for b in digest[:5])
    return f"{meta.get('name', '')}-{suffix}"


def endpointslice_object(service: dict, addresses: Sequence[Address], *, resource_version: str) -> dict:
    """The discovery.k8s.io/v1 EndpointSlice the EndpointSlice controller keeps for a Service
    (all its endpoints fit one slice of up to 100): labels `kubernetes.io/service-name` and
    `endpointslice.kubernetes.io/managed-by` plus the Service's own, owned by the Service; every
    port carries a `name` ("" when the Service port has none)."""
    svc_meta = service.get("metadata") or {}
    name = svc_meta.get("name", "")
    managed_by_apiserver = name == "kubernetes" and svc_meta.get("namespace") == "default"
    slice_name = name if managed_by_apiserver else endpointslice_name(service)
    meta = _derived_meta(service, slice_name, "EndpointSlice", resource_version)
    labels = dict(svc_meta.get("labels") or {})
    if _headless(service):
        labels["service.kubernetes.io/headless"] = ""
    labels["kubernetes.io/service-name"] = name
    if not managed_by_apiserver:
        labels["endpointslice.kubernetes.io/managed-by"] = "endpointslice-controller.k8s.io"
        meta["generateName"] = f"{name}-"
        meta["ownerReferences"] = [
            {
                "apiVersion": "v1",
                "kind": "Service",
                "name": name,
                "uid": svc_meta.get("uid", ""),
                "controller": True,
                "blockOwnerDeletion": True,
            }
        ]
    meta["labels"] = labels
    endpoints: dict[tuple, dict] = {}
    ports: list[dict] = []
    for address in addresses:
        if address.port is not None:
            port = {"name": address.port_name, "protocol": address.protocol, "port": address.port}
            if port not in ports:
                ports.append(port)
        key = (address.ip, address.pod)
        if key in endpoints:
            continue
        entry: dict = {
            "addresses": [address.ip],
            "conditions": {
                "ready": address.ready,
                "serving": address.ready if address.serving is None else address.serving,
                "terminating": address.terminating,
            },
        }
        if address.hostname:
            entry["hostname"] = address.hostname
        ref = _target_ref(address)
        if ref:
            entry["targetRef"] = ref
        if address.node:
            entry["nodeName"] = address.node
        endpoints[key] = entry
    return {
        "kind": "EndpointSlice",
        "apiVersion": "discovery.k8s.io/v1",
        "metadata": meta,
        "addressType": "IPv4",
        "endpoints": list(endpoints.values()) or None,
        "ports": ports or None,
    }


def events_for(involved: dict, entries: Iterable[tuple], when: str, *, first_index: int = 0) -> list[dict]:
    """core/v1 Events about `involved` (an object manifest) from `events.EventText` entries
    (type, reason, message, component), all at `when`, with the fields `describe` reads
    (involvedObject kind/name/namespace/uid, source, first/last timestamps, count)."""
    meta = involved.get("metadata") or {}
    out = []
    for index, (kind, reason, message, component) in enumerate(entries, start=first_index):
        seed = f"{meta.get('uid', '')}/{index}".encode()
        name = f"{meta.get('name', '')}.{hashlib.sha256(seed).hexdigest()[:16]}"
        out.append(
            {
                "kind": "Event",
                "apiVersion": "v1",
                "metadata": {
                    "name": name,
                    "namespace": meta.get("namespace", "default"),
                    "uid": _stable_uid("Event", meta.get("uid", ""), str(index)),
                    "creationTimestamp": when,
                },
                "involvedObject": {
                    "kind": involved.get("kind", ""),
                    "namespace": meta.get("namespace"),
                    "name": meta.get("name", ""),
                    "uid": meta.get("uid", ""),
                    "apiVersion": involved.get("apiVersion", "v1"),
                    "resourceVersion": meta.get("resourceVersion", ""),
                },
                "reason": reason,
                "message": message,
                "source": {"component": component},
                "firstTimestamp": when,
                "lastTimestamp": when,
                "count": 1,
                "type": kind,
                "eventTime": None,
                "reportingComponent": component,
                "reportingInstance": "",
            }
        )
    return out


# ---------------------------------------------------------------------- the scale subresource
def scale_of(obj: dict, selector: str) -> dict:
    """autoscaling/v1 Scale of a Deployment or ReplicaSet (registry/apps/deployment/storage
    ScaleREST): spec.replicas, status.replicas and the selector as a string."""
    meta = obj.get("metadata") or {}
    return {
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            "name": meta.get("name"),
            "namespace": meta.get("namespace"),
            "uid": meta.get("uid"),
            "resourceVersion": meta.get("resourceVersion"),
            "creationTimestamp": meta.get("creationTimestamp"),
        },
        "spec": {"replicas": (obj.get("spec") or {}).get("replicas", 1)},
        "status": {"replicas": (obj.get("status") or {}).get("replicas", 0), "selector": selector},
    }


def with_scale(obj: dict, scale: dict) -> dict:
    """The object after a write of its Scale: spec.replicas taken from it."""
    updated = dict(obj)
    updated["spec"] = {**(obj.get("spec") or {}), "replicas": int((scale.get("spec") or {}).get("replicas", 0))}
    return updated


# ---------------------------------------------------------------------- kubectl auth can-i
def access_review_answer(review: dict, *, allowed: bool, reason: str = "") -> dict:
    """The SelfSubjectAccessReview the API answers `kubectl auth can-i` with: the request as
    sent, its status saying whether the classroom rules allow it (authorization/v1
    SubjectAccessReviewStatus: allowed, denied, reason)."""
    answer = dict(review)
    answer.setdefault("apiVersion", "authorization.k8s.io/v1")
    answer.setdefault("kind", "SelfSubjectAccessReview")
    answer["status"] = {
        "allowed": allowed,
        **({"denied": True} if not allowed else {}),
        **({"reason": reason} if reason else {}),
    }
    return answer
