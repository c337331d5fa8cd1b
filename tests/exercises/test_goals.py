"""Each goal type, passing and failing, and the sentence it says (no database)."""

from __future__ import annotations

import pytest

from simulator.engine import Engine
from simulator.exercises import ExerciseError, parse_exercise, render
from simulator.exercises.format import GOAL_TYPES
from simulator.exercises.goals import CHECKERS
from tests.test_floors import FRAMEWORKS, GRAPH, offenders, within

CLUSTER = """
apiVersion: v1
kind: Namespace
metadata: {name: my-ns}
---
apiVersion: v1
kind: Pod
metadata: {name: web, labels: {app: web, zone: prod}}
spec: {containers: [{name: c, image: nginx, ports: [{containerPort: 80}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: other, labels: {app: web}}
spec: {containers: [{name: c, image: nginx, ports: [{containerPort: 80}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: NodePort
  selector: {app: web, zone: prod}
  ports: [{port: 80, nodePort: 30080}]
---
apiVersion: v1
kind: Pod
metadata: {name: late}
spec: {containers: [{name: c, image: busybox, env: [{name: MODE, value: fast}]}]}
---
apiVersion: batch/v1
kind: Job
metadata: {name: once}
spec:
  template:
    spec:
      containers: [{name: c, image: busybox}]
      restartPolicy: Never
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: c, image: busybox}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: site}
spec:
  rules:
  - host: site.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
"""


@pytest.fixture(scope="module")
def cluster():
    engine = Engine.new()
    result = engine.apply_text(CLUSTER)
    assert result.ok, [str(e) for e in result.errors]
    return engine


CASES = [
    ("endpoints", {"service": "web", "exactly": {"pods": ["web"]}}, True, "Service web sends traffic to web"),
    (
        "endpoints",
        {"service": "web", "include": {"selector": {"app": "web"}}},
        False,
        "pod other lacks label zone=prod",
    ),
    ("endpoints", {"service": "web", "exclude": ["web"]}, False, "web should not be among its endpoints"),
    ("endpoints", {"service": "nope", "exactly": []}, False, "Service default/nope not found"),
    ("service", {"name": "web", "type": "NodePort", "nodePort": 30080}, True, "Service web is NodePort (80/TCP:30080)"),
    ("service", {"name": "web", "type": "ClusterIP"}, False, "Service web has type NodePort, not ClusterIP"),
    ("service", {"name": "web", "port": 8080}, False, "Service web has no port 8080 (its ports: 80)"),
    ("env", {"pod": "late", "name": "WEB_SERVICE_HOST"}, True, "WEB_SERVICE_HOST is set in late"),
    ("env", {"pod": "late", "name": "MODE", "value": "slow"}, False, "pod late has MODE=fast, not slow"),
    ("env", {"pod": "web", "name": "WEB_SERVICE_HOST"}, False, "web was created after web (re-create the pod)"),
    ("env", {"selector": {"app": "web"}, "name": "NOPE", "present": False}, True, "NOPE is not set in web, other"),
    ("resolve", {"from": "default/late", "name": "web"}, True, "nslookup web from default/late: NOERROR"),
    ("resolve", {"from": "default/late", "name": "web.my-ns"}, False, "NXDOMAIN after trying web.my-ns.default.svc"),
    ("resolve", {"from": "default/ghost", "name": "web"}, False, "pod 'ghost' not found"),
    ("request", {"from": "default/late", "url": "http://web/", "reaches": ["web"]}, True, "reaches web"),
    ("request", {"from": "external", "url": "http://172.18.0.3:30080/", "ok": False}, False, "and should fail"),
    (
        "request",
        {"from": "default/late", "url": "http://web:81/"},
        False,
        "curl http://web:81/ from default/late fails",
    ),
    ("ingress", {"host": "site.example.com", "path": "/a", "service": "web", "port": 80}, True, "Ingress default/site"),
    ("ingress", {"host": "other.example.com", "path": "/", "service": "web"}, False, "404"),
    ("job", {"name": "once", "complete": True}, False, "the simulated clock must run"),
    ("job", {"name": "once", "completions": 1, "parallelism": 1}, True, "Job once"),
    ("daemonset", {"name": "agent", "nodes": ["worker-1", "worker-2"]}, True, "exactly worker-1, worker-2"),
    (
        "daemonset",
        {"name": "agent", "nodes": {"selector": {"kubernetes.io/hostname": "worker-1"}}},
        False,
        "worker-2 should not run it",
    ),
    ("exists", {"kind": "Namespace", "name": "my-ns"}, True, "Namespace my-ns exists"),
    ("exists", {"kind": "service", "name": "my-ns/web"}, False, "Service my-ns/web does not exist"),
    ("absent", {"kind": "Pod", "name": "web"}, False, "Pod default/web still exists"),
    ("expect", {"path": "services[default/web].ports[0].nodePort", "equals": 30080}, True, "is 30080"),
    (
        "expect",
        {"path": ["services", "default/web", "type"], "equals": "ClusterIP"},
        False,
        'is "NodePort", not "ClusterIP"',
    ),
    ("expect", {"path": "pods[default/web].labels", "contains": "zone"}, True, "contains"),
    ("expect", {"path": "services[default/nope]", "exists": False}, True, "is not there"),
    ("expect", {"path": "daemonsets[default/agent].pods", "length": 2}, True, "has 2 items"),
]


