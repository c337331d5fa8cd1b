"""Address allocation: node pod CIDRs, pod IPs, Service ClusterIPs, NodePorts, load-balancer IPs.

Deterministic by construction (the same input always gets the same addresses), while
keeping the behaviour students can observe on a real cluster:

* ClusterIPs (pkg/registry/core/service/ipallocator): the range is split in a static band
  (the first min(max(16, size/16), 256) addresses, kept for explicitly requested IPs) and a
  dynamic band that automatic allocation uses first (KEP-3070). Kubernetes picks at random;
  we pick from a hash of the Service's uid, so a re-created Service gets a new IP, as it
  would on a real cluster.
* NodePorts (pkg/registry/core/service/portallocator, KEP-3668) work the same way with a
  static band of min(max(16, size/32), 128) ports.
* Pod IPs come from the node's podCIDR like the host-local CNI plugin: the gateway takes .1,
  pods start at .2, and each allocation continues after the last one handed out (so a
  replacement pod gets a new IP, which is why Services exist).
* A node gets the next free /24 of the cluster's pod CIDR (the node IPAM controller) and the
  next free address of the nodes' network (kind's 172.18.0.x).

`Allocations` holds every allocator of one cluster and keeps them in step with its store.
"""

from __future__ import annotations

import contextlib
import functools
import ipaddress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..errors import Problem, invalid
from ..netaddr import int_to_ip, ip_to_int
from .generate import stable_int
from .validation.core import validate_cluster_ips_related

if TYPE_CHECKING:
    from ..config import ClusterSettings
    from ..model import Pod, Service
    from ..store import Store

NODE_NETWORK_PREFIX = "172.18.0."  # kind's docker network: nodes are 172.18.0.2, .3, ...


@dataclass(frozen=True)
class AllocationError(Exception):
    detail: str

    def __str__(self) -> str:
        return self.detail


