"""Readable from the back of a room (issue 12): the presenter layout (`body.present`) draws every
pod and Service label at 16 px or more (its style size × the zoom) on every built-in lesson at
1280×720 with the YAML pane and the explanation visible, and is no worse at 1920×1080."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

LESSONS = sorted(p.stem for p in (Path(__file__).resolve().parents[2] / "lessons").glob("*.yaml"))
READABLE_PX = 16

SMALLEST_LABEL = """() => {
    const cy = window.__kubeviz.diagram.cy;
    const zoom = cy.zoom();
    let smallest = null;
    cy.nodes('[kind = "Pod"], [kind = "Service"]').filter((n) => n.visible()).forEach((n) => {
        const px = parseFloat(n.style('font-size')) * zoom;
        if (!smallest || px < smallest.px) smallest = {px, id: n.id()};
    });
    return smallest;
}"""

PANES_VISIBLE = """() => ['#editor-pane', '.panels-pane'].every((s) => {
    const r = document.querySelector(s).getBoundingClientRect();
    return r.width >= 200 && r.height >= 200 && getComputedStyle(document.querySelector(s)).visibility !== 'hidden';
})"""


def smallest_label(board, present: bool) -> dict:
    page = board.page
    if present:
        page.click("#view-menu summary")
        page.check("#presenter-layout")
        page.wait_for_function("() => document.body.classList.contains('present')")
        page.wait_for_timeout(500)  # the panes settle, the diagram re-fits
    board.wait_settled()
    page.wait_for_function("() => !window.__kubeviz.diagram.cy.animated()")
    assert page.evaluate(PANES_VISIBLE)
    return page.evaluate(SMALLEST_LABEL)


@pytest.fixture(scope="module")
def lesson_urls(server, request):
    return {}


def lesson_url(new_cluster, lesson_urls, lesson):
    if lesson not in lesson_urls:
        lesson_urls[lesson] = new_cluster(lesson)
    return lesson_urls[lesson]


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_label_of_every_lesson_reads_at_16_px_in_the_presenter_layout_at_1280x720(
    lesson, new_cluster, lesson_urls, open_browser, dashboard
):
    url = lesson_url(new_cluster, lesson_urls, lesson)
    board = dashboard(open_browser(1280, 720).new_page()).open(url)
    smallest = smallest_label(board, present=True)
    print(f"\n{lesson}: smallest label {smallest['px']:.1f} px ({smallest['id']}) at 1280x720, presenter layout")
    assert smallest["px"] >= READABLE_PX, smallest
    assert board.errors == []


@pytest.mark.parametrize("lesson", ["webapp", "daemonset-fluentd", "ingress-testpath"])
def test_the_presenter_layout_is_no_worse_at_1920x1080(lesson, new_cluster, lesson_urls, open_browser, dashboard):
    url = lesson_url(new_cluster, lesson_urls, lesson)
    plain = smallest_label(dashboard(open_browser(1920, 1080).new_page()).open(url), present=False)
    present = smallest_label(dashboard(open_browser(1920, 1080).new_page()).open(url), present=True)
    print(f"\n{lesson} at 1920x1080: {plain['px']:.1f} px plain, {present['px']:.1f} px presenter layout")
    assert present["px"] >= plain["px"]
