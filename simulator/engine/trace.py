"""The path of a request through the cluster: `trace(cluster, source, url)`.

From a pod (`NAMESPACE/POD`) the request goes the way `curl URL` inside that pod would:

* a name is resolved by the pod's resolver (`dns.resolve`, search list and ndots:5); a
  ClusterIP goes through kube-proxy's rules to one ready endpoint (pod IP and resolved
  targetPort); a headless name resolves straight to pod IPs; an ExternalName answers a
  CNAME and the request leaves the cluster (`external` hop, `ok` with no pod candidates);
* a pod IP reaches that pod directly; a node IP reaches a NodePort, or the ingress
  controller on ports 80 and 443; a LoadBalancer IP reaches its Service (kube-proxy
  short-circuits it inside the cluster).

From outside (`external`), the client is a machine next to the nodes (the student's laptop
on a kind or microk8s network):

* a node IP and a nodePort reaches the NodePort Service (and LoadBalancer Services, which
  are NodePort Services too); a LoadBalancer IP from the pool reaches its Service;
* ports 80 and 443 of every node are the ingress controller (ingress-nginx runs as a
  DaemonSet with hostPort 80/443, as microk8s's `ingress` addon and kind's ingress-nginx
  manifest do);
* a host name goes to the ingress controller: we take it that the student pointed the name
  at the cluster (DNS or /etc/hosts), as the course's `curl foo.example.com/testpath` does,
  and the Ingress rules route it by its Host header. A cluster DNS name (a Service name)
  that no Ingress rule claims does not resolve outside the cluster; the error says how to
  reach that Service from outside instead (its nodePort, its LoadBalancer IP, or that its
  LoadBalancer IP is still <pending>).
* ClusterIPs and pod IPs are not reachable from outside.

kube-proxy semantics (pkg/proxy/iptables/proxier.go): only ready endpoints receive traffic
(a Service with none rejects the connection); `internalTrafficPolicy: Local` keeps pod
traffic on the client's node; `externalTrafficPolicy: Local` keeps NodePort traffic from
outside on the node it arrived at (a node without an endpoint drops it), while pod traffic
to external destinations is short-circuited to every endpoint. The ingress controller sends
traffic straight to the endpoints (no ClusterIP), and answers 503 when a backend has none.

A container that declares ports is taken to listen only on them (Kubernetes forwards to a
targetPort anyway; nothing would answer); a container that declares no port is taken to
listen on whatever port the request names. `candidates` is the set of pods the request
could reach (load balancing picks one); `hops` shows the path to the first of them in
endpoint order. Every failure is one sentence a student understands, with an id.

"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import ClassVar
from urllib.parse import urlsplit

from . import dns
from . import ingress as ingress_routing
from .controllers.endpoints import Endpoint, cached_endpoints
from .diagnostics import SELECTOR_OTHER_NAMESPACE, SELECTS_NO_PODS, service_hints
from .model import Node, Pod, Service, ServicePort
from .netaddr import is_ip
from .wellknown import CONTROL_PLANE_ROLE

EXTERNAL = "external"

# Failure ids (Trace.error_id): stable, for the UI and graders.
BAD_URL = "bad-url"
UNKNOWN_SOURCE = "unknown-source"
SOURCE_NOT_RUNNING = "source-not-running"
UNKNOWN_HOST = "unknown-host"
CLUSTER_NAME_OUTSIDE = "cluster-name-outside"
INTERNAL_ONLY = "internal-address-from-outside"
NO_ROUTE = "no-route"
NOTHING_LISTENS = "nothing-listens"
PORT_NOT_EXPOSED = "service-port-not-exposed"
NO_ENDPOINTS = "service-no-endpoints"
NO_READY_ENDPOINTS = "service-no-ready-endpoints"
NO_LOCAL_ENDPOINT = "service-no-local-endpoint"
TARGET_PORT_CLOSED = "target-port-closed"
LOADBALANCER_PENDING = "loadbalancer-pending"
INGRESS_BACKEND_MISSING = "ingress-backend-missing"
INGRESS_NO_RULE = ingress_routing.NO_RULE
INGRESS_NOT_TLS = ingress_routing.NOT_TLS
INGRESS_WRONG_PORT = "ingress-wrong-port"


# ---------------------------------------------------------------------- hops
@dataclass(frozen=True, slots=True)
class DnsHop:
    step: ClassVar[str] = "dns"
    name: str
    value: str

    def to_dict(self) -> dict:
        return {"step": self.step, "name": self.name, "value": self.value}


@dataclass(frozen=True, slots=True)
class IngressHop:
    step: ClassVar[str] = "ingress"
    ingress: str
    host: str | None
    path: str | None
    path_type: str | None

    def to_dict(self) -> dict:
        return {
            "step": self.step,
            "ingress": self.ingress,
            "host": self.host,
            "path": self.path,
            "pathType": self.path_type,
        }


@dataclass(frozen=True, slots=True)
class NodePortHop:
    step: ClassVar[str] = "nodeport"
    node: str
    port: int

    def to_dict(self) -> dict:
        return {"step": self.step, "node": self.node, "port": self.port}


@dataclass(frozen=True, slots=True)
class LoadBalancerHop:
    step: ClassVar[str] = "loadbalancer"
    ip: str
    port: int

    def to_dict(self) -> dict:
        return {"step": self.step, "ip": self.ip, "port": self.port}


@dataclass(frozen=True, slots=True)
class ServiceHop:
    step: ClassVar[str] = "service"
    service: str
    port: int

    def to_dict(self) -> dict:
        return {"step": self.step, "service": self.service, "port": self.port}


@dataclass(frozen=True, slots=True)
class EndpointHop:
    step: ClassVar[str] = "endpoint"
    pod: str | None  # None for the API server behind default/kubernetes
    ip: str
    port: int

    def to_dict(self) -> dict:
        return {"step": self.step, "pod": self.pod, "ip": self.ip, "port": self.port}


@dataclass(frozen=True, slots=True)
class ExternalHop:
    """The request leaves the cluster for an ExternalName's target."""

    step: ClassVar[str] = "external"
    name: str
    port: int | None

    def to_dict(self) -> dict:
        return {"step": self.step, "name": self.name, "port": self.port}


