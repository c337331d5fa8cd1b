"""Rows <-> engine (cosmicpython's repository): a cluster's engine rebuilt from its rows, the
changed rows written back from the engine's change log, and this worker's warm engines.

The database is the source of truth: a cluster's objects (stored manifests, in creation order)
and its engine state (`Cluster.state`) rebuild the engine exactly, on any worker. Every write
bumps `Cluster.version` in the transaction that writes the rows, so a version names one state.

Warm engines, per worker process: a restored engine and its live entries, keyed by
(cluster id, incarnation), used only at the exact version they were stored for. A hit skips
rebuilding the engine from the database. A write *takes* its warm engine out (so a failed or
rolled-back write cannot leave a half-applied engine behind) and puts the new one back from
`transaction.on_commit`. The cache is sized by memory (KUBEVIZ_ENGINE_CACHE_MB), not by a
count: a class of 300 small sandboxes and one 10,000-pod cluster weigh very differently.
"""

from __future__ import annotations

import gc
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings as django_settings

from .engine import ChangeLog, ClusterSettings, Engine
from .live.entries import meta_entry, state_entries
from .models import KIND_MODELS, Cluster

READ_ATTEMPTS = 20
# A warm engine's weight, estimated from its number of live entries: the engine, the entries and
# the serialised snapshot together measured 1.6-2.5 KB per entry (a lesson of 76 entries, a
# 1,000-pod cluster of 8,213) with the snapshot text ~0.7 KB more; 3 KB each, rounded up.
WARM_BYTES_PER_ENTRY = 3 * 1024
FREEZE_BYTES = 32 * 1024 * 1024  # new warm engines weighing this much are frozen out of the GC's walks


class ReadConflict(RuntimeError):
    """Writes kept committing while the rows were being read (see `read_engine`)."""


# ---------------------------------------------------------------------- rows -> engine
def engine_settings(cluster: Cluster) -> ClusterSettings:
    data = dict(cluster.settings or {})
    kwargs: dict[str, Any] = {}
    for key in ("domain", "service_cidr", "pod_cidr", "workers", "load_balancer_pool", "seed"):
        if key in data:
            kwargs[key] = data[key]
    if "node_port_range" in data:
        kwargs["node_port_range"] = tuple(data["node_port_range"])
    kwargs.update(engine_limits())
    return ClusterSettings(**kwargs)


def engine_limits() -> dict[str, int]:
    """The engine's bounds on one input and one cluster, from the settings (README "Limits")."""
    return {
        "max_bytes": django_settings.KUBEVIZ_MAX_INPUT_BYTES,
        "max_documents": django_settings.KUBEVIZ_MAX_DOCUMENTS,
        "max_object_bytes": django_settings.KUBEVIZ_MAX_OBJECT_BYTES,
        "max_replicas": django_settings.KUBEVIZ_MAX_REPLICAS,
        "max_pods": django_settings.KUBEVIZ_MAX_PODS,
        "max_objects": django_settings.KUBEVIZ_MAX_OBJECTS,
        "max_errors": django_settings.KUBEVIZ_MAX_ERRORS,
    }


def new_engine(cluster: Cluster) -> Engine:
    """A fresh engine with the cluster's settings (default namespaces, nodes, DNS)."""
    return Engine.new(engine_settings(cluster))


def stored_manifests(cluster: Cluster) -> list[dict]:
    manifests: list[tuple[int, dict]] = []
    for model in KIND_MODELS.values():
        manifests.extend(model.objects.filter(cluster=cluster).values_list("seq", "manifest"))
    manifests.sort(key=lambda pair: pair[0])
    return [m for _seq, m in manifests]


def restore_engine(cluster: Cluster) -> Engine:
    """The engine rebuilt from the rows as this transaction sees them: call it under the
    cluster's row lock (services do), or use `read_engine`."""
    return Engine.restore(engine_settings(cluster), cluster.state or {}, stored_manifests(cluster))


