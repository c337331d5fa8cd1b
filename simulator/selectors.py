"""Named reads (HackSoft's selectors): clusters, their live entries and snapshot, the answers to
a browser's questions (resolve, trace), the YAML download, who is watching.

No writes here (those are `services`), no row locks (an engine is read at one version without
one: `repository.read_engine`), and no engine handed out: each read answers one question, so
the delivery modules never touch the engine or the models.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from . import export, repository
from .engine import dns, kinds, trace
from .live import explain, payloads
from .live.entries import meta_entry
from .models import Answer, Classroom, Cluster, ConsoleLine, Presence, Student

PRESENCE_TTL = datetime.timedelta(seconds=90)


class NotFound(LookupError):
    """The object a read asked about is not in the cluster (worded for the user)."""


def cluster_by_slug(slug: str) -> Cluster | None:
    return Cluster.objects.filter(slug=slug).first()


def cluster_by_pk(pk: int) -> Cluster | None:
    return Cluster.objects.filter(pk=pk).first()


def cluster_resource_version(cluster: Cluster) -> int:
    """The cluster's resourceVersion now (the counter every object write bumps, as etcd's
    revision is a list's resourceVersion): an object written after it has a greater one."""
    state = Cluster.objects.filter(pk=cluster.pk).values_list("state", flat=True).first() or {}
    return int(state.get("rv", 0))


def cluster_list() -> list[Cluster]:
    return list(Cluster.objects.order_by("name"))


def cluster_list_for(actor) -> list[Cluster]:
    """The clusters the home page lists for `actor` (a `permissions.Actor`): the open ones, those
    shared for reading, and their own (a class's clusters are on the class's pages)."""
    return list(Cluster.objects.filter(_listed_for(actor)).order_by("name"))


def _listed_for(actor) -> Q:
    mine = Q(role=Cluster.OPEN) | Q(public_read=True, classroom__isnull=True)
    if actor.user_id is not None:
        mine |= Q(owner_user_id=actor.user_id, classroom__isnull=True)
    if actor.visitor:
        mine |= Q(owner_session=actor.visitor)
    return mine


