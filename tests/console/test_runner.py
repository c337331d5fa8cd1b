"""The console's runs of the real kubectl (the pinned wheel) against a served Kubernetes API: the
test servers of tests/kubeapi, made of simulator.kubeapi's pure functions. What the console
prints is compared with what the same kubectl prints run directly; each guard is shown to stop
what it guards (limits, environment, plugins, rate, concurrency)."""

from __future__ import annotations

import contextlib
import os
import pathlib
import subprocess
import sys
import threading
import time

import pytest

from simulator.console import runner
from simulator.console.commandline import Refused
from simulator.console.runner import Limits, RateLimit, Run, Slots, Workspace
from simulator.console.session import Session
from simulator.engine import Engine
from simulator.kubeapi import kubeconfig, served
from tests.kubeapi.execserver import ExecServer
from tests.kubeapi.kubeserver import KubeServer

LESSONS = pathlib.Path(__file__).resolve().parents[2] / "lessons"
KUBECTL = pathlib.Path(sys.executable).parent / "kubectl"


@pytest.fixture(scope="module")
def engine():
    engine = Engine.new()
    assert not engine.apply_text((LESSONS / "webapp.yaml").read_text()).errors
    return engine


def objects_of(engine):
    return {kind: served.served(engine, kind) for kind in served.ENGINE_KINDS + served.DERIVED_KINDS}


def config_for(server) -> str:
    token = kubeconfig.make_token(server.secret, "demo", "student")
    return kubeconfig.render(base=server.base, cluster="demo", user="student", token=token)


class Console:
    """A Session and what it printed."""

    def __init__(self, text: str, **kwargs):
        self.session = Session(text, user_key="student", **kwargs)
        self.printed = b""

    def __call__(self, line: str, buffer: str | None = None):
        self.printed = b""

        def out(chunk: bytes) -> None:
            self.printed += chunk

        outcome = self.session.execute(line, buffer=buffer, on_output=out)
        return outcome, self.printed.decode().replace("\r\n", "\n")


@pytest.fixture
def api(engine):
    with ExecServer(engine, objects_of(engine)) as server:
        console = Console(config_for(server), limits=Limits(burst=100, per_second=100))
        yield server, console
        console.session.close()


def direct(server, tmp_path, *args: str, stdin: str | None = None) -> str:
    """The same kubectl, run directly (no console), with its stdout."""
    config = tmp_path / "direct-config"
    config.write_text(config_for(server))
    env = {"HOME": str(tmp_path), "KUBECONFIG": str(config), "PATH": "/nonexistent"}
    result = subprocess.run(
        [str(KUBECTL), *args], env=env, capture_output=True, text=True, input=stdin, timeout=60, check=False
    )
    return result.stdout


def test_the_binary_is_the_pinned_wheels_kubectl_not_one_on_path():
    assert runner.kubectl_binary() == KUBECTL.resolve()


def test_kubectl_version_client_runs_through_the_console(tmp_path):
    console = Console("apiVersion: v1\nkind: Config\n", limits=Limits())
    outcome, printed = console("kubectl version --client")
    console.session.close()
    assert outcome.exit_code == 0 and outcome.refused is None
    assert "Client Version: v1.37.1" in printed


@pytest.mark.parametrize(
    "line",
    [
        "kubectl get svc -o wide",
        "kubectl get pods -o wide",
        "kubectl describe endpoints webapp",
        "kubectl describe service webapp",
        "kubectl get svc -A",
    ],
)
def test_course_commands_print_what_kubectl_prints_run_directly(api, tmp_path, line):
    server, console = api
    outcome, printed = console(line)
    assert outcome.exit_code == 0, printed
    assert printed == direct(server, tmp_path, *line.split()[1:])
    assert "webapp" in printed


def test_exec_ti_nslookup_prints_busybox_output_through_a_terminal(api, engine):
    _server, console = api
    outcome, printed = console("kubectl exec -ti busybox -- nslookup webapp")
    ip = engine.get("Service", "default", "webapp").cluster_ip
    assert outcome.exit_code == 0, printed
    assert f"Name:      webapp\nAddress 1: {ip} webapp.default.svc.cluster.local\n" in printed


