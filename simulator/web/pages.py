"""What the dashboard's pages show, from named reads (`selectors`):

- `text_tables`: `kubectl get` style tables for the page without JavaScript;
- `lesson_of`: the lesson a cluster was loaded from;
- `access`: what the viewer may do here, and why not (the header's badge, buttons and note);
- `page_config`: what the page hands its scripts (through `json_script`).
"""

from __future__ import annotations

from .. import lessons, permissions, presenting, selectors
from ..live import keys
from ..permissions import Action, Role

_SERVICE = keys.VIEW_PREFIX["Service"] + "/"
_POD = keys.VIEW_PREFIX["Pod"] + "/"


def text_tables(cluster) -> dict:
    """Rows for `kubectl get svc -o wide` and `kubectl get pods -o wide`, for the page without JS."""
    _version, entries = selectors.cluster_entries(cluster)
    services, pods = [], []
    for key, value in entries.items():
        if key.startswith(_SERVICE):
            _, ns, name = key.split("/", 2)
            ports = (
                ",".join(
                    f"{p['port']}" + (f":{p['nodePort']}" if p.get("nodePort") else "") + f"/{p['protocol']}"
                    for p in value["ports"]
                )
                or "<none>"
            )
            selector = ",".join(f"{k}={v}" for k, v in (value.get("selector") or {}).items()) or "<none>"
            external = value.get("loadBalancerIP") or value.get("externalName") or "<none>"
            endpoints = ",".join(f"{e['ip']}:{e['port']}" for e in value["endpoints"] if e["ready"]) or "<none>"
            services.append(
                {
                    "namespace": ns,
                    "name": name,
                    "type": value["type"],
                    "clusterIP": value.get("clusterIP") or "<none>",
                    "external": external,
                    "ports": ports,
                    "selector": selector,
                    "endpoints": endpoints,
                }
            )
        elif key.startswith(_POD):
            _, ns, name = key.split("/", 2)
            pods.append(
                {
                    "namespace": ns,
                    "name": name,
                    "ready": "1/1" if value["ready"] else "0/1",
                    "phase": value["phase"],
                    "ip": value.get("ip") or "<none>",
                    "node": value.get("node") or "<none>",
                }
            )
    return {"services": services, "pods": pods}


def lesson_of(cluster) -> dict | None:
    if not cluster.lesson:
        return None
    try:
        lesson = lessons.get(cluster.lesson)
    except lessons.UnknownLesson:
        return None
    return {"name": lesson.name, "title": lesson.title, "description": lesson.description, "source": lesson.source}


def access(actor, cluster) -> dict:
    """What `actor` may do on the cluster's page, from `permissions` (decided once each): edit
    (or the sentence why not), fork ("My copy" for a student on the projected cluster), reset,
    take over or hand back, share, delete; and who can see the cluster, in words."""
    may = permissions.decide_many(
        actor,
        [
            Action.APPLY,
            Action.FORK,
            Action.RESET,
            Action.TAKEOVER,
            Action.SHARE,
            Action.DELETE,
            Action.PRESENT,
            Action.ANSWER,
        ],
        cluster,
    )
    classroom = selectors.classroom_of(cluster)
    student = selectors.student_in_class(actor.student_ids, cluster.classroom_id)
    instructors = selectors.classroom_instructors(classroom) if classroom is not None else []
    role = cluster.role
    if role == Role.OPEN:
        audience = "Open cluster: anyone may watch and edit it."
    elif role == Role.PROJECTED:
        audience = f"The projected cluster of {classroom.name}: its students watch, its instructors edit."
    elif role == Role.SANDBOX and classroom is not None:
        owner = selectors.cluster_owner_label(cluster)
        audience = f"{owner}'s sandbox: only {owner} and the class's instructors ({', '.join(instructors)}) see it."
    elif role == Role.SANDBOX:
        audience = "Your sandbox: only this browser sees it; it goes after a while unused."
    else:
        audience = f"{selectors.cluster_owner_label(cluster)}'s cluster: private to its owner."
    if cluster.public_read and role != Role.OPEN:
        audience += " Shared: anyone with the link may watch."
    reset_source = None
    if may[Action.RESET]:
        source = classroom.projected if classroom is not None else selectors.cluster_forked_from(cluster)
        reset_source = source.name if source is not None else None
    return {
        "can_edit": may[Action.APPLY].allowed,
        "read_only_reason": may[Action.APPLY].reason,
        "my_copy": bool(role == Role.PROJECTED and student is not None),
        "may_fork": may[Action.FORK].allowed,
        "may_reset": may[Action.RESET].allowed,
        "reset_source": reset_source,
        "may_takeover": may[Action.TAKEOVER].allowed,
        "taking_over": may[Action.TAKEOVER].allowed and cluster.pk in actor.takeovers,
        "may_share": may[Action.SHARE].allowed,
        "may_delete": may[Action.DELETE].allowed,
        "may_present": may[Action.PRESENT].allowed,
        "may_answer": may[Action.ANSWER].allowed,
        "classroom": classroom,
        "teaches": bool(classroom is not None and permissions.decide(actor, Action.CLASS_VIEW, classroom)),
        "student": student,
        "audience": audience,
    }


def page_config(cluster, *, access: dict) -> dict:
    return {
        "slug": cluster.slug,
        "name": cluster.name,
        "wsPath": f"/ws/clusters/{cluster.slug}/",
        "exportUrl": f"/clusters/{cluster.slug}/export.yaml",
        "canEdit": access["can_edit"],
        "readOnlyReason": "" if access["can_edit"] else access["read_only_reason"],
        "lesson": lesson_of(cluster),
        "kinds": selectors.kind_names(),
        "presenting": presenting_config(cluster, access=access),
    }


def presenting_config(cluster, *, access: dict) -> dict | None:
    """What the presenting modules need (static/src/follow/): on a class's projected cluster, who
    this viewer is there (presenter or follower), and for the presenter the join code, its QR code
    and the lesson's prepared questions. None elsewhere."""
    classroom = access["classroom"]
    if cluster.role != Role.PROJECTED or classroom is None:
        return None
    if access["may_present"]:
        try:
            questions, problem = presenting.lesson_questions(classroom.lesson), ""
        except presenting.PresentingError as exc:  # a bad questions file: said on the page, not a 500
            questions, problem = [], str(exc)
        return {
            "role": "presenter",
            "joinCode": classroom.join_code,
            "joinPath": f"/join/{classroom.join_code}/",
            "qrUrl": f"/classes/{classroom.pk}/qr.svg",
            "questions": questions,
            "questionsProblem": problem,
        }
    return {"role": "student" if access["may_answer"] else "watcher"}
