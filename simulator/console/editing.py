"""`kubectl edit` in the console: the server's end of the editor program (`kube_editor.py`).

For a run that opens an editor (`kubectl edit`, `create --edit`, `apply edit-last-applied`),
the session makes an `EditChannel`: a unix socket in the session's private directory (mode
0700, the socket 0600), a secret for this run, and the environment that makes kubectl launch
our editor program:

    KUBE_EDITOR="<venv python> -I <kube_editor.py>"   (split on spaces by kubectl: no shell)
    KUBEVIZ_EDIT_SOCKET, KUBEVIZ_EDIT_TOKEN

Each time kubectl opens its editor (once, and again after an error, with the error written
at the top as comments, as real kubectl does), the program connects and sends the file's
text; the channel checks who connected (the secret, and the kernel's word that the peer is a
process of this run: SO_PEERCRED, then its parents up to the run's kubectl), hands an
`EditRequest` to the session's owner (the browser opens it in the YAML editor), and waits for
`answer(number, text)` (Save) or `answer(number, None)` (Cancel); while it waits, the run's
kubectl slot is lent to others (`runner.Slot.lent`). Closing the channel (the run ended,
Ctrl+C, the time limit) cancels what still waits.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import os
import pathlib
import secrets
import socket
import struct
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import yaml

from . import kube_editor
from .commandline import Refused

PROGRAM = pathlib.Path(kube_editor.__file__).resolve()
LIMIT = kube_editor.LIMIT
HANDSHAKE_SECONDS = 10.0  # the program sends its file at once; a silent peer is dropped


@dataclass(frozen=True)
class EditRequest:
    number: int  # unique in the console session: the browser answers by it
    title: str  # what kubectl edits, as kubectl names it: "service/webapp", "deployment.apps/web"
    text: str  # the file kubectl wrote
    format: str  # "yaml" or "json" (`kubectl edit -o json`)


def editor_command() -> str:
    """KUBE_EDITOR. kubectl runs a value with spaces and no quotes or backslashes as argv split on
    spaces, and anything else through $SHELL (editor.go `defaultEnvEditor`): such paths are
    refused rather than ever reaching a shell."""
    words = [sys.executable, "-I", str(PROGRAM)]
    for word in words:
        if any(c in word for c in " \t\n\"'\\"):
            raise Refused("`kubectl edit` is not available on this server: its paths hold spaces or quotes")
    return " ".join(words)


def title_of(text: str, format: str) -> str:
    """What the edited file holds, as kubectl names objects (`kind.group/name`)."""
    try:
        document = json.loads(text) if format == "json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError):
        return "an object"
    if not isinstance(document, dict):
        return "an object"
    items = document.get("items") if document.get("kind") == "List" else None
    if isinstance(items, list):
        return f"{len(items)} objects" if len(items) != 1 else title_of(json.dumps(items[0]), "json")
    if not document.get("kind"):
        return "an object"
    kind = str(document["kind"]).lower()
    group = str(document.get("apiVersion") or "").rpartition("/")[0]
    name = (document.get("metadata") or {}).get("name") if isinstance(document.get("metadata"), dict) else None
    return f"{kind}{'.' + group if group else ''}/{name or '?'}"


class _Waiting:
    def __init__(self) -> None:
        self.event = threading.Event()
        self.text: str | None = None


class EditChannel:
    def __init__(
        self,
        directory: pathlib.Path,
        *,
        numbers: Iterator[int],
        on_open: Callable[[EditRequest], None] | None,
        on_close: Callable[[int], None] | None = None,
        lend: Callable[[], contextlib.AbstractContextManager] = contextlib.nullcontext,
    ):
        self.command = editor_command()
        self.token = secrets.token_urlsafe(24)
        self.path = directory / f"edit-{secrets.token_hex(8)}.sock"
        self.numbers = numbers
        self.on_open = on_open
        self.on_close = on_close
        self.lend = lend  # frees the run's kubectl slot while a person edits (runner.Slot.lent)
        self.pid: int | None = None  # the run's kubectl
        self.title = "an object"  # the last title read: a file reopened with an error may not parse
        self.waiting: dict[int, _Waiting] = {}
        self.closed = False
        self.lock = threading.Lock()
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(str(self.path))
        self.path.chmod(0o600)
        self.listener.listen(2)
        self.thread: threading.Thread | None = None

    def environment(self) -> dict[str, str]:
        return {"KUBE_EDITOR": self.command, "KUBEVIZ_EDIT_SOCKET": str(self.path), "KUBEVIZ_EDIT_TOKEN": self.token}

    def start(self, pid: int) -> None:
        """Serve the editor program of the run whose kubectl is `pid`."""
        self.pid = pid
        self.thread = threading.Thread(target=self._serve, daemon=True, name="console-edit")
        self.thread.start()

    def answer(self, number: int, text: str | None) -> bool:
        """Save (`text`) or Cancel (None) the edit `number`; False when it waits no more."""
        with self.lock:
            waiting = self.waiting.get(number)
            if waiting is None or waiting.event.is_set():
                return False
            waiting.text = text
            waiting.event.set()
            return True

    def cancel_all(self) -> None:
        """Ctrl+C: every edit still open is cancelled (it never blocks)."""
        with self.lock:
            pending = list(self.waiting.values())
        for waiting in pending:
            waiting.event.set()

    def close(self) -> None:
        with self.lock:
            self.closed = True
        self.cancel_all()
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        with contextlib.suppress(OSError):
            self.path.unlink()
        if self.thread is not None and self.thread is not threading.current_thread():
            self.thread.join(timeout=5)

    # ------------------------------------------------------------------ the program's side
    def _serve(self) -> None:
        while not self.closed:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return  # closed
            with connection:
                try:
                    self._one(connection)
                except (OSError, ValueError):
                    continue

    def _one(self, connection: socket.socket) -> None:
        connection.settimeout(HANDSHAKE_SECONDS)
        request = _read_line(connection, 8 * LIMIT)  # read first: a refusal then reaches the peer
        if not self.from_this_run(connection):
            _reply(connection, {"action": "refuse", "message": "this editor does not belong to this run"})
            return
        if not isinstance(request, dict) or not hmac.compare_digest(
            str(request.get("token", "")).encode(), self.token.encode()
        ):
            _reply(connection, {"action": "refuse", "message": "the editor's secret does not match this run"})
            return
        text, name = request.get("text"), str(request.get("file", ""))
        if not isinstance(text, str) or len(text) > LIMIT:
            _reply(connection, {"action": "refuse", "message": f"the object is too large to edit here ({LIMIT:,})"})
            return
        format = "json" if name.endswith(".json") else "yaml"
        number = next(self.numbers)
        waiting = _Waiting()
        with self.lock:
            if self.closed:
                waiting.event.set()
            self.waiting[number] = waiting
        if self.on_open is None:  # nobody to show it to: as if cancelled at once
            waiting.event.set()
        else:
            title = title_of(text, format)
            self.title = title if title != "an object" else self.title
            self.on_open(EditRequest(number, self.title, text, format))
        with self.lend():
            waiting.event.wait()
        with self.lock:
            self.waiting.pop(number, None)
        try:
            if waiting.text is None:
                _reply(connection, {"action": "cancel"})
            else:
                _reply(connection, {"action": "save", "text": waiting.text})
        finally:
            if self.on_close is not None:
                self.on_close(number)

    def from_this_run(self, connection: socket.socket) -> bool:
        """The kernel's word (SO_PEERCRED) that the peer is our user's process, a descendant of
        this run's kubectl (kubectl starts the editor itself: its parent)."""
        creds = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
        pid, uid, _gid = struct.unpack("3i", creds)
        if uid != os.getuid() or self.pid is None:
            return False
        for _ in range(4):
            if pid == self.pid:
                return True
            pid = _parent_of(pid)
            if pid <= 1:
                return False
        return False


def _parent_of(pid: int) -> int:
    try:
        stat = pathlib.Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0
    # "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ")"
    return int(stat.rpartition(")")[2].split()[1])


def _read_line(connection: socket.socket, limit: int):
    received = b""
    while not received.endswith(b"\n"):
        chunk = connection.recv(65536)
        if not chunk:
            break
        received += chunk
        if len(received) > limit:
            raise ValueError("too large")
    return json.loads(received.decode())


def _reply(connection: socket.socket, answer: dict) -> None:
    connection.sendall(json.dumps(answer).encode() + b"\n")
