"""Controller and kubelet Events in their words, as Event objects describe can read and print."""

import datetime

from simulator.kubeapi import events, objects, printers, selection

NOW = datetime.datetime(2026, 1, 1, 0, 1, 0, tzinfo=datetime.UTC)
DEPLOYMENT = {
    "kind": "Deployment",
    "apiVersion": "apps/v1",
    "metadata": {"name": "web", "namespace": "default", "uid": "d1"},
}


def test_the_words_are_the_controllers():
    assert (
        events.scaled_replica_set("web-5b44f7dcc6", 0, 2).message == "Scaled up replica set web-5b44f7dcc6 from 0 to 2"
    )
    assert (
        events.scaled_replica_set("web-5b44f7dcc6", 3, 1).message
        == "Scaled down replica set web-5b44f7dcc6 from 3 to 1"
    )
    assert events.scheduled("default", "busybox", "worker-1") == (
        "Normal",
        "Scheduled",
        "Successfully assigned default/busybox to worker-1",
        "default-scheduler",
    )
    assert [e.reason for e in events.container_started("web", "nginx")] == ["Pulled", "Created", "Started"]
    assert events.created_pod("web-1", "replicaset-controller").message == "Created pod: web-1"


def test_event_objects_are_found_by_describes_field_selector_and_printed():
    made = objects.events_for(DEPLOYMENT, [events.scaled_replica_set("web-5b44f7dcc6", 0, 2)], "2026-01-01T00:00:50Z")
    query = selection.ListQuery(
        namespace="default",
        field_selector="involvedObject.name=web,involvedObject.namespace=default,involvedObject.kind=Deployment,involvedObject.uid=d1",
    )
    (event,) = selection.select("Event", made, query)
    assert printers.event_cells(event, NOW)[:7] == [
        "10s",
        "Normal",
        "ScalingReplicaSet",
        "deployment/web",
        "",
        "deployment-controller",
        "Scaled up replica set web-5b44f7dcc6 from 0 to 2",
    ]
    assert event["count"] == 1 and event["source"] == {"component": "deployment-controller"}


def test_each_event_has_its_own_stable_name():
    entries = events.container_started("web", "nginx")
    first = objects.events_for(DEPLOYMENT, entries, "2026-01-01T00:00:00Z")
    again = objects.events_for(DEPLOYMENT, entries, "2026-01-01T00:00:00Z")
    names = [e["metadata"]["name"] for e in first]
    assert len(set(names)) == 3 and names == [e["metadata"]["name"] for e in again]
    assert all(name.startswith("web.") for name in names)
