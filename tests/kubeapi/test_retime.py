"""Timestamps moved between the engine's clock and the wall clock, field by field from the Go types."""

from simulator.kubeapi import retime


def test_every_time_field_of_a_pod_moves_and_nothing_else_does():
    pod = {
        "metadata": {
            "name": "p",
            "creationTimestamp": "2026-01-01T00:00:00Z",
            "labels": {"at": "2026-01-01T00:00:00Z"},
        },
        "spec": {"containers": [{"name": "c", "image": "busybox"}]},
        "status": {
            "startTime": "2026-01-01T00:00:05Z",
            "conditions": [
                {"type": "Ready", "status": "True", "lastTransitionTime": "2026-01-01T00:00:05Z", "lastProbeTime": None}
            ],
            "containerStatuses": [{"name": "c", "state": {"running": {"startedAt": "2026-01-01T00:00:05Z"}}}],
        },
    }
    moved = retime.shift("Pod", pod, 3600)
    assert moved["metadata"]["creationTimestamp"] == "2026-01-01T01:00:00Z"
    assert moved["metadata"]["labels"] == {"at": "2026-01-01T00:00:00Z"}
    assert moved["status"]["startTime"] == "2026-01-01T01:00:05Z"
    assert moved["status"]["conditions"][0]["lastTransitionTime"] == "2026-01-01T01:00:05Z"
    assert moved["status"]["conditions"][0]["lastProbeTime"] is None
    assert moved["status"]["containerStatuses"][0]["state"]["running"]["startedAt"] == "2026-01-01T01:00:05Z"
    assert pod["metadata"]["creationTimestamp"] == "2026-01-01T00:00:00Z"


def test_events_move_their_times_and_micro_times():
    event = {
        "metadata": {"name": "e"},
        "firstTimestamp": "2026-01-01T00:00:00Z",
        "eventTime": "2026-01-01T00:00:00.500000Z",
    }
    moved = retime.shift("Event", event, -60)
    assert moved["firstTimestamp"] == "2025-12-31T23:59:00Z"
    assert moved["eventTime"] == "2025-12-31T23:59:00.500000Z"


def test_a_zero_shift_returns_the_object_itself_and_unknown_kinds_move_their_metadata():
    obj = {"metadata": {"creationTimestamp": "2026-01-01T00:00:00Z"}, "spec": {"when": "2026-01-01T00:00:00Z"}}
    assert retime.shift("Pod", obj, 0) is obj
    moved = retime.shift("Lease", obj, 1)
    assert moved["metadata"]["creationTimestamp"] == "2026-01-01T00:00:01Z" and moved["spec"] == obj["spec"]
