"""The browser builds the live protocol's keys as the server spells them: the builders of
static/src/protocol/keys.js, run under Node (static/tests/build-keys.mjs), give what the server's
functions in simulator/engine/snapshot.py give on the same inputs, and every key of every lesson's
state is one the browser's builders make from the entry itself."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from simulator.engine import snapshot

from .conftest import cluster_with

ROOT = Path(__file__).resolve().parents[2]
BUILD_KEYS = ROOT / "static" / "tests" / "build-keys.mjs"
LESSONS = sorted((ROOT / "lessons").glob("*.yaml"))
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(NODE is None, reason="Node.js is needed (make test's bundle build needs it too)")

# (kind, namespace, name): cluster-scoped and namespaced kinds, with and without a view entry,
# names with dots and dashes.
SUBJECTS = [
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


def build(calls: list[list]) -> list:
    """Each call [name, *args] evaluated by keys.js under Node."""
    proc = subprocess.run(
        [NODE, str(BUILD_KEYS)], input=json.dumps(calls), capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_object_references_and_keys_are_the_servers_element_ids_object_keys_and_view_keys():
    calls = []
    for kind, namespace, name in SUBJECTS:
        calls += [["objectRef", kind, namespace, name], ["objectKey", kind, namespace, name]]
        calls += [["viewKey", kind, namespace, name]]
    got = build(calls)
    want = []
    for subject in SUBJECTS:
        want += [snapshot.element_id(*subject), snapshot.object_key(*subject), snapshot._view_key(*subject)]
    assert got == want
    assert got[2] == "pod/default/web-5b44f7dcc6-52zm9" and got[3 * 3 + 2] == "node/worker-1"
    assert got[3 * 4 + 2] is None  # a Namespace has no view entry


def test_every_key_a_subject_may_produce_is_spelled_as_the_server_spells_it():
    got = build([["subjectKeys", *subject] for subject in SUBJECTS])
    assert got == [snapshot._fixed_keys(*subject) for subject in SUBJECTS]


@pytest.mark.parametrize(
    ("service_namespace", "service", "target", "port_name", "port", "protocol"),
    [
        ("default", "webapp", "webapp-5b44f7dcc6-52zm9", "", 8080, "TCP"),
        ("default", "web", "web-0", "http", 80, "TCP"),
        ("kube-system", "kube-dns", "coredns-1", "dns", 53, "UDP"),
        ("default", "kubernetes", "Node:control-plane", "https", 443, "TCP"),
    ],
)
def test_endpoint_edges_are_named_by_service_target_and_port_token(
    service_namespace, service, target, port_name, port, protocol
):
    token, ident = build(
        [
            ["portToken", port_name, port, protocol],
            ["endpointEdgeId", service_namespace, service, target, snapshot._port_token(port_name, port, protocol)],
        ]
    )
    assert token == snapshot._port_token(port_name, port, protocol)
    assert "graph/edge/" + ident == snapshot._endpoint_edge_key(service_namespace, service, target, token)


@pytest.mark.parametrize("lesson", LESSONS, ids=[path.stem for path in LESSONS])
def test_every_key_of_a_lessons_state_is_one_the_browser_builds_from_the_entry_itself(lesson):
    entries = snapshot.state_entries(cluster_with(lesson.read_text()))
    objects = [(v["kind"], v["namespace"], v["name"]) for k, v in entries.items() if k.startswith("object/")]
    graph = [(k, v["group"], v["data"]["id"]) for k, v in entries.items() if k.startswith("graph/")]
    calls = [["META"]]
    calls += [["subjectKeys", *subject] for subject in objects]
    calls += [["graphNodeKey" if group == "nodes" else "graphEdgeKey", ident] for _, group, ident in graph]
    calls += [["graphIdOf", key] for key, _, _ in graph]
    calls += [["parseRef", snapshot.element_id(*subject)] for subject in objects]
    got = build(calls)
    meta, got = got[0], got[1:]
    subject_keys, got = got[: len(objects)], got[len(objects) :]
    graph_keys, got = got[: len(graph)], got[len(graph) :]
    graph_ids, parsed = got[: len(graph)], got[len(graph) :]

    built = {meta, *graph_keys, *(key for keys in subject_keys for key in keys)}
    assert set(entries) - built == set()
    assert graph_keys == [key for key, _, _ in graph]
    assert graph_ids == [ident for _, _, ident in graph]
    assert [(p["kind"], p["namespace"], p["name"]) for p in parsed] == objects
    assert len(entries) > len(snapshot.state_entries(cluster_with("")))  # the lesson's own objects too
