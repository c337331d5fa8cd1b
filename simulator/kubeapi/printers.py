"""Server-side printing: the meta.k8s.io Table the API server answers to `kubectl get`.

Columns and cells are those of kubernetes/kubernetes pkg/printers/internalversion/printers.go
(AddHandlers and print<Kind>), read from the current upstream source; the API server calls them
with `GenerateOptions{Wide: true}`, so every row carries the priority-1 (`-o wide`) cells too
and kubectl hides them unless asked. AGE and the other durations are
apimachinery/pkg/util/duration.HumanDuration. Label maps print as labels.FormatLabels (sorted
`k=v` joined by commas, `<none>` when empty), label selectors as metav1.FormatLabelSelector.

Inputs are plain manifests (dicts, as the API serves them in JSON); `now` is the server's clock,
the instant AGE is measured from. Kinds without a printer get the default Name/Age table
(apiserver's DefaultTableConvertor), as every real server does.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from . import engine_port, gotypes

# ---------------------------------------------------------------------- time
Clock = datetime.datetime


@functools.lru_cache(maxsize=65536)
def parse_time(text: str | None) -> datetime.datetime | None:
    """An RFC 3339 timestamp as the API serves it (`2026-01-01T00:00:00Z`), or None (cached:
    a cluster's objects share few distinct timestamps)."""
    if not text:
        return None
    try:
        return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def human_duration(seconds: float) -> str:
    """duration.HumanDuration: `5s`, `2m30s`, `15m`, `5h3m`, `30h`, `3d4h`, `300d`, `2y10d`."""
    whole = int(seconds)  # Go's int(d.Seconds()) truncates toward zero
    if whole < -1:
        return "<invalid>"
    if whole < 0:
        return "0s"
    if whole < 60 * 2:
        return f"{whole}s"
    minutes = whole // 60
    if minutes < 10:
        rest = whole % 60
        return f"{minutes}m" if rest == 0 else f"{minutes}m{rest}s"
    if minutes < 60 * 3:
        return f"{minutes}m"
    hours = whole // 3600
    if hours < 8:
        rest = minutes % 60
        return f"{hours}h" if rest == 0 else f"{hours}h{rest}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        rest = hours % 24
        return f"{hours // 24}d" if rest == 0 else f"{hours // 24}d{rest}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        days = (hours // 24) % 365
        return f"{hours // 24 // 365}y" if days == 0 else f"{hours // 24 // 365}y{days}d"
    return f"{hours // 24 // 365}y"


def since(timestamp: str | None, now: datetime.datetime) -> str:
    """translateTimestampSince: `<unknown>` for a zero time."""
    when = parse_time(timestamp)
    if when is None:
        return "<unknown>"
    return human_duration((now - when).total_seconds())


# ---------------------------------------------------------------------- small formatters
def format_labels(labels: dict | None) -> str:
    """labels.FormatLabels."""
    text = ",".join(sorted(f"{k}={v}" for k, v in (labels or {}).items()))
    return text or "<none>"


def format_label_selector(selector: dict | None) -> str:
    """metav1.FormatLabelSelector: `<none>` for nil or empty, `<error>` for an invalid one."""
    try:
        text = str(engine_port.label_selector(selector))
    except engine_port.SelectorError:
        return "<error>"
    return text or "<none>"


def _selector_string(selector: dict | None) -> str:
    """LabelSelectorAsSelector(...).String(), `<invalid>` on error (printDeployment's way)."""
    try:
        return str(engine_port.label_selector(selector))
    except engine_port.SelectorError:
        return "<invalid>"


def layout_containers(containers: list | None) -> tuple[str, str]:
    """layoutContainerCells: names and images, comma-separated."""
    containers = containers or []
    return ",".join(c.get("name", "") for c in containers), ",".join(c.get("image", "") for c in containers)


def _more(items: list[str], count: int, limit: int = 3, empty: str = "<unset>") -> str:
    """listWithMoreString."""
    text = ",".join(items)
    if count > limit:
        return f"{text} + {count - limit} more..."
    return text or empty


def _join_host_port(ip: str, port: int) -> str:
    """net.JoinHostPort: IPv6 addresses in brackets."""
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"


def _lb_addresses(ingress: list | None, wide: bool = True) -> str:
    """loadBalancerStatusStringer: IPs (else hostnames), sorted and de-duplicated."""
    found = sorted({i.get("ip") or i.get("hostname") for i in ingress or () if i.get("ip") or i.get("hostname")})
    text = ",".join(found)
    if not wide and len(text) > 16:
        text = text[:13] + "..."
    return text


# ---------------------------------------------------------------------- columns
@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str
    priority: int = 0
    format: str = ""

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "type": self.type,
            "format": self.format,
            "description": self.description,
            "priority": self.priority,
        }


