"""Every IP and CIDR helper of the engine.

Text <-> integer conversions are fast for IPv4 (ipaddress is ~20x slower per call), as the hot
paths need; IPv6 and anything unusual falls back to the standard library. Parsing follows the
component that parses: Python's and Go's strict parser (`is_ip`, `is_ipv4`), Go 1.16's sloppy
one that validation still uses (`parse_ip_sloppy`), and kube-proxy's (`proxier_ipv4`)."""

from __future__ import annotations

import functools
import ipaddress
import re
from socket import inet_aton

# A dotted-quad IPv4 address exactly as Go's net.ParseIP and Python's ipaddress take it: four
# decimal octets of ASCII digits, 0-255, no leading zeros.
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])"
_DOTTED_QUAD = re.compile(rf"{_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET}")


def is_ip(text: str) -> bool:
    """An IPv4 or IPv6 address as ipaddress (and Go's net.ParseIP, since 1.17) accepts it."""
    try:
        ipaddress.ip_address(text)
        return True
    except ValueError:
        return False


def is_ipv4(text: str) -> bool:
    """An IPv4 address in dotted-quad form, as ipaddress accepts it."""
    try:
        ipaddress.IPv4Address(text)
        return True
    except ValueError:
        return False


def dotted_quad(text: str) -> str | None:
    """`text` when it is a dotted-quad IPv4 address (what is_dotted_quad accepts), else None."""
    return text if _DOTTED_QUAD.fullmatch(text) is not None else None


def is_dotted_quad(text: str) -> bool:
    """True for an IPv4 address as ipaddress accepts it (what ipv4_octets finds octets in)."""
    return _DOTTED_QUAD.fullmatch(text) is not None


def ipv4_octets(text: str) -> list[str] | None:
    """The four octets of a dotted-quad IPv4 address, or None (one regex match instead of
    ipaddress's per-octet checks)."""
    return text.split(".") if _DOTTED_QUAD.fullmatch(text) else None


def ip_sort_key(text: str) -> tuple:
    """(0, the address as an integer) for an IPv4 or IPv6 address, (1, text) for anything else:
    addresses in numeric order, then the rest. Same as calling ipaddress.ip_address, faster for IPv4."""
    if type(text) is str and _DOTTED_QUAD.fullmatch(text):
        return (0, int.from_bytes(inet_aton(text), "big"))  # a dotted quad: inet_aton reads it the same
    try:
        return (0, int(ipaddress.ip_address(text)))
    except ValueError:
        return (1, text)


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


def nth_address(cidr: str, n: int) -> str:
    """The n-th address of a CIDR, counting its network address as 0 (`10.96.0.0/12`, 10 -> `10.96.0.10`)."""
    return int_to_ip(network(cidr)[0] + n)


def in_network(ip: str, cidr: str) -> bool:
    """Is the address inside the CIDR? (False for anything that is not an address.)"""
    try:
        return ipaddress.ip_address(ip) in ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return False


_IPV4_SLOPPY = re.compile(r"([0-9]+)\.([0-9]+)\.([0-9]+)\.([0-9]+)")


def parse_ip_sloppy(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """k8s.io/utils/net ParseIPSloppy: Go 1.16's net.ParseIP, which still accepted IPv4 octets
    with leading zeros ("010.0.0.1" is 10.0.0.1, decimal). Python's ipaddress rejects those, so
    IPv4 is parsed here; IPv6 zones ("fe80::1%eth0") are rejected as in Go."""
    m = _IPV4_SLOPPY.fullmatch(value)
    if m:
        octets = [int(g) for g in m.groups()]
        if all(o <= 255 for o in octets):
            return ipaddress.IPv4Address(".".join(map(str, octets)))
        return None
    if ":" not in value or "%" in value:
        return None
    try:
        return ipaddress.IPv6Address(value)
    except ValueError:
        return None


def proxier_ipv4(text) -> str | None:
    """net.ParseIP + String for kube-proxy's IPv4 proxier: the address as it writes it, None for
    anything else (IPv6, hostnames, junk)."""
    text = str(text).strip()
    if is_dotted_quad(text):
        return text  # already as net.IP.String writes it
    parts = text.split(".")
    if len(parts) == 4 and all(p.isdigit() and len(p) <= 3 and int(p) < 256 for p in parts):
        return ".".join(str(int(p)) for p in parts)
    try:
        return str(ipaddress.IPv4Address(text))
    except ValueError:
        return None


def proxier_ipv4_network(text) -> ipaddress.IPv4Network | None:
    """net.ParseCIDR for kube-proxy's IPv4 proxier: "203.0.113.7/24" is the network 203.0.113.0/24."""
    try:
        return ipaddress.IPv4Network(str(text).strip(), strict=False)
    except ValueError:
        return None
