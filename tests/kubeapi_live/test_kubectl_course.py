"""The course's kubectl session, and the other everyday commands, with real kubectl against a live
daphne: each output is checked for what a real cluster shows (issue 16).

Tests run in file order against one cluster (the webapp lesson): the destructive ones come last.
"""

from __future__ import annotations

import json
import re
import sys

import pytest

from .conftest import VERSIONS

NGINX = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx, ports: [{containerPort: 80}]}]
"""


EXTRA = {
    "daemonset": """\
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: fluentd, namespace: kube-system, labels: {app: fluentd}}
spec:
  selector: {matchLabels: {app: fluentd}}
  template:
    metadata: {labels: {app: fluentd}}
    spec: {containers: [{name: fluentd, image: fluent/fluentd:v0.14.10}]}
""",
    "ingress": """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: test-ingress}
spec:
  defaultBackend: {service: {name: webapp, port: {number: 8080}}}
""",
}


def pod_named(kube, prefix: str) -> str:
    names = kube("get", "pods", "-o", "name").split()
    return next(n.split("/", 1)[1] for n in names if n.split("/", 1)[1].startswith(prefix))


# ---------------------------------------------------------------------- the course's commands
def test_get_services_wide_shows_the_selector(kube):
    out = kube("get", "services", "-o", "wide")
    header = out.splitlines()[0].split()
    assert header == ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE", "SELECTOR"]
    webapp = next(line.split() for line in out.splitlines() if line.startswith("webapp "))
    assert webapp[1] == "ClusterIP" and re.fullmatch(r"10\.96\.\d+\.\d+", webapp[2])
    assert webapp[3] == "<none>" and webapp[4] == "8080/TCP" and webapp[6] == "run=webapp"


def test_describe_service_and_endpoints_name_the_pod_address(kube):
    ip = kube("get", "pod", "-l", "run=webapp", "-o", "jsonpath={.items[0].status.podIP}")
    assert re.fullmatch(r"10\.244\.\d+\.\d+", ip)
    service = kube("describe", "service", "webapp")
    assert re.search(r"^Selector:\s+run=webapp$", service, re.M)
    assert re.search(rf"^Endpoints:\s+{re.escape(ip)}:8080$", service, re.M)
    assert re.search(r"^TargetPort:\s+8080/TCP$", service, re.M)
    endpoints = kube("describe", "endpoints", "webapp")
    assert re.search(rf"Addresses:\s+{re.escape(ip)}$", endpoints, re.M)
    assert re.search(r"<unset>\s+8080\s+TCP", endpoints)


def test_exec_nslookup_prints_busybox_format(kube):
    out = kube("exec", "-i", "busybox", "--", "nslookup", "webapp")
    cluster_ip = kube("get", "svc", "webapp", "-o", "jsonpath={.spec.clusterIP}")
    assert out.startswith("Server:    10.96.0.10\nAddress 1: 10.96.0.10 kube-dns.kube-system.svc.cluster.local\n")
    assert f"Name:      webapp\nAddress 1: {cluster_ip} webapp.default.svc.cluster.local" in out


def test_exec_tty_flag_works_without_a_terminal(kube):
    done = kube.run("exec", "-ti", "busybox", "--", "nslookup", "webapp")
    assert "webapp.default.svc.cluster.local" in done.stdout


def test_exec_env_gives_the_service_variables(kube):
    pod = pod_named(kube, "webapp-")
    out = kube("exec", pod, "--", "env")
    cluster_ip = kube("get", "svc", "webapp", "-o", "jsonpath={.spec.clusterIP}")
    lines = [line for line in out.splitlines() if line.startswith("WEBAPP_")]
    assert f"WEBAPP_SERVICE_HOST={cluster_ip}" in lines
    assert "WEBAPP_SERVICE_PORT=8080" in lines
    assert f"WEBAPP_PORT=tcp://{cluster_ip}:8080" in lines
    assert f"HOSTNAME={pod}" in out and "KUBERNETES_SERVICE_HOST=10.96.0.1" in out


def test_exec_curl_reaches_a_pod_and_fails_like_curl(kube):
    pod = pod_named(kube, "webapp-")
    assert kube("exec", "busybox", "--", "wget", "-qO-", "http://webapp:8080").strip() == pod
    assert kube("exec", "busybox", "--", "curl", "-s", "http://webapp:8080/").strip() == pod
    failed = kube.run("exec", "busybox", "--", "curl", "http://nowhere:8080/", check=False)
    assert failed.returncode == 6
    assert "Could not resolve host: nowhere" in failed.stderr
    assert "command terminated with exit code 6" in failed.stderr
    missing = kube.run("exec", "busybox", "--", "dig", "webapp", check=False)
    assert missing.returncode != 0  # as the container runtime answers a missing executable
    assert 'exec: "dig": executable file not found in $PATH' in missing.stderr


def test_get_svc_all_namespaces_lists_kube_dns(kube):
    out = kube("get", "svc", "-A")
    assert out.splitlines()[0].split()[:2] == ["NAMESPACE", "NAME"]
    assert re.search(
        r"^kube-system\s+kube-dns\s+ClusterIP\s+10\.96\.0\.10\s+<none>\s+53/UDP,53/TCP,9153/TCP", out, re.M
    )


def test_expose_deployment_nginx(kube):
    assert kube("create", "deployment", "nginx", "--image=nginx").strip() == "deployment.apps/nginx created"
    assert kube("expose", "deployment", "nginx", "--port=80").strip() == "service/nginx exposed"
    line = next(line.split() for line in kube("get", "svc", "nginx").splitlines()[1:])
    assert line[1] == "ClusterIP" and line[4] == "80/TCP"
    assert kube("get", "svc", "nginx", "-o", "jsonpath={.spec.selector.app}") == "nginx"


def test_get_pod_by_job_name_after_applying_the_jobs_lesson(kube):
    path = kube.kubeconfig.with_name("jobs.yaml")
    from simulator import lessons

    path.write_text(lessons.get("jobs").text)
    out = kube("apply", "-f", str(path))
    assert "job.batch/oneshot created" in out
    pods = kube("get", "pod", "-l", "job-name=oneshot")
    assert pods.splitlines()[0].split()[:3] == ["NAME", "READY", "STATUS"]
    assert all(line.startswith("oneshot-") for line in pods.splitlines()[1:]) and len(pods.splitlines()) > 1
    job = kube("get", "job", "oneshot", "-o", "wide").splitlines()
    assert job[0].split()[:4] in (
        ["NAME", "STATUS", "COMPLETIONS", "DURATION"],
        ["NAME", "COMPLETIONS", "DURATION", "AGE"],
    )
    describe = kube("describe", "job", "oneshot")
    assert re.search(r"^Pods Statuses:", describe, re.M)


# ---------------------------------------------------------------------- everyday commands
def test_apply_create_then_update_then_unchanged(kube):
    path = kube.kubeconfig.with_name("web.yaml")
    path.write_text(NGINX)
    assert kube("apply", "-f", str(path)).strip() == "deployment.apps/web created"
    path.write_text(NGINX.replace("replicas: 2", "replicas: 3"))
    assert kube("apply", "-f", str(path)).strip() == "deployment.apps/web configured"
    assert kube("apply", "-f", str(path)).strip() == "deployment.apps/web unchanged"
    assert kube("get", "deploy", "web", "-o", "jsonpath={.spec.replicas}") == "3"
    assert len(kube("get", "pods", "-l", "app=web", "-o", "name").split()) == 3


def test_get_output_formats(kube):
    as_json = json.loads(kube("get", "deploy", "webapp", "-o", "json"))
    assert as_json["kind"] == "Deployment" and as_json["apiVersion"] == "apps/v1"
    assert as_json["spec"]["selector"] == {"matchLabels": {"run": "webapp"}}
    assert as_json["status"]["readyReplicas"] == 1
    as_yaml = kube("get", "svc", "webapp", "-o", "yaml")
    assert "kind: Service" in as_yaml and "  - port: 8080" in as_yaml
    listed = json.loads(kube("get", "pods", "-o", "json"))
    assert listed["kind"] == "List" and {i["kind"] for i in listed["items"]} == {"Pod"}
    names = kube("get", "pods", "-o", "jsonpath={.items[*].metadata.name}").split()
    assert "busybox" in names
    wide = kube("get", "pods", "-o", "wide").splitlines()[0].split()
    assert wide == [
        "NAME",
        "READY",
        "STATUS",
        "RESTARTS",
        "AGE",
        "IP",
        "NODE",
        "NOMINATED",
        "NODE",
        "READINESS",
        "GATES",
    ]
    nodes = kube("get", "nodes", "-o", "wide").splitlines()[0]
    assert "INTERNAL-IP" in nodes and "CONTAINER-RUNTIME" in nodes


@pytest.mark.parametrize(
    ("kind", "name", "expect"),
    [
        ("pod", "busybox", r"^Status:\s+Running$"),
        ("deployment", "webapp", r"^Replicas:\s+1 desired \| 1 updated \| 1 total \| 1 available \| 0 unavailable$"),
        ("replicaset", None, r"^Controlled By:\s+Deployment/webapp$"),
        ("service", "webapp", r"^Type:\s+ClusterIP$"),
        ("endpoints", "webapp", r"^Subsets:$"),
        ("endpointslice", None, r"^AddressType:\s+IPv4$"),
        ("node", "worker-1", r"^Roles:\s+<none>$"),
        ("namespace", "default", r"^Status:\s+Active$"),
        ("daemonset", "fluentd", r"^Desired Number of Nodes Scheduled:\s+\d+$"),
        ("ingress", "test-ingress", r"^Default backend:\s+webapp:8080 \(10\.244\.\d+\.\d+:8080\)$"),
    ],
)
def test_describe_each_kind(kube, kind, name, expect):
    if kind in EXTRA:  # the lessons write these in the course's old API versions, as kubectl 1.16+ refuses
        path = kube.kubeconfig.with_name(f"{kind}.yaml")
        path.write_text(EXTRA[kind])
        kube("apply", "-f", str(path))
    if name is None:
        listed = kube("get", kind, "-o", "name").split()
        name = next(n.split("/", 1)[1] for n in listed if "webapp-" in n)
    namespace = ["-n", "kube-system"] if kind == "daemonset" else []
    out = kube("describe", kind, name, *namespace)
    assert re.search(rf"^Name:\s+{re.escape(name)}$", out, re.M)
    if expect:
        assert re.search(expect, out, re.M), out


def test_describe_pod_shows_the_events(kube):
    out = kube("describe", "pod", "busybox")
    events = out.split("Events:", 1)[1]
    assert re.search(
        r"Normal\s+Scheduled\s+\S+\s+default-scheduler\s+Successfully assigned default/busybox to worker-", events
    )
    assert "Started container busybox" in events
    listed = kube("get", "events")
    assert listed.splitlines()[0].split() == ["LAST", "SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    assert "pod/busybox" in listed


def test_run_scale_label_annotate(kube):
    assert kube("run", "tmp", "--image=busybox", "--", "sleep", "3600").strip() == "pod/tmp created"
    assert kube("get", "pod", "tmp", "-o", "jsonpath={.spec.containers[0].args}") == '["sleep","3600"]'
    assert kube("scale", "deployment", "web", "--replicas=1").strip() == "deployment.apps/web scaled"
    assert kube("get", "deploy", "web", "-o", "jsonpath={.spec.replicas}") == "1"
    assert kube("label", "pod", "tmp", "tier=frontend").strip() == "pod/tmp labeled"
    assert "tier=frontend" in kube("get", "pod", "tmp", "--show-labels")
    refused = kube.run("label", "pod", "tmp", "tier=backend", check=False)
    assert refused.returncode != 0 and "already has a value (frontend)" in refused.stderr
    assert kube("annotate", "svc", "webapp", "owner=course").strip() == "service/webapp annotated"
    assert kube("get", "svc", "webapp", "-o", "jsonpath={.metadata.annotations.owner}") == "course"


def test_rollout_status(kube):
    out = kube("rollout", "status", "deployment/web", timeout=60)
    assert out.strip().endswith('deployment "web" successfully rolled out')


def test_diff_shows_the_change_and_stores_nothing(kube):
    path = kube.kubeconfig.with_name("web-diff.yaml")
    path.write_text(NGINX.replace("replicas: 2", "replicas: 5"))
    done = kube.run("diff", "-f", str(path), check=False)
    assert done.returncode == 1, done.stderr  # 1: differences found
    assert re.search(r"^-  replicas: 1$", done.stdout, re.M) and re.search(r"^\+  replicas: 5$", done.stdout, re.M)
    assert kube("get", "deploy", "web", "-o", "jsonpath={.spec.replicas}") == "1"


def test_strict_field_validation_and_status_errors(kube):
    path = kube.kubeconfig.with_name("typo.yaml")
    path.write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: typo}\n"
        "spec: {containers: [{name: c, image: nginx, imagePullPolcy: Always}]}\n"
    )
    done = kube.run("apply", "-f", str(path), check=False)
    assert 'strict decoding error: unknown field "spec.containers[0].imagePullPolcy"' in done.stderr
    assert "Error from server (BadRequest)" in done.stderr
    missing = kube.run("get", "pod", "nope", check=False)
    assert missing.stderr.strip() == 'Error from server (NotFound): pods "nope" not found'
    exists = kube.run("create", "deployment", "web", "--image=nginx", check=False)
    assert 'deployments.apps "web" already exists' in exists.stderr
    invalid = kube.run("create", "deployment", "Bad_Name", "--image=nginx", check=False)
    assert 'Deployment.apps "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name"' in invalid.stderr


LOOPING_EDITOR = """import pathlib, sys
path = pathlib.Path(sys.argv[1])
count = pathlib.Path(sys.argv[0]).with_suffix(".count")
seen = int(count.read_text()) if count.exists() else 0
count.write_text(str(seen + 1))
text = path.read_text()
pathlib.Path(sys.argv[0]).with_suffix(f".{seen}.txt").write_text(text)
if seen == 0:
    path.write_text(text.replace("type: ClusterIP", "type: Bogus"))
