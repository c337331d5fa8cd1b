"""The only ways a cluster's state changes (HackSoft's services: `<entity>_<action>(*, kw)`).

Every write (`_mutate`, the one write path): one `transaction.atomic()`, the cluster row locked
(`select_for_update`), the engine taken warm from this worker's cache at the same version or
restored from the rows (`repository`), the change applied, only the changed rows written,
`Cluster.version` bumped, the live entries it touched derived (`live.changes`), and one push
scheduled with `transaction.on_commit`: ONE `group_send` of a change serialised once (`push`).
Reads live in `selectors`; who is watching, in `presence`; classes and students, in `classrooms`.
Who may call which is decided before, by `permissions.decide` (delivery asks it).
"""

from __future__ import annotations

import datetime
import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from . import lessons, permissions, progress, push, repository, selectors, spotlight
from .engine import ApplyResult, ChangeLog, ClusterSettings, Engine, parse_input
from .engine.controllers.endpoints import endpoints_for_service
from .live import keys, payloads
from .live.changes import changed_entries
from .live.entries import meta_entry, object_entry, public_manifest, state_entries
from .models import KIND_MODELS, Classroom, Cluster, ConsoleLine, Presence, Student

TICK_SECONDS = 1.0
MAX_TICK_ADVANCE = 5.0
_MISSING = object()


class ServiceError(Exception):
    """A request the services refuse (unknown cluster, bad argument), worded for the user."""


class LimitReached(ServiceError):
    """A limit of the server (a setting) would be passed; the message names it and its setting."""


@dataclass
class ApplyOutcome:
    ok: bool
    version: int
    errors: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    results: list[str] = field(default_factory=list)
    diff: dict | None = None
    conflict: dict | None = None
    changed: bool = False

    def to_reply(self) -> dict:
        out: dict[str, Any] = {
            "ok": self.ok,
            "version": self.version,
            "errors": self.errors,
            "warnings": self.warnings,
            "results": self.results,
        }
        if self.diff is not None:
            out["diff"] = self.diff
        if self.conflict is not None:
            out["conflict"] = self.conflict
        return out


def user_name(user) -> str:
    """Who did it, as a change's `cause` and the presence rows name them: a user, or an actor
    (`permissions.Actor`: a student by their display name)."""
    if isinstance(user, permissions.Actor):
        return user.name
    if user is None or not getattr(user, "is_authenticated", False):
        return "anonymous"
    return user.get_username()


def _lock(cluster: Cluster | int, *, skip_locked: bool = False) -> Cluster | None:
    pk = cluster.pk if isinstance(cluster, Cluster) else cluster
    query = Cluster.objects.select_for_update(
        skip_locked=skip_locked and connection.features.has_select_for_update_skip_locked
    )
    if skip_locked:
        return query.filter(pk=pk).first()
    try:
        return query.get(pk=pk)
    except Cluster.DoesNotExist:
        raise ServiceError(f"cluster {pk} does not exist") from None


def _commit(cluster: Cluster, warm: repository.Warm, log: ChangeLog, cause: dict) -> int:
    """Persist a change the engine made and schedule its one push. Returns the new version."""
    engine = warm.engine
    repository.write_changed_rows(cluster, engine, log)
    set_, unset = changed_entries(engine, log)
    return _publish(cluster, warm, set_, unset, cause)


