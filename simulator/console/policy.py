"""Which kubectl commands the console runs: an allow-list of subcommands, and flags checked one
by one. kubectl itself rejects flags it does not know; what is refused here are the flags it
does know that would point it at another server or credential, read or write the server's files,
or reach the network, and the subcommands that open ports or reach outside.

    check(argv) -> Plan      (argv without the leading "kubectl"; raises Refused)

A `Plan` says what the run needs: the editor's buffer on stdin (`-f -`), a terminal for the
remote command (`exec -ti`), kubectl's editor (`edit`: the dashboard's YAML editor, editing.py),
and whether it runs until stopped (`get -w`, `logs -f`, `rollout status`, `wait`, `exec -i`,
an edit waiting for Save), which sets its time limit.

kubectl's flag syntax is pflag's (spf13/pflag flag.go `parseArgs`): `--name=value`,
`--name value`, `-x value`, `-xvalue`, `-x=value`, and grouped boolean shorthands `-ti`; `--`
ends the flags (what follows is the remote command of `exec` and `run`).
"""

from __future__ import annotations

from dataclasses import dataclass

from .commandline import Refused

ALLOWED = (
    "annotate",
    "api-resources",
    "api-versions",
    "apply",
    "auth",  # only `auth can-i`
    "autoscale",
    "cluster-info",  # not `cluster-info dump`
    "cordon",
    "create",
    "delete",
    "describe",
    "diff",
    "drain",
    "edit",  # the editor is the dashboard's YAML editor (editing.py)
    "events",
    "exec",
    "explain",
    "expose",
    "get",
    "help",
    "label",
    "logs",
    "options",
    "patch",
    "replace",
    "rollout",
    "run",
    "scale",
    "set",
    "taint",
    "top",
    "uncordon",
    "version",
    "wait",
)

REFUSED_SUBCOMMANDS = {
    "proxy": "`kubectl proxy` opens a port on the server: the console does not run it",
    "port-forward": "`kubectl port-forward` opens a port on the server: the console does not run it",
    "cp": "`kubectl cp` copies files to or from the server's disk: the console does not run it",
    "attach": "`kubectl attach` is not run here: use `kubectl exec -ti POD -- sh`",
    "debug": "`kubectl debug` is not run here: use `kubectl exec POD -- COMMAND`",
    "plugin": "kubectl plugins are programs on the server: the console runs none",
    "config": "`kubectl config` reads and writes kubeconfig files: the console's kubeconfig is "
    "made for you (download your own from the cluster page)",
    "krew": "kubectl plugins (krew) are programs on the server: the console runs none",
    "kustomize": "`kubectl kustomize` reads directories on the server: paste the YAML into the editor and "
    "use `kubectl apply -f -`",
    "completion": "`kubectl completion` writes shell scripts: the console completes with Tab by itself",
    "alpha": "kubectl's alpha commands are not run in the console",
    "certificate": "`kubectl certificate` is not run in the console",
    "convert": "`kubectl convert` is a plugin: the console runs none",
}

# Flags that point kubectl at another server, credential or identity, or at the server's files.
_ELSEWHERE = "points kubectl at another server or identity: the console talks only to this cluster, as you"
_FILES = "reads or writes files on the server: the console never touches the server's disk"
REFUSED_FLAGS = {
    "--server": _ELSEWHERE,
    "-s": _ELSEWHERE,
    "--kubeconfig": _FILES,
    "--token": _ELSEWHERE,
    "--as": _ELSEWHERE,
    "--as-group": _ELSEWHERE,
    "--as-uid": _ELSEWHERE,
    "--context": _ELSEWHERE,
    "--cluster": _ELSEWHERE,
    "--user": _ELSEWHERE,
    "--username": _ELSEWHERE,
    "--password": _ELSEWHERE,
    "--certificate-authority": _FILES,
    "--client-certificate": _FILES,
    "--client-key": _FILES,
    "--insecure-skip-tls-verify": _ELSEWHERE,
    "--tls-server-name": _ELSEWHERE,
    "--cache-dir": _FILES,
    "--kuberc": _FILES,
    "--log-dir": _FILES,
    "--log-file": _FILES,
    "--profile-output": _FILES,
    "--from-file": _FILES,
    "--from-env-file": _FILES,
    "--env-file": _FILES,
    "--kustomize": _FILES + ": paste the YAML into the editor and use `-f -`",
    "-k": _FILES + ": paste the YAML into the editor and use `-f -`",
    "--template": "templates from files are not read here: use `-o jsonpath=...` or `-o go-template=...`",
    "--profile": "profiling writes files on the server: the console does not profile",
}
_OUTPUT_FILES = ("go-template-file", "jsonpath-file", "custom-columns-file", "template-file")

