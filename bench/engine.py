"""Engine benchmark: full load + reconcile + derive against the parse floor, one-object edits, memory.

    python bench/engine.py                 # 100, 1,000 and 10,000 pods, each in a fresh process
    python bench/engine.py --sizes 10000   # one size

Clusters: namespaces of 10 Services, each Service backed by a Deployment of 10 pods, plus
three Jobs (parallelism 5) and two DaemonSets; nodes enough for the pods (/24 each).
Figures printed per size:
  full      parse + validate + apply + reconcile + derive the simulate JSON + json.dumps
  floor     yaml.load_all (libyaml C loader) of the same manifests + json.dumps of the same output
  ratio     full / floor                           (target <= 2 at 10,000 pods)
  edit      apply one changed Pod label and re-derive what it touched (target <= 25 ms at 10,000)
  peak RSS  of the process                          (target <= 400 MB)
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import yaml

from simulator import live
from simulator.engine import dns, run, trace
from simulator.engine.proxy import iptables


def manifests(pods: int) -> tuple[str, int]:
    services = max(1, pods // 10)
    namespaces = max(1, services // 10)
    workers = pods // 200 + 2
    docs = []
    for n in range(namespaces):
        docs.append(f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-{n}\n")
    for s in range(services):
        ns = f"team-{s % namespaces}"
        docs.append(f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-{s}
  namespace: {ns}
  labels: {{app: app-{s}}}
spec:
  replicas: 10
  selector:
    matchLabels: {{app: app-{s}, tier: web}}
  template:
    metadata:
      labels: {{app: app-{s}, tier: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.25
        ports:
        - {{name: http, containerPort: 8080}}
""")
        docs.append(f"""apiVersion: v1
kind: Service
metadata:
  name: app-{s}
  namespace: {ns}
spec:
  type: {"NodePort" if s % 10 == 0 else "ClusterIP"}
  selector: {{app: app-{s}, tier: web}}
  ports:
  - {{name: http, port: 80, targetPort: http}}
""")
    for j in range(3):
        docs.append(f"""apiVersion: batch/v1
kind: Job
metadata:
  name: batch-{j}
  namespace: team-0
spec:
  completions: 10
  parallelism: 5
  template:
    spec:
      restartPolicy: OnFailure
      containers: [{{name: work, image: busybox}}]
""")
    for d in range(2):
        docs.append(f"""apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent-{d}
  namespace: kube-system
spec:
  selector: {{matchLabels: {{app: agent-{d}}}}}
  template:
    metadata: {{labels: {{app: agent-{d}}}}}
    spec:
      containers: [{{name: agent, image: busybox}}]
""")
    return "---\n".join(docs), workers


def best_of(times: int, fn):
    results = []
    value = None
    for _ in range(times):
        value = None  # free the previous run's cluster before the clock starts, not inside the next run
        gc.collect()
        started = time.perf_counter()
        value = fn()
        results.append(time.perf_counter() - started)
    return min(results), value


