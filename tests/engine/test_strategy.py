"""What the simulator reads from a document beyond the API server's validation (strategy.py):
status fields and kubeviz.io/ annotations. A bad value is an error on its field, with the API
server's decoding or validation wording; never a crash, never a nonsense diagram. Sources: the
registry strategies' PrepareForCreate (status reset), ValidateLoadBalancerStatus, IsValidIP,
core/v1 PodPhase and ConditionStatus."""

from __future__ import annotations

import json

import pytest

from simulator.engine.contract import run

from .conftest import cluster_with, simulate, yaml_text

POD = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: a, image: b}]}\n"
NODE = "apiVersion: v1\nkind: Node\nmetadata: {name: n1}\n"
LB = "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {type: LoadBalancer, ports: [{port: 80}]}\n"
JOB = (
    "apiVersion: batch/v1\nkind: Job\nmetadata: {{name: j{annotations}}}\n"
    "spec: {{template: {{spec: {{restartPolicy: Never, containers: [{{name: a, image: b}}]}}}}}}\n"
)
DEPLOYMENT = (
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n"
    "spec: {selector: {matchLabels: {a: b}}, template: {metadata: {labels: {a: b}}, "
    "spec: {containers: [{name: a, image: b}]}}}\n"
)


def job(annotations: str = "") -> str:
    return JOB.format(annotations=f", annotations: {{{annotations}}}" if annotations else "")


REJECTED = [
    # decoding: the Go type of each status field the simulator reads
    (
        POD + "status: {podIP: 5}\n",
        "status.podIP",
        "json: cannot unmarshal number into Go struct field PodStatus.status.podIP of type string",
    ),
    (
        POD + "status: {conditions: 5}\n",
        "status.conditions",
        "json: cannot unmarshal number into Go struct field PodStatus.status.conditions of type []v1.PodCondition",
    ),
    (
        POD + "status: {conditions: [5]}\n",
        "status.conditions[0]",
        "json: cannot unmarshal number into Go struct field PodStatus.status.conditions of type v1.PodCondition",
    ),
    (
        POD + "status: {phase: [Running]}\n",
        "status.phase",
        "json: cannot unmarshal array into Go struct field PodStatus.status.phase of type string",
    ),
    (
        NODE + "status: {addresses: 5}\n",
        "status.addresses",
        "json: cannot unmarshal number into Go struct field NodeStatus.status.addresses of type []v1.NodeAddress",
    ),
    (
        NODE + "status: {addresses: [{type: InternalIP, address: 5}]}\n",
        "status.addresses[0].address",
        "json: cannot unmarshal number into Go struct field NodeAddress.status.addresses.address of type string",
    ),
    (
        LB + "status: {loadBalancer: 5}\n",
        "status.loadBalancer",
        "json: cannot unmarshal number into Go struct field ServiceStatus.status.loadBalancer of type v1.LoadBalancerStatus",
    ),
    (
        DEPLOYMENT + "status: {collisionCount: abc}\n",
        "status.collisionCount",
        "json: cannot unmarshal string into Go struct field DeploymentStatus.status.collisionCount of type int32",
    ),
    (
        job() + "status: {succeeded: abc}\n",
        "status.succeeded",
        "json: cannot unmarshal string into Go struct field JobStatus.status.succeeded of type int32",
    ),
    # the values the simulator honours
    (
        POD + "status: {phase: Bogus}\n",
        "status.phase",
        'Unsupported value: "Bogus": supported values: "Failed", "Pending", "Running", "Succeeded", "Unknown"',
    ),
    (
        POD + "status: {conditions: [{type: Ready, status: maybe}]}\n",
        "status.conditions[0].status",
        'Unsupported value: "maybe": supported values: "False", "True", "Unknown"',
    ),
    (
        NODE + "status: {addresses: [{type: InternalIP, address: 1.2.3}]}\n",
        "status.addresses[0].address",
        'Invalid value: "1.2.3": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
    ),
    (
        NODE + 'status: {addresses: [{type: InternalIP, address: "2001:db8::1"}]}\n',
        "status.addresses[0].address",
        'Invalid value: "2001:db8::1": must be an IPv4 address in dotted-quad form: kubeviz simulates IPv4 clusters only',
    ),
    (
        LB + "status: {loadBalancer: {ingress: [{ip: not-an-ip}]}}\n",
        "status.loadBalancer.ingress[0].ip",
        'Invalid value: "not-an-ip": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
    ),
    (
        LB + "status: {loadBalancer: {ingress: [{hostname: 1.2.3.4}]}}\n",
        "status.loadBalancer.ingress[0].hostname",
        'Invalid value: "1.2.3.4": must be a DNS name, not an IP address',
    ),
    (
        job("kubeviz.io/run-seconds: abc"),
        "metadata.annotations[kubeviz.io/run-seconds]",
        'Invalid value: "abc": must be a number of simulated seconds each pod of this Job runs, from 0 to 31536000 '
        '(e.g. "10" or "2.5")',
    ),
    (job('kubeviz.io/run-seconds: "nan"'), "metadata.annotations[kubeviz.io/run-seconds]", 'Invalid value: "nan"'),
    (job('kubeviz.io/run-seconds: "-1"'), "metadata.annotations[kubeviz.io/run-seconds]", 'Invalid value: "-1"'),
    (
        job('kubeviz.io/failures: "-1"'),
        "metadata.annotations[kubeviz.io/failures]",
        'Invalid value: "-1": must be a whole number of pod runs that fail, from 0 to 1000000',
    ),
    (job('kubeviz.io/failures: "1.5"'), "metadata.annotations[kubeviz.io/failures]", 'Invalid value: "1.5"'),
]


