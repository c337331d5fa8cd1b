"""The URL paths of the API, parsed: what a request names (apiserver/pkg/endpoints/request
RequestInfoFactory, in short).

`/api/v1/namespaces/default/pods/web/log` -> Route(kind="resource", group "", version v1,
namespace default, resource pods, name web, subresource log). Discovery, /version and the
OpenAPI documents get their own kinds. Paths that name no served resource raise
`status.unknown_path()` (404 "the server could not find the requested resource").
"""

from __future__ import annotations

from dataclasses import dataclass

from . import registry, status
from .registry import Resource


@dataclass(frozen=True)
class Route:
    kind: str  # version, api, apis, group, resources, resource, openapi-v2, openapi-v3
    group: str = ""
    version: str = ""
    resource: Resource | None = None
    namespace: str | None = None
    name: str | None = None
    subresource: str | None = None
    rest: str = ""  # openapi-v3: the path after /openapi/v3


def parse(path: str) -> Route:
    parts = [p for p in path.split("?", 1)[0].split("/") if p]
    if parts == ["version"]:
        return Route("version")
    if parts[:2] == ["openapi", "v2"] and len(parts) == 2:
        return Route("openapi-v2")
    if parts[:2] == ["openapi", "v3"]:
        return Route("openapi-v3", rest="/".join(parts[2:]))
    if parts == ["api"]:
        return Route("api")
    if parts == ["apis"]:
        return Route("apis")
    if parts[:1] == ["api"]:
        return _resource_path("", parts[1], parts[2:]) if len(parts) >= 2 else Route("api")
    if parts[:1] == ["apis"] and len(parts) == 2:
        return Route("group", group=parts[1])
    if parts[:1] == ["apis"] and len(parts) >= 3:
        return _resource_path(parts[1], parts[2], parts[3:])
    raise status.unknown_path()


def _resource_path(group: str, version: str, rest: list[str]) -> Route:
    if not rest:
        return Route("resources", group=group, version=version)
    namespace = None
    if rest[0] == "namespaces" and len(rest) >= 3:
        candidate = rest[2]
        try:
            registry.lookup(group, version, candidate)
            namespace, rest = rest[1], rest[2:]
        except registry.UnknownResource:
            if group != "" or candidate not in ("status", "finalize"):
                raise status.unknown_path() from None
    try:
        resource = registry.lookup(group, version, rest[0])
    except registry.UnknownResource:
        raise status.unknown_path() from None
    if namespace is not None and not resource.namespaced:
        raise status.unknown_path()
    name = rest[1] if len(rest) >= 2 else None
    subresource = rest[2] if len(rest) >= 3 else None
    if len(rest) > 3 or (subresource is not None and resource.subresource(subresource) is None):
        raise status.unknown_path()
    return Route("resource", group, version, resource, namespace, name, subresource)
