"""Cluster DNS: the records CoreDNS serves for Services and Pods, and a pod's resolver.

Two read-only views of a cluster:

* `dns_records(cluster)`: every record the cluster DNS answers (A, SRV, CNAME, PTR), as
  the Kubernetes DNS-based service discovery specification lays them out and as CoreDNS
  (the `kubernetes` plugin with kubeadm's Corefile) serves them.
* `resolve(cluster, pod, name, rtype)`: what the pod's stub resolver does with `name`:
  its /etc/resolv.conf as kubelet writes it, the search list and `ndots` as glibc walks
  them, each name asked in order, the first that answers.

Sources, cited in the comments as [spec], [coredns], [kubelet], [glibc], [docs]:

* [spec] kubernetes/dns docs/specification.md, schema 1.0.1.
* [coredns] coredns/coredns plugin/kubernetes/{kubernetes.go,parse.go,reverse.go} and
  plugin/backend_lookup.go, run with the Corefile kubeadm installs::

      kubernetes cluster.local in-addr.arpa ip6.arpa {
         pods insecure
         fallthrough in-addr.arpa ip6.arpa
      }
      forward . /etc/resolv.conf

* [kubelet] pkg/kubelet/network/dns/dns.go (getPodDNSType, GetPodDNS, appendDNSConfig).
* [glibc] resolv/res_query.c, __res_context_search (what `search` and `ndots` mean).
* [docs] kubernetes/website content/en/docs/concepts/services-networking/dns-pod-service.md.

The simulated cluster has no internet: names outside the cluster domain (and reverse
names of addresses the cluster does not know) go to an upstream resolver that knows none
of them, so they get NXDOMAIN, as single-label names like `redis-master.` do on any
real cluster. An ExternalName's CNAME is answered, but its target is not chased outside
the cluster.

Performance (state in `cluster.scratch["dns"]`): records are derived per Service from
(Service object, endpoints tuple) and per Pod from the Pod object, and re-derived only when
those objects change. A forward question is parsed as CoreDNS parses it
(`<...>.<service>.<namespace>.svc.<zone>`), so it costs a few dictionary look-ups and
never a scan. The index of every record (what PTR questions and the full listing need) is
brought up to date when `cluster.generation` moved, by comparing object identities and
moving only the records of what changed (one `sync`, as kube-proxy does); the sorted
listing is then patched by bisection.
"""

from __future__ import annotations

import bisect
import ipaddress
import math
from dataclasses import dataclass, field
from typing import NamedTuple

from .endpoints import Endpoint, cached_endpoints
from .model import Pod, Service
from .netaddr import ipv4_octets, is_dotted_quad

SUPPORTED_TYPES = ("A", "AAAA", "SRV", "CNAME", "PTR")
KUBE_DNS = ("kube-system", "kube-dns")
CLUSTER_DNS_OFFSET = 10  # kubeadm's clusterDNS: the 10th address of the service CIDR (10.96.0.10)
DEFAULT_NDOTS = 5  # [kubelet] defaultDNSOptions = ["ndots:5"]
RESOLVER_NDOTS = 1  # [glibc] ndots when resolv.conf says nothing
MAX_NDOTS = 15  # [glibc] RES_MAXNDOTS: larger values are capped
MAX_CNAME_CHAIN = 8  # [coredns] backend_lookup.go A(): stops following after 8 CNAMEs


class Record(NamedTuple):
    """One DNS record. A named tuple: records are hashed and compared by the ten thousand in the
    index, and a tuple does both in C."""

    name: str  # fully qualified, with the trailing dot
    type: str  # A, SRV, CNAME, PTR
    value: str  # presentation form

    def to_dict(self) -> dict:
        return {"name": self.name, "type": self.type, "value": self.value}


