"""Server-side printing, cell for cell (pkg/printers/internalversion/printers.go; duration.HumanDuration)."""

import datetime

import pytest

from simulator.kubeapi import printers

NOW = datetime.datetime(2026, 1, 1, 1, 0, 0, tzinfo=datetime.UTC)
CREATED = "2026-01-01T00:58:20Z"  # 100 s before NOW
MS = 0.001


# apimachinery/pkg/util/duration/duration_test.go TestHumanDuration and TestHumanDurationBoundaries
@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (1, "1s"),
        (70, "70s"),
        (190, "3m10s"),
        (70 * 60, "70m"),
        (47 * 3600, "47h"),
        (49 * 3600, "2d1h"),
        ((8 * 24 + 2) * 3600, "8d"),
        (367 * 24 * 3600, "367d"),
        ((365 * 2 * 24 + 25) * 3600, "2y1d"),
        ((365 * 8 * 24 + 2) * 3600, "8y"),
        (-2, "<invalid>"),
        (-2 + 1e-9, "0s"),
        (0, "0s"),
        (1 - MS, "0s"),
        (120 - MS, "119s"),
        (120, "2m"),
        (121, "2m1s"),
        (600 - MS, "9m59s"),
        (600, "10m"),
        (601, "10m"),
        (3 * 3600 - MS, "179m"),
        (3 * 3600, "3h"),
        (3 * 3600 + 60, "3h1m"),
        (8 * 3600 - MS, "7h59m"),
        (8 * 3600, "8h"),
        (8 * 3600 + 59 * 60, "8h"),
        (2 * 24 * 3600 - MS, "47h"),
        (2 * 24 * 3600, "2d"),
        (8 * 24 * 3600 - MS, "7d23h"),
        (8 * 24 * 3600, "8d"),
        (2 * 365 * 24 * 3600 - MS, "729d"),
        (2 * 365 * 24 * 3600, "2y"),
        (2 * 365 * 24 * 3600 + 24 * 3600, "2y1d"),
    ],
)
def test_ages_read_as_human_duration_prints_them(seconds, text):
    assert printers.human_duration(seconds) == text


def running_pod(**status_extra):
    pod = {
        "metadata": {"name": "web-1", "namespace": "default", "creationTimestamp": CREATED},
        "spec": {"nodeName": "worker-1", "containers": [{"name": "web", "image": "nginx"}]},
        "status": {
            "phase": "Running",
            "podIPs": [{"ip": "10.244.1.2"}],
            "conditions": [{"type": "Ready", "status": "True"}],
            "containerStatuses": [
                {"name": "web", "ready": True, "restartCount": 0, "state": {"running": {"startedAt": CREATED}}}
            ],
        },
    }
    pod["status"].update(status_extra)
    return pod


def test_a_running_pod_prints_ready_status_restarts_age_and_the_wide_cells():
    cells, conditions = printers.pod_cells(running_pod(), NOW)
    assert cells == ["web-1", "1/1", "Running", "0", "100s", "10.244.1.2", "worker-1", "<none>", "<none>"]
    assert conditions == []


@pytest.mark.parametrize(
    ("container_state", "ready", "phase", "expected"),
    [
        ({"waiting": {"reason": "ContainerCreating"}}, False, "Pending", "ContainerCreating"),
        ({"waiting": {"reason": "CrashLoopBackOff"}}, False, "Running", "CrashLoopBackOff"),
        ({"terminated": {"reason": "Completed", "exitCode": 0}}, False, "Succeeded", "Completed"),
        ({"terminated": {"exitCode": 2}}, False, "Failed", "ExitCode:2"),
        ({"terminated": {"exitCode": 0, "signal": 9}}, False, "Failed", "Signal:9"),
    ],
)
def test_the_status_column_is_the_containers_reason(container_state, ready, phase, expected):
    pod = running_pod(phase=phase)
    pod["status"]["containerStatuses"][0].update(state=container_state, ready=ready)
    cells, _ = printers.pod_cells(pod, NOW)
    assert cells[1:3] == ["0/1", expected]


