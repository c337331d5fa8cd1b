// Where everything sits on the diagram.
//
// Two levels, so that a cluster of thousands of pods lays out in well under a second and a
// live change moves nothing but what changed:
//   * the "macro" graph — the outside world, namespaces holding their Ingresses, Services and
//     owners, the cluster's Nodes as boxes, ExternalName targets — goes through ELK's layered
//     algorithm (left to right: world → Ingress → Service → Node), in a web worker;
//   * pods sit in a grid of slots inside their Node's box. A pod keeps its slot for life: a new
//     pod takes the first free slot (or a new row), a deleted one leaves a hole, so nothing else
//     moves. Only when a box must grow, or the macro graph changes, does ELK run again; then
//     boxes move as a whole and their pods with them.

import ELK from "elkjs/lib/elk-api.js";

export const POD_W = 156;
export const POD_H = 40;
const CELL_W = POD_W + 14;
const CELL_H = POD_H + 12;
const BOX_PAD = 14;
const BOX_HEADER = 58; // room for three lines: name and IP, pod CIDR, NodePorts
export const SIZES = {
  World: [112, 58],
  Ingress: [176, 52],
  Service: [196, 62],
  External: [196, 44],
  Deployment: [176, 44],
  ReplicaSet: [176, 44],
  Job: [176, 44],
  DaemonSet: [176, 44],
};

let elk = null;
function engine(workerUrl) {
  if (!elk) elk = new ELK({ workerUrl });
  return elk;
}

/** Columns of a box's grid for n pods: boxes stay roughly as tall as they are wide. */
export function columnsFor(n) {
  if (n <= 4) return 1;
  if (n <= 12) return 2;
  return Math.max(2, Math.ceil(Math.sqrt(n / 2.2)));
}

/**
 * Slots: per box id, an array of pod ids (null = a free slot), and the grid's column count.
 * Stable across changes; `assign` fills holes first.
 */
export class Slots {
  constructor() {
    this.boxes = new Map(); // boxId -> {cols, cells: (podId|null)[]}
    this.where = new Map(); // podId -> [boxId, index]
  }

  reset(groups) {
    // groups: Map boxId -> podIds in the order they should appear
    this.boxes.clear();
    this.where.clear();
    const balanced = balancedColumns([...groups.values()].map((pods) => pods.length));
    for (const [boxId, pods] of groups) {
      const cols = Math.max(columnsFor(pods.length), balanced ? Math.min(balanced, pods.length) : 0);
      const cells = [...pods];
      this.boxes.set(boxId, { cols, cells });
      cells.forEach((pod, i) => this.where.set(pod, [boxId, i]));
    }
  }

  box(boxId) {
    let box = this.boxes.get(boxId);
    if (!box) this.boxes.set(boxId, (box = { cols: 1, cells: [] }));
    return box;
  }

  /** Put a pod in a box; returns true when the box had to grow (a new row). */
  assign(podId, boxId) {
    const current = this.where.get(podId);
    if (current && current[0] === boxId) return false;
    if (current) this.release(podId);
    const box = this.box(boxId);
    const rowsBefore = this.rows(boxId);
    let index = box.cells.indexOf(null);
    if (index < 0) {
      index = box.cells.length;
      box.cells.push(podId);
    } else {
      box.cells[index] = podId;
    }
    this.where.set(podId, [boxId, index]);
    return this.rows(boxId) > rowsBefore;
  }

  release(podId) {
    const current = this.where.get(podId);
    if (!current) return;
    const box = this.boxes.get(current[0]);
    if (box) box.cells[current[1]] = null;
    this.where.delete(podId);
  }

  rows(boxId) {
    const box = this.boxes.get(boxId);
    if (!box || box.cells.length === 0) return 1;
    return Math.ceil(box.cells.length / box.cols);
  }

  size(boxId) {
    const box = this.boxes.get(boxId) || { cols: 1, cells: [] };
    const cols = Math.max(1, Math.min(box.cols, Math.max(1, box.cells.length)));
    const rows = this.rows(boxId);
    if (!box.cells.some((c) => c !== null)) return [240, BOX_HEADER + 16];
    return [Math.max(cols * CELL_W + 2 * BOX_PAD - 14, 240), rows * CELL_H + BOX_HEADER + BOX_PAD - 12];
  }

