"""Rows: a `Cluster` (a workspace) and one model per Kubernetes kind.

The database is the source of truth: a cluster's objects (as stored manifests, in creation
order) and its engine state (`Cluster.state`: serial numbers, resourceVersion counter,
simulated clock, IPAM cursors) rebuild the engine exactly (`repository`), on any worker.
Rows only store; every write goes through `simulator.services`.
"""

from __future__ import annotations

import uuid

from django.db import models

KIND_MODELS: dict[str, type[KubeObject]] = {}


class Cluster(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    lesson = models.CharField(
        max_length=100, blank=True, default="", help_text="the lesson bundle this cluster was loaded from, if any"
    )
    version = models.BigIntegerField(default=0, help_text="bumped by every committed change")
    incarnation = models.UUIDField(
        default=uuid.uuid4, editable=False, help_text="tells warm engines of a deleted and re-created row apart"
    )
    settings = models.JSONField(default=dict, help_text="engine settings: workers, load_balancer_pool, ...")
    state = models.JSONField(default=dict, help_text="engine state: serial, rv, clock, ipam")
    running = models.BooleanField(default=False, help_text="the simulated clock is playing")
    ticked_at = models.DateTimeField(null=True, blank=True, help_text="when a ticker last advanced the clock")
    forked_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="forks")
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.slug})"

    @property
    def clock(self) -> float:
        return float((self.state or {}).get("clock", 0.0))


class Presence(models.Model):
    """One open websocket watching a cluster (any worker): the presence count is their number."""

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="watchers")
    channel_name = models.CharField(max_length=200, unique=True)
    user = models.CharField(max_length=150, blank=True, default="")
    joined = models.DateTimeField(auto_now_add=True)
    seen = models.DateTimeField(
        auto_now=True,
        db_index=True,
        help_text="refreshed by the worker holding the socket; stale rows (a worker that died) stop counting",
    )


class KubeObject(models.Model):
    """One stored Kubernetes object: the manifest as the API server stores it, plus the
    fields the admin lists and filters by."""

    KIND = ""

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="+")
    namespace = models.CharField(max_length=253, blank=True, default="", help_text="empty for cluster-scoped kinds")
    name = models.CharField(max_length=253)
    uid = models.CharField(max_length=36)
    resource_version = models.CharField(max_length=20)
    labels = models.JSONField(default=dict, blank=True)
    manifest = models.JSONField()
    seq = models.BigIntegerField(help_text="creation order within the cluster")
    owner_uid = models.CharField(max_length=36, blank=True, default="")
    owner_kind = models.CharField(max_length=30, blank=True, default="")
    owner_name = models.CharField(max_length=253, blank=True, default="")

    class Meta:
        abstract = True
        ordering = ["cluster", "seq"]
        constraints = [
            models.UniqueConstraint(
                fields=["cluster", "namespace", "name"], name="%(app_label)s_%(class)s_unique_name"
            ),
        ]
        indexes = [models.Index(fields=["cluster", "seq"], name="%(app_label)s_%(class)s_seq")]

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.KIND:
            KIND_MODELS[cls.KIND] = cls

    def __str__(self) -> str:
        return f"{self.KIND} {self.namespace}/{self.name}" if self.namespace else f"{self.KIND} {self.name}"


class Namespace(KubeObject):
    KIND = "Namespace"

    class Meta(KubeObject.Meta):
        pass


class Node(KubeObject):
    KIND = "Node"

    class Meta(KubeObject.Meta):
        pass


class Pod(KubeObject):
    KIND = "Pod"

    class Meta(KubeObject.Meta):
        pass


class Deployment(KubeObject):
    KIND = "Deployment"

    class Meta(KubeObject.Meta):
        pass


class ReplicaSet(KubeObject):
    KIND = "ReplicaSet"

    class Meta(KubeObject.Meta):
        pass


class Service(KubeObject):
    KIND = "Service"

    class Meta(KubeObject.Meta):
        pass


class Ingress(KubeObject):
    KIND = "Ingress"

    class Meta(KubeObject.Meta):
        verbose_name_plural = "ingresses"


class Job(KubeObject):
    KIND = "Job"

    class Meta(KubeObject.Meta):
        pass


class DaemonSet(KubeObject):
    KIND = "DaemonSet"

    class Meta(KubeObject.Meta):
        pass