def test_a_pod_being_deleted_shows_terminating_unless_it_already_finished():
    pod = running_pod()
    pod["metadata"]["deletionTimestamp"] = CREATED
    assert printers.pod_cells(pod, NOW)[0][2] == "Terminating"
    done = running_pod(phase="Succeeded")
    done["metadata"]["deletionTimestamp"] = CREATED
    done["status"]["containerStatuses"][0]["state"] = {"terminated": {"reason": "Completed", "exitCode": 0}}
    assert printers.pod_cells(done, NOW)[0][2] == "Completed"


def test_succeeded_pods_carry_the_completed_row_condition():
    pod = running_pod(phase="Succeeded")
    assert printers.pod_cells(pod, NOW)[1] == [
        {"type": "Completed", "status": "True", "reason": "Succeeded", "message": "The pod has completed successfully."}
    ]


def test_restarts_say_how_long_ago_the_last_one_was():
    pod = running_pod()
    pod["status"]["containerStatuses"][0].update(
        restartCount=3, lastState={"terminated": {"finishedAt": "2026-01-01T00:59:30Z", "exitCode": 1}}
    )
    assert printers.pod_cells(pod, NOW)[0][3] == "3 (30s ago)"


def test_init_containers_show_their_progress():
    pod = running_pod(phase="Pending")
    pod["spec"]["initContainers"] = [{"name": "a"}, {"name": "b"}]
    pod["status"]["initContainerStatuses"] = [
        {"name": "a", "state": {"terminated": {"exitCode": 0}}},
        {"name": "b", "state": {"running": {}}},
    ]
    pod["status"]["conditions"] = []
    assert printers.pod_cells(pod, NOW)[0][2] == "Init:1/2"


def test_a_pending_pod_without_ip_or_node_prints_none_in_the_wide_cells():
    pod = {
        "metadata": {"name": "p", "creationTimestamp": CREATED},
        "spec": {"containers": [{"name": "c"}]},
        "status": {"phase": "Pending"},
    }
    assert printers.pod_cells(pod, NOW)[0] == [
        "p",
        "0/1",
        "Pending",
        "0",
        "100s",
        "<none>",
        "<none>",
        "<none>",
        "<none>",
    ]


def service(kind, ports, **spec):
    return {
        "metadata": {"name": "webapp", "creationTimestamp": CREATED},
        "spec": {"type": kind, "clusterIP": "10.96.0.44", "clusterIPs": ["10.96.0.44"], "ports": ports, **spec},
        "status": {"loadBalancer": {}},
    }


@pytest.mark.parametrize(
    ("svc", "cells"),
    [
        (
            service("ClusterIP", [{"port": 8080, "protocol": "TCP"}], selector={"run": "webapp"}),
            ["webapp", "ClusterIP", "10.96.0.44", "<none>", "8080/TCP", "100s", "run=webapp"],
        ),
        (
            service("NodePort", [{"port": 8080, "protocol": "TCP", "nodePort": 30430}], selector={"run": "webapp"}),
            ["webapp", "NodePort", "10.96.0.44", "<none>", "8080:30430/TCP", "100s", "run=webapp"],
        ),
        (
            service("LoadBalancer", [{"port": 8080, "protocol": "TCP", "nodePort": 30430}]),
            ["webapp", "LoadBalancer", "10.96.0.44", "<pending>", "8080:30430/TCP", "100s", "<none>"],
        ),
        (
            {
                "metadata": {"name": "mysql", "creationTimestamp": CREATED},
                "spec": {"type": "ExternalName", "externalName": "db.example.com"},
            },
            ["mysql", "ExternalName", "<none>", "db.example.com", "<none>", "100s", "<none>"],
        ),
        (
            service(
                "ClusterIP", [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}], externalIPs=["1.2.3.4"]
            ),
            ["webapp", "ClusterIP", "10.96.0.44", "1.2.3.4", "53/UDP,53/TCP", "100s", "<none>"],
        ),
    ],
)
def test_services_print_type_addresses_and_ports(svc, cells):
    assert printers.service_cells(svc, NOW) == cells


def test_a_load_balancer_with_an_address_prints_it():
    svc = service("LoadBalancer", [{"port": 80, "protocol": "TCP", "nodePort": 31000}])
    svc["status"]["loadBalancer"] = {"ingress": [{"ip": "172.18.255.200"}]}
    assert printers.service_cells(svc, NOW)[3] == "172.18.255.200"


