"""Presenting live (issue 14): the writes, and the reads they need.

A class's instructor presents on the class's projected cluster. What they point at goes to every
follower as ephemeral presenter events — apart from the cluster's versioned changes: no version
is bumped, nothing of the cluster changes. The latest view is kept (`Presentation`), so a student
who joins late or reconnects lands on it. Every message leaves through `push` on commit, to the
projected cluster's group (its one relay per worker fans it out). Who may call which is decided
before, by `permissions.decide` (`PRESENT`, `FOLLOW`, `ANSWER`, `SPOTLIGHT`).

- `presenting_set`: Present on or off; `presenter_view`: one presenter event;
- `follow_set`: a follower follows or breaks away (the presenter sees how many follow);
- `spotlight_set`: project a student's sandbox (anonymised unless they agreed), with its diff
  (kept live as the student edits: `spotlight`);
- `question_ask`, `question_answer`, `question_reveal`, `question_dismiss`: predict, then reveal.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import yaml
from channels.db import database_sync_to_async
from django.db import transaction
from django.utils import timezone

from . import lessons, push, selectors, services
from .live import presenting as live
from .models import Answer, Classroom, Cluster, Presence, Presentation, Question, Student
from .services import ServiceError
from .spotlight import bounded, digest, spotlight_payload, student_label


class PresentingError(ServiceError):
    """A presenting request that cannot be done as asked (bad input, nothing to reveal)."""


def _bad(exc: live.BadInput) -> PresentingError:
    return PresentingError(str(exc))


def _classroom(cluster: Cluster) -> Classroom:
    classroom = Classroom.objects.filter(projected_id=cluster.pk).first()
    if classroom is None:
        raise PresentingError("presenting happens on a class's projected cluster")
    return classroom


def _presentation(cluster: Cluster, *, lock: bool = False) -> Presentation:
    classroom = _classroom(cluster)
    presentation, _ = Presentation.objects.get_or_create(classroom=classroom)
    if lock:
        presentation = Presentation.objects.select_for_update().get(pk=presentation.pk)
    return presentation


def _send_on_commit(cluster_id: int, payload: dict) -> None:
    text = live.encode(payload)
    transaction.on_commit(partial(push.presenting, cluster_id, text))


# ---------------------------------------------------------------------- reads
def presentation_state(cluster: Cluster) -> dict | None:
    """The whole presentation of a projected cluster (the `presenting` message), or None when
    the cluster is not a class's projected cluster or nobody presents there."""
    classroom = Classroom.objects.filter(projected_id=cluster.pk).first()
    if classroom is None:
        return None
    presentation = Presentation.objects.filter(classroom=classroom).first()
    if presentation is None or not presentation.presenting:
        return None
    return live.presenting(
        on=True,
        presenter=presentation.presenter,
        seq=presentation.seq,
        view=presentation.view,
        spotlight=_bounded(spotlight_payload(presentation)),
        question=_open_question(classroom),
    )


def _bounded(payload: dict | None) -> dict | None:
    return bounded(payload) if payload is not None else None


def _open_question(classroom: Classroom) -> dict | None:
    question = Question.objects.filter(classroom=classroom, open=True).first()
    if question is None:
        return None
    out = live.public_question(question.pk, question.spec, question.answers.count())
    if question.revealed is not None:
        out["reveal"] = _reveal_public(question)
    return out


def question_results(question_id: int) -> list[dict]:
    """Who answered what and whether they were right (for the instructor), by name."""
    rows = Answer.objects.filter(question_id=question_id).select_related("student", "question")
    return sorted(
        (
            {
                "student": a.student.display_name,
                "answer": live.label_of(a.question.spec, a.answer),
                "correct": a.correct,
            }
            for a in rows
        ),
        key=lambda r: r["student"].lower(),
    )


