"""Bounded work per apply (issue 11): every input anyone can send is answered quickly with an
error naming the limit, document, line and field, and nothing is stored."""

from __future__ import annotations

import pytest
import yaml

from simulator.engine import ClusterSettings, Engine
from simulator.engine.apiserver import documents

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: {replicas}
  selector:
    matchLabels: {{app: web}}
  template:
    metadata:
      labels: {{app: web}}
    spec:
      containers: [{{name: web, image: nginx}}]
"""

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: {name}
  annotations:
    note: {note}
spec:
  containers: [{{name: c, image: busybox}}]
"""


def errors_of(text: str, settings: ClusterSettings | None = None, atomic: bool = True):
    engine = Engine.new(settings or ClusterSettings())
    before = sum(len(v) for v in engine.objects.values())
    result = engine.apply_text(text, atomic=atomic)
    if atomic and result.errors:
        assert sum(len(v) for v in engine.objects.values()) == before, "nothing changes"
    return result.errors, engine


def test_a_list_of_many_bad_items_is_composed_once_and_its_errors_capped(monkeypatch):
    calls = []
    real = yaml.compose
    monkeypatch.setattr(yaml, "compose", lambda *a, **k: calls.append(1) or real(*a, **k))
    text = "apiVersion: v1\nkind: List\nitems:\n" + "- {}\n" * 900
    errors, _ = errors_of(text, ClusterSettings(max_errors=50))
    assert len(calls) == 1, "one parse of the document locates every error"
    assert len(errors) == 51
    assert errors[0].line == 4 and errors[0].document == 1
    assert errors[49].line == 53
    assert errors[-1].message.startswith("and 850 more errors")


def test_the_items_of_a_list_count_against_the_document_limit():
    text = "apiVersion: v1\nkind: List\nitems:\n" + "- {}\n" * 11
    errors, _ = errors_of(text, ClusterSettings(max_documents=10))
    assert [e.message for e in errors] == [
        "the input has over 10 objects (documents and the items of List documents), the limit"
    ]
    assert "KUBEVIZ_MAX_DOCUMENTS" in errors[0].hint


@pytest.mark.parametrize("replicas", [2147483647, 1001])
def test_replicas_over_the_limit_are_refused_on_their_field(replicas):
    errors, engine = errors_of(DEPLOYMENT.format(replicas=replicas))
    assert len(errors) == 1
    e = errors[0]
    assert (e.document, e.line, e.field, e.kind, e.name) == (1, 6, "spec.replicas", "Deployment", "web")
    assert e.message == f"Invalid value: {replicas}: must be no more than 1000 on this server"
    assert "KUBEVIZ_MAX_REPLICAS" in e.hint
    assert engine.get("Deployment", "default", "web") is None


@pytest.mark.parametrize("field", ["parallelism", "completions"])
def test_a_jobs_parallelism_and_completions_are_bounded(field):
    text = (
        "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n"
        f"  {field}: 5000\n  template:\n    spec:\n      restartPolicy: Never\n"
        "      containers: [{name: c, image: busybox}]\n"
    )
    errors, _ = errors_of(text)
    assert [(e.field, e.line) for e in errors] == [(f"spec.{field}", 5)]


def test_the_pods_a_cluster_asks_for_are_bounded_across_workloads():
    settings = ClusterSettings(max_pods=30)
    engine = Engine.new(settings)
    assert engine.apply_text(DEPLOYMENT.format(replicas=20)).ok
    second = DEPLOYMENT.format(replicas=20).replace("name: web", "name: api", 1)
    result = engine.apply_text(second)
    assert len(result.errors) == 1
    e = result.errors[0]
    assert e.field == "spec.replicas" and e.name == "api"
    assert "over the limit of 30 pods per cluster" in e.message and "KUBEVIZ_MAX_PODS" in e.hint
    assert engine.get("Deployment", "default", "api") is None
    # Scaling the first one down is fine.
    assert engine.apply_text(DEPLOYMENT.format(replicas=5)).ok


def test_the_objects_a_cluster_holds_are_bounded():
    engine = Engine.new(ClusterSettings())
    engine.reconcile()
    held = sum(len(v) for v in engine.objects.values())
    engine = Engine.new(ClusterSettings(max_objects=held + 1))
    engine.reconcile()
    text = "---\n".join(f"apiVersion: v1\nkind: Namespace\nmetadata: {{name: c{i}}}\n" for i in range(2))
    result = engine.apply_text(text)
    assert [(e.document, e.name) for e in result.errors] == [(2, "c1")]
    assert "limit" in result.errors[0].message and "KUBEVIZ_MAX_OBJECTS" in result.errors[0].hint


@pytest.mark.parametrize(
    "note, words",
    [
        ("0x" + "f" * 4000, "a number of 4002 characters is refused"),
        ("1" + ":59" * 60_000, "a number of 180001 characters is refused"),
        ("99999999999999999999", "the integer 99999999999999999999 is out of range"),
        (".inf", "the number .inf is not finite"),
        ("-.Inf", "the number -.Inf is not finite"),
        (".nan", "the number .nan is not finite"),
        ("1.0e+999", "the number 1.0e+999 is not finite"),
        ('"a\\0b"', "the string holds a NUL character"),
        ('"\\ud800"', "found invalid Unicode character escape code"),  # libyaml refuses it itself
    ],
)
def test_values_that_json_or_the_database_cannot_hold_are_errors_on_their_line(note, words):
    errors, _ = errors_of(POD.format(name="p", note=note))
    assert len(errors) == 1
    assert words in errors[0].message
    assert (errors[0].document, errors[0].line) == (1, 6)


def test_a_lone_surrogate_in_the_text_itself_is_refused():
    errors, _ = errors_of(POD.format(name="p", note="a\ud800b"))
    assert "lone surrogate" in errors[0].message and errors[0].line == 6


def test_text_repeated_through_aliases_counts_in_bytes():
    long = "x" * 4000
    text = f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c}}\ndata:\n  a: &a {long}\n" + "".join(
        f"  k{i}: *a\n" for i in range(300)
    )
    errors, _ = errors_of(text, ClusterSettings(max_bytes=1024 * 1024))
    assert len(errors) == 1
    assert "aliases expand this document by over 1 MiB of text" in errors[0].message
    assert errors[0].document == 1 and errors[0].line > 5


def test_an_object_over_the_serialised_size_limit_is_refused():
    note = '"' + '\\"' * 200_000 + '"'
    errors, _ = errors_of(POD.format(name="big", note=note))
    assert len(errors) == 1
    e = errors[0]
    assert (e.document, e.line, e.kind, e.name) == (1, 1, "Pod", "big")
    assert e.message.startswith("the object is 390.8 KiB") and "over the limit of 256 KiB per object" in e.message


def test_an_object_under_the_size_limit_still_applies_and_simulate_is_bounded_too():
    errors, _engine = errors_of(POD.format(name="ok", note="x" * 1000))
    assert errors == []
    from simulator.engine.contract import run

    out, _ = run([POD.format(name="big", note="y" * 300_000)])
    assert any("over the limit of 256 KiB per object" in e["message"] for e in out["errors"])


def test_numbers_below_the_limits_still_read_as_numbers():
    assert documents.load_documents("a: 0x7fffffffffffffff\nb: 1:30\nc: 1.5e+3\n")[0].value == {
        "a": 2**63 - 1,
        "b": 90,
        "c": 1500.0,
    }
