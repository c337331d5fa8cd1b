"""Every kind kubeviz simulates, in one registry: the analogue of a group's install/register.go.

A `Kind` says what the API server and the controllers need to know about one kind: its current
apiVersion, scope, REST resource, the typed object stored for it (`model`), the Go type its body
decodes into (`decode`), its defaulting (`defaults`), its validation (`validation/`), its REST
strategy (`strategy`) and the older apiVersions accepted for it (`convert`). Adding a kind is one
entry here plus its own functions in those modules (and, for a kind with a controller, that
controller in `controllers/` and on the controller manager's list in `engine.py`, as
kube-controller-manager keeps its own list). The listing order of kinds is the registry's.

Old versions accepted (and converted, with the API server's deprecation warning, as a student
pasting them would expect even though current clusters removed them): networking.k8s.io/v1beta1
and extensions/v1beta1 Ingress, extensions/v1beta1 and apps/v1beta2 DaemonSet. Every other
unknown apiVersion/kind gets the API server's `no matches for kind` error.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .apiserver import convert, defaults, strategy
from .apiserver import decode as decoding
from .apiserver.validation import apps, batch, config, core, networking
from .errors import FieldError, without_duplicates
from .model import Base, Ingress, Namespace, Node, Plain, Pod, Service, Workload


@dataclass(frozen=True)
class OldVersion:
    """An apiVersion removed from current clusters that kubeviz still accepts for a kind."""

    deprecated_in: str  # "1.19": the Kubernetes release that deprecated it
    removed_in: str  # "1.22": the release that removed it
    convert: Callable[[dict], dict] | None = None  # what else changes on the way to the current version


@dataclass(frozen=True)
class Kind:
    name: str  # "Deployment"
    api_version: str  # the current one: "apps/v1"
    resource: str  # the REST resource, lower-case plural: "deployments"
    namespaced: bool
    model: type[Base]  # the typed object read from a stored manifest
    schema: Any  # the Go type the body decodes into (apiserver/decode.py)
    default: Callable[[dict], dict]  # SetDefaults_<Kind> (apiserver/defaults.py)
    validate: Callable[[dict, dict | None], list[FieldError]]  # (obj, old) -> errors (apiserver/validation/)
    strategy: strategy.Strategy  # what the server resets, keeps and checks (apiserver/strategy.py)
    old_versions: Mapping[str, OldVersion] = field(default_factory=dict)

    @property
    def group(self) -> str:
        """The API group ("" for the core group)."""
        return self.api_version.split("/")[0] if "/" in self.api_version else ""

    @property
    def qualified_resource(self) -> str:
        """`deployment.apps`, `service`: the resource as kubectl prints it after apply, lower-case
        kind plus the API group (none for the core group)."""
        return f"{self.name.lower()}.{self.group}" if self.group else self.name.lower()

    @property
    def group_resource(self) -> str:
        """`deployments.apps`, `services`: the resource as the API server names it in errors."""
        return f"{self.resource}.{self.group}" if self.group else self.resource


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            "Namespace",
            "v1",
            "namespaces",
            namespaced=False,
            model=Namespace,
            schema=decoding.NAMESPACE,
            default=defaults.default_namespace,
            validate=core.validate_namespace,
            strategy=strategy.NAMESPACE,
        ),
        Kind(
            "Node",
            "v1",
            "nodes",
            namespaced=False,
            model=Node,
            schema=decoding.NODE,
            default=defaults.no_defaults,  # NodeStatus allocatable-from-capacity is the only Node default
            validate=core.validate_node,
            strategy=strategy.NODE,
        ),
        Kind(
            "Service",
            "v1",
            "services",
            namespaced=True,
            model=Service,
            schema=decoding.SERVICE,
            default=defaults.default_service,
            validate=core.validate_service,
            strategy=strategy.SERVICE,
        ),
        Kind(
            "Ingress",
            "networking.k8s.io/v1",
            "ingresses",
            namespaced=True,
            model=Ingress,
            schema=decoding.INGRESS,
            default=defaults.no_defaults,  # networking/v1 Ingress has no defaults (pathType is required)
            validate=networking.validate_ingress,
            strategy=strategy.INGRESS,
            old_versions={
                "networking.k8s.io/v1beta1": OldVersion("1.19", "1.22", convert.ingress_from_v1beta1),
                "extensions/v1beta1": OldVersion("1.14", "1.22", convert.ingress_from_v1beta1),
            },
        ),
        Kind(
            "Deployment",
            "apps/v1",
            "deployments",
            namespaced=True,
            model=Workload,
            schema=decoding.DEPLOYMENT,
            default=defaults.default_deployment,
            validate=apps.validate_deployment,
            strategy=strategy.WORKLOAD,
        ),
        Kind(
            "ReplicaSet",
            "apps/v1",
            "replicasets",
            namespaced=True,
            model=Workload,
            schema=decoding.REPLICA_SET,
            default=defaults.default_replica_set,
            validate=apps.validate_replica_set,
            strategy=strategy.WORKLOAD,
        ),
        Kind(
            "DaemonSet",
            "apps/v1",
            "daemonsets",
            namespaced=True,
            model=Workload,
            schema=decoding.DAEMON_SET,
            default=defaults.default_daemon_set,
            validate=apps.validate_daemon_set,
            strategy=strategy.WORKLOAD,
            old_versions={
                "extensions/v1beta1": OldVersion("1.9", "1.16", convert.daemonset_from_extensions_v1beta1),
                "apps/v1beta2": OldVersion("1.9", "1.16"),
            },
        ),
        Kind(
            "Job",
            "batch/v1",
            "jobs",
            namespaced=True,
            model=Workload,
            schema=decoding.JOB,
            default=defaults.default_job,
            validate=batch.validate_job,
            strategy=strategy.JOB,
        ),
        Kind(
            "Pod",
            "v1",
            "pods",
            namespaced=True,
            model=Pod,
            schema=decoding.POD,
            default=defaults.default_pod,
            validate=core.validate_pod,
            strategy=strategy.POD,
        ),
        # Stored and served as plain objects: kubectl creates them and pods name them, but
        # nothing in the simulation reads them (an Ingress's class is still `nginx` or not).
        Kind(
            "ConfigMap",
            "v1",
            "configmaps",
            namespaced=True,
            model=Plain,
            schema=decoding.CONFIG_MAP,
            default=defaults.no_defaults,
            validate=config.validate_config_map,
            strategy=strategy.PLAIN,
        ),
        Kind(
            "Secret",
            "v1",
            "secrets",
            namespaced=True,
            model=Plain,
            schema=decoding.SECRET,
            default=defaults.default_secret,
            validate=config.validate_secret,
            strategy=strategy.PLAIN,
        ),
        Kind(
            "ServiceAccount",
            "v1",
            "serviceaccounts",
            namespaced=True,
            model=Plain,
            schema=decoding.SERVICE_ACCOUNT,
            default=defaults.no_defaults,
            validate=config.validate_service_account,
            strategy=strategy.PLAIN,
        ),
        Kind(
            "IngressClass",
            "networking.k8s.io/v1",
            "ingressclasses",
            namespaced=False,
            model=Plain,
            schema=decoding.INGRESS_CLASS,
            default=defaults.default_ingress_class,
            validate=networking.validate_ingress_class,
            strategy=strategy.INGRESS_CLASS,
        ),
    )
}
PLAIN_KINDS = frozenset(name for name, kind in KINDS.items() if kind.model is Plain)

KIND_ORDER = tuple(KINDS)  # the order kinds are listed in outputs and snapshots
CURRENT = {name: kind.api_version for name, kind in KINDS.items()}  # kind -> current apiVersion
CLUSTER_SCOPED = frozenset(name for name, kind in KINDS.items() if not kind.namespaced)


def qualified_resource(kind: str) -> str:
    return KINDS[kind].qualified_resource if kind in KINDS else kind.lower()


def group_resource(kind: str) -> str:
    return KINDS[kind].group_resource


# ---------------------------------------------------------------------- the scheme's steps, by kind name
def from_manifest(manifest: dict, seq: int) -> Base:
    """The typed object for a stored manifest (`seq`: its creation number)."""
    return KINDS[manifest["kind"]].model.from_manifest(manifest, seq)


def decode(kind: str, obj: dict) -> tuple[dict, list[FieldError]]:
    """Decode `obj` into the kind's Go type: (the object as Go sees it, its decoding errors)."""
    return decoding.decode(_kind(kind).schema, obj)


