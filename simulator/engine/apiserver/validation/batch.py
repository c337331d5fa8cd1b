"""Validation of the batch group: Jobs.

Sources: pkg/apis/batch/validation/validation.go (validateGeneratedSelector, ValidateJobSpec,
ValidateJobSpecUpdate) and pkg/registry/batch/job/strategy.go (validationOptionsForJob).
"""

from __future__ import annotations

from ...errors import (
    FieldError,
    invalid,
    not_supported,
    required,
)
from ...labels import validate_label_selector
from .apps import selector_for, template_labels
from .core import validate_pod_template_spec
from .fields import (
    GO_POD_TEMPLATE,
    as_dict,
    as_int,
    as_labels,
    as_str,
    go_label_selector,
    go_string_map,
    immutable,
    nonnegative,
    semantically_equal,
)
from .meta import validate_object_meta, validate_object_meta_update
from .names import (
    is_dns1123_label,
)

# ---------------------------------------------------------------------------------------------
# Jobs
# ---------------------------------------------------------------------------------------------

_JOB_LABELS = ("controller-uid", "job-name", "batch.kubernetes.io/controller-uid", "batch.kubernetes.io/job-name")
MAX_PARALLELISM_FOR_INDEXED_JOB = 100000


def _validate_generated_selector(obj: dict, require_prefixed: bool) -> list[FieldError]:
    """validateGeneratedSelector: with a generated selector, the template carries the Job's
    name and uid labels and the selector picks them."""
    spec = as_dict(obj.get("spec"))
    if spec.get("manualSelector") is True or spec.get("selector") is None:
        return []
    meta = as_dict(obj.get("metadata"))
    uid, name = as_str(meta.get("uid")), as_str(meta.get("name"))
    errs: list[FieldError] = []
    if not uid:
        errs.append(required("metadata.uid"))
    labels = template_labels(spec.get("template"))
    expected = {"controller-uid": uid, "job-name": name}
    checks = [("controller-uid", uid), ("job-name", name)]
    if require_prefixed:
        checks += [("batch.kubernetes.io/controller-uid", uid), ("batch.kubernetes.io/job-name", name)]
        expected.update({"batch.kubernetes.io/controller-uid": uid, "batch.kubernetes.io/job-name": name})
    for key, value in checks:  # ValidateHasLabel
        path = f"spec.template.metadata.labels[{key}]"
        if labels is None or key not in labels:
            errs.append(required(path, f"must be '{value}'"))
        elif as_str(labels[key]) != value:
            errs.append(invalid(path, go_string_map(labels), f"must be '{value}'"))
    selector, ok = selector_for(spec.get("selector"), "spec.selector")
    if ok and not selector.matches(expected):
        errs.append(
            invalid("spec.selector", go_label_selector(as_dict(spec.get("selector"))), "`selector` not auto-generated")
        )
    return errs


def _validate_job_spec(spec: dict, name: str) -> list[FieldError]:
    """ValidateJobSpec (validateJobSpec plus the selector checks)."""
    errs: list[FieldError] = []
    for key in (
        "parallelism",
        "completions",
        "activeDeadlineSeconds",
        "backoffLimit",
        "ttlSecondsAfterFinished",
        "backoffLimitPerIndex",
        "maxFailedIndexes",
    ):
        errs.extend(nonnegative(spec.get(key), f"spec.{key}"))
    if spec.get("maxFailedIndexes") is not None and spec.get("backoffLimitPerIndex") is None:
        errs.append(required("spec.backoffLimitPerIndex", "when maxFailedIndexes is specified"))
    mode = spec.get("completionMode")
    if mode is not None:
        if mode not in ("NonIndexed", "Indexed"):
            errs.append(not_supported("spec.completionMode", as_str(mode), ("NonIndexed", "Indexed")))
        if mode == "Indexed":
            if spec.get("completions") is None:
                errs.append(required("spec.completions", "when completion mode is Indexed"))
            if spec.get("parallelism") is not None and as_int(spec["parallelism"]) > MAX_PARALLELISM_FOR_INDEXED_JOB:
                errs.append(
                    invalid(
                        "spec.parallelism",
                        as_int(spec["parallelism"]),
                        f"must be less than or equal to {MAX_PARALLELISM_FOR_INDEXED_JOB} when completion mode is Indexed",
                    )
                )
    if mode in (None, "NonIndexed"):
        for key in ("backoffLimitPerIndex", "maxFailedIndexes"):
            if spec.get(key) is not None:
                errs.append(invalid(f"spec.{key}", as_int(spec[key]), "requires indexed completion mode"))
    replacement = spec.get("podReplacementPolicy")
    if replacement is not None:
        if spec.get("podFailurePolicy") is not None:
            if replacement != "Failed":
                errs.append(not_supported("spec.podReplacementPolicy", as_str(replacement), ("Failed",)))
        elif replacement not in ("Failed", "TerminatingOrFailed"):
            errs.append(
                not_supported("spec.podReplacementPolicy", as_str(replacement), ("Failed", "TerminatingOrFailed"))
            )
    template = spec.get("template")
    errs.extend(validate_pod_template_spec(template, "spec.template"))
    # Defaulting turns an omitted restartPolicy into Always, so Always reads as "you must choose".
    restart = as_str(as_dict(as_dict(template).get("spec")).get("restartPolicy"))
    if restart in ("Always", ""):
        errs.append(required("spec.template.spec.restartPolicy", 'valid values: "OnFailure", "Never"'))
    elif restart not in ("OnFailure", "Never"):
        errs.append(not_supported("spec.template.spec.restartPolicy", restart, ("OnFailure", "Never")))
    elif spec.get("podFailurePolicy") is not None and restart != "Never":
        errs.append(
            invalid(
                "spec.template.spec.restartPolicy",
                restart,
                'only "Never" is supported when podFailurePolicy is specified',
            )
        )
    # ValidateJobSpec proper
    selector = spec.get("selector")
    if selector is None:
        errs.append(required("spec.selector"))
    else:
        errs.extend(validate_label_selector(as_dict(selector), "spec.selector"))
    parsed, ok = selector_for(selector, "spec.selector")
    labels = template_labels(template)
    if ok and not parsed.matches(as_labels(labels)):
        errs.append(
            invalid(
                "spec.template.metadata.labels", go_string_map(labels), "`selector` does not match template `labels`"
            )
        )
    return errs


