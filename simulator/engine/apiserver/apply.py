"""`kubectl apply` and `kubectl delete` as the API server serves them.

Each document is decoded (strict JSON decoding's errors), converted from old API versions,
defaulted, merged with what the server set before (allocated addresses, a Job's generated
selector), validated in the API server's words and checked against the cluster (namespace,
address allocation); then stored through the registry in input order, all or nothing when asked.
The engine runs the controllers once after the whole input.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .. import kinds
from ..errors import Diagnostic, FieldError, InputRejected, Problem
from ..model import Base
from . import strategy
from .allocate import Reservations
from .bootstrap import DEFAULT_NAMESPACES, ensure_kubernetes_service
from .documents import Document, human_size, load_documents, parse_path

if TYPE_CHECKING:
    from ..config import ClusterSettings
    from .registry import Registry


@dataclass
class ApplyResult:
    errors: list[Diagnostic] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    results: list[tuple[str, str, str, str]] = field(default_factory=list)  # kind, namespace, name, action

    @property
    def ok(self) -> bool:
        return not self.errors

    def lines(self) -> list[str]:
        """kubectl's summary lines: `service/web created`, `deployment.apps/web configured`, and
        for deletions `job.batch "oneshot" deleted` (the resource is qualified by its API group,
        as kubectl's printers name it)."""
        out = []
        for kind, _ns, name, action in self.results:
            resource = kinds.qualified_resource(kind)
            out.append(f'{resource} "{name}" deleted' if action == "deleted" else f"{resource}/{name} {action}")
        return out


@dataclass
class _Entry:
    """One object from the input: a document, or an item of a `kind: List` document."""

    document: Document
    value: Any
    prefix: str = ""  # "items[3]." for List items

    def diagnostic(
        self, message: str, path: str | None = None, kind=None, name=None, hint=None, at: str | None = None
    ) -> Diagnostic:
        """A diagnostic on `path`'s line (or on `at`'s, a more precise place for the same field)."""
        where = at or path
        locate = (self.prefix + where) if where else self.prefix.rstrip(".")
        line = self.document.locate(locate) if locate else self.document.line
        return Diagnostic(self.document.index, line, kind, name, path, message, hint)


@dataclass
class _Planned:
    entry: _Entry
    kind: str
    namespace: str
    name: str
    manifest: dict
    old: Base | None


def apply(registry: Registry, entries: list[_Entry], result: ApplyResult, *, atomic: bool) -> bool:
    """Prepare every entry, then store the valid ones in input order (none when `atomic` and any
    was rejected). Returns whether it went ahead (False: nothing was stored)."""
    planned: list[_Planned] = []
    pending_namespaces: set[str] = set()
    reservations = Reservations()
    for entry in entries:
        plan = _prepare(registry, entry, result, pending_namespaces, reservations)
        if plan is not None:
            planned.append(plan)
    planned = _within_cluster_limits(registry, planned, result)
    # Errors in line order, document by document (our validators report field by field).
    result.errors.sort(key=lambda d: (d.document or 0, d.line or 0))
    if atomic and result.errors:
        return False
    store = registry.store
    for plan in planned:
        current = store.get(plan.kind, plan.namespace, plan.name)
        if current is None:
            registry.create(plan.manifest)
            result.results.append((plan.kind, plan.namespace, plan.name, "created"))
        elif strategy.unchanged(current.manifest, plan.manifest):
            result.results.append((plan.kind, plan.namespace, plan.name, "unchanged"))
        else:
            registry.update(current, plan.manifest)
            result.results.append((plan.kind, plan.namespace, plan.name, "configured"))
    return True


def delete(registry: Registry, kind: str, namespace: str, name: str, grace: int | None = None) -> ApplyResult:
    """`kubectl delete`: remove the object and, by garbage collection, what it owns. `grace`: the
    request's gracePeriodSeconds (a pod on a node is deleted gracefully: kubelet/termination)."""
    result = ApplyResult()
    if kind in kinds.CLUSTER_SCOPED:
        namespace = ""
    obj = registry.store.get(kind, namespace, name)
    if obj is None:
        resource = kinds.KINDS[kind].group_resource
        result.errors.append(Diagnostic(None, None, kind, name, None, f'{resource} "{name}" not found'))
        return result
    if kind == "Namespace" and name in DEFAULT_NAMESPACES:
        result.errors.append(
            Diagnostic(
                None, None, kind, name, None, f'namespaces "{name}" is forbidden: this namespace may not be deleted'
            )
        )
        return result
    registry.delete(obj, grace)
    # A deletion is a write of its own in etcd: it takes the next resourceVersion, which a
    # watch's DELETED event carries (else a lone ConfigMap's deletion would share the version
    # of the change before it, and a watcher that saw that one would never be told).
    registry.store.next_resource_version()
    result.results.append((kind, namespace, name, "deleted"))
    if kind == "Service" and namespace == "default" and name == "kubernetes":
        ensure_kubernetes_service(registry)  # the API server's bootstrap controller makes it again
    return result


def _prepare(
    registry: Registry,
    entry: _Entry,
    result: ApplyResult,
    pending_namespaces: set[str],
    reservations: Reservations,
) -> _Planned | None:
    """One entry through decode, convert, defaults, the strategy and validation: what to store, or
    None (its errors are in `result`)."""
    value = entry.value
    if not isinstance(value, dict):
        result.errors.append(
            entry.diagnostic(
                f"a Kubernetes object must be a map with apiVersion, kind and metadata, not {_yaml_type(value)}"
            )
        )
        return None
    kind, kind_error, warning = kinds.resolve(value.get("apiVersion"), value.get("kind"))
    meta = value.get("metadata") if isinstance(value.get("metadata"), dict) else {}
    name = meta.get("name") if isinstance(meta.get("name"), str) else None
    shown_kind = value.get("kind") if isinstance(value.get("kind"), str) else None
    settings = registry.settings
    size = _serialised_size(value, settings.max_object_bytes)
    if size > settings.max_object_bytes:
        # Every object travels whole in one websocket message (under 1 MiB) and in the snapshot;
        # the API server's own bound is etcd's request size (1.5 MiB, --max-request-bytes).
        result.errors.append(
            entry.diagnostic(
                f"the object is {human_size(size)} once serialised, over the limit of "
                f"{human_size(settings.max_object_bytes)} per object",
                None,
                shown_kind,
                name,
                "keep large data out of the cluster, or raise KUBEVIZ_MAX_OBJECT_BYTES",
            )
        )
        return None
    if kind_error is not None:
        result.errors.append(
            entry.diagnostic(kind_error.message, kind_error.field, shown_kind, name, kind_error.hint or None)
        )
        return None
    if warning:
        result.warnings.append(entry.diagnostic(warning, None, kind, name))
    info = kinds.KINDS[kind]
    obj = kinds.convert(value["apiVersion"], kind, value)
    obj, errors = kinds.decode(kind, obj)
    if errors:
        for err in errors:
            result.errors.append(entry.diagnostic(err.message(), err.field, kind, name, err.hint or None))
        return None
    obj = info.default(obj)
    too_many = _over_replica_limit(kind, obj, settings.max_replicas)
    if too_many is not None:
        field, count = too_many
        result.errors.append(
            entry.diagnostic(
                f"Invalid value: {count}: must be no more than {settings.max_replicas} on this server",
                field,
                kind,
                name,
                "ask for fewer, or raise KUBEVIZ_MAX_REPLICAS",
            )
        )
        return None
    meta = obj.setdefault("metadata", {})
    if not info.namespaced:
        meta.pop("namespace", None)
        namespace = ""
    else:
        namespace = meta.get("namespace") or "default"
        meta["namespace"] = namespace
    name = meta.get("name")
    old = registry.store.get(kind, namespace, name) if name else None
    if old is not None:
        obj = strategy.prepare_for_update(info.strategy, strategy.strip_server_annotations(obj), old)
    else:
        obj, ignored = strategy.prepare_for_create(info.strategy, obj)
        for field, message in ignored:
            result.warnings.append(entry.diagnostic(message, field, kind, name))
    checked = obj
    if old is None and info.strategy.with_uid is not None:
        # The Job strategy generates the selector from the uid before validation; the real uid
        # is only known when the object is stored, so validate with a stand-in and generate again.
        checked = info.strategy.with_uid(copy.deepcopy(obj), _STAND_IN_UID)
    errors = kinds.validate(kind, checked, old.manifest if old is not None else None)
    if kind == "Job":
        errors = _job_restart_policy_wording(value, errors)
    errors += info.strategy.validate(obj)
    problems = _check_cluster(registry, kind, namespace, obj, old, pending_namespaces, reservations)
    if kind == "Service" and name and problems and problems[0].field != "metadata.namespace":
        # The Service storage allocates (BeginCreate) before the strategy validates: an
        # allocation error is all the API server answers (genericregistry Store.Create). (A
        # nameless document never gets there: kubectl refuses it first.)
        errors = []
    if errors or problems:
        for err in errors:
            at = _map_entry_path(value, err)
            result.errors.append(entry.diagnostic(err.message(), err.field, kind, name, err.hint or None, at))
        for problem in problems:
            result.errors.append(entry.diagnostic(problem.message(), problem.field, kind, name, problem.hint))
        return None
    for field, message in info.strategy.warnings(obj):
        result.warnings.append(entry.diagnostic(message, field, kind, name))
    if kind == "Namespace":
        pending_namespaces.add(name)
    return _Planned(entry, kind, namespace, name, obj, old)


def _serialised_size(value: Any, limit: int) -> int:
    """The object's size as compact JSON, in bytes (characters when that is clearly under `limit`)."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return len(text) if len(text) * 4 <= limit else len(text.encode("utf-8", "surrogatepass"))


# The fields that ask a controller for pods, bounded per object (KUBEVIZ_MAX_REPLICAS).
_REPLICA_FIELDS = {
    "Deployment": ("replicas",),
    "ReplicaSet": ("replicas",),
    "Job": ("parallelism", "completions"),
}


def _over_replica_limit(kind: str, obj: dict, limit: int) -> tuple[str, int] | None:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return None
    for name in _REPLICA_FIELDS.get(kind, ()):
        count = spec.get(name)
        if isinstance(count, int) and not isinstance(count, bool) and count > limit:
            return f"spec.{name}", count
    return None


def _pods_wanted(kind: str, manifest: dict, nodes: int) -> int:
    """How many pods an object asks for at once: a Deployment's or a lone ReplicaSet's replicas, a
    Job's parallelism (no more than its completions), a DaemonSet one per node, a bare Pod itself.
    What an owner makes (a Deployment's ReplicaSets, any controller's pods) counts with the owner."""
    meta = manifest.get("metadata") or {}
    if kind not in ("Deployment", "ReplicaSet", "Job", "DaemonSet", "Pod") or meta.get("ownerReferences"):
        return 0
    spec = manifest.get("spec") or {}
    if kind == "Pod":
        return 1
    if kind == "DaemonSet":
        return nodes
    if kind == "Job":
        parallelism = spec.get("parallelism", 1)
        completions = spec.get("completions")
        parallelism = parallelism if isinstance(parallelism, int) else 1
        return min(parallelism, completions) if isinstance(completions, int) else parallelism
    replicas = spec.get("replicas", 1)
    return replicas if isinstance(replicas, int) else 1


def _within_cluster_limits(registry: Registry, planned: list[_Planned], result: ApplyResult) -> list[_Planned]:
    """Refuse, before anything is stored, the objects that would take the cluster past its limits on
    objects (KUBEVIZ_MAX_OBJECTS) and on the pods its workloads ask for (KUBEVIZ_MAX_PODS). Returns
    the plans that may go ahead."""
    settings, store = registry.settings, registry.store
    objects = sum(len(by_name) for by_name in store.objects.values())
    nodes = len(store.objects["Node"])
    # The pods the cluster's objects ask for, counted only when this input asks for more and the
    # pods there are come anywhere near the limit (an edit of a 10,000-pod cluster pays nothing).
    growth = sum(
        max(0, _pods_wanted(p.kind, p.manifest, nodes) - (_pods_wanted(p.kind, p.old.manifest, nodes) if p.old else 0))
        for p in planned
    )
    if growth and len(store.objects["Pod"]) + growth > settings.max_pods // 2:
        pods = sum(
            _pods_wanted(kind, obj.manifest, nodes)
            for kind in ("Deployment", "ReplicaSet", "Job", "DaemonSet", "Pod")
            for obj in store.objects[kind].values()
        )
    else:
        pods = len(store.objects["Pod"])  # well under the limit either way
    kept = []
    for plan in planned:
        new = 1 if plan.old is None else 0
        delta = _pods_wanted(plan.kind, plan.manifest, nodes) - (
            _pods_wanted(plan.kind, plan.old.manifest, nodes) if plan.old is not None else 0
        )
        if new and objects + new > settings.max_objects:
            result.errors.append(
                plan.entry.diagnostic(
                    f"this cluster holds {objects} objects, its limit: no more may be created",
                    None,
                    plan.kind,
                    plan.name,
                    "delete some objects first, or raise KUBEVIZ_MAX_OBJECTS",
                )
            )
            continue
        if delta > 0 and pods + delta > settings.max_pods:
            field = {"Job": "spec.parallelism", "Pod": None, "DaemonSet": None}.get(plan.kind, "spec.replicas")
            result.errors.append(
                plan.entry.diagnostic(
                    f"the cluster's workloads would ask for {pods + delta} pods, over the limit of "
                    f"{settings.max_pods} pods per cluster",
                    field,
                    plan.kind,
                    plan.name,
                    "scale something down first, or raise KUBEVIZ_MAX_PODS",
                )
            )
            continue
        objects += new
        pods += delta
        kept.append(plan)
    return kept


def _check_cluster(
    registry: Registry,
    kind: str,
    namespace: str,
    obj: dict,
    old: Base | None,
    pending_namespaces: set[str],
    reservations: Reservations,
) -> list[Problem]:
    """Checks that need the cluster: the namespace exists, explicit addresses are free and in range."""
    if (
        kind not in kinds.CLUSTER_SCOPED
        and ("", namespace) not in registry.store.objects["Namespace"]
        and namespace not in pending_namespaces
    ):
        return [
            Problem(
                "metadata.namespace",
                f'namespaces "{namespace}" not found',
                f"create the namespace first: put a `kind: Namespace` document named {namespace!r} "
                f"before this one (or run `kubectl create namespace {namespace}`)",
            )
        ]
    if kind == "Service":
        return registry.allocations.check_service(obj, old, reservations)
    return []


def parse_entries(texts: list[str | bytes], settings: ClusterSettings, result: ApplyResult) -> list[_Entry]:
    """Load every document of every input; broken documents become errors in `result`."""
    entries: list[_Entry] = []
    offset = 0
    counted = 0  # documents, and the items of List documents: each is one object to prepare
    for text in texts:
        try:
            documents = load_documents(text, max_bytes=settings.max_bytes, max_documents=settings.max_documents)
        except InputRejected as exc:
            result.errors.extend(exc.diagnostics)
            continue
        for doc in documents:
            doc.index += offset
            if doc.error is not None:
                line = doc.error.line or doc.line
                result.errors.append(
                    Diagnostic(
                        doc.index,
                        line,
                        None,
                        None,
                        None,
                        doc.error.message,
                        _tab_hint(text, line) or _yaml_hint(doc.error.message),
                    )
                )
                continue
            value = doc.value
            if isinstance(value, dict) and value.get("kind") == "List" and isinstance(value.get("items"), list):
                items = value["items"]
                counted += len(items)
                if counted > settings.max_documents:
                    break
                entries.extend(_Entry(doc, item, f"items[{i}].") for i, item in enumerate(items))
            else:
                counted += 1
                entries.append(_Entry(doc, value))
        if counted > settings.max_documents:
            result.errors.append(
                Diagnostic(
                    None,
                    None,
                    None,
                    None,
                    None,
                    f"the input has over {settings.max_documents} objects (documents and the items of "
                    f"List documents), the limit",
                    "split it into several applies, or raise KUBEVIZ_MAX_DOCUMENTS",
                )
            )
            return []
        offset += len(documents)
    return entries


def _map_entry_path(value: Any, err: FieldError) -> str | None:
    """The path of the map entry an error on a whole map (`metadata.labels: Invalid value: "bad
    value!"`, as apimachinery's ValidateLabels reports a key or a value) is about, so that it is
    marked on that entry's own line rather than on `labels:`."""
    if not err.field or not isinstance(err.value, str):
        return None
    node = value
    for step in parse_path(err.field):
        if isinstance(node, dict) and isinstance(step, str):
            node = node.get(step)
        elif isinstance(node, list) and isinstance(step, int) and step < len(node):
            node = node[step]
        else:
            return None
    if not isinstance(node, dict):
        return None
    for key in node:
        if key == err.value or node[key] == err.value:
            return f"{err.field}[{key}]"
    return None


def stated_versions(entries: list[_Entry]) -> dict[str, str]:
    """{"Kind/namespace/name": resourceVersion} for each object whose text states its
    metadata.resourceVersion ("-" for a cluster-scoped object's namespace). The API server refuses
    an update whose resourceVersion is not the stored one with 409 Conflict (optimistic
    concurrency: apiserver/pkg/registry/generic/registry/store.go, GuaranteedUpdate)."""
    out: dict[str, str] = {}
    for entry in entries:
        key = entry_key(entry)
        version = entry.value["metadata"].get("resourceVersion") if key else None
        if key and version not in (None, ""):
            out[key] = str(version)
    return out


def entry_key(entry: _Entry) -> str | None:
    """ "Kind/namespace/name" of the object an entry names ("-" for a cluster-scoped namespace)."""
    value = entry.value
    if not isinstance(value, dict) or not isinstance(value.get("metadata"), dict):
        return None
    meta = value["metadata"]
    name = meta.get("name")
    if not isinstance(name, str):
        return None
    kind, error, _warning = kinds.resolve(value.get("apiVersion"), value.get("kind"))
    if error is not None:
        return None
    namespace = meta.get("namespace")
    namespace = (
        "-" if kind in kinds.CLUSTER_SCOPED else (namespace if isinstance(namespace, str) and namespace else "default")
    )
    return f"{kind}/{namespace}/{name}"


def cap_errors(result: ApplyResult, limit: int) -> None:
    """Report at most `limit` errors; the rest are counted in one last line."""
    if len(result.errors) > limit:
        more = len(result.errors) - limit
        del result.errors[limit:]
        result.errors.append(
            Diagnostic(None, None, None, None, None, f"and {more} more errors (only the first {limit} are reported)")
        )


def _job_restart_policy_wording(raw: dict, errors: list) -> list:
    """A Job whose document says `restartPolicy: Always` gets the wording simulate-contract.md fixes,
    `Unsupported value: "Always": supported values: "OnFailure", "Never"` (the API server's NotSupported
    error, as batch validation reported it before Kubernetes 1.20). An omitted restartPolicy (defaulted to
    Always) keeps today's `Required value: valid values: "OnFailure", "Never"` (pkg/apis/batch/validation)."""
    template = ((raw.get("spec") or {}).get("template") or {}) if isinstance(raw.get("spec"), dict) else {}
    written = (
        (template.get("spec") or {}).get("restartPolicy")
        if isinstance(template, dict) and isinstance(template.get("spec"), dict)
        else None
    )
    if written != "Always":
        return errors
    out = []
    for err in errors:
        if err.field == "spec.template.spec.restartPolicy" and err.type == "Required value":
            err = FieldError("Unsupported value", err.field, "Always", 'supported values: "OnFailure", "Never"')
        out.append(err)
    return out


def has_node_documents(entries: list[_Entry]) -> bool:
    return any(isinstance(e.value, dict) and e.value.get("kind") == "Node" for e in entries)


_STAND_IN_UID = "00000000-0000-0000-0000-000000000000"


def _tab_hint(text: str | bytes, line: int | None) -> str | None:
    """A tab in the indentation of the line YAML stopped at (or the one before: the scanner may
    report the next token): YAML indents with spaces only (YAML 1.2, "Indentation Spaces")."""
    if not line or not isinstance(text, str):
        return None
    lines = text.splitlines()
    for number in (line, line - 1):
        if 1 <= number <= len(lines):
            indent = lines[number - 1][: len(lines[number - 1]) - len(lines[number - 1].lstrip(" \t"))]
            if "\t" in indent:
                return f"line {number} is indented with a tab: YAML indents with spaces only (use two spaces)"
    return None


def _yaml_hint(message: str) -> str | None:
    if "mapping values are not allowed" in message:
        return (
            "a `key: value` cannot follow another value on the same line; put nested keys on their own "
            "indented lines (e.g. `labels:` then `  app: web`)"
        )
    if "found character '\\t'" in message or "\\t" in message:
        return "YAML indentation must use spaces, not tabs"
    if "could not find expected ':'" in message:
        return "a line inside a map needs `key: value` (with a space after the colon)"
    return None


def _yaml_type(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "nothing"
    return f"a {type(value).__name__}"
