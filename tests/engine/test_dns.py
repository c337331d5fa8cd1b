"""Cluster DNS: the records CoreDNS serves and what a pod's resolver asks.

Sources named in the comments: [spec] kubernetes/dns docs/specification.md; [coredns]
coredns/coredns plugin/kubernetes and plugin/backend_lookup.go (kubeadm's Corefile, `pods
insecure`); [kubelet] pkg/kubelet/network/dns; [glibc] resolv/res_query.c
__res_context_search; [course] the DNS lessons of the course (docs/course.md §1, §3).
"""

from __future__ import annotations

import pytest

from simulator.engine import Engine, dns
from simulator.engine.contract import Query, run

from ..course import BUSYBOX, MYSQL, webapp_deployment, webapp_service
from .conftest import cluster_with, yaml_text

ZONE = "cluster.local."

# [course] "kubectl exec -ti busybox -- nslookup webapp": a Deployment run=webapp behind a Service.
WEBAPP = webapp_deployment(replicas=2, port_name="http") + webapp_service(port_name="http") + BUSYBOX

# [course] web pod -> game-service.my-ns, db-service.test-ns.svc.cluster.local; redis-master in my-ns.
NAMESPACES = """
apiVersion: v1
kind: Namespace
metadata: {name: my-ns}
---
apiVersion: v1
kind: Namespace
metadata: {name: test-ns}
---
apiVersion: v1
kind: Pod
metadata: {name: web, labels: {app: web}}
spec: {containers: [{name: web, image: nginx}]}
---
apiVersion: v1
kind: Pod
metadata: {name: game, namespace: my-ns, labels: {app: game}}
spec: {containers: [{name: game, image: nginx}]}
---
apiVersion: v1
kind: Service
metadata: {name: game-service, namespace: my-ns}
spec: {selector: {app: game}, ports: [{port: 80}]}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: test-ns, labels: {app: db}}
spec: {containers: [{name: db, image: mysql}]}
---
apiVersion: v1
kind: Service
metadata: {name: db-service, namespace: test-ns}
spec: {selector: {app: db}, ports: [{port: 3306}]}
---
apiVersion: v1
kind: Pod
metadata: {name: redis-0, namespace: my-ns, labels: {app: redis}}
spec: {containers: [{name: redis, image: redis}]}
---
apiVersion: v1
kind: Service
metadata: {name: redis-master, namespace: my-ns}
spec: {selector: {app: redis}, ports: [{name: redis, port: 6379}]}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: test-ns}
spec: {containers: [{name: client, image: busybox}]}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: my-ns}
spec: {containers: [{name: client, image: busybox}]}
"""

# A headless Service for StatefulSet-like pods: web-0 has hostname+subdomain, web-1 has neither,
# web-2 is not ready. [spec 2.4]
HEADLESS = """
apiVersion: v1
kind: Service
metadata: {name: nginx}
spec: {clusterIP: None, selector: {app: nginx}, ports: [{name: web, port: 80}, {name: alt, port: 8080, protocol: UDP}]}
---
apiVersion: v1
kind: Pod
metadata: {name: web-0, labels: {app: nginx}}
spec: {hostname: web-0, subdomain: nginx, containers: [{name: c, image: nginx}]}
---
apiVersion: v1
kind: Pod
metadata: {name: web-1, labels: {app: nginx}}
spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: v1
kind: Pod
metadata: {name: web-2, labels: {app: nginx}}
spec: {hostname: web-2, subdomain: nginx, containers: [{name: c, image: nginx}]}
status: {conditions: [{type: Ready, status: "False"}]}
---
apiVersion: v1
kind: Pod
metadata: {name: busybox}
spec: {containers: [{name: busybox, image: busybox}]}
"""


def pod(cluster: Engine, ref: str):
    namespace, name = ref.split("/")
    found = cluster.get("Pod", namespace, name)
    assert found is not None, ref
    return found


def cluster_ip(cluster: Engine, ref: str) -> str:
    namespace, name = ref.split("/")
    return cluster.get("Service", namespace, name).cluster_ip


def ip_of(cluster: Engine, ref: str) -> str:
    return pod(cluster, ref).ip


def records(cluster: Engine, name: str | None = None, rtype: str | None = None) -> list[tuple[str, str, str]]:
    return [
        (r["name"], r["type"], r["value"])
        for r in dns.dns_records(cluster)
        if (name is None or r["name"] == name) and (rtype is None or r["type"] == rtype)
    ]


