"""Controllers as kube-controller-manager runs them: Deployment -> ReplicaSet -> Pods, DaemonSet, Job,
garbage collection. Sources: pkg/controller/{deployment,replicaset,daemon,job}, pkg/controller/garbagecollector."""

from __future__ import annotations

import re

from simulator.engine import Engine
from simulator.engine.apiserver.generate import ALPHANUMS, pod_template_hash, safe_encode_string

from .conftest import cluster_with, yaml_text

DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "nginx:1.25", ports: [{containerPort: 80, name: http}]}]
"""


def pods_of(cluster: Engine, namespace: str = "default"):
    """The pods that count: those being deleted (Terminating) are left out (see test_termination)."""
    return sorted((p for p in cluster.pods_in(namespace).values() if not p.terminating), key=lambda p: p.name)


def terminating_of(cluster: Engine, namespace: str = "default"):
    return sorted((p for p in cluster.pods_in(namespace).values() if p.terminating), key=lambda p: p.name)


def test_a_deployment_makes_a_replicaset_named_with_its_pod_template_hash_and_pods_named_after_it():
    cluster = cluster_with(DEPLOYMENT)
    (rs,) = cluster.list("ReplicaSet")[-1:]
    template_hash = rs.labels["pod-template-hash"]
    assert rs.name == f"web-{template_hash}"
    assert rs.owner.kind == "Deployment" and rs.owner.name == "web"
    pods = pods_of(cluster)
    assert len(pods) == 3
    for pod in pods:
        # SimpleNameGenerator: the prefix plus 5 characters of the apiserver's alphabet
        assert re.fullmatch(rf"web-{template_hash}-[{ALPHANUMS}]{{5}}", pod.name)
        assert pod.labels == {"app": "web", "pod-template-hash": template_hash}
        assert pod.owner.kind == "ReplicaSet" and pod.owner.name == rs.name


def test_the_pod_template_hash_is_fnv_text_passed_through_safe_encode_string():
    template_hash = pod_template_hash({"metadata": {"labels": {"app": "web"}}})
    assert set(template_hash) <= set(ALPHANUMS) and 1 <= len(template_hash) <= 10
    assert safe_encode_string("0123456789") == "".join(ALPHANUMS[ord(c) % 27] for c in "0123456789")


def test_pods_of_a_deployment_spread_across_the_workers_and_avoid_the_control_plane():
    cluster = cluster_with(DEPLOYMENT.replace("replicas: 3", "replicas: 4"))
    nodes = [p.node for p in pods_of(cluster)]
    assert sorted(nodes) == ["worker-1", "worker-1", "worker-2", "worker-2"]


def test_scaling_a_deployment_adds_and_removes_pods():
    cluster = cluster_with(DEPLOYMENT)
    cluster.apply_text(yaml_text(DEPLOYMENT.replace("replicas: 3", "replicas: 5")))
    assert len(pods_of(cluster)) == 5
    cluster.apply_text(yaml_text(DEPLOYMENT.replace("replicas: 3", "replicas: 1")))
    assert len(pods_of(cluster)) == 1
    assert len(terminating_of(cluster)) == 4  # until their kubelets have stopped them
    cluster.finish_terminating()
    assert len(cluster.pods_in("default")) == 1


def test_changing_the_template_rolls_out_a_new_replicaset_and_scales_the_old_one_to_zero():
    cluster = cluster_with(DEPLOYMENT)
    (old_rs,) = [rs for rs in cluster.list("ReplicaSet") if rs.name.startswith("web-")]
    cluster.apply_text(yaml_text(DEPLOYMENT.replace("nginx:1.25", "nginx:1.27")))
    replicasets = {rs.name: rs for rs in cluster.list("ReplicaSet") if rs.name.startswith("web-")}
    assert len(replicasets) == 2 and replicasets[old_rs.name].replicas == 0
    (new_rs,) = [rs for name, rs in replicasets.items() if name != old_rs.name]
    assert new_rs.annotations["deployment.kubernetes.io/revision"] == "2"
    assert {p.owner.name for p in pods_of(cluster)} == {new_rs.name}


def test_relabelling_a_pod_out_of_its_replicaset_orphans_it_and_a_replacement_is_created():
    cluster = cluster_with(DEPLOYMENT)
    victim = pods_of(cluster)[0]
    result = cluster.apply_text(
        yaml_text(f"""
        apiVersion: v1
        kind: Pod
        metadata: {{name: {victim.name}, labels: {{app: debug}}}}
        spec:
          containers: [{{name: web, image: "nginx:1.25", ports: [{{containerPort: 80, name: http}}]}}]
    """)
    )
    assert result.ok, [str(e) for e in result.errors]
    orphan = cluster.get("Pod", "default", victim.name)
    assert orphan.owner is None and orphan.ip == victim.ip and orphan.node == victim.node
    owned = [p for p in pods_of(cluster) if p.owner is not None]
    assert len(owned) == 3 and victim.name not in {p.name for p in owned}


def test_a_replacement_pod_gets_a_new_name_and_a_new_ip():
    cluster = cluster_with(DEPLOYMENT.replace("replicas: 3", "replicas: 1"))
    (pod,) = pods_of(cluster)
    cluster.delete("Pod", "default", pod.name)
    (replacement,) = pods_of(cluster)
    assert replacement.name != pod.name
    assert replacement.ip != pod.ip  # host-local IPAM continues after the last address it gave out


def test_deleting_a_deployment_garbage_collects_its_replicasets_and_pods():
    cluster = cluster_with(DEPLOYMENT)
    cluster.delete("Deployment", "default", "web")
    assert pods_of(cluster) == [] and len(terminating_of(cluster)) == 3
    assert [rs for rs in cluster.list("ReplicaSet") if rs.namespace == "default"] == []
    cluster.finish_terminating()
    assert cluster.pods_in("default") == {}


DAEMONSET = """
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: agent, image: busybox}]}
"""


def test_a_daemonset_follows_nodes_as_they_come_and_go():
    cluster = cluster_with(DAEMONSET)
    assert sorted(p.node for p in pods_of(cluster)) == ["worker-1", "worker-2"]
    cluster.apply_text(
        yaml_text("""
        apiVersion: v1
        kind: Node
        metadata: {name: worker-3}
    """)
    )
    assert sorted(p.node for p in pods_of(cluster)) == ["worker-1", "worker-2", "worker-3"]
    cluster.delete("Node", "", "worker-1")
    assert sorted(p.node for p in pods_of(cluster)) == ["worker-2", "worker-3"]


def test_a_daemonset_tolerating_the_control_plane_taint_runs_there_too():
    text = DAEMONSET.replace(
        "spec: {containers:",
        "spec: {tolerations: [{key: node-role.kubernetes.io/control-plane, operator: Exists, effect: NoSchedule}], containers:",
    )
    cluster = cluster_with(text)
    assert sorted(p.node for p in pods_of(cluster)) == ["control-plane", "worker-1", "worker-2"]


def test_a_deleted_daemon_pod_comes_back():
    cluster = cluster_with(DAEMONSET)
    first = pods_of(cluster)[0]
    cluster.delete("Pod", "default", first.name)
    assert sorted(p.node for p in pods_of(cluster)) == ["worker-1", "worker-2"]
    assert first.name not in {p.name for p in pods_of(cluster)}


JOB = """
apiVersion: batch/v1
kind: Job
metadata:
  name: work
  annotations: {kubeviz.io/run-seconds: "30"}
