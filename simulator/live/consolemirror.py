"""The presenter's console, mirrored to followers (issues 14 and 17), in pure Python (no Django).

While an instructor presents, what their own kubectl console prints — the command line they ran,
kubectl's output as it streams (colours included: the terminal's bytes as they are), the console's
notes (a refusal, a limit) — goes to every follower as ephemeral `console` messages, apart from
the cluster's versioned changes. This module is the bookkeeping: the bounded tail a late joiner
lands on, the split of output into events of bounded size, the per-command cap, and the messages.
docs/protocol.md, "Presenting", says what goes over the wire.

Bounds, each a constant here:
* one event carries at most EVENT_BYTES of terminal text (a follower pays that per event);
* one command mirrors at most COMMAND_BYTES (its own console shows all of it, up to the console's
  limit); past that, one note says how much was not mirrored;
* the tail kept for late joiners is the last TAIL_LINES lines and at most TAIL_BYTES.
"""

from __future__ import annotations

from dataclasses import dataclass

EVENT_BYTES = 4096
COMMAND_BYTES = 256 * 1024
TAIL_LINES = 200
TAIL_BYTES = 64 * 1024

# As the browser's console draws them (static/src/console/console.js): the prompt and notes.
PROMPT = "\x1b[1;34m$\x1b[0m "
RESET = "\x1b[0m"


def note(text: str) -> str:
    """A console note (a refusal, a limit that stopped a command) as the terminal shows it."""
    return f"\x1b[33m{text}{RESET}\r\n"


def command_line(line: str) -> str:
    """The prompt and the line as typed (variables unexpanded: what the presenter wrote)."""
    return f"{PROMPT}{line}\r\n"


def split(text: str, limit: int = EVENT_BYTES) -> list[str]:
    """`text` in pieces of at most `limit` UTF-8 bytes each, never inside a character, and never
    inside an escape sequence when one starts within the last 32 characters of a piece."""
    pieces: list[str] = []
    while text:
        encoded = text.encode("utf-8")
        if len(encoded) <= limit:
            pieces.append(text)
            break
        cut = encoded[:limit].decode("utf-8", "ignore")  # whole characters only
        escape = cut.rfind("\x1b", max(0, len(cut) - 32))
        if escape > 0 and not _complete_escape(cut[escape:]):
            cut = cut[:escape]
        pieces.append(cut)
        text = text[len(cut) :]
    return pieces


def _complete_escape(tail: str) -> bool:
    """Whether an escape sequence starting at tail[0] ends within `tail` (CSI: a final letter)."""
    if len(tail) < 2:
        return False
    if tail[1] != "[":
        return True  # a two-character escape, or an OSC we do not try to keep whole
    return any("@" <= c <= "~" for c in tail[2:])


def trim_tail(text: str, lines: int = TAIL_LINES, limit: int = TAIL_BYTES) -> str:
    """The end of `text`: its last `lines` lines and at most `limit` UTF-8 bytes, cut at a line's
    start when one is in reach (so no colour escape is cut in two), its colours reset first."""
    cut = 0
    if text.count("\n") > lines:
        cut = len(text.rsplit("\n", lines)[0]) + 1
    if len(text) - cut > limit // 4:  # maybe over the limit: count its bytes
        encoded = text[cut:].encode("utf-8")
        room = limit - len(RESET)
        if len(encoded) > room:
            start = len(text) - len(encoded[len(encoded) - room :].decode("utf-8", "ignore"))
            newline = text.find("\n", start)
            cut = newline + 1 if 0 <= newline < len(text) - 1 else start
    if cut == 0:
        return text
    return RESET + text[cut:]


@dataclass
class Mirror:
    """The presenter's console as followers see it: the tail (for late joiners) and the sequence
    number of the last event. `line`, `output` and `finish` return the events to send, in order."""

    seq: int = 0
    tail: str = ""
    sent: int = 0  # bytes of the running command's output mirrored so far
    withheld: int = 0  # ... and not mirrored (past COMMAND_BYTES)

    def _emit(self, text: str) -> list[dict]:
        out = []
        for piece in split(text):
            self.seq += 1
            out.append(event(self.seq, piece))
        self.tail = trim_tail(self.tail + text)
        return out

    def line(self, line: str) -> list[dict]:
        """A command starts: its line, as the presenter typed it."""
        self.sent = self.withheld = 0
        return self._emit(command_line(line))

    def output(self, text: str) -> list[dict]:
        """What kubectl printed, up to COMMAND_BYTES of the command."""
        size = len(text.encode("utf-8"))
        room = COMMAND_BYTES - self.sent
        if room <= 0:
            self.withheld += size
            return []
        if size > room:
            kept = text.encode("utf-8")[:room].decode("utf-8", "ignore")
            self.withheld += size - len(kept.encode("utf-8"))
            text, size = kept, len(kept.encode("utf-8"))
        self.sent += size
        return self._emit(text)

    def finish(self, *, refused: str | None = None, stopped: str | None = None) -> list[dict]:
        """The command ended: what the presenter's terminal printed after its output."""
        text = ""
        if self.withheld:
            text += note(f"… {self.withheld:,} more bytes of output on the presenter's screen, not mirrored")
        if stopped == "interrupted":
            text += "^C\r\n"
        reason = refused or (stopped if stopped and stopped != "interrupted" else None)
        if reason:
            text += note(reason)
        self.sent = self.withheld = 0
        return self._emit(text) if text else []


def event(seq: int, data: str) -> dict:
    """One mirror event: terminal text the presenter's console printed, in order (`seq`)."""
    return {"type": "console", "seq": seq, "data": data}


def tail_message(seq: int, presenter: str, data: str) -> dict:
    """What a late joiner (or a reconnecting browser) lands on: the console's last lines so far,
    up to event `seq` (events after it follow)."""
    return {"type": "console", "seq": seq, "data": data, "tail": True, "presenter": presenter}