def values(resolution: dns.Resolution) -> list[str]:
    return [r.value for r in resolution.answers]


# ---------------------------------------------------------------------- the course's cases
def test_webapp_from_busybox_answers_the_clusterip_at_the_first_search_domain():
    # [course] nslookup webapp from busybox; [kubelet] search default.svc.cluster.local first
    cluster = cluster_with(WEBAPP)
    result = dns.resolve(cluster, pod(cluster, "default/busybox"), "webapp")
    assert result.rcode == "NOERROR"
    assert result.fqdn == "webapp.default.svc.cluster.local."
    assert values(result) == [cluster_ip(cluster, "default/webapp")]
    assert result.tried == ("webapp.default.svc.cluster.local.",)


@pytest.mark.parametrize(
    "source, name, service, tried",
    [
        # [course] from the web pod, another namespace by `service.namespace`: the second search domain
        (
            "default/web",
            "game-service.my-ns",
            "my-ns/game-service",
            ["game-service.my-ns.default.svc.cluster.local.", "game-service.my-ns.svc.cluster.local."],
        ),
        # [course] the FQDN without a trailing dot has 4 dots < ndots:5, so [glibc] walks the
        # search list first and asks the name as it is last
        (
            "default/web",
            "db-service.test-ns.svc.cluster.local",
            "test-ns/db-service",
            [
                "db-service.test-ns.svc.cluster.local.default.svc.cluster.local.",
                "db-service.test-ns.svc.cluster.local.svc.cluster.local.",
                "db-service.test-ns.svc.cluster.local.cluster.local.",
                "db-service.test-ns.svc.cluster.local.",
            ],
        ),
        # [course] pods in my-ns find redis-master by its name alone
        ("my-ns/client", "redis-master", "my-ns/redis-master", ["redis-master.my-ns.svc.cluster.local."]),
        # [course] pods in test-ns add the namespace as a suffix ...
        (
            "test-ns/client",
            "redis-master.my-ns",
            "my-ns/redis-master",
            ["redis-master.my-ns.test-ns.svc.cluster.local.", "redis-master.my-ns.svc.cluster.local."],
        ),
        # ... or give the absolute name, which [glibc] asks once, as it is
        (
            "test-ns/client",
            "redis-master.my-ns.svc.cluster.local.",
            "my-ns/redis-master",
            ["redis-master.my-ns.svc.cluster.local."],
        ),
    ],
)
def test_course_names_resolve_to_the_service_through_the_search_list(source, name, service, tried):
    cluster = cluster_with(NAMESPACES)
    result = dns.resolve(cluster, pod(cluster, source), name)
    assert result.rcode == "NOERROR"
    assert values(result) == [cluster_ip(cluster, service)]
    assert list(result.tried) == tried
    assert result.fqdn == tried[-1]


def test_redis_master_from_test_ns_is_nxdomain_after_every_search_domain_and_the_bare_name():
    # [course] "Pods from other Namespaces ... lookup the same Service by adding the Namespace";
    # [glibc] each search domain, then the name as it is, then NXDOMAIN
    cluster = cluster_with(NAMESPACES)
    result = dns.resolve(cluster, pod(cluster, "test-ns/client"), "redis-master")
    assert result.rcode == "NXDOMAIN"
    assert result.fqdn is None and result.answers == ()
    assert list(result.tried) == [
        "redis-master.test-ns.svc.cluster.local.",
        "redis-master.svc.cluster.local.",
        "redis-master.cluster.local.",
        "redis-master.",
    ]


# ---------------------------------------------------------------------- records for Services
def test_a_clusterip_service_has_an_a_record_an_srv_per_named_port_and_a_ptr():
    cluster = cluster_with(WEBAPP)
    ip = cluster_ip(cluster, "default/webapp")
    base = "webapp.default.svc.cluster.local."
    reverse = ".".join(reversed(ip.split("."))) + ".in-addr.arpa."
    assert records(cluster, base) == [(base, "A", ip)]  # [spec 2.3.1]
    # [spec 2.3.2] _<port>._<proto>; RFC 2782 order "priority weight port target"; [coredns] 0 100
    assert records(cluster, "_http._tcp." + base) == [("_http._tcp." + base, "SRV", f"0 100 8080 {base}")]
    assert records(cluster, reverse) == [(reverse, "PTR", base)]  # [spec 2.3.3]


