"""Each kind's REST strategy: what the API server resets, keeps and checks beyond validation.

As pkg/registry/<group>/<kind>/strategy.go does: PrepareForCreate resets what the server owns
(the status of Deployments, ReplicaSets, DaemonSets and Jobs: their controllers write it; a
Namespace gets the `kubernetes` finalizer; a Job's selector is generated from its uid), and
PrepareForUpdate keeps it (`kubectl apply` leaves what the server set: the uid and creation
time, allocated addresses, a Job's generated selector, a pod's node, status, the server's
annotations). `kinds.py` names each kind's `Strategy`.

kubeviz has no kubelet, so it honours a few status fields as teaching knobs
(simulate-contract.md: a pod's `status.phase` and `Ready` condition; a node's InternalIP; a
LoadBalancer's ingress address). Those, and the `kubeviz.io/` annotations that shape a Job's
timeline, are checked here (`Strategy.validate`) so that a bad value is a clear error on its
field, never a crash or a nonsense diagram. The annotations the simulator keeps for its own
bookkeeping are the server's: a document cannot set them.
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import FieldError, invalid, not_supported
from ..kubelet.node import with_default_labels
from ..netaddr import is_ipv4
from ..wellknown import (
    CONTROLLER_UID_LABEL,
    FAILURES_ANNOTATION,
    JOB_LABELS,
    JOB_NAME_LABEL,
    LEGACY_CONTROLLER_UID_LABEL,
    LEGACY_JOB_NAME_LABEL,
    RUN_SECONDS_ANNOTATION,
    SEQ_ANNOTATION,
    SERVER_ANNOTATIONS,
)
from .validation.names import is_dns1123_subdomain, is_valid_ip
from .warnings import no_warnings, pod_warnings, service_warnings, template_warnings

if TYPE_CHECKING:
    from ..model import Base

# The metadata the API server sets on every object it stores (a document's values are replaced).
SERVER_METADATA = ("uid", "resourceVersion", "creationTimestamp", "generation")

MAX_RUN_SECONDS = 86_400 * 365  # a simulated year: anything longer is a typo, not a lesson
POD_PHASES = ("Failed", "Pending", "Running", "Succeeded", "Unknown")  # core/v1 PodPhase
CONDITION_STATUSES = ("False", "True", "Unknown")  # core/v1 ConditionStatus

# A pod's status fields that the scheduler and kubelet write: kubeviz plays both, so a document
# cannot set them (only `phase` and the conditions are a document's to give, as teaching knobs).
POD_SERVER_STATUS = ("podIP", "podIPs", "hostIP", "hostIPs", "startTime", "nominatedNodeName", "qosClass")


def _as_written(obj: dict) -> tuple[dict, list[tuple[str, str]]]:
    return obj, []


def _keep_nothing(obj: dict, spec: dict, old: dict) -> None:
    return None


def _nothing_to_check(obj: dict) -> list[FieldError]:
    return []


@dataclass(frozen=True)
class Strategy:
    """What the server does with one kind's objects, beyond defaulting and validation."""

    # PrepareForCreate: the document as stored, and warnings as (field, message).
    on_create: Callable[[dict], tuple[dict, list[tuple[str, str]]]] = _as_written
    # PrepareForUpdate: keep in `obj` (and its copied `spec`) what the server set on `old` (a manifest).
    on_update: Callable[[dict, dict, dict], None] = _keep_nothing
    # The knobs kubeviz reads from the document (status fields, kubeviz.io annotations).
    validate: Callable[[dict], list[FieldError]] = _nothing_to_check
    # What the strategy derives from the new object's uid (a Job's generated selector); validation
    # sees it, so it runs before validation (with a stand-in uid) and again when the uid is known.
    with_uid: Callable[[dict, str], dict] | None = None
    generation: bool = False  # metadata.generation: 1 on create, +1 whenever the spec changes
    # WarningsOnCreate / WarningsOnUpdate: (field, message) for a valid object (apiserver/warnings.py).
    warnings: Callable[[dict], list[tuple[str, str]]] = no_warnings


# ---------------------------------------------------------------------- create
def prepare_for_create(strategy: Strategy, obj: dict) -> tuple[dict, list[tuple[str, str]]]:
    """The document as the server stores it on create: the kind's strategy applied, the server's
    own annotations dropped. Returns it (copied only where changed) and warnings as (field, message)."""
    obj, warnings = strategy.on_create(obj)
    return _without_deletion(strip_server_annotations(obj)), warnings


