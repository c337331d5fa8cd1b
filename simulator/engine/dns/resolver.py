"""Resolving a name as a pod does: its /etc/resolv.conf as kubelet writes it, the search
list and `ndots` as glibc walks them, and CoreDNS answering each question in turn.

[kubelet] pkg/kubelet/network/dns/dns.go (getPodDNSType, GetPodDNS, appendDNSConfig);
[glibc] resolv/res_query.c, __res_context_search; [coredns] plugin/kubernetes/parse.go and
plugin/backend_lookup.go (see the package docstring).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..controllers.endpoints import cached_endpoints
from ..model import Pod
from ..netaddr import dotted_quad, in_network, is_ip
from .index import RecordIndex, record_index, service_names, sync_services
from .records import Record, cluster_dns_ip, reverse_name, zone_of

SUPPORTED_TYPES = ("A", "AAAA", "SRV", "CNAME", "PTR")
KUBE_DNS = ("kube-system", "kube-dns")
DEFAULT_NDOTS = 5  # [kubelet] defaultDNSOptions = ["ndots:5"]
RESOLVER_NDOTS = 1  # [glibc] ndots when resolv.conf says nothing
MAX_NDOTS = 15  # [glibc] RES_MAXNDOTS: larger values are capped
MAX_CNAME_CHAIN = 8  # [coredns] backend_lookup.go A(): stops following after 8 CNAMEs


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


# ---------------------------------------------------------------------- the server side
class _Zone:
    """CoreDNS's view of the cluster for one resolution: answers one question at a time."""

    def __init__(self, cluster, state: RecordIndex):
        self.cluster = cluster
        self.state = state
        self.zone = state.zone

    def namespace_exists(self, namespace: str) -> bool:
        return self.cluster.get("Namespace", "", namespace) is not None

    def lookup(self, name: str, rtype: str, follow: bool = True) -> tuple[str, list[Record]]:
        """One question: (rcode, answers); NOERROR with no answers is NODATA.
        `name` is absolute and lower-case; `follow` chases an ExternalName's CNAME."""
        if name.endswith(".in-addr.arpa."):
            sync_services(self.cluster, self.state)
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
        kinds = service_names(self.cluster, self.state, service).get(name)
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
        ip = dotted_quad(podname.replace("-", "."))
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
    if not is_ip(ip):
        return True  # not an address at all: nothing to send to
    settings = cluster.settings
    if in_network(ip, settings.service_cidr) or in_network(ip, settings.pod_cidr):
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
    literal = dotted_quad(name)
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

    zone = _Zone(cluster, record_index(cluster))

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
