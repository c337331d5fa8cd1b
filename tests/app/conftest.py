"""App tests: services, selectors, consumers, with the real database (SQLite, or PostgreSQL when
DATABASE_URL says so) and the real channel layers."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection

from simulator import lessons, push, repository, selectors, services

from ..course import ZONE_PROD_WEB

WEB = "\n" + ZONE_PROD_WEB  # a pod and the Service that selects it


def edit_sequence(cluster) -> list:
    """Eight edits of a zone-prod cluster touching every family of the live protocol: create,
    relabel out of a Service, delete, Jobs with the clock stepped, another lesson, play, and a
    deleted Service. Each is a call returning the service's outcome."""
    return [
        lambda: services.cluster_apply(cluster=cluster, text=WEB),
        lambda: services.cluster_apply(cluster=cluster, text=WEB.replace("version: v1}}", "version: v2}}", 1)),
        lambda: services.cluster_delete_object(cluster=cluster, kind="Pod", namespace="default", name="prod-2"),
        lambda: services.cluster_apply(cluster=cluster, text=lessons.get("jobs").text),
        lambda: services.cluster_clock(cluster=cluster, action="step", seconds=6),
        lambda: services.cluster_apply(cluster=cluster, text=lessons.get("selector-and").text),
        lambda: services.cluster_clock(cluster=cluster, action="play"),
        lambda: services.cluster_delete_object(cluster=cluster, kind="Service", namespace="default", name="web"),
    ]


@pytest.fixture(autouse=True)
def no_pruning_schedule(settings):
    """The server's pruning schedule stays off in tests (tests/app/test_classroom.py prunes by hand)."""
    settings.KUBEVIZ_PRUNE_EVERY = 0


@pytest.fixture(autouse=True)
def fresh_creation_counts():
    """Cluster creations per address are counted per process (services.check_creation_rate): each
    test starts from none, as every test client comes from the same address."""
    services._creations.clear()


@pytest.fixture(autouse=True)
def cold_engines():
    """Each test starts with no warm engine: ids may repeat across rolled-back tests."""
    repository.clear_warm()
    yield
    repository.clear_warm()


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
        async_to_sync(self.layer.group_add)(push.group_name(cluster_id), self.channel)

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
    repository.clear_warm()
    _version, entries = selectors.cluster_entries(cluster)
    repository.clear_warm()
    return entries


def postgres() -> bool:
    return connection.vendor == "postgresql"
