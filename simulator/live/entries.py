"""The live protocol's state: a flat map of keyed entries derived from a cluster.

docs/protocol.md describes the keys. `state_entries(cluster)` derives the whole map;
`changed_entries(cluster, changes)` derives only what one change touched and returns
`(set, unset)` so that, for every sequence of edits,

    stale snapshot + set/unset of each change == fresh snapshot        (tested)

Every entry belongs to exactly one *subject*, a stored object (`(kind, namespace, name)`)
or the outside world. A subject's entries are a pure function of the cluster, so a change
re-derives the subjects it touched and unsets the keys they may have produced before and
no longer produce. What a change touches, beyond the changed objects themselves:

* a Service whose Endpoints may have changed (the engine flags ``("Endpoints", ns, svc)``);
* a changed pod's owner chain (Job, DaemonSet, ReplicaSet and its Deployment), whose views
  count pods; the owner of a deleted pod comes from the change log's `before`;
* Services that select no pod (their teaching hint lists near misses in the pod's
  namespace, or pods of other namespaces that match), when a pod changes;
* the pods whose Service environment variables a Service update changed (only when the
  variables really differ: a selector edit touches no pod);
* Ingresses of a namespace whose Services came or went (a route edge needs its target);
* on a Node change: every Service (kube-proxy rules, the apiserver's endpoints), every
  DaemonSet, and the pods bound to that node or waiting for one;
* on a NodePort/LoadBalancer Service change: every Node (its list of NodePorts).

The diagram (`graph/node/<id>`, `graph/edge/<id>`) is shaped for Cytoscape.js: each value is
an element `{"group", "data", "classes"}`; pods sit inside their Node (compound parent),
Services, Ingresses and owners inside their Namespace; the outside world reaches Ingresses
and NodePort/LoadBalancer Services; Ingress routes reach Services; one edge per endpoint
(Service port -> pod) labelled `port → targetPort` with its readiness; owners link to
what they own (class `owns`, so the client can hide them).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ..engine import diagnostics, dns, envvars, kubeproxy
from ..engine.contract import (
    daemonset_view,
    deployment_view,
    ingress_view,
    job_view,
    load_balancer_ip,
    node_view,
    pod_view,
    service_view,
)
from ..engine.endpoints import cached_endpoints
from ..engine.model import Base, Pod, Service
from ..engine.strategy import SERVER_ANNOTATIONS

Key = tuple[str, str, str]

VIEW_PREFIX = {
    "Node": "node",
    "Pod": "pod",
    "Service": "service",
    "Ingress": "ingress",
    "Deployment": "deployment",
    "Job": "job",
    "DaemonSet": "daemonset",
}
OWNER_KINDS = ("Deployment", "ReplicaSet", "Job", "DaemonSet")
WORLD = "world"
WORLD_SUBJECT: Key = ("World", "", "")


# ---------------------------------------------------------------------- names
def _ns(namespace: str) -> str:
    return namespace or "-"


def element_id(kind: str, namespace: str, name: str) -> str:
    """The diagram id of an object: `Pod/default/web-x2k9q`, `Node/-/worker-1`."""
    return f"{kind}/{_ns(namespace)}/{name}"


def object_key(kind: str, namespace: str, name: str) -> str:
    return f"object/{kind}/{_ns(namespace)}/{name}"


def _view_key(kind: str, namespace: str, name: str) -> str | None:
    prefix = VIEW_PREFIX.get(kind)
    if prefix is None:
        return None
    return f"{prefix}/{name}" if kind == "Node" else f"{prefix}/{namespace}/{name}"


def _port_token(port_name: str, port: int, protocol: str) -> str:
    return f"{port_name or port}-{protocol}"


def _endpoint_edge_key(svc_ns: str, svc_name: str, target: str, token: str) -> str:
    return f"graph/edge/endpoint/{svc_ns}/{svc_name}/{target}/{token}"


def _fixed_keys(kind: str, namespace: str, name: str) -> list[str]:
    """Every key a subject may produce whose name follows from the subject's key alone."""
    node = element_id(kind, namespace, name)
    keys = [object_key(kind, namespace, name), f"graph/node/{node}", f"graph/edge/owner/{node}"]
    view = _view_key(kind, namespace, name)
    if view:
        keys.append(view)
    if kind == "Pod":
        keys += [f"env/{namespace}/{name}", f"dns-pod/{namespace}/{name}", f"hints/Pod/{namespace}/{name}"]
    elif kind == "Service":
        keys += [
            f"dns/{namespace}/{name}",
            f"rules/{namespace}/{name}",
            f"hints/Service/{namespace}/{name}",
            f"graph/edge/expose/{namespace}/{name}",
            f"graph/node/External/{namespace}/{name}",
            f"graph/edge/external/{namespace}/{name}",
        ]
    elif kind == "Ingress":
        keys.append(f"graph/edge/ingress-in/{namespace}/{name}")
    return keys


