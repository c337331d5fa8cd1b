"""Services: the only writes. One transaction, only changed rows, one push on commit."""

from __future__ import annotations

import datetime
import json

import pytest
from django.utils import timezone

from simulator import lessons, models, repository, selectors, services
from simulator.live import client

from .conftest import WEB, edit_sequence, fresh_entries


def rows(cluster, model) -> dict:
    return {(r.namespace, r.name): r for r in model.objects.filter(cluster=cluster)}


def test_a_new_cluster_stores_every_object_of_the_engine_as_rows(make_cluster):
    cluster = make_cluster(workers=3)
    assert cluster.version == 1
    assert set(rows(cluster, models.Node)) == {
        ("", "control-plane"),
        ("", "worker-1"),
        ("", "worker-2"),
        ("", "worker-3"),
    }
    assert ("kube-system", "kube-dns") in rows(cluster, models.Service)
    coredns = [r for r in models.Pod.objects.filter(cluster=cluster) if r.owner_kind == "ReplicaSet"]
    assert len(coredns) == 2 and coredns[0].owner_name.startswith("coredns-")
    assert cluster.state["serial"] > 0


def test_an_apply_writes_only_the_changed_rows_and_bumps_the_version(make_cluster, django_capture_on_commit_callbacks):
    cluster = make_cluster()
    before = {r.name: r.resource_version for r in models.Pod.objects.filter(cluster=cluster)}
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        outcome = services.cluster_apply(cluster=cluster, text=WEB)
    assert outcome.ok and outcome.results == ["pod/web-1 created", "service/web created"]
    assert len(callbacks) == 1  # exactly one push, scheduled on commit
    cluster.refresh_from_db()
    assert cluster.version == 2
    pod = models.Pod.objects.get(cluster=cluster, name="web-1")
    assert pod.labels == {"zone": "prod", "version": "v1"} and pod.manifest["status"]["podIP"]
    after = {r.name: r.resource_version for r in models.Pod.objects.filter(cluster=cluster)}
    assert {k: v for k, v in after.items() if k in before} == before  # coredns rows untouched


def test_an_invalid_document_changes_nothing_and_every_error_has_document_line_and_field(make_cluster):
    cluster = make_cluster()
    text = WEB + "---\napiVersion: v1\nkind: Service\nmetadata: {name: Bad_Name}\nspec: {ports: [{port: 80}]}\n"
    outcome = services.cluster_apply(cluster=cluster, text=text)
    assert not outcome.ok
    error = outcome.errors[0]
    assert error["document"] == 3 and error["line"] and error["field"] == "metadata.name"
    cluster.refresh_from_db()
    assert cluster.version == 1 and not models.Pod.objects.filter(cluster=cluster, name="web-1").exists()


def test_applying_the_same_text_twice_changes_nothing_the_second_time(make_cluster, django_capture_on_commit_callbacks):
    cluster = make_cluster()
    services.cluster_apply(cluster=cluster, text=WEB)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        outcome = services.cluster_apply(cluster=cluster, text=WEB)
    assert outcome.ok and not outcome.changed and outcome.results == ["pod/web-1 unchanged", "service/web unchanged"]
    cluster.refresh_from_db()
    assert cluster.version == 2
    assert not any(getattr(c, "__name__", "") == "after_commit" for c in callbacks)


def test_a_stale_base_resource_version_is_a_conflict_with_the_current_object(make_cluster):
    cluster = make_cluster()
    services.cluster_apply(cluster=cluster, text=WEB)
    current = models.Service.objects.get(cluster=cluster, name="web").resource_version
    services.cluster_apply(cluster=cluster, text=WEB.replace("port: 80,", "port: 81,"))
    outcome = services.cluster_apply(
        cluster=cluster, text=WEB.replace("port: 80,", "port: 82,"), base_versions={"Service/default/web": current}
    )
    assert not outcome.ok and outcome.conflict["key"] == "Service/default/web"
    assert outcome.conflict["current"]["manifest"]["spec"]["ports"][0]["port"] == 81
    assert "your text is kept" in outcome.conflict["message"]
    fresh = outcome.conflict["resourceVersion"]
    again = services.cluster_apply(
        cluster=cluster, text=WEB.replace("port: 80,", "port: 82,"), base_versions={"Service/default/web": fresh}
    )
    assert again.ok


