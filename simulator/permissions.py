"""Who may do what: the ONE place that decides, for every page, form, websocket message,
download, the admin, and the Kubernetes API and console to come.

    decide(actor, action, target) -> Decision(allowed, reason)

`actor` is whoever asks (`actor_for`: the request's user, the students this browser joined as,
its own visitor key); `target` is a cluster, a class, or None for making a new one. A refusal
carries one sentence saying why and what would help; delivery turns it into an HTTP 403 or a
refused websocket reply (`code: "forbidden"`), and nothing changes.

Who reads and who writes a cluster follows from its role (`Cluster.role`):

| role      | reads                                          | writes                                        |
|-----------|------------------------------------------------|-----------------------------------------------|
| projected | the class's instructors and students           | the class's instructors                       |
| sandbox   | its owner (a student, or the browser that made | its owner; a class instructor after "Take     |
|           | it) and the class's instructors                | over"                                         |
| open      | anyone                                         | anyone (signed-in only with                   |
|           |                                                | KUBEVIZ_EDIT_REQUIRES_LOGIN)                  |
| personal  | its owner                                      | its owner                                     |

`public_read` lets anyone watch a projected or personal cluster (never write). A superuser may do
anything (the admin is theirs). Slugs and ids are never the guard: every request is decided.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.db.models import Q

from .models import Classroom, Cluster, Student

INSTRUCTORS_GROUP = "instructors"

# What a browser's session remembers (Django's sessions; the websocket sees the same session).
SESSION_VISITOR = "kubeviz.visitor"  # the browser's own key: owner of what it made without an account
SESSION_STUDENTS = "kubeviz.students"  # ids of the Student rows this browser joined (or rejoined) as
SESSION_TAKEOVERS = "kubeviz.takeovers"  # ids of the sandboxes this instructor took over
SESSION_REJOIN = "kubeviz.rejoin"  # {student id: rejoin code}, shown on the student's "my class" page


class Role(StrEnum):
    """A cluster's role (`Cluster.role`), for the modules that may not read the models."""

    PROJECTED = Cluster.PROJECTED
    SANDBOX = Cluster.SANDBOX
    OPEN = Cluster.OPEN
    PERSONAL = Cluster.PERSONAL


class Action(StrEnum):
    # Reads of a cluster
    VIEW = "view"  # its page, its websocket (snapshot, resync)
    SNAPSHOT = "snapshot"  # snapshot.json
    EXPORT = "export"  # export.yaml
    QUERY = "query"  # resolve, trace, explain-service, explain-pod
    PRESENCE = "presence"  # counted as watching; seeing who watches
    FOLLOW = "follow"  # following the class's presenter (or breaking away)
    API_READ = "api-read"  # the Kubernetes API's get, list, watch (issue 16)
    # Writes of a cluster's objects
    APPLY = "apply"
    DRY_RUN = "dry-run"
    DELETE_OBJECT = "delete-object"
    CLOCK = "clock"
    API_WRITE = "api-write"  # the Kubernetes API's create, update, patch, delete (issue 16)
    CONSOLE = "console"  # a console command (issue 17)
    # Presenting live (issue 14), on a class's projected cluster
    PRESENT = "present"  # presenter events, Present on/off, spotlight, ask and reveal questions
    ANSWER = "answer"  # a student's answer to the question asked
    SPOTLIGHT = "spotlight"  # project this student's sandbox to the class (target: the sandbox)
    # The cluster itself
    CREATE = "create"  # a new cluster (target None)
    FORK = "fork"  # a copy of one's own ("My copy" for a student)
    RESET = "reset"  # a sandbox back to the lesson's start or the projector's state
    TAKEOVER = "takeover"  # an instructor edits a student's sandbox to help
    DELETE = "delete"
    SHARE = "share"  # public-read on or off
    ADMIN = "admin"  # the Django admin
    # A class
    CLASS_CREATE = "class-create"  # target None
    CLASS_VIEW = "class-view"  # the class page, roster, QR code
    CLASS_MANAGE = "class-manage"  # rename or remove students, open or close joining
    PUSH = "push"  # the projected cluster's state to every sandbox
    CLASS_INSTRUCTORS = "class-instructors"  # add or remove co-instructors
    CLASS_DELETE = "class-delete"
    # A student's own place in a class (target: the Student)
    STUDENT_SELF = "student-self"  # their rejoin code, their consent


