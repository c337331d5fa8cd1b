"""The reference client of the live protocol: the rules static/src/protocol/socket.js and store.js
follow (apply a change whose `base` is our version, ignore one we already have, ask once for a
snapshot on a gap and wait for it). Tests use it to check that a stale snapshot plus the pushed
changes equals a fresh snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .payloads import apply_merge_patch


@dataclass
class LiveState:
    """What a browser holds: entries at a version. `receive` returns what to send back
    (a resync request) or None."""

    version: int | None = None
    entries: dict = field(default_factory=dict)
    applied: int = 0
    ignored: int = 0
    gaps: int = 0
    resyncs: int = 0
    waiting: bool = False
    _parts: dict = field(default_factory=dict)

    def receive(self, message: dict) -> dict | None:
        kind = message.get("type")
        if kind == "snapshot":
            if message.get("part", 1) == 1:
                self._parts = {}
            self._parts.update(message["entries"])
            if message.get("part", 1) < message.get("parts", 1):
                return None
            if self.version is None or message["version"] >= self.version or self.waiting:
                self.version = message["version"]
                self.entries = self._parts
                self.resyncs += 1 if self.waiting else 0
                self.waiting = False
            self._parts = {}
            return None
        if kind != "change":
            return None
        if self.version is None or message["version"] <= self.version:
            self.ignored += 1
            return None
        if message["base"] != self.version or message.get("resync"):
            self.gaps += 1
            if self.waiting:
                return None
            self.waiting = True
            return {"type": "resync"}
        for key in message["unset"]:
            self.entries.pop(key, None)
        self.entries.update(message["set"])
        for key, patch in (message.get("patch") or {}).items():
            self.entries[key] = apply_merge_patch(self.entries.get(key), patch)
        self.version = message["version"]
        self.applied += 1
        return None
