"""Warm engines, per worker process: a restored `Cluster` engine and its live entries, keyed by
(cluster id, incarnation, version). A hit skips rebuilding the engine from the database.

The database stays the source of truth: an entry is only ever used at the exact version it was
stored for. A write *takes* its entry out (so a failed or rolled-back write cannot leave a
half-applied engine behind) and puts the new one back from `transaction.on_commit`.
"""

from __future__ import annotations

import gc
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from .engine import Engine

CAPACITY = int(os.environ.get("KUBEVIZ_ENGINE_CACHE", "16"))


@dataclass
class Warm:
    version: int
    engine: Engine
    entries: dict  # snapshot entries without `meta`
    snapshot_text: dict = field(default_factory=dict)  # meta-bearing snapshot text, keyed by version

    def __post_init__(self) -> None:
        self.snapshot_text = {}


_lock = threading.Lock()
_cache: OrderedDict[tuple, Warm] = OrderedDict()
stats = {"hits": 0, "misses": 0}


def _key(cluster) -> tuple:
    return (cluster.pk, str(cluster.incarnation))


def take(cluster) -> Warm | None:
    """Remove and return the warm engine for this cluster at its current version, if any."""
    with _lock:
        warm = _cache.pop(_key(cluster), None)
    if warm is not None and warm.version == cluster.version:
        stats["hits"] += 1
        return warm
    stats["misses"] += 1
    return None


def peek(cluster) -> Warm | None:
    with _lock:
        warm = _cache.get(_key(cluster))
        if warm is not None and warm.version == cluster.version:
            _cache.move_to_end(_key(cluster))
            return warm
    return None


def put(cluster_key: tuple, warm: Warm) -> None:
    if warm.engine is not None and cluster_key not in _cache:
        # A warm engine is hundreds of thousands of long-lived objects; without this every full
        # collection walks them all (tens of milliseconds, in the middle of a push).
        gc.freeze()
    with _lock:
        current = _cache.get(cluster_key)
        if current is not None and current.version > warm.version:
            return
        _cache[cluster_key] = warm
        _cache.move_to_end(cluster_key)
        while len(_cache) > CAPACITY:
            _cache.popitem(last=False)


def key_of(cluster) -> tuple:
    return _key(cluster)


def clear() -> None:
    with _lock:
        _cache.clear()
