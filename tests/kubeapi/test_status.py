"""metav1.Status errors in the API server's words (apimachinery/pkg/api/errors)."""

import pytest

from simulator.kubeapi import registry, status
from simulator.kubeapi.status import FieldError

PODS = registry.for_kind("Pod")
DEPLOYMENTS = registry.for_kind("Deployment")
NAMESPACES = registry.for_kind("Namespace")


@pytest.mark.parametrize(
    ("error", "code", "reason", "message"),
    [
        (status.not_found(PODS, "nope"), 404, "NotFound", 'pods "nope" not found'),
        (status.not_found(DEPLOYMENTS, "web"), 404, "NotFound", 'deployments.apps "web" not found'),
        (
            status.already_exists(registry.for_kind("Service"), "web-svc"),
            409,
            "AlreadyExists",
            'services "web-svc" already exists',
        ),
        (
            status.conflict(DEPLOYMENTS, "web"),
            409,
            "Conflict",
            'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; '
            "please apply your changes to the latest version and try again",
        ),
        (status.unknown_path(), 404, "NotFound", "the server could not find the requested resource"),
        (
            status.method_not_supported(NAMESPACES, "deletecollection"),
            405,
            "MethodNotAllowed",
            'deletecollection is not supported on resources of kind "namespaces"',
        ),
        (
            status.forbidden(PODS, "web", status.rbac_denial("alice", "delete", PODS, "default")),
            403,
            "Forbidden",
            'pods "web" is forbidden: User "alice" cannot delete resource "pods" in API group "" in the namespace "default"',
        ),
        (
            status.forbidden(
                registry.for_kind("Node"), None, status.rbac_denial("bob", "list", registry.for_kind("Node"), None)
            ),
            403,
            "Forbidden",
            'nodes is forbidden: User "bob" cannot list resource "nodes" in API group "" at the cluster scope',
        ),
        (
            status.strict_decoding("Deployment", "v1", ["spec.replica"]),
            400,
            "BadRequest",
            'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replica"',
        ),
        (status.gone("too old resource version: 5 (12)"), 410, "Expired", "too old resource version: 5 (12)"),
    ],
)
def test_each_error_has_the_api_servers_code_reason_and_words(error, code, reason, message):
    body = error.status
    assert (error.code, body["code"], body["reason"], body["message"]) == (code, code, reason, message)
    assert (body["kind"], body["apiVersion"], body["status"]) == ("Status", "v1", "Failure")


def test_not_found_details_name_the_resource_not_the_kind():
    assert status.not_found(DEPLOYMENTS, "web").status["details"] == {
        "name": "web",
        "group": "apps",
        "kind": "deployments",
    }


def test_invalid_lists_one_cause_per_field_as_kubectl_renders_them():
    error = status.invalid(
        DEPLOYMENTS,
        "Bad_Name",
        [
            FieldError(
                "metadata.name", "Invalid value", "a lowercase RFC 1123 subdomain must consist of ...", "Bad_Name"
            ),
            FieldError("spec.template.spec.containers", "Required value"),
        ],
    )
    body = error.status
    assert error.code == 422 and body["reason"] == "Invalid"
    assert body["message"] == (
        'Deployment.apps "Bad_Name" is invalid: [metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 '
        "subdomain must consist of ..., spec.template.spec.containers: Required value]"
    )
    assert body["details"]["kind"] == "Deployment"
    assert body["details"]["causes"] == [
        {
            "reason": "FieldValueInvalid",
            "message": 'Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of ...',
            "field": "metadata.name",
        },
        {"reason": "FieldValueRequired", "message": "Required value", "field": "spec.template.spec.containers"},
    ]


def test_one_invalid_field_is_not_bracketed():
    error = status.invalid(
        PODS, "p", [FieldError("spec.replicas", "Invalid value", "must be greater than or equal to 0", -1)]
    )
    assert error.message == 'Pod "p" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0'


def test_a_successful_delete_answers_a_success_status_naming_the_object():
    body = status.success(name="web", group="apps", kind="deployments", uid="u1")
    assert body["status"] == "Success" and body["details"] == {
        "name": "web",
        "group": "apps",
        "kind": "deployments",
        "uid": "u1",
    }


def test_the_engines_validation_errors_become_the_invalid_status_kubectl_renders():
    from simulator.engine import Engine

    result = Engine.new().apply_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: Bad_Name}\nspec:\n  replicas: -1\n"
        "  selector: {matchLabels: {app: x}}\n  template:\n    metadata: {labels: {app: x}}\n"
        "    spec: {containers: [{name: c, image: nginx}]}\n"
    )
    error = status.from_field_messages(DEPLOYMENTS, "Bad_Name", [(d.field, d.message) for d in result.errors])
    assert error.code == 422
    assert error.message.startswith(
        'Deployment.apps "Bad_Name" is invalid: [metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123'
    )
    assert [(c.field, c.reason) for c in error.causes] == [
        ("metadata.name", "FieldValueInvalid"),
        ("spec.replicas", "FieldValueInvalid"),
    ]
    assert error.causes[1].message == "Invalid value: -1: must be greater than or equal to 0"


def test_the_engines_strict_decoding_errors_become_the_strict_bad_request():
    from simulator.engine import Engine

    result = Engine.new().apply_text(
        "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 80}], foo: 1}\n"
    )
    error = status.from_field_messages(registry.for_kind("Service"), "s", [(d.field, d.message) for d in result.errors])
    assert (error.code, error.message) == (
        400,
        'Service in version "v1" cannot be handled as a Service: strict decoding error: unknown field "spec.foo"',
    )
