"""kube-proxy in iptables mode: the rules it programs on one node, as `iptables-save` prints them.

Sources (kubernetes/kubernetes, kube-proxy v1.31+ unless a line says otherwise):

* pkg/proxy/iptables/proxier.go - `syncProxyRules` (which chains exist, what goes in them and
  in which order), `writeServiceToEndpointRules`, `computeProbability`, `portProtoHash`,
  `servicePortEndpointChainName`, `appendServiceCommentLocked`, `largeClusterEndpointsThreshold`.
* pkg/proxy/service.go - `newBaseServiceInfo`, `ExternallyAccessible`, `UsesClusterEndpoints`,
  `UsesLocalEndpoints`; pkg/api/v1/service/util.go - `ExternalPolicyLocal`, `InternalPolicyLocal`,
  `NeedsHealthCheck`; pkg/proxy/util - `ShouldSkipService`.
* pkg/proxy/endpointslicecache.go - `addEndpoints` (one endpoint per "ip:port", not-ready ones
  included) and `endpointsMapFromEndpointInfo` (endpoints sorted by the *string* "ip:port").
* pkg/proxy/topology.go - `CategorizeEndpoints` (which endpoints Cluster / Local policy use).
* pkg/proxy/iptables/proxier_test.go - real expected restore input (e.g. `ns1/svc1:p80` TCP is
  `KUBE-SVC-XPGD46QRK7WJZT7O`, its endpoint 10.180.0.1:80 is `KUBE-SEP-SXIVWICOYRO3J4NJ`).

kube-proxy feeds `iptables-restore`; the kernel keeps the parsed rule and `iptables-save` prints it
back in its own canonical form. What this module prints is kube-proxy's restore input (chains,
then rules, in kube-proxy's write order) with that normalisation applied, from iptables 1.8:

* iptables/iptables.c `print_rule4` and nft-ipv4.c `nft_ipv4_save_rule`: the IP header part
  first (`[!] -s`, `[!] -d`, `-p`), then each `-m` match in the order given, then `-j`.
  Addresses print with their prefix length, so `-d 10.96.0.1` becomes `-d 10.96.0.1/32`.
* libxtables/xtables.c `xtables_save_string` (the comment match): a value made only of
  `[A-Za-z0-9_-]` is printed bare, anything else in double quotes (`"default/web:http"`).
* extensions/libxt_MARK.c `mark_tg_save`: `--or-mark 0x4000` is `--set-xmark 0x4000/0x4000`,
  `--xor-mark 0x4000` is `--set-xmark 0x4000/0x0`; libxt_mark.c: `! --mark 0x4000/0x4000`.
* extensions/libxt_statistic.c: the probability is stored as `lround(0x80000000 * p)` and printed
  with `%.11f`, so kube-proxy's `0.3333333333` comes back as `0.33333333349`.
* extensions/libxt_recent.c `recent_save`: `--set`/`--rcheck`, `--seconds`, `--reap`, `--name`,
  `--mask 255.255.255.255`, `--rsource`, in that order whatever order they were given in.
* extensions/libipt_REJECT.c: the default `--reject-with icmp-port-unreachable` is printed.

The simulated node runs kube-proxy as kubeadm and kind configure it: `--cluster-cidr` is the pod
CIDR (detect-local-mode ClusterCIDR, so "not from a pod" is `! -s 10.244.0.0/16`), masquerade
bit 14 (mark 0x4000), `--masquerade-all=false`, `iptables.localhostNodePorts=true` with no
`--nodeport-addresses` (NodePorts on every local address), iptables with `--random-fully`,
`nf_conntrack_tcp_be_liberal=0`, IPv4 only, no topology hints.

What is not here: the built-in chains (PREROUTING, OUTPUT, POSTROUTING) and their jumps into
KUBE-SERVICES / KUBE-POSTROUTING, which kube-proxy installs one by one with `iptables -I`
rather than in its restore input (see `NAT_JUMP_RULES`); packet and byte counters (always
[0:0]); kube-proxy's partial syncs and stale-chain deletion (`-X`), which change what it sends
but not what the table holds afterwards.

Rule order across Services: kube-proxy walks a Go map, so on a real node the Services come in
a random order that changes from sync to sync. Here they are sorted by "namespace/name" (as
kube-proxy's own tests sort them before comparing, proxier_test.go `sortIPTablesRules`),
ports in spec order; the order *within* each chain is exactly kube-proxy's.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from functools import lru_cache

from ..controllers.endpoints import Endpoint, cached_endpoints
from ..model import Service, ServicePort
from ..netaddr import in_network, proxier_ipv4, proxier_ipv4_network
from ..wellknown import CONTROL_PLANE_ROLE, SERVICE_PROXY_NAME_LABEL

KUBE_SERVICES = "KUBE-SERVICES"
KUBE_EXTERNAL_SERVICES = "KUBE-EXTERNAL-SERVICES"
KUBE_NODEPORTS = "KUBE-NODEPORTS"
KUBE_POSTROUTING = "KUBE-POSTROUTING"
KUBE_MARK_MASQ = "KUBE-MARK-MASQ"
KUBE_FORWARD = "KUBE-FORWARD"
KUBE_PROXY_FIREWALL = "KUBE-PROXY-FIREWALL"
KUBE_FIREWALL = "KUBE-FIREWALL"

# --iptables-masquerade-bit 14: 1 << 14. kube-proxy writes it with "%#08x" (0x004000); the
# kernel stores a number and iptables-save prints "0x%x".
MASQ_MARK = "0x4000"

# proxier.go largeClusterEndpointsThreshold: above this many endpoints (all Services, ready or
# not) kube-proxy drops the comments on KUBE-SEP rules and on KUBE-SVC -> KUBE-SEP jumps.
LARGE_CLUSTER_ENDPOINTS_THRESHOLD = 1000

# The chains kube-proxy declares first in each table (syncProxyRules), in its order.
NAT_TOP_CHAINS = (KUBE_SERVICES, KUBE_NODEPORTS, KUBE_POSTROUTING, KUBE_MARK_MASQ)
FILTER_TOP_CHAINS = (KUBE_SERVICES, KUBE_EXTERNAL_SERVICES, KUBE_FORWARD, KUBE_NODEPORTS, KUBE_PROXY_FIREWALL)

# proxier.go iptablesJumpChains (nat part), installed with `iptables -I` outside the restore
# input, as iptables-save prints them. For the dashboard: how a packet reaches KUBE-SERVICES.
NAT_JUMP_RULES = (
    f'-A PREROUTING -m comment --comment "kubernetes service portals" -j {KUBE_SERVICES}',
    f'-A OUTPUT -m comment --comment "kubernetes service portals" -j {KUBE_SERVICES}',
    f'-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j {KUBE_POSTROUTING}',
)

_NAT_FIXED_RULES = (
    f"-A {KUBE_POSTROUTING} -m mark ! --mark {MASQ_MARK}/{MASQ_MARK} -j RETURN\n"
    # "Clear the mark to avoid re-masquerading": --xor-mark prints as --set-xmark X/0x0.
    f"-A {KUBE_POSTROUTING} -j MARK --set-xmark {MASQ_MARK}/0x0\n"
    f'-A {KUBE_POSTROUTING} -m comment --comment "kubernetes service traffic requiring SNAT" '
    "-j MASQUERADE --random-fully\n"
    f"-A {KUBE_MARK_MASQ} -j MARK --set-xmark {MASQ_MARK}/{MASQ_MARK}\n"
)
# "Finally, tail-call to the nodePorts chain. This needs to be after all other service portal rules."
_NAT_TAIL_RULE = (
    f'-A {KUBE_SERVICES} -m comment --comment "kubernetes service nodeports; NOTE: this must be the last '
    f'rule in this chain" -m addrtype --dst-type LOCAL -j {KUBE_NODEPORTS}\n'
)
# localhostNodePorts: kube-proxy keeps a copy of kubelet's anti-martian rule.
_FILTER_FIRST_RULES = (
    f'-A {KUBE_FIREWALL} ! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment --comment "block incoming localnet '
    'connections" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP\n'
)
_FILTER_LAST_RULES = (
    f"-A {KUBE_FORWARD} -m conntrack --ctstate INVALID -j DROP\n"
    f'-A {KUBE_FORWARD} -m comment --comment "kubernetes forwarding rules" -m mark --mark {MASQ_MARK}/{MASQ_MARK} '
    "-j ACCEPT\n"
    f'-A {KUBE_FORWARD} -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate '
    "RELATED,ESTABLISHED -j ACCEPT\n"
)

_REJECT = "REJECT --reject-with icmp-port-unreachable"
_NO_QUOTE = frozenset("_-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


# ------------------------------------------------------------------------------ names and numbers
def service_port_name(namespace: str, name: str, port_name: str) -> str:
    """proxy.ServicePortName.String(): "namespace/name:port", or "namespace/name" for an unnamed port."""
    return f"{namespace}/{name}:{port_name}" if port_name else f"{namespace}/{name}"


# Every pair of base32 characters (RFC 4648 alphabet, as Go's base32.StdEncoding): 10 bits each.
_BASE32_PAIRS = [a + b for a in "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"]


def _hash16(text: str) -> str:
    """base32(sha256(text))[:16]. 16 base32 characters are 80 bits, exactly the first 10 bytes of
    the digest, spelled here 10 bits at a time (what base64.b32encode of those bytes gives)."""
    n = int.from_bytes(hashlib.sha256(text.encode()).digest()[:10], "big")
    pairs = _BASE32_PAIRS
    return (
        pairs[n >> 70]
        + pairs[(n >> 60) & 1023]
        + pairs[(n >> 50) & 1023]
        + pairs[(n >> 40) & 1023]
        + pairs[(n >> 30) & 1023]
        + pairs[(n >> 20) & 1023]
        + pairs[(n >> 10) & 1023]
        + pairs[n & 1023]
    )


@lru_cache(maxsize=65536)
def port_proto_hash(service_port_name: str, protocol: str) -> str:
    """proxier.go portProtoHash: sha256 of name + lowercase protocol, base32, first 16 characters.

    Chain names must be at most 28 characters, and a hash keeps them stable across restarts and
    identical on every node, so the same Service has the same chain names everywhere."""
    return _hash16(service_port_name + protocol.lower())


def service_chain_name(service_port_name: str, protocol: str, prefix: str = "KUBE-SVC-") -> str:
    """KUBE-SVC- (Cluster policy), KUBE-SVL- (Local policy), KUBE-EXT- (external traffic) or
    KUBE-FW- (loadBalancerSourceRanges): one hash, four prefixes (servicePortPolicyClusterChain, ...)."""
    return prefix + port_proto_hash(service_port_name, protocol)


@lru_cache(maxsize=262144)
def endpoint_chain_name(service_port_name: str, protocol: str, endpoint: str) -> str:
    """proxier.go servicePortEndpointChainName: KUBE-SEP- + hash of name + protocol + "ip:port"."""
    return "KUBE-SEP-" + _hash16(service_port_name + protocol.lower() + endpoint)


@lru_cache(maxsize=4096)
def probability(n: int) -> str:
    """proxier.go computeProbability: what kube-proxy writes, fmt.Sprintf("%0.10f", 1.0/float64(n))."""
    return "%0.10f" % (1.0 / n)


@lru_cache(maxsize=4096)
def saved_probability(n: int) -> str:
    """What iptables-save prints for kube-proxy's `--probability probability(n)`.

    libxt_statistic.c stores `lround(0x80000000 * p)` (a 32-bit fraction; lround rounds halves
    away from zero) and prints `%.11f` of `1.0 * stored / 0x80000000`."""
    scaled = 0x80000000 * float(probability(n))
    stored = math.floor(scaled)
    if scaled - stored >= 0.5:
        stored += 1
    return "%.11f" % (stored / 0x80000000)


def _q(text: str) -> str:
    """libxtables xtables_save_string: bare when only [A-Za-z0-9_-], else quoted with \\ " ' escaped."""
    if text and _NO_QUOTE.issuperset(text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("'", "\\'") + '"'


# ------------------------------------------------------------------------------ the derived view
@dataclass(frozen=True, slots=True)
class ProxyNode:
    """Where the simulated kube-proxy runs: the first worker node (simulate-contract.md)."""

    name: str | None
    ip: str | None
    cluster_cidr: str  # kube-proxy's --cluster-cidr, normalised as iptables prints it
    large_cluster_mode: bool


@dataclass(frozen=True, slots=True)
class ServicePortRules:
    """What kube-proxy programs for one Service port (one svcPortMap entry), in iptables-save form."""

    name: str  # "namespace/name:port", kube-proxy's svcPortNameString
    protocol: str
    chains: tuple[str, ...]  # nat chains it declares, in kube-proxy's order
    nat: tuple[str, ...]  # nat rules, each an iptables-save line without the newline
    filter: tuple[str, ...]  # filter rules (REJECT / DROP when endpoints are missing, firewall, health check)
    endpoints: int  # endpoints kube-proxy counts for large-cluster mode (ready or not)

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "protocol": self.protocol,
            "chains": list(self.chains),
            "nat": list(self.nat),
            "filter": list(self.filter),
        }


