"""The API server's warnings on a valid object (`Warning:` lines of kubectl apply), for the fields
the simulation reads.

Sources: pkg/api/service/warnings.go GetWarningsForService; pkg/api/pod/warnings.go
warningsForPodSpecAndMeta (Pods, and the pod templates of Deployments, ReplicaSets, DaemonSets
and Jobs at `spec.template`); pkg/api/node/util.go GetNodeLabelDeprecatedMessage and
GetWarningsForNodeSelectorTerm; apimachinery util/validation GetWarningsForIP. Each warning is
(field, message): the field only places it in the document; the message is the server's.
"""

from __future__ import annotations

import ipaddress
import json
from typing import Any

from ..netaddr import parse_ip_sloppy

Warning = tuple[str, str]

# pkg/api/node/util.go deprecatedNodeLabels
DEPRECATED_NODE_LABELS = {
    "beta.kubernetes.io/arch": 'deprecated since v1.14; use "kubernetes.io/arch" instead',
    "beta.kubernetes.io/os": 'deprecated since v1.14; use "kubernetes.io/os" instead',
    "failure-domain.beta.kubernetes.io/region": 'deprecated since v1.17; use "topology.kubernetes.io/region" instead',
    "failure-domain.beta.kubernetes.io/zone": 'deprecated since v1.17; use "topology.kubernetes.io/zone" instead',
    "beta.kubernetes.io/instance-type": 'deprecated since v1.17; use "node.kubernetes.io/instance-type" instead',
}


def _dicts(value: Any) -> list[dict]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def ip_warnings(path: str, value: Any) -> list[Warning]:
    """GetWarningsForIP: an address Go's sloppy parser takes but netip does not (leading zeros),
    or an IPv4-mapped IPv6 address."""
    parsed = parse_ip_sloppy(value) if isinstance(value, str) else None
    if parsed is None:
        return []
    mapped = parsed.ipv4_mapped if isinstance(parsed, ipaddress.IPv6Address) else None
    if mapped is None and _is_standard(value):
        return []
    canonical = str(mapped or parsed)  # Go's net.IP String prints an IPv4-mapped address as IPv4
    return [
        (
            path,
            f"{path}: non-standard IP address {json.dumps(value)} will be considered invalid in a future "
            f"Kubernetes release: use {json.dumps(canonical)}",
        )
    ]


def _is_standard(value: str) -> bool:
    """netip.ParseAddr accepts it: no IPv4 octet with a leading zero."""
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def service_warnings(obj: dict) -> list[Warning]:
    """GetWarningsForService (Kubernetes 1.33)."""
    spec = _dict(obj.get("spec"))
    stype = spec.get("type")
    out: list[Warning] = []
    cluster_ip = spec.get("clusterIP")
    if cluster_ip and cluster_ip != "None":
        for i, ip in enumerate(spec.get("clusterIPs") or [cluster_ip]):
            out += ip_warnings(f"spec.clusterIPs[{i}]", ip)
    if stype == "ClusterIP" and cluster_ip == "None":  # isHeadlessService
        if spec.get("loadBalancerIP"):
            out.append(("spec.loadBalancerIP", "spec.loadBalancerIP is ignored for headless services"))
        if spec.get("externalIPs"):
            out.append(("spec.externalIPs", "spec.externalIPs is ignored for headless services"))
        if spec.get("sessionAffinity") not in (None, "None"):
            out.append(("spec.sessionAffinity", "spec.SessionAffinity is ignored for headless services"))
    for i, ip in enumerate(spec.get("externalIPs") or ()):
        out += ip_warnings(f"spec.externalIPs[{i}]", ip)
    if spec.get("loadBalancerIP"):
        out += ip_warnings("spec.loadBalancerIP", spec["loadBalancerIP"])
    if stype == "ExternalName" and spec.get("externalIPs"):
        out.append(("spec.externalIPs", 'spec.externalIPs is ignored when spec.type is "ExternalName"'))
    if stype != "ExternalName" and spec.get("externalName"):
        out.append(("spec.externalName", 'spec.externalName is ignored when spec.type is not "ExternalName"'))
    return out


def _node_selector_term_warnings(term: dict, path: str) -> list[Warning]:
    """GetWarningsForNodeSelectorTerm: deprecated node labels in matchExpressions."""
    out = []
    for i, expression in enumerate(_dicts(term.get("matchExpressions"))):
        key = expression.get("key")
        message = DEPRECATED_NODE_LABELS.get(key) if isinstance(key, str) else None
        if message:
            where = f"{path}.matchExpressions[{i}].key"
            out.append((where, f"{where}: {key} is {message}"))
    return out


