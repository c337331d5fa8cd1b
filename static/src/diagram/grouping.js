// Level of detail for big clusters: many pods of one owner on one Node are drawn as one element
// with a count ("webapp ×67, 67 ready"), and the edges into them as one edge per Service (or
// owner). A pure rule over the server's already-derived graph (`graph/*` entries: the pods'
// boxes, the `owns` and `endpoint` edges): no Kubernetes semantics here. Clicking a group
// expands it. A live change updates a group's count in place, so nothing moves (a scale-down's
// terminating pods are tallied in their group until they are gone, not drawn beside it).
//
// GroupedGraph sits between the store and the diagram: it keeps the grouped entries and turns
// each store change into the change of the grouped graph (what the diagram patches).

import { family, graphEdgeKey, graphIdOf, graphNodeKey } from "../protocol/keys.js";

/** Pods of one owner on one Node from which they are drawn as one group. Below it, every pod is
 *  its own element (no built-in lesson comes near it). */
export const GROUP_MIN = 12;
export const GROUP_PREFIX = "group/";

function hasClass(entry, cls) {
  return ` ${entry.classes || ""} `.includes(` ${cls} `);
}

/** The grouped graph of `graph` (a Map of graph entries by key), keeping `expanded` group ids
 *  expanded. Pure and deterministic: same entries in, same entries out. */
export function groupGraph(graph, expanded = new Set(), min = GROUP_MIN) {
  const ownerOf = new Map(); // element id -> the id of the element that owns it
  const labelOf = new Map();
  for (const entry of graph.values()) {
    if (entry.group === "edges" && hasClass(entry, "owns")) ownerOf.set(entry.data.target, entry.data.source);
    else if (entry.group === "nodes") labelOf.set(entry.data.id, entry.data.label);
  }
  const topOwner = (id) => {
    let top = id;
    for (let i = 0; i < 4 && ownerOf.has(top); i += 1) top = ownerOf.get(top);
    return top;
  };
  const buckets = new Map(); // group id -> pod entries
  const leaving = new Map(); // group id -> its terminating pod entries
  for (const entry of graph.values()) {
    const d = entry.data;
    if (entry.group !== "nodes" || d.kind !== "Pod" || !d.parent || !ownerOf.has(d.id)) continue;
    const id = `${GROUP_PREFIX}${d.parent}/${ownerOf.get(d.id)}`;
    // A pod the server marks terminating is not counted (its owner no longer counts it either);
    // it joins its group's "terminating" tally, or is drawn on its own where there is no group.
    const into = hasClass(entry, "terminating") ? leaving : buckets;
    if (!into.has(id)) into.set(id, []);
    into.get(id).push(entry);
  }
  const memberOf = new Map(); // pod id -> group id
  const out = new Map();
  for (const [id, pods] of [...buckets].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (pods.length < min || expanded.has(id)) continue;
    const first = pods[0].data;
    const owner = ownerOf.get(first.id);
    const ready = pods.filter((p) => p.data.ready).length;
    const terminating = leaving.get(id) || [];
    for (const p of [...pods, ...terminating]) memberOf.set(p.data.id, id);
    out.set(graphNodeKey(id), {
      group: "nodes",
      data: {
        id,
        kind: "Pod",
        label: labelOf.get(topOwner(owner)) || labelOf.get(owner) || owner,
        namespace: first.namespace,
        parent: first.parent,
        owner,
        count: pods.length,
        readyCount: ready,
        terminatingCount: terminating.length,
        ready: ready === pods.length,
        phase: "Running",
      },
      classes: `pod ${ready === pods.length ? "ready" : "not-ready"} phase-running pod-group`,
    });
  }
  if (!memberOf.size) return graph;
  const aggregated = new Map(); // edge key -> [entry, members]
  for (const [key, entry] of graph) {
    if (entry.group === "nodes") {
      if (!memberOf.has(entry.data.id)) out.set(key, entry);
      continue;
    }
    const source = memberOf.get(entry.data.source) || entry.data.source;
    const target = memberOf.get(entry.data.target) || entry.data.target;
    if (source === entry.data.source && target === entry.data.target) {
      out.set(key, entry);
      continue;
    }
    const kind = hasClass(entry, "owns") ? "owns" : `${entry.data.label || ""}`;
    const id = `${GROUP_PREFIX}edge/${source}/${target}/${kind}`;
    if (!aggregated.has(id)) aggregated.set(id, [entry, 0, 0]);
    const agg = aggregated.get(id);
    agg[1] += 1;
    if (!hasClass(entry, "not-ready")) agg[2] += 1;
  }
  for (const [id, [entry, n, ready]] of [...aggregated].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const source = memberOf.get(entry.data.source) || entry.data.source;
    const target = memberOf.get(entry.data.target) || entry.data.target;
    let classes = (entry.classes || "").replace(/\bnot-ready\b/g, "").trim();
    if (ready === 0 && hasClass(entry, "not-ready")) classes += " not-ready";
    const label = entry.data.label ? `${entry.data.label} ×${n}` : `×${n}`;
    out.set(graphEdgeKey(id), {
      group: "edges",
      data: { ...entry.data, id, source, target, label, count: n },
      classes: `${classes} edge-group`,
    });
  }
  return out;
}

