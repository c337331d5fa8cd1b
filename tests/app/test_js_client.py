"""The browser's own protocol client (static/src/protocol/socket.js + store.js), run under Node with what
the server really broadcast: a stale snapshot plus the pushed changes ends equal to a fresh
snapshot, whole or as merge patches, in parts or in one; a lost change is noticed, one resync is
asked for, and the snapshot that answers it heals the tab. The Python reference client
(client.LiveState) is tested the same way in test_services.py; this keeps the two in step."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from simulator import repository, selectors
from simulator.live import payloads

from .conftest import edit_sequence, fresh_entries

ROOT = Path(__file__).resolve().parents[2]
REPLAY = ROOT / "static" / "tests" / "replay.mjs"
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(NODE is None, reason="Node.js is needed (make test's bundle build needs it too)")


def replay(lines: list[str]) -> dict:
    proc = subprocess.run(
        [NODE, str(REPLAY)], input="\n".join(lines) + "\n", capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "", proc.stderr
    return json.loads(proc.stdout)


def canonical(entries: dict) -> dict:
    """Entries as JSON carries them (JavaScript prints 36.0 as 36; equal numbers compare equal)."""
    return json.loads(json.dumps(entries))


@pytest.fixture
def recorded(make_cluster, listener, django_capture_on_commit_callbacks):
    """A lesson cluster's stale snapshot, then eight real edits as broadcast (whole and patched)."""
    cluster = make_cluster("zone-prod")
    stale_version, stale = selectors.cluster_entries(cluster)
    repository.clear_warm()
    watch = listener(cluster.pk)
    edits = edit_sequence(cluster)
    changes = []
    for edit in edits:
        with django_capture_on_commit_callbacks(execute=True):
            assert edit().ok
        for message in watch.drain():
            changes.append(message)
    cluster.refresh_from_db()
    fresh = fresh_entries(cluster)
    return stale_version, stale, changes, cluster.version, fresh


def test_the_browser_client_turns_a_stale_snapshot_and_the_changes_into_the_fresh_snapshot(recorded):
    stale_version, stale, changes, version, fresh = recorded
    assert len(changes) == 8 and any("patched" in c for c in changes)
    snapshot = payloads.snapshot_parts(stale_version, stale, part_bytes=2000)
    assert len(snapshot) > 3  # several parts, gathered before anything is replaced
    for field in ("text", "patched"):  # a plain socket, and one opened with ?patch=1
        lines = snapshot + [c.get(field, c["text"]) for c in changes]
        out = replay(lines)
        assert out["version"] == version == stale_version + 8
        assert canonical(out["entries"]) == canonical(fresh)
        assert out["stats"]["changes"] == 8 and out["stats"]["gaps"] == 0 and out["sent"] == []
    assert canonical(stale) != canonical(fresh)  # the edits did change something


def test_a_lost_change_asks_for_one_resync_and_the_answer_heals_the_tab(recorded):
    stale_version, stale, changes, version, fresh = recorded
    lines = payloads.snapshot_parts(stale_version, stale)
    lines += [changes[0]["text"], changes[1]["text"]]
    lines.append(changes[0]["text"])  # a duplicate of an applied version: ignored
    lines.append("not json {")  # garbage on the wire: dropped
    lines.append(json.dumps({"type": "hello-from-the-future", "version": 99}))  # unknown types: ignored
    # changes[2] is lost: every later change is a gap, and the tab asks once, then waits
    lines += [c["patched"] if "patched" in c else c["text"] for c in changes[3:]]
    after_gap = replay(lines)
    assert after_gap["sent"] == [{"type": "resync"}]
    assert after_gap["version"] == stale_version + 2 and after_gap["stats"]["gaps"] == 5
    # the server answers the resync with the current state, in parts
    healed = replay(lines + payloads.snapshot_parts(version, fresh, part_bytes=3000))
    assert healed["version"] == version
    assert canonical(healed["entries"]) == canonical(fresh)
    assert healed["stats"]["snapshots"] == 2


def test_a_snapshot_missing_a_part_is_not_taken_and_an_older_one_never_replaces_a_newer(recorded):
    stale_version, stale, _changes, version, fresh = recorded
    current = payloads.snapshot_parts(version, fresh, part_bytes=2000)
    older = payloads.snapshot_parts(stale_version, stale, part_bytes=2000)
    # a stray tail of a snapshot without its first part is never applied
    out = replay(current[1:])
    assert out["version"] is None and out["entries"] == {}
    # an older snapshot arriving late does not roll the tab back
    out = replay(current + older)
    assert out["version"] == version and canonical(out["entries"]) == canonical(fresh)
    # a change too large for one message says "resync" and carries nothing to apply
    too_big = json.dumps(
        {
            "type": "change",
            "protocol": 1,
            "version": version + 1,
            "base": version,
            "resync": True,
            "set": {},
            "unset": [],
            "cause": {},
        }
    )
    out = replay([*current, too_big])
    assert out["sent"] == [{"type": "resync"}] and out["version"] == version
