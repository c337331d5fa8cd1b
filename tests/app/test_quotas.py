"""Back-pressure and quotas (issue 11): every refusal a sentence naming its limit."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from asgiref.sync import async_to_sync

from simulator import models, services
from simulator.realtime import consumers, fanout

from .test_consumers import connect, next_of

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_home_page_is_paginated(client, make_cluster, settings):
    settings.KUBEVIZ_HOME_PAGE_SIZE = 3
    for n in range(7):
        make_cluster(name=f"c{n}")
    first = client.get("/").content.decode()
    assert first.count('class="cluster-link"') == 3 and "page 1 of 3" in first and "c0" in first
    last = client.get("/?page=3").content.decode()
    assert last.count('class="cluster-link"') == 1 and "c6" in last and "page 3 of 3" in last
    assert client.get("/?page=99").status_code == 200
    assert client.get("/?page=x").status_code == 200


def test_cluster_creations_per_address_are_limited(client, settings):
    settings.KUBEVIZ_MAX_CREATIONS_PER_HOUR = 2
    settings.KUBEVIZ_OPEN_CLUSTERS = True
    services._creations.clear()
    made = []
    for n in range(3):
        client.cookies.clear()  # a new visitor every time: the per-owner limit does not see it
        made.append(client.post("/", {"name": f"spam {n}", "lesson": "", "workers": 1}, REMOTE_ADDR="10.9.9.9"))
    assert [r.status_code for r in made[:2]] == [302, 302]
    assert made[2].status_code == 403
    assert "KUBEVIZ_MAX_CREATIONS_PER_HOUR=2" in made[2].content.decode()
    assert models.Cluster.objects.filter(name__startswith="spam").count() == 2
    client.cookies.clear()
    other = client.post("/", {"name": "other", "lesson": "", "workers": 1}, REMOTE_ADDR="10.9.9.10")
    assert other.status_code == 302


def test_sockets_per_client_address_are_limited(make_cluster, settings):
    settings.KUBEVIZ_MAX_SOCKETS_PER_ADDRESS = 2
    make_cluster(name="many")
    # Earlier tests may leave communicators they never disconnected (a real socket always runs
    # its disconnect): start the count from nothing.
    consumers._sockets_by_address.clear()

    async def scenario():
        open_ = [await connect("many"), await connect("many")]
        for ws in open_:
            await next_of(ws, "snapshot")
        from channels.testing import WebsocketCommunicator

        from kubeviz.asgi import application

        from .test_consumers import ORIGIN

        third = WebsocketCommunicator(application, "/ws/clusters/many/", headers=ORIGIN)
        connected, _ = await third.connect()
        assert connected
        error = json.loads(await third.receive_from(timeout=5))
        assert error["code"] == "too-many" and "KUBEVIZ_MAX_SOCKETS_PER_ADDRESS" in error["message"]
        assert (await third.receive_output(timeout=5))["code"] == consumers.CLOSE_TOO_MANY
        await open_[0].disconnect()
        fourth = await connect("many")  # one left: room again
        assert (await next_of(fourth, "snapshot"))["type"] == "snapshot"
        await fourth.disconnect()
        await open_[1].disconnect()

    async_to_sync(scenario)()
    assert dict(consumers._sockets_by_address) == {}


def test_resyncs_are_rate_limited_to_one_snapshot_per_interval(make_cluster, settings):
    settings.KUBEVIZ_RESYNC_INTERVAL = 0.5
    make_cluster(name="resyncs")

    async def scenario():
        ws = await connect("resyncs")
        await next_of(ws, "snapshot")
        for _ in range(15):
            await ws.send_to(text_data=json.dumps({"type": "resync"}))
        snapshots = 0
        deadline = time.monotonic() + 2.0  # four intervals: at most one resync now and one later
        while time.monotonic() < deadline:
            if await ws.receive_nothing(timeout=0.1):
                continue
            snapshots += json.loads(await ws.receive_from())["type"] == "snapshot"
        assert snapshots == 2
        await ws.disconnect()

    async_to_sync(scenario)()


class FakeSocket:
    """A socket whose client reads nothing while `backlog` is high."""

    wants_patches = False

    def __init__(self):
        self.backlog = 0
        self.sent: list[str] = []
        self.behind_since = None
        self.resyncs = 0
        self.dropped = False

    def send_backlog(self) -> int:
        return self.backlog

    async def send(self, text_data):
        self.sent.append(text_data)
        self.backlog += len(text_data)

    async def resync_now(self):
        self.resyncs += 1

    def drop_slow(self):
        self.dropped = True


def test_a_slow_reader_is_skipped_then_resynced_or_cut_and_its_buffer_stays_bounded(settings):
    settings.KUBEVIZ_SOCKET_BUFFER_BYTES = 1000
    settings.KUBEVIZ_SLOW_SOCKET_SECONDS = 0.2

    async def scenario():
        relay = fanout._Relay.__new__(fanout._Relay)
        relay.rechecks = set()
        slow, fast = FakeSocket(), FakeSocket()
        for _ in range(50):
            for socket in (slow, fast):
                await relay.deliver(socket, "x" * 100)
            fast.backlog = 0  # this client reads everything
        assert len(fast.sent) == 50
        assert len(slow.sent) == 11 and slow.backlog == 1100  # bounded: nothing more is written
        assert slow.behind_since is not None and not slow.dropped
        slow.backlog = 0  # it reads at last: a snapshot instead of what it missed
        await relay.deliver(slow, "y")
        await asyncio.sleep(0)
        assert slow.resyncs == 1 and slow.sent[-1] == "x" * 100 and slow.behind_since is None
        slow.backlog = 5000  # and stops reading for good
        await relay.deliver(slow, "z")
        await asyncio.sleep(0.3)
        await relay.deliver(slow, "z")
        assert slow.dropped

    async_to_sync(scenario)()
