// The presenter's view, by meaning (docs/protocol.md "Presenting"): what is selected, which panel
// tab is open and what it shows (the lookup, the trace, the Service's kube-proxy chains), which
// diagram elements are in view, the layers, the object whose YAML is open, whether the kubectl
// console is open (its output comes apart: console/mirror.js). `captureView` reads it
// off the presenter's page as they act; `applyView` puts it on a follower's page, which fits the
// elements in view to its own screen size. Nothing here knows Kubernetes: it moves keys around.

import { showVisibility } from "../page/toolbar.js";
import { after } from "../hooks.js";

export const FOCUS_MAX = 24; // as simulator/live/presenting.py MAX_FOCUS
const FOCUS_SETTLE_MS = 250;
const FIT_PADDING = 30;
const FIT_MS = 300;

function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

function layersOf(diagram) {
  return { owners: diagram.showOwners, system: diagram.showSystem };
}

/** The diagram elements in view: "*" when everything visible is; else the leaves in view (pods,
 *  Services, Ingresses), or, when more than FOCUS_MAX, the boxes (namespaces, Nodes) in view. */
export function focusOf(cy) {
  const ext = cy.extent();
  const inside = (n) => {
    const b = n.boundingBox();
    return b.x1 >= ext.x1 - 1 && b.x2 <= ext.x2 + 1 && b.y1 >= ext.y1 - 1 && b.y2 <= ext.y2 + 1;
  };
  const visible = cy.nodes().filter((n) => !n.hasClass("hidden") && !n.hasClass("ghost"));
  const leaves = visible.filter((n) => n.isChildless());
  const shown = leaves.filter(inside);
  if (shown.length === leaves.length || shown.length === 0) return "*";
  if (shown.length <= FOCUS_MAX) return shown.map((n) => n.id()).sort();
  const boxes = visible.filter((n) => n.isParent() && inside(n));
  if (boxes.length && boxes.length <= FOCUS_MAX) return boxes.map((n) => n.id()).sort();
  return "*";
}

/**
 * Watch the presenter's page; `onChange(fields)` gets the view fields an action changed.
 * @param {object} parts  {diagram, panels, editor, console}
 */
export function captureView({ diagram, panels, editor, console }, onChange) {
  after(diagram, "select", (id) => {
    const fields = { select: id || null };
    if (id && /^(Job|DaemonSet|Deployment)\//.test(id)) fields.job = id.split("/").slice(1).join("/");
    onChange(fields);
  });
  after(panels, "showTab", (tab) => onChange({ tab }));
  const dns = panels.tabs.dns;
  after(dns, "lookup", () => {
    const name = dns.state.name.trim();
    if (name) onChange({ dns: { from: dns.state.from, name } });
  });
  const trace = panels.tabs.trace;
  after(trace, "run", () => {
    if (trace.state.from && trace.state.url)
      onChange({ trace: { from: trace.state.from, url: trace.state.url } });
  });
  after(diagram, "clearTrace", () => onChange({ trace: null }));
  after(panels.tabs.rules, "render", () => {
    if (panels.tab === "rules") onChange({ rules: panels.tabs.rules.service || null });
  });
  after(diagram, "setShowOwners", () => onChange({ layers: layersOf(diagram) }));
  after(diagram, "setShowSystem", () => onChange({ layers: layersOf(diagram) }));
  after(editor, "show", (id) => onChange({ yaml: id?.startsWith("obj:") ? id.slice(4) : null }));
  if (console) {
    after(console, "open", () => onChange({ console: true }));
    after(console, "close", () => onChange({ console: false }));
  }
  diagram.cy.on(
    "viewport",
    debounce(() => onChange({ focus: focusOf(diagram.cy) }), FOCUS_SETTLE_MS),
  );
}

/** The whole view now (what a presenter sends when they switch Present on). */
export function currentView({ diagram, panels, editor, console }) {
  const view = { tab: panels.tab, layers: layersOf(diagram), focus: focusOf(diagram.cy) };
  if (console) view.console = console.isOpen;
  if (diagram.selected) view.select = diagram.selected;
  const shown = editor.shown;
  if (shown?.startsWith("obj:")) view.yaml = shown.slice(4);
  if (panels.tabs.rules.service) view.rules = panels.tabs.rules.service;
  const trace = panels.tabs.trace.state;
  if (panels.tab === "trace" && trace.from && trace.url) view.trace = { from: trace.from, url: trace.url };
  return view;
}

const same = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Fit the follower's diagram to the elements the presenter has in view ("*": everything). */
export function fitFocus(diagram, focus) {
  const cy = diagram.cy;
  if (!focus || focus === "*") {
    diagram.fit();
    return;
  }
  const eles = cy.collection(focus.map((id) => cy.getElementById(id)).filter((el) => el.nonempty()));
  if (eles.empty()) {
    diagram.fit();
    return;
  }
  diagram.view?.handMoved(); // the diagram's own re-fits leave this focus alone (diagram/viewport.js)
  cy.animate({ fit: { eles, padding: FIT_PADDING } }, { duration: FIT_MS });
}

/**
 * Put `view` on a follower's page, changing only what differs from `shown` (the view applied last;
 * {} to apply everything). Returns the view now shown.
 */
export function applyView({ diagram, panels, editor, console }, view, shown) {
  const changed = (field) => !same(view[field], shown[field]);
  if (changed("layers") && view.layers) {
    if (view.layers.owners !== diagram.showOwners) diagram.setShowOwners(view.layers.owners);
    if (view.layers.system !== diagram.showSystem) diagram.setShowSystem(view.layers.system);
    showVisibility(view.layers);
  }
  if (changed("select")) diagram.select(view.select && diagram.has(view.select) ? view.select : null);
  if (changed("yaml") && view.yaml) editor.openObject(view.yaml);
  if (changed("rules") && view.rules) panels.tabs.rules.service = view.rules;
  const tab = view.tab || panels.tab;
  if (view.trace && (changed("trace") || (changed("tab") && tab === "trace"))) {
    panels.traceFrom(view.trace.from, view.trace.url); // the follower's own trace: its path lit here
  } else if (!view.trace && changed("trace")) {
    diagram.clearTrace();
  }
  if (view.dns && (changed("dns") || (changed("tab") && tab === "dns"))) {
    const dns = panels.tabs.dns;
    dns.state.from = view.dns.from;
    dns.state.name = view.dns.name;
    panels.showTab("dns");
    dns.lookup();
  }
  if (panels.tab !== tab) panels.showTab(tab);
  if (console && changed("console") && view.console !== undefined && view.console !== console.isOpen) {
    // the follower's keyboard stays theirs, and their own open/closed choice is not overwritten
    if (view.console) console.open({ focus: false, remember: false });
    else console.close({ remember: false });
  }
  if (changed("focus") || changed("select")) fitFocus(diagram, view.focus);
  return { ...view };
}