@dataclass(frozen=True, slots=True)
class _Proxied:
    """One Service's share of the tables, pre-joined for `iptables_save`."""

    ports: tuple[ServicePortRules, ...]
    nat_chains: str
    nat_rules: str
    filter_rules: str


@dataclass(frozen=True, slots=True)
class KubeProxyRules:
    node: ProxyNode
    services: tuple[tuple[str, _Proxied], ...]  # ("namespace/name", rules), in output order

    def nat_text(self) -> str:
        parts = ["*nat\n"]
        parts += [f":{c} - [0:0]\n" for c in NAT_TOP_CHAINS]
        parts += [p.nat_chains for _, p in self.services]
        parts.append(_NAT_FIXED_RULES)
        parts += [p.nat_rules for _, p in self.services]
        parts.append(_NAT_TAIL_RULE)
        parts.append("COMMIT\n")
        return "".join(parts)

    def filter_text(self) -> str:
        parts = ["*filter\n"]
        parts += [f":{c} - [0:0]\n" for c in (*FILTER_TOP_CHAINS, KUBE_FIREWALL)]
        parts.append(_FILTER_FIRST_RULES)
        parts += [p.filter_rules for _, p in self.services]
        parts.append(_FILTER_LAST_RULES)
        parts.append("COMMIT\n")
        return "".join(parts)


