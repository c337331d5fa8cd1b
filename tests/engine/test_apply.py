"""Apply as the API server does it: decode, default, validate, allocate, store; the contract's
cluster defaults; all-or-nothing for the dashboard, per document for simulate."""

from __future__ import annotations

import pytest

from simulator.engine import ClusterSettings, Engine

from .conftest import cluster_with, simulate, yaml_text

WEB = """
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80}]
"""


def test_a_fresh_cluster_has_the_contracts_nodes_namespaces_and_system_services():
    out = simulate("apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n")
    assert {n: (v["ip"], v["podCIDR"]) for n, v in out["nodes"].items()} == {
        "control-plane": ("172.18.0.2", "10.244.0.0/24"),
        "worker-1": ("172.18.0.3", "10.244.1.0/24"),
        "worker-2": ("172.18.0.4", "10.244.2.0/24"),
    }
    assert out["nodes"]["control-plane"]["taints"] == [
        {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}
    ]
    assert out["services"]["default/kubernetes"]["clusterIP"] == "10.96.0.1"
    dns = out["services"]["kube-system/kube-dns"]
    assert dns["clusterIP"] == "10.96.0.10"
    assert [(p["name"], p["port"], p["protocol"]) for p in dns["ports"]] == [
        ("dns", 53, "UDP"),
        ("dns-tcp", 53, "TCP"),
        ("metrics", 9153, "TCP"),
    ]
    coredns = {e["pod"] for e in dns["endpoints"]}
    assert len(coredns) == 2 and {out["pods"][p]["node"] for p in coredns} == {"control-plane"}
    assert sorted(out["pods"][p]["ip"] for p in coredns) == ["10.244.0.2", "10.244.0.3"]
    assert set(out) == {
        "version",
        "errors",
        "warnings",
        "nodes",
        "pods",
        "services",
        "ingresses",
        "deployments",
        "jobs",
        "daemonsets",
        "dns",
        "iptables",
        "queries",
    }


@pytest.mark.parametrize(
    "workers,names", [(0, ["control-plane"]), (4, ["control-plane", "worker-1", "worker-2", "worker-3", "worker-4"])]
)
def test_the_nodes_option_gives_the_control_plane_plus_n_workers(workers, names):
    out = simulate("apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n", workers=workers)
    assert sorted(out["nodes"]) == names


def test_node_documents_replace_the_default_topology_and_get_addresses_in_document_order():
    out = simulate("""
        apiVersion: v1
        kind: Node
        metadata: {name: b}
        ---
        apiVersion: v1
        kind: Node
        metadata: {name: a}
    """)
    assert {n: v["ip"] for n, v in out["nodes"].items()} == {"b": "172.18.0.2", "a": "172.18.0.3"}
    assert out["nodes"]["a"]["podCIDR"] == "10.244.1.0/24"


def test_services_get_cluster_ips_from_the_dynamic_band_of_the_service_cidr():
    out = simulate(WEB)
    ip = out["services"]["default/web"]["clusterIP"]
    first, second, third, _ = map(int, ip.split("."))
    assert first == 10 and 96 <= second <= 111 and (second, third) != (96, 0)


def test_an_explicit_cluster_ip_outside_the_range_is_rejected_with_the_allocators_words():
    out = simulate(WEB.replace("spec:", "spec:\n  clusterIP: 10.0.0.5"))
    (error,) = out["errors"]
    assert error["field"] == "spec.clusterIPs"
    assert error["message"] == (
        'Invalid value: []string{"10.0.0.5"}: failed to allocate IP 10.0.0.5: the provided IP '
        "(10.0.0.5) is not in the valid range. The range of valid IPs is 10.96.0.0/12"
    )


def test_an_explicit_cluster_ip_already_taken_is_rejected():
    out = simulate(WEB.replace("spec:", "spec:\n  clusterIP: 10.96.0.10"))
    assert out["errors"][0]["message"].endswith("failed to allocate IP 10.96.0.10: provided IP is already allocated")


def test_two_services_asking_for_the_same_node_port_in_one_input_conflict():
    text = WEB.replace("ports: [{port: 80}]", "type: NodePort\n  ports: [{port: 80, nodePort: 30080}]")
    out = simulate(text + "---\n" + text.replace("name: web", "name: web2"))
    (error,) = out["errors"]
    assert error["document"] == 2 and error["field"] == "spec.ports[0].nodePort"
    assert error["message"] == "Invalid value: 30080: provided port is already allocated"


def test_a_node_port_outside_the_range_is_rejected():
    out = simulate(WEB.replace("ports: [{port: 80}]", "type: NodePort\n  ports: [{port: 80, nodePort: 8080}]"))
    assert out["errors"][0]["message"] == (
        "Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767"
    )


def test_an_invalid_service_name_gets_the_dns_1035_message_on_its_line():
    out = simulate(WEB.replace("name: web", "name: Web_App"))
    (error,) = out["errors"]
    assert (error["document"], error["line"], error["kind"], error["field"]) == (1, 3, "Service", "metadata.name")
    assert error["message"].startswith('Invalid value: "Web_App": a DNS-1035 label must consist of lower case')


def test_a_string_where_a_port_number_goes_is_a_decoding_error():
    out = simulate(WEB.replace("port: 80", "port: eighty"))
    (error,) = out["errors"]
    assert error["field"] == "spec.ports[0].port" and error["line"] == 6
    assert error["message"] == (
        "json: cannot unmarshal string into Go struct field ServicePort.spec.ports.port of type int32"
    )


