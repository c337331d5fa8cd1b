"""Graceful pod deletion with real kubectl against a live daphne (the demo cluster, its clock
paused): `kubectl delete pod` waits until the pod is gone, `get` and `describe` show a pod
Terminating, a Deployment's scale-down shows its surplus pods Terminating while the replacement
count is right, a forced deletion is immediate, and `get -w` sees MODIFIED (Terminating) then
DELETED. Pods that must stay Terminating while the test looks at them sleep in a preStop hook
(kubelet/termination); they are then force-deleted."""

from __future__ import annotations

import os
import re
import subprocess

import pytest

from .conftest import VERSIONS, binary
from .test_one_truth import Lines

SLOW_POD = """apiVersion: v1
kind: Pod
metadata: {name: NAME, labels: {app: NAME}}
spec:
  terminationGracePeriodSeconds: 300
  containers:
  - name: app
    image: nginx
    lifecycle: {preStop: {sleep: {seconds: 240}}}
"""

SLOW_DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata: {name: shrink}
spec:
  replicas: 3
  selector: {matchLabels: {app: shrink}}
  template:
    metadata: {labels: {app: shrink}}
    spec:
      terminationGracePeriodSeconds: 300
      containers:
      - name: app
        image: nginx
        lifecycle: {preStop: {exec: {command: [/bin/sh, -c, "sleep 240"]}}}
