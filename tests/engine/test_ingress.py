"""Ingress routing follows the Kubernetes Ingress rules and ingress-nginx's reading of them.

Sources:
* kubernetes/website content/en/docs/concepts/services-networking/ingress.md: "Path types",
  the "Examples" table, "Multiple matches", "Hostname wildcards", "DefaultBackend", "TLS",
  and the examples it shows (simple fanout, name based virtual hosting, test-ingress).
* kubernetes/ingress-nginx internal/ingress/controller/controller.go (createServers,
  getBackendServers: one server per host, merged across Ingresses, default locations),
  store/store.go sortIngressSlice, template/template.go buildLocation (ImplementationSpecific
  is an nginx prefix location).
* The course material (docs/course.md §4): the v1beta1 `test-ingress` with `/testpath` and the
  single-service v1beta1 Ingress with `backend: testsvc:80`.
"""

from __future__ import annotations

import pytest

from simulator.engine import ingress
from simulator.engine.ingress import match, route, routing_table

from ..course import INGRESS_SINGLE_SERVICE, INGRESS_TESTPATH
from .conftest import cluster_with, yaml_text


def _ingress(
    name: str,
    paths: list[tuple[str, str]],
    host: str | None = None,
    default: str | None = None,
    extra_spec: str = "",
    metadata: str = "",
) -> str:
    """An Ingress whose path i sends to Service svc-i (so a match names the path that won)."""
    lines = ["apiVersion: networking.k8s.io/v1", "kind: Ingress", "metadata:", f"  name: {name}"]
    if metadata:
        lines += ["  " + line for line in metadata.splitlines()]
    lines.append("spec:")
    if extra_spec:
        lines += ["  " + line for line in extra_spec.splitlines()]
    if default:
        lines += ["  defaultBackend:", "    service:", f"      name: {default}", "      port: {number: 80}"]
    if paths:
        lines += ["  rules:", f'  - host: "{host}"' if host else "  - http:"]
        if host:
            lines.append("    http:")
        lines.append("      paths:")
        for i, (path, path_type) in enumerate(paths):
            lines += [
                f"      - path: {path}",
                f"        pathType: {path_type}",
                "        backend:",
                "          service:",
                f"            name: svc-{i}",
                "            port: {number: 80}",
            ]
    return "\n".join(lines) + "\n"


def _winner(paths: list[tuple[str, str]], request_path: str, default: str | None = None):
    cluster = cluster_with(_ingress("paths", paths, default=default))
    found = match(cluster, "example.com", request_path)
    if found is None:
        return None
    if found.default_backend:
        return "defaultBackend"
    return paths[int(found.service.rsplit("-", 1)[1])]


# ---------------------------------------------------------------------------------------------
# ingress.md "Examples": every row of the table.
# ---------------------------------------------------------------------------------------------
PATH_EXAMPLES = [
    # (kind, path(s), request path, the path that matches or None)
    ("Prefix", [("/", "Prefix")], "/", ("/", "Prefix")),
    ("Prefix", [("/", "Prefix")], "/foo", ("/", "Prefix")),
    ("Prefix", [("/", "Prefix")], "/aaa/bbb/ccc", ("/", "Prefix")),
    ("Exact", [("/foo", "Exact")], "/foo", ("/foo", "Exact")),
    ("Exact", [("/foo", "Exact")], "/bar", None),
    ("Exact", [("/foo", "Exact")], "/foo/", None),
    ("Exact", [("/foo/", "Exact")], "/foo", None),
    ("Prefix", [("/foo", "Prefix")], "/foo", ("/foo", "Prefix")),
    ("Prefix", [("/foo", "Prefix")], "/foo/", ("/foo", "Prefix")),
    ("Prefix", [("/foo/", "Prefix")], "/foo", ("/foo/", "Prefix")),
    ("Prefix", [("/foo/", "Prefix")], "/foo/", ("/foo/", "Prefix")),
    ("Prefix", [("/aaa/bb", "Prefix")], "/aaa/bbb", None),
    ("Prefix", [("/aaa/bbb", "Prefix")], "/aaa/bbb", ("/aaa/bbb", "Prefix")),
    ("Prefix", [("/aaa/bbb/", "Prefix")], "/aaa/bbb", ("/aaa/bbb/", "Prefix")),  # ignores trailing slash
    ("Prefix", [("/aaa/bbb", "Prefix")], "/aaa/bbb/", ("/aaa/bbb", "Prefix")),  # matches trailing slash
    ("Prefix", [("/aaa/bbb", "Prefix")], "/aaa/bbb/ccc", ("/aaa/bbb", "Prefix")),  # matches subpath
    ("Prefix", [("/aaa/bbb", "Prefix")], "/aaa/bbbxyz", None),  # does not match string prefix
    ("Prefix", [("/", "Prefix"), ("/aaa", "Prefix")], "/aaa/ccc", ("/aaa", "Prefix")),
    ("Prefix", [("/", "Prefix"), ("/aaa", "Prefix"), ("/aaa/bbb", "Prefix")], "/aaa/bbb", ("/aaa/bbb", "Prefix")),
    ("Prefix", [("/", "Prefix"), ("/aaa", "Prefix"), ("/aaa/bbb", "Prefix")], "/ccc", ("/", "Prefix")),
    ("Prefix", [("/aaa", "Prefix")], "/ccc", None),  # uses the default backend
    ("Mixed", [("/foo", "Prefix"), ("/foo", "Exact")], "/foo", ("/foo", "Exact")),  # prefers Exact
    ("Mixed", [("/foo", "Exact"), ("/foo", "Prefix")], "/foo", ("/foo", "Exact")),  # whatever the order
]


