// The diagram's look. Colours are Okabe & Ito's colour-blind-safe palette, and no fact rests
// on colour alone: not-ready is dashed, a Service without endpoints says so in words, shapes
// tell kinds apart.

export const PALETTE = {
  black: "#000000",
  orange: "#E69F00", // not ready
  sky: "#56B4E9", // outside world, external names
  green: "#009E73", // ready pods
  yellow: "#F0E442", // trace glow
  blue: "#0072B2", // Services, endpoints
  vermillion: "#D55E00", // warnings, failures
  purple: "#CC79A7", // Ingress
  ink: "#1f2430",
  grey: "#6b7280",
  line: "#9aa3b2",
};

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif';
const MONO = 'ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace';

/** The presenter layout's sizes (body.present): a label's rendered size is its size × the zoom,
 *  and the presenter layout's fit keeps the zoom ≥ 0.73 on every built-in lesson at 1280×720:
 *  22 × 0.73 ≥ 16 px (tests/browser/test_dashboard_present.py measures it). */
export const PRESENT_FONT = { pod: 22, service: 22 };

/** The presenter layout's overrides, last so that they win. */
function presentStyle() {
  return [
    {
      selector: 'node[kind = "Pod"]',
      style: {
        label: "data(short)",
        "font-size": PRESENT_FONT.pod,
        "font-weight": 600,
        "text-wrap": "ellipsis",
        "text-max-width": 170,
        "border-width": 3,
      },
    },
    {
      selector: 'node[kind = "Service"]',
      style: {
        label: "data(short)",
        "font-size": PRESENT_FONT.service,
        "font-weight": 600,
        "text-max-width": 200,
        "border-width": 3.5,
      },
    },
    { selector: "edge", style: { width: 2.4, "font-size": 12 } },
  ];
}

export function diagramStyle({ present = false } = {}) {
  const base = plainStyle();
  return present ? [...base, ...presentStyle()] : base;
}