def _publish(cluster: Cluster, warm: repository.Warm, set_: dict, unset: list, cause: dict) -> int:
    """Bump the version, bring the warm entries up to it, and schedule the one push of what
    changed (`set_`, `unset`). The rows are written already. Returns the new version."""
    engine = warm.engine
    entries = warm.entries
    set_ = {k: v for k, v in set_.items() if entries.get(k, _MISSING) != v}
    unset = [k for k in unset if k in entries]
    cluster.state = engine.state
    cluster.version += 1
    cluster.last_activity = timezone.now()
    cluster.save(update_fields=["state", "version", "running", "ticked_at", "last_activity", "updated"])
    # A lesson with steps: its current step's goals, re-evaluated on this version (issue 15).
    progress.progress_after_change(cluster=cluster, engine=engine)
    # A spotlighted sandbox (or the projected cluster it is compared with): the class's spotlight, live.
    spotlight.spotlight_after_change(cluster=cluster)
    set_["meta"] = meta_entry(cluster)
    full, patch = payloads.split_patches(entries, set_)
    for key in unset:
        entries.pop(key, None)
    entries.update(set_)
    # Serialised once per protocol variant: whole entries for every client, and merge patches
    # for clients that apply them (docs/protocol.md).
    text = payloads.change_text(cluster.version, set_, unset, cause)
    patched_text = payloads.change_text(cluster.version, full, unset, cause, patch) if patch else None
    warm.version = cluster.version
    key, version, cluster_id = repository.warm_key(cluster), cluster.version, cluster.pk

    def after_commit() -> None:
        repository.put_warm(key, warm)  # first: a client answering the change finds it warm
        push.change(cluster_id, version, text, patched_text)

    transaction.on_commit(after_commit)
    return cluster.version


def _restore_unchanged(cluster: Cluster, warm: repository.Warm) -> None:
    """Nothing changed: the engine is still good for this version."""
    key = repository.warm_key(cluster)
    transaction.on_commit(lambda: repository.put_warm(key, warm))


# ---------------------------------------------------------------------- create, fork
def _unique_slug(base: str) -> str:
    base = slugify(base)[:80] or "cluster"
    slug, n = base, 2
    while Cluster.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _check_owner_limit(*, owner_user_id: int | None = None, owner_session: str = "") -> None:
    """Clusters per user or browser (KUBEVIZ_MAX_CLUSTERS_PER_OWNER); a class's clusters do not count."""
    if owner_user_id is None and not owner_session:
        return
    limit = django_settings.KUBEVIZ_MAX_CLUSTERS_PER_OWNER
    owned = Cluster.objects.filter(classroom__isnull=True)
    if owner_user_id is not None:
        owned = owned.filter(owner_user_id=owner_user_id)
    else:
        owned = owned.filter(owner_session=owner_session)
    if owned.count() >= limit:
        raise LimitReached(
            f"you have {limit} clusters, the most one person may have (KUBEVIZ_MAX_CLUSTERS_PER_OWNER={limit}): "
            "delete one first"
        )


def check_creation_rate(*, address: str) -> None:
    """Clusters made from one client address in the last hour, counted by this server process
    (KUBEVIZ_MAX_CREATIONS_PER_HOUR): a visitor without cookies is a new owner every time, so the
    per-owner limit alone does not bound them."""
    limit = django_settings.KUBEVIZ_MAX_CREATIONS_PER_HOUR
    now = timezone.now().timestamp()
    stamps = [t for t in _creations.get(address, []) if now - t < 3600]
    if len(stamps) >= limit:
        _creations[address] = stamps
        raise LimitReached(
            f"{limit} clusters were made from your address in the last hour, the most allowed "
            f"(KUBEVIZ_MAX_CREATIONS_PER_HOUR={limit}): try again later"
        )
    stamps.append(now)
    _creations[address] = stamps
    if len(_creations) > 10_000:  # forget the addresses seen least recently
        for key in list(_creations)[:5_000]:
            _creations.pop(key, None)


_creations: dict[str, list[float]] = {}


def _check_sandbox_limit(classroom: Classroom) -> None:
    limit = django_settings.KUBEVIZ_MAX_SANDBOXES_PER_CLASS
    current = Cluster.objects.filter(classroom=classroom, role=Cluster.SANDBOX, owner_student__removed=False)
    if current.count() >= limit:
        raise LimitReached(
            f"this class has {limit} sandboxes, its limit (KUBEVIZ_MAX_SANDBOXES_PER_CLASS={limit}): "
            "ask the instructor to remove students who left"
        )


