// Where the diagram's elements sit: layout.js's geometry (ELK for the big picture in a worker, a
// stable slot per pod in its Node's box) applied to the Cytoscape graph. A live change moves
// nothing but what changed; a new box, or a box that must grow, lays the big picture out again.

import { Slots, layoutMacro, namespaceBox, placeNamespace, quickMacro, SIZES } from "./layout.js";
import { FRAME_KINDS } from "./elements.js";

const MOVE_MS = 350;
const MACRO_FANOUT = 3; // links per box given to ELK
const FIT_PADDING = 30;
const MAX_FIT_ZOOM = 1.5;

export class Placement {
  /**
   * @param cy  the diagram's Cytoscape instance
   * @param {object} options  workerUrl (ELK's worker); stats, the diagram's figures (written:
   *   elkMs, macro, quick, quickAt, elkSettledMs); isBig(), true when moves are not animated;
   *   onLaidOut(animate), after a live change's layout is placed (the view may follow it)
   */
  constructor(cy, { workerUrl, stats, isBig, onLaidOut }) {
    this.onLaidOut = onLaidOut;
    this.cy = cy;
    this.workerUrl = workerUrl;
    this.stats = stats;
    this.isBig = isBig;
    this.slots = new Slots();
    this.frames = new Map(); // frame id -> {x, y, w, h}
    this.layoutRun = 0;
    this.settledRun = undefined;
    this.relayoutQueued = false;
  }

  /** True when ELK's layout is on screen and no other layout, move or view animation is pending. */
  get settled() {
    return (
      this.layoutRun === this.settledRun &&
      !this.relayoutQueued &&
      !this.cy.animated() && // the view itself (a fit that follows the diagram)
      this.cy.nodes(":animated").empty()
    );
  }

  /** Order pods in each box: grouped by the first Service that selects them, then by name. */
  resetSlots() {
    const firstService = new Map();
    this.cy.edges(".endpoint").forEach((e) => {
      const pod = e.data("target");
      const svc = e.data("source");
      if (!firstService.has(pod) || svc < firstService.get(pod)) firstService.set(pod, svc);
    });
    const groups = new Map();
    this.cy.nodes().forEach((n) => {
      if (n.data("kind") !== "Pod" || n.hasClass("hidden") || n.hasClass("ghost")) return;
      const box = n.data("host");
      if (!groups.has(box)) groups.set(box, []);
      groups.get(box).push(n);
    });
    const ordered = new Map();
    for (const [box, pods] of groups) {
      pods.sort((a, b) => {
        const sa = firstService.get(a.id()) || "~";
        const sb = firstService.get(b.id()) || "~";
        return sa < sb ? -1 : sa > sb ? 1 : a.id() < b.id() ? -1 : 1;
      });
      ordered.set(
        box,
        pods.map((p) => p.id()),
      );
    }
    this.slots.reset(ordered);
  }

