"""The dashboard in a real room (issue 12): the six bugs a class hit, each shown in a real
Chromium against a real daphne. Every test here failed before its fix."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

NAMESPACE = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: draft\n"

WEBAPP_SERVICE = """apiVersion: v1
kind: Service
metadata:
  name: webapp
  labels:
    run: webapp
spec:
  type: {type}
  selector:
    run: webapp
  ports:
  - port: 8080
    targetPort: 8080
    nodePort: 30080
    protocol: TCP
"""

POD_LABEL_PX = """() => {
    const cy = window.__kubeviz.diagram.cy;
    const pod = cy.nodes('[kind = "Pod"]').filter((n) => n.visible())[0];
    return parseFloat(pod.style('font-size')) * cy.zoom();
}"""


def apply(board, text: str) -> None:
    board.type_yaml(text)
    board.page.click("#apply-button")
    board.page.wait_for_selector("#editor-results .ok-box")
    board.page.wait_for_function("() => document.querySelector('#editor-results .ok-box')")


def test_ctrl_enter_applies_the_buffer_instead_of_inserting_a_line(new_cluster, open_browser, dashboard):
    board = dashboard(open_browser().new_page()).open(new_cluster(""))
    board.type_yaml(NAMESPACE)
    before = board.version

    board.page.keyboard.press("Control+Enter")

    board.page.wait_for_selector("#editor-results .ok-box", timeout=5000)
    assert "namespace/draft created" in board.page.inner_text("#editor-results")
    board.wait_version(before + 1)
    assert board.editor_text() == NAMESPACE  # no blank line slipped in


def test_bigger_text_never_makes_the_diagram_smaller(new_cluster, open_browser, dashboard):
    board = dashboard(open_browser().new_page()).open(new_cluster("webapp"))
    page = board.page
    before = page.evaluate(POD_LABEL_PX)

    page.click("#large-text")
    page.wait_for_function("() => document.body.classList.contains('large')")
    page.wait_for_timeout(600)  # the panes' transition and the re-fit
    board.wait_settled()

    after = page.evaluate(POD_LABEL_PX)
    assert after >= before, f"pod labels went from {before:.1f} px to {after:.1f} px"
    # nothing of the diagram hides under a pane: every visible node is inside the view
    outside = page.evaluate("""() => {
        const cy = window.__kubeviz.diagram.cy;
        const ext = cy.extent();
        return cy.nodes().filter((n) => n.visible()).filter((n) => {
            const b = n.boundingBox();
            return b.x1 < ext.x1 - 1 || b.x2 > ext.x2 + 1 || b.y1 < ext.y1 - 1 || b.y2 > ext.y2 + 1;
        }).map((n) => n.id());
    }""")
    assert outside == []


def test_two_tabs_on_one_cluster_keep_their_own_text(new_cluster, open_browser, dashboard):
    url = new_cluster("")
    context = open_browser()
    first = dashboard(context.new_page()).open(url)
    second = dashboard(context.new_page()).open(url)
    paragraph = "# a paragraph typed in the first tab\n" + NAMESPACE

    first.type_yaml(paragraph)
    first.page.wait_for_timeout(400)  # saved on a short debounce
    second.type_yaml("y")
    second.page.wait_for_timeout(400)
    first.page.reload()
    first.wait_live()
    second.page.reload()
    second.wait_live()

    assert first.editor_text() == paragraph
    assert second.editor_text() == "y"


def test_the_pod_inspector_never_says_both_that_a_service_sends_it_traffic_and_that_it_does_not(
    new_cluster, open_browser, dashboard
):
    board = dashboard(open_browser().new_page()).open(new_cluster("zone-prod"))
    page = board.page
    board.click_element("Pod/default/prod-2")
    page.wait_for_selector("#panels >> text=Services sending it traffic (1)")
    page.wait_for_function("() => window.__kubeviz.store && true")
    page.wait_for_timeout(500)  # the server's explanation arrives after the click
    text = page.inner_text("#panels")
    assert "Selected but not an endpoint" not in text, text


def test_a_trace_on_screen_follows_the_version_on_screen(new_cluster, open_browser, dashboard):
    board = dashboard(open_browser().new_page()).open(new_cluster("webapp"))
    page = board.page
    apply(board, WEBAPP_SERVICE.format(type="NodePort"))
    node_ip = page.evaluate("window.__kubeviz.store.get('node/worker-1').ip")
    page.click("#tab-trace")
    page.select_option("#trace-from", "external")
    page.fill("#trace-url", f"http://{node_ip}:30080/")
    page.click("#trace-run")
    page.wait_for_selector("#trace-hops")
    traced_at = page.evaluate("window.__kubeviz.lastTrace.version")
    assert traced_at == board.version

    apply(board, WEBAPP_SERVICE.format(type="LoadBalancer"))
    page.wait_for_function(
        "() => window.__kubeviz.store.get('service/default/webapp').type === 'LoadBalancer'", timeout=5000
    )
    # the trace is run again on the new version, and the panel says why
    page.wait_for_function("() => window.__kubeviz.lastTrace.version === window.__kubeviz.store.version", timeout=5000)
    note = page.inner_text("#trace-out")
    assert f"version {board.version}" in note and "changed" in note


def test_new_pods_stay_in_view_while_the_viewer_has_not_moved_the_diagram(new_cluster, open_browser, dashboard):
    board = dashboard(open_browser().new_page()).open(new_cluster("jobs"))
    page = board.page
    page.click("#tab-workloads")
    page.click("#clock-play")
    page.wait_for_function(
        """() => window.__kubeviz.diagram.cy.nodes('[kind = "Pod"]').filter((n) => n.data('host') === 'Node/-/worker-2').length >= 5""",
        timeout=60000,
    )
    page.wait_for_timeout(1200)  # the patch, the fade-in and the follow-up fit
    board.wait_settled()
    outside = page.evaluate("""() => {
        const cy = window.__kubeviz.diagram.cy;
        const ext = cy.extent();
        return cy.nodes('[kind = "Pod"]').filter((n) => n.visible()).filter((n) => {
            const b = n.boundingBox();
            return b.x1 < ext.x1 - 1 || b.x2 > ext.x2 + 1 || b.y1 < ext.y1 - 1 || b.y2 > ext.y2 + 1;
        }).map((n) => n.id());
    }""")
    assert outside == []


def test_new_pods_off_screen_after_the_viewer_zoomed_show_a_nudge_instead_of_moving(
    new_cluster, open_browser, dashboard
):
    board = dashboard(open_browser().new_page()).open(new_cluster("jobs"))
    page = board.page
    # the viewer zooms in by hand on the first node's box
    box = page.locator("#cy").bounding_box()
    page.mouse.move(box["x"] + 40, box["y"] + 40)
    for _ in range(6):
        page.mouse.wheel(0, -300)
    page.wait_for_timeout(300)
    viewport = page.evaluate("[window.__kubeviz.diagram.cy.zoom(), window.__kubeviz.diagram.cy.pan()]")
    page.click("#tab-workloads")
    page.click("#clock-play")
    nudge = page.wait_for_selector("#offscreen-nudge:not([hidden])", timeout=20000)
    assert "off-screen" in nudge.inner_text()
    assert page.evaluate("[window.__kubeviz.diagram.cy.zoom(), window.__kubeviz.diagram.cy.pan()]") == viewport
    nudge.click()  # brings them into view
    page.wait_for_selector("#offscreen-nudge", state="hidden")


def big_deployment(replicas: int) -> str:
    return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: webapp
spec:
  replicas: {replicas}
  selector:
    matchLabels:
      run: webapp
  template:
    metadata:
      labels:
        run: webapp
    spec:
      containers:
      - name: webapp
        image: nginx
        ports:
        - containerPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: webapp
spec:
  selector:
    run: webapp
  ports:
  - port: 8080
    targetPort: 8080
"""