@pytest.mark.parametrize(
    "kind, paths, request_path, expected",
    PATH_EXAMPLES,
    ids=[f"{k}-{'+'.join(p for p, _ in ps)}-requested-{r}" for k, ps, r, _ in PATH_EXAMPLES],
)
def test_the_ingress_page_examples_table_comes_out_right(kind, paths, request_path, expected):
    assert _winner(paths, request_path) == expected


def test_a_request_no_path_matches_goes_to_the_defaultBackend_when_the_ingress_has_one():
    # ingress.md table, last Prefix row: "/aaa" and "/ccc" -> "No, uses default backend".
    assert _winner([("/aaa", "Prefix")], "/ccc", default="fallback") == "defaultBackend"


def test_without_a_defaultBackend_the_controller_answers_404_in_a_sentence():
    cluster = cluster_with(_ingress("paths", [("/aaa", "Prefix")], host="foo.example.com"))
    routing = route(cluster, "foo.example.com", "/nope")
    assert routing.match is None
    assert routing.reason_id == ingress.NO_RULE
    assert routing.reason == (
        "no Ingress rule matches host foo.example.com and path /nope: the ingress controller "
        "answers 404 (rules for foo.example.com: /aaa (Prefix))"
    )


@pytest.mark.parametrize(
    "path, request_path, matches",
    [
        ("/testpath", "/testpath", True),
        ("/testpath", "/testpath/", True),
        ("/testpath", "/testpath/a/b", True),
        ("/testpath", "/testpathology", True),  # nginx `location /testpath` is a string prefix
        ("/testpath", "/test", False),
        ("/testpath", "/TESTPATH", False),  # case-sensitive, like every nginx prefix location
        ("", "/anything", True),  # an empty path is "/"
    ],
)
def test_implementation_specific_paths_are_ingress_nginx_string_prefixes(path, request_path, matches):
    assert ingress.path_matches("ImplementationSpecific", path, request_path) is matches


def test_longest_match_wins_across_path_types_and_prefix_beats_implementation_specific_at_equal_length():
    paths = [("/foo", "ImplementationSpecific"), ("/foo", "Prefix"), ("/foo/bar", "ImplementationSpecific")]
    assert _winner(paths, "/foo/x") == ("/foo", "Prefix")
    assert _winner(paths, "/foobar") == ("/foo", "ImplementationSpecific")
    assert _winner(paths, "/foo/barbaz") == ("/foo/bar", "ImplementationSpecific")


# ---------------------------------------------------------------------------------------------
# ingress.md "Hostname wildcards": every row of the table, and precise hosts.
# ---------------------------------------------------------------------------------------------
HOST_EXAMPLES = [
    ("*.foo.com", "bar.foo.com", True),  # matches based on shared suffix
    ("*.foo.com", "baz.bar.foo.com", False),  # wildcard only covers a single DNS label
    ("*.foo.com", "foo.com", False),  # wildcard only covers a single DNS label
    ("foo.bar.com", "foo.bar.com", True),
    ("foo.bar.com", "FOO.bar.com", True),  # Host headers compare case-insensitively
    ("foo.bar.com", "foo.bar.com:8080", True),  # the port is not part of the host
    ("foo.bar.com", "bar.foo.com", False),
]


