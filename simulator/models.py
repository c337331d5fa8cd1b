"""Rows: a `Cluster` (a workspace), one model per Kubernetes kind, and the classroom's people
(`Classroom`, `Student`; instructors are Django users in the group `instructors`).

The database is the source of truth: a cluster's objects (as stored manifests, in creation
order) and its engine state (`Cluster.state`: serial numbers, resourceVersion counter,
simulated clock, IPAM cursors) rebuild the engine exactly (`repository`), on any worker.
Rows only store; every write goes through `simulator.services`.
"""

from __future__ import annotations

import uuid

from django.conf import settings as django_settings
from django.db import models
from django.utils import timezone

KIND_MODELS: dict[str, type[KubeObject]] = {}


class Cluster(models.Model):
    # Who may read and write a cluster follows from its role and owner (simulator/permissions.py).
    PROJECTED = "projected"  # a class's live cluster: its instructors write, its students read
    SANDBOX = "sandbox"  # a student's copy (or an anonymous visitor's fork): private to its owner
    OPEN = "open"  # the laptop case (KUBEVIZ_OPEN_CLUSTERS): anyone reads and writes
    PERSONAL = "personal"  # an instructor's own cluster
    ROLES = [(PROJECTED, "projected"), (SANDBOX, "sandbox"), (OPEN, "open"), (PERSONAL, "personal")]

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
    role = models.CharField(max_length=10, choices=ROLES, default=OPEN)
    classroom = models.ForeignKey("Classroom", null=True, blank=True, on_delete=models.CASCADE, related_name="clusters")
    owner_user = models.ForeignKey(
        django_settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="clusters"
    )
    owner_student = models.ForeignKey(
        "Student", null=True, blank=True, on_delete=models.CASCADE, related_name="sandboxes"
    )
    owner_session = models.CharField(
        max_length=64,
        blank=True,
        default="",
        db_index=True,
        help_text="the visitor key of the browser session that made it (a self-learner without an account)",
    )
    public_read = models.BooleanField(default=False, help_text="anyone with the link may watch it")
    last_activity = models.DateTimeField(
        default=timezone.now, db_index=True, help_text="the last write or watcher leaving (idle sandboxes expire)"
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner_student"],
                condition=models.Q(role="sandbox", owner_student__isnull=False),
                name="one_sandbox_per_student",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.slug})"

    @property
    def clock(self) -> float:
        return float((self.state or {}).get("clock", 0.0))


class Classroom(models.Model):
    """A class: an instructor (and co-instructors), a lesson, a join code and one projected
    cluster everyone watches. The join code is unique among classes open for joining and
    survives lesson edits (a code voided by an edit is a pitfall of other tools)."""

    name = models.CharField(max_length=100)
    lesson = models.CharField(max_length=100, blank=True, default="")
    owner = models.ForeignKey(django_settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="classrooms")
    co_instructors = models.ManyToManyField(
        django_settings.AUTH_USER_MODEL, blank=True, related_name="co_taught_classrooms"
    )
    join_code = models.CharField(max_length=7, help_text="e.g. KQ7-MPX: no 0, O, 1, I or L")
    joining_open = models.BooleanField(default=True)
    projected = models.OneToOneField(
        Cluster, null=True, blank=True, on_delete=models.SET_NULL, related_name="projected_for"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created"]
        constraints = [
            models.UniqueConstraint(
                fields=["join_code"], condition=models.Q(joining_open=True), name="unique_open_join_code"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.join_code})"


class Student(models.Model):
    """One student's place in one class: a display name and a secret rejoin code (only its hash
    is stored), no account. The browser's session remembers it; the code brings it to another."""

    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="students")
    display_name = models.CharField(max_length=40)
    rejoin_hash = models.CharField(max_length=64, unique=True, help_text="sha256 of the rejoin code")
    spotlight_consent = models.BooleanField(
        default=False, help_text="the student agrees to their name being shown when their work is spotlighted"
    )
    removed = models.BooleanField(default=False)
    joined = models.DateTimeField(auto_now_add=True)
    last_seen = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["classroom", "display_name", "pk"]

    def __str__(self) -> str:
        return f"{self.display_name} in {self.classroom.name}"