@dataclass(frozen=True)
class Resolution:
    """What a stub resolver got for one name.

    rcode: NOERROR (an answer, or NODATA when `answers` is empty: the name exists but has no
    record of that type), NXDOMAIN (no name tried exists), or SERVFAIL (no answer could be
    had at all; `error` says why in a sentence).
    """

    rcode: str
    fqdn: str | None  # the name that answered
    answers: tuple[Record, ...]
    tried: tuple[str, ...]
    error: str | None = None


@dataclass(frozen=True)
class ResolvConf:
    """A pod's /etc/resolv.conf, as kubelet and the container runtime write it."""

    nameservers: tuple[str, ...]
    searches: tuple[str, ...]
    options: tuple[str, ...]
    policy: str  # the dnsPolicy in effect (ClusterFirst, ClusterFirstWithHostNet, Default, None)

    @property
    def ndots(self) -> int:
        """[glibc] res_init: the last `ndots:N` option wins, capped at 15; 1 when absent."""
        value = RESOLVER_NDOTS
        for option in self.options:
            name, _, arg = option.partition(":")
            if name == "ndots" and arg.isdigit():
                value = min(int(arg), MAX_NDOTS)
        return value

    def text(self) -> str:
        """The file as containerd writes it: search, then nameservers, then options."""
        lines = []
        if self.searches:
            lines.append("search " + " ".join(self.searches))
        lines += [f"nameserver {ip}" for ip in self.nameservers]
        if self.options:
            lines.append("options " + " ".join(self.options))
        return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------- names
def zone_of(cluster) -> str:
    """The cluster domain as an absolute name: `cluster.local.`."""
    return cluster.settings.domain.strip(".").lower() + "."


def cluster_dns_ip(cluster) -> str:
    """kubelet's clusterDNS (kubeadm: the 10th address of the service CIDR)."""
    return cluster.service_ips.ip(CLUSTER_DNS_OFFSET)


def service_fqdn(service: Service, zone: str) -> str:
    return f"{service.name}.{service.namespace}.svc.{zone}"


# The four octets of a dotted-quad IPv4 address (no leading zeros, as Go's net.ParseIP and
# Python's ipaddress require), or None. Cheaper than ipaddress for the hot path.
_ipv4_octets = ipv4_octets


def _ipv4(text: str) -> str | None:
    return text if _ipv4_octets(text) is not None else None


def reverse_name(ip: str) -> str | None:
    """`10.96.0.44` -> `44.0.96.10.in-addr.arpa.` (IPv4 only; None for anything else)."""
    octets = _ipv4_octets(ip)
    if octets is None:
        return None
    return ".".join(reversed(octets)) + ".in-addr.arpa."


def dashed(ip: str) -> str:
    """[coredns] endpointHostname: an endpoint without a hostname is named by its dashed IP."""
    return ip.replace(".", "-") if "." in ip else ip.replace(":", "-")


def _absolute(name: str) -> str:
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
class _Contribution(NamedTuple):
    """The records one Service or Pod puts in the zone. `cluster_ptr` is the ClusterIP's PTR
    (also in `records`), which hides endpoint PTRs of the same address. A named tuple: one is
    made per pod, and compared by value when its object changed."""

    records: tuple[Record, ...]
    cluster_ptr: Record | None = None


_EMPTY = _Contribution(())


def service_records(service: Service, endpoints: tuple[Endpoint, ...], zone: str) -> _Contribution:
    """The records of one Service, given its endpoints."""
    base = service_fqdn(service, zone)
    out: list[Record] = []

    if service.type == "ExternalName":
        # [spec 2.5] `<service>.<ns>.svc.<zone>. IN CNAME <extname>.`; no SRV, no PTR.
        if service.external_name:
            out.append(Record(base, "CNAME", _absolute(service.external_name.lower())))
        return _Contribution(tuple(out))

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
    return _Contribution(tuple(out), cluster_ptr)


