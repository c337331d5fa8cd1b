"""The live protocol's payloads (docs/protocol.md), built in one place.

A change is serialised once (`encode`) and the same text goes to every watcher: the group
message carries the text, consumers relay it untouched (`simulator.push` sends it).
"""

from __future__ import annotations

import json
from typing import Any

PROTOCOL = 1
# daphne (autobahn) refuses to send a websocket message over 1 MiB: snapshots go in parts of
# about this size, and a change too large for one message tells clients to resync instead.
PART_BYTES = 256 * 1024
MAX_CHANGE_BYTES = 768 * 1024


def encode(payload: dict) -> str:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


def snapshot(version: int, entries: dict) -> dict:
    return {"type": "snapshot", "protocol": PROTOCOL, "version": version, "entries": entries}


def snapshot_parts(version: int, entries: dict, part_bytes: int = PART_BYTES) -> list[str]:
    """The snapshot as serialised messages of about `part_bytes` each:
    `{"type":"snapshot","protocol":1,"version":N,"part":i,"parts":k,"entries":{...}}`, i from 1.
    A client replaces its entries once it holds every part of one version."""
    chunks: list[list[str]] = [[]]
    size = 0
    for key, value in entries.items():
        piece = f"{json.dumps(key, ensure_ascii=False)}:{encode(value)}"
        if size and size + len(piece) > part_bytes:
            chunks.append([])
            size = 0
        chunks[-1].append(piece)
        size += len(piece) + 1
    parts = len(chunks)
    return [
        f'{{"type":"snapshot","protocol":{PROTOCOL},"version":{version},"part":{i},"parts":{parts},'
        f'"entries":{{{",".join(chunk)}}}}}'
        for i, chunk in enumerate(chunks, 1)
    ]


def merge_patch(old, new):
    """An RFC 7386 JSON Merge Patch turning `old` into `new` (dicts recurse; anything else is
    replaced). None when no patch can say it (merge patches cannot set a value to null)."""
    if not isinstance(old, dict) or not isinstance(new, dict):
        return None if new is None else new
    patch = {}
    for key, value in new.items():
        if key not in old:
            if value is None or (isinstance(value, dict) and _has_none(value)):
                return None
            patch[key] = value
        elif old[key] != value:
            if value is None:
                return None
            if isinstance(value, dict) and isinstance(old[key], dict):
                sub = merge_patch(old[key], value)
                if sub is None:
                    return None
                patch[key] = sub
            elif isinstance(value, dict) and _has_none(value):
                return None
            else:
                patch[key] = value
    for key in old:
        if key not in new:
            patch[key] = None
    return patch


def _has_none(value) -> bool:
    return isinstance(value, dict) and any(v is None or _has_none(v) for v in value.values())


def apply_merge_patch(target, patch):
    """RFC 7386 MergePatch(target, patch)."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = apply_merge_patch(result.get(key), value)
    return result


def split_patches(previous: dict, set_: dict) -> tuple[dict, dict]:
    """Entries that existed before and changed a little travel as merge patches, when smaller."""
    full, patches = {}, {}
    for key, value in set_.items():
        old = previous.get(key)
        if isinstance(old, dict) and isinstance(value, dict):
            patch = merge_patch(old, value)
            if patch is not None and len(encode(patch)) < len(encode(value)) and apply_merge_patch(old, patch) == value:
                patches[key] = patch
                continue
        full[key] = value
    return full, patches


def change(version: int, set_: dict, unset: list, cause: dict, patch: dict | None = None) -> dict:
    out = {"type": "change", "protocol": PROTOCOL, "version": version, "base": version - 1, "set": set_, "unset": unset}
    if patch:
        out["patch"] = patch
    out["cause"] = cause
    return out


def change_text(version: int, set_: dict, unset: list, cause: dict, patch: dict | None = None) -> str:
    """A change, serialised once for every watcher. One too large for a websocket message becomes
    a change with `"resync": true` and nothing to apply: clients ask for a snapshot."""
    text = encode(change(version, set_, unset, cause, patch))
    if len(text) > MAX_CHANGE_BYTES:
        text = encode(
            {
                "type": "change",
                "protocol": PROTOCOL,
                "version": version,
                "base": version - 1,
                "resync": True,
                "set": {},
                "unset": [],
                "cause": cause,
            }
        )
    return text


def presence(watchers: int, instructors: list[dict] | None = None, following: int = 0) -> dict:
    """How many watch; and, when a class's instructors watch (a student's sandbox), who they are
    and whether they took it over: `instructors: [{name, editing}]`; on a projected cluster being
    presented, how many follow the presenter (`following`)."""
    out: dict[str, Any] = {"type": "presence", "watchers": watchers}
    if instructors:
        out["instructors"] = instructors
    if following:
        out["following"] = following
    return out


def error(message: str, request_id: Any = None, code: str | None = None) -> dict:
    out = {"type": "error", "message": message}
    if code is not None:
        out["code"] = code
    if request_id is not None:
        out["id"] = request_id
    return out


def refused(request_id: Any, reason: str) -> dict:
    """The reply to a request the permissions refuse: nothing was done."""
    return reply(request_id, False, error=reason, code="forbidden")


def reply(request_id: Any, ok: bool, **fields) -> dict:
    return {"type": "reply", "id": request_id, "ok": ok, **fields}