# The deletion marks are the server's (rest.BeforeCreate clears them; an update keeps the stored ones).
_DELETION_FIELDS = ("deletionTimestamp", "deletionGracePeriodSeconds")


def _without_deletion(obj: dict) -> dict:
    meta = obj.get("metadata")
    if not isinstance(meta, dict) or not any(k in meta for k in _DELETION_FIELDS):
        return obj
    return {**obj, "metadata": {k: v for k, v in meta.items() if k not in _DELETION_FIELDS}}


def strip_server_annotations(obj: dict) -> dict:
    meta = obj.get("metadata")
    annotations = meta.get("annotations") if isinstance(meta, dict) else None
    if not isinstance(annotations, dict) or not SERVER_ANNOTATIONS.intersection(annotations):
        return obj
    kept = {k: v for k, v in annotations.items() if k not in SERVER_ANNOTATIONS}
    return {**obj, "metadata": {**meta, "annotations": kept}}


def _reset_status(obj: dict) -> tuple[dict, list[tuple[str, str]]]:
    """The controllers write these kinds' status: a document's is thrown away."""
    if "status" in obj:
        obj = {k: v for k, v in obj.items() if k != "status"}
    return obj, []


def _drop_pod_server_status(obj: dict) -> tuple[dict, list[tuple[str, str]]]:
    """A pod's addresses are the scheduler's and kubelet's (kubeviz's): ignored, with a warning."""
    warnings: list[tuple[str, str]] = []
    if isinstance(obj.get("status"), dict):
        status = obj["status"]
        ignored = [f for f in POD_SERVER_STATUS if status.get(f) not in (None, "", [])]
        if ignored:
            obj = {**obj, "status": {k: v for k, v in status.items() if k not in POD_SERVER_STATUS}}
            for field in ignored:
                warnings.append(
                    (
                        f"status.{field}",
                        f"status.{field} is ignored: the scheduler and kubelet set it, and "
                        "kubeviz gives each pod an address from its node's pod CIDR",
                    )
                )
    return obj, warnings


FINALIZER_KUBERNETES = "kubernetes"


def namespace_prepare_for_create(obj: dict) -> dict:
    """namespaceStrategy.PrepareForCreate: status Active; the `kubernetes` finalizer appended
    to spec.finalizers unless already there (it is not a default: it may be removed later)."""
    out = dict(obj)
    spec = _as_dict(obj.get("spec"))
    finalizers = list(spec.get("finalizers") or [])
    if FINALIZER_KUBERNETES not in finalizers:
        finalizers.append(FINALIZER_KUBERNETES)
    spec["finalizers"] = finalizers
    out["spec"] = spec
    out["status"] = dict(_as_dict(obj.get("status")), phase="Active")
    return out


def prepare_job_for_create(obj: dict, uid: str) -> dict:
    """jobStrategy.PrepareForCreate on a DEFAULTED Job (a new dict; `obj` untouched).

    The registry gives the Job its uid; status is cleared; generation becomes 1. Unless
    `spec.manualSelector` is true, generateSelector adds `job-name` and
    `batch.kubernetes.io/job-name` (= the Job's name) and `controller-uid` and
    `batch.kubernetes.io/controller-uid` (= its uid) to the pod template's labels (keeping any
    the user already set, which validation then checks), and selects
    `batch.kubernetes.io/controller-uid` in `spec.selector.matchLabels`.

    Subtle: when defaulting gave the Job its template's labels (the Job had none), the two
    are ONE Go map (SetDefaults_Job assigns the map; conversion shares it), so the generated
    labels also appear on the Job itself. We mirror that when `metadata.labels` is the very
    same dict object as the template's labels, as `apply_defaults` leaves it.
    """
    out = dict(obj)
    meta = _as_dict(obj.get("metadata"))
    meta["uid"] = uid
    meta["generation"] = 1
    out["metadata"] = meta
    out.pop("status", None)
    spec = _as_dict(obj.get("spec"))
    out["spec"] = spec
    if spec.get("manualSelector") is True:
        return out
    template = _as_dict(spec.get("template"))
    tmeta = _as_dict(template.get("metadata"))
    old_labels = tmeta.get("labels")
    labels = _as_dict(old_labels)
    name = meta.get("name") or ""
    for key in (LEGACY_JOB_NAME_LABEL, JOB_NAME_LABEL):
        labels.setdefault(key, name)
    for key in (LEGACY_CONTROLLER_UID_LABEL, CONTROLLER_UID_LABEL):
        labels.setdefault(key, uid)
    tmeta["labels"] = labels
    template["metadata"] = tmeta
    spec["template"] = template
    if old_labels is not None and isinstance(obj.get("metadata"), dict) and obj["metadata"].get("labels") is old_labels:
        meta["labels"] = labels
    selector = _as_dict(spec.get("selector"))
    match_labels = _as_dict(selector.get("matchLabels"))
    match_labels.setdefault(CONTROLLER_UID_LABEL, uid)
    selector["matchLabels"] = match_labels
    spec["selector"] = selector
    return out


