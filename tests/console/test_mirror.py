"""The presenter's console, mirrored to followers (issues 14 and 17), through the real sockets: what
the presenting instructor's console prints reaches the class's page sockets while Present is on,
and only then; a late joiner lands on its last lines; nobody else's console is mirrored (a
student's, a co-instructor's), a student cannot inject mirror output, and the presenter's own page
and the console sockets are not sent it."""

from __future__ import annotations

import asyncio
import json

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from kubeviz.asgi import application
from simulator import classrooms, permissions, presenting_console
from simulator.live import consolemirror
from simulator.models import Presentation
from tests.app.livehelpers import run_apart

ORIGIN = [(b"origin", b"http://127.0.0.1:8000")]
LINE = "kubectl version --client"


@pytest.fixture
def world(db):
    teacher, _ = classrooms.instructor_create(username="ada", password="pw-ada-123")
    helper, _ = classrooms.instructor_create(username="cleo", password="pw-cleo-123")
    klass = classrooms.classroom_create(owner=teacher, name="Monday", lesson="selector-and")
    classrooms.classroom_add_instructor(classroom=klass, username="cleo")
    ana, _ = classrooms.student_join(code=klass.join_code, display_name="Ana")
    bo, _ = classrooms.student_join(code=klass.join_code, display_name="Bo")
    return {"teacher": teacher, "helper": helper, "klass": klass, "ana": ana, "bo": bo}


def cookie(world, who: str) -> list:
    client = Client()
    if who in ("teacher", "helper"):
        client.force_login(world[who])
    else:
        session = client.session
        session[permissions.SESSION_STUDENTS] = [world[who].pk]
        session.save()
    client.get("/")
    return [*ORIGIN, (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())]


async def receive(ws, timeout: float = 10) -> dict:
    return json.loads(await ws.receive_from(timeout=timeout))


async def until(ws, kind: str, timeout: float = 30) -> tuple[dict, list[dict]]:
    """The next message of `kind`, and the messages before it."""
    before = []
    while True:
        message = await receive(ws, timeout)
        if message["type"] == kind:
            return message, before
        before.append(message)


async def request(ws, message: dict) -> dict:
    await ws.send_to(text_data=json.dumps(message))
    while True:
        reply = await receive(ws)
        if reply.get("type") in ("reply", "error") and reply.get("id") == message["id"]:
            return reply


async def connect(path: str, headers: list) -> WebsocketCommunicator:
    ws = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await ws.connect()
    assert connected
    return ws


async def run(console, line: str, n: int) -> dict:
    await console.send_to(text_data=json.dumps({"type": "run", "id": n, "line": line}))
    done, _ = await until(console, "done")
    return done


def mirrored(messages: list[dict]) -> str:
    return "".join(m["data"] for m in messages if m["type"] == "console")


@pytest.mark.django_db(transaction=True)
def test_the_presenters_console_reaches_followers_as_it_prints_and_a_late_joiner_gets_its_tail(world):
    projected = world["klass"].projected
    page, console_path = f"/ws/clusters/{projected.slug}/", f"/ws/clusters/{projected.slug}/console/"
    teacher_cookie, ana_cookie, bo_cookie = (cookie(world, w) for w in ("teacher", "ana", "bo"))

    async def scenario():
        teacher = await connect(page, teacher_cookie)
        ana = await connect(page, ana_cookie)
        assert (await request(teacher, {"type": "present", "on": True, "id": 1}))["ok"]
        await until(ana, "presenting")
        console = await connect(console_path, teacher_cookie)
        assert (await receive(console))["type"] == "hello"
        done = await run(console, LINE, 1)
        assert done["exit"] == 0
        # Ana's page gets the line and the output, in order, then the view event sent after them
        await teacher.send_to(text_data=json.dumps({"type": "view", "set": {"console": True}}))
        view, before = await until(ana, "view")
        assert view["set"] == {"console": True}
        events = [m for m in before if m["type"] == "console"]
        text = mirrored(events)
        assert text.startswith(consolemirror.command_line(LINE)) and "Client Version: v1.37.1" in text
        assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
        assert all(len(e["data"].encode()) <= consolemirror.EVENT_BYTES for e in events)
        # the presenter's own page is not sent its console again, nor is the console socket
        _view, teacher_before = await until(teacher, "view")
        assert [m for m in teacher_before if m["type"] == "console"] == []
        # a refused line is mirrored with its reason, as the presenter's terminal shows it
        refused = await run(console, "kubectl proxy", 2)
        assert refused["refused"]
        await teacher.send_to(text_data=json.dumps({"type": "view", "set": {"tab": "dns"}}))
        _view, before = await until(ana, "view")
        assert mirrored(before) == consolemirror.command_line("kubectl proxy") + consolemirror.note(refused["refused"])
        # Bo joins late: after the snapshot and the presentation, the console's last lines
        await console.disconnect()  # the tail is written at once when the console goes
        bo = await connect(page, bo_cookie)
        tail, _ = await until(bo, "console")
        assert tail["tail"] is True and tail["presenter"] == "ada" and tail["seq"] == events[-1]["seq"] + 2
        assert tail["data"] == text + mirrored(before)
        for ws in (teacher, ana, bo):
            await ws.disconnect()

    async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True)
