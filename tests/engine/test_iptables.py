"""kube-proxy's iptables mode: the nat table it programs, as iptables-save prints it.

Sources: kubernetes/kubernetes pkg/proxy/iptables/proxier.go (syncProxyRules,
writeServiceToEndpointRules, computeProbability, portProtoHash, servicePortEndpointChainName),
pkg/proxy/iptables/proxier_test.go (expected chain names and rules), pkg/proxy/topology.go
(CategorizeEndpoints), pkg/proxy/endpointslicecache.go (endpoint order); iptables
extensions/libxt_statistic.c (probability stored as lround(0x80000000 * p), printed %.11f),
libxt_MARK.c (--or-mark / --xor-mark print as --set-xmark), libxt_recent.c, libipt_REJECT.c,
libxtables xtables_save_string (comment quoting).
"""

from __future__ import annotations

import ipaddress
import re

import pytest

from simulator.engine import ClusterSettings, Engine
from simulator.engine.contract import run
from simulator.engine.proxy import iptables as kp

from .conftest import cluster_with, simulate, yaml_text


def web(replicas: int = 3, *, service_spec: str = "", target_port: str = "http", pod_extra: str = "") -> str:
    """A Deployment `web` whose container names port 8080 "http", and a Service `web` selecting it."""
    return f"""
    apiVersion: apps/v1
    kind: Deployment
    metadata: {{name: web}}
    spec:
      replicas: {replicas}
      selector: {{matchLabels: {{app: web}}}}
      template:
        metadata: {{labels: {{app: web}}}}
        spec:
          containers:
          - name: web
            image: nginx
            ports: [{{name: http, containerPort: 8080}}]
          {pod_extra}
    ---
    apiVersion: v1
    kind: Service
    metadata: {{name: web}}
    spec:
      selector: {{app: web}}
      ports: [{{name: http, port: 80, targetPort: {target_port}}}]
      {service_spec}
    """


def rules_of(text: str, chain: str) -> list[str]:
    return kp.chain_rules(text, chain)


def svc_chain(name: str, protocol: str = "TCP") -> str:
    return kp.service_chain_name(name, protocol)


def jump_targets(rules: list[str]) -> list[str]:
    return [r.rsplit(" -j ", 1)[1] for r in rules if " -j " in r]


# ---------------------------------------------------------------------------------------------
# Chain names: sha256 + base32 of "namespace/name:port" + protocol, as kube-proxy hashes them.
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "service_port, protocol, chain",
    [
        # Values seen on every kubeadm/kind node.
        ("default/kubernetes:https", "TCP", "KUBE-SVC-NPX46M4PTMTKRN6Y"),
        ("kube-system/kube-dns:dns", "UDP", "KUBE-SVC-TCOU7JCQXEZGVUNU"),
        ("kube-system/kube-dns:dns-tcp", "TCP", "KUBE-SVC-ERIFXISQEP7F7OF4"),
        ("kube-system/kube-dns:metrics", "TCP", "KUBE-SVC-JD5MR3NA4I4DYORP"),
        # proxier_test.go TestOverallIPTablesRules.
        ("ns1/svc1:p80", "TCP", "KUBE-SVC-XPGD46QRK7WJZT7O"),
    ],
)
def test_service_chain_names_are_kube_proxys_hashes(service_port, protocol, chain):
    assert kp.service_chain_name(service_port, protocol) == chain


def test_the_endpoint_chain_hashes_the_endpoint_too():
    # proxier_test.go: ns1/svc1:p80 with endpoint 10.180.0.1:80 is KUBE-SEP-SXIVWICOYRO3J4NJ.
    assert kp.endpoint_chain_name("ns1/svc1:p80", "TCP", "10.180.0.1:80") == "KUBE-SEP-SXIVWICOYRO3J4NJ"


@pytest.mark.parametrize("prefix", ["KUBE-SVL-", "KUBE-EXT-", "KUBE-FW-"])
def test_the_other_per_port_chains_share_the_svc_chains_hash(prefix):
    # proxier_test.go: ns2/svc2:p80 has KUBE-SVC-, KUBE-SVL-, KUBE-EXT-, KUBE-FW-GNZBNJ2PO5MGZ6GT.
    assert kp.service_chain_name("ns2/svc2:p80", "TCP", prefix) == prefix + "GNZBNJ2PO5MGZ6GT"