READS = frozenset(
    {Action.VIEW, Action.SNAPSHOT, Action.EXPORT, Action.QUERY, Action.PRESENCE, Action.FOLLOW, Action.API_READ}
)
WRITES = frozenset({Action.APPLY, Action.DRY_RUN, Action.DELETE_OBJECT, Action.CLOCK, Action.API_WRITE, Action.CONSOLE})
CLASS_ACTIONS = frozenset(
    {Action.CLASS_VIEW, Action.CLASS_MANAGE, Action.PUSH, Action.CLASS_INSTRUCTORS, Action.CLASS_DELETE}
)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


ALLOWED = Decision(True)


@dataclass(frozen=True)
class Actor:
    """Whoever asks. Student ids come from the session and are checked against the rows at each
    decision (a removed student loses access at once, even on an open socket)."""

    user_id: int | None = None
    name: str = "anonymous"
    instructor: bool = False
    superuser: bool = False
    visitor: str = ""
    student_ids: frozenset[int] = frozenset()
    takeovers: frozenset[int] = frozenset()

    @property
    def signed_in(self) -> bool:
        return self.user_id is not None


ANONYMOUS = Actor()


def is_instructor(user) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or user.groups.filter(name=INSTRUCTORS_GROUP).exists()


def actor_for(user=None, session=None) -> Actor:
    """The actor of a request or websocket: its user (if signed in) and what its session holds."""
    session = session if session is not None else {}
    student_ids = frozenset(int(i) for i in session.get(SESSION_STUDENTS, []) if str(i).isdigit())
    takeovers = frozenset(int(i) for i in session.get(SESSION_TAKEOVERS, []) if str(i).isdigit())
    visitor = str(session.get(SESSION_VISITOR, ""))
    if user is not None and getattr(user, "is_authenticated", False):
        return Actor(
            user_id=user.pk,
            name=user.get_username(),
            instructor=is_instructor(user),
            superuser=user.is_superuser,
            visitor=visitor,
            student_ids=student_ids,
            takeovers=takeovers,
        )
    name = "anonymous"
    if student_ids:
        latest = Student.objects.filter(pk__in=student_ids, removed=False).order_by("-last_seen").first()
        if latest is not None:
            name = latest.display_name
    return Actor(name=name, visitor=visitor, student_ids=student_ids, takeovers=takeovers)


# ---------------------------------------------------------------------- relations
@dataclass(frozen=True)
class _Relation:
    owner: bool  # owns the cluster (user, student or browser)
    teaches: bool  # an instructor (owner or co-instructor) of the cluster's class
    member: bool  # a student of the cluster's class, not removed
    removed: bool  # was a student of the cluster's class, removed by the instructor


def _teaches(actor: Actor, classroom_id: int | None) -> bool:
    if classroom_id is None or actor.user_id is None:
        return False
    return (
        Classroom.objects.filter(pk=classroom_id)
        .filter(Q(owner_id=actor.user_id) | Q(co_instructors__id=actor.user_id))
        .exists()
    )


def _relation(actor: Actor, cluster: Cluster) -> _Relation:
    members: dict[int, bool] = {}
    if cluster.classroom_id is not None and actor.student_ids:
        members = dict(
            Student.objects.filter(pk__in=actor.student_ids, classroom_id=cluster.classroom_id).values_list(
                "pk", "removed"
            )
        )
    current = {pk for pk, removed in members.items() if not removed}
    owner = (
        (cluster.owner_user_id is not None and cluster.owner_user_id == actor.user_id)
        or (bool(cluster.owner_session) and cluster.owner_session == actor.visitor)
        or (cluster.owner_student_id is not None and cluster.owner_student_id in current)
    )
    return _Relation(
        owner=owner,
        teaches=_teaches(actor, cluster.classroom_id),
        member=bool(current),
        removed=bool(members) and not current,
    )


