"""Server-side apply's field management (structured-merge-diff's rules, fieldmanager's words)."""

import pytest

from simulator.kubeapi import managed, registry
from simulator.kubeapi.status import ApiError

DEPLOYMENTS = registry.for_kind("Deployment")
BASE = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web", "labels": {"app": "web"}},
    "spec": {
        "replicas": 2,
        "selector": {"matchLabels": {"app": "web"}},
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {
                "containers": [
                    {"name": "nginx", "image": "nginx:1.25", "ports": [{"containerPort": 80, "protocol": "TCP"}]}
                ]
            },
        },
    },
}


def managers(obj):
    return [(m["manager"], m["operation"]) for m in obj["metadata"]["managedFields"]]


def test_field_sets_key_list_elements_by_their_list_map_keys():
    fields = managed.field_set("Deployment", BASE)
    container = (("f", "spec"), ("f", "template"), ("f", "spec"), ("f", "containers"), ("k", '{"name":"nginx"}'))
    assert container in fields and (*container, ("f", "image")) in fields
    assert (*container, ("f", "ports"), ("k", '{"containerPort":80,"protocol":"TCP"}')) in fields
    encoded = managed.to_fields_v1(fields)
    assert encoded["f:spec"]["f:template"]["f:spec"]["f:containers"]['k:{"name":"nginx"}']["."] == {}
    assert managed.from_fields_v1(encoded) == fields


def test_a_create_makes_its_manager_own_every_field():
    created = managed.record_update("Deployment", None, BASE, "kubectl-create", "apps/v1", "2026-01-01T00:00:00Z")
    assert managers(created) == [("kubectl-create", "Update")]
    assert managed.from_fields_v1(created["metadata"]["managedFields"][0]["fieldsV1"]) == managed.field_set(
        "Deployment", BASE
    )


def test_an_update_takes_the_fields_it_changes_from_the_others():
    created = managed.record_update("Deployment", None, BASE, "kubectl-create", "apps/v1", "t0")
    scaled = {**created, "spec": {**created["spec"], "replicas": 4}}
    after = managed.record_update("Deployment", created, scaled, "kubectl-patch", "apps/v1", "t1")
    owners = {m["manager"]: managed.from_fields_v1(m["fieldsV1"]) for m in after["metadata"]["managedFields"]}
    replicas = (("f", "spec"), ("f", "replicas"))
    assert replicas in owners["kubectl-patch"] and replicas not in owners["kubectl-create"]


def test_applying_a_field_another_manager_set_differently_is_a_conflict_in_the_api_servers_words():
    live = managed.record_update("Deployment", None, BASE, "kubectl-client-side-apply", "apps/v1", "t0")
    applied = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"replicas": 5}}
    with pytest.raises(ApiError) as caught:
        managed.apply("Deployment", DEPLOYMENTS, live, applied, "kubectl", force=False, when="t1")
    body = caught.value.status
    assert (body["code"], body["reason"]) == (409, "Conflict")
    assert (
        body["message"]
        == 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas'
    )
    assert body["details"]["causes"] == [
        {
            "reason": "FieldManagerConflict",
            "message": 'conflict with "kubectl-client-side-apply" using apps/v1',
            "field": ".spec.replicas",
        }
    ]


def test_several_conflicts_are_listed_by_manager():
    live = managed.record_update("Deployment", None, BASE, "kubectl-create", "apps/v1", "t0")
    applied = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {"replicas": 5, "template": {"spec": {"containers": [{"name": "nginx", "image": "nginx:1.26"}]}}},
    }
    with pytest.raises(ApiError) as caught:
        managed.apply("Deployment", DEPLOYMENTS, live, applied, "kubectl", force=False, when="t1")
    assert caught.value.message == (
        'Apply failed with 2 conflicts: conflicts with "kubectl-create" using apps/v1:\n'
        "- .spec.replicas\n"
        '- .spec.template.spec.containers[name="nginx"].image'
    )


def test_applying_the_same_value_shares_the_field_and_force_takes_it_over():
    live = managed.record_update("Deployment", None, BASE, "kubectl-create", "apps/v1", "t0")
    same = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"replicas": 2}}
    shared = managed.apply("Deployment", DEPLOYMENTS, live, same, "kubectl", force=False, when="t1")
    assert managers(shared) == [("kubectl-create", "Update"), ("kubectl", "Apply")]
    forced = managed.apply(
        "Deployment", DEPLOYMENTS, live, {**same, "spec": {"replicas": 6}}, "kubectl", force=True, when="t1"
    )
    owners = {m["manager"]: managed.from_fields_v1(m["fieldsV1"]) for m in forced["metadata"]["managedFields"]}
    assert forced["spec"]["replicas"] == 6 and (("f", "spec"), ("f", "replicas")) not in owners["kubectl-create"]


def test_a_field_the_manager_stops_applying_is_removed_unless_someone_else_owns_it():
    first = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "labels": {"tier": "front", "app": "web"}},
    }
    live = managed.apply("Deployment", DEPLOYMENTS, None, first, "kubectl", force=False, when="t0")
    second = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "labels": {"app": "web"}}}
    after = managed.apply("Deployment", DEPLOYMENTS, live, second, "kubectl", force=False, when="t1")
    assert after["metadata"]["labels"] == {"app": "web"}


def test_applying_to_nothing_creates_with_the_managers_fields():
    created = managed.apply("Deployment", DEPLOYMENTS, None, BASE, "kubectl", force=False, when="t0")
    assert managers(created) == [("kubectl", "Apply")] and created["spec"] == BASE["spec"]
