"""What the simulator itself reads from a document, beyond the API server's own validation.

The API server throws most of a new object's `status` away (the registry strategies'
PrepareForCreate: pkg/registry/{apps/deployment,apps/replicaset,apps/daemonset,batch/job}/
strategy.go reset it), and kubelet, not the user, writes a pod's. kubeviz has no kubelet, so
it honours a few status fields as teaching knobs (simulate-contract.md: a pod's `status.phase`
and `Ready` condition; a node's InternalIP; a LoadBalancer's ingress address). Those, and the
`kubeviz.io/` annotations that shape a Job's timeline, are checked here so that a bad value is a
clear error on its field, never a crash or a nonsense diagram. The annotations the simulator
keeps for its own bookkeeping are the server's: a document cannot set them.
"""

from __future__ import annotations

import ipaddress
import math
from typing import Any

from ..errors import FieldError, invalid, not_supported
from .validation.names import is_dns1123_subdomain, is_valid_ip

# Bookkeeping the engine writes on stored objects (creation order, the simulated clock).
SERVER_ANNOTATIONS = frozenset(
    {"kubeviz.io/seq", "kubeviz.io/started-at", "kubeviz.io/finished-at", "kubeviz.io/restarts"}
)
RUN_SECONDS_ANNOTATION = "kubeviz.io/run-seconds"
FAILURES_ANNOTATION = "kubeviz.io/failures"
MAX_RUN_SECONDS = 86_400 * 365  # a simulated year: anything longer is a typo, not a lesson

# Kinds whose status the API server resets on create (their controllers own it).
_STATUS_RESET_ON_CREATE = frozenset({"Deployment", "ReplicaSet", "DaemonSet", "Job"})

POD_PHASES = ("Failed", "Pending", "Running", "Succeeded", "Unknown")  # core/v1 PodPhase
CONDITION_STATUSES = ("False", "True", "Unknown")  # core/v1 ConditionStatus


# A pod's status fields that the scheduler and kubelet write: kubeviz plays both, so a document
# cannot set them (only `phase` and the conditions are a document's to give, as teaching knobs).
POD_SERVER_STATUS = ("podIP", "podIPs", "hostIP", "hostIPs", "startTime", "nominatedNodeName", "qosClass")


def prepare_for_create(kind: str, obj: dict) -> tuple[dict, list[tuple[str, str]]]:
    """The document as the server stores it on create: its status reset where the registry
    resets it, a pod's addresses left to kubeviz, the server's own annotations dropped.
    Returns it (copied only where changed) and warnings as (field, message)."""
    warnings: list[tuple[str, str]] = []
    if kind in _STATUS_RESET_ON_CREATE and "status" in obj:
        obj = {k: v for k, v in obj.items() if k != "status"}
    elif kind == "Pod" and isinstance(obj.get("status"), dict):
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
    return strip_server_annotations(obj), warnings


def keep_pod_server_status(status: dict | None, old_status: dict) -> dict:
    """A pod's status on update: the document's phase and conditions, the server's addresses."""
    status = {k: v for k, v in (status or {}).items() if k not in POD_SERVER_STATUS}
    for field in POD_SERVER_STATUS:
        if field in old_status:
            status[field] = old_status[field]
    return status


def strip_server_annotations(obj: dict) -> dict:
    meta = obj.get("metadata")
    annotations = meta.get("annotations") if isinstance(meta, dict) else None
    if not isinstance(annotations, dict) or not SERVER_ANNOTATIONS.intersection(annotations):
        return obj
    kept = {k: v for k, v in annotations.items() if k not in SERVER_ANNOTATIONS}
    return {**obj, "metadata": {**meta, "annotations": kept}}


def validate(kind: str, obj: dict) -> list[FieldError]:
    """Errors in the fields and annotations the simulator reads (after decoding and defaulting)."""
    status = obj.get("status") if isinstance(obj.get("status"), dict) else {}
    if kind == "Pod":
        return _pod_status(status)
    if kind == "Node":
        return _node_status(status)
    if kind == "Service":
        return _service_status(status)
    if kind == "Job":
        meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
        return _job_annotations(meta.get("annotations") or {})
    return []


def _ipv4(path: str, value: Any) -> list[FieldError]:
    """An address the simulator routes to: a valid IP (IsValidIP's words), and IPv4, which is all
    kubeviz simulates."""
    if value in (None, ""):
        return []
    problems = is_valid_ip(value)
    if problems:
        return [invalid(path, value, problems[0])]
    try:
        ipaddress.IPv4Address(value)
    except ValueError:
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
