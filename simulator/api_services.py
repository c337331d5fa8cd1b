"""The Kubernetes API's writes (issue 16): create, update, patch and delete of an object, through
the one write path every other change takes (`services.cluster_apply`,
`services.cluster_delete_object`: the row lock, the engine, the changed rows, the version, and
the push to every browser watching).

The API's delivery computes the object a request asks for (a patch applied to the live object,
`kubeapi.patch`); this module hands it to the engine as the manifest to store, keeping the
engine's own bookkeeping annotations that the API does not show, and answers with the object as
the API then serves it. Validation, defaults and controllers are the engine's; its diagnostics
become the API server's Status (`kubeapi.status.from_field_messages`).
"""

from __future__ import annotations

import json

from . import api_selectors, services
from .kubeapi import served, status
from .models import Cluster


def _errors(resource, name: str, outcome: services.ApplyOutcome) -> status.ApiError:
    pairs = [(e.get("field"), e.get("message", "")) for e in outcome.errors]
    return status.from_field_messages(resource, name, pairs or [(None, "the object was refused")])


def _kept_annotations(cluster: Cluster, kind: str, namespace: str, name: str, obj: dict) -> dict:
    """`obj` with the engine's bookkeeping annotations of the stored object put back (a PUT or a
    JSON patch of the served object would otherwise drop them)."""
    raw = api_selectors.raw_object(cluster, kind, namespace, name)
    hidden = {
        k: v
        for k, v in ((raw or {}).get("metadata") or {}).get("annotations", {}).items()
        if k in served.HIDDEN_ANNOTATIONS
    }
    if not hidden:
        return obj
    meta = dict(obj.get("metadata") or {})
    meta["annotations"] = {**(meta.get("annotations") or {}), **hidden}
    return {**obj, "metadata": meta}


def _manifest(resource, obj: dict) -> dict:
    """What the engine stores from a request's object: no status (the engine's controllers
    and kubelet own it), no resourceVersion (the store's)."""
    meta = {k: v for k, v in (obj.get("metadata") or {}).items() if k not in ("resourceVersion", "selfLink")}
    out = {k: v for k, v in obj.items() if k != "status"}
    out["metadata"] = meta
    out["apiVersion"] = resource.api_version
    out["kind"] = resource.kind
    return out


def object_write(
    caller: api_selectors.Caller,
    resource,
    obj: dict,
    *,
    creating: bool,
    base_resource_version: str | None = None,
    dry_run: bool = False,
) -> dict:
    """Store `obj` (a whole object of `resource`) and return it as the API serves it.
    `creating`: refuse with AlreadyExists when it exists; else it must exist. A
    `base_resource_version` that is no longer the object's is a Conflict."""
    meta = obj.get("metadata") or {}
    name, namespace = meta.get("name", ""), meta.get("namespace", "") if resource.namespaced else ""
    kind = resource.kind
    cluster = caller.cluster
    manifest = _manifest(resource, obj)
    exists = api_selectors.raw_object(cluster, kind, namespace, name) is not None
    if creating and exists:
        raise status.already_exists(resource, name)
    if not creating and not exists:
        raise status.not_found(resource, name)
    if not creating:
        manifest = _kept_annotations(cluster, kind, namespace, name, manifest)
    key = f"{kind}/{namespace}/{name}" if resource.namespaced else f"{kind}/{name}"
    bases = {key: base_resource_version} if base_resource_version else None
    outcome = services.cluster_apply(
        cluster=cluster, text=json.dumps(manifest), dry_run=dry_run, base_versions=bases, user=caller.actor
    )
    if outcome.conflict is not None:
        raise status.conflict(resource, name)
    if not outcome.ok:
        raise _errors(resource, name, outcome)
    if dry_run:
        return {**obj, "apiVersion": resource.api_version, "kind": kind}
    snap = api_selectors.snapshot(cluster, kind, only=(namespace, name))
    found = api_selectors.find(snap, namespace if resource.namespaced else None, name)
    if found is None:  # stored and collected at once (a pod of a deleted node...)
        raise status.not_found(resource, name)
    return snap.wall(kind, found)


def object_delete(
    caller: api_selectors.Caller, resource, namespace: str | None, name: str, *, dry_run: bool, grace: int | None = None
) -> dict:
    """Delete an object (and, by garbage collection, what it owns); returns it as it was, or, for
    a pod being deleted gracefully, as it is now (Terminating, with its deletionTimestamp).
    `grace`: DeleteOptions.gracePeriodSeconds."""
    kind = resource.kind
    snap = api_selectors.snapshot(caller.cluster, kind, only=(namespace, name))
    live = api_selectors.find(snap, namespace if resource.namespaced else None, name)
    if live is None:
        raise status.not_found(resource, name)
    if dry_run:
        return live
    if kind not in served.ENGINE_KINDS:
        raise status.method_not_supported(resource, "delete")
    outcome = services.cluster_delete_object(
        cluster=caller.cluster, kind=kind, namespace=namespace or "", name=name, grace=grace, user=caller.actor
    )
    if not outcome.ok:
        raise _errors(resource, name, outcome)
    if kind == "Pod":
        snap = api_selectors.snapshot(caller.cluster, kind, only=(namespace, name))
        terminating = api_selectors.find(snap, namespace, name)
        if terminating is not None:
            return snap.wall(kind, terminating)
        return snap.wall(kind, live)
    return live
