"""Endpoints (pkg/controller/endpoint, ShouldPodBeInEndpoints, podutil.FindPort)."""

from __future__ import annotations

import pytest

from simulator.engine.controllers.endpoints import cached_endpoints

from .conftest import MULTI, cluster_with, pod, simulate, yaml_text

SVC = """---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
"""


def test_a_pod_that_is_not_ready_is_listed_as_a_not_ready_address():
    out = simulate(
        SVC + pod("a") + pod("b", status='status:\n  phase: Running\n  conditions: [{type: Ready, status: "False"}]')
    )
    eps = {e["pod"]: e["ready"] for e in out["services"]["default/web"]["endpoints"]}
    assert eps == {"default/a": True, "default/b": False}


def test_publish_not_ready_addresses_publishes_them_as_ready():
    text = SVC.replace("  selector:", "  publishNotReadyAddresses: true\n  selector:")
    out = simulate(text + pod("b", status='status:\n  conditions: [{type: Ready, status: "False"}]'))
    assert [e["ready"] for e in out["services"]["default/web"]["endpoints"]] == [True]


@pytest.mark.parametrize("phase", ["Succeeded", "Failed"])
def test_terminal_pods_are_left_out_of_endpoints(phase):
    out = simulate(SVC + pod("done", status=f"status:\n  phase: {phase}"))
    assert out["services"]["default/web"]["endpoints"] == []


def test_a_named_target_port_resolves_per_pod_and_pods_without_it_are_left_out():
    out = simulate(
        SVC
        + pod("a")
        + pod("b", ports="[{containerPort: 9090, name: http}]")
        + pod("c", ports="[{containerPort: 8080, name: web}]")
    )
    eps = {e["pod"]: e["port"] for e in out["services"]["default/web"]["endpoints"]}
    assert eps == {"default/a": 8080, "default/b": 9090}
    assert out["services"]["default/web"]["ports"][0]["targetPort"] == "http"


def test_a_numeric_target_port_is_used_even_if_no_container_declares_it():
    out = simulate(SVC.replace("targetPort: http", "targetPort: 5000") + pod("a"))
    assert [e["port"] for e in out["services"]["default/web"]["endpoints"]] == [5000]


def test_an_omitted_target_port_defaults_to_the_port_and_protocol_to_tcp():
    out = simulate(SVC.replace(", targetPort: http", "") + pod("a"))
    assert out["services"]["default/web"]["ports"] == [
        {"name": "http", "protocol": "TCP", "port": 80, "targetPort": 80, "nodePort": None}
    ]


def test_a_pending_pod_has_no_ip_and_no_endpoint():
    out = simulate(SVC + pod("stuck", extra="nodeSelector: {disk: ssd}"))
    assert out["pods"]["default/stuck"] == {
        **out["pods"]["default/stuck"],
        "phase": "Pending",
        "node": None,
        "ip": None,
        "ready": False,
    }
    assert out["services"]["default/web"]["endpoints"] == []


def test_a_headless_service_has_endpoints_but_no_variables():
    out = simulate(SVC.replace("  selector:", "  clusterIP: None\n  selector:") + pod("a"))
    svc = out["services"]["default/web"]
    assert svc["clusterIP"] == "None" and len(svc["endpoints"]) == 1
    assert not any(k.startswith("WEB_") for k in out["pods"]["default/a"]["env"])


def test_endpoints_follow_a_label_edit_incrementally():
    cluster = cluster_with(SVC + pod("a") + pod("b"))
    svc = cluster.get("Service", "default", "web")
    assert len(cached_endpoints(cluster, svc)) == 2
    cluster.pop_changes()
    cluster.apply_text(yaml_text(pod("b", labels="{app: other}")))
    assert [e.pod for e in cached_endpoints(cluster, svc)] == ["default/a"]
    assert ("Endpoints", "default", "web") in cluster.pop_changes()


def test_the_kubernetes_service_has_one_endpoint_on_the_control_plane_at_6443():
    out = simulate(MULTI)
    assert out["services"]["default/kubernetes"]["endpoints"] == [
        {"pod": None, "ip": "172.18.0.2", "port": 6443, "portName": "https", "ready": True}
    ]


def test_a_headless_service_without_ports_still_lists_its_pods_addresses():
    # endpoints_controller.go: "Allow headless service not to have ports"
    out = simulate(
        """---
apiVersion: v1
kind: Service
metadata: {name: peers}
spec: {clusterIP: None, selector: {app: web}}
"""
        + pod("a")
    )
    assert out["services"]["default/peers"]["endpoints"] == [
        {"pod": "default/a", "ip": out["pods"]["default/a"]["ip"], "port": None, "portName": None, "ready": True}
    ]
    assert any(r["name"] == "peers.default.svc.cluster.local." and r["type"] == "A" for r in out["dns"])
