"""`kubectl exec` over WebSocket: the channel.k8s.io subprotocols, framed by hand.

kubectl 1.30+ (1.29 with KUBECTL_REMOTE_COMMAND_WEBSOCKETS=true) opens `GET .../pods/P/exec?
command=...&container=...&stdin=...&stdout=true&stderr=true&tty=...` with `Upgrade: websocket`
and `Sec-WebSocket-Protocol: v5.channel.k8s.io` (recorded from kubectl 1.27-1.37). The server
must echo the subprotocol it picked. Every binary message starts with its channel byte
(apiserver/pkg/util/wsstream, k8s.io/apimachinery/pkg/util/remotecommand): 0 stdin (client to
server), 1 stdout, 2 stderr, 3 the error channel carrying one metav1.Status when the command
ends, 4 terminal resize (`{"Width":80,"Height":24}`), and in v5 255 = "close this stream"
(`[255, 0]` closes stdin). The server first writes an empty message on the lowest writable
stream to say it is ready (kubelet's createWebSocketStreams). A non-zero exit is a Status with
reason NonZeroExitCode and an ExitCode cause; kubectl prints `command terminated with exit code
N` and exits with N.

kubectl 1.27-1.29 speak only SPDY (a POST with `Upgrade: SPDY/3.1`), which an ASGI server cannot
carry: they get a 400 whose message names the kubectl version that works.

`ExecStream` is transport-free: the WebSocket consumer feeds it the client's messages and
sends what it returns, closing the socket once `finished` is true.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from . import shell, status

V5 = "v5.channel.k8s.io"
V4 = "v4.channel.k8s.io"
SUPPORTED = (V5, V4)

STDIN, STDOUT, STDERR, ERROR, RESIZE = 0, 1, 2, 3, 4
CLOSE = 255  # v5 only


def choose_subprotocol(offered: Sequence[str]) -> str | None:
    """The first protocol the client offers that we speak (it lists them by preference)."""
    for protocol in offered:
        if protocol.strip() in SUPPORTED:
            return protocol.strip()
    return None


@dataclass(frozen=True)
class ExecOptions:
    """corev1.PodExecOptions from the query string."""

    command: tuple[str, ...]
    container: str | None
    stdin: bool
    stdout: bool
    stderr: bool
    tty: bool

    @classmethod
    def from_query(cls, query: Mapping[str, Sequence[str]]) -> ExecOptions:
        def flag(name: str) -> bool:
            return (query.get(name) or ["false"])[-1].lower() in ("true", "1")

        container = (query.get("container") or [None])[-1]
        return cls(
            command=tuple(query.get("command") or ()),
            container=container,
            stdin=flag("stdin"),
            stdout=flag("stdout"),
            stderr=flag("stderr"),
            tty=flag("tty"),
        )


def frame(channel: int, data: bytes | str = b"") -> bytes:
    return bytes([channel]) + (data.encode() if isinstance(data, str) else data)


def parse_frame(message: bytes) -> tuple[int, bytes]:
    if not message:
        return -1, b""
    return message[0], message[1:]


def success_status() -> dict:
    return {"metadata": {}, "status": "Success"}


def exit_status(command: Sequence[str], code: int) -> dict:
    """The Status kubelet writes on the error channel for a non-zero exit."""
    return {
        "metadata": {},
        "status": "Failure",
        "message": (
            f"command terminated with non-zero exit code: error executing command [{' '.join(command)}], exit code {code}"
        ),
        "reason": "NonZeroExitCode",
        "details": {"causes": [{"reason": "ExitCode", "message": str(code)}]},
    }


def runtime_error_status(message: str) -> dict:
    """The runtime could not start the program: an InternalError (kubectl: `error: Internal
    error occurred: ...`)."""
    return {
        "metadata": {},
        "status": "Failure",
        "message": f"Internal error occurred: {message}",
        "reason": "InternalError",
        "details": {"causes": [{"message": message}]},
        "code": 500,
    }


def status_frame(body: dict) -> bytes:
    return frame(ERROR, json.dumps(body, separators=(",", ":")))


_KUBECTL_AGENT = re.compile(r"kubectl[^/]*/v?(\d+)\.(\d+)")


def spdy_rejection(user_agent: str | None) -> status.ApiError:
    """What an SPDY exec (kubectl 1.27-1.29) gets: a 400 naming the kubectl that works."""
    found = _KUBECTL_AGENT.search(user_agent or "")
    yours = f"kubectl {found.group(1)}.{found.group(2)}" if found else "this kubectl"
    return status.bad_request(
        f"{yours} runs exec over SPDY, which kubeviz does not serve: exec needs kubectl 1.30 or newer "
        "(WebSocket, v5.channel.k8s.io); kubectl 1.29 works with KUBECTL_REMOTE_COMMAND_WEBSOCKETS=true"
    )


class ExecStream:
    """One exec session. `open()` gives the first messages; `receive(message)` the messages a
    client message causes; `finished` turns true once the Status has been sent."""

    def __init__(self, box: shell.Sandbox, options: ExecOptions, protocol: str = V5):
        self.box = box
        self.options = options
        self.protocol = protocol
        self.finished = False
        self.session: shell.ShellSession | None = None

    def _ready(self) -> bytes:
        if self.options.stdout:
            return frame(STDOUT)
        if self.options.stderr:
            return frame(STDERR)
        return frame(ERROR)

    def _output(self, stdout: str, stderr: str) -> list[bytes]:
        if self.options.tty and self.session is None:
            # A terminal's line discipline (onlcr) turns every LF a program writes into CR LF;
            # kubectl puts the local terminal in raw mode and shows the bytes as they come.
            stdout = stdout.replace("\r\n", "\n").replace("\n", "\r\n")
            stderr = stderr.replace("\r\n", "\n").replace("\n", "\r\n")
        out = []
        if stdout and self.options.stdout:
            out.append(frame(STDOUT, stdout))
        if stderr:
            # With a TTY the terminal merges stderr into stdout.
            out.append(frame(STDOUT if self.options.tty else STDERR, stderr))
        return out

    def _end(self, code: int) -> list[bytes]:
        self.finished = True
        body = success_status() if code == 0 else exit_status(self.options.command, code)
        return [status_frame(body)]

    def open(self) -> list[bytes]:
        messages = [self._ready()]
        command = list(self.options.command)
        if command and command[0] in shell.INTERACTIVE_SHELLS and len(command) == 1 and self.options.stdin:
            self.session = shell.ShellSession(self.box, tty=self.options.tty)
            prompt = self.session.start()
            if prompt:
                messages.append(frame(STDOUT, prompt))
            return messages
        result = shell.run(self.box, command)
        if result.runtime_error is not None:
            self.finished = True
            return [*messages, status_frame(runtime_error_status(result.runtime_error))]
        messages += self._output(result.stdout, result.stderr)
        return messages + self._end(result.exit_code)

    def receive(self, message: bytes) -> list[bytes]:
        if self.finished or self.session is None:
            return []
        channel, payload = parse_frame(message)
        if channel == STDIN:
            stdout, stderr = self.session.feed(payload)
            out = self._output(stdout, stderr)
            if self.session.exit_code is not None:
                out += self._end(self.session.exit_code)
            return out
        if channel == CLOSE and payload[:1] == bytes([STDIN]):
            if self.session.line:
                stdout, stderr = self.session.feed(b"\n")
                out = self._output(stdout, stderr)
            else:
                out = []
            code = self.session.exit_code if self.session.exit_code is not None else self.session.last
            return out + self._end(code)
        return []  # resize (4) and anything else: nothing to answer