def _proxy_node_host(cluster) -> tuple[str | None, str | None]:
    nodes = cluster.nodes()
    node = next((n for n in nodes if CONTROL_PLANE_ROLE not in n.labels), None) or (nodes[0] if nodes else None)
    if node is None:
        return None, None
    return node.name, cluster.node_ip(node.name) or node.ip


def _is_proxied(svc: Service) -> bool:
    """ShouldSkipService (no ClusterIP, or ExternalName), the IPv4 proxier's family filter, and
    kube-proxy's informer label selector (no service.kubernetes.io/service-proxy-name)."""
    if not svc.has_cluster_ip or svc.type == "ExternalName":
        return False
    if SERVICE_PROXY_NAME_LABEL in svc.labels:
        return False
    return proxier_ipv4(svc.cluster_ip) is not None


def skip_reason(svc: Service) -> str | None:
    """Why kube-proxy programs nothing for this Service, or None when it does."""
    if svc.type == "ExternalName":
        return "ExternalName Service: only DNS answers for it (a CNAME); kube-proxy programs nothing"
    if svc.cluster_ip == "None":
        return "headless Service (clusterIP: None): DNS returns the pod IPs; kube-proxy programs nothing"
    if not svc.has_cluster_ip:
        return "Service without a ClusterIP: kube-proxy programs nothing"
    if SERVICE_PROXY_NAME_LABEL in svc.labels:
        return f"label {SERVICE_PROXY_NAME_LABEL} hands this Service to another proxy; kube-proxy ignores it"
    if proxier_ipv4(svc.cluster_ip) is None:
        return "the ClusterIP is not IPv4; this node's kube-proxy (IPv4) ignores it"
    return None