Hop = DnsHop | IngressHop | NodePortHop | LoadBalancerHop | ServiceHop | EndpointHop | ExternalHop


@dataclass(frozen=True)
class Trace:
    ok: bool
    hops: tuple[Hop, ...]
    candidates: tuple[str, ...]  # "namespace/pod", sorted
    error: str | None = None
    error_id: str | None = None

    def to_dict(self) -> dict:
        return {
            "ok": self.ok,
            "hops": [h.to_dict() for h in self.hops],
            "candidates": list(self.candidates),
            "error": self.error,
        }


@dataclass(frozen=True, slots=True)
class Request:
    url: str
    scheme: str
    host: str
    port: int
    path: str

    @property
    def host_is_ip(self) -> bool:
        return is_ip(self.host)


class TraceError(ValueError):
    """A URL that cannot be traced (domain exception; `trace` turns it into a failed Trace)."""


def parse_url(url: str) -> Request:
    """curl's reading of a URL: http:// when no scheme is given, port 80/443 by default."""
    text = (url or "").strip()
    if not text:
        raise TraceError("the URL is empty: give one like http://webapp:8080/")
    if "://" not in text:
        text = "http://" + text
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise TraceError(f"cannot trace a {scheme}:// URL: only http and https requests are traced")
    host = parts.hostname
    if not host:
        raise TraceError(f"the URL {url!r} has no host")
    try:
        port = parts.port
    except ValueError:
        raise TraceError(f"the URL {url!r} has an invalid port") from None
    if port is None:
        port = 443 if scheme == "https" else 80
    return Request(url, scheme, host.rstrip(".") if not is_ip(host) else host, port, parts.path or "/")