def test_unnamed_ports_have_no_srv_record():
    # [spec 2.3.2] "Unnamed ports do not have an SRV record."
    cluster = cluster_with(NAMESPACES)
    assert [r for r in records(cluster, rtype="SRV") if "game-service" in r[0]] == []


def test_the_bootstrap_services_are_listed_like_any_service():
    # [spec 2.3.1] example: kubernetes.default.svc.cluster.local. A 10.96.0.1 (here the contract's IPs)
    cluster = Engine.new()
    listed = records(cluster)
    assert ("kubernetes.default.svc.cluster.local.", "A", "10.96.0.1") in listed
    assert ("kube-dns.kube-system.svc.cluster.local.", "A", "10.96.0.10") in listed
    assert (
        "_https._tcp.kubernetes.default.svc.cluster.local.",
        "SRV",
        "0 100 443 kubernetes.default.svc.cluster.local.",
    ) in listed
    assert (
        "_dns._udp.kube-dns.kube-system.svc.cluster.local.",
        "SRV",
        "0 100 53 kube-dns.kube-system.svc.cluster.local.",
    ) in listed
    assert ("10.0.96.10.in-addr.arpa.", "PTR", "kube-dns.kube-system.svc.cluster.local.") in listed


def test_the_listing_is_sorted_by_name_type_and_value_without_duplicates():
    cluster = cluster_with(WEBAPP + "---\n" + HEADLESS.split("---", 5)[0])
    listed = records(cluster)
    assert listed == sorted(set(listed))
    assert all(name.endswith(".") for name, _t, _v in listed)


def test_a_headless_service_has_an_a_record_per_ready_endpoint_and_none_for_not_ready_pods():
    # [spec 2.4.1] one A per *ready* endpoint; web-2 is not ready
    cluster = cluster_with(HEADLESS)
    base = "nginx.default.svc.cluster.local."
    ready = sorted([ip_of(cluster, "default/web-0"), ip_of(cluster, "default/web-1")])
    assert [v for _n, _t, v in records(cluster, base, "A")] == ready
    result = dns.resolve(cluster, pod(cluster, "default/busybox"), "nginx")
    assert sorted(values(result)) == ready
    assert ip_of(cluster, "default/web-2") not in values(result)


def test_publish_not_ready_addresses_puts_not_ready_pods_in_the_headless_answer():
    # [spec 2.1] _ready_ includes endpoints the Service tolerates unready (publishNotReadyAddresses)
    cluster = cluster_with(HEADLESS.replace("clusterIP: None,", "clusterIP: None, publishNotReadyAddresses: true,"))
    result = dns.resolve(cluster, pod(cluster, "default/busybox"), "nginx")
    assert ip_of(cluster, "default/web-2") in values(result)


def test_a_headless_service_without_ready_endpoints_is_nxdomain():
    # [spec 2.4.1] "If there are no ready endpoints for the headless Service, the answer should be NXDOMAIN."
    cluster = cluster_with("""
        apiVersion: v1
        kind: Service
        metadata: {name: empty}
        spec: {clusterIP: None, selector: {app: nothing}, ports: [{name: web, port: 80}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: busybox}
        spec: {containers: [{name: busybox, image: busybox}]}
    """)
    assert records(cluster, "empty.default.svc.cluster.local.") == []
    result = dns.resolve(cluster, pod(cluster, "default/busybox"), "empty.default.svc.cluster.local.")
    assert result.rcode == "NXDOMAIN"


@pytest.mark.parametrize(
    "hostname_of, expected",
    [
        # [spec 2.4.2] target <hostname>.<service>...; [coredns] endpointHostname: the endpoint's
        # hostname (pod hostname + subdomain == Service name), else its dashed IP
        ("default/web-0", "web-0"),
        ("default/web-1", None),
    ],
)
def test_headless_srv_records_name_each_ready_endpoint_with_its_port(hostname_of, expected):
    cluster = cluster_with(HEADLESS)
    base = "nginx.default.svc.cluster.local."
    ip = ip_of(cluster, hostname_of)
    target = f"{expected or ip.replace('.', '-')}.{base}"
    srv = records(cluster, "_web._tcp." + base, "SRV")
    # [coredns] backend_lookup.go SRV(): two records at priority 0 share weight 100 -> 50 each
    assert ("_web._tcp." + base, "SRV", f"0 50 80 {target}") in srv
    assert len(srv) == 2  # web-2 is not ready
    # the protocol label is the port's protocol in lower case
    assert ("_alt._udp." + base, "SRV", f"0 50 8080 {target}") in records(cluster, "_alt._udp." + base)
    assert records(cluster, target) == [(target, "A", ip)]  # [spec 2.4.1] the hostname's A record


