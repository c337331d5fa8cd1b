"""A Redis outage, for real (issue 11): two daphne workers on PostgreSQL and a redis-server of this
test's own (never the shared one), killed while a watcher on one worker and an editor on the
other are connected. Edits during the outage are acknowledged as committed (websocket reply and
form redirect, no 500); once Redis is back, each worker's relay joins its group again at once and
its sockets get a fresh snapshot unasked; changes flow again; no socket was closed."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from http.cookiejar import CookieJar

import pytest

from . import livehelpers

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres") or shutil.which("redis-server") is None,
        reason="runs in the PostgreSQL pass of `make test`, with redis-server installed",
    ),
]

POD = "apiVersion: v1\nkind: Pod\nmetadata: {name: %s}\nspec: {containers: [{name: c, image: nginx}]}\n"


@contextmanager
def own_redis(port: int):
    """A redis-server of our own, without persistence: a restart forgets everything, groups too."""
    workdir = tempfile.mkdtemp(prefix="kubeviz-redis-")
    process = None

    def start():
        nonlocal process
        process = subprocess.Popen(
            ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no", "--dir", workdir],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        livehelpers.wait_for_port(port, process)

    def stop():
        process.kill()
        process.wait(timeout=10)

    start()
    try:
        yield start, stop
    finally:
        if process.poll() is None:
            stop()
        shutil.rmtree(workdir, ignore_errors=True)


async def receive(ws, kind: str, timeout: float = 20) -> dict:
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), timeout))
        if message["type"] == kind:
            return message


def form_apply(port: int, text: str) -> int:
    """The no-JavaScript form: GET the page (CSRF cookie and token), POST the text; the status."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect())
    page = opener.open(f"http://127.0.0.1:{port}/clusters/live/", timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"yaml": text, "csrfmiddlewaretoken": token}).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/clusters/live/",
        data=body,
        headers={"Origin": f"http://127.0.0.1:{port}", "Referer": f"http://127.0.0.1:{port}/clusters/live/"},
    )
    try:
        return opener.open(request, timeout=30).status
    except urllib.error.HTTPError as exc:
        return exc.code


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_edits_during_a_redis_outage_are_acknowledged_and_watchers_heal_when_it_returns():
    from websockets.asyncio.client import connect

    redis_port = livehelpers.free_port()
    with livehelpers.postgres_database() as database_url, own_redis(redis_port) as (start_redis, stop_redis):
        env = livehelpers.server_env(database_url, redis=True)
        env["REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
        livehelpers.manage(env, "migrate", "--noinput")
        livehelpers.manage(env, "loadscenario", "webapp", "--cluster", "live")
        with livehelpers.daphnes(env, 2) as (ports, _processes):

            async def scenario():
                def url(port):
                    return f"ws://127.0.0.1:{port}/ws/clusters/live/"

                origin = {"Origin": f"http://127.0.0.1:{ports[0]}"}
                async with (
                    connect(url(ports[0]), additional_headers=origin, max_size=None) as watcher,
                    connect(url(ports[1]), additional_headers=origin, max_size=None) as editor,
                ):
                    first = (await receive(watcher, "snapshot"))["version"]
                    await receive(editor, "snapshot")
                    stop_redis()
                    started = time.perf_counter()
                    await editor.send(json.dumps({"type": "apply", "id": 1, "yaml": POD % "during-1"}))
                    reply = await receive(editor, "reply")
                    assert reply["ok"] and reply["results"] == ["pod/during-1 created"]
                    status = await asyncio.to_thread(form_apply, ports[1], POD % "during-2")
                    assert status == 302  # committed, and said so: not a 500
                    await asyncio.sleep(2)
                    start_redis()
                    healed = await receive(watcher, "snapshot", timeout=30)  # unasked
                    print(f"\nwatcher resynced {time.perf_counter() - started:.1f} s after the outage began")
                    assert healed["version"] >= first + 2
                    assert "pod/default/during-2" in healed["entries"]
                    await editor.send(json.dumps({"type": "apply", "id": 2, "yaml": POD % "after"}))
                    assert (await receive(editor, "reply"))["ok"]
                    change = await receive(watcher, "change", timeout=30)
                    assert "pod/default/after" in change["set"]
                    # Both sockets are still open: nothing closed them during or after.
                    await watcher.send(json.dumps({"type": "resolve", "id": 3, "from": "x/y", "name": "z"}))
                    await receive(watcher, "reply")

            asyncio.run(scenario())
