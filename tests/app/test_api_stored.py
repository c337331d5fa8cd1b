"""ConfigMaps, Secrets, ServiceAccounts and IngressClasses written through the Kubernetes API are
the cluster's stored state like every other object: rows, one version bump and one push per
write, read back after a restart, kept by an editor's apply, exported; and the API's per-worker
caches go when their cluster is deleted or idle (issue 16)."""

from __future__ import annotations

import base64
import json

import pytest
from django.conf import settings

from simulator import api_selectors, export, models, repository, selectors, services
from simulator.kubeapi import kubeconfig
from simulator.live import keys
from simulator.web.apiserver import Api, Reply

CONFIG_MAP = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"}, "data": {"mode": "fast"}}
CM_PATH = "/api/v1/namespaces/default/configmaps"


def call(cluster, method: str, path: str, body: dict | None = None) -> Reply:
    """One request of kubectl's, as the cluster's owner-less open cluster lets anyone make it."""
    credential = kubeconfig.make_token(settings.SECRET_KEY, cluster.slug, "anonymous")
    caller = api_selectors.identify(credential)
    headers = {"accept": "application/json", "content-type": "application/json"}
    query = {"fieldValidation": ["Strict"]} if method != "GET" else {}
    raw = json.dumps(body).encode() if body is not None else b""
    reply = Api(caller, credential).handle(method, path, query, headers, raw)
    assert isinstance(reply, Reply)
    return reply


def body(reply: Reply) -> dict:
    return json.loads(reply.body)


def restart() -> None:
    """What a new worker process starts with: no warm engine, no API cache."""
    repository.clear_warm()
    for key in api_selectors.cached_clusters():
        api_selectors.forget(key)


@pytest.fixture(autouse=True)
def no_api_caches():
    restart()
    yield
    restart()


@pytest.fixture
def open_cluster(make_cluster, settings):
    settings.KUBEVIZ_OPEN_CLUSTERS = True
    return make_cluster("webapp")


def test_a_created_configmap_is_a_row_and_a_version_and_is_served_after_a_restart(open_cluster):
    cluster = open_cluster
    version = models.Cluster.objects.get(pk=cluster.pk).version
    reply = call(cluster, "POST", CM_PATH, CONFIG_MAP)
    assert reply.code == 201, reply.body
    created = body(reply)
    row = models.ConfigMap.objects.get(cluster=cluster, namespace="default", name="settings")
    assert row.manifest["data"] == {"mode": "fast"} and row.uid == created["metadata"]["uid"]
    assert models.Cluster.objects.get(pk=cluster.pk).version == version + 1
    restart()
    again = body(call(cluster, "GET", f"{CM_PATH}/settings"))
    assert again["data"] == {"mode": "fast"}
    assert again["metadata"]["uid"] == created["metadata"]["uid"]
    assert again["metadata"]["resourceVersion"] == created["metadata"]["resourceVersion"]
    listed = body(call(cluster, "GET", CM_PATH))
    assert [item["metadata"]["name"] for item in listed["items"]] == ["settings"]


def test_the_write_is_pushed_to_browsers_as_an_object_entry(open_cluster, listener, django_capture_on_commit_callbacks):
    cluster = open_cluster
    watch = listener(cluster.pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert call(cluster, "POST", CM_PATH, CONFIG_MAP).code == 201
    [message] = watch.drain()
    change = json.loads(message["text"])
    entry = change["set"][keys.object_key("ConfigMap", "default", "settings")]
    assert entry["kind"] == "ConfigMap" and entry["manifest"]["data"] == {"mode": "fast"}
    assert change["cause"]["summary"] == ["configmap/settings created"]


def test_an_editors_apply_of_other_objects_keeps_the_configmap_and_the_export_has_it(open_cluster):
    cluster = open_cluster
    assert call(cluster, "POST", CM_PATH, CONFIG_MAP).code == 201
    pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: extra}\nspec: {containers: [{name: c, image: nginx}]}\n"
    assert services.cluster_apply(cluster=cluster, text=pod).ok
    _version, entries = selectors.cluster_entries(cluster)
    assert keys.object_key("ConfigMap", "default", "settings") in entries
    exported = selectors.cluster_export_yaml(cluster)
    assert "kind: ConfigMap" in exported and "mode: fast" in exported
    _row, engine = repository.read_engine(cluster)
    assert {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "settings", "namespace": "default"},
        "data": {"mode": "fast"},
    } in export.export_objects(engine)


