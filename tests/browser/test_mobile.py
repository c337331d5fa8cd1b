"""Phones and tablets (issue 18), in Chromium with mobile emulation: a phone (390×844, device scale
2, touch) and a tablet in portrait (768×1024, touch). The diagram comes first across the width, the
panels and the editor are one tap away in the dock, a tap selects (or takes the pod it just missed),
a pinch zooms, a drag pans, a long press opens the YAML; panel text reads at 16 px or more and
nothing but code and tables scrolls sideways; the tablet edits and applies with the on-screen
keyboard up, and the phone sees the change arrive; axe-core finds no serious or critical violation
at either size."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pytest

from .server import CHROMIUM, CHROMIUM_ARGS, close_chromium, screenshot
from .test_classroom import Person, join, start_class

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844, "scale": 2}
TABLET = {"width": 768, "height": 1024, "scale": 2}
LONG_PRESS_S = 1.2  # Cytoscape's taphold fires after 500 ms
NEW_SERVICE = """apiVersion: v1
kind: Service
metadata:
  name: webapp-nodeport
spec:
  type: NodePort
  selector:
    app: webapp
  ports:
  - port: 8080
    targetPort: 8080
    nodePort: 30080
"""

# Every visible text whose computed size is under 16 px, inside `root`.
SMALL_TEXT = """(root) => {
  const out = [];
  const walker = document.createTreeWalker(document.querySelector(root), NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!n.textContent.trim() || !el || !el.getClientRects().length) continue;
    if (el.closest('[hidden], .cm-gutters')) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < 16) out.push(`${size}px: ${n.textContent.trim().slice(0, 40)}`);
  }
  return out;
}"""

# Visible elements sticking out of the window sideways, unless inside a box that scrolls itself.
OUT_OF_WIDTH = """() => {
  const out = [];
  const scrolls = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const o = getComputedStyle(a).overflowX;
      if (o === 'auto' || o === 'scroll') return true;
    }
    return false;
  };
  for (const el of document.body.querySelectorAll('*')) {
    if (el.closest('#cy, .sr-only')) continue;
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height || getComputedStyle(el).visibility === 'hidden') continue;
    if ((r.right > innerWidth + 1 || r.left < -1) && !scrolls(el))
      out.push(`${el.tagName}#${el.id}.${el.className} ${Math.round(r.left)}..${Math.round(r.right)}`);
  }
  return out;
}"""

# Buttons and links the dock, the header and the diagram's toolbar offer, smaller than 44×44 px.
SMALL_TARGETS = """(selector) => [...document.querySelectorAll(selector)]
  .filter((el) => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden')
  .map((el) => [el.id || el.textContent.trim(), el.getBoundingClientRect()])
  .filter(([, r]) => r.width < 44 || r.height < 44)
  .map(([name, r]) => `${name}: ${Math.round(r.width)}×${Math.round(r.height)}`)"""


@pytest.fixture
def open_device(playwright_instance):
    """open_device(PHONE | TABLET) -> a fresh touch browser of that size (mobile emulation)."""
    contexts = []

    def open_(device):
        profile = tempfile.mkdtemp(prefix="kubeviz-chromium-")
        context = playwright_instance.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": device["width"], "height": device["height"]},
            device_scale_factor=device["scale"],
            is_mobile=True,
            has_touch=True,
        )
        context.kubeviz_profile = profile
        context.set_default_timeout(15000)
        contexts.append(context)
        return context

    yield open_
    for context in contexts:
        close_chromium(context)


def on_device(open_device, dashboard, device, url):
    board = dashboard(open_device(device).new_page())
    return board.open(url)


def screen_point(page, ident: str) -> dict:
    """Where an element of the diagram is on the screen (CSS px), and its box, once the view is still."""
    page.wait_for_function("window.__kubeviz.diagram.settled && !window.__kubeviz.diagram.cy.animated()")
    return page.evaluate(
        """(id) => {
        const cy = window.__kubeviz.diagram.cy;
        const el = cy.getElementById(id);
        const r = el.renderedPosition();
        const b = el.renderedBoundingBox({includeLabels: false});
        const c = cy.container().getBoundingClientRect();
        return {x: r.x + c.left, y: r.y + c.top, x1: b.x1 + c.left, x2: b.x2 + c.left,
                y1: b.y1 + c.top, y2: b.y2 + c.top};
    }""",
        ident,
    )


_sessions: dict = {}  # one DevTools session per page: a gesture is one session's touches


def touch(page, kind: str, points: list[tuple[float, float]]) -> None:
    """One raw touch event through the DevTools protocol, as a finger (or two) would make it."""
    cdp = _sessions.get(page)
    if cdp is None:
        cdp = _sessions[page] = page.context.new_cdp_session(page)
    cdp.send(
        "Input.dispatchTouchEvent",
        {"type": kind, "touchPoints": [{"x": x, "y": y, "id": i} for i, (x, y) in enumerate(points)]},
    )


def sheet(page) -> str:
    return page.evaluate("document.body.dataset.sheet || ''")


def axe_serious(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        """async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
    }"""
    )
    return found


def test_on_a_phone_the_diagram_comes_first_across_the_width_and_nothing_scrolls_sideways(
    new_cluster, open_device, dashboard
):
    url = new_cluster("webapp")
    phone = on_device(open_device, dashboard, PHONE, url)
    page = phone.page
    cy = page.locator("#cy").bounding_box()
    assert cy["width"] >= PHONE["width"] - 2  # the whole width
    assert cy["y"] < 260 and cy["height"] > PHONE["height"] / 2  # first, and most of the screen
    for hidden in ("#editor-pane", "#panels"):  # the sheets are closed
        assert not page.locator(hidden).is_visible()
    for chip in ("#conn", "#version", "#watchers"):  # the compact header keeps the live facts
        box = page.locator(chip).bounding_box()
        assert page.locator(chip).is_visible() and box["x"] + box["width"] <= PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.evaluate(OUT_OF_WIDTH) == []
    assert page.evaluate(SMALL_TARGETS, "#m-dock button, #m-more, .diagram-toolbar button, .toggle") == []
    # the header's other actions are behind "⋯"
    assert not page.locator("#download-yaml").is_visible()
    page.tap("#m-more")
    assert page.locator("#download-yaml").is_visible()
    assert page.evaluate(OUT_OF_WIDTH) == []
    page.tap("#m-more")
    assert not page.locator("#download-yaml").is_visible()
    assert phone.errors == []


def test_tapping_a_service_on_a_phone_lights_its_pods_and_opens_its_panel_then_the_dock_switches_panels(
    new_cluster, open_device, dashboard
):
    url = new_cluster("webapp")
    phone = on_device(open_device, dashboard, PHONE, url)
    page = phone.page
    service = screen_point(page, "Service/default/webapp")
    page.touchscreen.tap(service["x"], service["y"])
    page.wait_for_function("window.__kubeviz.diagram.selected === 'Service/default/webapp'")
    pods = page.evaluate("window.__kubeviz.diagram.cy.nodes('[kind = \"Pod\"]').map((n) => [n.id(), n.classes()])")
    lit = [ident for ident, classes in pods if "lit" in classes and "miss" not in classes]
    assert lit and all("webapp" in ident for ident in lit)  # its endpoint's pod
    assert "miss" in dict(pods)["Pod/default/busybox"]  # and the pod its selector misses, saying why
    assert sheet(page) == "panels"
    assert page.locator("#panels").is_visible()
    page.wait_for_function("document.querySelector('#panels').innerText.includes('webapp')")
    # the diagram stays above the sheet, with the lit pod in view
    cy = page.locator("#cy").bounding_box()
    panels = page.locator(".panels-pane").bounding_box()
    assert cy["height"] > 150 and cy["y"] + cy["height"] <= panels["y"] + 1
    pod = screen_point(page, lit[0])
    assert cy["y"] <= pod["y"] <= cy["y"] + cy["height"]
    assert page.evaluate(SMALL_TEXT, ".panels-pane") == []
    assert page.evaluate(OUT_OF_WIDTH) == []

    page.tap("#m-tab-services")  # another panel, one tap
    page.wait_for_function("window.__kubeviz.panels.tab === 'services'")
    assert page.locator("#m-tab-services").get_attribute("aria-expanded") == "true"
    assert "kubectl get svc" in page.inner_text("#panels")
    assert page.evaluate(SMALL_TEXT, ".panels-pane") == []
    assert page.evaluate(OUT_OF_WIDTH) == []  # its table scrolls in its own box
    page.tap("#m-tab-dns")
    page.wait_for_function("window.__kubeviz.panels.tab === 'dns'")
    assert page.evaluate(SMALL_TEXT, ".panels-pane") == []
    page.tap("#m-tab-dns")  # the same button again: back to the whole diagram
    assert sheet(page) == ""
    assert not page.locator("#panels").is_visible()
    assert phone.errors == []


def test_a_pinch_zooms_the_diagram_and_a_drag_pans_it(new_cluster, open_device, dashboard):
    url = new_cluster("webapp")
    phone = on_device(open_device, dashboard, PHONE, url)
    page = phone.page
    box = page.locator("#cy").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    zoom = page.evaluate("window.__kubeviz.diagram.cy.zoom()")
    touch(page, "touchStart", [(cx - 30, cy), (cx + 30, cy)])
    for step in range(1, 11):
        touch(page, "touchMove", [(cx - 30 - 10 * step, cy), (cx + 30 + 10 * step, cy)])
    touch(page, "touchEnd", [])
    zoomed = page.evaluate("window.__kubeviz.diagram.cy.zoom()")
    assert zoomed > zoom * 1.5  # fingers 60 px apart, then 260 px: the diagram grew

    pan = page.evaluate("window.__kubeviz.diagram.cy.pan()")
    touch(page, "touchStart", [(cx, cy + 100)])
    for step in range(1, 9):
        touch(page, "touchMove", [(cx + 10 * step, cy + 100 + 5 * step)])
    touch(page, "touchEnd", [])
    panned = page.evaluate("window.__kubeviz.diagram.cy.pan()")
    assert panned["x"] - pan["x"] > 40 and panned["y"] - pan["y"] > 20  # the finger's way: right, down
    assert page.evaluate("window.__kubeviz.diagram.selected") is None  # a drag selects nothing
    assert phone.errors == []


def test_a_tap_that_just_misses_a_pod_takes_it_and_edit_yaml_is_the_double_clicks_twin(
    new_cluster, open_device, dashboard
):
    url = new_cluster("webapp")
    phone = on_device(open_device, dashboard, PHONE, url)
    page = phone.page
    pod = "Pod/default/busybox"
    box = screen_point(page, pod)
    page.touchscreen.tap(box["x"], box["y2"] + 14)  # under its box: within a 44 px target
    page.wait_for_function("(id) => window.__kubeviz.diagram.selected === id", arg=pod)
    assert sheet(page) == "panels"
    page.wait_for_function("document.querySelector('#panels').innerText.includes('busybox')")
    page.tap("#m-tab-inspect")  # close the sheet: the toolbar's button is the double-click's twin
    assert sheet(page) == ""
    assert page.locator("#m-edit-yaml").is_enabled()
    assert phone.errors == []


def test_a_long_press_on_a_service_opens_its_yaml(new_cluster, open_device, dashboard):
    url = new_cluster("webapp")
    phone = on_device(open_device, dashboard, PHONE, url)
    page = phone.page
    box = screen_point(page, "Service/default/webapp")
    touch(page, "touchStart", [(box["x"], box["y"])])
    time.sleep(LONG_PRESS_S)
    touch(page, "touchEnd", [])
    page.wait_for_function("document.body.dataset.sheet === 'editor'")
    page.wait_for_function("window.__kubeviz.editor.shown === 'obj:Service/default/webapp'")
    assert "name: webapp" in phone.editor_text()
    assert page.evaluate(SMALL_TEXT, ".editor-pane") == []
    assert phone.errors == []


def test_the_tablet_applies_a_change_with_the_keyboard_up_and_the_phone_sees_it_arrive(
    new_cluster, open_device, dashboard
):
    url = new_cluster("webapp")
    tablet = on_device(open_device, dashboard, TABLET, url)
    phone = on_device(open_device, dashboard, PHONE, url)
    page = tablet.page
    page.tap("#m-tab-yaml")
    assert sheet(page) == "editor"
    page.tap("#editor-pane .cm-content")
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(NEW_SERVICE)
    # the on-screen keyboard takes the lower 424 px: the visual viewport shrinks to 600 px
    page.set_viewport_size({"width": TABLET["width"], "height": 600})
    page.wait_for_function("document.body.classList.contains('m-keyboard')")
    apply = page.locator("#apply-button").bounding_box()
    assert apply["y"] + apply["height"] <= 600  # Apply is above the keyboard
    assert page.locator(".cm-content").bounding_box()["y"] < 300  # and the text is there to see
    page.tap("#apply-button")
    page.wait_for_selector("#editor-results .ok-box")
    assert "service/webapp-nodeport created" in page.inner_text("#editor-results")
    page.set_viewport_size({"width": TABLET["width"], "height": TABLET["height"]})  # keyboard down
    page.evaluate("document.activeElement.blur()")
    page.wait_for_function("!document.body.classList.contains('m-keyboard')")

    phone.wait_element("Service/default/webapp-nodeport")  # another browser's change arrives
    phone.page.wait_for_selector("#toast:not([hidden])")
    assert phone.version == tablet.version
    assert tablet.errors == [] and phone.errors == []


def test_axe_finds_no_serious_or_critical_violation_on_a_phone_or_a_tablet(new_cluster, open_device, dashboard):
    url = new_cluster("webapp")
    for device, name in ((PHONE, "phone"), (TABLET, "tablet")):
        board = on_device(open_device, dashboard, device, url)
        page = board.page
        assert axe_serious(page) == [], name
        service = screen_point(page, "Service/default/webapp")
        page.touchscreen.tap(service["x"], service["y"])
        page.wait_for_function("document.querySelector('#panels').innerText.includes('webapp')")
        board.wait_settled()
        screenshot(page, f"mobile-{name}.png", scale="css")
        assert axe_serious(page) == [], f"{name}, a panel open"
        page.tap("#m-tab-yaml")
        assert axe_serious(page) == [], f"{name}, the editor open"


def test_a_phone_following_the_presenter_fits_the_followed_focus_above_its_sheet(server, open_device, dashboard):
    people = lambda: Person(open_device(TABLET), server, dashboard)  # noqa: E731 - the instructor's
    teacher, _class_path, code = start_class(server, people)
    teacher.page.set_viewport_size({"width": 1280, "height": 720})
    teacher.page.click("#projected-link")
    teacher.live()
    student, _ = join(lambda: Person(open_device(PHONE), server, dashboard), code, "Ana")
    teacher.page.click("#present-switch")
    student.page.wait_for_selector("#follow-badge:not([hidden])")
    teacher.page.wait_for_function("document.querySelector('#followers').textContent === '1 following'")
    pods = teacher.page.evaluate("window.__kubeviz.diagram.cy.nodes('[kind = \"Pod\"]').map((n) => n.id())")
    focus = pods[0]
    whole = student.page.evaluate("window.__kubeviz.diagram.cy.zoom()")  # the whole diagram fitted
    teacher.page.evaluate(  # the presenter zooms onto one pod
        """(id) => {
        const cy = window.__kubeviz.diagram.cy;
        cy.zoom(2.5);
        cy.center(cy.getElementById(id));
    }""",
        focus,
    )
    in_view = """([id, whole]) => {
        const cy = window.__kubeviz.diagram.cy;
        const b = cy.getElementById(id).boundingBox();
        const e = cy.extent();
        return b.x1 >= e.x1 && b.x2 <= e.x2 && b.y1 >= e.y1 && b.y2 <= e.y2 && cy.zoom() > whole * 1.2;
    }"""
    student.page.wait_for_function(in_view, arg=[focus, whole])  # zoomed in on it, on a phone
    student.page.tap("#m-tab-services")  # the dock is not an own action: still following
    assert "following" in student.page.evaluate("document.body.className")
    student.page.wait_for_function(in_view, arg=[focus, whole])  # still in view above the sheet
    cy = student.page.locator("#cy").bounding_box()
    assert cy["height"] < PHONE["height"] / 2
    assert student.board.errors == []


def test_a_lessons_exercise_is_one_tap_away_in_the_dock_on_a_phone(new_cluster, open_device, dashboard):
    url = new_cluster("exercise-selector")
    phone = on_device(open_device, dashboard, PHONE, url)
    page = phone.page
    page.wait_for_selector("#m-tab-exercise:not([hidden])")
    page.tap("#m-tab-exercise")
    assert sheet(page) == "exercise"
    assert page.locator("#exercise").is_visible() and not page.locator("#panels").is_visible()
    assert "step 1" in page.inner_text("#exercise").lower()
    assert page.evaluate(SMALL_TEXT, "#exercise") == []
    assert page.evaluate(OUT_OF_WIDTH) == []
    assert page.evaluate(SMALL_TARGETS, "#m-dock button") == []
    page.tap("#m-tab-inspect")  # a panel instead: the exercise steps aside
    assert sheet(page) == "panels"
    assert page.locator("#panels").is_visible() and not page.locator("#exercise").is_visible()
    page.tap("#m-tab-inspect")
    assert sheet(page) == ""
    assert phone.errors == []


def test_the_kubectl_console_on_a_phone_is_a_sheet_with_rows_to_show_and_finger_sized_buttons(
    new_cluster, open_device, dashboard
):
    url = new_cluster("webapp")
    phone = on_device(open_device, dashboard, PHONE, url)
    page = phone.page
    page.tap("#console-toggle")
    page.wait_for_selector(".console-pane:not([hidden]) .xterm-rows")
    pane = page.locator(".console-pane").bounding_box()
    assert pane["height"] >= PHONE["height"] * 0.4, pane  # a sheet, not a strip of four rows
    assert pane["y"] + pane["height"] <= PHONE["height"] and pane["width"] >= PHONE["width"] - 2
    assert page.locator("#cy").bounding_box()["height"] > 150  # the diagram stays above it
    assert page.evaluate(SMALL_TARGETS, ".console-head button") == []
    assert page.evaluate(OUT_OF_WIDTH) == []
    page.locator(".console-screen").click()
    page.keyboard.type("kubectl get svc -o wide")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.querySelector('.console-pane .xterm-rows').textContent.includes('run=webapp')"
    )
    assert phone.errors == []
