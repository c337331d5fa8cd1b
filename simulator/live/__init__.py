"""The live protocol (docs/protocol.md), in pure Python: no Django, no channel layer (a test
enforces it). From an engine it derives the keyed entries a browser holds (`state_entries`)
and what one change touched (`changed_entries`); it builds the messages and holds the
reference client. The app above it stores, locks and pushes; the engine below it knows nothing
of browsers."""

from .changes import changed_entries
from .entries import state_entries

__all__ = ["changed_entries", "state_entries"]