function plainStyle() {
  const P = PALETTE;
  return [
    {
      selector: "core",
      style: { "active-bg-color": P.blue, "active-bg-opacity": 0.08, "selection-box-opacity": 0 },
    },
    {
      selector: "node",
      style: {
        label: "data(display)",
        "font-family": FONT,
        "font-size": 11,
        color: P.ink,
        "text-wrap": "wrap",
        "text-valign": "center",
        "text-halign": "center",
        "text-max-width": 180,
        "min-zoomed-font-size": 5,
        "border-width": 1.5,
        "border-color": P.line,
        "background-color": "#ffffff",
        shape: "round-rectangle",
        "z-index-compare": "manual",
        "z-index": 10,
        "transition-property": "background-color, border-color, border-width, opacity",
        "transition-duration": 200,
        "overlay-opacity": 0,
      },
    },
    {
      selector: ".frame",
      style: {
        width: "data(w)",
        height: "data(h)",
        "z-index": 0,
        "text-valign": "top",
        "text-halign": "center",
        "text-margin-y": "data(labelShift)",
        "font-size": 11.5,
        "font-weight": 600,
        "text-max-width": "data(w)",
        "background-color": "#f4f6f9",
        "border-color": "#b8c0cc",
        "border-width": 1.5,
        "corner-radius": 10,
      },
    },
    { selector: 'node[kind = "Node"]', style: { "text-halign": "center", color: "#374151" } },
    {
      selector: 'node[kind = "Namespace"]',
      style: {
        "background-color": "#fbfbfd",
        "border-style": "dashed",
        "border-color": P.grey,
        "text-margin-y": 22,
        color: P.grey,
        "font-weight": 600,
      },
    },
    {
      selector: ".pending-frame",
      style: {
        "border-color": P.vermillion,
        "border-style": "dashed",
        color: P.vermillion,
        "background-color": "#fff6f1",
      },
    },
    {
      selector: 'node[kind = "Pod"]',
      style: {
        width: 156,
        height: 40,
        "font-size": 10.5,
        "font-family": MONO,
        "text-max-width": 150,
        "background-color": "#e3f4ee",
        "border-color": P.green,
        "border-width": 2,
        "corner-radius": 8,
      },
    },
    {
      selector: "node.pod.not-ready",
      style: {
        "background-color": "#fff3d6",
        "border-color": P.orange,
        "border-style": "dashed",
        "border-width": 2.5,
      },
    },
    {
      selector: "node.phase-pending",
      style: { "border-color": P.vermillion, "border-style": "dotted", "background-color": "#fff6f1" },
    },
    {
      selector: "node.phase-succeeded",
      style: {
        "background-color": "#eef0f3",
        "border-color": P.grey,
        "border-style": "solid",
        color: P.grey,
      },
    },
    {
      // a pod being deleted, as the server marks it: faded until its kubelet removes it
      selector: "node.pod.terminating",
      style: {
        "background-color": "#eef0f3",
        "border-color": P.grey,
        "border-style": "dashed",
        "border-width": 2.5,
        color: P.grey,
        opacity: 0.75,
      },
    },
    {
      selector: "node.phase-failed",
      style: { "background-color": "#fbe3d6", "border-color": P.vermillion, "border-style": "solid" },
    },
    {
      selector: 'node[kind = "Service"]',
      style: {
        width: 196,
        height: 62,
        "background-color": "#e1eef8",
        "border-color": P.blue,
        "border-width": 2.5,
        "font-size": 10.5,
        "text-max-width": 188,
        "corner-radius": 6,
      },
    },
    {
      selector: 'node[kind = "Service"][type = "NodePort"], node[kind = "Service"][type = "LoadBalancer"]',
      style: { "border-width": 3.5, "border-style": "double" },
    },
    {
      selector: 'node[kind = "Service"][type = "ExternalName"]',
      style: { "background-color": "#eaf6fd", "border-color": P.sky, "text-overflow-wrap": "anywhere" },
    },
    {
      selector: "node.service.warning",
      style: {
        "background-color": "#fbe6da",
        "border-color": P.vermillion,
        "border-style": "dashed",
        "border-width": 3,
        height: 74,
      },
    },
    {
      selector: 'node[kind = "Ingress"]',
      style: {
        shape: "cut-rectangle",
        width: 176,
        height: 52,
        "background-color": "#f8e8f1",
        "border-color": P.purple,
        "border-width": 2.5,
      },
    },
    {
      selector: 'node[kind = "World"]',
      style: {
        shape: "ellipse",
        width: 112,
        height: 58,
        "background-color": "#eaf6fd",
        "border-color": P.sky,
        "border-width": 2.5,
        "font-weight": 600,
      },
    },
    {
      selector: 'node[kind = "External"]',
      style: {
        shape: "tag",
        width: 196,
        height: 44,
        "background-color": "#eaf6fd",
        "border-color": P.sky,
        "border-style": "dashed",
        "text-overflow-wrap": "anywhere",
        "text-max-width": 160,
        "font-size": 9.5,
      },
    },
    {
      selector: "node.owner",
      style: {
        shape: "round-tag",
        width: 176,
        height: 44,
        "background-color": "#f1f2f5",
        "border-color": P.grey,
        color: "#374151",
        "font-size": 10,
      },
    },
    // edges
    {
      selector: "edge",
      style: {
        width: 1.6,
        "line-color": P.line,
        "target-arrow-color": P.line,
        "target-arrow-shape": "triangle",
        "arrow-scale": 0.9,
        "curve-style": "taxi",
        "taxi-direction": "rightward",
        "taxi-turn": "50%",
        "taxi-turn-min-distance": 12,
        "font-family": MONO,
        "font-size": 9,
        color: "#374151",
        "text-background-color": "#ffffff",
        "text-background-opacity": 0.9,
        "text-background-padding": 2,
        "min-zoomed-font-size": 7,
        "z-index-compare": "manual",
        "z-index": 5,
        "overlay-opacity": 0,
      },
    },
    {
      selector: "edge.endpoint",
      style: {
        "line-color": P.blue,
        "target-arrow-color": P.blue,
        "target-label": "data(label)",
        "target-text-offset": 52,
        "target-text-margin-y": -8,
      },
    },
    {
      selector: "edge.endpoint.not-ready",
      style: {
        "line-color": P.orange,
        "target-arrow-color": P.orange,
        "line-style": "dashed",
        "line-dash-pattern": [6, 4],
        width: 2,
      },
    },
    {
      selector: "edge.expose",
      style: {
        "line-color": P.sky,
        "target-arrow-color": P.sky,
        width: 2.4,
        label: "data(label)",
        "text-margin-y": -9,
      },
    },
    {
      selector: "edge.ingress-in",
      style: {
        "line-color": P.purple,
        "target-arrow-color": P.purple,
        width: 2.4,
        label: "data(label)",
        "text-margin-y": -9,
      },
    },
    {
      selector: "edge.route",
      style: {
        "line-color": P.purple,
        "target-arrow-color": P.purple,
        width: 2,
        label: "data(label)",
        "text-margin-y": -9,
      },
    },
    {
      selector: "edge.external",
      style: {
        "line-color": P.sky,
        "target-arrow-color": P.sky,
        "line-style": "dashed",
        width: 2,
        label: "data(label)",
        "text-margin-y": -9,
      },
    },
    {
      selector: "edge.owns",
      style: {
        "line-color": "#b3b9c4",
        "target-arrow-color": "#b3b9c4",
        "line-style": "dotted",
        width: 1.4,
        "target-arrow-shape": "vee",
        "curve-style": "bezier",
      },
    },
    // big clusters: straight edges, labels only when zoomed in (the panels carry them as text)
    {
      selector: "edge.lite",
      style: {
        "curve-style": "haystack",
        "haystack-radius": 0,
        "target-arrow-shape": "none",
        "target-label": "",
        label: "",
      },
    },
    // a group of pods (diagram/grouping.js): a stack, its count in words
    {
      selector: "node.pod-group",
      style: { "border-width": 4.5, "border-style": "double", "font-weight": 600 },
    },
    { selector: "edge.edge-group", style: { width: 4 } },
    { selector: "node.lite", style: { shape: "rectangle", "border-width": 1.5 } },
    // dotted and dashed lines cost a software-rendered frame most of its time: thousands of owner
    // edges go solid and paler (the few not-ready endpoint edges stay dashed: that is their meaning)
    { selector: "edge.owns.lite", style: { "line-style": "solid", "line-color": "#d5d9e0", width: 1 } },
    { selector: ".far", style: { label: "", "target-label": "" } },
    // interaction
    { selector: ".hidden, .empty", style: { display: "none" } },
    { selector: ".ghost", style: { events: "no" } },
    { selector: ".faded", style: { opacity: 0.22 } },
    { selector: "node.lit", style: { "border-width": 3.5 } },
    { selector: "edge.lit", style: { width: 3 } },
    {
      selector: "node.picked",
      style: {
        "underlay-color": P.blue,
        "underlay-opacity": 0.25,
        "underlay-padding": 7,
        "underlay-shape": "round-rectangle",
      },
    },
    {
      selector: "node.miss",
      style: {
        label: "data(missLabel)",
        "border-color": P.vermillion,
        "border-style": "dashed",
        "background-color": "#fff1ea",
        opacity: 1,
        height: 46,
      },
    },
    {
      selector: ".trace",
      style: { "underlay-color": P.yellow, "underlay-opacity": 0.95, "underlay-padding": 8, opacity: 1 },
    },
    {
      selector: "edge.trace",
      style: { width: 5, "line-color": P.black, "target-arrow-color": P.black, "underlay-padding": 5 },
    },
    { selector: "node.trace", style: { "border-color": P.black, "border-width": 3.5 } },
    { selector: ".trace-head", style: { "underlay-padding": 14 } },
    {
      selector: "edge.trace-link",
      style: {
        "curve-style": "unbundled-bezier",
        "control-point-distances": [-60],
        "control-point-weights": [0.5],
        "line-style": "dashed",
        "line-dash-pattern": [8, 5],
        label: "data(label)",
        "font-size": 10,
        "text-background-opacity": 1,
        "z-index": 20,
        "source-endpoint": "outside-to-node",
        "target-endpoint": "outside-to-node",
      },
    },
    { selector: "edge.trace-link.pending", style: { display: "none" } },
    {
      selector: ".trace-fail",
      style: { "underlay-color": P.vermillion, "underlay-opacity": 0.6, "border-color": P.vermillion },
    },
  ];
}