def pod_records(pod: Pod, zone: str) -> _Contribution:
    """[spec 2.6] `<a>-<b>-<c>-<d>.<ns>.pod.<zone>. A <a>.<b>.<c>.<d>` for each pod with an IP.
    CoreDNS with `pods insecure` (kubeadm's Corefile) answers such a name for *any* address in
    an existing namespace without checking that a pod has it (see `_Zone.insecure_pod_answer`);
    the listing shows the names of pods that exist."""
    ip = pod.ip
    if not ip or pod.terminal or not is_dotted_quad(ip):
        return _EMPTY
    return _Contribution((Record(f"{ip.replace('.', '-')}.{pod.namespace}.pod.{zone}", "A", ip),))  # dashed(ip)


# ---------------------------------------------------------------------- caches and the index
def _record_key(record: Record) -> tuple[str, str, str]:
    return (record.name, record.type, record.value)


@dataclass
class _State:
    """`cluster.scratch["dns"]`: records per Service and per Pod, each for the objects it was
    derived from, and the index of every record (for PTR questions and the full listing).

    Records are counted (two hostNetwork pods on one node give the same pod record), so a
    contribution can be removed exactly. The listing is kept sorted by bisection while changes
    are few, and sorted afresh after a bulk change."""

    zone: str
    services: dict = field(default_factory=dict)  # key -> (service, endpoints, contribution)
    forward: dict = field(default_factory=dict)  # key -> (contribution, {name: {type: records}})
    pods: dict = field(default_factory=dict)  # key -> (pod, contribution)
    indexed: dict = field(default_factory=dict)  # service key -> the contribution in the index
    counts: dict = field(default_factory=dict)  # Record -> how many contributions give it
    cluster_ptrs: dict = field(default_factory=dict)  # reverse name -> {Record: count}
    endpoint_ptrs: dict = field(default_factory=dict)  # reverse name -> {Record: count}
    services_generation: int = -1  # when the index last saw every Service
    pods_generation: int = -1  # when the index last saw every Pod
    listing: list | None = None  # the records sorted by (name, type, value)
    edits: int = 0

    def add(self, contribution: _Contribution) -> None:
        self._apply(contribution, 1)

    def remove(self, contribution: _Contribution) -> None:
        self._apply(contribution, -1)

    def _apply(self, contribution: _Contribution, delta: int) -> None:
        counts = self.counts
        cluster_ptr = contribution.cluster_ptr
        for record in contribution.records:  # multiset counts, inlined: this runs for every record
            if record[1] == "PTR":
                ptrs = self.cluster_ptrs if record is cluster_ptr else self.endpoint_ptrs
                name = record[0]
                bucket = ptrs.get(name)
                if bucket is None:
                    bucket = ptrs[name] = {}
                count = bucket.get(record, 0) + delta
                if count:
                    bucket[record] = count
                else:
                    del bucket[record]
                    if not bucket:
                        del ptrs[name]
            count = counts.get(record, 0) + delta
            if count:
                counts[record] = count
            else:
                del counts[record]
            if self.listing is not None and ((delta > 0 and count == 1) or (delta < 0 and count == 0)):
                self._edit(record, insert=delta > 0)

    def _edit(self, record: Record, insert: bool) -> None:
        if self.listing is None:
            return
        self.edits += 1
        if self.edits > 1000:  # a bulk change: sorting once is cheaper than bisecting each
            self.listing = None
            return
        at = bisect.bisect_left(self.listing, _record_key(record), key=_record_key)
        if insert:
            self.listing.insert(at, record)
        else:
            del self.listing[at]

    def sorted_records(self) -> list[Record]:
        if self.listing is None:
            self.listing = sorted(self.counts)  # a Record sorts as its (name, type, value) tuple
            self.edits = 0
        conflicts = self.cluster_ptrs.keys() & self.endpoint_ptrs.keys()
        if not conflicts:
            return self.listing
        # [coredns] reverse.go: where a ClusterIP has the address, endpoint PTRs are not answered.
        hidden = set()
        for name in conflicts:
            hidden.update(r for r in self.endpoint_ptrs[name] if r not in self.cluster_ptrs[name])
        return [r for r in self.listing if r not in hidden]

    def ptr_records(self, name: str) -> list[Record]:
        # [coredns] reverse.go serviceRecordForIP: a Service's ClusterIP first; only when no
        # ClusterIP matches, the endpoints with that address.
        bucket = self.cluster_ptrs.get(name) or self.endpoint_ptrs.get(name) or {}
        return sorted(bucket, key=_record_key)


