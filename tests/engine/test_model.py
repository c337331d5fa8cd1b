"""The typed objects read from stored manifests."""

from __future__ import annotations

from simulator.engine.model import Pod

from .conftest import cluster_with

DEPLOYMENT_AND_DAEMONSET = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 4
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}, annotations: {team: blue, kubeviz.io/restarts: "7"}}
    spec:
      nodeSelector: {kubernetes.io/os: linux}
      containers: [{name: c, image: nginx, ports: [{name: http, containerPort: 80}]}]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {hostNetwork: true, containers: [{name: a, image: busybox}]}
"""


def test_a_pod_made_from_its_controllers_template_reads_as_its_manifest_reads():
    cluster = cluster_with(DEPLOYMENT_AND_DAEMONSET)
    pods = [p for p in cluster.list("Pod") if p.owner is not None]
    assert len(pods) >= 4 + 2
    for pod in pods:
        assert pod == Pod.from_manifest(pod.manifest, pod.seq), pod.name


def test_a_template_pod_carries_the_templates_annotations_but_not_the_servers():
    cluster = cluster_with(DEPLOYMENT_AND_DAEMONSET)
    pod = next(p for p in cluster.list("Pod") if p.name.startswith("web-"))
    assert pod.annotations["team"] == "blue"
    assert pod.restarts == 0 and "kubeviz.io/restarts" not in pod.annotations