def read_engine(cluster: Cluster | int) -> tuple[Cluster, Engine]:
    """The cluster's row and its engine at the row's version, for a read-only question (never
    mutate it): this worker's warm one, or rebuilt from the rows (not kept: a question is
    cheaper than the entries a warm engine needs).

    Read without a lock: the row, then the objects, then the version again. Every write bumps
    the version in the transaction that writes the rows, so an unchanged version means no write
    committed in between. A read that a write overtook reads again; one overtaken READ_ATTEMPTS
    times in a row gives up."""
    pk = cluster.pk if isinstance(cluster, Cluster) else cluster
    for _attempt in range(READ_ATTEMPTS):
        row = Cluster.objects.get(pk=pk)
        warm = peek_warm(row)
        if warm is not None:  # another reader or this worker's writer got there first
            return row, warm.engine
        manifests = stored_manifests(row)
        if Cluster.objects.filter(pk=pk, version=row.version).exists():
            return row, Engine.restore(engine_settings(row), row.state or {}, manifests)
    raise ReadConflict(f"cluster {pk} changed during each of {READ_ATTEMPTS} reads; try again")


# ---------------------------------------------------------------------- engine -> rows
_ROW_FIELDS = ["uid", "resource_version", "labels", "manifest", "seq", "owner_uid", "owner_kind", "owner_name"]


def _row_fields(obj) -> dict:
    owner = obj.owner
    return {
        "uid": obj.uid,
        "resource_version": obj.resource_version,
        "labels": dict(obj.labels),
        "manifest": obj.manifest,
        "seq": obj.seq,
        "owner_uid": owner.uid if owner else "",
        "owner_kind": owner.kind if owner else "",
        "owner_name": owner.name if owner else "",
    }


def write_changed_rows(cluster: Cluster, engine: Engine, log: ChangeLog) -> None:
    """Write only what changed: bulk create, bulk update, delete, per kind."""
    plan: dict[str, dict[str, list]] = {}
    for key in log.keys:
        kind, namespace, name = key
        if kind not in KIND_MODELS:
            continue
        now = engine.get(kind, namespace, name)
        existed = log.before.get(key) is not None
        bucket = plan.setdefault(kind, {"create": [], "update": [], "delete": []})
        if now is None:
            if existed:
                bucket["delete"].append((namespace, name))
        elif existed:
            bucket["update"].append(now)
        else:
            bucket["create"].append(now)
    for kind, bucket in plan.items():
        model = KIND_MODELS[kind]
        by_ns: dict[str, list[str]] = {}
        for namespace, name in bucket["delete"]:
            by_ns.setdefault(namespace, []).append(name)
        for namespace, names in by_ns.items():
            model.objects.filter(cluster=cluster, namespace=namespace, name__in=names).delete()
        if 0 < len(bucket["update"]) <= 8:  # a plain UPDATE each beats bulk_update's SELECT and CASE
            for obj in bucket["update"]:
                model.objects.filter(cluster=cluster, namespace=obj.namespace, name=obj.name).update(**_row_fields(obj))
        elif bucket["update"]:
            wanted: dict[str, dict[str, Any]] = {}
            for obj in bucket["update"]:
                wanted.setdefault(obj.namespace, {})[obj.name] = obj
            rows = []
            for namespace, objs in wanted.items():
                for row in model.objects.filter(cluster=cluster, namespace=namespace, name__in=list(objs)):
                    for attr, value in _row_fields(objs[row.name]).items():
                        setattr(row, attr, value)
                    rows.append(row)
            model.objects.bulk_update(rows, _ROW_FIELDS, batch_size=500)
        if bucket["create"]:
            model.objects.bulk_create(
                [
                    model(cluster=cluster, namespace=o.namespace, name=o.name, **_row_fields(o))
                    for o in bucket["create"]
                ],
                batch_size=500,
            )


def delete_all_rows(cluster: Cluster) -> None:
    """Every object row of the cluster (a reset writes them all anew)."""
    for model in KIND_MODELS.values():
        model.objects.filter(cluster=cluster).delete()


def write_all_rows(cluster: Cluster, engine: Engine) -> None:
    """Every object of a new cluster's engine, as rows."""
    for kind, model in KIND_MODELS.items():
        model.objects.bulk_create(
            [model(cluster=cluster, namespace=o.namespace, name=o.name, **_row_fields(o)) for o in engine.list(kind)],
            batch_size=500,
        )


# ---------------------------------------------------------------------- warm engines
@dataclass
class Warm:
    version: int
    engine: Engine
    entries: dict  # the live entries at `version`, `meta` included
    snapshot_text: dict = field(default_factory=dict)  # the snapshot's serialised parts, keyed by version
    counted: bool = False  # its weight went into the next freeze's tally (put back after a write: not again)

    @property
    def weight(self) -> int:
        """Estimated bytes this warm engine holds (WARM_BYTES_PER_ENTRY)."""
        return max(1, len(self.entries)) * WARM_BYTES_PER_ENTRY


