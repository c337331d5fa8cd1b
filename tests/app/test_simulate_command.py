"""`python manage.py simulate` as simulate-contract.md fixes it: JSON on stdout only, exit 0/1/2,
no server and no persistent database."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import pytest

from ..course import WEBAPP_ONE_REPLICA

ROOT = pathlib.Path(__file__).resolve().parents[2]


def simulate(*args: str, stdin: str | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    environment = {**os.environ, "DATABASE_URL": "sqlite:////nonexistent-dir/never-created.sqlite3", **(env or {})}
    return subprocess.run(
        [sys.executable, "manage.py", "simulate", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )


@pytest.fixture
def webapp_file(tmp_path):
    path = tmp_path / "webapp.yaml"
    path.write_text(WEBAPP_ONE_REPLICA)
    return path


def test_simulate_prints_one_json_object_and_exits_zero_when_everything_was_accepted(webapp_file):
    proc = simulate(str(webapp_file))
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["version"] == 1 and out["errors"] == []
    assert out["services"]["default/webapp"]["endpoints"][0]["port"] == 8080


def test_simulate_reads_standard_input_for_a_dash():
    proc = simulate("-", stdin=WEBAPP_ONE_REPLICA)
    assert proc.returncode == 0, proc.stderr
    assert "default/busybox" in json.loads(proc.stdout)["pods"]


def test_simulate_exits_one_with_the_errors_when_a_document_is_rejected(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        WEBAPP_ONE_REPLICA
        + "---\napiVersion: v1\nkind: Service\nmetadata: {name: Web_App}\nspec: {ports: [{port: 80}]}\n"
    )
    proc = simulate(str(path))
    assert proc.returncode == 1
    out = json.loads(proc.stdout)
    (error,) = out["errors"]
    assert (error["document"], error["line"], error["kind"], error["name"], error["field"]) == (
        4,
        23,
        "Service",
        "Web_App",
        "metadata.name",
    )
    assert "default/webapp" in out["services"]  # the other documents were applied


@pytest.mark.parametrize(
    "args",
    [
        ["/no/such/file.yaml"],
        ["--resolve", "busybox", "webapp", "-"],
        ["--request", "default/busybox"],
        ["--resolve", "default/busybox", "webapp", "MX", "-"],
        [],
    ],
)
def test_simulate_exits_two_on_usage_errors_and_prints_nothing_on_stdout(args):
    proc = simulate(*args, stdin=WEBAPP_ONE_REPLICA)
    assert proc.returncode == 2
    assert proc.stdout == ""


def test_queries_come_out_in_command_line_order(webapp_file):
    proc = simulate(
        str(webapp_file),
        "--request",
        "default/busybox",
        "http://webapp:8080/",
        "--resolve",
        "default/busybox",
        "webapp",
        "--resolve",
        "default/busybox",
        "webapp",
        "SRV",
    )
    assert proc.returncode == 0, proc.stderr
    queries = json.loads(proc.stdout)["queries"]
    assert [(q["query"], q.get("type")) for q in queries] == [("request", None), ("resolve", "A"), ("resolve", "SRV")]


def test_simulate_needs_no_database(webapp_file):
    proc = simulate(str(webapp_file))
    assert proc.returncode == 0 and not pathlib.Path("/nonexistent-dir").exists()


def test_the_input_limit_is_configurable(webapp_file):
    proc = simulate(str(webapp_file), env={"KUBEVIZ_MAX_INPUT_BYTES": "100"})
    assert proc.returncode == 1
    assert "over the limit of 100 bytes" in json.loads(proc.stdout)["errors"][0]["message"]
