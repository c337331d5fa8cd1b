"""The API's delivery is delivery: its views and exec socket reach clusters only through the API's
selectors and services, and take only the wire formats of `simulator.kubeapi`, never its
engine-facing modules (issue 16)."""

from __future__ import annotations

from tests.test_floors import GRAPH, offenders, within

API_DELIVERY = ("simulator.web.apiserver", "simulator.web.kubeapi_views", "simulator.realtime.apiexec")
ENGINE_FACING = (
    "simulator.kubeapi.engine_port",
    "simulator.kubeapi.served",
    "simulator.kubeapi.sandbox",
    "simulator.engine",
    "simulator.models",
    "simulator.repository",
    "simulator.services",
    "simulator.selectors",
)


def test_the_api_views_reach_clusters_only_through_the_api_selectors_and_services():
    assert all(module in GRAPH for module in API_DELIVERY)
    found = offenders(
        GRAPH, lambda m: m in API_DELIVERY and m != "simulator.web.kubeapi_views", lambda t: within(t, ENGINE_FACING)
    )
    assert found == []


def test_the_api_selectors_and_services_import_no_delivery():
    found = offenders(
        GRAPH,
        lambda m: m in ("simulator.api_selectors", "simulator.api_services"),
        lambda t: within(t, ("simulator.web", "simulator.realtime")),
    )
    assert found == []
