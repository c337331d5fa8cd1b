"""A pod seen from inside, built from the engine: what `kubectl exec` commands read.

`sandbox_for(engine, pod)` gathers, through `engine_port`, the pod's resolver (the cluster DNS
with its resolv.conf search list), its Service environment, and the request trace, and turns
them into the `shell.Sandbox` the simulated commands use. Environment order follows kubelet
(pkg/kubelet/kubelet_pods.go makeEnvironmentVariables): the container's `env:` in spec order,
`$(VAR)` references expanded against the variables before them, then the Service variables.
"""

from __future__ import annotations

import re

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


def container_env(manifest: dict, container: str | None, service_env: dict[str, str]) -> list[tuple[str, str]]:
    """The container's env as the runtime sets it: its own variables then the Service ones."""
    spec = manifest.get("spec") or {}
    containers = spec.get("containers") or []
    chosen = next((c for c in containers if c.get("name") == container), containers[0] if containers else {})
    known: dict[str, str] = {}
    own: list[tuple[str, str]] = []
    for item in chosen.get("env") or ():
        name = item.get("name", "")
        if "value" in item:
            value = expand(str(item.get("value") or ""), {**known, **service_env})
        elif (item.get("valueFrom") or {}).get("fieldRef"):
            value = _field_ref(manifest, item["valueFrom"]["fieldRef"].get("fieldPath", ""))
        else:
            continue  # configMapKeyRef / secretKeyRef / resourceFieldRef: not simulated
        known[name] = value
        own.append((name, value))
    rest = [(k, v) for k, v in service_env.items() if k not in known]
    return own + rest


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
        env=tuple(container_env(manifest, container, service_env)),
        resolv_conf=engine_port.resolv_conf_text(engine, pod),
        dns_server=engine_port.cluster_dns_ip(engine),
        lookup=lookup,
        reverse=reverse,
        request=request,
        hosts_extra=hosts_extra,
    )
