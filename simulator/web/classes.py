"""The classroom's pages: an instructor's classes and class page (join code, QR code, roster,
push, co-instructors); a student's join, rejoin and "my class" pages. Each asks `permissions`
first (a refusal is a 403 saying why) and writes through `classrooms` and `services`."""

from __future__ import annotations

import io

import segno
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import classrooms, lessons, permissions, presenting, progress, selectors, services
from ..permissions import Action
from . import identity
from .forms import ClassCreateForm, InstructorForm, JoinForm, JoiningForm, RejoinForm, RenameForm


def _class_decided(request, action: Action, pk: int):
    classroom = selectors.classroom_by_pk(pk)
    if classroom is None:
        raise Http404(f"no class {pk}")
    decision = permissions.decide(identity.actor_of(request), action, classroom)
    return classroom, (None if decision else identity.refuse(request, decision))


def join_url(request, classroom) -> str:
    return request.build_absolute_uri(reverse("join-code", args=[classroom.join_code]))


# ---------------------------------------------------------------------- instructors
@require_http_methods(["GET", "POST"])
def classes(request):
    """An instructor's classes, and a new one (name + lesson)."""
    actor = identity.actor_of(request)
    decision = permissions.decide(actor, Action.CLASS_CREATE)
    if not decision:
        return identity.refuse(request, decision)
    form = ClassCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            classroom = classrooms.classroom_create(
                owner=request.user, name=form.cleaned_data["name"], lesson=form.cleaned_data["lesson"] or None
            )
        except (services.ServiceError, lessons.UnknownLesson) as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("class", pk=classroom.pk)
    return render(
        request,
        "simulator/classes.html",
        {"form": form, "classes": selectors.classrooms_taught_by(actor.user_id), "actor": actor},
        status=400 if form.errors else 200,
    )


def _class_context(request, classroom) -> dict:
    actor = identity.actor_of(request)
    return {
        "classroom": classroom,
        "actor": actor,
        "roster": selectors.classroom_roster(classroom),
        "join_url": join_url(request, classroom),
        "instructors": selectors.classroom_instructors(classroom),
        "co_instructors": selectors.classroom_co_instructors(classroom),
        "owns": bool(permissions.decide(actor, Action.CLASS_INSTRUCTORS, classroom)),
        "lesson": classroom.lesson,
        "has_exercise": progress.exercise_of(classroom.lesson) is not None,
    }


@require_GET
def class_page(request, pk: int):
    classroom, refused = _class_decided(request, Action.CLASS_VIEW, pk)
    if refused:
        return refused
    context = _class_context(request, classroom)
    context["qr_svg"] = _qr(context["join_url"]).svg_inline(scale=6, dark="#111", border=2)
    context["questions"] = presenting.class_question_results(classroom)  # predict-then-reveal, who was right
    return render(request, "simulator/class.html", context)


@require_GET
def roster(request, pk: int):
    """The roster alone (the class page's script fetches it every few seconds)."""
    classroom, refused = _class_decided(request, Action.CLASS_VIEW, pk)
    if refused:
        return refused
    return render(request, "simulator/_roster.html", _class_context(request, classroom))


def _qr(url: str):
    return segno.make(url, error="m")


@require_GET
def qr_svg(request, pk: int):
    """The join link as a QR code (segno), for the projector."""
    classroom, refused = _class_decided(request, Action.CLASS_VIEW, pk)
    if refused:
        return refused
    # A whole SVG document (with its namespace): an <img> of it draws, which inline markup would not.
    out = io.BytesIO()
    _qr(join_url(request, classroom)).save(out, kind="svg", xmldecl=False, scale=8, dark="#111", border=2)
    return HttpResponse(out.getvalue(), content_type="image/svg+xml")


@require_POST
def joining(request, pk: int):
    classroom, refused = _class_decided(request, Action.CLASS_MANAGE, pk)
    if refused:
        return refused
    form = JoiningForm(request.POST)
    on = form.is_valid() and form.cleaned_data["joining_open"]
    classroom = classrooms.classroom_set_joining(classroom=classroom, joining_open=on)
    messages.success(request, f"joining is open: {classroom.join_code}" if on else "joining is closed")
    return redirect("class", pk=classroom.pk)


@require_POST
def push(request, pk: int):
    """Everyone starts from here: the projected cluster's state to every sandbox."""
    classroom, refused = _class_decided(request, Action.PUSH, pk)
    if refused:
        return refused
    count = classrooms.classroom_push_projected(classroom=classroom, user=identity.actor_of(request))
    messages.success(request, f"the projector's state is in {count} sandbox{'es' if count != 1 else ''}")
    return redirect("class", pk=classroom.pk)


@require_POST
def add_instructor(request, pk: int):
    classroom, refused = _class_decided(request, Action.CLASS_INSTRUCTORS, pk)
    if refused:
        return refused
    form = InstructorForm(request.POST)
    if form.is_valid():
        try:
            classrooms.classroom_add_instructor(classroom=classroom, username=form.cleaned_data["username"])
        except services.ServiceError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{form.cleaned_data['username']} co-teaches this class")
    return redirect("class", pk=classroom.pk)


@require_POST
def remove_instructor(request, pk: int, user_id: int):
    classroom, refused = _class_decided(request, Action.CLASS_INSTRUCTORS, pk)
    if refused:
        return refused
    classrooms.classroom_remove_instructor(classroom=classroom, user_id=user_id)
    return redirect("class", pk=classroom.pk)


