"""Decoding errors, word for word as the API server's strict JSON decoding prints them.

Sources: Go encoding/json decode.go (UnmarshalTypeError, addErrorContext, saveError keeps the
first error), sigs.k8s.io/json strict mode, apimachinery runtime/serializer/json (type error
wins over strict errors), intstr.IntOrString.UnmarshalJSON, resource.ParseQuantity.
"""

import copy

import pytest

from simulator.engine.apiserver.decode import decoding_message, is_decode_error
from simulator.engine.kinds import check_types, decode

SERVICE = {
    "apiVersion": "v1",
    "kind": "Service",
    "metadata": {"name": "web", "labels": {"app": "web"}},
    "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8080}]},
}
DEPLOYMENT = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web"},
    "spec": {
        "replicas": 2,
        "selector": {"matchLabels": {"app": "web"}},
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "web", "image": "nginx:1.25", "ports": [{"containerPort": 80}]}]},
        },
    },
}


def with_change(obj, path, value):
    out = copy.deepcopy(obj)
    node = out
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return out


def rendered(errors):
    return [(e.field, e.message()) for e in errors]


@pytest.mark.parametrize(
    "kind, obj",
    [
        ("Service", SERVICE),
        ("Deployment", DEPLOYMENT),
        ("Namespace", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}),
        (
            "Ingress",
            {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "Ingress",
                "metadata": {"name": "i"},
                "spec": {
                    "rules": [
                        {
                            "host": "a.example.com",
                            "http": {
                                "paths": [
                                    {
                                        "path": "/",
                                        "pathType": "Prefix",
                                        "backend": {"service": {"name": "web", "port": {"number": 80}}},
                                    }
                                ]
                            },
                        }
                    ]
                },
            },
        ),
    ],
)
def test_a_well_formed_document_decodes_without_errors(kind, obj):
    assert check_types(kind, obj) == []


@pytest.mark.parametrize(
    "kind, obj, field, message",
    [
        # decode.go literalStore: a JSON string into an int32 field
        (
            "Service",
            with_change(SERVICE, ["spec", "ports", 0, "port"], "80"),
            "spec.ports[0].port",
            "json: cannot unmarshal string into Go struct field ServicePort.spec.ports.port of type int32",
        ),
        # decode.go literalStore: ParseInt fails, the number's text is part of the message
        (
            "Service",
            with_change(SERVICE, ["spec", "ports", 0, "port"], 80.5),
            "spec.ports[0].port",
            "json: cannot unmarshal number 80.5 into Go struct field ServicePort.spec.ports.port of type int32",
        ),
        # an int32 overflow is reported the same way
        (
            "Service",
            with_change(SERVICE, ["spec", "ports", 0, "port"], 4294967296),
            "spec.ports[0].port",
            "json: cannot unmarshal number 4294967296 into Go struct field ServicePort.spec.ports.port of type int32",
        ),
        # `ssd: true` unquoted is a bool in a map[string]string: the map field is named, not the key
        (
            "Deployment",
            with_change(DEPLOYMENT, ["spec", "template", "spec", "nodeSelector"], {"ssd": True}),
            "spec.template.spec.nodeSelector[ssd]",
            "json: cannot unmarshal bool into Go struct field PodSpec.spec.template.spec.nodeSelector of type string",
        ),
        # intstr.IntOrString.UnmarshalJSON sends a non-string into an int32
        (
            "Service",
            with_change(SERVICE, ["spec", "ports", 0, "targetPort"], True),
            "spec.ports[0].targetPort",
            "json: cannot unmarshal bool into Go struct field ServicePort.spec.ports.targetPort of type int32",
        ),
        # a number where a string goes: just "number"
        (
            "Service",
            with_change(SERVICE, ["metadata", "name"], 42),
            "metadata.name",
            "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.name of type string",
        ),
        # an object where a list goes names the slice type
        (
            "Deployment",
            with_change(DEPLOYMENT, ["spec", "template", "spec", "containers"], {"name": "web"}),
            "spec.template.spec.containers",
            "json: cannot unmarshal object into Go struct field PodSpec.spec.template.spec.containers of type []v1.Container",
        ),
        # a string where a struct goes (a pointer field reports the struct type)
        (
            "Deployment",
            with_change(DEPLOYMENT, ["spec", "selector"], "app=web"),
            "spec.selector",
            "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.selector of type v1.LabelSelector",
        ),
        # a string into a bool
        (
            "Deployment",
            with_change(DEPLOYMENT, ["spec", "template", "spec", "hostNetwork"], "yes"),
            "spec.template.spec.hostNetwork",
            "json: cannot unmarshal string into Go struct field PodSpec.spec.template.spec.hostNetwork of type bool",
        ),
        # resource.ParseQuantity's own error, unwrapped
        (
            "Deployment",
            with_change(
                DEPLOYMENT, ["spec", "template", "spec", "containers", 0, "resources"], {"limits": {"memory": "1Gb"}}
            ),
            "spec.template.spec.containers[0].resources.limits[memory]",
            "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
        ),
        (
            "Deployment",
            with_change(
                DEPLOYMENT, ["spec", "template", "spec", "containers", 0, "resources"], {"requests": {"cpu": "1kk"}}
            ),
            "spec.template.spec.containers[0].resources.requests[cpu]",
            "unable to parse quantity's suffix",
        ),
    ],
)
def test_a_value_of_the_wrong_type_is_reported_as_encoding_json_does(kind, obj, field, message):
    errors = check_types(kind, obj)
    assert rendered(errors) == [(field, message)]
    assert all(is_decode_error(e) for e in errors)


