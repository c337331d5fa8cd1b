// Big clusters grouped (static/src/diagram/grouping.js): a pure level-of-detail rule over the
// server's graph entries, no browser.
import assert from "node:assert/strict";
import { test } from "node:test";

import { GroupedGraph, groupGraph } from "../src/diagram/grouping.js";
import { Store } from "../src/protocol/store.js";

const node = (data, classes = "") => ({ group: "nodes", data, classes });
const edge = (id, source, target, classes, label = "") => ({
  group: "edges",
  data: { id, source, target, label },
  classes,
});

/** n pods of ReplicaSet web-abc (owned by Deployment web) on `host`, behind Service web. */
function cluster(n, host = "Node/-/worker-1", notReady = 0) {
  const g = new Map();
  g.set(
    "graph/node/Deployment/default/web",
    node({ id: "Deployment/default/web", kind: "Deployment", label: "web" }),
  );
  g.set(
    "graph/node/ReplicaSet/default/web-abc",
    node({ id: "ReplicaSet/default/web-abc", kind: "ReplicaSet", label: "web-abc" }),
  );
  g.set(
    "graph/edge/owner/ReplicaSet/default/web-abc",
    edge("owner/ReplicaSet/default/web-abc", "Deployment/default/web", "ReplicaSet/default/web-abc", "owns"),
  );
  g.set("graph/node/Service/default/web", node({ id: "Service/default/web", kind: "Service", label: "web" }));
  for (let i = 0; i < n; i += 1) {
    const id = `Pod/default/web-abc-${String(i).padStart(3, "0")}`;
    const ready = i >= notReady;
    g.set(
      `graph/node/${id}`,
      node({ id, kind: "Pod", label: id.split("/")[2], parent: host, ready, namespace: "default" }),
    );
    g.set(`graph/edge/owner/${id}`, edge(`owner/${id}`, "ReplicaSet/default/web-abc", id, "owns"));
    g.set(
      `graph/edge/endpoint/default/web/${id}`,
      edge(
        `endpoint/default/web/${id}`,
        "Service/default/web",
        id,
        `endpoint${ready ? "" : " not-ready"}`,
        "80 → 8080",
      ),
    );
  }
  return g;
}

test("a few pods of one owner stay one element each", () => {
  const g = cluster(5);
  assert.equal(groupGraph(g, new Set(), 12), g);
});

test("many pods of one owner on one Node become one element with a count and one edge per Service", () => {
  const out = groupGraph(cluster(67, "Node/-/worker-1", 2), new Set(), 12);
  const group = out.get("graph/node/group/Node/-/worker-1/ReplicaSet/default/web-abc");
  assert.equal(group.data.count, 67);
  assert.equal(group.data.readyCount, 65);
  assert.equal(group.data.label, "web"); // the top owner's name
  assert.equal(group.data.parent, "Node/-/worker-1");
  assert.equal([...out.keys()].filter((k) => k.startsWith("graph/node/Pod/")).length, 0);
  const edges = [...out.values()].filter((e) => e.group === "edges" && e.data.target === group.data.id);
  assert.deepEqual(edges.map((e) => e.data.label).sort(), ["80 → 8080 ×67", "×67"]);
});

test("a terminating pod is tallied in its owner's group, not counted and not drawn beside it", () => {
  const g = cluster(13);
  const key = "graph/node/Pod/default/web-abc-000";
  g.set(key, { ...g.get(key), classes: "pod ready terminating phase-running" });
  const out = groupGraph(g, new Set(), 12);
  const group = out.get("graph/node/group/Node/-/worker-1/ReplicaSet/default/web-abc");
  assert.equal(group.data.count, 12);
  assert.equal(group.data.terminatingCount, 1);
  assert.ok(!out.has(key)); // a scale-down moves nothing: the group stays where it is
});

test("a terminating pod with no group to join is drawn on its own", () => {
  const g = cluster(12);
  const key = "graph/node/Pod/default/web-abc-000";
  g.set(key, { ...g.get(key), classes: "pod ready terminating phase-running" });
  const out = groupGraph(g, new Set(), 12); // 11 active pods: under the threshold, no group
  assert.ok(out.has(key));
  assert.ok(![...out.keys()].some((k) => k.includes("group/")));
});

test("an expanded group is drawn pod by pod", () => {
  const g = cluster(20);
  const out = groupGraph(g, new Set(["group/Node/-/worker-1/ReplicaSet/default/web-abc"]), 12);
  assert.equal(out, g);
});

test("a live change updates the group's count in place and keeps its id", () => {
  const store = new Store();
  const entries = Object.fromEntries(cluster(20));
  store.loadSnapshot({ version: 1, entries });
  const grouped = new GroupedGraph(store, 12);
  const first = grouped.reset();
  const groupKey = "graph/node/group/Node/-/worker-1/ReplicaSet/default/web-abc";
  assert.ok(first.some(([k]) => k === groupKey));
  const extra = cluster(21);
  const key = "graph/node/Pod/default/web-abc-020";
  const change = store.applyChange({
    version: 2,
    set: {
      [key]: extra.get(key),
      "graph/edge/owner/Pod/default/web-abc-020": extra.get("graph/edge/owner/Pod/default/web-abc-020"),
    },
    unset: [],
  });
  const out = grouped.change(change);
  assert.deepEqual(Object.keys(out.set).sort(), [
    "graph/edge/group/edge/ReplicaSet/default/web-abc/group/Node/-/worker-1/ReplicaSet/default/web-abc/owns",
    groupKey,
  ]);
  assert.equal(out.set[groupKey].data.count, 21);
  assert.deepEqual(out.unset, []);
});

test("a change that brings a bucket to the threshold groups it, and one that takes it below draws the pods again", () => {
  const store = new Store();
  store.loadSnapshot({ version: 1, entries: Object.fromEntries(cluster(11)) });
  const grouped = new GroupedGraph(store, 12);
  grouped.reset();
  const groupKey = "graph/node/group/Node/-/worker-1/ReplicaSet/default/web-abc";
  const twelve = cluster(12);
  const pod = "graph/node/Pod/default/web-abc-011";
  const owns = "graph/edge/owner/Pod/default/web-abc-011";
  const up = grouped.change(
    store.applyChange({ version: 2, set: { [pod]: twelve.get(pod), [owns]: twelve.get(owns) }, unset: [] }),
  );
  assert.equal(up.set[groupKey].data.count, 12);
  assert.equal(up.unset.filter((k) => k.startsWith("graph/node/Pod/")).length, 11);
  const down = grouped.change(store.applyChange({ version: 3, set: {}, unset: [pod, owns] }));
  assert.deepEqual(down.unset.includes(groupKey), true);
  assert.equal(Object.keys(down.set).filter((k) => k.startsWith("graph/node/Pod/")).length, 11);
});
