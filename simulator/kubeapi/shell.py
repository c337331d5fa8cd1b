"""The commands `kubectl exec` runs inside a simulated pod.

A pod has no processes; what a student types gets the answer the real tool would print, from
the engine's DNS, Service environment and request trace (through a `Sandbox`, built by
`sandbox_for`). Covered, with their real output formats and exit codes:

* `nslookup NAME` as busybox 1.28 prints it (networking/nslookup.c of that release: `Server:`
  and `Name:` padded to ten columns, `Address N: IP NAME` with the reverse name when there is
  one, a blank line between; `nslookup: can't resolve 'NAME'` on stderr and exit 1);
* `env`, `printenv [NAME...]`: PATH and HOSTNAME as the runtime sets them, the container's own
  `env:` values, the Service variables kubelet injects (KUBERNETES_* among them), HOME;
* `hostname`, `cat /etc/resolv.conf`, `cat /etc/hostname`, `cat /etc/hosts` (kubelet's file);
* `curl URL` (curl 8.x: the body on success, `curl: (6) Could not resolve host: X`,
  `curl: (7) Failed to connect to X port N after 0 ms: Could not connect to server` for a
  refused connection) and busybox `wget -qO- URL` (`wget: bad address 'X'`, `wget: can't
  connect to remote host (IP): Connection refused`, `wget: download timed out`); a reachable
  pod answers with its own name, as the course's echo servers do;
* `sh -c 'a; b && c || d | grep x'`, `echo`, `true`, `false`, `exit N`; an interactive
  `sh` session is driven by `ShellSession`.

Anything else is what a shell without that program says: `sh: X: not found`, exit 127; run
directly (`kubectl exec pod -- X`) the container runtime's error, which the API server returns
as an InternalError Status. Not simulated: curl's progress meter on stderr when its output is
not a terminal, and timing (every failure is immediate).
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass, field

DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
PROMPT = "/ # "


@dataclass(frozen=True)
class Lookup:
    """A name looked up by the pod's resolver: `addresses` (A records) or `error` (the rcode)."""

    addresses: tuple[str, ...] = ()
    error: str | None = None


@dataclass(frozen=True)
class HttpOutcome:
    """What a request got: `status` 200 with `body`, another HTTP status (from the ingress
    controller), or a connection-level `failure`: "resolve", "refused" or "timeout"."""

    status: int | None = None
    body: str = ""
    failure: str | None = None
    address: str | None = None  # the IP the name resolved to, when it did


@dataclass(frozen=True)
class Sandbox:
    """A pod seen from inside: its names, files and network."""

    pod: str
    namespace: str
    hostname: str
    ip: str
    env: tuple[tuple[str, str], ...]  # in the order the runtime sets them
    resolv_conf: str
    dns_server: str
    lookup: Callable[[str], Lookup]
    reverse: Callable[[str], str | None]
    request: Callable[[str], HttpOutcome]
    hosts_extra: tuple[str, ...] = field(default=())


@dataclass
class Result:
    stdout: str = ""
    stderr: str = ""
    exit_code: int = 0
    runtime_error: str | None = None  # the container runtime refused to start the program

    def add(self, other: Result) -> Result:
        self.stdout += other.stdout
        self.stderr += other.stderr
        self.exit_code = other.exit_code
        self.runtime_error = other.runtime_error
        return self


# ---------------------------------------------------------------------- the programs
def nslookup(box: Sandbox, args: list[str]) -> Result:
    """busybox 1.28 nslookup NAME [SERVER]."""
    names = [a for a in args if not a.startswith("-")]
    if not names:
        return Result(stderr=_busybox_usage("nslookup", "[HOST] [SERVER]"), exit_code=1)
    name = names[0]
    out = _print_host(box, box.dns_server, "Server:")
    out += "\n"
    found = box.lookup(name)
    if not found.addresses:
        return Result(stdout=out, stderr=f"nslookup: can't resolve '{name}'\n", exit_code=1)
    out += f"{'Name:':<10} {name}\n"
    for index, address in enumerate(found.addresses, start=1):
        reverse = box.reverse(address)
        out += f"Address {index}: {address}" + (f" {reverse}\n" if reverse else "\n")
    return Result(stdout=out)


def _print_host(box: Sandbox, ip: str, header: str) -> str:
    reverse = box.reverse(ip)
    return f"{header:<10} {ip}\nAddress 1: {ip}" + (f" {reverse}\n" if reverse else "\n")


