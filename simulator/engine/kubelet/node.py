"""What a kubelet puts on its Node when it registers: the well-known labels.

Source: pkg/kubelet/kubelet_node_status.go — initialNode labels a new Node with
`kubernetes.io/hostname` (the kubelet's hostname, the node's name here), `kubernetes.io/os` and
`kubernetes.io/arch` (the kubelet binary's GOOS and GOARCH) and their deprecated
`beta.kubernetes.io/` twins; when the Node object already exists (created from a document),
tryRegisterWithAPIServer's updateDefaultLabels sets those labels on it, replacing a different
value. The simulated nodes are linux/amd64 machines, as a kind cluster's are on a laptop.
"""

from __future__ import annotations

from ..wellknown import ARCH_LABEL, BETA_ARCH_LABEL, BETA_OS_LABEL, HOSTNAME_LABEL, OS_LABEL

NODE_OS = "linux"
NODE_ARCH = "amd64"


def default_labels(node_name: str) -> dict[str, str]:
    """The labels kubelet owns on the node `node_name` (kubelet_node_status.go initialNode)."""
    return {
        HOSTNAME_LABEL: node_name,
        OS_LABEL: NODE_OS,
        ARCH_LABEL: NODE_ARCH,
        BETA_OS_LABEL: NODE_OS,
        BETA_ARCH_LABEL: NODE_ARCH,
    }


def with_default_labels(manifest: dict) -> None:
    """Put kubelet's labels on a Node manifest (updateDefaultLabels: kubelet's value wins)."""
    meta = manifest.setdefault("metadata", {})
    name = meta.get("name") or ""
    labels = meta.get("labels")
    meta["labels"] = {**(labels if isinstance(labels, dict) else {}), **default_labels(name)}