@pytest.mark.parametrize(("kind", "spec", "passed", "says"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_a_goal_passes_or_fails_and_says_why(cluster, kind, spec, passed, says):
    outcome = CHECKERS[kind](cluster, spec)
    assert (outcome.passed, says in outcome.why) == (passed, True), outcome.why


def test_every_goal_type_has_a_checker_and_a_case():
    assert set(CHECKERS) == set(GOAL_TYPES) == {c[0] for c in CASES}


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("steps: []", "steps: a list of at least one step"),
        ("steps:\n- goals: [{endpoint: {service: x}}]", "steps[0].goals[0]: unknown goal type 'endpoint'"),
        ("steps:\n- goals: [{endpoints: {service: x}}]", "steps[0].goals[0].endpoints: needs exactly one of"),
        ("steps:\n- goals: [{service: {type: NodePort}}]", "steps[0].goals[0].service.name: Required value"),
        ("steps:\n- goals: [{service: {name: a, color: red}}]", "service.color: unknown field"),
        (
            "steps:\n- goals: [{id: a, exists: {kind: Pod, name: a}}, {id: a, absent: {kind: Pod, name: b}}]",
            "Duplicate value",
        ),
        (
            "steps:\n- {goals: [{exists: {kind: Pod, name: a}}], solution: {apply: 3}}",
            "solution.apply: must be YAML text",
        ),
        ("title: [\nsteps:", "not valid YAML"),
        ("steps:\n- goals: [{service: {name: a, type: Nodeport}}]", "service.type: Unsupported value: 'Nodeport'"),
        ("steps:\n- goals: [{endpoints: {service: a, exactly: prod-1}}]", "endpoints.exactly: a list of names"),
        ("steps:\n- goals: [{resolve: {from: web, name: x}}]", "resolve.from: NAMESPACE/POD, not 'web'"),
        ("steps:\n- goals: [{job: {name: j, succeeded: ten}}]", "job.succeeded: must be a whole number"),
        ("steps:\n- goals: [{request: {from: external, url: u, ok: yes-please}}]", "request.ok: must be true or false"),
        ("steps:\n- goals: [{absent: {kind: Secret, name: s}}]", "absent.kind: Unsupported value: 'Secret'"),
    ],
)
def test_a_malformed_lesson_is_refused_saying_what_and_where(text, says):
    with pytest.raises(ExerciseError) as error:
        parse_exercise("mine", text)
    assert says in str(error.value) and str(error.value).startswith("mine")


def test_a_step_s_markdown_is_escaped_before_it_is_formatted():
    html = render(
        "Run **`kubectl get <svc>`** <img src=x onerror=alert(1)> [a](javascript:alert(1)) [b](https://k8s.io)"
    )
    assert "<img" not in html and "&lt;img" in html
    assert "<code>kubectl get &lt;svc&gt;</code>" in html
    assert 'href="javascript' not in html and '<a href="https://k8s.io"' in html


def test_the_exercises_package_is_pure_python_over_the_engine():
    allowed = ("simulator.engine", "simulator.exercises")
    assert (
        offenders(
            GRAPH,
            lambda m: within(m, "simulator.exercises"),
            lambda t: (within(t, "simulator") and not within(t, allowed)) or within(t, FRAMEWORKS),
        )
        == []
    )
