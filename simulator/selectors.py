"""Named reads (HackSoft's selectors): clusters, their live entries and snapshot, the answers to
a browser's questions (resolve, trace), the YAML download, who is watching.

No writes here (those are `services`), no row locks (an engine is read at one version without
one: `repository.read_engine`), and no engine handed out: each read answers one question, so
the delivery modules never touch the engine or the models.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from . import export, repository
from .engine import dns, kinds, trace
from .live import explain, payloads
from .live.entries import meta_entry
from .models import Cluster, Presence

PRESENCE_TTL = datetime.timedelta(seconds=90)


class NotFound(LookupError):
    """The object a read asked about is not in the cluster (worded for the user)."""


def cluster_by_slug(slug: str) -> Cluster | None:
    return Cluster.objects.filter(slug=slug).first()


def cluster_list() -> list[Cluster]:
    return list(Cluster.objects.order_by("name"))


def cluster_entries(cluster: Cluster) -> tuple[int, dict]:
    """(version, entries) of a cluster: from this worker's warm engine when it is at the current
    version, else rebuilt from the rows (and kept warm)."""
    row, warm = repository.warm_for_read(cluster)
    entries = dict(warm.entries)
    entries["meta"] = meta_entry(row)
    return row.version, entries


def cluster_snapshot_parts(cluster: Cluster) -> tuple[int, list[str]]:
    """The snapshot messages, serialised once per version and worker (a resync storm costs one)."""
    row = Cluster.objects.get(pk=cluster.pk)
    warm = repository.peek_warm(row)
    if warm is not None and row.version in warm.snapshot_text:
        return row.version, warm.snapshot_text[row.version]
    version, entries = cluster_entries(row)
    parts = payloads.snapshot_parts(version, entries)
    warm = repository.peek_warm(row)
    if warm is not None and warm.version == version:
        warm.snapshot_text = {version: parts}
    return version, parts


def cluster_snapshot_text(cluster: Cluster) -> tuple[int, str]:
    """The whole snapshot as one JSON text (for HTTP; websockets get `cluster_snapshot_parts`)."""
    version, entries = cluster_entries(cluster)
    return version, payloads.encode(payloads.snapshot(version, entries))


def cluster_resolve(cluster: Cluster, *, source: str, name: str, rtype: str = "A") -> dict:
    """`nslookup NAME` from the pod `source` (NAMESPACE/POD): the simulate contract's resolve object."""
    _row, engine = repository.read_engine(cluster)
    return dns.resolve_query(engine, source, name, rtype)


def cluster_trace(cluster: Cluster, *, source: str, url: str) -> dict:
    """A request to `url` from the pod `source` (or `external`): the contract's request object."""
    _row, engine = repository.read_engine(cluster)
    return trace.request_query(engine, source, url)


def cluster_explain_service(cluster: Cluster, *, namespace: str, name: str) -> tuple[int, dict]:
    """(version, why each pod of the namespace is or is not behind the Service) (`live.explain`)."""
    row, engine = repository.read_engine(cluster)
    svc = engine.get("Service", namespace, name)
    if svc is None:
        raise NotFound(f"no Service {namespace}/{name} in this cluster")
    return row.version, explain.explain_service(engine, svc)


def cluster_explain_pod(cluster: Cluster, *, namespace: str, name: str) -> tuple[int, dict]:
    """(version, the Services that select the pod, and whether it is their endpoint) (`live.explain`)."""
    row, engine = repository.read_engine(cluster)
    pod = engine.get("Pod", namespace, name)
    if pod is None:
        raise NotFound(f"no Pod {namespace}/{name} in this cluster")
    return row.version, explain.explain_pod(engine, pod)


def cluster_export_yaml(cluster: Cluster) -> str:
    """The cluster as one kubectl-ready YAML file (`export`)."""
    row, engine = repository.read_engine(cluster)
    return export.export_yaml(row.name, row.version, engine)


def kind_names() -> list[str]:
    """The kinds a cluster stores, by name (the editor offers a starter manifest for each)."""
    return sorted(kinds.KIND_ORDER)


def watcher_count(cluster_id: int, now: datetime.datetime | None = None) -> int:
    """Open websockets watching the cluster, on any worker (rows a live worker vouched for lately)."""
    now = now or timezone.now()
    return Presence.objects.filter(cluster_id=cluster_id, seen__gte=now - PRESENCE_TTL).count()