"""


@pytest.mark.parametrize("version", VERSIONS)
def test_edit_refused_by_the_api_reopens_the_file_with_the_error_and_an_unchanged_save_gives_up(kube, version):
    """kubectl's edit loop (editoptions.go `Run`): a patch the API refuses as Invalid reopens the
    file with the API's words as comments on top; saving it unchanged then ends the edit."""
    script = kube.kubeconfig.with_name(f"loop-{version}.py")
    script.write_text(LOOPING_EDITOR)
    done = kube.run(
        "edit", "service", "webapp", version=version, check=False, env={"KUBE_EDITOR": f"{sys.executable} {script}"}
    )
    assert done.returncode == 1, done.stderr
    assert 'error: services "webapp" is invalid' in done.stderr
    assert "Edit cancelled, no valid changes were saved." in done.stderr
    reopened = script.with_suffix(".1.txt").read_text()
    assert '# services "webapp" was not valid:' in reopened
    assert '# * spec.type: Unsupported value: "Bogus"' in reopened
    assert "type: Bogus" in reopened  # what was typed is kept
    assert kube("get", "svc", "webapp", "-o", "jsonpath={.spec.type}") == "ClusterIP"


def test_edit_service_to_nodeport(kube):
    editor = kube.kubeconfig.with_name("editor.sh")
    editor.write_text('#!/bin/sh\nsed -i "s/type: ClusterIP/type: NodePort/" "$1"\n')
    editor.chmod(0o755)
    out = kube("edit", "service", "webapp", env={"KUBE_EDITOR": str(editor)})
    assert out.strip() == "service/webapp edited"
    line = next(line.split() for line in kube("get", "svc", "webapp").splitlines()[1:])
    assert line[1] == "NodePort" and re.fullmatch(r"8080:3\d{4}/TCP", line[4])