def _endpoints_by_port(svc: Service, endpoints: tuple[Endpoint, ...]) -> list[list[Endpoint]]:
    """For each Service port, kube-proxy's endpoint list: one per "ip:port" (a later duplicate wins,
    as in addEndpoints for non-terminating endpoints), sorted by that string, not numerically
    (endpointsMapFromEndpointInfo / byEndpoint: "10.244.1.10:80" sorts before "10.244.1.2:80")."""
    groups: dict[tuple[str, str], dict[str, Endpoint]] = {}
    for ep in endpoints:
        if ":" in ep.ip:  # an IPv6 EndpointSlice is not this proxier's
            continue
        groups.setdefault((ep.port_name, ep.protocol), {})[f"{ep.ip}:{ep.port}"] = ep
    out = []
    for sp in svc.ports:
        found = groups.get((sp.name, sp.protocol))
        out.append([found[k] for k in sorted(found)] if found else [])
    return out


def _service_extras(svc: Service) -> tuple:
    """newBaseServiceInfo's per-Service fields: external IPs, load-balancer VIPs, source ranges,
    sticky seconds, health-check node port."""
    spec = svc.spec
    external_ips = tuple(ip for ip in (proxier_ipv4(i) for i in spec.get("externalIPs") or ()) if ip)
    vips = []
    for ingress in ((svc.manifest.get("status") or {}).get("loadBalancer") or {}).get("ingress") or ():
        # proxyutil.IsVIPMode: ipMode "Proxy" means the load balancer proxies; no VIP rules then.
        if ingress.get("ip") and ingress.get("ipMode", "VIP") != "Proxy":
            ip = proxier_ipv4(ingress["ip"])
            if ip:
                vips.append(ip)
    ranges = tuple(n for n in (proxier_ipv4_network(r) for r in spec.get("loadBalancerSourceRanges") or ()) if n)
    sticky = 0
    if svc.session_affinity == "ClientIP":
        sticky = int(((spec.get("sessionAffinityConfig") or {}).get("clientIP") or {}).get("timeoutSeconds") or 10800)
    health = 0
    if svc.type == "LoadBalancer" and svc.external_traffic_policy == "Local":  # NeedsHealthCheck
        health = int(spec.get("healthCheckNodePort") or 0)
    return external_ips, tuple(vips), ranges, sticky, health


