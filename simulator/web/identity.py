"""Who is asking, over HTTP: the request's actor (`permissions.actor_for`) and what its session
remembers (the visitor key of a browser without an account, the students it joined as, the
sandboxes an instructor took over). A refusal is one page, 403, with the sentence that says why."""

from __future__ import annotations

import secrets

from django.shortcuts import render

from .. import permissions


def actor_of(request) -> permissions.Actor:
    actor = getattr(request, "_kubeviz_actor", None)
    if actor is None:
        actor = request._kubeviz_actor = permissions.actor_for(request.user, request.session)
    return actor


def _changed(request) -> None:
    request.session.modified = True
    request._kubeviz_actor = None


def visitor_key(request) -> str:
    """This browser's own key (made on first need): the owner of what it makes without an account."""
    key = request.session.get(permissions.SESSION_VISITOR)
    if not key:
        key = request.session[permissions.SESSION_VISITOR] = secrets.token_urlsafe(18)
        _changed(request)
    return key


def remember_student(request, student_id: int, rejoin_code: str | None = None) -> None:
    """This browser is now (also) this student; keep the rejoin code to show on "my class"."""
    ids = [i for i in request.session.get(permissions.SESSION_STUDENTS, []) if i != student_id]
    request.session[permissions.SESSION_STUDENTS] = [student_id, *ids]
    if rejoin_code:
        codes = dict(request.session.get(permissions.SESSION_REJOIN, {}))
        codes[str(student_id)] = rejoin_code
        request.session[permissions.SESSION_REJOIN] = codes
    _changed(request)


def rejoin_code_of(request, student_id: int) -> str | None:
    return request.session.get(permissions.SESSION_REJOIN, {}).get(str(student_id))


def set_takeover(request, cluster_id: int, on: bool) -> None:
    ids = set(request.session.get(permissions.SESSION_TAKEOVERS, []))
    ids = ids | {cluster_id} if on else ids - {cluster_id}
    request.session[permissions.SESSION_TAKEOVERS] = sorted(ids)
    _changed(request)


def refuse(request, decision: permissions.Decision, status: int = 403):
    """The refusal page: the reason in one sentence, and where to go from here."""
    return render(
        request,
        "simulator/refused.html",
        {"reason": decision.reason, "actor": actor_of(request)},
        status=status,
    )


def viewer(request) -> dict:
    """Template context processor: `viewer`, the request's actor (the top bar's links)."""
    return {"viewer": actor_of(request)}
