"""The records CoreDNS serves for one Service or one Pod, and the names they live under.

[spec] kubernetes/dns docs/specification.md (schema 1.0.1); [coredns] coredns/coredns
plugin/kubernetes/{kubernetes.go,parse.go,reverse.go} and plugin/backend_lookup.go, with the
Corefile kubeadm installs (see the package docstring).
"""

from __future__ import annotations

import math
from typing import NamedTuple

from ..apiserver.bootstrap import KUBE_DNS_OFFSET
from ..controllers.endpoints import Endpoint
from ..model import Pod, Service
from ..netaddr import ipv4_octets, is_dotted_quad, nth_address


class Record(NamedTuple):
    """One DNS record. A named tuple: records are hashed and compared by the ten thousand in the
    index, and a tuple does both in C."""

    name: str  # fully qualified, with the trailing dot
    type: str  # A, SRV, CNAME, PTR
    value: str  # presentation form

    def to_dict(self) -> dict:
        return {"name": self.name, "type": self.type, "value": self.value}


def zone_of(cluster) -> str:
    """The cluster domain as an absolute name: `cluster.local.`."""
    return cluster.settings.domain.strip(".").lower() + "."


def cluster_dns_ip(cluster) -> str:
    """kubelet's clusterDNS: where kubeadm put kube-dns, the 10th address of the Service range."""
    return nth_address(cluster.settings.service_cidr, KUBE_DNS_OFFSET)


def service_fqdn(service: Service, zone: str) -> str:
    return f"{service.name}.{service.namespace}.svc.{zone}"


def reverse_name(ip: str) -> str | None:
    """`10.96.0.44` -> `44.0.96.10.in-addr.arpa.` (IPv4 only; None for anything else)."""
    octets = ipv4_octets(ip)
    if octets is None:
        return None
    return ".".join(reversed(octets)) + ".in-addr.arpa."


def dashed(ip: str) -> str:
    """[coredns] endpointHostname: an endpoint without a hostname is named by its dashed IP."""
    return ip.replace(".", "-") if "." in ip else ip.replace(":", "-")


def absolute(name: str) -> str:
    return name if name.endswith(".") else name + "."


def srv_weight(count: int) -> int:
    """[coredns] backend_lookup.go SRV(): every record has priority 0 and weight 0 in the
    backend, which counts as 100, so each of `count` records at one priority gets
    floor(100 / (100 * count) * 100) in float64 (100, 50, 33, 25, 20, ...), at least 1.
    [spec] leaves priority and weight to the implementation (its examples show kube-dns's
    `10 100`)."""
    weight = math.floor(100.0 / float(100 * count) * 100)
    return weight if weight > 0 else 1


# ---------------------------------------------------------------------- records per object
class Contribution(NamedTuple):
    """The records one Service or Pod puts in the zone. `cluster_ptr` is the ClusterIP's PTR
    (also in `records`), which hides endpoint PTRs of the same address. A named tuple: one is
    made per pod, and compared by value when its object changed."""

    records: tuple[Record, ...]
    cluster_ptr: Record | None = None


EMPTY = Contribution(())


def service_records(service: Service, endpoints: tuple[Endpoint, ...], zone: str) -> Contribution:
    """The records of one Service, given its endpoints."""
    base = service_fqdn(service, zone)
    out: list[Record] = []

    if service.type == "ExternalName":
        # [spec 2.5] `<service>.<ns>.svc.<zone>. IN CNAME <extname>.`; no SRV, no PTR.
        if service.external_name:
            out.append(Record(base, "CNAME", absolute(service.external_name.lower())))
        return Contribution(tuple(out))

    # [coredns] object/endpoint.go keeps only ready addresses (EndpointSlice `ready`, which the
    # controller also sets for publishNotReadyAddresses); notReadyAddresses get no records.
    ready = [e for e in endpoints if e.ready]
    cluster_ptr = None

    if service.has_cluster_ip:
        ip = service.cluster_ip
        # [spec 2.3.1] A <cluster-ip>
        out.append(Record(base, "A", ip))
        # [spec 2.3.2] one SRV per *named* port (unnamed ports have none), target the Service
        # name, the Service's port. [coredns] one record per ClusterIP -> weight 100.
        for port in service.ports:
            if port.name:
                name = f"_{port.name}._{port.protocol.lower()}.{base}"
                out.append(Record(name, "SRV", f"0 {srv_weight(1)} {port.port} {base}"))
        # [spec 2.3.3] PTR for the ClusterIP
        ptr = reverse_name(ip)
        if ptr:
            cluster_ptr = Record(ptr, "PTR", base)
            out.append(cluster_ptr)
    elif service.headless:
        # [spec 2.4.1] one A per ready endpoint address; none at all (NXDOMAIN) without any.
        for ip in sorted({e.ip for e in ready}):
            out.append(Record(base, "A", ip))
        # [spec 2.4.2] one SRV per (ready endpoint, named port), target the endpoint's hostname,
        # port the endpoint's port. [coredns] SRV(): weight split over the records of the
        # answer, duplicates (same target and port) dropped after the weight was computed.
        by_port: dict[tuple[str, str], list[Endpoint]] = {}
        for e in ready:
            if e.port_name:
                by_port.setdefault((e.port_name, e.protocol), []).append(e)
        for (port_name, protocol), group in by_port.items():
            name = f"_{port_name}._{protocol.lower()}.{base}"
            weight = srv_weight(len(group))
            seen = set()
            for e in group:
                target = f"{e.hostname or dashed(e.ip)}.{base}"
                if (target, e.port) in seen:
                    continue
                seen.add((target, e.port))
                out.append(Record(name, "SRV", f"0 {weight} {e.port} {target}"))

    # Endpoint names: [spec 2.4.1] requires `<hostname>.<service>.<ns>.svc.<zone>. A` for ready
    # endpoints of headless Services, and [spec 2.4.3] their PTR. [coredns] findServices answers
    # any `<endpoint>.<service>...` query, headless or not (`svc.Headless() || r.endpoint != ""`),
    # naming an endpoint by its hostname (set by the endpoints controller when the pod's
    # `hostname` is set and its `subdomain` is the Service's name) or else by its dashed IP; and
    # reverse.go gives every ready endpoint address of every Service a PTR to that name.
    for ip, hostname in sorted({(e.ip, e.hostname or dashed(e.ip)) for e in ready}):
        name = f"{hostname}.{base}"
        out.append(Record(name, "A", ip))
        ptr = reverse_name(ip)
        if ptr:
            out.append(Record(ptr, "PTR", name))
    return Contribution(tuple(out), cluster_ptr)


def pod_records(pod: Pod, zone: str) -> Contribution:
    """[spec 2.6] `<a>-<b>-<c>-<d>.<ns>.pod.<zone>. A <a>.<b>.<c>.<d>` for each pod with an IP.
    CoreDNS with `pods insecure` (kubeadm's Corefile) answers such a name for *any* address in
    an existing namespace without checking that a pod has it (see `_Zone.insecure_pod_answer`);
    the listing shows the names of pods that exist."""
    ip = pod.ip
    if not ip or pod.terminal or not is_dotted_quad(ip):
        return EMPTY
    return Contribution((Record(f"{ip.replace('.', '-')}.{pod.namespace}.pod.{zone}", "A", ip),))  # dashed(ip)
