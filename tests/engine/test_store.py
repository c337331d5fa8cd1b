"""The store: objects, their indexes, the change log, and the watchers it tells."""

from __future__ import annotations

from simulator.engine.model import Namespace, Pod
from simulator.engine.store import Store


def namespace(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "uid": f"uid-{name}"}}


def pod(name: str, labels: dict) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default", "labels": labels}}


class Recorder:
    def __init__(self, store: Store, kinds):
        self.heard = []
        store.watch(kinds, self.added, self.removed)

    def added(self, obj):
        self.heard.append(("added", obj.kind, obj.name))

    def removed(self, obj):
        self.heard.append(("removed", obj.kind, obj.name))


def test_watchers_hear_every_object_of_their_kinds_stored_and_removed_in_order():
    store = Store()
    pods, everything = Recorder(store, ("Pod",)), Recorder(store, store.objects.keys())
    store.add(Namespace.from_manifest(namespace("default"), 1))
    web = Pod.from_manifest(pod("web", {"app": "web"}), 2)
    store.add(web)
    store.replace(web, pod("web", {"app": "api"}))
    assert pods.heard == [("added", "Pod", "web"), ("removed", "Pod", "web"), ("added", "Pod", "web")]
    assert everything.heard[0] == ("added", "Namespace", "default") and everything.heard[1:] == pods.heard


def test_a_replaced_object_keeps_its_creation_number_and_moves_in_the_label_index():
    store = Store()
    web = Pod.from_manifest(pod("web", {"app": "web"}), 7)
    store.add(web)
    new = store.replace(web, pod("web", {"app": "api"}))
    assert new.seq == 7 and store.get("Pod", "default", "web") is new
    assert store.pods_with_labels("default", {"app": "web"}) == []
    assert store.pods_with_labels("default", {"app": "api"}) == [new]


def test_the_change_log_remembers_each_object_as_it_was_before_the_log_started():
    store = Store()
    web = Pod.from_manifest(pod("web", {"app": "web"}), 1)
    store.add(web)
    store.pop_change_log()
    store.replace(web, pod("web", {"app": "api"}))
    store.replace(store.get("Pod", "default", "web"), pod("web", {"app": "db"}))
    log = store.pop_change_log()
    assert list(log.keys) == [("Pod", "default", "web")] and log.before[("Pod", "default", "web")] is web


def test_counters_and_the_clock_are_the_state_saved_with_the_cluster():
    store = Store({"serial": 41, "rv": 9, "clock": 12.5, "ipam": {}})
    assert (store.next_serial(), store.next_resource_version()) == (42, "10")
    assert (store.timestamp, store.clock_mark) == ("2026-01-01T00:00:12Z", "12.500")
    store.set_clock(20)
    assert store.state["clock"] == 20 and store.clock_mark == "20"