def _state(cluster) -> _State:
    scratch = cluster.scratch.setdefault("dns", {})
    zone = zone_of(cluster)
    state = scratch.get("state")
    if state is None or state.zone != zone:
        state = scratch["state"] = _State(zone)
    return state


def _service_contribution(cluster, state: _State, service: Service) -> _Contribution:
    """The Service's records, re-derived only when the Service or its endpoints changed."""
    endpoints = cached_endpoints(cluster, service) if service.type != "ExternalName" else ()
    entry = state.services.get(service.key)
    if entry is not None and entry[0] is service and entry[1] is endpoints:
        return entry[2]
    contribution = service_records(service, endpoints, state.zone)
    if entry is not None and entry[2] == contribution:
        contribution = entry[2]  # e.g. a selected pod changed, but not its address or readiness
    state.services[service.key] = (service, endpoints, contribution)
    return contribution


def _service_names(cluster, state: _State, service: Service) -> dict:
    """The forward names one Service answers: {name: {type: sorted records}}."""
    contribution = _service_contribution(cluster, state, service)
    cached = state.forward.get(service.key)
    if cached is not None and cached[0] is contribution:
        return cached[1]
    names: dict[str, dict[str, list[Record]]] = {}
    for record in contribution.records:
        if record.type != "PTR":
            names.setdefault(record.name, {}).setdefault(record.type, []).append(record)
    for kinds in names.values():
        for rtype, records in kinds.items():
            kinds[rtype] = sorted(set(records), key=_record_key)
    state.forward[service.key] = (contribution, names)
    return names


def _sync_services(cluster, state: _State) -> None:
    """Bring the index up to date with every Service (for PTR questions and the listing)."""
    if state.services_generation == cluster.generation:
        return
    services = cluster.objects["Service"]
    for key, service in services.items():
        contribution = _service_contribution(cluster, state, service)
        old = state.indexed.get(key)
        if old is contribution:
            continue
        if old is not None:
            state.remove(old)
        state.add(contribution)
        state.indexed[key] = contribution
    if len(state.indexed) != len(services):  # the index holds every current key, plus removed ones
        for key in [k for k in state.indexed if k not in services]:
            state.remove(state.indexed.pop(key))
            state.services.pop(key, None)
            state.forward.pop(key, None)
    state.services_generation = cluster.generation


def _sync_pods(cluster, state: _State) -> None:
    if state.pods_generation == cluster.generation:
        return
    pods = cluster.objects["Pod"]
    for key, pod in pods.items():
        old = state.pods.get(key)
        if old is not None and old[0] is pod:
            continue
        contribution = pod_records(pod, state.zone)
        if old is not None:
            if old[1] == contribution:
                state.pods[key] = (pod, old[1])
                continue
            state.remove(old[1])
        state.add(contribution)
        state.pods[key] = (pod, contribution)
    if len(state.pods) != len(pods):
        for key in [k for k in state.pods if k not in pods]:
            state.remove(state.pods.pop(key)[1])
    state.pods_generation = cluster.generation


