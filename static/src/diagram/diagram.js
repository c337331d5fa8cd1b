// The topology diagram: Cytoscape.js drawing the live protocol's `graph/*` entries.
//
// Left to right: the outside world → Ingresses → Services (inside their namespace) → pods
// (inside their Node). One edge per endpoint, labelled `port → targetPort`, dashed when not
// ready. Positions come from layout.js (ELK for the big picture, stable slots for pods).
// It subscribes to the store: a snapshot is drawn whole, a change patches the graph (new elements
// fade in, removed ones fade out, the rest stays), one after the other.

import cytoscape from "cytoscape";
import cytoscapeSvg from "cytoscape-svg";
import {
  Slots,
  layoutMacro,
  namespaceBox,
  placeNamespace,
  quickMacro,
  warmUp,
  timings,
  SIZES,
} from "./layout.js";
import { selectorMisses, shortWarning } from "../kube.js";
import { diagramStyle } from "./style.js";

cytoscape.use(cytoscapeSvg);

const OWNER_KINDS = new Set(["Deployment", "ReplicaSet", "Job", "DaemonSet"]);
const FRAME_KINDS = new Set(["Namespace", "Node", "Pending"]);
const SYSTEM_NS = "kube-system";
const PENDING = "Pending/-/unscheduled";
const FADE_MS = 450;
const MOVE_MS = 350;
const BIG = 1200; // elements: past this, no move animations, plain shapes, lighter rendering while panning
const FAR_ZOOM = 0.3; // big clusters below this zoom: no labels
const MACRO_FANOUT = 3; // links per box given to ELK
const FIRST_LAYOUT_WAIT_MS = 150; // then draw a quick layout and let ELK's replace it
const SMALL_FIRST_LAYOUT_WAIT_MS = 900;

export class Diagram {
  /**
   * @param {object} callbacks  onSelect(id | null); onOpen(ref), a double-click; onVisibility({owners,
   *   system}), the defaults the first snapshot sets; onDrawn(drawing, stats), a snapshot laid out or
   *   a change on screen; onError(err), drawing failed (the page resyncs)
   */
  constructor(container, store, { workerUrl, onSelect, onOpen, onVisibility, onDrawn, onError }) {
    this.store = store;
    this.workerUrl = workerUrl;
    this.onSelect = onSelect;
    this.onVisibility = onVisibility;
    this.onDrawn = onDrawn;
    this.onError = onError;
    this.drawing = Promise.resolve(); // snapshots and changes are drawn one after the other
    this.snapshots = 0;
    this.slots = new Slots();
    this.showOwners = false;
    this.showSystem = false;
    this.selected = null;
    this.layoutRun = 0;
    this.relayoutQueued = false;
    this.frames = new Map(); // frame id -> {x, y, w, h}
    this.ghostCount = 0;
    this.stats = { firstLayoutMs: null, lastLayoutMs: null, lastPatchMs: null };
    this.cy = cytoscape({
      container,
      style: diagramStyle(),
      wheelSensitivity: 0.25,
      minZoom: 0.03,
      maxZoom: 3,
      boxSelectionEnabled: false,
      selectionType: "single",
      autoungrabify: true,
    });
    this.cy.on("tap", (event) => {
      if (event.target === this.cy) this.select(null);
      else this.select(event.target.id());
    });
    warmUp(workerUrl);
    // Level of detail: a big cluster seen whole drops its labels (unreadable at that size anyway,
    // and the cost of a frame); they come back as soon as one zooms in.
    this.far = false;
    this.cy.on("zoom", () => this.updateDetail());
    this.cy.on("mouseover", "node", (e) => {
      container.title = e.target.data("tooltip") || "";
    });
    this.cy.on("dbltap", "node", (event) => onOpen?.(event.target.id()));
    store.subscribe((event) => this.onStore(event));
  }

  onStore(event) {
    if (event.type === "snapshot") {
      if (this.snapshots === 0) this.defaultVisibility();
      this.snapshots += 1;
      this.drawing = this.drawing
        .catch(this.onError)
        .then(() => this.renderAll())
        .then(() => this.onDrawn?.({ type: "snapshot", version: event.version }, this.stats));
    } else {
      this.drawing = this.drawing.catch(this.onError).then(() => {
        this.patch(event);
        requestAnimationFrame(() => this.onDrawn?.(event, this.stats));
      });
    }
  }

