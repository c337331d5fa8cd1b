"""Reading a decoded object's fields without crashing, and printing bad values as Go does.

Validation runs on whatever the user wrote (after decoding and defaulting), so every read goes
through a reader that gives an empty value instead of raising (`as_dict`, `as_list`, ...).
field.Error prints a non-scalar bad value with Go's `%#v`; `GoLiteral` and the `go_*`
functions spell those values (k8s.io/apimachinery/pkg/util/validation/field/errors.go).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from ...errors import (
    FieldError,
    invalid,
)

FIELD_IMMUTABLE = "field is immutable"  # apimachineryvalidation.FieldImmutableErrorMsg
IS_NEGATIVE = "must be greater than or equal to 0"  # apimachineryvalidation.IsNegativeErrorMsg
MAX_INT32 = (1 << 31) - 1


# ---------------------------------------------------------------------------------------------
# Go renderings of bad values (field.Error prints non-scalar values with %#v)
# ---------------------------------------------------------------------------------------------


class GoLiteral:
    """A bad value that prints exactly as given (errors.go_value calls go_repr())."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text

    def go_repr(self) -> str:
        return self.text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GoLiteral) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)

    def __repr__(self) -> str:
        return f"GoLiteral({self.text!r})"


def go_quote(value: Any) -> str:
    return json.dumps("" if value is None else str(value), ensure_ascii=False)


def _go_map_text(m: Any) -> str:
    if m is None:
        return "map[string]string(nil)"
    return "map[string]string{" + ", ".join(f"{go_quote(k)}:{go_quote(m[k])}" for k in sorted(m)) + "}"


def _go_strings_text(values: Any) -> str:
    if values is None:
        return "[]string(nil)"
    return "[]string{" + ", ".join(go_quote(v) for v in values) + "}"


def go_string_map(m: Mapping[str, str] | None) -> GoLiteral:
    """%#v of a map[string]string: `map[string]string{"app":"web"}`, nil as `map[string]string(nil)`."""
    return GoLiteral(_go_map_text(m))


def go_label_selector(selector: Mapping[str, Any] | None) -> GoLiteral | None:
    """%#v of a metav1.LabelSelector, as `spec.selector: Invalid value: ...` shows it:
    `v1.LabelSelector{MatchLabels:map[string]string{"app":"web"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}`.
    (A nil *LabelSelector prints `null`.)"""
    if selector is None:
        return None
    exprs = selector.get("matchExpressions")
    if exprs is None:
        exprs_text = "[]v1.LabelSelectorRequirement(nil)"
    else:
        items = [
            f"v1.LabelSelectorRequirement{{Key:{go_quote(e.get('key'))}, Operator:{go_quote(e.get('operator'))}, "
            f"Values:{_go_strings_text(e.get('values'))}}}"
            for e in exprs
            if isinstance(e, dict)
        ]
        exprs_text = "[]v1.LabelSelectorRequirement{" + ", ".join(items) + "}"
    return GoLiteral(
        f"v1.LabelSelector{{MatchLabels:{_go_map_text(selector.get('matchLabels'))}, MatchExpressions:{exprs_text}}}"
    )


def go_int_or_string(value: Any) -> GoLiteral:
    """%#v of an intstr.IntOrString (Type 0 = Int, 1 = String)."""
    if isinstance(value, str):
        return GoLiteral(f"intstr.IntOrString{{Type:1, IntVal:0, StrVal:{go_quote(value)}}}")
    return GoLiteral(f'intstr.IntOrString{{Type:0, IntVal:{int(value or 0)}, StrVal:""}}')


def go_service_port_key(protocol: str, port: int) -> GoLiteral:
    """The core.ServicePort{Protocol, Port} key ValidateService reports as a duplicate."""
    return GoLiteral(
        f'core.ServicePort{{Name:"", Protocol:{go_quote(protocol)}, AppProtocol:(*string)(nil), Port:{port}, '
        f'TargetPort:intstr.IntOrString{{Type:0, IntVal:0, StrVal:""}}, NodePort:0}}'
    )


def go_taint(taint: Mapping[str, Any]) -> GoLiteral:
    added = taint.get("timeAdded")
    added_text = "(*v1.Time)(nil)" if not added else f"time.Date({go_quote(added)})"
    return GoLiteral(
        f"core.Taint{{Key:{go_quote(taint.get('key'))}, Value:{go_quote(taint.get('value'))}, "
        f"Effect:{go_quote(taint.get('effect'))}, TimeAdded:{added_text}}}"
    )


# The whole pod template prints as a multi-kilobyte %#v dump of core.PodTemplateSpec; we
# show its head only (see the module's report of what is left out).
GO_POD_TEMPLATE = GoLiteral("core.PodTemplateSpec{...}")


# ---------------------------------------------------------------------------------------------
# Small readers that never crash on malformed input
# ---------------------------------------------------------------------------------------------


def as_dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list:
    return value if isinstance(value, list) else []


def as_str(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def as_int(value: Any) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value == value and abs(value) < 1e21:
        return int(value)
    return 0


def as_labels(value: Any) -> dict[str, str]:
    return {str(k): as_str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def _normalized(value: Any) -> Any:
    """For apiequality.Semantic.DeepEqual: nil and empty maps/lists are equal."""
    if isinstance(value, dict):
        return {k: _normalized(v) for k, v in value.items() if not is_empty(v)}
    if isinstance(value, (list, tuple)):
        return [_normalized(v) for v in value]
    return value


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, (dict, list, tuple)) and len(value) == 0)


def semantically_equal(a: Any, b: Any) -> bool:
    if is_empty(a) and is_empty(b):
        return True
    return _normalized(a) == _normalized(b)


def invalid_each(path: str, value: Any, messages: Iterable[str]) -> list[FieldError]:
    return [invalid(path, value, msg) for msg in messages]


def nonnegative(value: Any, path: str) -> list[FieldError]:
    """ValidateNonnegativeField."""
    if value is not None and as_int(value) < 0:
        return [invalid(path, as_int(value), IS_NEGATIVE)]
    return []


def immutable(new: Any, old: Any, path: str, shown: Any = None) -> list[FieldError]:
    """ValidateImmutableField: Invalid(new value, "field is immutable") when not semantically equal."""
    if semantically_equal(new, old):
        return []
    return [invalid(path, new if shown is None else shown, FIELD_IMMUTABLE)]
