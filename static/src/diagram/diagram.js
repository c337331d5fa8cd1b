// The topology diagram: Cytoscape.js drawing the live protocol's `graph/*` entries.
//
// Left to right: the outside world → Ingresses → Services (inside their namespace) → pods
// (inside their Node). One edge per endpoint, labelled `port → targetPort`, dashed when not
// ready. The diagram subscribes to the store: a snapshot is drawn whole, a change patches the
// graph (new elements fade in, removed ones fade out, the rest stays), one after the other.
// What an entry looks like is elements.js's; where it sits, placement.js's (with layout.js's
// geometry); what a selection lights up, highlight.js's; a traced request, trace.js's.

import cytoscape from "cytoscape";
import cytoscapeSvg from "cytoscape-svg";
import { family, graphIdOf, namespaced } from "../protocol/keys.js";
import { warmUp, timings } from "./layout.js";
import { Placement } from "./placement.js";
import {
  FRAME_KINDS,
  OWNER_KINDS,
  PENDING,
  defaultVisibility,
  edgeElement,
  isSystem,
  isVisibleNode,
  nodeElement,
  pendingFrame,
} from "./elements.js";
import { highlight } from "./highlight.js";
import { TraceLayer, traceSteps } from "./trace.js";
import { diagramStyle } from "./style.js";
import { ViewKeeper } from "./viewport.js";
import { GroupedGraph } from "./grouping.js";
import { DiagramKeyboard } from "./keyboard.js";

cytoscape.use(cytoscapeSvg);

const FADE_MS = 450;
const GHOST_LINGER_MS = 200; // after the fade, in case its animation never completes
const MOVE_MS = 350;
const BIG = 1200; // elements: past this, no move animations, plain shapes, lighter rendering while panning
const FAR_ZOOM = 0.3; // big clusters below this zoom: no labels
const FIRST_LAYOUT_WAIT_MS = 150; // then draw a quick layout and let ELK's replace it
const SMALL_FIRST_LAYOUT_WAIT_MS = 900;
const SMALL = 400; // elements: up to this, the first layout waits for ELK (a lesson appears once)
/** Classes the page sets (visibility, selection, traces) that a patch from the server keeps. */
const UI_CLASSES = ["hidden", "empty", "lit", "faded", "miss", "picked", "trace", "trace-fail", "trace-head"];