# ---------------------------------------------------------------------- update
def prepare_for_update(strategy: Strategy, obj: dict, old: Base) -> dict:
    """kubectl apply leaves what the server set: the object's uid and creation time, what the
    kind's strategy keeps, the owner and the server-side annotations. (apply patches the stored
    object, so validation sees them; a Job's generated selector is checked against its uid.)"""
    obj = dict(obj)
    old_m = old.manifest
    old_meta = old_m.get("metadata") or {}
    meta = dict(obj.get("metadata") or {})
    for key in ("uid", "creationTimestamp"):
        if key in old_meta and not meta.get(key):
            meta[key] = old_meta[key]
    for key in _DELETION_FIELDS:
        if key in old_meta:
            meta[key] = old_meta[key]
        else:
            meta.pop(key, None)
    obj["metadata"] = meta
    spec = dict(obj.get("spec") or {})
    strategy.on_update(obj, spec, old_m)
    if old.owner is not None:
        meta.setdefault("ownerReferences", old_meta.get("ownerReferences"))
    # the engine's bookkeeping stays; the user's knobs (run-seconds, failures) are the document's
    kept = {
        k: v for k, v in (old_meta.get("annotations") or {}).items() if k in SERVER_ANNOTATIONS and k != SEQ_ANNOTATION
    }
    if kept:
        meta["annotations"] = {**(meta.get("annotations") or {}), **kept}  # a document cannot set these (strategy)
    if spec:
        obj["spec"] = spec
    return obj


def _keep_service(obj: dict, spec: dict, old: dict) -> None:
    """What the allocator set and the document does not say (kubectl apply's merge leaves it;
    storage.go patchAllocatedValues): the ClusterIP, IP family fields, NodePorts and health-check
    node port, and the status (its load-balancer address)."""
    old_spec = old.get("spec") or {}
    if spec.get("type") != "ExternalName" and old_spec.get("type") != "ExternalName":
        if not spec.get("clusterIP") and old_spec.get("clusterIP"):
            spec["clusterIP"] = old_spec["clusterIP"]
            spec["clusterIPs"] = old_spec.get("clusterIPs", [old_spec["clusterIP"]])
        for key in ("ipFamilyPolicy", "ipFamilies"):
            if spec.get(key) is None and old_spec.get(key) is not None:
                spec[key] = old_spec[key]
    if (
        not spec.get("healthCheckNodePort")
        and old_spec.get("healthCheckNodePort")
        and spec.get("type") == "LoadBalancer"
        and spec.get("externalTrafficPolicy") == "Local"
    ):
        spec["healthCheckNodePort"] = old_spec["healthCheckNodePort"]
    if spec.get("type") in ("NodePort", "LoadBalancer"):
        old_ports = {(p.get("port"), p.get("protocol", "TCP")): p.get("nodePort") for p in old_spec.get("ports") or ()}
        ports = []
        for p in spec.get("ports") or ():
            p = dict(p)
            if not p.get("nodePort") and old_ports.get((p.get("port"), p.get("protocol", "TCP"))):
                p["nodePort"] = old_ports[(p.get("port"), p.get("protocol", "TCP"))]
            ports.append(p)
        spec["ports"] = ports
    if "status" not in obj and old.get("status"):
        obj["status"] = old["status"]