  /** The big picture: the world, namespace boxes (their leaves inside), Node boxes, external
   *  names; and the edges between them (a pod stands for its Node, a leaf for its namespace). */
  macroGraph() {
    const boxes = [];
    const groups = new Map(); // namespace id -> leaves
    const topOf = new Map(); // element id -> top-level box id
    const targetsOf = new Map(); // leaf id -> ids it points at
    this.cy.nodes().forEach((n) => {
      if (n.hasClass("hidden") || n.hasClass("ghost")) return;
      const d = n.data();
      if (d.kind === "Pod") {
        topOf.set(d.id, d.host);
        return;
      }
      if (d.kind === "Namespace") return;
      if (d.kind === "Node" || d.kind === "Pending") {
        const [w, h] = this.slots.size(d.id);
        boxes.push({ id: d.id, kind: d.kind, w, h });
        topOf.set(d.id, d.id);
        return;
      }
      const ns = d.host && this.cy.getElementById(d.host).nonempty() ? d.host : null;
      if (ns) {
        if (!groups.has(ns)) groups.set(ns, []);
        groups.get(ns).push({ id: d.id, kind: d.kind });
        topOf.set(d.id, ns);
      } else {
        const [w, h] = SIZES[d.kind] || [160, 44];
        boxes.push({ id: d.id, kind: d.kind, w, h });
        topOf.set(d.id, d.id);
      }
    });
    const namespaces = new Map();
    for (const [ns, leaves] of [...groups].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      leaves.sort((a, b) => (a.id < b.id ? -1 : 1));
      const box = namespaceBox(leaves);
      namespaces.set(ns, box);
      boxes.push({ id: ns, kind: "Namespace", w: box.w, h: box.h });
    }
    boxes.sort((a, b) => (a.id < b.id ? -1 : 1));
    const seen = new Map();
    const edges = [];
    this.cy.edges().forEach((e) => {
      if (e.hasClass("hidden") || e.hasClass("ghost")) return;
      const source = e.data("source");
      const target = e.data("target");
      if (!targetsOf.has(source)) targetsOf.set(source, []);
      targetsOf.get(source).push(target);
      const s = topOf.get(source);
      const t = topOf.get(target);
      if (!s || !t || s === t) return;
      const key = `${s}>${t}`;
      seen.set(key, (seen.get(key) || 0) + 1);
    });
    // Each box keeps its strongest few links: enough for ELK to order the boxes well, few
    // enough that a cluster of thousands of pods lays out in a blink.
    const bySource = new Map();
    for (const [key, weight] of seen) {
      const [s, t] = key.split(">");
      if (!bySource.has(s)) bySource.set(s, []);
      bySource.get(s).push([t, weight]);
    }
    for (const [s, targets] of [...bySource].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      targets.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
      for (const [t] of targets.slice(0, MACRO_FANOUT)) edges.push([s, t]);
    }
    // Layout only (not drawn): the world stands left of every namespace, the Nodes right of it.
    const reached = new Set(edges.map(([, t]) => t));
    const leaving = new Set(edges.map(([src]) => src));
    const nodeBoxes = boxes.filter((b) => b.kind === "Node");
    const hub = (nodeBoxes.find((b) => !b.id.includes("control-plane")) || nodeBoxes[0])?.id;
    const hasWorld = boxes.some((b) => b.id === "world");
    for (const b of boxes) {
      if (b.kind !== "Namespace") continue;
      if (hasWorld && !reached.has(b.id)) edges.push(["world", b.id]);
      if (hub && !leaving.has(b.id)) edges.push([b.id, hub]);
    }
    if (hasWorld && hub && !edges.some(([src]) => src === "world")) edges.push(["world", hub]);
    return { boxes, edges, namespaces, targetsOf };
  }

  relayout() {
    if (this.relayoutQueued) return;
    this.relayoutQueued = true;
    requestAnimationFrame(async () => {
      this.relayoutQueued = false;
      const run = await this.layoutNow({ animate: !this.isBig() });
      if (run === this.layoutRun) this.onLaidOut?.(!this.isBig());
    });
  }

  /** Lay everything out. With `deadline` (ms), a quick layout is drawn if ELK has not answered
   *  by then, and ELK's replaces it when it comes. */
  async layoutNow({ animate, deadline = null }) {
    const run = ++this.layoutRun;
    const macro = this.macroGraph();
    const elkStarted = performance.now();
    const elk = layoutMacro(macro, this.workerUrl).then((boxes) => {
      this.stats.elkMs = performance.now() - elkStarted;
      return boxes;
    });
    this.stats.macro = { boxes: macro.boxes.length, edges: macro.edges.length };
    if (deadline !== null) {
      const early = await Promise.race([
        elk,
        new Promise((resolve) => setTimeout(() => resolve(null), deadline)),
      ]);
      if (!early) {
        this.stats.quick = true;
        const t0 = performance.now();
        this.place(macro, quickMacro(macro), false);
        this.stats.quickAt = [t0 - elkStarted, performance.now() - t0];
        elk.then((boxes) => {
          if (run !== this.layoutRun) return;
          this.place(macro, boxes, !this.isBig());
          this.settledRun = run;
          this.stats.elkSettledMs = performance.now() - elkStarted;
          this.onLaidOut ? this.onLaidOut(!this.isBig()) : this.fitView(!this.isBig());
        });
        return null;
      }
    }
    const boxes = await elk;
    if (run !== this.layoutRun) return null; // a newer layout is on its way
    this.place(macro, boxes, animate);
    this.settledRun = run;
    return run;
  }