def _port_text(port: dict) -> str:
    """A core.ContainerPort printed with %+v."""
    return (
        f"{{Name:{port.get('name') or ''} HostPort:{port.get('hostPort') or 0} "
        f"ContainerPort:{port.get('containerPort') or 0} Protocol:{port.get('protocol') or ''} "
        f"HostIP:{port.get('hostIP') or ''}}}"
    )


def pod_spec_warnings(spec: Any, prefix: str = "") -> list[Warning]:
    """warningsForPodSpecAndMeta, the parts about scheduling and ports: deprecated node labels in
    nodeSelector and node affinity, and container ports that duplicate, overlap or make
    ambiguous another's (or set hostIP without hostPort). `prefix` is "spec.template." for a
    pod template."""
    spec = _dict(spec)
    out: list[Warning] = []
    selector = _dict(spec.get("nodeSelector"))
    for key in sorted(selector):
        message = DEPRECATED_NODE_LABELS.get(key)
        if message:
            where = f"{prefix}spec.nodeSelector[{key}]"
            out.append((where, f"{where}: {message}"))
    node_affinity = _dict(_dict(spec.get("affinity")).get("nodeAffinity"))
    required = _dict(node_affinity.get("requiredDuringSchedulingIgnoredDuringExecution"))
    for i, term in enumerate(_dicts(required.get("nodeSelectorTerms"))):
        path = (
            f"{prefix}spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[{i}]"
        )
        out += _node_selector_term_warnings(term, path)
    for i, preferred in enumerate(_dicts(node_affinity.get("preferredDuringSchedulingIgnoredDuringExecution"))):
        path = f"{prefix}spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[{i}].preference"
        out += _node_selector_term_warnings(_dict(preferred.get("preference")), path)
    seen: dict[str, list[tuple[str, dict]]] = {}
    for key in ("initContainers", "containers"):  # pods.VisitContainersWithPath's order
        for ci, container in enumerate(_dicts(spec.get(key))):
            for pi, port in enumerate(_dicts(container.get("ports"))):
                here = f"{prefix}spec.{key}[{ci}].ports[{pi}]"
                host_ip, host_port = port.get("hostIP") or "", port.get("hostPort") or 0
                if host_ip and not host_port:
                    out.append((here, f"{here}: hostIP set without hostPort: {_port_text(port)}"))
                k = f"{port.get('containerPort') or 0}/{port.get('protocol') or ''}"
                for other_path, other in seen.get(k, ()):
                    other_ip, other_port = other.get("hostIP") or "", other.get("hostPort") or 0
                    if host_ip == other_ip and host_port == other_port:
                        out.append((here, f"{here}: duplicate port definition with {other_path}"))
                    elif not host_port or not other_port:
                        out.append((here, f"{here}: overlapping port definition with {other_path}"))
                    elif host_port == other_port and bool(host_ip) != bool(other_ip):
                        out.append((here, f"{here}: dangerously ambiguous port definition with {other_path}"))
                seen.setdefault(k, []).append((here, port))
    return out


def not_simulated_warnings(spec: Any, prefix: str = "") -> list[Warning]:
    """kubeviz's own warnings (not the API server's) for what its scheduler leaves out: a pod is
    placed as if these rules were not there."""
    spec = _dict(spec)
    out: list[Warning] = []
    affinity = _dict(spec.get("affinity"))
    for key, what in (("podAffinity", "inter-pod affinity"), ("podAntiAffinity", "inter-pod anti-affinity")):
        if affinity.get(key):
            where = f"{prefix}spec.affinity.{key}"
            out.append((where, f"{where} is not simulated: kubeviz's scheduler places the pod as if it had no {what}"))
    if spec.get("topologySpreadConstraints"):
        where = f"{prefix}spec.topologySpreadConstraints"
        out.append(
            (
                where,
                f"{where} is not simulated: kubeviz's scheduler only spreads a workload's pods over nodes by itself "
                "(the scheduler's default spreading), whatever the constraints say",
            )
        )
    return out


def pod_warnings(obj: dict) -> list[Warning]:
    spec = obj.get("spec")
    return pod_spec_warnings(spec) + not_simulated_warnings(spec)


def template_warnings(obj: dict) -> list[Warning]:
    """GetWarningsForPodTemplate at spec.template (the workload strategies' WarningsOnCreate)."""
    spec = _dict(_dict(obj.get("spec")).get("template")).get("spec")
    return pod_spec_warnings(spec, "spec.template.") + not_simulated_warnings(spec, "spec.template.")


def no_warnings(obj: dict) -> list[Warning]:
    return []