  /** What the first snapshot shows: Jobs and DaemonSets are what a cluster with them is about
   *  (owners shown); kube-system stays folded unless something besides its defaults (kube-dns,
   *  CoreDNS) lives there. */
  defaultVisibility() {
    this.showOwners = this.store.list("job").length > 0 || this.store.list("daemonset").length > 0;
    this.showSystem = [...this.store.keys("object")].some(
      (k) => k.includes("/kube-system/") && !/\/kube-system\/(kube-dns|coredns)/.test(k),
    );
    this.onVisibility?.({ owners: this.showOwners, system: this.showSystem });
  }

  resize() {
    this.cy.resize();
  }

  // ------------------------------------------------------------------ element conversion
  /** A graph/node entry as a Cytoscape element (positions are ours, so no compound parents). */
  nodeElement(entry) {
    const data = { ...entry.data };
    const kind = data.kind;
    const host = data.parent || null;
    delete data.parent;
    data.host = kind === "Pod" ? host || PENDING : host;
    let classes = entry.classes || "";
    if (FRAME_KINDS.has(kind)) {
      classes += " frame";
      data.w = 200;
      data.h = 90;
    }
    data.display = this.nodeLabel(data);
    if (FRAME_KINDS.has(kind)) data.labelShift = 8 + 14 * data.display.split("\n").length;
    if (this.isSystem(data)) classes += " system";
    if (OWNER_KINDS.has(kind)) classes += " owner";
    data.display = this.nodeLabel(data);
    data.tooltip = this.tooltip(data);
    return { group: "nodes", data, classes };
  }

  edgeElement(entry) {
    const data = { ...entry.data };
    let classes = entry.classes || "";
    // From the outside world a LoadBalancer reads "LB <ip>"; its NodePorts are on the Node boxes.
    if (classes.includes("type-loadbalancer") && data.loadBalancerIP)
      data.label = `LB ${data.loadBalancerIP}`;
    if (data.source?.includes(`/${SYSTEM_NS}/`) || data.source === "Service/default/kubernetes")
      classes += " system";
    return { group: "edges", data, classes };
  }

  isSystem(data) {
    return (
      data.namespace === SYSTEM_NS ||
      data.id === `Namespace/-/${SYSTEM_NS}` ||
      data.id === "Service/default/kubernetes"
    );
  }

  nodeLabel(d) {
    switch (d.kind) {
      case "Pod": {
        const ns = d.namespace !== "default" ? ` · ${d.namespace}` : "";
        const state = d.phase === "Running" ? (d.ready ? "" : " · not ready") : ` · ${d.phase}`;
        return `${d.label}\n${d.ip || "no IP"}${state}${ns}`;
      }
      case "Service": {
        let second;
        if (d.type === "ExternalName") second = `ExternalName → ${d.externalName}`;
        else if (d.clusterIP === "None") second = "headless (clusterIP None)";
        else second = `${d.type} ${d.clusterIP || ""}`;
        const ports = (d.ports || []).join(", ");
        let third = ports;
        if (d.type === "LoadBalancer") third = `LB ${d.loadBalancerIP || "<pending>"} · ${ports}`;
        const warning = d.warning ? `\n${shortWarning(d.warning)}` : "";
        return `${d.label}\n${second}\n${third}${warning}`;
      }
      case "Node": {
        const ports = d.nodePorts || [];
        const shown = ports
          .slice(0, 4)
          .map((p) => p.replace("/TCP", ""))
          .join(", ");
        const more = ports.length > 4 ? ` +${ports.length - 4} more` : "";
        return `Node ${d.label} · ${d.ip || ""}\npod CIDR ${d.podCIDR || ""}${ports.length ? `\nNodePorts ${shown}${more}` : ""}`;
      }
      case "Namespace":
        return `namespace ${d.label}`;
      case "Ingress":
        return `Ingress ${d.label}${d.ingressClass ? `\nclass ${d.ingressClass}` : ""}`;
      case "World":
        return "outside world";
      case "External":
        return `${d.label}\n(outside the cluster)`;
      case "Pending":
        return "Pending: no node fits";
      default:
        return `${d.kind} ${d.label}${d.summary ? `\n${d.summary}` : ""}`;
    }
  }

