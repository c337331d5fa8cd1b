"""The live dashboard in a real browser: two people on one cluster, the editor's errors, the
request tracer and stale edits. Chromium (Debian's) against a real daphne."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from .server import screenshot

pytestmark = pytest.mark.browser

NEW_SERVICE = """apiVersion: v1
kind: Service
metadata:
  name: webapp-nodeport
spec:
  type: NodePort
  selector:
    run: webapp
  ports:
  - port: 8080
    targetPort: 8080
    nodePort: 30080
"""

# The second document's name is invalid (a DNS-1035 label): line 9 of the text.
INVALID = """apiVersion: v1
kind: Pod
metadata:
  name: fine-pod
spec:
  containers:
  - name: c
    image: nginx
---
apiVersion: v1
kind: Service
metadata:
  name: Bad_Name
spec:
  ports:
  - port: 80
"""
INVALID_LINE = 13


def test_the_home_page_creates_a_cluster_from_a_lesson_and_opens_its_diagram(server, open_browser, dashboard):
    page = open_browser().new_page()
    page.goto(server.url + "/")
    page.fill("#id_name", "first class")
    page.select_option("#id_lesson", "webapp")
    page.click("button[type=submit].primary")
    page.wait_for_url("**/clusters/first-class/")
    board = dashboard(page)
    board.wait_live()
    board.wait_element("Service/default/webapp")
    assert board.has_element("Pod/default/busybox")
    assert board.has_element("world")
    assert "webapp" in page.locator("#panels").inner_text()
    page.goto(server.url + "/")
    assert page.locator("a.cluster-link", has_text="first class").count() == 1
    assert board.errors == []


def test_yaml_applied_in_one_browser_changes_the_diagram_in_another(new_cluster, open_browser, dashboard):
    url = new_cluster("webapp")
    teacher = dashboard(open_browser().new_page()).open(url)
    student = dashboard(open_browser().new_page()).open(url)
    assert not student.has_element("Service/default/webapp-nodeport")

    teacher.type_yaml(NEW_SERVICE)
    teacher.page.click("#apply-button")

    teacher.page.wait_for_selector("#editor-results .ok-box")
    assert "service/webapp-nodeport created" in teacher.page.inner_text("#editor-results")
    student.wait_element("Service/default/webapp-nodeport")
    # the NodePort Service's endpoint edge and its entry from the outside world arrive too
    student.page.wait_for_function(
        """() => window.__kubeviz.diagram.cy.edges('[source = "Service/default/webapp-nodeport"]').length === 1"""
    )
    assert student.has_element("expose/default/webapp-nodeport")
    assert "30080" in student.page.evaluate(
        "window.__kubeviz.diagram.cy.getElementById('Node/-/worker-1').data('display')"
    )
    applied = int(re.search(r"Applied \(version (\d+)\)", teacher.page.inner_text("#editor-results")).group(1))
    teacher.wait_version(applied)
    student.wait_version(applied)
    assert teacher.version == student.version == applied
    assert teacher.errors == [] and student.errors == []


def test_an_invalid_document_shows_its_error_on_its_line_and_changes_nothing(new_cluster, open_browser, dashboard):
    url = new_cluster("webapp")
    board = dashboard(open_browser().new_page()).open(url)
    before = board.version

    board.type_yaml(INVALID)
    board.page.click("#apply-button")

    board.page.wait_for_selector("#editor-results .error-box")
    results = board.page.inner_text("#editor-results")
    assert "metadata.name" in results and "Bad_Name" in results and f"line {INVALID_LINE}" in results
    assert "Nothing changed" in results
    # the gutter marker and the underlined text sit on that line
    line_of_marker = board.page.evaluate("""() => {
        const lines = [...document.querySelectorAll('#editor-pane .cm-content .cm-line')];
        return lines.findIndex((l) => l.querySelector('.cm-lintRange-error')) + 1;
    }""")
    assert line_of_marker == INVALID_LINE
    assert board.page.locator("#editor-pane .cm-lint-marker-error").count() == 1
    # nothing changed: not the valid first document either (apply is all or nothing)
    board.page.wait_for_timeout(300)
    assert board.version == before
    assert not board.has_element("Pod/default/fine-pod")
    assert board.editor_text() == INVALID  # the text is kept


def test_a_trace_draws_its_path_hop_by_hop(new_cluster, open_browser, dashboard):
    url = new_cluster("webapp")
    board = dashboard(open_browser().new_page()).open(url)
    page = board.page
    page.click("#tab-trace")
    page.select_option("#trace-from", "default/busybox")
    page.fill("#trace-url", "http://webapp:8080/")
    page.click("#trace-run")

    page.wait_for_selector("#trace-hops")
    hops = page.inner_text("#trace-hops")
    assert "DNS: webapp → 10.96." in hops and "Service default/webapp port 8080" in hops
    pod = page.evaluate("window.__kubeviz.store.get('deployment/default/webapp').pods[0]")
    steps = page.evaluate("window.__kubeviz.lastTrace.steps")
    assert steps[0] == "Pod/default/busybox" and steps[-1] == f"Pod/{pod}"
    assert "Service/default/webapp" in steps
    endpoint_edge = next(s for s in steps if s.startswith("endpoint/default/webapp/"))
    # drawn one hop after another: at the end every hop of the path is lit
    page.wait_for_function("(id) => window.__kubeviz.diagram.cy.getElementById(id).hasClass('trace')", arg=f"Pod/{pod}")
    for ident in ("Pod/default/busybox", "Service/default/webapp", endpoint_edge, f"Pod/{pod}"):
        assert "trace" in board.classes(ident), ident

    # a request that fails says why, and marks where it stopped
    page.fill("#trace-url", "http://nosuch:8080/")
    page.click("#trace-run")
    page.wait_for_selector("#trace-error")
    assert "could not resolve host" in page.inner_text("#trace-error")
    page.wait_for_function(
        "() => window.__kubeviz.diagram.cy.getElementById('Pod/default/busybox').hasClass('trace-fail')"
    )


def test_a_stale_edit_shows_the_conflict_with_both_versions_and_keeps_the_text(new_cluster, open_browser, dashboard):
    url = new_cluster("webapp")
    alice = dashboard(open_browser().new_page()).open(url)
    bob = dashboard(open_browser().new_page()).open(url)

    # both open the Service's YAML from the diagram (double-click), at the same resourceVersion
    for person in (alice, bob):
        person.click_element("Service/default/webapp", double=True)
        person.page.wait_for_selector(".tab.active >> text=service/webapp")
    rv = alice.page.evaluate("window.__kubeviz.store.object('Service/default/webapp').resourceVersion")
    assert f"resourceVersion: '{rv}'" in alice.editor_text() or f'resourceVersion: "{rv}"' in alice.editor_text()

    bob.type_yaml(bob.editor_text().replace("run: webapp\n", "run: webapp\n    owner: bob\n", 1))
    bob.page.click("#apply-button")
    bob.page.wait_for_selector("#editor-results .ok-box")
    alice.page.wait_for_function(
        "(rv) => window.__kubeviz.store.object('Service/default/webapp').resourceVersion !== rv", arg=rv
    )
    assert alice.page.locator(".tab.active.stale").count() == 1  # the tab warns before she applies

    mine = alice.editor_text().replace("port: 8080\n", "port: 9090\n", 1)
    alice.type_yaml(mine)
    alice.page.click("#apply-button")

    conflict = alice.page.wait_for_selector("#conflict")
    text = conflict.inner_text()
    assert "Conflict" in text and f"resourceVersion {rv}" in text
    assert alice.page.locator("#conflict .cm-mergeView .cm-editor").count() == 2  # both versions, side by side
    merged = alice.page.inner_text("#conflict .cm-mergeView")
    assert "9090" in merged and "owner: bob" in merged
    assert alice.editor_text() == mine  # her text is kept
    assert alice.page.evaluate("window.__kubeviz.store.get('service/default/webapp').ports[0].port") == 8080

    # she keeps hers on top of Bob's version
    alice.page.click("#conflict >> text=Keep mine")
    alice.page.wait_for_selector("#editor-results .ok-box")
    alice.page.wait_for_function("() => window.__kubeviz.store.get('service/default/webapp').ports[0].port === 9090")


def test_the_text_survives_a_reload(new_cluster, open_browser, dashboard):
    url = new_cluster("")
    context = open_browser()
    board = dashboard(context.new_page()).open(url)
    board.type_yaml("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: draft\n")
    board.page.wait_for_timeout(400)  # saved on a short debounce
    board.page.reload()
    board.wait_live()
    assert board.editor_text() == "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: draft\n"


def test_the_diagram_exports_as_svg_and_png_and_the_cluster_as_yaml(new_cluster, open_browser, dashboard):
    url = new_cluster("ingress-testpath")
    board = dashboard(open_browser().new_page()).open(url)
    page = board.page
    with page.expect_download() as svg:
        page.click("#export-svg")
    text = Path(svg.value.path()).read_text()
    assert (
        svg.value.suggested_filename.endswith(".svg")
        and text.lstrip().startswith(("<?xml", "<svg"))
        and "test-ingress" in text
    )
    with page.expect_download() as png:
        page.click("#export-png")
    data = Path(png.value.path()).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10000
    with page.expect_download() as bundle:
        page.click("#download-yaml")
    assert "kind: Ingress" in Path(bundle.value.path()).read_text()
    assert board.errors == []


def test_the_page_reconnects_after_the_server_restarts_and_resyncs_what_it_missed(open_browser, dashboard):
    import subprocess

    from .server import DAPHNE, ROOT, _wait, kubeviz_server

    def load(env):
        subprocess.run(
            [sys.executable, "manage.py", "loadscenario", "webapp", "--cluster", "restart"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=300,
        )

    with kubeviz_server(load) as server:
        board = dashboard(open_browser().new_page()).open(f"{server.url}/clusters/restart/")
        before = board.version
        server.process.terminate()
        server.process.wait(timeout=10)
        board.page.wait_for_selector("#conn[data-state=reconnecting]")
        # while it is down, the cluster changes (another process writes the database)
        server.manage("loadscenario", "selector-and", "--cluster", "restart")
        server.process = subprocess.Popen(
            [DAPHNE, "-b", "127.0.0.1", "-p", str(server.port), "kubeviz.asgi:application"],
            cwd=ROOT,
            env=server.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait(server.url + "/", server.process)
        board.page.wait_for_selector("#conn[data-state=open]", timeout=30000)
        board.wait_element("Service/default/prod")
        # the diagram holds the new element before its layout finishes; the page's version follows the layout
        board.wait_version(before + 1)
        assert board.version > before
        assert board.page.evaluate("window.__kubeviz.socket.stats.reconnects") >= 1


FIXED_POD = """apiVersion: v1
kind: Pod
metadata:
  name: prod-1
  labels:
    zone: prod
    version: v1
