"""Every bad value is a 400 or an error reply, never a 500 or a socket closed with 1011 (issue 11)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from asgiref.sync import async_to_sync

from simulator import models

from .test_consumers import connect, next_of
from .test_simulate_command import ROOT, simulate

pytestmark = pytest.mark.django_db(transaction=True)

POD = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    note: {note}\nspec: {{containers: [{{name: c, image: nginx}}]}}\n"
BAD_NOTES = {
    "nul": ('"a\\0b"', "NUL"),
    "inf": (".inf", "not finite"),
    "nan": (".nan", "not finite"),
    "big int": ("99999999999999999999", "out of range"),
    "hex": ("0x" + "f" * 4000, "characters is refused"),
    "base 60": ("1" + ":59" * 20_000, "characters is refused"),
}


@pytest.mark.parametrize("name", BAD_NOTES)
def test_the_form_answers_a_bad_value_with_a_400_on_its_line(client, make_cluster, name):
    cluster = make_cluster(name="form")
    note, words = BAD_NOTES[name]
    response = client.post(f"/clusters/{cluster.slug}/", {"yaml": POD.format(note=note)})
    assert response.status_code == 400
    page = response.content.decode()
    assert words in page and "line 6" in page
    assert not models.Pod.objects.filter(cluster=cluster, name="p").exists()


@pytest.mark.parametrize(
    "raw, words",
    [
        ("[" * 50_000 + "]" * 50_000, "nests deeper than 64 levels"),
        ('{"type": "resolve", "id": NaN}', "NaN is not a JSON number"),
        ('{"type": "resolve", "id": 1e999}', "the number 1e999 is out of range"),
        ('{"type": "resolve", "id": "\\ud800"}', "lone surrogate"),
        ('{"type": "resolve", "id": 1' + "0" * 5000 + "}", "messages must be JSON objects"),
    ],
)
def test_a_malformed_websocket_message_gets_an_error_and_the_socket_stays_open(make_cluster, raw, words):
    make_cluster(name="ws")

    async def scenario():
        ws = await connect("ws")
        await next_of(ws, "snapshot")
        await ws.send_to(text_data=raw)
        error = await next_of(ws, "error")
        assert words in error["message"]
        await ws.send_to(bytes_data=b'{"type": "resync", "\xff": 1}')
        assert "not UTF-8" in (await next_of(ws, "error"))["message"]
        # Still open, still serving.
        await ws.send_to(text_data=json.dumps({"type": "apply", "id": 2, "yaml": POD.format(note='".inf"')}))
        reply = await next_of(ws, "reply")
        assert reply["ok"] and reply["results"] == ["pod/p created"]
        await ws.disconnect()

    async_to_sync(scenario)()


@pytest.mark.parametrize("name", ["nul", "inf", "big int"])
def test_a_websocket_apply_of_a_bad_value_is_a_refused_reply(make_cluster, name):
    make_cluster(name="wsapply")
    note, words = BAD_NOTES[name]

    async def scenario():
        ws = await connect("wsapply")
        await next_of(ws, "snapshot")
        await ws.send_to(text_data=json.dumps({"type": "apply", "id": 3, "yaml": POD.format(note=note)}))
        reply = await next_of(ws, "reply")
        assert not reply["ok"] and words in reply["errors"][0]["message"] and reply["errors"][0]["line"] == 6
        await ws.disconnect()

    async_to_sync(scenario)()


def test_simulate_answers_invalid_utf8_on_standard_input_without_a_traceback():
    proc = subprocess.run(
        [sys.executable, "manage.py", "simulate", "-"],
        input=b"apiVersion: v1\nkind: Pod\n\xff\xfe\n",
        capture_output=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": "sqlite:////nonexistent-dir/never-created.sqlite3"},
    )
    assert proc.returncode == 1, proc.stderr
    assert b"Traceback" not in proc.stderr
    out = json.loads(proc.stdout)
    assert "the input is not UTF-8 text (byte 25)" in out["errors"][0]["message"]


def test_simulate_answers_a_huge_replicas_quickly_with_an_error():
    text = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w}\nspec:\n  replicas: 2147483647\n"
        "  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n"
        "    spec: {containers: [{name: c, image: nginx}]}\n"
    )
    proc = simulate("-", stdin=text)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    error = json.loads(proc.stdout)["errors"][0]
    assert error["field"] == "spec.replicas" and "no more than 1000" in error["message"]
