"""Errors that teach (issue 12): the API server's words, then our hint; on the right line; in line
order."""

from __future__ import annotations

import pytest

from simulator.engine import Engine
from simulator.engine.apiserver.decode import did_you_mean


def errors_of(text: str) -> list[tuple[int, str | None, str, str | None]]:
    result = Engine.new().apply_text(text, atomic=True)
    return [(e.line, e.field, e.message, e.hint) for e in result.errors]


@pytest.mark.parametrize(
    "key, known, hint",
    [
        ("selecter", ["selector", "ports", "type"], 'did you mean "selector"?'),
        (
            "targetport",
            ["port", "targetPort", "nodePort"],
            'did you mean "targetPort"? (field names are case-sensitive)',
        ),
        ("replica", ["replicas", "selector", "template"], 'did you mean "replicas"?'),
        ("colour", ["selector", "ports", "type"], ""),
    ],
)
def test_an_unknown_field_close_to_one_known_field_gets_a_did_you_mean(key, known, hint):
    assert did_you_mean(key, known) == hint


def test_unknown_fields_keep_the_api_servers_words_gain_a_hint_and_come_in_line_order():
    text = (
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selecter:\n    app: web\n"
        "  ports:\n  - port: 80\n    targetport: 8080\n"
    )
    assert errors_of(text) == [
        (6, "spec.selecter", 'strict decoding error: unknown field "spec.selecter"', 'did you mean "selector"?'),
        (
            10,
            "spec.ports[0].targetport",
            'strict decoding error: unknown field "spec.ports[0].targetport"',
            'did you mean "targetPort"? (field names are case-sensitive)',
        ),
    ]


def test_a_tab_in_the_indentation_says_yaml_indents_with_spaces():
    [(line, _field, message, hint)] = errors_of("apiVersion: v1\nkind: Namespace\nmetadata:\n\tname: x\n")
    assert line == 4 and message.startswith("yaml: line 4:")
    assert hint == "line 4 is indented with a tab: YAML indents with spaces only (use two spaces)"


def test_an_invalid_label_value_is_marked_on_its_own_line_and_errors_follow_the_lines():
    text = (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: Bad_Name\n  labels:\n    app: web\n    tier: 'bad value!'\n"
        "spec:\n  containers:\n  - name: c\n    image: nginx\n    ports:\n    - containerPort: 99999\n"
    )
    found = errors_of(text)
    assert [(line, field) for line, field, _m, _h in found] == [
        (4, "metadata.name"),
        (7, "metadata.labels"),
        (13, "spec.containers[0].ports[0].containerPort"),
    ]
    assert found[1][2].startswith('Invalid value: "bad value!": a valid label must be')


def test_a_daemonset_says_why_each_node_without_its_pod_is_left_out_in_the_schedulers_words():
    from .conftest import simulate

    out = simulate(
        "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: agent}\nspec:\n"
        "  selector: {matchLabels: {app: agent}}\n  template:\n    metadata: {labels: {app: agent}}\n"
        "    spec:\n      nodeSelector: {disk: ssd}\n      containers: [{name: a, image: busybox}]\n"
    )
    assert out["daemonsets"]["default/agent"]["ineligible"] == {
        "control-plane": "node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }",
        "worker-1": "node(s) didn't match Pod's node affinity/selector",
        "worker-2": "node(s) didn't match Pod's node affinity/selector",
    }
