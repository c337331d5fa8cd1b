"""The presenter's console, mirrored (issues 14 and 17): the console socket's hook.

A console socket (`realtime.console`) tells its `MirrorHook` when a command starts, what it printed
and how it ended. On a class's projected cluster, when this socket's actor may PRESENT there
(`permissions.decide`, for every command) and is the one presenting now, the hook hands each to the
command's `presenting_console.ConsoleMirror`, which sends it to the followers. Anywhere else (a
sandbox, a student's console, a co-instructor's, Present off) it does nothing.
"""

from __future__ import annotations

from .. import permissions, presenting_console, selectors
from ..permissions import Action, Role
from .consumers import database_sync_to_async


def _mirror_for(cluster_id: int, actor: permissions.Actor):
    row = selectors.cluster_by_pk(cluster_id)
    if row is None or not permissions.decide(actor, Action.PRESENT, row):
        return None
    return presenting_console.console_mirror_start(cluster=row, user=actor)


class MirrorHook:
    def __init__(self, cluster, actor: permissions.Actor):
        self.cluster, self.actor = cluster, actor
        self.current: presenting_console.ConsoleMirror | None = None

    async def begin(self, line: str) -> None:
        """A command starts: mirrored when this console is the presenter's, now."""
        if self.current is not None:
            await self.current.flush()  # the last command's tail, before this one reads it back
            self.current = None
        if self.cluster.role != Role.PROJECTED:
            return
        self.current = await database_sync_to_async(_mirror_for)(self.cluster.pk, self.actor)
        if self.current is not None:
            await self.current.line(line)

    async def output(self, text: str) -> None:
        if self.current is not None:
            await self.current.output(text)

    async def end(self, done: dict) -> None:
        if self.current is not None:
            await self.current.finish(refused=done.get("refused"), stopped=done.get("stopped"))

    async def close(self) -> None:
        if self.current is not None:
            await self.current.flush()
            self.current = None