# ---------------------------------------------------------------------- elements
def _node_el(ident: str, classes: str, **data) -> dict:
    return {
        "group": "nodes",
        "data": {"id": ident, **{k: v for k, v in data.items() if v is not None}},
        "classes": classes,
    }


def _edge_el(ident: str, source: str, target: str, classes: str, **data) -> dict:
    return {
        "group": "edges",
        "data": {"id": ident, "source": source, "target": target, **{k: v for k, v in data.items() if v is not None}},
        "classes": classes,
    }


def _world_entries() -> dict:
    return {f"graph/node/{WORLD}": _node_el(WORLD, "world", label="outside world", kind="World")}


def public_manifest(manifest: dict) -> dict:
    meta = manifest.get("metadata") or {}
    annotations = meta.get("annotations") or {}
    if not any(k in SERVER_ANNOTATIONS for k in annotations):
        return manifest
    kept = {k: v for k, v in annotations.items() if k not in SERVER_ANNOTATIONS}
    meta = dict(meta)
    if kept:
        meta["annotations"] = kept
    else:
        meta.pop("annotations", None)
    return {**manifest, "metadata": meta}


def object_entry(obj: Base) -> dict:
    owner = obj.owner
    return {
        "kind": obj.kind,
        "namespace": obj.namespace,
        "name": obj.name,
        "uid": obj.uid,
        "resourceVersion": obj.resource_version,
        "labels": dict(obj.labels),
        "owner": {"kind": owner.kind, "name": owner.name, "uid": owner.uid} if owner else None,
        "manifest": public_manifest(obj.manifest),
    }


def _owner_edge(cluster, obj: Base, out: dict) -> None:
    owner = obj.owner
    if owner is None or owner.kind not in OWNER_KINDS:
        return
    parent = cluster.get(owner.kind, obj.namespace, owner.name)
    if parent is None or parent.uid != owner.uid:
        return
    target = element_id(obj.kind, obj.namespace, obj.name)
    out[f"graph/edge/owner/{target}"] = _edge_el(
        f"owner/{target}", element_id(owner.kind, obj.namespace, owner.name), target, "owns"
    )


# ---------------------------------------------------------------------- DNS and rules
def _records(contribution) -> list[dict]:
    """The records of one dns contribution (the dns module's per-object result), sorted."""
    records = []
    if hasattr(contribution, "records"):
        records.extend(contribution.records)
        if getattr(contribution, "cluster_ptr", None) is not None:
            records.append(contribution.cluster_ptr)
    elif hasattr(contribution, "entries"):
        records.extend(r for _kind, r in contribution.entries)
    else:
        records.extend(contribution or ())
    unique = {(r.name, r.type, r.value) for r in records}
    return [{"name": n, "type": t, "value": v} for n, t, v in sorted(unique)]


def _service_dns(cluster, svc: Service) -> list[dict]:
    endpoints = cached_endpoints(cluster, svc) if svc.type != "ExternalName" else ()
    return _records(dns.service_records(svc, endpoints, dns.zone_of(cluster)))


def _pod_dns(cluster, pod: Pod) -> list[dict]:
    return _records(dns.pod_records(pod, dns.zone_of(cluster)))


def _service_rules(cluster, svc: Service):
    """kube-proxy's lines for the Service; per port only its name and chains (the lines are in
    `nat`/`filter` already, in table order)."""
    rules = kubeproxy.service_rules(cluster, svc)
    if isinstance(rules, dict) and rules.get("ports"):
        rules = {
            **rules,
            "ports": [{k: v for k, v in port.items() if k not in ("nat", "filter")} for port in rules["ports"]],
        }
    return rules


def _proxy_node(cluster):
    """kube-proxy's per-node settings: when they change (a node's IP, large-cluster mode past
    1,000 endpoints), every Service's rules change."""
    return kubeproxy.kube_proxy_rules(cluster).node


