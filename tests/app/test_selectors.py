"""Named reads: the YAML download, and the answers that need the engine, read at one version."""

from __future__ import annotations

import pytest

from simulator import selectors

pytestmark = pytest.mark.django_db


def test_the_download_of_an_untouched_cluster_says_it_holds_only_defaults(make_cluster):
    cluster = make_cluster()
    assert "nothing beyond the defaults" in selectors.cluster_export_yaml(cluster)


def test_a_lookup_and_a_trace_are_answered_from_the_engine_at_the_clusters_version(make_cluster):
    cluster = make_cluster("webapp")
    answer = selectors.cluster_resolve(cluster, source="default/busybox", name="webapp")
    assert answer["rcode"] == "NOERROR" and answer["fqdn"] == "webapp.default.svc.cluster.local."
    assert [a["type"] for a in answer["answers"]] == ["A"]
    request = selectors.cluster_trace(cluster, source="default/busybox", url="http://webapp:8080/")
    assert request["query"] == "request" and request["ok"] is True


def test_asking_about_an_object_the_cluster_does_not_hold_is_a_clear_error(make_cluster):
    cluster = make_cluster("webapp")
    version, facts = selectors.cluster_explain_service(cluster, namespace="default", name="webapp")
    assert version == cluster.version and facts["service"] == "default/webapp"
    with pytest.raises(selectors.NotFound, match="no Service default/nope in this cluster"):
        selectors.cluster_explain_service(cluster, namespace="default", name="nope")
    with pytest.raises(selectors.NotFound, match="no Pod kube-system/busybox in this cluster"):
        selectors.cluster_explain_pod(cluster, namespace="kube-system", name="busybox")