export class Diagram {
  /**
   * @param {object} options  workerUrl, ELK's worker; explanations, the server's answers on why
   *   pods are behind a Service or not (protocol/explain.js); and callbacks: onSelect(id | null);
   *   onOpen(ref), a double-click; onVisibility({owners, system}), the defaults the first snapshot
   *   sets; onDrawn(drawing, stats), a snapshot laid out or a change on screen; onError(err),
   *   drawing failed (the page resyncs)
   */
  constructor(container, store, options) {
    const { workerUrl, explanations, onSelect, onOpen, onVisibility, onDrawn, onError, announce } = options;
    this.store = store;
    this.explanations = explanations;
    this.onSelect = onSelect;
    this.onVisibility = onVisibility;
    this.onDrawn = onDrawn;
    this.onError = onError;
    this.drawing = Promise.resolve(); // snapshots and changes are drawn one after the other
    this.snapshots = 0;
    this.showOwners = false;
    this.showSystem = false;
    this.selected = null;
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
    this.placement = new Placement(this.cy, {
      workerUrl,
      stats: this.stats,
      isBig: () => this.big,
      onLaidOut: (animate) => this.view.laidOut(animate),
    });
    this.view = new ViewKeeper(this.cy, (animate) => this.placement.fitView(animate));
    this.trace = new TraceLayer(this.cy);
    this.graph = new GroupedGraph(store); // big clusters: pods of one owner on one Node as one
    this.cy.on("tap", (event) => {
      if (event.target === this.cy) this.select(null);
      else if (this.graph.isGroup(event.target.id()) && event.target.isNode())
        this.toggleGroup(event.target.id());
      else this.select(event.target.id());
    });
    this.keyboard = new DiagramKeyboard(this.cy, {
      select: (id) => (id && this.graph.isGroup(id) ? this.toggleGroup(id) : this.select(id)),
      announce: announce || (() => {}),
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
    explanations.subscribe((kind, ref) => {
      if (kind === "service" && ref === this.selectedService()) this.reselect();
    });
  }

  onStore(event) {
    if (event.type === "snapshot") {
      if (this.snapshots === 0) {
        const { owners, system } = defaultVisibility(this.store);
        this.showOwners = owners;
        this.showSystem = system;
        this.onVisibility?.({ owners, system });
      }
      this.snapshots += 1;
      this.drawing = this.drawing
        .catch(this.onError)
        .then(() => this.renderAll())
        .then(() => this.onDrawn?.({ type: "snapshot", version: event.version }, this.stats));
    } else {
      this.drawing = this.drawing.catch(this.onError).then(() => {
        this.patch(this.graph.change(event));
        requestAnimationFrame(() => this.onDrawn?.(event, this.stats));
      });
    }
  }

  /** True when ELK's layout is on screen and no other layout or move is pending. */
  get settled() {
    return this.placement.settled;
  }

  /** The presenter layout (body.present): bigger, shorter labels; the caller resizes. */
  setPresent(on) {
    if (this.present === on) return;
    this.present = on;
    this.cy.style(diagramStyle({ present: on }));
  }

  /** The pane changed size: re-fit unless the viewer has moved the view by hand. */
  resize() {
    this.view.resized();
  }

  // ------------------------------------------------------------------ visibility
  setShowOwners(on) {
    this.showOwners = on;
    this.applyVisibility();
    this.placement.relayout();
  }

  setShowSystem(on) {
    this.showSystem = on;
    this.applyVisibility();
    this.placement.resetSlots(); // system pods come into (or leave) their Nodes' boxes
    this.placement.relayout();
  }

  applyVisibility() {
    this.cy.batch(() => {
      this.cy.elements().forEach((el) => this.applyVisibilityOf(el));
    });
  }

  applyVisibilityOf(el) {
    let hidden = false;
    if (el.isNode()) hidden = !isVisibleNode(el.data(), { owners: this.showOwners, system: this.showSystem });
    else if (el.hasClass("owns")) hidden = !this.showOwners;
    else if (el.hasClass("system")) hidden = !this.showSystem;
    el.toggleClass("hidden", hidden);
  }

  // ------------------------------------------------------------------ full render
  async renderAll() {
    const started = performance.now();
    const elements = [];
    let pending = false;
    for (const [, entry] of this.graph.reset()) {
      if (entry.group === "nodes") {
        const el = nodeElement(entry);
        if (el.data.kind === "Pod" && el.data.host === PENDING) pending = true;
        elements.push(el);
      } else {
        elements.push(edgeElement(entry));
      }
    }
    if (pending) elements.push(pendingFrame());
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
      this.placement.resetSlots();
      added = performance.now();
      // A small cluster waits for ELK (a lesson should appear once, not morph); a big one shows
      // the quick layout first.
      await this.placement.layoutNow({
        animate: false,
        deadline: elements.length < SMALL ? SMALL_FIRST_LAYOUT_WAIT_MS : FIRST_LAYOUT_WAIT_MS,
      });
    } finally {
      this.cy.endBatch();
    }
    const laidOut = performance.now();
    if (this.snapshots <= 1) this.view.fit();
    else this.view.laidOut(false); // a resync keeps a view the viewer chose
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

  // ------------------------------------------------------------------ live patches
  /** Apply one change's graph entries. Returns quickly; animations run on their own. */
  patch(change) {
    const started = performance.now();
    const cy = this.cy;
    const added = [];
    cy.startBatch();
    let relayout = this.removeUnset(change.unset);
    const graph = Object.entries(change.set).filter(([key]) => family(key) === "graph");
    for (const [, entry] of graph) {
      if (entry.group === "nodes" && this.patchNode(entry, added)) relayout = true;
    }
    for (const [, entry] of graph) {
      if (entry.group === "edges" && this.patchEdge(entry, added)) relayout = true;
    }
    for (const el of added) {
      if (this.big && (el.isEdge() || el.data("kind") === "Pod")) el.addClass("lite");
      if (this.far) el.addClass("far");
      el.style("opacity", 0);
    }
    cy.endBatch();
    this.view.added(cy.collection(added));
    for (const el of added) {
      el.animate({ style: { opacity: 1 } }, { duration: FADE_MS, complete: () => el.removeStyle("opacity") });
    }
    this.dropEmptyPendingFrame();
    if (relayout) this.placement.relayout();
    this.reselect();
    this.stats.lastPatchMs = performance.now() - started;
  }

  /** Fade out what the change unsets; true when the big picture must be laid out again. */
  removeUnset(unset) {
    const cy = this.cy;
    let relayout = false;
    let leaving = cy.collection();
    for (const key of unset) {
      const id = graphIdOf(key);
      if (id === null) continue;
      const el = cy.getElementById(id);
      if (el.empty()) continue;
      if (el.isNode()) {
        if (el.data("kind") === "Pod") this.placement.slots.release(id);
        else relayout = true;
        leaving = leaving.union(el.connectedEdges());
      }
      leaving = leaving.union(el);
    }
    if (leaving.nonempty()) this.fadeOut(leaving);
    return relayout;
  }

  /** Update or add a node (a new one goes in `added`); true when the layout must run again. */
  patchNode(entry, added) {
    const cy = this.cy;
    const id = entry.data.id;
    const el = cy.getElementById(id);
    const next = nodeElement(entry);
    let relayout = false;
    if (el.nonempty()) {
      // el.data() is the element's own object, which el.data(next.data) updates: read it first
      const { host, w, h } = el.data();
      if (FRAME_KINDS.has(next.data.kind)) Object.assign(next.data, { w, h });
      el.data(next.data);
      el.classes(this.keepUiClasses(el, next.classes));
      this.applyVisibilityOf(el);
      if (next.data.kind === "Pod" && host !== next.data.host && !el.hasClass("hidden")) {
        // a pod scheduled (or moved): to its slot in its new box
        if (next.data.host === PENDING) this.ensurePendingFrame();
        if (this.placement.slots.assign(id, next.data.host)) relayout = true;
        const pos = this.placement.podPosition(id, next.data.host);
        if (pos) el.animate({ position: pos }, { duration: MOVE_MS });
        else relayout = true;
      }
      return relayout;
    }
    if (next.data.kind === "Pod" && next.data.host === PENDING) this.ensurePendingFrame();
    const node = cy.add(next);
    this.applyVisibilityOf(node);
    if (next.data.kind === "Pod") {
      if (!node.hasClass("hidden")) {
        if (this.placement.slots.assign(id, next.data.host)) relayout = true;
        const pos = this.placement.podPosition(id, next.data.host);
        if (pos) node.position(pos).data("placed", true);
        else relayout = true;
      }
    } else {
      relayout = true;
    }
    added.push(node);
    return relayout;
  }

  /** Update, re-attach or add an edge (a new one goes in `added`); true when the layout must run
   *  again (an endpoint edge never moves a box). */
  patchEdge(entry, added) {
    const cy = this.cy;
    const el = cy.getElementById(entry.data.id);
    const next = edgeElement(entry);
    if (el.nonempty() && el.data("source") === next.data.source && el.data("target") === next.data.target) {
      el.data(next.data);
      el.classes(this.keepUiClasses(el, next.classes));
      this.applyVisibilityOf(el);
      return false;
    }
    if (el.nonempty()) el.remove();
    if (cy.getElementById(next.data.source).empty() || cy.getElementById(next.data.target).empty())
      return false;
    const edge = cy.add(next);
    this.applyVisibilityOf(edge);
    added.push(edge);
    return !edge.hasClass("hidden") && !entry.classes?.includes("endpoint");
  }

  /** The classes of an element the server re-sent: its own, plus those the page had set. */
  keepUiClasses(el, classes) {
    const keep = UI_CLASSES.filter((c) => el.hasClass(c));
    const extra = [];
    if (el.isNode()) {
      const d = el.data();
      if (FRAME_KINDS.has(d.kind)) extra.push("frame");
      if (isSystem(d)) extra.push("system");
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
    }, FADE_MS + GHOST_LINGER_MS);
  }

  ensurePendingFrame() {
    if (this.cy.getElementById(PENDING).empty()) {
      this.cy.add(pendingFrame());
      this.placement.relayout();
    }
  }

  dropEmptyPendingFrame() {
    const frame = this.cy.getElementById(PENDING);
    if (frame.empty()) return;
    const any = this.cy.nodes(`[kind = "Pod"][host = "${PENDING}"]`);
    if (any.empty()) {
      frame.remove();
      this.placement.slots.boxes.delete(PENDING);
      this.placement.relayout();
    }
  }

  /** Expand a group of pods into its pods (or fold it again). */
  toggleGroup(id) {
    this.drawing = this.drawing.catch(this.onError).then(() => {
      this.patch(this.graph.toggle(id));
      this.showFold();
    });
  }

  /** While groups are expanded, a button folds them back. */
  showFold() {
    if (!this.foldButton) {
      this.foldButton = document.createElement("button");
      Object.assign(this.foldButton, { type: "button", id: "fold-groups", className: "fold-groups" });
      this.foldButton.addEventListener("click", () => {
        for (const id of [...this.graph.expanded]) this.toggleGroup(id);
      });
      this.cy.container().parentElement?.append(this.foldButton);
    }
    const n = this.graph.expanded.size;
    this.foldButton.hidden = n === 0;
    this.foldButton.textContent = `fold ${n} expanded group${n === 1 ? "" : "s"}`;
  }

  // ------------------------------------------------------------------ selection
  select(id) {
    this.selected = id;
    this.reselect();
    this.onSelect?.(id);
  }

  /** Light up what the selection is about again (after a redraw, a change or a new answer). */
  reselect() {
    const service = this.selectedService();
    highlight(this.cy, this.selected, service ? this.explanations.service(service) : null);
  }

  /** "namespace/name" of the Service selected, if a Service is. */
  selectedService() {
    const el = this.selected ? this.cy.getElementById(this.selected) : null;
    if (!el || el.empty() || el.data("kind") !== "Service") return null;
    return namespaced(el.data("namespace"), el.data("label"));
  }

  // ------------------------------------------------------------------ traces
  clearTrace() {
    this.trace.clear();
  }

  /** True while a trace is drawn (the Trace tab keeps it true to the version on screen). */
  get traceShown() {
    return this.trace.shown;
  }

  /** Draw a `trace` reply's path from `from` ("namespace/pod" or "external"), hop by hop.
   *  Returns the ids lit, in order. */
  showTrace(from, result) {
    const steps = traceSteps(from, result, (source, target, cls) =>
      this.trace.edgeBetween(source, target, cls),
    );
    return this.trace.draw(steps, { failed: !result.ok });
  }

  // ------------------------------------------------------------------ export
  exportPng() {
    return this.cy.png({ full: true, scale: 2, bg: "#ffffff", output: "blob" });
  }

  exportSvg() {
    return this.cy.svg({ full: true, scale: 1, bg: "#ffffff" });
  }

  fit() {
    this.view.fit(true);
  }

  has(id) {
    return this.cy.getElementById(id).nonempty();
  }
}

function nextFrame() {
  return new Promise((resolve) => requestAnimationFrame(() => resolve()));
}
