"""Watch streams: events, their encoding, resourceVersion semantics, bookmarks.

The API server's watch (apiserver/pkg/endpoints/handlers/watch.go, storage/cacher): a chunked
response of one JSON object per line, `{"type": "ADDED|MODIFIED|DELETED|BOOKMARK|ERROR",
"object": {...}}`. When the client asked for a Table, each object is a Table with one row,
the column definitions only in the first event. Semantics kubectl relies on (recorded from kubectl 1.27-1.37):

* `resourceVersion` absent, "" or "0": start with a synthetic ADDED event per current object,
  then changes (`kubectl get -w` without a list before it, informers that list with RV 0);
* `resourceVersion=N`: only changes newer than N, from the history; when N is older than the
  history keeps, an ERROR event with a 410 `Expired` Status (`too old resource version: N (M)`),
  after which clients relist;
* selectors apply to the object before and after a change: an object that starts matching
  is ADDED, one that stops matching is DELETED (the cacher's filtering);
* `allowWatchBookmarks=true`: BOOKMARK events carry only the kind and the current resourceVersion;
* `timeoutSeconds`: the server ends the stream after it (informers pass 300-600 s);
* `sendInitialEvents=true` (the streaming list, KEP-3157: kubectl 1.37's informers send it with
  `resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true` and no list before, for
  `rollout status`, `wait`, `delete` waiting): the current objects as ADDED events, then a
  BOOKMARK annotated `k8s.io/initial-events-end: "true"`; without that bookmark the client
  waits forever (observed with kubectl 1.37.1).

`History` is the per-cluster ring of changes; `WatchEncoder` turns events into the lines of one
stream, Table-wrapped or not.
"""

from __future__ import annotations

import datetime
import json
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from . import printers, status

ADDED, MODIFIED, DELETED, BOOKMARK, ERROR = "ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"


@dataclass(frozen=True)
class Change:
    """One stored change: `old` is None for a creation, `new` None for a deletion (then the
    object as it was deleted is `old`, with the deletion's resourceVersion)."""

    resource_version: int
    kind: str
    old: dict | None
    new: dict | None

    @property
    def object(self) -> dict:
        return self.new if self.new is not None else self.old  # type: ignore[return-value]


@dataclass(frozen=True)
class Event:
    type: str
    object: dict


class History:
    """The last `capacity` changes of a cluster, oldest first (the watch cache's ring)."""

    def __init__(self, capacity: int = 1000, *, oldest: int = 0):
        self.capacity = capacity
        self._changes: deque[Change] = deque(maxlen=capacity)
        self._oldest = oldest  # the newest resourceVersion before the first change kept

    @property
    def current(self) -> int:
        return self._changes[-1].resource_version if self._changes else self._oldest

    def record(self, change: Change) -> None:
        if len(self._changes) == self.capacity:
            self._oldest = self._changes[0].resource_version
        self._changes.append(change)

    def since(self, resource_version: int) -> list[Change]:
        """Changes newer than `resource_version`; ApiError 410 when some are no longer kept."""
        if resource_version < self._oldest:
            raise status.gone(f"too old resource version: {resource_version} ({self._oldest + 1})")
        return [c for c in self._changes if c.resource_version > resource_version]


def parse_resource_version(text: str | None) -> int | None:
    """None for absent, "" and "0" (start from the current state); the number otherwise.
    A value that is not a number is the API server's 400."""
    if text in (None, "", "0"):
        return None
    try:
        value = int(text)  # type: ignore[arg-type]
    except ValueError:
        raise status.bad_request(
            f'invalid resource version: strconv.ParseUint: parsing "{text}": invalid syntax'
        ) from None
    if value < 0:
        raise status.bad_request(f"invalid resource version: {text}")
    return value


def initial_events(objects: Iterable[dict]) -> list[Event]:
    """The synthetic ADDED events of a watch that starts from the current state."""
    return [Event(ADDED, obj) for obj in objects]


def streaming_list_events(kind: str, api_version: str, objects: Iterable[dict], resource_version: int) -> list[Event]:
    """`sendInitialEvents=true`: the current objects, then the bookmark that ends them."""
    return [*initial_events(objects), bookmark(kind, api_version, resource_version, initial_events_end=True)]


def filter_change(change: Change, matches: Callable[[dict], bool]) -> Event | None:
    """The event a watcher with this selector sees for a change (None when it sees nothing)."""
    was = change.old is not None and matches(change.old)
    now = change.new is not None and matches(change.new)
    if change.new is None:
        return Event(DELETED, change.old) if was else None  # type: ignore[arg-type]
    if change.old is None:
        return Event(ADDED, change.new) if now else None
    if was and now:
        return Event(MODIFIED, change.new)
    if now:
        return Event(ADDED, change.new)
    if was:
        return Event(DELETED, change.new)
    return None


def bookmark(kind: str, api_version: str, resource_version: int, *, initial_events_end: bool = False) -> Event:
    """A BOOKMARK: an object of the watched kind with nothing but its resourceVersion (and the
    `k8s.io/initial-events-end` annotation after a sendInitialEvents replay)."""
    metadata: dict = {"resourceVersion": str(resource_version)}
    if initial_events_end:
        metadata["annotations"] = {"k8s.io/initial-events-end": "true"}
    return Event(BOOKMARK, {"kind": kind, "apiVersion": api_version, "metadata": metadata})


def error_event(error: status.ApiError) -> Event:
    return Event(ERROR, error.status)


class WatchEncoder:
    """The lines of one watch stream. With `table_version` set (the client asked for a Table),
    objects go out as one-row Tables, the column definitions in the first only."""

    def __init__(
        self,
        kind: str,
        *,
        table_version: str | None = None,
        include_object: str = "Metadata",
        clock: Callable[[], datetime.datetime] | None = None,
    ):
        self.kind = kind
        self.table_version = table_version
        self.include_object = include_object
        self.clock = clock or (lambda: datetime.datetime.now(datetime.UTC))
        self._headers_sent = False

    def encode(self, event: Event) -> bytes:
        obj = event.object
        if self.table_version and event.type in (ADDED, MODIFIED, DELETED):
            obj = printers.table(
                self.kind,
                [event.object],
                self.clock(),
                resource_version=(event.object.get("metadata") or {}).get("resourceVersion"),
                include_object=self.include_object,
                version=self.table_version,
                headers=not self._headers_sent,
            )
            self._headers_sent = True
        return json.dumps({"type": event.type, "object": obj}, separators=(",", ":")).encode() + b"\n"

    def encode_all(self, events: Iterable[Event]) -> Iterator[bytes]:
        for event in events:
            yield self.encode(event)
