"""fieldValidation: unknown fields found through the Go types, in the API server's words."""

import pytest

from simulator.kubeapi import strict
from simulator.kubeapi.status import ApiError

POD = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "p", "labels": {"a": "b"}, "annotations": {"x": "y"}},
    "spec": {
        "containers": [
            {
                "name": "c",
                "image": "nginx",
                "imagePullPolcy": "Always",
                "resources": {"limits": {"cpu": "1"}},
                "livenessProbe": {"httpGet": {"path": "/", "port": 80}, "periodSeconds": 3},
            }
        ],
        "volumes": [{"name": "v", "configMap": {"name": "cm"}, "secrt": {}}],
        "nodeSelector": {"ssd": "true"},
    },
    "status": {},
}


def test_typos_are_found_with_their_paths_in_document_order():
    assert strict.unknown_fields("Pod", POD) == ["spec.containers[0].imagePullPolcy", "spec.volumes[0].secrt"]


@pytest.mark.parametrize(
    ("kind", "obj", "unknown"),
    [
        ("Deployment", {"spec": {"replica": 3}}, ["spec.replica"]),
        ("Deployment", {"spec": {"template": {"metadata": {"labels": {}}, "spec": {"containers": []}}}}, []),
        (
            "Service",
            {"spec": {"ports": [{"port": 80, "targetPort": "http", "nodeport": 30000}]}},
            ["spec.ports[0].nodeport"],
        ),
        (
            "Ingress",
            {"spec": {"rules": [{"host": "a", "http": {"paths": [{"path": "/", "backend": {"serviceName": "x"}}]}}]}},
            ["spec.rules[0].http.paths[0].backend.serviceName"],
        ),
        ("Job", {"spec": {"completions": 1, "template": {"spec": {"restartPolicy": "Never"}}}}, []),
        ("ConfigMap", {"data": {"a": "b"}, "datas": {}}, ["datas"]),
    ],
)
def test_each_kind_knows_its_own_fields(kind, obj, unknown):
    assert strict.unknown_fields(kind, obj) == unknown


def test_strict_validation_is_a_bad_request_naming_every_unknown_field():
    with pytest.raises(ApiError) as caught:
        strict.check("Pod", "v1", POD, "Strict")
    assert caught.value.code == 400
    assert caught.value.message == (
        'Pod in version "v1" cannot be handled as a Pod: strict decoding error: '
        'unknown field "spec.containers[0].imagePullPolcy", unknown field "spec.volumes[0].secrt"'
    )


def test_warn_returns_the_warnings_and_ignore_says_nothing():
    assert strict.check("Pod", "v1", POD, "Warn") == [
        'unknown field "spec.containers[0].imagePullPolcy"',
        'unknown field "spec.volumes[0].secrt"',
    ]
    assert strict.check("Pod", "v1", POD, "Ignore") == []


def test_an_unknown_validation_mode_is_a_bad_request():
    with pytest.raises(ApiError):
        strict.check("Pod", "v1", POD, "Loose")