@pytest.mark.parametrize(
    "count, weight",
    [
        # [coredns] backend_lookup.go SRV(): floor(100 / (100 * count) * 100) in float64, at least 1
        (1, 100),
        (2, 50),
        (3, 33),
        (4, 25),
        (6, 16),
        (7, 14),
        (100, 1),
        (101, 1),
    ],
)
def test_srv_weight_is_coredns_share_of_one_hundred(count, weight):
    assert dns.srv_weight(count) == weight


def test_srv_for_a_named_port_is_answered_when_the_name_has_five_dots_asked_as_is_first():
    # [glibc] 6 dots >= ndots:5: the name is asked as it is first, and it answers
    cluster = cluster_with(WEBAPP)
    result = dns.resolve(cluster, pod(cluster, "default/busybox"), "_http._tcp.webapp.default.svc.cluster.local", "SRV")
    assert result.tried == ("_http._tcp.webapp.default.svc.cluster.local.",)
    assert values(result) == ["0 100 8080 webapp.default.svc.cluster.local."]


def test_srv_by_relative_name_walks_the_search_list():
    cluster = cluster_with(HEADLESS)
    result = dns.resolve(cluster, pod(cluster, "default/busybox"), "_web._tcp.nginx", "SRV")
    assert result.fqdn == "_web._tcp.nginx.default.svc.cluster.local."
    assert len(result.answers) == 2


# ---------------------------------------------------------------------- ExternalName
def test_an_externalname_service_is_a_cname_to_its_external_name_with_a_trailing_dot():
    # [spec 2.5] <service>.<ns>.svc.<zone>. IN CNAME <extname>.
    cluster = cluster_with(MYSQL)
    assert records(cluster, "mysql-server.default.svc.cluster.local.") == [
        ("mysql-server.default.svc.cluster.local.", "CNAME", "serdar.cbanmzptkrzf.us-east-1.rds.amazonaws.com.")
    ]


@pytest.mark.parametrize(
    "rtype, rcode, answer_types",
    [
        # [spec 2.5] "Question Example: foo.default.svc.cluster.local. IN A" answers with the CNAME;
        # the target is outside the cluster, so the (simulated, offline) chase stops there
        ("A", "NOERROR", ["CNAME"]),
        ("CNAME", "NOERROR", ["CNAME"]),
        # [coredns] kubernetes.go Services(): "SRV for external services is not yet implemented": NODATA,
        # and [glibc] NODATA does not stop the search list
        ("SRV", "NOERROR", []),
    ],
)
def test_externalname_questions_by_type(rtype, rcode, answer_types):
    cluster = cluster_with(MYSQL)
    result = dns.resolve(cluster, pod(cluster, "default/busybox"), "mysql-server", rtype)
    assert result.rcode == rcode
    assert [r.type for r in result.answers] == answer_types
    if answer_types:
        assert result.tried == ("mysql-server.default.svc.cluster.local.",)
        assert values(result)[0] == "serdar.cbanmzptkrzf.us-east-1.rds.amazonaws.com."


def test_an_externalname_pointing_inside_the_cluster_is_followed_to_the_address():
    # [coredns] backend_lookup.go A(): a CNAME target inside the zone is looked up at once
    cluster = cluster_with(
        WEBAPP
        + """
---
apiVersion: v1
kind: Service
metadata: {name: alias}
spec: {type: ExternalName, externalName: webapp.default.svc.cluster.local}
"""
    )
    result = dns.resolve(cluster, pod(cluster, "default/busybox"), "alias")
    assert [(r.name, r.type, r.value) for r in result.answers] == [
        ("alias.default.svc.cluster.local.", "CNAME", "webapp.default.svc.cluster.local."),
        ("webapp.default.svc.cluster.local.", "A", cluster_ip(cluster, "default/webapp")),
    ]


