"""/version, discovery in its legacy and aggregated forms, and the OpenAPI v2 stub.

Shapes: k8s.io/apimachinery/pkg/version.Info, meta/v1 APIVersions / APIGroupList /
APIResourceList, and k8s.io/api/apidiscovery/v2 (and v2beta1, identical but for apiVersion)
APIGroupDiscoveryList. What each kubectl version asks for and accepts (recorded from kubectl 1.27-1.37):
1.27-1.29 ask for v2beta1, 1.30+ for v2 then v2beta1; every version falls back to legacy JSON.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import registry
from .negotiation import Representation
from .registry import Resource

DEFAULT_SERVER_VERSION = "v1.33.1"


@dataclass(frozen=True)
class ServerVersion:
    git_version: str = DEFAULT_SERVER_VERSION

    def info(self) -> dict:
        """GET /version (version.Info). kubectl warns when its minor differs by more than one."""
        major, minor, *_ = self.git_version.lstrip("v").split(".")
        return {
            "major": major,
            "minor": minor,
            "emulationMajor": major,
            "emulationMinor": minor,
            "minCompatibilityMajor": major,
            "minCompatibilityMinor": str(max(int(minor) - 1, 0)),
            "gitVersion": self.git_version,
            "gitCommit": "0000000000000000000000000000000000000000",
            "gitTreeState": "clean",
            "buildDate": "2026-01-01T00:00:00Z",
            "goVersion": "go1.24.0",
            "compiler": "gc",
            "platform": "linux/amd64",
        }


# ---------------------------------------------------------------------- legacy discovery
def api_versions(server_address: str) -> dict:
    """GET /api: the core group's versions."""
    return {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}],
    }


def _group_entry(group: str) -> dict:
    gv = {"groupVersion": f"{group}/v1", "version": "v1"}
    return {"name": group, "versions": [gv], "preferredVersion": gv}


def api_group_list() -> dict:
    """GET /apis: the named groups (autoscaling too: /scale answers in autoscaling/v1)."""
    groups = [*registry.GROUP_ORDER, "autoscaling"]
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": [_group_entry(g) for g in groups]}


def api_group(group: str) -> dict | None:
    """GET /apis/<group>."""
    if group not in (*registry.GROUP_ORDER, "autoscaling"):
        return None
    return {"kind": "APIGroup", "apiVersion": "v1", **_group_entry(group)}


def _legacy_entries(resource: Resource) -> list[dict]:
    entry = {
        "name": resource.resource,
        "singularName": resource.singular,
        "namespaced": resource.namespaced,
        "kind": resource.kind,
        "verbs": list(resource.verbs),
    }
    if resource.short_names:
        entry["shortNames"] = list(resource.short_names)
    if resource.categories:
        entry["categories"] = list(resource.categories)
    out = [entry]
    for sub in resource.subresources:
        item = {
            "name": f"{resource.resource}/{sub.name}",
            "singularName": "",
            "namespaced": resource.namespaced,
            "kind": sub.kind,
            "verbs": list(sub.verbs),
        }
        if sub.group is not None:
            item["group"] = sub.group
            item["version"] = sub.version
        out.append(item)
    return out


def api_resource_list(group_version: str) -> dict | None:
    """GET /api/v1 or /apis/<group>/v1: the APIResourceList (None when the version is not served)."""
    served = registry.group_versions()
    if group_version == "autoscaling/v1":
        resources: list[Resource] = []
    elif group_version in served:
        resources = served[group_version]
    else:
        return None
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": group_version,
        "resources": [e for r in resources for e in _legacy_entries(r)],
    }


# ---------------------------------------------------------------------- aggregated discovery
def _aggregated_resource(resource: Resource) -> dict:
    entry = {
        "resource": resource.resource,
        "responseKind": {"group": resource.group, "version": resource.version, "kind": resource.kind},
        "scope": "Namespaced" if resource.namespaced else "Cluster",
        "singularResource": resource.singular,
        "verbs": list(resource.verbs),
    }
    if resource.short_names:
        entry["shortNames"] = list(resource.short_names)
    if resource.categories:
        entry["categories"] = list(resource.categories)
    if resource.subresources:
        entry["subresources"] = [
            {
                "subresource": sub.name,
                "responseKind": {
                    "group": resource.group if sub.group is None else sub.group,
                    "version": resource.version if sub.version is None else sub.version,
                    "kind": sub.kind,
                },
                "verbs": list(sub.verbs),
            }
            for sub in resource.subresources
        ]
    return entry


def aggregated(scope: str, version: str) -> dict:
    """The APIGroupDiscoveryList for /api (`scope` "core") or /apis (`scope` "groups"), in
    apidiscovery.k8s.io `version` (v2 or v2beta1)."""
    served = registry.group_versions()
    items = []
    names = [""] if scope == "core" else [*registry.GROUP_ORDER, "autoscaling"]
    for group in names:
        gv = f"{group}/v1" if group else "v1"
        metadata = {"name": group, "creationTimestamp": None} if group else {"creationTimestamp": None}
        items.append(
            {
                "metadata": metadata,
                "versions": [
                    {
                        "version": "v1",
                        "resources": [_aggregated_resource(r) for r in served.get(gv, [])],
                        "freshness": "Current",
                    }
                ],
            }
        )
    return {
        "kind": "APIGroupDiscoveryList",
        "apiVersion": f"apidiscovery.k8s.io/{version}",
        "metadata": {},
        "items": items,
    }


def discovery_document(scope: str, representation: Representation, server_address: str) -> dict:
    """What GET /api (`scope` "core") or /apis ("groups") answers for the negotiated representation."""
    if representation.form == "discovery":
        return aggregated(scope, representation.version or "v2")
    return api_versions(server_address) if scope == "core" else api_group_list()


# ---------------------------------------------------------------------- OpenAPI
# Recorded with kubectl 1.27-1.33: an empty body is an empty, valid OpenAPI v2 protobuf document; with it every
# kubectl from 1.27 on goes ahead with apply/create -f/edit and sends fieldValidation=Strict.
# The content type must be plain: answering the type the client asks for
# (application/com.github.proto-openapi.spec.v2@v1.0+protobuf) breaks Go's MIME parser.
OPENAPI_V2_STUB = (b"", "application/octet-stream")