# ---------------------------------------------------------------------- cached indexes
# No full scans per request: addresses are indexed in the engine's `trace` memo, kept for the
# objects they came from (objects never change; an update stores a new one); endpoints come from
# `cached_endpoints`, Ingress routing from `ingress.routing_table`.
@dataclass
class _Addresses:
    cluster_ips: dict[str, Service]
    load_balancer_ips: dict[str, Service]
    node_ports: dict[int, Service]  # TCP nodePorts
    nodes: dict[str, Node]  # node IP -> node


def _addresses(cluster) -> _Addresses:
    """Service and node addresses, rebuilt only when a Service or a Node object changed (looked
    at once per cluster generation)."""
    memo = cluster.memos["trace"]
    return memo.get("addresses", cluster.generation, _current_addresses, memo, cluster)


def _current_addresses(memo, cluster) -> _Addresses:
    objects = tuple(cluster.list("Service")) + tuple(cluster.nodes())
    return memo.get("addresses of", objects, _index_addresses, objects)


def _index_addresses(objects: tuple) -> _Addresses:
    index = _Addresses({}, {}, {}, {})
    for obj in objects:
        if isinstance(obj, Node):
            if obj.ip:
                index.nodes.setdefault(obj.ip, obj)
            continue
        svc = obj
        if svc.has_cluster_ip:
            index.cluster_ips.setdefault(svc.cluster_ip, svc)
        if svc.type == "LoadBalancer":
            for ip in svc.load_balancer_ips:
                index.load_balancer_ips.setdefault(ip, svc)
        for sp in svc.ports:
            if sp.node_port and sp.protocol == "TCP":
                index.node_ports.setdefault(sp.node_port, svc)
    return index


def _pod_by_ip(cluster, ip: str) -> Pod | None:
    """The running pod with this IP. The last index is trusted entry by entry (the stored object
    must still be the cluster's), and rebuilt at most once per cluster generation."""
    memo = cluster.memos["trace"]
    index = memo.last("pods by ip")
    if index is not None:
        pod = index.get(ip)
        if pod is not None and pod.ip == ip and cluster.get("Pod", pod.namespace, pod.name) is pod:
            return pod
    return memo.get("pods by ip", cluster.generation, _running_pods_by_ip, cluster).get(ip)


def _running_pods_by_ip(cluster) -> dict[str, Pod]:
    index: dict[str, Pod] = {}
    for pod in cluster.list("Pod"):
        if pod.ip and not pod.terminal and not pod.spec.get("hostNetwork"):
            index.setdefault(pod.ip, pod)
    return index


def _pod_of(cluster, ref: str | None) -> Pod | None:
    if not ref or "/" not in ref:
        return None
    ns, name = ref.split("/", 1)
    return cluster.get("Pod", ns, name)


def _listens(pod: Pod | None, port: int, protocol: str = "TCP") -> bool:
    """A pod that declares container ports listens on those; one that declares none, on any port."""
    if pod is None or not pod.ports:
        return True
    return any(cp.port == port and cp.protocol == protocol for cp in pod.ports)


def _declared(pod: Pod) -> str:
    return ", ".join(f"{cp.port}/{cp.protocol}" for cp in pod.ports)


@dataclass(frozen=True)
class _Reach:
    """Where kube-proxy (or the ingress controller) can send one Service port's traffic."""

    candidates: tuple[str, ...]
    first: Endpoint | None
    error_id: str | None = None
    error: str | None = None


def _reach(cluster, svc: Service, sp: ServicePort, node: str | None, policy: str) -> _Reach:
    """Ready, listening endpoints of one Service port (on `node` only, when a traffic policy says
    Local), cached per Service object and Endpoints tuple."""
    endpoints = cached_endpoints(cluster, svc)
    memo = cluster.memos["trace.reach"]
    if len(memo) > 50_000:  # keys name Service ports and nodes, which a long session keeps making
        memo.clear()
    key = (svc.namespace, svc.name, sp.port, sp.protocol, node, policy)
    return memo.get(key, (svc, endpoints), _compute_reach, cluster, svc, sp, endpoints, node, policy)


