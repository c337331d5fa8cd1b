"""Classes, students and instructors: the writes (HackSoft services, `<entity>_<action>(*, kw)`).

A class (`Classroom`) has an owner and co-instructors (Django users in the group `instructors`),
a lesson, a join code and one projected cluster made with it from the lesson. Students join with
the code and a display name only; each gets a secret rejoin code (its sha256 is stored, the code
is shown to the student) that brings the same identity, and the same sandbox, to another
browser. A student's sandbox is a copy of the projected cluster as it is when they ask for it.

Cluster writes go through `services` (one transaction each, one push on commit); what only
changes who may see what ends with `push.access` on commit, so sockets that lost their right
are closed. Who may call which is decided before, by `permissions.decide`.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.utils import timezone

from . import permissions, progress, push, repository, services, spotlight
from .models import Classroom, Cluster, Student
from .services import LimitReached, ServiceError

# Join and rejoin codes are read off a projector and typed on phones: no 0/O, 1/I/L.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
NAME_MAX = 40


def _draw(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def normalise_code(text: str) -> str:
    """What a person typed, as codes are stored: capitals, no spaces or dashes, then dashed every
    three (join: `KQ7-MPX`) or four (rejoin: `R7KQ-MPX4-9TWZ`) characters."""
    plain = "".join(ch for ch in (text or "").upper() if ch.isalnum())
    size = 3 if len(plain) <= 6 else 4
    return "-".join(plain[i : i + size] for i in range(0, len(plain), size))


def rejoin_hash(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def new_rejoin_code() -> str:
    return normalise_code(_draw(12))


def _free_join_code(exclude_pk: int | None = None) -> str:
    while True:
        code = normalise_code(_draw(6))
        taken = Classroom.objects.filter(join_code=code, joining_open=True)
        if exclude_pk is not None:
            taken = taken.exclude(pk=exclude_pk)
        if not taken.exists():
            return code


def _clean_name(display_name: str) -> str:
    name = " ".join(unicodedata.normalize("NFC", display_name or "").split())
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    if not name:
        raise ServiceError("a display name is needed: the one your instructor will see")
    if len(name) > NAME_MAX:
        raise ServiceError(f"a display name has at most {NAME_MAX} characters")
    return name


# ---------------------------------------------------------------------- instructors
def instructor_create(*, username: str, password: str | None = None, email: str = ""):
    """A new instructor account (a user in the group `instructors`). Returns (user, password):
    the password given, or one generated when none was."""
    user_model = get_user_model()
    username = (username or "").strip()
    if not username:
        raise ServiceError("an instructor needs a user name")
    generated = password or secrets.token_urlsafe(12)
    with transaction.atomic():
        if user_model.objects.filter(username=username).exists():
            raise ServiceError(f"the user name {username!r} is taken")
        user = user_model.objects.create_user(username=username, email=email, password=generated)
        group, _ = Group.objects.get_or_create(name=permissions.INSTRUCTORS_GROUP)
        user.groups.add(group)
    return user, generated


# ---------------------------------------------------------------------- classes
def classroom_create(*, owner, name: str, lesson: str | None = None) -> Classroom:
    """A class with its join code and its projected cluster, made from the lesson."""
    name = " ".join((name or "").split())
    if not name:
        raise ServiceError("a class needs a name")
    with transaction.atomic():
        classroom = Classroom.objects.create(name=name, lesson=lesson or "", owner=owner, join_code=_free_join_code())
        projected = services.cluster_create(
            name=name, lesson=lesson or None, role=Cluster.PROJECTED, classroom=classroom, owner_user_id=owner.pk
        )
        classroom.projected = projected
        classroom.save(update_fields=["projected"])
    return classroom


def classroom_set_joining(*, classroom: Classroom, joining_open: bool) -> Classroom:
    """Open or close joining. A class that opens again keeps its code unless another open class
    took it meanwhile (codes are unique among open classes), then it gets a new one."""
    with transaction.atomic():
        row = Classroom.objects.select_for_update().get(pk=classroom.pk)
        row.joining_open = joining_open
        if joining_open and Classroom.objects.filter(join_code=row.join_code, joining_open=True).exclude(pk=row.pk):
            row.join_code = _free_join_code(exclude_pk=row.pk)
        row.save(update_fields=["joining_open", "join_code"])
    return row


def classroom_add_instructor(*, classroom: Classroom, username: str) -> None:
    user = get_user_model().objects.filter(username=(username or "").strip()).first()
    if user is None or not permissions.is_instructor(user):
        raise ServiceError(f"no instructor is called {username!r}: create one with manage.py createinstructor")
    if user.pk == classroom.owner_id:
        raise ServiceError(f"{user.get_username()} made this class already")
    with transaction.atomic():
        classroom.co_instructors.add(user)
        ids = list(Cluster.objects.filter(classroom=classroom).values_list("pk", flat=True))
        transaction.on_commit(lambda: push.access(ids))


def classroom_remove_instructor(*, classroom: Classroom, user_id: int) -> None:
    """A co-instructor leaves the class; their open sockets on its sandboxes re-decide."""
    with transaction.atomic():
        classroom.co_instructors.remove(user_id)
        ids = list(Cluster.objects.filter(classroom=classroom).values_list("pk", flat=True))
        transaction.on_commit(lambda: push.access(ids))


def classroom_delete(*, classroom: Classroom) -> None:
    """The class, its projected cluster, its students and their sandboxes."""
    with transaction.atomic():
        clusters = list(Cluster.objects.filter(classroom=classroom))
        keys = [repository.warm_key(c) for c in clusters]
        ids = [c.pk for c in clusters]
        Classroom.objects.filter(pk=classroom.pk).delete()

        def after_commit() -> None:
            for key in keys:
                repository.drop_warm(key)
            push.access(ids)

        transaction.on_commit(after_commit)


# ---------------------------------------------------------------------- students
def _check_student_limit(classroom: Classroom) -> None:
    limit = settings.KUBEVIZ_MAX_STUDENTS_PER_CLASS
    if Student.objects.filter(classroom=classroom, removed=False).count() >= limit:
        raise LimitReached(f"this class is full: {limit} students, its limit (KUBEVIZ_MAX_STUDENTS_PER_CLASS={limit})")


def student_join(*, code: str, display_name: str) -> tuple[Student, str]:
    """Join the class open for joining with this code. Returns (student, rejoin code): the code is
    shown to the student once (only its hash is kept) and brings them back from any browser."""
    name = _clean_name(display_name)
    code = normalise_code(code)
    with transaction.atomic():
        classroom = Classroom.objects.select_for_update().filter(join_code=code, joining_open=True).first()
        if classroom is None:
            if Classroom.objects.filter(join_code=code).exists():
                raise ServiceError(f"the class {code} is closed for joining: ask your instructor to open it")
            raise ServiceError(f"no class is open for joining with the code {code}: check it on the projector")
        _check_student_limit(classroom)
        if Student.objects.filter(classroom=classroom, removed=False, display_name__iexact=name).exists():
            raise ServiceError(
                f"someone in this class is called {name} already: pick another name, or rejoin with your rejoin code"
            )
        rejoin = new_rejoin_code()
        try:
            student = Student.objects.create(classroom=classroom, display_name=name, rejoin_hash=rejoin_hash(rejoin))
        except IntegrityError:  # a rejoin code drawn twice: 31^12 codes make this all but impossible
            raise ServiceError("that did not work: try again") from None
        progress.push_student_row(student)  # the exercise board has a new row (on commit)
    return student, rejoin


def student_rejoin(*, code: str) -> Student:
    """The student whose rejoin code this is (same identity, same sandbox), on any browser."""
    student = Student.objects.select_related("classroom").filter(rejoin_hash=rejoin_hash(code)).first()
    if student is None:
        raise ServiceError("no student has that rejoin code: check it, or join again with the class code")
    if student.removed:
        raise ServiceError("the instructor removed you from this class")
    Student.objects.filter(pk=student.pk).update(last_seen=timezone.now())
    return student


def student_seen(*, student_ids) -> None:
    """A student's browser is here (a page or a socket): the roster's last activity."""
    if student_ids:
        Student.objects.filter(pk__in=list(student_ids), removed=False).update(last_seen=timezone.now())


def student_new_rejoin_code(*, student: Student) -> str:
    """A new rejoin code for the student (the old one stops working); shown once."""
    rejoin = new_rejoin_code()
    Student.objects.filter(pk=student.pk).update(rejoin_hash=rejoin_hash(rejoin))
    return rejoin


def student_set_consent(*, student: Student, spotlight_consent: bool) -> None:
    Student.objects.filter(pk=student.pk).update(spotlight_consent=spotlight_consent)


def student_rename(*, student: Student, display_name: str) -> Student:
    name = _clean_name(display_name)
    clash = Student.objects.filter(classroom_id=student.classroom_id, removed=False, display_name__iexact=name)
    if clash.exclude(pk=student.pk).exists():
        raise ServiceError(f"someone in this class is called {name} already")
    Student.objects.filter(pk=student.pk).update(display_name=name)
    student.display_name = name
    return student


def student_remove(*, student: Student) -> None:
    """The student loses the class at once: their sockets (on the projected cluster and their
    sandbox) are closed, a spotlight of their sandbox ends; the sandbox is kept for the
    instructors to look at."""
    with transaction.atomic():
        Student.objects.filter(pk=student.pk).update(removed=True)
        ids = list(Cluster.objects.filter(classroom_id=student.classroom_id).values_list("pk", flat=True))
        sandboxes = Cluster.objects.filter(owner_student=student, role=Cluster.SANDBOX).values_list("pk", flat=True)
        spotlight.spotlight_end_of_sandboxes(sandbox_ids=list(sandboxes))
        transaction.on_commit(lambda: push.access(ids))


# ---------------------------------------------------------------------- sandboxes
def sandbox_get_or_create(*, student: Student) -> tuple[Cluster, bool]:
    """The student's sandbox of their class ("My copy"): theirs if they have one, else a copy of
    the projected cluster as it is now. Returns (sandbox, made now)."""
    existing = Cluster.objects.filter(owner_student=student, role=Cluster.SANDBOX).first()
    if existing is not None:
        return existing, False
    classroom = Classroom.objects.select_related("projected").get(pk=student.classroom_id)
    if classroom.projected is None:
        raise ServiceError("this class has no projected cluster to copy")
    try:
        sandbox = services.cluster_fork(
            cluster=classroom.projected,
            name=f"{student.display_name} · {classroom.name}",
            role=Cluster.SANDBOX,
            owner_student=student,
            classroom=classroom,
        )
    except IntegrityError:  # two tabs asked at once: the other one made it
        return Cluster.objects.get(owner_student=student, role=Cluster.SANDBOX), False
    progress.push_panel(sandbox)  # a lesson with steps: its goals checked, the board's row pushed
    return sandbox, True


def classroom_push_projected(*, classroom: Classroom, user=None) -> int:
    """Everyone starts from here: every current student's sandbox becomes a copy of the projected
    cluster as it is now (one change each, pushed to its watchers). Returns how many."""
    if classroom.projected_id is None:
        raise ServiceError("this class has no projected cluster")
    _row, warm = repository.warm_for_read(Cluster.objects.get(pk=classroom.projected_id))
    source = warm.engine
    sandboxes = Cluster.objects.filter(classroom=classroom, role=Cluster.SANDBOX, owner_student__removed=False)
    count = 0
    for sandbox in sandboxes:
        services.cluster_replace(
            cluster=sandbox, engine=source.copy(), user=user, summary="the instructor pushed the projector's state"
        )
        count += 1
    return count
