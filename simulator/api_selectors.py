"""Named reads for the Kubernetes API (issue 16): who a kubeconfig's credential names, and a
cluster's objects as the API serves them, for lists, gets, watches, logs and exec.

Like `selectors`, each read answers one question and hands out no engine: the API's delivery
(`simulator.web.apiserver`, `simulator.realtime.apiexec`) gets plain manifests, Tables' inputs,
watch changes and an exec sandbox. The engine's objects become API objects through
`kubeapi.served` (the one translation), shifted onto the wall clock where kubectl computes ages
itself (`kubeapi.retime`).

Per worker and per cluster, a `Feed` per watched kind keeps the served objects of the last
version it saw and the changes between versions (`kubeapi.watch.History`): every watcher of a
kind on this worker shares one diff per change. Every object the API serves is the engine's
(ConfigMaps, Secrets, ServiceAccounts and IngressClasses included: stored in rows like the
rest), so what a worker keeps here is a cache only: it is dropped when its cluster is deleted
on this worker (`repository.on_drop`) and when it has not been used for `CACHE_IDLE_SECONDS`
(`prune`, run now and then as caches are asked for).
"""

from __future__ import annotations

import datetime
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model

from . import permissions, repository
from .kubeapi import engine_port, events, kubeconfig, objects, printers, retime, sandbox, served, shell, watch
from .models import Cluster, Student

ANONYMOUS_USER = "system:anonymous"
FEED_CAPACITY = 2000
CACHE_IDLE_SECONDS = 900.0  # a cluster's API cache unused this long is dropped (`prune`)
PRUNE_EVERY_SECONDS = 60.0  # how often asking for a cache looks for idle ones


class Unauthorized(LookupError):
    """A credential this server did not make (or for a cluster that no longer exists)."""


@dataclass(frozen=True)
class Caller:
    """Who asks through the API, about which cluster. `user` is their name as the API server
    words it (`Forbidden` messages, managedFields)."""

    cluster: Cluster
    actor: permissions.Actor
    user: str


# ---------------------------------------------------------------------- identity
def _secret() -> str:
    return settings.SECRET_KEY


def actor_for_principal(principal: str) -> tuple[permissions.Actor, str]:
    """The actor a token's user part names: `user:<username>`, `student:<id>`,
    `visitor:<browser key>` or `anonymous`."""
    kind, _, value = principal.partition(":")
    if kind == "user":
        user = get_user_model().objects.filter(username=value, is_active=True).first()
        if user is None:
            raise Unauthorized(f"user {value} no longer exists")
        return permissions.actor_for(user, {}), user.get_username()
    if kind == "student" and value.isdigit():
        student = Student.objects.filter(pk=int(value)).first()
        if student is None:
            raise Unauthorized("that student no longer exists")
        actor = permissions.Actor(name=student.display_name, student_ids=frozenset({student.pk}))
        return actor, f"student:{student.display_name}"
    if kind == "visitor" and value:
        return permissions.Actor(visitor=value), "visitor"
    return permissions.ANONYMOUS, ANONYMOUS_USER


def identify(credential: str, bearer: str | None = None) -> Caller:
    """The caller of `/k8s/<credential>/...`: a token made by `kubeconfig_for` (http), or a
    cluster's slug with the token as a bearer token (https) or none (anonymous)."""
    slug = None
    try:
        identity = kubeconfig.read_token(_secret(), credential)
    except kubeconfig.BadToken:
        identity = None
        slug = credential
    if identity is None and bearer:
        try:
            identity = kubeconfig.read_token(_secret(), bearer)
        except kubeconfig.BadToken:
            raise Unauthorized("the bearer token was not made by this server") from None
        if identity.cluster != slug:
            raise Unauthorized("the bearer token is for another cluster")
    cluster_slug = identity.cluster if identity is not None else slug
    cluster = Cluster.objects.filter(slug=cluster_slug).first()
    if cluster is None:
        if identity is None and "." in credential:
            raise Unauthorized("the credential was not made by this server")
        raise Unauthorized(f"no cluster {cluster_slug}")
    if identity is None:
        return Caller(cluster, permissions.ANONYMOUS, ANONYMOUS_USER)
    actor, user = actor_for_principal(identity.user)
    return Caller(cluster, actor, user)


