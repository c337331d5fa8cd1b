"""What the kubelet does when a pod is bound to its node: start it.

The pod gets an address from its node's pod range, as the host-local CNI plugin hands them out
(a hostNetwork pod shares the node's address), its node's address as `hostIP`, and its start
time: `status.startTime`, and the simulated clock in the `kubeviz.io/started-at` annotation,
from which a Job's pod runs (`kubelet/clock`). Source: pkg/kubelet/kubelet_pods.go
(generateAPIPodStatus: hostIP, podIPs), pkg/kubelet/status (startTime).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..wellknown import STARTED_AT_ANNOTATION

if TYPE_CHECKING:
    from ..apiserver.allocate import Allocations
    from ..store import Store


class Kubelet:
    def __init__(self, store: Store, allocations: Allocations) -> None:
        self.store = store
        self.allocations = allocations

    def start(self, manifest: dict, node_name: str) -> None:
        """Give the pod `manifest` describes, bound to `node_name`, its addresses and start time
        (what it already has is kept)."""
        spec = manifest["spec"]
        status = manifest["status"]
        host_network = spec.get("hostNetwork")
        if not status.get("podIP") and not host_network:
            ip = self.allocations.pod_ip(node_name)
            if ip:
                status["podIP"] = ip
                status["podIPs"] = [{"ip": ip}]
        host_ip = self.store.node_ip(node_name)
        if host_network and not status.get("podIP"):
            status["podIP"] = host_ip
            status["podIPs"] = [{"ip": host_ip}]
        status["hostIP"] = host_ip
        annotations = manifest["metadata"].setdefault("annotations", {})
        if STARTED_AT_ANNOTATION not in annotations:
            annotations[STARTED_AT_ANNOTATION] = self.store.clock_mark
        if "startTime" not in status:
            status["startTime"] = self.store.timestamp