# ---------------------------------------------------------------------- Pods
def test_every_pod_with_an_ip_has_a_dashed_a_record_under_its_namespace():
    # [spec 2.6] <a>-<b>-<c>-<d>.<ns>.pod.<zone>. A <a>.<b>.<c>.<d>
    cluster = cluster_with(NAMESPACES)
    ip = ip_of(cluster, "my-ns/game")
    name = f"{ip.replace('.', '-')}.my-ns.pod.{ZONE}"
    assert records(cluster, name) == [(name, "A", ip)]


@pytest.mark.parametrize(
    "name, rcode, answer",
    [
        # [coredns] `pods insecure`: any dashed IPv4 in an existing namespace, pod or not
        ("10-1-2-3.default.pod.cluster.local.", "NOERROR", "10.1.2.3"),
        ("10-1-2-3.nowhere.pod.cluster.local.", "NXDOMAIN", None),  # namespace does not exist
        ("10-1-2-300.default.pod.cluster.local.", "NXDOMAIN", None),  # not an address
        ("web.default.pod.cluster.local.", "NXDOMAIN", None),  # pod names get no records
    ],
)
def test_pod_names_are_answered_as_coredns_pods_insecure_does(name, rcode, answer):
    cluster = cluster_with(WEBAPP)
    result = dns.resolve(cluster, pod(cluster, "default/busybox"), name)
    assert result.rcode == rcode
    assert values(result) == ([answer] if answer else [])


@pytest.mark.parametrize(
    "query, found",
    [
        # [docs] a pod with hostname + subdomain, and a headless Service named like the subdomain
        # selecting it, gets <hostname>.<subdomain>.<ns>.svc.<zone>
        ("web-0.nginx", True),
        ("web-0.nginx.default.svc.cluster.local.", True),
        # not ready: no record ([docs] "A Pod needs to be ready in order to have a record")
        ("web-2.nginx", False),
        # no hostname: the pod's name is not a DNS name
        ("web-1.nginx", False),
    ],
)
def test_hostname_and_subdomain_records(query, found):
    cluster = cluster_with(HEADLESS)
    result = dns.resolve(cluster, pod(cluster, "default/busybox"), query)
    if found:
        assert result.rcode == "NOERROR"
        assert result.fqdn == "web-0.nginx.default.svc.cluster.local."
        assert values(result) == [ip_of(cluster, "default/web-0")]
    else:
        assert result.rcode == "NXDOMAIN"


def test_a_hostname_whose_subdomain_names_no_service_gets_no_record():
    # [endpoints controller] the endpoint hostname is set only when subdomain == the Service's name
    cluster = cluster_with(HEADLESS.replace("subdomain: nginx", "subdomain: other"))
    assert [r for r in records(cluster) if r[0].startswith("web-0.")] == []


# ---------------------------------------------------------------------- PTR
@pytest.mark.parametrize(
    "target, expected",
    [
        # [spec 2.3.3] a ClusterIP points at the Service name
        ("service:default/webapp", "webapp.default.svc.cluster.local."),
        # [spec 2.4.3] an endpoint with a hostname points at <hostname>.<service>...
        ("pod:default/web-0", "web-0.nginx.default.svc.cluster.local."),
        # [coredns] reverse.go: any ready endpoint address, named by its dashed IP when it has no hostname
        ("pod:default/web-1", "{dashed}.nginx.default.svc.cluster.local."),
    ],
)
def test_ptr_records_for_clusterips_and_endpoint_addresses(target, expected):
    cluster = cluster_with(WEBAPP + "---\n" + HEADLESS.rsplit("---", 1)[0])
    kind, ref = target.split(":")
    ip = cluster_ip(cluster, ref) if kind == "service" else ip_of(cluster, ref)
    expected = expected.format(dashed=ip.replace(".", "-"))
    reverse = ".".join(reversed(ip.split("."))) + ".in-addr.arpa."
    assert records(cluster, reverse) == [(reverse, "PTR", expected)]
    # `nslookup <ip>` asks the in-addr.arpa name, absolute
    result = dns.resolve(cluster, pod(cluster, "default/busybox"), ip, "PTR")
    assert result.tried == (reverse,)
    assert values(result) == [expected]