def principal_of(actor: permissions.Actor, student_id: int | None = None) -> str:
    """What a token records about the actor it is made for (see `actor_for_principal`)."""
    if actor.user_id is not None:
        username = get_user_model().objects.filter(pk=actor.user_id).values_list("username", flat=True).first()
        return f"user:{username}"
    if student_id is not None:
        return f"student:{student_id}"
    if actor.visitor:
        return f"visitor:{actor.visitor}"
    return "anonymous"


def kubeconfig_for(cluster: Cluster, principal: str, base: str, *, label: str | None = None) -> str:
    """A kubeconfig for `principal` (see `principal_of`) on `cluster`, served from `base`."""
    token = kubeconfig.make_token(_secret(), cluster.slug, principal)
    name = _dns_name(label or principal.partition(":")[2] or principal)
    return kubeconfig.render(base=base, cluster=_dns_name(cluster.slug), user=name, token=token)


def _dns_name(text: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "-_." else "-" for c in text.lower()).strip("-_.")
    return cleaned[:60] or "user"


# ---------------------------------------------------------------------- reads
class _Cache:
    """What this worker keeps beside a cluster's warm engine for the API."""

    def __init__(self, now: float) -> None:
        self.served = served.ServedCache()
        self.feeds: dict[str, Feed] = {}
        self.rows = printers.RowCache()
        self.used = now


_caches: dict[tuple, _Cache] = {}
_lock = threading.Lock()
_last_prune = [0.0]


def _cache(cluster: Cluster) -> _Cache:
    """This worker's API cache of a cluster (by id and incarnation: a deleted and re-created
    row with the same id starts afresh, as its warm engine does)."""
    key = repository.warm_key(cluster)
    now = time.monotonic()
    with _lock:
        found = _caches.get(key)
        if found is None:
            found = _caches[key] = _Cache(now)
        found.used = now
        due = now - _last_prune[0] >= PRUNE_EVERY_SECONDS
    if due:
        prune(now)
    return found


def row_cache(cluster: Cluster) -> printers.RowCache:
    """The Table rows this worker keeps for a cluster's objects (dropped with its cache)."""
    return _cache(cluster).rows


def cached_clusters() -> list[tuple]:
    """The (cluster id, incarnation) keys this worker keeps an API cache for."""
    with _lock:
        return list(_caches)


def forget(key: tuple) -> None:
    """Drop this worker's API cache of a cluster (it was deleted, or its warm engine dropped)."""
    with _lock:
        _caches.pop(key, None)


def prune(now: float | None = None) -> list[tuple]:
    """Drop the caches of clusters nobody asked the API about for CACHE_IDLE_SECONDS (a deleted
    cluster's among them, whichever worker deleted it). Returns the keys dropped."""
    now = time.monotonic() if now is None else now
    with _lock:
        _last_prune[0] = now
        idle = [key for key, cache in _caches.items() if now - cache.used >= CACHE_IDLE_SECONDS]
        for key in idle:
            del _caches[key]
    return idle


repository.on_drop(forget)


@dataclass
class Snapshot:
    """A cluster's API objects of one kind at one version: `now` is the engine clock (Tables'
    AGE), `offset` the seconds from it to the wall clock (`wall` shifts an object's times)."""

    version: int
    resource_version: str
    now: datetime.datetime
    offset: float
    items: list[dict]

    def wall(self, kind: str, obj: dict) -> dict:
        return retime.shift(kind, obj, self.offset)


def _offset(engine) -> float:
    return (datetime.datetime.now(datetime.UTC) - engine_port.now(engine)).total_seconds()


def _engine_rv(engine) -> str:
    return str(engine.state.get("rv", 0))