def measure(pods: int) -> dict:
    text, workers = manifests(pods)
    repeats = 3

    def full():
        out, cluster = run([text], workers=workers, max_bytes=1 << 30, max_documents=1 << 20)
        return json.dumps(out), out, cluster

    full_s, (dumped, out, cluster) = best_of(repeats, full)
    assert not out["errors"], out["errors"][:3]

    def floor():
        docs = list(yaml.load_all(text, Loader=yaml.CSafeLoader))
        return len(docs), json.dumps(out)

    floor_s, _ = best_of(repeats, floor)

    # One Pod label edit, re-deriving only what it touched.
    namespace = "team-0"
    pod = sorted(cluster.pods_in(namespace).values(), key=lambda p: p.name)[0]
    edits = []
    moved = []
    for i in range(7):
        for measure_into, labels in (
            (edits, {**pod.labels, "canary": str(i)}),
            (moved, {k: v for k, v in pod.labels.items() if k != "tier"}),
        ):
            current = cluster.get("Pod", namespace, pod.name)
            manifest = {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": pod.name, "namespace": namespace, "labels": labels},
                "spec": current.manifest["spec"],
            }
            text_edit = json.dumps(manifest)  # JSON is YAML
            cluster.pop_changes()
            gc.collect()
            started = time.perf_counter()
            result = cluster.apply_text(text_edit)
            live.changed_entries(cluster, cluster.pop_change_log())
            measure_into.append(time.perf_counter() - started)
            assert result.ok, result.errors
            # put it back so the next round starts from the same state
            manifest["metadata"]["labels"] = dict(pod.labels)
            cluster.apply_text(json.dumps(manifest))
            pod = cluster.get("Pod", namespace, pod.name) or pod

    # Networking on the whole cluster, and single queries.
    def derive_networking():
        return dns.dns_records(cluster), iptables.iptables_save(cluster)

    net_s, (records, rules) = best_of(1, derive_networking)
    source = next(iter(cluster.pods_in("team-1" if pods >= 1000 else namespace).values()))
    target = next(iter(cluster.services_in(namespace).values()))
    resolve_times, trace_times = [], []
    for _ in range(50):
        started = time.perf_counter()
        dns.resolve_query(cluster, f"{source.namespace}/{source.name}", f"{target.name}.{namespace}", "A")
        resolve_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        trace.request_query(cluster, f"{source.namespace}/{source.name}", f"http://{target.name}.{namespace}/")
        trace_times.append(time.perf_counter() - started)
    return {
        "pods": len(out["pods"]),
        "services": len(out["services"]),
        "documents": text.count("---\n") + 1,
        "input_kib": round(len(text) / 1024),
        "output_mib": round(len(dumped) / (1024 * 1024), 1),
        "full_s": full_s,
        "floor_s": floor_s,
        "ratio": full_s / floor_s,
        "edit_ms": statistics.median(edits) * 1000,
        "edit_max_ms": max(edits) * 1000,
        "relabel_out_ms": statistics.median(moved) * 1000,
        "dns_records": len(records),
        "iptables_lines": rules.count("\n"),
        "networking_s": net_s,
        "resolve_ms": statistics.median(resolve_times) * 1000,
        "trace_ms": statistics.median(trace_times) * 1000,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child)))
        return
    header = (
        f"{'pods':>7} {'svcs':>5} {'docs':>5} {'in KiB':>7} {'out MiB':>8} {'full s':>7} {'floor s':>8} "
        f"{'ratio':>6} {'edit ms':>8} {'relabel ms':>10} {'dns recs':>9} {'ipt lines':>9} {'net s':>6} "
        f"{'resolve ms':>10} {'trace ms':>9} {'peak MB':>8}"
    )
    print(header)
    for size in (int(s) for s in args.sizes.split(",")):
        proc = subprocess.run([sys.executable, __file__, "--child", str(size)], capture_output=True, text=True)
        if proc.returncode:
            print(proc.stderr, file=sys.stderr)
            sys.exit(proc.returncode)
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        print(
            f"{r['pods']:>7} {r['services']:>5} {r['documents']:>5} {r['input_kib']:>7} {r['output_mib']:>8} "
            f"{r['full_s']:>7.3f} {r['floor_s']:>8.3f} {r['ratio']:>6.2f} {r['edit_ms']:>8.2f} "
            f"{r['relabel_out_ms']:>10.2f} {r['dns_records']:>9} {r['iptables_lines']:>9} {r['networking_s']:>6.3f} "
            f"{r['resolve_ms']:>10.3f} {r['trace_ms']:>9.3f} {r['peak_rss_mb']:>8.0f}",
            flush=True,
        )
    print("targets at 10,000 pods: ratio <= 2, edit <= 25 ms, resolve/trace <= 1 ms, peak <= 400 MB")


if __name__ == "__main__":
    main()