def test_a_pod_behind_two_services_has_two_ptr_records():
    # [coredns] reverse.go serviceRecordForIP appends one name per Service with that endpoint
    cluster = cluster_with(
        WEBAPP
        + """
---
apiVersion: v1
kind: Service
metadata: {name: webapp-alt}
spec: {selector: {run: webapp}, ports: [{port: 80, targetPort: 8080}]}
"""
    )
    ip = sorted(p.ip for p in cluster.pods_in("default").values() if p.labels.get("run") == "webapp")[0]
    result = dns.resolve(cluster, pod(cluster, "default/busybox"), ip, "PTR")
    dashed_ip = ip.replace(".", "-")
    assert values(result) == [
        f"{dashed_ip}.webapp-alt.default.svc.cluster.local.",
        f"{dashed_ip}.webapp.default.svc.cluster.local.",
    ]


def test_a_ptr_for_an_address_the_cluster_does_not_know_is_nxdomain():
    cluster = cluster_with(WEBAPP)
    result = dns.resolve(cluster, pod(cluster, "default/busybox"), "192.0.2.7", "PTR")
    assert result.rcode == "NXDOMAIN"
    assert result.tried == ("7.2.0.192.in-addr.arpa.",)


# ---------------------------------------------------------------------- the resolver: resolv.conf, search, ndots
def test_a_pod_resolv_conf_is_what_kubelet_writes_for_cluster_first():
    # [kubelet] GetPodDNS: clusterDNS, <ns>.svc.<zone> svc.<zone> <zone>, ndots:5
    cluster = cluster_with(NAMESPACES)
    assert dns.resolv_conf(cluster, pod(cluster, "my-ns/client")).text() == (
        "search my-ns.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n"
    )


@pytest.mark.parametrize(
    "name, tried",
    [
        # [glibc] fewer than ndots dots: the search list, then the name as it is
        (
            "nothere",
            ["nothere.default.svc.cluster.local.", "nothere.svc.cluster.local.", "nothere.cluster.local.", "nothere."],
        ),
        (
            "a.b.c.d.e",
            [
                "a.b.c.d.e.default.svc.cluster.local.",
                "a.b.c.d.e.svc.cluster.local.",
                "a.b.c.d.e.cluster.local.",
                "a.b.c.d.e.",
            ],
        ),
        # [glibc] at least ndots (5) dots: as it is first, then the search list, and not again at the end
        (
            "a.b.c.d.e.f",
            [
                "a.b.c.d.e.f.",
                "a.b.c.d.e.f.default.svc.cluster.local.",
                "a.b.c.d.e.f.svc.cluster.local.",
                "a.b.c.d.e.f.cluster.local.",
            ],
        ),
        # [glibc] a trailing dot makes the name absolute: asked once, no search list
        ("a.b.", ["a.b."]),
        ("nothere.default.svc.cluster.local.", ["nothere.default.svc.cluster.local."]),
    ],
)
def test_ndots_and_the_search_list_decide_the_names_asked(name, tried):
    cluster = cluster_with(WEBAPP)
    result = dns.resolve(cluster, pod(cluster, "default/busybox"), name)
    assert result.rcode == "NXDOMAIN"
    assert list(result.tried) == tried


def test_a_pod_dns_config_can_lower_ndots_so_a_dotted_name_is_asked_as_is_first():
    # [kubelet] appendDNSConfig/mergeDNSOptions: the pod's ndots replaces ndots:5
    cluster = cluster_with(
        WEBAPP
        + """
---
apiVersion: v1
kind: Pod
metadata: {name: tuned}
spec:
  dnsConfig: {options: [{name: ndots, value: "1"}], searches: [example.internal]}
  containers: [{name: c, image: busybox}]
"""
    )
    tuned = pod(cluster, "default/tuned")
    conf = dns.resolv_conf(cluster, tuned)
    assert conf.ndots == 1
    assert conf.searches[-1] == "example.internal"
    result = dns.resolve(cluster, tuned, "webapp.default")
    assert result.tried == (
        "webapp.default.",
        "webapp.default.default.svc.cluster.local.",
        "webapp.default.svc.cluster.local.",
    )
    assert values(result) == [cluster_ip(cluster, "default/webapp")]