def _events(engine, cache: served.ServedCache) -> list[dict]:
    """The Events controllers and kubelet would have recorded, from the objects as they are."""
    out: list[dict] = []
    pods = served.served(engine, "Pod", cache)
    for pod in pods:
        meta, spec = pod["metadata"], pod.get("spec") or {}
        when = meta.get("creationTimestamp", "")
        texts = []
        node = spec.get("nodeName")
        if node:
            texts.append(events.scheduled(meta.get("namespace", ""), meta["name"], node))
            statuses = {c.get("name"): c for c in (pod.get("status") or {}).get("containerStatuses") or ()}
            for container in spec.get("containers") or ():
                state = (statuses.get(container.get("name")) or {}).get("state") or {}
                if state.get("running") or state.get("terminated"):
                    texts += events.container_started(container.get("name", ""), container.get("image", ""))
        else:
            conditions = (pod.get("status") or {}).get("conditions") or ()
            message = next((c.get("message") for c in conditions if c.get("reason") == "Unschedulable"), None)
            if message:
                texts.append(events.failed_scheduling(message))
        out += objects.events_for(pod, texts, when)
        owner = next((r for r in meta.get("ownerReferences") or () if r.get("controller")), None)
        if owner is not None:
            controller = {"ReplicaSet": "replicaset-controller", "Job": "job-controller"}.get(
                owner.get("kind"), "daemonset-controller"
            )
            involved = {
                "kind": owner.get("kind"),
                "apiVersion": owner.get("apiVersion"),
                "metadata": {"name": owner.get("name"), "namespace": meta.get("namespace"), "uid": owner.get("uid")},
            }
            out += objects.events_for(
                involved, [events.created_pod(meta["name"], controller)], when, first_index=_stable_index(meta["uid"])
            )
    for rs in served.served(engine, "ReplicaSet", cache):
        meta = rs["metadata"]
        owner = next((r for r in meta.get("ownerReferences") or () if r.get("kind") == "Deployment"), None)
        replicas = (rs.get("spec") or {}).get("replicas", 1)
        if owner is None or not replicas:
            continue
        involved = {
            "kind": "Deployment",
            "apiVersion": "apps/v1",
            "metadata": {"name": owner.get("name"), "namespace": meta.get("namespace"), "uid": owner.get("uid")},
        }
        out += objects.events_for(
            involved,
            [events.scaled_replica_set(meta["name"], 0, replicas)],
            meta.get("creationTimestamp", ""),
            first_index=_stable_index(meta["uid"]),
        )
    return out


def _stable_index(uid: str) -> int:
    """A number of its own for each owner's events, the same in every worker and run."""
    return zlib.crc32(uid.encode()) % 100_000


def _items(engine, cache: _Cache, kind: str) -> list[dict]:
    if kind == "Event":
        return _events(engine, cache.served)
    return served.served(engine, kind, cache.served)


def snapshot(cluster: Cluster, kind: str, only: tuple[str | None, str] | None = None) -> Snapshot:
    """Every object of `kind` the cluster serves, at its current version; with `only`
    (namespace, name), just that one object when the engine holds the kind (a named get)."""
    row, warm = repository.warm_for_read(cluster)
    engine = warm.engine
    cache = _cache(row)
    if only is not None and kind in served.ENGINE_KINDS:
        obj = engine_port.get(engine, kind, only[0] or "", only[1])
        if obj is None:
            items = []
        elif kind in served.SELF_CONTAINED:
            items = [cache.served.get(engine, obj)]
        else:
            items = [served.serve_object(engine, obj)]
        return Snapshot(row.version, _engine_rv(engine), engine_port.now(engine), _offset(engine), items)
    items = _items(engine, cache, kind)
    feed = cache.feeds.get(kind)
    if feed is None:
        # A list is how a watch starts (`kubectl get -w`: list, then watch from its
        # resourceVersion): the feed keeps changes from here on, so that watch finds them.
        cache.feeds[kind] = Feed(kind, row.version, _engine_rv(engine), items)
    else:
        feed.update(row.version, _engine_rv(engine), items)
    return Snapshot(row.version, _engine_rv(engine), engine_port.now(engine), _offset(engine), items)


def find(snap: Snapshot, namespace: str | None, name: str) -> dict | None:
    for obj in snap.items:
        meta = obj.get("metadata") or {}
        if meta.get("name") == name and (namespace is None or meta.get("namespace") == namespace):
            return obj
    return None


