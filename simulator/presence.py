"""Who is watching a cluster: one row per open websocket, on any worker (the writes; the count
is `selectors.watcher_count`). A join or a leave pushes the new count, on commit (`push`).

A worker vouches for its sockets every PRESENCE_HEARTBEAT_SECONDS (`realtime.ticker`,
`presence_vouch`), so the rows of a worker that died stop counting after `selectors.PRESENCE_TTL`.
"""

from __future__ import annotations

import datetime
from functools import partial

from django.db import transaction
from django.utils import timezone

from . import push, selectors, services
from .models import Cluster, Presence

PRESENCE_HEARTBEAT_SECONDS = 30


def presence_join(
    *, cluster_id: int, channel_name: str, user=None, instructor: bool = False, editing: bool = False
) -> int:
    """Record one open websocket watching the cluster; returns the number watching. An
    `instructor` of the cluster's class is named to the others (`editing`: they took it over)."""
    with transaction.atomic():
        Presence.objects.update_or_create(
            channel_name=channel_name,
            defaults={
                "cluster_id": cluster_id,
                "user": services.user_name(user),
                "instructor": instructor,
                "editing": editing,
            },
        )
        transaction.on_commit(partial(push.presence, cluster_id))
    return selectors.watcher_count(cluster_id)


def presence_leave(*, cluster_id: int, channel_name: str) -> int:
    """Forget one websocket (it closed); returns the number still watching."""
    with transaction.atomic():
        Presence.objects.filter(channel_name=channel_name).delete()
        Cluster.objects.filter(pk=cluster_id).update(last_activity=timezone.now())  # watching is activity
        transaction.on_commit(partial(push.presence, cluster_id))
    return selectors.watcher_count(cluster_id)


def presence_heartbeat(*, cluster_id: int, channel_names: list[str], now: datetime.datetime | None = None) -> int:
    """A worker vouches for its sockets; rows nobody vouched for in a while (their worker died)
    stop counting, and are removed after ten times that."""
    now = now or timezone.now()
    Presence.objects.filter(channel_name__in=channel_names).update(seen=now)
    Presence.objects.filter(cluster_id=cluster_id, seen__lt=now - 10 * selectors.PRESENCE_TTL).delete()
    return selectors.watcher_count(cluster_id, now)


def presence_vouch(*, channel_names: list[str], now: datetime.datetime | None = None) -> None:
    """A worker vouches for all its sockets at once (its ticker, every PRESENCE_HEARTBEAT_SECONDS);
    rows nobody vouched for in ten times the presence TTL (their worker died) are removed."""
    now = now or timezone.now()
    if channel_names:
        Presence.objects.filter(channel_name__in=channel_names).update(seen=now)
    Presence.objects.filter(seen__lt=now - 10 * selectors.PRESENCE_TTL).delete()