# ---------------------------------------------------------------------- all records
def dns_records(cluster) -> list[dict]:
    """Every record the cluster DNS answers for Services and Pods, as `{"name", "type", "value"}`,
    names absolute, values in presentation form, sorted by (name, type, value), without
    duplicates. Includes default/kubernetes and kube-system/kube-dns like any Service.

    Not listed: the `dns-version` TXT record [spec 2.2], and the pod names `pods insecure`
    would answer for addresses no pod has."""
    state = _state(cluster)
    _sync_services(cluster, state)
    _sync_pods(cluster, state)
    return [{"name": name, "type": rtype, "value": value} for name, rtype, value in state.sorted_records()]


# ---------------------------------------------------------------------- the server side
class _Zone:
    """CoreDNS's view of the cluster for one resolution: answers one question at a time."""

    def __init__(self, cluster, state: _State):
        self.cluster = cluster
        self.state = state
        self.zone = state.zone

    def namespace_exists(self, namespace: str) -> bool:
        return self.cluster.get("Namespace", "", namespace) is not None

    def lookup(self, name: str, rtype: str, follow: bool = True) -> tuple[str, list[Record]]:
        """One question: (rcode, answers); NOERROR with no answers is NODATA.
        `name` is absolute and lower-case; `follow` chases an ExternalName's CNAME."""
        if name.endswith(".in-addr.arpa."):
            _sync_services(self.cluster, self.state)
            answers = self.state.ptr_records(name)
            if not answers:
                return "NXDOMAIN", []
            return "NOERROR", answers if rtype == "PTR" else []
        zone = self.zone
        if name == zone:
            return "NOERROR", []  # the apex: SOA and NS only
        if not name.endswith("." + zone):
            # [coredns] `forward . /etc/resolv.conf`: the upstream, which knows nothing here
            return "NXDOMAIN", []
        # [coredns] parse.go parseRequest: <rest>.<namespace>.<svc|pod>.<zone>, where <rest> is
        # a service, an endpoint and a service, or _port._protocol and a service.
        labels = name[: -len(zone) - 1].split(".")
        kind = labels[-1]
        if kind not in ("svc", "pod"):
            return "NXDOMAIN", []
        if len(labels) == 1:
            return "NOERROR", []
        namespace = labels[-2]
        if len(labels) == 2:  # NODATA for an existing namespace
            return ("NOERROR" if self.namespace_exists(namespace) else "NXDOMAIN"), []
        if kind == "pod":
            if len(labels) != 3:
                return "NXDOMAIN", []
            pod = self.insecure_pod_answer(labels[0], namespace, name)
            if pod is None:
                return "NXDOMAIN", []
            return "NOERROR", [pod] if rtype == "A" else []
        if len(labels) > 5:
            return "NXDOMAIN", []
        service = self.cluster.services_in(namespace).get(labels[-3])
        if service is None:
            return "NXDOMAIN", []
        kinds = _service_names(self.cluster, self.state, service).get(name)
        if not kinds:
            return "NXDOMAIN", []
        answers = kinds.get(rtype)
        if answers:
            return "NOERROR", list(answers)
        cname = kinds.get("CNAME")
        if cname and follow and rtype in ("A", "AAAA"):
            return "NOERROR", self.follow_cname(cname[0], rtype)
        # [coredns] kubernetes.go Services(): "SRV for external services is not yet implemented",
        # so an SRV question for an ExternalName is NODATA; so is any type a name lacks.
        return "NOERROR", []

    def insecure_pod_answer(self, podname: str, namespace: str, name: str) -> Record | None:
        """[coredns] findPods with `pods insecure`: `<dashed-ip>.<ns>.pod.<zone>` answers with the
        address it spells as soon as the namespace exists, whether or not a pod has that IP."""
        if podname.count("-") != 3 or "--" in podname or not self.namespace_exists(namespace):
            return None
        ip = _ipv4(podname.replace("-", "."))
        return Record(name, "A", ip) if ip is not None else None

    def follow_cname(self, cname: Record, rtype: str) -> list[Record]:
        """[spec 2.5] an A question for an ExternalName is answered with the CNAME; [coredns]
        backend_lookup.go A() then follows a target inside the cluster zone itself (at most 8
        links, no loops). A target outside is resolved by the upstream, which the simulation
        does not have: the answer stops at the CNAME, as the client then sees it."""
        chain = [cname]
        seen = {cname.name}
        while len(chain) <= MAX_CNAME_CHAIN:
            target = chain[-1].value.lower()
            if target in seen or not target.endswith("." + self.zone):
                break
            seen.add(target)
            _rcode, found = self.lookup(target, rtype, follow=False)
            if found:
                return chain + found
            _rcode, following = self.lookup(target, "CNAME", follow=False)
            if not following:
                break
            chain.append(following[0])
        return chain