@pytest.mark.parametrize(
    "policy, host_network, answers",
    [
        # [kubelet] getPodDNSType: ClusterFirst on the host network falls back to Default (the node's
        # resolver, which knows no cluster names); ClusterFirstWithHostNet keeps the cluster DNS
        ("ClusterFirst", False, True),
        ("ClusterFirst", True, False),
        ("ClusterFirstWithHostNet", True, True),
        ("Default", False, False),
    ],
)
def test_dns_policy_decides_whether_the_pod_asks_the_cluster_dns(policy, host_network, answers):
    cluster = cluster_with(
        WEBAPP
        + f"""
---
apiVersion: v1
kind: Pod
metadata: {{name: probe}}
spec: {{dnsPolicy: {policy}, hostNetwork: {str(host_network).lower()}, containers: [{{name: c, image: busybox}}]}}
"""
    )
    result = dns.resolve(cluster, pod(cluster, "default/probe"), "webapp.default.svc.cluster.local")
    assert (result.rcode == "NOERROR" and bool(result.answers)) is answers


def test_a_name_that_exists_without_the_asked_type_is_nodata_and_does_not_stop_the_search():
    # [glibc] NO_DATA ("got_nodata") keeps walking; the result is NOERROR with no answer
    # [coredns] default.svc.cluster.local exists (a namespace) but has no A record
    cluster = cluster_with(WEBAPP)
    result = dns.resolve(cluster, pod(cluster, "default/busybox"), "default")
    assert result.rcode == "NOERROR" and result.answers == () and result.fqdn is None
    assert len(result.tried) == 4


def test_names_are_compared_case_insensitively():
    # [spec 2.1] "All comparisons between query data and data in Kubernetes is case-insensitive."
    cluster = cluster_with(WEBAPP)
    result = dns.resolve(cluster, pod(cluster, "default/busybox"), "WebApp")
    assert values(result) == [cluster_ip(cluster, "default/webapp")]
    assert result.fqdn == "WebApp.default.svc.cluster.local."


def test_without_a_pod_the_resolver_has_no_search_list():
    # the node/outside view used by traces: the cluster DNS, names as they are
    cluster = cluster_with(WEBAPP)
    assert dns.resolve(cluster, None, "webapp").rcode == "NXDOMAIN"
    result = dns.resolve(cluster, None, "webapp.default.svc.cluster.local")
    assert result.tried == ("webapp.default.svc.cluster.local.",)
    assert values(result) == [cluster_ip(cluster, "default/webapp")]


def test_no_coredns_pod_means_no_answer_at_all():
    # kube-dns without ready endpoints: kube-proxy rejects, the resolver times out on its first name
    cluster = cluster_with(WEBAPP)
    cluster.apply_text(
        yaml_text("""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: coredns, namespace: kube-system, labels: {k8s-app: kube-dns}}
        spec:
          replicas: 0
          selector: {matchLabels: {k8s-app: kube-dns}}
          template:
            metadata: {labels: {k8s-app: kube-dns}}
            spec: {containers: [{name: coredns, image: coredns}]}
    """)
    )
    result = dns.resolve(cluster, pod(cluster, "default/busybox"), "webapp")
    assert result.rcode == "SERVFAIL"
    assert result.tried == ("webapp.default.svc.cluster.local.",)
    assert "kube-dns" in result.error


# ---------------------------------------------------------------------- the query object and simulate
def test_resolve_query_is_the_contract_object():
    cluster = cluster_with(WEBAPP)
    ip = cluster_ip(cluster, "default/webapp")
    assert dns.resolve_query(cluster, "default/busybox", "webapp", "A") == {
        "query": "resolve",
        "from": "default/busybox",
        "name": "webapp",
        "type": "A",
        "rcode": "NOERROR",
        "fqdn": "webapp.default.svc.cluster.local.",
        "answers": [{"name": "webapp.default.svc.cluster.local.", "type": "A", "value": ip}],
        "tried": ["webapp.default.svc.cluster.local."],
    }


@pytest.mark.parametrize(
    "source, phrase",
    [
        ("default/nobody", "not found"),
        ("busybox", "NAMESPACE/POD"),
    ],
)
def test_a_query_from_an_unknown_pod_is_servfail_with_a_sentence(source, phrase):
    cluster = cluster_with(WEBAPP)
    out = dns.resolve_query(cluster, source, "webapp")
    assert out["rcode"] == "SERVFAIL" and out["tried"] == [] and out["answers"] == []
    assert phrase in out["error"]


