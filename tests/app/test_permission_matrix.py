"""The permission matrix: every page route and every websocket message type, tried by every kind of
person on every kind of cluster. Exactly the allowed succeed; the others get a 403 page (or a
refused reply, `code: "forbidden"`) with a sentence saying why, and nothing changes (cluster
versions, rows, classes and students compared before and after).

The expectations are written here, apart from simulator/permissions.py, as the tables below. A
route in simulator/web/urls.py or a consumer `on_<type>` handler without an entry here fails
`test_every_route_and_message_type_is_in_the_matrix`.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import URLPattern

from kubeviz.asgi import application
from simulator import classrooms, models, permissions, presenting, services
from simulator.realtime import consumers
from simulator.web import urls as web_urls

ACTORS = [
    "anonymous",
    "student",  # of class A; owns the sandbox
    "other_student",  # of class A
    "foreign_student",  # of class B
    "instructor",  # made class A; owns the personal cluster
    "co_instructor",  # of class A
    "foreign_instructor",  # made class B
]
EVERYONE = frozenset(ACTORS)
CLUSTERS = ["projected", "sandbox", "open", "personal"]  # projected: class A's; open: made from the command line
INSTRUCTORS_OF_A = frozenset({"instructor", "co_instructor"})

READERS = {
    "projected": frozenset({"student", "other_student", *INSTRUCTORS_OF_A}),
    "sandbox": frozenset({"student", *INSTRUCTORS_OF_A}),
    "open": EVERYONE,
    "personal": frozenset({"instructor"}),
}
WRITERS = {  # an instructor writes a student's sandbox only after "Take over" (tested below)
    "projected": INSTRUCTORS_OF_A,
    "sandbox": frozenset({"student"}),
    "open": EVERYONE,
    "personal": frozenset({"instructor"}),
}
FORKERS = {
    "projected": READERS["projected"],  # a student's "My copy"; an instructor's own copy
    "sandbox": INSTRUCTORS_OF_A,  # the student has it already
    "open": EVERYONE,  # KUBEVIZ_OPEN_CLUSTERS is on: a self-learner's sandbox
    "personal": frozenset({"instructor"}),
}
RESETTERS = {
    "projected": frozenset(),
    "sandbox": frozenset({"student", *INSTRUCTORS_OF_A}),
    "open": frozenset(),
    "personal": frozenset(),
}
TAKERS = {"projected": frozenset(), "sandbox": INSTRUCTORS_OF_A, "open": frozenset(), "personal": frozenset()}
SHARERS = {
    "projected": INSTRUCTORS_OF_A,
    "sandbox": frozenset(),
    "open": frozenset(),
    "personal": frozenset({"instructor"}),
}
DELETERS = {  # the projected cluster goes with its class; the open one (no owner) only by an administrator
    "projected": frozenset(),
    "sandbox": frozenset({"student", *INSTRUCTORS_OF_A}),
    "open": frozenset(),
    "personal": frozenset({"instructor"}),
}

POD = "apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}}}\nspec: {{containers: [{{name: c, image: nginx}}]}}\n"


@dataclass
class World:
    users: dict
    classes: dict
    students: dict
    clusters: dict

    def client(self, actor: str) -> Client:
        client = Client()
        if actor in self.users:
            client.force_login(self.users[actor])
        elif actor in self.students:
            session = client.session
            session[permissions.SESSION_STUDENTS] = [self.students[actor].pk]
            session.save()
        return client


def make_world() -> World:
    user_model = get_user_model()
    users = {}
    for name in ("instructor", "co_instructor", "foreign_instructor"):
        users[name] = user_model.objects.create_user(name)  # no password: force_login signs them in
        users[name].groups.add(Group.objects.get_or_create(name=permissions.INSTRUCTORS_GROUP)[0])
    class_a = classrooms.classroom_create(owner=users["instructor"], name="Class A", lesson="exercise-selector")
    class_b = classrooms.classroom_create(owner=users["foreign_instructor"], name="Class B", lesson="exercise-selector")
    class_a.co_instructors.add(users["co_instructor"])
    students = {
        "student": classrooms.student_join(code=class_a.join_code, display_name="Ana")[0],
        "other_student": classrooms.student_join(code=class_a.join_code, display_name="Bo")[0],
        "foreign_student": classrooms.student_join(code=class_b.join_code, display_name="Cy")[0],
    }
    sandbox, _ = classrooms.sandbox_get_or_create(student=students["student"])
    clusters = {
        "projected": class_a.projected,
        "sandbox": sandbox,
        "open": services.cluster_create(name="demo", slug="demo", lesson="exercise-selector"),
        "personal": services.cluster_create(
            name="mine", lesson="exercise-selector", role="personal", owner_user_id=users["instructor"].pk
        ),
    }
    return World(users, {"A": class_a, "B": class_b}, students, clusters)


def fingerprint() -> dict:
    """Everything a request could change, to compare before and after a refusal."""
    return {
        "clusters": sorted(
            models.Cluster.objects.values_list("pk", "slug", "version", "role", "public_read", "running", "state")
        ),
        "objects": {
            kind: sorted(model.objects.values_list("cluster_id", "namespace", "name", "resource_version"))
            for kind, model in models.KIND_MODELS.items()
        },
        "classes": sorted(models.Classroom.objects.values_list("pk", "name", "join_code", "joining_open", "projected")),
        "presenting": sorted(models.Presentation.objects.values_list("pk", "presenting", "seq", "view", "spotlight")),
        "questions": sorted(models.Question.objects.values_list("pk", "open", "revealed")),
        "answers": sorted(models.Answer.objects.values_list("pk", "question_id", "student_id", "answer", "correct")),
        "co_instructors": sorted(
            models.Classroom.co_instructors.through.objects.values_list("classroom_id", "user_id")
        ),
        "students": sorted(
            models.Student.objects.values_list("pk", "display_name", "removed", "rejoin_hash", "spotlight_consent")
        ),
        "users": sorted(get_user_model().objects.values_list("pk", "username")),
        "exercise": sorted(models.ExerciseProgress.objects.values_list("cluster_id", "step", "hints")),
    }


# ---------------------------------------------------------------------- the HTTP routes
@dataclass(frozen=True)
class Route:
    method: str
    allowed: dict | frozenset  # per cluster kind, or one set for a route that is not about a cluster
    path: object  # (world, cluster or None) -> path
    data: object = None  # (world, cluster) -> POST data
    on: str = "cluster"  # "cluster": tried on each kind of cluster; "class": on class A; "none"


def _cluster_path(suffix: str = ""):
    return lambda w, c: f"/clusters/{c.slug}/{suffix}"


def _class_path(suffix: str = ""):
    return lambda w, c: f"/classes/{w.classes['A'].pk}/{suffix}"


def _delete_pod(world, cluster):
    services.cluster_apply(cluster=cluster, text=POD.format(name="victim"))
    return {"kind": "Pod", "namespace": "default", "name": "victim"}


ROUTES: dict[str, Route] = {
    # a cluster
    "cluster": Route("GET", READERS, _cluster_path()),
    "cluster-apply": Route("POST", WRITERS, _cluster_path(), lambda w, c: {"yaml": POD.format(name="new-pod")}),
    "cluster-dry-run": Route(
        "POST", WRITERS, _cluster_path(), lambda w, c: {"yaml": POD.format(name="new-pod"), "dry_run": "on"}
    ),
    "cluster-delete-object": Route("POST", WRITERS, _cluster_path("delete-object/"), _delete_pod),
    "cluster-clock": Route("POST", WRITERS, _cluster_path("clock/"), lambda w, c: {"action": "step", "seconds": "3"}),
    "cluster-fork": Route("POST", FORKERS, _cluster_path("fork/"), lambda w, c: {}),
    "cluster-reset": Route("POST", RESETTERS, _cluster_path("reset/"), lambda w, c: {"to": "lesson"}),
    "cluster-takeover": Route("POST", TAKERS, _cluster_path("takeover/"), lambda w, c: {"take": "1"}),
    "cluster-share": Route("POST", SHARERS, _cluster_path("share/"), lambda w, c: {"public_read": "on"}),
    "cluster-delete": Route("POST", DELETERS, _cluster_path("delete/"), lambda w, c: {}),
    "cluster-export": Route("GET", READERS, _cluster_path("export.yaml")),
    "cluster-snapshot": Route("GET", READERS, _cluster_path("snapshot.json")),
    "cluster-kubeconfig": Route("GET", READERS, _cluster_path("kubeconfig")),
    # a class (class A)
    "classes": Route("GET", frozenset({*INSTRUCTORS_OF_A, "foreign_instructor"}), lambda w, c: "/classes/", on="none"),
    "class": Route("GET", INSTRUCTORS_OF_A, _class_path(), on="class"),
    "class-roster": Route("GET", INSTRUCTORS_OF_A, _class_path("roster/"), on="class"),
    "class-qr": Route("GET", INSTRUCTORS_OF_A, _class_path("qr.svg"), on="class"),
    "class-board": Route("GET", INSTRUCTORS_OF_A, _class_path("board/"), on="class"),
    "class-board-csv": Route("GET", INSTRUCTORS_OF_A, _class_path("board.csv"), on="class"),
    "class-spotlight": Route(
        "POST",
        INSTRUCTORS_OF_A,
        _class_path("spotlight/"),
        lambda w, c: {"sandbox": w.clusters["sandbox"].slug},
        on="class",
    ),
    "class-joining": Route("POST", INSTRUCTORS_OF_A, _class_path("joining/"), lambda w, c: {}, on="class"),
    "class-push": Route("POST", INSTRUCTORS_OF_A, _class_path("push/"), lambda w, c: {}, on="class"),
    "class-add-instructor": Route(
        "POST",
        frozenset({"instructor"}),
        _class_path("instructors/"),
        lambda w, c: {"username": "foreign_instructor"},
        on="class",
    ),
    "class-remove-instructor": Route(
        "POST",
        frozenset({"instructor"}),
        lambda w, c: f"/classes/{w.classes['A'].pk}/instructors/{w.users['co_instructor'].pk}/remove/",
        lambda w, c: {},
        on="class",
    ),
    "class-rename-student": Route(
        "POST",
        INSTRUCTORS_OF_A,
        lambda w, c: f"/classes/{w.classes['A'].pk}/students/{w.students['other_student'].pk}/rename/",
        lambda w, c: {"display_name": "Bob"},
        on="class",
    ),
    "class-remove-student": Route(
        "POST",
        INSTRUCTORS_OF_A,
        lambda w, c: f"/classes/{w.classes['A'].pk}/students/{w.students['other_student'].pk}/remove/",
        lambda w, c: {},
        on="class",
    ),
    "class-delete": Route("POST", frozenset({"instructor"}), _class_path("delete/"), lambda w, c: {}, on="class"),
    # everyone's pages
    "home": Route("GET", EVERYONE, lambda w, c: "/", on="none"),
    "sign-in": Route("GET", EVERYONE, lambda w, c: "/sign-in/", on="none"),
    "sign-out": Route("POST", EVERYONE, lambda w, c: "/sign-out/", lambda w, c: {}, on="none"),
    "sign-up": Route("GET", frozenset(), lambda w, c: "/sign-up/", on="none"),  # KUBEVIZ_INSTRUCTOR_SIGNUP is off
    "join": Route("GET", EVERYONE, lambda w, c: "/join/", on="none"),
    "join-code": Route("GET", EVERYONE, lambda w, c: f"/join/{w.classes['A'].join_code}/", on="none"),
    "rejoin": Route("GET", EVERYONE, lambda w, c: "/rejoin/", on="none"),
    "rejoin-code": Route("GET", EVERYONE, lambda w, c: "/rejoin/ABCD-EFGH-JKMN/", on="none"),
    "me": Route("GET", EVERYONE, lambda w, c: "/me/", on="none"),
    # a student's own place (the student's)
    "joined": Route("GET", frozenset({"student"}), lambda w, c: f"/joined/{w.students['student'].pk}/", on="none"),
    "me-new-code": Route(
        "POST",
        frozenset({"student"}),
        lambda w, c: f"/me/{w.students['student'].pk}/new-code/",
        lambda w, c: {},
        on="none",
    ),
}
# The POST of a cluster's page is its apply form (and the dry run): one URL name, three entries.
ROUTE_NAMES = {"cluster-apply": "cluster", "cluster-dry-run": "cluster"}


def http_cases():
    for name, route in ROUTES.items():
        targets = CLUSTERS if route.on == "cluster" else [None]
        for target in targets:
            for actor in ACTORS:
                yield pytest.param(name, target, actor, id=f"{name}-{target or route.on}-{actor}")


@pytest.fixture
def world(db, settings):
    settings.KUBEVIZ_OPEN_CLUSTERS = True
    settings.KUBEVIZ_EDIT_REQUIRES_LOGIN = False
    settings.KUBEVIZ_INSTRUCTOR_SIGNUP = False
    return make_world()


@pytest.mark.parametrize(("name", "target", "actor"), list(http_cases()))
def test_each_route_does_exactly_what_each_person_may_on_each_cluster(world, name, target, actor):
    route = ROUTES[name]
    cluster = world.clusters[target] if target else None
    allowed = route.allowed[target] if isinstance(route.allowed, dict) else route.allowed
    client = world.client(actor)
    data = route.data(world, cluster) if route.data else None  # set-up happens before the "before"
    path = route.path(world, cluster)
    before = fingerprint()
    response = client.post(path, data) if route.method == "POST" else client.get(path)
    if actor in allowed:
        assert response.status_code in (200, 302), (response.status_code, response.content[:300])
    else:
        assert response.status_code == 403, (response.status_code, response.content[:300])
        page = response.content.decode()
        reason = page.split('<p class="refusal" id="refusal">', 1)[1].split("</p>", 1)[0]
        assert len(reason) > 15 and reason.endswith("."), reason  # a sentence saying why
        assert fingerprint() == before


def test_a_refused_request_says_why_in_a_sentence_a_person_understands(world):
    response = world.client("other_student").get(f"/clusters/{world.clusters['sandbox'].slug}/")
    assert response.status_code == 403
    assert "This sandbox is private to its student and the class&#x27;s instructors." in response.content.decode()
    response = world.client("student").post(
        f"/clusters/{world.clusters['projected'].slug}/", {"yaml": POD.format(name="x")}
    )
    assert "only the class&#x27;s instructors edit the projected cluster" in response.content.decode().lower()


def test_an_instructor_writes_a_students_sandbox_only_after_taking_it_over(world):
    sandbox = world.clusters["sandbox"]
    client = world.client("co_instructor")
    refused = client.post(f"/clusters/{sandbox.slug}/", {"yaml": POD.format(name="help")})
    assert refused.status_code == 403 and "Take over" in refused.content.decode()
    assert client.post(f"/clusters/{sandbox.slug}/takeover/", {"take": "1"}).status_code == 302
    assert client.post(f"/clusters/{sandbox.slug}/", {"yaml": POD.format(name="help")}).status_code == 302
    assert models.Pod.objects.filter(cluster=sandbox, name="help").exists()
    assert client.post(f"/clusters/{sandbox.slug}/takeover/", {}).status_code == 302  # hands it back
    assert client.post(f"/clusters/{sandbox.slug}/", {"yaml": POD.format(name="again")}).status_code == 403


def test_a_removed_student_loses_the_class_at_once(world):
    student = world.client("student")
    assert student.get(f"/clusters/{world.clusters['sandbox'].slug}/").status_code == 200
    classrooms.student_remove(student=world.students["student"])
    response = student.get(f"/clusters/{world.clusters['projected'].slug}/")
    assert response.status_code == 403 and "removed you from this class" in response.content.decode()
    assert student.get(f"/clusters/{world.clusters['sandbox'].slug}/").status_code == 403


def test_the_admin_is_for_administrators_only(world):
    for actor in ACTORS:
        response = world.client(actor).get("/admin/simulator/cluster/")
        assert response.status_code == 302 and "/admin/login/" in response["Location"]  # Django's admin sign-in
    staff = get_user_model().objects.create_user("staff", is_staff=True)
    client = Client()
    client.force_login(staff)
    assert client.get("/admin/simulator/cluster/").status_code == 403
    admin = get_user_model().objects.create_superuser("root", "root@example.com", None)
    client.force_login(admin)
    assert client.get("/admin/simulator/cluster/").status_code == 200


# ---------------------------------------------------------------------- the websocket messages
NOBODY = {"sandbox": frozenset(), "open": frozenset(), "personal": frozenset()}
PRESENTERS = {"projected": INSTRUCTORS_OF_A, **NOBODY}  # presenter events, spotlight, questions
ANSWERERS = {"projected": frozenset({"student", "other_student"}), **NOBODY}
CHOICE = {"kind": "choice", "prompt": "Which?", "choices": ["a", "b"], "correct": 1}
ASKED: dict = {}  # the question open when the students answer (asked before the scenario)

ORIGIN = [(b"origin", b"http://127.0.0.1:8000")]

MESSAGES = {  # type -> (who may, per cluster kind; the message, given a per-case pod name)
    "resync": (READERS, lambda n: {"type": "resync"}),
    "apply": (WRITERS, lambda n: {"type": "apply", "yaml": POD.format(name=f"ws-{n}")}),
    "apply-dry-run": (WRITERS, lambda n: {"type": "apply", "yaml": POD.format(name=f"ws-{n}"), "dryRun": True}),
    "delete": (WRITERS, lambda n: {"type": "delete", "kind": "Pod", "namespace": "default", "name": f"victim-{n}"}),
    "clock": (WRITERS, lambda n: {"type": "clock", "action": "step", "seconds": 2}),
    "resolve": (READERS, lambda n: {"type": "resolve", "from": "default/prod-1", "name": "prod", "rtype": "A"}),
    "trace": (READERS, lambda n: {"type": "trace", "from": "default/prod-1", "url": "http://prod/"}),
    "explain-service": (READERS, lambda n: {"type": "explain-service", "service": "default/prod"}),
    "explain-pod": (READERS, lambda n: {"type": "explain-pod", "pod": "default/prod-1"}),
    # Presenting live: in this order an instructor switches Present on, then sends a view, ...
    "present": (PRESENTERS, lambda n: {"type": "present", "on": True}),
    "view": (PRESENTERS, lambda n: {"type": "view", "set": {"select": "Pod/default/prod-1", "tab": "inspect"}}),
    "follow": (READERS, lambda n: {"type": "follow", "on": True}),
    "spotlight": (PRESENTERS, lambda n: {"type": "spotlight", "sandbox": None}),
    "sandboxes": (PRESENTERS, lambda n: {"type": "sandboxes"}),
    "ask": (PRESENTERS, lambda n: {"type": "ask", "question": CHOICE}),
    "answer": (ANSWERERS, lambda n: {"type": "answer", "question": ASKED["id"], "answer": {"choice": 1}}),
    "reveal": (PRESENTERS, lambda n: {"type": "reveal"}),
    "dismiss": (PRESENTERS, lambda n: {"type": "dismiss"}),
    "exercise-hint": (WRITERS, lambda n: {"type": "exercise-hint"}),
    "exercise-next": (WRITERS, lambda n: {"type": "exercise-next"}),
}
MESSAGE_TYPES = {"apply-dry-run": "apply"}


def session_cookie(world: World, actor: str) -> list:
    client = world.client(actor)
    client.get("/")  # a session for everyone (the anonymous one too)
    cookie = client.cookies.get("sessionid")
    return [(b"cookie", f"sessionid={cookie.value}".encode())] if cookie else []


async def next_of(ws, kinds: tuple[str, ...], timeout: float = 5, request_id: int | None = None) -> dict:
    """The next message of one of `kinds`; a reply only if it answers `request_id` (when given:
    replies to reads answered off the event loop may come after a later request's)."""
    while True:
        message = json.loads(await ws.receive_from(timeout=timeout))
        if message["type"] == "reply" and request_id is not None and message.get("id") != request_id:
            continue
        if message["type"] in kinds:
            return message


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("target", CLUSTERS)
def test_each_websocket_message_does_exactly_what_each_person_may_on_each_cluster(settings, target):
    settings.KUBEVIZ_OPEN_CLUSTERS = True
    settings.KUBEVIZ_EDIT_REQUIRES_LOGIN = False
    world = make_world()
    cluster = world.clusters[target]
    cookies = {actor: session_cookie(world, actor) for actor in ACTORS}
    counter = iter(range(10_000))
    projected = world.clusters["projected"]
    ASKED["id"] = presenting.question_ask(cluster=projected, user=world.users["instructor"], spec=CHOICE)["id"]

    async def scenario():
        for actor in ACTORS:
            ws = WebsocketCommunicator(application, f"/ws/clusters/{cluster.slug}/", headers=ORIGIN + cookies[actor])
            before = await _db(fingerprint)()
            watching = await _db(models.Presence.objects.filter(cluster=cluster).count)()
            connected, _ = await ws.connect()
            assert connected
            first = json.loads(await ws.receive_from(timeout=5))
            if actor not in READERS[target]:
                # Refused at the door: told why, closed, counted by nobody, nothing changed.
                assert first["type"] == "error" and first["code"] == "forbidden" and len(first["message"]) > 15
                assert (await ws.receive_output(timeout=5))["code"] == consumers.CLOSE_FORBIDDEN
                assert await _db(models.Presence.objects.filter(cluster=cluster).count)() == watching
                assert await _db(fingerprint)() == before
                continue
            assert first["type"] == "snapshot"
            for kind, (allowed, build) in MESSAGES.items():
                n = next(counter)
                await _db(services.cluster_apply)(cluster=cluster, text=POD.format(name=f"victim-{n}"))
                message = {**build(n), "id": n}
                before = await _db(fingerprint)()
                await ws.send_to(text_data=json.dumps(message))
                reply = await next_of(ws, ("reply", "snapshot"))
                while reply["type"] == "reply" and reply.get("id") != n:  # a late reply to an earlier message
                    reply = await next_of(ws, ("reply", "snapshot"))
                if actor in allowed[target]:
                    assert reply["type"] == "snapshot" or reply["ok"], (kind, actor, reply)
                    if kind == "view":  # the presenter's view is remembered a moment later: wait for it
                        await _view_saved(reply["seq"])
                else:
                    assert reply == {
                        "type": "reply",
                        "id": n,
                        "ok": False,
                        "error": reply["error"],
                        "code": "forbidden",
                    }, (kind, actor)
                    assert len(reply["error"]) > 15
                    assert await _db(fingerprint)() == before, (kind, actor)
            await ws.disconnect()

    async_to_sync(scenario)()


async def _view_saved(seq: int) -> None:
    for _ in range(200):
        if await _db(models.Presentation.objects.filter(seq__gte=seq).exists)():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"the presenter's view {seq} was not remembered")


def _db(function):
    from channels.db import database_sync_to_async

    return database_sync_to_async(function)


# ---------------------------------------------------------------------- the tables are complete
def test_every_route_and_message_type_is_in_the_matrix():
    names = {p.name for p in web_urls.urlpatterns if isinstance(p, URLPattern)}
    tested = {ROUTE_NAMES.get(name, name) for name in ROUTES}
    assert names == tested, (
        f"routes without a matrix entry: {names - tested}; entries without a route: {tested - names}"
    )
    handlers = {
        attribute[len("on_") :].replace("_", "-")
        for attribute in dir(consumers.ClusterConsumer)
        if attribute.startswith("on_")
    }
    assert handlers == set(consumers.MESSAGE_ACTIONS), "a message type without its action in MESSAGE_ACTIONS"
    assert handlers == {MESSAGE_TYPES.get(kind, kind) for kind in MESSAGES}, "a message type without a matrix entry"
    assert {permissions.Action(a) for a in consumers.MESSAGE_ACTIONS.values()} <= set(permissions.Action)
