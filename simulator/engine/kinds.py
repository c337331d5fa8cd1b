"""The kinds kubeviz simulates, their API versions, and conversion of the old versions
that course material still uses.

Old versions accepted (and converted, with the API server's deprecation warning, as a
student pasting them would expect even though current clusters removed them):
networking.k8s.io/v1beta1 and extensions/v1beta1 Ingress, extensions/v1beta1 and
apps/v1beta2 DaemonSet. Every other unknown apiVersion/kind gets the API server's
`no matches for kind` error.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass

from .apiserver.validation import apps, batch, core, networking
from .errors import FieldError, without_duplicates

# kind -> current apiVersion
CURRENT = {
    "Namespace": "v1",
    "Node": "v1",
    "Pod": "v1",
    "Service": "v1",
    "Deployment": "apps/v1",
    "ReplicaSet": "apps/v1",
    "DaemonSet": "apps/v1",
    "Job": "batch/v1",
    "Ingress": "networking.k8s.io/v1",
}
CLUSTER_SCOPED = frozenset({"Namespace", "Node"})


# kind -> its REST resource: the lower-case plural kubectl and the API paths use
RESOURCES = {
    "Namespace": "namespaces",
    "Node": "nodes",
    "Pod": "pods",
    "Service": "services",
    "Deployment": "deployments",
    "ReplicaSet": "replicasets",
    "DaemonSet": "daemonsets",
    "Job": "jobs",
    "Ingress": "ingresses",
}


def group_of(kind: str) -> str:
    """The API group of the kind's current version ("" for the core group)."""
    api_version = CURRENT.get(kind, "v1")
    return api_version.split("/")[0] if "/" in api_version else ""


def group_resource(kind: str) -> str:
    """`deployments.apps`, `services`: the resource as the API server names it in errors."""
    group = group_of(kind)
    resource = RESOURCES[kind]
    return f"{resource}.{group}" if group else resource


def qualified_resource(kind: str) -> str:
    """`deployment.apps`, `ingress.networking.k8s.io`, `service`: the resource as kubectl prints
    it, lower-case kind plus the API group (none for the core group)."""
    group = group_of(kind)
    return f"{kind.lower()}.{group}" if group else kind.lower()


# Order in which kinds are listed in outputs and snapshots.
KIND_ORDER = ("Namespace", "Node", "Service", "Ingress", "Deployment", "ReplicaSet", "DaemonSet", "Job", "Pod")

# (apiVersion, kind) -> deprecation warning, worded as the API server's warning header
# (k8s.io/apiserver/pkg/endpoints/deprecation: "<gv> <Kind> is deprecated in v1.X+, unavailable in v1.Y+; use <gv> <Kind>").
DEPRECATED = {
    (
        "networking.k8s.io/v1beta1",
        "Ingress",
    ): "networking.k8s.io/v1beta1 Ingress is deprecated in v1.19+, unavailable in v1.22+; use networking.k8s.io/v1 Ingress",
    (
        "extensions/v1beta1",
        "Ingress",
    ): "extensions/v1beta1 Ingress is deprecated in v1.14+, unavailable in v1.22+; use networking.k8s.io/v1 Ingress",
    (
        "extensions/v1beta1",
        "DaemonSet",
    ): "extensions/v1beta1 DaemonSet is deprecated in v1.9+, unavailable in v1.16+; use apps/v1 DaemonSet",
    (
        "apps/v1beta2",
        "DaemonSet",
    ): "apps/v1beta2 DaemonSet is deprecated in v1.9+, unavailable in v1.16+; use apps/v1 DaemonSet",
}

# Kinds that exist in Kubernetes but that kubeviz does not simulate (so the message can say so).
KNOWN_ELSEWHERE = {
    "ConfigMap",
    "Secret",
    "ServiceAccount",
    "PersistentVolumeClaim",
    "PersistentVolume",
    "StatefulSet",
    "CronJob",
    "NetworkPolicy",
    "Endpoints",
    "EndpointSlice",
    "Role",
    "RoleBinding",
    "ClusterRole",
    "ClusterRoleBinding",
    "HorizontalPodAutoscaler",
    "IngressClass",
    "StorageClass",
    "LimitRange",
    "ResourceQuota",
    "PodDisruptionBudget",
    "CustomResourceDefinition",
    "ReplicationController",
}


@dataclass(frozen=True)
class KindError:
    field: str
    message: str
    hint: str = ""