def test_api_resources_lists_the_served_kinds(kube):
    out = kube("api-resources")
    assert out.splitlines()[0].split() == ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]
    assert re.search(r"^pods\s+po\s+v1\s+true\s+Pod$", out, re.M)
    assert re.search(r"^deployments\s+deploy\s+apps/v1\s+true\s+Deployment$", out, re.M)
    assert re.search(r"^endpointslices\s+discovery\.k8s\.io/v1\s+true\s+EndpointSlice$", out, re.M)
    unknown = kube.run("get", "statefulsets", check=False)
    assert 'the server doesn\'t have a resource type "statefulsets"' in unknown.stderr


def test_logs(kube):
    out = kube("logs", "busybox")
    assert "container busybox (busybox) started" in out


def test_configmap_is_stored_and_served(kube):
    before = kube("get", "cm")  # a Table of the kind before the create: not served again after it
    assert "settings" not in before
    assert kube("create", "configmap", "settings", "--from-literal=mode=fast").strip() == "configmap/settings created"
    assert kube("get", "configmap", "settings", "-o", "jsonpath={.data.mode}") == "fast"
    after = kube("get", "cm").splitlines()
    assert after[0].split() == ["NAME", "DATA", "AGE"] and any(line.split()[:2] == ["settings", "1"] for line in after)