  tooltip(d) {
    if (d.kind === "Service" && d.warning) return `${d.warning.message}\n${d.warning.hint || ""}`;
    return "";
  }

  // ------------------------------------------------------------------ visibility
  visibleNode(el) {
    const d = el.data;
    if (!this.showOwners && OWNER_KINDS.has(d.kind)) return false;
    if (!this.showSystem && this.isSystem(d)) return false;
    return true;
  }

  setShowOwners(on) {
    this.showOwners = on;
    this.applyVisibility();
    this.relayout();
  }

  setShowSystem(on) {
    this.showSystem = on;
    this.applyVisibility();
    this.resetSlots(); // system pods come into (or leave) their Nodes' boxes
    this.relayout();
  }

  applyVisibility() {
    this.cy.batch(() => {
      this.cy.elements().forEach((el) => this.applyVisibilityOf(el));
    });
  }

  applyVisibilityOf(el) {
    let hidden = false;
    if (el.isNode()) hidden = !this.visibleNode({ data: el.data() });
    else if (el.hasClass("owns")) hidden = !this.showOwners;
    else if (el.hasClass("system")) hidden = !this.showSystem;
    el.toggleClass("hidden", hidden);
  }

  // ------------------------------------------------------------------ full render
  async renderAll() {
    const started = performance.now();
    const elements = [];
    let pending = false;
    for (const [, entry] of this.store.list("graph")) {
      if (entry.group === "nodes") {
        const el = this.nodeElement(entry);
        if (el.data.kind === "Pod" && el.data.host === PENDING) pending = true;
        elements.push(el);
      } else {
        elements.push(this.edgeElement(entry));
      }
    }
    if (pending) elements.push(this.pendingFrame());
    this.big = elements.length > BIG;
    if (this.big)
      for (const el of elements) if (el.group === "edges" || el.data.kind === "Pod") el.classes += " lite";
    // One batch from the first element to the last position: Cytoscape draws once, laid out.
    this.cy.startBatch();
    let added;
    try {
      this.cy.elements().remove();
      this.cy.add(elements.filter((e) => e.group === "nodes"));
      const ids = new Set(this.cy.nodes().map((n) => n.id()));
      this.cy.add(
        elements.filter((e) => e.group === "edges" && ids.has(e.data.source) && ids.has(e.data.target)),
      );
      this.applyVisibility();
      this.resetSlots();
      added = performance.now();
      // A small cluster waits for ELK (a lesson should appear once, not morph); a big one shows
      // the quick layout first.
      await this.layoutNow({
        animate: false,
        deadline: elements.length < 400 ? SMALL_FIRST_LAYOUT_WAIT_MS : FIRST_LAYOUT_WAIT_MS,
      });
    } finally {
      this.cy.endBatch();
    }
    const laidOut = performance.now();
    this.fitView();
    this.applyPerformanceMode();
    this.far = null;
    this.updateDetail();
    this.reselect();
    await nextFrame();
    this.stats.lastLayoutMs = performance.now() - started;
    this.stats.breakdown = {
      started,
      add: added - started,
      layout: laidOut - added,
      draw: performance.now() - laidOut,
      elk: this.stats.elkMs,
      ...timings,
    };
    if (this.stats.firstLayoutMs === null) this.stats.firstLayoutMs = this.stats.lastLayoutMs;
  }

