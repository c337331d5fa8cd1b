"""Whether a pod fits a node: the checks kube-scheduler's filter plugins make, which the kubelet
makes again when it admits a pod bound to it, and the DaemonSet controller when it picks nodes.

Sources (kubernetes/kubernetes 1.33): pkg/scheduler/framework/plugins/ nodeunschedulable
(Filter), tainttoleration (Filter), nodeaffinity (PreFilter, Filter; the matching itself is
staging/src/k8s.io/component-helpers/scheduling/corev1/nodeaffinity), nodeports (Filter, with
pkg/scheduler/util GetHostPorts and framework/types.go HostPortInfo), and
staging/src/k8s.io/api/core/v1/toleration.go ToleratesTaint.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from .model import BIND_ALL, HostPort, Taint, host_ports
from .wellknown import TAINT_UNSCHEDULABLE

if TYPE_CHECKING:
    from .model import Node, Toleration

__all__ = [
    "AFFINITY_MISMATCH",
    "FILTERED_BY_PREFILTER",
    "PORTS_IN_USE",
    "TAINTS_NOT_TOLERATED",
    "UNSCHEDULABLE",
    "HostPort",
    "host_ports",
    "match_expression",
    "node_affinity_ok",
    "node_matches_selector",
    "ports_conflict",
    "preferred_affinity_score",
    "prefilter_node_names",
    "required_affinity_ok",
    "term_matches",
    "tolerates_unschedulable",
    "untolerated_taint",
]

# The reasons each plugin reports for a node (framework.Status reasons), as FitError counts them.
UNSCHEDULABLE = "node(s) were unschedulable"  # nodeunschedulable.ErrReasonUnschedulable
AFFINITY_MISMATCH = "node(s) didn't match Pod's node affinity/selector"  # nodeaffinity.ErrReasonPod
PORTS_IN_USE = "node(s) didn't have free ports for the requested pod ports"  # nodeports.ErrReason
FILTERED_BY_PREFILTER = "node is filtered out by the prefilter result"  # schedule_one.go findNodesThatPassFilters
TAINTS_NOT_TOLERATED = "node(s) had taints that the pod didn't tolerate"  # tainttoleration.ErrReasonNotMatch

OBJECT_NAME_FIELD = "metadata.name"  # metav1.ObjectNameField, the one node field a selector may name

_INT64 = re.compile(r"[+-]?[0-9]+")
_UNSCHEDULABLE_TAINT = Taint(TAINT_UNSCHEDULABLE, "", "NoSchedule")


def untolerated_taint(node: Node, tolerations: Iterable[Toleration], effects: tuple[str, ...]) -> Taint | None:
    """The first of the node's taints with one of `effects` that no toleration tolerates
    (v1helper.FindMatchingUntoleratedTaint)."""
    tolerations = tuple(tolerations)
    for taint in node.taints:
        if taint.effect in effects and not any(t.tolerates(taint) for t in tolerations):
            return taint
    return None


def tolerates_unschedulable(tolerations: Iterable[Toleration]) -> bool:
    """nodeunschedulable Filter: a pod tolerating node.kubernetes.io/unschedulable:NoSchedule runs
    on a cordoned node (DaemonSet pods do)."""
    return any(t.tolerates(_UNSCHEDULABLE_TAINT) for t in tolerations)


def node_matches_selector(node: Node, node_selector: Mapping[str, str]) -> bool:
    labels = node.labels
    return all(labels.get(k) == v for k, v in node_selector.items())


def _int64(text) -> int | None:
    """strconv.ParseInt(text, 10, 64), or None."""
    if not isinstance(text, str) or not _INT64.fullmatch(text):
        return None
    value = int(text)
    return value if -(1 << 63) <= value < (1 << 63) else None


def match_expression(labels: Mapping[str, str], expr: dict) -> bool:
    """One NodeSelectorRequirement against a node's labels (labels.Requirement.Matches)."""
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
        have, want = _int64(labels.get(key)), _int64(values[0] if len(values) == 1 else None)
        if have is None or want is None:
            return False
        return have > want if op == "Gt" else have < want
    return False


def _field_matches(node: Node, expr: dict) -> bool:
    """A matchFields requirement: metadata.name with In or NotIn and exactly one value."""
    values = expr.get("values") or []
    if expr.get("key") != OBJECT_NAME_FIELD or len(values) != 1:
        return False
    if expr.get("operator") == "In":
        return node.name == values[0]
    if expr.get("operator") == "NotIn":
        return node.name != values[0]
    return False


def term_matches(node: Node, term: dict) -> bool:
    """A NodeSelectorTerm: its requirements ANDed; an empty term matches no node."""
    expressions, fields = term.get("matchExpressions") or (), term.get("matchFields") or ()
    if not expressions and not fields:
        return False
    return all(match_expression(node.labels, e) for e in expressions) and all(_field_matches(node, e) for e in fields)


def required_affinity_ok(node: Node, pod_spec: dict) -> bool:
    affinity = (pod_spec.get("affinity") or {}).get("nodeAffinity") or {}
    required = affinity.get("requiredDuringSchedulingIgnoredDuringExecution")
    if not required:
        return True
    # NodeSelectorTerms are ORed.
    return any(term_matches(node, term) for term in required.get("nodeSelectorTerms") or ())


def node_affinity_ok(node: Node, pod_spec: dict) -> bool:
    """nodeaffinity.GetRequiredNodeAffinity(pod).Match: the nodeSelector and the required terms."""
    return node_matches_selector(node, pod_spec.get("nodeSelector") or {}) and required_affinity_ok(node, pod_spec)


def preferred_affinity_score(node: Node, pod_spec: dict) -> int:
    affinity = (pod_spec.get("affinity") or {}).get("nodeAffinity") or {}
    score = 0
    for pref in affinity.get("preferredDuringSchedulingIgnoredDuringExecution") or ():
        if term_matches(node, pref.get("preference") or {}):
            score += int(pref.get("weight") or 0)
    return score


def prefilter_node_names(pod_spec: dict) -> frozenset[str] | None:
    """nodeaffinity PreFilter: when every required term names nodes (matchFields metadata.name In),
    only those nodes are considered (a DaemonSet pod's); None when any node may do."""
    required = ((pod_spec.get("affinity") or {}).get("nodeAffinity") or {}).get(
        "requiredDuringSchedulingIgnoredDuringExecution"
    )
    terms = (required or {}).get("nodeSelectorTerms") or ()
    if not terms:
        return None
    names: set[str] = set()
    for term in terms:
        named = None
        for expr in term.get("matchFields") or ():
            if expr.get("key") == OBJECT_NAME_FIELD and expr.get("operator") == "In":
                values = set(expr.get("values") or ())
                named = values if named is None else named & values
        if named is None:
            return None  # a term without node names: every node is eligible (terms are ORed)
        names |= named
    return frozenset(names)


def ports_conflict(used: Mapping[tuple[str, int], Mapping[str, int]], wanted: Iterable[HostPort]) -> bool:
    """HostPortInfo.CheckConflict for each wanted port. `used` maps (protocol, port) to the host
    IPs holding it: 0.0.0.0 conflicts with any IP, an IP with itself and with 0.0.0.0."""
    for protocol, ip, port in wanted:
        holders = used.get((protocol, port))
        if holders and (ip == BIND_ALL or ip in holders or BIND_ALL in holders):
            return True
    return False
