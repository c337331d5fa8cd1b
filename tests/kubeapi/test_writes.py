"""Write requests: options, namespaces, optimistic concurrency, DeleteOptions, logs."""

import pytest

from simulator.kubeapi import registry, writes
from simulator.kubeapi.status import ApiError

PODS = registry.for_kind("Pod")
LIVE = {
    "metadata": {
        "name": "web",
        "namespace": "default",
        "uid": "u1",
        "resourceVersion": "7",
        "creationTimestamp": "2026-01-01T00:00:00Z",
    }
}


def test_write_options_read_dry_run_manager_validation_and_force():
    options = writes.WriteOptions.from_query(
        {"dryRun": ["All"], "fieldManager": ["kubectl-edit"], "fieldValidation": ["Strict"], "force": ["true"]}
    )
    assert options == writes.WriteOptions(True, "kubectl-edit", "Strict", True)
    with pytest.raises(ApiError):
        writes.WriteOptions.from_query({"dryRun": ["Some"]})


def test_a_body_in_another_namespace_than_the_url_is_refused():
    assert writes.check_namespace(PODS, "team", {"metadata": {"name": "p"}})["metadata"]["namespace"] == "team"
    with pytest.raises(ApiError) as caught:
        writes.check_namespace(PODS, "team", {"metadata": {"name": "p", "namespace": "other"}})
    assert caught.value.code == 400


def test_an_update_from_a_stale_read_conflicts_and_server_fields_are_kept():
    with pytest.raises(ApiError) as caught:
        writes.check_update(PODS, LIVE, {"metadata": {"name": "web", "resourceVersion": "6"}})
    assert caught.value.code == 409 and "the object has been modified" in caught.value.message
    updated = writes.check_update(PODS, LIVE, {"metadata": {"name": "web", "uid": "forged"}, "spec": {}})
    assert updated["metadata"]["uid"] == "u1" and updated["metadata"]["resourceVersion"] == "7"


def test_delete_options_come_from_the_body_kubectl_sends():
    options = writes.DeleteOptions.from_request({}, b'{"propagationPolicy":"Background"}')
    assert (options.propagation, options.dry_run) == ("Background", False)
    assert writes.DeleteOptions.from_request({}, b'{"orphanDependents":true}').propagation == "Orphan"
    with pytest.raises(ApiError):
        writes.DeleteOptions.from_request({}, b'{"propagationPolicy":"Sometimes"}')
    failing = writes.DeleteOptions.from_request({}, b'{"preconditions":{"uid":"other"}}')
    with pytest.raises(ApiError) as caught:
        failing.check(PODS, LIVE)
    assert caught.value.message.endswith("Precondition failed: UID in precondition: other, UID in object meta: u1")


def test_logs_name_the_container_start_or_say_it_is_waiting():
    pod = {
        "metadata": {"name": "web"},
        "spec": {"containers": [{"name": "web", "image": "nginx"}]},
        "status": {"containerStatuses": [{"name": "web", "state": {"running": {"startedAt": "2026-01-01T00:00:00Z"}}}]},
    }
    assert writes.pod_log(pod, None).startswith("2026-01-01T00:00:00Z kubeviz: container web (nginx) started")
    with pytest.raises(ApiError) as caught:
        writes.pod_log(pod, "sidecar")
    assert caught.value.message == "container sidecar is not valid for pod web"
