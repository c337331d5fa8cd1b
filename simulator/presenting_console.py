"""Presenting live, the presenter's console (issues 14 and 17): what the instructor's own kubectl
console prints while they present goes to followers, and a late joiner lands on its last lines.

Ephemeral, as every presenter message: no version, nothing of the cluster changes. Each event
leaves from the presenter's console socket's event loop at once (`push.presenting_console_now`,
the group `cluster.<id>`, each worker's relay handing it only to its sockets whose actor may
FOLLOW); the tail (`Presentation.console_tail`, bounded: `live.consolemirror`) is written
SAVE_AFTER seconds later, once for a burst. Only the presenter's console is mirrored — the
console socket of the instructor who switched Present on, while it is on — and only what it
printed; a student's console never is. The delivery layer decides `PRESENT` first.
"""

from __future__ import annotations

import asyncio

from channels.db import database_sync_to_async

from . import push, services
from .live import consolemirror as live
from .live.presenting import encode
from .models import Cluster, Presentation


class ConsoleMirror:
    """The mirror of one presenter's console socket, for one command: `line`, `output`, `finish`
    send the events; `flush` writes the tail now (before the next command reads it back)."""

    SAVE_AFTER = 0.5

    def __init__(self, cluster_id: int, presenter: str, state: live.Mirror):
        self.cluster_id, self.presenter, self.state = cluster_id, presenter, state
        self.saving: asyncio.Task | None = None

    async def _send(self, events: list[dict]) -> None:
        for event in events:
            await push.presenting_console_now(self.cluster_id, encode(event))
        if events and (self.saving is None or self.saving.done()):
            self.saving = asyncio.ensure_future(self._save_soon())

    async def line(self, line: str) -> None:
        await self._send(self.state.line(line))

    async def output(self, text: str) -> None:
        await self._send(self.state.output(text))

    async def finish(self, *, refused: str | None = None, stopped: str | None = None) -> None:
        await self._send(self.state.finish(refused=refused, stopped=stopped))

    async def _save_soon(self) -> None:
        await asyncio.sleep(self.SAVE_AFTER)
        await self._save()

    async def _save(self) -> None:
        await database_sync_to_async(_remember_console)(self.cluster_id, self.state.seq, self.state.tail)

    async def flush(self) -> None:
        """Write the tail now if a write is pending (the next command starts from the row)."""
        if self.saving is not None and not self.saving.done():
            self.saving.cancel()
            self.saving = None
            await self._save()


def _remember_console(cluster_id: int, seq: int, tail: str) -> None:
    Presentation.objects.filter(classroom__projected_id=cluster_id, presenting=True, console_seq__lt=seq).update(
        console_seq=seq, console_tail=tail
    )


def _presenting_row(cluster: Cluster) -> Presentation | None:
    if cluster.role != Cluster.PROJECTED:
        return None
    return Presentation.objects.filter(classroom__projected_id=cluster.pk, presenting=True).first()


def console_mirror_start(*, cluster: Cluster, user) -> ConsoleMirror | None:
    """The mirror for the command `user` is starting in their console on `cluster`, or None: not a
    projected cluster being presented, or `user` is not the one presenting (a co-instructor's
    console, a student's, are their own). The caller decided `PRESENT` on the cluster."""
    row = _presenting_row(cluster)
    if row is None or row.presenter != services.user_name(user):
        return None
    return ConsoleMirror(cluster.pk, row.presenter, live.Mirror(seq=row.console_seq, tail=row.console_tail))


def console_tail(cluster: Cluster) -> dict | None:
    """What a follower's console lands on (on connect, after the presentation): the presenter's
    console's last lines, or None when nobody presents or their console printed nothing yet."""
    row = _presenting_row(cluster)
    if row is None or not row.console_tail:
        return None
    return live.tail_message(row.console_seq, row.presenter, row.console_tail)
