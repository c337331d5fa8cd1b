"""The paths that name no resource: `/version`, discovery (`/api`, `/apis`, a group, a group
version's resource list) and OpenAPI (`/openapi/v2`, `/openapi/v3[/...]`).

One answer for the product's server (simulator/web/apiserver.py) and the tests' recording server
(tests/kubeapi/kubeserver.py), so the two cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import discovery, kubeconfig, negotiation, openapi, status
from .routes import Route


@dataclass(frozen=True)
class Answer:
    """Code, body (a JSON-able object, or bytes already encoded) and content type."""

    code: int
    body: object
    content_type: str = "application/json"


def answer(route: Route, accept: str | None, host: str, token: str) -> Answer | None:
    """The answer to a path that names no resource, or None when the route names one.

    Raises status.ApiError (404 in the API server's words) for a group, group version or
    OpenAPI document that is not served. `host` goes into aggregated discovery's server address;
    `token` is the credential in the path, so the OpenAPI v3 root lists paths kubectl can fetch."""
    if route.kind == "version":
        return Answer(200, discovery.ServerVersion().info())
    if route.kind in ("api", "apis"):
        chosen = negotiation.for_discovery(accept)
        scope = "core" if route.kind == "api" else "groups"
        return Answer(200, discovery.discovery_document(scope, chosen, host), chosen.content_type)
    if route.kind == "group":
        return Answer(200, _found(discovery.api_group(route.group)))
    if route.kind == "resources":
        group_version = f"{route.group}/{route.version}" if route.group else route.version
        return Answer(200, _found(discovery.api_resource_list(group_version)))
    if route.kind == "openapi-v2":
        payload, content_type = discovery.OPENAPI_V2_STUB
        return Answer(200, payload, content_type)
    if route.kind == "openapi-v3":
        if not route.rest:
            return Answer(200, openapi.root(f"/{kubeconfig.PREFIX}/{token}"))
        return Answer(200, _found(openapi.document(route.rest)), openapi.CONTENT_TYPE)
    return None


def _found(document):
    if document is None:
        raise status.unknown_path()
    return document
