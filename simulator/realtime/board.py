"""The instructor's exercise board, live: a thin consumer on `ws/classes/<pk>/board/`.

On connect it asks `permissions` whether the socket's actor may view the class (its
instructors), sends the whole board (`{"type": "board", columns, rows}`), then relays each
student's row as `progress` pushes it on commit (`{"type": "board-row", row}`) to the group
`board.<class id>`. It takes no messages: the board is read-only.
"""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from .. import permissions, progress, push, selectors
from ..live import payloads
from ..permissions import Action

CLOSE_GONE = 4404
CLOSE_FORBIDDEN = 4403


class BoardConsumer(AsyncWebsocketConsumer):
    group = None

    async def connect(self):
        pk = self.scope["url_route"]["kwargs"]["pk"]
        classroom = await database_sync_to_async(selectors.classroom_by_pk)(pk)
        if classroom is None:
            await self.close(code=CLOSE_GONE)
            return
        actor = await database_sync_to_async(permissions.actor_for)(self.scope.get("user"), self.scope.get("session"))
        decision = await database_sync_to_async(permissions.decide)(actor, Action.CLASS_VIEW, classroom)
        await self.accept()
        if not decision:
            await self.send(text_data=payloads.encode(payloads.error(decision.reason, code="forbidden")))
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.group = push.board_group(classroom.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        board = await database_sync_to_async(progress.board)(classroom)
        await self.send(text_data=payloads.encode({"type": "board", **board}))

    async def disconnect(self, code):
        if self.group is not None:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        await self.send(text_data=payloads.encode(payloads.error("the board is read-only: it takes no messages")))

    async def board_row(self, event):
        await self.send(text_data=event["text"])