def raw_object(cluster: Cluster, kind: str, namespace: str, name: str) -> dict | None:
    """The engine's stored manifest of an object (with its own bookkeeping annotations), for a
    write that must keep them."""
    _row, warm = repository.warm_for_read(cluster)
    obj = engine_port.get(warm.engine, kind, namespace or "", name)
    return obj.manifest if obj is not None else None


# ---------------------------------------------------------------------- watches
class Feed:
    """One kind of one cluster as watches see it on this worker: the served objects at the
    last version seen, and the changes since (one diff per version, shared by every watcher)."""

    def __init__(self, kind: str, version: int, resource_version: str, items: list[dict]):
        self.kind = kind
        self.version = version
        self.objects = {_key(o): o for o in items}
        self.history = watch.History(FEED_CAPACITY, oldest=int(resource_version))
        self.resource_version = int(resource_version)

    def update(self, version: int, resource_version: str, items: list[dict]) -> None:
        if version <= self.version:
            return
        rv = max(int(resource_version), self.resource_version)
        now = {_key(o): o for o in items}
        before = self.objects
        for key, obj in now.items():
            old = before.get(key)
            if old is None:
                self.history.record(watch.Change(rv, self.kind, None, obj))
            elif old is not obj and old != obj:
                self.history.record(watch.Change(rv, self.kind, old, obj))
        for key, old in before.items():
            if key not in now:
                gone = {**old, "metadata": {**old["metadata"], "resourceVersion": str(rv)}}
                self.history.record(watch.Change(rv, self.kind, gone, None))
        self.objects, self.version, self.resource_version = now, version, rv


def _key(obj: dict) -> tuple[str, str]:
    meta = obj.get("metadata") or {}
    return meta.get("namespace", ""), meta.get("name", "")


@dataclass
class WatchStart:
    events: list[watch.Event]
    resource_version: int
    now: datetime.datetime
    offset: float


def watch_start(
    cluster: Cluster, kind: str, api_version: str, since: int | None, matches: Callable[[dict], bool], streaming: bool
) -> WatchStart:
    """The first events of a watch from `since` (None: the current objects as ADDED)."""
    snap = snapshot(cluster, kind)
    cache = _cache(cluster)
    feed = cache.feeds.get(kind)
    if feed is None:
        feed = cache.feeds[kind] = Feed(kind, snap.version, snap.resource_version, snap.items)
    current = [o for o in snap.items if matches(o)]
    if streaming:
        events_ = watch.streaming_list_events(kind, api_version, current, feed.resource_version)
    elif since is None:
        events_ = watch.initial_events(current)
    else:
        changes = feed.history.since(since)
        events_ = [e for e in (watch.filter_change(c, matches) for c in changes) if e is not None]
    return WatchStart(events_, feed.resource_version, snap.now, snap.offset)


def watch_next(cluster: Cluster, kind: str, seen: int, matches: Callable[[dict], bool]) -> WatchStart:
    """The events of the changes after `seen` (the watcher's last resourceVersion). The first
    watcher of this worker to ask after a change brings the feed up to date; the others read it."""
    row, warm = repository.warm_for_read(cluster)
    engine = warm.engine
    cache = _cache(row)
    feed = cache.feeds[kind]
    if feed.version < row.version:
        feed.update(row.version, _engine_rv(engine), _items(engine, cache, kind))
    changes = feed.history.since(seen)
    events_ = [e for e in (watch.filter_change(c, matches) for c in changes) if e is not None]
    return WatchStart(events_, feed.resource_version, engine_port.now(engine), _offset(engine))


# ---------------------------------------------------------------------- pods from inside
def exec_sandbox(cluster: Cluster, namespace: str, pod: str, container: str | None) -> shell.Sandbox | str:
    """The sandbox `kubectl exec` runs commands in, or why it cannot (the API server's words)."""
    _row, warm = repository.warm_for_read(cluster)
    obj = engine_port.get(warm.engine, "Pod", namespace, pod)
    if obj is None:
        return f'pods "{pod}" not found'
    names = [c.get("name") for c in (obj.manifest.get("spec") or {}).get("containers") or ()]
    if container and container not in names:
        return f"container {container} is not valid for pod {pod}"
    if obj.phase != "Running":
        return f"unable to upgrade connection: container not found ({pod})"
    return sandbox.sandbox_for(warm.engine, obj, container)
