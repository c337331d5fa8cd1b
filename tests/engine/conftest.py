"""Shared helpers for engine tests: clusters built from small YAML strings, no database."""

from __future__ import annotations

import textwrap

import pytest

from simulator.engine import ClusterSettings, Engine
from simulator.engine.contract import Query, run


def yaml_text(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def simulate(text: str, **kwargs) -> dict:
    out, _cluster = run([yaml_text(text)], **kwargs)
    return out


def cluster_with(text: str = "", settings: ClusterSettings | None = None, atomic: bool = False) -> Engine:
    cluster = Engine.new(settings)
    if text:
        result = cluster.apply_text(yaml_text(text), atomic=atomic)
        assert result.ok, [str(e) for e in result.errors]
    return cluster


@pytest.fixture
def make_cluster():
    return cluster_with


__all__ = ["Query", "cluster_with", "simulate", "yaml_text"]
