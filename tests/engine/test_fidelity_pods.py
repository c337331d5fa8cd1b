"""Pod specs and the pod features the network depends on, case by case against Kubernetes'
sources (kubernetes/kubernetes 1.33): what `kubectl apply` answers, where the scheduler puts a
pod (or the words it leaves it Pending with), what its kubelet does, and what its resolver asks.

Sources: pkg/apis/core/validation/validation.go (validatePodDNSConfig, validateAffinity and the
node selector functions, ValidateTolerations), pkg/api/v1/pod/util.go FindPort,
pkg/scheduler/framework/plugins/{nodeports,nodeaffinity,tainttoleration,nodeunschedulable},
pkg/kubelet/lifecycle/predicate.go, pkg/kubelet/network/dns/dns.go, pkg/api/pod/warnings.go.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from simulator.engine.apiserver.validation.names import DNS1123_SUBDOMAIN_FMT_WITH_UNDERSCORE

from .conftest import Query, simulate, yaml_text


def pod(name: str, spec: str, labels: str = "{app: web}") -> str:
    return f"""---
apiVersion: v1
kind: Pod
metadata: {{name: {name}, labels: {labels}}}
spec:
{spec}
"""


NGINX = "  containers: [{name: c, image: nginx}]"
WITH_UNDERSCORE = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '_', '-' or '.', and "
    f"must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    f"'{DNS1123_SUBDOMAIN_FMT_WITH_UNDERSCORE}')"
)
REQUIRED = "  affinity:\n    nodeAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n        nodeSelectorTerms:\n"


@dataclass
class Case:
    id: str
    source: str
    text: str
    errors: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    check: Callable[[dict], None] | None = None


def _where(name, node, phase="Running"):
    def check(out):
        got = out["pods"][f"default/{name}"]
        assert (got["node"], got["phase"]) == (node, phase)

    return check


def _pending(name, message):
    def check(out):
        from .conftest import cluster_with

        got = out["pods"][f"default/{name}"]
        assert (got["node"], got["phase"]) == (None, "Pending")
        cluster = cluster_with(CURRENT_TEXT[0])
        assert cluster.schedule_failures[("default", name)] == message

    return check


def _rejected(name, reason, message):
    def check(out):
        from .conftest import cluster_with

        got = out["pods"][f"default/{name}"]
        assert (got["phase"], got["ip"], got["ready"]) == ("Failed", None, False)
        status = cluster_with(CURRENT_TEXT[0]).get("Pod", "default", name).manifest["status"]
        assert (status["reason"], status["message"]) == (reason, f"Pod was rejected: {message}")

    return check


CURRENT_TEXT = [""]
NODE_PORTS = "node(s) didn't have free ports for the requested pod ports"
TAINTED_CP = "1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }"
SIDECAR_SVC = """---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: proxy}]
"""
SIDECAR_POD = pod(
    "web",
    "  initContainers: [{name: envoy, image: envoy, restartPolicy: Always, ports: [{name: proxy, containerPort: 15001}]}]\n"
    "  containers: [{name: app, image: nginx, ports: [{name: http, containerPort: 8080}]}]",
)

CASES = [
    # ------------------------------------------------------------------ dnsConfig
    Case(
        "four-nameservers",
        "validation.go validatePodDNSConfig (MaxDNSNameservers)",
        pod("p", "  dnsConfig: {nameservers: [1.1.1.1, 8.8.8.8, 9.9.9.9, 1.0.0.1]}\n" + NGINX),
        errors=[
            (
                "spec.dnsConfig.nameservers",
                'Invalid value: []string{"1.1.1.1", "8.8.8.8", "9.9.9.9", "1.0.0.1"}: must not have more than 3 nameservers',
            )
        ],
    ),
    Case(
        "a-nameserver-that-is-no-ip",
        "validation.go validatePodDNSConfig (IsValidIP)",
        pod("p", "  dnsConfig: {nameservers: [dns.google]}\n" + NGINX),
        errors=[
            (
                "spec.dnsConfig.nameservers[0]",
                'Invalid value: "dns.google": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
            )
        ],
    ),
    Case(
        "a-search-domain-with-a-space",
        "validation.go validatePodDNSConfig (RelaxedDNSSearchValidation: IsDNS1123SubdomainWithUnderscore)",
        pod("p", "  dnsConfig: {searches: ['my domain']}\n" + NGINX),
        errors=[("spec.dnsConfig.searches[0]", f'Invalid value: "my domain": {WITH_UNDERSCORE}')],
    ),
    Case(
        "a-search-domain-may-hold-underscores-a-trailing-dot-or-be-a-dot",
        "validation.go validatePodDNSConfig (KEP-4427, beta in 1.33)",
        pod("p", "  dnsConfig: {searches: [_srv.example.com, corp.example.com., .]}\n" + NGINX),
    ),
    Case(
        "thirty-three-search-domains",
        "validation.go validatePodDNSConfig (MaxDNSSearchPaths)",
        pod("p", "  dnsConfig: {searches: [" + ", ".join(f"d{i}.example" for i in range(33)) + "]}\n" + NGINX),
        errors=[
            (
                "spec.dnsConfig.searches",
                "Invalid value: []string{"
                + ", ".join(f'"d{i}.example"' for i in range(33))
                + "}: must not have more than 32 search paths",
            )
        ],
    ),
    Case(
        "an-option-without-a-name",
        "validation.go validatePodDNSConfig (options)",
        pod("p", "  dnsConfig: {options: [{value: '2'}]}\n" + NGINX),
        errors=[("spec.dnsConfig.options[0]", "Required value: must not be empty")],
    ),
    Case(
        "dns-policy-none-needs-a-nameserver",
        "validation.go validatePodDNSConfig (DNSNone)",
        pod("p", "  dnsPolicy: None\n  dnsConfig: {searches: [example.com]}\n" + NGINX),
        errors=[
            (
                "spec.dnsConfig.nameservers",
                "Required value: must provide at least one DNS nameserver when `dnsPolicy` is None",
            )
        ],
    ),
    # ------------------------------------------------------------------ node affinity
    Case(
        "in-without-values",
        "validation.go ValidateNodeSelectorRequirement",
        pod("p", REQUIRED + "        - matchExpressions: [{key: disk, operator: In}]\n" + NGINX),
        errors=[
            (
                "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]"
                ".matchExpressions[0].values",
                "Required value: must be specified when `operator` is 'In' or 'NotIn'",
            )
        ],
    ),
    Case(
        "gt-with-two-values",
        "validation.go ValidateNodeSelectorRequirement",
        pod("p", REQUIRED + "        - matchExpressions: [{key: cores, operator: Gt, values: ['1', '2']}]\n" + NGINX),
        errors=[
            (
                "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]"
                ".matchExpressions[0].values",
                "Required value: must be specified single value when `operator` is 'Lt' or 'Gt'",
            )
        ],
    ),
    Case(
        "an-unknown-operator",
        "validation.go ValidateNodeSelectorRequirement",
        pod("p", REQUIRED + "        - matchExpressions: [{key: disk, operator: Equals, values: [ssd]}]\n" + NGINX),
        errors=[
            (
                "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]"
                ".matchExpressions[0].operator",
                'Invalid value: "Equals": not a valid selector operator',
            )
        ],
    ),
    Case(
        "a-field-selector-on-anything-but-the-name",
        "validation.go ValidateNodeFieldSelectorRequirement",
        pod("p", REQUIRED + "        - matchFields: [{key: metadata.labels, operator: In, values: [x]}]\n" + NGINX),
        errors=[
            (
                "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]"
                ".matchFields[0].key",
                'Invalid value: "metadata.labels": not a valid field selector key',
            )
        ],
    ),
    Case(
        "no-node-selector-terms",
        "validation.go ValidateNodeSelector",
        pod("p", REQUIRED.rstrip("\n") + " []\n" + NGINX),
        errors=[
            (
                "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms",
                "Required value: must have at least one node selector term",
            )
        ],
    ),
    Case(
        "a-preference-weighing-zero",
        "validation.go ValidatePreferredSchedulingTerms",
        pod(
            "p",
            "  affinity:\n    nodeAffinity:\n      preferredDuringSchedulingIgnoredDuringExecution:\n"
            "      - {weight: 0, preference: {matchExpressions: [{key: disk, operator: Exists}]}}\n" + NGINX,
        ),
        errors=[
            (
                "spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight",
                "Invalid value: 0: must be in the range 1-100",
            )
        ],
    ),
    Case(
        "required-affinity-on-the-hostname-label",
        "nodeaffinity Filter, with the labels kubelet registers (kubelet_node_status.go)",
        pod(
            "p",
            REQUIRED
            + "        - matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [worker-2]}]\n"
            + NGINX,
        ),
        check=_where("p", "worker-2"),
    ),
    Case(
        "required-affinity-on-the-node-name-field",
        "nodeaffinity PreFilter and Filter (matchFields metadata.name)",
        pod(
            "p", REQUIRED + "        - matchFields: [{key: metadata.name, operator: In, values: [worker-1]}]\n" + NGINX
        ),
        check=_where("p", "worker-1"),
    ),
    Case(
        "terms-are-ored",
        "component-helpers nodeaffinity: NodeSelectorTerms are ORed",
        pod(
            "p",
            REQUIRED
            + "        - matchExpressions: [{key: disk, operator: In, values: [ssd]}]\n"
            + "        - matchExpressions: [{key: kubernetes.io/hostname, operator: NotIn, values: [worker-1]}]\n"
            + NGINX,
        ),
        check=_where("p", "worker-2"),
    ),
    Case(
        "no-node-matches-the-affinity",
        "nodeaffinity Filter (ErrReasonPod); FitError's sorted histogram",
        pod("p", REQUIRED + "        - matchExpressions: [{key: disk, operator: Exists}]\n" + NGINX),
        check=_pending(
            "p", f"0/3 nodes are available: {TAINTED_CP}, 2 node(s) didn't match Pod's node affinity/selector."
        ),
    ),
    Case(
        "beta-os-label-is-deprecated-but-schedules",
        "pkg/api/pod/warnings.go (GetNodeLabelDeprecatedMessage); kubelet still sets the label",
        pod("p", "  nodeSelector: {beta.kubernetes.io/os: linux}\n" + NGINX),
        warnings=['spec.nodeSelector[beta.kubernetes.io/os]: deprecated since v1.14; use "kubernetes.io/os" instead'],
        check=_where("p", "worker-1"),
    ),
    # ------------------------------------------------------------------ taints and tolerations
    Case(
        "an-exists-toleration-without-key-tolerates-everything",
        "core/v1 toleration.go ToleratesTaint; tainttoleration Filter",
        pod(
            "p",
            "  tolerations: [{operator: Exists}]\n  nodeSelector: {node-role.kubernetes.io/control-plane: ''}\n"
            + NGINX,
        ),
        check=_where("p", "control-plane"),
    ),
    Case(
        "a-toleration-for-another-effect-does-not-help",
        "core/v1 toleration.go ToleratesTaint (effect must match unless empty)",
        pod(
            "p",
            "  tolerations: [{key: node-role.kubernetes.io/control-plane, operator: Exists, effect: NoExecute}]\n"
            "  nodeSelector: {node-role.kubernetes.io/control-plane: ''}\n" + NGINX,
        ),
        check=_pending(
            "p", f"0/3 nodes are available: {TAINTED_CP}, 2 node(s) didn't match Pod's node affinity/selector."
        ),
    ),
    Case(
        "an-equal-toleration-needs-the-value",
        "core/v1 toleration.go ToleratesTaint (Equal compares values)",
        pod(
            "p",
            "  tolerations: [{key: node-role.kubernetes.io/control-plane, operator: Equal, value: 'yes'}]\n"
            "  nodeSelector: {node-role.kubernetes.io/control-plane: ''}\n" + NGINX,
        ),
        check=_pending(
            "p", f"0/3 nodes are available: {TAINTED_CP}, 2 node(s) didn't match Pod's node affinity/selector."
        ),
    ),
    Case(
        "an-exists-toleration-with-a-value",
        "validation.go ValidateTolerations (the bad value is the toleration)",
        pod("p", "  tolerations: [{key: gpu, operator: Exists, value: 'yes', effect: NoSchedule}]\n" + NGINX),
        errors=[
            (
                "spec.tolerations[0].operator",
                'Invalid value: core.Toleration{Key:"gpu", Operator:"Exists", Value:"yes", Effect:"NoSchedule", '
                "TolerationSeconds:(*int64)(nil)}: value must be empty when `operator` is 'Exists'",
            )
        ],
    ),
    # ------------------------------------------------------------------ host ports
    Case(
        "two-pods-with-one-host-port-never-share-a-node",
        "nodeports Filter (HostPortInfo.CheckConflict: 0.0.0.0 conflicts with any address)",
        pod(
            "a",
            "  nodeSelector: {kubernetes.io/hostname: worker-1}\n  containers: [{name: c, image: nginx, ports: [{containerPort: 80, hostPort: 8080}]}]",
        )
        + pod(
            "b",
            "  nodeSelector: {kubernetes.io/hostname: worker-1}\n  containers: [{name: c, image: nginx, ports: [{containerPort: 80, hostPort: 8080}]}]",
        ),
        check=_pending(
            "b",
            f"0/3 nodes are available: 1 {NODE_PORTS}, 1 node(s) didn't match Pod's node affinity/selector, {TAINTED_CP}.",
        ),
    ),
    Case(
        "a-host-port-goes-to-the-next-node",
        "nodeports Filter; the scheduler then takes the other worker",
        pod("a", "  containers: [{name: c, image: nginx, ports: [{containerPort: 80, hostPort: 8080}]}]")
        + pod("b", "  containers: [{name: c, image: nginx, ports: [{containerPort: 80, hostPort: 8080}]}]")
        + pod("c", "  containers: [{name: c, image: nginx, ports: [{containerPort: 80, hostPort: 8080}]}]"),
        check=_pending("c", f"0/3 nodes are available: {TAINTED_CP}, 2 {NODE_PORTS}."),
    ),
    Case(
        "one-host-port-for-tcp-and-for-udp",
        "nodeports Filter (a conflict is per protocol and port)",
        pod(
            "a",
            "  nodeSelector: {kubernetes.io/hostname: worker-1}\n  containers: [{name: c, image: dns, ports: [{containerPort: 53, hostPort: 53}]}]",
        )
        + pod(
            "b",
            "  nodeSelector: {kubernetes.io/hostname: worker-1}\n"
            "  containers: [{name: c, image: dns, ports: [{containerPort: 53, hostPort: 53, protocol: UDP}]}]",
        ),
        check=_where("b", "worker-1"),
    ),
    Case(
        "a-host-network-pod-holds-its-container-ports",
        "defaults.go SetDefaults_Pod (hostNetwork: hostPort = containerPort); nodeports Filter",
        pod(
            "a",
            "  hostNetwork: true\n  nodeSelector: {kubernetes.io/hostname: worker-1}\n  containers: [{name: c, image: nginx, ports: [{containerPort: 80}]}]",
        )
        + pod(
            "b",
            "  nodeSelector: {kubernetes.io/hostname: worker-1}\n  containers: [{name: c, image: nginx, ports: [{containerPort: 8080, hostPort: 80}]}]",
        ),
        check=_pending(
            "b",
            f"0/3 nodes are available: 1 {NODE_PORTS}, 1 node(s) didn't match Pod's node affinity/selector, {TAINTED_CP}.",
        ),
    ),
    Case(
        "a-sidecars-host-port-counts",
        "pkg/scheduler/util GetHostPorts (init containers with restartPolicy Always)",
        pod(
            "a",
            "  nodeSelector: {kubernetes.io/hostname: worker-1}\n"
            "  initContainers: [{name: s, image: envoy, restartPolicy: Always, ports: [{containerPort: 9901, hostPort: 9901}]}]\n"
            + NGINX,
        )
        + pod(
            "b",
            "  nodeSelector: {kubernetes.io/hostname: worker-1}\n  containers: [{name: c, image: nginx, ports: [{containerPort: 9901, hostPort: 9901}]}]",
        ),
        check=_pending(
            "b",
            f"0/3 nodes are available: 1 {NODE_PORTS}, 1 node(s) didn't match Pod's node affinity/selector, {TAINTED_CP}.",
        ),
    ),
    Case(
        "two-containers-asking-for-one-host-port",
        "validation.go AccumulateUniqueHostPorts",
        pod(
            "p",
            "  containers:\n  - {name: a, image: nginx, ports: [{containerPort: 80, hostPort: 8080}]}\n"
            "  - {name: b, image: nginx, ports: [{containerPort: 81, hostPort: 8080}]}",
        ),
        errors=[("spec.containers[1].ports[0].hostPort", 'Duplicate value: "TCP//8080"')],
    ),
    Case(
        "a-port-declared-twice-warns",
        "pkg/api/pod/warnings.go (duplicate port definition)",
        pod(
            "p",
            "  containers:\n  - {name: a, image: nginx, ports: [{containerPort: 80}]}\n"
            "  - {name: b, image: nginx, ports: [{containerPort: 80}]}",
        ),
        warnings=["spec.containers[1].ports[0]: duplicate port definition with spec.containers[0].ports[0]"],
    ),
    # ------------------------------------------------------------------ nodeName and the kubelet
    Case(
        "node-name-skips-the-schedulers-taint-check",
        "the scheduler places only pods without nodeName; kubelet admission checks NoExecute taints only",
        pod("p", "  nodeName: control-plane\n" + NGINX),
        check=_where("p", "control-plane"),
    ),
    Case(
        "node-name-with-a-node-selector-it-does-not-match",
        "kubelet lifecycle/predicate.go generalFilter (NodeAffinity); kubelet.go rejectPod",
        pod("p", "  nodeName: worker-1\n  nodeSelector: {disk: ssd}\n" + NGINX),
        check=_rejected(
            "p", "NodeAffinity", "Predicate NodeAffinity failed: node(s) didn't match Pod's node affinity/selector"
        ),
    ),
    Case(
        "node-name-on-a-host-port-in-use",
        "kubelet lifecycle/predicate.go generalFilter (NodePorts)",
        pod(
            "a",
            "  nodeName: worker-1\n  containers: [{name: c, image: nginx, ports: [{containerPort: 80, hostPort: 8080}]}]",
        )
        + pod(
            "b",
            "  nodeName: worker-1\n  containers: [{name: c, image: nginx, ports: [{containerPort: 80, hostPort: 8080}]}]",
        ),
        check=_rejected("b", "NodePorts", f"Predicate NodePorts failed: {NODE_PORTS}"),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_pod_specs_follow_the_api_server_scheduler_and_kubelet(case):
    CURRENT_TEXT[0] = yaml_text(case.text)
    out = simulate(case.text)
    assert [(e["field"], e["message"]) for e in out["errors"]] == case.errors, case.source
    assert [w["message"] for w in out["warnings"]] == case.warnings, case.source
    if case.check is not None:
        case.check(out)


def test_a_named_target_port_is_found_in_a_sidecar():
    """pkg/api/v1/pod/util.go FindPort: containers first, then init containers with restartPolicy Always."""
    out = simulate(SIDECAR_SVC + SIDECAR_POD, queries=[Query("request", "default/web", "http://web/")])
    (endpoint,) = out["services"]["default/web"]["endpoints"]
    assert (endpoint["port"], endpoint["pod"]) == (15001, "default/web")
    assert out["queries"][0]["ok"] and out["queries"][0]["hops"][-1]["port"] == 15001


def test_a_named_target_port_in_a_plain_init_container_is_not_found():
    """FindPort skips init containers that run to completion: the pod is no endpoint of the Service."""
    text = SIDECAR_SVC + SIDECAR_POD.replace("restartPolicy: Always, ", "")
    assert simulate(text)["services"]["default/web"]["endpoints"] == []


RESOLV = pod(
    "p",
    "  dnsConfig:\n    nameservers: [1.1.1.1, 8.8.8.8, 9.9.9.9]\n    searches: [corp.example, .]\n"
    "    options: [{name: ndots, value: '1'}]\n" + NGINX,
)


def test_kubelet_keeps_three_nameservers_and_the_whole_search_list():
    """dns.go GetPodDNS appends dnsConfig to ClusterFirst's then formDNSConfigFitsLimits keeps the
    first three nameservers: the cluster DNS and the first two the pod gave."""
    from simulator.engine.dns.resolver import resolv_conf

    from .conftest import cluster_with

    cluster = cluster_with(RESOLV)
    conf = resolv_conf(cluster, cluster.get("Pod", "default", "p"))
    assert conf.nameservers == ("10.96.0.10", "1.1.1.1", "8.8.8.8")
    assert conf.searches == ("default.svc.cluster.local", "svc.cluster.local", "cluster.local", "corp.example", ".")
    assert conf.ndots == 1


def test_a_dot_search_domain_asks_the_name_itself():
    """A search domain "." (RelaxedDNSSearchValidation) makes the resolver ask the bare name,
    absolute: with ndots:1 and one dot, `web.default` is asked as is, then through the search list."""
    out = simulate(RESOLV, queries=[Query("resolve", "default/p", "nothing.here")])
    (query,) = out["queries"]
    assert query["tried"] == [
        "nothing.here.",
        "nothing.here.default.svc.cluster.local.",
        "nothing.here.svc.cluster.local.",
        "nothing.here.cluster.local.",
        "nothing.here.corp.example.",
        "nothing.here.",
    ]


def test_a_pod_its_kubelet_refused_gets_a_hint_that_says_why():
    from simulator.engine import diagnostics

    from .conftest import cluster_with

    cluster = cluster_with(pod("p", "  nodeName: worker-1\n  nodeSelector: {disk: ssd}\n" + NGINX))
    (hint,) = [h for h in diagnostics.cluster_hints(cluster) if h.id == diagnostics.POD_REJECTED]
    assert hint.message == (
        "pod 'p' is Failed: the kubelet of node worker-1 refused it (Pod was rejected: Predicate NodeAffinity "
        "failed: node(s) didn't match Pod's node affinity/selector)"
    )