_lock = threading.Lock()
_cache: OrderedDict[tuple, Warm] = OrderedDict()
_weights: dict[tuple, int] = {}
_unfrozen = 0  # weight of the warm engines kept since the last freeze_long_lived()


def budget_bytes() -> int:
    return django_settings.KUBEVIZ_ENGINE_CACHE_MB * 1024 * 1024


def warm_key(cluster: Cluster) -> tuple:
    return (cluster.pk, str(cluster.incarnation))


def _pop(key: tuple) -> Warm | None:
    _weights.pop(key, None)
    return _cache.pop(key, None)


def take_warm(cluster: Cluster) -> Warm | None:
    """Remove and return the warm engine for this cluster at its current version, if any."""
    with _lock:
        warm = _pop(warm_key(cluster))
    if warm is not None and warm.version == cluster.version:
        return warm
    return None


def peek_warm(cluster: Cluster) -> Warm | None:
    """The warm engine for this cluster at its current version, left in place (read it only)."""
    key = warm_key(cluster)
    with _lock:
        warm = _cache.get(key)
        if warm is not None and warm.version == cluster.version:
            _cache.move_to_end(key)
            return warm
    return None


def put_warm(key: tuple, warm: Warm) -> None:
    """Keep `warm` for its version (a newer one already kept wins); the least recently used go
    while the cache weighs more than its budget (one engine is always kept, however heavy)."""
    global _unfrozen
    budget = budget_bytes()
    freeze = False
    with _lock:
        if warm.engine is not None and not warm.counted:
            warm.counted = True
            _unfrozen += warm.weight
            if _unfrozen >= FREEZE_BYTES:
                _unfrozen, freeze = 0, True
        current = _cache.get(key)
        if current is not None and current.version > warm.version:
            return
        _cache[key] = warm
        _cache.move_to_end(key)
        _weights[key] = warm.weight
        total = sum(_weights.values())
        while total > budget and len(_cache) > 1:
            oldest, _warm = _cache.popitem(last=False)
            total -= _weights.pop(oldest, 0)
    if freeze:
        freeze_long_lived()


def freeze_long_lived() -> None:
    """Take what lives now out of the garbage collector's walks. Warm engines are hundreds of
    thousands of long-lived objects (one big cluster, or a class's 300 small sandboxes): without
    this every full collection walks them all (70-260 ms measured with 300 sandboxes warm, in the
    middle of pushes). A collection first, so that no garbage of the moment is kept for ever;
    it is paid once per FREEZE_BYTES of new warm engines."""
    gc.collect()
    gc.freeze()


_on_drop: list[Callable[[tuple], None]] = []


def on_drop(callback: Callable[[tuple], None]) -> None:
    """Call `callback(key)` whenever a cluster's warm engine is dropped for good (the cluster
    was deleted): what else a worker keeps per cluster goes with it (the API's caches)."""
    _on_drop.append(callback)


def drop_warm(key: tuple) -> None:
    with _lock:
        _pop(key)
    for callback in _on_drop:
        callback(key)


def warm_stats() -> dict:
    """How many engines this worker keeps warm, and their estimated weight (bench/classroom.py)."""
    with _lock:
        return {"engines": len(_cache), "bytes": sum(_weights.values()), "budget": budget_bytes()}


def clear_warm() -> None:
    with _lock:
        _cache.clear()
        _weights.clear()


def _warm(row: Cluster, engine: Engine) -> Warm:
    warm = Warm(row.version, engine, state_entries(engine))
    warm.entries["meta"] = meta_entry(row)
    return warm


def warm_for_write(row: Cluster) -> Warm:
    """The engine at the locked row's version, to change: this worker's warm one (taken out of
    the cache), or rebuilt from the rows. The caller holds the row lock and puts it back on
    commit."""
    warm = take_warm(row)
    if warm is None:
        warm = _warm(row, restore_engine(row))
    warm.engine.pop_change_log()
    return warm


def warm_for_read(cluster: Cluster) -> tuple[Cluster, Warm]:
    """The cluster's row and its warm engine at the row's version, to read: this worker's, or
    rebuilt from the rows without a lock (`read_engine`) and kept."""
    row = Cluster.objects.get(pk=cluster.pk)
    warm = peek_warm(row)
    if warm is None:
        row, engine = read_engine(row)
        warm = peek_warm(row) or _warm(row, engine)
        put_warm(warm_key(row), warm)
    return row, warm