def cluster_page_for(actor, *, page: int, size: int) -> tuple[list[Cluster], int, int]:
    """One page of `cluster_list_for` (1-based, clamped to the pages there are): the clusters,
    the page and the number of pages."""
    query = Cluster.objects.filter(_listed_for(actor)).order_by("name", "pk")
    pages = max(1, -(-query.count() // size))
    page = min(max(1, page), pages)
    return list(query[(page - 1) * size : page * size]), page, pages


def clusters_running(cluster_ids: list[int]) -> list[int]:
    """Which of these clusters have a playing clock, or pods their kubelets are still stopping
    (`state["terminating"]`, kubelet/termination): the ticker ticks only those."""
    query = Cluster.objects.filter(pk__in=cluster_ids).filter(Q(running=True) | Q(state__terminating__gt=0))
    return list(query.values_list("pk", flat=True))


def clusters_terminating(cluster_ids: list[int]) -> list[int]:
    """Which of these clusters have pods their kubelets are still stopping."""
    query = Cluster.objects.filter(pk__in=cluster_ids, state__terminating__gt=0)
    return list(query.values_list("pk", flat=True))


def cluster_forked_from(cluster: Cluster) -> Cluster | None:
    return Cluster.objects.filter(pk=cluster.forked_from_id).first() if cluster.forked_from_id else None


def user_id_by_username(username: str) -> int | None:
    return get_user_model().objects.filter(username=username).values_list("pk", flat=True).first()


# ---------------------------------------------------------------------- classes
def classroom_by_pk(pk: int) -> Classroom | None:
    return Classroom.objects.select_related("owner", "projected").filter(pk=pk).first()


def classroom_of(cluster: Cluster) -> Classroom | None:
    if cluster.classroom_id is None:
        return None
    return classroom_by_pk(cluster.classroom_id)


def classroom_open_by_code(code: str) -> Classroom | None:
    return Classroom.objects.filter(join_code=code, joining_open=True).first()


def classrooms_taught_by(user_id: int) -> list[Classroom]:
    """The classes a user made or co-teaches, newest first."""
    rows = Classroom.objects.select_related("owner", "projected").filter(
        Q(owner_id=user_id) | Q(co_instructors__id=user_id)
    )
    return list(rows.distinct().order_by("-created"))


def classroom_instructors(classroom: Classroom) -> list[str]:
    """The names of a class's instructors: its owner first, then the co-instructors."""
    names = [classroom.owner.get_username()]
    names += sorted(u.get_username() for u in classroom.co_instructors.all())
    return names


def classroom_co_instructors(classroom: Classroom) -> list:
    return list(classroom.co_instructors.order_by("username"))


def classroom_roster(classroom: Classroom, now: datetime.datetime | None = None) -> list[dict]:
    """The class's students, current ones first: name, sandbox, last activity (the later of their
    browser being here and their sandbox changing or being watched), watching now."""
    now = now or timezone.now()
    sandboxes = {
        c.owner_student_id: c
        for c in Cluster.objects.filter(classroom=classroom, role=Cluster.SANDBOX).only(
            "pk", "slug", "name", "version", "last_activity", "owner_student_id"
        )
    }
    watched = set(
        Presence.objects.filter(cluster_id__in=[c.pk for c in sandboxes.values()], seen__gte=now - PRESENCE_TTL)
        .values_list("cluster_id", flat=True)
        .distinct()
    )
    rows = []
    for student in Student.objects.filter(classroom=classroom).order_by("removed", "display_name", "pk"):
        sandbox = sandboxes.get(student.pk)
        last = student.last_seen
        if sandbox is not None and sandbox.last_activity > last:
            last = sandbox.last_activity
        rows.append(
            {
                "student": student,
                "sandbox": sandbox,
                "last_activity": last,
                "watched": sandbox is not None and sandbox.pk in watched,
            }
        )
    return rows


def classroom_student(classroom: Classroom, student_id: int) -> Student | None:
    return Student.objects.filter(classroom=classroom, pk=student_id).first()


def student_in_class(student_ids, classroom_id: int | None) -> Student | None:
    """Which of this browser's students belongs to the class (and was not removed)."""
    if classroom_id is None or not student_ids:
        return None
    return Student.objects.filter(pk__in=list(student_ids), classroom_id=classroom_id, removed=False).first()


def student_places(student_ids) -> list[dict]:
    """This browser's places in classes ("my class"): the student, their class, its projected
    cluster and their sandbox."""
    students = Student.objects.select_related("classroom", "classroom__projected").filter(pk__in=list(student_ids))
    sandboxes = {
        c.owner_student_id: c for c in Cluster.objects.filter(owner_student__in=students, role=Cluster.SANDBOX)
    }
    return [
        {"student": s, "classroom": s.classroom, "projected": s.classroom.projected, "sandbox": sandboxes.get(s.pk)}
        for s in sorted(students, key=lambda s: (s.removed, -s.last_seen.timestamp()))
    ]


def sandbox_of(student: Student) -> Cluster | None:
    return Cluster.objects.filter(owner_student=student, role=Cluster.SANDBOX).first()


def cluster_owner_label(cluster: Cluster) -> str:
    """Whose cluster this is, in a few words (the page's visibility note)."""
    if cluster.owner_student_id is not None:
        return Student.objects.filter(pk=cluster.owner_student_id).values_list("display_name", flat=True).first() or ""
    if cluster.owner_user_id is not None:
        return cluster.owner_user.get_username()
    return ""


def cluster_entries(cluster: Cluster) -> tuple[int, dict]:
    """(version, entries) of a cluster: from this worker's warm engine when it is at the current
    version, else rebuilt from the rows (and kept warm)."""
    row, warm = repository.warm_for_read(cluster)
    entries = dict(warm.entries)
    entries["meta"] = meta_entry(row)
    return row.version, entries


def cluster_snapshot_parts(cluster: Cluster) -> tuple[int, list[str]]:
    """The snapshot messages, serialised once per version and worker (a resync storm costs one)."""
    row = Cluster.objects.get(pk=cluster.pk)
    warm = repository.peek_warm(row)
    if warm is not None and row.version in warm.snapshot_text:
        return row.version, warm.snapshot_text[row.version]
    version, entries = cluster_entries(row)
    parts = payloads.snapshot_parts(version, entries)
    warm = repository.peek_warm(row)
    if warm is not None and warm.version == version:
        warm.snapshot_text = {version: parts}
    return version, parts


def cluster_snapshot_text(cluster: Cluster) -> tuple[int, str]:
    """The whole snapshot as one JSON text (for HTTP; websockets get `cluster_snapshot_parts`)."""
    version, entries = cluster_entries(cluster)
    return version, payloads.encode(payloads.snapshot(version, entries))


def cluster_resolve(cluster: Cluster, *, source: str, name: str, rtype: str = "A") -> dict:
    """`nslookup NAME` from the pod `source` (NAMESPACE/POD): the simulate contract's resolve object."""
    _row, engine = repository.read_engine(cluster)
    return dns.resolve_query(engine, source, name, rtype)


def cluster_trace(cluster: Cluster, *, source: str, url: str) -> dict:
    """A request to `url` from the pod `source` (or `external`): the contract's request object."""
    _row, engine = repository.read_engine(cluster)
    return trace.request_query(engine, source, url)


def cluster_explain_service(cluster: Cluster, *, namespace: str, name: str) -> tuple[int, dict]:
    """(version, why each pod of the namespace is or is not behind the Service) (`live.explain`)."""
    row, engine = repository.read_engine(cluster)
    svc = engine.get("Service", namespace, name)
    if svc is None:
        raise NotFound(f"no Service {namespace}/{name} in this cluster")
    return row.version, explain.explain_service(engine, svc)


def cluster_explain_pod(cluster: Cluster, *, namespace: str, name: str) -> tuple[int, dict]:
    """(version, the Services that select the pod, and whether it is their endpoint) (`live.explain`)."""
    row, engine = repository.read_engine(cluster)
    pod = engine.get("Pod", namespace, name)
    if pod is None:
        raise NotFound(f"no Pod {namespace}/{name} in this cluster")
    return row.version, explain.explain_pod(engine, pod)


def cluster_export_yaml(cluster: Cluster) -> str:
    """The cluster as one kubectl-ready YAML file (`export`)."""
    row, engine = repository.read_engine(cluster)
    return export.export_yaml(row.name, row.version, engine)


def kind_names() -> list[str]:
    """The kinds a cluster stores, by name (the editor offers a starter manifest for each)."""
    return sorted(kinds.KIND_ORDER)


def watching_instructors(cluster_id: int, now: datetime.datetime | None = None) -> list[dict]:
    """The class's instructors watching the cluster now: `[{name, editing}]`, by name."""
    now = now or timezone.now()
    rows = Presence.objects.filter(cluster_id=cluster_id, instructor=True, seen__gte=now - PRESENCE_TTL)
    seen: dict[str, bool] = {}
    for name, editing in rows.values_list("user", "editing"):
        seen[name] = seen.get(name, False) or editing
    return [{"name": name, "editing": editing} for name, editing in sorted(seen.items())]


def watcher_count(cluster_id: int, now: datetime.datetime | None = None) -> int:
    """Open websockets watching the cluster, on any worker (rows a live worker vouched for lately)."""
    now = now or timezone.now()
    return Presence.objects.filter(cluster_id=cluster_id, seen__gte=now - PRESENCE_TTL).count()


def follower_count(cluster_id: int, now: datetime.datetime | None = None) -> int:
    """Sockets on a projected cluster following its presenter (simulator/presenting.py)."""
    now = now or timezone.now()
    return Presence.objects.filter(cluster_id=cluster_id, following=True, seen__gte=now - PRESENCE_TTL).count()


def question_answered_count(question_id: int) -> int:
    """How many students answered a predict-then-reveal question (who, never what)."""
    return Answer.objects.filter(question_id=question_id).count()


def console_history(*, cluster: Cluster, person: str, limit: int = 500) -> list[str]:
    """The lines `person` typed into the kubectl console on `cluster`, oldest first (the newest
    `limit`); none for nobody (an anonymous socket keeps its history in its browser only)."""
    if not person:
        return []
    newest = ConsoleLine.objects.filter(cluster=cluster, person=person).order_by("-id")
    return list(reversed(newest.values_list("line", flat=True)[:limit]))