def _lesson_engine(cluster: Cluster, lesson: str | None) -> Engine:
    """A fresh engine with the cluster's settings and the lesson applied, its controllers run."""
    engine = repository.new_engine(cluster)
    if lesson:
        result = engine.apply_text(lessons.get(lesson).text, atomic=True)
        if result.errors:
            raise ServiceError(f"lesson {lesson!r} does not apply: {result.errors[0]}")
    engine.reconcile()  # the controllers start: CoreDNS's ReplicaSet and pods
    engine.pop_change_log()
    return engine


def cluster_create(
    *,
    name: str,
    slug: str | None = None,
    lesson: str | None = None,
    workers: int = 2,
    load_balancer_pool: str | None = None,
    user=None,
    role: str = Cluster.OPEN,
    owner_user_id: int | None = None,
    owner_session: str = "",
    classroom: Classroom | None = None,
    public_read: bool = False,
) -> Cluster:
    """A new cluster (default namespaces, nodes, kubernetes and kube-dns), optionally with a lesson
    loaded, with its role and owner (`permissions` reads them)."""
    settings = ClusterSettings(workers=workers, load_balancer_pool=load_balancer_pool)
    if lesson:
        lessons.get(lesson)  # an unknown lesson is refused before anything is made
    with transaction.atomic():
        if classroom is None:
            _check_owner_limit(owner_user_id=owner_user_id, owner_session=owner_session)
        cluster = Cluster.objects.create(
            name=name,
            slug=slug or _unique_slug(name),
            lesson=lesson or "",
            settings=settings.to_dict(),
            state={},
            version=0,
            role=role,
            owner_user_id=owner_user_id,
            owner_session=owner_session,
            classroom=classroom,
            public_read=public_read,
        )
        engine = _lesson_engine(cluster, lesson)
        repository.write_all_rows(cluster, engine)
        cluster.state = engine.state
        cluster.version = 1
        cluster.save(update_fields=["state", "version"])
        if role == Cluster.PROJECTED:  # a class's copies start from it at once: keep it warm
            warm = repository.Warm(cluster.version, engine, {**state_entries(engine), "meta": meta_entry(cluster)})
            key = repository.warm_key(cluster)
            transaction.on_commit(lambda: repository.put_warm(key, warm))
    return cluster


def cluster_fork(
    *,
    cluster: Cluster,
    name: str | None = None,
    slug: str | None = None,
    user=None,
    role: str = Cluster.SANDBOX,
    owner_user_id: int | None = None,
    owner_session: str = "",
    owner_student: Student | None = None,
    classroom: Classroom | None = None,
) -> Cluster:
    """A copy of a cluster as it is now: its objects and its engine state at its current version,
    copied from the warm engine (nothing of the lesson is re-run). The copy is warm at once."""
    source, warm = repository.warm_for_read(cluster)
    engine = warm.engine.copy()
    entries = dict(warm.entries)
    with transaction.atomic():
        if classroom is None:
            _check_owner_limit(owner_user_id=owner_user_id, owner_session=owner_session)
        elif role == Cluster.SANDBOX:
            _check_sandbox_limit(classroom)
        name = name or f"{source.name} (fork)"
        fork = Cluster.objects.create(
            name=name,
            slug=slug or _unique_slug(name),
            lesson=source.lesson,
            settings=source.settings,
            state=engine.state,
            version=1,
            forked_from=source,
            role=role,
            owner_user_id=owner_user_id,
            owner_session=owner_session,
            owner_student=owner_student,
            classroom=classroom,
        )
        repository.write_all_rows(fork, engine)
        entries["meta"] = meta_entry(fork)
        key, copy = repository.warm_key(fork), repository.Warm(fork.version, engine, entries)
        transaction.on_commit(lambda: repository.put_warm(key, copy))
    return fork


def cluster_replace(*, cluster: Cluster, engine: Engine, user=None, summary: str) -> int:
    """Replace everything a cluster holds with `engine`'s objects and state (a reset): one write,
    pushed as one change of exactly the entries that differ. Returns the new version."""
    with transaction.atomic():
        row = _lock(cluster)
        warm = repository.warm_for_write(row)
        repository.delete_all_rows(row)
        repository.write_all_rows(row, engine)
        new_entries = state_entries(engine)
        unset = [k for k in warm.entries if k != "meta" and k not in new_entries]
        warm.engine = engine
        row.running = False
        version = _publish(row, warm, new_entries, unset, {"user": user_name(user), "summary": [summary]})
    cluster.version = version
    return version


