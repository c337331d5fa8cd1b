"""Validation of the apps group: Deployments, ReplicaSets and DaemonSets.

Sources: pkg/apis/apps/validation/validation.go (ValidateDeploymentSpec, ValidateReplicaSetSpec,
ValidatePodTemplateSpecForReplicaSet, ValidateDaemonSetSpec, the rolling-update checks) and
pkg/registry/apps/{deployment,replicaset,daemonset}/strategy.go (selector immutability, apps/v1).
"""

from __future__ import annotations

from typing import Any

from ...errors import (
    FieldError,
    forbidden,
    invalid,
    not_supported,
    required,
)
from ...labels import SelectorError, from_label_selector, validate_label_selector
from .core import validate_pod_template_spec
from .fields import (
    FIELD_IMMUTABLE,
    GoLiteral,
    as_dict,
    as_int,
    as_labels,
    as_str,
    go_int_or_string,
    go_label_selector,
    go_quote,
    go_string_map,
    nonnegative,
    semantically_equal,
)
from .meta import validate_object_meta, validate_object_meta_update
from .names import (
    regex_error,
)

# ---------------------------------------------------------------------------------------------
# Workload controllers
# ---------------------------------------------------------------------------------------------

_PERCENT_MSG = regex_error(
    "a valid percent string must be a numeric string followed by an ending '%'", "[0-9]+%", "1%", "93%"
)


def _percent(value: Any) -> int | None:
    """getPercentValue: the number of a valid "N%" string, else None."""
    if (
        isinstance(value, str)
        and len(value) > 1
        and value.endswith("%")
        and value[:-1].isdigit()
        and value[:-1].isascii()
    ):
        return int(value[:-1])
    return None


def _int_or_percent(value: Any) -> int:
    """getIntOrPercentValue (a malformed string counts as 0, like IntValue() of a non-numeric string)."""
    p = _percent(value)
    if p is not None:
        return p
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return 0
    return as_int(value)


def _positive_int_or_percent(value: Any, path: str) -> list[FieldError]:
    """ValidatePositiveIntOrPercent."""
    if isinstance(value, str):
        if _percent(value) is None:
            return [invalid(path, go_int_or_string(value), _PERCENT_MSG)]
        return []
    return nonnegative(value, path)


def _not_more_than_100_percent(value: Any, path: str) -> list[FieldError]:
    p = _percent(value)
    if p is not None and p > 100:
        return [invalid(path, go_int_or_string(value), "must not be greater than 100%")]
    return []


def selector_for(selector: Any, path: str):
    """metav1.LabelSelectorAsSelector: (selector, ok)."""
    try:
        return from_label_selector(selector if isinstance(selector, dict) else None, path), True
    except SelectorError:
        return None, False


def template_labels(template: Any) -> dict | None:
    meta = as_dict(template).get("metadata")
    labels = as_dict(meta).get("labels") if isinstance(meta, dict) else None
    return labels if isinstance(labels, dict) else None


def _validate_template_for_replicas(spec: dict, selector, kind_name: str) -> list[FieldError]:
    """ValidatePodTemplateSpecForReplicaSet (used by Deployments and ReplicaSets)."""
    errs: list[FieldError] = []
    template = spec.get("template")
    labels = template_labels(template)
    if not selector.empty() and not selector.matches(as_labels(labels)):
        errs.append(
            invalid(
                "spec.template.metadata.labels", go_string_map(labels), "`selector` does not match template `labels`"
            )
        )
    errs.extend(validate_pod_template_spec(template, "spec.template"))
    pod_spec = as_dict(as_dict(template).get("spec"))
    restart = as_str(pod_spec.get("restartPolicy"))
    if restart != "Always":
        errs.append(not_supported("spec.template.spec.restartPolicy", restart, ("Always",)))
    if pod_spec.get("activeDeadlineSeconds") is not None:
        errs.append(
            forbidden(
                "spec.template.spec.activeDeadlineSeconds", f"activeDeadlineSeconds in {kind_name} is not Supported"
            )
        )
    return errs


def _validate_replicated_selector(spec: dict, empty_message: str) -> tuple[list[FieldError], Any]:
    """The selector part shared by DeploymentSpec and ReplicaSetSpec validation."""
    errs: list[FieldError] = []
    selector = spec.get("selector")
    if selector is None:
        errs.append(required("spec.selector"))
    else:
        selector = as_dict(selector)
        errs.extend(validate_label_selector(selector, "spec.selector"))
        if not selector.get("matchLabels") and not selector.get("matchExpressions"):
            errs.append(invalid("spec.selector", go_label_selector(selector), empty_message))
    parsed, ok = selector_for(selector, "spec.selector")
    if not ok:
        errs.append(invalid("spec.selector", go_label_selector(as_dict(selector)), "invalid label selector"))
    return errs, parsed


