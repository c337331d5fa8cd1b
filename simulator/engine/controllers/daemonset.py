"""The DaemonSet controller: exactly one daemon pod on every node that can run it.

Source: pkg/controller/daemon — daemon_controller.go manage (the nodes needing a daemon pod,
those running one too many, and syncNodes: each new pod's template gets node affinity on the
node's name, util.ReplaceDaemonSetPodNodeNameNodeAffinity, so the scheduler places it there and
its NodePorts filter applies) and nodeShouldRunDaemonPod / predicates (a node runs the daemon
when the pod's node affinity, nodeSelector included, matches it and its NoSchedule and NoExecute
taints are tolerated; a cordoned node still runs daemons). util/daemonset_util.go
CreatePodTemplate and AddOrUpdateDaemonPodTolerations: the tolerations every daemon pod gets, and
the network-unavailable one for host-network pods; GetTargetNodeName: which node a pod is for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import Node, Pod, Workload, tolerations_of
from ..predicates import AFFINITY_MISMATCH, OBJECT_NAME_FIELD, node_affinity_ok, untolerated_taint
from ..wellknown import (
    CONTROLLER_REVISION_HASH_LABEL,
    POD_TEMPLATE_GENERATION_LABEL,
    TAINT_DISK_PRESSURE,
    TAINT_MEMORY_PRESSURE,
    TAINT_NETWORK_UNAVAILABLE,
    TAINT_NOT_READY,
    TAINT_PID_PRESSURE,
    TAINT_UNREACHABLE,
    TAINT_UNSCHEDULABLE,
)

if TYPE_CHECKING:
    from ..store import Store
    from .manager import ControllerManager

# AddOrUpdateDaemonPodTolerations, in its order.
DAEMONSET_TOLERATIONS = (
    {"key": TAINT_NOT_READY, "operator": "Exists", "effect": "NoExecute"},
    {"key": TAINT_UNREACHABLE, "operator": "Exists", "effect": "NoExecute"},
    {"key": TAINT_DISK_PRESSURE, "operator": "Exists", "effect": "NoSchedule"},
    {"key": TAINT_MEMORY_PRESSURE, "operator": "Exists", "effect": "NoSchedule"},
    {"key": TAINT_PID_PRESSURE, "operator": "Exists", "effect": "NoSchedule"},
    {"key": TAINT_UNSCHEDULABLE, "operator": "Exists", "effect": "NoSchedule"},
)
HOST_NETWORK_TOLERATION = {"key": TAINT_NETWORK_UNAVAILABLE, "operator": "Exists", "effect": "NoSchedule"}


def _same_toleration(a: dict, b: dict) -> bool:
    """Toleration.MatchToleration: same key, operator, value and effect (not tolerationSeconds)."""
    return all((a.get(k) or "") == (b.get(k) or "") for k in ("key", "operator", "value", "effect"))


def with_daemon_tolerations(spec: dict) -> dict:
    """The pod spec with the daemon tolerations (v1helper.AddOrUpdateTolerationInPodSpec: one the
    pod has with the same key, operator, value and effect is replaced in place, else appended)."""
    tolerations = [dict(t) for t in spec.get("tolerations") or ()]
    wanted = list(DAEMONSET_TOLERATIONS) + ([HOST_NETWORK_TOLERATION] if spec.get("hostNetwork") else [])
    for toleration in wanted:
        for i, existing in enumerate(tolerations):
            if _same_toleration(existing, toleration):
                tolerations[i] = dict(toleration)
                break
        else:
            tolerations.append(dict(toleration))
    return {**spec, "tolerations": tolerations}


def on_node(spec: dict, node_name: str) -> dict:
    """util.ReplaceDaemonSetPodNodeNameNodeAffinity: required node affinity on this node's name,
    in place of the template's required terms (its preferred terms stay)."""
    affinity = dict(spec.get("affinity") or {})
    node_affinity = dict(affinity.get("nodeAffinity") or {})
    node_affinity["requiredDuringSchedulingIgnoredDuringExecution"] = {
        "nodeSelectorTerms": [{"matchFields": [{"key": OBJECT_NAME_FIELD, "operator": "In", "values": [node_name]}]}]
    }
    affinity["nodeAffinity"] = node_affinity
    return {**spec, "affinity": affinity}


def target_node(pod: Pod) -> str | None:
    """util.GetTargetNodeName: the pod's node, or the node its affinity names."""
    if pod.node:
        return pod.node
    required = ((pod.spec.get("affinity") or {}).get("nodeAffinity") or {}).get(
        "requiredDuringSchedulingIgnoredDuringExecution"
    ) or {}
    for term in required.get("nodeSelectorTerms") or ():
        for expr in term.get("matchFields") or ():
            values = expr.get("values") or ()
            if expr.get("key") == OBJECT_NAME_FIELD and expr.get("operator") == "In" and len(values) == 1:
                return values[0]
    return None


def daemon_nodes(store: Store, ds: Workload) -> list[Node]:
    """The nodes that should run one of the DaemonSet's pods (nodeShouldRunDaemonPod)."""
    spec = with_daemon_tolerations(ds.template.get("spec") or {})
    tolerations = tolerations_of(spec)
    return [
        n
        for n in store.nodes()
        if node_affinity_ok(n, spec) and untolerated_taint(n, tolerations, ("NoSchedule", "NoExecute")) is None
    ]


def ineligible_nodes(store: Store, ds: Workload) -> dict[str, str]:
    """Why each node that runs none of the DaemonSet's pods is left out, in the scheduler's own
    words and its filter order (TaintToleration before NodeAffinity, as in
    pkg/scheduler/apis/config/v1/default_plugins.go): `node(s) had untolerated taint {key: value}`
    (tainttoleration.ErrReasonNotMatch's format) or `node(s) didn't match Pod's node
    affinity/selector` (nodeaffinity.ErrReasonPod)."""
    spec = with_daemon_tolerations(ds.template.get("spec") or {})
    tolerations = tolerations_of(spec)
    out = {}
    for n in store.nodes():
        taint = untolerated_taint(n, tolerations, ("NoSchedule", "NoExecute"))
        if taint is not None:
            out[n.name] = f"node(s) had untolerated taint {{{taint.key}: {taint.value}}}"
        elif not node_affinity_ok(n, spec):
            out[n.name] = AFFINITY_MISMATCH
    return dict(sorted(out.items()))


def sync(manager: ControllerManager, ds: Workload) -> None:
    store = manager.store
    eligible = {n.name for n in daemon_nodes(store, ds)}
    template_hash = manager.template_hash(ds.template)[:10]
    by_node: dict[str, list] = {}
    for pod in store.owned_by(ds.uid, "Pod"):
        if not pod.active:
            continue
        by_node.setdefault(target_node(pod) or "", []).append(pod)
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
                daemon_node=node.name,
                adjust_spec=with_daemon_tolerations,
                place_on=on_node,
            )
