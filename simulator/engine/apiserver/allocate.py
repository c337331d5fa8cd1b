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

from ..errors import Problem
from ..netaddr import int_to_ip, ip_to_int
from .generate import stable_int

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
    def __init__(self, low: int = 30000, high: int = 30000 + 2767):
        self.low, self.high = low, high
        size = high - low + 1
        self.static_band = min(max(16, size // 32), 128)
        self.used: dict[tuple[int, str], str] = {}  # (port, protocol) -> owner

    def check(self, port: int, protocol: str, owner: str) -> None:
        if not self.low <= port <= self.high:
            raise AllocationError(
                f"provided port is not in the valid range. The range of valid ports is {self.low}-{self.high}"
            )
        holder = self.used.get((port, protocol))
        if holder is not None and holder != owner:
            raise AllocationError("provided port is already allocated")

    def take(self, port: int, protocol: str, owner: str) -> None:
        self.used[(port, protocol)] = owner

    def release_owner(self, owner: str) -> None:
        for key in [k for k, v in self.used.items() if v == owner]:
            del self.used[key]

    def allocate(self, seed: str, protocol: str, owner: str) -> int:
        size = self.high - self.low + 1
        for band_lo, band_hi in ((self.static_band, size), (0, self.static_band)):
            span = band_hi - band_lo
            start = stable_int(seed) % span
            for step in range(span):
                port = self.low + band_lo + (start + step) % span
                if (port, protocol) not in self.used:
                    self.used[(port, protocol)] = owner
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
    ports: dict[tuple[int, str], str] = field(default_factory=dict)


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
                self.node_ports.take(port.node_port, port.protocol, svc.uid)
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
    def allocate_service(self, manifest: dict, old: Service | None) -> None:
        """ClusterIP, NodePorts and load-balancer address, as the apiserver's REST storage does
        (an update keeps what the old version had). Explicit values were checked by `check_service`."""
        spec = manifest["spec"]
        uid = manifest["metadata"]["uid"]
        stype = spec.get("type", "ClusterIP")
        if stype == "ExternalName":
            spec.pop("clusterIP", None)
            spec.pop("clusterIPs", None)
        elif not spec.get("clusterIP"):
            ip = old.cluster_ip if old is not None and old.has_cluster_ip else self.service_ips.allocate(uid, uid)
            spec["clusterIP"] = ip
            spec["clusterIPs"] = [ip]
        else:
            spec.setdefault("clusterIPs", [spec["clusterIP"]])
            if spec["clusterIP"] != "None":
                self.service_ips.take(spec["clusterIP"], uid)
        if stype in ("NodePort", "LoadBalancer"):
            old_ports = {(p.port, p.protocol): p.node_port for p in old.ports} if old else {}
            for index, port in enumerate(spec.get("ports") or []):
                if not port.get("nodePort"):
                    keep = old_ports.get((port.get("port"), port.get("protocol", "TCP")))
                    port["nodePort"] = keep or self.node_ports.allocate(
                        f"{uid}/{index}", port.get("protocol", "TCP"), uid
                    )
                self.node_ports.take(port["nodePort"], port.get("protocol", "TCP"), uid)
        else:
            for port in spec.get("ports") or []:
                port.pop("nodePort", None)
        if stype == "LoadBalancer" and spec.get("externalTrafficPolicy") == "Local":
            # The apiserver allocates a health-check node port for kube-proxy's Local policy
            # (pkg/registry/core/service/storage: allocHealthCheckNodePort).
            if not spec.get("healthCheckNodePort"):
                keep = (old.manifest.get("spec") or {}).get("healthCheckNodePort") if old is not None else None
                spec["healthCheckNodePort"] = keep or self.node_ports.allocate(f"{uid}/health", "TCP", uid)
            self.node_ports.take(spec["healthCheckNodePort"], "TCP", uid)
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

    def check_service(self, obj: dict, old: Service | None, reservations: Reservations) -> list[Problem]:
        """Explicit ClusterIP and nodePorts: free (in the cluster and in this input) and in range,
        worded as the Service REST storage's allocation errors."""
        errors = []
        spec = obj.get("spec") or {}
        owner = (
            old.uid if old is not None else f"pending:{obj['metadata'].get('namespace')}/{obj['metadata'].get('name')}"
        )
        ip = spec.get("clusterIP")
        if ip and ip != "None" and not (old is not None and old.cluster_ip == ip):
            try:
                self.service_ips.check(ip, owner)
                holder = reservations.ips.get(ip)
                if holder is not None and holder != owner:
                    raise AllocationError(f"failed to allocate IP {ip}: provided IP is already allocated")
                reservations.ips[ip] = owner
            except AllocationError as exc:
                errors.append(Problem("spec.clusterIPs", f'Invalid value: []string{{"{ip}"}}: {exc}'))
        if spec.get("type") in ("NodePort", "LoadBalancer"):
            mine = {(p.node_port, p.protocol) for p in old.ports} if old is not None else set()
            for index, port in enumerate(spec.get("ports") or []):
                node_port = port.get("nodePort")
                if not node_port or (node_port, port.get("protocol", "TCP")) in mine:
                    continue
                key = (node_port, port.get("protocol", "TCP"))
                try:
                    self.node_ports.check(node_port, key[1], owner)
                    holder = reservations.ports.get(key)
                    if holder is not None and holder != owner:
                        raise AllocationError("provided port is already allocated")
                    reservations.ports[key] = owner
                except AllocationError as exc:
                    errors.append(Problem(f"spec.ports[{index}].nodePort", f"Invalid value: {node_port}: {exc}"))
        return errors