def _port_rules(
    svc: Service, sp: ServicePort, endpoints: list[Endpoint], extras: tuple, node: ProxyNode
) -> ServicePortRules:
    """One turn of syncProxyRules' loop over svcPortMap, written as iptables-save prints it."""
    external_ips, vips, source_ranges, sticky, health_port = extras
    name = service_port_name(svc.namespace, svc.name, sp.name)
    proto = sp.protocol.lower()
    h = port_proto_hash(name, proto)
    cluster_chain, local_chain = "KUBE-SVC-" + h, "KUBE-SVL-" + h
    ext_chain, fw_chain = "KUBE-EXT-" + h, "KUBE-FW-" + h
    cip = proxier_ipv4(svc.cluster_ip)
    port = sp.port
    node_port = sp.node_port or 0
    cidr = node.cluster_cidr
    qname = _q(name)

    # pkg/api/v1/service/util.go and pkg/proxy/service.go
    internal_local = svc.internal_traffic_policy == "Local"
    external_local = (
        svc.type in ("LoadBalancer", "NodePort") or bool(svc.spec.get("externalIPs"))
    ) and svc.external_traffic_policy == "Local"
    externally_accessible = bool(node_port or vips or external_ips)
    uses_cluster = not internal_local or externally_accessible
    uses_local = internal_local or (external_local and externally_accessible)

    # topology.go CategorizeEndpoints (no topology hints, no terminating endpoints are modelled).
    cluster_eps: list[Endpoint] = []
    local_eps: list[Endpoint] = []
    has_endpoints = False
    if uses_cluster:
        cluster_eps = [e for e in endpoints if e.ready]
        has_endpoints = bool(cluster_eps)
    if not uses_local:
        reachable = cluster_eps
    else:
        if any(e.ready for e in endpoints):
            has_endpoints = True
        local_eps = [e for e in endpoints if e.ready and node.name is not None and e.node == node.name]
        reachable = cluster_eps if uses_cluster else local_eps

    internal_chain = local_chain if internal_local else cluster_chain
    has_internal = has_endpoints and not (internal_local and not local_eps)
    external_policy_chain = local_chain if external_local else cluster_chain
    has_external = has_endpoints and not (external_local and not local_eps)
    uses_external_chain = has_endpoints and externally_accessible
    uses_fw = has_endpoints and bool(vips) and bool(source_ranges)
    lb_chain = fw_chain if uses_fw else ext_chain

    if not has_endpoints:
        internal_target = external_target = _REJECT
        internal_comment = external_comment = _q(f"{name} has no endpoints")
    else:
        internal_target = external_target = "DROP"
        internal_comment = external_comment = _q(f"{name} has no local endpoints")

    chains: list[str] = []
    nat: list[str] = []
    flt: list[str] = []
    cluster_ip_comment = _q(f"{name} cluster IP")

    # Capture the clusterIP.
    if has_internal:
        nat.append(
            f"-A {KUBE_SERVICES} -d {cip}/32 -p {proto} -m comment --comment {cluster_ip_comment} "
            f"-m {proto} --dport {port} -j {internal_chain}"
        )
    else:
        flt.append(
            f"-A {KUBE_SERVICES} -d {cip}/32 -p {proto} -m comment --comment {internal_comment} "
            f"-m {proto} --dport {port} -j {internal_target}"
        )
    # Capture externalIPs.
    for ip in external_ips:
        if has_endpoints:
            nat.append(
                f"-A {KUBE_SERVICES} -d {ip}/32 -p {proto} -m comment --comment {_q(name + ' external IP')} "
                f"-m {proto} --dport {port} -j {ext_chain}"
            )
        if not has_external:
            flt.append(
                f"-A {KUBE_EXTERNAL_SERVICES} -d {ip}/32 -p {proto} -m comment --comment {external_comment} "
                f"-m {proto} --dport {port} -j {external_target}"
            )
    # Capture load-balancer ingress.
    for ip in vips:
        if has_endpoints:
            nat.append(
                f"-A {KUBE_SERVICES} -d {ip}/32 -p {proto} -m comment --comment "
                f"{_q(name + ' loadbalancer IP')} -m {proto} --dport {port} -j {lb_chain}"
            )
        if uses_fw:
            flt.append(
                f"-A {KUBE_PROXY_FIREWALL} -d {ip}/32 -p {proto} -m comment --comment "
                f"{_q(f'{name} traffic not accepted by {fw_chain}')} -m {proto} --dport {port} -j DROP"
            )
    if not has_external:
        for ip in vips:
            flt.append(
                f"-A {KUBE_EXTERNAL_SERVICES} -d {ip}/32 -p {proto} -m comment --comment {external_comment} "
                f"-m {proto} --dport {port} -j {external_target}"
            )
    # Capture nodeports.
    if node_port:
        if has_endpoints:
            nat.append(
                f"-A {KUBE_NODEPORTS} -p {proto} -m comment --comment {qname} -m {proto} "
                f"--dport {node_port} -j {ext_chain}"
            )
        if not has_external:
            flt.append(
                f"-A {KUBE_EXTERNAL_SERVICES} -p {proto} -m comment --comment {external_comment} "
                f"-m addrtype --dst-type LOCAL -m {proto} --dport {node_port} -j {external_target}"
            )
    # Capture healthCheckNodePorts (always TCP).
    if health_port:
        flt.append(
            f"-A {KUBE_NODEPORTS} -p tcp -m comment --comment {_q(name + ' health check node port')} "
            f"-m tcp --dport {health_port} -j ACCEPT"
        )

    # Internal traffic: masquerade what does not come from a pod (LocalTrafficDetector.IfNotLocal).
    if has_internal:
        nat.append(
            f"-A {internal_chain} ! -s {cidr} -d {cip}/32 -p {proto} -m comment --comment "
            f"{cluster_ip_comment} -m {proto} --dport {port} -j {KUBE_MARK_MASQ}"
        )

    # External traffic: everything captured above for NodePort / LB / external IPs lands here.
    if uses_external_chain:
        chains.append(ext_chain)
        if not external_local:
            nat.append(
                f"-A {ext_chain} -m comment --comment "
                f"{_q(f'masquerade traffic for {name} external destinations')} -j {KUBE_MARK_MASQ}"
            )
        else:
            nat.append(
                f"-A {ext_chain} -s {cidr} -m comment --comment "
                f"{_q(f'pod traffic for {name} external destinations')} -j {cluster_chain}"
            )
            nat.append(
                f"-A {ext_chain} -m comment --comment "
                f"{_q(f'masquerade LOCAL traffic for {name} external destinations')} "
                f"-m addrtype --src-type LOCAL -j {KUBE_MARK_MASQ}"
            )
            nat.append(
                f"-A {ext_chain} -m comment --comment "
                f"{_q(f'route LOCAL traffic for {name} external destinations')} "
                f"-m addrtype --src-type LOCAL -j {cluster_chain}"
            )
        if has_external:
            nat.append(f"-A {ext_chain} -j {external_policy_chain}")

    # Firewall chain for loadBalancerSourceRanges.
    if uses_fw:
        chains.append(fw_chain)
        lb_comment = _q(f"{name} loadbalancer IP")
        allow_from_node = False
        node_ip = proxier_ipv4(node.ip) if node.ip else None
        for net in source_ranges:
            nat.append(f"-A {fw_chain} -s {net} -m comment --comment {lb_comment} -j {ext_chain}")
            if node_ip is not None and in_network(node_ip, str(net)):
                allow_from_node = True
        if allow_from_node:
            for ip in vips:
                nat.append(f"-A {fw_chain} -s {ip}/32 -m comment --comment {lb_comment} -j {ext_chain}")
        nat.append(
            f"-A {fw_chain} -m comment --comment "
            f"{_q(f'other traffic to {name} will be dropped by KUBE-PROXY-FIREWALL')}"
        )

    large = node.large_cluster_mode
    sep_names = {id(e): endpoint_chain_name(name, proto, f"{e.ip}:{e.port}") for e in reachable}
    if cluster_eps and uses_cluster:
        chains.append(cluster_chain)
        _balance(nat, cluster_chain, name, cluster_eps, sep_names, sticky, large)
    if local_eps and uses_local:
        chains.append(local_chain)
        _balance(nat, local_chain, name, local_eps, sep_names, sticky, large)

    # One KUBE-SEP chain per endpoint reachable from this node.
    sep_comment = "" if large else f" -m comment --comment {qname}"
    for e in reachable:
        sep = sep_names[id(e)]
        chains.append(sep)
        # "Handle traffic that loops back to the originator with SNAT."
        nat.append(f"-A {sep} -s {e.ip}/32{sep_comment} -j {KUBE_MARK_MASQ}")
        recent = f" -m recent --set --name {sep} --mask 255.255.255.255 --rsource" if sticky else ""
        nat.append(f"-A {sep} -p {proto}{sep_comment}{recent} -m {proto} -j DNAT --to-destination {e.ip}:{e.port}")

    return ServicePortRules(name, sp.protocol, tuple(chains), tuple(nat), tuple(flt), len(endpoints))