spec:
  completions: 4
  parallelism: 2
  backoffLimit: 1
  template:
    spec:
      restartPolicy: Never
      containers: [{name: work, image: busybox}]
"""


def test_job_pods_carry_the_job_name_and_controller_uid_labels_of_the_generated_selector():
    cluster = cluster_with(JOB)
    job = cluster.get("Job", "default", "work")
    pods = pods_of(cluster)
    assert len(pods) == 2
    for pod in pods:
        assert pod.labels["job-name"] == "work" and pod.labels["batch.kubernetes.io/job-name"] == "work"
        assert pod.labels["controller-uid"] == job.uid
        assert job.selector.matches(pod.labels)


def test_a_job_advances_with_the_simulated_clock():
    cluster = cluster_with(JOB)
    cluster.advance(29)
    assert sum(p.phase == "Succeeded" for p in pods_of(cluster)) == 0
    cluster.advance(1)
    assert sum(p.phase == "Succeeded" for p in pods_of(cluster)) == 2
    assert sum(p.phase == "Running" for p in pods_of(cluster)) == 2
    assert cluster.settle()
    job = cluster.get("Job", "default", "work")
    assert job.manifest["status"]["succeeded"] == 4
    assert any(c["type"] == "Complete" for c in job.manifest["status"]["conditions"])
    assert cluster.clock == 60


def test_a_job_whose_pods_keep_failing_stops_after_its_backoff_limit():
    cluster = cluster_with(
        JOB.replace('{kubeviz.io/run-seconds: "30"}', '{kubeviz.io/run-seconds: "5", kubeviz.io/failures: "99"}')
    )
    cluster.settle()
    job = cluster.get("Job", "default", "work")
    (condition,) = job.manifest["status"]["conditions"]
    assert condition["type"] == "Failed" and condition["reason"] == "BackoffLimitExceeded"
    assert job.manifest["status"]["failed"] == 2  # backoffLimit 1: the second failure ends it
    assert all(p.terminal for p in pods_of(cluster))


def test_a_work_queue_job_completes_when_one_pod_succeeded_and_none_is_left_running():
    cluster = cluster_with(JOB.replace("  completions: 4\n", "").replace("parallelism: 2", "parallelism: 3"))
    assert len(pods_of(cluster)) == 3
    cluster.settle()
    job = cluster.get("Job", "default", "work")
    assert job.manifest["status"]["succeeded"] == 3
    assert any(c["type"] == "Complete" for c in job.manifest["status"]["conditions"])


def test_deleting_a_namespace_deletes_everything_in_it():
    cluster = cluster_with("""
        apiVersion: v1
        kind: Namespace
        metadata: {name: team}
    """)
    cluster.apply_text(yaml_text(DEPLOYMENT.replace("metadata: {name: web}", "metadata: {name: web, namespace: team}")))
    assert len(cluster.pods_in("team")) == 3
    cluster.delete("Namespace", "", "team")
    assert cluster.pods_in("team") == {} and cluster.get("Deployment", "team", "web") is None


def test_the_default_namespaces_cannot_be_deleted():
    cluster = Engine.new()
    result = cluster.delete("Namespace", "", "default")
    assert result.errors[0].message == 'namespaces "default" is forbidden: this namespace may not be deleted'


def test_pods_made_by_the_fast_path_read_as_their_manifests_say():
    """Controllers store pods through new_running_pod (fields by position); reading each stored
    manifest back with Pod.from_manifest gives an equal object, field for field."""
    import dataclasses

    from simulator.engine.model import Pod

    cluster = cluster_with("""apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      hostname: web
      subdomain: web
      enableServiceLinks: false
      restartPolicy: Always
      tolerations: [{key: x, operator: Exists}]
      containers: [{name: c, image: nginx, ports: [{containerPort: 80, name: http}]}]
""")
    pods = cluster.list("Pod")
    assert len(pods) == 5  # three of web, two of coredns
    for pod in pods:
        again = Pod.from_manifest(pod.manifest, pod.seq)
        for f in dataclasses.fields(Pod):
            assert getattr(again, f.name) == getattr(pod, f.name), f.name