spec:
  containers:
  - name: app
    image: nginx
    ports:
    - containerPort: 8080
"""


def test_the_preview_shows_the_endpoint_a_fix_would_add_and_apply_now_makes_it_appear(
    new_cluster, open_browser, dashboard
):
    url = new_cluster("selector-and")
    board = dashboard(open_browser().new_page()).open(url)
    page = board.page
    assert "warning" in board.classes("Service/default/prod")  # selects no pods: drawn as a warning
    before = board.version
    board.type_yaml(FIXED_POD)
    page.click("#preview-button")
    preview = page.wait_for_selector(".preview-box").inner_text()
    assert "Endpoints of default/prod" in preview and "+ 10.244." in preview and "default/prod-1" in preview
    page.wait_for_timeout(300)
    assert board.version == before and not page.evaluate(
        "window.__kubeviz.diagram.cy.edges('[source = \"Service/default/prod\"]').length"
    )

    page.click(".preview-box >> text=Apply now")
    page.wait_for_function(
        'window.__kubeviz.diagram.cy.edges(\'[source = "Service/default/prod"][target = "Pod/default/prod-1"]\').length === 1'
    )
    page.wait_for_function("!window.__kubeviz.diagram.cy.getElementById('Service/default/prod').hasClass('warning')")


PICKY_POD = """apiVersion: v1
kind: Pod
metadata:
  name: picky
