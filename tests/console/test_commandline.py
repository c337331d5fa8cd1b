"""The console's command line: shell quoting, variables, $( ), pipes; and what it refuses."""

from __future__ import annotations

import pytest

from simulator.console import commandline, filters, policy
from simulator.console.commandline import Refused


def argvs(text: str, variables: dict | None = None, outputs: dict | None = None) -> list[list[str]]:
    line = commandline.parse(text)
    outputs = outputs or {}

    def substitute(inner):
        return outputs[inner.text.strip()]

    return [commandline.expand_stage(stage, variables or {}, substitute) for stage in line.stages]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("kubectl get svc -o wide", [["kubectl", "get", "svc", "-o", "wide"]]),
        (
            "kubectl get pods -l run=webapp -o jsonpath='{.items[0].metadata.name}'",
            [["kubectl", "get", "pods", "-l", "run=webapp", "-o", "jsonpath={.items[0].metadata.name}"]],
        ),
        ('kubectl label pod a "x=y z"', [["kubectl", "label", "pod", "a", "x=y z"]]),
        ("kubectl get pod a\\ b", [["kubectl", "get", "pod", "a b"]]),
        ("kubectl get pods ''", [["kubectl", "get", "pods", ""]]),
        (
            "kubectl exec -it busybox -- env | grep WEBAPP_",
            [["kubectl", "exec", "-it", "busybox", "--", "env"], ["grep", "WEBAPP_"]],
        ),
        ("kubectl get pods   # a comment", [["kubectl", "get", "pods"]]),
        ("kubectl get pods -l run=webapp \\\n -o name", [["kubectl", "get", "pods", "-l", "run=webapp", "-o", "name"]]),
        ("kubectl get pod 'a|b' \"c;d\"", [["kubectl", "get", "pod", "a|b", "c;d"]]),
    ],
)
def test_lines_split_as_a_shell_splits_them(text, expected):
    assert argvs(text) == expected


def test_variables_expand_unquoted_with_word_splitting_and_quoted_without():
    variables = {"POD": "webapp-1", "TWO": "a b"}
    assert argvs("kubectl exec $POD -- env", variables) == [["kubectl", "exec", "webapp-1", "--", "env"]]
    assert argvs("kubectl get pod ${POD}x $TWO", variables) == [["kubectl", "get", "pod", "webapp-1x", "a", "b"]]
    assert argvs('kubectl get pod "$TWO"', variables) == [["kubectl", "get", "pod", "a b"]]
    assert argvs("kubectl get pod '$POD'", variables) == [["kubectl", "get", "pod", "$POD"]]
    assert argvs("kubectl get pod $MISSING", variables) == [["kubectl", "get", "pod"]]


def test_a_command_substitution_is_replaced_by_its_output_without_the_trailing_newline():
    inner = "kubectl get pods -l run=webapp -o jsonpath='{.items[0].metadata.name}'"
    got = argvs(f"kubectl exec $({inner}) -- env", outputs={inner: "webapp-7d-x\n"})
    assert got == [["kubectl", "exec", "webapp-7d-x", "--", "env"]]