def check_types(kind: str, obj: dict) -> list[FieldError]:
    """The decoding errors the API server reports for `obj` of `kind` (empty when it decodes)."""
    return decode(kind, obj)[1]


def apply_defaults(kind: str, obj: dict) -> dict:
    """The object as the API server stores it after defaulting (a new dict; `obj` untouched)."""
    return _kind(kind).default(obj)


def validate(kind: str, obj: dict, old: dict | None = None) -> list[FieldError]:
    """The API server's validation errors for creating `obj` (or updating `old` to `obj`); exact
    duplicates dropped, as field.ErrorList.ToAggregate drops them."""
    return without_duplicates(_kind(kind).validate(obj if isinstance(obj, dict) else {}, old))


def _kind(kind: str) -> Kind:
    try:
        return KINDS[kind]
    except KeyError:
        raise ValueError(f"unknown kind {kind!r}; expected one of {sorted(KINDS)}") from None


# ---------------------------------------------------------------------- apiVersion and kind
KNOWN_ELSEWHERE = {
    "PersistentVolumeClaim",
    "PersistentVolume",
    "StatefulSet",
    "CronJob",
    "NetworkPolicy",
    "Endpoints",
    "EndpointSlice",
    "Role",
    "RoleBinding",
    "ClusterRole",
    "ClusterRoleBinding",
    "HorizontalPodAutoscaler",
    "StorageClass",
    "LimitRange",
    "ResourceQuota",
    "PodDisruptionBudget",
    "CustomResourceDefinition",
    "ReplicationController",
}