  /** A pod's centre, relative to its box's top-left corner. */
  offset(podId) {
    const current = this.where.get(podId);
    if (!current) return null;
    const box = this.boxes.get(current[0]);
    const col = current[1] % box.cols;
    const row = Math.floor(current[1] / box.cols);
    return [BOX_PAD + col * CELL_W + POD_W / 2, BOX_HEADER + row * CELL_H + POD_H / 2];
  }
}

const NS_PAD = 14;
const NS_TOP = 34;
const COL_GAP = 44;
const MAX_STACK = 6;
const ROW_GAP = 14;
// Columns inside a namespace box, left to right: what reaches what.
const COLUMN = { Ingress: 0, Service: 1, Deployment: 2, Job: 2, DaemonSet: 2, ReplicaSet: 3 };

/** A namespace box's columns and size (the order inside a column is settled after ELK). */
export function namespaceBox(leaves) {
  const columns = [];
  for (const leaf of leaves) {
    const c = COLUMN[leaf.kind] ?? 1;
    (columns[c] ||= []).push(leaf);
  }
  const used = columns.map((col, i) => [i, col]).filter(([, col]) => col && col.length);
  let width = NS_PAD;
  let height = 0;
  const layout = [];
  for (const [index, col] of used) {
    // A long column wraps into side-by-side stacks of at most MAX_STACK (big clusters stay
    // roughly as wide as they are tall).
    const stacks = Math.ceil(col.length / MAX_STACK);
    const perStack = Math.ceil(col.length / stacks);
    const colW = Math.max(...col.map((l) => (SIZES[l.kind] || [160, 44])[0]));
    const rowH = Math.max(...col.map((l) => (SIZES[l.kind] || [160, 44])[1]));
    const colH =
      stacks === 1
        ? col.reduce((sum, l) => sum + (SIZES[l.kind] || [160, 44])[1], 0) + ROW_GAP * (col.length - 1)
        : perStack * (rowH + ROW_GAP) - ROW_GAP;
    layout.push({ index, x: width, w: colW, leaves: col, stacks, perStack, rowH });
    width += stacks * colW + (stacks - 1) * ROW_GAP * 2 + COL_GAP;
    height = Math.max(height, colH);
  }
  return { columns: layout, w: Math.max(width - COL_GAP + NS_PAD, 180), h: NS_TOP + height + NS_PAD };
}

/**
 * Place the leaves of a namespace box, column by column (right to left, Services first), each
 * column ordered by the mean height of what its leaves point at (pods already have their place):
 * few crossings, and each Service sits near its pods.
 * @param box {x, y, columns}; @param targetsOf id -> ids; @param known Map id -> {x, y}
 */
export function placeNamespace(box, targetsOf, known) {
  const order = [1, 3, 2, 0];
  const columns = [...box.columns].sort((a, b) => order.indexOf(a.index) - order.indexOf(b.index));
  for (const col of columns) {
    const scored = col.leaves.map((leaf, i) => {
      const ys = (targetsOf.get(leaf.id) || []).map((t) => known.get(t)?.y).filter((y) => y !== undefined);
      return { leaf, i, y: ys.length ? ys.reduce((a, b) => a + b, 0) / ys.length : Infinity };
    });
    scored.sort((a, b) => a.y - b.y || a.i - b.i);
    let y = box.y + NS_TOP;
    scored.forEach(({ leaf }, k) => {
      const [w, h] = SIZES[leaf.kind] || [160, 44];
      if (col.stacks > 1) {
        const stack = Math.floor(k / col.perStack);
        const row = k % col.perStack;
        const x = box.x + col.x + stack * (col.w + ROW_GAP * 2) + col.w / 2;
        known.set(leaf.id, { x, y: box.y + NS_TOP + row * (col.rowH + ROW_GAP) + col.rowH / 2, w, h });
        return;
      }
      known.set(leaf.id, { x: box.x + col.x + col.w / 2, y: y + h / 2, w, h });
      y += h + ROW_GAP;
    });
  }
}

/** Pod-grid columns for every Node box of a big cluster, so that the Node column is about twice
 *  as tall as it is wide (a small cluster keeps `columnsFor`). */
