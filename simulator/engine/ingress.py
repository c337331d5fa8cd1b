"""Ingress routing (networking.k8s.io/v1): which backend an HTTP request for a host and a
path reaches, as the cluster's ingress controller decides it.

The rules, and where they come from:

* Path types (kubernetes/website content/en/docs/concepts/services-networking/ingress.md,
  "Path types" and its "Examples" table; networking/v1 `HTTPIngressPath.pathType`):
  - `Exact` matches the URL path exactly, case-sensitively (`/foo` does not match `/foo/`).
  - `Prefix` matches element by element on the path split by `/`: `/foo/bar` matches
    `/foo/bar` and `/foo/bar/baz` but not `/foo/barbaz`; a trailing slash on either side
    is ignored (`/foo/` matches `/foo`).
  - `ImplementationSpecific` is up to the controller. The simulated controller is
    ingress-nginx, which writes such a path as a plain nginx prefix location
    (`location /testpath`, internal/ingress/controller/template/template.go buildLocation;
    only `Prefix` locations get the trailing-slash split in updateServerLocations). So it is
    a *string* prefix: `/testpath` also matches `/testpathology`. The v1beta1 course example
    `test-ingress` (no pathType) converts to this type (networking/v1beta1
    SetDefaults_HTTPIngressPath). An empty path means `/`.
* Multiple matches: the longest matching path wins; at equal length `Exact` beats `Prefix`
  (ingress.md "Multiple matches"). A `Prefix` path also beats an `ImplementationSpecific`
  path of the same length, as nginx's `location = /foo` / `location /foo/` pair does.
* Hosts (ingress.md "Hostname wildcards"): a precise host must equal the request's Host
  (case-insensitively, without the port); `*.foo.com` matches exactly one more DNS label
  (`bar.foo.com`, not `baz.bar.foo.com` nor `foo.com`). A rule without a host matches
  every request that no host rule claims.
* How several Ingresses combine (ingress-nginx internal/ingress/controller/controller.go
  createServers / getBackendServers, store.go sortIngressSlice):
  - the Ingresses are taken oldest first (creationTimestamp, ties by namespace/name in
    *descending* order, as ingress-nginx sorts them);
  - every host becomes one nginx `server`; rules for the same host from different Ingresses
    (in any namespace) are merged into it; the first Ingress to define a (path, pathType)
    keeps it;
  - rules without a host go to the catch-all server `_`;
  - the server for a host is chosen first (exact host, then wildcard, then `_`); only that
    server's paths are tried. An unmatched path does *not* fall back to the rules without a
    host;
  - an unmatched path goes to the `defaultBackend` of the Ingress that created the host's
    server; in the catch-all server, to the `defaultBackend` of the newest Ingress that has
    one; otherwise to the controller's own default backend, which answers 404.
  - paths with a `resource` backend are skipped (ingress-nginx only proxies to Services).
* Ingress class (ingress.md "Ingress class", "Default IngressClass"): the simulated cluster
  runs one controller, ingress-nginx, whose IngressClass `nginx` is the cluster default.
  It serves Ingresses of class `nginx` (`spec.ingressClassName` or the deprecated
  `kubernetes.io/ingress.class` annotation) and Ingresses without a class (the admission
  controller would have given them the default class). An Ingress of any other class is
  ignored: no controller in this cluster implements it.
* TLS (ingress.md "TLS"): a host is served over https with the Ingress's certificate when
  the Ingress that routes it lists it (or a matching wildcard) under `spec.tls[].hosts`.
  Otherwise ingress-nginx presents its self-signed "Kubernetes Ingress Controller Fake
  Certificate", which curl refuses, so an https request to such a host fails. Secrets are
  not simulated: a listed host is assumed to have a valid certificate.

Not modelled: regular expressions (`use-regex`, `rewrite-target` turn every path of the
server into a case-insensitive regex prefix in ingress-nginx), canary Ingresses,
`ssl-redirect` (plain http to a TLS host is answered, not redirected), URI normalisation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

CONTROLLER = "ingress-nginx"
DEFAULT_CLASS = "nginx"
SERVED_CLASSES = frozenset({DEFAULT_CLASS})
CATCH_ALL = "_"  # ingress-nginx's name for the server of rules without a host

EXACT = "Exact"
PREFIX = "Prefix"
IMPLEMENTATION_SPECIFIC = "ImplementationSpecific"
_TYPE_RANK = {EXACT: 2, PREFIX: 1, IMPLEMENTATION_SPECIFIC: 0}

# Why a request found no backend (`Routing.reason_id`).
NO_RULE = "ingress-no-rule"
NOT_TLS = "ingress-host-not-tls"


@dataclass(frozen=True, slots=True)
class Match:
    """Where the ingress controller sends a request."""

    ingress: str  # "namespace/name" of the Ingress whose rule (or defaultBackend) matched
    host: str | None  # the rule's host as written; None for a rule without host or a defaultBackend
    path: str | None  # the rule's path as written (None for a defaultBackend)
    path_type: str | None
    service: str  # "namespace/name" of the backend Service
    port: int | str | None  # service.port.number, or service.port.name
    default_backend: bool = False

    @property
    def namespace(self) -> str:
        return self.ingress.split("/", 1)[0]

    @property
    def service_name(self) -> str:
        return self.service.split("/", 1)[1]

    def to_dict(self) -> dict:
        return {
            "ingress": self.ingress,
            "host": self.host,
            "path": self.path,
            "pathType": self.path_type,
            "service": self.service,
            "port": self.port,
            "defaultBackend": self.default_backend,
        }


@dataclass(frozen=True, slots=True)
class Routing:
    """The answer for one request: a match, or the reason the controller answers with an error."""

    match: Match | None
    reason: str | None = None
    reason_id: str | None = None

    @property
    def ok(self) -> bool:
        return self.match is not None


# ---------------------------------------------------------------------- matching primitives
def normalize_host(host: str | None) -> str:
    """The Host header as nginx compares it: lower case, no port, no trailing dot."""
    if not host:
        return ""
    host = host.strip().lower()
    if host.startswith("["):  # [IPv6]:port
        return host.split("]", 1)[0] + "]"
    if host.count(":") == 1:
        host = host.split(":", 1)[0]
    return host.rstrip(".")


def host_matches(rule_host: str, request_host: str) -> bool:
    """ingress.md "Hostname wildcards": precise, or `*.suffix` covering exactly one DNS label."""
    rule_host = rule_host.lower()
    request_host = normalize_host(request_host)
    if rule_host.startswith("*."):
        suffix = rule_host[1:]  # ".foo.com"
        if not request_host.endswith(suffix):
            return False
        label = request_host[: -len(suffix)]
        return bool(label) and "." not in label
    return rule_host == request_host


def _elements(path: str) -> tuple[str, ...]:
    return tuple(e for e in path.split("/") if e)


def path_matches(path_type: str, path: str, request_path: str) -> bool:
    """Does one Ingress path match a request path? (ingress.md "Path types" and "Examples")."""
    path = path or "/"
    request_path = request_path or "/"
    if path_type == EXACT:
        return request_path == path
    if path_type == PREFIX:
        mine = _elements(path)
        return _elements(request_path)[: len(mine)] == mine
    # ImplementationSpecific, as ingress-nginx writes it: an nginx prefix location (string prefix).
    return request_path.startswith(path)


@dataclass(frozen=True, slots=True)
class Location:
    """One path of one Ingress rule, compiled."""

    path: str  # as written ("" means "/")
    path_type: str
    ingress: str
    rule_host: str | None
    service: str
    port: int | str | None
    elements: tuple[str, ...]
    length: int  # matched length for "longest match wins" (a Prefix path's trailing slash does not count)

    @classmethod
    def build(
        cls, path: str, path_type: str, ingress: str, rule_host: str | None, service: str, port: int | str | None
    ) -> Location:
        written = path or "/"
        length = len(written.rstrip("/")) if path_type == PREFIX else len(written)
        return cls(path, path_type, ingress, rule_host, service, port, _elements(written), length)

    def matches(self, request_path: str) -> bool:
        if self.path_type == PREFIX:
            return _elements(request_path)[: len(self.elements)] == self.elements
        return path_matches(self.path_type, self.path, request_path)

    def rank(self) -> tuple[int, int]:
        return (self.length, _TYPE_RANK.get(self.path_type, 0))

    def to_match(self) -> Match:
        return Match(self.ingress, self.rule_host, self.path or "/", self.path_type, self.service, self.port)

    def describe(self) -> str:
        return f"{self.path or '/'} ({self.path_type})"


@dataclass
class Server:
    """An nginx `server`: one host (or the catch-all `_`) with the paths of every Ingress for it."""

    name: str
    locations: list[Location] = field(default_factory=list)
    default: Match | None = None  # an Ingress defaultBackend for unmatched paths
    tls: bool = False
    ingresses: list[str] = field(default_factory=list)

    def best(self, request_path: str) -> Location | None:
        best: Location | None = None
        for loc in self.locations:
            if loc.matches(request_path) and (best is None or loc.rank() > best.rank()):
                best = loc
        return best


@dataclass(frozen=True, slots=True)
class Ignored:
    ingress: str
    ingress_class: str
    hosts: tuple[str, ...]


class RoutingTable:
    """The ingress controller's configuration, compiled from every Ingress it serves."""

    def __init__(self) -> None:
        self.exact: dict[str, Server] = {}
        self.wildcard: dict[str, Server] = {}  # ".foo.com" -> server of "*.foo.com"
        self.catch_all = Server(CATCH_ALL)
        self.ignored: list[Ignored] = []
        self.served: list[str] = []

    # -- building
    def _server(self, host: str | None) -> tuple[Server, bool]:
        if not host:
            return self.catch_all, False
        host = host.lower()
        table = self.wildcard if host.startswith("*.") else self.exact
        key = host[1:] if host.startswith("*.") else host
        server = table.get(key)
        if server is None:
            server = table[key] = Server(host)
            return server, True
        return server, False

    @classmethod
    def build(cls, ingresses) -> RoutingTable:
        table = cls()
        for ing in sorted_for_controller(ingresses):
            ref = f"{ing.namespace}/{ing.name}"
            ing_class = ing.ingress_class
            spec = ing.spec if isinstance(ing.spec, dict) else {}
            rules = [r for r in spec.get("rules") or () if isinstance(r, dict)]
            if ing_class is not None and ing_class not in SERVED_CLASSES:
                hosts = tuple(sorted({(r.get("host") or "*") for r in rules})) or ("*",)
                table.ignored.append(Ignored(ref, ing_class, hosts))
                continue
            table.served.append(ref)
            default = _backend_match(ing, spec.get("defaultBackend"))
            if default is not None:
                # The catch-all server's default location takes every Ingress's defaultBackend in
                # turn (createServers), so the newest one wins.
                table.catch_all.default = default
            tls_hosts = [
                h.lower()
                for t in spec.get("tls") or ()
                if isinstance(t, dict)
                for h in t.get("hosts") or ()
                if isinstance(h, str)
            ]
            for rule in rules:
                host = rule.get("host") or None
                server, created = table._server(host)
                if created:
                    server.default = default
                if ref not in server.ingresses:
                    server.ingresses.append(ref)
                if host and any(t == host.lower() or host_matches(t, host) for t in tls_hosts):
                    server.tls = True
                http = rule.get("http") if isinstance(rule.get("http"), dict) else {}
                for p in http.get("paths") or ():
                    if not isinstance(p, dict):
                        continue
                    backend = _backend_match(ing, p.get("backend"))
                    if backend is None:  # a resource backend: ingress-nginx skips it
                        continue
                    path = p.get("path") or ""
                    path_type = p.get("pathType") or IMPLEMENTATION_SPECIFIC
                    if any(
                        (loc.path or "/") == (path or "/") and loc.path_type == path_type for loc in server.locations
                    ):
                        continue  # the older Ingress keeps this location
                    server.locations.append(Location.build(path, path_type, ref, host, backend.service, backend.port))
        return table

    # -- reading
    def server_for(self, host: str | None) -> Server:
        host = normalize_host(host)
        server = self.exact.get(host)
        if server is not None:
            return server
        if "." in host:
            server = self.wildcard.get(host[host.index(".") :])
            if server is not None and host_matches(server.name, host):
                return server
        return self.catch_all

    def route(self, host: str | None, path: str, scheme: str = "http") -> Routing:
        path = path or "/"
        shown_host = normalize_host(host) or "(none)"
        server = self.server_for(host)
        if scheme == "https" and not server.tls:
            return Routing(
                None,
                (
                    f"host {shown_host} is not listed under spec.tls of the Ingress that routes it: the ingress "
                    'controller presents its self-signed default certificate ("Kubernetes Ingress Controller Fake '
                    'Certificate"), which curl refuses'
                ),
                NOT_TLS,
            )
        loc = server.best(path)
        if loc is not None:
            return Routing(loc.to_match())
        if server.default is not None:
            return Routing(server.default)
        return Routing(None, self._no_rule(server, shown_host, path), NO_RULE)

    def _no_rule(self, server: Server, host: str, path: str) -> str:
        text = f"no Ingress rule matches host {host} and path {path}: the ingress controller answers 404"
        notes = []
        if server.locations:
            label = "rules without a host" if server is self.catch_all else f"rules for {server.name}"
            notes.append(f"{label}: " + ", ".join(loc.describe() for loc in server.locations))
        ignored = [i for i in self.ignored if any(h == "*" or host_matches(h, host) for h in i.hosts)]
        for item in ignored[:2]:
            notes.append(
                f"Ingress {item.ingress} has class {item.ingress_class!r}, which no controller in this "
                f"cluster serves (the {CONTROLLER} controller serves class {DEFAULT_CLASS!r} and "
                "Ingresses without a class)"
            )
        if not self.served and not self.ignored:
            notes.append("there is no Ingress in the cluster")
        return text + (f" ({'; '.join(notes)})" if notes else "")

    def claims(self, host: str | None) -> bool:
        """Does a served Ingress have a rule for exactly this host (or a wildcard covering it)?"""
        return self.server_for(host) is not self.catch_all


