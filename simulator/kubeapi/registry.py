"""The resources kubeviz serves, as the API server registers them.

One `Resource` per served kind: its group/version, plural resource, singular, kind, short names,
verbs, scope, categories and subresources. Discovery, routing, errors and printing all read this
table. The entries mirror what a v1.33 API server publishes in discovery for the same resources
(pkg/registry/<group>/<resource>/storage: ShortNames(), Categories(), the verbs the REST storage
implements; `kubectl api-resources -o wide` on a kind cluster shows the same).
"""

from __future__ import annotations

from dataclasses import dataclass, field

READ_WRITE = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
# Namespaces have no deletecollection (pkg/registry/core/namespace/storage implements no DeleteCollection).
NAMESPACE_VERBS = ("create", "delete", "get", "list", "patch", "update", "watch")
STATUS_VERBS = ("get", "patch", "update")


@dataclass(frozen=True)
class Subresource:
    name: str  # status, scale, log, exec
    kind: str
    verbs: tuple[str, ...]
    group: str | None = None  # the response kind's group when it differs (autoscaling for scale)
    version: str | None = None


@dataclass(frozen=True)
class Resource:
    group: str  # "" for the core group
    version: str
    resource: str  # plural: pods
    singular: str
    kind: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    verbs: tuple[str, ...] = READ_WRITE
    subresources: tuple[Subresource, ...] = field(default=())

    @property
    def group_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def api_version(self) -> str:
        return self.group_version

    @property
    def qualified_resource(self) -> str:
        """schema.GroupResource.String(): `pods`, `deployments.apps` (errors name resources so)."""
        return f"{self.resource}.{self.group}" if self.group else self.resource

    @property
    def qualified_kind(self) -> str:
        """schema.GroupKind.String(): `Pod`, `Deployment.apps`."""
        return f"{self.kind}.{self.group}" if self.group else self.kind

    def subresource(self, name: str) -> Subresource | None:
        return next((s for s in self.subresources if s.name == name), None)


_STATUS = lambda kind: Subresource("status", kind, STATUS_VERBS)  # noqa: E731
_SCALE = Subresource("scale", "Scale", STATUS_VERBS, group="autoscaling", version="v1")

RESOURCES: tuple[Resource, ...] = (
    Resource("", "v1", "configmaps", "configmap", "ConfigMap", True, ("cm",)),
    Resource(
        "",
        "v1",
        "endpoints",
        "endpoints",
        "Endpoints",
        True,
        ("ep",),
    ),
    Resource("", "v1", "events", "event", "Event", True, ("ev",)),
    Resource(
        "",
        "v1",
        "namespaces",
        "namespace",
        "Namespace",
        False,
        ("ns",),
        verbs=NAMESPACE_VERBS,
        subresources=(_STATUS("Namespace"),),
    ),
    Resource("", "v1", "nodes", "node", "Node", False, ("no",), subresources=(_STATUS("Node"),)),
    Resource(
        "",
        "v1",
        "pods",
        "pod",
        "Pod",
        True,
        ("po",),
        ("all",),
        subresources=(
            Subresource("exec", "PodExecOptions", ("create", "get")),
            Subresource("log", "Pod", ("get",)),
            _STATUS("Pod"),
        ),
    ),
    Resource("", "v1", "secrets", "secret", "Secret", True),
    Resource("", "v1", "serviceaccounts", "serviceaccount", "ServiceAccount", True, ("sa",)),
    Resource("", "v1", "services", "service", "Service", True, ("svc",), ("all",), subresources=(_STATUS("Service"),)),
    Resource(
        "apps",
        "v1",
        "daemonsets",
        "daemonset",
        "DaemonSet",
        True,
        ("ds",),
        ("all",),
        subresources=(_STATUS("DaemonSet"),),
    ),
    Resource(
        "apps",
        "v1",
        "deployments",
        "deployment",
        "Deployment",
        True,
        ("deploy",),
        ("all",),
        subresources=(_SCALE, _STATUS("Deployment")),
    ),
    Resource(
        "apps",
        "v1",
        "replicasets",
        "replicaset",
        "ReplicaSet",
        True,
        ("rs",),
        ("all",),
        subresources=(_SCALE, _STATUS("ReplicaSet")),
    ),
    Resource("batch", "v1", "jobs", "job", "Job", True, (), ("all",), subresources=(_STATUS("Job"),)),
    Resource("discovery.k8s.io", "v1", "endpointslices", "endpointslice", "EndpointSlice", True),
    Resource("networking.k8s.io", "v1", "ingressclasses", "ingressclass", "IngressClass", False),
    # `kubectl auth can-i` asks the API through a SelfSubjectAccessReview (create only).
    Resource(
        "authorization.k8s.io",
        "v1",
        "selfsubjectaccessreviews",
        "selfsubjectaccessreview",
        "SelfSubjectAccessReview",
        False,
        verbs=("create",),
    ),
    Resource(
        "networking.k8s.io",
        "v1",
        "ingresses",
        "ingress",
        "Ingress",
        True,
        ("ing",),
        subresources=(_STATUS("Ingress"),),
    ),
)

# Groups in the order the API server lists them in /apis (its group priority), each with one
# version. autoscaling has no resource of its own here; it is listed because /scale answers in
# autoscaling/v1.
GROUP_ORDER = ("apps", "batch", "networking.k8s.io", "discovery.k8s.io", "authorization.k8s.io")

_BY_GVR = {(r.group, r.version, r.resource): r for r in RESOURCES}
_BY_KIND = {r.kind: r for r in RESOURCES}


class UnknownResource(LookupError):
    """No served resource has that group, version and name (the API server answers 404)."""


def lookup(group: str, version: str, resource: str) -> Resource:
    """The resource a URL names (`/apis/apps/v1/namespaces/x/deployments` -> apps, v1, deployments)."""
    try:
        return _BY_GVR[(group, version, resource)]
    except KeyError:
        raise UnknownResource(f"{group}/{version}/{resource}") from None


def for_kind(kind: str) -> Resource:
    try:
        return _BY_KIND[kind]
    except KeyError:
        raise UnknownResource(kind) from None


def group_versions() -> dict[str, list[Resource]]:
    """ "v1", "apps/v1", ... -> their resources, in discovery order (core first, then GROUP_ORDER)."""
    out: dict[str, list[Resource]] = {"v1": []}
    for group in GROUP_ORDER:
        out[f"{group}/v1"] = []
    for resource in RESOURCES:
        out[resource.group_version].append(resource)
    return out


def resolve_name(name: str) -> Resource | None:
    """What kubectl's RESTMapper does with `po`, `pod`, `pods`, `deploy.apps`, `Deployment`:
    plural, singular, short name or kind (case-insensitive), optionally `.group`-qualified."""
    text = name.lower()
    group = None
    if "." in text:
        text, group = text.split(".", 1)
    for resource in RESOURCES:
        if group is not None and resource.group != group:
            continue
        if text in (resource.resource, resource.singular, resource.kind.lower(), *resource.short_names):
            return resource
    return None
