"""Pages: the clusters (home) and one cluster's pages. Thin: who asks (`identity`), may they
(`permissions.decide`: a refusal is a 403 page saying why, and nothing changes), forms in,
services for writes, selectors (and pages) for reads. Every form works without JavaScript; with
it, the dashboard speaks the live protocol over the websocket instead (static/src/)."""

from __future__ import annotations

import time
from collections import Counter

import yaml
from django.conf import settings as django_settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import classrooms, lessons, permissions, progress, selectors, services
from ..permissions import Action, Role
from . import identity, pages
from .forms import ApplyForm, ClockForm, ClusterCreateForm, DeleteObjectForm, ForkForm, ResetForm, ShareForm


def _cluster_or_404(slug: str):
    cluster = selectors.cluster_by_slug(slug)
    if cluster is None:
        raise Http404(f"no cluster {slug!r}")
    return cluster


def _decided(request, action: Action, slug: str):
    """(cluster, None) when the request's actor may do `action` to the cluster, else
    (cluster, the 403 page)."""
    cluster = _cluster_or_404(slug)
    decision = permissions.decide(identity.actor_of(request), action, cluster)
    return cluster, (None if decision else identity.refuse(request, decision))


@require_http_methods(["GET", "POST"])
def home(request):
    actor = identity.actor_of(request)
    may_create = permissions.decide(actor, Action.CREATE)
    form = ClusterCreateForm(request.POST or None, initial={"workers": 2})
    if request.method == "POST":
        if not may_create:
            return identity.refuse(request, may_create)
        if form.is_valid():
            data = form.cleaned_data
            if actor.instructor:
                owner = {"role": Role.PERSONAL, "owner_user_id": actor.user_id}
            else:  # KUBEVIZ_OPEN_CLUSTERS: an open cluster, owned by this browser (it may delete it)
                owner = {"role": Role.OPEN, "owner_session": identity.visitor_key(request)}
            try:
                services.check_creation_rate(address=request.META.get("REMOTE_ADDR") or "?")
                cluster = services.cluster_create(
                    name=data["name"],
                    lesson=data["lesson"] or None,
                    workers=data["workers"],
                    load_balancer_pool=data["load_balancer_pool"] or None,
                    user=actor,
                    **owner,
                )
            except services.LimitReached as exc:
                return identity.refuse(request, permissions.Decision(False, str(exc)))
            except (services.ServiceError, lessons.UnknownLesson, ValueError) as exc:
                form.add_error(None, str(exc))
            else:
                return redirect("cluster", slug=cluster.slug)
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        page = 1
    clusters, page, pages = selectors.cluster_page_for(actor, page=page, size=django_settings.KUBEVIZ_HOME_PAGE_SIZE)
    titles = {lesson.name: lesson.title for lesson in lessons.all_lessons()}
    rows = [{"cluster": c, "lesson": titles.get(c.lesson, c.lesson)} for c in clusters]
    # Two clusters of one name (a lesson started twice) are told apart by their address.
    names = Counter(c.name for c in clusters)
    for row in rows:
        row["twin"] = names[row["cluster"].name] > 1
    return render(
        request,
        "simulator/home.html",
        {
            "form": form,
            "rows": rows,
            "page": page,
            "pages": pages,
            "lessons": lessons.all_lessons(),
            "may_create": bool(may_create),
            "create_refused": may_create.reason,
            "actor": actor,
            "places": selectors.student_places(actor.student_ids) if actor.student_ids else [],
        },
        status=400 if form.errors else 200,
    )


def _with_seen(form, cluster):
    """The apply form (a new one, or the posted one given back) carrying the cluster's
    resourceVersion as shown now."""
    seen = selectors.cluster_resource_version(cluster)
    if form is None:
        return ApplyForm(initial={"seen": seen})
    data = form.data.copy()
    data["seen"] = seen
    return ApplyForm(data)