def test_a_secrets_string_data_is_merged_into_data_as_base64(open_cluster):
    cluster = open_cluster
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "db"},
        "data": {"user": base64.b64encode(b"admin").decode()},
        "stringData": {"password": "hunter2"},
    }
    reply = call(cluster, "POST", "/api/v1/namespaces/default/secrets", secret)
    assert reply.code == 201, reply.body
    stored = models.Secret.objects.get(cluster=cluster, name="db").manifest
    assert stored["type"] == "Opaque" and "stringData" not in stored
    assert {k: base64.b64decode(v) for k, v in stored["data"].items()} == {"user": b"admin", "password": b"hunter2"}


def test_bad_secret_and_configmap_data_are_the_api_servers_errors_and_store_nothing(open_cluster):
    cluster = open_cluster
    bad_key = {**CONFIG_MAP, "data": {"a/b": "x"}}
    reply = call(cluster, "POST", CM_PATH, bad_key)
    assert reply.code == 422
    status = body(reply)
    assert status["reason"] == "Invalid"
    assert status["details"]["causes"][0]["field"] == "data[a/b]"
    assert "a valid config key must consist of alphanumeric characters, '-', '_' or '.'" in status["message"]
    bad_base64 = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": {"k": "not base64!"}}
    reply = call(cluster, "POST", "/api/v1/namespaces/default/secrets", bad_base64)
    assert reply.code == 400
    assert "illegal base64 data at input byte 3" in body(reply)["message"]
    assert not models.ConfigMap.objects.filter(cluster=cluster).exists()
    assert not models.Secret.objects.filter(cluster=cluster).exists()


def test_an_ingress_class_needs_a_controller_that_never_changes(open_cluster):
    cluster = open_cluster
    path = "/apis/networking.k8s.io/v1/ingressclasses"
    nameless = {"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass", "metadata": {"name": "nginx"}}
    reply = call(cluster, "POST", path, nameless)
    assert reply.code == 422 and body(reply)["details"]["causes"][0]["field"] == "spec.controller"
    made = {**nameless, "spec": {"controller": "k8s.io/ingress-nginx"}}
    assert call(cluster, "POST", path, made).code == 201
    changed = {**nameless, "spec": {"controller": "example.com/other"}}
    reply = call(cluster, "PUT", f"{path}/nginx", changed)
    assert reply.code == 422
    assert "field is immutable" in body(reply)["message"]
    assert models.IngressClass.objects.get(cluster=cluster, name="nginx").manifest["spec"] == {
        "controller": "k8s.io/ingress-nginx"
    }


def test_a_watch_sees_create_update_and_delete(open_cluster):
    cluster = open_cluster
    everything = lambda obj: True  # noqa: E731
    start = api_selectors.watch_start(cluster, "ConfigMap", "v1", None, everything, False)
    assert start.events == []
    assert call(cluster, "POST", CM_PATH, CONFIG_MAP).code == 201
    step = api_selectors.watch_next(cluster, "ConfigMap", start.resource_version, everything)
    assert [(e.type, e.object["metadata"]["name"]) for e in step.events] == [("ADDED", "settings")]
    updated = {**CONFIG_MAP, "data": {"mode": "slow"}}
    assert call(cluster, "PUT", f"{CM_PATH}/settings", updated).code == 200
    step = api_selectors.watch_next(cluster, "ConfigMap", step.resource_version, everything)
    assert [(e.type, e.object["data"]) for e in step.events] == [("MODIFIED", {"mode": "slow"})]
    assert call(cluster, "DELETE", f"{CM_PATH}/settings").code == 200
    step = api_selectors.watch_next(cluster, "ConfigMap", step.resource_version, everything)
    assert [e.type for e in step.events] == ["DELETED"]
    assert not models.ConfigMap.objects.filter(cluster=cluster).exists()


def test_the_api_cache_goes_with_a_deleted_cluster(open_cluster, django_capture_on_commit_callbacks):
    cluster = open_cluster
    call(cluster, "GET", CM_PATH)
    key = repository.warm_key(cluster)
    assert key in api_selectors.cached_clusters()
    with django_capture_on_commit_callbacks(execute=True):
        services.cluster_delete(cluster=cluster)
    assert key not in api_selectors.cached_clusters()


def test_an_idle_api_cache_is_pruned_and_a_used_one_kept(open_cluster, make_cluster):
    idle, busy = open_cluster, make_cluster("webapp", name="busy")
    call(idle, "GET", CM_PATH)
    call(busy, "GET", CM_PATH)
    idle_key, busy_key = repository.warm_key(idle), repository.warm_key(busy)
    api_selectors._caches[idle_key].used -= api_selectors.CACHE_IDLE_SECONDS  # last asked a while ago
    assert api_selectors.prune() == [idle_key]
    assert api_selectors.cached_clusters() == [busy_key]
    call(idle, "GET", CM_PATH)  # asked again: a fresh cache, built from the rows
    assert idle_key in api_selectors.cached_clusters()
