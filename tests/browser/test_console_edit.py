"""`kubectl edit` in the browser's console, and its history kept on the server.

A student types `kubectl edit service webapp`: kubectl's file opens as a tab of the YAML editor
("kubectl edit service/webapp"), they change `type: ClusterIP` to `type: NodePort` and press
Save; kubectl prints "service/webapp edited" and the diagram and the Services panel show the
NodePort. Cancel changes nothing. The lines they typed come back with ↑ after a reload and in
another browser of the same person (whose localStorage is empty: the server kept them).

KUBEVIZ_SCREENSHOTS=1 writes docs/console-edit.png (the edit in progress, 1280×720)."""

from __future__ import annotations

import os

import pytest

from .server import screenshot
from .test_console import HEIGHT, WIDTH, Terminal


@pytest.fixture
def own_cluster(server, open_browser, dashboard):
    """A cluster made by this browser (so its console knows who it is: its visitor key) on the
    webapp lesson, its page open with the console."""
    context = open_browser(WIDTH, HEIGHT)
    page = context.new_page()
    page.goto(server.url + "/")
    page.fill("#id_name", f"edit {os.getpid()} {id(page)}")
    page.select_option("#id_lesson", "webapp")
    page.click("button[type=submit].primary")
    page.wait_for_url("**/clusters/**")
    board = dashboard(page).open(page.url)
    return context, board, Terminal(page)


def type_line(page, line: str) -> int:
    """Type a line into the terminal and press Enter; the id of the run before it."""
    before = page.evaluate("window.__kubeviz.console.lastRun?.id ?? 0")
    page.click("#console-screen")
    page.keyboard.type(line)
    page.keyboard.press("Enter")
    return before


def wait_done(page, before: int) -> dict:
    page.wait_for_function("(n) => (window.__kubeviz.console.lastRun?.id ?? 0) > n", arg=before, timeout=30000)
    return page.evaluate("window.__kubeviz.console.lastRun")


def replace_in_editor(page, old: str, new: str) -> None:
    """Select `old` in the YAML editor and type `new` over it, as a person would."""
    page.evaluate(
        """(old) => { const view = window.__kubeviz.editor.view;
        const at = view.state.doc.toString().indexOf(old);
        view.dispatch({selection: {anchor: at, head: at + old.length}, scrollIntoView: true});
        view.focus(); }""",
        old,
    )
    page.keyboard.type(new)


def test_kubectl_edit_opens_in_the_yaml_editor_and_save_makes_webapp_a_nodeport(own_cluster):
    _context, board, terminal = own_cluster
    page = terminal.page
    assert terminal.run("kubectl get svc webapp")["exit"] == 0
    assert " ClusterIP " in terminal.printed("kubectl get svc webapp")
    before = type_line(page, "kubectl edit service webapp")
    page.wait_for_selector("#kubectl-edit-save:visible")
    assert page.inner_text("#kubectl-edit-note").startswith("kubectl edit service/webapp — Save to apply, Cancel")
    assert page.inner_text("#editor-pane .tab.active").startswith("kubectl edit service/webapp")
    assert page.locator("#apply-button").is_hidden()
    assert "  type: ClusterIP\n" in board.editor_text()
    assert "opened in the YAML editor" in page.evaluate("window.__kubeviz.console.transcript.join('')")
    replace_in_editor(page, "ClusterIP", "NodePort")
    board.wait_settled()
    screenshot(page, "console-edit.png")
    page.click("#kubectl-edit-save")
    run = wait_done(page, before)
    assert run["exit"] == 0, terminal.printed("kubectl edit service webapp")
    assert terminal.printed("kubectl edit service webapp").endswith("service/webapp edited\n")
    page.wait_for_selector("#kubectl-edit-save", state="hidden")  # the tab went with kubectl's edit
    assert page.locator("#apply-button").is_visible()
    # The diagram and the Services panel show it, pushed like any other change.
    page.wait_for_function(
        """() => JSON.stringify(window.__kubeviz.diagram.cy.getElementById('Service/default/webapp').data())
        .includes('NodePort')"""
    )
    page.click("#tab-services")
    row = page.locator("#panel-body tr", has_text="webapp").first
    assert "NodePort" in row.inner_text()
    assert board.errors == []


def test_cancel_and_closing_the_tab_leave_the_service_unchanged(own_cluster):
    _context, board, terminal = own_cluster
    page = terminal.page
    before = type_line(page, "kubectl edit svc/webapp")
    page.wait_for_selector("#kubectl-edit-cancel:visible")
    replace_in_editor(page, "ClusterIP", "NodePort")  # typed, then thought better of it
    page.click("#kubectl-edit-cancel")
    assert wait_done(page, before)["exit"] == 0
    assert terminal.printed("kubectl edit svc/webapp").endswith("Edit cancelled, no changes made.\n")
    before = type_line(page, "kubectl edit svc webapp -o json")
    page.wait_for_selector("#kubectl-edit-cancel:visible")
    assert '"kind": "Service"' in board.editor_text()
    page.click("#editor-pane .tab.active .tab-close")
    assert wait_done(page, before)["exit"] == 0
    assert terminal.printed("kubectl edit svc webapp -o json").endswith("Edit cancelled, no changes made.\n")
    assert terminal.run("kubectl get svc webapp -o jsonpath={.spec.type}")["exit"] == 0
    assert terminal.printed("kubectl get svc webapp -o jsonpath={.spec.type}") == "ClusterIP"
    assert board.errors == []


def test_ctrl_c_in_the_terminal_aborts_the_edit_and_closes_its_tab(own_cluster):
    _context, _board, terminal = own_cluster
    page = terminal.page
    before = type_line(page, "kubectl edit service webapp")
    page.wait_for_selector("#kubectl-edit-save:visible")
    page.click("#console-screen")
    page.keyboard.press("Control+C")
    run = wait_done(page, before)
    assert run["stopped"] == "interrupted"
    page.wait_for_selector("#kubectl-edit-save", state="hidden")
    assert terminal.run("kubectl get svc webapp -o jsonpath={.spec.type}")["exit"] == 0
    assert terminal.printed("kubectl get svc webapp -o jsonpath={.spec.type}") == "ClusterIP"


def test_history_is_kept_on_the_server_for_a_reload_and_another_browser(own_cluster, open_browser, dashboard):
    context, board, terminal = own_cluster
    page = terminal.page
    terminal.run("kubectl get svc webapp")
    terminal.run("kubectl get pods -o wide")
    page.reload()
    board.wait_live()
    page.wait_for_function("window.__kubeviz.console && window.__kubeviz.console.ready === true")
    page.click("#console-screen")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("window.__kubeviz.console.editor.text") == "kubectl get pods -o wide"
    # Another browser of the same person (their session; nothing in its localStorage).
    other = open_browser(WIDTH, HEIGHT)
    other.add_cookies([c for c in context.cookies() if c["name"] == "sessionid"])
    second = dashboard(other.new_page()).open(page.url)
    assert second.page.evaluate("Object.keys(localStorage).filter((k) => k.includes('console-history'))") == []
    Terminal(second.page)
    second.page.click("#console-screen")
    second.page.keyboard.press("ArrowUp")
    second.page.keyboard.press("ArrowUp")
    assert second.page.evaluate("window.__kubeviz.console.editor.text") == "kubectl get svc webapp"
    # Someone else's browser on the same (open) cluster sees none of it.
    stranger = dashboard(open_browser(WIDTH, HEIGHT).new_page()).open(page.url)
    Terminal(stranger.page)
    assert stranger.page.evaluate("window.__kubeviz.console.editor.history.lines") == []