# ---------------------------------------------------------------------- subjects
def _derive_node(cluster, node, out: dict) -> None:
    out[f"node/{node.name}"] = node_view(node)
    node_ports = sorted(
        {
            f"{p.node_port}/{p.protocol}"
            for svc in cluster.list("Service")
            if svc.type in ("NodePort", "LoadBalancer")
            for p in svc.ports
            if p.node_port
        },
        key=lambda s: (int(s.split("/")[0]), s),
    )
    control = "node-role.kubernetes.io/control-plane" in node.labels
    ident = element_id("Node", "", node.name)
    out[f"graph/node/{ident}"] = _node_el(
        ident,
        "node control-plane" if control else "node",
        label=node.name,
        kind="Node",
        ip=node.ip,
        podCIDR=node.pod_cidr,
        nodePorts=node_ports,
        role="control-plane" if control else "worker",
    )


def _derive_pod(cluster, pod: Pod, out: dict) -> None:
    ns, name = pod.namespace, pod.name
    view = pod_view(cluster, pod)
    out[f"env/{ns}/{name}"] = view.pop("env")
    out[f"pod/{ns}/{name}"] = view
    records = _pod_dns(cluster, pod)
    if records:
        out[f"dns-pod/{ns}/{name}"] = records
    hints = [h.to_dict() for h in diagnostics.pod_hints(cluster, pod)]
    if hints:
        out[f"hints/Pod/{ns}/{name}"] = hints
    ident = element_id("Pod", ns, name)
    parent = element_id("Node", "", pod.node) if pod.node and cluster.get("Node", "", pod.node) else None
    state = "ready" if pod.ready else "not-ready"
    out[f"graph/node/{ident}"] = _node_el(
        ident,
        f"pod {state} phase-{pod.phase.lower()}",
        label=name,
        kind="Pod",
        namespace=ns,
        parent=parent,
        ip=pod.ip,
        phase=pod.phase,
        ready=pod.ready,
    )
    _owner_edge(cluster, pod, out)


def _no_endpoint_reason(svc: Service, hints: list[dict]) -> dict:
    for hint in hints:
        return {"id": hint["id"], "message": hint["message"], "hint": hint["hint"]}
    return {
        "id": "service-no-endpoints",
        "message": f"Service {svc.name!r} has no endpoints",
        "hint": "the pods it selects have no IP yet (Pending) or declare no matching port",
    }


def _derive_service(cluster, svc: Service, out: dict) -> None:
    ns, name = svc.namespace, svc.name
    view = service_view(cluster, svc)
    out[f"service/{ns}/{name}"] = view
    records = _service_dns(cluster, svc)
    if records:
        out[f"dns/{ns}/{name}"] = records
    out[f"rules/{ns}/{name}"] = _service_rules(cluster, svc)
    hints = [h.to_dict() for h in diagnostics.service_hints(cluster, svc)]
    if hints:
        out[f"hints/Service/{ns}/{name}"] = hints
    ident = element_id("Service", ns, name)
    ports = [f"{p.port}/{p.protocol}" + (f":{p.node_port}" if p.node_port else "") for p in svc.ports]
    warning = None
    endpoints = cached_endpoints(cluster, svc)
    if svc.type != "ExternalName" and not endpoints:
        warning = _no_endpoint_reason(svc, hints)
    classes = f"service type-{svc.type.lower()}" + (" warning" if warning else "")
    lb = load_balancer_ip(svc)
    out[f"graph/node/{ident}"] = _node_el(
        ident,
        classes,
        label=name,
        kind="Service",
        namespace=ns,
        parent=element_id("Namespace", "", ns),
        type=svc.type,
        clusterIP=view["clusterIP"],
        loadBalancerIP=lb,
        externalName=svc.external_name,
        ports=ports,
        warning=warning,
    )
    if svc.type in ("NodePort", "LoadBalancer"):
        label = ", ".join(f"NodePort {p.node_port}" for p in svc.ports if p.node_port)
        if svc.type == "LoadBalancer":
            label = f"LoadBalancer {lb}" + (f" · {label}" if label else "")
        out[f"graph/edge/expose/{ns}/{name}"] = _edge_el(
            f"expose/{ns}/{name}", WORLD, ident, f"expose type-{svc.type.lower()}", label=label, loadBalancerIP=lb
        )
    if svc.type == "ExternalName":
        ext = element_id("External", ns, name)
        out[f"graph/node/{ext}"] = _node_el(
            ext, "external", label=svc.external_name or "", kind="External", externalName=svc.external_name
        )
        out[f"graph/edge/external/{ns}/{name}"] = _edge_el(
            f"external/{ns}/{name}", ident, ext, "external", label="CNAME"
        )
    by_port = {(p.name, p.protocol): p for p in svc.ports}
    for ep in endpoints:
        sp = by_port.get((ep.port_name, ep.protocol))
        if sp is None:
            continue
        token = _port_token(sp.name, sp.port, sp.protocol)
        if ep.pod is not None:
            target_name = ep.pod.split("/", 1)[1]
            target_ident = element_id("Pod", ns, target_name)
        else:
            target_name = f"Node:{ep.node}"
            target_ident = element_id("Node", "", ep.node)
        key = _endpoint_edge_key(ns, name, target_name, token)
        out[key] = _edge_el(
            key[len("graph/edge/") :],
            ident,
            target_ident,
            "endpoint " + ("ready" if ep.ready else "not-ready"),
            label=f"{sp.port} → {ep.port}",
            port=sp.port,
            targetPort=ep.port,
            protocol=ep.protocol,
            ready=ep.ready,
        )


