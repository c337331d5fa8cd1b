"""Conversion of the old API versions that course material still uses to the current ones.

Kubernetes converts between a group's versions through its internal type (pkg/apis/<group>/<v>/
zz_generated.conversion.go); the versions accepted here were removed from current clusters, so
each is converted straight to the current version, with the defaults the old version had. The
input is already a copy (`kinds.convert` deep-copies it and sets the current apiVersion).
"""

from __future__ import annotations


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


def ingress_from_v1beta1(obj: dict) -> dict:
    """networking.k8s.io/v1beta1 and extensions/v1beta1 Ingress to networking.k8s.io/v1."""
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


def daemonset_from_extensions_v1beta1(obj: dict) -> dict:
    """extensions/v1beta1 DaemonSet to apps/v1: its defaults differed."""
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return obj
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