def validate_job(obj: dict, old: dict | None) -> list[FieldError]:
    spec = as_dict(obj.get("spec"))
    meta = as_dict(obj.get("metadata"))
    name = as_str(meta.get("name"))
    require_prefixed = True
    if old is not None:  # validationOptionsForJob: only insist on the prefixed labels if the old Job had them
        old_labels = template_labels(as_dict(old.get("spec")).get("template")) or {}
        require_prefixed = (
            "batch.kubernetes.io/job-name" in old_labels and "batch.kubernetes.io/controller-uid" in old_labels
        )
    # ValidateJob
    errs = validate_object_meta(meta, True, "dns1123-subdomain")
    errs.extend(_validate_generated_selector(obj, require_prefixed))
    errs.extend(_validate_job_spec(spec, name))
    completions = spec.get("completions")
    if spec.get("completionMode") == "Indexed" and completions is not None and as_int(completions) > 0:
        hostname = f"{name}-{as_int(completions) - 1}"
        if is_dns1123_label(hostname):
            errs.append(
                invalid("metadata.name", name, f"will not able to create pod with invalid DNS label: {hostname}")
            )
    if old is not None:
        errs.extend(_validate_job_update(obj, old))
    return errs


def _validate_job_update(obj: dict, old: dict) -> list[FieldError]:
    """ValidateJobUpdate / ValidateJobSpecUpdate."""
    spec, old_spec = as_dict(obj.get("spec")), as_dict(old.get("spec"))
    errs = validate_object_meta_update(obj.get("metadata"), old.get("metadata"))
    errs.extend(_validate_job_spec(spec, as_str(as_dict(obj.get("metadata")).get("name"))))
    # validateCompletions (ElasticIndexedJob is GA): Indexed Jobs may scale completions with parallelism.
    completions, old_completions = spec.get("completions"), old_spec.get("completions")
    if spec.get("completionMode") == "Indexed":
        if (
            not semantically_equal(completions, old_completions)
            and completions is not None
            and as_int(completions) != as_int(spec.get("parallelism"))
        ):
            errs.append(
                invalid("spec.completions", as_int(completions), "can only be modified in tandem with spec.parallelism")
            )
    else:
        errs.extend(immutable(completions, old_completions, "spec.completions"))
    new_selector = spec.get("selector")
    errs.extend(
        immutable(
            new_selector,
            old_spec.get("selector"),
            "spec.selector",
            go_label_selector(new_selector) if isinstance(new_selector, dict) else None,
        )
    )
    # validatePodTemplateUpdate: a suspended Job that never started may change its scheduling directives.
    template, old_template = as_dict(spec.get("template")), as_dict(old_spec.get("template"))
    if old_spec.get("suspend") is True and as_dict(old.get("status")).get("startTime") is None:
        old_template = dict(old_template)
        old_meta, new_meta = dict(as_dict(old_template.get("metadata"))), as_dict(template.get("metadata"))
        for key in ("labels", "annotations"):
            old_meta[key] = new_meta.get(key)
        old_template["metadata"] = old_meta
        old_pod, new_pod = dict(as_dict(old_template.get("spec"))), as_dict(template.get("spec"))
        for key in ("nodeSelector", "tolerations", "schedulingGates"):
            old_pod[key] = new_pod.get(key)
        old_affinity = dict(as_dict(old_pod.get("affinity")))
        old_affinity["nodeAffinity"] = as_dict(new_pod.get("affinity")).get("nodeAffinity")
        old_pod["affinity"] = old_affinity
        new_affinity = new_pod.get("affinity")
        if new_affinity is None and all(v is None for k, v in old_affinity.items() if k != "nodeAffinity"):
            old_pod["affinity"] = None
        old_template["spec"] = old_pod
    errs.extend(immutable(template, old_template, "spec.template", GO_POD_TEMPLATE))
    for key in ("completionMode", "podFailurePolicy", "backoffLimitPerIndex", "managedBy", "successPolicy"):
        errs.extend(immutable(spec.get(key), old_spec.get(key), f"spec.{key}"))
    return errs