def _compute_reach(cluster, svc: Service, sp: ServicePort, endpoints, node: str | None, policy: str) -> _Reach:
    mine = [e for e in endpoints if e.port_name == sp.name and e.protocol == sp.protocol]
    if not mine:
        return _Reach((), None, NO_ENDPOINTS, _why_no_endpoints(cluster, svc, sp))
    ready = [e for e in mine if e.ready]
    if not ready:
        names = sorted({e.pod.split("/", 1)[1] for e in mine if e.pod})
        who = f"pod {names[0]} is" if len(names) == 1 else f"its {len(names)} pods ({', '.join(names[:3])}) are"
        return _Reach(
            (),
            None,
            NO_READY_ENDPOINTS,
            f'Service "{svc.name}" has no ready endpoints: {who} not Ready (listed under '
            "notReadyAddresses), so kube-proxy rejects the connection",
        )
    if node is not None:
        local = [e for e in ready if e.node == node]
        if not local:
            nodes = ", ".join(sorted({e.node for e in ready if e.node}))
            if policy == "internal":
                text = (
                    f'Service "{svc.name}" has internalTrafficPolicy: Local and no ready endpoint on node '
                    f"{node}, where the request starts (its pods run on {nodes}): kube-proxy drops it"
                )
            else:
                text = (
                    f'Service "{svc.name}" has externalTrafficPolicy: Local and no ready endpoint on node '
                    f"{node} (its pods run on {nodes}): the connection times out"
                )
            return _Reach((), None, NO_LOCAL_ENDPOINT, text)
        ready = local
    listening = [e for e in ready if _listens(_pod_of(cluster, e.pod), e.port, e.protocol)]
    if not listening:
        e = ready[0]
        pod = _pod_of(cluster, e.pod)
        declared = f" (pod {pod.name} declares {_declared(pod)})" if pod is not None else ""
        return _Reach(
            (),
            None,
            TARGET_PORT_CLOSED,
            f'connection refused: targetPort {e.port} of Service "{svc.name}" is not open on its pods{declared}',
        )
    candidates = tuple(sorted({e.pod for e in listening if e.pod}))
    return _Reach(candidates, listening[0])


def _selector_text(selector) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(selector.items()))


def _why_no_endpoints(cluster, svc: Service, sp: ServicePort) -> str:
    head = f'Service "{svc.name}" has no endpoints'
    if not svc.selector:
        return f"{head}: it has no selector, so Kubernetes manages no Endpoints for it"
    selected = cluster.pods_with_labels(svc.namespace, svc.selector)
    selector = _selector_text(svc.selector)
    if not selected:
        hints = service_hints(cluster, svc)
        near = next((h.data.get("nearMisses") for h in hints if h.id == SELECTS_NO_PODS), None) or []
        elsewhere = next((h.data.get("namespaces") for h in hints if h.id == SELECTOR_OTHER_NAMESPACE), None)
        notes = []
        if near:
            first = near[0]
            missing = " and ".join(m.replace("lacks label ", "lacks ", 1) for m in first["missing"])
            notes.append(f"pod {first['pod'].split('/', 1)[1]} {missing}")
        if elsewhere:
            notes.append(
                f"pods in namespace {', '.join(elsewhere)} match it, but a Service only selects pods "
                f"of its own namespace ({svc.namespace})"
            )
        if not notes:
            notes.append(f"no pod in namespace {svc.namespace} carries these labels")
        return f"{head}: its selector {selector} matches no pod ({'; '.join(notes)})"
    live = [p for p in selected if not p.terminal]
    if not live:
        return f"{head}: the pods its selector {selector} matches have all completed ({selected[0].phase})"
    pending = [p for p in live if not p.ip]
    if len(pending) == len(live):
        pod = pending[0]
        reason = cluster.schedule_failures.get(pod.key)
        return f"{head}: pod {pod.name}, which its selector matches, is Pending and has no IP" + (
            f" ({reason})" if reason else ""
        )
    target = sp.target_port
    if isinstance(target, str) and not target.isdigit():
        pod = next(p for p in live if p.ip)
        declared = ", ".join(f"{cp.name or cp.port}" for cp in pod.ports) or "none"
        return (
            f'{head} for port {sp.port}: its targetPort "{target}" names no {sp.protocol} containerPort of pod '
            f"{pod.name} (its port names: {declared})"
        )
    return f"{head} for port {sp.port}"