def _ingress_routes(ingress) -> list[dict]:
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


def _derive_ingress(cluster, ingress, out: dict) -> None:
    ns, name = ingress.namespace, ingress.name
    out[f"ingress/{ns}/{name}"] = ingress_view(ingress)
    ident = element_id("Ingress", ns, name)
    out[f"graph/node/{ident}"] = _node_el(
        ident,
        "ingress",
        label=name,
        kind="Ingress",
        namespace=ns,
        parent=element_id("Namespace", "", ns),
        ingressClass=ingress.ingress_class,
    )
    out[f"graph/edge/ingress-in/{ns}/{name}"] = _edge_el(
        f"ingress-in/{ns}/{name}", WORLD, ident, "ingress-in", label="HTTP"
    )
    for index, route in enumerate(_ingress_routes(ingress)):
        service = route.get("service")
        if not service:
            continue
        svc_ns, svc_name = service.split("/", 1)
        if cluster.get("Service", svc_ns, svc_name) is None:
            continue
        where = "default backend" if route.get("default") else f"{route.get('host') or '*'}{route.get('path') or '/'}"
        key = f"graph/edge/route/{ns}/{name}/{index}"
        out[key] = _edge_el(
            key[len("graph/edge/") :],
            ident,
            element_id("Service", svc_ns, svc_name),
            "route",
            label=f"{where} → {route.get('port')}",
            host=route.get("host"),
            path=route.get("path"),
            pathType=route.get("pathType"),
            port=route.get("port"),
        )


def _derive_owner(cluster, obj, out: dict) -> None:
    ns, name, kind = obj.namespace, obj.name, obj.kind
    summary = None
    if kind == "Deployment":
        view = deployment_view(cluster, obj)
        out[f"deployment/{ns}/{name}"] = view
        summary = f"{view['ready']}/{view['replicas']} ready"
    elif kind == "Job":
        view = job_view(cluster, obj)
        out[f"job/{ns}/{name}"] = view
        total = view["completions"] if view["completions"] is not None else 1
        summary = f"{view['succeeded']}/{total} done" + (", complete" if view["complete"] else "")
    elif kind == "DaemonSet":
        view = daemonset_view(cluster, obj)
        out[f"daemonset/{ns}/{name}"] = view
        summary = f"{view['current']}/{view['desired']} scheduled"
    elif kind == "ReplicaSet":
        summary = f"{obj.replicas if obj.replicas is not None else 1} replicas"
    ident = element_id(kind, ns, name)
    out[f"graph/node/{ident}"] = _node_el(
        ident,
        f"owner {kind.lower()}",
        label=name,
        kind=kind,
        namespace=ns,
        parent=element_id("Namespace", "", ns),
        summary=summary,
    )
    _owner_edge(cluster, obj, out)


def _derive_namespace(cluster, obj, out: dict) -> None:
    ident = element_id("Namespace", "", obj.name)
    out[f"graph/node/{ident}"] = _node_el(ident, "namespace", label=obj.name, kind="Namespace")


_DERIVE = {
    "Node": _derive_node,
    "Pod": _derive_pod,
    "Service": _derive_service,
    "Ingress": _derive_ingress,
    "Deployment": _derive_owner,
    "ReplicaSet": _derive_owner,
    "Job": _derive_owner,
    "DaemonSet": _derive_owner,
    "Namespace": _derive_namespace,
}


