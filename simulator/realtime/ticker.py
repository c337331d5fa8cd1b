"""The simulated clock's ticker, one per worker process: while this worker has sockets watching
clusters, a task asks every second which of those clusters have a playing clock (one query for
all of them) and calls `services.cluster_tick` for those; every 30 s it vouches for this worker's
sockets in the presence table (one update for all of them). The service locks the cluster row
and checks `ticked_at`, so however many workers tick, the clock advances once per tick and every
worker sees the same state (it lives in the database). A class of 300 sandboxes, none playing,
costs one small query a second, not 300 locked transactions.

Pods being deleted gracefully need ticks too, even on a paused clock: their kubelets stop them
(kubelet/termination). After a write through the Kubernetes API, with no browser watching, the
cluster is kept (`keep_kubelets`) and ticked until its kubelets have no pod left to stop."""

from __future__ import annotations

import asyncio
import logging

from channels.db import database_sync_to_async

from .. import presence, selectors, services
from . import fanout

log = logging.getLogger(__name__)

_watchers: dict[int, int] = {}
_kubelets: set[int] = set()  # clusters written through the API whose kubelets may have pods to stop
_task: asyncio.Task | None = None


async def _run() -> None:
    tick = database_sync_to_async(services.cluster_tick)
    playing = database_sync_to_async(selectors.clusters_running)
    stopping = database_sync_to_async(selectors.clusters_terminating)
    vouch = database_sync_to_async(presence.presence_vouch)
    beats = 0
    while _watchers or _kubelets:
        await asyncio.sleep(services.TICK_SECONDS)
        try:
            for cluster_id in await playing(list(set(_watchers) | _kubelets)):
                await tick(cluster_id=cluster_id)
            if _kubelets:
                _kubelets.intersection_update(await stopping(list(_kubelets)))
            beats += 1
            if beats * services.TICK_SECONDS >= presence.PRESENCE_HEARTBEAT_SECONDS:
                beats = 0
                watched = list(_watchers)
                await vouch(channel_names=[c for cid in watched for c in fanout.local_channels(cid)])
                for cluster_id in watched:
                    await fanout.refresh(cluster_id)
        except Exception:  # a failed tick must not stop the clock for good
            log.exception("ticking the clocks failed")


def watch(cluster_id: int) -> None:
    _watchers[cluster_id] = _watchers.get(cluster_id, 0) + 1
    _start()


def keep_kubelets(cluster_id: int) -> None:
    """Tick this cluster until its kubelets have no deleted pod left to stop (after an API write)."""
    _kubelets.add(cluster_id)
    _start()


def _start() -> None:
    global _task
    loop = asyncio.get_running_loop()
    if _task is None or _task.done() or _task.get_loop() is not loop:
        _task = loop.create_task(_run())


def unwatch(cluster_id: int) -> None:
    count = _watchers.get(cluster_id, 0) - 1
    if count > 0:
        _watchers[cluster_id] = count
    else:
        _watchers.pop(cluster_id, None)  # the task ends by itself once nobody watches anything
