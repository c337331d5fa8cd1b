"""The browser builds the live protocol's keys as the server spells them: every builder of
simulator/live/keys.py has a twin in static/src/protocol/keys.js (camelCase; `element_id` is
`objectRef` there, as the browser uses it for object references too), and on the same inputs,
run under Node (static/tests/build-keys.mjs), the twins give the same strings. Every key of every
lesson's state is one the browser's builders make from the entry itself."""

from __future__ import annotations

import inspect
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from simulator.engine import Engine
from simulator.exercises import lesson_manifests
from simulator.live import keys, state_entries

ROOT = Path(__file__).resolve().parents[2]
BUILD_KEYS = ROOT / "static" / "tests" / "build-keys.mjs"
LESSONS = sorted((ROOT / "lessons").glob("*.yaml"))
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(NODE is None, reason="Node.js is needed (make test's bundle build needs it too)")

JS_NAMES = {"element_id": "objectRef"}  # the rest: snake_case -> camelCase
SUBJECTS = [  # cluster-scoped and namespaced, with and without a view, names with dots and dashes
    ("Pod", "default", "web-5b44f7dcc6-52zm9"),
    ("Service", "kube-system", "kube-dns"),
    ("Service", "my-ns", "game.service"),
    ("Node", "", "worker-1"),
    ("Namespace", "", "team-a"),
    ("Ingress", "shop", "front"),
    ("Deployment", "default", "webapp"),
    ("ReplicaSet", "default", "webapp-5b44f7dcc6"),
    ("Job", "batch", "oneshot"),
    ("DaemonSet", "kube-system", "fluentd"),
]
NAMESPACED = [("default", "webapp"), ("kube-system", "kube-dns"), ("my-ns", "game.service")]
# Arguments for each builder, by the names of its parameters.
SAMPLES = {
    ("kind", "namespace", "name"): SUBJECTS,
    ("namespace", "pod"): NAMESPACED,
    ("namespace", "service"): NAMESPACED,
    ("namespace", "ingress"): [("shop", "front"), ("default", "test-ingress")],
    ("namespace", "ingress", "index"): [("shop", "front", 0), ("default", "test-ingress", 3)],
    ("namespace",): [("default",), ("",)],
    ("element",): [("Pod/default/busybox",), ("world",), ("External/default/mysql-server",)],
    ("edge",): [("endpoint/default/webapp/webapp-1/8080-TCP",), ("owner/Pod/default/web-1",)],
    ("owned",): [("Pod/default/web-1",), ("ReplicaSet/default/webapp-5b44f7dcc6",)],
    ("port_name", "port", "protocol"): [("", 8080, "TCP"), ("http", 80, "TCP"), ("dns", 53, "UDP")],
    ("namespace", "service", "target", "token"): [
        ("default", "webapp", "webapp-5b44f7dcc6-52zm9", "8080-TCP"),
        ("default", "kubernetes", "Node:control-plane", "https-TCP"),
    ],
}


def build(calls: list[list]) -> list:
    """Each call [name, *args] evaluated by keys.js under Node."""
    proc = subprocess.run(
        [NODE, str(BUILD_KEYS)], input=json.dumps(calls), capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def js_name(name: str) -> str:
    head, *rest = name.split("_")
    return JS_NAMES.get(name, head + "".join(part.capitalize() for part in rest))


BUILDERS = sorted(name for name, fn in vars(keys).items() if inspect.isfunction(fn) and fn.__module__ == keys.__name__)


def test_every_builder_of_the_server_has_samples_to_be_compared_on():
    assert BUILDERS  # and none is left out below for want of arguments
    for name in BUILDERS:
        assert tuple(inspect.signature(getattr(keys, name)).parameters) in SAMPLES, name


@pytest.mark.parametrize("name", BUILDERS)
def test_the_browsers_twin_of_each_builder_gives_the_same_strings(name):
    fn = getattr(keys, name)
    samples = SAMPLES[tuple(inspect.signature(fn).parameters)]
    assert build([[js_name(name), *args] for args in samples]) == [fn(*args) for args in samples]


def test_the_constants_are_the_same():
    assert build([["META"], ["WORLD"]]) == [keys.META, keys.WORLD]


@pytest.mark.parametrize("lesson", LESSONS, ids=[path.stem for path in LESSONS])
def test_every_key_of_a_lessons_state_is_one_the_browser_builds_from_the_entry_itself(lesson):
    engine = Engine.new()
    assert engine.apply_text(lesson_manifests(lesson.stem, lesson.read_text())).ok
    entries = state_entries(engine)
    objects = [(v["kind"], v["namespace"], v["name"]) for k, v in entries.items() if k.startswith("object/")]
    graph = [(k, v["group"], v["data"]["id"]) for k, v in entries.items() if k.startswith("graph/")]
    calls = [["META"]]
    calls += [["subjectKeys", *subject] for subject in objects]
    calls += [["graphNodeKey" if group == "nodes" else "graphEdgeKey", ident] for _, group, ident in graph]
    calls += [["graphIdOf", key] for key, _, _ in graph]
    calls += [["parseRef", keys.element_id(*subject)] for subject in objects]
    got = build(calls)
    meta, got = got[0], got[1:]
    subject_keys, got = got[: len(objects)], got[len(objects) :]
    graph_keys, got = got[: len(graph)], got[len(graph) :]
    graph_ids, parsed = got[: len(graph)], got[len(graph) :]

    built = {meta, *graph_keys, *(key for each in subject_keys for key in each)}
    assert set(entries) - built == set()
    assert graph_keys == [key for key, _, _ in graph]
    assert graph_ids == [ident for _, _, ident in graph]
    assert [(p["kind"], p["namespace"], p["name"]) for p in parsed] == objects
    assert len(entries) > len(state_entries(Engine.new()))  # the lesson's own objects too