def _balance(
    nat: list[str], chain: str, name: str, endpoints: list[Endpoint], sep_names: dict, sticky: int, large: bool
) -> None:
    """proxier.go writeServiceToEndpointRules: affinity checks first, then endpoint i of n is taken
    with probability 1/(n-i), so each is equally likely; the last rule matches whatever is left."""
    if sticky:
        for e in endpoints:
            sep = sep_names[id(e)]
            comment = "" if large else f" -m comment --comment {_q(f'{name} -> {e.ip}:{e.port}')}"
            nat.append(
                f"-A {chain}{comment} -m recent --rcheck --seconds {sticky} --reap --name {sep} "
                f"--mask 255.255.255.255 --rsource -j {sep}"
            )
    n = len(endpoints)
    for i, e in enumerate(endpoints):
        comment = "" if large else f" -m comment --comment {_q(f'{name} -> {e.ip}:{e.port}')}"
        statistic = f" -m statistic --mode random --probability {saved_probability(n - i)}" if i < n - 1 else ""
        nat.append(f"-A {chain}{comment}{statistic} -j {sep_names[id(e)]}")


def _build(svc: Service, groups: list[list[Endpoint]], node: ProxyNode) -> _Proxied:
    extras = _service_extras(svc)
    ports = tuple(_port_rules(svc, sp, eps, extras, node) for sp, eps in zip(svc.ports, groups, strict=False))
    return _Proxied(
        ports,
        "".join(f":{c} - [0:0]\n" for p in ports for c in p.chains),
        "".join(line + "\n" for p in ports for line in p.nat),
        "".join(line + "\n" for p in ports for line in p.filter),
    )


