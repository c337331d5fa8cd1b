"""The one way out: every message to the browsers watching a cluster leaves through here.

Changes and presence alike go once to the channel-layer group `cluster.<id>`, whose one member
per worker process (`realtime.fanout`) relays the serialised text to that worker's sockets.
Only the writes (`services`, `presence`) send through it, and only from `transaction.on_commit`
(Zulip's `send_event_on_commit`): a write that rolls back pushes nothing.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Callable

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from . import selectors
from .live import payloads

log = logging.getLogger(__name__)

PRESENCE_DEBOUNCE = 0.5  # seconds: a class connecting at once costs one presence message
ANSWERS_DEBOUNCE = 0.5  # seconds: a class answering at once costs two count messages a second
_presence_pending: dict[int, asyncio.Task] = {}
_answers_pending: dict[int, asyncio.Task] = {}
_answers_again: set[int] = set()
SPOTLIGHT_EVERY = 0.25  # seconds: a spotlighted sandbox being edited costs four updates a second at most
_spotlight_pending: dict[int, asyncio.Task] = {}
_spotlight_again: set[int] = set()


def group_name(cluster_id: int) -> str:
    """The channel-layer group of everyone watching the cluster."""
    return f"cluster.{cluster_id}"


def change(cluster_id: int, version: int, text: str, patched_text: str | None = None) -> None:
    """Send one serialised change to everyone watching the cluster. `patched_text` is the same
    change with merge patches, for sockets that asked for them (`?patch=1`)."""
    layer = get_channel_layer()
    if layer is None:
        return
    message = {"type": "cluster.change", "version": version, "text": text}
    if patched_text is not None and patched_text != text:
        message["patched"] = patched_text
    _send(layer, cluster_id, message, f"change {version}")


def _send(layer, cluster_id: int, message: dict, what: str) -> bool:
    """Send to the cluster's group; a layer that fails (Redis away) is logged, never raised: what
    is pushed is committed already, the writer is told so, and watchers heal by resync (each
    worker's relay resyncs its sockets once it is back in the group, `realtime.fanout`)."""
    try:
        async_to_sync(layer.group_send)(group_name(cluster_id), message)
    except Exception:
        log.warning("push of %s to cluster %s failed; its watchers will resync", what, cluster_id, exc_info=True)
        return False
    return True


def access(cluster_ids) -> None:
    """Tell every socket watching these clusters to ask again whether it may (a student removed,
    a cluster deleted or no longer shared, a take-over ended): each worker's relay has its
    sockets re-decide (`realtime.fanout`), and those refused are closed with the reason."""
    layer = get_channel_layer()
    if layer is None:
        return
    for cluster_id in cluster_ids:
        _send(layer, cluster_id, {"type": "cluster.access"}, "an access change")


def presence(cluster_id: int) -> None:
    """Tell everyone how many are watching the cluster, PRESENCE_DEBOUNCE seconds from now: one
    message for all the joins and leaves of this worker in that time, with the count read when
    it is sent. It is sent from the worker's event loop; a plain script, with no loop serving
    sockets, sends nothing (nobody there is watching)."""
    async_to_sync(_presence_soon)(cluster_id)


async def _presence_soon(cluster_id: int) -> None:
    if cluster_id in _presence_pending:
        return

    async def later() -> None:
        try:
            await asyncio.sleep(PRESENCE_DEBOUNCE)
            count = await database_sync_to_async(selectors.watcher_count)(cluster_id)
            instructors = await database_sync_to_async(selectors.watching_instructors)(cluster_id)
            following = await database_sync_to_async(selectors.follower_count)(cluster_id)
            text = payloads.encode(payloads.presence(count, instructors, following))
            await get_channel_layer().group_send(group_name(cluster_id), {"type": "cluster.presence", "text": text})
        except Exception:  # the layer or the database away: the next join or leave tells the count
            log.warning("presence of cluster %s not pushed", cluster_id, exc_info=True)
        finally:
            _presence_pending.pop(cluster_id, None)

    # A context of its own: the task outlives the sync_to_async call that scheduled it, and must
    # not reach the database through that call's executor once it has gone.
    _presence_pending[cluster_id] = asyncio.get_running_loop().create_task(later(), context=contextvars.Context())


def presenting(cluster_id: int, text: str) -> None:
    """Send one presenter message (simulator/presenting.py: a view event, Present on or off, a
    spotlight, a question, a reveal) to everyone watching the projected cluster. Ephemeral: no
    version, nothing stored in the cluster."""
    layer = get_channel_layer()
    if layer is None:
        return
    async_to_sync(layer.group_send)(group_name(cluster_id), {"type": "cluster.present", "text": text})


async def presenting_now(cluster_id: int, text: str) -> None:
    """`presenting`, from the event loop: a presenter event goes out with no thread hop."""
    await get_channel_layer().group_send(group_name(cluster_id), {"type": "cluster.present", "text": text})


async def presenting_console_now(cluster_id: int, text: str) -> None:
    """One event of the presenter's console mirror (simulator/presenting_console.py), from the
    presenter's console socket's event loop. Each worker's relay hands it only to its sockets whose
    actor may follow the presenter (`realtime.fanout`), never to a console socket."""
    await get_channel_layer().group_send(group_name(cluster_id), {"type": "cluster.console", "text": text})


def answers(cluster_id: int, question_id: int) -> None:
    """How many answered the question, ANSWERS_DEBOUNCE seconds from now: one message for all
    the answers of this worker in that time (who answered, never what, until the reveal)."""
    async_to_sync(_answers_soon)(cluster_id, question_id)


async def _answers_soon(cluster_id: int, question_id: int) -> None:
    async def one_round() -> None:
        count = await database_sync_to_async(selectors.question_answered_count)(question_id)
        text = payloads.encode({"type": "answers", "question": question_id, "answered": count})
        await get_channel_layer().group_send(group_name(cluster_id), {"type": "cluster.present", "text": text})

    # answers written while the count was being read: one more round
    _in_rounds(_answers_pending, _answers_again, cluster_id, ANSWERS_DEBOUNCE, one_round, "answer count")


def spotlight(projected_id: int, compose: Callable[[], str | None]) -> None:
    """A live update of the projected cluster's spotlight (simulator/spotlight.py), SPOTLIGHT_EVERY
    seconds from now: `compose` (run then, on the database) makes its text, or None when there is
    nothing to send; changes made while it ran are sent in one more round. A student typing fast
    costs the class at most 1 / SPOTLIGHT_EVERY messages a second from each worker."""
    async_to_sync(_spotlight_soon)(projected_id, compose)


async def _spotlight_soon(projected_id: int, compose: Callable[[], str | None]) -> None:
    async def one_round() -> None:
        text = await database_sync_to_async(compose)()
        if text is not None:
            await get_channel_layer().group_send(group_name(projected_id), {"type": "cluster.present", "text": text})

    # a change while the update was being made: one more round (a failed round: the next change
    # sends the spotlight again)
    _in_rounds(_spotlight_pending, _spotlight_again, projected_id, SPOTLIGHT_EVERY, one_round, "spotlight")


def _in_rounds(pending: dict, again: set, key: int, delay: float, one_round, what: str) -> None:
    """Coalesce pushes of one kind per cluster (from the event loop): the first call starts a task
    that waits `delay` seconds, then awaits `one_round()`; calls while it waits join it, calls
    while a round runs make it go round once more. A task left on a loop that is gone (a closed
    worker's, a test's) does not hold the next one back."""
    task = pending.get(key)
    if task is not None and not task.done() and task.get_loop() is asyncio.get_running_loop():
        again.add(key)
        return

    async def rounds() -> None:
        try:
            while True:
                await asyncio.sleep(delay)
                again.discard(key)
                await one_round()
                if key not in again:
                    break
        except Exception:  # the layer or the database away: the next call tries again
            log.warning("%s of cluster %s not pushed", what, key, exc_info=True)
        finally:
            pending.pop(key, None)

    # A context of its own: the task outlives the sync_to_async call that scheduled it.
    pending[key] = asyncio.get_running_loop().create_task(rounds(), context=contextvars.Context())


def board_group(classroom_id: int) -> str:
    """The channel-layer group of the instructors watching a class's exercise board."""
    return f"board.{classroom_id}"


def exercise(cluster_id: int, text: str) -> None:
    """The Exercise panel of a cluster (its goals re-evaluated), to everyone watching it: relayed
    like a change by each worker's member of the cluster's group."""
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(group_name(cluster_id), {"type": "cluster.exercise", "text": text})


def board(classroom_id: int, text: str) -> None:
    """One student's row of the class's exercise board, to the instructors watching it."""
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(board_group(classroom_id), {"type": "board.row", "text": text})
