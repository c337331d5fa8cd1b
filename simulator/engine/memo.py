"""The one cache contract of the engine: a value is remembered with the inputs it came from.

`Memo.get(key, inputs, compute, *args)` returns the value stored under `key` while its inputs
(one object, or a tuple of them) are still the same objects as when it was computed, and
otherwise computes it again (`compute(*args)`) and remembers it with the new inputs. Stored
objects never change (an update stores a new one), so "the same object" means "unchanged";
plain values (a store's generation, a namespace's Service version, a zone name) are compared by
value. An entry keeps its inputs alive, so an input's identity cannot be reused by another
object while the entry holds it.

Where a value depends on objects its owner cannot list cheaply (a Service's Endpoints depend on
every pod it selects), the owner, who sees those objects change, drops the entry (`forget`).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


_VALUES = frozenset({int, float, str, bool})  # compared by value


def same_inputs(old: Any, new: Any) -> bool:
    """The same object (a plain value: an equal one), or tuples of those, position by position."""
    if old is new:
        return True
    if type(old) is tuple:
        if type(new) is not tuple or len(old) != len(new):
            return False
        for a, b in zip(old, new, strict=True):
            if a is not b and not (type(a) is type(b) and type(a) in _VALUES and a == b):
                return False
        return True
    return type(old) is type(new) and type(old) in _VALUES and old == new


class Memos(dict):
    """An engine's memos by name (one per derived view), each made when first asked for."""

    def __missing__(self, name: str) -> Memo:
        memo = self[name] = Memo()
        return memo


class Memo:
    """Derived values by key, each valid while its inputs are the same objects.

    `limit` bounds the number of entries (all are dropped when it is reached: the keys of such
    memos are template or spec identities, which a long-lived cluster keeps making)."""

    __slots__ = ("_limit", "entries")

    def __init__(self, limit: int | None = None) -> None:
        # key -> (inputs, value). A loop that looks up thousands of keys may check a hit itself
        # (`entry[0] is inputs`) and call `get` only on a miss.
        self.entries: dict[Hashable, tuple[Any, Any]] = {}
        self._limit = limit

    def get(self, key: Hashable, inputs: Any, compute: Callable[..., T], *args: Any) -> T:
        """The value for `key`, computed by `compute(*args)` unless `inputs` are unchanged."""
        entry = self.entries.get(key)
        if entry is not None and (entry[0] is inputs or same_inputs(entry[0], inputs)):
            return entry[1]
        value = compute(*args)
        self.put(key, inputs, value)
        return value

    def put(self, key: Hashable, inputs: Any, value: T) -> T:
        if self._limit is not None and len(self.entries) >= self._limit and key not in self.entries:
            self.entries.clear()
        self.entries[key] = (inputs, value)
        return value

    def last(self, key: Hashable, default: Any = None) -> Any:
        """The value last stored for `key`, whatever its inputs (for callers that check it themselves)."""
        entry = self.entries.get(key)
        return default if entry is None else entry[1]

    def forget(self, key: Hashable) -> None:
        self.entries.pop(key, None)

    def keep_only(self, keys) -> None:
        """Drop the entries whose key is not in `keys` (what was derived from deleted objects)."""
        for key in [k for k in self.entries if k not in keys]:
            del self.entries[key]

    def clear(self) -> None:
        self.entries.clear()

    def keys(self):
        return self.entries.keys()

    def __len__(self) -> int:
        return len(self.entries)
