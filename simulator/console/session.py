"""One student's console on one cluster: the variables they set, their private workspace, and
the command running now (at most one).

    session = Session(kubeconfig_text, user_key="alice", ...)
    outcome = session.execute(line, buffer=editor_text, on_output=send)   # blocking; a thread
    session.interrupt() / session.write(bytes) / session.resize(cols, rows)   # from elsewhere
    session.answer_edit(number, text_or_None)   # Save or Cancel of a `kubectl edit`, from elsewhere
    session.close()

`execute` parses the line (`commandline`), refuses what the policy refuses before anything runs,
expands variables and `$(kubectl ...)` (each inner kubectl is a run of its own, captured), runs
kubectl, and passes its output through the line's filters. Refusals come back as an `Outcome`
with `refused` set: one sentence for the terminal.

`kubectl edit` (editing.py): while it runs, each time kubectl opens its editor `on_edit` gets an
`EditRequest` (the text to show), and `on_edit_closed` its number once it is answered or the
run ended; `answer_edit` is the browser's Save or Cancel. Without `on_edit` an edit is cancelled
at once (nobody could answer it).
"""

from __future__ import annotations

import contextlib
import itertools
import pathlib
import threading
from collections.abc import Callable
from dataclasses import dataclass

from . import commandline, filters, policy
from .commandline import Line, Refused
from .editing import EditChannel, EditRequest
from .runner import Limits, RateLimit, Run, Slots, Workspace, kubectl_binary

BUILTINS = ("echo", "help")
HELP = (
    "This console runs kubectl against this cluster, as you. Type a kubectl command, e.g.\n"
    "  kubectl get pods -o wide\n"
    "  kubectl describe service webapp\n"
    "  kubectl exec -ti busybox -- nslookup webapp\n"
    "  POD=$(kubectl get pods -l run=webapp -o jsonpath='{.items[0].metadata.name}')\n"
    "  kubectl exec $POD -- env | grep WEBAPP_\n"
    "  kubectl apply -f -        (applies the YAML in the editor)\n"
    "  kubectl edit service webapp   (opens it in the YAML editor: Save applies it)\n"
    "Pipes: grep, head, tail, wc, sort, uniq. Tab completes, Up/Down recall, Ctrl+C stops.\n"
)


@dataclass
class Outcome:
    exit_code: int = 0
    refused: str | None = None  # the sentence saying why nothing (more) ran
    stopped: str | None = None  # a limit that stopped the run, or "interrupted"
    assigned: str | None = None  # the variable a `NAME=...` line set