def cluster_reset(*, cluster: Cluster, to: str, user=None) -> int:
    """A sandbox back to its lesson's start (`to="lesson"`), or to the current state of the
    cluster it was copied from (`to="source"`: a class's projected cluster, for a student)."""
    row = Cluster.objects.get(pk=cluster.pk)
    if to == "lesson":
        engine = _lesson_engine(row, row.lesson or None)
        what = f"reset to the start of {row.lesson}" if row.lesson else "reset to an empty cluster"
        progress.progress_restart(cluster=row)  # a lesson with steps starts again at step 1
    elif to == "source":
        source = _reset_source(row)
        _source_row, warm = repository.warm_for_read(source)
        engine = warm.engine.copy()
        what = f"reset to the state of {source.name}"
    else:
        raise ServiceError(f"reset to {to!r}? use lesson or source")
    version = cluster_replace(cluster=row, engine=engine, user=user, summary=what)
    cluster.version = version
    return version


def _reset_source(row: Cluster) -> Cluster:
    if row.classroom_id is not None:
        projected = Cluster.objects.filter(projected_for__pk=row.classroom_id).first()
        if projected is None:
            raise ServiceError("this class has no projected cluster to copy")
        return projected
    if row.forked_from_id is None:
        raise ServiceError("this cluster was not copied from another one")
    return Cluster.objects.get(pk=row.forked_from_id)


def cluster_set_public_read(*, cluster: Cluster, public_read: bool) -> Cluster:
    """Anyone with the link may watch the cluster (or no longer). Watchers who may no longer
    read it are told on commit (`push.access`)."""
    with transaction.atomic():
        row = _lock(cluster)
        row.public_read = public_read
        row.save(update_fields=["public_read", "updated"])
        cluster_id = row.pk
        transaction.on_commit(lambda: push.access([cluster_id]))
    return row


def cluster_delete(*, cluster: Cluster) -> None:
    """Delete a cluster and everything in it; its watchers are told on commit."""
    with transaction.atomic():
        row = _lock(cluster)
        key, cluster_id = repository.warm_key(row), row.pk
        spotlight.spotlight_before_delete(cluster=row)  # a class watching it sees the spotlight end
        row.delete()

        def after_commit() -> None:
            repository.drop_warm(key)
            push.access([cluster_id])

        transaction.on_commit(after_commit)


def clusters_prune(*, now: datetime.datetime | None = None) -> list[str]:
    """Delete the sandboxes self-learners made without an account (owned by a browser, in no
    class) that nobody has changed or watched for KUBEVIZ_SANDBOX_IDLE seconds. Returns their slugs."""
    now = now or timezone.now()
    idle_since = now - datetime.timedelta(seconds=django_settings.KUBEVIZ_SANDBOX_IDLE)
    watched = Presence.objects.filter(seen__gte=now - selectors.PRESENCE_TTL).values("cluster_id")
    idle = Cluster.objects.filter(
        Q(role=Cluster.SANDBOX, classroom__isnull=True) & ~Q(owner_session=""),
        last_activity__lt=idle_since,
    ).exclude(pk__in=watched)
    slugs = []
    for cluster in idle:
        cluster_delete(cluster=cluster)
        slugs.append(cluster.slug)
    return slugs


# ---------------------------------------------------------------------- apply, delete
def _parse_key(key: str) -> tuple[str, str, str]:
    parts = key.split("/")
    if len(parts) == 2:
        return parts[0], "", parts[1]
    if len(parts) != 3:
        raise ServiceError(f"baseResourceVersion key {key!r} must be Kind/namespace/name")
    kind, namespace, name = parts
    return kind, "" if namespace == "-" else namespace, name