def _doc(package: str, struct: str, field: str) -> str:
    """SwaggerDoc()[field] of a Go type, from the vendored types.go comments."""
    go_field = gotypes.struct_type(package, struct).by_json.get(field)
    return go_field.doc if go_field else ""


def _name_column(priority: int = 0) -> Column:
    return Column("Name", "string", _doc("meta/v1", "ObjectMeta", "name"), priority, "name")


def _age_column() -> Column:
    return Column("Age", "string", _doc("meta/v1", "ObjectMeta", "creationTimestamp"))


CONTAINERS_DOC = "Names of each container in the template."
IMAGES_DOC = "Images referenced by each container in the template."


def _template_columns(selector_doc: str) -> list[Column]:
    return [
        Column("Containers", "string", CONTAINERS_DOC, 1),
        Column("Images", "string", IMAGES_DOC, 1),
        Column("Selector", "string", selector_doc, 1),
    ]


@functools.cache
def columns(kind: str) -> tuple[Column, ...]:
    """The column definitions the API server sends for `kind` (AddHandlers), in order."""
    name, age = _name_column(), _age_column()
    table: dict[str, list[Column]] = {
        "Pod": [
            name,
            Column("Ready", "string", "The aggregate readiness state of this pod for accepting traffic."),
            Column("Status", "string", "The aggregate status of the containers in this pod."),
            Column(
                "Restarts",
                "string",
                "The number of times the containers in this pod have been restarted and when the last "
                "container in this pod has restarted.",
            ),
            age,
            Column("IP", "string", _doc("core/v1", "PodStatus", "podIP"), 1),
            Column("Node", "string", _doc("core/v1", "PodSpec", "nodeName"), 1),
            Column("Nominated Node", "string", _doc("core/v1", "PodStatus", "nominatedNodeName"), 1),
            Column("Readiness Gates", "string", _doc("core/v1", "PodSpec", "readinessGates"), 1),
        ],
        "ReplicaSet": [
            name,
            Column("Desired", "integer", _doc("apps/v1", "ReplicaSetSpec", "replicas")),
            Column("Current", "integer", _doc("apps/v1", "ReplicaSetStatus", "replicas")),
            Column("Ready", "integer", _doc("apps/v1", "ReplicaSetStatus", "readyReplicas")),
            age,
            *_template_columns(_doc("apps/v1", "ReplicaSetSpec", "selector")),
        ],
        "DaemonSet": [
            name,
            Column("Desired", "integer", _doc("apps/v1", "DaemonSetStatus", "desiredNumberScheduled")),
            Column("Current", "integer", _doc("apps/v1", "DaemonSetStatus", "currentNumberScheduled")),
            Column("Ready", "integer", _doc("apps/v1", "DaemonSetStatus", "numberReady")),
            Column("Up-to-date", "integer", _doc("apps/v1", "DaemonSetStatus", "updatedNumberScheduled")),
            Column("Available", "integer", _doc("apps/v1", "DaemonSetStatus", "numberAvailable")),
            Column("Node Selector", "string", _doc("core/v1", "PodSpec", "nodeSelector")),
            age,
            *_template_columns(_doc("apps/v1", "DaemonSetSpec", "selector")),
        ],
        "Job": [
            name,
            Column("Status", "string", "Status of the job."),
            Column("Completions", "string", _doc("batch/v1", "JobStatus", "succeeded")),
            Column("Duration", "string", "Time required to complete the job."),
            age,
            *_template_columns(_doc("batch/v1", "JobSpec", "selector")),
        ],
        "Service": [
            name,
            Column("Type", "string", _doc("core/v1", "ServiceSpec", "type")),
            Column("Cluster-IP", "string", _doc("core/v1", "ServiceSpec", "clusterIP")),
            Column("External-IP", "string", _doc("core/v1", "ServiceSpec", "externalIPs")),
            Column("Port(s)", "string", _doc("core/v1", "ServiceSpec", "ports")),
            age,
            Column("Selector", "string", _doc("core/v1", "ServiceSpec", "selector"), 1),
        ],
        "Ingress": [
            name,
            Column(
                "Class",
                "string",
                "The name of the IngressClass resource that should be used for additional configuration",
            ),
            Column("Hosts", "string", "Hosts that incoming requests are matched against before the ingress rule"),
            Column("Address", "string", "Address is a list containing ingress points for the load-balancer"),
            Column("Ports", "string", "Ports of TLS configurations that open"),
            age,
        ],
        "IngressClass": [
            name,
            Column("Controller", "string", "Controller that is responsible for handling this class"),
            Column("Parameters", "string", "A reference to a resource with additional parameters"),
            age,
        ],
        "Endpoints": [name, Column("Endpoints", "string", _doc("core/v1", "Endpoints", "subsets")), age],
        "EndpointSlice": [
            name,
            Column("AddressType", "string", _doc("discovery/v1", "EndpointSlice", "addressType")),
            Column("Ports", "string", _doc("discovery/v1", "EndpointSlice", "ports")),
            Column("Endpoints", "string", _doc("discovery/v1", "EndpointSlice", "endpoints")),
            age,
        ],
        "Node": [
            name,
            Column("Status", "string", "The status of the node"),
            Column("Roles", "string", "The roles of the node"),
            age,
            Column("Version", "string", _doc("core/v1", "NodeSystemInfo", "kubeletVersion")),
            Column("Internal-IP", "string", _doc("core/v1", "NodeStatus", "addresses"), 1),
            Column("External-IP", "string", _doc("core/v1", "NodeStatus", "addresses"), 1),
            Column("OS-Image", "string", _doc("core/v1", "NodeSystemInfo", "osImage"), 1),
            Column("Kernel-Version", "string", _doc("core/v1", "NodeSystemInfo", "kernelVersion"), 1),
            Column("Container-Runtime", "string", _doc("core/v1", "NodeSystemInfo", "containerRuntimeVersion"), 1),
        ],
        "Event": [
            Column("Last Seen", "string", _doc("core/v1", "Event", "lastTimestamp")),
            Column("Type", "string", _doc("core/v1", "Event", "type")),
            Column("Reason", "string", _doc("core/v1", "Event", "reason")),
            Column("Object", "string", _doc("core/v1", "Event", "involvedObject")),
            Column("Subobject", "string", _doc("core/v1", "ObjectReference", "fieldPath"), 1),
            Column("Source", "string", _doc("core/v1", "Event", "source"), 1),
            Column("Message", "string", _doc("core/v1", "Event", "message")),
            Column("First Seen", "string", _doc("core/v1", "Event", "firstTimestamp"), 1),
            Column("Count", "string", _doc("core/v1", "Event", "count"), 1),
            _name_column(priority=1),
        ],
        "Namespace": [name, Column("Status", "string", "The status of the namespace"), age],
        "Secret": [
            name,
            Column("Type", "string", _doc("core/v1", "Secret", "type")),
            Column("Data", "string", _doc("core/v1", "Secret", "data")),
            age,
        ],
        "ServiceAccount": [name, Column("Secrets", "string", _doc("core/v1", "ServiceAccount", "secrets")), age],
        "Deployment": [
            name,
            Column("Ready", "string", "Number of the pod with ready state"),
            Column("Up-to-date", "string", _doc("apps/v1", "DeploymentStatus", "updatedReplicas")),
            Column("Available", "string", _doc("apps/v1", "DeploymentStatus", "availableReplicas")),
            age,
            *_template_columns(_doc("apps/v1", "DeploymentSpec", "selector")),
        ],
        "ConfigMap": [name, Column("Data", "string", _doc("core/v1", "ConfigMap", "data")), age],
        "Scale": [
            Column("Name", "string", _doc("meta/v1", "ObjectMeta", "name")),
            Column("Desired", "integer", _doc("autoscaling/v1", "ScaleSpec", "replicas")),
            Column("Available", "integer", _doc("autoscaling/v1", "ScaleStatus", "replicas")),
            age,
        ],
    }
    # apiserver/pkg/registry/rest/table.go DefaultTableConvertor: Name and Created At.
    default = [
        _name_column(),
        Column("Created At", "date", _doc("meta/v1", "ObjectMeta", "creationTimestamp")),
    ]
    return tuple(table.get(kind, default))


