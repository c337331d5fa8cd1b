"""kubectl exec: the channel.k8s.io framing and the commands a simulated pod runs (course §4)."""

import json

import pytest

from simulator.kubeapi import execstream, sandbox, shell


@pytest.fixture
def busybox(webapp_engine):
    return sandbox.sandbox_for(webapp_engine, webapp_engine.get("Pod", "default", "busybox"))


def service_ip(engine, name):
    return engine.get("Service", "default", name).cluster_ip


def test_nslookup_prints_what_busybox_1_28_prints(webapp_engine, busybox):
    result = shell.run(busybox, ["nslookup", "webapp"])
    ip = service_ip(webapp_engine, "webapp")
    assert result.exit_code == 0 and result.stderr == ""
    assert result.stdout == (
        "Server:    10.96.0.10\n"
        "Address 1: 10.96.0.10 kube-dns.kube-system.svc.cluster.local\n"
        "\n"
        "Name:      webapp\n"
        f"Address 1: {ip} webapp.default.svc.cluster.local\n"
    )


def test_nslookup_of_an_unknown_name_says_it_cannot_resolve_and_fails(busybox):
    result = shell.run(busybox, ["nslookup", "webap"])
    assert result.exit_code == 1
    assert result.stdout.endswith("kube-dns.kube-system.svc.cluster.local\n\n")
    assert result.stderr == "nslookup: can't resolve 'webap'\n"


def test_nslookup_of_the_full_name_and_of_the_kubernetes_service(busybox):
    assert (
        "Address 1: 10.96.0.1 kubernetes.default.svc.cluster.local\n"
        in shell.run(busybox, ["nslookup", "kubernetes.default"]).stdout
    )
    full = shell.run(busybox, ["nslookup", "webapp.default.svc.cluster.local"]).stdout
    assert "Name:      webapp.default.svc.cluster.local\n" in full


def test_env_has_path_hostname_the_service_variables_and_home(webapp_engine, busybox):
    lines = shell.run(busybox, ["env"]).stdout.splitlines()
    ip = service_ip(webapp_engine, "webapp")
    assert lines[0] == "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    assert lines[1] == "HOSTNAME=busybox"
    assert lines[-1] == "HOME=/root"
    for expected in (
        f"WEBAPP_SERVICE_HOST={ip}",
        "WEBAPP_SERVICE_PORT=8080",
        f"WEBAPP_PORT=tcp://{ip}:8080",
        f"WEBAPP_PORT_8080_TCP_ADDR={ip}",
        "KUBERNETES_SERVICE_HOST=10.96.0.1",
        "KUBERNETES_SERVICE_PORT=443",
    ):
        assert expected in lines


def test_a_containers_own_env_comes_first_with_references_expanded(webapp_engine):
    manifest = {
        "metadata": {"name": "p", "namespace": "default"},
        "spec": {
            "containers": [
                {
                    "name": "c",
                    "env": [
                        {"name": "A", "value": "x"},
                        {"name": "B", "value": "$(A)-$(WEBAPP_SERVICE_PORT)-$(NOPE)-$$"},
                        {"name": "ME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
                    ],
                }
            ]
        },
    }
    env = sandbox.container_env(manifest, "c", {"WEBAPP_SERVICE_PORT": "8080"})
    assert env == [("A", "x"), ("B", "x-8080-$(NOPE)-$"), ("ME", "p"), ("WEBAPP_SERVICE_PORT", "8080")]


def test_env_from_configmaps_and_secrets_comes_first_and_key_refs_read_their_values():
    stored = {
        ("ConfigMap", "settings"): {"kind": "ConfigMap", "data": {"MODE": "fast", "LEVEL": "3"}},
        ("Secret", "db"): {"kind": "Secret", "data": {"password": "aHVudGVyMg=="}},
    }
    manifest = {
        "metadata": {"name": "p"},
        "spec": {
            "containers": [
                {
                    "name": "c",
                    "envFrom": [
                        {"configMapRef": {"name": "settings"}},
                        {"secretRef": {"name": "db"}, "prefix": "DB_"},
                        {"configMapRef": {"name": "missing", "optional": True}},
                    ],
                    "env": [
                        {"name": "LEVEL", "value": "$(MODE)-$(DB_password)"},
                        {"name": "PW", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}},
                        {"name": "M", "valueFrom": {"configMapKeyRef": {"name": "settings", "key": "MODE"}}},
                        {"name": "GONE", "valueFrom": {"configMapKeyRef": {"name": "settings", "key": "nope"}}},
                    ],
                }
            ]
        },
    }
    env = sandbox.container_env(
        manifest, "c", {"MODE": "service-wins-not", "WEB_PORT": "80"}, lambda kind, name: stored.get((kind, name))
    )
    assert env == [
        ("MODE", "fast"),
        ("DB_password", "hunter2"),
        ("LEVEL", "fast-hunter2"),
        ("PW", "hunter2"),
        ("M", "fast"),
        ("WEB_PORT", "80"),
    ]