@pytest.mark.parametrize(
    "text",
    ["POD=$(kubectl get pods -o name)", "$POD=$(kubectl get pods -o name)", "export POD=$(kubectl get pods -o name)"],
)
def test_an_assignment_names_its_variable_in_every_spelling_of_the_course(text):
    line = commandline.parse(text)
    assert line.assignment == "POD"
    value = commandline.expand_assignment(line, {}, lambda inner: "pod/a pod/b\n")
    assert value == "pod/a pod/b"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("kubectl get pods; rm -rf /", "`;`"),
        ("kubectl get pods && kubectl delete pods --all", "`&&`"),
        ("kubectl get pods || true", "`||`"),
        ("kubectl get pods &", "background"),
        ("kubectl get pods > /tmp/x", "redirections"),
        ("kubectl apply -f - < /etc/passwd", "redirections"),
        ("kubectl get pod `whoami`", "backticks"),
        ('kubectl get pod "`whoami`"', "backticks"),
        ("kubectl get pods $((1+1))", "arithmetic"),
        ("(kubectl get pods)", "subshells"),
        ("kubectl get pod 'open", "not closed"),
        ("kubectl get pod $(kubectl get pods", "not closed"),
        ("kubectl get pods $?", "special parameter"),
        ("FOO=bar kubectl get pods", "environment variables are not passed"),
        ("kubectl get pods |", "a command on each side"),
        ("kubectl get pods\nkubectl delete pods --all", "one command per line"),
    ],
)
def test_what_a_shell_would_do_beyond_one_command_is_refused_with_a_sentence(text, words):
    with pytest.raises(Refused) as refused:
        commandline.parse(text)
    assert words in str(refused.value)


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["get", "pods", "--server=http://10.0.0.1"], "`--server` points kubectl at another server"),
        (["get", "pods", "-s", "http://10.0.0.1"], "`-s` points kubectl at another server"),
        (["--kubeconfig=/root/.kube/config", "get", "pods"], "`--kubeconfig` reads or writes files on the server"),
        (["--kubeconfig", "/root/.kube/config", "get", "pods"], "`--kubeconfig` reads"),
        (["get", "pods", "--token", "x"], "`--token`"),
        (["get", "pods", "--as=system:admin"], "`--as`"),
        (["get", "pods", "--context=other"], "`--context`"),
        (["get", "pods", "--cluster=other"], "`--cluster`"),
        (["get", "pods", "--user=other"], "`--user`"),
        (["get", "pods", "--certificate-authority=/etc/ssl/ca.pem"], "`--certificate-authority`"),
        (["get", "pods", "--insecure-skip-tls-verify"], "`--insecure-skip-tls-verify`"),
        (["get", "pods", "--cache-dir=/tmp"], "`--cache-dir`"),
        (["apply", "-f", "/etc/passwd"], "`-f /etc/passwd` reads a file on the server"),
        (["apply", "-f/etc/passwd"], "`-f /etc/passwd` reads a file on the server"),
        (["apply", "--filename=/etc/passwd"], "`--filename /etc/passwd` reads a file"),
        (["apply", "-f", "http://evil.example/x.yaml"], "reaches a network address"),
        (["create", "-f", "https://raw.githubusercontent.com/x"], "reaches a network address"),
        (["apply", "-k", "."], "`-k` reads or writes files"),
        (["create", "configmap", "c", "--from-file=/etc/passwd"], "`--from-file`"),
        (["get", "pods", "-o", "jsonpath-file=/etc/passwd"], "reads a file on the server"),
        (["get", "pods", "--log-file=/tmp/x"], "`--log-file`"),
        (["get", "--raw", "/../../clusters/other/export.yaml"], "leaves this cluster's API"),
        (["get", "--raw=/api/../../k8s/other-token/api/v1/pods"], "leaves this cluster's API"),
        (["get", "--raw", "http://10.0.0.1/api"], "reaches a network address"),
        (["proxy"], "opens a port"),
        (["port-forward", "pod/a", "8080"], "opens a port"),
        (["cp", "a:/etc/passwd", "/tmp/x"], "copies files"),
        (["attach", "busybox"], "attach"),
        (["debug", "busybox"], "debug"),
        (["plugin", "list"], "plugins"),
        (["config", "view"], "kubeconfig"),
        (["krew", "install", "x"], "krew"),
        (["auth", "whoami"], "only `kubectl auth can-i`"),
        (["cluster-info", "dump"], "cluster-info dump"),
        (["edit", "-f", "/etc/passwd"], "reads a file on the server"),
        (["edit", "svc/webapp", "--kubeconfig=/root/.kube/config"], "`--kubeconfig`"),
        (["frobnicate"], "not one of the commands"),
        ([], "type a kubectl command"),
    ],
)
def test_flags_and_subcommands_that_reach_elsewhere_are_refused_naming_the_flag(argv, words):
    with pytest.raises(Refused) as refused:
        policy.check(argv)
    assert words in str(refused.value)


