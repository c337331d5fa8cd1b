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
import random
import time

from channels.layers import get_channel_layer
from django.conf import settings

from .. import push

log = logging.getLogger(__name__)

# After the channel layer failed (Redis away), the relay tries to join its group again after
# REJOIN_FIRST seconds, doubling up to REJOIN_MOST, each wait with up to as much again at random,
# so a fleet of relays does not hammer a Redis that just came back (no reconnect storm).
REJOIN_FIRST = 0.25
REJOIN_MOST = 5.0


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
                except Exception:  # e.g. Redis went away: join again, then every socket resyncs
                    log.warning("relay of cluster %s lost the channel layer; joining again", self.cluster_id)
                    await self.rejoin(layer, group)
                    self.resync_all()
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
                mirror = message.get("type") == "cluster.console"
                for socket, buffer in list(self.sockets.items()):
                    if mirror and not _takes_console_mirror(socket):
                        continue
                    text = patched if socket.wants_patches else full
                    if buffer is not None:
                        buffer.append(text)
                        continue
                    try:
                        await self.deliver(socket, text)
                    except Exception:  # a socket closing under us must not stop the others
                        log.debug("relay to a closing socket failed", exc_info=True)
        finally:
            try:
                await layer.group_discard(group, self.channel)
            except Exception:
                log.debug("relay of cluster %s could not leave its group", self.cluster_id, exc_info=True)

    async def deliver(self, socket, text: str) -> None:
        """Send, unless the client is not reading: over KUBEVIZ_SOCKET_BUFFER_BYTES unread, its
        changes are skipped (the memory stays bounded); once it has read, it gets a fresh snapshot
        instead of what it missed; still not reading after KUBEVIZ_SLOW_SOCKET_SECONDS, it is cut."""
        backlog = socket.send_backlog() if hasattr(socket, "send_backlog") else 0
        behind = getattr(socket, "behind_since", None)
        if behind is None and backlog <= settings.KUBEVIZ_SOCKET_BUFFER_BYTES:
            await socket.send(text_data=text)
            return
        now = time.monotonic()
        if backlog > settings.KUBEVIZ_SOCKET_BUFFER_BYTES:
            if behind is None:
                socket.behind_since = now
            elif now - behind > settings.KUBEVIZ_SLOW_SOCKET_SECONDS:
                socket.drop_slow()
            return
        socket.behind_since = None  # it has read: a snapshot brings it up to date
        task = asyncio.ensure_future(socket.resync_now())
        self.rechecks.add(task)
        task.add_done_callback(self.rechecks.discard)

    async def rejoin(self, layer, group: str) -> None:
        """Join the group again as soon as the layer answers (what Redis held may be gone: a
        restarted Redis forgets the group's members), waiting a little longer after each failure."""
        wait = REJOIN_FIRST
        while True:
            await asyncio.sleep(wait + random.uniform(0, wait))
            try:
                await layer.group_add(group, self.channel)
                return
            except Exception:
                wait = min(wait * 2, REJOIN_MOST)

    def resync_all(self) -> None:
        """Changes may have been lost while the layer was away: every socket of this worker gets a
        fresh snapshot (as if it had asked for a resync)."""
        for socket in list(self.sockets):
            resync = getattr(socket, "resync_now", None)
            if resync is not None:
                task = asyncio.ensure_future(resync())
                self.rechecks.add(task)
                task.add_done_callback(self.rechecks.discard)


def _takes_console_mirror(socket) -> bool:
    """The presenter's console mirror goes only to sockets that say their actor may follow (a
    page's socket, decided on connect and again after `push.access`), not to console sockets."""
    takes = getattr(socket, "takes_console_mirror", None)
    return takes is not None and takes()


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
