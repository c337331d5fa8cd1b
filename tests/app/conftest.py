"""App tests: services, selectors, consumers, with the real database (SQLite, or PostgreSQL when
DATABASE_URL says so) and the real channel layers."""
from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection

from simulator import enginecache, events, selectors, services


@pytest.fixture(autouse=True)
def cold_engines():
    """Each test starts with no warm engine: ids may repeat across rolled-back tests."""
    enginecache.clear()
    yield
    enginecache.clear()


@pytest.fixture
def make_cluster(db):
    def make(lesson: str | None = None, **kwargs):
        name = kwargs.pop("name", lesson or "test")
        return services.cluster_create(name=name, lesson=lesson, **kwargs)
    return make


class Listener:
    """A channel in a cluster's group, reading what the services broadcast (the real layer)."""

    def __init__(self, cluster_id: int):
        self.layer = get_channel_layer()
        self.channel = async_to_sync(self.layer.new_channel)()
        async_to_sync(self.layer.group_add)(events.group_name(cluster_id), self.channel)

    def receive(self) -> dict:
        return async_to_sync(self.layer.receive)(self.channel)

    def drain(self) -> list[dict]:
        out = []
        queue = getattr(self.layer, "channels", {}).get(self.channel)
        while queue is not None and not queue.empty():
            out.append(self.receive())
        return out


@pytest.fixture
def listener():
    return Listener


def fresh_entries(cluster) -> dict:
    """The snapshot as a new worker would build it, from the rows alone."""
    enginecache.clear()
    _version, entries = selectors.cluster_entries(cluster)
    enginecache.clear()
    return entries


def postgres() -> bool:
    return connection.vendor == "postgresql"
