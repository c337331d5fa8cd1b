"""Reads: clusters, their snapshot, who is watching. No writes here (see services)."""

from __future__ import annotations

from django.db import transaction

from . import enginecache
from .live import payloads
from .live.entries import meta_entry, state_entries
from .models import Cluster, Presence


def cluster_by_slug(slug: str) -> Cluster | None:
    return Cluster.objects.filter(slug=slug).first()


def cluster_list() -> list[Cluster]:
    return list(Cluster.objects.order_by("name"))


def cluster_entries(cluster: Cluster) -> tuple[int, dict]:
    """(version, entries) of a cluster: from this worker's warm engine when it is at the current
    version, else rebuilt from the rows (and kept warm)."""
    from .services import restore_engine

    row = Cluster.objects.get(pk=cluster.pk)
    warm = enginecache.peek(row)
    if warm is None:
        with transaction.atomic():
            # A consistent read of the row and its objects: writers hold the same lock.
            row = Cluster.objects.select_for_update().get(pk=cluster.pk)
            engine = restore_engine(row)
        warm = enginecache.Warm(row.version, engine, state_entries(engine))
        warm.entries["meta"] = meta_entry(row)
        enginecache.put(enginecache.key_of(row), warm)
    entries = dict(warm.entries)
    entries["meta"] = meta_entry(row)
    return row.version, entries


def cluster_snapshot_parts(cluster: Cluster) -> tuple[int, list[str]]:
    """The snapshot messages, serialised once per version and worker (a resync storm costs one)."""
    row = Cluster.objects.get(pk=cluster.pk)
    warm = enginecache.peek(row)
    if warm is not None and row.version in warm.snapshot_text:
        return row.version, warm.snapshot_text[row.version]
    version, entries = cluster_entries(row)
    parts = payloads.snapshot_parts(version, entries)
    warm = enginecache.peek(row)
    if warm is not None and warm.version == version:
        warm.snapshot_text = {version: parts}
    return version, parts


def watcher_count(cluster_id: int, now=None) -> int:
    """Open websockets watching the cluster, on any worker (rows a live worker vouched for lately)."""
    from django.utils import timezone

    from .services import PRESENCE_TTL

    now = now or timezone.now()
    return Presence.objects.filter(cluster_id=cluster_id, seen__gte=now - PRESENCE_TTL).count()


def cluster_engine(cluster: Cluster):
    """The engine at the cluster's current version, for read-only questions (resolve, trace).
    Do not mutate it: writes go through services."""
    from .services import restore_engine

    row = Cluster.objects.get(pk=cluster.pk)
    warm = enginecache.peek(row)
    return warm.engine if warm is not None else restore_engine(row)


def cluster_query(cluster: Cluster, query, *args):
    """Run a read-only engine query (e.g. networking.resolve_query) against the cluster."""
    return query(cluster_engine(cluster), *args)


def cluster_snapshot_text(cluster: Cluster) -> tuple[int, str]:
    """The whole snapshot as one JSON text (for HTTP; websockets get `cluster_snapshot_parts`)."""
    version, entries = cluster_entries(cluster)
    return version, payloads.encode(payloads.snapshot(version, entries))