# ---------------------------------------------------------------------- the rules
def _read(cluster: Cluster, rel: _Relation) -> Decision:
    role = cluster.role
    if role == Cluster.OPEN or cluster.public_read:
        return ALLOWED
    if rel.removed:
        return Decision(False, "the instructor removed you from this class")
    if role == Cluster.PROJECTED:
        if rel.teaches or rel.member:
            return ALLOWED
        return Decision(False, "this is a class's projected cluster: join the class with its code to watch it")
    if role == Cluster.SANDBOX:
        if rel.owner or rel.teaches:
            return ALLOWED
        if cluster.classroom_id is not None:
            return Decision(False, "this sandbox is private to its student and the class's instructors")
        return Decision(False, "this sandbox is private to the browser that made it")
    if rel.owner:
        return ALLOWED
    return Decision(False, "this cluster is private to its owner")


def _write(actor: Actor, cluster: Cluster, rel: _Relation) -> Decision:
    read = _read(cluster, rel)
    role = cluster.role
    if role == Cluster.OPEN:
        if settings.KUBEVIZ_EDIT_REQUIRES_LOGIN and not actor.signed_in:
            return Decision(False, "sign in to edit this cluster")
        return ALLOWED
    if not read:
        return read
    if role == Cluster.PROJECTED:
        if rel.teaches:
            return ALLOWED
        if rel.member:
            return Decision(
                False, "only the class's instructors edit the projected cluster: “My copy” gives you a sandbox to edit"
            )
    elif role == Cluster.SANDBOX:
        if rel.owner:
            return ALLOWED
        if rel.teaches:
            if cluster.pk in actor.takeovers:
                return ALLOWED
            return Decision(False, "you are watching this sandbox read-only: “Take over” lets you edit it")
    elif rel.owner:
        return ALLOWED
    return Decision(False, "you may watch this cluster, but only its owner changes it")


def _fork(actor: Actor, cluster: Cluster, rel: _Relation) -> Decision:
    read = _read(cluster, rel)
    if not read:
        return read
    if cluster.role == Cluster.SANDBOX and rel.owner and not actor.instructor:
        return Decision(False, "this is your sandbox already: reset it to start again")
    if cluster.role == Cluster.PROJECTED and rel.member:
        return ALLOWED  # "My copy": the student's sandbox of this class
    if actor.instructor or settings.KUBEVIZ_OPEN_CLUSTERS:
        return ALLOWED
    return Decision(False, "sign in as an instructor to make clusters of your own")


def _presenting(action: Action, cluster: Cluster, rel: _Relation) -> Decision:
    """Presenting happens on a class's projected cluster: its instructors present (and spotlight
    their students' sandboxes), its students follow and answer."""
    if action == Action.SPOTLIGHT:
        if cluster.role != Cluster.SANDBOX or cluster.classroom_id is None:
            return Decision(False, "only a student's sandbox of the class can be spotlighted")
        if rel.teaches:
            return ALLOWED
        return Decision(False, "only the class's instructors spotlight a student's sandbox")
    if cluster.role != Cluster.PROJECTED:
        return Decision(False, "presenting happens on a class's projected cluster")
    read = _read(cluster, rel)
    if action == Action.PRESENT:
        if rel.teaches:
            return ALLOWED
        if rel.member:
            return Decision(False, "only the class's instructors present: you follow them")
        return Decision(False, "only this class's instructors present to it")
    # ANSWER
    if rel.member:
        return ALLOWED
    if rel.teaches:
        return Decision(False, "the class's instructors ask; its students answer")
    if not read:
        return read
    return Decision(False, "only the class's students answer its questions: join the class with its code")


