"""Fast IPv4 text <-> integer conversions for the hot paths (ipaddress is ~20x slower per call).
IPv6 and anything unusual falls back to the standard library."""
from __future__ import annotations

import functools
import ipaddress


def ip_to_int(text: str) -> int:
    """The integer of an IPv4 (or IPv6) address; raises ValueError when it is not one."""
    parts = text.split(".")
    if len(parts) == 4:
        try:
            a, b, c, d = map(int, parts)
        except ValueError:
            raise ValueError(f"{text!r} is not an IP address") from None
        if 0 <= a < 256 and 0 <= b < 256 and 0 <= c < 256 and 0 <= d < 256 and text.replace(".", "").isdigit():
            return (a << 24) | (b << 16) | (c << 8) | d
        raise ValueError(f"{text!r} is not an IP address")
    return int(ipaddress.ip_address(text))


def int_to_ip(value: int) -> str:
    if 0 <= value < 1 << 32:
        return f"{value >> 24}.{(value >> 16) & 255}.{(value >> 8) & 255}.{value & 255}"
    return str(ipaddress.ip_address(value))


@functools.lru_cache(maxsize=65536)
def reverse_pointer(text: str) -> str:
    """`10.96.0.44` -> `44.0.96.10.in-addr.arpa` (no trailing dot), like ipaddress.reverse_pointer."""
    parts = text.split(".")
    if len(parts) == 4:
        return ".".join(reversed(parts)) + ".in-addr.arpa"
    return ipaddress.ip_address(text).reverse_pointer


@functools.lru_cache(maxsize=4096)
def network(cidr: str) -> tuple[int, int]:
    """(first address, size) of a CIDR."""
    net = ipaddress.ip_network(cidr, strict=False)
    return int(net.network_address), net.num_addresses

