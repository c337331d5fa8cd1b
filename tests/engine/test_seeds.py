"""The course material's examples (docs/course.md), each as the lesson a student should see.

Seed 004: webapp Deployment + Service, env vars, NodePort/LoadBalancer, Ingress v1beta1,
fluentd DaemonSet (extensions/v1beta1), oneshot and parallel Jobs.
Seed 000: namespaces my-ns/test-ns, LoadBalancer pending, mysql-server ExternalName,
zone=prod/version=v1 selection and the two-label selector that matches nothing.
"""

from __future__ import annotations

import pytest

from simulator.engine import diagnostics

from ..course import INGRESS_SINGLE_SERVICE, INGRESS_TESTPATH, MYSQL_AS_PRINTED, WEBAPP
from .conftest import cluster_with, simulate, yaml_text


def test_the_webapp_service_has_one_endpoint_on_the_webapp_pod():
    out = simulate(WEBAPP)
    svc = out["services"]["default/webapp"]
    (pod_key,) = out["deployments"]["default/webapp"]["pods"]
    assert svc["selector"] == {"run": "webapp"}
    assert svc["endpoints"] == [
        {"pod": pod_key, "ip": out["pods"][pod_key]["ip"], "port": 8080, "portName": None, "ready": True}
    ]


def test_busybox_gets_exactly_the_webapp_variables_the_course_shows():
    # seed 004: `kubectl exec -it $nginx_pod -- env | grep WEBAPP_`
    out = simulate(WEBAPP)
    ip = out["services"]["default/webapp"]["clusterIP"]
    env = out["pods"]["default/busybox"]["env"]
    webapp = {k: v for k, v in env.items() if k.startswith("WEBAPP_")}
    assert webapp == {
        "WEBAPP_PORT": f"tcp://{ip}:8080",
        "WEBAPP_SERVICE_HOST": ip,
        "WEBAPP_PORT_8080_TCP_PROTO": "tcp",
        "WEBAPP_PORT_8080_TCP_ADDR": ip,
        "WEBAPP_SERVICE_PORT": "8080",
        "WEBAPP_PORT_8080_TCP": f"tcp://{ip}:8080",
        "WEBAPP_PORT_8080_TCP_PORT": "8080",
    }
    assert env["KUBERNETES_SERVICE_HOST"] == "10.96.0.1"


def test_changing_webapp_to_nodeport_keeps_its_cluster_ip_and_allocates_a_node_port_in_range():
    cluster = cluster_with(WEBAPP)
    before = cluster.get("Service", "default", "webapp")
    result = cluster.apply_text(
        yaml_text("""
        apiVersion: v1
        kind: Service
        metadata: {name: webapp, labels: {run: webapp}}
        spec:
          type: NodePort
          selector: {run: webapp}
          ports:
          - port: 8080
    """)
    )
    assert result.ok and result.lines() == ["service/webapp configured"]
    after = cluster.get("Service", "default", "webapp")
    assert after.cluster_ip == before.cluster_ip
    assert 30000 <= after.ports[0].node_port <= 32767


def test_a_load_balancer_without_a_pool_stays_pending_and_still_gets_node_ports():
    out = simulate(WEBAPP.replace("type: ClusterIP", "type: LoadBalancer"))
    svc = out["services"]["default/webapp"]
    assert svc["type"] == "LoadBalancer"
    assert svc["loadBalancerIP"] == "<pending>"
    assert svc["ports"][0]["nodePort"] is not None
    cluster = cluster_with(WEBAPP.replace("type: ClusterIP", "type: LoadBalancer"))
    ids = {h.id for h in diagnostics.cluster_hints(cluster)}
    assert diagnostics.LOADBALANCER_PENDING in ids


ZONES = """
apiVersion: v1
kind: Service
metadata: {name: prod-v1}
spec:
  selector: {zone: prod, version: v1}
  ports: [{port: 80, targetPort: 8080}]
"""


