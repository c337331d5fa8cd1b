"""The live protocol's messages: a change serialised once, too large ones replaced by a resync,
RFC 7386 merge patches (static/tests covers the browser's side of the same rules)."""

from __future__ import annotations

import json

import pytest

from simulator.live import client, payloads


def test_a_change_too_large_for_one_message_tells_clients_to_resync():
    text = payloads.change_text(5, {"big": "x" * (payloads.MAX_CHANGE_BYTES + 1)}, [], {"user": "a", "summary": []})
    message = json.loads(text)
    assert message["resync"] is True and message["set"] == {}
    state = client.LiveState(version=4, entries={"a": 1})
    assert state.receive(message) == {"type": "resync"}


@pytest.mark.parametrize(
    "old,new",
    [
        ({"a": 1, "b": {"c": 2, "d": 3}}, {"a": 1, "b": {"c": 4, "d": 3}, "e": [1]}),
        ({"a": 1, "b": 2}, {"a": 1}),
        ({"a": {"x": 1}}, {"a": [1, 2]}),
    ],
)
def test_a_merge_patch_turns_the_old_entry_into_the_new_one(old, new):
    patch = payloads.merge_patch(old, new)
    assert payloads.apply_merge_patch(old, patch) == new


def test_a_value_set_to_null_cannot_be_a_merge_patch_and_travels_whole():
    assert payloads.merge_patch({"ip": "10.0.0.1"}, {"ip": None}) is None
    full, patches = payloads.split_patches({"k": {"ip": "10.0.0.1", "x": "y" * 50}}, {"k": {"ip": None, "x": "y" * 50}})
    assert full == {"k": {"ip": None, "x": "y" * 50}} and patches == {}