@pytest.mark.parametrize("text, field, message", REJECTED, ids=[f"{r[1]}:{i}" for i, r in enumerate(REJECTED)])
def test_a_bad_value_the_simulator_reads_is_an_error_on_its_field_and_nothing_is_applied(text, field, message):
    out, _cluster = run([text])
    [error] = out["errors"]
    assert error["field"] == field
    assert error["message"].startswith(message)
    assert error["line"] >= 3 and error["document"] == 1
    # the document was left out
    assert "n1" not in out["nodes"] and not {"default/p", "default/s", "default/d", "default/j"} & (
        out["pods"].keys() | out["services"].keys() | out["deployments"].keys() | out["jobs"].keys()
    )


def test_the_same_bad_value_is_refused_as_a_whole_when_applied_to_a_live_cluster():
    cluster = cluster_with(POD.replace("name: p", "name: fine"))
    before = json.dumps({str(k): v.manifest for k, v in cluster.objects["Pod"].items()}, sort_keys=True)
    result = cluster.apply_text(POD.replace("name: p", "name: other") + "---\n" + POD + "status: {podIP: 5}\n")
    assert not result.ok and [e.field for e in result.errors] == ["status.podIP"]
    assert json.dumps({str(k): v.manifest for k, v in cluster.objects["Pod"].items()}, sort_keys=True) == before


def test_a_documents_pod_address_is_ignored_with_a_warning_and_kubeviz_assigns_one():
    out = simulate(POD + "status: {podIP: 10.244.1.50, hostIP: 9.9.9.9, phase: Running}\n")
    assert out["errors"] == []
    assert out["pods"]["default/p"]["ip"] == "10.244.1.2"  # from worker-1's pod CIDR, as the first pod there
    fields = sorted(w["message"].split(" is ignored")[0] for w in out["warnings"])
    assert fields == ["status.hostIP", "status.podIP"]


def test_an_edit_keeps_the_pods_address_and_takes_its_phase_and_ready_condition():
    cluster = cluster_with(POD)
    ip = cluster.get("Pod", "default", "p").ip
    result = cluster.apply_text(POD + 'status: {podIP: 10.244.2.99, conditions: [{type: Ready, status: "False"}]}\n')
    assert result.ok, [str(e) for e in result.errors]
    pod = cluster.get("Pod", "default", "p")
    assert pod.ip == ip and pod.ready is False


def test_the_server_resets_a_new_workloads_status_as_its_registry_strategy_does():
    out = simulate(
        job() + "status: {succeeded: 7, failed: 3}\n" + "---\n" + DEPLOYMENT + "status: {collisionCount: 4}\n"
    )
    assert out["errors"] == []
    assert out["jobs"]["default/j"]["succeeded"] == 0 and out["jobs"]["default/j"]["failed"] == 0
    # the ReplicaSet's name carries the hash of the template alone (collisionCount 0), as for any new Deployment
    [pod] = out["deployments"]["default/d"]["pods"]
    [plain] = simulate(DEPLOYMENT)["deployments"]["default/d"]["pods"]
    assert pod.rsplit("-", 1)[0] == plain.rsplit("-", 1)[0]


def test_the_simulators_own_bookkeeping_annotations_cannot_be_set_by_a_document():
    text = yaml_text("""
        apiVersion: v1
        kind: Pod
        metadata:
          name: p
          annotations: {kubeviz.io/started-at: abc, kubeviz.io/restarts: x, kubeviz.io/seq: "999", keep: me}
        spec: {containers: [{name: a, image: b}]}
        """)
    out, cluster = run([text])
    assert out["errors"] == []
    annotations = cluster.get("Pod", "default", "p").manifest["metadata"]["annotations"]
    assert annotations["keep"] == "me" and annotations["kubeviz.io/started-at"] == "0"
    assert "kubeviz.io/restarts" not in annotations and annotations["kubeviz.io/seq"] != "999"


def test_good_job_knobs_shape_the_timeline():
    out = simulate(job('kubeviz.io/run-seconds: "2.5", kubeviz.io/failures: "1"'), settle=True)
    assert out["errors"] == []
    assert out["jobs"]["default/j"]["succeeded"] == 1 and out["jobs"]["default/j"]["failed"] == 1


def test_a_jobs_knobs_are_the_documents_an_edit_changes_or_removes_them():
    cluster = cluster_with(job('kubeviz.io/run-seconds: "30"'))
    changed = cluster.apply_text(job('kubeviz.io/run-seconds: "5"'))
    assert changed.lines() == ["job.batch/j configured"]
    assert cluster.get("Job", "default", "j").annotations["kubeviz.io/run-seconds"] == "5"
    assert cluster.apply_text(job()).lines() == ["job.batch/j configured"]
    assert "kubeviz.io/run-seconds" not in cluster.get("Job", "default", "j").annotations
    # the engine's own bookkeeping is kept across edits
    assert "kubeviz.io/seq" in cluster.get("Job", "default", "j").annotations