def class_question_results(classroom: Classroom) -> list[dict]:
    """The questions asked in a class, newest first, with who was right (the class page's)."""
    out = []
    for question in Question.objects.filter(classroom=classroom):
        out.append(
            {
                "prompt": question.spec.get("prompt", ""),
                "asked": question.asked,
                "revealed": question.revealed,
                "truth": live.truth_label(question.spec, question.truth) if question.truth is not None else "",
                "results": question_results(question.pk),
            }
        )
    return out


def sandboxes_to_spotlight(cluster: Cluster) -> list[dict]:
    """The class's students' sandboxes, for the presenter's spotlight menu: `[{slug, student,
    label}]` (`label`: what the class will see), by student name."""
    classroom = _classroom(cluster)
    rows = Cluster.objects.filter(
        classroom=classroom, role=Cluster.SANDBOX, owner_student__removed=False
    ).select_related("owner_student")
    out = [
        {"slug": c.slug, "student": c.owner_student.display_name, "label": student_label(c.owner_student)}
        for c in rows
        if c.owner_student_id is not None
    ]
    return sorted(out, key=lambda r: r["student"].lower())


# ---------------------------------------------------------------------- lesson questions
QUESTIONS_DIR = "questions"


def lesson_questions(lesson: str) -> list[dict]:
    """The questions prepared for a lesson (`lessons/questions/<lesson>.yaml`, docs/lessons.md),
    each checked as asked; [] when it has none. A bad file is a clear error naming it."""
    if not lesson:
        return []
    path = Path(lessons.directory()) / QUESTIONS_DIR / f"{lesson}.yaml"
    if "/" in lesson or not path.is_file():
        return []
    try:
        items = yaml.safe_load(path.read_text()) or []
    except yaml.YAMLError as exc:
        raise PresentingError(f"{path.name}: not YAML ({exc})") from None
    if not isinstance(items, list):
        raise PresentingError(f"{path.name}: a list of questions is expected")
    out = []
    for i, item in enumerate(items):
        try:
            spec = live.clean_question(item)
        except live.BadInput as exc:
            raise PresentingError(f"{path.name}, question {i + 1}: {exc}") from None
        spec.setdefault("id", f"q{i + 1}")
        out.append(spec)
    return out


# ---------------------------------------------------------------------- writes
def presenting_set(*, cluster: Cluster, user, on: bool) -> dict:
    """Present on (the instructor's view goes to followers; late joiners land on it) or off."""
    with transaction.atomic():
        presentation = _presentation(cluster, lock=True)
        presentation.presenting = bool(on)
        presentation.presenter = services.user_name(user)
        if not on:
            presentation.spotlight = None
        presentation.console_tail = ""  # the presenter's console mirror starts again (presenting_console)
        presentation.save(update_fields=["presenting", "presenter", "spotlight", "console_tail", "updated"])
        state = presentation_state(cluster) or live.presenting(
            on=False, presenter=presentation.presenter, seq=presentation.seq, view={}, spotlight=None, question=None
        )
        _send_on_commit(cluster.pk, state)
    return state


def presenter_view(*, cluster: Cluster, user, fields) -> int:
    """One presenter event: the view fields that changed. Returns its sequence number."""
    try:
        fields = live.clean_view(fields)
    except live.BadInput as exc:
        raise _bad(exc) from None
    with transaction.atomic():
        presentation = _presentation(cluster, lock=True)
        if not presentation.presenting:
            raise PresentingError("switch Present on first: followers get your view only while you present")
        presentation.seq += 1
        presentation.view = live.merge_view(presentation.view, fields)
        presentation.save(update_fields=["seq", "view", "updated"])
        _send_on_commit(cluster.pk, live.view_event(presentation.seq, fields))
    return presentation.seq


