"""Object metadata: ValidateObjectMeta and ValidateObjectMetaUpdate.

Source: k8s.io/apimachinery/pkg/api/validation/objectmeta.go (Kubernetes 1.33).
"""

from __future__ import annotations

from typing import Any

from ...errors import (
    FieldError,
    invalid,
)
from .fields import FIELD_IMMUTABLE, as_dict, as_labels, as_list, as_str, invalid_each, nonnegative
from .names import (
    is_dns1123_label,
    is_qualified_name,
    validate_annotations,
    validate_labels,
    validate_name,
)

# ---------------------------------------------------------------------------------------------
# Object metadata
# ---------------------------------------------------------------------------------------------

STANDARD_FINALIZERS = frozenset({"kubernetes", "orphan", "foregroundDeletion"})  # helper.IsStandardFinalizerName


def _validate_finalizers(finalizers: Any, path: str) -> list[FieldError]:
    """apimachinery ValidateFinalizers (reported at the list's path) plus core's
    validateKubeFinalizerName (at the item's path)."""
    errs: list[FieldError] = []
    names = [as_str(f) for f in as_list(finalizers)]
    for name in names:
        errs.extend(invalid_each(path, name, is_qualified_name(name)))
    if "orphan" in names and "foregroundDeletion" in names:
        errs.append(invalid(path, names, "finalizer orphan and foregroundDeletion cannot be both set"))
    for i, name in enumerate(names):
        if "/" not in name and name not in STANDARD_FINALIZERS:
            errs.append(
                invalid(f"{path}[{i}]", name, "name is neither a standard finalizer name nor is it fully qualified")
            )
    return errs


def validate_object_meta(meta: Any, namespaced: bool, rule: str) -> list[FieldError]:
    """ValidateObjectMeta: name (or generateName), namespace, generation, labels, annotations, finalizers.

    A cluster-scoped kind's namespace is cleared by the registry before validation, and a
    namespaced object without one gets the request's namespace, so neither is an error here.
    """
    meta = as_dict(meta)
    errs: list[FieldError] = []
    name = as_str(meta.get("name"))
    if name or not meta.get("generateName"):
        errs.extend(validate_name(name, "metadata.name", rule))
    namespace = as_str(meta.get("namespace"))
    if namespaced and namespace:
        errs.extend(invalid_each("metadata.namespace", namespace, is_dns1123_label(namespace)))
    errs.extend(nonnegative(meta.get("generation"), "metadata.generation"))
    errs.extend(validate_labels(as_labels(meta.get("labels")), "metadata.labels"))
    errs.extend(validate_annotations(as_labels(meta.get("annotations")), "metadata.annotations"))
    errs.extend(_validate_finalizers(meta.get("finalizers"), "metadata.finalizers"))
    return errs


def validate_object_meta_update(meta: Any, old_meta: Any) -> list[FieldError]:
    """ValidateObjectMetaUpdate: name, namespace and uid may not change; labels and annotations
    are validated again. (resourceVersion and timestamps are the registry's business.)"""
    meta, old_meta = as_dict(meta), as_dict(old_meta)
    errs: list[FieldError] = []
    for key in ("name", "namespace", "uid"):
        new, old = as_str(meta.get(key)), as_str(old_meta.get(key))
        if new and old and new != old:
            errs.append(invalid(f"metadata.{key}", new, FIELD_IMMUTABLE))
    errs.extend(validate_labels(as_labels(meta.get("labels")), "metadata.labels"))
    errs.extend(validate_annotations(as_labels(meta.get("annotations")), "metadata.annotations"))
    errs.extend(_validate_finalizers(meta.get("finalizers"), "metadata.finalizers"))
    return errs