def test_endpoints_list_the_first_three_and_count_the_rest():
    endpoints = {
        "metadata": {"name": "webapp", "creationTimestamp": CREATED},
        "subsets": [
            {
                "addresses": [{"ip": f"10.244.1.{i}"} for i in range(2, 7)],
                "ports": [{"port": 8080, "protocol": "TCP"}],
            }
        ],
    }
    assert printers.endpoints_cells(endpoints, NOW) == [
        "webapp",
        "10.244.1.2:8080,10.244.1.3:8080,10.244.1.4:8080 + 2 more...",
        "100s",
    ]
    assert printers.endpoints_text({"subsets": []}) == "<none>"


def test_endpoint_slices_print_address_type_ports_and_addresses():
    eps = {
        "metadata": {"name": "webapp-abcde", "creationTimestamp": CREATED},
        "addressType": "IPv4",
        "ports": [{"name": "", "port": 8080, "protocol": "TCP"}],
        "endpoints": [{"addresses": ["10.244.1.2"]}, {"addresses": ["10.244.2.2"]}],
    }
    assert printers.endpointslice_cells(eps, NOW) == ["webapp-abcde", "IPv4", "8080", "10.244.1.2,10.244.2.2", "100s"]
    empty = {**eps, "ports": None, "endpoints": None}
    assert printers.endpointslice_cells(empty, NOW)[2:4] == ["<unset>", "<unset>"]


def workload(kind, spec, status):
    template = {
        "metadata": {"labels": {"run": "webapp"}},
        "spec": {"containers": [{"name": "webapp", "image": "nginx:1.25"}]},
    }
    return {
        "kind": kind,
        "metadata": {"name": "webapp", "creationTimestamp": CREATED},
        "spec": {"selector": {"matchLabels": {"run": "webapp"}}, "template": template, **spec},
        "status": status,
    }


def test_deployments_print_ready_of_desired_up_to_date_available_and_the_template():
    dep = workload("Deployment", {"replicas": 3}, {"readyReplicas": 2, "updatedReplicas": 3, "availableReplicas": 2})
    assert printers.deployment_cells(dep, NOW) == ["webapp", "2/3", 3, 2, "100s", "webapp", "nginx:1.25", "run=webapp"]


def test_replicasets_print_desired_current_ready():
    rs = workload("ReplicaSet", {"replicas": 2}, {"replicas": 2, "readyReplicas": 1})
    assert printers.replicaset_cells(rs, NOW) == ["webapp", 2, 2, 1, "100s", "webapp", "nginx:1.25", "run=webapp"]


def test_daemonsets_print_the_node_selector():
    ds = workload(
        "DaemonSet",
        {},
        {
            "desiredNumberScheduled": 2,
            "currentNumberScheduled": 2,
            "numberReady": 2,
            "updatedNumberScheduled": 2,
            "numberAvailable": 2,
        },
    )
    ds["spec"]["template"]["spec"]["nodeSelector"] = {"ssd": "true"}
    assert printers.daemonset_cells(ds, NOW)[:8] == ["webapp", 2, 2, 2, 2, 2, "ssd=true", "100s"]


@pytest.mark.parametrize(
    ("spec", "status", "state", "completions", "duration"),
    [
        (
            {"completions": 10, "parallelism": 5},
            {"succeeded": 3, "startTime": "2026-01-01T00:59:00Z"},
            "Running",
            "3/10",
            "60s",
        ),
        (
            {"completions": 1},
            {
                "succeeded": 1,
                "startTime": "2026-01-01T00:58:20Z",
                "completionTime": "2026-01-01T00:58:30Z",
                "conditions": [{"type": "Complete", "status": "True"}],
            },
            "Complete",
            "1/1",
            "10s",
        ),
        ({"parallelism": 2}, {}, "Running", "0/1 of 2", ""),
        ({}, {"conditions": [{"type": "Failed", "status": "True"}]}, "Failed", "0/1", ""),
    ],
)
def test_jobs_print_status_completions_and_duration(spec, status, state, completions, duration):
    job = workload("Job", spec, status)
    assert printers.job_cells(job, NOW)[:5] == ["webapp", state, completions, duration, "100s"]


