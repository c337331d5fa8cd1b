"""Where a pod runs: a small kube-scheduler.

Filters as kube-scheduler's default plugins do (pkg/scheduler/framework/plugins):
NodeName, NodeUnschedulable, NodeAffinity (nodeSelector and required node affinity on
labels), TaintToleration (NoSchedule and NoExecute taints must be tolerated). Scoring
keeps what a student can see: preferred node affinity first, then spreading pods of the
same owner across nodes (the default PodTopologySpread constraint on hostname), then the
least loaded node, then node creation order — so the result is deterministic.

`Scheduler` places new pods on the cluster's nodes: it binds a pod to the node it chooses
(or records why none fits, as the PodScheduled=False condition), has the kubelet start it,
and keeps the pods it could not place in its queue until a node for them comes
(kube-scheduler's unschedulable queue, flushed when a node is added).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from itertools import repeat
from typing import TYPE_CHECKING

from .memo import Memo
from .model import Node, Pod, PodTemplate, Toleration, copy_manifest, tolerations_of

if TYPE_CHECKING:
    from .kubelet.pods import Kubelet
    from .store import Store

TERMINAL_PHASES = ("Succeeded", "Failed")

_FILTER_EFFECTS = ("NoSchedule", "NoExecute")


def node_matches_selector(node: Node, node_selector: Mapping[str, str]) -> bool:
    labels = node.labels
    return all(labels.get(k) == v for k, v in node_selector.items())


def _match_expression(labels: Mapping[str, str], expr: dict) -> bool:
    key, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
    if op == "In":
        return key in labels and labels[key] in values
    if op == "NotIn":
        return key not in labels or labels[key] not in values
    if op == "Exists":
        return key in labels
    if op == "DoesNotExist":
        return key not in labels
    if op in ("Gt", "Lt"):
        try:
            have, want = int(labels[key]), int(values[0])
        except (KeyError, ValueError, IndexError):
            return False
        return have > want if op == "Gt" else have < want
    return False


def _term_matches(node: Node, term: dict) -> bool:
    if not term.get("matchExpressions") and not term.get("matchFields"):
        return False
    if not all(_match_expression(node.labels, e) for e in term.get("matchExpressions") or ()):
        return False
    fields = {"metadata.name": node.name}
    return all(_match_expression(fields, e) for e in term.get("matchFields") or ())


def required_affinity_ok(node: Node, pod_spec: dict) -> bool:
    affinity = (pod_spec.get("affinity") or {}).get("nodeAffinity") or {}
    required = affinity.get("requiredDuringSchedulingIgnoredDuringExecution")
    if not required:
        return True
    # NodeSelectorTerms are ORed.
    return any(_term_matches(node, term) for term in required.get("nodeSelectorTerms") or ())


def preferred_affinity_score(node: Node, pod_spec: dict) -> int:
    affinity = (pod_spec.get("affinity") or {}).get("nodeAffinity") or {}
    score = 0
    for pref in affinity.get("preferredDuringSchedulingIgnoredDuringExecution") or ():
        if _term_matches(node, pref.get("preference") or {}):
            score += int(pref.get("weight") or 0)
    return score


def untolerated_taint(node: Node, tolerations: Iterable[Toleration]):
    tolerations = tuple(tolerations)
    for taint in node.taints:
        if taint.effect not in _FILTER_EFFECTS:
            continue
        if not any(t.tolerates(taint) for t in tolerations):
            return taint
    return None


def feasible(
    node: Node, pod_spec: dict, node_selector: Mapping[str, str], tolerations, *, ignore_unschedulable: bool = False
) -> str | None:
    """None when the pod fits the node, else the reason (worded like the scheduler's event)."""
    # The default filter plugins run in this order and a node reports the first that fails
    # (pkg/scheduler/apis/config/v1/default_plugins.go: NodeUnschedulable, NodeName,
    # TaintToleration, NodeAffinity, ...).
    if node.unschedulable and not ignore_unschedulable:
        return "node(s) were unschedulable"
    taint = untolerated_taint(node, tolerations)
    if taint is not None:
        return f"node(s) had untolerated taint {{{taint.key}: {taint.value}}}"
    if not node_matches_selector(node, node_selector) or not required_affinity_ok(node, pod_spec):
        return "node(s) didn't match Pod's node affinity/selector"
    return None


class NodeLoad(dict):
    """Pods per node name (a dict), remembering which names changed since when, so that a
    FeasibleSet can bring its list of pod counts up to date by re-reading only those. Change
    counts through `set` only: an item assignment would not be logged."""

    __slots__ = ("changed", "epoch")

    def __init__(self) -> None:
        super().__init__()
        self.changed: list[str] = []  # names whose count changed, in order, since the epoch began
        self.epoch = 0

    def set(self, name: str, count: int) -> None:
        self[name] = count
        if len(self.changed) >= 4096:  # readers behind this far re-read every node instead
            self.changed = []
            self.epoch += 1
        self.changed.append(name)


class FeasibleSet:
    """Every node's filter result for one scheduling signature, with what `choose_node` needs
    worked out once: the feasible nodes in node order, their names and positions, and their
    pod counts as of the last choice."""

    __slots__ = ("_epoch", "_loads", "_seen", "checked", "names", "nodes", "position")

    def __init__(self, checked: list):
        self.checked = checked  # (node, None when feasible else the reason), for every node
        self.nodes = [node for node, reason in checked if reason is None]
        self.names = [node.name for node in self.nodes]
        self.position = {name: index for index, name in enumerate(self.names)}
        self._loads: list[int] = []
        self._epoch = -1
        self._seen = 0

    def loads(self, load: Mapping[str, int]) -> list[int]:
        """Each feasible node's pod count, in node order. With a NodeLoad, the list is kept and only
        the nodes whose count changed since the last call are read again (one, after one pod)."""
        if not isinstance(load, NodeLoad):
            return list(map(load.get, self.names, repeat(0)))
        changed = load.changed
        if self._epoch != load.epoch or self._seen > len(changed):
            self._loads = list(map(load.get, self.names, repeat(0)))
        elif self._seen < len(changed):
            loads, position = self._loads, self.position
            for name in changed[self._seen :]:
                index = position.get(name)
                if index is not None:
                    loads[index] = load[name]
        self._epoch, self._seen = load.epoch, len(changed)
        return self._loads


# Weight of one pod of the same owner in the combined fast-path key (same-owner count, pod
# count): larger than any node's pod count, so comparing the sums compares the pairs.
_OWNER_WEIGHT = 1 << 62


def choose_node(
    checked,
    pod_spec: dict,
    node_selector: Mapping[str, str],
    tolerations,
    same_owner: Mapping[str, int],
    load: Mapping[str, int],
    total: int | None = None,
) -> tuple[Node | None, str]:
    """(chosen node, reason when none). `checked` pairs every node with its filter result
    (None = feasible, else the reason), as a list or a FeasibleSet; `same_owner` and `load`
    count pods per node name. The best node has the highest preferred-affinity score, then
    the fewest pods of the same owner, then the fewest pods, then comes first."""
    feasible = checked if isinstance(checked, FeasibleSet) else FeasibleSet(checked)
    feasible_nodes = feasible.nodes
    if not feasible_nodes:
        reasons: dict[str, int] = {}
        for _node, reason in feasible.checked:
            reasons[reason] = reasons.get(reason, 0) + 1
        # The scheduler's FailedScheduling message (framework.FitError.Error): the "<count> <reason>"
        # strings sorted as strings, e.g. "0/3 nodes are available: 1 node(s) had untolerated taint
        # {node-role.kubernetes.io/control-plane: }, 2 node(s) didn't match Pod's node affinity/selector."
        detail = ", ".join(sorted(f"{count} {reason}" for reason, count in reasons.items()))
        count = total if total is not None else len(feasible.checked)
        return None, f"0/{count} nodes are available" + (f": {detail}." if detail else ".")
    preferences = ((pod_spec.get("affinity") or {}).get("nodeAffinity") or {}).get(
        "preferredDuringSchedulingIgnoredDuringExecution"
    )
    if preferences:
        ranked = [
            (
                -preferred_affinity_score(node, pod_spec),
                same_owner.get(node.name, 0),
                load.get(node.name, 0),
                index,
                node,
            )
            for index, node in enumerate(feasible_nodes)
        ]
        return min(ranked, key=lambda r: r[:4])[4], ""
    # Fast path (no preferences): the lexicographic minimum of (pods of the same owner, pods,
    # node order). The first least-loaded node is it unless the owner already has a pod there;
    # otherwise each node's key is its pod count plus a large weight per pod of the same owner
    # (an owner has pods on few nodes). min() and list.index run in C, and index finds the
    # first of equals, i.e. node order.
    loads = feasible.loads(load)
    first = loads.index(min(loads))
    if not same_owner or feasible.names[first] not in same_owner:
        return feasible_nodes[first], ""
    keys = loads.copy()
    position = feasible.position
    for name, count in same_owner.items():
        index = position.get(name)
        if index is not None:
            keys[index] += count * _OWNER_WEIGHT
    return feasible_nodes[keys.index(min(keys))], ""


class Scheduler:
    """Places new pods on nodes, and retries the ones it could not place."""

    def __init__(self, store: Store, kubelet: Kubelet) -> None:
        self.store = store
        self.kubelet = kubelet
        self.failures: dict[tuple[str, str], str] = {}  # (namespace, pod) -> why it is not running
        self.pending: dict[tuple[str, str], None] = {}  # pods waiting for a node (or an address)
        self.load = NodeLoad()  # node name -> pods bound to it
        self._owner_nodes: dict[str, dict[str, int]] = {}  # owner uid -> node -> pods of that owner
        # Every node's filter result per pod spec (pods of one template share theirs) and per
        # scheduling signature (specs that filter alike share one); both dropped when a node changes.
        self._feasible = Memo(limit=20_000)
        self._by_signature: dict[tuple[str, str, str], FeasibleSet] = {}
        store.watch(("Pod",), self._pod_added, self._pod_removed)
        store.watch(("Node",), self._node_changed, self._node_changed)

    # ------------------------------------------------------------------ what the store holds
    def _pod_added(self, pod: Pod) -> None:
        node = pod.node
        if node:
            self.load.set(node, self.load.get(node, 0) + 1)
            owner = pod.owner
            if owner is not None:
                counts = self._owner_nodes.setdefault(owner.uid, {})
                counts[node] = counts.get(node, 0) + 1
        if (not node or not pod.ip) and not pod.terminal:
            self.pending[pod.key] = None  # not scheduled, or bound to a node that is not there

    def _pod_removed(self, pod: Pod) -> None:
        node = pod.node
        if node:
            self.load.set(node, self.load.get(node, 1) - 1)
            owner = pod.owner
            if owner is not None:
                counts = self._owner_nodes.get(owner.uid)
                if counts is not None:
                    left = counts.get(node, 1) - 1
                    if left > 0:
                        counts[node] = left
                    else:
                        counts.pop(node, None)
                        if not counts:
                            del self._owner_nodes[owner.uid]
        self.pending.pop(pod.key, None)
        self.failures.pop(pod.key, None)

    def _node_changed(self, node: Node) -> None:
        self._feasible.clear()
        self._by_signature.clear()

    def recall_failures(self) -> None:
        """After a restore: why each pending pod waits, from its PodScheduled condition or its node."""
        for key in self.pending:
            pod = self.store.objects["Pod"][key]
            reason = _unscheduled_reason(pod.manifest)
            if pod.node and ("", pod.node) not in self.store.objects["Node"]:
                reason = f'node "{pod.node}" does not exist'
            if reason:
                self.failures[key] = reason

    # ------------------------------------------------------------------ placing
    def feasible_nodes(self, spec: dict) -> FeasibleSet:
        """Nodes whose labels and taints admit pods of this spec, or (node, reason) for the others;
        kept until a node changes."""
        return self._feasible.get(id(spec), spec, self._check_nodes, spec)

    def _check_nodes(self, spec: dict) -> FeasibleSet:
        signature = _signature(spec)
        checked = self._by_signature.get(signature)
        if checked is None:
            tolerations = tolerations_of(spec)
            checked = self._by_signature[signature] = FeasibleSet(
                [
                    (node, feasible(node, spec, spec.get("nodeSelector") or {}, tolerations))
                    for node in self.store.objects["Node"].values()
                ]
            )
        return checked

    def place(self, manifest: dict, template: PodTemplate | None = None) -> None:
        """Schedule the new pod `manifest` describes (unless it names its node), then have the kubelet
        start it. Binding sets a new `spec` with nodeName (the pod's `template`, when a controller
        made it from one, has one per node); a pod that cannot be placed gets PodScheduled=False
        and waits."""
        if "spec" not in manifest:
            manifest["spec"] = {}
        if "status" not in manifest:
            manifest["status"] = {}
        spec = manifest["spec"]
        status = manifest["status"]
        meta = manifest["metadata"]
        key = (meta.get("namespace", "default"), meta["name"])
        if status.get("phase") in TERMINAL_PHASES:
            return
        node_name = spec.get("nodeName")
        nodes = self.store.objects["Node"]
        if not node_name:
            if template is not None:
                owner_uid = template.owner.uid
            else:
                owner = next((r for r in meta.get("ownerReferences") or () if r.get("controller")), None)
                owner_uid = owner["uid"] if owner is not None else None
            same_owner = self._owner_nodes.get(owner_uid, {}) if owner_uid is not None else {}
            node, reason = choose_node(
                self.feasible_nodes(spec),
                spec,
                spec.get("nodeSelector") or {},
                (),
                same_owner,
                self.load,
                total=len(nodes),
            )
            if node is None:
                self.failures[key] = reason
                status["conditions"] = [c for c in status.get("conditions") or () if c.get("type") != "PodScheduled"]
                status["conditions"].append(
                    {"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": reason}
                )
                return
            node_name = node.name
            manifest["spec"] = template.spec_on(node_name) if template is not None else {**spec, "nodeName": node_name}
        if ("", node_name) not in nodes:
            self.failures[key] = f'node "{node_name}" does not exist'
            return
        self.failures.pop(key, None)
        self.kubelet.start(manifest, node_name)

    def retry_pending(self) -> None:
        """Try the waiting pods again (a node may have come, or an address become free)."""
        pods = self.store.objects["Pod"]
        nodes = self.store.objects["Node"]
        for key in list(self.pending):
            pod = pods.get(key)
            if pod is None or (pod.node and pod.ip) or pod.terminal:
                self.pending.pop(key, None)
                continue
            if pod.node and ("", pod.node) not in nodes:
                continue  # bound to a node that does not exist (yet): nothing to do until it does
            manifest = copy_manifest(pod.manifest)
            status = manifest.setdefault("status", {})
            status["conditions"] = [c for c in status.get("conditions") or () if c.get("type") != "PodScheduled"]
            self.place(manifest)
            if manifest["spec"].get("nodeName") and key not in self.failures:
                self.store.write(pod, manifest)


def _signature(spec: dict) -> tuple[str, str, str]:
    """What the filters read from a pod spec: pods with equal signatures fit the same nodes."""
    return (repr(spec.get("nodeSelector")), repr(spec.get("tolerations")), repr(spec.get("affinity")))


def _unscheduled_reason(manifest: dict) -> str | None:
    """The scheduler's message kept on a pending pod (its PodScheduled=False condition)."""
    for condition in (manifest.get("status") or {}).get("conditions") or ():
        if condition.get("type") == "PodScheduled" and condition.get("status") == "False":
            return condition.get("message")
    return None
