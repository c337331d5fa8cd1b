"""Graceful pod deletion: the API server marks the pod (deletionTimestamp, Terminating), the
controllers stop counting it, Endpoints drop it, and its kubelet removes it once its containers
have stopped. Sources: pkg/registry/core/pod/strategy.go CheckGracefulDelete,
apiserver/pkg/registry/rest/delete.go BeforeDelete, pkg/controller/controller_utils.go
IsPodActive, pkg/controller/util/endpointslice podToEndpoint (see kubelet/termination)."""

from __future__ import annotations

import pytest

from simulator.engine import Engine
from simulator.engine.controllers.endpoints import endpoints_for_service, terminating_endpoints
from simulator.engine.kubelet.termination import STOP_SECONDS

from .conftest import cluster_with, pod, simulate, yaml_text

WEB = """
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: nginx, ports: [{containerPort: 8080}]}]}
"""


def web_pods(cluster: Engine):
    return sorted((p for p in cluster.pods_in("default").values()), key=lambda p: p.seq)


def a_running_pod(extra: str = "") -> Engine:
    return cluster_with(pod("one", extra=extra))


def test_deleting_a_running_pod_marks_it_terminating_with_the_deadline_and_grace_period():
    cluster = a_running_pod()
    cluster.advance(7)
    assert cluster.delete("Pod", "default", "one").ok
    one = cluster.get("Pod", "default", "one")
    assert one is not None and one.terminating and one.ip
    meta = one.manifest["metadata"]
    # deletionTimestamp is now plus the grace period (the default 30 s)
    assert meta["deletionTimestamp"] == "2026-01-01T00:00:37Z"
    assert meta["deletionGracePeriodSeconds"] == 30


@pytest.mark.parametrize(
    ("extra", "requested", "grace"),
    [
        ("", None, 30),  # spec.terminationGracePeriodSeconds defaulted to 30
        ("terminationGracePeriodSeconds: 5", None, 5),  # the pod's own
        ("terminationGracePeriodSeconds: 5", 12, 12),  # the request's gracePeriodSeconds wins
        ("", -3, 1),  # a negative period becomes 1
    ],
)
def test_the_grace_period_comes_from_the_request_else_the_pod(extra, requested, grace):
    cluster = a_running_pod(extra)
    cluster.delete("Pod", "default", "one", grace=requested)
    assert cluster.get("Pod", "default", "one").manifest["metadata"]["deletionGracePeriodSeconds"] == grace


def test_a_grace_period_of_zero_removes_the_pod_at_once():
    cluster = a_running_pod()
    cluster.delete("Pod", "default", "one", grace=0)
    assert cluster.get("Pod", "default", "one") is None


def test_a_pod_no_node_took_is_removed_at_once():
    cluster = cluster_with(pod("big", extra="nodeSelector: {disk: none}"))
    assert cluster.get("Pod", "default", "big").node is None
    cluster.delete("Pod", "default", "big")
    assert cluster.get("Pod", "default", "big") is None


@pytest.mark.parametrize("phase", ["Succeeded", "Failed"])
def test_a_finished_pod_is_removed_at_once(phase):
    cluster = cluster_with(pod("done", status=f"status: {{phase: {phase}}}"))
    cluster.delete("Pod", "default", "done")
    assert cluster.get("Pod", "default", "done") is None


def test_the_kubelet_removes_the_pod_once_its_containers_have_stopped():
    cluster = a_running_pod()
    cluster.delete("Pod", "default", "one")
    cluster.kubelet_tick(STOP_SECONDS - 1)
    assert cluster.get("Pod", "default", "one").terminating
    rv = cluster.state["rv"]
    cluster.kubelet_tick(1)
    assert cluster.get("Pod", "default", "one") is None
    assert cluster.state["rv"] > rv  # watchers see the deletion at a new resourceVersion
    assert cluster.clock == 0  # the paused simulated clock did not move


def test_a_grace_period_shorter_than_the_stop_time_bounds_it():
    cluster = a_running_pod()
    cluster.delete("Pod", "default", "one", grace=1)
    cluster.kubelet_tick(1)
    assert cluster.get("Pod", "default", "one") is None


def test_a_playing_clock_removes_terminating_pods_as_it_passes_their_stop():
    cluster = a_running_pod()
    cluster.delete("Pod", "default", "one")
    assert cluster.next_event() == STOP_SECONDS
    cluster.advance(STOP_SECONDS + 3)
    assert cluster.get("Pod", "default", "one") is None and cluster.clock == STOP_SECONDS + 3


def test_deleting_again_only_shortens_the_grace_period():
    cluster = a_running_pod()
    cluster.delete("Pod", "default", "one", grace=10)
    version = cluster.get("Pod", "default", "one").resource_version
    cluster.delete("Pod", "default", "one", grace=20)
    assert cluster.get("Pod", "default", "one").resource_version == version  # a longer one: nothing
    cluster.delete("Pod", "default", "one", grace=1)
    assert cluster.get("Pod", "default", "one").manifest["metadata"]["deletionGracePeriodSeconds"] == 1
    cluster.delete("Pod", "default", "one", grace=0)  # --grace-period=0 --force
    assert cluster.get("Pod", "default", "one") is None