# ---------------------------------------------------------------------- the client side
def resolv_conf(cluster, pod: Pod | None) -> ResolvConf:
    """The pod's /etc/resolv.conf ([kubelet] GetPodDNS); `None` gives a resolver that asks the
    cluster DNS with no search list (a node's or an outside view, for traces).

    * ClusterFirst (the default): `nameserver <clusterDNS>`, `search <ns>.svc.<zone>
      svc.<zone> <zone>`, `options ndots:5`. A hostNetwork pod with ClusterFirst falls back
      to Default; ClusterFirstWithHostNet keeps the cluster DNS.
    * Default: the node's resolver (outside the simulation: no search list, ndots 1).
    * None: only what `dnsConfig` gives.
    * `dnsConfig` is appended: nameservers and searches without duplicates, options merged
      by name (the pod's value wins).
    """
    domain = zone_of(cluster).rstrip(".")
    if pod is None:
        return ResolvConf((cluster_dns_ip(cluster),), (), (), "ClusterFirst")
    spec = pod.spec
    policy = spec.get("dnsPolicy") or "ClusterFirst"
    if policy == "ClusterFirst" and spec.get("hostNetwork"):
        policy = "Default"
    if policy in ("ClusterFirst", "ClusterFirstWithHostNet"):
        servers = [cluster_dns_ip(cluster)]
        searches = [f"{pod.namespace}.svc.{domain}", f"svc.{domain}", domain]
        options = [f"ndots:{DEFAULT_NDOTS}"]
    else:  # Default (the node's resolv.conf, which the simulation leaves empty) or None
        servers, searches, options = [], [], []
    config = spec.get("dnsConfig") or {}
    if isinstance(config, dict):
        servers = _unique(servers + [str(s) for s in config.get("nameservers") or () if s])
        searches = _unique(searches + [str(s).rstrip(".") for s in config.get("searches") or () if s])
        options = _merge_options(options, config.get("options") or ())
    return ResolvConf(tuple(servers), tuple(searches), tuple(options), policy)


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _merge_options(existing: list[str], extra) -> list[str]:
    """[kubelet] mergeDNSOptions: options by name, a pod's dnsConfig option replacing one of the
    same name; `name:value` when a value is given."""
    merged: dict[str, str] = {}
    for option in existing:
        name, _, _ = option.partition(":")
        merged[name] = option
    for option in extra:
        if not isinstance(option, dict) or not option.get("name"):
            continue
        name = str(option["name"])
        value = option.get("value")
        merged[name] = f"{name}:{value}" if value not in (None, "") else name
    return list(merged.values())


