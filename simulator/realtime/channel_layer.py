"""The embedded channel layer: Channels' in-memory layer, minus two costs that grow with the
number of watchers.

`InMemoryChannelLayer.receive` sweeps every channel and every group member for expired
messages on *each* receive (so one change to N watchers costs N^2), and `send` deep-copies
every message per channel. Here the sweep runs at most once a second, and messages that are
flat dicts of immutable values (what kubeviz sends: a serialised text and a version) are
shared instead of copied. Everything else is unchanged, including what the protocol relies
on: a full channel (capacity) drops the message silently, and clients heal by resync.
"""

from __future__ import annotations

import asyncio
import time

from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer

_IMMUTABLE = (str, int, float, bool, bytes, type(None))


class SharedInMemoryChannelLayer(InMemoryChannelLayer):
    sweep_interval = 1.0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._swept = 0.0

    def _clean_expired(self):
        now = time.monotonic()
        if now - self._swept < self.sweep_interval:
            return
        self._swept = now
        super()._clean_expired()

    async def receive(self, channel):
        """As Channels' receive, without building (and dropping) a new Queue on every call."""
        self.require_valid_channel_name(channel)
        self._clean_expired()
        queue = self.channels.get(channel)
        if queue is None:
            queue = self.channels.setdefault(channel, asyncio.Queue(maxsize=self.get_capacity(channel)))
        try:
            _, message = await queue.get()
        finally:
            if queue.empty() and self.channels.get(channel) is queue:
                self.channels.pop(channel, None)
        return message

    async def send(self, channel, message):
        if isinstance(message, dict) and all(isinstance(v, _IMMUTABLE) for v in message.values()):
            return await self._send_shared(channel, message)
        return await super().send(channel, message)

    async def _send_shared(self, channel, message):
        assert isinstance(message, dict), "message is not a dict"
        self.require_valid_channel_name(channel)
        assert "__asgi_channel__" not in message
        queue = self.channels.get(channel)
        if queue is None:
            queue = self.channels.setdefault(channel, asyncio.Queue(maxsize=self.get_capacity(channel)))
        try:
            queue.put_nowait((time.time() + self.expiry, dict(message)))
        except asyncio.queues.QueueFull:
            raise ChannelFull(channel) from None