class _SeenSince:
    """A base version meaning "as it was at the cluster's resourceVersion N": the object may not
    have been written after N (absent then and now is fine too)."""

    def __init__(self, seen: int):
        self.seen = seen

    def versions(self, keys: list[str]) -> dict:
        return dict.fromkeys(keys, self)

    def stale(self, current: str | None) -> bool:
        return current is not None and int(current) > self.seen

    def __str__(self) -> str:
        return str(self.seen)


def _conflict(engine: Engine, base_versions: dict | None) -> dict | None:
    for key, base in (base_versions or {}).items():
        kind, namespace, name = _parse_key(key)
        obj = engine.get(kind, namespace, name) if kind in KIND_MODELS else None
        current = obj.resource_version if obj is not None else None
        if isinstance(base, _SeenSince):
            stale = base.stale(current)
            base = str(base)
        else:
            stale = (str(base) if base is not None else None) != current
        if stale:
            return {
                "key": key,
                "baseResourceVersion": base,
                "resourceVersion": current,
                "current": object_entry(obj) if obj is not None else None,
                "message": (
                    f"the object has been modified since you loaded it (resourceVersion {base}, "
                    f"now {current or 'deleted'}); your text is kept: review the current "
                    "object, then apply again"
                ),
            }
    return None


def _result_dict(result: ApplyResult) -> dict:
    return {
        "errors": [d.to_dict() for d in result.errors],
        "warnings": [d.to_dict(with_field=False) for d in result.warnings],
        "results": result.lines(),
    }


def _endpoint_set(engine: Engine, namespace: str, name: str) -> set[str]:
    svc = engine.get("Service", namespace, name)
    if svc is None:
        return set()
    return {
        f"{e.ip}:{e.port}" + (f" ({e.pod})" if e.pod else "") + ("" if e.ready else " not ready")
        for e in endpoints_for_service(engine, svc)
    }


def _manifest_yaml(obj) -> list[str]:
    """The object as the preview diffs it: without the fields only the server writes and that
    change with every write (like kubectl diff, which is about what the user changes)."""
    manifest = public_manifest(obj.manifest)
    meta = {
        k: v
        for k, v in (manifest.get("metadata") or {}).items()
        if k not in ("resourceVersion", "uid", "creationTimestamp", "generation")
    }
    manifest = {**manifest, "metadata": meta}
    return yaml.safe_dump(manifest, sort_keys=False).splitlines(keepends=True)


def _dry_run_diff(engine: Engine, preview: Engine, log: ChangeLog) -> dict:
    created, changed, deleted = [], [], []
    for key in log.keys:
        kind, namespace, name = key
        if kind not in KIND_MODELS:
            continue
        ref = keys.element_id(kind, namespace, name)
        old, new = engine.get(kind, namespace, name), preview.get(kind, namespace, name)
        if old is None and new is not None:
            created.append(ref)
        elif old is not None and new is None:
            deleted.append(ref)
        elif old is not None and new is not None and old.manifest != new.manifest:
            diff = "".join(
                difflib.unified_diff(_manifest_yaml(old), _manifest_yaml(new), f"live/{ref}", f"merged/{ref}")
            )
            changed.append({"object": ref, "diff": diff})
    endpoints = {}
    services = {(ns, name) for kind, ns, name in log.keys if kind in ("Service", "Endpoints")}
    for namespace, name in sorted(services):
        before, after = _endpoint_set(engine, namespace, name), _endpoint_set(preview, namespace, name)
        if before != after:
            endpoints[f"{namespace}/{name}"] = {"gained": sorted(after - before), "lost": sorted(before - after)}
    return {"created": created, "changed": changed, "deleted": deleted, "endpoints": endpoints}