  /** Fit the view to the laid-out boxes (cheaper than measuring every label), at most 125 %. */
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
    const pad = 30;
    const w = this.cy.width();
    const h = this.cy.height();
    const zoom = Math.min(1.5, (w - 2 * pad) / Math.max(1, x2 - x1), (h - 2 * pad) / Math.max(1, y2 - y1));
    const viewport = { zoom, pan: { x: (w - zoom * (x1 + x2)) / 2, y: (h - zoom * (y1 + y2)) / 2 } };
    if (animate) this.cy.animate(viewport, { duration: MOVE_MS });
    else this.cy.viewport(viewport);
  }

  updateDetail() {
    const far = this.big && this.cy.zoom() < FAR_ZOOM;
    if (far === this.far) return;
    this.far = far;
    this.cy.batch(() => this.cy.elements().toggleClass("far", far));
  }

  applyPerformanceMode() {
    const big = this.cy.elements().length > BIG;
    // Big clusters: draw a cached texture while panning/zooming, hide edges in motion.
    this.cy.renderer().textureOnViewport = big;
    this.cy.renderer().hideEdgesOnViewport = big;
    this.cy.renderer().motionBlur = false;
    this.big = big;
  }

  pendingFrame() {
    return {
      group: "nodes",
      data: {
        id: PENDING,
        kind: "Pending",
        label: "Pending",
        w: 200,
        h: 90,
        labelShift: 22,
        display: this.nodeLabel({ kind: "Pending" }),
      },
      classes: "frame pending-frame",
    };
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

  // ------------------------------------------------------------------ layout
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
    requestAnimationFrame(() => {
      this.relayoutQueued = false;
      this.layoutNow({ animate: !this.big });
    });
  }

  /** Lay everything out. With `deadline` (ms), a quick layout is drawn if ELK has not answered
   *  by then, and ELK's replaces it when it comes. */
  /** True when ELK's layout is on screen and no other layout or move is pending. */
  get settled() {
    return this.layoutRun === this.settledRun && !this.relayoutQueued && this.cy.nodes(":animated").empty();
  }

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
          this.place(macro, boxes, !this.big);
          this.settledRun = run;
          this.stats.elkSettledMs = performance.now() - elkStarted;
          this.fitView(!this.big);
        });
        return;
      }
    }
    const boxes = await elk;
    if (run !== this.layoutRun) return; // a newer layout is on its way
    this.place(macro, boxes, animate);
    this.settledRun = run;
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

  // ------------------------------------------------------------------ live patches
  /** Apply one change's graph entries. Returns quickly; animations run on their own. */
  patch(change) {
    const started = performance.now();
    let relayout = false;
    const cy = this.cy;
    const added = [];
    cy.startBatch();
    let leaving = cy.collection();
    for (const key of change.unset) {
      if (!key.startsWith("graph/")) continue;
      const id = key.slice(key.indexOf("/", 6) + 1);
      const el = cy.getElementById(id);
      if (el.empty()) continue;
      if (el.isNode()) {
        if (el.data("kind") === "Pod") this.slots.release(id);
        else relayout = true;
        leaving = leaving.union(el.connectedEdges());
      }
      leaving = leaving.union(el);
    }
    if (leaving.nonempty()) this.fadeOut(leaving);
    for (const [key, entry] of Object.entries(change.set)) {
      if (!key.startsWith("graph/")) continue;
      const id = entry.data.id;
      const el = cy.getElementById(id);
      if (entry.group === "nodes") {
        const next = this.nodeElement(entry);
        if (el.nonempty()) {
          const before = el.data();
          if (FRAME_KINDS.has(next.data.kind)) Object.assign(next.data, { w: before.w, h: before.h });
          el.data(next.data);
          el.classes(this.keepUiClasses(el, next.classes));
          this.applyVisibilityOf(el);
          if (next.data.kind === "Pod" && before.host !== next.data.host && !el.hasClass("hidden")) {
            if (next.data.host === PENDING) this.ensurePendingFrame();
            if (this.slots.assign(id, next.data.host)) relayout = true;
            const pos = this.podPosition(id, next.data.host);
            if (pos) el.animate({ position: pos }, { duration: MOVE_MS });
            else relayout = true;
          }
        } else {
          if (next.data.kind === "Pod" && next.data.host === PENDING) this.ensurePendingFrame();
          const node = cy.add(next);
          this.applyVisibilityOf(node);
          if (next.data.kind === "Pod") {
            if (!node.hasClass("hidden")) {
              if (this.slots.assign(id, next.data.host)) relayout = true;
              const pos = this.podPosition(id, next.data.host);
              if (pos) node.position(pos).data("placed", true);
              else relayout = true;
            }
          } else {
            relayout = true;
          }
          added.push(node);
        }
      }
    }
    for (const [key, entry] of Object.entries(change.set)) {
      if (!key.startsWith("graph/") || entry.group !== "edges") continue;
      const el = cy.getElementById(entry.data.id);
      const next = this.edgeElement(entry);
      if (el.nonempty() && el.data("source") === next.data.source && el.data("target") === next.data.target) {
        el.data(next.data);
        el.classes(this.keepUiClasses(el, next.classes));
        this.applyVisibilityOf(el);
      } else {
        if (el.nonempty()) el.remove();
        if (cy.getElementById(next.data.source).empty() || cy.getElementById(next.data.target).empty())
          continue;
        const edge = cy.add(next);
        this.applyVisibilityOf(edge);
        added.push(edge);
        if (!edge.hasClass("hidden") && !entry.classes?.includes("endpoint")) relayout = true;
      }
    }
    for (const el of added) {
      if (this.big && (el.isEdge() || el.data("kind") === "Pod")) el.addClass("lite");
      if (this.far) el.addClass("far");
      el.style("opacity", 0);
    }
    cy.endBatch();
    for (const el of added) {
      el.animate({ style: { opacity: 1 } }, { duration: FADE_MS, complete: () => el.removeStyle("opacity") });
    }
    this.dropEmptyPendingFrame();
    if (relayout) this.relayout();
    this.reselect();
    this.stats.lastPatchMs = performance.now() - started;
  }

  keepUiClasses(el, classes) {
    const keep = [
      "hidden",
      "empty",
      "lit",
      "faded",
      "miss",
      "picked",
      "trace",
      "trace-fail",
      "trace-head",
    ].filter((c) => el.hasClass(c));
    const extra = [];
    if (el.isNode()) {
      const d = el.data();
      if (FRAME_KINDS.has(d.kind)) extra.push("frame");
      if (this.isSystem(d)) extra.push("system");
      if (OWNER_KINDS.has(d.kind)) extra.push("owner");
    } else if (el.hasClass("system")) {
      extra.push("system");
    }
    if (this.big && (el.isEdge() || el.data("kind") === "Pod")) extra.push("lite");
    if (this.far) extra.push("far");
    return [classes, ...extra, ...keep].join(" ");
  }

  /** Fade out and remove elements. The originals go at once (their ids may come back in the
   *  next change: a pod re-created under its name); look-alike ghosts do the fading. */
  fadeOut(elements) {
    const cy = this.cy;
    const ghosts = new Map();
    const made = [];
    const ghostOf = (el) => {
      const data = { ...el.data(), id: `ghost:${++this.ghostCount}`, host: null };
      return {
        data,
        classes: `${el.classes().join(" ")} ghost`,
        position: el.isNode() ? { ...el.position() } : undefined,
      };
    };
    elements
      .filter((el) => el.isNode() && !el.hasClass("hidden"))
      .forEach((el) => {
        const g = ghostOf(el);
        ghosts.set(el.id(), g.data.id);
        made.push({ group: "nodes", ...g });
      });
    elements
      .filter((el) => el.isEdge() && !el.hasClass("hidden"))
      .forEach((el) => {
        const g = ghostOf(el);
        g.data.source = ghosts.get(el.data("source")) || el.data("source");
        g.data.target = ghosts.get(el.data("target")) || el.data("target");
        made.push({ group: "edges", ...g });
      });
    elements.remove();
    const added = cy.add(made.filter((g) => g.group === "nodes"));
    const addedEdges = cy.add(
      made.filter(
        (g) =>
          g.group === "edges" &&
          cy.getElementById(g.data.source).nonempty() &&
          cy.getElementById(g.data.target).nonempty(),
      ),
    );
    const all = added.union(addedEdges);
    if (all.empty()) return;
    all.animate(
      { style: { opacity: 0 } },
      {
        duration: FADE_MS,
        complete: () => {
          if (all.inside()) all.remove();
        },
      },
    );
    setTimeout(() => {
      all.filter((e) => e.inside()).remove();
    }, FADE_MS + 200);
  }

  ensurePendingFrame() {
    if (this.cy.getElementById(PENDING).empty()) {
      this.cy.add(this.pendingFrame());
      this.relayout();
    }
  }

  dropEmptyPendingFrame() {
    const frame = this.cy.getElementById(PENDING);
    if (frame.empty()) return;
    const any = this.cy.nodes(`[kind = "Pod"][host = "${PENDING}"]`);
    if (any.empty()) {
      frame.remove();
      this.slots.boxes.delete(PENDING);
      this.relayout();
    }
  }

  // ------------------------------------------------------------------ selection
  select(id) {
    this.selected = id;
    this.reselect();
    this.onSelect?.(id);
  }

  /** Highlight what the selection is about: a Service's pods (and why the others miss); a pod's Services. */
  reselect() {
    const cy = this.cy;
    const id = this.selected;
    cy.batch(() => {
      cy.elements(".lit, .faded, .miss, .picked").removeClass("lit faded miss picked");
      cy.nodes("[missLabel]").removeData("missLabel");
      if (!id) return;
      const el = cy.getElementById(id);
      if (el.empty()) return;
      el.addClass("picked");
      const d = el.data();
      let related = el;
      if (d.kind === "Service") {
        const edges = el.outgoers("edge");
        related = related.union(edges).union(edges.targets()).union(el.incomers());
        const svc = this.store.get(`service/${d.namespace}/${d.label}`);
        const selector = svc?.selector;
        if (selector) {
          const lit = new Set(edges.targets().map((n) => n.id()));
          cy.nodes(`[kind = "Pod"][namespace = "${d.namespace}"]`).forEach((pod) => {
            if (lit.has(pod.id())) return;
            const view = this.store.get(`pod/${pod.data("namespace")}/${pod.data("label")}`);
            const misses = selectorMisses(selector, view?.labels || {});
            if (misses.length) {
              pod.data("missLabel", `${pod.data("label")}\n✗ ${misses.join(", ")}`);
              pod.addClass("miss");
              related = related.union(pod);
            }
          });
        }
      } else if (d.kind === "Pod") {
        const edges = el.incomers("edge");
        related = related.union(edges).union(edges.sources());
      } else if (d.kind === "Ingress" || d.kind === "World") {
        const edges = el.outgoers("edge");
        related = related.union(edges).union(edges.targets());
        if (d.kind === "Ingress") related = related.union(el.incomers());
      } else if (OWNER_KINDS.has(d.kind)) {
        related = related.union(el.successors());
      } else if (d.kind === "Node") {
        related = related.union(cy.nodes(`[host = "${id}"]`));
      }
      related.addClass("lit");
      cy.elements().not(related).not(".frame").addClass("faded");
    });
  }

  // ------------------------------------------------------------------ traces
  clearTrace() {
    clearTimeout(this.traceTimer);
    this.cy.remove(".trace-link");
    this.cy.elements(".trace, .trace-fail, .trace-head").removeClass("trace trace-fail trace-head");
  }

  /** Light a path hop by hop. `steps`: element ids, or {link: [source, target], label} for a
   *  hop the diagram has no edge for (a pod calling a Service), drawn for the trace only.
   *  Returns the ids lit, in order. */
  drawTrace(steps, { failed = false, stepMs = 380 } = {}) {
    this.clearTrace();
    const ids = [];
    let links = 0;
    for (const step of steps) {
      if (typeof step === "string") {
        if (this.cy.getElementById(step).nonempty()) ids.push(step);
        continue;
      }
      const [source, target] = step.link;
      if (this.cy.getElementById(source).empty() || this.cy.getElementById(target).empty()) continue;
      const id = `trace-link/${links++}`;
      this.cy.add({
        group: "edges",
        data: { id, source, target, label: step.label || "" },
        classes: "trace-link pending",
      });
      ids.push(id);
    }
    let i = 0;
    const tick = () => {
      if (i > 0) this.cy.getElementById(ids[i - 1]).removeClass("trace-head");
      if (i >= ids.length) {
        if (failed && ids.length) this.cy.getElementById(ids[ids.length - 1]).addClass("trace-fail");
        return;
      }
      const el = this.cy.getElementById(ids[i]);
      el.removeClass("pending").addClass("trace trace-head");
      i += 1;
      this.traceTimer = setTimeout(tick, stepMs);
    };
    tick();
    return ids;
  }

  edgeBetween(source, target, cls) {
    const edges = this.cy.edges(`[source = "${source}"][target = "${target}"]${cls ? `.${cls}` : ""}`);
    return edges.nonempty() ? edges[0].id() : null;
  }

  // ------------------------------------------------------------------ export
  exportPng() {
    return this.cy.png({ full: true, scale: 2, bg: "#ffffff", output: "blob" });
  }

  exportSvg() {
    return this.cy.svg({ full: true, scale: 1, bg: "#ffffff" });
  }

  fit() {
    this.fitView(true);
  }

  has(id) {
    return this.cy.getElementById(id).nonempty();
  }
}

function nextFrame() {
  return new Promise((resolve) => requestAnimationFrame(() => resolve()));
}
