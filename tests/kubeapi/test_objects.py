"""Full objects built from the engine's facts: statuses, Endpoints, EndpointSlices (objects.py, served.py)."""

import json

from simulator.kubeapi import engine_port, objects, printers, served


def by_name(items, name):
    return next(i for i in items if i["metadata"]["name"] == name)


def test_a_running_pod_is_served_with_kubelets_conditions_and_container_statuses(webapp_engine):
    pod = by_name(served.served(webapp_engine, "Pod"), "busybox")
    status = pod["status"]
    assert status["phase"] == "Running"
    assert [c["type"] for c in status["conditions"]] == [
        "PodReadyToStartContainers",
        "Initialized",
        "Ready",
        "ContainersReady",
        "PodScheduled",
    ]
    (container,) = status["containerStatuses"]
    assert (
        container["ready"] and "running" in container["state"] and container["containerID"].startswith("containerd://")
    )
    assert status["qosClass"] == "BestEffort"
    assert "kubeviz.io/seq" not in (pod["metadata"].get("annotations") or {})
    cells, _ = printers.pod_cells(pod, engine_port.now(webapp_engine))
    assert cells[1:4] == ["1/1", "Running", "0"]


def test_an_unschedulable_pod_is_pending_with_the_schedulers_reason():
    facts = objects.PodFacts(phase="Pending", scheduled=False, ready=False, unschedulable="0/3 nodes are available")
    status = objects.pod_status({"metadata": {"creationTimestamp": "2026-01-01T00:00:00Z"}, "spec": {}}, facts)
    assert status["conditions"][0]["reason"] == "Unschedulable"
    assert status["conditions"][0]["message"] == "0/3 nodes are available"


def test_a_succeeded_pod_prints_completed(webapp_engine):
    facts = objects.PodFacts(
        phase="Succeeded",
        scheduled=True,
        ready=False,
        started_at="2026-01-01T00:00:00Z",
        finished_at="2026-01-01T00:00:10Z",
    )
    pod = {"metadata": {"name": "j", "uid": "u"}, "spec": {"containers": [{"name": "c", "image": "busybox"}]}}
    pod["status"] = objects.pod_status(pod, facts)
    assert printers.pod_cells(pod, engine_port.now(webapp_engine))[0][1:3] == ["0/1", "Completed"]


def test_a_deployment_is_served_with_the_controllers_counts_and_conditions(webapp_engine):
    deployment = by_name(served.served(webapp_engine, "Deployment"), "webapp")
    status = deployment["status"]
    assert (status["replicas"], status["readyReplicas"], status["availableReplicas"], status["updatedReplicas"]) == (
        1,
        1,
        1,
        1,
    )
    progressing = next(c for c in status["conditions"] if c["type"] == "Progressing")
    assert progressing["reason"] == "NewReplicaSetAvailable"
    assert progressing["message"].startswith('ReplicaSet "webapp-') and progressing["message"].endswith(
        '" has successfully progressed.'
    )


def test_a_services_endpoints_are_a_real_endpoints_object(webapp_engine):
    endpoints = by_name(served.served(webapp_engine, "Endpoints"), "webapp")
    (subset,) = endpoints["subsets"]
    (address,) = subset["addresses"]
    assert address["targetRef"]["kind"] == "Pod" and address["targetRef"]["name"].startswith("webapp-")
    assert address["nodeName"].startswith("worker-")
    assert subset["ports"] == [{"port": 8080, "protocol": "TCP"}]
    assert endpoints["metadata"]["labels"] == {"run": "webapp"}


def test_endpoint_slice_ports_always_carry_a_name_even_an_empty_one(webapp_engine):
    # kubectl 1.33 describe service dereferences EndpointSlice ports[].name.
    eps = next(
        e
        for e in served.served(webapp_engine, "EndpointSlice")
        if e["metadata"]["labels"]["kubernetes.io/service-name"] == "webapp"
    )
    assert eps["ports"] == [{"name": "", "protocol": "TCP", "port": 8080}]
    assert eps["metadata"]["labels"]["endpointslice.kubernetes.io/managed-by"] == "endpointslice-controller.k8s.io"
    assert eps["metadata"]["ownerReferences"][0]["kind"] == "Service"
    assert eps["metadata"]["name"].startswith("webapp-") and len(eps["metadata"]["name"]) == len("webapp-") + 5
    (endpoint,) = eps["endpoints"]
    assert endpoint["conditions"] == {"ready": True, "serving": True, "terminating": False}


