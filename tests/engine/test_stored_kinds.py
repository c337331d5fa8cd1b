"""ConfigMaps, Secrets, ServiceAccounts and IngressClasses: decoded, defaulted, validated and
stored as the API server does (pkg/apis/core/validation ValidateConfigMap/ValidateSecret and their
updates, networking ValidateIngressClass), kept across a restore, deleted with their namespace."""

from __future__ import annotations

import base64

import pytest

from simulator.engine import Engine
from simulator.engine.apiserver.decode import base64_error


def apply(engine: Engine, text: str) -> list[str]:
    """The errors of applying `text`, as `field: message` (empty when it was stored)."""
    result = engine.apply_text(text)
    return [f"{e.field}: {e.message}" if e.field else e.message for e in result.errors]


def cm(data: str, extra: str = "") -> str:
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c}}\ndata: {data}\n{extra}"


def secret(body: str) -> str:
    return f"apiVersion: v1\nkind: Secret\nmetadata: {{name: s}}\n{body}"


@pytest.mark.parametrize(
    "text,expected",
    [
        ("", None),
        ("aGk=", None),
        ("aGVsbG8=\n", None),
        ("abc", "illegal base64 data at input byte 0"),
        ("aGVsbG8", "illegal base64 data at input byte 4"),
        ("aGk*", "illegal base64 data at input byte 3"),
        ("a===", "illegal base64 data at input byte 1"),
    ],
)
def test_base64_errors_name_the_byte_as_encoding_json_does(text, expected):
    assert base64_error(text) == expected


def test_configmap_keys_and_size_are_checked():
    engine = Engine.new()
    assert apply(engine, cm("{ok.key_1-x: v}")) == []
    errors = apply(engine, cm("{'a b': v, '..x': v}").replace("name: c", "name: d"))
    assert any(e.startswith('data[a b]: Invalid value: "a b": a valid config key must consist') for e in errors)
    assert "data[..x]: Invalid value: \"..x\": must not start with '..'" in errors
    big = "x" * (600 * 1024)
    huge = f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: big}}\ndata: {{a: {big}, b: {big}}}\n"
    assert Engine.new().apply_text(huge).ok is False  # over the object limit or the 1 MiB data limit
    assert engine.get("ConfigMap", "default", "d") is None


def test_binary_data_may_not_repeat_a_data_key():
    errors = apply(Engine.new(), cm("{a: x}", "binaryData: {a: eA==}\n"))
    assert errors == ['binaryData[a]: Invalid value: "a": duplicate of key present in data']


def test_an_immutable_configmap_keeps_its_data_and_its_immutability():
    engine = Engine.new()
    assert apply(engine, cm("{a: x}", "immutable: true\n")) == []
    assert apply(engine, cm("{a: y}", "immutable: true\n")) == [
        "data: Forbidden: field is immutable when `immutable` is set"
    ]
    assert apply(engine, cm("{a: x}", "immutable: false\n")) == [
        "immutable: Forbidden: field is immutable when `immutable` is set"
    ]
    assert engine.get("ConfigMap", "default", "c").manifest["data"] == {"a": "x"}


def test_a_secrets_string_data_is_merged_into_data_and_its_type_defaults_to_opaque():
    engine = Engine.new()
    assert apply(engine, secret("data: {a: eA==, b: eA==}\nstringData: {b: two}\n")) == []
    stored = engine.get("Secret", "default", "s").manifest
    assert stored["type"] == "Opaque" and "stringData" not in stored
    assert stored["data"] == {"a": "eA==", "b": base64.b64encode(b"two").decode()}
    # Applying the same text again changes nothing (the merge happens on every write).
    assert engine.apply_text(secret("data: {a: eA==, b: eA==}\nstringData: {b: two}\n")).lines() == [
        "secret/s unchanged"
    ]


def test_a_secrets_type_is_immutable_and_its_required_keys_are_checked():
    engine = Engine.new()
    assert apply(engine, secret("stringData: {a: x}\n")) == []
    assert apply(engine, secret("type: kubernetes.io/basic-auth\nstringData: {username: u}\n")) == [
        'type: Invalid value: "kubernetes.io/basic-auth": field is immutable'
    ]
    tls = "apiVersion: v1\nkind: Secret\nmetadata: {name: t}\ntype: kubernetes.io/tls\nstringData: {tls.crt: c}\n"
    assert apply(engine, tls) == ["data[tls.key]: Required value"]
    basic = "apiVersion: v1\nkind: Secret\nmetadata: {name: b}\ntype: kubernetes.io/basic-auth\n"
    assert apply(engine, basic) == ["data[username]: Required value", "data[password]: Required value"]
    docker = (
        "apiVersion: v1\nkind: Secret\nmetadata: {name: d}\ntype: kubernetes.io/dockerconfigjson\n"
        "stringData: {.dockerconfigjson: '{\"auths\": {}}'}\n"
    )
    assert apply(engine, docker) == []


def test_an_ingress_class_needs_a_domain_prefixed_controller_that_never_changes():
    engine = Engine.new()
    head = "apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: nginx}\n"
    assert apply(engine, head) == ["spec.controller: Required value"]
    assert apply(engine, head + "spec: {controller: nginx}\n") == [
        'spec.controller: Invalid value: "nginx": must be a domain-prefixed path (such as "acme.io/foo")'
    ]
    assert apply(engine, head + "spec: {controller: k8s.io/ingress-nginx}\n") == []
    stored = engine.get("IngressClass", "", "nginx").manifest
    assert stored["metadata"]["generation"] == 1 and "namespace" not in stored["metadata"]
    assert apply(engine, head + "spec: {controller: example.com/other}\n") == [
        'spec.controller: Invalid value: "example.com/other": field is immutable'
    ]


def test_ingress_class_parameters_default_to_cluster_scope_and_check_their_namespace():
    engine = Engine.new()
    head = "apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: x}\n"
    params = "spec: {controller: a.io/b, parameters: {kind: Conf, name: c}}\n"
    assert apply(engine, head + params) == []
    assert engine.get("IngressClass", "", "x").manifest["spec"]["parameters"]["scope"] == "Cluster"
    namespaced = "spec: {controller: a.io/b, parameters: {kind: Conf, name: c, scope: Namespace}}\n"
    assert apply(engine, head.replace("name: x", "name: y") + namespaced) == [
        "spec.parameters.namespace: Required value: `parameters.scope` is set to 'Namespace'"
    ]


def test_stored_kinds_survive_a_restore_and_go_with_their_namespace():
    engine = Engine.new()
    text = (
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: team}\n---\n"
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: team}\ndata: {a: b}\n---\n"
        "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: robot, namespace: team}\n"
    )
    assert engine.apply_text(text).ok
    restored = Engine.restore(engine.settings, engine.state, engine.store.manifests())
    assert restored.get("ConfigMap", "team", "c").manifest["data"] == {"a": "b"}
    assert restored.get("ServiceAccount", "team", "robot") is not None
    assert restored.delete("Namespace", "", "team").ok
    assert restored.get("ConfigMap", "team", "c") is None and restored.get("ServiceAccount", "team", "robot") is None