@pytest.mark.parametrize("rule_host, header, matches", HOST_EXAMPLES)
def test_the_ingress_page_hostname_wildcard_table_comes_out_right(rule_host, header, matches):
    assert ingress.host_matches(rule_host, header) is matches
    cluster = cluster_with(_ingress("wild", [("/", "Prefix")], host=rule_host))
    assert (match(cluster, header, "/") is not None) is matches


def test_a_precise_host_wins_over_a_wildcard_and_the_wildcard_over_rules_without_host():
    cluster = cluster_with(
        _ingress("precise", [("/", "Prefix")], host="bar.foo.com")
        + "---\n"
        + _ingress("wildcard", [("/", "Prefix")], host="*.foo.com")
        + "---\n"
        + _ingress("anyhost", [("/", "Prefix")])
    )
    assert match(cluster, "bar.foo.com", "/").ingress == "default/precise"
    assert match(cluster, "baz.foo.com", "/").ingress == "default/wildcard"
    assert match(cluster, "foo.com", "/").ingress == "default/anyhost"
    assert match(cluster, "172.18.0.3", "/").ingress == "default/anyhost"  # an IP is no host rule's name


def test_once_a_host_rule_is_chosen_its_unmatched_paths_do_not_fall_back_to_rules_without_host():
    # ingress-nginx: the request is handled by the host's `server`; only its locations are tried.
    cluster = cluster_with(
        _ingress("hosted", [("/foo", "Prefix")], host="foo.bar.com")
        + "---\n"
        + _ingress("anyhost", [("/bar", "Prefix")])
    )
    assert match(cluster, "foo.bar.com", "/foo").ingress == "default/hosted"
    assert match(cluster, "foo.bar.com", "/bar") is None
    assert match(cluster, "other.com", "/bar").ingress == "default/anyhost"


# ---------------------------------------------------------------------------------------------
# The page's and the course's own Ingresses.
# ---------------------------------------------------------------------------------------------


def test_the_course_v1beta1_testpath_ingress_routes_testpath_for_any_host_after_conversion():
    # course §4: `curl foo.example.com/testpath`; v1beta1 without pathType is ImplementationSpecific.
    cluster = cluster_with(INGRESS_TESTPATH)
    found = match(cluster, "foo.example.com", "/testpath")
    assert found == ingress.Match(
        "default/test-ingress", None, "/testpath", "ImplementationSpecific", "default/test", 80
    )
    assert match(cluster, "10.0.0.1", "/testpath/sub").service == "default/test"
    assert match(cluster, "foo.example.com", "/") is None


def test_the_course_v1beta1_single_service_ingress_sends_everything_to_its_backend():
    cluster = cluster_with(INGRESS_SINGLE_SERVICE)
    for host, path in [("foo.example.com", "/"), ("anything", "/a/b"), ("172.18.0.2", "/x")]:
        found = match(cluster, host, path)
        assert found == ingress.Match("default/test-ingress", None, None, None, "default/testsvc", 80, True)


def test_the_simple_fanout_example_sends_foo_and_bar_to_their_services():
    cluster = cluster_with("""
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: simple-fanout-example
        spec:
          rules:
          - host: foo.bar.com
            http:
              paths:
              - path: /foo
                pathType: Prefix
                backend:
                  service:
                    name: service1
                    port:
                      number: 4200
              - path: /bar
                pathType: Prefix
                backend:
                  service:
                    name: service2
                    port:
                      number: 8080
        """)
    assert (match(cluster, "foo.bar.com", "/foo/x").service, match(cluster, "foo.bar.com", "/foo/x").port) == (
        "default/service1",
        4200,
    )
    assert (match(cluster, "foo.bar.com", "/bar").service, match(cluster, "foo.bar.com", "/bar").port) == (
        "default/service2",
        8080,
    )
    assert match(cluster, "foo.bar.com", "/baz") is None