def test_ingresses_print_class_hosts_address_and_ports():
    ing = {
        "metadata": {"name": "test", "creationTimestamp": CREATED},
        "spec": {
            "ingressClassName": "nginx",
            "rules": [{"host": "foo.bar.com"}, {}],
            "tls": [{"hosts": ["foo.bar.com"]}],
        },
        "status": {"loadBalancer": {"ingress": [{"ip": "172.18.0.3"}, {"ip": "172.18.0.2"}]}},
    }
    assert printers.ingress_cells(ing, NOW) == [
        "test",
        "nginx",
        "foo.bar.com",
        "172.18.0.2,172.18.0.3",
        "80, 443",
        "100s",
    ]
    bare = {"metadata": {"name": "t", "creationTimestamp": CREATED}, "spec": {"defaultBackend": {}}}
    assert printers.ingress_cells(bare, NOW) == ["t", "<none>", "*", "", "80", "100s"]


def test_nodes_print_status_roles_version_and_system_info():
    node = {
        "metadata": {
            "name": "control-plane",
            "creationTimestamp": CREATED,
            "labels": {"node-role.kubernetes.io/control-plane": ""},
        },
        "spec": {"unschedulable": True},
        "status": {
            "conditions": [{"type": "Ready", "status": "True"}],
            "addresses": [{"type": "InternalIP", "address": "172.18.0.2"}],
            "nodeInfo": {"kubeletVersion": "v1.33.1", "osImage": "Debian GNU/Linux 12 (bookworm)"},
        },
    }
    assert printers.node_cells(node, NOW) == [
        "control-plane",
        "Ready,SchedulingDisabled",
        "control-plane",
        "100s",
        "v1.33.1",
        "172.18.0.2",
        "<none>",
        "Debian GNU/Linux 12 (bookworm)",
        "<unknown>",
        "<unknown>",
    ]
    assert printers.node_roles({"kubernetes.io/role": "worker", "node-role.kubernetes.io/": ""}) == ["worker"]


def test_events_print_last_seen_type_reason_object_and_message():
    event = {
        "metadata": {"name": "web.1", "creationTimestamp": CREATED},
        "involvedObject": {"kind": "Deployment", "name": "web"},
        "reason": "ScalingReplicaSet",
        "message": "Scaled up replica set web-5b44f7dcc6 to 2 ",
        "type": "Normal",
        "source": {"component": "deployment-controller"},
        "firstTimestamp": CREATED,
        "lastTimestamp": "2026-01-01T00:59:50Z",
    }
    assert printers.event_cells(event, NOW) == [
        "10s",
        "Normal",
        "ScalingReplicaSet",
        "deployment/web",
        "",
        "deployment-controller",
        "Scaled up replica set web-5b44f7dcc6 to 2",
        "100s",
        1,
        "web.1",
    ]


@pytest.mark.parametrize(
    ("printer", "obj", "cells"),
    [
        (
            printers.namespace_cells,
            {"metadata": {"name": "default", "creationTimestamp": CREATED}, "status": {"phase": "Active"}},
            ["default", "Active", "100s"],
        ),
        (
            printers.configmap_cells,
            {"metadata": {"name": "c", "creationTimestamp": CREATED}, "data": {"a": "1"}, "binaryData": {"b": ""}},
            ["c", 2, "100s"],
        ),
        (
            printers.secret_cells,
            {"metadata": {"name": "s", "creationTimestamp": CREATED}, "type": "Opaque", "data": {"k": "dg=="}},
            ["s", "Opaque", 1, "100s"],
        ),
        (
            printers.serviceaccount_cells,
            {"metadata": {"name": "default", "creationTimestamp": CREATED}},
            ["default", 0, "100s"],
        ),
        (
            printers.ingressclass_cells,
            {
                "metadata": {"name": "nginx", "creationTimestamp": CREATED},
                "spec": {"controller": "k8s.io/ingress-nginx"},
            },
            ["nginx", "k8s.io/ingress-nginx", "<none>", "100s"],
        ),
    ],
)
def test_plain_kinds_print_their_counts(printer, obj, cells):
    assert printer(obj, NOW) == cells