/** How many pods each (Node, owner) bucket holds, kept change by change, so that a change in a
 *  cluster with nothing to group costs what it touches, not a scan of the whole graph. */
class BucketCounts {
  constructor(min) {
    this.min = min;
    this.hostOf = new Map(); // pod id -> its box
    this.ownerOf = new Map(); // element id -> its owner's id
    this.targetOf = new Map(); // owns edge key -> its target
    this.bucketOf = new Map(); // pod id -> bucket id
    this.size = new Map(); // bucket id -> pods
    this.full = 0; // buckets at or past `min`
  }

  /** True when some bucket holds enough pods to be drawn as a group. */
  get any() {
    return this.full > 0;
  }

  add(bucket, n) {
    if (!bucket) return;
    const before = this.size.get(bucket) || 0;
    const after = before + n;
    if (after) this.size.set(bucket, after);
    else this.size.delete(bucket);
    if (before < this.min && after >= this.min) this.full += 1;
    if (before >= this.min && after < this.min) this.full -= 1;
  }

  rebucket(pod) {
    const host = this.hostOf.get(pod);
    const owner = this.ownerOf.get(pod);
    const next = host && owner ? `${GROUP_PREFIX}${host}/${owner}` : null;
    const prev = this.bucketOf.get(pod) || null;
    if (prev === next) return;
    this.add(prev, -1);
    this.add(next, 1);
    if (next) this.bucketOf.set(pod, next);
    else this.bucketOf.delete(pod);
  }

  /** One graph entry set (entry) or unset (null) under `key`. */
  note(key, entry) {
    const id = graphIdOf(key);
    if (entry === null) {
      if (this.targetOf.has(key)) {
        const target = this.targetOf.get(key);
        this.targetOf.delete(key);
        this.ownerOf.delete(target);
        this.rebucket(target);
      } else if (this.hostOf.has(id)) {
        this.hostOf.delete(id);
        this.rebucket(id);
      }
      return;
    }
    if (entry.group === "nodes" && entry.data.kind === "Pod") {
      this.hostOf.set(id, entry.data.parent || null);
      this.rebucket(id);
    } else if (entry.group === "edges" && hasClass(entry, "owns")) {
      this.targetOf.set(key, entry.data.target);
      this.ownerOf.set(entry.data.target, entry.data.source);
      this.rebucket(entry.data.target);
    }
  }
}

/** The grouped graph as the diagram sees it, kept in step with the store. */
export class GroupedGraph {
  constructor(store, min = GROUP_MIN) {
    this.store = store;
    this.min = min;
    this.expanded = new Set();
    this.entries = new Map();
    this.counts = new BucketCounts(min);
  }

  raw() {
    return new Map([...this.store.keys("graph")].map((key) => [key, this.store.get(key)]));
  }

  /** After a snapshot: every grouped entry. */
  reset() {
    const raw = this.raw();
    this.counts = new BucketCounts(this.min);
    for (const [key, entry] of raw) this.counts.note(key, entry);
    this.entries = groupGraph(raw, this.expanded, this.min);
    this.grouped = this.entries !== raw;
    return [...this.entries].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  }

  /** A store change as the change of the grouped graph ({...change, set, unset}). */
  change(change) {
    const unset = change.unset.filter((k) => family(k) === "graph");
    const set = Object.keys(change.set).filter((k) => family(k) === "graph");
    if (!unset.length && !set.length) return change;
    for (const key of unset) this.counts.note(key, null);
    for (const key of set) this.counts.note(key, change.set[key]);
    if (!this.grouped && !this.counts.any) {
      // nothing grouped before or after: the change as it came (the drawn map follows it)
      for (const key of unset) this.entries.delete(key);
      for (const key of set) this.entries.set(key, change.set[key]);
      return change;
    }
    return { ...change, ...this.regroup() };
  }
  /** Expand (or fold again) a group: the change that draws it. */
  toggle(id) {
    if (this.expanded.has(id)) this.expanded.delete(id);
    else this.expanded.add(id);
    return { type: "change", version: this.store.version, ...this.regroup() };
  }

  isGroup(id) {
    return typeof id === "string" && id.startsWith(GROUP_PREFIX);
  }

  /** Diff the grouped graph against the one drawn: entries the store replaced (a new object),
   *  group entries whose content changed, and what is gone. */
  regroup(next = groupGraph(this.raw(), this.expanded, this.min)) {
    const set = {};
    const unset = [];
    for (const [key, entry] of next) {
      const old = this.entries.get(key);
      if (old === entry) continue;
      if (old && this.isGroup(graphIdOf(key)) && JSON.stringify(old) === JSON.stringify(entry)) continue;
      set[key] = entry;
    }
    for (const key of this.entries.keys()) if (!next.has(key)) unset.push(key);
    this.entries = next;
    this.grouped = [...next.keys()].some((key) => this.isGroup(graphIdOf(key)));
    return { set, unset };
  }
}