def test_an_unnamed_port_is_named_by_the_service_alone():
    # proxy.ServicePortName.String() leaves out ":port" when the port has no name.
    assert kp.service_port_name("default", "web", "") == "default/web"
    assert kp.service_port_name("default", "web", "http") == "default/web:http"


def test_a_fresh_cluster_has_the_well_known_chains():
    text = simulate("")["iptables"]
    for chain in (
        "KUBE-SVC-NPX46M4PTMTKRN6Y",
        "KUBE-SVC-TCOU7JCQXEZGVUNU",
        "KUBE-SVC-ERIFXISQEP7F7OF4",
        "KUBE-SVC-JD5MR3NA4I4DYORP",
    ):
        assert f":{chain} - [0:0]\n" in text


# ---------------------------------------------------------------------------------------------
# Probabilities: kube-proxy writes "%0.10f" of 1/n; xt_statistic keeps a 31-bit fraction.
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "n, written, saved",
    [
        (2, "0.5000000000", "0.50000000000"),
        (3, "0.3333333333", "0.33333333349"),  # lround(0x80000000 * 0.3333333333) = 715827883
        (4, "0.2500000000", "0.25000000000"),
        (9, "0.1111111111", "0.11111111101"),
        (10, "0.1000000000", "0.10000000009"),
    ],
)
def test_probabilities_print_as_iptables_save_reads_them_back(n, written, saved):
    assert kp.probability(n) == written
    assert kp.saved_probability(n) == saved


def test_a_three_endpoint_service_picks_one_in_three_then_one_in_two_then_the_last():
    text = simulate(web(3))["iptables"]
    chain = svc_chain("default/web:http")
    jumps = [r for r in rules_of(text, chain) if "-j KUBE-SEP-" in r]
    assert [re.search(r"--probability (\S+)", r) and re.search(r"--probability (\S+)", r)[1] for r in jumps] == [
        "0.33333333349",
        "0.50000000000",
        None,
    ]
    assert all("-m statistic --mode random --probability" in r for r in jumps[:2])


def test_endpoints_are_ordered_as_strings_not_as_numbers():
    # endpointslicecache.go byEndpoint sorts "ip:port" strings: 10.244.1.10 comes before 10.244.1.2.
    out = simulate(web(20))
    chain = svc_chain("default/web:http")
    ips = [re.search(r'-> ([\d.]+):8080"', r)[1] for r in rules_of(out["iptables"], chain) if "-> " in r]
    assert len(ips) == 20
    assert ips == sorted(ips)
    assert ips != sorted(ips, key=ipaddress.IPv4Address)


# ---------------------------------------------------------------------------------------------
# The chain of one Service, rule by rule.
# ---------------------------------------------------------------------------------------------


def test_dnat_goes_to_the_pod_ip_and_the_resolved_named_target_port():
    out = simulate(web(1))
    pod_ip = next(p["ip"] for name, p in out["pods"].items() if name.startswith("default/web-"))
    cluster_ip = out["services"]["default/web"]["clusterIP"]
    sep = kp.endpoint_chain_name("default/web:http", "TCP", f"{pod_ip}:8080")
    svc = svc_chain("default/web:http")
    assert (
        f'-A KUBE-SERVICES -d {cluster_ip}/32 -p tcp -m comment --comment "default/web:http cluster IP" '
        f"-m tcp --dport 80 -j {svc}"
    ) in rules_of(out["iptables"], "KUBE-SERVICES")
    assert rules_of(out["iptables"], svc) == [
        f'-A {svc} ! -s 10.244.0.0/16 -d {cluster_ip}/32 -p tcp -m comment --comment "default/web:http cluster IP" '
        "-m tcp --dport 80 -j KUBE-MARK-MASQ",
        f'-A {svc} -m comment --comment "default/web:http -> {pod_ip}:8080" -j {sep}',
    ]
    assert rules_of(out["iptables"], sep) == [
        f'-A {sep} -s {pod_ip}/32 -m comment --comment "default/web:http" -j KUBE-MARK-MASQ',
        f'-A {sep} -p tcp -m comment --comment "default/web:http" -m tcp -j DNAT --to-destination {pod_ip}:8080',
    ]