class ServiceIPAllocator:
    def __init__(self, cidr: str):
        self.network = ipaddress.ip_network(cidr, strict=False)
        self.base = int(self.network.network_address)
        self.size = self.network.num_addresses
        self.static_band = min(max(16, self.size // 16), 256)
        self.used: dict[int, str] = {}  # offset -> owner ref

    def contains(self, ip: str) -> bool:
        try:
            return 0 <= ip_to_int(ip) - self.base < self.size
        except ValueError:
            return False

    def offset(self, ip: str) -> int:
        return ip_to_int(ip) - self.base

    def ip(self, offset: int) -> str:
        return int_to_ip(self.base + offset)

    def check(self, ip: str, owner: str) -> None:
        """Raise AllocationError with the apiserver's wording if `ip` cannot be given to `owner`."""
        if not self.contains(ip) or self.offset(ip) in (0, self.size - 1):
            raise AllocationError(
                f"failed to allocate IP {ip}: the provided IP ({ip}) is not in the valid range. "
                f"The range of valid IPs is {self.network}"
            )
        holder = self.used.get(self.offset(ip))
        if holder is not None and holder != owner:
            raise AllocationError(f"failed to allocate IP {ip}: provided IP is already allocated")

    def take(self, ip: str, owner: str) -> None:
        self.used[self.offset(ip)] = owner

    def release(self, ip: str | None, owner: str) -> None:
        if ip and self.contains(ip) and self.used.get(self.offset(ip)) == owner:
            del self.used[self.offset(ip)]

    def allocate(self, seed: str, owner: str) -> str:
        lo, hi = self.static_band, self.size - 1  # dynamic band first, never network/broadcast
        for band_lo, band_hi in ((lo, hi), (1, lo)):
            span = band_hi - band_lo
            if span <= 0:
                continue
            start = stable_int(seed) % span
            for step in range(span):
                offset = band_lo + (start + step) % span
                if offset not in self.used:
                    self.used[offset] = owner
                    return self.ip(offset)
        raise AllocationError("failed to allocate a service IP: range is full")


class NodePortAllocator:
    """The node port range (pkg/registry/core/service/portallocator): a bitmap of port
    *numbers*. The protocol plays no part: a port taken by a TCP Service port is taken for UDP
    too, and one Service's TCP and UDP ports of the same number share one node port (alloc.go
    initNodePorts)."""

    def __init__(self, low: int = 30000, high: int = 30000 + 2767):
        self.low, self.high = low, high
        size = high - low + 1
        self.static_band = min(max(16, size // 32), 128)
        self.used: dict[int, str] = {}  # port -> owner

    def check(self, port: int, owner: str) -> None:
        """Raise AllocationError with the allocator's words (ErrNotInRange, ErrAllocated)."""
        if not self.low <= port <= self.high:
            raise AllocationError(
                f"provided port is not in the valid range. The range of valid ports is {self.low}-{self.high}"
            )
        holder = self.used.get(port)
        if holder is not None and holder != owner:
            raise AllocationError("provided port is already allocated")

    def take(self, port: int, owner: str) -> None:
        self.used[port] = owner

    def release_owner(self, owner: str) -> None:
        for key in [k for k, v in self.used.items() if v == owner]:
            del self.used[key]

    def release(self, port: int, owner: str) -> None:
        if self.used.get(port) == owner:
            del self.used[port]

    def allocate(self, seed: str, owner: str) -> int:
        size = self.high - self.low + 1
        for band_lo, band_hi in ((self.static_band, size), (0, self.static_band)):
            span = band_hi - band_lo
            start = stable_int(seed) % span
            for step in range(span):
                port = self.low + band_lo + (start + step) % span
                if port not in self.used:
                    self.used[port] = owner
                    return port
        raise AllocationError("range is full")


@functools.lru_cache(maxsize=4096)
def node_pod_cidr(cluster_pod_cidr: str, index: int) -> str:
    """The index-th /24 of the cluster pod CIDR (kube-controller-manager's range allocator).
    Cached: adding the n-th node tries indexes 0..n in turn, each parsing the CIDR."""
    network = ipaddress.ip_network(cluster_pod_cidr, strict=False)
    if network.prefixlen > 24:
        return str(network)
    return f"{ipaddress.ip_address(int(network.network_address) + index * 256)}/24"


class PodIPAllocator:
    """host-local style allocation inside one node's podCIDR, continuing after the last IP handed out."""

    def __init__(self, cidr: str, last: int = 1):
        self.network = ipaddress.ip_network(cidr, strict=False)
        self.base = int(self.network.network_address)
        self.size = self.network.num_addresses
        self.last = last
        self.used: set[int] = set()
        # An IPv4 range inside one /24 (a node's usual podCIDR): addresses are its first three
        # octets and the offset, so int_to_ip's arithmetic is done once.
        self._prefix = None
        if self.network.version == 4 and self.base % 256 == 0 and self.size <= 256:
            self._prefix = int_to_ip(self.base)[:-1]  # "10.244.3.0" -> "10.244.3."

    def take(self, ip: str) -> None:
        try:
            offset = ip_to_int(ip) - self.base
        except ValueError:
            return
        if 0 < offset < self.size:
            self.used.add(offset)

    def release(self, ip: str) -> None:
        with contextlib.suppress(ValueError):
            self.used.discard(ip_to_int(ip) - self.base)

    def allocate(self) -> str | None:
        first, last = 2, self.size - 2  # .1 is the bridge gateway, the last is broadcast
        span = last - first + 1
        if span <= 0:
            return None
        for step in range(1, span + 1):
            offset = first + (self.last - first + step) % span
            if offset not in self.used:
                self.used.add(offset)
                self.last = offset
                return self._prefix + str(offset) if self._prefix is not None else int_to_ip(self.base + offset)
        return None


class PoolAllocator:
    """Load-balancer IPs from a configured pool ("10.0.0.0/28" or "172.18.255.200-172.18.255.250")."""

    def __init__(self, pool: str | None):
        self.addresses: list[str] = []
        if pool:
            for part in pool.split(","):
                part = part.strip()
                if "-" in part:
                    lo, hi = (ipaddress.ip_address(x.strip()) for x in part.split("-", 1))
                    self.addresses += [str(ipaddress.ip_address(i)) for i in range(int(lo), int(hi) + 1)]
                elif part:
                    net = ipaddress.ip_network(part, strict=False)
                    hosts = list(net.hosts()) or [net.network_address]
                    self.addresses += [str(h) for h in hosts]
        self.used: dict[str, str] = {}

    @property
    def configured(self) -> bool:
        return bool(self.addresses)

    def take(self, ip: str, owner: str) -> None:
        self.used[ip] = owner

    def release_owner(self, owner: str) -> None:
        for ip in [ip for ip, o in self.used.items() if o == owner]:
            del self.used[ip]

    def allocate(self, owner: str) -> str | None:
        for ip in self.addresses:
            if ip not in self.used:
                self.used[ip] = owner
                return ip
        return None


@dataclass
class Reservations:
    """Addresses the documents of one input ask for, before any of them is stored."""

    ips: dict[str, str] = field(default_factory=dict)
    ports: dict[int, str] = field(default_factory=dict)  # node port number -> owner


IPV4, IPV6 = "IPv4", "IPv6"
SINGLE_STACK, PREFER_DUAL_STACK, REQUIRE_DUAL_STACK = "SingleStack", "PreferDualStack", "RequireDualStack"


def _family_of(ip: str) -> str:
    try:
        return IPV6 if ipaddress.ip_address(ip).version == 6 else IPV4
    except ValueError:
        return "unknown"


def _spec_cluster_ips(spec: dict) -> list[str]:
    """spec.clusterIPs as normalizeClusterIPs leaves it: a lone clusterIP is the list's one entry."""
    ips = [str(ip) for ip in spec.get("clusterIPs") or ()]
    if not ips and spec.get("clusterIP"):
        ips = [str(spec["clusterIP"])]
    return ips


def _headless_selectorless(spec: dict) -> bool:
    return spec.get("clusterIP") == "None" and not spec.get("selector")


def service_ip_families(spec: dict, old_spec: dict | None, configured: tuple[str, ...]) -> tuple[str, list[str], list]:
    """(ipFamilyPolicy, ipFamilies, errors) as alloc.go initIPFamilyFields settles them on a
    cluster whose Service range has the `configured` families (kubeviz: IPv4 only).

    The policy defaults to the old object's, else RequireDualStack for a headless Service
    without selector (it may list both families even on a single-stack cluster), else
    SingleStack. Families come from the document, then from the cluster IPs, then the cluster's
    default. Demanding what the cluster does not have is an error: RequireDualStack on a
    single-stack cluster, a family (or a cluster IP of a family) it is not configured for."""
    policy = spec.get("ipFamilyPolicy")
    if policy is None:
        if old_spec is not None and old_spec.get("ipFamilyPolicy"):
            policy = old_spec["ipFamilyPolicy"]
        elif _headless_selectorless(spec):
            policy = REQUIRE_DUAL_STACK
        else:
            policy = SINGLE_STACK
    families = [str(f) for f in spec.get("ipFamilies") or ()]
    cluster_ips = _spec_cluster_ips(spec)
    errors = []
    if policy == SINGLE_STACK:
        if len(cluster_ips) == 2:
            errors.append(
                invalid(
                    "spec.ipFamilyPolicy",
                    policy,
                    "must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified",
                )
            )
        if len(families) == 2:
            errors.append(
                invalid(
                    "spec.ipFamilyPolicy",
                    policy,
                    "must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified",
                )
            )
    for i, ip in enumerate(cluster_ips):
        if ip == "None":
            break
        family = _family_of(ip)
        if i >= len(families):
            if family not in configured:
                errors.append(
                    invalid(f"spec.clusterIPs[{i}]", cluster_ips, f"{family} is not configured on this cluster")
                )
            else:
                families.append(family)
    if errors:
        return policy, families, errors
    if _headless_selectorless(spec):
        if not families:
            families = [configured[0]]
        if len(families) < 2 and policy != SINGLE_STACK:
            families.append(IPV6 if families[0] == IPV4 else IPV4)
        return policy, families, []
    if policy == REQUIRE_DUAL_STACK and len(configured) < 2:
        errors.append(invalid("spec.ipFamilyPolicy", policy, "this cluster is not configured for dual-stack services"))
    for i, family in enumerate(families):
        if family not in configured:
            errors.append(invalid(f"spec.ipFamilies[{i}]", family, "not configured on this cluster"))
    if errors:
        return policy, families, errors
    return policy, families or [configured[0]], []


def should_allocate_node_ports(spec: dict) -> bool:
    """alloc.go shouldAllocateNodePorts: NodePort always; LoadBalancer unless
    allocateLoadBalancerNodePorts is false (a port's explicit nodePort is still honoured)."""
    stype = spec.get("type")
    if stype == "NodePort":
        return True
    return stype == "LoadBalancer" and spec.get("allocateLoadBalancerNodePorts") is not False


def needs_health_check(spec: dict) -> bool:
    """pkg/api/service NeedsHealthCheck: a LoadBalancer with externalTrafficPolicy Local."""
    return spec.get("type") == "LoadBalancer" and spec.get("externalTrafficPolicy") == "Local"


def _requested_node_port(number, ports: list) -> int:
    """alloc.go findRequestedNodePort: the nodePort some port of this number asks for, or 0."""
    for port in ports:
        if port.get("port") == number and port.get("nodePort"):
            return port["nodePort"]
    return 0


def _as_problem(error) -> Problem:
    return Problem(error.field, error.message())


class Allocations:
    """Every allocator of one cluster, kept in step with its store: what is stored holds its
    addresses (so a cluster restored from its objects allocates as the original would)."""

    def __init__(self, settings: ClusterSettings, store: Store) -> None:
        self.settings = settings
        self.store = store
        self.service_ips = ServiceIPAllocator(settings.service_cidr)
        self.node_ports = NodePortAllocator(*settings.node_port_range)
        self.lb_pool = PoolAllocator(settings.load_balancer_pool)
        self.pod_ips: dict[str, PodIPAllocator] = {}  # node name -> its podCIDR's allocator
        self._just_given: str | None = None  # the pod address pod_ip() gave last, already marked used
        store.watch(("Pod",), self._pod_added, self._pod_removed)
        store.watch(("Service",), self._service_added, self._service_removed)

    # ------------------------------------------------------------------ what the store holds
    def _pod_added(self, pod: Pod) -> None:
        ip = pod.ip
        if ip is self._just_given:  # a new pod with the address it was just given
            self._just_given = None
        elif ip and pod.node:
            self.pod_allocator(pod.node).take(ip)

    def _pod_removed(self, pod: Pod) -> None:
        if pod.node and pod.ip and pod.node in self.pod_ips:
            self.pod_ips[pod.node].release(pod.ip)

    def _service_added(self, svc: Service) -> None:
        if svc.has_cluster_ip:
            self.service_ips.take(svc.cluster_ip, svc.uid)
        for port in svc.ports:
            if port.node_port:
                self.node_ports.take(port.node_port, svc.uid)
        health = (svc.manifest.get("spec") or {}).get("healthCheckNodePort")
        if health:
            self.node_ports.take(health, svc.uid)
        for ip in svc.load_balancer_ips:
            self.lb_pool.take(ip, svc.uid)

    def _service_removed(self, svc: Service) -> None:
        self.service_ips.release(svc.cluster_ip, svc.uid)
        self.node_ports.release_owner(svc.uid)
        self.lb_pool.release_owner(svc.uid)

    def forget_node(self, name: str) -> None:
        """A deleted node's pod range is free again."""
        self.pod_ips.pop(name, None)

    # ------------------------------------------------------------------ pods
    def pod_allocator(self, node_name: str) -> PodIPAllocator:
        allocator = self.pod_ips.get(node_name)
        if allocator is None:
            node = self.store.objects["Node"].get(("", node_name))
            cidr = node.pod_cidr if node and node.pod_cidr else "0.0.0.0/32"
            allocator = PodIPAllocator(cidr, last=int(self.store.state["ipam"].get(node_name, 1)))
            self.pod_ips[node_name] = allocator
        return allocator

    def pod_ip(self, node_name: str) -> str | None:
        """The next address of the node's pod range (None when it is full); where the range
        continues from is kept in the cluster's state."""
        allocator = self.pod_ips.get(node_name) or self.pod_allocator(node_name)
        ip = allocator.allocate()
        self.store.state["ipam"][node_name] = allocator.last
        self._just_given = ip
        return ip

    # ------------------------------------------------------------------ nodes
    def allocate_node(self, manifest: dict) -> None:
        """A new node's podCIDR (the next free /24) and InternalIP, unless its document gives them."""
        spec = manifest.setdefault("spec", {})
        used_cidrs = {n.pod_cidr for n in self.store.objects["Node"].values()}
        if not spec.get("podCIDR"):
            index = 0
            while node_pod_cidr(self.settings.pod_cidr, index) in used_cidrs:
                index += 1
            spec["podCIDR"] = node_pod_cidr(self.settings.pod_cidr, index)
        spec.setdefault("podCIDRs", [spec["podCIDR"]])
        status = manifest.setdefault("status", {})
        addresses = status.get("addresses") or []
        if not any(a.get("type") == "InternalIP" for a in addresses):
            used_ips = {n.ip for n in self.store.objects["Node"].values()}
            host = 2
            while f"{NODE_NETWORK_PREFIX}{host}" in used_ips:
                host += 1
            addresses = [
                {"type": "InternalIP", "address": f"{NODE_NETWORK_PREFIX}{host}"},
                {"type": "Hostname", "address": manifest["metadata"]["name"]},
                *list(addresses),
            ]
        status["addresses"] = addresses
        status.setdefault("conditions", [{"type": "Ready", "status": "True", "reason": "KubeletReady"}])

    # ------------------------------------------------------------------ Services
    @property
    def ip_families(self) -> tuple[str, ...]:
        """The families the Service range is configured for (one: kubeviz clusters are single-stack)."""
        return (IPV6,) if self.service_ips.network.version == 6 else (IPV4,)

    def allocate_service(self, manifest: dict, old: Service | None) -> None:
        """The Service REST storage's allocation (alloc.go allocateCreate / allocateUpdate): IP
        families, ClusterIP, NodePorts, the health-check node port, and the load-balancer
        address; an update keeps what the old version had. What a document asks for explicitly
        was checked by `check_service`."""
        spec = manifest["spec"]
        uid = manifest["metadata"]["uid"]
        stype = spec.get("type", "ClusterIP")
        old_spec = (old.manifest.get("spec") or {}) if old is not None else None
        if stype == "ExternalName":
            for key in ("clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"):
                spec.pop(key, None)  # dropTypeDependentFields
        else:
            policy, families, _errors = service_ip_families(spec, old_spec, self.ip_families)
            spec["ipFamilyPolicy"] = policy
            spec["ipFamilies"] = families
            if not spec.get("clusterIP"):
                ip = old.cluster_ip if old is not None and old.has_cluster_ip else self.service_ips.allocate(uid, uid)
                spec["clusterIP"] = ip
                spec["clusterIPs"] = [ip]
            else:
                spec.setdefault("clusterIPs", [spec["clusterIP"]])
                if spec["clusterIP"] != "None":
                    self.service_ips.take(spec["clusterIP"], uid)
        if stype in ("NodePort", "LoadBalancer"):
            if old is None:
                self._init_node_ports(spec, uid)
            else:
                self._update_node_ports(spec, old, uid)
        else:
            for port in spec.get("ports") or []:
                port.pop("nodePort", None)
        if needs_health_check(spec):
            # allocHealthCheckNodePort: kube-proxy's health check for the Local policy.
            if not spec.get("healthCheckNodePort"):
                keep = (
                    old_spec.get("healthCheckNodePort")
                    if old_spec is not None and needs_health_check(old_spec)
                    else None
                )
                spec["healthCheckNodePort"] = keep or self.node_ports.allocate(f"{uid}/health", uid)
            self.node_ports.take(spec["healthCheckNodePort"], uid)
        else:
            spec.pop("healthCheckNodePort", None)
        status = manifest.setdefault("status", {})
        if stype == "LoadBalancer":
            lb = status.get("loadBalancer") or {}
            if not lb.get("ingress"):
                keep = old.load_balancer_ips if old is not None else ()
                ip = keep[0] if keep else (self.lb_pool.allocate(uid) if self.lb_pool.configured else None)
                status["loadBalancer"] = {"ingress": [{"ip": ip, "ipMode": "VIP"}]} if ip else {}
        else:
            status["loadBalancer"] = {}

    def _init_node_ports(self, spec: dict, uid: str) -> None:
        """alloc.go initNodePorts: ports of the same number share one node port (53/TCP and
        53/UDP of a DNS Service), the one a port of that number asks for if any; without
        allocateLoadBalancerNodePorts, only the ports that ask for one get it."""
        ports = spec.get("ports") or []
        by_number: dict = {}
        allocate = should_allocate_node_ports(spec)
        for index, port in enumerate(ports):
            if not port.get("nodePort") and not allocate:
                continue
            number = port.get("port")
            shared = by_number.get(number)
            if shared is None:
                requested = _requested_node_port(number, ports)
                node_port = requested or self.node_ports.allocate(f"{uid}/{index}", uid)
                self.node_ports.take(node_port, uid)
                port["nodePort"] = by_number[number] = node_port
            elif not port.get("nodePort"):
                port["nodePort"] = shared
            else:
                self.node_ports.take(port["nodePort"], uid)

    def _update_node_ports(self, spec: dict, old: Service, uid: str) -> None:
        """alloc.go updateNodePorts: a port keeps the node port it names; one without gets the next
        free port (no sharing by number on update). The old version's ports it no longer names go
        back to the range when the new version replaces it in the store."""
        allocate = should_allocate_node_ports(spec)
        for index, port in enumerate(spec.get("ports") or []):
            if port.get("nodePort"):
                self.node_ports.take(port["nodePort"], uid)
            elif allocate:
                port["nodePort"] = self.node_ports.allocate(f"{uid}/{index}", uid)

    def check_service(self, obj: dict, old: Service | None, reservations: Reservations) -> list[Problem]:
        """What the Service REST storage's allocation refuses, in its words, before validation
        runs (genericregistry Store.Create calls BeginCreate first, and returns its error alone):
        the cluster-IP fields' pre-validation, IP families the cluster lacks, an explicit
        ClusterIP or node port that is taken (in the cluster or by an earlier document of this
        input) or out of range, and the health-check node port. Like the allocator, it stops at
        the first failing step."""
        spec = obj.get("spec") or {}
        stype = spec.get("type")
        owner = (
            old.uid if old is not None else f"pending:{obj['metadata'].get('namespace')}/{obj['metadata'].get('name')}"
        )
        if stype == "ExternalName":
            return []
        old_spec = (old.manifest.get("spec") or {}) if old is not None else None
        early = validate_cluster_ips_related(spec)
        if early:
            return [_as_problem(e) for e in early]
        _policy, _families, family_errors = service_ip_families(spec, old_spec, self.ip_families)
        if family_errors:
            return [_as_problem(e) for e in family_errors]
        cluster_ips = _spec_cluster_ips(spec)
        ip = cluster_ips[0] if cluster_ips else None
        if ip and ip != "None" and not (old is not None and old.cluster_ip == ip):
            try:
                self.service_ips.check(ip, owner)
                holder = reservations.ips.get(ip)
                if holder is not None and holder != owner:
                    raise AllocationError(f"failed to allocate IP {ip}: provided IP is already allocated")
            except AllocationError as exc:
                return [_as_problem(invalid("spec.clusterIPs", cluster_ips, str(exc)))]
            reservations.ips[ip] = owner
        taken: set[int] = set()  # what this Service's own allocation took so far

        def claim(port: int) -> None:
            if port in taken:
                raise AllocationError("provided port is already allocated")
            self.node_ports.check(port, owner)
            holder = reservations.ports.get(port)
            if holder is not None and holder != owner:
                raise AllocationError("provided port is already allocated")
            taken.add(port)

        if stype in ("NodePort", "LoadBalancer"):
            problem = (
                self._check_init_node_ports(spec, claim)
                if old is None
                else self._check_update_node_ports(spec, old, claim)
            )
            if problem is not None:
                return [problem]
        health = spec.get("healthCheckNodePort")
        had_health = old_spec is not None and needs_health_check(old_spec)
        if needs_health_check(spec) and health and not had_health:
            try:
                claim(health)
            except AllocationError as exc:
                # allocHealthCheckNodePort's error comes back as an internal error (alloc.go txnAllocNodePorts).
                return [
                    Problem(
                        "spec.healthCheckNodePort",
                        f"Internal error occurred: failed to allocate requested HealthCheck NodePort {health}: {exc}",
                    )
                ]
        for port in taken:
            reservations.ports[port] = owner
        return []

    @staticmethod
    def _check_init_node_ports(spec: dict, claim) -> Problem | None:
        """initNodePorts' explicit requests, in its order; the first refused one is the error."""
        ports = spec.get("ports") or []
        by_number: dict = {}
        allocate = should_allocate_node_ports(spec)
        for index, port in enumerate(ports):
            node_port = port.get("nodePort") or 0
            if not node_port and not allocate:
                continue
            number = port.get("port")
            shared = by_number.get(number)
            if shared is None:
                requested = _requested_node_port(number, ports)
                by_number[number] = requested or "next"
                wanted = requested
            elif node_port and node_port != shared:
                wanted = node_port
            else:
                continue
            if wanted:
                try:
                    claim(wanted)
                except AllocationError as exc:
                    return _as_problem(invalid(f"spec.ports[{index}].nodePort", wanted, str(exc)))
        return None

    @staticmethod
    def _check_update_node_ports(spec: dict, old: Service, claim) -> Problem | None:
        """updateNodePorts: a node port the old version did not have is allocated (once)."""
        old_numbers = {p.node_port for p in old.ports if p.node_port}
        seen: set[int] = set()
        for index, port in enumerate(spec.get("ports") or []):
            node_port = port.get("nodePort") or 0
            if not node_port or node_port in old_numbers or node_port in seen:
                continue
            try:
                claim(node_port)
            except AllocationError as exc:
                return _as_problem(invalid(f"spec.ports[{index}].nodePort", node_port, str(exc)))
            seen.add(node_port)
        return None