# ---------------------------------------------------------------------- rows, kind by kind
def _meta(obj: dict) -> dict:
    return obj.get("metadata") or {}


def _spec(obj: dict) -> dict:
    return obj.get("spec") or {}


def _status(obj: dict) -> dict:
    return obj.get("status") or {}


def _age(obj: dict, now: datetime.datetime) -> str:
    return since(_meta(obj).get("creationTimestamp"), now)


def _condition_true(conditions: Iterable[dict] | None, kind: str) -> bool:
    return any(c.get("type") == kind and c.get("status") == "True" for c in conditions or ())


def _restartable(container: dict | None) -> bool:
    """podutil.IsRestartableInitContainer: a sidecar (init container with restartPolicy Always)."""
    return bool(container) and container.get("restartPolicy") == "Always"


def _later_restart(current: datetime.datetime | None, state: dict) -> datetime.datetime | None:
    """The later of `current` and when the container last terminated (lastState.terminated)."""
    finished = parse_time(((state.get("lastState") or {}).get("terminated") or {}).get("finishedAt"))
    if finished is not None and (current is None or finished > current):
        return finished
    return current


def pod_cells(pod: dict, now: datetime.datetime) -> tuple[list, list[dict]]:
    """printPod: cells and the row conditions (Completed for Succeeded/Failed pods)."""
    spec, status, meta = _spec(pod), _status(pod), _meta(pod)
    restarts = 0
    sidecar_restarts = 0
    total = len(spec.get("containers") or [])
    ready = 0
    last_restart: datetime.datetime | None = None
    last_sidecar_restart: datetime.datetime | None = None
    phase = status.get("phase") or ""
    reason = status.get("reason") or phase
    for condition in status.get("conditions") or ():
        if condition.get("type") == "PodScheduled" and condition.get("reason") == "SchedulingGated":
            reason = "SchedulingGated"
    row_conditions = []
    if phase == "Succeeded":
        row_conditions = [
            {
                "type": "Completed",
                "status": "True",
                "reason": "Succeeded",
                "message": "The pod has completed successfully.",
            }
        ]
    elif phase == "Failed":
        row_conditions = [{"type": "Completed", "status": "True", "reason": "Failed", "message": "The pod failed."}]
    later = _later_restart
    init_containers = {c.get("name"): c for c in spec.get("initContainers") or ()}
    total += sum(1 for c in init_containers.values() if _restartable(c))
    initializing = False
    init_statuses = status.get("initContainerStatuses") or []
    for index, container in enumerate(init_statuses):
        restarts += int(container.get("restartCount") or 0)
        last_restart = later(last_restart, container)
        sidecar = _restartable(init_containers.get(container.get("name")))
        if sidecar:
            sidecar_restarts += int(container.get("restartCount") or 0)
            last_sidecar_restart = later(last_sidecar_restart, container)
        state = container.get("state") or {}
        terminated, waiting = state.get("terminated"), state.get("waiting")
        if terminated is not None and int(terminated.get("exitCode") or 0) == 0:
            continue
        if sidecar and container.get("started"):
            if container.get("ready"):
                ready += 1
            continue
        if terminated is not None:
            if not terminated.get("reason"):
                if terminated.get("signal"):
                    reason = f"Init:Signal:{terminated['signal']}"
                else:
                    reason = f"Init:ExitCode:{terminated.get('exitCode', 0)}"
            else:
                reason = "Init:" + terminated["reason"]
        elif waiting is not None and waiting.get("reason") and waiting["reason"] != "PodInitializing":
            reason = "Init:" + waiting["reason"]
        else:
            reason = f"Init:{index}/{len(init_containers)}"
        initializing = True
        break
    if not initializing or _condition_true(status.get("conditions"), "Initialized"):
        restarts = sidecar_restarts
        last_restart = last_sidecar_restart
        has_running = False
        for container in reversed(status.get("containerStatuses") or []):
            restarts += int(container.get("restartCount") or 0)
            last_restart = later(last_restart, container)
            state = container.get("state") or {}
            waiting, terminated = state.get("waiting"), state.get("terminated")
            if waiting is not None and waiting.get("reason"):
                reason = waiting["reason"]
            elif terminated is not None and terminated.get("reason"):
                reason = terminated["reason"]
            elif terminated is not None:
                if terminated.get("signal"):
                    reason = f"Signal:{terminated['signal']}"
                else:
                    reason = f"ExitCode:{terminated.get('exitCode', 0)}"
            elif container.get("ready") and state.get("running") is not None:
                has_running = True
                ready += 1
        if reason == "Completed" and has_running:
            reason = "Running" if _condition_true(status.get("conditions"), "Ready") else "NotReady"
    if meta.get("deletionTimestamp") and status.get("reason") == "NodeLost":
        reason = "Unknown"
    elif meta.get("deletionTimestamp") and phase not in ("Succeeded", "Failed"):
        reason = "Terminating"
    restarts_text = str(restarts)
    if restarts and last_restart is not None:
        restarts_text = f"{restarts} ({human_duration((now - last_restart).total_seconds())} ago)"
    pod_ips = status.get("podIPs") or []
    ip = (pod_ips[0].get("ip") if pod_ips else "") or "<none>"
    gates = spec.get("readinessGates") or []
    readiness = "<none>"
    if gates:
        by_type = {}
        for condition in status.get("conditions") or ():
            by_type.setdefault(condition.get("type"), condition)
        true = sum(1 for g in gates if (by_type.get(g.get("conditionType")) or {}).get("status") == "True")
        readiness = f"{true}/{len(gates)}"
    cells = [
        meta.get("name", ""),
        f"{ready}/{total}",
        reason,
        restarts_text,
        since(meta.get("creationTimestamp"), now),
        ip,
        spec.get("nodeName") or "<none>",
        status.get("nominatedNodeName") or "<none>",
        readiness,
    ]
    return cells, row_conditions


