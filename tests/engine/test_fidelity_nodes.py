"""What a kubelet puts on its Node, case by case against Kubernetes' sources: the well-known
labels (kubernetes.io "Well-Known Labels, Annotations and Taints"; pkg/kubelet/kubelet_node_status.go
initialNode and updateDefaultLabels) and kubeadm's control-plane marks
(cmd/kubeadm/app/phases/markcontrolplane), so that a nodeSelector on them schedules."""

from __future__ import annotations

import pytest

from .conftest import cluster_with, simulate, yaml_text

KUBELET = {
    "kubernetes.io/os": "linux",
    "kubernetes.io/arch": "amd64",
    "beta.kubernetes.io/os": "linux",
    "beta.kubernetes.io/arch": "amd64",
}
NODE = "apiVersion: v1\nkind: Node\nmetadata: {name: edge, labels: {zone: lab, kubernetes.io/hostname: wrong}}\n"


def pod(selector: str) -> str:
    return f"""---
apiVersion: v1
kind: Pod
metadata: {{name: p}}
spec:
  nodeSelector: {selector}
  containers: [{{name: c, image: nginx}}]
"""


def test_every_default_node_carries_the_kubelets_labels():
    nodes = simulate("")["nodes"]
    for name, node in nodes.items():
        assert {k: node["labels"].get(k) for k in [*KUBELET, "kubernetes.io/hostname"]} == {
            **KUBELET,
            "kubernetes.io/hostname": name,
        }


def test_the_control_plane_carries_kubeadms_labels_and_taint():
    node = simulate("")["nodes"]["control-plane"]
    assert node["labels"]["node-role.kubernetes.io/control-plane"] == ""
    assert node["labels"]["node.kubernetes.io/exclude-from-external-load-balancers"] == ""
    assert node["taints"] == [{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]


def test_a_node_document_keeps_its_labels_and_the_kubelet_sets_its_own():
    """updateDefaultLabels: kubelet's value replaces a different one the Node object had."""
    labels = simulate(NODE)["nodes"]["edge"]["labels"]
    assert labels == {"zone": "lab", "kubernetes.io/hostname": "edge", **KUBELET}


def test_reapplying_a_node_document_changes_nothing():
    cluster = cluster_with(NODE)
    assert cluster.apply_text(yaml_text(NODE)).lines() == ["node/edge unchanged"]
    assert cluster.get("Node", "", "edge").labels["kubernetes.io/os"] == "linux"


@pytest.mark.parametrize(
    "selector,node",
    [
        ("{kubernetes.io/hostname: worker-2}", "worker-2"),
        ("{kubernetes.io/os: linux}", "worker-1"),
        ("{kubernetes.io/os: linux, kubernetes.io/arch: amd64}", "worker-1"),
        ("{kubernetes.io/arch: arm64}", None),
        ("{kubernetes.io/os: windows}", None),
    ],
)
def test_a_node_selector_on_the_well_known_labels_schedules(selector, node):
    assert simulate(pod(selector))["pods"]["default/p"]["node"] == node