def test_kube_proxys_own_chains_come_first_and_the_nodeports_jump_last():
    text = simulate(web(2))["iptables"]
    assert text.startswith(
        "*nat\n:KUBE-SERVICES - [0:0]\n:KUBE-NODEPORTS - [0:0]\n:KUBE-POSTROUTING - [0:0]\n:KUBE-MARK-MASQ - [0:0]\n"
    )
    assert text.endswith("COMMIT\n")
    assert rules_of(text, "KUBE-POSTROUTING") == [
        "-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN",
        "-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0",
        '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" '
        "-j MASQUERADE --random-fully",
    ]
    assert rules_of(text, "KUBE-MARK-MASQ") == ["-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000"]
    assert rules_of(text, "KUBE-SERVICES")[-1] == (
        '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule '
        'in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS'
    )


def test_every_chain_is_declared_before_the_first_rule_and_every_jump_has_a_chain():
    text = simulate(web(2, service_spec="type: NodePort"))["iptables"]
    lines = text.splitlines()
    first_rule = next(i for i, line in enumerate(lines) if line.startswith("-A "))
    declared = {line[1:].split()[0] for line in lines[1:first_rule]}
    assert all(line.startswith(":") for line in lines[1:first_rule])
    targets = {t.split()[0] for t in jump_targets([line for line in lines if line.startswith("-A ")])}
    assert {t for t in targets if t.startswith("KUBE-")} <= declared


def test_a_nodeport_service_jumps_from_kube_nodeports_through_its_ext_chain():
    out = simulate(web(2, service_spec="type: NodePort"))
    node_port = out["services"]["default/web"]["ports"][0]["nodePort"]
    ext = kp.service_chain_name("default/web:http", "TCP", "KUBE-EXT-")
    svc = svc_chain("default/web:http")
    assert rules_of(out["iptables"], "KUBE-NODEPORTS") == [
        f'-A KUBE-NODEPORTS -p tcp -m comment --comment "default/web:http" -m tcp --dport {node_port} -j {ext}'
    ]
    assert rules_of(out["iptables"], ext) == [
        f'-A {ext} -m comment --comment "masquerade traffic for default/web:http external destinations" '
        "-j KUBE-MARK-MASQ",
        f"-A {ext} -j {svc}",
    ]


def test_external_traffic_policy_local_keeps_only_this_nodes_endpoints_for_outside_traffic():
    out, cluster = run([yaml_text(web(4, service_spec="type: NodePort\n      externalTrafficPolicy: Local"))])
    text = out["iptables"]
    node = kp.kube_proxy_rules(cluster).node
    assert node.name == "worker-1"
    local_ips = sorted(
        p["ip"] + ":8080" for p in out["pods"].values() if p["node"] == "worker-1" and p["labels"].get("app") == "web"
    )
    assert local_ips
    ext = kp.service_chain_name("default/web:http", "TCP", "KUBE-EXT-")
    svl = kp.service_chain_name("default/web:http", "TCP", "KUBE-SVL-")
    svc = svc_chain("default/web:http")
    assert rules_of(text, ext) == [
        f'-A {ext} -s 10.244.0.0/16 -m comment --comment "pod traffic for default/web:http external destinations" '
        f"-j {svc}",
        f'-A {ext} -m comment --comment "masquerade LOCAL traffic for default/web:http external destinations" '
        "-m addrtype --src-type LOCAL -j KUBE-MARK-MASQ",
        f'-A {ext} -m comment --comment "route LOCAL traffic for default/web:http external destinations" '
        f"-m addrtype --src-type LOCAL -j {svc}",
        f"-A {ext} -j {svl}",
    ]
    assert [re.search(r'-> (\S+)"', r)[1] for r in rules_of(text, svl)] == local_ips


