"""PATCH bodies: RFC 7386 merge patch, RFC 6902 JSON patch, strategic merge patch with the list
keys of the Go struct tags, server-side apply."""

import json

import pytest

from simulator.kubeapi import patch
from simulator.kubeapi.status import ApiError


# RFC 7386 Appendix A, every example.
@pytest.mark.parametrize(
    ("target", "change", "result"),
    [
        ({"a": "b"}, {"a": "c"}, {"a": "c"}),
        ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
        ({"a": "b"}, {"a": None}, {}),
        ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
        ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
        ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
        ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
        ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
        (["a", "b"], ["c", "d"], ["c", "d"]),
        ({"a": "b"}, ["c"], ["c"]),
        ({"a": "foo"}, None, None),
        ({"a": "foo"}, "bar", "bar"),
        ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
        ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
        ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
    ],
)
def test_merge_patch_follows_every_example_of_rfc_7386(target, change, result):
    assert patch.merge_patch(target, change) == result


# RFC 6902 Appendix A.1-A.10, A.16.
@pytest.mark.parametrize(
    ("document", "operations", "result"),
    [
        ({"foo": "bar"}, [{"op": "add", "path": "/baz", "value": "qux"}], {"baz": "qux", "foo": "bar"}),
        ({"foo": ["bar", "baz"]}, [{"op": "add", "path": "/foo/1", "value": "qux"}], {"foo": ["bar", "qux", "baz"]}),
        ({"baz": "qux", "foo": "bar"}, [{"op": "remove", "path": "/baz"}], {"foo": "bar"}),
        ({"foo": ["bar", "qux", "baz"]}, [{"op": "remove", "path": "/foo/1"}], {"foo": ["bar", "baz"]}),
        (
            {"baz": "qux", "foo": "bar"},
            [{"op": "replace", "path": "/baz", "value": "boo"}],
            {"baz": "boo", "foo": "bar"},
        ),
        (
            {"foo": {"bar": "baz", "waldo": "fred"}, "qux": {"corge": "grault"}},
            [{"op": "move", "from": "/foo/waldo", "path": "/qux/thud"}],
            {"foo": {"bar": "baz"}, "qux": {"corge": "grault", "thud": "fred"}},
        ),
        (
            {"foo": ["all", "grass", "cows", "eat"]},
            [{"op": "move", "from": "/foo/1", "path": "/foo/3"}],
            {"foo": ["all", "cows", "eat", "grass"]},
        ),
        (
            {"baz": "qux", "foo": ["a", 2, "c"]},
            [{"op": "test", "path": "/baz", "value": "qux"}, {"op": "test", "path": "/foo/1", "value": 2}],
            {"baz": "qux", "foo": ["a", 2, "c"]},
        ),
        (
            {"foo": "bar"},
            [{"op": "add", "path": "/child", "value": {"grandchild": {}}}],
            {"foo": "bar", "child": {"grandchild": {}}},
        ),
        (
            {"foo": ["bar"]},
            [{"op": "add", "path": "/foo/-", "value": ["abc", "def"]}],
            {"foo": ["bar", ["abc", "def"]]},
        ),
        (
            {"a/b": 1, "m~n": 2},
            [{"op": "replace", "path": "/a~1b", "value": 3}, {"op": "remove", "path": "/m~0n"}],
            {"a/b": 3},
        ),
    ],
)
def test_json_patch_follows_the_examples_of_rfc_6902(document, operations, result):
    assert patch.json_patch(document, operations) == result


@pytest.mark.parametrize(
    "operations",
    [
        [{"op": "test", "path": "/baz", "value": "bar"}],  # A.9
        [{"op": "add", "path": "/baz/bat", "value": "qux"}],  # A.12
        [{"op": "replace", "path": "/missing", "value": 1}],
        [{"op": "remove", "path": "/foo/9"}],
    ],
)
def test_a_json_patch_that_does_not_apply_is_unprocessable(operations):
    with pytest.raises(ApiError) as caught:
        patch.json_patch({"baz": "qux", "foo": ["a"]}, operations)
    assert caught.value.code == 422