def _pod(name: str, labels: str) -> str:
    return f"""---
apiVersion: v1
kind: Pod
metadata: {{name: {name}, labels: {labels}}}
spec:
  containers: [{{name: app, image: nginx, ports: [{{containerPort: 8080}}]}}]
"""


def test_three_pods_labelled_zone_prod_version_v1_all_back_the_service():
    out = simulate(ZONES + "".join(_pod(f"app-{i}", "{zone: prod, version: v1}") for i in range(3)))
    endpoints = out["services"]["default/prod-v1"]["endpoints"]
    assert sorted(e["pod"] for e in endpoints) == ["default/app-0", "default/app-1", "default/app-2"]
    assert all(e["port"] == 8080 and e["ready"] for e in endpoints)


def test_pods_with_only_one_of_the_two_labels_are_not_selected_boolean_and():
    cluster = cluster_with(ZONES + "".join(_pod(f"app-{i}", "{zone: prod}") for i in range(3)))
    out = simulate(ZONES + "".join(_pod(f"app-{i}", "{zone: prod}") for i in range(3)))
    assert out["services"]["default/prod-v1"]["endpoints"] == []
    (hint,) = [h for h in diagnostics.cluster_hints(cluster) if h.id == diagnostics.SELECTS_NO_PODS]
    assert hint.name == "prod-v1"
    assert "version=v1" in hint.message
    assert {m["pod"]: m["missing"] for m in hint.data["nearMisses"]} == {
        f"default/app-{i}": ["lacks label version=v1"] for i in range(3)
    }


def test_the_course_mysql_server_yaml_as_printed_is_a_yaml_error_on_its_labels_line():
    out, _ = __import__("simulator.engine.contract", fromlist=["run"]).run([MYSQL_AS_PRINTED])
    (error,) = out["errors"]
    assert error["document"] == 1 and error["line"] == 4
    assert "mapping values are not allowed" in error["message"]
    assert out["services"].get("default/mysql-server") is None


def test_mysql_server_external_name_has_no_cluster_ip_no_endpoints_and_no_env_vars():
    out = simulate("""
        apiVersion: v1
        kind: Service
        metadata:
          labels: {io.kompose.service: mysql-server}
          name: mysql-server
        spec:
          type: ExternalName
          externalName: serdar.cbanmzptkrzf.us-east-1.rds.amazonaws.com
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: client}
        spec: {containers: [{name: c, image: busybox}]}
    """)
    svc = out["services"]["default/mysql-server"]
    assert svc["type"] == "ExternalName" and svc["clusterIP"] is None
    assert svc["externalName"] == "serdar.cbanmzptkrzf.us-east-1.rds.amazonaws.com"
    assert svc["endpoints"] == []
    assert not any(k.startswith("MYSQL_SERVER") for k in out["pods"]["default/client"]["env"])


NAMESPACED = """
apiVersion: v1
kind: Namespace
metadata: {name: my-ns}
---
apiVersion: v1
kind: Namespace
metadata: {name: test-ns}
---
apiVersion: v1
kind: Pod
metadata: {name: game, namespace: my-ns, labels: {app: game}}
spec: {containers: [{name: game, image: nginx, ports: [{containerPort: 8080}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: game-service, namespace: my-ns}
spec: {selector: {app: game}, ports: [{port: 8080}]}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: test-ns, labels: {app: db}}
spec: {containers: [{name: db, image: mysql, ports: [{containerPort: 3306}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: db-service, namespace: test-ns}
spec: {selector: {app: db}, ports: [{port: 3306}]}
---
apiVersion: v1
kind: Pod
metadata: {name: web, labels: {app: web}}
spec: {containers: [{name: web, image: nginx}]}
"""