class Session:
    def __init__(
        self,
        kubeconfig: str,
        *,
        user_key: str,
        limits: Limits | None = None,
        rate: RateLimit | None = None,
        slots: Slots | None = None,
        binary: pathlib.Path | None = None,
    ):
        self.limits = limits or Limits()
        self.rate = rate or RateLimit(self.limits.burst, self.limits.per_second)
        self.slots = slots or Slots(self.limits.running, self.limits.queue_seconds, self.limits.edits_waiting)
        self.user_key = user_key
        self.binary = binary
        self.workspace = Workspace(kubeconfig)
        self.variables: dict[str, str] = {}
        self.size = (80, 24)
        self.current: Run | None = None
        self.channel: EditChannel | None = None  # the running `kubectl edit`'s
        self.edit_numbers = itertools.count(1)
        self.on_edit: Callable[[EditRequest], None] | None = None
        self.on_edit_closed: Callable[[int], None] | None = None
        self.interrupted = False
        self.lock = threading.Lock()

    # ------------------------------------------------------------------ from other threads
    def interrupt(self, *, hard: bool = True) -> None:
        """Ctrl+C. A remote terminal (`exec -ti ... sh`) gets it as ^C, as in a real terminal,
        unless `hard` (a second Ctrl+C in a row): then kubectl itself is stopped."""
        run = self.current
        if run is not None and run.remote_tty and not hard:
            run.write(b"\x03")
            return
        self.interrupted = True
        channel = self.channel
        if channel is not None:
            channel.cancel_all()  # an edit open in the browser ends with the run
        if run is not None:
            run.interrupt()

    def answer_edit(self, number: int, text: str | None) -> bool:
        """Save (`text`) or Cancel (None) of the edit `number`; False when none such waits."""
        channel = self.channel
        return channel is not None and channel.answer(number, text)

    def write(self, data: bytes) -> None:
        run = self.current
        if run is not None:
            run.write(data)

    def resize(self, columns: int, rows: int) -> None:
        self.size = (columns, rows)
        run = self.current
        if run is not None:
            run.resize(columns, rows)

    @property
    def busy(self) -> bool:
        return self.lock.locked()

    def close(self) -> None:
        self.interrupt()
        self.workspace.close()

    # ------------------------------------------------------------------ a line
    def execute(
        self,
        text: str,
        *,
        buffer: str | None,
        on_output: Callable[[bytes], None],
        on_edit: Callable[[EditRequest], None] | None = None,
        on_edit_closed: Callable[[int], None] | None = None,
    ) -> Outcome:
        if not self.lock.acquire(blocking=False):
            return Outcome(1, refused="a command is running: Ctrl+C stops it")
        self.interrupted = False
        self.on_edit, self.on_edit_closed = on_edit, on_edit_closed
        try:
            return self._execute(text, buffer, on_output)
        except Refused as exc:
            return Outcome(1, refused=str(exc))
        finally:
            self.current = None
            self.on_edit = self.on_edit_closed = None
            self.lock.release()

    def _execute(self, text: str, buffer: str | None, on_output) -> Outcome:
        line = commandline.parse(text)
        if line.empty:
            return Outcome(0)
        _check_line(line)  # refuse before anything (even a $( )) runs
        self.rate.take(self.user_key)

        def substitute(inner: Line) -> str:
            outcome, captured = self._pipeline(inner, buffer, on_output, capture=True, substitute=substitute)
            if outcome.stopped:
                raise Refused(f"`$( )` stopped: {outcome.stopped}")
            return captured

        if line.assignment:
            value = commandline.expand_assignment(line, self.variables, substitute)
            self.variables[line.assignment] = value
            return Outcome(0, assigned=line.assignment)
        outcome, _ = self._pipeline(line, buffer, on_output, capture=False, substitute=substitute)
        return outcome

    def _pipeline(self, line: Line, buffer, on_output, *, capture: bool, substitute) -> tuple[Outcome, str]:
        stages = [commandline.expand_stage(stage, self.variables, substitute) for stage in line.stages]
        first = stages[0]
        for stage in stages[1:]:
            filters.check(stage)
        if not first:
            return Outcome(0), ""
        piped = capture or len(stages) > 1
        result = None  # kubectl's run, when the line runs kubectl
        if first[0] == "echo":
            text = " ".join(first[1:]) + "\n"
            exit_code = 0
        elif first[0] == "help":
            text, exit_code = HELP, 0
        else:
            plan = _kubectl_plan(first)
            if capture and plan.long_running:
                raise Refused("a command that runs until stopped cannot go inside `$( )`")
            if plan.stdin_buffer and not (buffer or "").strip():
                raise Refused("`-f -` reads the editor's buffer, and the editor is empty: write or paste YAML there")
            if self.interrupted:
                return Outcome(130, stopped="interrupted"), ""
            with self.slots.held() as slot, self._edit_channel(plan, slot) as channel:
                run = Run(
                    binary=self.binary or kubectl_binary(),
                    argv=first[1:],
                    workspace=self.workspace,
                    limits=self.limits,
                    on_output=on_output,
                    long_running=plan.long_running,
                    capture=piped,
                    stdin_text=buffer if plan.stdin_buffer else None,
                    remote_tty=plan.tty and plan.interactive,
                    size=self.size,
                    environment=channel.environment() if channel else {},
                    purpose="an edit" if plan.editor else "",
                )
                self.current = run
                try:
                    run.start()
                    if channel is not None:
                        assert run.process is not None
                        channel.start(run.process.pid)
                    result = run.wait()
                finally:
                    self.current = None
            text, exit_code = result.captured, result.exit_code
            if not piped or (result.stopped and capture):
                return Outcome(exit_code, stopped=result.stopped), text
        for stage in stages[1:]:
            text, exit_code = filters.run(stage, text)
        stopped = result.stopped if result is not None else None
        if capture:
            return Outcome(exit_code, stopped=stopped), text
        if text:  # a stopped `get -w | grep x` shows what it had filtered, as a shell's grep would
            on_output(text.encode())
        return Outcome(exit_code, stopped=stopped), ""

    @contextlib.contextmanager
    def _edit_channel(self, plan: policy.Plan, slot):
        """The editor's channel for a run that opens kubectl's editor (None for any other run);
        while a person edits, the run's slot is lent to others."""
        if not plan.editor:
            yield None
            return
        channel = EditChannel(
            self.workspace.path,
            numbers=self.edit_numbers,
            on_open=self.on_edit,
            on_close=self.on_edit_closed,
            lend=slot.lent,
        )
        self.channel = channel
        try:
            yield channel
        finally:
            self.channel = None
            slot.give_back()  # the run is over: an edit's thread waiting to take a slot again stops
            channel.close()


def _kubectl_plan(argv: list[str]) -> policy.Plan:
    if argv[0] != "kubectl":
        raise Refused(f"only kubectl runs here: `{argv[0]}` is not kubectl")
    return policy.check(argv[1:])


def _check_line(line: Line, *, inner: bool = False) -> None:
    """What can be refused before expansion: the programs named, literal flags, filters; and the
    same inside every `$( )`."""
    for index, stage in enumerate(line.stages):
        if line.assignment:
            break
        head = commandline.literal(stage.words[0]) if stage.words else None
        if index == 0:
            if head is None:
                raise Refused("the command's name must be written out: `kubectl ...`")
            if head not in ("kubectl", *BUILTINS):
                raise Refused(f"only kubectl runs here: `{head}` is not kubectl")
            if head == "kubectl" and all(commandline.literal(w) is not None for w in stage.words):
                plan = policy.check([commandline.literal(w) or "" for w in stage.words[1:]])
                if inner and plan.long_running:
                    raise Refused("a command that runs until stopped cannot go inside `$( )`")
        else:
            literal = [commandline.literal(w) for w in stage.words]
            if all(x is not None for x in literal):
                filters.check([x or "" for x in literal])
            elif head not in filters.NAMES:
                raise Refused(
                    f"`| {head}` is not run here: kubectl's output can go through grep, head, tail, wc, sort, uniq"
                )
    for stage in line.stages:
        for word in stage.words:
            for part in word:
                if part.kind == "command":
                    _check_line(part.value, inner=True)  # type: ignore[arg-type]