def deployment():
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "labels": {"app": "web", "tier": "front"}, "finalizers": ["a", "b"]},
        "spec": {
            "replicas": 2,
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
            "template": {
                "spec": {
                    "containers": [
                        {
                            "name": "web",
                            "image": "nginx:1.25",
                            "args": ["-a", "-b"],
                            "ports": [{"containerPort": 80, "protocol": "TCP"}],
                            "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                        },
                        {"name": "sidecar", "image": "busybox"},
                    ],
                    "volumes": [{"name": "data", "emptyDir": {}}],
                }
            },
        },
    }


def smp(live, change):
    return patch.apply_patch("Deployment", live, json.dumps(change).encode(), patch.STRATEGIC_MERGE_PATCH)


def containers(obj):
    return obj["spec"]["template"]["spec"]["containers"]


def test_set_image_merges_the_container_by_name_and_keeps_the_rest():
    result = smp(
        deployment(), {"spec": {"template": {"spec": {"containers": [{"name": "web", "image": "nginx:1.26"}]}}}}
    )
    web, sidecar = containers(result)
    assert web["image"] == "nginx:1.26" and web["ports"] == [{"containerPort": 80, "protocol": "TCP"}]
    assert sidecar == {"name": "sidecar", "image": "busybox"}


def test_container_ports_merge_by_container_port_and_env_by_name():
    result = smp(
        deployment(),
        {
            "spec": {
                "template": {
                    "spec": {
                        "containers": [
                            {
                                "name": "web",
                                "ports": [{"containerPort": 443, "protocol": "TCP"}],
                                "env": [{"name": "B", "value": "3"}, {"name": "A", "$patch": "delete"}],
                            }
                        ]
                    }
                }
            }
        },
    )
    web = containers(result)[0]
    assert [p["containerPort"] for p in web["ports"]] == [80, 443]
    assert web["env"] == [{"name": "B", "value": "3"}]


def test_lists_without_a_merge_strategy_are_replaced():
    result = smp(deployment(), {"spec": {"template": {"spec": {"containers": [{"name": "web", "args": ["-c"]}]}}}})
    assert containers(result)[0]["args"] == ["-c"]