class _Entry:
    """One Service's share of a sync: kube-proxy's endpoints per port for this Service object and
    endpoints tuple, and its rules for the node they were written for."""

    __slots__ = ("count", "groups", "node", "rules", "service")

    def __init__(self, service: Service, endpoints: tuple):
        self.service = service
        self.groups = _endpoints_by_port(service, endpoints)
        self.count = sum(len(g) for g in self.groups)
        self.node: ProxyNode | None = None
        self.rules: _Proxied | None = None


def _sync(cluster) -> KubeProxyRules:
    """syncProxyRules for the whole cluster. Re-derives only Services whose object or endpoints
    changed (or everything, when the node's settings or large-cluster mode change): each Service's
    entry is remembered for (Service object, endpoints tuple), and cached_endpoints returns the
    same tuple until a selected pod changes."""
    # Both memos are read for every Service on every sync, so their hits are checked here.
    verdicts = cluster.memos["iptables.proxied"]  # Service key -> does kube-proxy program it
    entries_memo = cluster.memos["iptables.services"]  # Service key -> _Entry, for (service, endpoints)
    proxied = []
    for svc in cluster.list("Service"):
        hit = verdicts.entries.get(svc.key)
        if hit is not None and hit[0] is svc:
            if hit[1]:
                proxied.append(svc)
        elif verdicts.get(svc.key, svc, _is_proxied, svc):
            proxied.append(svc)
    services = sorted(proxied, key=lambda s: f"{s.namespace}/{s.name}")
    entries = []
    total = 0
    for svc in services:
        eps = cached_endpoints(cluster, svc)
        hit = entries_memo.entries.get(svc.key)
        if hit is not None and hit[0][0] is svc and hit[0][1] is eps:
            entry = hit[1]
        else:
            entry = entries_memo.get(svc.key, (svc, eps), _Entry, svc, eps)
        total += entry.count
        entries.append(entry)
    if len(entries_memo) > len(entries):
        entries_memo.keep_only({e.service.key for e in entries})

    name, ip = _proxy_node_host(cluster)
    cidr = proxier_ipv4_network(cluster.settings.pod_cidr)
    node = ProxyNode(name, ip, str(cidr) if cidr else "0.0.0.0/0", total > LARGE_CLUSTER_ENDPOINTS_THRESHOLD)
    out = []
    for entry in entries:
        if entry.rules is None or entry.node != node:
            entry.rules = _build(entry.service, entry.groups, node)
            entry.node = node
        out.append((f"{entry.service.namespace}/{entry.service.name}", entry.rules))
    return KubeProxyRules(node, tuple(out))


