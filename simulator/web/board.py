"""The instructor's exercise board of a class: the page (a live grid, students × goals), and its
CSV download. Both ask `permissions` first (the class's instructors: `Action.CLASS_VIEW`); the
live rows come over `ws/classes/<pk>/board/` (realtime/board.py)."""

from __future__ import annotations

import csv
import datetime
import io

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from .. import progress
from ..permissions import Action
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
    }
    return render(request, "simulator/board.html", {"classroom": classroom, "board": board, "config": config})


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