@pytest.mark.parametrize(
    "api_version,kind,message",
    [
        ("apps/v1beta1", "Deployment", 'no matches for kind "Deployment" in version "apps/v1beta1"'),
        ("v1", "Servise", 'no matches for kind "Servise" in version "v1"'),
        ("v1", "PersistentVolumeClaim", 'no matches for kind "PersistentVolumeClaim" in version "v1"'),
    ],
)
def test_unknown_kinds_and_versions_get_no_matches_for_kind(api_version, kind, message):
    out = simulate(f"apiVersion: {api_version}\nkind: {kind}\nmetadata: {{name: x}}\n")
    (error,) = out["errors"]
    assert error["message"] == message and error["hint"]


def test_a_list_document_applies_each_item_and_places_item_errors_on_their_lines():
    out = simulate("""
        apiVersion: v1
        kind: List
        items:
        - apiVersion: v1
          kind: Namespace
          metadata: {name: ok}
        - apiVersion: v1
          kind: Service
          metadata: {name: bad}
          spec:
            ports: [{port: 0}]
    """)
    # port 0 is invalid, and so is the targetPort it defaults to: the API server reports both
    assert [(e["document"], e["line"], e["field"]) for e in out["errors"]] == [
        (1, 11, "spec.ports[0].port"),
        (1, 11, "spec.ports[0].targetPort"),
    ]
    assert out["errors"][0]["message"] == "Invalid value: 0: must be between 1 and 65535, inclusive"


def test_the_dashboards_apply_is_all_or_nothing():
    cluster = Engine.new()
    before = [o.manifest for o in cluster.all_objects()]
    result = cluster.apply_text(yaml_text(WEB + "---\n" + WEB.replace("name: web", "name: Bad_Name")), atomic=True)
    assert not result.ok and len(result.errors) == 1 and result.errors[0].document == 2
    assert cluster.get("Service", "default", "web") is None
    assert [o.manifest for o in cluster.all_objects()] == before


def test_applying_the_same_object_twice_reports_unchanged_and_then_configured_on_a_change():
    cluster = cluster_with(WEB)
    assert cluster.apply_text(yaml_text(WEB)).lines() == ["service/web unchanged"]
    assert cluster.apply_text(yaml_text(WEB.replace("port: 80", "port: 81"))).lines() == ["service/web configured"]


JOB = """
apiVersion: batch/v1
kind: Job
metadata: {name: oneshot%s}
spec: {template: {spec: {restartPolicy: Never, containers: [{name: a, image: busybox}]}}}
"""


def test_a_job_applied_again_is_unchanged_and_an_edit_of_it_is_configured():
    """kubectl apply patches the stored Job, so its uid (which its generated selector and
    template labels name) is there when the edit is validated."""
    cluster = cluster_with(JOB % "")
    assert cluster.apply_text(yaml_text(JOB % "")).lines() == ["job.batch/oneshot unchanged"]
    relabel = cluster.apply_text(yaml_text(JOB % ", labels: {course: jobs}"))
    assert relabel.ok, [str(e) for e in relabel.errors]
    assert relabel.lines() == ["job.batch/oneshot configured"]
    assert cluster.get("Job", "default", "oneshot").labels == {"course": "jobs"}


def test_changing_a_services_cluster_ip_is_refused_as_immutable():
    cluster = cluster_with(WEB)
    ip = cluster.get("Service", "default", "web").cluster_ip
    result = cluster.apply_text(yaml_text(WEB.replace("spec:", "spec:\n  clusterIP: 10.96.5.5")))
    (error,) = result.errors
    # ValidateServiceUpdate (validateServiceClusterIPsRelatedFields)
    assert error.field == "spec.clusterIPs[0]"
    assert error.message == 'Invalid value: []string{"10.96.5.5"}: may not change once set'
    assert cluster.get("Service", "default", "web").cluster_ip == ip


def test_a_dry_run_changes_nothing():
    cluster = Engine.new()
    result = cluster.apply_text(yaml_text(WEB), dry_run=True)
    assert result.lines() == ["service/web created"]
    assert cluster.get("Service", "default", "web") is None


def test_a_load_balancer_pool_gives_the_service_an_ip():
    cluster = cluster_with(
        WEB.replace("ports:", "type: LoadBalancer\n  ports:"),
        settings=ClusterSettings(load_balancer_pool="172.18.255.200-172.18.255.210"),
    )
    assert cluster.get("Service", "default", "web").load_balancer_ips == ("172.18.255.200",)


def test_a_restored_cluster_equals_the_original():
    from simulator.engine.contract import cluster_view

    cluster = cluster_with(
        WEB
        + """---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx}]}
"""
    )
    copy = Engine.restore(cluster.settings, cluster.state, cluster.manifests())
    assert cluster_view(copy) == cluster_view(cluster)
    copy.apply_text(yaml_text(WEB.replace("port: 80", "port: 81")))
    cluster.apply_text(yaml_text(WEB.replace("port: 80", "port: 81")))
    assert cluster_view(copy) == cluster_view(cluster)


def test_a_local_traffic_policy_load_balancer_gets_a_health_check_node_port():
    cluster = cluster_with(WEB.replace("ports:", "type: LoadBalancer\n  externalTrafficPolicy: Local\n  ports:"))
    spec = cluster.get("Service", "default", "web").manifest["spec"]
    assert 30000 <= spec["healthCheckNodePort"] <= 32767
    assert spec["healthCheckNodePort"] != spec["ports"][0]["nodePort"]