def subject_entries(cluster, obj: Base) -> dict:
    """Every entry that belongs to one stored object."""
    out = {object_key(obj.kind, obj.namespace, obj.name): object_entry(obj)}
    _DERIVE[obj.kind](cluster, obj, out)
    return out


# ---------------------------------------------------------------------- whole state
def state_entries(cluster) -> dict:
    """The whole map, keys sorted."""
    cluster.scratch.setdefault("snapshot", {})["proxy-node"] = _proxy_node(cluster)
    out = _world_entries()
    for obj in cluster.all_objects():
        out.update(subject_entries(cluster, obj))
    return dict(sorted(out.items()))


# ---------------------------------------------------------------------- one change
class _Before:
    """The cluster as it was before the change, for the objects the change log remembers."""

    def __init__(self, cluster, changed: set[Key], before: Mapping[Key, Base | None] | None):
        self.cluster = cluster
        self.changed = changed
        self.before = before
        self.exact = before is not None

    def get(self, key: Key) -> Base | None:
        if key in self.changed:
            return self.before.get(key) if self.before is not None else None
        kind, ns, name = key
        return self.cluster.get(kind, ns, name)


def _owner_chain(cluster, obj: Base | None, subjects: set[Key]) -> None:
    depth = 0
    while obj is not None and obj.owner is not None and depth < 4:
        key = (obj.owner.kind, obj.namespace, obj.owner.name)
        subjects.add(key)
        obj = cluster.get(*key)
        depth += 1


def _selects_no_live_pod(cluster, svc: Service) -> bool:
    if not svc.selector or svc.type == "ExternalName":
        return False
    return not any(not p.terminal for p in cluster.pods_with_labels(svc.namespace, svc.selector))


def _matches(selector: Mapping[str, str] | None, labels: Mapping[str, str]) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def changed_entries(cluster, changes, before: Mapping[Key, Base | None] | None = None) -> tuple[dict, list]:
    """What one change touched: `(set, unset)`. `changes` is `cluster.pop_change_log()` (or its
    keys, with `before` its `before`); without `before`, deleted objects' relations are
    over-approximated (every workload of their namespace is re-derived)."""
    if hasattr(changes, "keys") and hasattr(changes, "before") and not isinstance(changes, dict):
        before = changes.before if before is None else before
        changes = list(changes.keys)
    keys = [tuple(k) for k in changes]
    changed_objects: set[Key] = {k for k in keys if k[0] != "Endpoints"}
    past = _Before(cluster, changed_objects, before)
    subjects: set[Key] = set(changed_objects)
    services: set[tuple[str, str]] = {(ns, name) for kind, ns, name in keys if kind in ("Endpoints", "Service")}
    all_services = False
    all_nodes = False
    pods_on_nodes: set[str] = set()
    wide_namespaces: set[str] = set()
    created_owner_uids: list[str] = []
    changed_pods_by_ns: dict[str, list[str]] = {}

    for key in changed_objects:
        kind, ns, name = key
        now = cluster.get(kind, ns, name)
        old = past.get(key)
        if kind == "Pod":
            changed_pods_by_ns.setdefault(ns, []).append(name)
            _owner_chain(cluster, now, subjects)
            _owner_chain(cluster, old, subjects)
            if not past.exact:
                wide_namespaces.add(ns)
        elif kind == "ReplicaSet":
            _owner_chain(cluster, now, subjects)
            _owner_chain(cluster, old, subjects)
            if not past.exact:
                wide_namespaces.add(ns)
        elif kind == "Node":
            all_services = True
            pods_on_nodes.add(name)
            subjects.update(("DaemonSet", d.namespace, d.name) for d in cluster.list("DaemonSet"))
        elif kind == "Service":
            for ing in cluster.list("Ingress"):
                if ing.namespace == ns:
                    subjects.add(("Ingress", ing.namespace, ing.name))
            exposes = {"NodePort", "LoadBalancer"}
            if (now is not None and now.type in exposes) or (old is not None and old.type in exposes) or not past.exact:
                all_nodes = True
            _touch_env(cluster, now, old, past, subjects)
        if kind in OWNER_KINDS and now is not None and old is None:
            created_owner_uids.append(now.uid)

    for uid in created_owner_uids:
        subjects.update((o.kind, o.namespace, o.name) for o in cluster.owned_by(uid))
    for ns in wide_namespaces:
        for kind in OWNER_KINDS:
            subjects.update((kind, o.namespace, o.name) for o in cluster.list(kind) if o.namespace == ns)

    # Services whose hints depend on pods: those that select no pod (near misses, other namespaces).
    if changed_pods_by_ns:
        labels_seen: list[Mapping[str, str]] = []
        for ns, names in changed_pods_by_ns.items():
            for name in names:
                for obj in (cluster.get("Pod", ns, name), past.get(("Pod", ns, name))):
                    if obj is not None:
                        labels_seen.append((obj.namespace, obj.labels))
        for svc in cluster.list("Service"):
            if (svc.namespace, svc.name) in services:
                continue
            touched = svc.namespace in changed_pods_by_ns or any(
                _matches(svc.selector, labels) for _ns2, labels in labels_seen
            )
            if touched and _selects_no_live_pod(cluster, svc):
                services.add((svc.namespace, svc.name))

    memory = cluster.scratch.setdefault("snapshot", {})
    proxy_node = _proxy_node(cluster)
    if "proxy-node" in memory and memory["proxy-node"] != proxy_node:
        all_services = True  # changed since the last derivation: every Service's rules
    memory["proxy-node"] = proxy_node
    if all_services:
        services.update((s.namespace, s.name) for s in cluster.list("Service"))
    if all_nodes:
        subjects.update(("Node", "", n.name) for n in cluster.nodes())
    if pods_on_nodes:
        for pod in cluster.list("Pod"):
            if pod.node in pods_on_nodes or (pod.namespace, pod.name) in cluster.schedule_failures:
                subjects.add(("Pod", pod.namespace, pod.name))
    subjects.update(("Service", ns, name) for ns, name in services)

    new: dict = {}
    candidates: set[str] = set()
    for key in subjects:
        kind, ns, name = key
        candidates.update(_fixed_keys(kind, ns, name))
        obj = cluster.get(kind, ns, name)
        if obj is not None:
            new.update(subject_entries(cluster, obj))
        if kind == "Service":
            candidates.update(_old_endpoint_edges(cluster, key, past, changed_pods_by_ns.get(ns, ())))
        elif kind == "Ingress":
            for version in (obj, past.get(key)):
                if version is not None:
                    candidates.update(f"graph/edge/route/{ns}/{name}/{i}" for i in range(len(_ingress_routes(version))))
    unset = sorted(candidates.difference(new))
    return dict(sorted(new.items())), unset