def _cluster_rule(actor: Actor, action: Action, cluster: Cluster, rel: _Relation) -> Decision:
    if action in (Action.PRESENT, Action.ANSWER, Action.SPOTLIGHT):
        return _presenting(action, cluster, rel)
    if action in READS:
        return _read(cluster, rel)
    if action in WRITES:
        return _write(actor, cluster, rel)
    if action == Action.FORK:
        return _fork(actor, cluster, rel)
    if action == Action.RESET:
        if cluster.role != Cluster.SANDBOX:
            return Decision(False, "only a sandbox can be reset")
        if rel.owner or rel.teaches:
            return ALLOWED
        return _read(cluster, rel) and Decision(False, "only the sandbox's owner and the class's instructors reset it")
    if action == Action.TAKEOVER:
        if cluster.role == Cluster.SANDBOX and cluster.classroom_id is not None and rel.teaches:
            return ALLOWED
        return Decision(False, "only the class's instructors take over a student's sandbox")
    if action == Action.DELETE:
        if cluster.role == Cluster.PROJECTED:
            return Decision(False, "the projected cluster belongs to its class: it goes when the class is deleted")
        if rel.owner or (cluster.role == Cluster.SANDBOX and rel.teaches):
            return ALLOWED
        if cluster.role == Cluster.OPEN and not (cluster.owner_user_id or cluster.owner_session):
            return Decision(False, "this cluster was made from the command line: only an administrator deletes it")
        return Decision(False, "only the cluster's owner deletes it")
    if action == Action.SHARE:
        if cluster.role == Cluster.PERSONAL and rel.owner:
            return ALLOWED
        if cluster.role == Cluster.PROJECTED and rel.teaches:
            return ALLOWED
        return Decision(False, "only the owner of a personal cluster, or a class's instructors, share it")
    if action == Action.ADMIN:
        return Decision(False, "the admin is for administrators")
    return Decision(False, f"{action.value} is not something one does to a cluster")


def _class_rule(actor: Actor, action: Action, classroom: Classroom) -> Decision:
    if action not in CLASS_ACTIONS:
        return Decision(False, f"{action.value} is not something one does to a class")
    if not actor.signed_in:
        return Decision(False, "sign in as one of this class's instructors")
    if action in (Action.CLASS_INSTRUCTORS, Action.CLASS_DELETE):
        if classroom.owner_id == actor.user_id:
            return ALLOWED
        return Decision(False, "only the instructor who made the class does that")
    if _teaches(actor, classroom.pk):
        return ALLOWED
    return Decision(False, "only this class's instructors manage it")


def decide(actor: Actor, action: Action, target: Cluster | Classroom | Student | None = None) -> Decision:
    """May `actor` do `action` to `target` (a cluster, a class, a student's place, or None to
    make a new one)?"""
    action = Action(action)
    if action == Action.ADMIN and not isinstance(target, Cluster | Classroom):
        return ALLOWED if actor.superuser else Decision(False, "the admin is for administrators")
    if isinstance(target, Student):
        if action != Action.STUDENT_SELF:
            return Decision(False, f"{action.value} is not something one does to a student's place")
        if target.pk not in actor.student_ids:
            return Decision(False, "this browser has not joined as that student: rejoin with your rejoin code")
        if target.removed:
            return Decision(False, "the instructor removed you from this class")
        return ALLOWED
    if target is None:
        if action == Action.CLASS_CREATE:
            return ALLOWED if actor.instructor else Decision(False, "sign in as an instructor to make a class")
        if action == Action.CREATE:
            if actor.instructor or settings.KUBEVIZ_OPEN_CLUSTERS:
                return ALLOWED
            return Decision(False, "sign in as an instructor to make clusters (KUBEVIZ_OPEN_CLUSTERS is off)")
        return Decision(False, f"{action.value} needs a cluster or a class")
    if actor.superuser:
        if action in (Action.PRESENT, Action.ANSWER, Action.SPOTLIGHT) and isinstance(target, Cluster):
            return _presenting(action, target, _relation(actor, target))
        sandbox_only = action in (Action.RESET, Action.TAKEOVER)
        if sandbox_only and isinstance(target, Cluster) and target.role != Cluster.SANDBOX:
            return Decision(False, f"only a sandbox can be {'reset' if action == Action.RESET else 'taken over'}")
        return ALLOWED
    if isinstance(target, Classroom):
        return _class_rule(actor, action, target)
    return _cluster_rule(actor, action, target, _relation(actor, target))


def decide_many(actor: Actor, actions, cluster: Cluster) -> dict[Action, Decision]:
    """Several decisions about one cluster, its relation to the actor read once (the page's header)."""
    if actor.superuser:
        return {Action(a): decide(actor, a, cluster) for a in actions}
    rel = _relation(actor, cluster)
    return {Action(a): _cluster_rule(actor, Action(a), cluster, rel) for a in actions}