class PresenterSession:
    """A presenter's socket (realtime's consumer holds one): each event goes out at once from the
    event loop, with no database on its way; the latest view is written SAVE_AFTER seconds later,
    once for a burst (what a late joiner or a reconnecting browser lands on). A class answering at
    once, on the database, delays no presenter event."""

    SAVE_AFTER = 0.2

    def __init__(self, cluster_id: int, presenting: bool, seq: int, view: dict):
        self.cluster_id, self.presenting, self.seq, self.view = cluster_id, presenting, seq, view
        self.saving: asyncio.Task | None = None

    @classmethod
    def load(cls, cluster: Cluster) -> PresenterSession:
        presentation = _presentation(cluster)
        return cls(cluster.pk, presentation.presenting, presentation.seq, dict(presentation.view))

    def event(self, fields) -> str:
        """The event's text, its fields checked and the view moved on; PresentingError otherwise."""
        try:
            fields = live.clean_view(fields)
        except live.BadInput as exc:
            raise _bad(exc) from None
        if not self.presenting:
            raise PresentingError("switch Present on first: followers get your view only while you present")
        self.seq += 1
        self.view = live.merge_view(self.view, fields)
        return live.encode(live.view_event(self.seq, fields))

    async def send(self, fields) -> int:
        """One presenter event, to every follower now; remembered a moment later. Returns its seq."""
        text = self.event(fields)
        await push.presenting_now(self.cluster_id, text)
        if self.saving is None or self.saving.done():
            self.saving = asyncio.ensure_future(self._save_soon())
        return self.seq

    async def _save_soon(self) -> None:
        await asyncio.sleep(self.SAVE_AFTER)
        await database_sync_to_async(_remember_view)(self.cluster_id, self.seq, dict(self.view))


def _remember_view(cluster_id: int, seq: int, view: dict) -> None:
    Presentation.objects.filter(classroom__projected_id=cluster_id, presenting=True, seq__lt=seq).update(
        seq=seq, view=view, updated=timezone.now()
    )


def follow_set(*, cluster_id: int, channel_name: str, on: bool) -> None:
    """A follower follows the presenter again, or broke away: the presenter's count, on commit."""
    with transaction.atomic():
        Presence.objects.filter(channel_name=channel_name, cluster_id=cluster_id).update(following=bool(on))
        transaction.on_commit(partial(push.presence, cluster_id))


def spotlight_set(*, cluster: Cluster, sandbox: Cluster | None) -> dict | None:
    """Project a student's sandbox to the class (None ends the spotlight). Returns the payload.
    From then on it stays live: every change of the sandbox or of the projected cluster sends the
    class the payload again (simulator/spotlight.py)."""
    if sandbox is not None and (sandbox.role != Cluster.SANDBOX or sandbox.classroom_id != _classroom(cluster).pk):
        raise PresentingError("only a sandbox of this class's students can be spotlighted")
    with transaction.atomic():
        presentation = _presentation(cluster, lock=True)
        if not presentation.presenting:
            raise PresentingError("switch Present on first: the spotlight goes to your followers")
        presentation.spotlight = sandbox
        presentation.spotlight_seq += 1
        payload = spotlight_payload(presentation)
        presentation.spotlight_digest = digest(payload) if payload is not None else ""
        presentation.save(update_fields=["spotlight", "spotlight_seq", "spotlight_digest", "updated"])
        _send_on_commit(cluster.pk, {"type": "spotlight", "spotlight": _bounded(payload)})
    return payload


def question_ask(*, cluster: Cluster, user, spec=None, lesson_question: str | None = None) -> dict:
    """Ask the class a question (given, or one of the lesson's by id); the question asked before
    leaves the screens. Its references must exist in the projected cluster now."""
    classroom = _classroom(cluster)
    if lesson_question is not None:
        prepared = {q["id"]: q for q in lesson_questions(classroom.lesson)}
        if lesson_question not in prepared:
            known = ", ".join(prepared) or "none"
            raise PresentingError(f"the lesson has no question {lesson_question!r}; its questions: {known}")
        spec = prepared[lesson_question]
    try:
        spec = live.clean_question(spec)
    except live.BadInput as exc:
        raise _bad(exc) from None
    _check_references(cluster, spec)
    with transaction.atomic():
        Question.objects.filter(classroom=classroom, open=True).update(open=False)
        question = Question.objects.create(classroom=classroom, asked_by=services.user_name(user), spec=spec)
        public = live.public_question(question.pk, spec)
        _send_on_commit(cluster.pk, {"type": "question", "question": public})
    return public


