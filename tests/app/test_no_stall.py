"""No request stalls the others (issue 11): while an apply on cluster A is held inside its
transaction, a client of cluster B connects, gets its snapshot and (where the database locks
rows, not the whole file) applies and gets its reply. The order is what is asserted: A's apply
waits, inside its transaction, until B is answered (or 30 s); were the sockets sharing one
database thread, B could not be served and A would finish first."""

from __future__ import annotations

import asyncio
import json
import threading
import time

import pytest
from asgiref.sync import async_to_sync
from django.db import connection

from simulator import repository

from .test_consumers import POD, connect, next_of

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # SQLite has one write lock for the whole database (and the test database is in memory with
    # table locks): a second cluster's writes wait for the first's there by design. This runs in
    # `make test`'s PostgreSQL pass, the setup for a whole school.
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs a database with row locks"),
]


def test_a_held_apply_on_one_cluster_does_not_stall_another_clusters_sockets(make_cluster, monkeypatch):
    a, _b = make_cluster(name="a"), make_cluster(name="b")
    b_done = threading.Event()
    a_entered = threading.Event()
    write = repository.write_changed_rows

    def held_write(cluster, engine, log):
        if cluster.pk == a.pk:
            a_entered.set()
            b_done.wait(timeout=30)
        return write(cluster, engine, log)

    monkeypatch.setattr(repository, "write_changed_rows", held_write)
    order: list[str] = []

    async def scenario():
        ws_a = await connect("a")
        await next_of(ws_a, "snapshot")
        started = time.perf_counter()
        await ws_a.send_to(text_data=json.dumps({"type": "apply", "id": 1, "yaml": POD % 1}))
        while not a_entered.is_set():
            await asyncio.sleep(0.01)

        async def a_reply():
            reply = await next_of(ws_a, "reply", timeout=60)
            order.append("a")
            return reply

        waiting_a = asyncio.ensure_future(a_reply())
        ws_b = await connect("b")
        await next_of(ws_b, "snapshot")
        await ws_b.send_to(text_data=json.dumps({"type": "apply", "id": 2, "yaml": POD % 2}))
        reply_b = await next_of(ws_b, "reply", timeout=60)
        assert reply_b["ok"] and reply_b["results"] == ["pod/p2 created"]
        order.append("b")
        elapsed = time.perf_counter() - started
        print(
            f"\ncluster B served (connect, snapshot, apply) "
            f"{elapsed * 1000:.0f} ms after A's apply began, while A's was held"
        )
        b_done.set()
        reply_a = await waiting_a
        assert reply_a["ok"] and reply_a["results"] == ["pod/p1 created"]
        await ws_a.disconnect()
        await ws_b.disconnect()

    async_to_sync(scenario)()
    assert order == ["b", "a"]