"""


def apply(kube, name: str, text: str) -> None:
    path = kube.kubeconfig.with_name(f"{name}.yaml")
    path.write_text(text)
    kube("apply", "-f", str(path))


def status_of(kube, *args: str) -> dict[str, str]:
    """name -> STATUS of `kubectl get pods ARGS`."""
    lines = kube("get", "pods", *args).splitlines()
    assert lines[0].split()[:3] == ["NAME", "READY", "STATUS"], lines
    return {line.split()[0]: line.split()[2] for line in lines[1:]}


@pytest.mark.parametrize("version", VERSIONS)
def test_delete_pod_waits_until_the_pod_is_gone(kube, version):
    name = "brief-" + version.replace(".", "")
    assert kube("run", name, "--image=nginx", version=version).strip() == f"pod/{name} created"
    out = kube("delete", "pod", name, version=version, timeout=120)  # --wait=true: watches until it is gone
    assert out.startswith(f'pod "{name}" deleted')  # newer kubectls add "from default namespace"
    missing = kube.run("get", "pod", name, check=False)
    assert missing.returncode == 1 and f'pods "{name}" not found' in missing.stderr


def test_a_deleted_pod_shows_terminating_in_get_and_describe_until_it_is_gone(kube):
    apply(kube, "slow", SLOW_POD.replace("NAME", "slow"))
    assert kube("delete", "pod", "slow", "--wait=false").startswith('pod "slow" deleted')
    assert status_of(kube, "slow") == {"slow": "Terminating"}
    described = kube("describe", "pod", "slow")
    assert re.search(r"^Status:\s+Terminating \(lasts .+\)$", described, re.M), described
    assert re.search(r"^Termination Grace Period:\s+300s$", described, re.M), described
    # a shorter grace period ends it sooner; kubectl wait watches until it is gone
    kube("delete", "pod", "slow", "--grace-period=1", "--wait=false")
    done = kube("wait", "--for=delete", "pod/slow", "--timeout=120s", timeout=150)
    assert "pod/slow condition met" in done
    assert kube.run("get", "pod", "slow", check=False).returncode == 1


def test_a_scale_down_shows_terminating_pods_while_the_deployment_counts_the_rest(kube):
    apply(kube, "shrink", SLOW_DEPLOYMENT)
    assert list(status_of(kube, "-l", "app=shrink").values()) == ["Running"] * 3
    assert kube("scale", "deployment", "shrink", "--replicas=1").strip() == "deployment.apps/shrink scaled"
    states = status_of(kube, "-l", "app=shrink")
    assert sorted(states.values()) == ["Running", "Terminating", "Terminating"], states
    deploy = kube("get", "deployment", "shrink").splitlines()
    assert deploy[1].split()[1:4] == ["1/1", "1", "1"]  # READY, UP-TO-DATE, AVAILABLE
    # Deleting a terminating pod's replacement: the ReplicaSet makes another at once.
    (running,) = [name for name, state in states.items() if state == "Running"]
    kube("delete", "pod", running, "--wait=false")
    after = status_of(kube, "-l", "app=shrink")
    assert sorted(after.values()) == ["Running", "Terminating", "Terminating", "Terminating"], after
    assert after[running] == "Terminating"
    # --grace-period=0 --force removes them at once (kubectl warns, as it does on a real cluster)
    stuck = [name for name, state in after.items() if state == "Terminating"]
    forced = kube.run("delete", "pod", *stuck, "--grace-period=0", "--force")
    assert "Immediate deletion does not wait for confirmation" in forced.stderr
    assert all(f'pod "{name}" force deleted' in forced.stdout for name in stuck)
    assert list(status_of(kube, "-l", "app=shrink").values()) == ["Running"]
    kube("delete", "deployment", "shrink")


def test_get_w_sees_the_pod_modified_as_terminating_then_deleted(kube):
    assert kube("run", "watched", "--image=nginx").strip() == "pod/watched created"
    command = [binary("newest"), "--cache-dir", str(kube.cache / "watch"), "get", "pod", "watched"]
    process = subprocess.Popen(
        [*command, "-w", "--output-watch-events"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "KUBECONFIG": str(kube.kubeconfig)},
    )
    try:
        lines = Lines(process)
        assert lines.until(lambda line: line.startswith("EVENT")).split()[:4] == ["EVENT", "NAME", "READY", "STATUS"]
        assert lines.until(lambda line: line.startswith("ADDED")).split()[1:4] == ["watched", "1/1", "Running"]
        kube("delete", "pod", "watched", timeout=120)
        modified = lines.until(lambda line: line.startswith("MODIFIED"))
        assert modified.split()[1] == "watched" and modified.split()[3] == "Terminating"
        deleted = lines.until(lambda line: line.startswith("DELETED"))
        assert deleted.split()[1] == "watched"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_scale_down_finishes_with_no_browser_watching(kube):
    # a 5 s preStop sleep: the pods stay Terminating long enough to be seen, then go
    apply(kube, "brief-dep", SLOW_DEPLOYMENT.replace("shrink", "brief-dep").replace("sleep 240", "sleep 5"))
    kube("scale", "deployment", "brief-dep", "--replicas=1")
    states = status_of(kube, "-l", "app=brief-dep")
    leaving = [name for name, state in states.items() if state == "Terminating"]
    assert len(leaving) == 2, states
    # the scale's write keeps the clock's ticker on the cluster: the kubelets finish the pods
    pods = [f"pod/{name}" for name in leaving]
    assert "condition met" in kube("wait", "--for=delete", *pods, "--timeout=120s", timeout=150)
    assert list(status_of(kube, "-l", "app=brief-dep").values()) == ["Running"]
    kube("delete", "deployment", "brief-dep", "--wait=false")


def test_pods_left_stopping_by_a_restarted_server_go_once_kubectl_asks_again(kube):
    # The worker that served the delete ticks the kubelets; it restarts before the pod has stopped,
    # and no browser watches. The next request (here `kubectl wait`) puts the ticks back.
    apply(kube, "orphaned", SLOW_POD.replace("NAME", "orphaned").replace("seconds: 240", "seconds: 8"))
    kube("delete", "pod", "orphaned", "--wait=false")
    kube.server.restart()
    assert status_of(kube, "-l", "app=orphaned") == {"orphaned": "Terminating"}
    assert "condition met" in kube("wait", "--for=delete", "pod/orphaned", "--timeout=60s", timeout=90)
    assert "orphaned" not in kube("get", "pods", "-o", "name")
