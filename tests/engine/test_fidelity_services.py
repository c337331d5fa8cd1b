"""The API server's Service allocation and checks, case by case against Kubernetes' sources.

Each case names the source it comes from (kubernetes/kubernetes at 1.33; paths under
pkg/registry/core/service/ unless said otherwise) and what a cluster answers: the errors of
`kubectl apply` (field and message after the path), the warnings it prints, or what the stored
Service holds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from simulator.engine import Engine

from .conftest import Query, cluster_with, simulate, yaml_text


def service(name: str, spec: str) -> str:
    return f"""---
apiVersion: v1
kind: Service
metadata: {{name: {name}}}
spec:
{spec}
"""


DNS_PORTS = """  selector: {app: dns}
  ports:
  - {name: dns, port: 53, protocol: UDP}
  - {name: dns-tcp, port: 53, protocol: TCP}"""

POD = """---
apiVersion: v1
kind: Pod
metadata: {name: web, labels: {app: web}}
spec:
  containers: [{name: c, image: nginx, ports: [{containerPort: 80}]}]
"""


@dataclass
class Case:
    id: str
    source: str
    text: str
    errors: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    check: Callable[[dict, Engine], None] | None = None


def _node_ports(out, name):
    return [p["nodePort"] for p in out["services"][f"default/{name}"]["ports"]]


def _shared_dns_port(out, cluster):
    udp, tcp = _node_ports(out, "dns")
    assert udp == tcp and 30000 <= udp <= 32767


def _explicit_port_shared(out, cluster):
    assert _node_ports(out, "dns") == [30053, 30053]


def _no_node_ports(out, cluster):
    assert _node_ports(out, "lb") == [None]
    assert "KUBE-NODEPORTS -m comment" not in out["iptables"].replace(":KUBE-NODEPORTS", "")
    assert "--dport 3" not in out["iptables"]  # no node port rule at all


def _only_asked_node_port(out, cluster):
    assert _node_ports(out, "lb") == [None, 30081]
    assert '-A KUBE-NODEPORTS -p tcp -m comment --comment "default/lb:b" -m tcp --dport 30081' in out["iptables"]


def _families(policy, families):
    def check(out, cluster):
        spec = cluster.get("Service", "default", "s").manifest["spec"]
        assert (spec["ipFamilyPolicy"], spec["ipFamilies"]) == (policy, families)

    return check


ALREADY = "provided port is already allocated"
TCP_30090 = service("t", "  type: NodePort\n  selector: {app: web}\n  ports: [{port: 80, nodePort: 30090}]")

CASES = [
    Case(
        "tcp-and-udp-of-one-port-number-share-a-node-port",
        "storage/alloc.go initNodePorts (svcPortToNodePort is keyed by port number)",
        service("dns", "  type: NodePort\n" + DNS_PORTS),
        check=_shared_dns_port,
    ),
    Case(
        "a-requested-node-port-is-shared-by-the-other-protocol",
        "storage/alloc.go initNodePorts, findRequestedNodePort",
        service(
            "dns",
            "  type: NodePort\n  selector: {app: dns}\n  ports:\n"
            "  - {name: dns, port: 53, protocol: UDP}\n  - {name: dns-tcp, port: 53, protocol: TCP, nodePort: 30053}",
        ),
        check=_explicit_port_shared,
    ),
    Case(
        "a-node-port-taken-for-tcp-is-taken-for-udp",
        "portallocator/allocator.go (one bitmap of port numbers, no protocol)",
        TCP_30090
        + service(
            "u", "  type: NodePort\n  selector: {app: web}\n  ports: [{port: 80, protocol: UDP, nodePort: 30090}]"
        ),
        errors=[("spec.ports[0].nodePort", f"Invalid value: 30090: {ALREADY}")],
    ),
    Case(
        "two-port-numbers-cannot-ask-for-one-node-port",
        "storage/alloc.go initNodePorts (the second number allocates the same port again)",
        service(
            "two",
            "  type: NodePort\n  selector: {app: web}\n  ports:\n"
            "  - {name: a, port: 80, nodePort: 30080}\n  - {name: b, port: 81, protocol: UDP, nodePort: 30080}",
        ),
        errors=[("spec.ports[1].nodePort", f"Invalid value: 30080: {ALREADY}")],
    ),
    Case(
        "allocate-load-balancer-node-ports-false-gets-none",
        "storage/alloc.go shouldAllocateNodePorts",
        POD
        + service(
            "lb",
            "  type: LoadBalancer\n  allocateLoadBalancerNodePorts: false\n  selector: {app: web}\n  ports: [{port: 80}]",
        ),
        check=_no_node_ports,
    ),
    Case(
        "allocate-load-balancer-node-ports-false-still-honours-an-asked-port",
        "storage/alloc.go initNodePorts (Don't allocate new ports, but do respect specific requests)",
        POD
        + service(
            "lb",
            "  type: LoadBalancer\n  allocateLoadBalancerNodePorts: false\n  selector: {app: web}\n  ports:\n"
            "  - {name: a, port: 80}\n  - {name: b, port: 81, targetPort: 80, nodePort: 30081}",
        ),
        check=_only_asked_node_port,
    ),
    Case(
        "require-dual-stack-on-an-ipv4-cluster",
        "storage/alloc.go initIPFamilyFields (Demanding dual-stack on a non dual-stack cluster)",
        service("s", "  ipFamilyPolicy: RequireDualStack\n  selector: {app: web}\n  ports: [{port: 80}]"),
        errors=[
            (
                "spec.ipFamilyPolicy",
                'Invalid value: "RequireDualStack": this cluster is not configured for dual-stack services',
            )
        ],
    ),
    Case(
        "ipv6-family-on-an-ipv4-cluster",
        "storage/alloc.go initIPFamilyFields (a requested family has to be configured)",
        service("s", "  ipFamilies: [IPv6]\n  selector: {app: web}\n  ports: [{port: 80}]"),
        errors=[("spec.ipFamilies[0]", 'Invalid value: "IPv6": not configured on this cluster')],
    ),
    Case(
        "an-ipv6-cluster-ip-on-an-ipv4-cluster",
        "storage/alloc.go initIPFamilyFields (infer IPFamilies from ClusterIPs)",
        service("s", "  clusterIP: fd00::10\n  selector: {app: web}\n  ports: [{port: 80}]"),
        errors=[("spec.clusterIPs[0]", 'Invalid value: []string{"fd00::10"}: IPv6 is not configured on this cluster')],
    ),
    Case(
        "single-stack-with-two-families",
        "storage/alloc.go initIPFamilyFields (ipFamilyPolicy must make sense for ipFamilies)",
        service(
            "s",
            "  ipFamilyPolicy: SingleStack\n  ipFamilies: [IPv4, IPv6]\n  selector: {app: web}\n  ports: [{port: 80}]",
        ),
        errors=[
            (
                "spec.ipFamilyPolicy",
                "Invalid value: \"SingleStack\": must be 'RequireDualStack' or 'PreferDualStack' when multiple IP "
                "families are specified",
            )
        ],
    ),
    Case(
        "prefer-dual-stack-stays-single-on-an-ipv4-cluster",
        "storage/alloc.go initIPFamilyFields",
        service("s", "  ipFamilyPolicy: PreferDualStack\n  selector: {app: web}\n  ports: [{port: 80}]"),
        check=_families("PreferDualStack", ["IPv4"]),
    ),
    Case(
        "a-service-defaults-to-single-stack-ipv4",
        "storage/alloc.go initIPFamilyFields (create: no policy is SingleStack; nil families get the default)",
        service("s", "  selector: {app: web}\n  ports: [{port: 80}]"),
        check=_families("SingleStack", ["IPv4"]),
    ),
    Case(
        "a-headless-selectorless-service-requires-dual-stack-even-here",
        "storage/alloc.go initIPFamilyFields (headless + selectorless special case)",
        service("s", "  clusterIP: None\n  ports: [{port: 80}]"),
        check=_families("RequireDualStack", ["IPv4", "IPv6"]),
    ),
    Case(
        "a-health-check-node-port-taken-by-another-service",
        "storage/alloc.go allocHealthCheckNodePort (its error comes back as an internal error)",
        TCP_30090
        + service(
            "lb",
            "  type: LoadBalancer\n  externalTrafficPolicy: Local\n  healthCheckNodePort: 30090\n"
            "  selector: {app: web}\n  ports: [{port: 80}]",
        ),
        errors=[
            (
                "spec.healthCheckNodePort",
                f"Internal error occurred: failed to allocate requested HealthCheck NodePort 30090: {ALREADY}",
            )
        ],
    ),
    Case(
        "a-health-check-node-port-equal-to-its-own-node-port",
        "storage/alloc.go txnAllocNodePorts (node ports first, then the health check, in one operation)",
        service(
            "lb",
            "  type: LoadBalancer\n  externalTrafficPolicy: Local\n  healthCheckNodePort: 30100\n"
            "  selector: {app: web}\n  ports: [{port: 80, nodePort: 30100}]",
        ),
        errors=[
            (
                "spec.healthCheckNodePort",
                f"Internal error occurred: failed to allocate requested HealthCheck NodePort 30100: {ALREADY}",
            )
        ],
    ),
    Case(
        "an-allocation-error-comes-alone",
        "staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go Create (BeginCreate before BeforeCreate's validation)",
        service("s", "  type: NodePort\n  selector: {app: web}\n  ports: [{name: Web, port: 80, nodePort: 8080}]"),
        errors=[
            (
                "spec.ports[0].nodePort",
                "Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767",
            )
        ],
    ),
    Case(
        "a-client-ip-affinity-longer-than-a-day",
        "pkg/apis/core/validation/validation.go validateClientIPAffinityConfig",
        service(
            "s",
            "  sessionAffinity: ClientIP\n  sessionAffinityConfig: {clientIP: {timeoutSeconds: 86401}}\n"
            "  selector: {app: web}\n  ports: [{port: 80}]",
        ),
        errors=[
            (
                "spec.sessionAffinityConfig.clientIP.timeoutSeconds",
                "Invalid value: 86401: must be greater than 0 and less than 86400",
            )
        ],
    ),
    Case(
        "cluster-ips-that-do-not-start-with-the-cluster-ip",
        "validation.go ValidateServiceClusterIPsRelatedFields (run first by alloc.go initIPFamilyFields)",
        service(
            "s", "  clusterIP: 10.96.0.50\n  clusterIPs: [10.96.0.51]\n  selector: {app: web}\n  ports: [{port: 80}]"
        ),
        errors=[("spec.clusterIPs", 'Invalid value: []string{"10.96.0.51"}: first value must match `clusterIP`')],
    ),
    Case(
        "a-loopback-external-ip",
        "validation.go ValidateNonSpecialIP",
        service("s", "  externalIPs: [127.0.0.1]\n  selector: {app: web}\n  ports: [{port: 80}]"),
        errors=[
            (
                "spec.externalIPs[0]",
                'Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
            )
        ],
    ),
    Case(
        "a-health-check-node-port-without-the-local-policy",
        "validation.go validateServiceExternalTrafficPolicy",
        service("s", "  type: NodePort\n  healthCheckNodePort: 30500\n  selector: {app: web}\n  ports: [{port: 80}]"),
        errors=[
            (
                "spec.healthCheckNodePort",
                "Invalid value: 30500: may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'",
            )
        ],
    ),
    Case(
        "external-ips-of-an-external-name-service-are-ignored",
        "pkg/api/service/warnings.go GetWarningsForService",
        service("s", "  type: ExternalName\n  externalName: example.com\n  externalIPs: [172.18.0.3]"),
        warnings=['spec.externalIPs is ignored when spec.type is "ExternalName"'],
    ),
    Case(
        "external-name-of-a-cluster-ip-service-is-ignored",
        "pkg/api/service/warnings.go GetWarningsForService",
        service("s", "  externalName: example.com\n  selector: {app: web}\n  ports: [{port: 80}]"),
        warnings=['spec.externalName is ignored when spec.type is not "ExternalName"'],
    ),
    Case(
        "session-affinity-of-a-headless-service-is-ignored",
        "pkg/api/service/warnings.go GetWarningsForService (isHeadlessService)",
        service("s", "  clusterIP: None\n  sessionAffinity: ClientIP\n  selector: {app: web}\n  ports: [{port: 80}]"),
        warnings=["spec.SessionAffinity is ignored for headless services"],
    ),
    Case(
        "an-external-ip-with-leading-zeros-is-non-standard",
        "staging/src/k8s.io/apimachinery/pkg/util/validation/ip.go GetWarningsForIP",
        service("s", "  externalIPs: [172.018.0.3]\n  selector: {app: web}\n  ports: [{port: 80}]"),
        warnings=[
            'spec.externalIPs[0]: non-standard IP address "172.018.0.3" will be considered invalid in a future '
            'Kubernetes release: use "172.18.0.3"'
        ],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_service_allocation_and_checks_follow_the_api_server(case):
    text = yaml_text(case.text)
    out = simulate(text)
    assert [(e["field"], e["message"]) for e in out["errors"]] == case.errors, case.source
    assert [w["message"] for w in out["warnings"]] == case.warnings, case.source
    if case.check is not None:
        cluster = cluster_with(text)
        case.check(out, cluster)


def test_reapplying_a_dns_service_keeps_its_shared_node_port_unchanged():
    text = yaml_text(service("dns", "  type: NodePort\n" + DNS_PORTS))
    cluster = cluster_with(text)
    ports = [p.node_port for p in cluster.get("Service", "default", "dns").ports]
    assert cluster.apply_text(text).lines() == ["service/dns unchanged"]
    assert [p.node_port for p in cluster.get("Service", "default", "dns").ports] == ports


def test_a_restored_cluster_still_holds_a_health_check_node_port():
    """alloc.go releaseAllocatedResources and the repair controller treat the health-check port as
    allocated like any node port: a cluster rebuilt from its objects must not hand it out again."""
    cluster = cluster_with(
        service(
            "lb", "  type: LoadBalancer\n  externalTrafficPolicy: Local\n  selector: {app: web}\n  ports: [{port: 80}]"
        )
    )
    health = cluster.get("Service", "default", "lb").manifest["spec"]["healthCheckNodePort"]
    copy = Engine.restore(cluster.settings, cluster.state, cluster.manifests())
    result = copy.apply_text(
        yaml_text(
            service("t", f"  type: NodePort\n  selector: {{app: web}}\n  ports: [{{port: 80, nodePort: {health}}}]")
        )
    )
    assert [e.message for e in result.errors] == [f"Invalid value: {health}: {ALREADY}"]


EXTERNAL_IPS = POD + service(
    "web", "  selector: {app: web}\n  externalIPs: [172.18.0.3, 192.0.2.10]\n  ports: [{port: 8080, targetPort: 80}]"
)


@pytest.mark.parametrize(
    "source,url,ok",
    [
        ("default/web", "http://192.0.2.10:8080/", True),  # any external IP, from a pod: kube-proxy catches it
        ("external", "http://172.18.0.3:8080/", True),  # an external IP that is a node's address
        ("external", "http://192.0.2.10:8080/", False),  # routed to no node: kubeviz assumes no such route
        ("default/web", "http://192.0.2.10:9999/", False),  # not a port of the Service
    ],
)
def test_a_services_external_ips_reach_it_as_kube_proxy_routes_them(source, url, ok):
    """pkg/proxy/iptables/proxier.go: a KUBE-SERVICES rule per external IP and Service port."""
    (query,) = simulate(EXTERNAL_IPS, queries=[Query("request", source, url)])["queries"]
    assert query["ok"] is ok
    if ok:
        assert [h["step"] for h in query["hops"]] == ["service", "endpoint"]


def test_a_pending_load_balancer_without_node_ports_is_unreachable_from_outside():
    text = POD + service(
        "lb",
        "  type: LoadBalancer\n  allocateLoadBalancerNodePorts: false\n  selector: {app: web}\n  ports: [{port: 80}]",
    )
    (query,) = simulate(text, queries=[Query("request", "external", "http://lb/")])["queries"]
    assert query["error"].endswith(
        "it has no nodePort either (allocateLoadBalancerNodePorts: false), so nothing outside the cluster reaches it"
    )
