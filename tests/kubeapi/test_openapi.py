"""/openapi/v3: the vendored v1.33 documents, their root, and agreement with the Go struct tags."""

import hashlib
import json

import pytest

from simulator.kubeapi import gotypes, openapi


def test_the_root_lists_every_served_group_version_under_the_clusters_prefix_with_its_hash():
    root = openapi.root("/k8s/abc")
    assert sorted(root["paths"]) == sorted(openapi.GROUP_VERSIONS)
    url = root["paths"]["apis/apps/v1"]["serverRelativeURL"]
    digest = hashlib.sha512(openapi.document("apis/apps/v1")).hexdigest().upper()
    assert url == f"/k8s/abc/openapi/v3/apis/apps/v1?hash={digest}"


def test_documents_name_the_kinds_they_describe():
    schemas = json.loads(openapi.document("api/v1"))["components"]["schemas"]
    assert schemas["io.k8s.api.core.v1.Pod"]["x-kubernetes-group-version-kind"] == [
        {"group": "", "kind": "Pod", "version": "v1"}
    ]
    assert openapi.document("apis/storage.k8s.io/v1") is None


@pytest.mark.parametrize(
    ("document", "schema", "package", "struct"),
    [
        ("api/v1", "io.k8s.api.core.v1.PodSpec", "core/v1", "PodSpec"),
        ("api/v1", "io.k8s.api.core.v1.Container", "core/v1", "Container"),
        ("api/v1", "io.k8s.api.core.v1.ServiceSpec", "core/v1", "ServiceSpec"),
        ("api/v1", "io.k8s.api.core.v1.PodStatus", "core/v1", "PodStatus"),
        ("apis/apps/v1", "io.k8s.api.apps.v1.DeploymentStatus", "apps/v1", "DeploymentStatus"),
    ],
)
def test_the_openapi_patch_metadata_agrees_with_the_go_struct_tags(document, schema, package, struct):
    """Two upstream sources, one truth: x-kubernetes-patch-strategy/merge-key vs patchStrategy/patchMergeKey."""
    properties = json.loads(openapi.document(document))["components"]["schemas"][schema]["properties"]
    go = gotypes.struct_type(package, struct).by_json
    for name, prop in properties.items():
        assert name in go, f"{schema}.{name} is not a field of {struct}"
        strategy = tuple(s for s in prop.get("x-kubernetes-patch-strategy", "").split(",") if s)
        assert go[name].patch_strategy == strategy, name
        assert go[name].patch_merge_key == prop.get("x-kubernetes-patch-merge-key"), name
