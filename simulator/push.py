"""The one way out: every message to the browsers watching a cluster leaves through here.

Services call it, and only on commit (Zulip's `send_event_on_commit`): a rolled-back write
pushes nothing. Each message goes once to the channel-layer group `cluster.<id>`, whose one
member per worker process (`fanout`) relays its serialised text to that worker's sockets.
"""

from __future__ import annotations

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer


def group_name(cluster_id: int) -> str:
    """The channel-layer group of everyone watching the cluster."""
    return f"cluster.{cluster_id}"


def broadcast(cluster_id: int, version: int, text: str, patched_text: str | None = None) -> None:
    """Send one serialised change to everyone watching the cluster. Call it from
    `transaction.on_commit` only (services do). `patched_text` is the same change with merge
    patches, for sockets that asked for them (`?patch=1`)."""
    layer = get_channel_layer()
    if layer is None:
        return
    message = {"type": "cluster.change", "version": version, "text": text}
    if patched_text is not None and patched_text != text:
        message["patched"] = patched_text
    async_to_sync(layer.group_send)(group_name(cluster_id), message)
