"""The simulated clock's ticker, per worker process: while a cluster has watchers on this
worker, a task calls `services.cluster_tick` every second (and, every 30 s, vouches for this
worker's sockets in the presence table). The service locks the cluster row
and checks `ticked_at`, so however many workers tick, the clock advances once per tick and
every worker sees the same state (it lives in the database)."""

from __future__ import annotations

import asyncio
import logging

from channels.db import database_sync_to_async

from .. import presence, services
from . import fanout

log = logging.getLogger(__name__)

_watchers: dict[int, int] = {}
_tasks: dict[int, asyncio.Task] = {}


async def _run(cluster_id: int) -> None:
    tick = database_sync_to_async(services.cluster_tick)
    heartbeat = database_sync_to_async(presence.presence_heartbeat)
    beats = 0
    while True:
        await asyncio.sleep(services.TICK_SECONDS)
        try:
            await tick(cluster_id=cluster_id)
            beats += 1
            if beats * services.TICK_SECONDS >= presence.PRESENCE_HEARTBEAT_SECONDS:
                beats = 0
                await heartbeat(cluster_id=cluster_id, channel_names=fanout.local_channels(cluster_id))
                await fanout.refresh(cluster_id)
        except Exception:  # a failed tick must not stop the clock for good
            log.exception("tick of cluster %s failed", cluster_id)


def watch(cluster_id: int) -> None:
    _watchers[cluster_id] = _watchers.get(cluster_id, 0) + 1
    if cluster_id not in _tasks:
        _tasks[cluster_id] = asyncio.ensure_future(_run(cluster_id))


def unwatch(cluster_id: int) -> None:
    count = _watchers.get(cluster_id, 0) - 1
    if count > 0:
        _watchers[cluster_id] = count
        return
    _watchers.pop(cluster_id, None)
    task = _tasks.pop(cluster_id, None)
    if task is not None:
        task.cancel()