def _cluster_page(request, cluster, *, form=None, outcome=None, status=200):
    actor = identity.actor_of(request)
    access = pages.access(actor, cluster)
    current = (outcome.conflict or {}).get("current") if outcome is not None and outcome.conflict else None
    return render(
        request,
        "simulator/cluster.html",
        {
            "cluster": cluster,
            "form": _with_seen(form, cluster),
            "outcome": outcome,
            "conflict_yaml": yaml.safe_dump(current["manifest"], sort_keys=False) if current else "",
            "config": pages.page_config(cluster, access=access),
            "lesson": pages.lesson_of(cluster),
            "tables": pages.text_tables(cluster),
            "can_edit": access["can_edit"],
            "access": access,
            "exercise": progress.exercise_state(cluster),  # a lesson with steps: its panel
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def cluster(request, slug: str):
    """The pages. POST is `kubectl apply -f` of the form's text (the page without JavaScript):
    400 with the errors on their lines, 409 on a stale edit; the text is always given back."""
    if request.method == "GET":
        obj, refused = _decided(request, Action.VIEW, slug)
        if refused:
            return refused
        actor = identity.actor_of(request)
        if actor.student_ids and obj.classroom_id is not None:
            classrooms.student_seen(student_ids=actor.student_ids)
        return _cluster_page(request, obj)
    form = ApplyForm(request.POST)
    dry_run = form.is_valid() and form.cleaned_data["dry_run"]
    obj, refused = _decided(request, Action.DRY_RUN if dry_run else Action.APPLY, slug)
    if refused:
        return refused
    if not form.is_valid():
        return _cluster_page(request, obj, form=form, status=400)
    data = form.cleaned_data
    outcome = services.cluster_apply(
        cluster=obj,
        text=data["yaml"],
        dry_run=data["dry_run"],
        base_versions=data["base_versions"],
        seen_resource_version=data["seen"],
        user=identity.actor_of(request),
    )
    if outcome.ok and not data["dry_run"]:
        summary = "; ".join(outcome.results) or "nothing to apply"
        messages.success(request, f"{summary} (version {outcome.version})")
        return redirect("cluster", slug=obj.slug)
    status = 409 if outcome.conflict else (400 if not outcome.ok else 200)
    return _cluster_page(request, obj, form=ApplyForm(request.POST), outcome=outcome, status=status)


@require_POST
def delete_object(request, slug: str):
    obj, refused = _decided(request, Action.DELETE_OBJECT, slug)
    if refused:
        return refused
    form = DeleteObjectForm(request.POST)
    if not form.is_valid():
        messages.error(request, "delete needs a kind and a name")
        return redirect("cluster", slug=obj.slug)
    data = form.cleaned_data
    outcome = services.cluster_delete_object(
        cluster=obj,
        kind=data["kind"],
        namespace=data["namespace"] or "",
        name=data["name"],
        user=identity.actor_of(request),
    )
    if outcome.ok:
        messages.success(request, "; ".join(outcome.results) or f"{data['kind'].lower()}/{data['name']} deleted")
    else:
        messages.error(request, "; ".join(e.get("message", "") for e in outcome.errors) or "not deleted")
    return redirect("cluster", slug=obj.slug)


@require_POST
def clock(request, slug: str):
    obj, refused = _decided(request, Action.CLOCK, slug)
    if refused:
        return refused
    form = ClockForm(request.POST)
    if form.is_valid():
        seconds = form.cleaned_data["seconds"]
        services.cluster_clock(
            cluster=obj,
            action=form.cleaned_data["action"],
            seconds=5.0 if seconds is None else seconds,
            user=identity.actor_of(request),
        )
    return redirect("cluster", slug=obj.slug)


@require_POST
def fork(request, slug: str):
    """A copy of one's own: a student's "My copy" of their class's projected cluster (their one
    sandbox), an instructor's personal copy, or a self-learner's sandbox owned by this browser."""
    obj, refused = _decided(request, Action.FORK, slug)
    if refused:
        return refused
    actor = identity.actor_of(request)
    started = time.perf_counter()
    student = selectors.student_in_class(actor.student_ids, obj.classroom_id)
    try:
        if student is not None and obj.role == Role.PROJECTED:
            copy, made = classrooms.sandbox_get_or_create(student=student)
            note = "your sandbox: a copy of the projected cluster as it was a moment ago" if made else "your sandbox"
        else:
            form = ForkForm(request.POST)
            name = form.cleaned_data["name"] if form.is_valid() else ""
            if actor.instructor:
                owner = {"role": Role.PERSONAL, "owner_user_id": actor.user_id}
            else:
                owner = {"role": Role.SANDBOX, "owner_session": identity.visitor_key(request)}
            copy = services.cluster_fork(cluster=obj, name=name or None, user=actor, **owner)
            note = f"your own copy of {obj.name}: edit away, the original is untouched"
    except services.LimitReached as exc:
        return identity.refuse(request, permissions.Decision(False, str(exc)))
    elapsed = (time.perf_counter() - started) * 1000
    messages.success(request, note)
    response = redirect("cluster", slug=copy.slug)
    response["Server-Timing"] = f"fork;dur={elapsed:.1f}"  # bench/classroom.py reads it
    return response


@require_POST
def reset(request, slug: str):
    """A sandbox back to its lesson's start, or to the projected cluster's (or original's) state now."""
    obj, refused = _decided(request, Action.RESET, slug)
    if refused:
        return refused
    form = ResetForm(request.POST)
    if not form.is_valid():
        messages.error(request, "reset to what? the lesson's start or the projector's state")
        return redirect("cluster", slug=obj.slug)
    try:
        services.cluster_reset(cluster=obj, to=form.cleaned_data["to"], user=identity.actor_of(request))
    except services.ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "reset: " + dict(form.fields["to"].choices)[form.cleaned_data["to"]])
    return redirect("cluster", slug=obj.slug)


@require_POST
def takeover(request, slug: str):
    """An instructor takes a student's sandbox over (to edit it, to help), or hands it back."""
    obj, refused = _decided(request, Action.TAKEOVER, slug)
    if refused:
        return refused
    on = request.POST.get("take") == "1"
    identity.set_takeover(request, obj.pk, on)
    messages.success(request, "you are editing this sandbox: the student sees you are in" if on else "read-only again")
    return redirect("cluster", slug=obj.slug)


@require_POST
def share(request, slug: str):
    obj, refused = _decided(request, Action.SHARE, slug)
    if refused:
        return refused
    form = ShareForm(request.POST)
    on = form.is_valid() and form.cleaned_data["public_read"]
    services.cluster_set_public_read(cluster=obj, public_read=on)
    messages.success(request, "anyone with the link may watch it now" if on else "no longer shared")
    return redirect("cluster", slug=obj.slug)


@require_POST
def delete(request, slug: str):
    obj, refused = _decided(request, Action.DELETE, slug)
    if refused:
        return refused
    classroom = selectors.classroom_of(obj)
    services.cluster_delete(cluster=obj)
    messages.success(request, f"{obj.name} deleted")
    actor = identity.actor_of(request)
    if classroom is not None and permissions.decide(actor, Action.CLASS_VIEW, classroom):
        return redirect("class", pk=classroom.pk)
    return redirect("home")


@require_GET
def export(request, slug: str):
    """The whole cluster as one kubectl-ready YAML file."""
    obj, refused = _decided(request, Action.EXPORT, slug)
    if refused:
        return refused
    response = HttpResponse(selectors.cluster_export_yaml(obj), content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{obj.slug}.yaml"'
    return response


@require_GET
def snapshot_json(request, slug: str):
    """The live protocol's snapshot over plain HTTP (debugging, graders, the page's first paint)."""
    obj, refused = _decided(request, Action.SNAPSHOT, slug)
    if refused:
        return refused
    _version, text = selectors.cluster_snapshot_text(obj)
    return HttpResponse(text, content_type="application/json")