spec:
  nodeSelector:
    disk: ssd
  containers:
  - name: c
    image: nginx
"""

SSD_NODE = """apiVersion: v1
kind: Node
metadata:
  name: worker-1
  labels:
    disk: ssd
"""


def test_a_pending_pod_moves_into_its_nodes_box_once_a_node_fits(new_cluster, open_browser, dashboard):
    url = new_cluster("")
    board = dashboard(open_browser().new_page()).open(url)
    page = board.page
    board.type_yaml(PICKY_POD)
    page.click("#apply-button")
    board.wait_element("Pod/default/picky")
    board.wait_element("Pending/-/unscheduled")  # no node has disk=ssd: the pod waits in the Pending box
    board.wait_settled()

    board.type_yaml(SSD_NODE)
    page.click("#apply-button")
    page.wait_for_function(
        "() => window.__kubeviz.diagram.cy.getElementById('Pod/default/picky').data('host') === 'Node/-/worker-1'"
    )
    board.wait_settled()
    assert not board.has_element("Pending/-/unscheduled")
    inside = page.evaluate("""() => {
        const cy = window.__kubeviz.diagram.cy;
        const pod = cy.getElementById('Pod/default/picky').position();
        const node = cy.getElementById('Node/-/worker-1');
        const {x, y} = node.position(), w = node.data('w'), h = node.data('h');
        return pod.x > x - w / 2 && pod.x < x + w / 2 && pod.y > y - h / 2 && pod.y < y + h / 2;
    }""")
    assert inside
    assert board.errors == []


def test_clicking_the_outside_world_shows_how_traffic_gets_in(new_cluster, open_browser, dashboard):
    url = new_cluster("webapp")
    board = dashboard(open_browser().new_page()).open(url)
    page = board.page
    board.type_yaml(NEW_SERVICE)
    page.click("#apply-button")
    board.wait_element("expose/default/webapp-nodeport")
    board.click_element("world")
    page.wait_for_selector("#panels h3 >> text=The outside world")
    text = page.inner_text("#panels")
    assert "default/webapp-nodeport" in text and "<any node IP>:30080" in text
    assert "worker-1 172.18." in text  # the Node IPs to reach a NodePort at
    assert board.errors == []


def test_a_selected_service_marks_the_pods_its_selector_misses_and_asks_again_after_a_fix(
    new_cluster, open_browser, dashboard
):
    url = new_cluster("selector-and")
    board = dashboard(open_browser().new_page()).open(url)
    page = board.page
    board.click_element("Service/default/prod")
    for pod in ("prod-1", "prod-2"):
        page.wait_for_function(
            "(id) => window.__kubeviz.diagram.cy.getElementById(id).hasClass('miss')", arg=f"Pod/default/{pod}"
        )
        label = page.evaluate(
            "(id) => window.__kubeviz.diagram.cy.getElementById(id).data('missLabel')", f"Pod/default/{pod}"
        )
        assert label == f"{pod}\n✗ lacks label version=v1"
    page.wait_for_selector("#panels table.match tr.miss >> text=✗ lacks label version=v1")
    assert page.locator("#panels table.match tr.miss").count() == 2

    board.type_yaml(FIXED_POD)  # prod-1 gets version=v1: the Service's endpoint, no longer a miss
    page.click("#apply-button")
    page.wait_for_function("!window.__kubeviz.diagram.cy.getElementById('Pod/default/prod-1').hasClass('miss')")
    assert "miss" in board.classes("Pod/default/prod-2")
    page.wait_for_selector("#panels table.match tr.hit >> text=✓ endpoint")
    assert page.locator("#panels table.match tr.miss").count() == 1
    assert board.errors == []


NAMED_PORT_SERVICE = """apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - port: 80
    targetPort: http