def test_nothing_is_mirrored_before_present_is_on_and_present_off_forgets_the_tail(world):
    projected = world["klass"].projected
    page, console_path = f"/ws/clusters/{projected.slug}/", f"/ws/clusters/{projected.slug}/console/"
    teacher_cookie, ana_cookie = cookie(world, "teacher"), cookie(world, "ana")

    async def scenario():
        teacher = await connect(page, teacher_cookie)
        ana = await connect(page, ana_cookie)
        console = await connect(console_path, teacher_cookie)
        await receive(console)
        assert (await run(console, LINE, 1))["exit"] == 0  # not presenting: the console is the teacher's own
        assert (await request(teacher, {"type": "present", "on": True, "id": 1}))["ok"]
        _presenting, before = await until(ana, "presenting")
        assert [m for m in before if m["type"] == "console"] == []
        assert (await run(console, LINE, 2))["exit"] == 0
        await console.disconnect()
        assert await database_sync_to_async(presenting_console.console_tail)(projected) is not None
        assert (await request(teacher, {"type": "present", "on": False, "id": 2}))["ok"]
        off, before = await until(ana, "presenting")
        assert off["on"] is False and mirrored(before).count("Client Version") == 1
        row = await database_sync_to_async(Presentation.objects.get)(classroom=world["klass"])
        assert row.console_tail == ""
        for ws in (teacher, ana):
            await ws.disconnect()

    async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True)
def test_a_student_cannot_inject_mirror_output_and_no_other_console_is_mirrored(world):
    projected = world["klass"].projected
    page, console_path = f"/ws/clusters/{projected.slug}/", f"/ws/clusters/{projected.slug}/console/"
    teacher_cookie, helper_cookie, ana_cookie, bo_cookie = (
        cookie(world, w) for w in ("teacher", "helper", "ana", "bo")
    )
    sandbox, _ = classrooms.sandbox_get_or_create(student=world["ana"])

    async def scenario():
        teacher = await connect(page, teacher_cookie)
        ana = await connect(page, ana_cookie)
        bo = await connect(page, bo_cookie)
        assert (await request(teacher, {"type": "present", "on": True, "id": 1}))["ok"]
        await until(bo, "presenting")
        # Ana's page socket sends what a mirror event looks like: refused, relayed to nobody
        refused = await request(ana, {"type": "console", "seq": 1, "data": "\x1b[31mrm -rf /\x1b[0m", "id": 5})
        assert refused["type"] == "error" and refused["message"] == "unknown message type 'console'"
        # her console on the projected cluster is refused (students do not write it) ...
        theirs = await connect(console_path, ana_cookie)
        first = await receive(theirs)
        assert first["code"] == "forbidden"
        # ... and what her console prints in her own sandbox stays hers
        own = await connect(f"/ws/clusters/{sandbox.slug}/console/", ana_cookie)
        assert (await receive(own))["type"] == "hello"
        assert (await run(own, "kubectl version --client", 1))["exit"] == 0
        # a co-instructor who does not present has a console of their own, not mirrored either
        helper = await connect(console_path, helper_cookie)
        assert (await receive(helper))["type"] == "hello"
        assert (await run(helper, "kubectl version --client", 1))["exit"] == 0
        # the next thing Bo gets is the teacher's view event: no console event came before it
        await teacher.send_to(text_data=json.dumps({"type": "view", "set": {"tab": "dns"}}))
        _view, before = await until(bo, "view")
        assert [m for m in before if m["type"] == "console"] == []
        assert await database_sync_to_async(presenting_console.console_tail)(projected) is None
        for ws in (teacher, ana, bo, own, helper):
            await ws.disconnect()

    async_to_sync(scenario)()


def test_the_relay_hands_mirror_events_only_to_sockets_that_take_them():
    from simulator.realtime import fanout

    class Socket:
        wants_patches = False

        def __init__(self, takes: bool | None):
            self.got: list[str] = []
            if takes is not None:
                self.takes_console_mirror = lambda: takes

        async def send(self, text_data=None):
            self.got.append(text_data)

    async def scenario():
        from channels.layers import get_channel_layer

        follower, refused, console = Socket(True), Socket(False), Socket(None)
        for socket in (follower, refused, console):
            await fanout.join(999_001, socket)
            await fanout.flush(999_001, socket)
        layer = get_channel_layer()
        await layer.group_send("cluster.999001", {"type": "cluster.console", "text": "mirror"})
        await layer.group_send("cluster.999001", {"type": "cluster.present", "text": "view"})
        for _ in range(1000):  # the relay's task delivers on the loop's next turns
            if len(console.got) == 1:
                break
            await asyncio.sleep(0.01)
        assert follower.got == ["mirror", "view"]
        assert refused.got == ["view"] and console.got == ["view"]
        for socket in (follower, refused, console):
            fanout.leave(999_001, socket)

    run_apart(scenario())  # its own loop: a browser test may have left one running here
