"""Discovery, /version and content negotiation (apidiscovery v2/v2beta1; what kubectl 1.27-1.37 ask for)."""

import pytest

from simulator.kubeapi import discovery, negotiation, registry

V2_ACCEPT_130 = (
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
    "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json"
)
V2BETA1_ACCEPT_127 = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json"
TABLE_ACCEPT = (
    "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"
)


@pytest.mark.parametrize(
    ("accept", "form", "content_type"),
    [
        (V2_ACCEPT_130, "discovery", "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"),
        (V2BETA1_ACCEPT_127, "discovery", "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList"),
        ("application/json", "object", "application/json"),
        (None, "object", "application/json"),
        (
            "application/json;g=apidiscovery.k8s.io;v=v3;as=APIGroupDiscoveryList,application/json",
            "object",
            "application/json",
        ),
    ],
)
def test_discovery_answers_the_first_aggregated_form_the_client_asks_for_with_that_exact_content_type(
    accept, form, content_type
):
    chosen = negotiation.for_discovery(accept)
    assert (chosen.form, chosen.content_type) == (form, content_type)


@pytest.mark.parametrize(
    ("accept", "form", "version"),
    [
        (TABLE_ACCEPT, "table", "v1"),
        ("application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json", "table", "v1beta1"),
        ("application/json", "object", None),
        ("application/vnd.kubernetes.protobuf,application/json", "object", None),
        ("application/json;as=Table;v=v2;g=meta.k8s.io,application/json", "object", None),
    ],
)
def test_a_get_is_printed_as_a_table_only_when_the_client_asks_for_one(accept, form, version):
    chosen = negotiation.for_resource(accept)
    assert (chosen.form, chosen.version) == (form, version)


def test_aggregated_discovery_puts_the_core_group_under_api_and_the_named_groups_under_apis():
    core = discovery.aggregated("core", "v2")
    groups = discovery.aggregated("groups", "v2beta1")
    assert core["apiVersion"] == "apidiscovery.k8s.io/v2"
    assert groups["apiVersion"] == "apidiscovery.k8s.io/v2beta1"
    assert [item["metadata"].get("name") for item in core["items"]] == [None]
    assert [item["metadata"]["name"] for item in groups["items"]] == [
        "apps",
        "batch",
        "networking.k8s.io",
        "discovery.k8s.io",
        "authorization.k8s.io",
        "autoscaling",
    ]


def test_aggregated_discovery_carries_short_names_categories_scope_and_subresources():
    core = discovery.aggregated("core", "v2")["items"][0]["versions"][0]["resources"]
    pods = next(r for r in core if r["resource"] == "pods")
    assert pods["shortNames"] == ["po"]
    assert pods["categories"] == ["all"]
    assert pods["scope"] == "Namespaced"
    assert {s["subresource"]: s["responseKind"]["kind"] for s in pods["subresources"]} == {
        "exec": "PodExecOptions",
        "log": "Pod",
        "status": "Pod",
    }
    apps = discovery.aggregated("groups", "v2")["items"][0]["versions"][0]["resources"]
    deployments = next(r for r in apps if r["resource"] == "deployments")
    scale = next(s for s in deployments["subresources"] if s["subresource"] == "scale")
    assert scale["responseKind"] == {"group": "autoscaling", "version": "v1", "kind": "Scale"}
    nodes = next(r for r in core if r["resource"] == "nodes")
    assert nodes["scope"] == "Cluster"


def test_legacy_discovery_lists_subresources_as_their_own_entries():
    resources = discovery.api_resource_list("apps/v1")["resources"]
    names = [r["name"] for r in resources]
    assert "deployments/scale" in names and "deployments/status" in names
    scale = next(r for r in resources if r["name"] == "deployments/scale")
    assert (scale["group"], scale["version"], scale["kind"]) == ("autoscaling", "v1", "Scale")
    assert discovery.api_resource_list("storage.k8s.io/v1") is None


def test_get_all_reaches_exactly_the_kinds_in_the_all_category():
    in_all = sorted(r.resource for r in registry.RESOURCES if "all" in r.categories)
    assert in_all == ["daemonsets", "deployments", "jobs", "pods", "replicasets", "services"]


@pytest.mark.parametrize(
    ("typed", "kind"),
    [
        ("po", "Pod"),
        ("svc", "Service"),
        ("deploy", "Deployment"),
        ("ep", "Endpoints"),
        ("ns", "Namespace"),
        ("no", "Node"),
        ("ev", "Event"),
        ("rs", "ReplicaSet"),
        ("ds", "DaemonSet"),
        ("ing", "Ingress"),
        ("cm", "ConfigMap"),
        ("sa", "ServiceAccount"),
        ("jobs", "Job"),
        ("deployment.apps", "Deployment"),
        ("endpointslices", "EndpointSlice"),
        ("ingressclass", "IngressClass"),
    ],
)
def test_every_name_kubectl_users_type_resolves_to_its_kind(typed, kind):
    assert registry.resolve_name(typed).kind == kind


def test_version_reports_the_configured_release():
    info = discovery.ServerVersion("v1.33.1").info()
    assert (info["major"], info["minor"], info["gitVersion"]) == ("1", "33", "v1.33.1")


def test_the_openapi_v2_stub_is_an_empty_body_with_a_plain_content_type():
    body, content_type = discovery.OPENAPI_V2_STUB
    assert body == b"" and content_type == "application/octet-stream"
