"""The simulate contract (docs/simulate-contract.md): one run of the simulator over a set of
inputs, and the machine-readable state it prints.

`run(texts, ...)` is the engine side of `manage.py simulate`; `cluster_view(cluster)` gives the
whole state (every key always present); the per-object views give one entry each, so that an
edit can re-derive only what it touched (the live protocol uses them).
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass
from operator import itemgetter

from .apiserver.apply import ApplyResult, has_node_documents, parse_entries
from .config import ClusterSettings
from .controllers.endpoints import cached_endpoints
from .dns import dns_records, resolve_query
from .engine import Engine
from .kubelet.envvars import env_for_pod
from .model import Ingress, Node, Pod, Service, Workload
from .proxy.iptables import iptables_save
from .trace import request_query

VERSION = 1


def node_view(node: Node) -> dict:
    return {
        "ip": node.ip,
        "podCIDR": node.pod_cidr,
        "labels": dict(node.labels),
        "taints": [t.to_dict() for t in node.taints],
    }


def pod_view(cluster, pod: Pod) -> dict:
    owner = pod.owner
    return {
        "ip": pod.ip,
        "node": pod.node,
        "phase": pod.phase,
        "ready": pod.ready,
        "labels": dict(pod.labels),
        "owner": {"kind": owner.kind, "name": owner.name} if owner else None,
        "hostname": pod.hostname,
        "subdomain": pod.subdomain,
        "env": env_for_pod(cluster, pod),
    }


def load_balancer_ip(svc: Service) -> str | None:
    if svc.type != "LoadBalancer":
        return None
    return svc.load_balancer_ips[0] if svc.load_balancer_ips else "<pending>"


def service_view(cluster, svc: Service) -> dict:
    return {
        "type": svc.type,
        "clusterIP": None if svc.type == "ExternalName" else svc.cluster_ip,
        "externalName": svc.external_name,
        "loadBalancerIP": load_balancer_ip(svc),
        "selector": dict(svc.selector) if svc.selector else None,
        "ports": [p.to_dict() for p in svc.ports],
        "endpoints": [e.to_dict() for e in cached_endpoints(cluster, svc)],
    }


def _backend(ingress: Ingress, backend: dict | None) -> dict | None:
    if not backend:
        return None
    service = backend.get("service")
    if service:
        port = service.get("port") or {}
        return {
            "service": f"{ingress.namespace}/{service.get('name')}",
            "port": port.get("number") if port.get("number") is not None else port.get("name"),
        }
    resource = backend.get("resource") or {}
    return {"resource": f"{resource.get('kind')}/{resource.get('name')}", "port": None}


def ingress_view(ingress: Ingress) -> dict:
    spec = ingress.spec
    rules = []
    for rule in spec.get("rules") or ():
        http = rule.get("http") or {}
        for path in http.get("paths") or ():
            backend = _backend(ingress, path.get("backend")) or {}
            rules.append(
                {
                    "host": rule.get("host") or None,
                    "path": path.get("path") or None,
                    "pathType": path.get("pathType"),
                    "service": backend.get("service"),
                    "port": backend.get("port"),
                }
            )
    return {
        "class": ingress.ingress_class,
        "rules": rules,
        "defaultBackend": _backend(ingress, spec.get("defaultBackend")),
    }


def deployment_view(cluster, dep: Workload) -> dict:
    pods = []
    for rs in cluster.owned_by(dep.uid, "ReplicaSet"):
        pods += [p for p in cluster.owned_by(rs.uid, "Pod") if p.active]  # not finished, not terminating
    pods.sort(key=lambda p: p.name)
    return {
        "replicas": dep.replicas if dep.replicas is not None else 1,
        "ready": sum(1 for p in pods if p.ready),
        "pods": [f"{p.namespace}/{p.name}" for p in pods],
    }


def job_view(cluster, job: Workload) -> dict:
    spec = job.spec
    status = job.manifest.get("status") or {}
    pods = cluster.owned_by(job.uid, "Pod")
    complete = any(c.get("type") == "Complete" and c.get("status") == "True" for c in status.get("conditions") or ())
    return {
        "completions": spec.get("completions"),
        "parallelism": spec.get("parallelism", 1),
        "active": sum(1 for p in pods if p.active),
        "succeeded": int(status.get("succeeded", 0)),
        "failed": int(status.get("failed", 0)),
        "complete": complete,
        "pods": sorted(f"{p.namespace}/{p.name}" for p in pods),
    }


def daemonset_view(cluster, ds: Workload) -> dict:
    pods = [p for p in cluster.owned_by(ds.uid, "Pod") if p.active]
    return {
        "desired": len(cluster.daemon_nodes(ds)),
        "current": len(pods),
        "pods": sorted(f"{p.namespace}/{p.name}" for p in pods),
        "ineligible": cluster.ineligible_nodes(ds),
    }


def _keyed(cluster, kind: str) -> list[tuple[str, object]]:
    """(namespace/name, object) for every object of the kind, sorted by that key (made once each)."""
    return sorted(((f"{o.namespace}/{o.name}", o) for o in cluster.list(kind)), key=itemgetter(0))


def cluster_view(cluster) -> dict:
    """The whole state, every map sorted by key."""

    return {
        "version": VERSION,
        "errors": [],
        "warnings": [],
        "nodes": {n.name: node_view(n) for n in sorted(cluster.nodes(), key=lambda n: n.name)},
        "pods": {key: pod_view(cluster, p) for key, p in _keyed(cluster, "Pod")},
        "services": {key: service_view(cluster, s) for key, s in _keyed(cluster, "Service")},
        "ingresses": {key: ingress_view(i) for key, i in _keyed(cluster, "Ingress")},
        "deployments": {key: deployment_view(cluster, d) for key, d in _keyed(cluster, "Deployment")},
        "jobs": {key: job_view(cluster, j) for key, j in _keyed(cluster, "Job")},
        "daemonsets": {key: daemonset_view(cluster, d) for key, d in _keyed(cluster, "DaemonSet")},
        "dns": dns_records(cluster),
        "iptables": iptables_save(cluster),
        "queries": [],
    }


# ---------------------------------------------------------------------- one run
@dataclass(frozen=True)
class Query:
    kind: str  # "resolve" or "request"
    source: str  # NAMESPACE/POD, or "external" for requests
    target: str  # a name to resolve, or a URL
    type: str = "A"


def run(
    texts: list[str],
    *,
    workers: int | None = None,
    settle: bool = False,
    queries: tuple[Query, ...] | list[Query] = (),
    max_bytes: int | None = None,
    max_documents: int | None = None,
    limits: dict | None = None,
) -> tuple[dict, Engine]:
    """Load every document of every text into a fresh cluster, reconcile, and describe it."""
    options = {}
    if workers is not None:
        options["workers"] = workers
    if max_bytes is not None:
        options["max_bytes"] = max_bytes
    if max_documents is not None:
        options["max_documents"] = max_documents
    options.update({k: v for k, v in (limits or {}).items() if v is not None})
    settings = ClusterSettings(**options)
    with paused_gc():
        return _run(texts, settings, settle, queries)


@contextmanager
def paused_gc():
    """Pause the cyclic garbage collector during one bulk run: the engine allocates hundreds of
    thousands of small acyclic objects, and the collector would rescan them again and again
    (about a fifth of a 10,000-pod run). It runs again when the run is over."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # What the run built is long-lived and acyclic: move it out of the collector's view
        # (reference counting still frees it) so the next collection does not rescan it all.
        gc.freeze()
        if enabled:
            gc.enable()


def _run(texts, settings: ClusterSettings, settle: bool, queries) -> tuple[dict, Engine]:
    result = ApplyResult()
    entries = parse_entries(texts, settings, result)
    cluster = Engine.new(settings, default_nodes=not has_node_documents(entries))
    cluster.apply_entries(entries, result, atomic=False)
    # A controller may have deleted pods (a scale-down, a rollout): their kubelets finish the
    # graceful deletion before the report, which shows no pod Terminating (simulate-contract.md).
    cluster.finish_terminating()
    if settle:
        cluster.settle()
        cluster.finish_terminating()
    out = cluster_view(cluster)
    out["errors"] = [d.to_dict() for d in result.errors]
    out["warnings"] = [d.to_dict(with_field=False) for d in result.warnings]
    out["queries"] = [run_query(cluster, q) for q in queries]
    return out, cluster


def run_query(cluster: Engine, query: Query) -> dict:
    if query.kind == "resolve":
        return resolve_query(cluster, query.source, query.target, query.type)
    return request_query(cluster, query.source, query.target)