def test_external_traffic_policy_local_without_local_endpoints_drops_outside_traffic_in_filter():
    # Pods pinned to worker-2; kube-proxy runs on worker-1.
    out, cluster = run(
        [
            yaml_text(
                web(
                    1, service_spec="type: NodePort\n      externalTrafficPolicy: Local", pod_extra="nodeName: worker-2"
                )
            )
        ]
    )
    node_port = out["services"]["default/web"]["ports"][0]["nodePort"]
    rules = kp.service_rules(cluster, cluster.get("Service", "default", "web"))
    svl = kp.service_chain_name("default/web:http", "TCP", "KUBE-SVL-")
    assert svl not in rules["chains"]
    assert rules["filter"] == [
        '-A KUBE-EXTERNAL-SERVICES -p tcp -m comment --comment "default/web:http has no local endpoints" '
        f"-m addrtype --dst-type LOCAL -m tcp --dport {node_port} -j DROP"
    ]


def test_client_ip_affinity_checks_the_recent_list_before_balancing():
    out = simulate(web(2, service_spec="sessionAffinity: ClientIP"))
    svc = svc_chain("default/web:http")
    rules = rules_of(out["iptables"], svc)
    seps = [r.rsplit(" -j ", 1)[1] for r in rules if "--rcheck" in r]
    assert len(seps) == 2
    assert all(
        f"-m recent --rcheck --seconds 10800 --reap --name {s} --mask 255.255.255.255 --rsource -j {s}" in rules[i + 1]
        for i, s in enumerate(seps)
    )
    assert all("-m recent --set --name " in rules_of(out["iptables"], s)[1] for s in seps)


def test_load_balancer_source_ranges_go_through_a_firewall_chain():
    settings = ClusterSettings(load_balancer_pool="172.18.255.200/29")
    cluster = cluster_with(
        web(1, service_spec="type: LoadBalancer\n      loadBalancerSourceRanges: [203.0.113.0/24]"), settings
    )
    cluster.reconcile()
    svc = cluster.get("Service", "default", "web")
    lb_ip = svc.load_balancer_ips[0]
    fw = kp.service_chain_name("default/web:http", "TCP", "KUBE-FW-")
    ext = kp.service_chain_name("default/web:http", "TCP", "KUBE-EXT-")
    rules = kp.service_rules(cluster, svc)
    assert (
        f'-A KUBE-SERVICES -d {lb_ip}/32 -p tcp -m comment --comment "default/web:http loadbalancer IP" '
        f"-m tcp --dport 80 -j {fw}"
    ) in rules["nat"]
    assert [r for r in rules["nat"] if r.startswith(f"-A {fw} ")] == [
        f'-A {fw} -s 203.0.113.0/24 -m comment --comment "default/web:http loadbalancer IP" -j {ext}',
        f'-A {fw} -m comment --comment "other traffic to default/web:http will be dropped by KUBE-PROXY-FIREWALL"',
    ]
    assert (
        f'-A KUBE-PROXY-FIREWALL -d {lb_ip}/32 -p tcp -m comment --comment "default/web:http traffic not '
        f'accepted by {fw}" -m tcp --dport 80 -j DROP'
    ) in rules["filter"]


# ---------------------------------------------------------------------------------------------
# No endpoints: nothing in nat; the filter table REJECTs (proxier.go: "we will not generate any
# chains in the "nat" table for the service; only rules in the "filter" table").
# ---------------------------------------------------------------------------------------------

NO_PODS = """
apiVersion: v1
kind: Service
metadata: {name: lonely}
spec:
  type: NodePort
  selector: {app: nobody}
  ports: [{name: http, port: 80, targetPort: 8080}]
"""


def test_a_service_without_endpoints_has_nothing_in_the_nat_table():
    out = simulate(NO_PODS)
    assert "default/lonely" not in out["iptables"]
    assert svc_chain("default/lonely:http") not in out["iptables"]


