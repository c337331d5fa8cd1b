"""The dashboard from the keyboard and for a screen reader (issue 12): the diagram walked with the
arrow keys, the panel tabs as WAI-ARIA tabs, the Services table's rows reachable, Tab indenting
in the editor (Esc then Tab leaves it), the diagram's live table twin, and axe-core finding no
serious or critical violation on the home page and a cluster page."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' '))}));
    }""")
    return [v for v in found if v["impact"] in ("serious", "critical")]


def test_axe_finds_no_serious_or_critical_violation_on_the_home_page(server, open_browser):
    page = open_browser().new_page()
    page.goto(server.url + "/")
    assert axe_violations(page) == []


def test_axe_finds_no_serious_or_critical_violation_on_a_cluster_page(new_cluster, open_browser, dashboard):
    board = dashboard(open_browser().new_page()).open(new_cluster("webapp"))
    assert axe_violations(board.page) == []


def test_the_diagram_is_walked_with_the_arrow_keys_and_enter_inspects(new_cluster, open_browser, dashboard):
    board = dashboard(open_browser().new_page()).open(new_cluster("webapp"))
    page = board.page
    page.focus("#cy")
    first = page.evaluate("window.__kubeviz.diagram.keyboard.current")
    assert first == "world"
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => window.__kubeviz.diagram.keyboard.current === 'Service/default/webapp'")
    assert "webapp" in page.inner_text("#diagram-focus")
    page.keyboard.press("Enter")
    page.wait_for_selector("#panels >> text=Service webapp")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => window.__kubeviz.diagram.keyboard.current.startsWith('Pod/default/webapp-')")


def test_the_panel_tabs_follow_the_wai_aria_tabs_pattern_and_service_rows_are_reachable(
    new_cluster, open_browser, dashboard
):
    board = dashboard(open_browser().new_page()).open(new_cluster("webapp"))
    page = board.page
    assert page.get_attribute("#tab-inspect", "tabindex") == "0"
    assert page.get_attribute("#tab-services", "tabindex") == "-1"
    page.focus("#tab-inspect")
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.id") == "tab-services"
    assert page.get_attribute("#tab-services", "aria-selected") == "true"
    assert page.get_attribute("#panel-body", "aria-labelledby") == "tab-services"
    page.keyboard.press("End")
    assert page.evaluate("document.activeElement.id") == "tab-workloads"
    page.keyboard.press("Home")
    page.keyboard.press("ArrowRight")
    # into the panel, then the first Service row, and Enter selects it on the diagram (a table
    # that scrolls in its own box is a tab stop too, when the layout makes it scroll)
    assert tab_to_next_row(page) == "default/kubernetes"
    assert tab_to_next_row(page) == "default/webapp"  # past the row's "edit" button
    page.keyboard.press("Enter")
    page.wait_for_function("() => window.__kubeviz.diagram.selected === 'Service/default/webapp'")


def tab_to_next_row(page, most: int = 4) -> str | None:
    """Press Tab until a Service row has the focus (at most `most` times); its data-row."""
    for _ in range(most):
        page.keyboard.press("Tab")
        row = page.evaluate("document.activeElement.dataset.row")
        if row:
            return row
    return None


def test_tab_indents_in_the_editor_and_escape_then_tab_leaves_it(new_cluster, open_browser, dashboard):
    board = dashboard(open_browser().new_page()).open(new_cluster(""))
    page = board.page
    before = board.version
    board.type_yaml("apiVersion: v1\nkind: Namespace\nmetadata:\n")
    page.keyboard.press("Tab")
    page.keyboard.insert_text("name: half")
    page.keyboard.press("Enter")  # Tab then Enter goes on editing: nothing is applied
    page.wait_for_timeout(300)
    assert board.version == before
    assert board.editor_text().startswith("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: half\n")
    assert page.evaluate("document.activeElement.closest('.cm-editor') !== null")
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.cm-editor') === null")


def test_the_diagram_has_a_live_table_twin_that_announces_changes_politely(new_cluster, open_browser, dashboard):
    board = dashboard(open_browser().new_page()).open(new_cluster("webapp"))
    page = board.page
    page.wait_for_selector("#diagram-twin-table")
    text = (
        page.inner_text("#diagram-twin-table")
        if page.is_visible("#diagram-twin-table")
        else page.text_content("#diagram-twin-table")
    )
    pod = page.evaluate("window.__kubeviz.store.get('deployment/default/webapp').pods[0]").split("/")[1]
    assert "default/webapp" in text and pod in text and "ready" in text
    assert page.get_attribute("#diagram-announce", "aria-live") == "polite"
    board.type_yaml(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: lonely\nspec:\n  selector:\n    app: none\n"
        "  ports:\n  - port: 80\n"
    )
    page.click("#apply-button")
    page.wait_for_function("() => document.querySelector('#diagram-announce').textContent.includes('lonely')")
    assert "Service lonely: no endpoints" in page.text_content("#diagram-announce")