@pytest.mark.parametrize(
    "kind, obj, expected",
    [
        # sigs.k8s.io/json strict mode: the misspelt field, with its full path
        (
            "Service",
            with_change(SERVICE, ["spec", "selecter"], {"app": "web"}),
            [("spec.selecter", 'strict decoding error: unknown field "spec.selecter"')],
        ),
        # list indices are part of strict paths; every unknown field is reported, in sorted-key order
        (
            "Deployment",
            with_change(
                with_change(DEPLOYMENT, ["spec", "template", "spec", "containers", 0, "imagePullPolicyy"], "Always"),
                ["spec", "template", "containers"],
                [],
            ),
            [
                ("spec.template.containers", 'strict decoding error: unknown field "spec.template.containers"'),
                (
                    "spec.template.spec.containers[0].imagePullPolicyy",
                    'strict decoding error: unknown field "spec.template.spec.containers[0].imagePullPolicyy"',
                ),
            ],
        ),
        # field names are case-sensitive
        (
            "Service",
            with_change(SERVICE, ["spec", "ports", 0, "Port"], 81),
            [("spec.ports[0].Port", 'strict decoding error: unknown field "spec.ports[0].Port"')],
        ),
    ],
)
def test_an_unknown_field_is_reported_as_strict_decoding_does(kind, obj, expected):
    assert rendered(check_types(kind, obj)) == expected


def test_a_type_error_hides_the_unknown_fields_and_only_the_first_is_kept():
    # serializer/json.go unmarshal: the type error is returned before strict errors are looked at;
    # decode.go saveError keeps the first error; keys are walked sorted, as kubectl's JSON has them.
    obj = with_change(SERVICE, ["spec", "selecter"], {})
    obj["spec"]["ports"] = [{"port": "eighty", "nodePort": "x"}]
    obj["metadata"]["name"] = 7
    assert rendered(check_types("Service", obj)) == [
        ("metadata.name", "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.name of type string")
    ]


def test_an_integral_float_decodes_as_an_integer_without_touching_the_input():
    # json.Marshal writes 80.0 as 80, which an int32 accepts
    obj = with_change(SERVICE, ["spec", "ports", 0, "port"], 80.0)
    decoded, errors = decode("Service", obj)
    assert errors == []
    assert decoded["spec"]["ports"][0]["port"] == 80 and isinstance(decoded["spec"]["ports"][0]["port"], int)
    assert obj["spec"]["ports"][0]["port"] == 80.0
    assert decoded["metadata"] is obj["metadata"]


def test_the_whole_decoding_message_joins_strict_errors_like_the_api_server():
    obj = with_change(with_change(SERVICE, ["spec", "selecter"], {}), ["spec", "typ"], "NodePort")
    assert decoding_message("Service", check_types("Service", obj)) == (
        'Service in version "v1" cannot be handled as a Service: strict decoding error: '
        'unknown field "spec.selecter", unknown field "spec.typ"'
    )


def test_null_is_accepted_anywhere_as_go_does():
    obj = with_change(SERVICE, ["spec", "ports", 0, "port"], None)
    obj["metadata"]["labels"] = None
    assert check_types("Service", obj) == []