def test_a_dry_run_saves_nothing_and_shows_objects_and_endpoints_that_would_change(make_cluster):
    cluster = make_cluster()
    services.cluster_apply(cluster=cluster, text=WEB)
    relabel = WEB.replace("version: v1}}", "version: v2}}", 1) + (
        "---\napiVersion: v1\nkind: Pod\nmetadata: {name: web-2, labels: {zone: prod, version: v1}}\n"
        "spec: {containers: [{name: web, image: nginx}]}\n"
    )
    outcome = services.cluster_apply(cluster=cluster, text=relabel, dry_run=True)
    assert outcome.ok
    diff = outcome.diff
    assert diff["created"] == ["Pod/default/web-2"] and diff["deleted"] == []
    assert [c["object"] for c in diff["changed"]] == ["Pod/default/web-1"]
    assert "-    version: v1" in diff["changed"][0]["diff"] and "+    version: v2" in diff["changed"][0]["diff"]
    gained, lost = diff["endpoints"]["default/web"]["gained"], diff["endpoints"]["default/web"]["lost"]
    assert any("web-2" in e for e in gained) and any("web-1" in e for e in lost)
    cluster.refresh_from_db()
    assert cluster.version == 2 and not models.Pod.objects.filter(cluster=cluster, name="web-2").exists()


def test_deleting_a_deployment_deletes_its_replicasets_and_pods_rows(make_cluster):
    cluster = make_cluster("webapp")
    assert models.ReplicaSet.objects.filter(cluster=cluster, owner_name="webapp").count() == 1
    outcome = services.cluster_delete_object(cluster=cluster, kind="Deployment", namespace="default", name="webapp")
    assert outcome.ok and outcome.results == ['deployment.apps "webapp" deleted']
    assert not models.ReplicaSet.objects.filter(cluster=cluster, owner_name="webapp").exists()
    # its pod is Terminating until its kubelet stops it; the paused clock's ticks let it finish
    assert models.Pod.objects.filter(cluster=cluster, name__startswith="webapp-").count() == 1
    kubelet_ticks(cluster, 2)
    assert not models.Pod.objects.filter(cluster=cluster, name__startswith="webapp-").exists()


def kubelet_ticks(cluster, count: int) -> None:
    """`count` ticks of a second each of the clock's ticker (the simulated clock is paused)."""
    for _ in range(count):
        row = models.Cluster.objects.get(pk=cluster.pk)
        now = (row.ticked_at or timezone.now()) + datetime.timedelta(seconds=services.TICK_SECONDS)
        services.cluster_tick(cluster_id=cluster.pk, now=now)


def test_a_deleted_daemonset_pod_comes_back(make_cluster):
    cluster = make_cluster("daemonset-fluentd")
    pod = models.Pod.objects.filter(cluster=cluster, owner_kind="DaemonSet").first()
    services.cluster_delete_object(cluster=cluster, kind="Pod", namespace=pod.namespace, name=pod.name)
    assert models.Pod.objects.filter(cluster=cluster, owner_kind="DaemonSet").count() == 3  # one Terminating
    kubelet_ticks(cluster, 2)
    assert models.Pod.objects.filter(cluster=cluster, owner_kind="DaemonSet").count() == 2
    assert not models.Pod.objects.filter(cluster=cluster, name=pod.name).exists()


def test_a_stale_snapshot_plus_the_pushed_changes_equals_a_fresh_snapshot(
    make_cluster, listener, django_capture_on_commit_callbacks
):
    cluster = make_cluster("zone-prod")
    _version, stale = selectors.cluster_entries(cluster)
    repository.clear_warm()  # the first edit restores cold; the next ones use the warm engine
    watch = listener(cluster.pk)
    edits = edit_sequence(cluster)
    state = client.LiveState(version=1, entries=stale)
    for edit in edits:
        with django_capture_on_commit_callbacks(execute=True):
            assert edit().ok
        for message in watch.drain():
            assert message["type"] == "cluster.change"
            assert state.receive(json.loads(message["text"])) is None
    cluster.refresh_from_db()
    assert state.version == cluster.version == 1 + len(edits)
    assert json.dumps(state.entries, sort_keys=True) == json.dumps(fresh_entries(cluster), sort_keys=True)


