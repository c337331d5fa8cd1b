"""One run of the simulator over a set of inputs: the engine side of `manage.py simulate`
(see docs/simulate-contract.md)."""

from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass

from .cluster import ApplyResult, ClusterSettings, Engine, has_node_documents, parse_entries
from .contract import cluster_view
from .dns import resolve_query
from .trace import request_query


@dataclass(frozen=True)
class Query:
    kind: str  # "resolve" or "request"
    source: str  # NAMESPACE/POD, or "external" for requests
    target: str  # a name to resolve, or a URL
    type: str = "A"


def run(
    texts: list[str],
    *,
    workers: int | None = None,
    settle: bool = False,
    queries: tuple[Query, ...] | list[Query] = (),
    max_bytes: int | None = None,
    max_documents: int | None = None,
) -> tuple[dict, Engine]:
    """Load every document of every text into a fresh cluster, reconcile, and describe it."""
    options = {}
    if workers is not None:
        options["workers"] = workers
    if max_bytes is not None:
        options["max_bytes"] = max_bytes
    if max_documents is not None:
        options["max_documents"] = max_documents
    settings = ClusterSettings(**options)
    with paused_gc():
        return _run(texts, settings, settle, queries)


@contextmanager
def paused_gc():
    """Pause the cyclic garbage collector during one bulk run: the engine allocates hundreds of
    thousands of small acyclic objects, and the collector would rescan them again and again
    (about a fifth of a 10,000-pod run). It runs again when the run is over."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # What the run built is long-lived and acyclic: move it out of the collector's view
        # (reference counting still frees it) so the next collection does not rescan it all.
        gc.freeze()
        if enabled:
            gc.enable()


def _run(texts, settings: ClusterSettings, settle: bool, queries) -> tuple[dict, Engine]:
    result = ApplyResult()
    entries = parse_entries(texts, settings, result)
    cluster = Engine.new(settings, default_nodes=not has_node_documents(entries))
    cluster._apply_entries(entries, result, atomic=False, reconcile=True)
    if settle:
        cluster.settle()
    out = cluster_view(cluster)
    out["errors"] = [d.to_dict() for d in result.errors]
    out["warnings"] = [d.to_dict(with_field=False) for d in result.warnings]
    out["queries"] = [run_query(cluster, q) for q in queries]
    return out, cluster


def run_query(cluster: Engine, query: Query) -> dict:
    if query.kind == "resolve":
        return resolve_query(cluster, query.source, query.target, query.type)
    return request_query(cluster, query.source, query.target)