# Shorthand flags that take a value (so `-n web` skips `web` when looking for the subcommand).
_SHORT_VALUES = set("nolcfkLsv")  # -i, -t, -w, -A, -R, -q are booleans
_LONG_VALUES = {
    "--namespace",
    "--output",
    "--selector",
    "--container",
    "--filename",
    "--field-selector",
    "--sort-by",
    "--request-timeout",
    "--image",
    "--port",
    "--replicas",
    "--type",
    "--name",
    "--target-port",
    "--timeout",
    "--for",
    "--chunk-size",
    "--label-columns",
    "--since",
    "--tail",
    "--grace-period",
    "--cascade",
    "--field-manager",
    "--patch",
    "--restart",
    "--env",
    "--labels",
    "--overrides",
    "--protocol",
    "--external-ip",
    "--load-balancer-ip",
    "--session-affinity",
    "--cluster-ip",
    "--current-replicas",
    "--resource-version",
    "--dry-run",
    "--revision",
    "--to-revision",
    "--subresource",
    "--pod-running-timeout",
    "--schedule",
    "--tcp",
    "--from",
    "--from-literal",
    "--serviceaccount",
    "--min",
    "--max",
    "--cpu-percent",
    "--api-group",
    "--api-version",
    "--verbs",
    "--raw",
    "--class",
    "--rule",
    "--default-backend",
    "--annotation",
    "--image-pull-policy",
    "--node-port",
    "--clusterip",
    "--validate",
}


@dataclass(frozen=True)
class Plan:
    subcommand: str
    stdin_buffer: bool = False  # `-f -`: the editor's buffer is kubectl's stdin
    tty: bool = False  # `exec -t` / `run -t`: the remote command gets a terminal
    interactive: bool = False  # `exec -i` / `run -i`: what is typed goes to the remote command
    long_running: bool = False  # runs until stopped (watch, follow, rollout status, wait, -i)
    editor: bool = False  # opens kubectl's editor: `edit`, `create --edit`, `apply edit-last-applied`


def _refuse_flag(name: str, value: str | None) -> None:
    if name in REFUSED_FLAGS:
        raise Refused(f"`{name}` {REFUSED_FLAGS[name]}")


def _check_filename(flag: str, value: str) -> bool:
    """`-f -` is the editor's buffer; anything else is refused. True when it is the buffer."""
    if value == "-":
        return True
    if "://" in value:
        raise Refused(f"`{flag} {value}` reaches a network address: paste the YAML into the editor and use `{flag} -`")
    raise Refused(f"`{flag} {value}` reads a file on the server: paste the YAML into the editor and use `{flag} -`")


def _check_output(value: str) -> None:
    kind = value.split("=", 1)[0]
    if kind in _OUTPUT_FILES:
        raise Refused(f"`-o {kind}=...` reads a file on the server: use `-o {kind.removesuffix('-file')}=...`")


