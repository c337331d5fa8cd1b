"""The apply path of a simulated cluster: `kubectl apply` as the API server serves it.

Each document is decoded (strict JSON decoding's errors), converted from old API versions,
defaulted, merged with what the server set before (allocated addresses, a Job's generated
selector), validated in the API server's words and checked against the cluster (namespace,
address allocation); then stored in input order, all or nothing when asked, and the
controllers run once after the whole input. A mixin of `Engine`.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .. import kinds
from ..errors import Diagnostic, FieldError, InputRejected
from ..model import Base, Service
from . import decode as schema
from . import defaults as api_defaults
from . import strategy
from .allocate import AllocationError
from .documents import Document, load_documents

if TYPE_CHECKING:
    from ..cluster import ClusterSettings


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

    def diagnostic(self, message: str, path: str | None = None, kind=None, name=None, hint=None) -> Diagnostic:
        locate = (self.prefix + path) if path else self.prefix.rstrip(".")
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


class Applier:
    """`apply_text` and its steps (mixed into Engine)."""

    def apply_text(
        self, text: str | bytes, *, atomic: bool = True, dry_run: bool = False, reconcile: bool = True
    ) -> ApplyResult:
        """`kubectl apply -f` for a YAML text: create or update each object by kind, namespace and name.

        atomic: one invalid document and nothing changes (the dashboard); otherwise the valid
        documents are applied and the invalid ones reported (simulate, like kubectl).
        """
        return self.apply_texts([text], atomic=atomic, dry_run=dry_run, reconcile=reconcile)

    def apply_texts(
        self, texts: list[str | bytes], *, atomic: bool = True, dry_run: bool = False, reconcile: bool = True
    ) -> ApplyResult:
        """Apply several inputs as one: documents are numbered across them, lines within each,
        and the controllers act once after all of them."""
        result = ApplyResult()
        entries = parse_entries(texts, self.settings, result)
        if atomic and result.errors:
            return result
        target = self.copy() if dry_run else self
        return target._apply_entries(entries, result, atomic=atomic, reconcile=reconcile)

    def _apply_entries(
        self, entries: list[_Entry], result: ApplyResult, *, atomic: bool, reconcile: bool
    ) -> ApplyResult:
        planned: list[_Planned] = []
        pending_names: dict[tuple[str, str, str], _Planned] = {}
        pending_namespaces: set[str] = set()
        reservations = _Reservations()
        for entry in entries:
            plan = self._prepare(entry, result, pending_namespaces, reservations, pending_names)
            if plan is None:
                continue
            planned.append(plan)
        if atomic and result.errors:
            return result
        for plan in planned:
            current = self.get(plan.kind, plan.namespace, plan.name)
            if current is None:
                self._create(plan.manifest)
                result.results.append((plan.kind, plan.namespace, plan.name, "created"))
            elif _same(current.manifest, plan.manifest):
                result.results.append((plan.kind, plan.namespace, plan.name, "unchanged"))
            else:
                self._update(current, plan.manifest)
                result.results.append((plan.kind, plan.namespace, plan.name, "configured"))
        if reconcile:
            self.reconcile()
        return result

    def _prepare(
        self,
        entry: _Entry,
        result: ApplyResult,
        pending_namespaces: set[str],
        reservations: _Reservations,
        pending_names: dict,
    ) -> _Planned | None:
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
        if kind_error is not None:
            result.errors.append(
                entry.diagnostic(kind_error.message, kind_error.field, shown_kind, name, kind_error.hint or None)
            )
            return None
        if warning:
            result.warnings.append(entry.diagnostic(warning, None, kind, name))
        obj = kinds.convert(value["apiVersion"], kind, value)
        obj, errors = schema.decode(kind, obj)
        if errors:
            for err in errors:
                result.errors.append(entry.diagnostic(err.message(), err.field, kind, name))
            return None
        obj = api_defaults.apply_defaults(kind, obj)
        meta = obj.setdefault("metadata", {})
        if kind in kinds.CLUSTER_SCOPED:
            meta.pop("namespace", None)
            namespace = ""
        else:
            namespace = meta.get("namespace") or "default"
            meta["namespace"] = namespace
        name = meta.get("name")
        old = self.get(kind, namespace, name) if name else None
        if old is not None:
            obj = _keep_server_fields(kind, strategy.strip_server_annotations(obj), old)
        else:
            obj, ignored = strategy.prepare_for_create(kind, obj)
            for field, message in ignored:
                result.warnings.append(entry.diagnostic(message, field, kind, name))
        checked = obj
        if old is None and kind == "Job":
            # The Job strategy generates the selector from the uid before validation; the real uid
            # is only known when the object is stored, so validate with a stand-in and generate again.
            checked = api_defaults.prepare_job_for_create(copy.deepcopy(obj), _STAND_IN_UID)
        errors = kinds.validate(kind, checked, old.manifest if old is not None else None)
        if kind == "Job":
            errors = _job_restart_policy_wording(value, errors)
        errors += strategy.validate(kind, obj)
        problems = self._check_cluster(kind, namespace, obj, old, pending_namespaces, reservations)
        if errors or problems:
            for err in errors:
                result.errors.append(entry.diagnostic(err.message(), err.field, kind, name))
            for problem in problems:
                result.errors.append(entry.diagnostic(problem.message(), problem.field, kind, name, problem.hint))
            return None
        if kind == "Namespace":
            pending_namespaces.add(name)
        plan = _Planned(entry, kind, namespace, name, obj, old)
        pending_names[(kind, namespace, name)] = plan
        return plan

    def _check_cluster(
        self,
        kind: str,
        namespace: str,
        obj: dict,
        old: Base | None,
        pending_namespaces: set[str],
        reservations: _Reservations,
    ) -> list[FieldError]:
        """Checks that need the cluster: the namespace exists, explicit addresses are free and in range."""
        if (
            kind not in kinds.CLUSTER_SCOPED
            and ("", namespace) not in self.objects["Namespace"]
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
            return self._check_service_allocations(obj, old, reservations)
        return []

    def _check_service_allocations(self, obj: dict, old: Service | None, reservations: _Reservations) -> list:
        errors = []
        spec = obj.get("spec") or {}
        owner = (
            old.uid if old is not None else f"pending:{obj['metadata'].get('namespace')}/{obj['metadata'].get('name')}"
        )
        ip = spec.get("clusterIP")
        if ip and ip != "None" and not (old is not None and old.cluster_ip == ip):
            try:
                self.service_ips.check(ip, owner)
                holder = reservations.ips.get(ip)
                if holder is not None and holder != owner:
                    raise AllocationError(f"failed to allocate IP {ip}: provided IP is already allocated")
                reservations.ips[ip] = owner
            except AllocationError as exc:
                errors.append(Problem("spec.clusterIPs", f'Invalid value: []string{{"{ip}"}}: {exc}'))
        if spec.get("type") in ("NodePort", "LoadBalancer"):
            mine = {(p.node_port, p.protocol) for p in old.ports} if old is not None else set()
            for index, port in enumerate(spec.get("ports") or []):
                node_port = port.get("nodePort")
                if not node_port or (node_port, port.get("protocol", "TCP")) in mine:
                    continue
                key = (node_port, port.get("protocol", "TCP"))
                try:
                    self.node_ports.check(node_port, key[1], owner)
                    holder = reservations.ports.get(key)
                    if holder is not None and holder != owner:
                        raise AllocationError("provided port is already allocated")
                    reservations.ports[key] = owner
                except AllocationError as exc:
                    errors.append(Problem(f"spec.ports[{index}].nodePort", f"Invalid value: {node_port}: {exc}"))
        return errors


def parse_entries(texts: list[str | bytes], settings: ClusterSettings, result: ApplyResult) -> list[_Entry]:
    """Load every document of every input; broken documents become errors in `result`."""
    entries: list[_Entry] = []
    offset = 0
    for text in texts:
        try:
            documents = load_documents(text, max_bytes=settings.max_bytes, max_documents=settings.max_documents)
        except InputRejected as exc:
            result.errors.extend(exc.diagnostics)
            continue
        for doc in documents:
            doc.index += offset
            if doc.error is not None:
                result.errors.append(
                    Diagnostic(
                        doc.index,
                        doc.error.line or doc.line,
                        None,
                        None,
                        None,
                        doc.error.message,
                        _yaml_hint(doc.error.message),
                    )
                )
                continue
            value = doc.value
            if isinstance(value, dict) and value.get("kind") == "List" and isinstance(value.get("items"), list):
                entries.extend(_Entry(doc, item, f"items[{i}].") for i, item in enumerate(value["items"]))
            else:
                entries.append(_Entry(doc, value))
        offset += len(documents)
    return entries


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


@dataclass
class _Reservations:
    ips: dict[str, str] = field(default_factory=dict)
    ports: dict[tuple[int, str], str] = field(default_factory=dict)


@dataclass(frozen=True)
class Problem:
    """An error found against the cluster's state, already worded as the API server words it."""

    field: str
    text: str
    hint: str | None = None

    def message(self) -> str:
        return self.text


