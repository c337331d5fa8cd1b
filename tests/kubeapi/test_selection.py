"""Label and field selectors on lists (apimachinery fields/labels; the registries' selectable fields)."""

import pytest

from simulator.kubeapi import selection
from simulator.kubeapi.status import ApiError


def pod(name, namespace="default", node="worker-1", phase="Running", labels=None):
    return {
        "metadata": {"name": name, "namespace": namespace, "labels": labels or {}},
        "spec": {"nodeName": node, "restartPolicy": "Always"},
        "status": {"phase": phase, "podIP": "10.244.1.2"},
    }


PODS = [
    pod("web-1", labels={"app": "web", "tier": "front"}),
    pod("web-2", node="worker-2", labels={"app": "web"}),
    pod("job-1", phase="Succeeded", labels={"job-name": "oneshot"}),
    pod("dns-1", namespace="kube-system", phase="Running", labels={"k8s-app": "kube-dns"}),
]


def names(objects):
    return [o["metadata"]["name"] for o in objects]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (selection.ListQuery(namespace="default"), ["job-1", "web-1", "web-2"]),
        (selection.ListQuery(), ["job-1", "web-1", "web-2", "dns-1"]),
        (selection.ListQuery(label_selector="app=web"), ["web-1", "web-2"]),
        (selection.ListQuery(label_selector="app=web,tier!=front"), ["web-2"]),
        (selection.ListQuery(label_selector="job-name=oneshot"), ["job-1"]),
        (selection.ListQuery(label_selector="app in (web),!tier"), ["web-2"]),
        (selection.ListQuery(field_selector="metadata.name=web-1"), ["web-1"]),
        (selection.ListQuery(field_selector="spec.nodeName=worker-2"), ["web-2"]),
        (
            selection.ListQuery(field_selector="spec.nodeName=worker-1,status.phase!=Succeeded,status.phase!=Failed"),
            ["web-1", "dns-1"],
        ),
        (selection.ListQuery(field_selector="metadata.namespace==kube-system"), ["dns-1"]),
    ],
)
def test_lists_keep_what_the_namespace_and_selectors_select(query, expected):
    assert names(selection.select("Pod", PODS, query)) == expected


def test_events_are_selected_by_their_involved_object_as_describe_asks():
    events = [
        {
            "metadata": {"name": "a", "namespace": "default"},
            "involvedObject": {"name": "web", "kind": "Service", "uid": "u1", "namespace": "default"},
        },
        {
            "metadata": {"name": "b", "namespace": "default"},
            "involvedObject": {"name": "web", "kind": "Deployment", "uid": "u2", "namespace": "default"},
        },
    ]
    query = selection.ListQuery(
        namespace="default",
        field_selector="involvedObject.name=web,involvedObject.namespace=default,involvedObject.kind=Service,involvedObject.uid=u1",
    )
    assert names(selection.select("Event", events, query)) == ["a"]


def test_escaped_commas_and_equals_are_part_of_the_value():
    assert selection.parse_field_selector(r"metadata.name=a\,b\=c") == (
        selection.FieldRequirement("metadata.name", "=", "a,b=c"),
    )


@pytest.mark.parametrize(
    ("kind", "selector", "message"),
    [
        ("Pod", "spec.foo=bar", "field label not supported: spec.foo"),
        ("Service", "status.phase=Running", "field label not supported: status.phase"),
        ("Pod", "metadata.name", "invalid selector: 'metadata.name'; can't understand 'metadata.name'"),
    ],
)
def test_unsupported_or_malformed_field_selectors_are_bad_requests(kind, selector, message):
    with pytest.raises(ApiError) as caught:
        selection.select(kind, PODS, selection.ListQuery(field_selector=selector))
    assert (caught.value.code, caught.value.message) == (400, message)


def test_a_malformed_label_selector_is_a_bad_request_in_apimachinerys_words():
    with pytest.raises(ApiError) as caught:
        selection.select("Pod", PODS, selection.ListQuery(label_selector="a in ("))
    assert caught.value.code == 400
    assert caught.value.message == "unable to parse requirement: found '', expected: ',', ')' or identifier"


def test_a_list_object_has_the_list_kind_the_resource_version_and_bare_items():
    listed = selection.list_object("Pod", "v1", [{"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "a"}}], "17")
    assert listed == {
        "kind": "PodList",
        "apiVersion": "v1",
        "metadata": {"resourceVersion": "17"},
        "items": [{"metadata": {"name": "a"}}],
    }
