"""Pod address allocation (simulator/engine/ipam.py)."""

from __future__ import annotations

import ipaddress

import pytest

from simulator.engine.apiserver.allocate import PodIPAllocator


@pytest.mark.parametrize(
    "cidr",
    [
        "10.244.3.0/24",
        "10.244.3.128/25",
        "10.244.0.0/16",
        "10.1.2.0/30",
        "10.1.2.4/30",
        "192.168.0.0/23",
        "0.0.0.0/32",
        "fd00::/120",
    ],
)
def test_pod_ips_are_the_ranges_addresses_in_host_local_order(cidr):
    network = ipaddress.ip_network(cidr)
    allocator = PodIPAllocator(cidr)
    given = []
    for _ in range(min(network.num_addresses, 600)):
        ip = allocator.allocate()
        if ip is None:
            break
        given.append(ip)
    span = max(network.num_addresses - 3, 0)
    want = [str(network.network_address + 2 + (i % span)) for i in range(min(span, 600))] if span else []
    assert given == want[: len(given)] and len(given) == min(span, 600)
