"""The DaemonSet controller: exactly one daemon pod on every node that can run it.

Source: pkg/controller/daemon (daemon_controller.go manage and nodeShouldRunDaemonPod; a node
that is unschedulable still runs daemons), with the tolerations every daemon pod gets
(pkg/controller/daemon/util/daemonset_util.go AddOrUpdateDaemonPodTolerations).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import Node, Workload, tolerations_of
from ..scheduler import feasible
from ..wellknown import (
    CONTROLLER_REVISION_HASH_LABEL,
    POD_TEMPLATE_GENERATION_LABEL,
    TAINT_DISK_PRESSURE,
    TAINT_MEMORY_PRESSURE,
    TAINT_NOT_READY,
    TAINT_PID_PRESSURE,
    TAINT_UNREACHABLE,
    TAINT_UNSCHEDULABLE,
)

if TYPE_CHECKING:
    from ..store import Store
    from .manager import ControllerManager

DAEMONSET_TOLERATIONS = (
    {"key": TAINT_NOT_READY, "operator": "Exists", "effect": "NoExecute"},
    {"key": TAINT_UNREACHABLE, "operator": "Exists", "effect": "NoExecute"},
    {"key": TAINT_DISK_PRESSURE, "operator": "Exists", "effect": "NoSchedule"},
    {"key": TAINT_MEMORY_PRESSURE, "operator": "Exists", "effect": "NoSchedule"},
    {"key": TAINT_PID_PRESSURE, "operator": "Exists", "effect": "NoSchedule"},
    {"key": TAINT_UNSCHEDULABLE, "operator": "Exists", "effect": "NoSchedule"},
)


def daemon_nodes(store: Store, ds: Workload) -> list[Node]:
    """The nodes that should run one of the DaemonSet's pods."""
    spec = ds.template.get("spec") or {}
    tolerations = tolerations_of({"tolerations": list(spec.get("tolerations") or []) + list(DAEMONSET_TOLERATIONS)})
    return [
        n
        for n in store.nodes()
        if feasible(n, spec, spec.get("nodeSelector") or {}, tolerations, ignore_unschedulable=True) is None
    ]


def sync(manager: ControllerManager, ds: Workload) -> None:
    store = manager.store
    eligible = {n.name for n in daemon_nodes(store, ds)}
    template_hash = manager.template_hash(ds.template)[:10]
    by_node: dict[str, list] = {}
    for pod in store.owned_by(ds.uid, "Pod"):
        if pod.terminal:
            continue
        by_node.setdefault(pod.node or "", []).append(pod)
    for node_name, pods in by_node.items():
        if node_name not in eligible:
            for pod in pods:
                manager.delete(pod)
        else:
            for pod in pods[1:]:
                manager.delete(pod)
    generation = str((ds.manifest.get("metadata") or {}).get("generation", 1))
    for node in store.nodes():
        if node.name in eligible and node.name not in by_node:
            manager.create_pods(
                ds,
                "apps/v1",
                ds.template,
                {CONTROLLER_REVISION_HASH_LABEL: template_hash, POD_TEMPLATE_GENERATION_LABEL: generation},
                node_name=node.name,
                extra_tolerations=DAEMONSET_TOLERATIONS,
            )
