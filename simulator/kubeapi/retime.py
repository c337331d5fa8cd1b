"""Moving an object's timestamps between the engine's clock and the wall clock.

The engine counts simulated seconds from 2026-01-01T00:00:00Z (its SIM_EPOCH). The API server's
own Tables measure AGE against the engine's clock, so they agree with it; but kubectl computes
some ages itself with the student's clock (`describe`'s Events and node pod list ages,
`kubectl events`, the "(5m ago)" of restarts), which then reads `339d` for a pod created a
minute ago. Serving every timestamp shifted by a fixed offset (the wall time at which the
cluster's clock started, minus the epoch) keeps both views right.

`shift(kind, obj, seconds)` moves every metav1.Time and MicroTime field of `obj` (found through
the Go types of `gotypes`, so no field is guessed) by `seconds`; the inverse shift applies to
bodies coming in.
"""

from __future__ import annotations

import datetime
from typing import Any

from . import gotypes
from .gotypes import GoStruct, GoType

_FORMATS = {"Time": "%Y-%m-%dT%H:%M:%SZ", "MicroTime": "%Y-%m-%dT%H:%M:%S.%fZ"}


def _move(text: Any, seconds: float, kind: str) -> Any:
    if not isinstance(text, str) or not text:
        return text
    try:
        moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    moved = moment + datetime.timedelta(seconds=seconds)
    return moved.astimezone(datetime.UTC).strftime(_FORMATS[kind])


def _walk(value: Any, go_type: GoType, seconds: float) -> Any:
    go_type = gotypes.resolve(go_type)
    if go_type.shape == "scalar":
        if go_type.name in _FORMATS:
            return _move(value, seconds, go_type.name)
        return value
    if go_type.shape == "struct" and isinstance(value, dict):
        struct = gotypes.struct_of(go_type)
        return _walk_struct(value, struct, seconds) if struct is not None else value
    if go_type.shape == "list" and isinstance(value, list) and go_type.elem is not None:
        return [_walk(item, go_type.elem, seconds) for item in value]
    if go_type.shape == "map" and isinstance(value, dict) and go_type.elem is not None:
        return {key: _walk(item, go_type.elem, seconds) for key, item in value.items()}
    return value


def _walk_struct(value: dict, struct: GoStruct, seconds: float) -> dict:
    fields = struct.by_json
    out = {}
    for key, item in value.items():
        field = fields.get(key)
        out[key] = _walk(item, field.type, seconds) if field is not None else item
    return out


def shift(kind: str, obj: dict, seconds: float) -> dict:
    """A copy of `obj` with its timestamps moved by `seconds` (unknown kinds: metadata only)."""
    if not seconds:
        return obj
    if kind in gotypes.KIND_TYPES:
        return _walk_struct(obj, gotypes.kind_type(kind), seconds)
    meta = obj.get("metadata")
    if isinstance(meta, dict):
        return {**obj, "metadata": _walk_struct(meta, gotypes.struct_type("meta/v1", "ObjectMeta"), seconds)}
    return obj
