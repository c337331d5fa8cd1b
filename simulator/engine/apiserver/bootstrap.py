"""The objects every new cluster starts with, as kubeadm and the API server make them.

The four namespaces (pkg/controlplane: the system namespaces), the nodes of a kind cluster (a
tainted control plane and `workers` workers), `default/kubernetes` (the API server's own Service
on the first address of the Service range, which its bootstrap controller re-creates when it is
deleted), and CoreDNS: the `kube-system/kube-dns` Service on the tenth address and the `coredns`
Deployment as kubeadm's CoreDNS addon installs them (cmd/kubeadm/app/phases/addons/dns).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..wellknown import CONTROL_PLANE_ROLE

if TYPE_CHECKING:
    from .registry import Registry

DEFAULT_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
KUBERNETES_SERVICE_OFFSET = 1  # the first address of the Service range
KUBE_DNS_OFFSET = 10  # kubeadm's clusterDNS: the tenth address (10.96.0.10)
KUBE_DNS_LABELS = {"k8s-app": "kube-dns"}


def bootstrap(registry: Registry, *, default_nodes: bool = True) -> None:
    """The namespaces, the nodes (unless the input brings its own), and the system Services."""
    for name in DEFAULT_NAMESPACES:
        registry.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
    if default_nodes:
        add_default_nodes(registry, registry.settings.workers)
    ensure_kubernetes_service(registry)
    registry.create(kube_dns_service(registry.allocations.service_ips.ip(KUBE_DNS_OFFSET)))
    registry.create(coredns_deployment())


def add_default_nodes(registry: Registry, workers: int) -> None:
    registry.create(
        {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {"name": "control-plane", "labels": {CONTROL_PLANE_ROLE: ""}},
            "spec": {"taints": [{"key": CONTROL_PLANE_ROLE, "effect": "NoSchedule"}]},
        }
    )
    for i in range(1, workers + 1):
        registry.create({"apiVersion": "v1", "kind": "Node", "metadata": {"name": f"worker-{i}"}, "spec": {}})


def ensure_kubernetes_service(registry: Registry) -> None:
    """default/kubernetes, unless it exists."""
    if registry.store.get("Service", "default", "kubernetes") is not None:
        return
    ip = registry.allocations.service_ips.ip(KUBERNETES_SERVICE_OFFSET)
    registry.create(
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {
                "name": "kubernetes",
                "namespace": "default",
                "labels": {"component": "apiserver", "provider": "kubernetes"},
            },
            "spec": {
                "type": "ClusterIP",
                "clusterIP": ip,
                "clusterIPs": [ip],
                "sessionAffinity": "None",
                "internalTrafficPolicy": "Cluster",
                "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}],
            },
        }
    )


def kube_dns_service(ip: str) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {
            "name": "kube-dns",
            "namespace": "kube-system",
            "labels": {
                **KUBE_DNS_LABELS,
                "kubernetes.io/cluster-service": "true",
                "kubernetes.io/name": "CoreDNS",
            },
        },
        "spec": {
            "type": "ClusterIP",
            "clusterIP": ip,
            "clusterIPs": [ip],
            "selector": dict(KUBE_DNS_LABELS),
            "sessionAffinity": "None",
            "internalTrafficPolicy": "Cluster",
            "ports": [
                {"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
                {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53},
                {"name": "metrics", "port": 9153, "protocol": "TCP", "targetPort": 9153},
            ],
        },
    }


def coredns_deployment() -> dict:
    template = {
        "metadata": {"labels": dict(KUBE_DNS_LABELS)},
        "spec": {
            "containers": [
                {
                    "name": "coredns",
                    "image": "registry.k8s.io/coredns/coredns:v1.11.3",
                    "args": ["-conf", "/etc/coredns/Corefile"],
                    "ports": [
                        {"containerPort": 53, "name": "dns", "protocol": "UDP"},
                        {"containerPort": 53, "name": "dns-tcp", "protocol": "TCP"},
                        {"containerPort": 9153, "name": "metrics", "protocol": "TCP"},
                    ],
                }
            ],
            "dnsPolicy": "Default",
            "priorityClassName": "system-cluster-critical",
            "restartPolicy": "Always",
            "schedulerName": "default-scheduler",
            "terminationGracePeriodSeconds": 30,
            "enableServiceLinks": True,
            "tolerations": [
                {"key": "CriticalAddonsOnly", "operator": "Exists"},
                {"key": CONTROL_PLANE_ROLE, "effect": "NoSchedule"},
            ],
            # kubeadm clusters run CoreDNS on the control plane; prefer it, fall back to any node.
            "affinity": {
                "nodeAffinity": {
                    "preferredDuringSchedulingIgnoredDuringExecution": [
                        {
                            "weight": 100,
                            "preference": {"matchExpressions": [{"key": CONTROL_PLANE_ROLE, "operator": "Exists"}]},
                        }
                    ]
                }
            },
        },
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "coredns", "namespace": "kube-system", "labels": dict(KUBE_DNS_LABELS)},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": dict(KUBE_DNS_LABELS)},
            "template": template,
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 1}},
            "revisionHistoryLimit": 10,
            "progressDeadlineSeconds": 600,
        },
    }