def _mutate(
    cluster: Cluster,
    action: Callable[[Engine], ApplyResult | None],
    *,
    user=None,
    summary: Callable[[ApplyResult | None], list[str]] | None = None,
    before_apply: Callable[[Cluster, Engine], ApplyOutcome | None] | None = None,
    update_row: Callable[[Cluster], None] | None = None,
) -> ApplyOutcome:
    """The one write path: lock, engine, act, write the changed rows, bump, push on commit."""
    with transaction.atomic():
        row = _lock(cluster)
        warm = repository.warm_for_write(row)
        # On an exception the warm engine, taken out of the cache, is dropped with the transaction.
        if before_apply is not None:
            refused = before_apply(row, warm.engine)
            if refused is not None:
                _restore_unchanged(row, warm)
                return refused
        result = action(warm.engine)
        if result is not None and result.errors:
            _restore_unchanged(row, warm)  # atomic: nothing changed
            return ApplyOutcome(False, row.version, **_result_dict(result))
        log = warm.engine.pop_change_log()
        meta_before = meta_entry(row)
        if update_row is not None:
            update_row(row)
        if not log.keys and meta_entry(row) == meta_before and (row.state or {}) == warm.engine.state:
            _restore_unchanged(row, warm)
            return ApplyOutcome(True, row.version, **(_result_dict(result) if result else {}))
        lines = summary(result) if summary else (result.lines() if result else [])
        version = _commit(row, warm, log, {"user": user_name(user), "summary": lines})
        if isinstance(cluster, Cluster):
            cluster.version = version
        return ApplyOutcome(True, version, changed=True, **(_result_dict(result) if result else {}))


def cluster_apply(
    *,
    cluster: Cluster,
    text: str,
    dry_run: bool = False,
    base_versions: dict | None = None,
    seen_resource_version: int | None = None,
    user=None,
) -> ApplyOutcome:
    """`kubectl apply -f` of a YAML text, all or nothing. A stale `base_versions` entry
    ({"Service/default/web": "41"}) refuses the edit with a conflict carrying the current object.
    `dry_run` saves nothing and returns what would change (`diff`).

    The text is read and bounded before any lock is taken (`engine.parse_input`): an input that
    is refused as it is never waits for the cluster, nor makes others wait. A
    `metadata.resourceVersion` the text states is checked like a `base_versions` entry (the
    API server's 409 for a stale one). `seen_resource_version` (the cluster's resourceVersion
    when the page was shown: the form without JavaScript) refuses the edit of any object the text
    names that changed after it, as a list's resourceVersion says what a client has seen."""
    parsed = parse_input([text], repository.engine_settings(cluster))
    if not parsed.ok:
        return ApplyOutcome(False, cluster.version, **_result_dict(parsed.result))
    base_versions = {**parsed.stated_versions(), **(base_versions or {})}
    if seen_resource_version is not None:
        seen = [key for key in parsed.object_keys() if key not in base_versions]
        base_versions.update(_SeenSince(seen_resource_version).versions(seen))
    if dry_run:
        row, engine = repository.read_engine(cluster)
        conflict = _conflict(engine, base_versions)
        if conflict is not None:
            return ApplyOutcome(False, row.version, conflict=conflict)
        preview = engine.copy()
        result = preview.apply_parsed(parsed)
        outcome = ApplyOutcome(result.ok, row.version, **_result_dict(result))
        if result.ok:
            outcome.diff = _dry_run_diff(engine, preview, preview.pop_change_log())
        return outcome

    def check(row: Cluster, engine: Engine) -> ApplyOutcome | None:
        conflict = _conflict(engine, base_versions)
        return ApplyOutcome(False, row.version, conflict=conflict) if conflict is not None else None

    return _mutate(cluster, lambda engine: engine.apply_parsed(parsed), user=user, before_apply=check)


def cluster_delete_object(
    *, cluster: Cluster, kind: str, namespace: str, name: str, grace: int | None = None, user=None
) -> ApplyOutcome:
    """`kubectl delete KIND NAME -n NAMESPACE`, with garbage collection and the controllers
    reconciling. A pod on a node is deleted gracefully: Terminating until its kubelet removes it
    (the clock's ticker moves the kubelets even while the clock is paused); `grace` is the
    request's gracePeriodSeconds (0: at once)."""
    if kind not in KIND_MODELS:
        return ApplyOutcome(
            False,
            cluster.version,
            errors=[
                {
                    "document": None,
                    "line": None,
                    "kind": kind,
                    "name": name,
                    "field": None,
                    "message": f'the server doesn\'t have a resource type "{kind}"',
                }
            ],
        )
    return _mutate(cluster, lambda engine: engine.delete(kind, namespace or "", name, grace), user=user)


