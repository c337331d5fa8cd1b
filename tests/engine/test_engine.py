"""The engine as a whole: its parts composed, and freed as one."""

from __future__ import annotations

import gc
import weakref

from simulator.engine import Engine, run
from simulator.engine.dns import resolve_query
from simulator.engine.trace import request_query

from ..course import WEBAPP
from .conftest import yaml_text


def test_an_engine_is_freed_by_reference_counting_alone():
    # Its parts hold the store, and the store holds them only weakly: no reference cycle, so
    # nothing waits for the cycle collector (which a bulk run pauses).
    gc.collect()
    gc.disable()
    try:
        _out, engine = run([yaml_text(WEBAPP)])
        resolve_query(engine, "default/busybox", "webapp")
        request_query(engine, "default/busybox", "http://webapp:8080/")
        engine.advance(30)
        engines = [weakref.ref(engine), weakref.ref(engine.store), weakref.ref(engine.scheduler)]
        del engine, _out
        assert [ref() for ref in engines] == [None, None, None]
    finally:
        gc.enable()


def test_reading_an_engine_reads_its_store():
    engine = Engine.new()
    engine.apply_text(yaml_text(WEBAPP))
    assert engine.get("Pod", "default", "busybox") is engine.store.get("Pod", "default", "busybox")
    assert engine.nodes() == engine.store.nodes() and engine.state is engine.store.state


def test_a_copy_is_the_same_cluster_and_changes_apart():
    engine = Engine.new()
    engine.apply_text(yaml_text(WEBAPP))
    copy = engine.copy()
    assert [o.manifest for o in copy.all_objects()] == [o.manifest for o in engine.all_objects()]
    copy.delete("Pod", "default", "busybox")
    assert engine.get("Pod", "default", "busybox") is not None
