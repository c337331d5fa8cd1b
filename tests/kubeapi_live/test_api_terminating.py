"""Graceful pod deletion through the served API (the product's `Api`, in process, with the
database): DELETE answers with the pod marked for deletion, the Table says Terminating, the
EndpointSlice marks it terminating and Endpoints drop it, a grace period of 0 removes it at once,
and the clock's tick removes it later even while the simulated clock is paused."""

from __future__ import annotations

import datetime
import json

import pytest
from django.conf import settings
from django.utils import timezone

from simulator import api_selectors, repository, selectors, services
from simulator.kubeapi import kubeconfig
from simulator.web.apiserver import Api, Reply

TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io"


@pytest.fixture(autouse=True)
def cold_engines(settings):
    settings.KUBEVIZ_PRUNE_EVERY = 0
    repository.clear_warm()
    yield
    repository.clear_warm()


@pytest.fixture
def cluster(db):
    return services.cluster_create(name="Grace", lesson="webapp")


def call(cluster, method: str, path: str, body: dict | None = None, query: dict | None = None, accept="") -> Reply:
    credential = kubeconfig.make_token(settings.SECRET_KEY, cluster.slug, "anonymous")
    caller = api_selectors.identify(credential, None)
    headers = {"accept": accept or "application/json", "content-type": "application/json"}
    raw = json.dumps(body).encode() if body is not None else b""
    reply = Api(caller, credential).handle(method, path, query or {}, headers, raw)
    assert isinstance(reply, Reply)
    return reply


def web_pods(cluster) -> list[dict]:
    reply = call(cluster, "GET", "/api/v1/namespaces/default/pods", query={"labelSelector": ["run=webapp"]})
    return json.loads(reply.body)["items"]


def tick(cluster, seconds_later: float) -> None:
    row = type(cluster).objects.get(pk=cluster.pk)
    services.cluster_tick(
        cluster_id=cluster.pk, now=(row.ticked_at or timezone.now()) + datetime.timedelta(seconds=seconds_later)
    )


def test_deleting_a_pod_answers_with_it_marked_for_deletion_and_the_table_says_terminating(cluster):
    name = web_pods(cluster)[0]["metadata"]["name"]
    reply = call(cluster, "DELETE", f"/api/v1/namespaces/default/pods/{name}")
    assert reply.code == 200
    body = json.loads(reply.body)
    assert body["kind"] == "Pod" and body["metadata"]["deletionGracePeriodSeconds"] == 30
    assert body["metadata"]["deletionTimestamp"]
    assert "kubeviz.io/stops-at" not in (body["metadata"].get("annotations") or {})
    table = json.loads(call(cluster, "GET", f"/api/v1/namespaces/default/pods/{name}", accept=TABLE).body)
    columns = [c["name"] for c in table["columnDefinitions"]]
    assert table["rows"][0]["cells"][columns.index("Status")] == "Terminating"
    # the ReplicaSet (one replica) replaced it at once: one pod counts, one more is Terminating
    pods = web_pods(cluster)
    assert len(pods) == 2 and [bool(p["metadata"].get("deletionTimestamp")) for p in pods].count(True) == 1


def test_the_request_grace_period_is_honoured_and_zero_removes_the_pod_at_once(cluster):
    first = web_pods(cluster)[0]["metadata"]["name"]
    body = json.loads(
        call(cluster, "DELETE", f"/api/v1/namespaces/default/pods/{first}", {"gracePeriodSeconds": 5}).body
    )
    assert body["metadata"]["deletionGracePeriodSeconds"] == 5
    (second,) = [p["metadata"]["name"] for p in web_pods(cluster) if p["metadata"]["name"] != first]
    forced = call(cluster, "DELETE", f"/api/v1/namespaces/default/pods/{second}", {"gracePeriodSeconds": 0})
    assert forced.code == 200 and "deletionTimestamp" not in json.loads(forced.body)["metadata"]
    assert call(cluster, "GET", f"/api/v1/namespaces/default/pods/{second}").code == 404


def test_endpoints_drop_a_terminating_pod_and_its_endpointslice_marks_it(cluster):
    pod = web_pods(cluster)[0]
    ip = pod["status"]["podIP"]
    call(cluster, "DELETE", f"/api/v1/namespaces/default/pods/{pod['metadata']['name']}")
    endpoints = json.loads(call(cluster, "GET", "/api/v1/namespaces/default/endpoints/webapp").body)
    listed = [
        a["ip"] for s in endpoints.get("subsets") or () for a in s.get("addresses", []) + s.get("notReadyAddresses", [])
    ]
    assert ip not in listed
    slices = json.loads(
        call(
            cluster,
            "GET",
            "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices",
            query={"labelSelector": ["kubernetes.io/service-name=webapp"]},
        ).body
    )["items"]
    (leaving,) = [e for s in slices for e in s["endpoints"] if e["addresses"] == [ip]]
    assert leaving["conditions"] == {"ready": False, "serving": True, "terminating": True}


def test_a_paused_clusters_tick_removes_the_pod_once_its_containers_stopped(cluster):
    name = web_pods(cluster)[0]["metadata"]["name"]
    call(cluster, "DELETE", f"/api/v1/namespaces/default/pods/{name}")
    assert selectors.clusters_running([cluster.pk]) == [cluster.pk]  # the ticker will tick it
    tick(cluster, 1)
    assert call(cluster, "GET", f"/api/v1/namespaces/default/pods/{name}").code == 200
    tick(cluster, 1)
    assert call(cluster, "GET", f"/api/v1/namespaces/default/pods/{name}").code == 404
    assert selectors.clusters_running([cluster.pk]) == []  # paused, nothing left to stop
    row = type(cluster).objects.get(pk=cluster.pk)
    assert row.state["clock"] == 0 and not row.running  # the simulated clock stayed paused
