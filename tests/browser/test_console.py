"""The kubectl console in the browser: a student types the course's commands (course §4) into the
terminal under the diagram, and what it prints is what the same real kubectl prints against the
same cluster's API run directly; refusals say why; the diagram follows a change made from it;
the transcript downloads; names in the output light up their element."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from .server import screenshot

KUBECTL = Path(sys.executable).parent / "kubectl"
AGE = re.compile(r"(?<=\s)\d+[smhd](\d+[smh])?(?=\s|$)")
WIDTH = 1280
HEIGHT = 720


def normalise(text: str) -> str:
    """AGE cells move on between the two runs; nothing else may differ."""
    return AGE.sub("<age>", text.replace("\r", ""))


class Terminal:
    def __init__(self, page):
        self.page = page
        page.click("#console-toggle")
        page.wait_for_function("window.__kubeviz.console && window.__kubeviz.console.ready === true")

    def run(self, line: str, timeout: float = 30000) -> dict:
        before = self.page.evaluate("window.__kubeviz.console.lastRun?.id ?? 0")
        self.page.click("#console-screen")
        self.page.keyboard.type(line)
        self.page.keyboard.press("Enter")
        self.page.wait_for_function(
            "(n) => (window.__kubeviz.console.lastRun?.id ?? 0) > n", arg=before, timeout=timeout
        )
        return self.page.evaluate("window.__kubeviz.console.lastRun")

    def printed(self, line: str) -> str:
        """What the last run of `line` printed (the transcript between its prompt and the next)."""
        transcript = self.page.evaluate("window.__kubeviz.console.transcript.join('')")
        start = transcript.rindex(f"$ {line}\n") + len(f"$ {line}\n")
        end = transcript.rindex("$ ")
        return transcript[start:end]


def direct(server, slug: str, tmp_path, *args: str) -> str:
    config = tmp_path / "kubeconfig"
    config.write_text(server.manage("kubeconfig", slug, "--server", server.url))
    env = {"HOME": str(tmp_path), "KUBECONFIG": str(config), "PATH": "/nonexistent"}
    done = subprocess.run([str(KUBECTL), *args], env=env, capture_output=True, text=True, timeout=60, check=False)
    return done.stdout + done.stderr


@pytest.fixture
def console_page(server, new_cluster, open_browser, dashboard):
    url = new_cluster("webapp")
    page = open_browser(WIDTH, HEIGHT).new_page()
    board = dashboard(page).open(url)
    slug = url.rstrip("/").rsplit("/", 1)[-1]
    return board, Terminal(page), slug


@pytest.mark.parametrize(
    "line",
    [
        "kubectl get svc -o wide",
        "kubectl describe endpoints webapp",
        "kubectl describe service webapp",
        "kubectl get svc -A",
        "kubectl get pods -l run=webapp",
    ],
)
def test_course_commands_print_what_real_kubectl_prints(server, console_page, tmp_path, line):
    board, terminal, slug = console_page
    run = terminal.run(line)
    assert run["exit"] == 0 and run["refused"] is None, terminal.printed(line)
    printed = terminal.printed(line)
    assert "webapp" in printed
    assert normalise(printed) == normalise(direct(server, slug, tmp_path, *line.split()[1:]))
    assert board.errors == []


def test_exec_nslookup_and_env_grep_through_a_variable_as_in_the_course(server, console_page, tmp_path):
    _board, terminal, slug = console_page
    line = "kubectl exec -ti busybox -- nslookup webapp"
    assert terminal.run(line)["exit"] == 0
    printed = terminal.printed(line)
    assert "Name:      webapp\nAddress 1: " in printed and "webapp.default.svc.cluster.local" in printed
    assert normalise(printed) == normalise(
        direct(server, slug, tmp_path, "exec", "busybox", "--", "nslookup", "webapp")
    )
    assign = "NGINX_POD=$(kubectl get pods -l run=webapp -o jsonpath='{.items[0].metadata.name}')"
    assert terminal.run(assign)["exit"] == 0
    line = "kubectl exec -it $NGINX_POD -- env | grep WEBAPP_"
    assert terminal.run(line)["exit"] == 0
    lines = normalise(terminal.printed(line)).splitlines()
    assert lines and all(item.startswith("WEBAPP_") for item in lines)
    assert any(item.startswith("WEBAPP_SERVICE_HOST=") for item in lines)


def test_apply_dash_f_dash_applies_the_editors_text_and_the_diagram_shows_it(server, console_page):
    board, terminal, _slug = console_page
    board.type_yaml(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: from-console\n  labels:\n    run: webapp\n"
        "spec:\n  containers:\n  - name: c\n    image: nginx\n"
    )
    line = "kubectl apply -f -"
    run = terminal.run(line)
    assert run["exit"] == 0, terminal.printed(line)
    assert terminal.printed(line) == "pod/from-console created\n"
    board.wait_element("Pod/default/from-console")


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("kubectl get pods; rm -rf /", "`;`"),
        ("kubectl get pods && kubectl delete pods --all", "`&&`"),
        ("kubectl get pod `id`", "backticks"),
        ("kubectl get pod $(rm -rf /)", "`rm` is not kubectl"),
        ("kubectl apply -f /etc/passwd", "reads a file on the server"),
        ("kubectl get pods --kubeconfig=/root/.kube/config", "`--kubeconfig`"),
        ("kubectl apply -f http://example.com/x.yaml", "reaches a network address"),
        ("kubectl get pods --server=http://127.0.0.1:1", "`--server`"),
        ("kubectl get pods --context=other", "`--context`"),
        ("kubectl proxy", "opens a port"),
    ],
)
def test_a_student_is_told_why_a_line_is_refused(console_page, line, words):
    _board, terminal, _slug = console_page
    run = terminal.run(line)
    assert words in (run["refused"] or "")
    assert words in terminal.printed(line)


def test_a_watch_stops_at_ctrl_c_and_the_console_answers_again(console_page):
    _board, terminal, _slug = console_page
    page = terminal.page
    before = page.evaluate("window.__kubeviz.console.lastRun?.id ?? 0")
    page.click("#console-screen")
    page.keyboard.type("kubectl get pods -w")
    page.keyboard.press("Enter")
    page.wait_for_function("window.__kubeviz.console.transcript.join('').includes('busybox')")
    page.keyboard.press("Control+C")
    page.wait_for_function("(n) => (window.__kubeviz.console.lastRun?.id ?? 0) > n", arg=before)
    assert page.evaluate("window.__kubeviz.console.lastRun.stopped") == "interrupted"
    assert terminal.run("kubectl get svc webapp")["exit"] == 0


def test_history_tab_completion_highlight_and_transcript(console_page, tmp_path):
    board, terminal, _slug = console_page
    page = terminal.page
    terminal.run("kubectl get svc webapp")
    # Tab completes a subcommand, a resource and an object name from the cluster's objects.
    page.keyboard.type("kubectl descr")
    page.keyboard.press("Tab")
    page.keyboard.type("servi")
    page.keyboard.press("Tab")  # service, services: their common prefix
    assert page.evaluate("window.__kubeviz.console.editor.text") == "kubectl describe service"
    page.keyboard.type(" webap")
    page.keyboard.press("Tab")
    assert page.evaluate("window.__kubeviz.console.editor.text") == "kubectl describe service webapp "
    page.keyboard.press("Control+U")
    # Up brings the last command back (history is kept per user and cluster across reloads).
    page.keyboard.press("ArrowUp")
    assert page.evaluate("window.__kubeviz.console.editor.text") == "kubectl get svc webapp"
    page.keyboard.press("Control+U")
    # A name in the output is a link: hovering it lights the Service up on the diagram.
    links = page.evaluate(
        """() => { const c = window.__kubeviz.console; const out = [];
        for (let y = 1; y <= c.term.buffer.active.length; y++) out.push(...c.linksOn(y).map((l) => l.text));
        return out; }"""
    )
    assert "webapp" in links
    page.evaluate(
        """() => { const c = window.__kubeviz.console;
        for (let y = 1; y <= c.term.buffer.active.length; y++)
          for (const l of c.linksOn(y)) if (l.text === 'webapp') { l.hover(); return; } }"""
    )
    assert "picked" in board.classes("Service/default/webapp")
    with page.expect_download() as download:
        page.click("#console-transcript")
    saved = tmp_path / "transcript.txt"
    download.value.save_as(saved)
    text = saved.read_text()
    assert "$ kubectl get svc webapp\n" in text and "CLUSTER-IP" in text
    page.reload()
    board.wait_live()
    page.wait_for_function("window.__kubeviz.console && window.__kubeviz.console.ready === true")
    page.click("#console-screen")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("window.__kubeviz.console.editor.text") == "kubectl get svc webapp"


def test_a_person_who_may_not_edit_gets_no_console(server, new_cluster, open_browser, dashboard):
    """A cluster another browser made privately (a personal or sandbox cluster) is refused at the
    door; the toggle says why (the socket says it too: tests/console/test_consumer.py)."""
    url = new_cluster("webapp")
    page = open_browser(WIDTH, HEIGHT).new_page()
    page.goto(url)
    # An open cluster: anyone may edit, so here the console opens.
    page.wait_for_selector("#console-toggle")
    assert "kubectl console" in page.get_attribute("#console-toggle", "title")


def test_screenshot_of_the_console_beside_the_diagram(console_page):
    """docs/console-beside-diagram.png (KUBEVIZ_SCREENSHOTS=1 writes it): the course's commands,
    and the pointer on `webapp` in the output lighting the Service up on the diagram."""
    board, terminal, _slug = console_page
    terminal.run("kubectl get svc -o wide")
    terminal.run("NGINX_POD=$(kubectl get pods -l run=webapp -o jsonpath='{.items[0].metadata.name}')")
    terminal.run("kubectl exec -it $NGINX_POD -- env | grep WEBAPP_SERVICE")
    terminal.run("kubectl exec -ti busybox -- nslookup webapp")
    board.wait_settled()
    hovered = terminal.page.evaluate(
        """() => { const c = window.__kubeviz.console; let found = null;
        for (let y = 1; y <= c.term.buffer.active.length; y++)
          for (const l of c.linksOn(y)) if (l.text === 'webapp' && !found) { found = l; }
        found.hover(); return found.text; }"""
    )
    assert hovered == "webapp"
    assert "picked" in board.classes("Service/default/webapp")
    screenshot(terminal.page, "console-beside-diagram.png")
    assert terminal.page.locator("#console-pane").is_visible()


def test_the_course_walkthrough_changes_the_cluster_as_kubectl_says(console_page):
    """course §4: expose, then delete by label; the diagram follows each."""
    board, terminal, _slug = console_page
    line = "kubectl expose deployment webapp --name=webapp2 --port=80 --target-port=8080"
    assert terminal.run(line)["exit"] == 0
    assert terminal.printed(line) == "service/webapp2 exposed\n"
    board.wait_element("Service/default/webapp2")
    line = "kubectl delete services,deployments -l run=webapp"
    assert terminal.run(line)["exit"] == 0
    printed = terminal.printed(line)
    assert 'service "webapp" deleted' in printed and 'deployment.apps "webapp" deleted' in printed
    board.page.wait_for_function("!window.__kubeviz.diagram.has('Service/default/webapp')")
    line = "kubectl get svc"
    terminal.run(line)
    assert "webapp " not in terminal.printed(line)


def test_an_interactive_shell_in_a_pod_with_exec_ti(console_page):
    _board, terminal, _slug = console_page
    page = terminal.page
    before = page.evaluate("window.__kubeviz.console.lastRun?.id ?? 0")
    page.click("#console-screen")
    page.keyboard.type("kubectl exec -ti busybox -- sh")
    page.keyboard.press("Enter")
    page.wait_for_function("window.__kubeviz.console.transcript.join('').endsWith('/ # ')")
    page.keyboard.type("hostname")
    page.keyboard.press("Enter")
    page.wait_for_function("window.__kubeviz.console.transcript.join('').includes('busybox\\n/ # ')")
    page.keyboard.type("exit 3")
    page.keyboard.press("Enter")
    page.wait_for_function("(n) => (window.__kubeviz.console.lastRun?.id ?? 0) > n", arg=before)
    run = page.evaluate("window.__kubeviz.console.lastRun")
    assert run["exit"] == 3 and run["refused"] is None
    assert "command terminated with exit code 3" in terminal.printed("kubectl exec -ti busybox -- sh")


def test_the_font_scales_for_a_projector_and_the_terminal_refits(console_page):
    _board, terminal, _slug = console_page
    page = terminal.page
    size = lambda: page.evaluate("window.__kubeviz.console.term.options.fontSize")  # noqa: E731
    columns = lambda: page.evaluate("window.__kubeviz.console.term.cols")  # noqa: E731
    start, wide = size(), columns()
    page.click("#console-pane button[title='bigger text']")
    assert size() > start
    page.wait_for_function("(c) => window.__kubeviz.console.term.cols < c", arg=wide)
    page.click("#large-text")  # the page's projector mode
    assert size() >= 18
    page.click("#large-text")
    page.click("#console-pane button[title='smaller text']")
    assert size() == start
