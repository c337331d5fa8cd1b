"""One member of a cluster's group per worker process, fanning each message out to that
process's websockets.

With one channel per websocket, every change costs each watcher a trip through the channel
layer and Channels' dispatch loop (two tasks and a wait per message): most of a push's CPU
with a class watching. Here a worker joins `cluster.<id>` once, with one channel, and relays
each serialised change straight to its local sockets. The layer's semantics are unchanged:
a full queue (of this relay) still drops messages silently, and clients heal by resync.

A socket that is still receiving its snapshot holds relayed messages in a buffer until the
last part is out, so a change never lands between two snapshot parts.
"""

from __future__ import annotations

import asyncio
import logging

from channels.layers import get_channel_layer

from .. import push

log = logging.getLogger(__name__)


class _Relay:
    def __init__(self, cluster_id: int):
        self.cluster_id = cluster_id
        self.sockets: dict = {}  # consumer -> buffer (a list while its snapshot is being sent) or None
        self.ready = asyncio.Event()
        self.loop = asyncio.get_running_loop()
        self.task = asyncio.ensure_future(self.run())
        self.channel = None
        self.rechecks: set[asyncio.Task] = set()  # kept until done (the loop holds tasks weakly)

    async def run(self) -> None:
        layer = get_channel_layer()
        self.channel = await layer.new_channel()
        group = push.group_name(self.cluster_id)
        await layer.group_add(group, self.channel)
        self.ready.set()
        try:
            while True:
                try:
                    message = await layer.receive(self.channel)
                except asyncio.CancelledError:
                    raise
                except Exception:  # e.g. Redis went away for a moment: clients heal by resync
                    log.exception("relay of cluster %s could not receive; retrying", self.cluster_id)
                    await asyncio.sleep(1.0)
                    continue
                if message.get("type") == "cluster.access":  # push.access: each socket asks again
                    for socket in list(self.sockets):
                        recheck = getattr(socket, "recheck_access", None)
                        if recheck is not None:
                            task = asyncio.ensure_future(recheck())
                            self.rechecks.add(task)
                            task.add_done_callback(self.rechecks.discard)
                    continue
                full = message.get("text")
                if full is None:
                    continue
                patched = message.get("patched", full)
                for socket, buffer in list(self.sockets.items()):
                    text = patched if socket.wants_patches else full
                    if buffer is not None:
                        buffer.append(text)
                        continue
                    try:
                        await socket.send(text_data=text)
                    except Exception:  # a socket closing under us must not stop the others
                        log.debug("relay to a closing socket failed", exc_info=True)
        finally:
            await layer.group_discard(group, self.channel)


_relays: dict[int, _Relay] = {}


async def join(cluster_id: int, socket) -> None:
    """Start relaying the cluster's messages to `socket`, buffered until `flush(socket)`."""
    relay = _relays.get(cluster_id)
    if relay is None or relay.task.done() or relay.loop is not asyncio.get_running_loop():
        relay = _relays[cluster_id] = _Relay(cluster_id)
    relay.sockets[socket] = []
    await relay.ready.wait()


async def flush(cluster_id: int, socket) -> None:
    """The socket's snapshot is out: send what arrived meanwhile, then relay directly."""
    relay = _relays.get(cluster_id)
    if relay is None or socket not in relay.sockets:
        return
    while relay.sockets[socket]:
        pending, relay.sockets[socket] = relay.sockets[socket], []
        for text in pending:
            await socket.send(text_data=text)
    relay.sockets[socket] = None


def hold(cluster_id: int, socket) -> None:
    """Buffer the socket's messages again (a resync snapshot is being sent)."""
    relay = _relays.get(cluster_id)
    if relay is not None and socket in relay.sockets and relay.sockets[socket] is None:
        relay.sockets[socket] = []


def leave(cluster_id: int, socket) -> None:
    relay = _relays.get(cluster_id)
    if relay is None:
        return
    relay.sockets.pop(socket, None)
    if not relay.sockets:
        _relays.pop(cluster_id, None)
        relay.task.cancel()


def local_channels(cluster_id: int) -> list[str]:
    """The channel names of this worker's sockets watching the cluster (for presence)."""
    relay = _relays.get(cluster_id)
    return [socket.channel_name for socket in relay.sockets] if relay is not None else []


async def refresh(cluster_id: int) -> None:
    """Renew this worker's membership of the cluster's group (layers expire memberships after a
    day, `group_expiry`); the ticker calls it with each presence heartbeat."""
    relay = _relays.get(cluster_id)
    if relay is not None and relay.channel is not None and relay.loop is asyncio.get_running_loop():
        await get_channel_layer().group_add(push.group_name(cluster_id), relay.channel)
