"""The repository: the engine rebuilt from the rows is the one that wrote them, and a read
without a lock sees one version whatever commits meanwhile."""

from __future__ import annotations

import json

import pytest

from simulator import repository, selectors, services

from .conftest import WEB, fresh_entries


def test_the_engine_rebuilt_from_the_rows_is_the_engine_that_wrote_them(make_cluster):
    cluster = make_cluster("jobs")
    services.cluster_clock(cluster=cluster, action="step", seconds=7)
    services.cluster_apply(cluster=cluster, text=WEB)
    _warm_version, warm = selectors.cluster_entries(cluster)
    cold = fresh_entries(cluster)
    assert json.dumps(warm, sort_keys=True) == json.dumps(cold, sort_keys=True)


def test_a_read_that_a_write_overtakes_reads_again_and_sees_one_version(make_cluster, monkeypatch):
    cluster = make_cluster("zone-prod")
    read = repository.stored_manifests
    overtaken = []

    def rows_with_a_write_committing_meanwhile(row):
        manifests = read(row)
        if not overtaken:
            overtaken.append(row.version)
            assert services.cluster_apply(cluster=cluster, text=WEB).ok
        return manifests

    monkeypatch.setattr(repository, "stored_manifests", rows_with_a_write_committing_meanwhile)
    row, engine = repository.read_engine(cluster)
    assert overtaken == [1] and row.version == 2
    assert engine.get("Pod", "default", "web-1") is not None  # the second read saw the write


def test_a_read_that_every_write_overtakes_gives_up_with_a_clear_error(make_cluster, monkeypatch):
    cluster = make_cluster("zone-prod")
    read = repository.stored_manifests
    edits = iter(range(1000))
    writing = []

    def rows_with_a_write_each_time(row):
        manifests = read(row)
        if not writing:  # the write reads the rows too (under its lock)
            writing.append(True)
            text = WEB.replace("name: web-1", f"name: web-{next(edits) + 2}", 1)
            assert services.cluster_apply(cluster=cluster, text=text).ok
            writing.pop()
        return manifests

    monkeypatch.setattr(repository, "stored_manifests", rows_with_a_write_each_time)
    with pytest.raises(repository.ReadConflict, match=f"changed during each of {repository.READ_ATTEMPTS} reads"):
        repository.read_engine(cluster)