def _busybox_usage(applet: str, usage: str) -> str:
    return f"BusyBox v1.28.4 (2018-05-22 17:00:17 UTC) multi-call binary.\n\nUsage: {applet} {usage}\n"


def environment(box: Sandbox) -> list[tuple[str, str]]:
    return [("PATH", DEFAULT_PATH), ("HOSTNAME", box.hostname), *box.env, ("HOME", "/root")]


def env(box: Sandbox, args: list[str]) -> Result:
    return Result(stdout="".join(f"{k}={v}\n" for k, v in environment(box)))


def printenv(box: Sandbox, args: list[str]) -> Result:
    variables = dict(environment(box))
    if not args:
        return env(box, args)
    out, code = "", 0
    for name in args:
        if name in variables:
            out += variables[name] + "\n"
        else:
            code = 1
    return Result(stdout=out, exit_code=code)


def hostname(box: Sandbox, args: list[str]) -> Result:
    return Result(stdout=box.hostname + "\n")


def hosts_file(box: Sandbox) -> str:
    """kubelet's managed /etc/hosts (pkg/kubelet/kubelet_pods.go managedHostsFileContent)."""
    lines = [
        "# Kubernetes-managed hosts file.",
        "127.0.0.1\tlocalhost",
        "::1\tlocalhost ip6-localhost ip6-loopback",
        "fe00::0\tip6-localnet",
        "fe00::0\tip6-mcastprefix",
        "fe00::1\tip6-allnodes",
        "fe00::2\tip6-allrouters",
        f"{box.ip}\t{box.hostname}",
        *box.hosts_extra,
    ]
    return "\n".join(lines) + "\n"


def cat(box: Sandbox, args: list[str]) -> Result:
    files = {
        "/etc/resolv.conf": box.resolv_conf,
        "/etc/hostname": box.hostname + "\n",
        "/etc/hosts": hosts_file(box),
    }
    out, err, code = "", "", 0
    for path in args:
        if path in files:
            out += files[path]
        else:
            err += f"cat: can't open '{path}': No such file or directory\n"
            code = 1
    return Result(stdout=out, stderr=err, exit_code=code)


def _url_host_port(url: str) -> tuple[str, int]:
    text = url if "://" in url else "http://" + url
    rest = text.split("://", 1)[1].split("/", 1)[0]
    default = 443 if text.lower().startswith("https") else 80
    if rest.startswith("["):
        host, _, port = rest[1:].partition("]")
        return host, int(port[1:]) if port.startswith(":") and port[1:].isdigit() else default
    host, _, port = rest.partition(":")
    return host, int(port) if port.isdigit() else default


NGINX_PAGES = {
    404: "404 Not Found",
    502: "502 Bad Gateway",
    503: "503 Service Temporarily Unavailable",
    400: "400 Bad Request",
}


