"""The cluster's objects as the API server stores them, with the indexes every reader needs.

The store plays etcd and the informers' caches at once: objects by kind and key, by uid and by
owner; pods by namespace and by label; Services by namespace; node addresses. It hands out
creation numbers (`seq`, the order objects are listed in) and resourceVersions, and keeps the
simulated clock: all of that is `state`, saved with the cluster.

Objects never change: an update stores a new object in place of the old one (`replace`). Every
object stored or removed is recorded in the change log (`changes`), so that callers re-derive
only what an edit touched, and handed to the store's watchers (`watch`), as an informer hands
events to its handlers: that is how the scheduler, the address allocators, the endpoints
controller and the controller manager keep their own indexes and work queues.
"""

from __future__ import annotations

import copy
import datetime
import functools
import weakref
from collections.abc import Callable, Iterable, Iterator
from operator import attrgetter

from . import kinds
from .memo import Memo
from .model import Base, Node, Pod, Service

Key = tuple[str, str, str]  # (kind, namespace, name); namespace "" for cluster-scoped kinds
Handler = Callable[[Base], None]  # a watcher's bound method

SIM_EPOCH = 1_767_225_600  # 2026-01-01T00:00:00Z: creationTimestamps count from here in simulated seconds


class ChangeLog:
    """Keys of objects created, updated or deleted since the log started.

    `before` keeps, for every changed object key, the object as it was when the log started
    (None when it did not exist then), so a reader can tell created, updated and deleted apart
    and re-derive what the old version produced (a deleted pod's owner, a Service's old ports).
    Besides objects, the endpoints controller records `("Endpoints", namespace, service)` when a
    Service's Endpoints may have changed.
    """

    def __init__(self) -> None:
        self.keys: dict[Key, None] = {}
        self.before: dict[Key, Base | None] = {}

    def add(self, kind: str, namespace: str, name: str) -> None:
        self.keys[(kind, namespace, name)] = None

    def seen(self, obj: Base, existed: bool, key: Key | None = None) -> None:
        """Record `obj`'s key (`key`, when the caller has it already); the first sighting fixes
        what it was before the log started."""
        if key is None:
            key = (obj.kind, obj.namespace, obj.name)
        self.keys[key] = None
        if key not in self.before:
            self.before[key] = obj if existed else None