def _keep_job(obj: dict, spec: dict, old: dict) -> None:
    """The generated selector and the labels it put on the template, and the status."""
    old_spec = old.get("spec") or {}
    if not spec.get("manualSelector") and "selector" not in (obj.get("spec") or {}):
        spec["selector"] = old_spec.get("selector")
        template = copy.deepcopy(spec.get("template") or {})
        labels = template.setdefault("metadata", {}).setdefault("labels", {})
        for k, v in ((old_spec.get("template") or {}).get("metadata") or {}).get("labels", {}).items():
            if k in JOB_LABELS:
                labels.setdefault(k, v)
        spec["template"] = template
    if old.get("status"):
        obj["status"] = old["status"]


def _keep_pod(obj: dict, spec: dict, old: dict) -> None:
    """The node it is bound to, and the status (or, when the document gives one, the server's
    addresses in it)."""
    old_spec = old.get("spec") or {}
    if not spec.get("nodeName") and old_spec.get("nodeName"):
        spec["nodeName"] = old_spec["nodeName"]
    if "status" not in obj and old.get("status"):
        obj["status"] = old["status"]
    elif isinstance(obj.get("status"), dict):
        obj["status"] = keep_pod_server_status(obj["status"], old.get("status") or {})


def keep_pod_server_status(status: dict | None, old_status: dict) -> dict:
    """A pod's status on update: the document's phase and conditions, the server's addresses."""
    status = {k: v for k, v in (status or {}).items() if k not in POD_SERVER_STATUS}
    for field in POD_SERVER_STATUS:
        if field in old_status:
            status[field] = old_status[field]
    return status


def _keep_node(obj: dict, spec: dict, old: dict) -> None:
    """The allocated pod range, the status (its addresses), and the labels the node's kubelet
    owns (kubectl apply leaves labels it did not set; kubelet puts its own back anyway)."""
    with_default_labels(obj)
    old_spec = old.get("spec") or {}
    for key in ("podCIDR", "podCIDRs"):
        if key not in spec and key in old_spec:
            spec[key] = old_spec[key]
    if "status" not in obj and old.get("status"):
        obj["status"] = old["status"]


def _keep_status(obj: dict, spec: dict, old: dict) -> None:
    """The status, which the kind's controller writes."""
    if old.get("status"):
        obj["status"] = old["status"]


def unchanged(stored: dict, incoming: dict) -> bool:
    """Does applying `incoming` change nothing the user can set? (kubectl's "unchanged".)"""
    return json.dumps(_user_set(stored, incoming), sort_keys=True) == json.dumps(
        _user_set(incoming, incoming), sort_keys=True
    )


def _user_set(manifest: dict, incoming: dict) -> dict:
    """What of `manifest` a document decides: not the server's metadata (nor the owner and the
    namespace, which the server keeps), not the server's annotations, and no status but a pod's
    when the document gives one."""
    meta = {
        k: v
        for k, v in (manifest.get("metadata") or {}).items()
        if k not in SERVER_METADATA and k not in ("ownerReferences", "namespace")
    }
    annotations = {k: v for k, v in (meta.get("annotations") or {}).items() if k not in SERVER_ANNOTATIONS}
    if annotations:
        meta["annotations"] = annotations
    else:
        meta.pop("annotations", None)
    return {
        "apiVersion": manifest.get("apiVersion"),
        "metadata": meta,
        "spec": manifest.get("spec"),
        "status": manifest.get("status") if manifest.get("kind") == "Pod" and "status" in incoming else None,
    }


# ---------------------------------------------------------------------- the knobs kubeviz reads
def _validate_pod(obj: dict) -> list[FieldError]:
    return _pod_status(_status_of(obj))


def _validate_node(obj: dict) -> list[FieldError]:
    return _node_status(_status_of(obj))


def _validate_service(obj: dict) -> list[FieldError]:
    return _service_status(_status_of(obj))


def _validate_job(obj: dict) -> list[FieldError]:
    meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    return _job_annotations(meta.get("annotations") or {})


def _status_of(obj: dict) -> dict:
    return obj.get("status") if isinstance(obj.get("status"), dict) else {}


def _ipv4(path: str, value: Any) -> list[FieldError]:
    """An address the simulator routes to: a valid IP (IsValidIP's words), and IPv4, which is all
    kubeviz simulates."""
    if value in (None, ""):
        return []
    problems = is_valid_ip(value)
    if problems:
        return [invalid(path, value, problems[0])]
    if not is_ipv4(value):
        return [
            invalid(path, value, "must be an IPv4 address in dotted-quad form: kubeviz simulates IPv4 clusters only")
        ]
    return []


