"""Where pods run: kube-scheduler's filters (NodeName, NodeUnschedulable, NodeAffinity,
TaintToleration) and spreading; the FailedScheduling message for pods no node takes."""

from __future__ import annotations

import pytest

from simulator.engine import diagnostics

from .conftest import cluster_with, simulate


def pod(name, spec_extra=""):
    return f"""---
apiVersion: v1
kind: Pod
metadata: {{name: {name}}}
spec:
  {spec_extra}
  containers: [{{name: c, image: nginx}}]
"""


@pytest.mark.parametrize(
    "spec_extra,node",
    [
        ("nodeName: worker-2", "worker-2"),
        ("nodeName: control-plane", "control-plane"),  # nodeName bypasses the scheduler, taints included
        ("nodeSelector: {kubernetes.io/hostname: worker-1}", None),  # nodes carry only the labels they were given
        (
            "tolerations: [{key: node-role.kubernetes.io/control-plane, operator: Exists}]\n  nodeSelector: {node-role.kubernetes.io/control-plane: ''}",
            "control-plane",
        ),
    ],
)
def test_pods_land_where_their_spec_allows(spec_extra, node):
    out = simulate(pod("p", spec_extra))
    assert out["errors"] == []
    assert out["pods"]["default/p"]["node"] == node


def test_a_pod_bound_to_a_node_that_does_not_exist_stays_pending_without_an_ip():
    out = simulate(pod("p", "nodeName: worker-9"))
    assert (out["pods"]["default/p"]["phase"], out["pods"]["default/p"]["ip"]) == ("Pending", None)


def test_a_pod_no_node_can_take_is_pending_with_the_schedulers_reason():
    cluster = cluster_with(pod("p", "nodeSelector: {disk: ssd}"))
    (hint,) = [h for h in diagnostics.cluster_hints(cluster) if h.id == diagnostics.POD_UNSCHEDULABLE]
    assert hint.message == (
        "pod 'p' is Pending: 0/3 nodes are available: 1 node(s) had untolerated taint "
        "{node-role.kubernetes.io/control-plane: }, 2 node(s) didn't match Pod's node affinity/selector."
    )


def test_a_pending_pod_is_scheduled_when_a_fitting_node_arrives():
    cluster = cluster_with(pod("p", "nodeSelector: {disk: ssd}"))
    cluster.apply_text("apiVersion: v1\nkind: Node\nmetadata: {name: fast, labels: {disk: ssd}}\n")
    scheduled = cluster.get("Pod", "default", "p")
    assert scheduled.node == "fast" and scheduled.ip.startswith("10.244.3.")


def test_an_unschedulable_node_takes_no_new_pods():
    out = simulate(
        "apiVersion: v1\nkind: Node\nmetadata: {name: cordoned}\nspec: {unschedulable: true}\n"
        "---\napiVersion: v1\nkind: Node\nmetadata: {name: open}\n" + pod("p")
    )
    assert out["pods"]["default/p"]["node"] == "open"


def test_pods_on_a_node_get_ips_from_its_pod_cidr_starting_at_dot_two():
    out = simulate(pod("a", "nodeName: worker-1") + pod("b", "nodeName: worker-1"))
    assert [out["pods"][f"default/{n}"]["ip"] for n in "ab"] == ["10.244.1.2", "10.244.1.3"]


def test_a_restored_cluster_still_says_why_a_pod_is_pending():
    from simulator.engine import Engine

    cluster = cluster_with(pod("p", "nodeSelector: {disk: ssd}") + pod("q", "nodeName: worker-9"))
    copy = Engine.restore(cluster.settings, cluster.state, cluster.manifests())
    assert copy.schedule_failures == cluster.schedule_failures
    assert copy.schedule_failures[("default", "q")] == 'node "worker-9" does not exist'


def test_a_pod_bound_to_a_missing_node_starts_when_that_node_joins():
    cluster = cluster_with(pod("q", "nodeName: worker-9"))
    cluster.apply_text("apiVersion: v1\nkind: Node\nmetadata: {name: worker-9}\n")
    started = cluster.get("Pod", "default", "q")
    assert started.phase == "Running" and started.ip.startswith("10.244.3.")
    assert ("default", "q") not in cluster.schedule_failures


def test_choose_node_fast_path_is_the_lexicographic_minimum_of_owner_count_load_and_order():
    """Without preferred affinities the pick is min(same-owner pods, pods, node order), whether the
    nodes come as a list of filter results or as a cached FeasibleSet."""
    import random

    from simulator.engine import scheduler
    from simulator.engine.model import Node

    rng = random.Random(7)
    nodes = [
        Node(
            kind="Node",
            namespace="",
            name=f"n{i}",
            uid=str(i),
            seq=i,
            labels={},
            owner=None,
            manifest={},
            ip=None,
            pod_cidr=None,
            taints=(),
            unschedulable=False,
        )
        for i in range(12)
    ]
    for _ in range(500):
        checked = [(n, None if rng.random() < 0.8 else "node(s) were unschedulable") for n in nodes]
        load = {n.name: rng.randrange(4) for n in nodes if rng.random() < 0.9}
        same_owner = {n.name: rng.randrange(1, 3) for n in nodes if rng.random() < 0.3}
        feasible = [(i, n) for i, (n, reason) in enumerate(checked) if reason is None]
        want = (
            min(feasible, key=lambda p: (same_owner.get(p[1].name, 0), load.get(p[1].name, 0), p[0]))[1]
            if feasible
            else None
        )
        for given in (checked, scheduler.FeasibleSet(checked)):
            node, reason = scheduler.choose_node(given, {}, {}, (), same_owner, load)
            assert node is want
            assert (reason == "") == (want is not None)


def test_a_feasible_set_follows_node_load_changes_between_choices():
    """FeasibleSet keeps its pod counts and re-reads only the nodes a NodeLoad says changed,
    including across the NodeLoad's change-log resets."""
    import random

    from simulator.engine import scheduler
    from simulator.engine.model import Node

    rng = random.Random(11)
    nodes = [
        Node(
            kind="Node",
            namespace="",
            name=f"n{i}",
            uid=str(i),
            seq=i,
            labels={},
            owner=None,
            manifest={},
            ip=None,
            pod_cidr=None,
            taints=(),
            unschedulable=False,
        )
        for i in range(9)
    ]
    checked = [(n, None if i % 4 else "node(s) were unschedulable") for i, n in enumerate(nodes)]
    feasible = scheduler.FeasibleSet(checked)
    load = scheduler.NodeLoad()
    for step in range(12_000):
        name = rng.choice(nodes).name
        load.set(name, max(0, load.get(name, 0) + rng.choice((1, 1, 1, -1))))
        if step % 3:
            continue
        same_owner = {n.name: rng.randrange(1, 3) for n in nodes if rng.random() < 0.3}
        want = min(
            (p for p in enumerate(nodes) if checked[p[0]][1] is None),
            key=lambda p: (same_owner.get(p[1].name, 0), load.get(p[1].name, 0), p[0]),
        )[1]
        assert scheduler.choose_node(feasible, {}, {}, (), same_owner, load)[0] is want
    assert load.epoch > 0
