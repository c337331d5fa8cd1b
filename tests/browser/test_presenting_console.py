"""The presenter's console in real browsers (issues 14 and 17): the instructor presents, opens the
kubectl console and types `kubectl get svc -o wide`; the student following sees their console panel
open on "‹instructor›'s console" with the same lines, in the same colours; a student who joins
late lands on the console's last lines; one who broke away keeps their panel as they left it until
they follow again."""

from __future__ import annotations

import pytest

from .server import screenshot
from .test_classroom import join, people  # noqa: F401 - `people` is a fixture
from .test_presenting import present

pytestmark = pytest.mark.browser

LINE = "kubectl get svc -o wide"

# The terminal's lines (xterm's buffer, as drawn), from the last prompt that ran LINE to the end.
BUFFER_TEXT = """(which) => {
    const k = window.__kubeviz.console;
    const term = which === "mirror" ? k.mirror.term : k.term;
    if (!term) return null;
    const buffer = term.buffer.active;
    const lines = [];
    for (let y = 0; y < buffer.length; y++) lines.push(buffer.getLine(y).translateToString(true));
    return lines;
}"""

# The prompt's `$` cell on the line that ran LINE: its colour and weight, as drawn.
PROMPT_STYLE = """([which, line]) => {
    const k = window.__kubeviz.console;
    const term = which === "mirror" ? k.mirror.term : k.term;
    const buffer = term.buffer.active;
    for (let y = buffer.length - 1; y >= 0; y--) {
        const row = buffer.getLine(y);
        if (row.translateToString(true) === "$ " + line) {
            const cell = row.getCell(0);
            return {char: cell.getChars(), fg: cell.getFgColor(), mode: cell.getFgColorMode(), bold: cell.isBold()};
        }
    }
    return null;
}"""


def ran(lines: list[str]) -> list[str]:
    """The lines from the last `$ LINE` to the last non-empty line before the next prompt."""
    start = max(i for i, text in enumerate(lines) if text == f"$ {LINE}")
    out = []
    for text in lines[start:]:
        if text.startswith("$") and out:
            break
        out.append(text)
    while out and not out[-1].strip():
        out.pop()
    return out


def test_a_follower_sees_the_presenters_console_and_a_late_joiner_its_last_lines(server, people):  # noqa: F811
    teacher, code, _class_path = present(server, people)
    ana, _ = join(people, code, "Ana")
    teacher.page.click("#present-switch")
    ana.page.wait_for_selector("#follow-badge:not([hidden])")
    assert ana.page.evaluate("document.querySelector('#console-pane').hidden") is True

    teacher.page.click("#console-toggle")  # the console is view state: Ana's opens too
    teacher.page.wait_for_function("window.__kubeviz.console && window.__kubeviz.console.ready === true")
    ana.page.wait_for_function("!document.querySelector('#console-pane').hidden")

    teacher.page.click("#console-screen")
    teacher.page.keyboard.type(LINE)
    teacher.page.keyboard.press("Enter")
    teacher.page.wait_for_function("window.__kubeviz.console.lastRun?.exit === 0")
    shown = ran(teacher.page.evaluate(BUFFER_TEXT, "own"))
    assert shown[0] == f"$ {LINE}" and shown[1].split()[:3] == ["NAME", "TYPE", "CLUSTER-IP"]
    assert any(row.startswith("kubernetes ") for row in shown)

    # Ana's panel shows the teacher's console, read-only, with the same lines as they were drawn
    ana.page.wait_for_selector("#console-mirror:not([hidden])")
    assert ana.page.inner_text(".console-head .mirror-label").startswith("teacher")
    assert ana.page.evaluate("document.querySelector('#console-screen').hidden") is True
    ana.page.wait_for_function(
        "(last) => window.__kubeviz.console.mirror.text().includes(last)", arg=shown[-1], timeout=15000
    )
    assert ran(ana.page.evaluate(BUFFER_TEXT, "mirror")) == shown
    # ... in the same colours: the prompt's bold blue `$`
    style = teacher.page.evaluate(PROMPT_STYLE, ["own", LINE])
    assert style is not None and style["char"] == "$" and style["bold"]
    assert ana.page.evaluate(PROMPT_STYLE, ["mirror", LINE]) == style
    assert ana.page.evaluate("window.__kubeviz.console.mirror.term.options.disableStdin") is True
    teacher.page.wait_for_timeout(300)  # the follower's refit and redraw settle before the picture
    screenshot(ana.page, "presenting-console.png")

    # Bo joins late: his console panel opens on the last lines the teacher's console printed
    bo, _ = join(people, code, "Bo")
    bo.page.wait_for_selector("#console-mirror:not([hidden])")
    bo.page.wait_for_function(
        "(last) => window.__kubeviz.console.mirror.text().includes(last)", arg=shown[-1], timeout=15000
    )
    assert ran(bo.page.evaluate(BUFFER_TEXT, "mirror")) == shown

    # an interactive exec is mirrored too: what its terminal prints
    teacher.page.keyboard.type("kubectl exec -ti prod-1 -- cat /etc/resolv.conf")
    teacher.page.keyboard.press("Enter")
    teacher.page.wait_for_function("window.__kubeviz.console.lastRun?.id === 2")
    assert teacher.page.evaluate("window.__kubeviz.console.lastRun.exit") == 0
    for student in (ana, bo):
        student.page.wait_for_function(
            "() => window.__kubeviz.console.mirror.text().includes('search default.svc.cluster.local')"
        )

    # Ana breaks away with a click of her own; the teacher closes the console: Bo's closes, hers
    # stays as she left it until she follows again (F)
    ana.board.click_element("Service/default/prod")
    ana.page.wait_for_selector("#follow-back:not([hidden])")
    teacher.page.click("#console-pane .console-head button.icon")
    bo.page.wait_for_function("document.querySelector('#console-pane').hidden")
    assert ana.page.evaluate("document.querySelector('#console-pane').hidden") is False
    ana.page.keyboard.press("f")
    ana.page.wait_for_function("document.querySelector('#console-pane').hidden")
    for person in (teacher, ana, bo):
        assert person.board.errors == []
