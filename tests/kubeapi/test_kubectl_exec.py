"""`kubectl exec` for real: kubectl 1.30+ (and 1.29 with KUBECTL_REMOTE_COMMAND_WEBSOCKETS=true)
over WebSocket v5 against the pure exec stream, kubectl 1.27 told which version it needs
(course §4: nslookup webapp, env | grep WEBAPP_)."""

from __future__ import annotations

import pytest

from simulator.engine import Engine
from simulator.kubeapi import served
from tests.kubeapi.execserver import ExecServer
from tests.kubeapi.kubeserver import KubeServer
from tests.kubeapi.test_kubectl import LESSONS, NEWEST, SDK, Kubectl, kubectl_param


@pytest.fixture(scope="module")
def engine():
    engine = Engine.new()
    assert not engine.apply_text((LESSONS / "webapp.yaml").read_text()).errors
    return engine


@pytest.fixture(
    params=[
        kubectl_param(NEWEST, "newest"),
        kubectl_param(SDK / "kubectl.1.33", "1.33"),
        kubectl_param(SDK / "kubectl.1.29", "1.29"),  # WebSocket exec only when asked for
    ]
)
def kubectl(request, tmp_path, engine):
    objects = {kind: served.served(engine, kind) for kind in served.ENGINE_KINDS + served.DERIVED_KINDS}
    extra = {"KUBECTL_REMOTE_COMMAND_WEBSOCKETS": "true"} if request.param.name == "kubectl.1.29" else {}
    with ExecServer(engine, objects) as server:
        yield Kubectl(request.param, server, tmp_path, extra)


def test_nslookup_in_the_busybox_pod_prints_busybox_output(kubectl, engine):
    result = kubectl("exec", "busybox", "--", "nslookup", "webapp")
    assert result.returncode == 0, result.stderr
    ip = engine.get("Service", "default", "webapp").cluster_ip
    assert result.stdout == (
        "Server:    10.96.0.10\nAddress 1: 10.96.0.10 kube-dns.kube-system.svc.cluster.local\n\n"
        f"Name:      webapp\nAddress 1: {ip} webapp.default.svc.cluster.local\n"
    )


def test_env_shows_the_service_variables(kubectl, engine):
    result = kubectl("exec", "busybox", "--", "env")
    ip = engine.get("Service", "default", "webapp").cluster_ip
    assert f"WEBAPP_SERVICE_HOST={ip}" in result.stdout.splitlines()


def test_a_failing_command_passes_its_exit_code_through(kubectl):
    result = kubectl("exec", "busybox", "--", "nslookup", "nope")
    assert result.returncode == 1
    assert "nslookup: can't resolve 'nope'" in result.stderr
    assert "command terminated with exit code 1" in result.stderr


def test_stdin_reaches_an_interactive_shell(kubectl):
    result = kubectl("exec", "-i", "busybox", "--", "sh", stdin="hostname\nexit 5\n")
    assert result.stdout == "busybox\n"
    assert result.returncode == 5


def test_curl_from_a_pod_reaches_a_webapp_pod(kubectl):
    result = kubectl("exec", "busybox", "--", "curl", "-s", "http://webapp:8080/")
    assert result.returncode == 0 and result.stdout.startswith("webapp-")


def test_kubectl_1_27_is_told_exec_needs_kubectl_1_30(tmp_path, engine):
    old = SDK / "kubectl.1.27"
    if not old.exists():
        pytest.skip(f"kubectl 1.27 is not installed at {old}")
    objects = {kind: served.served(engine, kind) for kind in served.ENGINE_KINDS}
    with KubeServer(objects) as server:
        result = Kubectl(old, server, tmp_path)("exec", "busybox", "--", "env")
    assert result.returncode == 1
    assert "Error from server (BadRequest): kubectl 1.27 runs exec over SPDY" in result.stderr
    assert "exec needs kubectl 1.30 or newer" in result.stderr


def run_in_terminal(kubectl, args, replies=()):
    """kubectl in a pseudo-terminal (what `-ti` needs): the bytes it shows; `replies` are
    (prompt awaited, keys typed) pairs. Returns (screen bytes, exit code)."""
    import os
    import pty
    import select

    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(kubectl.home),
        "KUBECONFIG": kubectl.config,
        "TERM": "xterm",
        **kubectl.extra_env,
    }
    pid, fd = pty.fork()
    if pid == 0:  # the child: become kubectl
        os.execve(str(kubectl.binary), [str(kubectl.binary), "--cache-dir", str(kubectl.home / "cache"), *args], env)
    screen = b""

    def read_until(needle: bytes) -> None:
        nonlocal screen
        while needle not in screen:
            ready, _, _ = select.select([fd], [], [], 30)
            if not ready:
                raise AssertionError(f"kubectl showed no {needle!r}; screen so far: {screen!r}")
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                return
            if not chunk:
                return
            screen += chunk

    for awaited, typed in replies:
        read_until(awaited)
        os.write(fd, typed)
    read_until(b"\0")  # everything until kubectl exits
    _, code = os.waitpid(pid, 0)
    os.close(fd)
    return screen, os.waitstatus_to_exitcode(code)


def test_the_course_command_exec_ti_nslookup_prints_through_a_terminal(kubectl, engine):
    screen, code = run_in_terminal(kubectl, ["exec", "-ti", "busybox", "--", "nslookup", "webapp"])
    ip = engine.get("Service", "default", "webapp").cluster_ip
    assert code == 0
    assert f"Name:      webapp\r\nAddress 1: {ip} webapp.default.svc.cluster.local\r\n".encode() in screen


def test_an_interactive_shell_in_a_terminal_shows_prompts_and_ends_with_exit(kubectl):
    screen, code = run_in_terminal(
        kubectl, ["exec", "-ti", "busybox", "--", "sh"], [(b"/ # ", b"hostname\r"), (b"busybox\r\n/ # ", b"exit 3\r")]
    )
    assert code == 3
    assert b"hostname\r\nbusybox\r\n/ # exit 3\r\n" in screen