def cluster_clock(*, cluster: Cluster, action: str, seconds: float = 5.0, user=None) -> ApplyOutcome:
    """The simulated clock: `play` (a ticker advances it in real time), `pause`, `step` (advance
    `seconds` now)."""
    if action not in ("play", "pause", "step"):
        raise ServiceError(f"unknown clock action {action!r}: use play, pause or step")
    try:
        seconds = float(seconds)
    except (TypeError, ValueError):
        raise ServiceError("seconds must be a number") from None
    if not 0 <= seconds <= 24 * 3600:
        raise ServiceError("seconds must be between 0 and 86400")

    def act(engine: Engine) -> None:
        if action == "step":
            engine.advance(seconds)
        return None

    def update(row: Cluster) -> None:
        if action == "play":
            row.running, row.ticked_at = True, timezone.now()
        elif action == "pause":
            row.running = False

    label = {"play": "clock playing", "pause": "clock paused", "step": f"clock advanced {seconds:g}s"}[action]
    return _mutate(cluster, act, user=user, update_row=update, summary=lambda _r: [label])


def cluster_tick(*, cluster_id: int, now: datetime.datetime | None = None) -> int | None:
    """One tick of a playing clock, or of the kubelets of a paused one that still have pods to
    stop (`state["terminating"]`: pods being deleted gracefully), from any worker's ticker. The row
    lock (skipping a row another ticker holds) and `ticked_at` make sure the clock advances once
    per tick whatever the number of workers. Returns the new version, or None when there was
    nothing to do."""
    now = now or timezone.now()
    with transaction.atomic():
        row = _lock(cluster_id, skip_locked=True)
        if row is None or not (row.running or (row.state or {}).get("terminating")):
            return None
        elapsed = (now - row.ticked_at).total_seconds() if row.ticked_at else TICK_SECONDS
        if elapsed < TICK_SECONDS * 0.8:
            return None  # another worker's ticker just did it
        warm = repository.warm_for_write(row)
        if row.running:
            warm.engine.advance(min(elapsed, MAX_TICK_ADVANCE))
            summary = f"clock at {warm.engine.clock:g}s"
        else:
            # The simulated clock stays paused; the kubelets' own time passes (kubelet/termination).
            warm.engine.kubelet_tick(min(elapsed, TICK_SECONDS))
            summary = "kubelets stopping deleted pods"
        log = warm.engine.pop_change_log()
        row.ticked_at = now
        return _commit(row, warm, log, {"user": "clock", "summary": [summary]})


# ---------------------------------------------------------------------- the console's history
CONSOLE_HISTORY = 500  # lines kept per person and cluster
CONSOLE_LINE_LIMIT = 4000  # characters: a longer line (a paste gone wrong) is not kept


def console_history_record(*, cluster: Cluster, person: str, line: str) -> bool:
    """Keep a line typed into the kubectl console in `person`'s history on `cluster`: once when
    it repeats the line before (as a shell's history does), and only the newest
    `CONSOLE_HISTORY`. False when it is not kept (blank, too long, or nobody to keep it for)."""
    if not person or not line.strip() or len(line) > CONSOLE_LINE_LIMIT:
        return False
    mine = ConsoleLine.objects.filter(cluster=cluster, person=person)
    with transaction.atomic():
        last = mine.order_by("-id").values_list("line", flat=True).first()
        if last == line:
            return True
        ConsoleLine.objects.create(cluster=cluster, person=person, line=line)
        oldest_kept = mine.order_by("-id").values_list("id", flat=True)[CONSOLE_HISTORY - 1 : CONSOLE_HISTORY]
        if oldest_kept:
            mine.filter(id__lt=oldest_kept[0]).delete()
    return True