def replicaset_cells(rs: dict, now: datetime.datetime) -> list:
    spec, status = _spec(rs), _status(rs)
    names, images = layout_containers((_spec(spec.get("template") or {})).get("containers"))
    return [
        _meta(rs).get("name", ""),
        int(spec.get("replicas", 1)),
        int(status.get("replicas") or 0),
        int(status.get("readyReplicas") or 0),
        _age(rs, now),
        names,
        images,
        format_label_selector(spec.get("selector")),
    ]


def deployment_cells(dep: dict, now: datetime.datetime) -> list:
    spec, status = _spec(dep), _status(dep)
    names, images = layout_containers((_spec(spec.get("template") or {})).get("containers"))
    return [
        _meta(dep).get("name", ""),
        f"{int(status.get('readyReplicas') or 0)}/{int(spec.get('replicas', 1))}",
        int(status.get("updatedReplicas") or 0),
        int(status.get("availableReplicas") or 0),
        _age(dep, now),
        names,
        images,
        _selector_string(spec.get("selector")),
    ]


def daemonset_cells(ds: dict, now: datetime.datetime) -> list:
    spec, status = _spec(ds), _status(ds)
    template_spec = _spec(spec.get("template") or {})
    names, images = layout_containers(template_spec.get("containers"))
    return [
        _meta(ds).get("name", ""),
        int(status.get("desiredNumberScheduled") or 0),
        int(status.get("currentNumberScheduled") or 0),
        int(status.get("numberReady") or 0),
        int(status.get("updatedNumberScheduled") or 0),
        int(status.get("numberAvailable") or 0),
        format_labels(template_spec.get("nodeSelector")),
        _age(ds, now),
        names,
        images,
        format_label_selector(spec.get("selector")),
    ]


