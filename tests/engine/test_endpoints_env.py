"""Endpoints (pkg/controller/endpoint, ShouldPodBeInEndpoints, podutil.FindPort) and the Service
variables kubelet injects (pkg/kubelet/envvars, kubelet_pods.go getServiceEnvVarMap)."""

from __future__ import annotations

import pytest

from simulator.engine.controllers.endpoints import cached_endpoints
from simulator.engine.kubelet.envvars import service_env

from .conftest import cluster_with, simulate, yaml_text


def pod(name, labels="{app: web}", extra="", status="", ports="[{containerPort: 8080, name: http}]", ns="default"):
    return f"""---
apiVersion: v1
kind: Pod
metadata: {{name: {name}, namespace: {ns}, labels: {labels}}}
spec:
  {extra}
  containers: [{{name: c, image: nginx, ports: {ports}}}]
{status}"""


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


MULTI = """---
apiVersion: v1
kind: Service
metadata: {name: my-svc}
spec:
  selector: {app: x}
  ports:
  - {name: http, port: 80, targetPort: 8080}
  - {name: dns-udp, port: 53, protocol: UDP}
"""


def test_service_variables_follow_kubelets_names_for_every_port():
    cluster = cluster_with(MULTI)
    svc = cluster.get("Service", "default", "my-svc")
    ip = svc.cluster_ip
    assert service_env(svc) == [
        ("MY_SVC_SERVICE_HOST", ip),
        ("MY_SVC_SERVICE_PORT", "80"),
        ("MY_SVC_SERVICE_PORT_HTTP", "80"),
        ("MY_SVC_SERVICE_PORT_DNS_UDP", "53"),
        ("MY_SVC_PORT", f"tcp://{ip}:80"),
        ("MY_SVC_PORT_80_TCP", f"tcp://{ip}:80"),
        ("MY_SVC_PORT_80_TCP_PROTO", "tcp"),
        ("MY_SVC_PORT_80_TCP_PORT", "80"),
        ("MY_SVC_PORT_80_TCP_ADDR", ip),
        ("MY_SVC_PORT_53_UDP", f"udp://{ip}:53"),
        ("MY_SVC_PORT_53_UDP_PROTO", "udp"),
        ("MY_SVC_PORT_53_UDP_PORT", "53"),
        ("MY_SVC_PORT_53_UDP_ADDR", ip),
    ]


def test_a_pod_created_before_a_service_does_not_see_its_variables():
    out = simulate(pod("early") + MULTI + pod("late"))
    assert "MY_SVC_SERVICE_HOST" not in out["pods"]["default/early"]["env"]
    assert "MY_SVC_SERVICE_HOST" in out["pods"]["default/late"]["env"]


def test_enable_service_links_false_keeps_only_the_kubernetes_variables():
    out = simulate(MULTI + pod("quiet", extra="enableServiceLinks: false"))
    env = out["pods"]["default/quiet"]["env"]
    assert env and all(k.startswith("KUBERNETES_") for k in env)
    assert env["KUBERNETES_SERVICE_HOST"] == "10.96.0.1" and env["KUBERNETES_SERVICE_PORT_HTTPS"] == "443"


def test_pods_of_another_namespace_do_not_see_a_services_variables():
    out = simulate("apiVersion: v1\nkind: Namespace\nmetadata: {name: other}\n" + MULTI + pod("there", ns="other"))
    assert not any(k.startswith("MY_SVC") for k in out["pods"]["other/there"]["env"])


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
