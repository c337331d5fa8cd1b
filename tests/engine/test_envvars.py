"""The Service variables kubelet injects (pkg/kubelet/envvars, kubelet_pods.go getServiceEnvVarMap)."""

from __future__ import annotations

from simulator.engine.kubelet.envvars import service_env

from .conftest import MULTI, cluster_with, pod, simulate


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
