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
"""

from __future__ import annotations

import contextlib
import functools
import ipaddress
from dataclasses import dataclass

from ..netaddr import int_to_ip, ip_to_int
from .generate import stable_int


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