def job_cells(job: dict, now: datetime.datetime) -> list:
    spec, status, meta = _spec(job), _status(job), _meta(job)
    succeeded = int(status.get("succeeded") or 0)
    if spec.get("completions") is not None:
        completions = f"{succeeded}/{spec['completions']}"
    else:
        parallelism = int(spec.get("parallelism") or 0)
        completions = f"{succeeded}/1 of {parallelism}" if parallelism > 1 else f"{succeeded}/1"
    start, end = parse_time(status.get("startTime")), parse_time(status.get("completionTime"))
    if start is None:
        duration = ""
    elif end is None:
        duration = human_duration((now - start).total_seconds())
    else:
        duration = human_duration((end - start).total_seconds())
    conditions = status.get("conditions")
    if _condition_true(conditions, "Complete"):
        state = "Complete"
    elif _condition_true(conditions, "Failed"):
        state = "Failed"
    elif meta.get("deletionTimestamp"):
        state = "Terminating"
    elif _condition_true(conditions, "Suspended"):
        state = "Suspended"
    elif _condition_true(conditions, "FailureTarget"):
        state = "FailureTarget"
    else:
        state = "Running"
    names, images = layout_containers((_spec(spec.get("template") or {})).get("containers"))
    return [
        meta.get("name", ""),
        state,
        completions,
        duration,
        since(meta.get("creationTimestamp"), now),
        names,
        images,
        format_label_selector(spec.get("selector")),
    ]


