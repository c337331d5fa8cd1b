"""Reads for the dashboard's pages (no writes: those go through `services`).

- `export_yaml`: the cluster as a kubectl-ready YAML bundle (what a student would `kubectl apply -f`);
- `text_tables`: `kubectl get` style tables for the page without JavaScript;
- `page_config`: what the page hands its scripts (through `json_script`).
"""

from __future__ import annotations

import copy

import yaml

from . import lessons, selectors
from .engine import kinds
from .engine.cluster import Engine
from .live.entries import public_manifest
from .models import Cluster

# Fields the API server sets; `kubectl get -o yaml` shows them, a manifest to apply should not carry them.
_SERVER_METADATA = ("uid", "resourceVersion", "creationTimestamp", "generation", "managedFields", "selfLink")


def _cleaned(manifest: dict) -> dict:
    out = copy.deepcopy(public_manifest(manifest))
    meta = out.get("metadata") or {}
    for key in _SERVER_METADATA:
        meta.pop(key, None)
    out.pop("status", None)
    spec = out.get("spec")
    if out.get("kind") == "Service" and isinstance(spec, dict) and spec.get("clusterIP") != "None":
        # Allocated addresses belong to the cluster that allocated them; the target allocates its own.
        spec.pop("clusterIP", None)
        spec.pop("clusterIPs", None)
    return out


def _default_keys(engine: Engine) -> dict[tuple[str, str, str], dict]:
    """The objects every new cluster starts with (namespaces, nodes, kubernetes, kube-dns, CoreDNS)."""
    fresh = Engine.new(engine.settings)
    return {(o.kind, o.namespace, o.name): _cleaned(o.manifest) for o in fresh.all_objects()}


def export_objects(engine: Engine) -> list[dict]:
    """The objects a user made or changed, in creation order, without those controllers own."""
    defaults = _default_keys(engine)
    out = []
    for obj in sorted(engine.all_objects(), key=lambda o: o.seq):
        if obj.owner is not None or obj.kind == "ReplicaSet":
            continue
        cleaned = _cleaned(obj.manifest)
        if defaults.get((obj.kind, obj.namespace, obj.name)) == cleaned:
            continue
        out.append(cleaned)
    return out


def export_yaml(cluster: Cluster) -> str:
    engine = selectors.cluster_engine(cluster)
    docs = export_objects(engine)
    header = (
        f"# kubeviz cluster {cluster.name!r} at version {cluster.version}: kubectl apply -f this file\n"
        "# (objects every new cluster has, and the ones controllers create, are left out)\n"
    )
    if not docs:
        return header + "# this cluster holds nothing beyond the defaults\n"
    return header + "---\n".join(yaml.safe_dump(d, sort_keys=False, allow_unicode=True) for d in docs)


def text_tables(cluster: Cluster) -> dict:
    """Rows for `kubectl get svc -o wide` and `kubectl get pods -o wide`, for the page without JS."""
    _version, entries = selectors.cluster_entries(cluster)
    services, pods = [], []
    for key, value in entries.items():
        if key.startswith("service/"):
            _, ns, name = key.split("/", 2)
            ports = (
                ",".join(
                    f"{p['port']}" + (f":{p['nodePort']}" if p.get("nodePort") else "") + f"/{p['protocol']}"
                    for p in value["ports"]
                )
                or "<none>"
            )
            selector = ",".join(f"{k}={v}" for k, v in (value.get("selector") or {}).items()) or "<none>"
            external = value.get("loadBalancerIP") or value.get("externalName") or "<none>"
            endpoints = ",".join(f"{e['ip']}:{e['port']}" for e in value["endpoints"] if e["ready"]) or "<none>"
            services.append(
                {
                    "namespace": ns,
                    "name": name,
                    "type": value["type"],
                    "clusterIP": value.get("clusterIP") or "<none>",
                    "external": external,
                    "ports": ports,
                    "selector": selector,
                    "endpoints": endpoints,
                }
            )
        elif key.startswith("pod/"):
            _, ns, name = key.split("/", 2)
            pods.append(
                {
                    "namespace": ns,
                    "name": name,
                    "ready": "1/1" if value["ready"] else "0/1",
                    "phase": value["phase"],
                    "ip": value.get("ip") or "<none>",
                    "node": value.get("node") or "<none>",
                }
            )
    return {"services": services, "pods": pods}


def lesson_of(cluster: Cluster) -> dict | None:
    if not cluster.lesson:
        return None
    try:
        lesson = lessons.get(cluster.lesson)
    except lessons.UnknownLesson:
        return None
    return {"name": lesson.name, "title": lesson.title, "description": lesson.description, "source": lesson.source}


def page_config(cluster: Cluster, *, can_edit: bool) -> dict:
    return {
        "slug": cluster.slug,
        "name": cluster.name,
        "wsPath": f"/ws/clusters/{cluster.slug}/",
        "exportUrl": f"/clusters/{cluster.slug}/export.yaml",
        "canEdit": can_edit,
        "lesson": lesson_of(cluster),
        "kinds": sorted(kinds.KIND_ORDER),
    }