  place(macro, boxes, animate) {
    this.frames = boxes;
    // Pods first (their slots), then each namespace's leaves near what they point at.
    const known = new Map();
    this.cy.nodes('[kind = "Pod"]').forEach((n) => {
      if (n.hasClass("ghost")) return;
      if (n.hasClass("hidden")) return;
      const pos = this.podPosition(n.id(), n.data("host"));
      if (pos) known.set(n.id(), pos);
    });
    for (const [id, box] of boxes)
      known.set(id, { x: box.x + box.w / 2, y: box.y + box.h / 2, w: box.w, h: box.h });
    for (const [ns, inner] of macro.namespaces) {
      const box = boxes.get(ns);
      if (box) placeNamespace({ ...inner, x: box.x, y: box.y }, macro.targetsOf, known);
    }
    const targets = [];
    this.cy.startBatch();
    this.cy.nodes().forEach((n) => {
      if (n.hasClass("ghost")) return;
      const d = n.data();
      const place = known.get(d.id);
      if (d.kind === "Namespace") n.toggleClass("empty", !place);
      if (!place) return;
      if (FRAME_KINDS.has(d.kind)) n.data({ w: place.w, h: place.h });
      const pos = { x: place.x, y: place.y };
      if (animate && n.data("placed")) targets.push([n, pos]);
      else n.position(pos);
      n.data("placed", true);
    });
    this.cy.endBatch();
    for (const [n, pos] of targets) {
      const p = n.position();
      if (Math.abs(p.x - pos.x) < 0.5 && Math.abs(p.y - pos.y) < 0.5) continue;
      // finish any fade first (jump to its end), then move
      n.stop(true, true);
      if (!n.hasClass("ghost")) n.removeStyle("opacity");
      n.animate({ position: pos }, { duration: MOVE_MS, easing: "ease-in-out-cubic" });
    }
  }

  podPosition(podId, boxId) {
    const box = this.frames.get(boxId);
    if (!box) return null;
    if (!this.slots.where.has(podId)) this.slots.assign(podId, boxId);
    const offset = this.slots.offset(podId);
    return { x: box.x + offset[0], y: box.y + offset[1] };
  }

  /** Fit the view to the laid-out boxes (cheaper than measuring every label), at most 150 %. */
  fitView(animate = false) {
    let x1 = Infinity,
      y1 = Infinity,
      x2 = -Infinity,
      y2 = -Infinity;
    for (const [id, b] of this.frames) {
      if (this.cy.getElementById(id).hasClass("hidden")) continue;
      x1 = Math.min(x1, b.x);
      y1 = Math.min(y1, b.y);
      x2 = Math.max(x2, b.x + b.w);
      y2 = Math.max(y2, b.y + b.h);
    }
    if (!Number.isFinite(x1)) return;
    const pad = FIT_PADDING;
    const w = this.cy.width();
    const h = this.cy.height();
    const zoom = Math.min(
      MAX_FIT_ZOOM,
      (w - 2 * pad) / Math.max(1, x2 - x1),
      (h - 2 * pad) / Math.max(1, y2 - y1),
    );
    const viewport = { zoom, pan: { x: (w - zoom * (x1 + x2)) / 2, y: (h - zoom * (y1 + y2)) / 2 } };
    if (animate) this.cy.animate(viewport, { duration: MOVE_MS });
    else this.cy.viewport(viewport);
  }
}