def test_a_variable_set_from_kubectl_feeds_the_next_command_and_grep_filters_env(api, engine):
    _server, console = api
    outcome, printed = console("NGINX_POD=$(kubectl get pods -l run=webapp -o jsonpath='{.items[0].metadata.name}')")
    assert outcome.assigned == "NGINX_POD" and printed == ""
    pod = console.session.variables["NGINX_POD"]
    assert pod.startswith("webapp-")
    outcome, printed = console("kubectl exec -it $NGINX_POD -- env | grep WEBAPP_")
    ip = engine.get("Service", "default", "webapp").cluster_ip
    lines = printed.splitlines()
    assert f"WEBAPP_SERVICE_HOST={ip}" in lines
    assert all(line.startswith("WEBAPP_") for line in lines), printed


def test_pipes_count_and_sort_as_the_tools_do(api, tmp_path):
    server, console = api
    _outcome, printed = console("kubectl get pods -o name | sort -r | head -n 1")
    names = direct(server, tmp_path, "get", "pods", "-o", "name").split()
    assert printed == sorted(names, reverse=True)[0] + "\n"
    _outcome, printed = console("kubectl get pods --no-headers | wc -l")
    assert printed == f"{len(names)}\n"


def test_apply_dash_f_dash_reads_the_editors_buffer(engine, tmp_path):
    with KubeServer(objects_of(engine)) as server:
        console = Console(config_for(server))
        buffer = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-editor\ndata:\n  a: b\n"
        outcome, printed = console("kubectl create -f -", buffer=buffer)
        console.session.close()
    assert outcome.exit_code == 0, printed
    assert printed == "configmap/from-editor created\n"
    assert any(obj["metadata"]["name"] == "from-editor" for obj in server.store.created)


def test_dash_f_dash_with_an_empty_editor_is_refused_before_kubectl_runs(api):
    _server, console = api
    outcome, _ = console("kubectl apply -f -", buffer="  \n")
    assert "the editor is empty" in outcome.refused