def _check_references(cluster: Cluster, spec: dict) -> None:
    _version, entries = selectors.cluster_entries(cluster)
    if spec["kind"] == "select" and "edit" not in spec and f"service/{spec['service']}" not in entries:
        raise PresentingError(f"no Service {spec['service']} in this cluster")
    source = spec.get("from")
    if source and source != "external" and f"pod/{source}" not in entries and "edit" not in spec:
        raise PresentingError(f"no Pod {source} in this cluster")


@dataclass(frozen=True)
class Reveal:
    public: dict  # what every screen shows
    results: list[dict]  # who was right (the instructor's)


@dataclass(frozen=True)
class AnswerGiven:
    """One student's answer as a socket received it (`question_answers`' input)."""

    cluster_id: int
    student_ids: frozenset
    question_id: object
    answer: object


def question_answer(*, cluster: Cluster, student_ids, question_id, answer) -> None:
    """A student's answer (their last one counts) to the open question, or PresentingError."""
    [error] = question_answers([AnswerGiven(cluster.pk, frozenset(student_ids), question_id, answer)])
    if error:
        raise PresentingError(error)


def question_answers(given: list[AnswerGiven]) -> list[str | None]:
    """Many students' answers in one transaction and a handful of queries, whatever their number
    (a class answers at once: `AnswerBatch` gathers them). Returns, for each, None or why it was
    refused. How many answered goes to the class at most twice a second (`push.answers`)."""
    ids = {g.question_id for g in given if isinstance(g.question_id, int) and not isinstance(g.question_id, bool)}
    questions = {q.pk: q for q in Question.objects.filter(pk__in=ids).select_related("classroom")}
    wanted = {sid for g in given for sid in g.student_ids}
    students = dict(Student.objects.filter(pk__in=wanted, removed=False).values_list("pk", "classroom_id"))
    errors: list[str | None] = []
    chosen: dict[tuple[int, int], dict] = {}  # (question, student) -> the answer (the last one counts)
    for g in given:
        question = questions.get(g.question_id) if g.question_id in ids else None
        if question is None or question.classroom.projected_id != g.cluster_id:
            errors.append(f"no question {g.question_id!r} in this class")
            continue
        student = min((sid for sid in g.student_ids if students.get(sid) == question.classroom_id), default=None)
        if student is None:
            errors.append("only the class's students answer its questions")
            continue
        if not question.open or question.revealed is not None:
            errors.append("answers are closed: the question was revealed")
            continue
        try:
            chosen[(question.pk, student)] = live.clean_answer(question.spec, g.answer)
        except live.BadInput as exc:
            errors.append(str(exc))
            continue
        errors.append(None)
    if chosen:
        with transaction.atomic():
            existing = {
                (a.question_id, a.student_id): a
                for a in Answer.objects.filter(
                    question_id__in={q for q, _ in chosen}, student_id__in={s for _, s in chosen}
                )
            }
            changed = []
            for key, answer in chosen.items():
                if key in existing:
                    existing[key].answer, existing[key].at = answer, timezone.now()
                    changed.append(existing[key])
            if changed:
                Answer.objects.bulk_update(changed, ["answer", "at"])
            Answer.objects.bulk_create(
                [
                    Answer(question_id=q, student_id=s, answer=a)
                    for (q, s), a in chosen.items()
                    if (q, s) not in existing
                ]
            )
            for qid in {q for q, _ in chosen}:
                transaction.on_commit(partial(push.answers, questions[qid].classroom.projected_id, qid))
    return errors


