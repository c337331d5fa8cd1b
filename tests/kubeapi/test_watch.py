"""Watch events, history, selectors and encoding (apiserver watch.go, cacher)."""

import datetime
import json

import pytest

from simulator.kubeapi import watch
from simulator.kubeapi.status import ApiError

NOW = datetime.datetime(2026, 1, 1, 0, 1, 40, tzinfo=datetime.UTC)


def pod(name, rv, labels=None):
    return {
        "metadata": {
            "name": name,
            "namespace": "default",
            "resourceVersion": str(rv),
            "labels": labels or {},
            "creationTimestamp": "2026-01-01T00:00:00Z",
        },
        "spec": {"containers": [{"name": "c"}]},
        "status": {"phase": "Pending"},
    }


def test_a_watch_from_a_resource_version_gets_only_newer_changes():
    history = watch.History(capacity=10)
    for rv in (5, 6, 7):
        history.record(watch.Change(rv, "Pod", None, pod(f"p{rv}", rv)))
    assert [c.resource_version for c in history.since(5)] == [6, 7]
    assert history.current == 7


def test_a_resource_version_older_than_the_history_is_gone():
    history = watch.History(capacity=2)
    for rv in (5, 6, 7, 8):
        history.record(watch.Change(rv, "Pod", None, pod(f"p{rv}", rv)))
    with pytest.raises(ApiError) as caught:
        history.since(5)
    assert (caught.value.code, caught.value.reason, caught.value.message) == (
        410,
        "Expired",
        "too old resource version: 5 (7)",
    )
    assert [c.resource_version for c in history.since(6)] == [7, 8]


@pytest.mark.parametrize(("text", "value"), [(None, None), ("", None), ("0", None), ("42", 42)])
def test_resource_version_zero_or_absent_means_start_from_the_current_state(text, value):
    assert watch.parse_resource_version(text) == value


def test_a_resource_version_that_is_not_a_number_is_a_bad_request():
    with pytest.raises(ApiError) as caught:
        watch.parse_resource_version("abc")
    assert caught.value.code == 400


def has_web(obj):
    return obj["metadata"]["labels"].get("app") == "web"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (None, pod("a", 2, {"app": "web"}), "ADDED"),
        (None, pod("a", 2), None),
        (pod("a", 1, {"app": "web"}), pod("a", 2, {"app": "web"}), "MODIFIED"),
        (pod("a", 1), pod("a", 2, {"app": "web"}), "ADDED"),
        (pod("a", 1, {"app": "web"}), pod("a", 2), "DELETED"),
        (pod("a", 1, {"app": "web"}), None, "DELETED"),
        (pod("a", 1), None, None),
    ],
)
def test_a_selective_watcher_sees_objects_enter_and_leave_its_selection(old, new, expected):
    event = watch.filter_change(watch.Change(2, "Pod", old, new), has_web)
    assert (event.type if event else None) == expected


def test_table_watch_events_carry_one_row_and_headers_only_the_first_time():
    encoder = watch.WatchEncoder("Pod", table_version="v1", clock=lambda: NOW)
    first, second = (
        json.loads(line)
        for line in encoder.encode_all([watch.Event("ADDED", pod("a", 1)), watch.Event("MODIFIED", pod("a", 2))])
    )
    assert first["type"] == "ADDED" and first["object"]["kind"] == "Table"
    assert first["object"]["columnDefinitions"][0]["name"] == "Name"
    assert first["object"]["rows"][0]["cells"][:5] == ["a", "0/1", "Pending", "0", "100s"]
    assert second["object"]["columnDefinitions"] is None
    assert second["object"]["metadata"]["resourceVersion"] == "2"


def test_plain_watch_events_carry_the_object_one_json_line_each():
    encoder = watch.WatchEncoder("Pod")
    line = encoder.encode(watch.Event("DELETED", pod("a", 3)))
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert json.loads(line) == {"type": "DELETED", "object": pod("a", 3)}


def test_bookmarks_carry_only_the_kind_and_resource_version():
    event = watch.bookmark("Pod", "v1", 99)
    assert json.loads(watch.WatchEncoder("Pod", table_version="v1").encode(event)) == {
        "type": "BOOKMARK",
        "object": {"kind": "Pod", "apiVersion": "v1", "metadata": {"resourceVersion": "99"}},
    }


def test_an_expired_watch_ends_with_an_error_event_holding_the_status():
    history = watch.History(capacity=1, oldest=10)
    with pytest.raises(ApiError) as caught:
        history.since(3)
    event = watch.error_event(caught.value)
    assert event.type == "ERROR" and event.object["code"] == 410


def test_a_streaming_list_ends_its_initial_events_with_the_annotated_bookmark():
    events = watch.streaming_list_events("Deployment", "apps/v1", [pod("a", 3)], 7)
    assert [e.type for e in events] == ["ADDED", "BOOKMARK"]
    assert events[-1].object == {
        "kind": "Deployment",
        "apiVersion": "apps/v1",
        "metadata": {"resourceVersion": "7", "annotations": {"k8s.io/initial-events-end": "true"}},
    }