class Presence(models.Model):
    """One open websocket watching a cluster (any worker): the presence count is their number."""

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="watchers")
    channel_name = models.CharField(max_length=200, unique=True)
    user = models.CharField(max_length=150, blank=True, default="")
    instructor = models.BooleanField(default=False, help_text="one of the class's instructors (students see them)")
    editing = models.BooleanField(default=False, help_text="an instructor who took the sandbox over")
    following = models.BooleanField(default=False, help_text="follows the class's presenter (a projected cluster)")
    joined = models.DateTimeField(auto_now_add=True)
    seen = models.DateTimeField(
        auto_now=True,
        db_index=True,
        help_text="refreshed by the worker holding the socket; stale rows (a worker that died) stop counting",
    )


class Presentation(models.Model):
    """A class's instructor presenting live (simulator/presenting.py): on or off, the presenter's
    latest view (what a late joiner lands on), the student sandbox in the spotlight (kept live:
    simulator/spotlight.py)."""

    classroom = models.OneToOneField(Classroom, on_delete=models.CASCADE, related_name="presentation")
    presenting = models.BooleanField(default=False)
    presenter = models.CharField(max_length=150, blank=True, default="")
    view = models.JSONField(default=dict, help_text="the presenter's view state, by meaning (docs/protocol.md)")
    seq = models.BigIntegerField(default=0, help_text="bumped by every presenter event")
    spotlight = models.ForeignKey(Cluster, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    console_tail = models.TextField(
        blank=True, default="", help_text="the presenter's console, its last lines (what a late joiner sees)"
    )
    console_seq = models.BigIntegerField(default=0, help_text="the last console mirror event in console_tail")
    spotlight_seq = models.BigIntegerField(
        default=0, help_text="bumped by every spotlight sent (set, or a live update): screens keep the newest"
    )
    spotlight_digest = models.CharField(
        max_length=64, blank=True, default="", help_text="the last spotlight sent, hashed: an unchanged one is not"
    )
    updated = models.DateTimeField(auto_now=True)


class Question(models.Model):
    """A predict-then-reveal question asked of a class: the spec (kind, prompt, what is revealed),
    then, once revealed, the truth and the class's anonymous distribution."""

    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="questions")
    asked_by = models.CharField(max_length=150, blank=True, default="")
    spec = models.JSONField()
    truth = models.JSONField(null=True, blank=True)
    distribution = models.JSONField(null=True, blank=True)
    open = models.BooleanField(
        default=True, help_text="on the students' screens (asked, or revealed and not dismissed)"
    )
    asked = models.DateTimeField(auto_now_add=True)
    revealed = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-asked"]


class Answer(models.Model):
    """One student's answer to a question (their last one counts); `correct` once revealed."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="answers")
    answer = models.JSONField()
    correct = models.BooleanField(null=True)
    at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["question", "student"], name="one_answer_per_student")]


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


class ConfigMap(KubeObject):
    KIND = "ConfigMap"

    class Meta(KubeObject.Meta):
        pass


class Secret(KubeObject):
    KIND = "Secret"

    class Meta(KubeObject.Meta):
        pass


class ServiceAccount(KubeObject):
    KIND = "ServiceAccount"

    class Meta(KubeObject.Meta):
        pass


class IngressClass(KubeObject):
    KIND = "IngressClass"

    class Meta(KubeObject.Meta):
        verbose_name_plural = "ingress classes"


class ExerciseProgress(models.Model):
    """How far a cluster (a student's sandbox, or anyone's cluster of a lesson with steps) is in
    its lesson's exercise: the step it is on, the hints shown, when each goal was first solved, and
    the current step's last checks (simulator/progress.py writes it after every change)."""

    cluster = models.OneToOneField(Cluster, on_delete=models.CASCADE, related_name="exercise_progress")
    step = models.PositiveIntegerField(default=1, help_text="the current step, from 1")
    hints = models.JSONField(default=dict, help_text='hints shown per step: {"1": 2}')
    solved = models.JSONField(default=dict, help_text='when each goal first passed: {"1.goal-id": ISO time}')
    checks = models.JSONField(default=list, help_text="the current step's checks at `version`")
    version = models.BigIntegerField(default=0, help_text="the cluster version the checks are of")
    step_started = models.DateTimeField(default=timezone.now)
    progressed = models.DateTimeField(default=timezone.now, help_text="the last goal solved or step begun")
    finished = models.DateTimeField(null=True, blank=True, help_text="when every goal of the last step passed")

    def __str__(self) -> str:
        return f"{self.cluster.slug}: step {self.step}"