def _nameserver(cluster, conf: ResolvConf) -> tuple[str, str | None]:
    """Which server answers: ("cluster", None), ("upstream", None) or ("none", why).

    [glibc] asks the first nameserver and moves on only when it does not answer."""
    if not conf.nameservers:
        if conf.policy == "Default":
            return "upstream", None  # the node's own resolver
        return "none", "the pod's /etc/resolv.conf has no nameserver (dnsPolicy None needs dnsConfig.nameservers)"
    kube_dns = cluster.get("Service", *KUBE_DNS)
    reasons = []
    for ip in conf.nameservers:
        if kube_dns is not None and kube_dns.cluster_ip == ip:
            if any(e.ready and e.protocol == "UDP" and e.port == 53 for e in cached_endpoints(cluster, kube_dns)):
                return "cluster", None
            reasons.append(
                f"{ip} is the ClusterIP of kube-system/kube-dns, which has no ready endpoint on "
                f"port 53/UDP (are the CoreDNS pods running?)"
            )
        elif _in_cluster_ranges(cluster, ip):
            other = next((s for s in cluster.list("Service") if s.cluster_ip == ip), None)
            if other is not None:
                reasons.append(f"{ip} is the ClusterIP of {other.ref}, which is not the cluster DNS")
            elif ip == cluster_dns_ip(cluster):
                reasons.append(
                    f"nothing answers at {ip}, where kubelet sends DNS queries: "
                    f"the kube-system/kube-dns Service that had this address is gone"
                )
            else:
                reasons.append(f"nothing answers DNS at {ip}")
        else:
            return "upstream", None
    return "none", "connection timed out; no servers could be reached: " + "; ".join(reasons)


def _in_cluster_ranges(cluster, ip: str) -> bool:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return True  # not an address at all: nothing to send to
    settings = cluster.settings
    for cidr in (settings.service_cidr, settings.pod_cidr):
        if address in ipaddress.ip_network(cidr, strict=False):
            return True
    return any(node.ip == ip for node in cluster.nodes())


def _name_problem(name: str) -> str | None:
    """res_mkquery's limits: labels of 1..63 octets, at most 253 octets in all."""
    if not name or name == ".":
        return "the name is empty"
    bare = name[:-1] if name.endswith(".") else name
    if len(bare) > 253:
        return "a DNS name is at most 253 characters"
    for label in bare.split("."):
        if not label:
            return "it has an empty label (two dots in a row, or a leading dot)"
        if len(label) > 63:
            return f"the label {label[:20]}... is longer than 63 characters"
    return None


def _search(ask, name: str, conf: ResolvConf) -> tuple[str, str | None, list[Record], list[str]]:
    """[glibc] __res_context_search, step by step:

    1. A name with a trailing dot is absolute: asked as it is, once, whatever the answer.
    2. A name with at least `ndots` dots is asked as it is first.
    3. Otherwise (or when that found nothing) each search domain is appended in turn; a name
       that exists without the asked type (NODATA) does not stop the walk.
    4. If the name was not asked as it is yet, it is asked last.
    The final rcode is the first as-is attempt's when there was one, else NODATA if some name
    existed, else NXDOMAIN."""
    tried: list[str] = []

    def query(fqdn: str):
        tried.append(fqdn)
        return ask(fqdn)

    dots = name.count(".")
    if name.endswith("."):
        rcode, answers = query(name)
        return rcode, (name if answers else None), answers, tried
    saved = None
    if dots >= conf.ndots:
        rcode, answers = query(name + ".")
        if answers:
            return rcode, name + ".", answers, tried
        saved = rcode
    got_nodata = False
    for domain in conf.searches:
        fqdn = f"{name}.{domain.rstrip('.')}."
        rcode, answers = query(fqdn)
        if answers:
            return rcode, fqdn, answers, tried
        got_nodata = got_nodata or rcode == "NOERROR"
    if saved is None:
        rcode, answers = query(name + ".")
        if answers:
            return rcode, name + ".", answers, tried
        got_nodata = got_nodata or rcode == "NOERROR"
    if saved is not None:
        return saved, None, [], tried
    return ("NOERROR" if got_nodata else "NXDOMAIN"), None, [], tried


