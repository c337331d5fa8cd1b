"""The topology diagram's elements, shaped for Cytoscape.js (docs/protocol.md, "The diagram").

Each value is an element `{"group", "data", "classes"}` stored under `graph/node/<id>` or
`graph/edge/<id>`. Pods sit inside their Node (compound parent); Services, Ingresses and
owners inside their Namespace; the outside world reaches Ingresses and NodePort/LoadBalancer
Services; Ingress routes reach Services; one edge per endpoint (Service port -> pod) labelled
`port → targetPort` with its readiness, drawn from the engine's own Endpoints so the diagram
cannot disagree with DNS or kube-proxy; owners link to what they own (class `owns`, so the
client can hide them).
"""

from __future__ import annotations

from ..engine.contract import ingress_view, load_balancer_ip
from ..engine.controllers.endpoints import cached_endpoints
from ..engine.model import Base, Pod, Service
from . import keys

OWNER_KINDS = ("Deployment", "ReplicaSet", "Job", "DaemonSet")


def node_element(ident: str, classes: str, **data) -> dict:
    """A diagram node; data members that are None are left out."""
    return {
        "group": "nodes",
        "data": {"id": ident, **{k: v for k, v in data.items() if v is not None}},
        "classes": classes,
    }


def edge_element(ident: str, source: str, target: str, classes: str, **data) -> dict:
    """A diagram edge; data members that are None are left out."""
    return {
        "group": "edges",
        "data": {"id": ident, "source": source, "target": target, **{k: v for k, v in data.items() if v is not None}},
        "classes": classes,
    }


def world_elements() -> dict:
    return {keys.graph_node_key(keys.WORLD): node_element(keys.WORLD, "world", label="outside world", kind="World")}


def owner_edge(engine, obj: Base, out: dict) -> None:
    """The edge from the object's owner, when the owner is a workload the diagram shows."""
    owner = obj.owner
    if owner is None or owner.kind not in OWNER_KINDS:
        return
    parent = engine.get(owner.kind, obj.namespace, owner.name)
    if parent is None or parent.uid != owner.uid:
        return
    target = keys.element_id(obj.kind, obj.namespace, obj.name)
    edge = keys.owner_edge_id(target)
    out[keys.graph_edge_key(edge)] = edge_element(
        edge, keys.element_id(owner.kind, obj.namespace, owner.name), target, "owns"
    )


def node_elements(engine, node, out: dict) -> None:
    """A Node's box, with the NodePorts every node opens."""
    node_ports = sorted(
        {
            f"{p.node_port}/{p.protocol}"
            for svc in engine.list("Service")
            if svc.type in ("NodePort", "LoadBalancer")
            for p in svc.ports
            if p.node_port
        },
        key=lambda s: (int(s.split("/")[0]), s),
    )
    control = "node-role.kubernetes.io/control-plane" in node.labels
    ident = keys.element_id("Node", "", node.name)
    out[keys.graph_node_key(ident)] = node_element(
        ident,
        "node control-plane" if control else "node",
        label=node.name,
        kind="Node",
        ip=node.ip,
        podCIDR=node.pod_cidr,
        nodePorts=node_ports,
        role="control-plane" if control else "worker",
    )


def pod_elements(engine, pod: Pod, out: dict) -> None:
    ns, name = pod.namespace, pod.name
    ident = keys.element_id("Pod", ns, name)
    parent = keys.element_id("Node", "", pod.node) if pod.node and engine.get("Node", "", pod.node) else None
    state = "ready" if pod.ready else "not-ready"
    extra = {}
    if pod.terminating:
        # being deleted: `kubectl get pods` says Terminating until its kubelet removes it
        state += " terminating"
        extra["terminating"] = True
    out[keys.graph_node_key(ident)] = node_element(
        ident,
        f"pod {state} phase-{pod.phase.lower()}",
        label=name,
        kind="Pod",
        namespace=ns,
        parent=parent,
        ip=pod.ip,
        phase=pod.phase,
        ready=pod.ready,
        **extra,
    )
    owner_edge(engine, pod, out)


def _no_endpoint_reason(svc: Service, hints: list[dict]) -> dict:
    for hint in hints:
        return {"id": hint["id"], "message": hint["message"], "hint": hint["hint"]}
    return {
        "id": "service-no-endpoints",
        "message": f"Service {svc.name!r} has no endpoints",
        "hint": "the pods it selects have no IP yet (Pending) or declare no matching port",
    }