GROUPS = """() => window.__kubeviz.diagram.cy.nodes('.pod-group').map((n) => ({
    id: n.id(), count: n.data('count'), ready: n.data('readyCount'), label: n.data('display'),
    pos: n.position(), edges: n.incomers('edge.endpoint').length,
    edgeLabels: n.incomers('edge.endpoint').map((e) => e.data('label')),
}))"""


def test_a_big_deployment_is_drawn_as_one_group_per_node_with_counts_that_update_in_place(
    new_cluster, open_browser, dashboard
):
    board = dashboard(open_browser().new_page()).open(new_cluster(""))
    page = board.page
    apply(board, big_deployment(200))
    page.wait_for_function(
        "() => window.__kubeviz.diagram.cy.nodes('.pod-group').reduce((n, g) => n + g.data('count'), 0) === 200",
        timeout=30000,
    )
    board.wait_settled()
    groups = page.evaluate(GROUPS)
    assert sum(g["count"] for g in groups) == 200 and len(groups) >= 2
    for g in groups:
        assert g["label"] == f"webapp ×{g['count']}\n{g['ready']} ready"
        assert g["edges"] == 1 and g["edgeLabels"] == [f"8080 → 8080 ×{g['count']}"]  # one edge per Service
    assert (
        page.evaluate(
            "window.__kubeviz.diagram.cy.nodes('[kind = \"Pod\"][namespace = \"default\"]').not('.pod-group').length"
        )
        == 0
    )

    # a live change updates the counts without moving anything
    before = {g["id"]: g["pos"] for g in groups}
    apply(board, big_deployment(190))
    page.wait_for_function(
        "() => window.__kubeviz.diagram.cy.nodes('.pod-group').reduce((n, g) => n + g.data('count'), 0) === 190",
        timeout=30000,
    )
    board.wait_settled()
    after = {g["id"]: g["pos"] for g in page.evaluate(GROUPS)}
    assert after == before

    # a click expands a group into its pods
    first = groups[0]["id"]
    board.click_element(first)
    page.wait_for_function("(id) => window.__kubeviz.diagram.cy.getElementById(id).empty()", arg=first)
    page.wait_for_function(
        """() => window.__kubeviz.diagram.cy.nodes('[kind = "Pod"]').not('.pod-group').length > 12"""
    )
    # and folds back
    page.click("#fold-groups")
    page.wait_for_function("(id) => window.__kubeviz.diagram.cy.getElementById(id).nonempty()", arg=first)
    page.wait_for_selector("#fold-groups", state="hidden")
    assert board.errors == []