def check(argv: list[str]) -> Plan:
    """Refuse, or say how to run `kubectl argv...`."""
    words: list[str] = []  # positional arguments before `--`
    flags: dict[str, str] = {}  # long name (or shorthand) -> last value ("" for booleans)
    buffer = False
    index = 0
    while index < len(argv):
        arg = argv[index]
        index += 1
        if arg == "--":
            break
        if arg.startswith("--") and len(arg) > 2:
            name, eq, value = arg.partition("=")
            _refuse_flag(name, value)
            if not eq and name in _LONG_VALUES and index < len(argv):
                value = argv[index]
                index += 1
            if name == "--filename":
                buffer = _check_filename(name, value) or buffer
            if name == "--output":
                _check_output(value)
            flags[name] = value
            continue
        if arg.startswith("-") and len(arg) > 1:
            # grouped shorthands: each letter a boolean until one that takes a value
            letters = arg[1:]
            pos = 0
            while pos < len(letters):
                letter = letters[pos]
                short = "-" + letter
                _refuse_flag(short, None)
                taking = (letter in _SHORT_VALUES and not (letter == "f" and _follow(words))) or (
                    letter == "p" and words[:1] == ["patch"]  # `patch -p PATCH`; `logs -p` is --previous
                )
                if taking:
                    value = letters[pos + 1 :].removeprefix("=")
                    if not value:
                        if index >= len(argv):
                            break
                        value = argv[index]
                        index += 1
                    if letter == "f":
                        buffer = _check_filename("-f", value) or buffer
                    if letter == "o":
                        _check_output(value)
                    flags[short] = value
                    break
                flags[short] = ""
                pos += 1
            continue
        words.append(arg)
    if not words:
        raise Refused("type a kubectl command, like `kubectl get pods`")
    sub = words[0]
    if sub in REFUSED_SUBCOMMANDS:
        raise Refused(REFUSED_SUBCOMMANDS[sub])
    if sub not in ALLOWED:
        raise Refused(f"`kubectl {sub}` is not one of the commands the console runs (type `kubectl help`)")
    if sub == "auth" and words[1:2] != ["can-i"]:
        raise Refused("only `kubectl auth can-i` is run in the console")
    if sub == "cluster-info" and "dump" in words[1:]:
        raise Refused("`kubectl cluster-info dump` writes every object and log: use `kubectl get` and `describe`")
    if "--raw" in flags:
        _check_raw(flags["--raw"])
    interactive = sub in ("exec", "run") and ("-i" in flags or "--stdin" in flags)
    tty = sub in ("exec", "run") and ("-t" in flags or "--tty" in flags)
    watching = any(f in flags for f in ("-w", "--watch", "--watch-only")) and sub in ("get", "events", "rollout")
    following = sub == "logs" and ("-f" in flags or "--follow" in flags)
    waiting = sub == "wait" or (sub == "rollout" and words[1:2] == ["status"])
    editor = (
        sub == "edit"
        or (sub == "create" and flags.get("--edit", "false") != "false")
        or (sub == "apply" and words[1:2] == ["edit-last-applied"])
    )
    return Plan(
        subcommand=sub,
        stdin_buffer=buffer,
        tty=tty,
        interactive=interactive,
        long_running=watching or following or waiting or interactive or editor,
        editor=editor,
    )


RAW_PREFIXES = ("/api", "/apis", "/version", "/openapi", "/healthz", "/livez", "/readyz")


def _check_raw(path: str) -> None:
    """`--raw PATH` is joined to the server URL's path, and client-go cleans the result
    (rest/request.go RequestURI: path.Join), so `..` would climb out of this cluster's API prefix
    to other paths of the server: only the API's own paths are let through."""
    if "://" in path:
        raise Refused("`--raw` with a URL reaches a network address: give the API path only")
    segments = path.split("?", 1)[0].split("/")
    if ".." in segments or "." in segments or not path.startswith(RAW_PREFIXES) or "\\" in path:
        raise Refused(f"`--raw {path}` leaves this cluster's API: give a path under /api, /apis or /version")


def _follow(words: list[str]) -> bool:
    """In `kubectl logs`, `-f` is --follow, not --filename."""
    return bool(words) and words[0] == "logs"