def sorted_for_controller(ingresses) -> list:
    """ingress-nginx store.go sortIngressSlice: oldest creationTimestamp first; equal timestamps
    by "namespace/name" descending."""

    def stamp(ing) -> str:
        return str((ing.manifest.get("metadata") or {}).get("creationTimestamp") or "")

    by_name = sorted(ingresses, key=lambda i: f"{i.namespace}/{i.name}", reverse=True)
    return sorted(by_name, key=stamp)  # stable: keeps the descending-name order within a timestamp


def _backend_match(ing, backend: Any) -> Match | None:
    if not isinstance(backend, dict):
        return None
    service = backend.get("service")
    if not isinstance(service, dict) or not service.get("name"):
        return None
    port = service.get("port") if isinstance(service.get("port"), dict) else {}
    number = port.get("number")
    return Match(
        f"{ing.namespace}/{ing.name}",
        None,
        None,
        None,
        f"{ing.namespace}/{service['name']}",
        number if number is not None else (port.get("name") or None),
        True,
    )


# ---------------------------------------------------------------------- the cached table
def routing_table(cluster) -> RoutingTable:
    """The compiled table, in the engine's `ingress` memo: rebuilt only when an Ingress was
    created, changed or deleted (objects are immutable, so identity says "unchanged"; looked at
    once per cluster generation)."""
    memo = cluster.memos["ingress"]
    return memo.get("table", cluster.generation, _current_table, memo, cluster)


def _current_table(memo, cluster) -> RoutingTable:
    ingresses = tuple(cluster.list("Ingress"))
    return memo.get("table of", ingresses, RoutingTable.build, ingresses)


def route(cluster, host: str | None, path: str, scheme: str = "http") -> Routing:
    """Where the ingress controller sends `scheme://host/path`, or why it cannot."""
    return routing_table(cluster).route(host, path, scheme)


def match(cluster, host: str | None, path: str, scheme: str = "http") -> Match | None:
    """The matched rule or defaultBackend for a request, or None (the controller's 404)."""
    return route(cluster, host, path, scheme).match


__all__ = [
    "CONTROLLER",
    "DEFAULT_CLASS",
    "EXACT",
    "IMPLEMENTATION_SPECIFIC",
    "NOT_TLS",
    "NO_RULE",
    "PREFIX",
    "SERVED_CLASSES",
    "Location",
    "Match",
    "Routing",
    "RoutingTable",
    "Server",
    "host_matches",
    "match",
    "normalize_host",
    "path_matches",
    "route",
    "routing_table",
    "sorted_for_controller",
]