@dataclass(frozen=True)
class KindError:
    field: str
    message: str
    hint: str = ""


def resolve(api_version: object, kind: object) -> tuple[str | None, KindError | None, str | None]:
    """(kind, error, deprecation warning) for a document's apiVersion and kind."""
    if not kind:
        return None, KindError("kind", "Object 'Kind' is missing in the document"), None
    if not isinstance(kind, str):
        return None, KindError("kind", f"Object 'Kind' must be a string, not {type(kind).__name__}"), None
    if not api_version:
        return (
            None,
            KindError(
                "apiVersion",
                "Object 'apiVersion' is missing in the document",
                f"add `apiVersion: {CURRENT.get(kind, 'v1')}`",
            ),
            None,
        )
    if not isinstance(api_version, str):
        return None, KindError("apiVersion", "Object 'apiVersion' must be a string"), None
    if CURRENT.get(kind) == api_version:
        return kind, None, None
    old = KINDS[kind].old_versions.get(api_version) if kind in KINDS else None
    if old is not None:
        return kind, None, deprecation_warning(api_version, KINDS[kind], old)
    # apimachinery meta.NoKindMatchError; kubectl adds "ensure CRDs are installed first".
    message = f'no matches for kind "{kind}" in version "{api_version}"'
    if kind in CURRENT:
        hint = f"use `apiVersion: {CURRENT[kind]}` for {kind}"
    elif kind in KNOWN_ELSEWHERE:
        hint = f"{kind} is a Kubernetes kind that kubeviz does not simulate; it simulates {', '.join(sorted(CURRENT))}"
    else:
        close = [k for k in CURRENT if k.lower() == kind.lower()]
        hint = (
            f"kinds are case-sensitive: did you mean `kind: {close[0]}`?"
            if close
            else f"kubeviz simulates {', '.join(sorted(CURRENT))}"
        )
    return None, KindError("apiVersion", message, hint), None


def deprecation_warning(api_version: str, kind: Kind, old: OldVersion) -> str:
    """The API server's warning header for a deprecated version
    (k8s.io/apiserver/pkg/endpoints/deprecation: "<gv> <Kind> is deprecated in v1.X+, unavailable
    in v1.Y+; use <gv> <Kind>")."""
    return (
        f"{api_version} {kind.name} is deprecated in v{old.deprecated_in}+, unavailable in v{old.removed_in}+; "
        f"use {kind.api_version} {kind.name}"
    )


def convert(api_version: str, kind: str, obj: dict) -> dict:
    """Convert an accepted old version to the current one (input is not modified)."""
    old = KINDS[kind].old_versions.get(api_version)
    if old is None:
        return obj
    obj = copy.deepcopy(obj)
    obj["apiVersion"] = KINDS[kind].api_version
    return old.convert(obj) if old.convert is not None else obj