def service_external_ip(svc: dict, wide: bool = True) -> str:
    """getServiceExternalIP: `<none>`, `<pending>`, the LoadBalancer addresses, or the ExternalName."""
    spec = _spec(svc)
    kind = spec.get("type") or "ClusterIP"
    external = spec.get("externalIPs") or []
    if kind in ("ClusterIP", "NodePort"):
        return ",".join(external) if external else "<none>"
    if kind == "LoadBalancer":
        lb = _lb_addresses((_status(svc).get("loadBalancer") or {}).get("ingress"), wide)
        if external:
            return ",".join([*(lb.split(",") if lb else []), *external])
        return lb or "<pending>"
    if kind == "ExternalName":
        return spec.get("externalName", "")
    return "<unknown>"


def port_string(ports: list | None) -> str:
    """makePortString: `80/TCP`, `8080:30430/TCP`, comma-separated."""
    pieces = []
    for port in ports or ():
        protocol = port.get("protocol", "TCP")
        if int(port.get("nodePort") or 0) > 0:
            pieces.append(f"{port.get('port')}:{port['nodePort']}/{protocol}")
        else:
            pieces.append(f"{port.get('port')}/{protocol}")
    return ",".join(pieces)


def service_cells(svc: dict, now: datetime.datetime) -> list:
    spec = _spec(svc)
    cluster_ips = spec.get("clusterIPs") or []
    return [
        _meta(svc).get("name", ""),
        spec.get("type", ""),
        cluster_ips[0] if cluster_ips else "<none>",
        service_external_ip(svc),
        port_string(spec.get("ports")) or "<none>",
        _age(svc, now),
        format_labels(spec.get("selector")),
    ]


def endpoints_text(endpoints: dict) -> str:
    """formatEndpoints (all ports): `10.244.1.2:8080,10.244.2.2:8080 + 2 more...`, `<none>`."""
    subsets = endpoints.get("subsets") or []
    if not subsets:
        return "<none>"
    shown: list[str] = []
    limit, count, more = 3, 0, False
    for subset in subsets:
        addresses = subset.get("addresses") or []
        ports = subset.get("ports") or []
        if not ports:
            count += len(addresses)
            for address in addresses:
                if len(shown) == limit:
                    more = True
                    break
                shown.append(address.get("ip", ""))
            continue
        for port in ports:
            count += len(addresses)
            for address in addresses:
                if len(shown) == limit:
                    more = True
                    break
                shown.append(_join_host_port(address.get("ip", ""), port.get("port")))
    text = ",".join(shown)
    return f"{text} + {count - limit} more..." if more else text


def endpoints_cells(endpoints: dict, now: datetime.datetime) -> list:
    return [_meta(endpoints).get("name", ""), endpoints_text(endpoints), _age(endpoints, now)]


def endpointslice_cells(eps: dict, now: datetime.datetime) -> list:
    ports = eps.get("ports") or []
    port_items = []
    for port in ports[:3]:
        if port.get("port") is not None:
            port_items.append(str(port["port"]))
        elif port.get("name") is not None:
            port_items.append(port["name"])
        else:
            port_items.append("*")
    addresses = [a for endpoint in eps.get("endpoints") or () for a in endpoint.get("addresses") or ()]
    return [
        _meta(eps).get("name", ""),
        eps.get("addressType", ""),
        _more(port_items, len(ports)),
        _more(addresses[:3], len(addresses)),
        _age(eps, now),
    ]


def ingress_cells(ing: dict, now: datetime.datetime) -> list:
    spec = _spec(ing)
    rules = spec.get("rules") or []
    hosts = [r["host"] for r in rules if r.get("host")][:3]
    if not hosts:
        host_text = "*"
    else:
        host_text = ",".join(hosts)
        # formatHosts: "more" once three hosts are listed and another rule follows
        listed = 0
        for index, rule in enumerate(rules):
            if rule.get("host"):
                listed += 1
            if listed == 3 and index < len(rules) - 1:
                host_text = f"{host_text} + {len(rules) - 3} more..."
                break
    return [
        _meta(ing).get("name", ""),
        spec.get("ingressClassName") or "<none>",
        host_text,
        _lb_addresses((_status(ing).get("loadBalancer") or {}).get("ingress")),
        "80, 443" if spec.get("tls") else "80",
        _age(ing, now),
    ]


def ingressclass_cells(obj: dict, now: datetime.datetime) -> list:
    spec = _spec(obj)
    parameters = "<none>"
    ref = spec.get("parameters")
    if ref:
        parameters = ref.get("kind", "")
        if ref.get("apiGroup") is not None:
            parameters += "." + ref["apiGroup"]
        parameters += "/" + ref.get("name", "")
    return [_meta(obj).get("name", ""), spec.get("controller", ""), parameters, _age(obj, now)]