def test_services_in_my_ns_and_test_ns_select_only_pods_of_their_own_namespace():
    out = simulate(
        NAMESPACED
        + """---
apiVersion: v1
kind: Pod
metadata: {name: game-decoy, labels: {app: game}}
spec: {containers: [{name: game, image: nginx}]}
"""
    )
    assert out["errors"] == []
    assert [e["pod"] for e in out["services"]["my-ns/game-service"]["endpoints"]] == ["my-ns/game"]
    assert [e["pod"] for e in out["services"]["test-ns/db-service"]["endpoints"]] == ["test-ns/db"]
    # kubelet only injects variables of the pod's own namespace (and default/kubernetes), and only of
    # Services that existed when the pod started: the game pod came before game-service.
    assert "GAME_SERVICE_SERVICE_HOST" not in out["pods"]["my-ns/game"]["env"]
    assert "KUBERNETES_SERVICE_HOST" in out["pods"]["my-ns/game"]["env"]
    assert not any(k.startswith(("GAME_", "DB_")) for k in out["pods"]["default/web"]["env"])


def test_a_document_in_a_namespace_that_does_not_exist_is_rejected_with_the_api_servers_error():
    out = simulate("""
        apiVersion: v1
        kind: Service
        metadata: {name: redis-master, namespace: my-ns}
        spec: {selector: {app: redis}, ports: [{port: 6379}]}
    """)
    (error,) = out["errors"]
    assert error["message"] == 'namespaces "my-ns" not found'
    assert error["document"] == 1 and error["kind"] == "Service" and error["name"] == "redis-master"
    assert "Namespace" in error["hint"]
    assert "my-ns/redis-master" not in out["services"]


def test_the_v1beta1_single_service_ingress_is_accepted_with_a_deprecation_warning():
    out = simulate(INGRESS_SINGLE_SERVICE)
    assert out["errors"] == []
    (warning,) = out["warnings"]
    assert warning["kind"] == "Ingress" and warning["name"] == "test-ingress" and warning["document"] == 1
    assert warning["message"].startswith("networking.k8s.io/v1beta1 Ingress is deprecated")
    assert "networking.k8s.io/v1 Ingress" in warning["message"]
    assert out["ingresses"]["default/test-ingress"]["defaultBackend"] == {"service": "default/testsvc", "port": 80}


def test_the_v1beta1_testpath_ingress_converts_to_a_v1_rule_with_implementation_specific_path_type():
    out = simulate(INGRESS_TESTPATH)
    assert out["errors"] == []
    assert out["ingresses"]["default/test-ingress"]["rules"] == [
        {"host": None, "path": "/testpath", "pathType": "ImplementationSpecific", "service": "default/test", "port": 80}
    ]


FLUENTD = """
apiVersion: extensions/v1beta1
kind: DaemonSet
metadata:
  name: fluentd
  namespace: kube-system
  labels:
    app: fluentd
spec:
  template:
    metadata:
      labels:
       app: fluentd
    spec:
      containers:
      - name: fluentd
        image: fluent/fluentd:v0.14.10
"""


def test_the_fluentd_daemonset_runs_one_pod_on_each_worker_but_not_on_the_tainted_control_plane():
    out = simulate(FLUENTD)
    assert out["errors"] == []
    assert out["warnings"][0]["message"].startswith("extensions/v1beta1 DaemonSet is deprecated")
    ds = out["daemonsets"]["kube-system/fluentd"]
    assert ds["desired"] == 2 and ds["current"] == 2
    assert sorted(out["pods"][p]["node"] for p in ds["pods"]) == ["worker-1", "worker-2"]
    assert all(out["pods"][p]["labels"]["app"] == "fluentd" for p in ds["pods"])


def test_fluentd_with_a_node_selector_ssd_true_runs_only_on_labelled_nodes():
    text = FLUENTD.replace(
        "    spec:\n      containers:", '    spec:\n      nodeSelector:\n        ssd: "true"\n      containers:'
    )
    text += """---
apiVersion: v1
kind: Node
metadata: {name: fast, labels: {ssd: "true"}}
---
apiVersion: v1
kind: Node
metadata: {name: slow}
"""
    out = simulate(text)
    assert out["errors"] == []
    ds = out["daemonsets"]["kube-system/fluentd"]
    assert ds["desired"] == 1
    assert [out["pods"][p]["node"] for p in ds["pods"]] == ["fast"]


