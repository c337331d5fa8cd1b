// The spotlight: one student's sandbox on every screen, over the diagram, read-only, named
// "Student 7" unless the student agreed to show their name. Its diagram is a second Diagram on a
// store of its own, loaded from the spotlight message; what differs from the projected cluster
// (the server's diff: added, removed, changed objects; endpoints gained or lost) is marked on it
// and listed beside it. The presenter ends it with one click; a student may close it on their own
// screen (nothing is locked).

import { h } from "../dom.js";
import { Store } from "../protocol/store.js";
import { Diagram } from "../diagram/diagram.js";

const MARKS = [
  {
    selector: "node.spot-added",
    style: { "border-color": "#009e73", "border-width": 5, "border-style": "double" },
  },
  {
    selector: "node.spot-changed",
    style: { "border-color": "#e69f00", "border-width": 5, "border-style": "dashed" },
  },
  { selector: "edge.spot-added", style: { "line-color": "#009e73", width: 4 } },
];

const NO_EXPLANATIONS = { subscribe() {}, service: () => null, pod: () => null };

function list(title, className, items) {
  if (!items.length) return null;
  return h(
    "div",
    { class: `spot-list ${className}` },
    h("div", { class: "box-title" }, title),
    h("ul", {}, items),
  );
}

export class Spotlight {
  /** @param {object} options  {workerUrl, presenter (true: may end it), end() and refresh() (the
   *  presenter's: the sandbox as it is now)} */
  constructor(host, { workerUrl, presenter, end, refresh }) {
    this.host = host;
    this.workerUrl = workerUrl;
    this.presenter = presenter;
    this.end = end;
    this.refresh = refresh;
    this.el = null;
    this.shown = null; // the payload on screen
  }

  show(spotlight) {
    if (!spotlight) {
      this.close();
      return;
    }
    if (!this.el) this.build();
    this.el.hidden = false;
    this.shown = spotlight;
    this.title.textContent = `Spotlight: ${spotlight.label}'s sandbox`;
    this.store.loadSnapshot({ version: spotlight.version, entries: spotlight.entries });
    this.diagram.drawing.then(() => this.mark(spotlight.diff));
    this.renderDiff(spotlight.diff);
  }

  build() {
    this.canvas = h("div", { class: "spot-cy", id: "spot-cy" });
    this.title = h("h2", { id: "spot-title" });
    this.diffBox = h("div", { class: "spot-diff", id: "spot-diff" });
    const action = this.presenter
      ? h(
          "button",
          { type: "button", id: "spot-end", class: "danger", onclick: () => this.end() },
          "End spotlight",
        )
      : h(
          "button",
          { type: "button", id: "spot-close", title: "close it on your screen", onclick: () => this.close() },
          "Close",
        );
    this.el = h(
      "section",
      { class: "spotlight", id: "spotlight", "aria-label": "a student's sandbox, spotlighted" },
      h("header", {}, this.title, h("span", { class: "chip read-only" }, "read-only"), action),
      h("div", { class: "spot-body" }, this.canvas, this.diffBox),
    );
    this.host.append(this.el);
    this.store = new Store();
    this.diagram = new Diagram(this.canvas, this.store, {
      workerUrl: this.workerUrl,
      explanations: NO_EXPLANATIONS,
      onSelect: () => {},
      onOpen: () => {},
      onVisibility: () => {},
      onDrawn: () => {},
      onError: (err) => console.error(err),
    });
    const style = this.diagram.cy.style();
    for (const mark of MARKS) style.selector(mark.selector).style(mark.style);
    style.update();
  }

  mark(diff) {
    const cy = this.diagram.cy;
    cy.elements().removeClass("spot-added spot-changed");
    for (const ref of diff.added) cy.getElementById(ref).addClass("spot-added");
    for (const { ref } of diff.changed) cy.getElementById(ref).addClass("spot-changed");
    for (const [service, { gained }] of Object.entries(diff.endpoints)) {
      const [namespace, name] = service.split("/");
      for (const pod of gained)
        cy.edges(`[source = "Service/${namespace}/${name}"][target = "Pod/${pod}"]`).addClass("spot-added");
    }
  }

  renderDiff(diff) {
    const li = (text, cls = "") => h("li", { class: cls }, text);
    const endpoints = Object.entries(diff.endpoints).flatMap(([service, { gained, lost }]) => [
      ...gained.map((pod) => li(`${service} gained ${pod}`, "add")),
      ...lost.map((pod) => li(`${service} lost ${pod}`, "del")),
    ]);
    const parts = [
      list(
        "Added",
        "add",
        diff.added.map((ref) => li(`+ ${ref}`, "add")),
      ),
      list(
        "Removed",
        "del",
        diff.removed.map((ref) => li(`− ${ref}`, "del")),
      ),
      list(
        "Changed",
        "chg",
        diff.changed.map(({ ref, fields }) => li(`~ ${ref}: ${fields.join(", ")}`, "chg")),
      ),
      list("Endpoints", "eps", endpoints),
    ].filter(Boolean);
    this.diffBox.replaceChildren(
      h("div", { class: "box-title" }, "Compared with the projected cluster"),
      ...(parts.length ? parts : [h("p", { class: "muted" }, "Nothing differs: the same as the projector.")]),
    );
  }

  close() {
    if (this.el) this.el.hidden = true;
  }
}
