"""The console's history, kept on the server per person and cluster: it comes back in `hello` after
a reload and in the person's other browsers, never in another person's; bounded; an anonymous
socket keeps none. And the console socket's answers to a `kubectl edit` (Save, Cancel) are
decided like a command and reach only an edit this socket's run opened."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.test import Client

from simulator import selectors, services
from simulator.models import ConsoleLine
from tests.app.test_permission_matrix import make_world, session_cookie
from tests.console.test_consumer import connect, receive, until


def login_cookie(user) -> list:
    """A browser of its own (a new session) signed in as `user`."""
    client = Client()
    client.force_login(user)
    return [(b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())]


async def run(ws, line: str, request_id: int) -> dict:
    await ws.send_to(text_data=json.dumps({"type": "run", "id": request_id, "line": line}))
    done, _printed = await until(ws, "done")
    return done


@pytest.mark.django_db(transaction=True)
def test_history_comes_back_after_a_reload_and_in_another_browser_of_the_same_person(settings):
    settings.KUBEVIZ_OPEN_CLUSTERS = True
    settings.KUBEVIZ_EDIT_REQUIRES_LOGIN = False
    world = make_world()
    cluster = world.clusters["open"]
    instructor = world.users["instructor"]
    first, second = login_cookie(instructor), login_cookie(instructor)

    async def scenario():
        ws, hello = await connect(cluster, first)
        assert hello["history"] == []
        await run(ws, "kubectl version --client", 1)
        await run(ws, "kubectl get pods; cat /etc/passwd", 2)  # refused, but typed: kept
        await ws.disconnect()
        again, hello = await connect(cluster, second)  # another browser, same person
        assert hello["history"] == ["kubectl version --client", "kubectl get pods; cat /etc/passwd"]
        await again.disconnect()

    async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True)
def test_a_student_never_sees_another_persons_history(settings):
    settings.KUBEVIZ_OPEN_CLUSTERS = True
    settings.KUBEVIZ_EDIT_REQUIRES_LOGIN = False
    world = make_world()
    cluster = world.clusters["open"]
    cookies = {actor: session_cookie(world, actor) for actor in ("student", "other_student", "foreign_student")}
    cookies["instructor"] = login_cookie(world.users["instructor"])

    async def scenario():
        ws, _ = await connect(cluster, cookies["student"])
        await run(ws, "kubectl get secrets", 1)
        await ws.disconnect()
        for other in ("other_student", "foreign_student", "instructor"):
            ws, hello = await connect(cluster, cookies[other])
            assert hello["history"] == [], other
            await ws.disconnect()
        ws, hello = await connect(cluster, cookies["student"])
        assert hello["history"] == ["kubectl get secrets"]
        await ws.disconnect()
        # and on another cluster, the same student starts with none
        ws, hello = await connect(world.clusters["sandbox"], cookies["student"])
        assert hello["history"] == []
        await ws.disconnect()

    async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True)
def test_an_anonymous_socket_keeps_no_history_on_the_server(settings):
    settings.KUBEVIZ_OPEN_CLUSTERS = True
    settings.KUBEVIZ_EDIT_REQUIRES_LOGIN = False
    world = make_world()
    cluster = world.clusters["open"]

    async def scenario():
        ws, hello = await connect(cluster, [])
        assert hello["history"] == []
        await run(ws, "kubectl version --client", 1)
        await ws.disconnect()
        assert await database_sync_to_async(ConsoleLine.objects.count)() == 0

    async_to_sync(scenario)()


@pytest.mark.django_db
def test_history_keeps_the_newest_lines_and_a_repeat_once(settings):
    world = make_world()
    cluster = world.clusters["open"]
    for n in range(services.CONSOLE_HISTORY + 5):
        assert services.console_history_record(cluster=cluster, person="student:1", line=f"kubectl get pods # {n}")
    assert services.console_history_record(cluster=cluster, person="student:1", line="kubectl get pods # 504")
    history = selectors.console_history(cluster=cluster, person="student:1")
    assert len(history) == services.CONSOLE_HISTORY
    assert history[0] == "kubectl get pods # 5" and history[-1] == "kubectl get pods # 504"
    assert ConsoleLine.objects.filter(person="student:1").count() == services.CONSOLE_HISTORY
    assert not services.console_history_record(cluster=cluster, person="student:1", line="   ")
    assert not services.console_history_record(cluster=cluster, person="student:1", line="x" * 5000)
    assert not services.console_history_record(cluster=cluster, person="", line="kubectl get pods")
    assert selectors.console_history(cluster=cluster, person="student:2") == []


@pytest.mark.django_db(transaction=True)
def test_a_save_from_someone_who_may_no_longer_write_is_refused(settings):
    world = make_world()
    sandbox = world.clusters["sandbox"]
    cookie = session_cookie(world, "student")

    async def scenario():
        ws, _ = await connect(sandbox, cookie)
        student = world.students["student"]
        await database_sync_to_async(type(student).objects.filter(pk=student.pk).update)(removed=True)
        await ws.send_to(text_data=json.dumps({"type": "edit-save", "edit": 1, "text": "kind: Service\n"}))
        told = await receive(ws)
        assert told == {"type": "error", "message": "the instructor removed you from this class", "code": "forbidden"}
        await ws.disconnect()

    async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True)
def test_an_answer_to_an_edit_no_run_opened_changes_nothing_and_says_so(settings):
    world = make_world()
    sandbox = world.clusters["sandbox"]
    cookie = session_cookie(world, "student")

    async def scenario():
        ws, _ = await connect(sandbox, cookie)
        await ws.send_to(text_data=json.dumps({"type": "edit-save", "edit": 3, "text": "kind: Service\n"}))
        assert await receive(ws) == {"type": "edit-closed", "edit": 3}
        assert (await receive(ws))["message"] == "this edit is over: its kubectl command has ended"
        await ws.send_to(text_data=json.dumps({"type": "edit-save", "edit": "3"}))
        assert "edit-save needs `edit`" in (await receive(ws))["message"]
        await ws.disconnect()

    async_to_sync(scenario)()
