"""The spotlight, kept live (issue 14): a student's sandbox projected to the class follows the
student's edits, and its diff follows the projected cluster's.

`spotlight_after_change` is called by `services._publish`, the one path every change takes
(an apply from the page, kubectl through the API, the console, a reset, a clock tick), inside the
change's transaction. When the cluster is the spotlighted sandbox of a presentation, or the
projected cluster it is compared with, it schedules on commit one `push.spotlight` for that
projected cluster: debounced (at most SPOTLIGHT_EVERY per worker, `push`), the payload composed
then (`spotlight_update`), so a student typing fast costs the class a few messages a second.

Composing locks the presentation's row: each update sent bumps `spotlight_seq` (screens keep the
newest they hold and drop an older or stale one) and records a digest of what was sent, so a change
that alters nothing the class sees (a tick of the projected cluster's clock) sends nothing, however
many workers compose. A spotlight over LIVE_MAX_BYTES carries the diff but not the diagram
(`entries` null, `big`: the screens keep the diagram they hold), its lists cut if need be
(`bounded`). The spotlight ended, or its sandbox deleted
(`spotlight_before_delete` tells the class on commit), nothing more is sent.
"""

from __future__ import annotations

import hashlib
from functools import partial

from django.db import transaction
from django.db.models import Q

from . import push, selectors
from .live import presenting as live
from .models import Cluster, Presentation, Student

LIVE_MAX_BYTES = 256 * 1024  # a spotlight's diagram above this stays out (its diff goes)
DIFF_ITEMS = 200  # and if the diff alone is still too big, each of its lists is cut to this


def student_label(student: Student) -> str:
    """How a spotlight names a student: their name when they agreed, else "Student N" (N: their
    place in the class's join order, stable for the class's life)."""
    if student.spotlight_consent:
        return student.display_name
    number = Student.objects.filter(classroom_id=student.classroom_id, pk__lte=student.pk).count()
    return f"Student {number}"


def spotlight_payload(presentation: Presentation) -> dict | None:
    """The spotlighted sandbox's diagram and its diff against the projected cluster, now, with the
    presentation's `seq` (None when nothing is spotlighted)."""
    if presentation.spotlight_id is None:
        return None
    sandbox = Cluster.objects.filter(pk=presentation.spotlight_id).select_related("owner_student").first()
    projected = presentation.classroom.projected
    if sandbox is None or projected is None:
        return None
    version, mine = selectors.cluster_entries(sandbox)
    _version, theirs = selectors.cluster_entries(projected)
    label = student_label(sandbox.owner_student) if sandbox.owner_student_id else "A sandbox"
    payload = live.spotlight(label=label, version=version, sandbox=mine, diff=live.spotlight_diff(theirs, mine))
    payload["seq"] = presentation.spotlight_seq
    return payload


def digest(payload: dict) -> str:
    """What the class sees of a spotlight, hashed (its `seq` left out)."""
    seen = {k: v for k, v in payload.items() if k != "seq"}
    return hashlib.sha256(live.encode(seen).encode()).hexdigest()


def _fits(payload: dict) -> bool:
    return len(live.encode(payload).encode()) <= LIVE_MAX_BYTES


def _endpoint_lines(endpoints: dict) -> int:
    """A diff's endpoint changes, one per pod gained or lost (as the screens list them)."""
    return sum(len(pods["gained"]) + len(pods["lost"]) for pods in endpoints.values())


def bounded(payload: dict) -> dict:
    """The payload within LIVE_MAX_BYTES: whole when it fits; else without its diagram (`entries`
    null, `big`); else with each list of its diff cut to DIFF_ITEMS too (`more`: how many of each
    were left out)."""
    if _fits(payload):
        return payload
    small = {**payload, "entries": None, "big": True}
    if _fits(small):
        return small
    diff = payload["diff"]
    cut = {key: diff[key][:DIFF_ITEMS] for key in ("added", "removed", "changed")}
    cut["endpoints"] = {
        service: {"gained": pods["gained"][:DIFF_ITEMS], "lost": pods["lost"][:DIFF_ITEMS]}
        for service, pods in list(diff["endpoints"].items())[:DIFF_ITEMS]
    }
    more = {key: len(diff[key]) - len(cut[key]) for key in ("added", "removed", "changed")}
    more["endpoints"] = _endpoint_lines(diff["endpoints"]) - _endpoint_lines(cut["endpoints"])
    return {**small, "diff": cut, "more": {k: n for k, n in more.items() if n}}


def _spotlighting(cluster: Cluster) -> list[int]:
    """The projected clusters whose spotlight shows this cluster or compares with it."""
    if cluster.classroom_id is None:  # a sandbox of no class is never spotlighted: no query
        return []
    rows = Presentation.objects.filter(presenting=True, spotlight__isnull=False).filter(
        Q(spotlight_id=cluster.pk) | Q(classroom__projected_id=cluster.pk)
    )
    return sorted(set(rows.values_list("classroom__projected_id", flat=True)) - {None})


def spotlight_after_change(*, cluster: Cluster) -> None:
    """A change to `cluster` (inside its transaction): on commit, a live update of every spotlight
    it shows up in, debounced."""
    for projected_id in _spotlighting(cluster):
        transaction.on_commit(partial(push.spotlight, projected_id, partial(spotlight_update, projected_id)))


def spotlight_update(projected_id: int) -> str | None:
    """The live spotlight message of the projected cluster as it is now, its `seq` bumped; None
    when nothing is spotlighted there any more, or nothing the class sees has changed."""
    with transaction.atomic():
        pk = (
            Presentation.objects.filter(classroom__projected_id=projected_id, presenting=True)
            .values_list("pk", flat=True)
            .first()
        )
        if pk is None:
            return None
        presentation = Presentation.objects.select_for_update().get(pk=pk)
        if presentation.spotlight_id is None:
            return None
        payload = spotlight_payload(presentation)
        if payload is None:
            return None
        seen = digest(payload)
        if seen == presentation.spotlight_digest:
            return None
        presentation.spotlight_seq += 1
        presentation.spotlight_digest = seen
        presentation.save(update_fields=["spotlight_seq", "spotlight_digest"])
        payload["seq"] = presentation.spotlight_seq
    return live.encode({"type": "spotlight", "live": True, "spotlight": bounded(payload)})


def spotlight_before_delete(*, cluster: Cluster) -> None:
    """A sandbox is being deleted (inside the transaction, before the row goes): every class
    spotlighting it sees the spotlight end, on commit."""
    if cluster.classroom_id is None:
        return
    projected = Presentation.objects.filter(spotlight_id=cluster.pk).values_list("classroom__projected_id", flat=True)
    text = live.encode({"type": "spotlight", "spotlight": None})
    for projected_id in sorted(set(projected) - {None}):
        transaction.on_commit(partial(push.presenting, projected_id, text))


def spotlight_end_of_sandboxes(*, sandbox_ids: list[int]) -> None:
    """The sandboxes' student was removed from the class (inside that transaction): no class goes
    on projecting their work, and every screen sees the spotlight end, on commit. The sandbox
    itself is kept for the instructors, as `classrooms.student_remove` says."""
    rows = Presentation.objects.filter(spotlight_id__in=sandbox_ids)
    projected = sorted(set(rows.values_list("classroom__projected_id", flat=True)) - {None})
    rows.update(spotlight=None, spotlight_digest="")
    text = live.encode({"type": "spotlight", "spotlight": None})
    for projected_id in projected:
        transaction.on_commit(partial(push.presenting, projected_id, text))