def node_roles(labels: dict | None) -> list[str]:
    """findNodeRoles: `node-role.kubernetes.io/<role>` keys and `kubernetes.io/role=<role>`, sorted."""
    roles = set()
    for key, value in (labels or {}).items():
        if key.startswith("node-role.kubernetes.io/"):
            role = key[len("node-role.kubernetes.io/") :]
            if role:
                roles.add(role)
        elif key == "kubernetes.io/role" and value:
            roles.add(value)
    return sorted(roles)


def node_cells(node: dict, now: datetime.datetime) -> list:
    status, meta = _status(node), _meta(node)
    ready = next((c for c in status.get("conditions") or () if c.get("type") == "Ready"), None)
    states = [] if ready is None else ["Ready" if ready.get("status") == "True" else "NotReady"]
    states = states or ["Unknown"]
    if _spec(node).get("unschedulable"):
        states.append("SchedulingDisabled")
    info = status.get("nodeInfo") or {}

    def address(kind: str) -> str:
        return next((a.get("address") for a in status.get("addresses") or () if a.get("type") == kind), "<none>")

    return [
        meta.get("name", ""),
        ",".join(states),
        ",".join(node_roles(meta.get("labels"))) or "<none>",
        since(meta.get("creationTimestamp"), now),
        info.get("kubeletVersion", ""),
        address("InternalIP"),
        address("ExternalIP"),
        info.get("osImage") or "<unknown>",
        info.get("kernelVersion") or "<unknown>",
        info.get("containerRuntimeVersion") or "<unknown>",
    ]


def event_cells(event: dict, now: datetime.datetime) -> list:
    first = since(event.get("firstTimestamp"), now)
    if parse_time(event.get("firstTimestamp")) is None:
        first = since(event.get("eventTime"), now)
    last = since(event.get("lastTimestamp"), now)
    if parse_time(event.get("lastTimestamp")) is None:
        last = first
    count = int(event.get("count") or 0)
    series = event.get("series")
    if series:
        last = since(series.get("lastObservedTime"), now)
        count = int(series.get("count") or 0)
    elif count == 0:
        count = 1
    involved = event.get("involvedObject") or {}
    kind = (involved.get("kind") or "").lower()
    target = f"{kind}/{involved['name']}" if involved.get("name") else kind
    source = event.get("source") or {}
    component = source.get("component") or event.get("reportingComponent") or ""
    host = source.get("host") or event.get("reportingInstance") or ""
    return [
        last,
        event.get("type", ""),
        event.get("reason", ""),
        target,
        involved.get("fieldPath", ""),
        f"{component}, {host}" if host else component,
        (event.get("message") or "").strip(),
        first,
        count,
        _meta(event).get("name", ""),
    ]


def namespace_cells(ns: dict, now: datetime.datetime) -> list:
    return [_meta(ns).get("name", ""), _status(ns).get("phase", ""), _age(ns, now)]


def secret_cells(secret: dict, now: datetime.datetime) -> list:
    return [_meta(secret).get("name", ""), secret.get("type", ""), len(secret.get("data") or {}), _age(secret, now)]


def configmap_cells(cm: dict, now: datetime.datetime) -> list:
    count = len(cm.get("data") or {}) + len(cm.get("binaryData") or {})
    return [_meta(cm).get("name", ""), count, _age(cm, now)]


def serviceaccount_cells(sa: dict, now: datetime.datetime) -> list:
    return [_meta(sa).get("name", ""), len(sa.get("secrets") or []), _age(sa, now)]


def scale_cells(scale: dict, now: datetime.datetime) -> list:
    return [
        _meta(scale).get("name", ""),
        int(_spec(scale).get("replicas") or 0),
        int(_status(scale).get("replicas") or 0),
        _age(scale, now),
    ]


def default_cells(obj: dict, now: datetime.datetime) -> list:
    """DefaultTableConvertor: the name and the creation time as RFC 3339."""
    return [_meta(obj).get("name", ""), _meta(obj).get("creationTimestamp")]


PRINTERS: dict[str, Callable[[dict, datetime.datetime], list]] = {
    "ReplicaSet": replicaset_cells,
    "Deployment": deployment_cells,
    "DaemonSet": daemonset_cells,
    "Job": job_cells,
    "Service": service_cells,
    "Endpoints": endpoints_cells,
    "EndpointSlice": endpointslice_cells,
    "Ingress": ingress_cells,
    "IngressClass": ingressclass_cells,
    "Node": node_cells,
    "Event": event_cells,
    "Namespace": namespace_cells,
    "Secret": secret_cells,
    "ConfigMap": configmap_cells,
    "ServiceAccount": serviceaccount_cells,
    "Scale": scale_cells,
}