# ---------------------------------------------------------------------- the walk
class _Walk:
    """One request's journey; collects hops and ends in a Trace."""

    def __init__(self, cluster, pod: Pod | None, request: Request):
        self.cluster = cluster
        self.pod = pod
        self.request = request
        self.hops: list[Hop] = []

    @property
    def outside(self) -> bool:
        return self.pod is None

    def fail(self, error_id: str, error: str) -> Trace:
        return Trace(False, tuple(self.hops), (), error, error_id)

    def done(self, candidates: tuple[str, ...]) -> Trace:
        return Trace(True, tuple(self.hops), candidates)

    # -- entry points
    def from_pod(self) -> Trace:
        req = self.request
        if req.host_is_ip:
            return self.to_ip(req.host)
        res = dns.resolve(self.cluster, self.pod, req.host, "A")
        a_values = [r.value for r in res.answers if r.type == "A"] if res.rcode == "NOERROR" else []
        if a_values:
            self.hops.append(DnsHop(req.host, a_values[0]))
            if len(a_values) > 1:
                return self.to_pod_ips(a_values)
            return self.to_ip(a_values[0])
        cnames = [r.value for r in res.answers if r.type == "CNAME"] if res.rcode == "NOERROR" else []
        if cnames:
            target = cnames[-1]
            domain = "." + self.cluster.settings.domain.strip(".") + "."
            if not target.endswith(domain):
                self.hops.append(DnsHop(req.host, target))
                self.hops.append(ExternalHop(target.rstrip("."), req.port))
                return self.done(())
        return self.fail(UNKNOWN_HOST, self._unknown_host(res))

    def from_outside(self) -> Trace:
        req = self.request
        if req.host_is_ip:
            addresses = _addresses(self.cluster)
            svc = addresses.cluster_ips.get(req.host)
            if svc is not None:
                return self.fail(
                    INTERNAL_ONLY,
                    (
                        f'{req.host} is the ClusterIP of Service "{svc.name}", a virtual address that exists only inside '
                        "the cluster (in kube-proxy's rules on each node): from outside, use a NodePort, a LoadBalancer "
                        "or an Ingress"
                    ),
                )
            if req.host not in addresses.load_balancer_ips and req.host not in addresses.nodes:
                pod = _pod_by_ip(self.cluster, req.host)
                if pod is not None:
                    return self.fail(
                        INTERNAL_ONLY,
                        (
                            f"{req.host} is the IP of pod {pod.name}: pod IPs are routable only inside the cluster "
                            "network; from outside, use a NodePort, a LoadBalancer or an Ingress"
                        ),
                    )
                return self.fail(
                    NO_ROUTE, f"no route to {req.host}: it is not a node IP or a LoadBalancer IP of this cluster"
                )
            return self.to_ip(req.host)
        if not ingress_routing.routing_table(self.cluster).claims(req.host):
            svc = self._service_named(req.host)
            if svc is not None:
                return self._cluster_name_outside(svc)
        return self.via_ingress()

    # -- addresses
    def to_ip(self, ip: str) -> Trace:
        addresses = _addresses(self.cluster)
        svc = addresses.cluster_ips.get(ip)
        if svc is not None:
            return self.via_cluster_ip(svc)
        svc = addresses.load_balancer_ips.get(ip)
        if svc is not None:
            return self.via_load_balancer(svc, ip)
        node = addresses.nodes.get(ip)
        if node is not None:
            return self.via_node(node)
        pod = _pod_by_ip(self.cluster, ip)
        if pod is not None:
            return self.to_pod(pod)
        return self.fail(
            NO_ROUTE,
            f"no route to {ip}: it is not a Service ClusterIP, a pod IP, a node IP or a "
            "LoadBalancer IP of this cluster",
        )

    def to_pod(self, pod: Pod) -> Trace:
        port = self.request.port
        if not _listens(pod, port):
            return self.fail(
                TARGET_PORT_CLOSED,
                f"connection refused: pod {pod.name} does not listen on port {port} "
                f"(its containers declare {_declared(pod)})",
            )
        self.hops.append(EndpointHop(f"{pod.namespace}/{pod.name}", pod.ip, port))
        return self.done((f"{pod.namespace}/{pod.name}",))

    def to_pod_ips(self, ips: list[str]) -> Trace:
        """A headless Service's name: the client takes the first answer; any could be reached."""
        port = self.request.port
        pods = [p for p in (_pod_by_ip(self.cluster, ip) for ip in ips) if p is not None]
        listening = [p for p in pods if _listens(p, port)]
        if not listening:
            return self.to_ip(ips[0])
        first = listening[0]
        self.hops.append(EndpointHop(f"{first.namespace}/{first.name}", first.ip, port))
        return self.done(tuple(sorted({f"{p.namespace}/{p.name}" for p in listening})))

    # -- Services
    def _service_port(self, svc: Service, port: int) -> ServicePort | None:
        return next((sp for sp in svc.ports if sp.port == port and sp.protocol == "TCP"), None)

    def _not_exposed(self, svc: Service, port: int | str) -> str:
        exposed = ", ".join(f"{sp.port}/{sp.protocol}" for sp in svc.ports) or "no port"
        return f'no Service port {port}: Service "{svc.name}" exposes {exposed}'

    def via_cluster_ip(self, svc: Service) -> Trace:
        sp = self._service_port(svc, self.request.port)
        if sp is None:
            return self.fail(PORT_NOT_EXPOSED, self._not_exposed(svc, self.request.port))
        self.hops.append(ServiceHop(svc.ref, sp.port))
        node = self.pod.node if (self.pod is not None and svc.internal_traffic_policy == "Local") else None
        return self.to_endpoints(svc, sp, node, "internal")

    def via_load_balancer(self, svc: Service, ip: str) -> Trace:
        sp = self._service_port(svc, self.request.port)
        if sp is None:
            return self.fail(PORT_NOT_EXPOSED, self._not_exposed(svc, self.request.port))
        self.hops.append(LoadBalancerHop(ip, self.request.port))
        self.hops.append(ServiceHop(svc.ref, sp.port))
        # externalTrafficPolicy: Local makes the load balancer's health checks skip nodes without an
        # endpoint, so every endpoint stays reachable.
        return self.to_endpoints(svc, sp, None, "external")

    def via_node(self, node: Node) -> Trace:
        port = self.request.port
        if port in (80, 443):
            return self.via_ingress()
        svc = _addresses(self.cluster).node_ports.get(port)
        if svc is None:
            low, high = self.cluster.settings.node_port_range
            note = "" if low <= port <= high else f" (nodePorts are in {low}-{high})"
            return self.fail(
                NOTHING_LISTENS,
                f"connection refused: nothing listens on port {port} of node "
                f"{node.name} ({node.ip}): no Service has nodePort {port}{note}",
            )
        sp = next(sp for sp in svc.ports if sp.node_port == port and sp.protocol == "TCP")
        self.hops.append(NodePortHop(node.name, port))
        self.hops.append(ServiceHop(svc.ref, sp.port))
        local = self.outside and svc.external_traffic_policy == "Local"
        return self.to_endpoints(svc, sp, node.name if local else None, "external")

    def to_endpoints(
        self, svc: Service, sp: ServicePort, node: str | None, policy: str, ingress_suffix: bool = False
    ) -> Trace:
        reach = _reach(self.cluster, svc, sp, node, policy)
        if reach.first is None:
            error = reach.error or f'Service "{svc.name}" has no endpoints'
            if ingress_suffix:
                closed = reach.error_id == TARGET_PORT_CLOSED  # nginx: connection refused upstream
                code = "502 Bad Gateway" if closed else "503 Service Temporarily Unavailable"
                error = f"{error}; the ingress controller answers {code}"
            return self.fail(reach.error_id or NO_ENDPOINTS, error)
        e = reach.first
        self.hops.append(EndpointHop(e.pod, e.ip, e.port))
        return self.done(reach.candidates)

    # -- Ingress
    def via_ingress(self) -> Trace:
        req = self.request
        if req.port not in (80, 443):
            return self.fail(
                INGRESS_WRONG_PORT,
                f"connection refused: {req.host} reaches the ingress controller, "
                f"which listens on ports 80 (http) and 443 (https), not {req.port}",
            )
        if req.port == 443 and req.scheme == "http":
            return self.fail(
                INGRESS_WRONG_PORT,
                "the ingress controller answers 400: the plain HTTP request was sent "
                "to its HTTPS port 443 (use https://)",
            )
        if req.port == 80 and req.scheme == "https":
            return self.fail(
                INGRESS_WRONG_PORT,
                "the TLS handshake fails: port 80 of the ingress controller speaks "
                "plain http (use http://, or https:// on port 443)",
            )
        routing = ingress_routing.route(self.cluster, req.host, req.path, req.scheme)
        if routing.match is None:
            return self.fail(routing.reason_id or INGRESS_NO_RULE, routing.reason or "no Ingress rule matches")
        m = routing.match
        self.hops.append(IngressHop(m.ingress, m.host, m.path, m.path_type))
        ns, name = m.service.split("/", 1)
        svc = self.cluster.get("Service", ns, name)
        what = f"path {m.path}" if not m.default_backend else "unmatched requests (its defaultBackend)"
        if svc is None:
            return self.fail(
                INGRESS_BACKEND_MISSING,
                (
                    f'Ingress {m.ingress} sends {what} to Service "{name}", which does not exist in namespace {ns}; '
                    "the ingress controller answers 503 Service Temporarily Unavailable"
                ),
            )
        if isinstance(m.port, int):
            sp = self._service_port(svc, m.port)
        else:
            sp = next((p for p in svc.ports if p.name and p.name == m.port), None)
        if svc.type == "ExternalName":
            port = sp.port if sp is not None else (m.port if isinstance(m.port, int) else None)
            self.hops.append(ServiceHop(svc.ref, port))
            self.hops.append(ExternalHop(svc.external_name or "", port))
            return self.done(())
        if sp is None:
            return self.fail(
                PORT_NOT_EXPOSED,
                (
                    f"{self._not_exposed(svc, m.port)} (Ingress {m.ingress} names port {m.port}); the ingress "
                    "controller answers 503 Service Temporarily Unavailable"
                ),
            )
        self.hops.append(ServiceHop(svc.ref, sp.port))
        return self.to_endpoints(svc, sp, None, "ingress", ingress_suffix=True)

    # -- names
    def _unknown_host(self, res) -> str:
        name = self.request.host
        tried = list(res.tried)
        text = f'could not resolve host "{name}": {res.rcode}'
        if res.rcode == "NOERROR":
            text = f'could not resolve host "{name}": it has no A record'
        elif tried:
            text += " after trying " + ", ".join(tried)
        hint = self._name_hint(name)
        return text + (f" ({hint})" if hint else "")

    def _name_hint(self, name: str) -> str | None:
        """The course's lesson: a bare Service name only resolves in the pod's own namespace."""
        if "." in name or self.pod is None:
            return None
        here = self.pod.namespace
        for ns in sorted(self.cluster.namespaces()):
            if ns != here and name in self.cluster.services_in(ns):
                return f'Service "{name}" is in namespace {ns}: use {name}.{ns}'
        close = difflib.get_close_matches(name, sorted(self.cluster.services_in(here)), n=1, cutoff=0.75)
        if close:
            return f'did you mean "{close[0]}"?'
        return None

    def _service_named(self, host: str) -> Service | None:
        """A cluster DNS name for a Service: name, name.ns, name.ns.svc, name.ns.svc.<domain>."""
        host = ingress_routing.normalize_host(host)
        domain = self.cluster.settings.domain.strip(".").lower()
        for suffix in (".svc." + domain, ".svc"):
            if host.endswith(suffix):
                host = host[: -len(suffix)]
                break
        labels = host.split(".")
        if len(labels) == 1:
            for ns in ["default", *sorted(self.cluster.namespaces())]:
                svc = self.cluster.services_in(ns).get(labels[0])
                if svc is not None:
                    return svc
            return None
        if len(labels) == 2:
            return self.cluster.services_in(labels[1]).get(labels[0])
        return None

    def _cluster_name_outside(self, svc: Service) -> Trace:
        req = self.request
        sp = self._service_port(svc, req.port) or (svc.ports[0] if svc.ports else None)
        head = f'could not resolve host "{req.host}": cluster DNS names resolve only inside the cluster'
        if svc.type == "LoadBalancer" and not svc.load_balancer_ips:
            node_ip = self._a_node_ip()
            try_it = f": try http://{node_ip}:{sp.node_port}/" if sp is not None and sp.node_port and node_ip else ""
            return self.fail(
                LOADBALANCER_PENDING,
                (
                    f'LoadBalancer IP is <pending>: Service "{svc.name}" has no external IP because no load-balancer pool '
                    "is configured (as on a cluster without a cloud provider); it still works as a NodePort Service"
                    f"{try_it}"
                ),
            )
        if svc.type == "LoadBalancer" and sp is not None:
            return self.fail(
                CLUSTER_NAME_OUTSIDE,
                f"{head}; from outside, use the LoadBalancer IP: http://{svc.load_balancer_ips[0]}:{sp.port}/",
            )
        if svc.type == "NodePort" and sp is not None and sp.node_port:
            return self.fail(
                CLUSTER_NAME_OUTSIDE,
                f"{head}; from outside, use a node IP and the nodePort: http://{self._a_node_ip()}:{sp.node_port}/",
            )
        if svc.type == "ExternalName":
            return self.fail(
                CLUSTER_NAME_OUTSIDE,
                f'{head}; Service "{svc.name}" only points at {svc.external_name}, which you can ask directly',
            )
        return self.fail(
            CLUSTER_NAME_OUTSIDE,
            (
                f'{head}, and Service "{svc.name}" is a ClusterIP Service, reachable only from inside; expose it with '
                "type NodePort or LoadBalancer, or with an Ingress"
            ),
        )

    def _a_node_ip(self) -> str | None:
        nodes = self.cluster.nodes()
        worker = next((n for n in nodes if n.ip and CONTROL_PLANE_ROLE not in n.labels), None)
        node = worker or next((n for n in nodes if n.ip), None)
        return node.ip if node is not None else None


