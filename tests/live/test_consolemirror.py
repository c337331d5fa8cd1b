"""The presenter's console mirror, its pure bookkeeping: events bounded in bytes and never cut
inside a character or a colour, one command's share capped with a note saying so, the late
joiner's tail bounded in lines and bytes, and the notes as the presenter's terminal prints them."""

from __future__ import annotations

import pytest

from simulator.live import consolemirror as cm


def test_a_command_line_goes_out_with_the_prompt_as_the_terminal_draws_it():
    mirror = cm.Mirror(seq=41)
    events = mirror.line("kubectl get svc -o wide")
    assert events == [{"type": "console", "seq": 42, "data": "\x1b[1;34m$\x1b[0m kubectl get svc -o wide\r\n"}]
    assert mirror.tail.endswith("kubectl get svc -o wide\r\n")


@pytest.mark.parametrize(
    "text",
    [
        "x" * 10_000,
        "é" * 5_000,  # two bytes each: no character is cut in two
        "🙂" * 3_000,  # four bytes each
        ("\x1b[1;32mRunning\x1b[0m " * 600),  # colours: no escape cut in two
    ],
)
def test_output_is_split_into_events_of_at_most_event_bytes_that_join_back_to_the_text(text):
    events = cm.Mirror().output(text)
    assert len(events) > 1
    assert all(len(e["data"].encode("utf-8")) <= cm.EVENT_BYTES for e in events)
    assert "".join(e["data"] for e in events) == text
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    for e in events:  # every escape that starts in a piece ends in it
        start = e["data"].rfind("\x1b")
        assert start < 0 or e["data"][start:].startswith("\x1b[0m") or "m" in e["data"][start:]


def test_one_command_mirrors_at_most_command_bytes_and_then_says_how_much_it_withheld():
    mirror = cm.Mirror()
    mirror.line("kubectl get pods -o yaml")
    sent = []
    for _ in range(100):
        sent += mirror.output("y" * 4000 + "\n")
    mirrored = sum(len(e["data"].encode()) for e in sent)
    assert mirrored == cm.COMMAND_BYTES
    last = mirror.finish()
    assert len(last) == 1
    assert (
        f"{100 * 4001 - cm.COMMAND_BYTES:,} more bytes of output on the presenter's screen, not mirrored"
        in last[0]["data"]
    )
    # the next command starts its own share
    mirror.line("kubectl get svc")
    assert mirror.output("z" * 100)


def test_the_end_of_a_command_shows_its_notes_as_the_presenters_terminal_does():
    mirror = cm.Mirror()
    mirror.line("kubectl get pods -w")
    assert mirror.finish(stopped="interrupted")[0]["data"] == "^C\r\n"
    mirror.line("kubectl proxy")
    refused = mirror.finish(refused="`kubectl proxy` is not run here")
    assert refused[0]["data"] == "\x1b[33m`kubectl proxy` is not run here\x1b[0m\r\n"
    mirror.line("kubectl get pods")
    assert mirror.finish() == []  # nothing after a plain command


def test_the_tail_keeps_the_last_lines_and_at_most_tail_bytes_cut_at_a_line():
    mirror = cm.Mirror()
    for n in range(1000):
        mirror.output(f"\x1b[32mline {n}\x1b[0m\n")
    lines = mirror.tail.split("\n")
    assert len(lines) == cm.TAIL_LINES + 1 and lines[-1] == ""
    assert lines[0] == "\x1b[0m\x1b[32mline 800\x1b[0m"  # whole lines, colours reset first
    long = cm.Mirror()
    for n in range(100):
        long.output(f"{n:04d} " + "w" * 2000 + "\n")
    assert len(long.tail.encode()) <= cm.TAIL_BYTES
    assert long.tail.startswith("\x1b[0m0068 ") and long.tail.endswith("w\n")


def test_a_single_line_longer_than_the_tail_keeps_its_end():
    tail = cm.trim_tail("é" * 100_000)
    assert len(tail.encode()) <= cm.TAIL_BYTES and tail.endswith("é")


def test_the_late_joiners_message_names_the_presenter_and_the_last_event():
    assert cm.tail_message(7, "ada", "x") == {
        "type": "console",
        "seq": 7,
        "data": "x",
        "tail": True,
        "presenter": "ada",
    }
