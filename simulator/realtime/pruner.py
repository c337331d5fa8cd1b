"""The server's own schedule for `services.clusters_prune` (what `manage.py prune` does by hand):
every KUBEVIZ_PRUNE_EVERY seconds, in each worker's event loop, started by the first request the
worker serves (daphne has no startup hook). Several workers pruning at once is harmless: each
deletion locks its row, and a cluster another worker deleted first is skipped."""

from __future__ import annotations

import asyncio
import logging

from channels.db import database_sync_to_async
from django.conf import settings

from .. import services

log = logging.getLogger(__name__)

_task: asyncio.Task | None = None


async def _run(every: float) -> None:
    prune = database_sync_to_async(services.clusters_prune)
    while True:
        try:
            pruned = await prune()
            if pruned:
                log.info("pruned %d idle sandboxes: %s", len(pruned), ", ".join(pruned))
        except Exception:  # a failed round must not stop the schedule
            log.exception("pruning idle sandboxes failed")
        await asyncio.sleep(every)


def start() -> None:
    """Start this worker's schedule once (KUBEVIZ_PRUNE_EVERY=0 turns it off)."""
    global _task
    every = settings.KUBEVIZ_PRUNE_EVERY
    loop = asyncio.get_running_loop()
    if every <= 0 or (_task is not None and not _task.done() and _task.get_loop() is loop):
        return
    _task = loop.create_task(_run(every))


class PruneOnSchedule:
    """ASGI middleware: the first request a worker serves starts its pruning schedule."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] in ("http", "websocket"):
            start()
        return await self.app(scope, receive, send)
