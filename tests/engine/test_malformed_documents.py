"""Documents of the right kinds with the wrong shapes inside: nulls where objects go, scalars where
lists go, old API versions with broken fields. Each case is one a fuzzer found crashing the
engine; now each decodes as encoding/json would (a null field is unset, a null list element or
map value is its Go zero value) or is an error on its field. And a seeded fuzz run over the
course lessons, applying and editing, must never raise."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path

import pytest
import yaml

from simulator import live as snapshot
from simulator.engine.contract import Query, run
from simulator.exercises import lesson_manifests

from .conftest import simulate, yaml_text

LESSONS = Path(__file__).resolve().parents[2] / "lessons"


ACCEPTED = [
    # metadata: null is an object with no metadata: the name is then required (an error below)
    (
        """
     apiVersion: v1
     kind: Pod
     metadata: {name: p}
     spec: {containers: [{name: a, image: b}]}
     status: null
     """,
        lambda out: out["pods"]["default/p"]["phase"] == "Running",
    ),
    (
        """
     apiVersion: v1
     kind: Service
     metadata: {name: s, labels: null}
     spec: {selector: {app: null}, ports: [{port: 80, targetPort: null}]}
     """,  # a null map value is "", a null intstr is 0, which defaults to the port
        lambda out: (
            out["services"]["default/s"]["selector"] == {"app": ""}
            and out["services"]["default/s"]["ports"][0]["targetPort"] == 80
        ),
    ),
    (
        """
     apiVersion: networking.k8s.io/v1
     kind: Ingress
     metadata: {name: i}
     spec: {rules: [null, {host: a.example.com}]}
     """,
        lambda out: [r["host"] for r in out["ingresses"]["default/i"]["rules"]] == [],
    ),
]


@pytest.mark.parametrize("text, check", ACCEPTED)
def test_nulls_decode_as_go_zero_values(text, check):
    out = simulate(text)
    assert out["errors"] == [], out["errors"]
    assert check(out)


REJECTED = [
    (
        """
     apiVersion: v1
     kind: Service
     metadata: null
     spec: {clusterIP: 10.96.0.10, ports: [{port: 80}]}
     """,
        ["metadata.name", "spec.clusterIPs"],
    ),
    (
        """
     apiVersion: networking.k8s.io/v1beta1
     kind: Ingress
     metadata: {name: i}
     spec: {rules: true}
     """,
        ["spec.rules"],
    ),
    (
        """
     apiVersion: networking.k8s.io/v1beta1
     kind: Ingress
     metadata: {name: i}
     spec: {rules: [{http: {paths: 1.5}}]}
     """,
        ["spec.rules[0].http.paths"],
    ),
    (
        """
     apiVersion: batch/v1
     kind: Job
     metadata: {name: j, annotations: {kubeviz.io/run-seconds: null}}
     spec: {template: {spec: {restartPolicy: Never, containers: [{name: a, image: b}]}}}
     """,
        ["metadata.annotations[kubeviz.io/run-seconds]"],
    ),
]


@pytest.mark.parametrize("text, fields", REJECTED)
def test_broken_shapes_are_errors_on_their_fields(text, fields):
    out = simulate(text)
    assert [e["field"] for e in out["errors"]] == fields
    assert all(e["document"] == 1 and e["line"] >= 1 and e["message"] for e in out["errors"])


def _paths(obj, prefix=()):
    yield prefix
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(obj, list):
        for index, value in enumerate(obj):
            yield from _paths(value, (*prefix, index))


ODD_VALUES = [
    5,
    -1,
    0,
    2**40,
    1.5,
    "abc",
    "",
    "None",
    True,
    None,
    [],
    {},
    [1],
    {"a": 1},
    "10.244.1.5",
    "a" * 300,
    "-",
    "Always",
    "kube-system",
]


def _mutate(docs: list, rng: random.Random) -> list:
    docs = copy.deepcopy(docs)
    for _ in range(rng.randint(1, 3)):
        doc = rng.choice(docs)
        path = rng.choice([p for p in _paths(doc) if p])
        target = doc
        for step in path[:-1]:
            target = target[step]
        key = path[-1]
        if isinstance(key, str) and rng.random() < 0.2:
            key = "status"  # a sibling status, of any shape
        target[key] = copy.deepcopy(rng.choice(ODD_VALUES))
    return docs


@pytest.mark.parametrize("seed", [1, 2])
def test_no_mutated_lesson_makes_the_engine_raise(seed):
    """Every value swapped for a value of another type, a null or an odd string: simulate,
    apply onto a live cluster (atomic and not), re-derive the live entries, tick the clock."""
    rng = random.Random(seed)
    lessons = {
        p.stem: [d for d in yaml.safe_load_all(lesson_manifests(p.stem, p.read_text())) if d]
        for p in sorted(LESSONS.glob("*.yaml"))
    }
    for _ in range(150):
        name = rng.choice(sorted(lessons))
        text = yaml.safe_dump_all(_mutate(lessons[name], rng))
        out, _ = run(
            [text],
            settle=rng.random() < 0.3,
            queries=[Query("resolve", "default/busybox", "webapp"), Query("request", "external", "http://foo/")],
        )
        json.dumps(out)
        _, cluster = run([yaml.safe_dump_all(lessons[name])])
        snapshot.state_entries(cluster)
        cluster.pop_change_log()
        result = cluster.apply_text(text, atomic=rng.random() < 0.5)
        assert result.ok or all(e.message for e in result.errors)
        snapshot.changed_entries(cluster, cluster.pop_change_log())
        cluster.advance(30)
        json.dumps(snapshot.changed_entries(cluster, cluster.pop_change_log()))


def test_the_fuzz_would_catch_a_crash():
    """The fuzz above is not vacuous: its mutations reach the kinds of field that crashed."""
    rng = random.Random(3)
    docs = [
        yaml.safe_load(
            yaml_text("""
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec: {containers: [{name: a, image: b}]}
        """)
        )
    ]
    seen = set()
    for _ in range(400):
        for doc in _mutate(docs, rng):
            seen |= {k for k in doc if doc.get(k) is None or k == "status"}
    assert {"metadata", "spec", "status"} <= seen