# ---------------------------------------------------------------------- guards
def test_kubectl_gets_only_home_kubeconfig_path_term_lang_and_its_private_tmpdir(tmp_path, monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("SECRET_KEY", "server-secret")
    workspace = Workspace("apiVersion: v1\n")
    printed = []
    run = Run(pathlib.Path("/usr/bin/env"), [], workspace, Limits(), printed.append)
    run.start()
    assert run.wait().exit_code == 0
    workspace.close()
    names = sorted(line.split("=", 1)[0] for line in b"".join(printed).decode().splitlines() if "=" in line)
    assert names == ["HOME", "KUBECONFIG", "LANG", "PATH", "TERM", "TMPDIR"]


def test_kubectl_plugins_on_the_servers_path_cannot_be_found(tmp_path, monkeypatch):
    plugin = tmp_path / "kubectl-steal"
    plugin.write_text("#!/bin/sh\necho STOLEN\n")
    plugin.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:{os.environ['PATH']}")
    # Run directly, with the server's PATH, kubectl would find it:
    assert "STOLEN" in subprocess.run([str(KUBECTL), "steal"], capture_output=True, text=True, check=False).stdout
    workspace = Workspace("apiVersion: v1\n")
    printed = []
    run = Run(KUBECTL, ["steal"], workspace, Limits(), printed.append)
    run.start()
    outcome = run.wait()
    workspace.close()
    assert outcome.exit_code != 0
    assert b"STOLEN" not in b"".join(printed)


def test_a_command_past_its_time_limit_is_stopped_naming_the_limit():
    workspace = Workspace("apiVersion: v1\n")
    run = Run(pathlib.Path("/bin/sleep"), ["30"], workspace, Limits(seconds=0.5), lambda chunk: None)
    started = time.monotonic()
    run.start()
    outcome = run.wait()
    workspace.close()
    assert time.monotonic() - started < 10
    assert outcome.stopped == "stopped after 0.5 s: the console's time limit for a command"


def test_a_huge_output_is_cut_at_the_output_limit_naming_it():
    workspace = Workspace("apiVersion: v1\n")
    printed = []
    run = Run(pathlib.Path("/usr/bin/yes"), [], workspace, Limits(output_bytes=50_000), printed.append)
    run.start()
    outcome = run.wait()
    workspace.close()
    assert sum(len(c) for c in printed) == 50_000
    assert outcome.stopped == "output reached the console's limit of 50,000 bytes per command"


@pytest.fixture
def watchable(engine):
    """The test server that streams watches (the exec one answers GETs whole)."""
    with KubeServer(objects_of(engine)) as server:
        console = Console(config_for(server))
        yield console
        console.session.close()


def test_a_watch_left_open_stops_at_ctrl_c(watchable):
    console = watchable
    result = {}
    thread = threading.Thread(target=lambda: result.update(outcome=console("kubectl get pods -w")))
    thread.start()
    deadline = time.monotonic() + 30
    while b"webapp" not in console.printed and time.monotonic() < deadline:
        time.sleep(0.05)
    assert console.session.busy
    assert console.session.execute("kubectl get pods", buffer=None, on_output=print).refused == (
        "a command is running: Ctrl+C stops it"
    )
    console.session.interrupt()
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert result["outcome"][0].stopped == "interrupted"


def test_a_piped_watch_shows_what_it_filtered_when_it_stops(engine):
    with KubeServer(objects_of(engine)) as server:
        console = Console(config_for(server), limits=Limits(watch_seconds=1))
        outcome, printed = console("kubectl get pods -w | grep busybox")
        console.session.close()
    assert outcome.stopped == "stopped after 1 s: the console's time limit for a watch"
    assert printed.startswith("busybox ") and "webapp" not in printed


def test_a_watch_nobody_stops_ends_at_the_watch_limit(engine):
    with KubeServer(objects_of(engine)) as server:
        console = Console(config_for(server), limits=Limits(watch_seconds=1))
        outcome, printed = console("kubectl get pods -w")
        console.session.close()
    assert "webapp" in printed
    assert outcome.stopped == "stopped after 1 s: the console's time limit for a watch"


def test_a_hundred_commands_a_second_are_refused_past_the_rate_limit():
    clock = [0.0]
    rate = RateLimit(burst=5, per_second=1, clock=lambda: clock[0])
    taken = 0
    refusals = []
    for _ in range(100):
        try:
            rate.take("alice")
            taken += 1
        except Refused as exc:
            refusals.append(str(exc))
        clock[0] += 0.01
    assert taken == 5 + 0  # the burst; 1 s has not passed
    assert refusals[0] == "too many commands: the console's rate limit is 5 at once, then 1 a second per user"
    rate.take("bob")  # another user is not slowed down
    clock[0] += 1.0
    rate.take("alice")


def test_the_server_runs_at_most_its_slots_of_kubectl_at_once():
    slots = Slots(2, wait=0.2)
    held = contextlib.ExitStack()
    held.enter_context(slots.held())
    held.enter_context(slots.held())
    with pytest.raises(Refused) as refused:
        held.enter_context(slots.held())
    assert "its limit of 2 console commands at once, and none ended within 0.2 s" in str(refused.value)
    held.close()
    with slots.held():
        pass


def test_a_command_waits_for_a_slot_another_frees():
    slots = Slots(1, wait=10)
    order = []

    def second():
        with slots.held():
            order.append("second")

    with slots.held():
        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.2)
        order.append("first done")
    thread.join(timeout=10)
    assert order == ["first done", "second"]


def test_a_session_refuses_a_shell_before_anything_runs(api):
    _server, console = api
    for line, words in [
        ("kubectl get pods; rm -rf /", "`;`"),
        ("kubectl get pod $(rm -rf /)", "`rm` is not kubectl"),
        ("rm -rf /", "`rm` is not kubectl"),
        ("kubectl get pods | sh", "`| sh` is not run here"),
        ("kubectl get pods --kubeconfig=/root/.kube/config", "`--kubeconfig`"),
        ("kubectl apply -f /etc/passwd", "reads a file on the server"),
        ("X=$(kubectl get pods -w)", "cannot go inside `$( )`"),
    ]:
        outcome, printed = console(line)
        assert words in (outcome.refused or ""), line
        assert printed == ""


def test_the_workspace_is_private_and_removed_on_close():
    workspace = Workspace("apiVersion: v1\n")
    assert oct(workspace.path.stat().st_mode & 0o777) == "0o700"
    assert oct(workspace.config.stat().st_mode & 0o777) == "0o600"
    workspace.close()
    assert not workspace.path.exists()


def test_echo_and_help_are_answered_by_the_console_itself():
    console = Console("apiVersion: v1\n")
    console.session.variables["POD"] = "webapp-1"
    outcome, printed = console('echo "pod: $POD"')
    assert (outcome.exit_code, printed) == (0, "pod: webapp-1\n")
    _outcome, printed = console("echo $POD | grep -c webapp")
    assert printed == "1\n"
    _outcome, printed = console("help")
    assert "kubectl apply -f -" in printed
    console.session.close()
