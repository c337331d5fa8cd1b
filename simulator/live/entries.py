"""The live protocol's state: a flat map of keyed entries derived from an engine.

docs/protocol.md describes the entries; `keys` spells their keys. `state_entries(engine)`
derives the whole map (`changes.changed_entries` only what one change touched).

Every entry belongs to exactly one *subject*, a stored object (`(kind, namespace, name)`) or
the outside world, and a subject's entries are a pure function of the engine
(`subject_entries`): the object as stored, its view of the simulate contract, its Service
environment, DNS records, kube-proxy rules, teaching hints, and its diagram elements (`graph`).
The `meta` entry is the cluster row's, not the engine's (`meta_entry`).
"""

from __future__ import annotations

from ..engine import diagnostics, dns
from ..engine.contract import daemonset_view, deployment_view, ingress_view, job_view, node_view, pod_view, service_view
from ..engine.controllers.endpoints import cached_endpoints
from ..engine.model import Base, Pod, Service
from ..engine.proxy import iptables as kubeproxy
from ..engine.wellknown import SERVER_ANNOTATIONS
from . import graph, keys

Key = tuple[str, str, str]


def meta_entry(cluster) -> dict:
    """The `meta` entry of a cluster row (a `models.Cluster`, read by attribute)."""
    settings = cluster.settings or {}
    return {
        "name": cluster.name,
        "slug": cluster.slug,
        "version": cluster.version,
        "lesson": cluster.lesson or None,
        "clock": cluster.clock,
        "running": cluster.running,
        "settings": {"workers": settings.get("workers"), "loadBalancerPool": settings.get("load_balancer_pool")},
    }


def public_manifest(manifest: dict) -> dict:
    """The manifest without kubeviz's internal annotations (the user's knobs stay)."""
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
    """The `object/...` entry: the object as stored."""
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


def _service_dns(engine, svc: Service) -> list[dict]:
    endpoints = cached_endpoints(engine, svc) if svc.type != "ExternalName" else ()
    return _records(dns.service_records(svc, endpoints, dns.zone_of(engine)))


def _pod_dns(engine, pod: Pod) -> list[dict]:
    return _records(dns.pod_records(pod, dns.zone_of(engine)))


def _service_rules(engine, svc: Service):
    """kube-proxy's lines for the Service; per port only its name and chains (the lines are in
    `nat`/`filter` already, in table order)."""
    rules = kubeproxy.service_rules(engine, svc)
    if isinstance(rules, dict) and rules.get("ports"):
        rules = {
            **rules,
            "ports": [{k: v for k, v in port.items() if k not in ("nat", "filter")} for port in rules["ports"]],
        }
    return rules


def proxy_node_changed(engine) -> bool:
    """Whether kube-proxy's per-node settings (a node's IP, large-cluster mode past 1,000
    endpoints) changed since the last derivation, which changes every Service's rules. Each
    call records the settings it saw."""
    memory = engine.scratch.setdefault("snapshot", {})
    now = kubeproxy.kube_proxy_rules(engine).node
    changed = "proxy-node" in memory and memory["proxy-node"] != now
    memory["proxy-node"] = now
    return changed


# ---------------------------------------------------------------------- subjects
def _node(engine, node, out: dict) -> None:
    out[keys.view_key("Node", "", node.name)] = node_view(node)
    graph.node_elements(engine, node, out)


def _pod(engine, pod: Pod, out: dict) -> None:
    ns, name = pod.namespace, pod.name
    view = pod_view(engine, pod)
    out[keys.env_key(ns, name)] = view.pop("env")
    out[keys.view_key("Pod", ns, name)] = view
    records = _pod_dns(engine, pod)
    if records:
        out[keys.dns_pod_key(ns, name)] = records
    hints = [h.to_dict() for h in diagnostics.pod_hints(engine, pod)]
    if hints:
        out[keys.hints_key("Pod", ns, name)] = hints
    graph.pod_elements(engine, pod, out)


def _service(engine, svc: Service, out: dict) -> None:
    ns, name = svc.namespace, svc.name
    view = service_view(engine, svc)
    out[keys.view_key("Service", ns, name)] = view
    records = _service_dns(engine, svc)
    if records:
        out[keys.dns_key(ns, name)] = records
    out[keys.rules_key(ns, name)] = _service_rules(engine, svc)
    hints = [h.to_dict() for h in diagnostics.service_hints(engine, svc)]
    if hints:
        out[keys.hints_key("Service", ns, name)] = hints
    graph.service_elements(engine, svc, cluster_ip=view["clusterIP"], hints=hints, out=out)


def _ingress(engine, ingress, out: dict) -> None:
    out[keys.view_key("Ingress", ingress.namespace, ingress.name)] = ingress_view(ingress)
    graph.ingress_elements(engine, ingress, out)


def _owner(engine, obj, out: dict) -> None:
    ns, name, kind = obj.namespace, obj.name, obj.kind
    summary = None
    if kind == "Deployment":
        view = deployment_view(engine, obj)
        out[keys.view_key(kind, ns, name)] = view
        summary = f"{view['ready']}/{view['replicas']} ready"
    elif kind == "Job":
        view = job_view(engine, obj)
        out[keys.view_key(kind, ns, name)] = view
        total = view["completions"] if view["completions"] is not None else 1
        summary = f"{view['succeeded']}/{total} done" + (", complete" if view["complete"] else "")
    elif kind == "DaemonSet":
        view = daemonset_view(engine, obj)
        out[keys.view_key(kind, ns, name)] = view
        summary = f"{view['current']}/{view['desired']} scheduled"
    elif kind == "ReplicaSet":
        summary = f"{obj.replicas if obj.replicas is not None else 1} replicas"
    graph.owner_elements(engine, obj, summary, out)


def _namespace(engine, obj, out: dict) -> None:
    graph.namespace_elements(obj, out)


def _plain(engine, obj, out: dict) -> None:
    """ConfigMaps, Secrets, ServiceAccounts, IngressClasses: the object entry alone (listed,
    opened in the editor, exported; not drawn)."""


_DERIVE = {
    "Node": _node,
    "Pod": _pod,
    "Service": _service,
    "Ingress": _ingress,
    "Deployment": _owner,
    "ReplicaSet": _owner,
    "Job": _owner,
    "DaemonSet": _owner,
    "Namespace": _namespace,
    "ConfigMap": _plain,
    "Secret": _plain,
    "ServiceAccount": _plain,
    "IngressClass": _plain,
}


def subject_entries(engine, obj: Base) -> dict:
    """Every entry that belongs to one stored object."""
    out = {keys.object_key(obj.kind, obj.namespace, obj.name): object_entry(obj)}
    _DERIVE[obj.kind](engine, obj, out)
    return out


def state_entries(engine) -> dict:
    """The whole map (without `meta`), keys sorted."""
    proxy_node_changed(engine)  # the baseline the next change is compared with
    out = graph.world_elements()
    for obj in engine.all_objects():
        out.update(subject_entries(engine, obj))
    return dict(sorted(out.items()))