def test_a_service_without_endpoints_is_rejected_in_the_filter_table():
    out, cluster = run([yaml_text(NO_PODS)])
    cluster_ip = out["services"]["default/lonely"]["clusterIP"]
    node_port = out["services"]["default/lonely"]["ports"][0]["nodePort"]
    rules = kp.service_rules(cluster, cluster.get("Service", "default", "lonely"))
    assert rules["nat"] == [] and rules["chains"] == []
    assert rules["filter"] == [
        f'-A KUBE-SERVICES -d {cluster_ip}/32 -p tcp -m comment --comment "default/lonely:http has no endpoints" '
        "-m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable",
        '-A KUBE-EXTERNAL-SERVICES -p tcp -m comment --comment "default/lonely:http has no endpoints" '
        f"-m addrtype --dst-type LOCAL -m tcp --dport {node_port} -j REJECT --reject-with icmp-port-unreachable",
    ]
    assert rules["filter"][0] + "\n" in kp.iptables_save(cluster, "filter")


def bare_pod(name: str, ready: bool) -> str:
    return f"""
    apiVersion: v1
    kind: Pod
    metadata: {{name: {name}, labels: {{app: web}}}}
    spec:
      containers: [{{name: web, image: nginx, ports: [{{name: http, containerPort: 8080}}]}}]
    status:
      conditions: [{{type: Ready, status: "{"True" if ready else "False"}"}}]
    ---
    """


SERVICE_ONLY = """
    apiVersion: v1
    kind: Service
    metadata: {name: web}
    spec:
      selector: {app: web}
      ports: [{name: http, port: 80, targetPort: http}]
    """


def test_a_pod_that_is_not_ready_gets_no_rules():
    out = simulate(bare_pod("ready", True) + bare_pod("starting", False) + SERVICE_ONLY)
    ready_ip, starting_ip = out["pods"]["default/ready"]["ip"], out["pods"]["default/starting"]["ip"]
    assert f"--to-destination {ready_ip}:8080" in out["iptables"]
    assert starting_ip not in out["iptables"]


def test_a_service_whose_pods_are_all_unready_is_rejected():
    _out, cluster = run([yaml_text(bare_pod("starting", False) + SERVICE_ONLY)])
    rules = kp.service_rules(cluster, cluster.get("Service", "default", "web"))
    assert rules["nat"] == []
    assert [r.rsplit(" -j ", 1)[1] for r in rules["filter"]] == ["REJECT --reject-with icmp-port-unreachable"]


@pytest.mark.parametrize(
    "spec, reason",
    [
        ({"clusterIP": "None"}, "headless"),
        ({"type": "ExternalName", "externalName": "example.com"}, "ExternalName"),
        ({"clusterIP": "10.96.5.5"}, None),  # the control case: an ordinary Service is proxied
    ],
)
def test_services_kube_proxy_skips_have_no_rules_and_say_why(spec, reason):
    fields = "".join(f"  {key}: {value}\n" for key, value in spec.items())
    out, cluster = run(
        ["apiVersion: v1\nkind: Service\nmetadata: {name: skipped}\nspec:\n" + fields + "  ports: [{port: 80}]\n"]
    )
    assert out["errors"] == []
    rules = kp.service_rules(cluster, cluster.get("Service", "default", "skipped"))
    if reason is None:
        assert rules["skipped"] is None and rules["filter"]  # no endpoints: REJECT
        return
    assert rules["nat"] == [] and rules["filter"] == []
    assert reason in rules["skipped"]
    assert "default/skipped" not in out["iptables"]
    assert "default/skipped" not in kp.iptables_save(cluster, "filter")


# ---------------------------------------------------------------------------------------------
# Determinism and caching.
# ---------------------------------------------------------------------------------------------


def test_the_same_input_gives_the_same_table():
    assert simulate(web(5))["iptables"] == simulate(web(5))["iptables"]


def test_services_are_listed_by_namespace_and_name():
    text = simulate(
        web(1)
        + """
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: a-first}
    spec:
      selector: {app: web}
      ports: [{name: http, port: 81, targetPort: http}]
    """
    )["iptables"]
    comments = [
        re.search(r'--comment "([^ "]+) cluster IP"', r)[1]
        for r in rules_of(text, "KUBE-SERVICES")
        if "cluster IP" in r
    ]
    assert comments == [
        "default/a-first:http",
        "default/kubernetes:https",
        "default/web:http",
        "kube-system/kube-dns:dns",
        "kube-system/kube-dns:dns-tcp",
        "kube-system/kube-dns:metrics",
    ]