def test_name_based_virtual_hosting_with_a_rule_for_requests_without_a_known_host():
    # ingress.md "Name based virtual hosting", name-virtual-host-ingress-no-third-host.yaml.
    rules = ""
    for host, service in [("first.bar.com", "service1"), ("second.bar.com", "service2"), (None, "service3")]:
        rules += (f"  - host: {host}\n    http:\n" if host else "  - http:\n") + (
            "      paths:\n      - pathType: Prefix\n        path: /\n        backend:\n          service:\n"
            f"            name: {service}\n            port:\n              number: 80\n"
        )
    cluster = cluster_with(
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n"
        "  name: name-virtual-host-ingress-no-third-host\nspec:\n  rules:\n" + rules
    )
    assert match(cluster, "first.bar.com", "/").service == "default/service1"
    assert match(cluster, "second.bar.com", "/x").service == "default/service2"
    assert match(cluster, "third.bar.com", "/").service == "default/service3"
    assert match(cluster, "203.0.113.123", "/").service == "default/service3"


def test_a_defaultBackend_also_serves_the_unmatched_paths_of_the_hosts_its_ingress_defines():
    cluster = cluster_with(_ingress("shop", [("/cart", "Prefix")], host="shop.example.com", default="catalog"))
    assert match(cluster, "shop.example.com", "/cart").service == "default/svc-0"
    assert match(cluster, "shop.example.com", "/shoes").service == "default/catalog"
    assert match(cluster, "elsewhere.example.com", "/").service == "default/catalog"


RESOURCE_INGRESS = """
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: ingress-resource-backend
        spec:
          rules:
          - http:
              paths:
              - path: /icons
                pathType: ImplementationSpecific
                backend:
                  resource:
                    apiGroup: k8s.example.com
                    kind: StorageBucket
                    name: icon-assets
        """


def test_paths_with_a_resource_backend_are_skipped_as_ingress_nginx_does():
    cluster = cluster_with(RESOURCE_INGRESS)
    assert match(cluster, "example.com", "/icons") is None


def test_a_request_for_a_resource_backend_path_says_the_rule_matched():
    """The path is skipped (controller.go getBackendServers), so nginx's default backend answers;
    the reason names the rule that matched and its resource, not "no rule matches"."""
    cluster = cluster_with(RESOURCE_INGRESS)
    routing = route(cluster, "example.com", "/icons/a.png")
    assert routing.reason_id == "ingress-resource-backend"
    assert routing.reason == (
        "Ingress default/ingress-resource-backend's rule /icons (ImplementationSpecific) matches host example.com "
        "and path /icons/a.png, but its backend is the resource StorageBucket/icon-assets, not a Service: "
        "ingress-nginx serves only Service backends and skips that path, so the request goes to its default "
        "backend, which answers 404"
    )


# ---------------------------------------------------------------------------------------------
# Several Ingresses: merged per host, the oldest keeps a path (ingress-nginx).
# ---------------------------------------------------------------------------------------------
def test_ingresses_for_the_same_host_merge_their_paths():
    cluster = cluster_with(
        _ingress("api", [("/api", "Prefix")], host="shop.example.com")
        + "---\n"
        + _ingress("web", [("/", "Prefix")], host="shop.example.com")
    )
    assert match(cluster, "shop.example.com", "/api/v1").ingress == "default/api"
    assert match(cluster, "shop.example.com", "/about").ingress == "default/web"


def test_the_older_ingress_keeps_a_path_two_ingresses_define():
    cluster = cluster_with(_ingress("zeta-first", [("/", "Prefix")], host="a.example.com"))
    cluster.advance(5)  # a later creationTimestamp
    result = cluster.apply_text(yaml_text(_ingress("alpha-second", [("/", "Prefix")], host="a.example.com")))
    assert result.ok
    assert match(cluster, "a.example.com", "/").ingress == "default/zeta-first"


def test_ingresses_created_in_the_same_second_are_taken_in_descending_name_order():
    # store.go sortIngressSlice: equal creationTimestamps sort by "namespace/name", descending.
    cluster = cluster_with(
        _ingress("alpha", [("/", "Prefix")], host="a.example.com")
        + "---\n"
        + _ingress("beta", [("/", "Prefix")], host="a.example.com")
    )
    assert match(cluster, "a.example.com", "/").ingress == "default/beta"


