"""The console's `KUBE_EDITOR`: the program kubectl launches for `kubectl edit`, in place of vi.

kubectl writes the object to a temporary file, runs `$KUBE_EDITOR FILE` and waits; when the
editor exits, it reads the file back and patches what changed (kubectl's
pkg/cmd/util/editor/editor.go `LaunchTempFile`, editoptions.go `Run`). This program hands the
file's text to the kubeviz server over the run's own unix socket, waits for the text the
student saved in the dashboard's YAML editor, writes it into the file and exits: kubectl then
goes on as after any editor. A cancel leaves the file as it was ("Edit cancelled, no changes
made.").

It is run as `python -I kube_editor.py FILE`, never through a shell (kubectl splits a
KUBE_EDITOR with spaces and no quotes into argv itself), with the standard library only. What
it trusts comes from kubectl's environment, which the server set for this one run:

    KUBEVIZ_EDIT_SOCKET  the run's socket, in the console session's private directory
    KUBEVIZ_EDIT_TOKEN   the run's secret, checked by the server
    TMPDIR               the session's private temporary directory, where kubectl's file must be

The file must be a regular file (not a link) directly in $TMPDIR named as kubectl names it
(`kubectl-edit-*.yaml` or `.json`): no other path can be read or written through it.

The handshake is one JSON line each way:
    -> {"token": ..., "file": "kubectl-edit-abcde.yaml", "text": ...}
    <- {"action": "save", "text": ...} | {"action": "cancel"} | {"action": "refuse", "message": ...}
"""

from __future__ import annotations

import json
import os
import re
import socket
import stat
import sys

LIMIT = 128 * 1024  # characters of an edit (the browser's message must hold it)
NAME = re.compile(r"kubectl-edit-[a-z0-9]+\.(yaml|json)")


class Failed(Exception):
    pass


def checked_path(argument: str, tmpdir: str) -> str:
    """The file kubectl wrote, or `Failed`: directly in `tmpdir`, named as kubectl names it, a
    regular file that is not a link."""
    if not tmpdir:
        raise Failed("no private temporary directory was given")
    directory = os.path.realpath(tmpdir)
    path = os.path.abspath(argument)
    if os.path.dirname(path) != directory or not NAME.fullmatch(os.path.basename(path)):
        raise Failed(f"{argument!r} is not a file kubectl made for this edit")
    info = os.lstat(path)
    if not stat.S_ISREG(info.st_mode):
        raise Failed(f"{argument!r} is not a regular file")
    if info.st_size > LIMIT:
        raise Failed(f"the object is too large to edit here ({info.st_size:,} bytes; the limit is {LIMIT:,})")
    return path


def exchange(address: str, request: dict) -> dict:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.connect(address)
        connection.sendall(json.dumps(request).encode() + b"\n")
        received = b""
        while not received.endswith(b"\n"):
            chunk = connection.recv(65536)
            if not chunk:
                break
            received += chunk
            if len(received) > 8 * LIMIT:
                raise Failed("the server's answer is too large")
    try:
        answer = json.loads(received.decode())
    except ValueError:
        raise Failed("the server closed the edit without an answer") from None
    if not isinstance(answer, dict):
        raise Failed("the server's answer is not understood")
    return answer


def main(argv: list[str], environ) -> int:
    if len(argv) != 1:
        print("kubeviz editor: kubectl gives exactly one file", file=sys.stderr)
        return 2
    try:
        path = checked_path(argv[0], environ.get("TMPDIR", ""))
        flags = os.O_RDONLY | os.O_NOFOLLOW
        with os.fdopen(os.open(path, flags), encoding="utf-8", errors="replace") as handle:
            text = handle.read(LIMIT + 1)
        answer = exchange(
            environ.get("KUBEVIZ_EDIT_SOCKET", ""),
            {"token": environ.get("KUBEVIZ_EDIT_TOKEN", ""), "file": os.path.basename(path), "text": text},
        )
        action = answer.get("action")
        if action == "cancel":
            return 0  # the file as kubectl wrote it: "Edit cancelled, no changes made."
        if action == "save" and isinstance(answer.get("text"), str):
            edited = answer["text"]
            if len(edited) > LIMIT:
                raise Failed(f"the edited text is too large ({len(edited):,} characters; the limit is {LIMIT:,})")
            with os.fdopen(os.open(path, os.O_WRONLY | os.O_TRUNC | os.O_NOFOLLOW), "w", encoding="utf-8") as out:
                out.write(edited)
            return 0
        raise Failed(str(answer.get("message") or "the server refused the edit"))
    except (Failed, OSError) as exc:
        print(f"kubeviz editor: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # Ctrl+C in the console
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], os.environ))
