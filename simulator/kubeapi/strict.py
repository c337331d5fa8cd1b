"""fieldValidation: the fields of a body that its kind does not have.

kubectl 1.27+ sends `fieldValidation=Strict` on create, update and patch (with the OpenAPI stub
in place), so catching a student's typo is the server's job. The API server
decodes with sigs.k8s.io/json's strict mode and answers a 400:
`Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown
field "spec.replica"` (paths with `[i]` for list elements, the fields in document order);
`Warn` puts the same `unknown field "..."` texts in Warning headers, `Ignore` drops them.
The field sets are the Go structs of the vendored types.go (`gotypes`), inline structs included.
"""

from __future__ import annotations

from typing import Any

from . import gotypes, status
from .gotypes import GoStruct, GoType

_OPAQUE = {"RawExtension", "Fields", "FieldsV1"}


def unknown_fields(kind: str, obj: dict) -> list[str]:
    """Paths of the fields of `obj` that `kind` does not have, in document order."""
    if kind not in gotypes.KIND_TYPES:
        return []
    found: list[str] = []
    _walk(obj, gotypes.kind_type(kind), "", found)
    return found


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _walk(value: Any, struct: GoStruct, path: str, found: list[str]) -> None:
    if not isinstance(value, dict):
        return
    fields = struct.by_json
    for key, item in value.items():
        field = fields.get(key)
        if field is None:
            found.append(_join(path, key))
            continue
        _walk_typed(item, gotypes.resolve(field.type), _join(path, key), found)


def _walk_typed(value: Any, go_type: GoType, path: str, found: list[str]) -> None:
    if go_type.shape == "scalar" and go_type.name in _OPAQUE:
        return
    if go_type.shape == "struct":
        struct = gotypes.struct_of(go_type)
        if struct is not None:
            _walk(value, struct, path, found)
    elif go_type.shape == "list" and isinstance(value, list) and go_type.elem is not None:
        elem = gotypes.resolve(go_type.elem)
        for index, item in enumerate(value):
            _walk_typed(item, elem, f"{path}[{index}]", found)
    elif go_type.shape == "map" and isinstance(value, dict) and go_type.elem is not None:
        elem = gotypes.resolve(go_type.elem)
        for key, item in value.items():
            _walk_typed(item, elem, f"{path}.{key}", found)


def check(kind: str, version: str, obj: dict, mode: str | None) -> list[str]:
    """Apply `fieldValidation` (Strict, Warn or Ignore; absent means Warn on 1.27+ servers):
    raise the 400 for Strict, return the warnings for Warn."""
    mode = (mode or "Warn").strip()
    if mode not in ("Strict", "Warn", "Ignore"):
        raise status.bad_request(f"fieldValidation must be one of Ignore, Warn, Strict, not {mode!r}")
    if mode == "Ignore":
        return []
    unknown = unknown_fields(kind, obj)
    if unknown and mode == "Strict":
        raise status.strict_decoding(kind, version, unknown)
    return [f'unknown field "{path}"' for path in unknown]