_STAND_IN_UID = "00000000-0000-0000-0000-000000000000"


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


_SERVER_META = ("uid", "resourceVersion", "creationTimestamp", "generation", "ownerReferences", "namespace")


def _same(stored: dict, incoming: dict) -> bool:
    """Does applying `incoming` change nothing the user can set?"""

    def strip(m: dict) -> dict:
        meta = {k: v for k, v in (m.get("metadata") or {}).items() if k not in _SERVER_META}
        ann = {k: v for k, v in (meta.get("annotations") or {}).items() if k not in strategy.SERVER_ANNOTATIONS}
        if ann:
            meta["annotations"] = ann
        else:
            meta.pop("annotations", None)
        return {
            "apiVersion": m.get("apiVersion"),
            "metadata": meta,
            "spec": m.get("spec"),
            "status": m.get("status") if m.get("kind") == "Pod" and "status" in incoming else None,
        }

    return json.dumps(strip(stored), sort_keys=True) == json.dumps(strip(incoming), sort_keys=True)


def _keep_server_fields(kind: str, obj: dict, old: Base) -> dict:
    """kubectl apply leaves what the server set: the object's uid and creation time, allocated
    addresses, a Job's generated selector, a pod's node, status and server-side annotations.
    (apply patches the stored object, so validation sees them; a Job's generated selector is
    checked against its uid.)"""
    obj = dict(obj)
    old_m = old.manifest
    old_meta = old_m.get("metadata") or {}
    meta = dict(obj.get("metadata") or {})
    for key in ("uid", "creationTimestamp"):
        if key in old_meta and not meta.get(key):
            meta[key] = old_meta[key]
    obj["metadata"] = meta
    spec = dict(obj.get("spec") or {})
    old_spec = old_m.get("spec") or {}
    if kind == "Service":
        if not spec.get("clusterIP") and old_spec.get("clusterIP") and spec.get("type") != "ExternalName":
            spec["clusterIP"] = old_spec["clusterIP"]
            spec["clusterIPs"] = old_spec.get("clusterIPs", [old_spec["clusterIP"]])
        if spec.get("type") in ("NodePort", "LoadBalancer"):
            old_ports = {
                (p.get("port"), p.get("protocol", "TCP")): p.get("nodePort") for p in old_spec.get("ports") or ()
            }
            ports = []
            for p in spec.get("ports") or ():
                p = dict(p)
                if not p.get("nodePort") and old_ports.get((p.get("port"), p.get("protocol", "TCP"))):
                    p["nodePort"] = old_ports[(p.get("port"), p.get("protocol", "TCP"))]
                ports.append(p)
            spec["ports"] = ports
        if "status" not in obj and old_m.get("status"):
            obj["status"] = old_m["status"]
    elif kind == "Job":
        if not spec.get("manualSelector") and "selector" not in (obj.get("spec") or {}):
            spec["selector"] = old_spec.get("selector")
            template = copy.deepcopy(spec.get("template") or {})
            labels = template.setdefault("metadata", {}).setdefault("labels", {})
            for k, v in ((old_spec.get("template") or {}).get("metadata") or {}).get("labels", {}).items():
                if k in (
                    "controller-uid",
                    "job-name",
                    "batch.kubernetes.io/controller-uid",
                    "batch.kubernetes.io/job-name",
                ):
                    labels.setdefault(k, v)
            spec["template"] = template
        if old_m.get("status"):
            obj["status"] = old_m["status"]
    elif kind == "Pod":
        if not spec.get("nodeName") and old_spec.get("nodeName"):
            spec["nodeName"] = old_spec["nodeName"]
        if "status" not in obj and old_m.get("status"):
            obj["status"] = old_m["status"]
        elif isinstance(obj.get("status"), dict):
            obj["status"] = strategy.keep_pod_server_status(obj["status"], old_m.get("status") or {})
    elif kind == "Node":
        for key in ("podCIDR", "podCIDRs"):
            if key not in spec and key in old_spec:
                spec[key] = old_spec[key]
        if "status" not in obj and old_m.get("status"):
            obj["status"] = old_m["status"]
    elif kind in ("Deployment", "ReplicaSet", "DaemonSet") and old_m.get("status"):
        obj["status"] = old_m["status"]
    if old.owner is not None:
        meta.setdefault("ownerReferences", old_meta.get("ownerReferences"))
    # the engine's bookkeeping stays; the user's knobs (run-seconds, failures) are the document's
    kept = {
        k: v
        for k, v in (old_meta.get("annotations") or {}).items()
        if k in strategy.SERVER_ANNOTATIONS and k != "kubeviz.io/seq"
    }
    if kept:
        meta["annotations"] = {**(meta.get("annotations") or {}), **kept}  # a document cannot set these (strategy)
    if spec:
        obj["spec"] = spec
    return obj