def test_printenv_prints_one_value_or_fails(busybox):
    assert shell.run(busybox, ["printenv", "HOSTNAME"]).stdout == "busybox\n"
    assert shell.run(busybox, ["printenv", "NOPE"]).exit_code == 1


def test_files_hostname_and_resolv_conf(busybox):
    assert shell.run(busybox, ["cat", "/etc/resolv.conf"]).stdout == (
        "search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n"
    )
    assert shell.run(busybox, ["hostname"]).stdout == "busybox\n"
    assert shell.run(busybox, ["cat", "/etc/hosts"]).stdout.splitlines()[-1] == f"{busybox.ip}\tbusybox"
    missing = shell.run(busybox, ["cat", "/nope"])
    assert (missing.exit_code, missing.stderr) == (1, "cat: can't open '/nope': No such file or directory\n")


def test_curl_to_a_service_gets_the_responding_pods_name(webapp_engine, busybox):
    result = shell.run(busybox, ["curl", "-s", "http://webapp:8080/"])
    (pod,) = [p.name for p in webapp_engine.list("Pod") if p.name.startswith("webapp-")]
    assert (result.exit_code, result.stdout) == (0, pod + "\n")


@pytest.mark.parametrize(
    ("argv", "code", "stderr"),
    [
        (["curl", "http://webap:8080"], 6, "curl: (6) Could not resolve host: webap\n"),
        (["curl", "-s", "http://webap:8080"], 6, ""),
        (["curl", "-sS", "http://webap:8080"], 6, "curl: (6) Could not resolve host: webap\n"),
        (["wget", "-qO-", "http://webap:8080"], 1, "wget: bad address 'webap'\n"),
    ],
)
def test_unresolvable_names_fail_as_curl_and_wget_fail(busybox, argv, code, stderr):
    result = shell.run(busybox, argv)
    assert (result.exit_code, result.stderr, result.stdout) == (code, stderr, "")


def test_a_service_without_endpoints_refuses_the_connection(webapp_engine, busybox):
    webapp_engine.apply_text(
        "apiVersion: v1\nkind: Service\nmetadata: {name: empty}\nspec: {selector: {app: none}, ports: [{port: 80}]}\n"
    )
    box = sandbox.sandbox_for(webapp_engine, webapp_engine.get("Pod", "default", "busybox"))
    curl = shell.run(box, ["curl", "http://empty"])
    assert curl.exit_code == 7
    assert curl.stderr == "curl: (7) Failed to connect to empty port 80 after 0 ms: Could not connect to server\n"
    ip = webapp_engine.get("Service", "default", "empty").cluster_ip
    wget = shell.run(box, ["wget", "-qO-", "http://empty"])
    assert (wget.exit_code, wget.stderr) == (1, f"wget: can't connect to remote host ({ip}): Connection refused\n")


def test_wget_prints_the_body_to_stdout(webapp_engine, busybox):
    result = shell.run(busybox, ["wget", "-qO-", "http://webapp:8080"])
    assert result.exit_code == 0 and result.stdout.startswith("webapp-") and result.stderr == ""


def test_a_shell_line_runs_pipes_into_grep_and_exits_with_its_status(busybox):
    result = shell.run(busybox, ["sh", "-c", "env | grep WEBAPP_SERVICE; nslookup nope || echo missing; exit 3"])
    assert result.exit_code == 3
    assert "WEBAPP_SERVICE_HOST=" in result.stdout and result.stdout.endswith("missing\n")
    assert "WEBAPP_PORT=" not in result.stdout


def test_a_missing_program_is_not_found_in_a_shell_and_a_runtime_error_when_run_directly(busybox):
    in_shell = shell.run(busybox, ["sh", "-c", "ls /"])
    assert (in_shell.exit_code, in_shell.stderr) == (127, "sh: ls: not found\n")
    direct = shell.run(busybox, ["ls", "/"])
    assert 'exec: "ls": executable file not found in $PATH' in direct.runtime_error