@pytest.mark.parametrize(
    ("argv", "plan"),
    [
        (["get", "svc", "-o", "wide"], policy.Plan("get")),
        (["-n", "kube-system", "get", "pods"], policy.Plan("get")),
        (["apply", "-f", "-"], policy.Plan("apply", stdin_buffer=True)),
        (["apply", "-f-"], policy.Plan("apply", stdin_buffer=True)),
        (["get", "pods", "-w"], policy.Plan("get", long_running=True)),
        (["logs", "-f", "busybox"], policy.Plan("logs", long_running=True)),
        (
            ["exec", "-ti", "busybox", "--", "nslookup", "webapp"],
            policy.Plan("exec", tty=True, interactive=True, long_running=True),
        ),
        (["exec", "busybox", "--", "cat", "/etc/passwd"], policy.Plan("exec")),  # inside the pod: simulated
        (["patch", "svc", "webapp", "-p", '{"spec":{"type":"NodePort"}}'], policy.Plan("patch")),
        (["auth", "can-i", "create", "pods"], policy.Plan("auth")),
        (["get", "--raw", "/api/v1/namespaces/default/pods"], policy.Plan("get")),
        (["rollout", "status", "deployment/webapp"], policy.Plan("rollout", long_running=True)),
    ],
)
def test_allowed_commands_say_what_their_run_needs(argv, plan):
    assert policy.check(argv) == plan


@pytest.mark.parametrize(
    ("argv", "text", "expected", "status"),
    [
        (["grep", "WEBAPP_"], "A=1\nWEBAPP_X=2\nwebapp_y=3\n", "WEBAPP_X=2\n", 0),
        (["grep", "-i", "webapp_"], "A=1\nWEBAPP_X=2\nwebapp_y=3\n", "WEBAPP_X=2\nwebapp_y=3\n", 0),
        (["grep", "-v", "WEBAPP_"], "A=1\nWEBAPP_X=2\n", "A=1\n", 0),
        (["grep", "nothing"], "A=1\n", "", 1),
        (["grep", "-c", "a"], "a\nb\na\n", "2\n", 0),
        (["grep", "a.c"], "abc\naxc\nab\n", "abc\naxc\n", 0),
        (["grep", "a+"], "a+\naa\n", "a+\n", 0),  # a basic regular expression: + is literal
        (["grep", "-E", "a+"], "a+\nb\n", "a+\n", 0),
        (["head", "-n", "2"], "1\n2\n3\n", "1\n2\n", 0),
        (["head", "-1"], "1\n2\n3\n", "1\n", 0),
        (["head"], "".join(f"{i}\n" for i in range(12)), "".join(f"{i}\n" for i in range(10)), 0),
        (["tail", "-n", "1"], "1\n2\n3\n", "3\n", 0),
        (["wc", "-l"], "1\n2\n3\n", "3\n", 0),
        (["sort"], "b\na\nc\n", "a\nb\nc\n", 0),
        (["sort", "-r"], "b\na\nc\n", "c\nb\na\n", 0),
        (["uniq", "-c"], "a\na\nb\n", "      2 a\n      1 b\n", 0),
    ],
)
def test_the_filters_print_what_the_tools_print(argv, text, expected, status):
    assert filters.run(argv, text) == (expected, status)


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["sh", "-c", "id"], "`| sh` is not run here"),
        (["xargs", "rm"], "`| xargs` is not run here"),
        (["grep"], "needs a PATTERN"),
        (["grep", "x", "/etc/passwd"], "takes no file names"),
        (["sort", "-o", "/tmp/x"], "`sort -o`"),
        (["head", "-c", "5"], "`head -c`"),
    ],
)
def test_a_pipe_into_anything_but_the_filters_is_refused(argv, words):
    with pytest.raises(Refused) as refused:
        filters.check(argv)
    assert words in str(refused.value)
