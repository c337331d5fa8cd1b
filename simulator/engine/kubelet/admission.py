"""The kubelet's admission of a pod bound to its node without the scheduler (`spec.nodeName` in
the document): the checks the scheduler would have made, and a rejected pod ends Failed.

Source: pkg/kubelet/lifecycle/predicate.go — predicateAdmitHandler.Admit runs generalFilter:
scheduler.AdmissionCheck (NodeAffinity: the nodeSelector and required node affinity; NodeName;
NodePorts), then the node's NoExecute taints (TaintToleration); the first failure is the reason,
`Predicate <name> failed: <reason>` the message. pkg/kubelet/kubelet.go rejectPod then sets the
pod's status: phase Failed, that reason, and "Pod was rejected: <message>".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import tolerations_of
from ..predicates import (
    AFFINITY_MISMATCH,
    PORTS_IN_USE,
    TAINTS_NOT_TOLERATED,
    node_affinity_ok,
    ports_conflict,
    untolerated_taint,
)

if TYPE_CHECKING:
    from ..model import Node


def admission_failure(node: Node, spec: dict, used_ports, ports) -> tuple[str, str] | None:
    """(reason, message) when the node's kubelet rejects the pod, else None. `used_ports` are the
    host ports other pods hold on the node, `ports` the pod's own (predicates.host_ports)."""
    if not node_affinity_ok(node, spec):
        return _failed("NodeAffinity", AFFINITY_MISMATCH)
    if ports and ports_conflict(used_ports, ports):
        return _failed("NodePorts", PORTS_IN_USE)
    if untolerated_taint(node, tolerations_of(spec), ("NoExecute",)) is not None:
        return _failed("TaintToleration", TAINTS_NOT_TOLERATED)
    return None


def _failed(predicate: str, reason: str) -> tuple[str, str]:
    return predicate, f"Predicate {predicate} failed: {reason}"