def test_the_replicaset_does_not_count_a_terminating_pod_and_replaces_it_at_once():
    cluster = cluster_with(WEB)
    first, second = web_pods(cluster)
    cluster.delete("Pod", "default", first.name)
    pods = web_pods(cluster)
    assert [p.name for p in pods if p.terminating] == [first.name]
    active = [p for p in pods if not p.terminating]
    assert len(active) == 2 and second.name in {p.name for p in active}
    cluster.finish_terminating()
    assert len(web_pods(cluster)) == 2 and first.name not in {p.name for p in web_pods(cluster)}


def test_a_scale_down_leaves_terminating_pods_that_the_replicaset_does_not_count():
    cluster = cluster_with(WEB)
    cluster.apply_text(yaml_text(WEB.replace("replicas: 2", "replicas: 1")))
    assert sorted(p.terminating for p in web_pods(cluster)) == [False, True]
    (rs,) = [r for r in cluster.list("ReplicaSet") if r.namespace == "default"]
    assert rs.replicas == 1


def test_a_terminating_pod_leaves_the_endpoints_and_is_marked_terminating_in_slices():
    cluster = cluster_with(WEB)
    first, second = web_pods(cluster)
    service = cluster.get("Service", "default", "web")
    cluster.delete("Pod", "default", first.name)
    ips = {e.ip for e in endpoints_for_service(cluster.store, service)}
    assert first.ip not in ips and second.ip in ips
    (leaving,) = terminating_endpoints(cluster.store, service)
    assert leaving.ip == first.ip and leaving.ready  # ready here is the pod's serving state


def test_publish_not_ready_addresses_keeps_a_terminating_pod_in_the_endpoints():
    cluster = cluster_with(
        WEB.replace("selector: {app: web}", "publishNotReadyAddresses: true\n  selector: {app: web}")
    )
    first, _ = web_pods(cluster)
    service = cluster.get("Service", "default", "web")
    cluster.delete("Pod", "default", first.name)
    assert first.ip in {e.ip for e in endpoints_for_service(cluster.store, service)}
    assert terminating_endpoints(cluster.store, service) == ()


def test_the_state_counts_terminating_pods_and_a_copy_keeps_them():
    cluster = cluster_with(WEB)
    first, _ = web_pods(cluster)
    cluster.delete("Pod", "default", first.name)
    assert cluster.state["terminating"] == 1 and cluster.terminating
    again = cluster.copy()
    assert again.get("Pod", "default", first.name).terminating and again.state["terminating"] == 1
    again.kubelet_tick(STOP_SECONDS)
    assert again.get("Pod", "default", first.name) is None
    assert "terminating" not in again.state and not again.terminating


def test_a_document_cannot_set_the_deletion_and_an_update_keeps_it():
    cluster = cluster_with(
        pod("one").replace("metadata: {name: one,", "metadata: {deletionTimestamp: '2026-01-01T00:00:00Z', name: one,")
    )
    assert "deletionTimestamp" not in cluster.get("Pod", "default", "one").manifest["metadata"]
    cluster.delete("Pod", "default", "one")
    assert cluster.apply_text(yaml_text(pod("one", labels="{app: web, tier: x}"))).ok
    one = cluster.get("Pod", "default", "one")
    assert one.terminating and one.labels["tier"] == "x"
    assert one.manifest["metadata"]["deletionGracePeriodSeconds"] == 30


def test_a_job_replaces_a_deleted_pod_at_once():
    cluster = cluster_with("""
    apiVersion: batch/v1
    kind: Job
    metadata: {name: once}
    spec:
      template:
        spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}
    """)
    (first,) = cluster.pods_in("default").values()
    cluster.delete("Pod", "default", first.name)
    pods = list(cluster.pods_in("default").values())
    assert sorted(p.terminating for p in pods) == [False, True]


REPLICASET = """
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: rs}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: nginx}]}
"""


def test_simulate_lets_the_kubelets_finish_so_it_reports_no_terminating_pod():
    text = pod("a") + pod("b") + "---" + REPLICASET
    cluster = cluster_with(text)
    assert sorted(p.terminating for p in cluster.pods_in("default").values()) == [False, True]
    out = simulate(text)  # the ReplicaSet adopted both bare pods and deleted one
    assert len([k for k in out["pods"] if k.startswith("default/")]) == 1


@pytest.mark.parametrize(
    ("lifecycle", "stops_after"),
    [
        ("{preStop: {sleep: {seconds: 10}}}", 10 + STOP_SECONDS),  # the Sleep action
        ("{preStop: {exec: {command: [sleep, '10']}}}", 10 + STOP_SECONDS),
        ("{preStop: {exec: {command: [/bin/sh, -c, 'sleep 10']}}}", 10 + STOP_SECONDS),
        ("{preStop: {sleep: {seconds: 60}}}", 30),  # bounded by the grace period
        ("{preStop: {exec: {command: [nginx, -s, quit]}}}", STOP_SECONDS),  # takes no time here
    ],
)
def test_a_pre_stop_sleep_runs_before_the_containers_stop(lifecycle, stops_after):
    cluster = cluster_with(
        pod("one").replace(
            "containers: [{name: c, image: nginx,", f"containers: [{{name: c, lifecycle: {lifecycle}, image: nginx,"
        )
    )
    cluster.delete("Pod", "default", "one")
    cluster.kubelet_tick(stops_after - 0.5)
    assert cluster.get("Pod", "default", "one").terminating
    cluster.kubelet_tick(0.5)
    assert cluster.get("Pod", "default", "one") is None