def resolve(api_version: object, kind: object) -> tuple[str | None, KindError | None, str | None]:
    """(kind, error, deprecation warning) for a document's apiVersion and kind."""
    if not kind:
        return None, KindError("kind", "Object 'Kind' is missing in the document"), None
    if not isinstance(kind, str):
        return None, KindError("kind", f"Object 'Kind' must be a string, not {type(kind).__name__}"), None
    if not api_version:
        return (
            None,
            KindError(
                "apiVersion",
                "Object 'apiVersion' is missing in the document",
                f"add `apiVersion: {CURRENT.get(kind, 'v1')}`",
            ),
            None,
        )
    if not isinstance(api_version, str):
        return None, KindError("apiVersion", "Object 'apiVersion' must be a string"), None
    if CURRENT.get(kind) == api_version:
        return kind, None, None
    warning = DEPRECATED.get((api_version, kind))
    if warning:
        return kind, None, warning
    # apimachinery meta.NoKindMatchError; kubectl adds "ensure CRDs are installed first".
    message = f'no matches for kind "{kind}" in version "{api_version}"'
    if kind in CURRENT:
        hint = f"use `apiVersion: {CURRENT[kind]}` for {kind}"
    elif kind in KNOWN_ELSEWHERE:
        hint = f"{kind} is a Kubernetes kind that kubeviz does not simulate; it simulates {', '.join(sorted(CURRENT))}"
    else:
        close = [k for k in CURRENT if k.lower() == kind.lower()]
        hint = (
            f"kinds are case-sensitive: did you mean `kind: {close[0]}`?"
            if close
            else f"kubeviz simulates {', '.join(sorted(CURRENT))}"
        )
    return None, KindError("apiVersion", message, hint), None


def convert(api_version: str, kind: str, obj: dict) -> dict:
    """Convert an accepted old version to the current one (input is not modified)."""
    if (api_version, kind) not in DEPRECATED:
        return obj
    obj = copy.deepcopy(obj)
    obj["apiVersion"] = CURRENT[kind]
    if kind == "Ingress":
        return _convert_ingress(obj)
    return _convert_daemonset(api_version, obj)


def _backend_v1(backend: object) -> object:
    # networking/v1beta1 IngressBackend{serviceName, servicePort} -> v1 {service: {name, port: {number|name}}}
    if not isinstance(backend, dict):
        return backend
    out = {k: v for k, v in backend.items() if k not in ("serviceName", "servicePort")}
    if "serviceName" in backend or "servicePort" in backend:
        port = backend.get("servicePort")
        service: dict = {"name": backend.get("serviceName")}
        if isinstance(port, str) and not port.isdigit():
            service["port"] = {"name": port}
        elif port is not None:
            service["port"] = {"number": int(port) if isinstance(port, str) else port}
        out["service"] = service
    return out


def _convert_ingress(obj: dict) -> dict:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return obj
    if "backend" in spec:
        spec["defaultBackend"] = _backend_v1(spec.pop("backend"))
    # Wrong types are left as written: decoding the result reports them on their v1 fields.
    rules = spec.get("rules")
    for rule in rules if isinstance(rules, list) else ():
        if not isinstance(rule, dict) or not isinstance(rule.get("http"), dict):
            continue
        paths = rule["http"].get("paths")
        for path in paths if isinstance(paths, list) else ():
            if not isinstance(path, dict):
                continue
            # networking/v1beta1 SetDefaults_HTTPIngressPath: pathType defaults to ImplementationSpecific.
            path.setdefault("pathType", "ImplementationSpecific")
            if "backend" in path:
                path["backend"] = _backend_v1(path["backend"])
    return obj


def _convert_daemonset(api_version: str, obj: dict) -> dict:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return obj
    if api_version == "extensions/v1beta1":
        # extensions/v1beta1 SetDefaults_DaemonSet: the selector defaults to the template's labels,
        # and the update strategy defaults to OnDelete.
        template = spec.get("template") if isinstance(spec.get("template"), dict) else {}
        labels = (template.get("metadata") or {}).get("labels") if isinstance(template.get("metadata"), dict) else None
        if spec.get("selector") is None and isinstance(labels, dict) and labels:
            spec["selector"] = {"matchLabels": dict(labels)}
        if isinstance(spec.get("updateStrategy"), dict):
            spec["updateStrategy"].setdefault("type", "OnDelete")
        elif "updateStrategy" not in spec:
            spec["updateStrategy"] = {"type": "OnDelete"}
        spec.pop("templateGeneration", None)
    return obj


VALIDATORS: dict[str, Callable[[dict, dict | None], list[FieldError]]] = {
    "Namespace": core.validate_namespace,
    "Node": core.validate_node,
    "Pod": core.validate_pod,
    "Service": core.validate_service,
    "Deployment": apps.validate_deployment,
    "ReplicaSet": apps.validate_replica_set,
    "DaemonSet": apps.validate_daemon_set,
    "Job": batch.validate_job,
    "Ingress": networking.validate_ingress,
}


def validate(kind: str, obj: dict, old: dict | None = None) -> list[FieldError]:
    """The API server's validation errors for creating `obj` (or updating `old` to `obj`)."""
    try:
        validator = VALIDATORS[kind]
    except KeyError:
        raise ValueError(f"unknown kind {kind!r}; expected one of {sorted(VALIDATORS)}") from None
    return without_duplicates(validator(obj if isinstance(obj, dict) else {}, old))
