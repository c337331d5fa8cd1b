"""The controllers beyond the basics, case by case against kube-controller-manager's sources
(kubernetes/kubernetes 1.33, pkg/controller/): a paused Deployment, the ReplicaSet annotations,
Indexed Jobs and their per-index DNS names, and what the DaemonSet controller puts on its pods.
"""

from __future__ import annotations

import pytest

from simulator.engine.controllers.job import format_indexes, parse_indexes

from .conftest import Query, cluster_with, simulate, yaml_text

DEPLOYMENT = """---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: nginx:1.25}]}
"""

INDEXED = """---
apiVersion: v1
kind: Service
metadata: {name: workers}
spec:
  clusterIP: None
  selector: {batch.kubernetes.io/job-name: sample}
  ports: [{port: 8080}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: sample}
spec:
  completions: 3
  parallelism: 2
  completionMode: Indexed
  template:
    spec:
      subdomain: workers
      restartPolicy: Never
      containers: [{name: c, image: busybox, ports: [{containerPort: 8080}]}]
"""


def daemonset(spec_extra: str = "", name: str = "agent") -> str:
    return f"""---
apiVersion: apps/v1
kind: DaemonSet
metadata: {{name: {name}}}
spec:
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
{spec_extra}      containers: [{{name: c, image: agent, ports: [{{containerPort: 9100}}]}}]
"""


def _rs(cluster):
    return [rs for rs in cluster.list("ReplicaSet") if rs.namespace == "default"]


# ---------------------------------------------------------------------------------- Deployments
def test_a_deployment_created_paused_has_no_replicaset_and_no_pod():
    """deployment_controller.go syncDeployment: paused -> sync(), which never creates a ReplicaSet."""
    out = simulate(DEPLOYMENT.replace("replicas: 3", "replicas: 3\n  paused: true"))
    assert out["deployments"]["default/web"] == {"replicas": 3, "ready": 0, "pods": []}
    assert not [k for k in out["pods"] if k.startswith("default/web-")]


def test_a_paused_deployment_scales_but_does_not_roll_out_a_new_template():
    """sync.go sync -> scale (FindActiveOrLatest): replicas follow the spec on the one active
    ReplicaSet; the changed template gets no ReplicaSet until the Deployment is resumed."""
    cluster = cluster_with(DEPLOYMENT)
    (before,) = _rs(cluster)
    paused = DEPLOYMENT.replace("replicas: 3", "replicas: 5\n  paused: true").replace("nginx:1.25", "nginx:1.27")
    cluster.apply_text(yaml_text(paused))
    (rs,) = _rs(cluster)
    assert rs.name == before.name and rs.replicas == 5
    cluster.apply_text(yaml_text(paused.replace("  paused: true\n", "")))
    names = {rs.name: rs.replicas for rs in _rs(cluster)}
    assert names[before.name] == 0 and sorted(names.values()) == [0, 5]


def test_a_replicaset_carries_the_deployments_replica_annotations_and_its_own_annotations():
    """deployment_util.go SetNewReplicaSetAnnotations and copyDeploymentAnnotationsToReplicaSet:
    desired-replicas, max-replicas = replicas + maxSurge (25% of 3 rounded up)."""
    cluster = cluster_with(DEPLOYMENT.replace("metadata: {name: web}", "metadata: {name: web, annotations: {team: a}}"))
    (rs,) = _rs(cluster)
    assert {
        k: rs.annotations[k]
        for k in ("team", "deployment.kubernetes.io/desired-replicas", "deployment.kubernetes.io/max-replicas")
    } == {
        "team": "a",
        "deployment.kubernetes.io/desired-replicas": "3",
        "deployment.kubernetes.io/max-replicas": "4",
    }


# ---------------------------------------------------------------------------------- Indexed Jobs
def test_indexed_job_pods_are_named_labelled_and_hosted_by_their_index():
    """job_controller.go manageJob with indexed_job_utils.go: generateName `<job>-<index>-`,
    hostname `<job>-<index>`, the completion-index annotation and label (PodIndexLabel), the
    lowest pending indexes first, parallelism at a time."""
    cluster = cluster_with(INDEXED)
    pods = sorted((p for p in cluster.list("Pod") if p.name.startswith("sample-")), key=lambda p: p.name)
    assert [p.name.rsplit("-", 1)[0] for p in pods] == ["sample-0", "sample-1"]
    assert all(len(p.name.rsplit("-", 1)[1]) == 5 for p in pods)
    for index, pod in enumerate(pods):
        assert pod.hostname == f"sample-{index}" and pod.subdomain == "workers"
        assert pod.labels["batch.kubernetes.io/job-completion-index"] == str(index)
        assert pod.annotations["batch.kubernetes.io/job-completion-index"] == str(index)
        (container,) = pod.spec["containers"]
        assert container["env"][-1] == {
            "name": "JOB_COMPLETION_INDEX",
            "valueFrom": {
                "fieldRef": {
                    "apiVersion": "v1",
                    "fieldPath": "metadata.labels['batch.kubernetes.io/job-completion-index']",
                }
            },
        }


def test_each_index_answers_by_name_under_its_headless_service():
    """The per-index DNS names (kubernetes/dns specification 2.4.1, hostname.subdomain): a pod of
    index 1 is sample-1.workers.default.svc.cluster.local."""
    out = simulate(INDEXED, queries=[Query("resolve", "default/" + "x", "sample-1.workers")])
    by_name = {r["name"]: r["value"] for r in out["dns"] if r["name"].startswith("sample-")}
    ip_of = {v["hostname"]: v["ip"] for v in out["pods"].values() if v["hostname"]}
    assert by_name == {f"{h}.workers.default.svc.cluster.local.": ip for h, ip in ip_of.items()}


