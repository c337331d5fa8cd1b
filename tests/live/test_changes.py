"""The live protocol's entries: a fresh snapshot, and a stale one patched by changes, agree."""

from __future__ import annotations

import json
import random
import textwrap

import pytest

from simulator.engine import ClusterSettings, Engine, diagnostics
from simulator.live import changed_entries, state_entries

from ..course import ZONE_PROD_WEB


def y(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def patched(stale: dict, set_: dict, unset: list) -> dict:
    out = dict(stale)
    for key in unset:
        out.pop(key, None)
    out.update(set_)
    return out


def canonical(entries: dict) -> str:
    return json.dumps(entries, sort_keys=True)


ZONE_PROD = (
    ZONE_PROD_WEB
    + "---\n"
    + y("""
    apiVersion: v1
    kind: Service
    metadata: {name: nothing}
    spec:
      selector: {zone: prod, version: v2}
      ports: [{port: 80}]
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: mysql-server}
    spec: {type: ExternalName, externalName: db.example.com}
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: lb}
    spec:
      type: LoadBalancer
      selector: {zone: prod}
      ports: [{port: 80, targetPort: 8080}]
    """)
)


def test_a_snapshot_holds_objects_views_hints_and_a_cytoscape_graph():
    cluster = Engine.new(ClusterSettings())
    assert cluster.apply_text(ZONE_PROD).ok
    entries = state_entries(cluster)
    assert entries["object/Service/default/web"]["manifest"]["spec"]["selector"] == {"zone": "prod", "version": "v1"}
    assert "kubeviz.io/seq" not in (
        entries["object/Pod/default/web-1"]["manifest"]["metadata"].get("annotations") or {}
    )
    assert entries["service/default/web"]["endpoints"][0]["pod"] == "default/web-1"
    assert "env" not in entries["pod/default/web-1"] and "KUBERNETES_SERVICE_HOST" in entries["env/default/web-1"]
    edge = entries["graph/edge/endpoint/default/web/web-1/80-TCP"]
    assert edge["group"] == "edges" and edge["data"]["label"] == "80 → 8080" and edge["data"]["ready"] is True
    assert edge["data"]["source"] == "Service/default/web" and edge["data"]["target"] == "Pod/default/web-1"
    pod = entries["graph/node/Pod/default/web-1"]
    assert pod["data"]["parent"].startswith("Node/-/worker-")
    nothing = entries["graph/node/Service/default/nothing"]
    assert "warning" in nothing["classes"] and nothing["data"]["warning"]["id"] == "service-selects-no-pods"
    assert entries["graph/node/Service/default/lb"]["data"]["loadBalancerIP"] == "<pending>"
    assert entries["graph/edge/expose/default/lb"]["data"]["source"] == "world"
    assert entries["graph/node/External/default/mysql-server"]["data"]["label"] == "db.example.com"
    assert any(p.endswith("/TCP") for p in entries["graph/node/Node/-/worker-1"]["data"]["nodePorts"])
    assert (
        entries[
            "graph/edge/owner/Pod/kube-system/"
            + next(k.split("/")[-1] for k in entries if k.startswith("pod/kube-system/coredns"))
        ]["classes"]
        == "owns"
    )


def test_every_element_of_the_graph_points_at_elements_that_exist():
    cluster = Engine.new(ClusterSettings())
    assert cluster.apply_text(ZONE_PROD).ok
    entries = state_entries(cluster)
    ids = {v["data"]["id"] for k, v in entries.items() if k.startswith("graph/node/")}
    for key, value in entries.items():
        if key.startswith("graph/edge/"):
            assert value["data"]["source"] in ids and value["data"]["target"] in ids, key
        if key.startswith("graph/node/") and "parent" in value["data"]:
            assert value["data"]["parent"] in ids, key


def test_the_hint_entries_are_exactly_the_clusters_teaching_hints():
    cluster = Engine.new(ClusterSettings())
    assert cluster.apply_text(ZONE_PROD).ok
    entries = state_entries(cluster)
    from_entries = sorted(
        json.dumps(h, sort_keys=True) for k, v in entries.items() if k.startswith("hints/") for h in v
    )
    expected = sorted(json.dumps(h.to_dict(), sort_keys=True) for h in diagnostics.cluster_hints(cluster))
    assert from_entries == expected


def test_a_one_pod_relabel_touches_a_few_entries_not_the_whole_snapshot():
    cluster = Engine.new(ClusterSettings())
    assert cluster.apply_text(ZONE_PROD).ok
    state_entries(cluster)
    cluster.pop_change_log()
    result = cluster.apply_text(ZONE_PROD.replace("version: v1}}", "version: v2}}", 1))
    assert result.ok
    set_, unset = changed_entries(cluster, cluster.pop_change_log())
    assert "graph/edge/endpoint/default/web/web-1/80-TCP" in unset
    assert "graph/edge/endpoint/default/nothing/web-1/80-TCP" in set_
    assert len(set_) < 30  # the pod and the three Services that selected it before or after


# ---------------------------------------------------------------------- random edits
NAMESPACES = ["default", "my-ns"]
LABELS = [("app", "a"), ("app", "b"), ("tier", "x"), ("tier", "y")]


def _labels(rng) -> dict:
    return dict(rng.sample(LABELS, rng.randint(1, 2)))


def _pod(rng, i) -> str:
    ns = rng.choice(NAMESPACES)
    labels = _labels(rng)
    status = ""
    if rng.random() < 0.3:
        status = '\nstatus:\n  conditions: [{type: Ready, status: "False"}]'
    port = rng.choice(["[{containerPort: 8080, name: http}]", "[{containerPort: 9090}]"])
    node = "\n  nodeSelector: {disk: ssd}" if rng.random() < 0.1 else ""
    return (
        f"apiVersion: v1\nkind: Pod\nmetadata: {{name: p{i}, namespace: {ns}, labels: {json.dumps(labels)}}}\n"
        f"spec:{node}\n  containers: [{{name: c, image: busybox, ports: {port}}}]{status}\n"
    )


def _service(rng, i) -> str:
    ns = rng.choice(NAMESPACES)
    kind = rng.choice(["ClusterIP", "NodePort", "LoadBalancer", "ExternalName", "headless"])
    if kind == "ExternalName":
        return (
            f"apiVersion: v1\nkind: Service\nmetadata: {{name: s{i}, namespace: {ns}}}\n"
            f"spec: {{type: ExternalName, externalName: db{i}.example.com}}\n"
        )
    selector = json.dumps(_labels(rng))
    target = rng.choice(["8080", "http", "9090"])
    ports = f"[{{name: web, port: 80, targetPort: {target}}}" + (
        ", {name: alt, port: 81}]" if rng.random() < 0.3 else "]"
    )
    extra = "clusterIP: None, " if kind == "headless" else f"type: {kind}, "
    return (
        f"apiVersion: v1\nkind: Service\nmetadata: {{name: s{i}, namespace: {ns}}}\n"
        f"spec: {{{extra}selector: {selector}, ports: {ports}}}\n"
    )


def _deployment(rng, i) -> str:
    labels = json.dumps(_labels(rng) | {"dep": f"d{i}"})
    return (
        f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: d{i}, namespace: {rng.choice(NAMESPACES)}}}\n"
        f"spec:\n  replicas: {rng.randint(0, 3)}\n  selector: {{matchLabels: {{dep: d{i}}}}}\n"
        f"  template:\n    metadata: {{labels: {labels}}}\n"
        f"    spec: {{containers: [{{name: c, image: nginx:{rng.randint(1, 3)}, ports: [{{containerPort: 8080, name: http}}]}}]}}\n"
    )