def test_a_table_kept_up_to_date_equals_one_derived_from_scratch():
    """Stale state + changes == fresh state: the per-Service cache never serves old rules."""
    first = yaml_text(web(3))
    second = yaml_text(web(1).replace("name: web", "name: api").replace("app: web", "app: api"))
    live = Engine.new()
    live.apply_text(first, atomic=False)
    live.reconcile()
    kp.iptables_save(live)
    live.apply_text(second, atomic=False)
    live.reconcile()
    pod = next(p for p in live.list("Pod") if p.labels.get("app") == "web")
    live.delete("Pod", pod.namespace, pod.name)
    live.reconcile()
    updated = kp.iptables_save(live)

    fresh = Engine.new()
    fresh.apply_text(first, atomic=False)
    fresh.reconcile()
    fresh.apply_text(second, atomic=False)
    fresh.reconcile()
    pod = next(p for p in fresh.list("Pod") if p.labels.get("app") == "web")
    fresh.delete("Pod", pod.namespace, pod.name)
    fresh.reconcile()
    assert updated == kp.iptables_save(fresh)


def test_one_pod_changing_rebuilds_only_the_services_that_select_it():
    cluster = cluster_with(yaml_text(web(2)))
    cluster.reconcile()
    before = dict(kp.kube_proxy_rules(cluster).services)
    pod = next(p for p in cluster.list("Pod") if p.labels.get("app") == "web")
    cluster.delete("Pod", pod.namespace, pod.name)
    after = dict(kp.kube_proxy_rules(cluster).services)
    assert after["default/web"] is not before["default/web"]
    assert all(after[k] is before[k] for k in before if k != "default/web")


def test_large_clusters_drop_the_per_endpoint_comments(monkeypatch):
    # proxier.go: more than largeClusterEndpointsThreshold endpoints -> no comments on KUBE-SEP
    # rules nor on KUBE-SVC -> KUBE-SEP jumps (appendServiceCommentLocked).
    monkeypatch.setattr(kp, "LARGE_CLUSTER_ENDPOINTS_THRESHOLD", 3)
    out = simulate(web(3))
    svc = svc_chain("default/web:http")
    rules = rules_of(out["iptables"], svc)
    assert "cluster IP" in rules[0]
    assert [r.split(" -j ")[0] for r in rules[1:]] == [
        f"-A {svc} -m statistic --mode random --probability 0.33333333349",
        f"-A {svc} -m statistic --mode random --probability 0.50000000000",
        f"-A {svc}",
    ]
    sep = rules[1].rsplit(" ", 1)[1]
    assert rules_of(out["iptables"], sep)[0].startswith(f"-A {sep} -s ") and "comment" not in "".join(
        rules_of(out["iptables"], sep)
    )


# ---------------------------------------------------------------------------------------------
# The simulate command.
# ---------------------------------------------------------------------------------------------


def test_simulate_fills_the_iptables_key_with_the_nat_table():
    out = simulate(web(1))
    assert out["iptables"].startswith("*nat\n:KUBE-SERVICES - [0:0]\n")
    assert out["iptables"].endswith("COMMIT\n")
    assert '--comment "default/web:http cluster IP"' in out["iptables"]


def test_the_filter_table_is_available_too():
    text = kp.iptables_save(cluster_with(), "filter")
    assert text.startswith("*filter\n:KUBE-SERVICES - [0:0]\n:KUBE-EXTERNAL-SERVICES - [0:0]\n")
    assert "-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP\n" in text
    assert text.endswith("COMMIT\n")
    with pytest.raises(ValueError):
        kp.iptables_save(cluster_with(), "mangle")


def test_chain_hashes_spell_base32_of_the_first_ten_digest_bytes():
    import base64
    import hashlib

    from simulator.engine.proxy import iptables as kubeproxy

    for i in range(500):
        text = f"team-{i}/app-{i * 7}:http" + "tcp" + f"10.244.{i % 256}.{i % 200}:8080" * (i % 3)
        want = base64.b32encode(hashlib.sha256(text.encode()).digest()).decode()[:16]
        assert kubeproxy._hash16(text) == want
