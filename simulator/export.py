"""The cluster as a kubectl-ready YAML bundle: what a student would `kubectl apply -f` to get
the same cluster back (without what every new cluster has or what controllers create).
Pure: an engine in, text out (`selectors.cluster_export_yaml` reads the engine)."""

from __future__ import annotations

import copy

import yaml

from .engine import Engine
from .live.entries import public_manifest

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


def export_yaml(name: str, version: int, engine: Engine) -> str:
    """The bundle of the cluster `name` at `version`, with a header saying what it leaves out."""
    docs = export_objects(engine)
    header = (
        f"# kubeviz cluster {name!r} at version {version}: kubectl apply -f this file\n"
        "# (objects every new cluster has, and the ones controllers create, are left out)\n"
    )
    if not docs:
        return header + "# this cluster holds nothing beyond the defaults\n"
    return header + "---\n".join(yaml.safe_dump(d, sort_keys=False, allow_unicode=True) for d in docs)