def _job(rng, i) -> str:
    return (
        f'apiVersion: batch/v1\nkind: Job\nmetadata: {{name: j{i}, annotations: {{kubeviz.io/run-seconds: "{rng.randint(1, 5)}"}}}}\n'
        f"spec:\n  completions: {rng.randint(1, 4)}\n  parallelism: {rng.randint(1, 2)}\n"
        f"  template:\n    metadata: {{labels: {{app: a}}}}\n"
        f"    spec: {{restartPolicy: Never, containers: [{{name: c, image: busybox}}]}}\n"
    )


def _daemonset(rng, i) -> str:
    return (
        f"apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {{name: ds{i}}}\n"
        f"spec:\n  selector: {{matchLabels: {{ds: ds{i}}}}}\n"
        f"  template:\n    metadata: {{labels: {{ds: ds{i}, tier: {rng.choice(['x', 'y'])}}}}}\n"
        f"    spec: {{containers: [{{name: c, image: fluentd}}]}}\n"
    )


def _ingress(rng, i) -> str:
    svc = f"s{rng.randint(0, 4)}"
    paths = "\n".join(
        f"      - {{path: /p{k}, pathType: Prefix, backend: {{service: {{name: s{rng.randint(0, 4)}, port: {{number: 80}}}}}}}}"
        for k in range(rng.randint(1, 3))
    )
    return (
        f"apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {{name: i{i}}}\n"
        f"spec:\n  defaultBackend: {{service: {{name: {svc}, port: {{number: 80}}}}}}\n"
        f"  rules:\n  - http:\n      paths:\n{paths}\n"
    )