def frames_of(messages):
    return [(m[0], m[1:]) for m in messages]


def test_an_exec_stream_sends_ready_output_and_a_success_status(busybox):
    options = execstream.ExecOptions.from_query(
        {"command": ["hostname"], "container": ["busybox"], "stdout": ["true"], "stderr": ["true"]}
    )
    stream = execstream.ExecStream(busybox, options)
    frames = frames_of(stream.open())
    assert frames[0] == (execstream.STDOUT, b"")
    assert frames[1] == (execstream.STDOUT, b"busybox\n")
    assert frames[-1][0] == execstream.ERROR and json.loads(frames[-1][1]) == {"metadata": {}, "status": "Success"}
    assert stream.finished


def test_a_non_zero_exit_is_a_status_with_the_exit_code_cause(busybox):
    options = execstream.ExecOptions(("nslookup", "nope"), None, False, True, True, False)
    frames = frames_of(execstream.ExecStream(busybox, options).open())
    assert (execstream.STDERR, b"nslookup: can't resolve 'nope'\n") in frames
    status = json.loads(frames[-1][1])
    assert status["reason"] == "NonZeroExitCode"
    assert status["details"]["causes"] == [{"reason": "ExitCode", "message": "1"}]


def test_a_program_the_image_lacks_ends_with_an_internal_error(busybox):
    options = execstream.ExecOptions(("ls",), None, False, True, True, False)
    frames = frames_of(execstream.ExecStream(busybox, options).open())
    status = json.loads(frames[-1][1])
    assert (status["reason"], status["code"]) == ("InternalError", 500)
    assert status["message"].startswith("Internal error occurred: error executing command in container")


def test_an_interactive_tty_shell_echoes_prompts_and_exits(busybox):
    options = execstream.ExecOptions(("sh",), None, True, True, False, True)
    stream = execstream.ExecStream(busybox, options)
    assert frames_of(stream.open())[-1] == (execstream.STDOUT, b"/ # ")
    typed = b"".join(data for _, data in frames_of(stream.receive(execstream.frame(execstream.STDIN, b"hostname\r"))))
    assert typed == b"hostname\r\nbusybox\r\n/ # "
    assert stream.receive(execstream.frame(execstream.RESIZE, b'{"Width":80,"Height":24}')) == []
    end = frames_of(stream.receive(execstream.frame(execstream.STDIN, b"exit 4\r")))
    assert json.loads(end[-1][1])["details"]["causes"][0]["message"] == "4"
    assert stream.finished


def test_closing_stdin_of_a_non_tty_shell_runs_the_last_line_and_ends(busybox):
    options = execstream.ExecOptions(("sh",), None, True, True, True, False)
    stream = execstream.ExecStream(busybox, options)
    stream.open()
    out = frames_of(stream.receive(execstream.frame(execstream.STDIN, b"echo hi\nfalse")))
    assert (execstream.STDOUT, b"hi\n") in out
    end = frames_of(stream.receive(bytes([execstream.CLOSE, execstream.STDIN])))
    assert json.loads(end[-1][1])["reason"] == "NonZeroExitCode"


@pytest.mark.parametrize(
    ("offered", "chosen"),
    [
        (["v5.channel.k8s.io"], "v5.channel.k8s.io"),
        (["v4.channel.k8s.io", "channel.k8s.io"], "v4.channel.k8s.io"),
        (["channel.k8s.io"], None),
    ],
)
def test_the_first_supported_subprotocol_is_echoed(offered, chosen):
    assert execstream.choose_subprotocol(offered) == chosen


def test_spdy_clients_are_told_which_kubectl_runs_exec():
    error = execstream.spdy_rejection("kubectl/v1.27.16 (linux/amd64) kubernetes/cbb86e0")
    assert error.code == 400
    assert error.message.startswith("kubectl 1.27 runs exec over SPDY")
    assert "kubectl 1.30 or newer" in error.message and "KUBECTL_REMOTE_COMMAND_WEBSOCKETS=true" in error.message


def test_with_a_terminal_program_output_gets_the_terminals_carriage_returns(busybox):
    options = execstream.ExecOptions(("hostname",), None, True, True, False, True)
    frames = frames_of(execstream.ExecStream(busybox, options).open())
    assert (execstream.STDOUT, b"busybox\r\n") in frames
