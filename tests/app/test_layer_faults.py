"""Honest failures around the channel layer (issue 11): a committed edit is acknowledged as
committed even when its broadcast fails; a relay cut off from the layer joins its group again
(waiting a little longer after each failure) and gives its sockets a fresh snapshot unasked."""

from __future__ import annotations

import asyncio
import json

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from simulator import models, services
from simulator.realtime import fanout

from .test_consumers import POD, connect, next_of

pytestmark = pytest.mark.django_db(transaction=True)


class Away(ConnectionError):
    pass


def test_a_committed_edit_is_acknowledged_even_when_its_broadcast_fails(make_cluster, monkeypatch, caplog):
    cluster = make_cluster(name="nobroadcast")
    layer = get_channel_layer()

    async def group_send(group, message):
        raise Away("Redis is away")

    monkeypatch.setattr(layer, "group_send", group_send)
    outcome = services.cluster_apply(cluster=cluster, text=POD % 1)
    assert outcome.ok and outcome.changed and outcome.results == ["pod/p1 created"]
    assert models.Pod.objects.filter(cluster=cluster, name="p1").exists()
    assert models.Cluster.objects.get(pk=cluster.pk).version == outcome.version
    assert "its watchers will resync" in caplog.text


def test_a_relay_cut_off_from_the_layer_joins_again_and_resyncs_its_sockets(make_cluster, monkeypatch):
    make_cluster(name="outage")
    layer = get_channel_layer()
    real_receive, real_group_add = layer.receive, layer.group_add
    outage = {"failing": None, "group_add_failures": 0, "group_adds": 0}
    monkeypatch.setattr(fanout, "REJOIN_FIRST", 0.05)

    async def receive(channel):
        if outage["failing"] is None:
            outage["failing"] = asyncio.Event()
        get = asyncio.ensure_future(real_receive(channel))
        fail = asyncio.ensure_future(outage["failing"].wait())
        done, _ = await asyncio.wait({get, fail}, return_when=asyncio.FIRST_COMPLETED)
        if get in done:
            fail.cancel()
            return get.result()
        get.cancel()
        outage["failing"] = None
        raise Away("Redis is away")

    async def group_add(group, channel):
        outage["group_adds"] += 1
        if outage["group_add_failures"]:
            outage["group_add_failures"] -= 1
            raise Away("Redis is still away")
        return await real_group_add(group, channel)

    monkeypatch.setattr(layer, "receive", receive)
    monkeypatch.setattr(layer, "group_add", group_add)

    async def scenario():
        watcher = await connect("outage")
        first = await next_of(watcher, "snapshot")
        editor = await connect("outage")
        await next_of(editor, "snapshot")
        # Redis restarts: it forgets every group, and the relay's receive fails; the first two
        # attempts to join again fail too.
        await layer.flush()
        outage["group_add_failures"] = 2
        adds_before = outage["group_adds"]
        outage["failing"].set()
        again = await next_of(watcher, "snapshot", timeout=10)  # unasked
        assert again["version"] == first["version"]
        assert outage["group_adds"] - adds_before == 3
        await editor.send_to(text_data=json.dumps({"type": "apply", "id": 1, "yaml": POD % 1}))
        assert (await next_of(editor, "reply"))["ok"]
        change = await next_of(watcher, "change", timeout=10)  # back in the group
        assert change["version"] == first["version"] + 1
        await watcher.disconnect()
        await editor.disconnect()

    async_to_sync(scenario)()