export function balancedColumns(podsPerBox) {
  const boxes = podsPerBox.length;
  const total = podsPerBox.reduce((a, b) => a + b, 0);
  if (total <= 200 || boxes === 0) return null;
  const mean = total / boxes;
  return Math.max(2, Math.ceil(Math.sqrt((boxes * mean * CELL_H) / (2 * CELL_W))));
}

/** Start ELK's worker now, so the first layout does not pay for loading it. */
export const timings = {};
export function warmUp(workerUrl) {
  timings.warmStart = performance.now();
  // A small graph of the real shape, laid out with the real options: ELK's code is loaded and
  // compiled while the snapshot downloads, instead of during the first real layout.
  const boxes = [{ id: "world", kind: "World", w: 100, h: 50 }];
  const edges = [];
  for (let i = 0; i < 3; i += 1) {
    boxes.push({ id: `ns${i}`, kind: "Namespace", w: 200, h: 100 + 20 * i });
    edges.push(["world", `ns${i}`]);
  }
  for (let j = 0; j < 2; j += 1) boxes.push({ id: `node${j}`, kind: "Node", w: 300, h: 200 });
  for (let i = 0; i < 3; i += 1) for (let k = 0; k < 2; k += 1) edges.push([`ns${i}`, `node${(i + k) % 2}`]);
  return layoutMacro({ boxes, edges }, workerUrl)
    .then(() => {
      timings.warmEnd = performance.now();
    })
    .catch(() => null);
}

/**
 * The same picture without ELK, in a few microseconds: columns (world | namespaces | Nodes and
 * external names), each stacked top to bottom. Drawn when ELK is still warming up (the first
 * page load of a big cluster); ELK's layout replaces it as soon as it is ready.
 */
export function quickMacro(macro) {
  const column = { World: 0, Namespace: 1, External: 2, Node: 2, Pending: 2 };
  const cols = [[], [], []];
  for (const b of macro.boxes) cols[column[b.kind] ?? 1].push(b);
  const out = new Map();
  let x = 10;
  for (const col of cols) {
    if (!col.length) continue;
    const width = Math.max(...col.map((b) => b.w));
    const total = col.reduce((sum, b) => sum + b.h, 0) + 26 * (col.length - 1);
    let y = 10 - total / 2;
    for (const b of col) {
      out.set(b.id, { x: x + (width - b.w) / 2, y, w: b.w, h: b.h });
      y += b.h + 26;
    }
    x += width + 70;
  }
  return out;
}

/**
 * Lay out the big picture with ELK's layered algorithm, left to right: the outside world,
 * namespace boxes, Nodes (and ExternalName targets) as boxes of known size.
 * @param {object} macro {boxes: [{id, kind, w, h}], edges: [[s, t]]}
 * @returns Map id -> {x, y, w, h} (top-left corner)
 */
export async function layoutMacro(macro, workerUrl) {
  const ids = new Set(macro.boxes.map((b) => b.id));
  const constraint = { World: "FIRST", Node: "LAST", Pending: "LAST" };
  const graph = {
    id: "root",
    layoutOptions: {
      "elk.algorithm": "layered",
      "elk.direction": "RIGHT",
      "elk.layered.spacing.nodeNodeBetweenLayers": "70",
      "elk.spacing.nodeNode": "26",
      "elk.separateConnectedComponents": "false",
      "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
      "elk.layered.considerModelOrder.strategy": "NODES_AND_EDGES",
      "elk.layered.thoroughness": "3",
      "elk.padding": "[top=10,left=10,bottom=10,right=10]",
    },
    children: macro.boxes.map((b) => ({
      id: b.id,
      width: b.w,
      height: b.h,
      layoutOptions: constraint[b.kind]
        ? { "elk.layered.layering.layerConstraint": constraint[b.kind] }
        : undefined,
    })),
    edges: macro.edges
      .filter(([s, t]) => ids.has(s) && ids.has(t))
      .map(([s, t], i) => ({ id: `e${i}`, sources: [s], targets: [t] })),
  };
  const result = await engine(workerUrl).layout(graph);
  const out = new Map();
  for (const child of result.children || [])
    out.set(child.id, { x: child.x, y: child.y, w: child.width, h: child.height });
  return out;
}