def _student_or_404(classroom, student_id: int):
    student = selectors.classroom_student(classroom, student_id)
    if student is None:
        raise Http404(f"no student {student_id} in this class")
    return student


@require_POST
def rename_student(request, pk: int, student_id: int):
    classroom, refused = _class_decided(request, Action.CLASS_MANAGE, pk)
    if refused:
        return refused
    student = _student_or_404(classroom, student_id)
    form = RenameForm(request.POST)
    try:
        if not form.is_valid():
            raise services.ServiceError("a display name is needed")
        classrooms.student_rename(student=student, display_name=form.cleaned_data["display_name"])
    except services.ServiceError as exc:
        messages.error(request, str(exc))
    return redirect("class", pk=classroom.pk)


@require_POST
def remove_student(request, pk: int, student_id: int):
    classroom, refused = _class_decided(request, Action.CLASS_MANAGE, pk)
    if refused:
        return refused
    student = _student_or_404(classroom, student_id)
    classrooms.student_remove(student=student)
    messages.success(request, f"{student.display_name} removed: their sandbox is kept, they can no longer see it")
    return redirect("class", pk=classroom.pk)


@require_POST
def delete_class(request, pk: int):
    classroom, refused = _class_decided(request, Action.CLASS_DELETE, pk)
    if refused:
        return refused
    classrooms.classroom_delete(classroom=classroom)
    messages.success(request, f"{classroom.name} deleted, with its clusters")
    return redirect("classes")


# ---------------------------------------------------------------------- students
def _enter(request, student, rejoin_code: str | None = None):
    identity.remember_student(request, student.pk, rejoin_code)
    classroom = selectors.classroom_by_pk(student.classroom_id)
    return classroom


@require_http_methods(["GET", "POST"])
def join(request, code: str = ""):
    """Join a class with its code and a display name; then the class's projected cluster."""
    form = JoinForm(request.POST or None, initial={"code": classrooms.normalise_code(code)})
    rejoin_form = RejoinForm()
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            student, rejoin_code = classrooms.student_join(code=data["code"], display_name=data["display_name"])
        except services.ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            if data["spotlight_consent"]:
                classrooms.student_set_consent(student=student, spotlight_consent=True)
            _enter(request, student, rejoin_code)
            return redirect("joined", student_id=student.pk)
    classroom = selectors.classroom_open_by_code(classrooms.normalise_code(code)) if code else None
    return render(
        request,
        "simulator/join.html",
        {"form": form, "rejoin_form": rejoin_form, "classroom": classroom},
        status=400 if form.errors else 200,
    )


@require_GET
def joined(request, student_id: int):
    """ "You're in": the rejoin code, shown this once as a code and a link to keep."""
    student = _own_student(request, student_id)
    if not isinstance(student, dict):
        return student
    return render(request, "simulator/joined.html", student)


def _own_student(request, student_id: int):
    """This browser's place (a dict for the template), or the refusal page."""
    actor = identity.actor_of(request)
    places = [p for p in selectors.student_places(actor.student_ids) if p["student"].pk == student_id]
    target = places[0]["student"] if places else None
    decision = (
        permissions.decide(actor, Action.STUDENT_SELF, target)
        if target
        else permissions.Decision(False, "this browser has not joined as that student: rejoin with your rejoin code")
    )
    if not decision:
        return identity.refuse(request, decision)
    code = identity.rejoin_code_of(request, student_id)
    return {
        "place": places[0],
        "rejoin_code": code,
        "rejoin_url": request.build_absolute_uri(reverse("rejoin-code", args=[code])) if code else None,
    }


@require_http_methods(["GET", "POST"])
def rejoin(request, code: str = ""):
    """Back in a class from any browser: the rejoin code (typed, or in a rejoin link, confirmed
    with a button so that a link alone changes nothing)."""
    form = RejoinForm(request.POST or None, initial={"rejoin_code": code})
    if request.method == "POST" and form.is_valid():
        entered = form.cleaned_data["rejoin_code"]
        try:
            student = classrooms.student_rejoin(code=entered)
        except services.ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            _enter(request, student, classrooms.normalise_code(entered))
            classroom = selectors.classroom_by_pk(student.classroom_id)
            sandbox = selectors.sandbox_of(student)
            messages.success(request, f"welcome back, {student.display_name}")
            target = sandbox or classroom.projected
            return redirect("cluster", slug=target.slug) if target else redirect("me")
    return render(request, "simulator/rejoin.html", {"form": form, "code": code}, status=400 if form.errors else 200)


@require_GET
def me(request):
    """A student's "my class" page: each class this browser joined, its projected cluster, their
    sandbox, and their rejoin code."""
    actor = identity.actor_of(request)
    places = selectors.student_places(actor.student_ids)
    for place in places:
        code = identity.rejoin_code_of(request, place["student"].pk)
        place["rejoin_code"] = code
        place["rejoin_url"] = request.build_absolute_uri(reverse("rejoin-code", args=[code])) if code else None
    return render(request, "simulator/me.html", {"places": places, "actor": actor})


@require_POST
def new_rejoin_code(request, student_id: int):
    place = _own_student(request, student_id)
    if not isinstance(place, dict):
        return place
    code = classrooms.student_new_rejoin_code(student=place["place"]["student"])
    identity.remember_student(request, student_id, code)
    messages.success(request, "a new rejoin code: the old one no longer works")
    return redirect("me")