def test_a_change_is_serialised_once_and_small_for_a_one_pod_edit(
    make_cluster, listener, django_capture_on_commit_callbacks
):
    cluster = make_cluster("zone-prod")
    selectors.cluster_entries(cluster)  # warm
    watch = listener(cluster.pk)
    relabel = lessons.get("zone-prod").text.replace(
        "name: prod-1\n  labels:\n    zone: prod\n    version: v1",
        "name: prod-1\n  labels:\n    zone: prod\n    version: v2",
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.cluster_apply(cluster=cluster, text=relabel).ok
    [message] = watch.drain()
    assert isinstance(message["text"], str) and isinstance(message["patched"], str)  # relayed as they are
    whole, patched = json.loads(message["text"]), json.loads(message["patched"])
    for change in (whole, patched):
        assert change["base"] == 1 and change["version"] == 2
        assert "graph/edge/endpoint/default/prod/prod-1/80-TCP" in change["unset"]
        assert "object/Pod/default/prod-2" not in change["set"] and "object/Pod/default/prod-2" not in change.get(
            "patch", {}
        )
        assert change["cause"]["summary"] == [
            "pod/prod-1 configured",
            "pod/prod-2 unchanged",
            "pod/prod-3 unchanged",
            "service/prod unchanged",
        ]
    assert whole["set"]["object/Pod/default/prod-1"]["labels"] == {"zone": "prod", "version": "v2"}
    # for clients that apply merge patches, the relabelled pod travels as an RFC 7386 patch
    assert patched["patch"]["object/Pod/default/prod-1"]["labels"] == {"version": "v2"}
    assert len(message["patched"].encode()) < len(message["text"].encode()) < 4000


def test_the_clock_steps_jobs_forward_and_play_is_ticked_once_whatever_the_tickers(make_cluster):
    import datetime

    from django.utils import timezone

    cluster = make_cluster("jobs")
    services.cluster_clock(cluster=cluster, action="step", seconds=10)
    assert models.Pod.objects.filter(cluster=cluster, manifest__status__phase="Succeeded").count() >= 5
    assert services.cluster_tick(cluster_id=cluster.pk) is None  # paused: nothing to do
    services.cluster_clock(cluster=cluster, action="play")
    cluster.refresh_from_db()
    now = cluster.ticked_at + datetime.timedelta(seconds=1)
    first = services.cluster_tick(cluster_id=cluster.pk, now=now)
    second = services.cluster_tick(cluster_id=cluster.pk, now=now + datetime.timedelta(milliseconds=100))
    assert first is not None and second is None  # a second worker's ticker finds it done
    cluster.refresh_from_db()
    assert cluster.clock == pytest.approx(11.0)
    services.cluster_clock(cluster=cluster, action="pause")
    assert services.cluster_tick(cluster_id=cluster.pk, now=timezone.now() + datetime.timedelta(seconds=5)) is None


def test_a_fork_is_an_independent_copy(make_cluster):
    cluster = make_cluster("selector-and")
    fork = services.cluster_fork(cluster=cluster, name="alice")
    assert fork.slug == "alice" and fork.forked_from == cluster
    services.cluster_apply(cluster=fork, text=WEB)
    assert models.Pod.objects.filter(cluster=fork, name="web-1").exists()
    assert not models.Pod.objects.filter(cluster=cluster, name="web-1").exists()
    assert (
        fresh_entries(fork)["service/default/prod"]["endpoints"]
        and not fresh_entries(cluster)["service/default/prod"]["endpoints"]
    )


def test_deleting_a_namespace_deletes_the_rows_of_everything_in_it(make_cluster):
    cluster = make_cluster("namespaces")
    assert models.Pod.objects.filter(cluster=cluster, namespace="my-ns").exists()
    outcome = services.cluster_delete_object(cluster=cluster, kind="Namespace", namespace="", name="my-ns")
    assert outcome.ok
    for model in (models.Pod, models.Service):
        assert not model.objects.filter(cluster=cluster, namespace="my-ns").exists()
    assert not models.Namespace.objects.filter(cluster=cluster, name="my-ns").exists()
    assert models.Pod.objects.filter(cluster=cluster, namespace="test-ns").exists()