---
apiVersion: v1
kind: Pod
metadata:
  name: web-noport
  labels:
    app: web
spec:
  containers:
  - name: c
    image: nginx
"""
NO_NAMED_PORT = "no container port is named 'http' (TCP), the targetPort of port 80"


def test_a_pod_the_service_selects_but_does_not_send_traffic_to_says_why(new_cluster, open_browser, dashboard):
    url = new_cluster("")
    board = dashboard(open_browser().new_page()).open(url)
    page = board.page
    board.type_yaml(NAMED_PORT_SERVICE)
    page.click("#apply-button")
    board.wait_element("Pod/default/web-noport")
    board.click_element("Pod/default/web-noport")
    page.wait_for_selector(f"#panels >> text=Selected but not an endpoint of: web ({NO_NAMED_PORT})")
    board.click_element("Service/default/web")
    page.wait_for_selector(f"#panels table.match >> text=✓ selected, but {NO_NAMED_PORT}")
    assert board.errors == []


STORED = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {mode: fast}
---
apiVersion: v1
kind: Secret
metadata: {name: db}
stringData: {password: hunter2}
"""


def test_configmaps_and_secrets_are_listed_in_every_browser_and_open_in_the_editor(
    new_cluster, open_browser, dashboard
):
    url = new_cluster("webapp")
    teacher = dashboard(open_browser().new_page()).open(url)
    student = dashboard(open_browser().new_page()).open(url)
    student.page.click("#tab-workloads")
    assert "None yet" in student.page.inner_text("#panel-body")

    teacher.type_yaml(STORED)
    teacher.page.click("#apply-button")
    teacher.page.wait_for_selector("#editor-results .ok-box")
    assert "configmap/settings created" in teacher.page.inner_text("#editor-results")
    assert "secret/db created" in teacher.page.inner_text("#editor-results")

    table = student.page.locator("table.stored-objects")
    table.wait_for()
    rows = [r.split("\t")[:3] for r in table.locator("tbody tr").all_inner_texts()]
    assert rows == [["ConfigMap", "default", "settings"], ["Secret", "default", "db"]]
    screenshot(student.page, "stored-objects.png")
    # The Secret opens in the editor as stored: stringData merged into base64 data.
    table.locator("tbody tr", has_text="Secret").get_by_role("button", name="edit").click()
    student.page.wait_for_function("window.__kubeviz.editor.view.state.doc.toString().includes('kind: Secret')")
    text = student.editor_text()
    assert "password: aHVudGVyMg==" in text and "stringData" not in text
    assert teacher.errors == [] and student.errors == []