class Store:
    def __init__(self, state: dict | None = None) -> None:
        self.state: dict = {"serial": 0, "rv": 0, "clock": 0.0, "ipam": {}}
        if state:
            self.state.update(copy.deepcopy(state))
        self.objects: dict[str, dict[tuple[str, str], Base]] = {kind: {} for kind in kinds.CURRENT}
        self.generation = 0  # bumps on every mutation; caches compare it
        self.changes = ChangeLog()
        self.by_uid: dict[str, Key] = {}  # uid -> (kind, namespace, name)
        self._owned: dict[str, dict[Key, None]] = {}  # owner uid -> what it owns
        self._pods_by_ns: dict[str, dict[str, Pod]] = {}
        self._label_index: dict[str, dict[tuple[str, str], set[str]]] = {}  # namespace -> label pair -> pod names
        self._services_by_ns: dict[str, dict[str, Service]] = {}
        self._service_versions: dict[str, int] = {}
        self._services_by_seq = Memo()
        self._node_ips: dict[str, str] = {}
        # (namespace, name) of the pods being deleted gracefully (kubelet/termination); their
        # number is in `state["terminating"]` (absent when none), so that a paused clock's
        # ticker can find, in one query, the clusters whose kubelet still has pods to stop.
        self.terminating: dict[tuple[str, str], None] = {}
        # kind -> (function, weak reference to its watcher): watchers hold the store, and the store
        # must not hold them back, so that an engine is freed by reference counting alone.
        self._on_add: dict[str, list[tuple[Callable, weakref.ref]]] = {kind: [] for kind in kinds.CURRENT}
        self._on_remove: dict[str, list[tuple[Callable, weakref.ref]]] = {kind: [] for kind in kinds.CURRENT}
        self.timestamp: str
        self.clock_mark: str
        self._show_clock()

    def watch(self, kinds_: Iterable[str], added: Handler, removed: Handler) -> None:
        """Call `added(obj)` after an object of one of `kinds_` is stored, `removed(obj)` after
        one is removed (an update is a removal and an addition), in the order watchers came.
        Both are methods of the watcher, which the store holds weakly (its engine holds it)."""
        for kind in kinds_:
            self._on_add[kind].append((added.__func__, weakref.ref(added.__self__)))
            self._on_remove[kind].append((removed.__func__, weakref.ref(removed.__self__)))

    # ------------------------------------------------------------------ counters and the clock
    def next_serial(self) -> int:
        """The next creation number (an object's `seq`, from which its uid is made)."""
        self.state["serial"] += 1
        return self.state["serial"]

    def upcoming_serial(self) -> int:
        """The creation number the next object will get (controllers name pods after it)."""
        return self.state["serial"] + 1

    def next_resource_version(self) -> str:
        self.state["rv"] += 1
        return str(self.state["rv"])

    @property
    def clock(self) -> float:
        """The simulated clock, in seconds since the cluster was made."""
        return float(self.state["clock"])

    def set_clock(self, seconds: float) -> None:
        self.state["clock"] = seconds
        self.generation += 1
        self._show_clock()

    def _show_clock(self) -> None:
        seconds = self.state["clock"]
        self.timestamp = _timestamp(int(seconds))  # the clock as a creationTimestamp
        self.clock_mark = clock_text(seconds)  # the clock as the kubeviz.io annotations write it

    # ------------------------------------------------------------------ reading
    def get(self, kind: str, namespace: str, name: str) -> Base | None:
        return self.objects[kind].get((namespace if kind not in kinds.CLUSTER_SCOPED else "", name))

    def list(self, kind: str) -> list:
        return list(self.objects[kind].values())

    def all_objects(self) -> Iterator[Base]:
        """Every object, kind by kind in listing order (kinds.KIND_ORDER)."""
        for kind in kinds.KIND_ORDER:
            yield from self.objects[kind].values()

    def nodes(self) -> list[Node]:
        return list(self.objects["Node"].values())

    def namespaces(self) -> list[str]:
        return [ns for (_, ns) in self.objects["Namespace"]]

    def pods_in(self, namespace: str) -> dict[str, Pod]:
        return self._pods_by_ns.get(namespace, {})

    def services_in(self, namespace: str) -> dict[str, Service]:
        return self._services_by_ns.get(namespace, {})

    def service_version(self, namespace: str) -> int:
        """Bumps whenever a Service of the namespace is created, changed or deleted."""
        return self._service_versions.get(namespace, 0)

    def services_by_seq(self, namespace: str) -> tuple[list[int], list[Service]]:
        """The namespace's Services in creation order, with their creation numbers (for bisecting)."""
        version = self._service_versions.get(namespace, 0)
        hit = self._services_by_seq.entries.get(namespace)  # asked for every pod: the hit is checked here
        if hit is not None and hit[0] == version:
            return hit[1]
        return self._services_by_seq.get(namespace, version, self._sorted_services, namespace)

    def _sorted_services(self, namespace: str) -> tuple[list[int], list[Service]]:
        services = sorted(self._services_by_ns.get(namespace, {}).values(), key=_BY_SEQ)
        return [s.seq for s in services], services

    def pods_with_labels(self, namespace: str, labels: dict[str, str], *, ordered: bool = True) -> list[Pod]:
        """Pods of `namespace` carrying every label in `labels` (a Service selector), by label index,
        in creation order (in no particular order when not `ordered`)."""
        index = self._label_index.get(namespace)
        pods = self._pods_by_ns.get(namespace)
        if not index or not pods:
            return []
        sets = []
        for pair in labels.items():
            found = index.get(pair)
            if not found:
                return []
            sets.append(found)
        sets.sort(key=len)
        names = set(sets[0]).intersection(*sets[1:]) if len(sets) > 1 else sets[0]
        if not ordered:
            return [pods[n] for n in names]
        return sorted((pods[n] for n in names), key=_BY_SEQ)

    def owned_by(self, uid: str, kind: str | None = None) -> list[Base]:
        """What the object with this uid controls (its ownerReferences' controller), oldest first."""
        out = []
        for k, ns, name in self._owned.get(uid, ()):
            if kind is None or k == kind:
                obj = self.objects[k].get((ns, name))
                if obj is not None:
                    out.append(obj)
        return sorted(out, key=_BY_SEQ)

    def node_ip(self, name: str | None) -> str | None:
        return self._node_ips.get(name) if name else None

    def manifests(self) -> list[dict]:
        """Every stored manifest, in creation order."""
        return [o.manifest for o in sorted(self.all_objects(), key=_BY_SEQ)]

    # ------------------------------------------------------------------ writing
    def add(self, obj: Base) -> None:
        """Store `obj` (new, or in place of one just removed), index it, tell the watchers."""
        kind, namespace, name = obj.kind, obj.namespace, obj.name
        ref = (kind, namespace, name)  # one tuple for the uid map, the change log and the owner's set
        self.objects[kind][(namespace, name)] = obj
        self.by_uid[obj.uid] = ref
        self.generation += 1
        self.changes.seen(obj, existed=False, key=ref)
        owner = obj.owner
        if owner is not None:
            self._owned.setdefault(owner.uid, {})[ref] = None
        if kind == "Pod":
            self._pods_by_ns.setdefault(namespace, {})[name] = obj
            index = self._label_index.setdefault(namespace, {})
            for pair in obj.labels.items():
                index.setdefault(pair, set()).add(name)
            if obj.stops_at is not None:
                self.terminating[(namespace, name)] = None
                self.state["terminating"] = len(self.terminating)
        elif kind == "Service":
            self._service_versions[namespace] = self._service_versions.get(namespace, 0) + 1
            self._services_by_ns.setdefault(namespace, {})[name] = obj
        elif kind == "Node" and obj.ip:
            self._node_ips[name] = obj.ip
        for added, watcher in self._on_add[kind]:
            added(watcher(), obj)

    def remove(self, obj: Base) -> None:
        """Remove `obj` and its index entries, tell the watchers."""
        kind, namespace, name = obj.kind, obj.namespace, obj.name
        self.objects[kind].pop((namespace, name), None)
        self.by_uid.pop(obj.uid, None)
        self.generation += 1
        self.changes.seen(obj, existed=True)
        if obj.owner is not None:
            owned = self._owned.get(obj.owner.uid)
            if owned is not None:
                owned.pop((kind, namespace, name), None)
                if not owned:
                    del self._owned[obj.owner.uid]
        if kind == "Pod":
            self._pods_by_ns.get(namespace, {}).pop(name, None)
            index = self._label_index.get(namespace, {})
            for pair in obj.labels.items():
                names = index.get(pair)
                if names is not None:
                    names.discard(name)
                    if not names:
                        del index[pair]
            if obj.stops_at is not None:
                self.terminating.pop((namespace, name), None)
                if self.terminating:
                    self.state["terminating"] = len(self.terminating)
                else:
                    self.state.pop("terminating", None)
        elif kind == "Service":
            self._service_versions[namespace] = self._service_versions.get(namespace, 0) + 1
            self._services_by_ns.get(namespace, {}).pop(name, None)
        elif kind == "Node":
            self._node_ips.pop(name, None)
        for removed, watcher in self._on_remove[kind]:
            removed(watcher(), obj)

    def replace(self, old: Base, manifest: dict) -> Base:
        """Store the object `manifest` describes in place of `old` (same creation number)."""
        self.remove(old)
        new = kinds.from_manifest(manifest, old.seq)
        self.add(new)
        return new

    def write(self, old: Base, manifest: dict) -> Base:
        """A new version of a stored object, as a controller's update writes it: the next
        resourceVersion, nothing else."""
        manifest["metadata"]["resourceVersion"] = self.next_resource_version()
        return self.replace(old, manifest)

    def pop_change_log(self) -> ChangeLog:
        """The change log since the last pop (keys and the objects as they were before), reset."""
        log = self.changes
        self.changes = ChangeLog()
        return log


@functools.lru_cache(maxsize=64)
def _timestamp(seconds: int) -> str:
    moment = datetime.datetime.fromtimestamp(SIM_EPOCH + seconds, datetime.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def clock_text(seconds: float) -> str:
    """A simulated time as the kubeviz.io annotations write it: `12`, `2.500`."""
    return str(int(seconds)) if float(seconds).is_integer() else f"{seconds:.3f}"


_BY_SEQ = attrgetter("seq")  # creation order, as a C-level sort key