def test_an_unquoted_ssd_true_in_a_node_selector_is_a_type_error_like_the_api_servers():
    text = FLUENTD.replace(
        "    spec:\n      containers:", "    spec:\n      nodeSelector:\n        ssd: true\n      containers:"
    )
    out = simulate(text)
    (error,) = out["errors"]
    assert error["field"] == "spec.template.spec.nodeSelector[ssd]"
    assert "cannot unmarshal bool" in error["message"]
    assert error["line"] == 15  # the `ssd: true` line


ONESHOT = """
apiVersion: batch/v1
kind: Job
metadata:
  name: oneshot
  labels:
    chapter: jobs
spec:
  template:
    metadata:
      labels:
        chapter: jobs
    spec:
      containers:
      - name: my-job-container
        image: busybox
        imagePullPolicy: Always
      restartPolicy: OnFailure
"""

PARALLEL = """
apiVersion: batch/v1
kind: Job
metadata:
  name: parallel
  labels:
    chapter: jobs
spec:
  parallelism: 5
  completions: 10
  template:
    metadata:
      labels:
        chapter: jobs
    spec:
      containers:
      - name: kuard
        image: busybox
        imagePullPolicy: Always
      restartPolicy: OnFailure
"""


def test_the_oneshot_job_runs_one_pod_labelled_job_name_then_completes_when_settled():
    out = simulate(ONESHOT)
    job = out["jobs"]["default/oneshot"]
    assert (job["completions"], job["parallelism"], job["active"], job["succeeded"], job["complete"]) == (
        1,
        1,
        1,
        0,
        False,
    )
    (pod,) = job["pods"]
    assert out["pods"][pod]["labels"]["job-name"] == "oneshot"
    assert out["pods"][pod]["owner"] == {"kind": "Job", "name": "oneshot"}
    settled = simulate(ONESHOT, settle=True)["jobs"]["default/oneshot"]
    assert (settled["active"], settled["succeeded"], settled["complete"]) == (0, 1, True)


def test_the_parallel_job_keeps_five_pods_running_until_ten_completions():
    out = simulate(PARALLEL)
    job = out["jobs"]["default/parallel"]
    assert (job["completions"], job["parallelism"], job["active"], job["succeeded"]) == (10, 5, 5, 0)
    settled = simulate(PARALLEL, settle=True)["jobs"]["default/parallel"]
    assert (settled["active"], settled["succeeded"], settled["complete"], len(settled["pods"])) == (0, 10, True, 10)


def test_a_job_with_restart_policy_always_is_rejected_with_the_api_servers_words():
    out = simulate(ONESHOT.replace("restartPolicy: OnFailure", "restartPolicy: Always"))
    (error,) = out["errors"]
    assert error["field"] == "spec.template.spec.restartPolicy"
    assert error["message"] == 'Unsupported value: "Always": supported values: "OnFailure", "Never"'


@pytest.mark.parametrize("text", [WEBAPP, NAMESPACED, FLUENTD, PARALLEL, ZONES])
def test_the_same_input_always_gives_the_same_names_ips_and_ports(text):
    assert simulate(text) == simulate(text)


def test_a_job_that_omits_restart_policy_is_told_to_choose_one():
    # pkg/apis/batch/validation: defaulting makes an omitted restartPolicy Always, reported as Required
    out = simulate(ONESHOT.replace("      restartPolicy: OnFailure\n", ""))
    (error,) = out["errors"]
    assert error["field"] == "spec.template.spec.restartPolicy"
    assert error["message"] == 'Required value: valid values: "OnFailure", "Never"'
