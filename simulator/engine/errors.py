"""Errors and diagnostics as data, in the API server's own words.

`FieldError` mirrors apimachinery's `field.Error` (k8s.io/apimachinery/pkg/util/validation/field/errors.go):
a type ("Invalid value", "Required value", ...), the field path, the bad value and a detail.
`message()` renders what the API server prints after the field path, e.g.
`Invalid value: "Web_App": a DNS-1035 label must consist of ...`.

`Diagnostic` is what a user sees: the error (or warning) placed in their input by document,
line, kind and name.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

# field.ErrorType strings, as errors.go spells them.
NOT_FOUND = "Not found"
REQUIRED = "Required value"
DUPLICATE = "Duplicate value"
INVALID = "Invalid value"
NOT_SUPPORTED = "Unsupported value"
FORBIDDEN = "Forbidden"
TOO_LONG = "Too long"
TOO_MANY = "Too many"
INTERNAL = "Internal error"

_OMIT = object()


def go_value(value: Any) -> str:
    """Render a bad value the way field.Error.ErrorBody does (field/errors.go).

    Strings print with %q, int32/int64/float/bool with %v, everything else with Go's %#v:
    a labels map is `map[string]string{"app":"web", "tier":"db"}` (keys sorted, as fmt sorts
    maps), a string slice `[]string{"a", "b"}`. A value that knows its own Go rendering (an
    object with a `go_repr()` method, e.g. a struct printed with %#v such as
    `v1.LabelSelector{...}` or a nil map `map[string]string(nil)`) prints that.
    """
    go_repr = getattr(value, "go_repr", None)
    if go_repr is not None and not isinstance(value, type):
        return go_repr()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int):
        return str(value)
    if value is None:
        return "null"
    if isinstance(value, float):
        if abs(value) < 1e21 and value == int(value):
            return str(int(value))  # %v of float64(80) is 80
        return repr(value)
    if isinstance(value, dict):
        if all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            body = ", ".join(
                f"{json.dumps(k, ensure_ascii=False)}:{json.dumps(value[k], ensure_ascii=False)}" for k in sorted(value)
            )
            return "map[string]string{" + body + "}"
        return json.dumps(value, sort_keys=True, default=str)
    if isinstance(value, (list, tuple)):
        if all(isinstance(v, str) for v in value):
            return "[]string{" + ", ".join(go_value(v) for v in value) + "}"
        return json.dumps(value)
    return json.dumps(value, sort_keys=True, default=str)


@dataclass(frozen=True)
class FieldError:
    """One validation failure at one field path (apimachinery field.Error)."""

    type: str
    field: str
    value: Any = _OMIT
    detail: str = ""
    hint: str = ""  # ours, never part of the message: e.g. "did you mean" for an unknown field

    def message(self) -> str:
        """The text after `<field>: ` in the API server's error."""
        parts = [self.type]
        if self.value is not _OMIT and self.type not in (REQUIRED, FORBIDDEN, TOO_LONG, INTERNAL, TOO_MANY):
            parts.append(go_value(self.value))
        text = ": ".join(parts)
        if self.detail:
            text += ": " + self.detail
        return text

    def __str__(self) -> str:
        return f"{self.field}: {self.message()}" if self.field else self.message()


def invalid(path: str, value: Any, detail: str = "") -> FieldError:
    return FieldError(INVALID, path, value, detail)


def required(path: str, detail: str = "") -> FieldError:
    return FieldError(REQUIRED, path, _OMIT, detail)


def duplicate(path: str, value: Any) -> FieldError:
    return FieldError(DUPLICATE, path, value)


def not_supported(path: str, value: Any, supported: list[str] | tuple[str, ...]) -> FieldError:
    detail = "supported values: " + ", ".join(json.dumps(s) for s in supported) if supported else ""
    return FieldError(NOT_SUPPORTED, path, value, detail)


def forbidden(path: str, detail: str) -> FieldError:
    return FieldError(FORBIDDEN, path, _OMIT, detail)


def not_found(path: str, value: Any) -> FieldError:
    return FieldError(NOT_FOUND, path, value)


def too_long(path: str, max_length: int) -> FieldError:
    return FieldError(TOO_LONG, path, _OMIT, f"may not be more than {max_length} bytes")


def without_duplicates(errors: list[FieldError]) -> list[FieldError]:
    """The errors in order, each once: field.ErrorList.ToAggregate drops exact duplicates."""
    seen: set[str] = set()
    unique: list[FieldError] = []
    for error in errors:
        text = str(error)
        if text not in seen:
            seen.add(text)
            unique.append(error)
    return unique


@dataclass(frozen=True)
class Diagnostic:
    """An error or warning placed in the user's input."""

    document: int | None  # 1-based document number in the input, None when not from a document
    line: int | None  # 1-based line in the input
    kind: str | None
    name: str | None
    field: str | None
    message: str
    hint: str | None = None

    def to_dict(self, with_field: bool = True) -> dict:
        out = {"document": self.document, "line": self.line, "kind": self.kind, "name": self.name}
        if with_field:
            out["field"] = self.field
        out["message"] = self.message
        if self.hint:
            out["hint"] = self.hint
        return out

    def __str__(self) -> str:
        where = []
        if self.document is not None:
            where.append(f"document {self.document}")
        if self.line is not None:
            where.append(f"line {self.line}")
        prefix = f"{', '.join(where)}: " if where else ""
        obj = f"{self.kind or 'object'} {self.name!r}: " if self.name else (f"{self.kind}: " if self.kind else "")
        fld = f"{self.field}: " if self.field else ""
        return f"{prefix}{obj}{fld}{self.message}"


@dataclass(frozen=True)
class Hint:
    """A teaching diagnostic about derived state (not an error): id, object, message, hint."""

    id: str
    kind: str
    namespace: str | None
    name: str
    message: str
    hint: str = ""
    data: dict = field(default_factory=dict, compare=False, hash=False)

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "kind": self.kind,
            "namespace": self.namespace,
            "name": self.name,
            "message": self.message,
            "hint": self.hint,
            "data": self.data,
        }


@dataclass(frozen=True)
class Problem:
    """An error found against the cluster's state (a missing namespace, an address in use),
    already worded as the API server words it."""

    field: str
    text: str
    hint: str | None = None

    def message(self) -> str:
        return self.text


class EngineError(Exception):
    """Base of the engine's domain exceptions."""


class InputRejected(EngineError):
    """The whole input was refused (e.g. too large); carries diagnostics."""

    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__("; ".join(str(d) for d in diagnostics))
        self.diagnostics = diagnostics