def test_an_indexed_job_completes_when_every_index_succeeded_once():
    """syncJob: succeeded counts indexes; status.completedIndexes lists them as intervals."""
    out = simulate(INDEXED, settle=True)
    assert out["jobs"]["default/sample"]["complete"] and out["jobs"]["default/sample"]["succeeded"] == 3
    names = sorted(p.rsplit("-", 1)[0] for p in out["jobs"]["default/sample"]["pods"])
    assert names == ["default/sample-0", "default/sample-1", "default/sample-2"]
    cluster = cluster_with(INDEXED)
    cluster.settle()
    assert cluster.get("Job", "default", "sample").manifest["status"]["completedIndexes"] == "0-2"


def test_a_failed_index_is_run_again_with_the_same_index():
    """manageJob: an index whose pod failed is pending again (firstPendingIndexes)."""
    text = INDEXED.replace(
        "metadata: {name: sample}", "metadata: {name: sample, annotations: {kubeviz.io/failures: '1'}}"
    )
    out = simulate(text, settle=True)
    job = out["jobs"]["default/sample"]
    assert (job["complete"], job["succeeded"], job["failed"]) == (True, 3, 1)
    assert sorted(p.rsplit("-", 1)[0] for p in job["pods"]).count("default/sample-0") == 2


@pytest.mark.parametrize(
    "indexes,text",
    [({0, 1, 2}, "0-2"), ({1, 2}, "1,2"), ({0, 2, 3, 4, 7}, "0,2-4,7"), (set(), "")],
)
def test_completed_indexes_are_written_as_the_controller_writes_them(indexes, text):
    """indexed_job_utils.go orderedIntervals.String and parseIndexesFromString."""
    assert format_indexes(indexes) == text and parse_indexes(text) == indexes


def test_a_long_job_name_is_cut_before_the_index():
    """podGenerateNameWithIndex keeps `-<index>-` within maxGeneratedNameLength (58)."""
    from simulator.engine.apiserver.generate import indexed_pod_prefix

    prefix = indexed_pod_prefix("j" * 60, 12)
    assert prefix == "j" * 54 + "-12-" and len(prefix) == 58


# ---------------------------------------------------------------------------------- DaemonSets
BASE_TOLERATIONS = [
    {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/disk-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/memory-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/pid-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"},
]
NETWORK_UNAVAILABLE = {"key": "node.kubernetes.io/network-unavailable", "operator": "Exists", "effect": "NoSchedule"}


@pytest.mark.parametrize(
    "spec_extra,tolerations",
    [
        ("", BASE_TOLERATIONS),
        ("      hostNetwork: true\n", [*BASE_TOLERATIONS, NETWORK_UNAVAILABLE]),
        (
            # AddOrUpdateTolerationInPodSpec replaces a matching toleration in place
            "      tolerations: [{key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 30}]\n",
            BASE_TOLERATIONS,
        ),
    ],
)
def test_daemon_pods_get_the_controllers_tolerations(spec_extra, tolerations):
    """util/daemonset_util.go AddOrUpdateDaemonPodTolerations (network-unavailable for host-network pods)."""
    cluster = cluster_with(daemonset(spec_extra))
    pod = next(p for p in cluster.list("Pod") if p.name.startswith("agent-"))
    assert pod.spec["tolerations"] == tolerations


def test_daemon_pods_are_placed_by_the_scheduler_through_node_affinity():
    """daemon_controller.go syncNodes and util.ReplaceDaemonSetPodNodeNameNodeAffinity: no
    nodeName in the created pod, a required matchFields term on the node's name instead."""
    cluster = cluster_with(daemonset())
    for pod in (p for p in cluster.list("Pod") if p.name.startswith("agent-")):
        terms = pod.spec["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][
            "nodeSelectorTerms"
        ]
        assert terms == [{"matchFields": [{"key": "metadata.name", "operator": "In", "values": [pod.node]}]}]


def test_a_daemon_pod_whose_host_port_is_taken_stays_pending():
    """The scheduler's NodePorts filter applies to daemon pods, and the NodeAffinity PreFilter
    leaves the other nodes out of its count."""
    text = daemonset("      hostNetwork: true\n") + daemonset(
        "      tolerations: [{operator: Exists}]\n", name="other"
    ).replace("ports: [{containerPort: 9100}]", "ports: [{containerPort: 80, hostPort: 9100}]")
    cluster = cluster_with(text)
    waiting = {p.name: r for p, r in ((cluster.get("Pod", *k), r) for k, r in cluster.schedule_failures.items())}
    assert len(waiting) == 2 and all(n.startswith("other-") for n in waiting)
    assert set(waiting.values()) == {
        "0/3 nodes are available: 1 node(s) didn't have free ports for the requested pod ports, "
        "2 node is filtered out by the prefilter result."
    }
    out = simulate(text)
    assert out["daemonsets"]["default/other"]["desired"] == 3


def test_a_cordoned_node_still_runs_daemons_but_a_node_selector_narrows_them():
    """nodeShouldRunDaemonPod: the unschedulable toleration lets a daemon pod onto a cordoned
    node; the template's nodeSelector (kubelet's labels) picks the nodes."""
    cordon = "apiVersion: v1\nkind: Node\nmetadata: {name: cordoned}\nspec: {unschedulable: true}\n---\napiVersion: v1\nkind: Node\nmetadata: {name: open}\n"
    out = simulate(cordon + daemonset())
    assert sorted(out["pods"][p]["node"] for p in out["daemonsets"]["default/agent"]["pods"]) == ["cordoned", "open"]
    out = simulate(cordon + daemonset("      nodeSelector: {kubernetes.io/hostname: open}\n"))
    assert out["daemonsets"]["default/agent"]["desired"] == 1