class AnswerBatch:
    """This worker's answers, written together every GATHER seconds (one transaction for a class
    answering at once, instead of one each on Channels' one database thread). A socket's `answer`
    waits for its batch, so its reply still says whether it was taken."""

    GATHER = 0.1

    def __init__(self):
        self.pending: list[tuple[AnswerGiven, asyncio.Future]] = []
        self.flushing: asyncio.Task | None = None

    async def give(self, given: AnswerGiven) -> str | None:
        future = asyncio.get_running_loop().create_future()
        self.pending.append((given, future))
        if self.flushing is None or self.flushing.done():
            self.flushing = asyncio.ensure_future(self._flush_soon())
        return await future

    async def _flush_soon(self) -> None:
        await asyncio.sleep(self.GATHER)
        batch, self.pending = self.pending, []
        try:
            errors = await database_sync_to_async(question_answers)([g for g, _ in batch])
        except Exception as exc:  # the database failed: every answer of the batch says so
            errors = [f"the answer was not saved ({exc.__class__.__name__}): send it again"] * len(batch)
        for (_, future), error in zip(batch, errors, strict=True):
            if not future.done():
                future.set_result(error)


def question_reveal(*, cluster: Cluster, user, question_id) -> Reveal:
    """The question (by id; None: the one asked now): apply its prepared edit to the projected cluster (one change, pushed as any),
    run its query there, grade every answer, keep the results; the truth and the class's
    anonymous distribution go to every screen."""
    classroom = _classroom(cluster)
    if question_id is None:  # the question on the screens
        question = Question.objects.filter(classroom=classroom, open=True).first()
        if question is None:
            raise PresentingError("no question is asked: ask one first")
    else:
        question = Question.objects.filter(pk=question_id if isinstance(question_id, int) else -1).first()
        if question is None or question.classroom_id != classroom.pk:
            raise PresentingError(f"no question {question_id!r} in this class")
    if question.revealed is not None:
        raise PresentingError("this question was revealed already")
    spec = question.spec
    if "edit" in spec:
        outcome = services.cluster_apply(cluster=cluster, text=spec["edit"], user=user)
        if not outcome.ok:
            first = (outcome.errors or [{}])[0]
            raise PresentingError(f"the question's edit was not applied: {first.get('message', 'invalid YAML')}")
    truth = _truth(cluster, spec)
    with transaction.atomic():
        answers = list(Answer.objects.filter(question=question))
        for answer in answers:
            answer.correct = live.grade(spec, truth, answer.answer)
        Answer.objects.bulk_update(answers, ["correct"])
        question.truth = truth
        question.distribution = live.distribution(spec, truth, [a.answer for a in answers])
        question.revealed = timezone.now()
        question.save(update_fields=["truth", "distribution", "revealed"])
        public = _reveal_public(question)
        _send_on_commit(cluster.pk, {"type": "reveal", "question": question.pk, "reveal": public})
    return Reveal(public=public, results=question_results(question.pk))


def _truth(cluster: Cluster, spec: dict) -> dict:
    kind = spec["kind"]
    try:
        if kind == "select":
            namespace, name = spec["service"].split("/")
            _version, facts = selectors.cluster_explain_service(cluster, namespace=namespace, name=name)
            return live.truth_of_select(facts)
        if kind == "curl":
            return live.truth_of_curl(selectors.cluster_trace(cluster, source=spec["from"], url=spec["url"]))
        if kind == "nslookup":
            return live.truth_of_nslookup(selectors.cluster_resolve(cluster, source=spec["from"], name=spec["name"]))
    except selectors.NotFound as exc:
        raise PresentingError(str(exc)) from None
    return {"choice": spec.get("correct")}


def _reveal_public(question: Question) -> dict:
    spec, truth = question.spec, question.truth or {}
    return {
        "truth": live.truth_label(spec, truth),
        "elements": live.truth_elements(spec, truth),
        "distribution": question.distribution or [],
        "answered": sum(row["count"] for row in question.distribution or []),
        "right": sum(row["count"] for row in question.distribution or [] if row["correct"]),
    }


def question_dismiss(*, cluster: Cluster) -> None:
    """The question leaves every screen (its results stay for the instructor)."""
    with transaction.atomic():
        Question.objects.filter(classroom=_classroom(cluster), open=True).update(open=False)
        _send_on_commit(cluster.pk, {"type": "question", "question": None})