# ------------------------------------------------------------------------------ public API
def kube_proxy_rules(cluster) -> KubeProxyRules:
    """Everything kube-proxy programs on the first worker node, cached until the cluster changes."""
    return cluster.memos["iptables"].get("rules", cluster.generation, _sync, cluster)


def iptables_save(cluster, table: str = "nat") -> str:
    """`iptables-save -t nat` (or `-t filter`) restricted to kube-proxy's chains, on the first
    worker node: `*nat`, chain declarations, rules, `COMMIT`."""
    rules = kube_proxy_rules(cluster)
    if table == "nat":
        return cluster.memos["iptables"].get("nat", rules, rules.nat_text)
    if table == "filter":
        return cluster.memos["iptables"].get("filter", rules, rules.filter_text)
    raise ValueError(f"unknown table {table!r}: kube-proxy programs 'nat' and 'filter'")


def service_rules(cluster, service: Service) -> dict:
    """The lines that belong to one Service, for the pages.

    `nat` holds, in table order, its KUBE-SERVICES / KUBE-NODEPORTS entries and its KUBE-SVC,
    KUBE-SVL, KUBE-EXT, KUBE-FW and KUBE-SEP rules; `chains` the chains it owns; `filter` the
    filter-table rules (REJECT when it has no endpoints: the nat table then has nothing for it).
    Each port is also given on its own. A Service kube-proxy skips has a `skipped` reason."""
    ref = f"{service.namespace}/{service.name}"
    reason = skip_reason(service)
    out = {"service": ref, "skipped": reason, "node": None, "chains": [], "nat": [], "filter": [], "ports": []}
    rules = kube_proxy_rules(cluster)
    out["node"] = rules.node.name
    if reason is not None:
        return out
    proxied = cluster.memos["iptables"].get("index", rules, dict, rules.services).get(ref)
    if proxied is None:
        return out
    for port in proxied.ports:
        out["chains"] += port.chains
        out["nat"] += port.nat
        out["filter"] += port.filter
        out["ports"].append(port.to_dict())
    return out


def chain_rules(text: str, chain: str) -> list[str]:
    """The `-A CHAIN ...` lines of one chain in an iptables-save text, in order."""
    prefix = f"-A {chain} "
    return [line for line in text.splitlines() if line.startswith(prefix) or line == f"-A {chain}"]


__all__ = [
    "NAT_JUMP_RULES",
    "KubeProxyRules",
    "ProxyNode",
    "ServicePortRules",
    "chain_rules",
    "endpoint_chain_name",
    "iptables_save",
    "kube_proxy_rules",
    "port_proto_hash",
    "probability",
    "saved_probability",
    "service_chain_name",
    "service_port_name",
    "service_rules",
    "skip_reason",
]