# ---------------------------------------------------------------------- entry points
def trace(cluster, source: str, url: str) -> Trace:
    """The path of `curl URL` from `source` ("NAMESPACE/POD", or "external")."""
    try:
        request = parse_url(url)
    except TraceError as exc:
        return Trace(False, (), (), str(exc), BAD_URL)
    if source == EXTERNAL:
        return _Walk(cluster, None, request).from_outside()
    ns, name = source.split("/", 1) if "/" in source else ("default", source)
    pod = cluster.get("Pod", ns, name)
    if pod is None:
        return Trace(
            False, (), (), f"there is no pod {name} in namespace {ns} to send the request from", UNKNOWN_SOURCE
        )
    if pod.terminal:
        return Trace(
            False,
            (),
            (),
            f"pod {name} has {pod.phase}: its containers no longer run, so it cannot send requests",
            SOURCE_NOT_RUNNING,
        )
    if not pod.ip:
        reason = cluster.schedule_failures.get(pod.key)
        return Trace(
            False,
            (),
            (),
            f"pod {name} is Pending and has no IP"
            + (f" ({reason})" if reason else "")
            + ", so it cannot send requests",
            SOURCE_NOT_RUNNING,
        )
    return _Walk(cluster, pod, request).from_pod()


def request_query(cluster, source: str, url: str) -> dict:
    """The contract's `request` query object (docs/simulate-contract.md, "Queries")."""
    result = trace(cluster, source, url)
    return {"query": "request", "from": source, "url": url, **result.to_dict()}


__all__ = [
    "EXTERNAL",
    "DnsHop",
    "EndpointHop",
    "ExternalHop",
    "IngressHop",
    "LoadBalancerHop",
    "NodePortHop",
    "Request",
    "ServiceHop",
    "Trace",
    "TraceError",
    "parse_url",
    "request_query",
    "trace",
]