def test_not_ready_pods_go_to_not_ready_addresses():
    service = {"metadata": {"name": "s", "namespace": "default", "uid": "u"}, "spec": {"clusterIP": "10.96.0.5"}}
    addresses = [
        objects.Address("10.244.1.3", 80, "http", "TCP", True, pod="default/a"),
        objects.Address("10.244.1.2", 80, "http", "TCP", False, pod="default/b"),
        objects.Address("10.244.1.10", 80, "http", "TCP", True, pod="default/c"),
    ]
    endpoints = objects.endpoints_object(service, addresses, resource_version="3")
    (subset,) = endpoints["subsets"]
    assert [a["ip"] for a in subset["addresses"]] == ["10.244.1.3", "10.244.1.10"]
    assert [a["ip"] for a in subset["notReadyAddresses"]] == ["10.244.1.2"]
    assert subset["ports"] == [{"name": "http", "port": 80, "protocol": "TCP"}]


def test_a_service_with_no_backends_has_endpoints_without_subsets():
    service = {"metadata": {"name": "s", "namespace": "default", "uid": "u"}, "spec": {"clusterIP": "None"}}
    endpoints = objects.endpoints_object(service, [], resource_version="1")
    assert "subsets" not in endpoints
    assert endpoints["metadata"]["labels"] == {"service.kubernetes.io/headless": ""}
    assert printers.endpoints_text(endpoints) == "<none>"


def test_nodes_namespaces_and_the_kubernetes_service_are_served_as_a_cluster_has_them(webapp_engine):
    node = by_name(served.served(webapp_engine, "Node"), "worker-1")
    assert [c["type"] for c in node["status"]["conditions"]] == [
        "MemoryPressure",
        "DiskPressure",
        "PIDPressure",
        "Ready",
    ]
    assert node["status"]["nodeInfo"]["kubeletVersion"] == "v1.33.1"
    assert by_name(served.served(webapp_engine, "Namespace"), "default")["status"] == {"phase": "Active"}
    kubernetes = by_name(served.served(webapp_engine, "EndpointSlice"), "kubernetes")
    assert kubernetes["ports"] == [{"name": "https", "protocol": "TCP", "port": 6443}]


def test_qos_classes_follow_requests_and_limits():
    assert objects.qos_class({"containers": [{}]}) == "BestEffort"
    limited = {"resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}
    assert objects.qos_class({"containers": [limited]}) == "Guaranteed"
    assert objects.qos_class({"containers": [{"resources": {"requests": {"cpu": "1"}}}]}) == "Burstable"


def test_the_served_cache_reuses_an_unchanged_pod_and_refreshes_a_replaced_one(webapp_engine):
    cache = served.ServedCache()
    first = by_name(served.served(webapp_engine, "Pod", cache), "busybox")
    assert by_name(served.served(webapp_engine, "Pod", cache), "busybox") is first
    webapp_engine.apply_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: busybox, labels: {changed: 'yes'}}\n"
        "spec: {containers: [{name: busybox, image: busybox, command: [sleep, '3600']}]}\n"
    )
    again = by_name(served.served(webapp_engine, "Pod", cache), "busybox")
    assert again is not first and again["metadata"]["labels"] == {"changed": "yes"}


def test_served_objects_leave_the_engines_manifests_untouched(webapp_engine):
    pod = webapp_engine.get("Pod", "default", "busybox")
    before = json.dumps(pod.manifest, sort_keys=True)
    served.served(webapp_engine, "Pod")
    assert json.dumps(pod.manifest, sort_keys=True) == before
    assert "kubeviz.io/seq" in pod.manifest["metadata"]["annotations"]