def _validate_apps_meta(obj: dict, old: dict | None) -> list[FieldError]:
    """The apps/v1 kinds' metadata: ValidateObjectMeta on create (namespaced, a DNS-1123
    subdomain name: ValidateDeploymentName and its siblings), ValidateObjectMetaUpdate on update."""
    if old is None:
        return validate_object_meta(obj.get("metadata"), True, "dns1123-subdomain")
    return validate_object_meta_update(obj.get("metadata"), old.get("metadata"))


def validate_deployment(obj: dict, old: dict | None) -> list[FieldError]:
    spec = as_dict(obj.get("spec"))
    errs = _validate_apps_meta(obj, old)
    # ValidateDeploymentSpec
    errs.extend(nonnegative(spec.get("replicas"), "spec.replicas"))
    selector_errs, selector = _validate_replicated_selector(spec, "empty selector is invalid for deployment")
    errs.extend(selector_errs)
    if selector is not None:
        errs.extend(_validate_template_for_replicas(spec, selector, "ReplicaSet"))
    errs.extend(_validate_deployment_strategy(as_dict(spec.get("strategy"))))
    errs.extend(nonnegative(spec.get("minReadySeconds"), "spec.minReadySeconds"))
    errs.extend(nonnegative(spec.get("revisionHistoryLimit"), "spec.revisionHistoryLimit"))
    deadline = spec.get("progressDeadlineSeconds")
    if deadline is not None:
        errs.extend(nonnegative(deadline, "spec.progressDeadlineSeconds"))
        if as_int(deadline) <= as_int(spec.get("minReadySeconds")):
            errs.append(
                invalid("spec.progressDeadlineSeconds", as_int(deadline), "must be greater than minReadySeconds")
            )
    if old is not None:
        errs.extend(_selector_immutable(spec, as_dict(old.get("spec"))))
    return errs


def _selector_immutable(spec: dict, old_spec: dict) -> list[FieldError]:
    """The apps/v1 strategies' ValidateUpdate: `spec.selector` may not change."""
    new, old = spec.get("selector"), old_spec.get("selector")
    if semantically_equal(new, old):
        return []
    return [invalid("spec.selector", go_label_selector(new) if isinstance(new, dict) else None, FIELD_IMMUTABLE)]


def _validate_deployment_strategy(strategy: dict) -> list[FieldError]:
    """ValidateDeploymentStrategy / ValidateRollingUpdateDeployment."""
    stype = as_str(strategy.get("type"))
    rolling = strategy.get("rollingUpdate")
    path = "spec.strategy"
    if stype == "Recreate":
        if rolling is not None:
            return [forbidden(f"{path}.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'")]
        return []
    if stype == "RollingUpdate":
        if rolling is None:
            return [required(f"{path}.rollingUpdate", "this should be defaulted and never be nil")]
        rolling = as_dict(rolling)
        unavailable, surge = rolling.get("maxUnavailable"), rolling.get("maxSurge")
        errs = _positive_int_or_percent(unavailable, f"{path}.rollingUpdate.maxUnavailable")
        errs.extend(_positive_int_or_percent(surge, f"{path}.rollingUpdate.maxSurge"))
        if _int_or_percent(unavailable) == 0 and _int_or_percent(surge) == 0:
            errs.append(
                invalid(
                    f"{path}.rollingUpdate.maxUnavailable",
                    go_int_or_string(unavailable),
                    "may not be 0 when `maxSurge` is 0",
                )
            )
        errs.extend(_not_more_than_100_percent(unavailable, f"{path}.rollingUpdate.maxUnavailable"))
        return errs
    shown = GoLiteral(
        f"apps.DeploymentStrategy{{Type:{go_quote(stype)}, RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}}"
    )
    return [not_supported(path, shown, ("Recreate", "RollingUpdate"))]


