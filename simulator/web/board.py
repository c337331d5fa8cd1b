"""The instructor's exercise board of a class: the page (a live grid, students × goals), its CSV
download, and a row's "Spotlight" (that student's sandbox projected to the class, live, while the
instructor presents). Each asks `permissions` first (the class's instructors: `Action.CLASS_VIEW`;
the spotlight: `PRESENT` on the projected cluster and `SPOTLIGHT` on the sandbox); the live rows
come over `ws/classes/<pk>/board/` (realtime/board.py)."""

from __future__ import annotations

import csv
import datetime
import io

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from .. import permissions, presenting, progress, selectors
from ..permissions import Action
from . import identity
from .classes import _class_decided


def _stuck_seconds(row: dict, now: datetime.datetime) -> int | None:
    if row["finished"] or not row["since"]:
        return None
    return max(0, int((now - datetime.datetime.fromisoformat(row["since"])).total_seconds()))


@require_GET
def board_page(request, pk: int):
    classroom, refused = _class_decided(request, Action.CLASS_VIEW, pk)
    if refused:
        return refused
    board = progress.board(classroom)
    now = timezone.now()
    for row in board["rows"]:
        row["stuck"] = _stuck_seconds(row, now)
        row["cell_list"] = [row["cells"][c["key"]] for c in board["columns"]]
    steps: list[dict] = []
    for column in board["columns"]:
        if steps and steps[-1]["number"] == column["step"]:
            steps[-1]["goals"] += 1
        else:
            steps.append({"number": column["step"], "goals": 1})
    board["steps"] = steps
    config = {
        "wsPath": f"/ws/classes/{classroom.pk}/board/",
        "csvUrl": reverse("class-board-csv", args=[classroom.pk]),
        "clusterUrl": reverse("cluster", args=["SLUG"]),
        # a row's Spotlight button posts here (the instructor presenting on the projector)
        "spotlightUrl": reverse("class-spotlight", args=[classroom.pk]),
        "csrfToken": get_token(request),
    }
    return render(request, "simulator/board.html", {"classroom": classroom, "board": board, "config": config})


@require_POST
def board_spotlight(request, pk: int):
    """Project a student's sandbox (`sandbox`: its slug) to the class from the board: what the
    presenter's Spotlight menu does, for an instructor watching the board on a laptop."""
    classroom = selectors.classroom_by_pk(pk)
    if classroom is None:
        raise Http404(f"no class {pk}")
    actor = identity.actor_of(request)
    projected = classroom.projected
    if projected is None:
        return identity.refuse(request, permissions.Decision(False, "this class has no projected cluster"))
    decision = permissions.decide(actor, Action.PRESENT, projected)
    if not decision:
        return identity.refuse(request, decision)
    slug = request.POST.get("sandbox", "")
    sandbox = selectors.cluster_by_slug(slug) if slug else None
    if sandbox is None:
        messages.error(request, f"no sandbox {slug!r}: pick a student who has one")
        return redirect("class-board", pk=classroom.pk)
    decision = permissions.decide(actor, Action.SPOTLIGHT, sandbox)
    if not decision:
        return identity.refuse(request, decision)
    try:
        payload = presenting.spotlight_set(cluster=projected, sandbox=sandbox)
    except presenting.PresentingError as exc:
        messages.error(request, str(exc))
    else:
        label = payload["label"] if payload else "the sandbox"
        messages.success(request, f"{label}'s sandbox is in the spotlight, live; end it on the projector")
    return redirect("class-board", pk=classroom.pk)


@require_GET
def board_csv(request, pk: int):
    """The board as CSV: one line per student, each goal's first-solved time (or blank)."""
    classroom, refused = _class_decided(request, Action.CLASS_VIEW, pk)
    if refused:
        return refused
    board = progress.board(classroom)
    now = timezone.now()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "student",
            "step",
            "goals solved",
            "hints used",
            "stuck for (s)",
            "finished",
            *(f"{c['key']} {c['title']}" for c in board["columns"]),
        ]
    )
    for row in board["rows"]:
        cells = []
        for column in board["columns"]:
            cell = row["cells"][column["key"]]
            cells.append((cell.get("at") or "solved") if cell["state"] == "ok" else "")
        stuck = _stuck_seconds(row, now)
        stuck_text = "" if stuck is None else stuck
        writer.writerow(
            [row["name"], row["step"], row["solved"], row["hints"], stuck_text, row["finished"] or "", *cells]
        )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    name = slugify(classroom.name) or "class"
    response["Content-Disposition"] = f'attachment; filename="{name}-exercise-board.csv"'
    return response