def service_elements(engine, svc: Service, *, cluster_ip: str | None, hints: list[dict], out: dict) -> None:
    """A Service's node (with the reason when it has no endpoints), its exposing edge from the
    world, an ExternalName's target, and one edge per endpoint."""
    ns, name = svc.namespace, svc.name
    ident = keys.element_id("Service", ns, name)
    ports = [f"{p.port}/{p.protocol}" + (f":{p.node_port}" if p.node_port else "") for p in svc.ports]
    warning = None
    endpoints = cached_endpoints(engine, svc)
    if svc.type != "ExternalName" and not endpoints:
        warning = _no_endpoint_reason(svc, hints)
    classes = f"service type-{svc.type.lower()}" + (" warning" if warning else "")
    lb = load_balancer_ip(svc)
    out[keys.graph_node_key(ident)] = node_element(
        ident,
        classes,
        label=name,
        kind="Service",
        namespace=ns,
        parent=keys.element_id("Namespace", "", ns),
        type=svc.type,
        clusterIP=cluster_ip,
        loadBalancerIP=lb,
        externalName=svc.external_name,
        ports=ports,
        warning=warning,
    )
    if svc.type in ("NodePort", "LoadBalancer"):
        label = ", ".join(f"NodePort {p.node_port}" for p in svc.ports if p.node_port)
        if svc.type == "LoadBalancer":
            label = f"LoadBalancer {lb}" + (f" · {label}" if label else "")
        edge = keys.expose_edge_id(ns, name)
        out[keys.graph_edge_key(edge)] = edge_element(
            edge, keys.WORLD, ident, f"expose type-{svc.type.lower()}", label=label, loadBalancerIP=lb
        )
    if svc.type == "ExternalName":
        ext = keys.external_id(ns, name)
        out[keys.graph_node_key(ext)] = node_element(
            ext, "external", label=svc.external_name or "", kind="External", externalName=svc.external_name
        )
        edge = keys.external_edge_id(ns, name)
        out[keys.graph_edge_key(edge)] = edge_element(edge, ident, ext, "external", label="CNAME")
    by_port = {(p.name, p.protocol): p for p in svc.ports}
    for ep in endpoints:
        sp = by_port.get((ep.port_name, ep.protocol))
        if sp is None:
            continue
        token = keys.port_token(sp.name, sp.port, sp.protocol)
        if ep.pod is not None:
            target_name = ep.pod.split("/", 1)[1]
            target_ident = keys.element_id("Pod", ns, target_name)
        else:
            target_name = f"Node:{ep.node}"
            target_ident = keys.element_id("Node", "", ep.node)
        edge = keys.endpoint_edge_id(ns, name, target_name, token)
        out[keys.graph_edge_key(edge)] = edge_element(
            edge,
            ident,
            target_ident,
            "endpoint " + ("ready" if ep.ready else "not-ready"),
            label=f"{sp.port} → {ep.port}",
            port=sp.port,
            targetPort=ep.port,
            protocol=ep.protocol,
            ready=ep.ready,
        )


def ingress_routes(ingress) -> list[dict]:
    """The Ingress's routes in rule order, its default backend last: one route edge each."""
    view = ingress_view(ingress)
    routes = [dict(r) for r in view["rules"]]
    if view["defaultBackend"] and view["defaultBackend"].get("service"):
        routes.append(
            {
                "host": None,
                "path": None,
                "pathType": None,
                "default": True,
                "service": view["defaultBackend"]["service"],
                "port": view["defaultBackend"]["port"],
            }
        )
    return routes


def ingress_elements(engine, ingress, out: dict) -> None:
    """An Ingress's node, the world's edge to it, and a route edge to each Service that exists."""
    ns, name = ingress.namespace, ingress.name
    ident = keys.element_id("Ingress", ns, name)
    out[keys.graph_node_key(ident)] = node_element(
        ident,
        "ingress",
        label=name,
        kind="Ingress",
        namespace=ns,
        parent=keys.element_id("Namespace", "", ns),
        ingressClass=ingress.ingress_class,
    )
    edge = keys.ingress_in_edge_id(ns, name)
    out[keys.graph_edge_key(edge)] = edge_element(edge, keys.WORLD, ident, "ingress-in", label="HTTP")
    for index, route in enumerate(ingress_routes(ingress)):
        service = route.get("service")
        if not service:
            continue
        svc_ns, svc_name = service.split("/", 1)
        if engine.get("Service", svc_ns, svc_name) is None:
            continue
        where = "default backend" if route.get("default") else f"{route.get('host') or '*'}{route.get('path') or '/'}"
        edge = keys.route_edge_id(ns, name, index)
        out[keys.graph_edge_key(edge)] = edge_element(
            edge,
            ident,
            keys.element_id("Service", svc_ns, svc_name),
            "route",
            label=f"{where} → {route.get('port')}",
            host=route.get("host"),
            path=route.get("path"),
            pathType=route.get("pathType"),
            port=route.get("port"),
        )


def owner_elements(engine, obj: Base, summary: str | None, out: dict) -> None:
    """A Deployment, ReplicaSet, Job or DaemonSet: a node saying how far along it is."""
    ns, name, kind = obj.namespace, obj.name, obj.kind
    ident = keys.element_id(kind, ns, name)
    out[keys.graph_node_key(ident)] = node_element(
        ident,
        f"owner {kind.lower()}",
        label=name,
        kind=kind,
        namespace=ns,
        parent=keys.element_id("Namespace", "", ns),
        summary=summary,
    )
    owner_edge(engine, obj, out)


def namespace_elements(obj: Base, out: dict) -> None:
    """A Namespace: the compound parent of its Services, Ingresses and owners."""
    ident = keys.element_id("Namespace", "", obj.name)
    out[keys.graph_node_key(ident)] = node_element(ident, "namespace", label=obj.name, kind="Namespace")