def _node(rng) -> str:
    labels = "{disk: ssd}" if rng.random() < 0.5 else "{}"
    return f"apiVersion: v1\nkind: Node\nmetadata: {{name: worker-9, labels: {labels}}}\n"


def _random_edit(rng, cluster: Engine) -> None:
    roll = rng.random()
    makers = [(_pod, 6), (_service, 5), (_deployment, 3), (_job, 2), (_daemonset, 2), (_ingress, 2)]
    if roll < 0.12:
        objects = [
            o
            for o in cluster.all_objects()
            if o.kind != "Namespace"
            and o.namespace != "kube-system"
            and not (o.kind == "Service" and o.name == "kubernetes")
        ]
        if objects:
            victim = rng.choice(objects)
            cluster.delete(victim.kind, victim.namespace, victim.name)
        return
    if roll < 0.17:
        cluster.advance(rng.choice([1, 2, 5]))
        return
    if roll < 0.21:
        if cluster.get("Node", "", "worker-9") and rng.random() < 0.5:
            cluster.delete("Node", "", "worker-9")
        else:
            cluster.apply_text(_node(rng))
        return
    docs = []
    for _ in range(rng.randint(1, 3)):
        maker, count = rng.choice(makers)
        docs.append(maker(rng, rng.randint(0, count)))
    cluster.apply_text("---\n".join(docs), atomic=False)


@pytest.mark.parametrize("seed", range(12))
def test_a_stale_snapshot_plus_every_change_equals_a_fresh_snapshot(seed):
    rng = random.Random(seed)
    cluster = Engine.new(ClusterSettings(load_balancer_pool="192.0.2.0/28" if seed % 2 else None))
    cluster.apply_text("apiVersion: v1\nkind: Namespace\nmetadata: {name: my-ns}\n")
    stale = state_entries(cluster)
    cluster.pop_change_log()
    for step in range(40):
        _random_edit(rng, cluster)
        set_, unset = changed_entries(cluster, cluster.pop_change_log())
        stale = patched(stale, set_, unset)
        fresh = state_entries(cluster)
        if stale != fresh:
            missing = sorted(set(fresh) - set(stale))[:5]
            extra = sorted(set(stale) - set(fresh))[:5]
            wrong = sorted(k for k in fresh if k in stale and stale[k] != fresh[k])[:5]
            pytest.fail(f"seed {seed} step {step}: missing {missing} extra {extra} stale values {wrong}")


def test_the_change_log_remembers_each_object_as_it_was_before_the_changes():
    cluster = Engine.new(ClusterSettings())
    assert cluster.apply_text(ZONE_PROD).ok
    old_pod = cluster.get("Pod", "default", "web-1")
    cluster.pop_change_log()
    cluster.apply_text(ZONE_PROD.replace("version: v1}}", "version: v2}}", 1))
    cluster.delete("Service", "default", "nothing")
    cluster.apply_text("apiVersion: v1\nkind: Namespace\nmetadata: {name: new-ns}\n")
    log = cluster.pop_change_log()
    assert log.before[("Pod", "default", "web-1")] is old_pod  # updated: the old version
    assert log.before[("Service", "default", "nothing")].name == "nothing"  # deleted: what it was
    assert log.before[("Namespace", "", "new-ns")] is None  # created: nothing before
    assert ("Endpoints", "default", "web") in log.keys and ("Endpoints", "default", "web") not in log.before
    assert cluster.pop_change_log().keys == {}