def _nginx_page(code: int) -> str:
    """ingress-nginx's default error page for `code`."""
    title = NGINX_PAGES.get(code, f"{code}")
    return (
        f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
        f"<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    )


def curl(box: Sandbox, args: list[str]) -> Result:
    """curl [-s] [-S] [-f] [-i] [-v] [-m N] URL."""
    urls, silent, show_error, fail = [], False, False, False
    skip = False
    for index, arg in enumerate(args):
        if skip:
            skip = False
            continue
        if arg in ("-m", "--max-time", "--connect-timeout", "-H", "-o", "-X", "-d"):
            skip = index + 1 < len(args)
            continue
        if arg.startswith("-") and not arg.startswith("--") and len(arg) > 1:
            silent = silent or "s" in arg
            show_error = show_error or "S" in arg
            fail = fail or "f" in arg
            continue
        if arg in ("--silent",):
            silent = True
        elif arg in ("--show-error",):
            show_error = True
        elif arg in ("--fail",):
            fail = True
        elif not arg.startswith("--"):
            urls.append(arg)
    if not urls:
        return Result(stderr="curl: try 'curl --help' or 'curl --manual' for more information\n", exit_code=2)
    host, port = _url_host_port(urls[0])
    outcome = box.request(urls[0])
    show = not silent or show_error
    if outcome.failure == "resolve":
        return Result(stderr=f"curl: (6) Could not resolve host: {host}\n" if show else "", exit_code=6)
    if outcome.failure == "refused":
        text = f"curl: (7) Failed to connect to {host} port {port} after 0 ms: Could not connect to server\n"
        return Result(stderr=text if show else "", exit_code=7)
    if outcome.failure == "timeout":
        text = f"curl: (28) Failed to connect to {host} port {port} after 130000 ms: Could not connect to server\n"
        return Result(stderr=text if show else "", exit_code=28)
    code = outcome.status or 200
    if code >= 400:
        if fail:
            text = f"curl: (22) The requested URL returned error: {code}\n"
            return Result(stderr=text if show else "", exit_code=22)
        return Result(stdout=_nginx_page(code))
    return Result(stdout=outcome.body)


def wget(box: Sandbox, args: list[str]) -> Result:
    """busybox wget [-q] [-O FILE|-O-] [-T SEC] URL (only -O- writes to the terminal)."""
    quiet, to_stdout, urls = False, False, []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg in ("-O", "-T"):
            to_stdout = to_stdout or (arg == "-O" and index + 1 < len(args) and args[index + 1] == "-")
            index += 2
            continue
        if arg.startswith("-") and len(arg) > 1:
            quiet = quiet or "q" in arg
            to_stdout = to_stdout or arg.endswith("O-")
        else:
            urls.append(arg)
        index += 1
    if not urls:
        return Result(
            stderr=_busybox_usage("wget", "[-c|--continue] [-s|--spider] [-q|--quiet] [-O|--output-document FILE] URL"),
            exit_code=1,
        )
    host, port = _url_host_port(urls[0])
    outcome = box.request(urls[0])
    if outcome.failure == "resolve":
        return Result(stderr=f"wget: bad address '{host}'\n", exit_code=1)
    chatter = "" if quiet else f"Connecting to {host}:{port} ({outcome.address}:{port})\n"
    if outcome.failure == "refused":
        return Result(
            stderr=chatter + f"wget: can't connect to remote host ({outcome.address}): Connection refused\n",
            exit_code=1,
        )
    if outcome.failure == "timeout":
        return Result(stderr=chatter + "wget: download timed out\n", exit_code=1)
    code = outcome.status or 200
    if code >= 400:
        reason = NGINX_PAGES.get(code, str(code))
        return Result(stderr=chatter + f"wget: server returned error: HTTP/1.1 {reason}\n", exit_code=1)
    if not to_stdout:
        return Result(stderr=chatter + "saving to 'index.html'\n'index.html' saved\n")
    tail = "" if quiet else "writing to stdout\n"
    done = "" if quiet else "-                    100% |********************************|  written to stdout\n"
    return Result(stdout=outcome.body, stderr=chatter + tail + done)


def echo(box: Sandbox, args: list[str]) -> Result:
    newline = True
    if args and args[0] == "-n":
        newline, args = False, args[1:]
    return Result(stdout=" ".join(args) + ("\n" if newline else ""))


PROGRAMS: dict[str, Callable[[Sandbox, list[str]], Result]] = {
    "nslookup": nslookup,
    "env": env,
    "printenv": printenv,
    "hostname": hostname,
    "cat": cat,
    "curl": curl,
    "wget": wget,
    "echo": echo,
    "true": lambda box, args: Result(),
    "false": lambda box, args: Result(exit_code=1),
}


def _grep(text: str, args: list[str]) -> Result:
    invert = any(a.startswith("-") and "v" in a for a in args)
    ignore = any(a.startswith("-") and "i" in a for a in args)
    patterns = [a for a in args if not a.startswith("-")]
    if not patterns:
        return Result(
            stderr=_busybox_usage(
                "grep", "[-HhnlLoqvsriwFE] [-m N] [-A/B/C N] PATTERN/-e PATTERN.../-f FILE [FILE]..."
            ),
            exit_code=2,
        )
    needle = patterns[0].lower() if ignore else patterns[0]
    lines = [
        line for line in text.splitlines(keepends=True) if (needle in (line.lower() if ignore else line)) != invert
    ]
    return Result(stdout="".join(lines), exit_code=0 if lines else 1)


# ---------------------------------------------------------------------- sh
def run_line(box: Sandbox, line: str) -> tuple[Result, int | None]:
    """One shell line: `;`, `&&`, `||` and `|` (into grep) between simple commands.
    Returns the result and, when the line ran `exit`, the exit status."""
    total = Result()
    try:
        tokens = shlex.split(line, posix=True)
    except ValueError:
        return Result(stderr="sh: syntax error: unterminated quoted string\n", exit_code=2), None
    tokens = _split_operators(tokens)
    last = 0
    pending = ";"
    index = 0
    while index < len(tokens):
        segment = []
        while index < len(tokens) and tokens[index] not in (";", "&&", "||"):
            segment.append(tokens[index])
            index += 1
        operator = tokens[index] if index < len(tokens) else ";"
        index += 1
        if (pending == "&&" and last != 0) or (pending == "||" and last == 0):
            pending = operator
            continue
        pending = operator
        if not segment:
            continue
        if segment[0] == "exit":
            code = int(segment[1]) if len(segment) > 1 and segment[1].lstrip("-").isdigit() else last
            return total, code % 256
        result = _pipeline(box, segment)
        total.add(result)
        last = result.exit_code
    total.exit_code = last
    return total, None


def _split_operators(tokens: list[str]) -> list[str]:
    out = []
    for token in tokens:
        if token in ("&&", "||", ";", "|"):
            out.append(token)
            continue
        for operator in ("&&", "||", ";", "|"):
            if token != operator and token.endswith(operator) and len(token) > len(operator):
                out += [token[: -len(operator)], operator]
                break
        else:
            out.append(token)
    return out


def _pipeline(box: Sandbox, words: list[str]) -> Result:
    stages: list[list[str]] = [[]]
    for word in words:
        if word == "|":
            stages.append([])
        else:
            stages[-1].append(word)
    result = _simple(box, stages[0], shell=True)
    for stage in stages[1:]:
        if stage and stage[0] == "grep":
            piped = _grep(result.stdout, stage[1:])
            piped.stderr = result.stderr + piped.stderr
            result = piped
        elif stage:
            result = Result(stderr=result.stderr + f"sh: {stage[0]}: not found\n", exit_code=127)
    return result


def _simple(box: Sandbox, argv: list[str], *, shell: bool) -> Result:
    name, args = argv[0], argv[1:]
    program = PROGRAMS.get(name.rsplit("/", 1)[-1])
    if program is not None:
        return program(box, args)
    if name in ("sh", "/bin/sh", "ash", "bash", "/bin/bash") and args[:1] == ["-c"] and len(args) > 1:
        result, code = run_line(box, args[1])
        if code is not None:
            result.exit_code = code
        return result
    if shell:
        return Result(stderr=f"sh: {name}: not found\n", exit_code=127)
    return Result(
        exit_code=126,
        runtime_error=(
            "error executing command in container: failed to exec in container: failed to start exec: "
            "OCI runtime exec failed: exec failed: unable to start container process: "
            f'exec: "{name}": executable file not found in $PATH: unknown'
        ),
    )


def run(box: Sandbox, argv: list[str]) -> Result:
    """`kubectl exec POD -- argv...` without a terminal."""
    if not argv:
        return Result(exit_code=126, runtime_error="you must specify at least one command for the container")
    return _simple(box, argv, shell=False)


INTERACTIVE_SHELLS = ("sh", "/bin/sh", "ash", "bash", "/bin/bash")


class ShellSession:
    """An interactive `sh` (`kubectl exec -ti pod -- sh`): feed it stdin bytes, get back what
    the terminal shows. With a TTY the terminal echoes what is typed, lines end in CR LF and a
    prompt follows each command; `exit` or Ctrl-D on an empty line ends it."""

    def __init__(self, box: Sandbox, *, tty: bool):
        self.box = box
        self.tty = tty
        self.line = ""
        self.exit_code: int | None = None
        self.last = 0

    def start(self) -> str:
        return PROMPT if self.tty else ""

    def _show(self, text: str) -> str:
        return text.replace("\r\n", "\n").replace("\n", "\r\n") if self.tty else text

    def feed(self, data: bytes) -> tuple[str, str]:
        """(stdout, stderr) the input produces; sets `exit_code` when the shell ends."""
        out, err = "", ""
        for char in data.decode(errors="replace"):
            if self.exit_code is not None:
                break
            if char in ("\r", "\n"):
                out += "\r\n" if self.tty else ""
                line, self.line = self.line, ""
                result, code = run_line(self.box, line) if line.strip() else (Result(exit_code=self.last), None)
                out += self._show(result.stdout)
                if self.tty:
                    out += self._show(result.stderr)
                else:
                    err += result.stderr
                self.last = result.exit_code
                if code is not None:
                    self.exit_code = code
                    break
                out += PROMPT if self.tty else ""
            elif char == "\x04" and not self.line:
                self.exit_code = self.last
                out += "\r\n" if self.tty else ""
            elif char in ("\x7f", "\b"):
                if self.line:
                    self.line = self.line[:-1]
                    out += "\b \b" if self.tty else ""
            elif char == "\x03":
                self.line = ""
                out += "^C\r\n" + PROMPT if self.tty else ""
            else:
                self.line += char
                out += char if self.tty else ""
        return out, err