def resolve(cluster, pod: Pod | None, name: str, rtype: str = "A") -> Resolution:
    """Resolve `name` (type A, AAAA, SRV, CNAME or PTR) as `pod`'s resolver does.

    `tried` lists the absolute names asked, in order, up to the first that answered; `fqdn`
    is that name (None when nothing answered). Conveniences of the usual tools: a PTR
    question for an IPv4 address asks its `in-addr.arpa.` name (as `nslookup 10.96.0.44` and
    `dig -x` do), and an A question for an IPv4 address is answered without asking DNS (as
    getaddrinfo does). Names are compared case-insensitively [spec 2.1]. Never raises: what
    cannot be resolved at all comes back as SERVFAIL with an `error` sentence."""
    rtype = (rtype or "A").upper()
    if rtype not in SUPPORTED_TYPES:
        return Resolution(
            "SERVFAIL", None, (), (), f"record type {rtype} is not simulated; use one of {', '.join(SUPPORTED_TYPES)}"
        )
    name = (name or "").strip()
    literal = _ipv4(name)
    if literal is not None:
        if rtype == "A":
            return Resolution("NOERROR", None, (Record(literal, "A", literal),), ())
        if rtype == "PTR":
            name = reverse_name(literal)
    problem = _name_problem(name)
    if problem:
        return Resolution("SERVFAIL", None, (), (), f"{name!r} is not a valid DNS name: {problem}")

    conf = resolv_conf(cluster, pod)
    server, why = _nameserver(cluster, conf)
    if server == "none":
        first = (
            name
            if name.endswith(".")
            else (
                name + "."
                if name.count(".") >= conf.ndots or not conf.searches
                else f"{name}.{conf.searches[0].rstrip('.')}."
            )
        )
        return Resolution("SERVFAIL", None, (), (first,), why)

    zone = _Zone(cluster, _state(cluster))

    def ask(fqdn: str) -> tuple[str, list[Record]]:
        lower = fqdn.lower()
        if server == "upstream":
            return "NXDOMAIN", []  # outside the simulation: no name is known there
        rcode, answers = zone.lookup(lower, rtype)
        if answers and lower != fqdn:  # answers carry the name as asked
            answers = [Record(fqdn, r.type, r.value) if r.name == lower else r for r in answers]
        return rcode, answers

    rcode, fqdn, answers, tried = _search(ask, name, conf)
    return Resolution(rcode, fqdn, tuple(answers), tuple(tried))


def resolve_query(cluster, source: str, name: str, rtype: str = "A") -> dict:
    """The `--resolve FROM NAME [TYPE]` query object of simulate-contract.md.

    `source` is NAMESPACE/POD. When the question cannot be asked or answered at all (no such
    pod, a pod without a network yet, a type the simulator does not know, an invalid name, no
    reachable DNS server) the object has rcode "SERVFAIL" and one more key, `error`, a
    sentence saying why; otherwise it has exactly the contract's keys."""
    rtype = (rtype or "A").upper()
    out = {
        "query": "resolve",
        "from": source,
        "name": name,
        "type": rtype,
        "rcode": "SERVFAIL",
        "fqdn": None,
        "answers": [],
        "tried": [],
    }
    namespace, slash, pod_name = (source or "").partition("/")
    pod = cluster.get("Pod", namespace, pod_name) if slash and namespace and pod_name else None
    if pod is None:
        if not (slash and namespace and pod_name):
            out["error"] = f"FROM must be NAMESPACE/POD, not {source!r}"
        else:
            out["error"] = (
                f"pod {pod_name!r} not found in namespace {namespace!r}: "
                f"DNS is resolved from inside a pod, so FROM must name an existing pod"
            )
        return out
    if not pod.ip or pod.terminal:
        state = pod.phase if pod.terminal or not pod.node else "without an IP"
        out["error"] = (
            f"pod {source} is {state}: only a running pod with an IP can send DNS queries (kubectl exec would fail too)"
        )
        return out
    result = resolve(cluster, pod, name, rtype)
    out.update(
        rcode=result.rcode, fqdn=result.fqdn, answers=[r.to_dict() for r in result.answers], tried=list(result.tried)
    )
    if result.error:
        out["error"] = result.error
    return out