def test_every_row_has_as_many_cells_as_its_kind_has_columns():
    samples = {
        "Pod": running_pod(),
        "Service": service("ClusterIP", []),
        "Deployment": workload("Deployment", {"replicas": 1}, {}),
        "ReplicaSet": workload("ReplicaSet", {"replicas": 1}, {}),
        "DaemonSet": workload("DaemonSet", {}, {}),
        "Job": workload("Job", {}, {}),
        "Node": {"metadata": {"name": "n"}},
        "Event": {"metadata": {"name": "e"}},
        "Namespace": {"metadata": {"name": "n"}},
        "Endpoints": {"metadata": {"name": "e"}},
        "EndpointSlice": {"metadata": {"name": "e"}},
        "Ingress": {"metadata": {"name": "i"}},
        "IngressClass": {"metadata": {"name": "i"}},
        "ConfigMap": {"metadata": {"name": "c"}},
        "Secret": {"metadata": {"name": "s"}},
        "ServiceAccount": {"metadata": {"name": "s"}},
        "Scale": {"metadata": {"name": "s"}},
        "Lease": {"metadata": {"name": "l"}},
    }
    for kind, obj in samples.items():
        assert len(printers.row(kind, obj, NOW)["cells"]) == len(printers.columns(kind)), kind


def test_a_table_carries_wide_columns_with_priority_one_and_partial_object_metadata_rows():
    table = printers.table("Pod", [running_pod()], NOW, resource_version="42")
    assert table["kind"] == "Table" and table["apiVersion"] == "meta.k8s.io/v1"
    assert table["metadata"] == {"resourceVersion": "42"}
    assert [(c["name"], c["priority"]) for c in table["columnDefinitions"]] == [
        ("Name", 0),
        ("Ready", 0),
        ("Status", 0),
        ("Restarts", 0),
        ("Age", 0),
        ("IP", 1),
        ("Node", 1),
        ("Nominated Node", 1),
        ("Readiness Gates", 1),
    ]
    assert table["columnDefinitions"][0]["format"] == "name"
    assert table["columnDefinitions"][0]["description"].startswith("Name must be unique within a namespace.")
    row = table["rows"][0]
    assert row["object"] == {
        "kind": "PartialObjectMetadata",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": running_pod()["metadata"],
    }


@pytest.mark.parametrize(("include", "has_object"), [("None", False), ("Object", True), ("Metadata", True)])
def test_include_object_decides_what_each_row_carries(include, has_object):
    row = printers.row("Pod", running_pod(), NOW, include_object=include)
    assert ("object" in row) == has_object
    if include == "Object":
        assert row["object"] == running_pod()


def test_v1beta1_tables_are_spelled_as_such_and_headers_can_be_left_out():
    table = printers.table("Service", [], NOW, version="v1beta1", headers=False)
    assert table["apiVersion"] == "meta.k8s.io/v1beta1" and table["columnDefinitions"] is None


def test_unprinted_kinds_get_the_default_name_and_created_at_columns():
    assert [c.name for c in printers.columns("Lease")] == ["Name", "Created At"]


def test_a_row_cache_gives_the_same_table_and_refreshes_ages_with_the_clock():
    cache = printers.RowCache()
    pods = [running_pod()]
    assert printers.table("Pod", pods, NOW, cache=cache) == printers.table("Pod", pods, NOW)
    later = NOW + datetime.timedelta(minutes=5)
    assert printers.table("Pod", pods, later, cache=cache) == printers.table("Pod", pods, later)
    assert printers.table("Pod", pods, later, cache=cache)["rows"][0]["cells"][4] == "6m40s"


def test_a_row_cache_recomputes_a_replaced_object_and_never_keeps_timed_kinds():
    cache = printers.RowCache()
    first = running_pod()
    printers.table("Pod", [first], NOW, cache=cache)
    relabelled = running_pod()
    relabelled["status"]["containerStatuses"][0]["ready"] = False
    assert printers.table("Pod", [relabelled], NOW, cache=cache)["rows"][0]["cells"][1] == "0/1"
    job = workload("Job", {}, {"startTime": "2026-01-01T00:59:00Z"})
    later = NOW + datetime.timedelta(minutes=2)
    printers.table("Job", [job], NOW, cache=cache)
    assert printers.table("Job", [job], later, cache=cache)["rows"][0]["cells"][3] == "3m"
