"""The Kubernetes API's pure layer on the 10,000-pod cluster of bench/engine.py.

    python bench/kubeapi.py

What each step of serving costs before any HTTP (the issue 16 targets are for the served
requests; these are their floors):
  list table cold   served Pods (first time) + select + Table + json.dumps, `kubectl get pods -A`
  list table warm   the same with the ServedCache and the RowCache already filled
  get table         one Pod as a Table (a named `kubectl get`)
  smp patch         a strategic merge patch of one Deployment (`kubectl set image`)
  protobuf create   decoding kubectl 1.32+'s protobuf body of a Deployment
  watch event       encoding one MODIFIED Pod as a Table row (per watcher, per change)
Best of 5 runs each, milliseconds.
"""

from __future__ import annotations

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.engine import manifests
from simulator.engine import ClusterSettings, Engine
from simulator.kubeapi import engine_port, patch, printers, protowire, selection, served, watch


def best(fn, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times) * 1000


def main() -> None:
    text, workers = manifests(10_000)
    engine = Engine.new(ClusterSettings(workers=workers, max_bytes=1 << 30, max_documents=1 << 20))
    assert not engine.apply_text(text).errors
    now = engine_port.now(engine)
    pods = served.served(engine, "Pod")

    def list_table(cache, rows=None):
        items = selection.select("Pod", served.served(engine, "Pod", cache), selection.ListQuery())
        return json.dumps(printers.table("Pod", items, now, resource_version="1", cache=rows), separators=(",", ":"))

    cold = best(lambda: list_table(served.ServedCache()))
    cache, rows = served.ServedCache(), printers.RowCache()
    list_table(cache, rows)
    warm = best(lambda: list_table(cache, rows))
    one = pods[0]
    get = best(lambda: json.dumps(printers.table("Pod", [one], now, resource_version="1")))
    deployment = served.served(engine, "Deployment")[0]
    change = json.dumps(
        {"spec": {"template": {"spec": {"containers": [{"name": "web", "image": "nginx:1.26"}]}}}}
    ).encode()
    smp = best(lambda: patch.apply_patch("Deployment", deployment, change, patch.STRATEGIC_MERGE_PATCH))
    body = protowire.encode({k: v for k, v in deployment.items() if k != "status"})
    proto = best(lambda: protowire.decode(body))
    encoder = watch.WatchEncoder("Pod", table_version="v1", clock=lambda: now)
    event = best(lambda: encoder.encode(watch.Event("MODIFIED", one)), runs=50)
    print(f"pods              {len(pods)}")
    for label, value in (
        ("list table cold", cold),
        ("list table warm", warm),
        ("get table", get),
        ("smp patch", smp),
        ("protobuf create", proto),
        ("watch event", event),
    ):
        print(f"{label:<17} {value:8.2f} ms")


if __name__ == "__main__":
    main()