def _touch_env(cluster, now: Service | None, old: Service | None, past: _Before, subjects: set[Key]) -> None:
    """Pods created after a Service carry its variables: re-derive them when the variables changed."""
    if old is None and past.exact:
        return  # a new Service: no existing pod is newer than it
    new_env = envvars.service_env(now) if now is not None else []
    old_env = envvars.service_env(old) if old is not None else None
    if past.exact and new_env == old_env:
        return
    svc = now or old
    seq = svc.seq if svc is not None else 0
    everywhere = svc is None or (svc.namespace == "default" and svc.name == "kubernetes")
    namespace = svc.namespace if svc is not None else None
    for pod in cluster.list("Pod"):
        if pod.seq > seq and (everywhere or pod.namespace == namespace):
            subjects.add(("Pod", pod.namespace, pod.name))


def _old_endpoint_edges(cluster, key: Key, past: _Before, changed_pods: Iterable[str]) -> set[str]:
    """Endpoint edge keys the Service may have had before the change (a superset)."""
    _kind, ns, name = key
    out: set[str] = set()
    versions = [v for v in (cluster.get("Service", ns, name), past.get(key)) if v is not None]
    tokens: set[str] = set()
    for svc in versions:
        tokens.update(_port_token(p.name, p.port, p.protocol) for p in svc.ports)
    if not tokens:
        return out
    targets: set[str] = set(changed_pods)
    if ns == "default" and name == "kubernetes":
        targets.update(f"Node:{n.name}" for n in cluster.nodes())
        targets.update(f"Node:{k[2]}" for k in past.changed if k[0] == "Node")
    for svc in versions:
        if svc.selector:
            targets.update(p.name for p in cluster.pods_with_labels(ns, svc.selector))
    if not past.exact:
        targets.update(cluster.pods_in(ns))
    for target in targets:
        for token in tokens:
            out.add(_endpoint_edge_key(ns, name, target, token))
    return out