def validate_replica_set(obj: dict, old: dict | None) -> list[FieldError]:
    spec = as_dict(obj.get("spec"))
    errs = _validate_apps_meta(obj, old)
    # ValidateReplicaSetSpec (its empty-selector message really says "deployment")
    errs.extend(nonnegative(spec.get("replicas"), "spec.replicas"))
    errs.extend(nonnegative(spec.get("minReadySeconds"), "spec.minReadySeconds"))
    selector_errs, selector = _validate_replicated_selector(spec, "empty selector is invalid for deployment")
    errs.extend(selector_errs)
    if selector is not None:
        errs.extend(_validate_template_for_replicas(spec, selector, "ReplicaSet"))
    if old is not None:
        errs.extend(_selector_immutable(spec, as_dict(old.get("spec"))))
    return errs


def validate_daemon_set(obj: dict, old: dict | None) -> list[FieldError]:
    spec = as_dict(obj.get("spec"))
    errs = _validate_apps_meta(obj, old)
    # ValidateDaemonSetSpec. A missing selector is not "Required" here: nil selects nothing,
    # so only the template-labels mismatch is reported.
    raw_selector = spec.get("selector")
    if isinstance(raw_selector, dict):
        errs.extend(validate_label_selector(raw_selector, "spec.selector"))
    selector, ok = selector_for(raw_selector, "spec.selector")
    template = spec.get("template")
    labels = template_labels(template)
    if ok and not selector.matches(as_labels(labels)):
        errs.append(
            invalid(
                "spec.template.metadata.labels", go_string_map(labels), "`selector` does not match template `labels`"
            )
        )
    if (
        isinstance(raw_selector, dict)
        and not raw_selector.get("matchLabels")
        and not raw_selector.get("matchExpressions")
    ):
        errs.append(
            invalid("spec.selector", go_label_selector(raw_selector), "empty selector is invalid for daemonset")
        )
    errs.extend(validate_pod_template_spec(template, "spec.template"))
    pod_spec = as_dict(as_dict(template).get("spec"))
    restart = as_str(pod_spec.get("restartPolicy"))
    if restart != "Always":
        errs.append(not_supported("spec.template.spec.restartPolicy", restart, ("Always",)))
    if pod_spec.get("activeDeadlineSeconds") is not None:
        errs.append(
            forbidden("spec.template.spec.activeDeadlineSeconds", "activeDeadlineSeconds in DaemonSet is not Supported")
        )
    errs.extend(nonnegative(spec.get("minReadySeconds"), "spec.minReadySeconds"))
    errs.extend(_validate_daemon_set_update_strategy(as_dict(spec.get("updateStrategy"))))
    errs.extend(nonnegative(spec.get("revisionHistoryLimit"), "spec.revisionHistoryLimit"))
    if old is not None:
        errs.extend(_selector_immutable(spec, as_dict(old.get("spec"))))
    return errs


def _validate_daemon_set_update_strategy(strategy: dict) -> list[FieldError]:
    """ValidateDaemonSetUpdateStrategy / ValidateRollingUpdateDaemonSet."""
    stype = as_str(strategy.get("type"))
    path = "spec.updateStrategy"
    if stype == "OnDelete":
        return []
    if stype == "RollingUpdate":
        rolling = strategy.get("rollingUpdate")
        if rolling is None:
            return [required(f"{path}.rollingUpdate")]
        rolling = as_dict(rolling)
        path = f"{path}.rollingUpdate"
        unavailable, surge = rolling.get("maxUnavailable"), rolling.get("maxSurge")
        errs = _positive_int_or_percent(unavailable, f"{path}.maxUnavailable")
        errs.extend(_positive_int_or_percent(surge, f"{path}.maxSurge"))
        errs.extend(_not_more_than_100_percent(unavailable, f"{path}.maxUnavailable"))
        errs.extend(_not_more_than_100_percent(surge, f"{path}.maxSurge"))
        has_unavailable, has_surge = _int_or_percent(unavailable) != 0, _int_or_percent(surge) != 0
        if has_unavailable and has_surge:
            errs.append(
                invalid(f"{path}.maxSurge", go_int_or_string(surge), "may not be set when maxUnavailable is non-zero")
            )
        elif not has_unavailable and not has_surge:
            errs.append(required(f"{path}.maxUnavailable", "cannot be 0 when maxSurge is 0"))
        return errs
    shown = GoLiteral(
        f"apps.DaemonSetUpdateStrategy{{Type:{go_quote(stype)}, RollingUpdate:(*apps.RollingUpdateDaemonSet)(nil)}}"
    )
    return [not_supported(path, shown, ("RollingUpdate", "OnDelete"))]