def test_retain_keys_drops_the_fields_it_does_not_list():
    change = {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate", "rollingUpdate": None}}}
    assert smp(deployment(), change)["spec"]["strategy"] == {"type": "Recreate"}


def test_set_element_order_reorders_the_merged_list():
    change = {"spec": {"template": {"spec": {"$setElementOrder/containers": [{"name": "sidecar"}, {"name": "web"}]}}}}
    assert [c["name"] for c in containers(smp(deployment(), change))] == ["sidecar", "web"]


def test_delete_from_primitive_list_removes_those_values():
    change = {"metadata": {"$deleteFromPrimitiveList/finalizers": ["a"]}}
    assert smp(deployment(), change)["metadata"]["finalizers"] == ["b"]


def test_a_merging_primitive_list_is_the_union():
    change = {"metadata": {"finalizers": ["c", "a"]}}
    assert smp(deployment(), change)["metadata"]["finalizers"] == ["a", "b", "c"]


def test_patch_replace_in_a_map_replaces_it_and_patch_delete_removes_a_list_element():
    result = smp(deployment(), {"metadata": {"labels": {"$patch": "replace", "app": "web2"}}})
    assert result["metadata"]["labels"] == {"app": "web2"}
    result = smp(
        deployment(), {"spec": {"template": {"spec": {"containers": [{"name": "sidecar", "$patch": "delete"}]}}}}
    )
    assert [c["name"] for c in containers(result)] == ["web"]


def test_a_list_patch_element_with_patch_replace_replaces_the_whole_list():
    change = {"spec": {"template": {"spec": {"volumes": [{"name": "cache", "emptyDir": {}}, {"$patch": "replace"}]}}}}
    assert smp(deployment(), change)["spec"]["template"]["spec"]["volumes"] == [{"name": "cache", "emptyDir": {}}]


def test_null_deletes_a_label_and_a_field():
    result = smp(deployment(), {"metadata": {"labels": {"tier": None}}, "spec": {"strategy": {"rollingUpdate": None}}})
    assert result["metadata"]["labels"] == {"app": "web"}
    assert result["spec"]["strategy"] == {"type": "RollingUpdate"}


def test_kubectl_apply_three_way_patches_set_the_annotation_and_the_changed_fields():
    last = json.dumps({"spec": {"replicas": 3}})
    change = {
        "metadata": {"annotations": {"kubectl.kubernetes.io/last-applied-configuration": last}},
        "spec": {"replicas": 3},
    }
    result = smp(deployment(), change)
    assert result["spec"]["replicas"] == 3
    assert result["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"] == last


def test_kubectl_edit_turning_a_service_into_a_node_port_merges_ports_by_port():
    service = {
        "kind": "Service",
        "metadata": {"name": "webapp"},
        "spec": {
            "type": "ClusterIP",
            "ports": [{"port": 8080, "protocol": "TCP", "targetPort": 8080}, {"port": 9090, "protocol": "TCP"}],
        },
    }
    change = {"spec": {"type": "NodePort", "ports": [{"port": 8080, "nodePort": 30430}]}}
    result = patch.apply_patch("Service", service, json.dumps(change).encode(), patch.STRATEGIC_MERGE_PATCH)
    assert result["spec"]["type"] == "NodePort"
    assert result["spec"]["ports"] == [
        {"port": 8080, "protocol": "TCP", "targetPort": 8080, "nodePort": 30430},
        {"port": 9090, "protocol": "TCP"},
    ]


def test_label_and_scale_send_merge_patches():
    labelled = patch.apply_patch(
        "Pod", {"metadata": {"name": "p"}}, b'{"metadata":{"labels":{"tier":"frontend"}}}', patch.MERGE_PATCH
    )
    assert labelled["metadata"]["labels"] == {"tier": "frontend"}
    scaled = patch.apply_patch(
        "Scale", {"spec": {"replicas": 2}}, b'{"spec":{"replicas":4}}', "application/merge-patch+json; charset=utf-8"
    )
    assert scaled["spec"]["replicas"] == 4


def test_server_side_apply_creates_a_missing_object_and_merges_into_a_live_one():
    applied = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"replicas": 5}}
    body = json.dumps(applied).encode()
    assert patch.apply_patch("Deployment", None, body, patch.APPLY_PATCH) == applied
    merged = patch.apply_patch("Deployment", deployment(), body, patch.APPLY_PATCH)
    assert merged["spec"]["replicas"] == 5 and len(containers(merged)) == 2


def test_server_side_apply_reads_yaml_bodies():
    merged = patch.apply_patch("Deployment", deployment(), b"spec:\n  replicas: 7\n", patch.APPLY_PATCH)
    assert merged["spec"]["replicas"] == 7


@pytest.mark.parametrize(
    ("body", "content_type", "code"),
    [
        (b"{}", "application/xml", 415),
        (b"{not json", patch.MERGE_PATCH, 400),
        (b"[1]", patch.STRATEGIC_MERGE_PATCH, 400),
        (b'{"op":"add"}', patch.JSON_PATCH, 400),
        (b'{"spec":{"template":{"spec":{"containers":[{"image":"x"}]}}}}', patch.STRATEGIC_MERGE_PATCH, 400),
    ],
)
def test_bodies_that_are_not_patches_of_their_type_are_refused(body, content_type, code):
    with pytest.raises(ApiError) as caught:
        patch.apply_patch("Deployment", deployment(), body, content_type)
    assert caught.value.code == code


def test_the_live_object_is_never_modified_in_place():
    live = deployment()
    smp(live, {"spec": {"template": {"spec": {"containers": [{"name": "web", "image": "x"}]}}}})
    patch.apply_patch("Deployment", live, b'[{"op":"replace","path":"/spec/replicas","value":9}]', patch.JSON_PATCH)
    assert live == deployment()
