"""Protobuf request bodies, decoded with the vendored .proto files compiled by grpcio-tools' protoc."""

import base64

import pytest

from simulator.kubeapi import protowire
from simulator.kubeapi.status import ApiError

DEPLOYMENT = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "d2", "creationTimestamp": None, "labels": {"app": "d2"}},
    "spec": {
        "replicas": 0,
        "selector": {"matchLabels": {"app": "d2"}},
        "template": {
            "metadata": {"creationTimestamp": None, "labels": {"app": "d2"}},
            "spec": {
                "containers": [
                    {
                        "name": "nginx",
                        "image": "nginx",
                        "ports": [{"containerPort": 80, "protocol": "TCP"}],
                        "resources": {"limits": {"cpu": "100m", "memory": "64Mi"}},
                        "readinessProbe": {"httpGet": {"path": "/", "port": "http"}, "periodSeconds": 5},
                    }
                ],
                "volumes": [{"name": "v", "emptyDir": {}}],
            },
        },
        "strategy": {},
    },
    "status": {},
}
SERVICE = {
    "apiVersion": "v1",
    "kind": "Service",
    "metadata": {"name": "web", "creationTimestamp": None, "labels": {"app": "web"}},
    "spec": {
        "ports": [{"name": "8080-80", "protocol": "TCP", "port": 8080, "targetPort": 80, "nodePort": 30430}],
        "selector": {"app": "web"},
        "type": "NodePort",
    },
    "status": {"loadBalancer": {}},
}
INGRESS = {
    "apiVersion": "networking.k8s.io/v1",
    "kind": "Ingress",
    "metadata": {"name": "simple", "creationTimestamp": None},
    "spec": {
        "rules": [
            {
                "host": "foo.com",
                "http": {
                    "paths": [
                        {
                            "path": "/bar",
                            "pathType": "Exact",
                            "backend": {"service": {"name": "svc1", "port": {"number": 8080}}},
                        }
                    ]
                },
            }
        ]
    },
    "status": {"loadBalancer": {}},
}
SECRET = {
    "apiVersion": "v1",
    "kind": "Secret",
    "metadata": {"name": "s", "creationTimestamp": None},
    "data": {"password": base64.b64encode(b"hunter2").decode()},
    "type": "Opaque",
}
JOB = {
    "apiVersion": "batch/v1",
    "kind": "Job",
    "metadata": {"name": "oneshot", "creationTimestamp": "2026-01-01T00:00:00Z"},
    "spec": {
        "template": {
            "metadata": {"creationTimestamp": None},
            "spec": {
                "containers": [{"name": "c", "image": "busybox", "command": ["date"], "resources": {}}],
                "restartPolicy": "Never",
            },
        }
    },
    "status": {},
}


@pytest.mark.parametrize("obj", [DEPLOYMENT, SERVICE, INGRESS, SECRET, JOB], ids=lambda o: o["kind"])
def test_a_protobuf_body_decodes_to_the_same_dict_as_its_json(obj):
    body = protowire.encode(obj)
    assert body.startswith(b"k8s\x00")
    assert protowire.decode(body) == obj


def test_inline_structs_in_proto_are_flattened_as_json_has_them():
    decoded = protowire.decode(protowire.encode(INGRESS))
    assert "ingressRuleValue" not in decoded["spec"]["rules"][0]
    assert decoded["spec"]["rules"][0]["http"]["paths"][0]["path"] == "/bar"
    volume = protowire.decode(protowire.encode(DEPLOYMENT))["spec"]["template"]["spec"]["volumes"][0]
    assert volume == {"name": "v", "emptyDir": {}}


def test_zero_values_go_writes_are_dropped_where_json_omits_them_but_pointers_keep_theirs():
    message = protowire.message_class("k8s.io.api.core.v1.ContainerPort")(
        containerPort=80, hostPort=0, protocol="TCP", name=""
    )
    from simulator.kubeapi import gotypes

    assert protowire.to_dict(message, gotypes.struct_type("core/v1", "ContainerPort")) == {
        "containerPort": 80,
        "protocol": "TCP",
    }
    assert protowire.decode(protowire.encode(DEPLOYMENT))["spec"]["replicas"] == 0


def test_a_body_without_the_envelope_is_a_bad_request():
    with pytest.raises(ApiError) as caught:
        protowire.decode(b'{"kind":"Pod"}')
    assert caught.value.code == 400


def test_a_kind_the_api_does_not_serve_is_a_bad_request():
    envelope = protowire.message_class("k8s.io.apimachinery.pkg.runtime.Unknown")()
    envelope.typeMeta.apiVersion = "v1"
    envelope.typeMeta.kind = "Frobnicator"
    with pytest.raises(ApiError) as caught:
        protowire.decode(protowire.MAGIC + envelope.SerializeToString())
    assert caught.value.code == 400


def test_the_descriptor_set_is_rebuilt_when_missing(tmp_path):
    path = protowire.build_descriptor_set(tmp_path / "k.fds")
    assert path.is_file() and path.with_suffix(".sha256").read_text() == protowire._sources_digest()