def test_the_newest_defaultBackend_serves_requests_no_host_claims():
    cluster = cluster_with(_ingress("old", [], default="old-backend"))
    cluster.advance(5)
    assert cluster.apply_text(yaml_text(_ingress("new", [], default="new-backend"))).ok
    assert match(cluster, "x.example.com", "/").service == "default/new-backend"


# ---------------------------------------------------------------------------------------------
# Ingress class: one simulated controller (ingress-nginx, class "nginx", the default class).
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "spec, metadata, served",
    [
        ("", "", True),  # no class: the default IngressClass is assigned
        ("ingressClassName: nginx", "", True),
        ("", "annotations:\n  kubernetes.io/ingress.class: nginx", True),  # the deprecated annotation
        ("ingressClassName: traefik", "", False),
        ("", "annotations:\n  kubernetes.io/ingress.class: haproxy", False),
    ],
)
def test_the_simulated_controller_serves_class_nginx_and_ingresses_without_a_class(spec, metadata, served):
    cluster = cluster_with(
        _ingress("classy", [("/", "Prefix")], host="c.example.com", extra_spec=spec, metadata=metadata)
    )
    assert (match(cluster, "c.example.com", "/") is not None) is served


def test_the_404_says_when_an_ingress_was_ignored_for_its_class():
    cluster = cluster_with(
        _ingress("classy", [("/", "Prefix")], host="c.example.com", extra_spec="ingressClassName: traefik")
    )
    assert route(cluster, "c.example.com", "/").reason == (
        "no Ingress rule matches host c.example.com and path /: the ingress controller answers 404 (Ingress "
        "default/classy has class 'traefik', which no controller in this cluster serves (the ingress-nginx "
        "controller serves class 'nginx' and Ingresses without a class))"
    )


# ---------------------------------------------------------------------------------------------
# TLS: https only for the hosts listed under spec.tls.
# ---------------------------------------------------------------------------------------------
TLS_INGRESS = (
    _ingress(
        "tls-example-ingress",
        [("/", "Prefix")],
        host="https-example.foo.com",
        extra_spec="tls:\n- hosts:\n  - https-example.foo.com\n  secretName: testsecret-tls",
    )
    + "---\n"
    + _ingress("plain", [("/", "Prefix")], host="plain.foo.com")
    + "---\n"
    + _ingress(
        "wild-tls",
        [("/", "Prefix")],
        host="*.shop.com",
        extra_spec="tls:\n- hosts: ['*.shop.com']\n  secretName: shop-tls",
    )
)


@pytest.mark.parametrize(
    "scheme, host, ok",
    [
        ("https", "https-example.foo.com", True),
        ("http", "https-example.foo.com", True),  # ssl-redirect is not modelled: plain http is answered
        ("https", "plain.foo.com", False),
        ("http", "plain.foo.com", True),
        ("https", "a.shop.com", True),
        ("https", "unknown.example.com", False),  # the catch-all server only has the fake certificate
    ],
)
def test_https_is_served_only_for_hosts_listed_under_tls(scheme, host, ok):
    cluster = cluster_with(TLS_INGRESS)
    routing = route(cluster, host, "/", scheme)
    if ok:
        assert routing.ok
    else:
        assert routing.reason_id == ingress.NOT_TLS
        assert routing.reason.startswith(f"host {host} is not listed under spec.tls of the Ingress that routes it")


# ---------------------------------------------------------------------------------------------
# The compiled table is cached and rebuilt only when an Ingress changes.
# ---------------------------------------------------------------------------------------------
def test_the_routing_table_is_cached_until_an_ingress_changes():
    cluster = cluster_with(INGRESS_TESTPATH)
    table = routing_table(cluster)
    assert routing_table(cluster) is table
    assert cluster.apply_text(
        yaml_text("""
        apiVersion: v1
        kind: Pod
        metadata: {name: unrelated}
        spec: {containers: [{name: c, image: nginx}]}
        """)
    ).ok
    assert routing_table(cluster) is table  # a pod changed, not an Ingress
    assert cluster.apply_text(yaml_text(_ingress("more", [("/more", "Exact")], host="more.example.com"))).ok
    assert routing_table(cluster) is not table
    assert match(cluster, "more.example.com", "/more").ingress == "default/more"
    cluster.delete("Ingress", "default", "more")
    assert match(cluster, "more.example.com", "/more") is None