# ---------------------------------------------------------------------- the Table
def partial_object_metadata(obj: dict, version: str = "v1") -> dict:
    """The row object kubectl reads NAMESPACE, labels (--show-labels, -L) and owners from."""
    return {"kind": "PartialObjectMetadata", "apiVersion": f"meta.k8s.io/{version}", "metadata": _meta(obj)}


def row(kind: str, obj: dict, now: datetime.datetime, *, include_object: str = "Metadata", version: str = "v1") -> dict:
    """One TableRow: cells (wide ones included), conditions, and the object as asked
    (`includeObject` None, Metadata — the default — or Object)."""
    conditions: list[dict] = []
    if kind == "Pod":
        cells, conditions = pod_cells(obj, now)
    else:
        cells = PRINTERS.get(kind, default_cells)(obj, now)
    out: dict = {"cells": cells}
    if conditions:
        out["conditions"] = conditions
    if include_object == "Object":
        out["object"] = obj
    elif include_object != "None":
        out["object"] = partial_object_metadata(obj, version)
    return out


# Kinds whose cells depend on the clock only through AGE (Jobs have DURATION, Events their
# "seen" times; a Pod's RESTARTS may say "(5m ago)", checked per row).
_AGE_ONLY = frozenset(PRINTERS) - {"Job", "Event"} | {"Pod"}


class RowCache:
    """Rows kept per object (by identity: served objects are never changed in place), their
    AGE cell refreshed for the clock of each Table. A 10,000-pod list then costs the AGE cells
    and the JSON encoding."""

    def __init__(self) -> None:
        # key -> (object, include, row without its cells, cells, AGE's index, creationTimestamp)
        self._rows: dict[tuple[str, str], tuple] = {}
        self._ages: tuple[datetime.datetime | None, dict[str | None, str]] = (None, {})

    def _age_of(self, created: str | None, now: datetime.datetime) -> str:
        """AGE for a creationTimestamp at `now`: objects made together share one cell."""
        if self._ages[0] != now:
            self._ages = (now, {})
        ages = self._ages[1]
        found = ages.get(created)
        if found is None:
            found = ages[created] = since(created, now)
        return found

    def row(self, kind: str, obj: dict, now: datetime.datetime, include_object: str, version: str) -> dict:
        if kind not in _AGE_ONLY:
            return row(kind, obj, now, include_object=include_object, version=version)
        meta = obj.get("metadata") or {}
        key = (kind, meta.get("uid") or f"{meta.get('namespace')}/{meta.get('name')}")
        include = (include_object, version)
        hit = self._rows.get(key)
        if hit is not None and hit[0] is obj and hit[1] == include:
            _obj, _include, rest, cells, age_index, created = hit
            if age_index is not None:
                cells = list(cells)
                cells[age_index] = self._age_of(created, now)
            return {"cells": cells, **rest}
        made = row(kind, obj, now, include_object=include_object, version=version)
        if kind == "Pod" and " ago)" in str(made["cells"][3]):
            return made  # the restarts cell is timed too
        names = [c.name for c in columns(kind)]
        age_index = names.index("Age") if "Age" in names else None
        rest = {k: v for k, v in made.items() if k != "cells"}
        self._rows[key] = (obj, include, rest, made["cells"], age_index, meta.get("creationTimestamp"))
        return made


def table(
    kind: str,
    objects: Iterable[dict],
    now: datetime.datetime,
    *,
    resource_version: str | None = None,
    include_object: str = "Metadata",
    version: str = "v1",
    headers: bool = True,
    continue_token: str | None = None,
    cache: RowCache | None = None,
) -> dict:
    """A meta.k8s.io/<version> Table of `objects` (a list's items, or one object for a get or a
    watch event). `headers` False leaves the column definitions out, as the API server does for
    every watch event after the first."""
    metadata: dict = {}
    if resource_version is not None:
        metadata["resourceVersion"] = resource_version
    if continue_token:
        metadata["continue"] = continue_token
    out = {
        "kind": "Table",
        "apiVersion": f"meta.k8s.io/{version}",
        "metadata": metadata,
        "columnDefinitions": [c.to_dict() for c in columns(kind)] if headers else None,
        "rows": [
            cache.row(kind, o, now, include_object, version)
            if cache is not None
            else row(kind, o, now, include_object=include_object, version=version)
            for o in objects
        ],
    }
    return out
