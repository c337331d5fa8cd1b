"""The classroom's services and pages: instructors, classes and join codes, students who join and
rejoin, sandboxes copied from the projected cluster as it is now, resets, the push to every
sandbox, limits that name their setting, idle sandboxes pruned, the live "instructor is in"."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from kubeviz.asgi import application
from simulator import classrooms, models, permissions, repository, selectors, services

from .conftest import fresh_entries

POD = "apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, labels: {{zone: prod, version: v1}}}}\nspec: {{containers: [{{name: c, image: nginx, ports: [{{containerPort: 8080}}]}}]}}\n"
UNAMBIGUOUS = set("23456789ABCDEFGHJKMNPQRSTUVWXYZ")


@pytest.fixture
def teacher(db):
    user, _password = classrooms.instructor_create(username="ada", password="pw-ada-123")
    return user


@pytest.fixture
def klass(teacher):
    return classrooms.classroom_create(owner=teacher, name="Monday networking", lesson="selector-and")


def rows(cluster) -> dict:
    return {
        kind: sorted((r.namespace, r.name, r.resource_version) for r in model.objects.filter(cluster=cluster))
        for kind, model in models.KIND_MODELS.items()
    }


# ---------------------------------------------------------------------- instructors
def test_createinstructor_prints_a_generated_password_that_signs_in(db, capsys):
    call_command("createinstructor", "grace")
    out = capsys.readouterr().out
    password = re.search(r"password: (\S+)", out).group(1)
    assert len(password) >= 12
    client = Client()
    response = client.post("/sign-in/", {"username": "grace", "password": password})
    assert response.status_code == 302 and response["Location"] == "/classes/"
    assert permissions.is_instructor(get_user_model().objects.get(username="grace"))


def test_createinstructor_with_a_password_prints_none_and_a_taken_name_is_an_error(db, capsys):
    call_command("createinstructor", "grace", "--password", "s3cret-enough")
    assert "password:" not in capsys.readouterr().out
    with pytest.raises(Exception, match="the user name 'grace' is taken"):
        call_command("createinstructor", "grace")


def test_sign_up_is_there_only_when_the_setting_allows_it(db, settings):
    form = {"username": "linus", "password1": "a-long-pass-phrase-1", "password2": "a-long-pass-phrase-1"}
    settings.KUBEVIZ_INSTRUCTOR_SIGNUP = False
    refused = Client().post("/sign-up/", form)
    assert refused.status_code == 403 and "KUBEVIZ_INSTRUCTOR_SIGNUP" in refused.content.decode()
    assert not get_user_model().objects.filter(username="linus").exists()
    settings.KUBEVIZ_INSTRUCTOR_SIGNUP = True
    client = Client()
    assert client.post("/sign-up/", form)["Location"] == "/classes/"
    assert client.get("/classes/").status_code == 200  # signed in, an instructor


def test_sign_out_ends_the_session(teacher):
    client = Client()
    client.post("/sign-in/", {"username": "ada", "password": "pw-ada-123"})
    assert client.get("/classes/").status_code == 200
    client.post("/sign-out/")
    assert client.get("/classes/").status_code == 403


# ---------------------------------------------------------------------- classes
def test_a_class_gets_an_unambiguous_join_code_and_a_projected_cluster_from_its_lesson(klass):
    code = klass.join_code
    assert re.fullmatch(r"[A-Z0-9]{3}-[A-Z0-9]{3}", code) and set(code.replace("-", "")) <= UNAMBIGUOUS
    projected = klass.projected
    assert projected.role == "projected" and projected.classroom_id == klass.pk and projected.lesson == "selector-and"
    assert models.Service.objects.filter(cluster=projected, name="prod").exists()


def test_join_codes_are_unique_among_open_classes_and_survive_closing_and_lesson_edits(teacher, monkeypatch):
    first = classrooms.classroom_create(owner=teacher, name="One")
    assert services.cluster_apply(cluster=first.projected, text=POD.format(name="edit")).ok
    first.refresh_from_db()
    code = first.join_code
    classrooms.classroom_set_joining(classroom=first, joining_open=False)
    draws = iter([code, "ZZZ-ZZZ"])  # the next class draws the closed class's code: allowed
    monkeypatch.setattr(classrooms, "_free_join_code", lambda exclude_pk=None: next(draws))
    second = classrooms.classroom_create(owner=teacher, name="Two")
    assert second.join_code == code
    monkeypatch.undo()
    reopened = classrooms.classroom_set_joining(classroom=first, joining_open=True)
    assert reopened.join_code != code  # taken by an open class meanwhile: a new one
    classrooms.classroom_set_joining(classroom=second, joining_open=False)
    again = classrooms.classroom_set_joining(classroom=second, joining_open=True)
    assert again.join_code == code  # nobody took it: kept


def test_the_class_page_shows_the_code_big_the_join_link_and_its_qr_code_as_svg(klass, teacher):
    client = Client()
    client.force_login(teacher)
    page = client.get(f"/classes/{klass.pk}/").content.decode()
    assert f'id="join-code">{klass.join_code}<' in page
    assert f"http://testserver/join/{klass.join_code}/" in page
    assert "<svg" in page and "</svg>" in page
    qr = client.get(f"/classes/{klass.pk}/qr.svg")
    assert qr["Content-Type"] == "image/svg+xml" and qr.content.startswith(b"<svg")


def test_a_co_instructor_must_be_an_instructor(klass, db):
    get_user_model().objects.create_user("plain")
    with pytest.raises(services.ServiceError, match="no instructor is called 'plain'"):
        classrooms.classroom_add_instructor(classroom=klass, username="plain")
    other, _ = classrooms.instructor_create(username="bea", password="x-long-password")
    classrooms.classroom_add_instructor(classroom=klass, username="bea")
    assert selectors.classroom_instructors(klass) == ["ada", "bea"]
    assert [c.pk for c in selectors.classrooms_taught_by(other.pk)] == [klass.pk]


# ---------------------------------------------------------------------- students
def test_a_student_joins_with_the_code_and_a_name_and_rejoins_elsewhere_as_the_same_student(klass):
    browser = Client()
    response = browser.post("/join/", {"code": klass.join_code.lower().replace("-", " "), "display_name": "  Ana  "})
    assert response.status_code == 302
    student = models.Student.objects.get(classroom=klass)
    assert student.display_name == "Ana" and len(student.rejoin_hash) == 64
    page = browser.get(response["Location"]).content.decode()
    code = re.search(r'id="rejoin-code">([A-Z0-9-]+)<', page).group(1)
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", code)
    assert code not in models.Student.objects.values_list("rejoin_hash", flat=True)  # only its hash is kept
    assert browser.post(f"/clusters/{klass.projected.slug}/fork/").status_code == 302  # My copy
    sandbox = selectors.sandbox_of(student)
    other_device = Client()
    assert other_device.get(f"/clusters/{sandbox.slug}/").status_code == 403
    back = other_device.post("/rejoin/", {"rejoin_code": code.lower()})
    assert back["Location"] == f"/clusters/{sandbox.slug}/"
    assert other_device.get(f"/clusters/{sandbox.slug}/").status_code == 200
    assert code in other_device.get("/me/").content.decode()  # "my class" shows it in that browser


def test_a_wrong_or_closed_code_and_a_taken_name_are_refused_with_a_reason(klass):
    with pytest.raises(services.ServiceError, match="no class is open for joining with the code ABC-DEF"):
        classrooms.student_join(code="abc-def", display_name="Ana")
    classrooms.student_join(code=klass.join_code, display_name="Ana")
    with pytest.raises(services.ServiceError, match="someone in this class is called ana already"):
        classrooms.student_join(code=klass.join_code, display_name="ana")
    with pytest.raises(services.ServiceError, match="a display name is needed"):
        classrooms.student_join(code=klass.join_code, display_name=" \t")
    classrooms.classroom_set_joining(classroom=klass, joining_open=False)
    with pytest.raises(services.ServiceError, match="closed for joining"):
        classrooms.student_join(code=klass.join_code, display_name="Bo")


def test_the_instructor_renames_and_removes_students_and_a_removed_student_cannot_rejoin(klass):
    student, code = classrooms.student_join(code=klass.join_code, display_name="Ana")
    classrooms.student_rename(student=student, display_name="Ana B.")
    assert selectors.classroom_roster(klass)[0]["student"].display_name == "Ana B."
    classrooms.student_remove(student=student)
    with pytest.raises(services.ServiceError, match="removed you from this class"):
        classrooms.student_rejoin(code=code)


def test_a_new_rejoin_code_replaces_the_old_one(klass):
    student, old = classrooms.student_join(code=klass.join_code, display_name="Ana")
    new = classrooms.student_new_rejoin_code(student=student)
    assert classrooms.student_rejoin(code=new).pk == student.pk
    with pytest.raises(services.ServiceError, match="no student has that rejoin code"):
        classrooms.student_rejoin(code=old)


# ---------------------------------------------------------------------- sandboxes
def test_my_copy_copies_the_projected_cluster_as_it_is_now_objects_and_engine_state(
    klass, django_capture_on_commit_callbacks
):
    projected = klass.projected
    assert services.cluster_apply(cluster=projected, text=POD.format(name="live-1")).ok
    assert services.cluster_clock(cluster=projected, action="step", seconds=7).ok
    projected.refresh_from_db()
    student, _ = classrooms.student_join(code=klass.join_code, display_name="Ana")
    with django_capture_on_commit_callbacks(execute=True):
        sandbox, made = classrooms.sandbox_get_or_create(student=student)
    assert made and sandbox.role == "sandbox" and sandbox.owner_student_id == student.pk
    assert sandbox.forked_from_id == projected.pk and sandbox.classroom_id == klass.pk
    assert rows(sandbox) == rows(projected)  # the objects as they are now, uids and resourceVersions too
    assert sandbox.state == projected.state and sandbox.clock == 7
    assert repository.peek_warm(sandbox) is not None  # warm at once, nothing rebuilt
    entries = fresh_entries(sandbox)
    assert entries["meta"]["slug"] == sandbox.slug
    assert {k: v for k, v in entries.items() if k != "meta"} == {
        k: v for k, v in fresh_entries(projected).items() if k != "meta"
    }
    again, made = classrooms.sandbox_get_or_create(student=student)
    assert again.pk == sandbox.pk and not made  # one sandbox per student and class


def test_a_sandbox_resets_to_the_lesson_start_or_to_the_projectors_state_now(klass):
    student, _ = classrooms.student_join(code=klass.join_code, display_name="Ana")
    sandbox, _ = classrooms.sandbox_get_or_create(student=student)
    start = rows(sandbox)
    assert services.cluster_apply(cluster=sandbox, text=POD.format(name="mine")).ok
    assert services.cluster_apply(cluster=klass.projected, text=POD.format(name="teachers")).ok
    version = services.cluster_reset(cluster=sandbox, to="lesson")
    assert version == sandbox.version and {n for _ns, n, _rv in rows(sandbox)["Pod"]} == {
        n for _ns, n, _rv in start["Pod"]
    }
    assert not models.Pod.objects.filter(cluster=sandbox, name__in=["mine", "teachers"]).exists()
    services.cluster_reset(cluster=sandbox, to="source")
    assert models.Pod.objects.filter(cluster=sandbox, name="teachers").exists()
    assert fresh_entries(sandbox) == _warm_entries(sandbox)  # the warm engine equals one rebuilt from rows


def _warm_entries(cluster) -> dict:
    _version, entries = selectors.cluster_entries(cluster)
    return entries


def test_a_reset_is_one_change_and_a_watcher_applying_it_holds_the_new_state(
    klass, listener, django_capture_on_commit_callbacks
):
    from simulator.live import client

    student, _ = classrooms.student_join(code=klass.join_code, display_name="Ana")
    sandbox, _ = classrooms.sandbox_get_or_create(student=student)
    assert services.cluster_apply(cluster=sandbox, text=POD.format(name="mine")).ok
    state = client.LiveState()
    _version, parts = selectors.cluster_snapshot_parts(sandbox)
    for text in parts:
        state.receive(json.loads(text))
    watcher = listener(sandbox.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.cluster_reset(cluster=sandbox, to="lesson")
    [message] = watcher.drain()
    change = json.loads(message["text"])
    assert change["cause"]["summary"] == ["reset to the start of selector-and"]
    assert state.receive(change) is None
    assert state.entries == fresh_entries(sandbox)


def test_the_push_puts_the_projectors_state_in_every_current_students_sandbox(klass):
    students = [classrooms.student_join(code=klass.join_code, display_name=n)[0] for n in ("Ana", "Bo", "Cy")]
    sandboxes = [classrooms.sandbox_get_or_create(student=s)[0] for s in students]
    assert services.cluster_apply(cluster=sandboxes[0], text=POD.format(name="ana-only")).ok
    classrooms.student_remove(student=students[2])
    assert services.cluster_apply(cluster=klass.projected, text=POD.format(name="from-here")).ok
    assert classrooms.classroom_push_projected(classroom=klass) == 2
    for sandbox in sandboxes[:2]:
        assert models.Pod.objects.filter(cluster=sandbox, name="from-here").exists()
        assert not models.Pod.objects.filter(cluster=sandbox, name="ana-only").exists()
    assert not models.Pod.objects.filter(cluster=sandboxes[2], name="from-here").exists()  # removed: left alone


def test_a_self_learner_forks_an_open_cluster_into_a_sandbox_of_their_browser_and_deletes_it(db, settings):
    settings.KUBEVIZ_OPEN_CLUSTERS = True
    demo = services.cluster_create(name="demo", slug="demo", lesson="webapp")
    browser = Client()
    fork = browser.post("/clusters/demo/fork/")
    slug = fork["Location"].strip("/").split("/")[-1]
    assert float(fork["Server-Timing"].split("dur=")[1]) > 0
    copy = selectors.cluster_by_slug(slug)
    assert copy.role == "sandbox" and copy.owner_session and copy.forked_from_id == demo.pk
    assert Client().get(f"/clusters/{slug}/").status_code == 403  # another browser
    assert browser.get(f"/clusters/{slug}/").status_code == 200
    assert browser.post(f"/clusters/{slug}/delete/").status_code == 302
    assert selectors.cluster_by_slug(slug) is None


def test_the_home_page_of_an_anonymous_visitor_with_open_clusters_is_as_before(db, settings):
    settings.KUBEVIZ_OPEN_CLUSTERS = True
    services.cluster_create(name="demo", slug="demo", lesson="webapp")
    browser = Client()
    page = browser.get("/").content.decode()
    assert "/clusters/demo/" in page and "New cluster" in page and 'value="selector-and"' in page
    made = browser.post("/", {"name": "My sandbox", "lesson": "webapp", "workers": 2, "load_balancer_pool": ""})
    cluster = selectors.cluster_by_slug(made["Location"].strip("/").split("/")[-1])
    assert cluster.role == "open" and cluster.owner_session
    assert (
        Client().post(f"/clusters/{cluster.slug}/", {"yaml": POD.format(name="x")}).status_code == 302
    )  # anyone edits


def test_with_open_clusters_off_an_anonymous_visitor_joins_a_class_instead(db, settings):
    settings.KUBEVIZ_OPEN_CLUSTERS = False
    page = Client().get("/").content.decode()
    assert "New cluster" not in page and "/join/" in page
    refused = Client().post("/", {"name": "x", "lesson": "", "workers": 2})
    assert refused.status_code == 403 and "KUBEVIZ_OPEN_CLUSTERS" in refused.content.decode()


# ---------------------------------------------------------------------- limits
def test_clusters_per_owner_are_limited_and_the_refusal_names_the_setting(db, settings):
    settings.KUBEVIZ_OPEN_CLUSTERS = True
    settings.KUBEVIZ_MAX_CLUSTERS_PER_OWNER = 2
    browser = Client()
    for n in range(2):
        assert browser.post("/", {"name": f"c{n}", "lesson": "", "workers": 1}).status_code == 302
    refused = browser.post("/", {"name": "c3", "lesson": "", "workers": 1})
    assert refused.status_code == 403
    assert "KUBEVIZ_MAX_CLUSTERS_PER_OWNER=2" in refused.content.decode()
    assert models.Cluster.objects.count() == 2


def test_students_and_sandboxes_per_class_are_limited(klass, settings):
    settings.KUBEVIZ_MAX_STUDENTS_PER_CLASS = 2
    settings.KUBEVIZ_MAX_SANDBOXES_PER_CLASS = 1
    ana, _ = classrooms.student_join(code=klass.join_code, display_name="Ana")
    bo, _ = classrooms.student_join(code=klass.join_code, display_name="Bo")
    with pytest.raises(services.LimitReached, match=r"KUBEVIZ_MAX_STUDENTS_PER_CLASS=2"):
        classrooms.student_join(code=klass.join_code, display_name="Cy")
    classrooms.sandbox_get_or_create(student=ana)
    with pytest.raises(services.LimitReached, match=r"KUBEVIZ_MAX_SANDBOXES_PER_CLASS=1"):
        classrooms.sandbox_get_or_create(student=bo)
    browser = Client()
    session = browser.session
    session[permissions.SESSION_STUDENTS] = [bo.pk]
    session.save()
    refused = browser.post(f"/clusters/{klass.projected.slug}/fork/")
    assert refused.status_code == 403 and "KUBEVIZ_MAX_SANDBOXES_PER_CLASS" in refused.content.decode()


# ---------------------------------------------------------------------- prune
def test_prune_deletes_idle_anonymous_sandboxes_only(klass, settings, capsys):
    settings.KUBEVIZ_SANDBOX_IDLE = 3600
    demo = services.cluster_create(name="demo", slug="demo")
    idle = services.cluster_fork(cluster=demo, name="idle", owner_session="visitor-1")
    busy = services.cluster_fork(cluster=demo, name="busy", owner_session="visitor-2")
    student, _ = classrooms.student_join(code=klass.join_code, display_name="Ana")
    students_sandbox, _ = classrooms.sandbox_get_or_create(student=student)
    long_ago = timezone.now() - datetime.timedelta(hours=2)
    models.Cluster.objects.filter(pk__in=[idle.pk, students_sandbox.pk, demo.pk]).update(last_activity=long_ago)
    call_command("prune")
    assert "deleted idle" in capsys.readouterr().out
    assert set(models.Cluster.objects.values_list("slug", flat=True)) == {
        "demo",
        busy.slug,
        students_sandbox.slug,
        klass.projected.slug,
    }


@pytest.mark.django_db(transaction=True)
def test_the_server_prunes_on_its_schedule(settings):
    import asyncio

    from simulator.realtime import pruner

    settings.KUBEVIZ_PRUNE_EVERY = 3600
    settings.KUBEVIZ_SANDBOX_IDLE = 0
    demo = services.cluster_create(name="demo", slug="demo")
    services.cluster_fork(cluster=demo, name="gone", owner_session="visitor")

    async def scenario():
        pruner.start()
        for _ in range(100):
            if not await _db(models.Cluster.objects.filter(slug="gone").exists)():
                break
            await asyncio.sleep(0.05)
        pruner._task.cancel()

    async_to_sync(scenario)()
    assert not models.Cluster.objects.filter(slug="gone").exists()


def _db(function):
    from channels.db import database_sync_to_async

    return database_sync_to_async(function)


# ---------------------------------------------------------------------- the instructor is in
ORIGIN = [(b"origin", b"http://127.0.0.1:8000")]


def _cookie(client: Client) -> list:
    client.get("/")
    return [(b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())]


@pytest.mark.django_db(transaction=True)
def test_the_student_sees_the_instructor_watching_then_editing_their_sandbox():
    teacher, _ = classrooms.instructor_create(username="ada", password="pw-ada-123")
    klass = classrooms.classroom_create(owner=teacher, name="Monday", lesson="selector-and")
    student, _ = classrooms.student_join(code=klass.join_code, display_name="Ana")
    sandbox, _ = classrooms.sandbox_get_or_create(student=student)
    ana = Client()
    session = ana.session
    session[permissions.SESSION_STUDENTS] = [student.pk]
    session.save()
    instructor = Client()
    instructor.force_login(teacher)

    async def presence_with_instructors(ws) -> list:
        while True:
            message = json.loads(await ws.receive_from(timeout=5))
            if message["type"] == "presence" and message.get("instructors"):
                return message["instructors"]

    ana_cookie, instructor_cookie = _cookie(ana), _cookie(instructor)

    async def scenario():
        student_ws = WebsocketCommunicator(application, f"/ws/clusters/{sandbox.slug}/", headers=ORIGIN + ana_cookie)
        assert (await student_ws.connect())[0]
        teacher_ws = WebsocketCommunicator(
            application, f"/ws/clusters/{sandbox.slug}/", headers=ORIGIN + instructor_cookie
        )
        assert (await teacher_ws.connect())[0]
        assert await presence_with_instructors(student_ws) == [{"name": "ada", "editing": False}]
        await teacher_ws.send_to(text_data=json.dumps({"type": "apply", "id": 1, "yaml": POD.format(name="help")}))
        while (reply := json.loads(await teacher_ws.receive_from(timeout=5)))["type"] != "reply":
            pass
        assert reply["code"] == "forbidden" and "Take over" in reply["error"]
        await teacher_ws.disconnect()
        await _db(instructor.post)(f"/clusters/{sandbox.slug}/takeover/", {"take": "1"})
        teacher_ws = WebsocketCommunicator(
            application, f"/ws/clusters/{sandbox.slug}/", headers=ORIGIN + instructor_cookie
        )
        assert (await teacher_ws.connect())[0]
        assert await presence_with_instructors(student_ws) == [{"name": "ada", "editing": True}]
        await teacher_ws.send_to(text_data=json.dumps({"type": "apply", "id": 2, "yaml": POD.format(name="help")}))
        while (reply := json.loads(await teacher_ws.receive_from(timeout=5)))["type"] != "reply":
            pass
        assert reply["ok"]
        change = json.loads(await student_ws.receive_from(timeout=5))
        while change["type"] != "change":
            change = json.loads(await student_ws.receive_from(timeout=5))
        assert change["cause"] == {"user": "ada", "summary": ["pod/help created"]}
        await teacher_ws.disconnect()
        await student_ws.disconnect()

    async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True)
def test_a_removed_students_open_socket_is_closed_with_the_reason():
    teacher, _ = classrooms.instructor_create(username="ada", password="pw-ada-123")
    klass = classrooms.classroom_create(owner=teacher, name="Monday", lesson="selector-and")
    student, _ = classrooms.student_join(code=klass.join_code, display_name="Ana")
    ana = Client()
    session = ana.session
    session[permissions.SESSION_STUDENTS] = [student.pk]
    session.save()

    cookie = _cookie(ana)

    async def scenario():
        ws = WebsocketCommunicator(application, f"/ws/clusters/{klass.projected.slug}/", headers=ORIGIN + cookie)
        assert (await ws.connect())[0]
        assert json.loads(await ws.receive_from(timeout=5))["type"] == "snapshot"
        await _db(classrooms.student_remove)(student=student)
        while (message := json.loads(await ws.receive_from(timeout=5)))["type"] != "error":
            pass
        assert message == {
            "type": "error",
            "message": "the instructor removed you from this class",
            "code": "forbidden",
        }
        assert (await ws.receive_output(timeout=5)) == {"type": "websocket.close", "code": 4403}

    async_to_sync(scenario)()