def _pod_status(status: dict) -> list[FieldError]:
    errs: list[FieldError] = []
    phase = status.get("phase")
    if phase not in (None, "") and phase not in POD_PHASES:
        errs.append(not_supported("status.phase", phase, POD_PHASES))
    for i, condition in enumerate(status.get("conditions") or ()):
        if not isinstance(condition, dict):
            continue
        value = condition.get("status")
        if condition.get("type") == "Ready" and value not in (None, "") and value not in CONDITION_STATUSES:
            errs.append(not_supported(f"status.conditions[{i}].status", value, CONDITION_STATUSES))
    return errs


def _node_status(status: dict) -> list[FieldError]:
    errs: list[FieldError] = []
    for i, address in enumerate(status.get("addresses") or ()):
        if isinstance(address, dict) and address.get("type") in ("InternalIP", "ExternalIP"):
            errs += _ipv4(f"status.addresses[{i}].address", address.get("address"))
    return errs


def _service_status(status: dict) -> list[FieldError]:
    """ValidateLoadBalancerStatus: an ingress IP must be an IP; a hostname a DNS name, not an IP."""
    errs: list[FieldError] = []
    lb = status.get("loadBalancer") if isinstance(status.get("loadBalancer"), dict) else {}
    for i, ingress in enumerate(lb.get("ingress") or ()):
        if not isinstance(ingress, dict):
            continue
        path = f"status.loadBalancer.ingress[{i}]"
        errs += _ipv4(f"{path}.ip", ingress.get("ip"))
        hostname = ingress.get("hostname")
        if hostname:
            for problem in is_dns1123_subdomain(hostname):
                errs.append(invalid(f"{path}.hostname", hostname, problem))
            if not is_valid_ip(hostname):
                errs.append(invalid(f"{path}.hostname", hostname, "must be a DNS name, not an IP address"))
    return errs


def _job_annotations(annotations: dict) -> list[FieldError]:
    errs: list[FieldError] = []
    run = annotations.get(RUN_SECONDS_ANNOTATION)
    if run is not None:
        path = f"metadata.annotations[{RUN_SECONDS_ANNOTATION}]"
        try:
            seconds = float(run)
        except (TypeError, ValueError):
            seconds = math.nan
        if not math.isfinite(seconds) or seconds < 0 or seconds > MAX_RUN_SECONDS:
            errs.append(
                invalid(
                    path,
                    run,
                    "must be a number of simulated seconds each pod of this Job runs, "
                    f'from 0 to {MAX_RUN_SECONDS} (e.g. "10" or "2.5")',
                )
            )
    failures = annotations.get(FAILURES_ANNOTATION)
    if failures is not None:
        path = f"metadata.annotations[{FAILURES_ANNOTATION}]"
        text = str(failures)
        if not text.isdigit() or not text.isascii() or int(text) > 1_000_000:
            errs.append(invalid(path, failures, "must be a whole number of pod runs that fail, from 0 to 1000000"))
    return errs


# ---------------------------------------------------------------------- update-time preparation


def _as_dict(value: Any) -> dict:
    return dict(value) if isinstance(value, dict) else {}


# ---------------------------------------------------------------------- each kind's
NAMESPACE = Strategy()  # its finalizer comes with its defaults (SetDefaults_Namespace calls PrepareForCreate's part)
NODE = Strategy(on_update=_keep_node, validate=_validate_node)
POD = Strategy(on_create=_drop_pod_server_status, on_update=_keep_pod, validate=_validate_pod, warnings=pod_warnings)
SERVICE = Strategy(on_update=_keep_service, validate=_validate_service, warnings=service_warnings)
WORKLOAD = Strategy(
    on_create=_reset_status, on_update=_keep_status, generation=True, warnings=template_warnings
)  # Deployment, ReplicaSet, DaemonSet
JOB = Strategy(
    on_create=_reset_status,
    on_update=_keep_job,
    validate=_validate_job,
    with_uid=prepare_job_for_create,
    generation=True,
    warnings=template_warnings,
)
INGRESS = Strategy(generation=True)
# ConfigMap, Secret, ServiceAccount: nothing beyond the registry's bookkeeping (their strategies
# only drop disabled fields). IngressClass counts its spec's generations (ingressclass/strategy.go).
PLAIN = Strategy()
INGRESS_CLASS = Strategy(generation=True)
