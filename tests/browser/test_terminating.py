"""A pod deleted from the dashboard is drawn Terminating, as the server marks it, beside its
replacement, then dropped once its kubelet removed it (the clock stays paused)."""

from __future__ import annotations

from .server import screenshot


def test_a_deleted_pod_is_drawn_terminating_then_dropped(new_cluster, open_browser, dashboard):
    url = new_cluster("webapp")
    board = dashboard(open_browser().new_page()).open(url)
    page = board.page
    pods = page.evaluate(
        "() => window.__kubeviz.diagram.cy.nodes('[kind = \"Pod\"]').map((n) => n.id())"
        ".filter((id) => id.startsWith('Pod/default/webapp-'))"
    )
    assert len(pods) == 1
    victim = pods[0]
    page.evaluate(
        "(name) => window.__kubeviz.editor.deleteRef({kind: 'Pod', namespace: 'default', name})",
        victim.split("/")[2],
    )
    page.wait_for_function("(id) => window.__kubeviz.diagram.cy.getElementById(id).hasClass('terminating')", arg=victim)
    assert "· Terminating" in page.evaluate(
        "(id) => window.__kubeviz.diagram.cy.getElementById(id).data('display')", victim
    )
    # the ReplicaSet's replacement is drawn at once, not terminating
    page.wait_for_function(
        """(id) => window.__kubeviz.diagram.cy.nodes('[kind = "Pod"]')
            .some((n) => n.id().startsWith('Pod/default/webapp-') && n.id() !== id && !n.hasClass('terminating'))""",
        arg=victim,
    )
    board.wait_settled()
    screenshot(page, "pod-terminating.png")
    # the kubelet removes it once its containers stopped: the diagram drops it
    page.wait_for_function("(id) => !window.__kubeviz.diagram.has(id)", arg=victim, timeout=30000)
    assert not board.has_element(victim)
    assert board.errors == []
