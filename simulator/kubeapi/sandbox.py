"""A pod seen from inside, built from the engine: what `kubectl exec` commands read.

`sandbox_for(engine, pod)` gathers, through `engine_port`, the pod's resolver (the cluster DNS
with its resolv.conf search list), its Service environment, and the request trace, and turns
them into the `shell.Sandbox` the simulated commands use. The environment is kubelet's
(pkg/kubelet/kubelet_pods.go makeEnvironmentVariables): the variables of each `envFrom`
ConfigMap or Secret (with its `prefix`), then the container's `env:` in spec order (`value`
with `$(VAR)` references expanded against the variables before them and the Service ones;
`valueFrom` a field of the pod, a ConfigMap key or a Secret key), then the Service variables
that no other source set. (A reference to a missing ConfigMap, Secret or key is left out here;
kubelet would not start the container unless it is `optional`.)
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable

from . import engine_port
from .shell import HttpOutcome, Lookup, Sandbox

# Trace failure ids (engine trace.py: stable ids) -> what the connection looks like to a client.
REFUSED = {"target-port-closed", "nothing-listens", "service-no-endpoints", "service-no-ready-endpoints"}
TIMEOUT = {"service-no-local-endpoint", "no-route", "service-port-not-exposed", "ingress-not-tls"}
_ANSWERS = re.compile(r"ingress controller answers (\d{3})")


def outcome_of(trace, host: str) -> HttpOutcome:
    """A request trace as the client sees it (see shell.HttpOutcome)."""
    address = next((h.value for h in trace.hops if getattr(h, "step", "") == "dns"), None)
    if address is None and re.fullmatch(r"[0-9.]+", host):
        address = host
    if trace.ok:
        endpoint = next((h for h in reversed(trace.hops) if getattr(h, "step", "") == "endpoint"), None)
        if endpoint is None or not endpoint.pod:
            # An ExternalName target, outside a cluster that has no internet.
            return HttpOutcome(failure="resolve", address=address)
        return HttpOutcome(status=200, body=endpoint.pod.split("/", 1)[1] + "\n", address=address)
    error_id, error = trace.error_id or "", trace.error or ""
    answered = _ANSWERS.search(error)
    if answered:
        return HttpOutcome(status=int(answered.group(1)), address=address)
    if error_id == "ingress-no-rule":
        return HttpOutcome(status=404, address=address)
    if error_id == "ingress-backend-missing":
        return HttpOutcome(status=503, address=address)
    if error_id in ("unknown-host", "bad-url"):
        return HttpOutcome(failure="resolve")
    if error_id in REFUSED or error_id == "ingress-wrong-port":
        return HttpOutcome(failure="refused", address=address)
    return HttpOutcome(failure="timeout", address=address)


_REFERENCE = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_.\-]*)\)|\$\$")


def expand(value: str, known: dict[str, str]) -> str:
    """kubelet's $(VAR) expansion (third_party/forked/golang/expansion): known names are
    replaced, unknown ones left as written, `$$` is a literal `$`."""

    def replace(match: re.Match) -> str:
        if match.group(0) == "$$":
            return "$"
        return known.get(match.group(1), match.group(0))

    return _REFERENCE.sub(replace, value)


def _field_ref(manifest: dict, path: str) -> str:
    meta, spec, status = manifest.get("metadata") or {}, manifest.get("spec") or {}, manifest.get("status") or {}
    values = {
        "metadata.name": meta.get("name", ""),
        "metadata.namespace": meta.get("namespace", ""),
        "metadata.uid": meta.get("uid", ""),
        "spec.nodeName": spec.get("nodeName", ""),
        "spec.serviceAccountName": spec.get("serviceAccountName", "default"),
        "status.podIP": status.get("podIP", ""),
        "status.hostIP": status.get("hostIP", ""),
    }
    return values.get(path, "")


# (kind, name) -> the manifest of that ConfigMap or Secret in the pod's namespace, or None
ObjectLookup = Callable[[str, str], dict | None]


def _no_objects(kind: str, name: str) -> dict | None:
    return None


def _values(obj: dict | None) -> dict[str, str]:
    """A ConfigMap's `data`, or a Secret's `data` decoded (as the bytes read as text)."""
    if obj is None:
        return {}
    if obj.get("kind") != "Secret":
        return {str(k): str(v) for k, v in (obj.get("data") or {}).items()}
    out = {}
    for key, value in (obj.get("data") or {}).items():
        try:
            out[str(key)] = base64.b64decode(str(value)).decode("utf-8", "replace")
        except (binascii.Error, ValueError):
            continue
    return out


def _key_ref(source: dict, lookup: ObjectLookup) -> str | None:
    for field, kind in (("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret")):
        ref = source.get(field)
        if isinstance(ref, dict):
            return _values(lookup(kind, str(ref.get("name") or ""))).get(str(ref.get("key") or ""))
    return None


def container_env(
    manifest: dict, container: str | None, service_env: dict[str, str], lookup: ObjectLookup = _no_objects
) -> list[tuple[str, str]]:
    """The container's env as the runtime sets it: envFrom, its own variables, then the Service
    ones (`lookup` finds the ConfigMaps and Secrets it names)."""
    spec = manifest.get("spec") or {}
    containers = spec.get("containers") or []
    chosen = next((c for c in containers if c.get("name") == container), containers[0] if containers else {})
    known: dict[str, str] = {}
    for source in chosen.get("envFrom") or ():
        if not isinstance(source, dict):
            continue
        prefix = str(source.get("prefix") or "")
        for field, kind in (("configMapRef", "ConfigMap"), ("secretRef", "Secret")):
            ref = source.get(field)
            if isinstance(ref, dict):
                for key, value in _values(lookup(kind, str(ref.get("name") or ""))).items():
                    known.pop(prefix + key, None)  # a later source's value comes later
                    known[prefix + key] = value
    for item in chosen.get("env") or ():
        name = item.get("name", "")
        source = item.get("valueFrom") or {}
        if "value" in item:
            value = expand(str(item.get("value") or ""), {**service_env, **known})
        elif source.get("fieldRef"):
            value = _field_ref(manifest, source["fieldRef"].get("fieldPath", ""))
        else:
            found = _key_ref(source, lookup)
            if found is None:
                continue  # a missing object or key, or resourceFieldRef: not simulated
            value = found
        known.pop(name, None)
        known[name] = value
    rest = [(k, v) for k, v in service_env.items() if k not in known]
    return list(known.items()) + rest


def sandbox_for(engine, pod, container: str | None = None) -> Sandbox:
    """The Sandbox of a running pod (an engine Pod object)."""
    manifest = pod.manifest
    spec = manifest.get("spec") or {}
    hostname = (spec.get("hostname") or pod.name)[:63]
    source = f"{pod.namespace}/{pod.name}"

    def lookup(name: str) -> Lookup:
        result = engine_port.resolve(engine, pod, name, "A")
        addresses = tuple(r.value for r in result.answers if r.type == "A") if result.rcode == "NOERROR" else ()
        return Lookup(addresses, None if addresses else (result.error or result.rcode))

    def reverse(ip: str) -> str | None:
        names = engine_port.reverse_names(engine, pod, ip)
        return names[0].rstrip(".") if names else None

    def request(url: str) -> HttpOutcome:
        try:
            host = engine_port.parse_url(url).host
        except ValueError:
            return HttpOutcome(failure="resolve")
        return outcome_of(engine_port.trace(engine, source, url), host)

    def objects(kind: str, name: str) -> dict | None:
        found = engine_port.get(engine, kind, pod.namespace, name)
        return found.manifest if found is not None else None

    service_env = engine_port.service_environment(engine, pod)
    subdomain = spec.get("subdomain")
    hosts_extra = ()
    if subdomain and pod.ip:
        domain = engine_port.cluster_domain(engine)
        fqdn = f"{hostname}.{subdomain}.{pod.namespace}.svc.{domain}"
        hosts_extra = (f"{pod.ip}\t{fqdn}\t{hostname}",)
    return Sandbox(
        pod=pod.name,
        namespace=pod.namespace,
        hostname=hostname,
        ip=pod.ip or "",
        env=tuple(container_env(manifest, container, service_env, objects)),
        resolv_conf=engine_port.resolv_conf_text(engine, pod),
        dns_server=engine_port.cluster_dns_ip(engine),
        lookup=lookup,
        reverse=reverse,
        request=request,
        hosts_extra=hosts_extra,
    )