def test_simulate_fills_dns_and_answers_resolve_queries_in_order():
    out, cluster = run(
        [yaml_text(WEBAPP), yaml_text(MYSQL.split("---")[0])],
        queries=[
            Query("resolve", "default/busybox", "webapp"),
            Query("resolve", "default/busybox", "mysql-server", "CNAME"),
            Query("resolve", "default/busybox", "_http._tcp.webapp", "SRV"),
        ],
    )
    assert out["dns"] == dns.dns_records(cluster)
    assert {
        "name": "webapp.default.svc.cluster.local.",
        "type": "A",
        "value": cluster_ip(cluster, "default/webapp"),
    } in out["dns"]
    first, second, third = out["queries"]
    assert first["fqdn"] == "webapp.default.svc.cluster.local." and first["rcode"] == "NOERROR"
    assert second["answers"][0]["value"] == "serdar.cbanmzptkrzf.us-east-1.rds.amazonaws.com."
    assert third["answers"] == [
        {
            "name": "_http._tcp.webapp.default.svc.cluster.local.",
            "type": "SRV",
            "value": "0 100 8080 webapp.default.svc.cluster.local.",
        }
    ]


# ---------------------------------------------------------------------- the incremental index
def test_records_kept_up_to_date_by_edits_equal_records_of_a_fresh_cluster():
    # stale state + changes == fresh state: the index follows creations, updates and deletions
    cluster = cluster_with(WEBAPP + "---\n" + HEADLESS.rsplit("---", 1)[0])
    dns.dns_records(cluster)
    dns.resolve(cluster, pod(cluster, "default/busybox"), "10.96.0.1", "PTR")
    cluster.apply_text(
        yaml_text("""
        apiVersion: v1
        kind: Service
        metadata: {name: webapp, labels: {run: webapp}}
        spec:
          selector: {run: webapp}
          ports: [{name: web, port: 80, targetPort: 8080}]
    """)
    )
    cluster.delete("Pod", "default", "web-0")
    cluster.delete("Service", "default", "nginx")
    edited = dns.dns_records(cluster)
    fresh = cluster.copy()
    assert edited == dns.dns_records(fresh)
    assert not [r for r in edited if "nginx" in r["name"]]
    assert [r["value"] for r in edited if r["name"] == "_web._tcp.webapp.default.svc.cluster.local."] == [
        "0 100 80 webapp.default.svc.cluster.local."
    ]


def test_a_resolution_sees_a_service_created_after_the_index_was_built():
    cluster = cluster_with(WEBAPP)
    busybox = pod(cluster, "default/busybox")
    assert dns.resolve(cluster, busybox, "late").rcode == "NXDOMAIN"
    cluster.apply_text(
        yaml_text("""
        apiVersion: v1
        kind: Service
        metadata: {name: late}
        spec: {selector: {run: webapp}, ports: [{port: 80}]}
    """)
    )
    assert values(dns.resolve(cluster, busybox, "late")) == [cluster_ip(cluster, "default/late")]


@pytest.mark.parametrize(
    "text",
    [
        "10.244.1.2",
        "0.0.0.0",
        "255.255.255.255",
        "1.2.3",
        "1.2.3.4.5",
        "01.2.3.4",
        "1.2.3.256",
        "1.2.3.04",
        "1.2.3.4\n",
        " 1.2.3.4",
        "1.2.3.+4",
        "1.2.3.٤",
        "1..2.3",
        "",
        "::1",
        "fe80::1",
        "1.2.3.4/32",
        "a.b.c.d",
        "1_0.2.3.4",
        "999.1.1.1",
    ],
)
def test_the_fast_ipv4_checks_agree_with_ipaddress(text):
    import ipaddress

    from simulator.engine import netaddr

    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        address = None
    is_v4 = isinstance(address, ipaddress.IPv4Address)
    assert (netaddr.ipv4_octets(text) is not None) == is_v4
    assert netaddr.ip_sort_key(text) == ((0, int(address)) if address is not None else (1, text))


@pytest.mark.parametrize("text", ["10.244.1.2", "1.2.3.04", "::1", "1.2.3", "", "255.255.255.255", "256.1.1.1"])
def test_is_dotted_quad_says_what_ipv4_octets_finds(text):
    from simulator.engine import netaddr

    assert netaddr.is_dotted_quad(text) == (netaddr.ipv4_octets(text) is not None)