def test_delete_by_label_removes_the_course_objects(kube):
    out = kube("delete", "services,deployments", "-l", "run=webapp")
    assert 'service "webapp" deleted' in out and 'deployment.apps "webapp" deleted' in out
    assert kube("get", "services,deployments", "-l", "run=webapp", "-o", "name").strip() == ""
    # the ReplicaSet was collected and its pods are being deleted: kubectl wait sees them go
    kube("wait", "--for=delete", "pod", "-l", "run=webapp", "--timeout=120s", timeout=150)
    remaining = kube("get", "pods", "-l", "run=webapp", "-o", "name").strip()
    assert remaining == ""


# ---------------------------------------------------------------------- older kubectls
@pytest.mark.parametrize("version", VERSIONS)
def test_core_commands_on_each_kubectl(kube, version):
    tag = version.replace(".", "")
    out = kube("get", "svc", "kubernetes", "-o", "wide", version=version)
    assert out.splitlines()[0].split() == ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE", "SELECTOR"]
    assert re.search(r"^kubernetes\s+ClusterIP\s+10\.96\.0\.1\s+<none>\s+443/TCP", out, re.M)
    name = f"v{tag}"
    assert (
        kube("create", "deployment", name, "--image=nginx", version=version).strip()
        == f"deployment.apps/{name} created"
    )
    assert (
        kube("scale", "deployment", name, "--replicas=2", version=version).strip() == f"deployment.apps/{name} scaled"
    )
    pods = kube("get", "pods", "-l", f"app={name}", version=version).splitlines()
    assert len(pods) == 3 and all(re.search(r"\s1/1\s+Running\s", line) for line in pods[1:])
    path = kube.kubeconfig.with_name(f"svc-{tag}.yaml")
    path.write_text(
        f"apiVersion: v1\nkind: Service\nmetadata: {{name: {name}}}\n"
        f"spec: {{selector: {{app: {name}}}, ports: [{{port: 80}}]}}\n"
    )
    assert kube("apply", "-f", str(path), version=version).strip() == f"service/{name} created"
    described = kube("describe", "svc", name, version=version)
    assert re.search(r"^Endpoints:\s+10\.244\.\d+\.\d+:80,10\.244\.\d+\.\d+:80$", described, re.M)
    exec_done = kube.run("exec", "busybox", "--", "hostname", version=version, check=False)
    if version == "1.27":
        assert "exec needs kubectl 1.30 or newer" in exec_done.stderr
    else:
        assert exec_done.stdout.strip() == "busybox"
    deleted = kube("delete", "deployment", name, version=version)
    assert f'deployment.apps "{name}" deleted' in deleted


def test_the_dashboards_kubeconfig_download_works_with_kubectl(kube):
    import urllib.request

    with urllib.request.urlopen(f"{kube.server.url}/clusters/demo/kubeconfig") as response:
        assert response.headers["Content-Disposition"] == 'attachment; filename="demo.kubeconfig"'
        text = response.read().decode()
    assert f"server: {kube.server.url}/k8s/" in text
    path = kube.kubeconfig.with_name("downloaded.kubeconfig")
    path.write_text(text)
    out = kube("get", "pods", "busybox", kubeconfig=path)
    assert out.splitlines()[1].split()[:3] == ["busybox", "1/1", "Running"]
