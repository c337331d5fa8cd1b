// The spotlight: one student's sandbox on every screen, over the diagram, read-only, named
// "Student 7" unless the student agreed to show their name. Its diagram is a second Diagram on a
// store of its own, loaded from the spotlight message; what differs from the projected cluster
// (the server's diff: added, removed, changed objects; endpoints gained or lost) is marked on it
// and listed beside it. It is live: as the student edits, the server sends the payload again and
// the drawing is patched in place (the viewer's zoom and selection kept). The presenter ends it
// with one click; a student may close it on their own screen (nothing is locked).

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
    this.dismissed = false; // closed by this viewer (a student), until a new spotlight
  }

  /** Show a spotlight message's payload (null: ended). A newer payload of the spotlight on screen
   *  (the student edited: `live`) is patched into the drawing in place — no flicker, the viewer's
   *  zoom and selection kept; a student who closed it keeps it closed until a new spotlight. */
  show(spotlight, { live = false } = {}) {
    if (!spotlight) {
      this.close();
      this.shown = null;
      return;
    }
    if (!this.el) this.build();
    const same = this.shown !== null && this.shown.label === spotlight.label;
    if (!live || !same) this.dismissed = false;
    this.el.hidden = this.dismissed;
    this.title.textContent = `Spotlight: ${spotlight.label}'s sandbox`;
    if (spotlight.entries === null) {
      // too big to send: the diagram on screen stays (another sandbox's goes), the diff is current
      this.bigNote.hidden = false;
      if (!same) this.store.loadSnapshot({ version: spotlight.version, entries: {} });
    } else {
      this.bigNote.hidden = true;
      if (same) this.patchTo(spotlight);
      else this.store.loadSnapshot({ version: spotlight.version, entries: spotlight.entries });
    }
    this.shown = spotlight;
    this.el.dataset.seq = String(spotlight.seq ?? 0);
    this.diagram.drawing.then(() => this.mark(spotlight.diff));
    this.renderDiff(spotlight.diff, spotlight.more || {});
    if (live) this.pulse();
  }

  /** The store moved to the payload's entries as one change (what differs, by value): the
   *  diagram patches only those elements. */
  patchTo(spotlight) {
    const set = {};
    const unset = [];
    for (const [key, value] of Object.entries(spotlight.entries)) {
      if (JSON.stringify(this.store.get(key)) !== JSON.stringify(value)) set[key] = value;
    }
    for (const key of this.store.entries.keys()) if (!(key in spotlight.entries)) unset.push(key);
    if (!Object.keys(set).length && !unset.length) return;
    this.store.applyChange({ version: spotlight.version, set, unset, cause: null });
  }

  /** The live chip lights up a moment: the student's edit just arrived. */
  pulse() {
    this.liveChip.classList.remove("pulse");
    void this.liveChip.offsetWidth; // restart the animation
    this.liveChip.classList.add("pulse");
  }

  build() {
    this.canvas = h("div", { class: "spot-cy", id: "spot-cy" });
    this.title = h("h2", { id: "spot-title" });
    this.diffBox = h("div", { class: "spot-diff", id: "spot-diff" });
    this.liveChip = h(
      "span",
      { class: "chip live", id: "spot-live", title: "updates as the student edits their sandbox" },
      "live",
    );
    this.bigNote = h(
      "p",
      { class: "muted spot-big", id: "spot-big", hidden: true },
      "Too big to redraw live: the diagram may be behind the student's sandbox; the list beside it is current.",
    );
    const action = this.presenter
      ? h(
          "button",
          { type: "button", id: "spot-end", class: "danger", onclick: () => this.end() },
          "End spotlight",
        )
      : h(
          "button",
          {
            type: "button",
            id: "spot-close",
            title: "close it on your screen",
            onclick: () => this.dismiss(),
          },
          "Close",
        );
    this.el = h(
      "section",
      { class: "spotlight", id: "spotlight", "aria-label": "a student's sandbox, spotlighted" },
      h("header", {}, this.title, this.liveChip, h("span", { class: "chip read-only" }, "read-only"), action),
      this.bigNote,
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

  /** The diff's lists; `more`: how many of each the server left out to keep the message small. */
  renderDiff(diff, more = {}) {
    const li = (text, cls = "") => h("li", { class: cls }, text);
    const rest = (key) => (more[key] ? [li(`… and ${more[key]} more`, "more")] : []);
    const endpoints = Object.entries(diff.endpoints).flatMap(([service, { gained, lost }]) => [
      ...gained.map((pod) => li(`${service} gained ${pod}`, "add")),
      ...lost.map((pod) => li(`${service} lost ${pod}`, "del")),
    ]);
    const parts = [
      list("Added", "add", [...diff.added.map((ref) => li(`+ ${ref}`, "add")), ...rest("added")]),
      list("Removed", "del", [...diff.removed.map((ref) => li(`− ${ref}`, "del")), ...rest("removed")]),
      list("Changed", "chg", [
        ...diff.changed.map(({ ref, fields }) => li(`~ ${ref}: ${fields.join(", ")}`, "chg")),
        ...rest("changed"),
      ]),
      list("Endpoints", "eps", [...endpoints, ...rest("endpoints")]),
    ].filter(Boolean);
    this.diffBox.replaceChildren(
      h("div", { class: "box-title" }, "Compared with the projected cluster"),
      ...(parts.length ? parts : [h("p", { class: "muted" }, "Nothing differs: the same as the projector.")]),
    );
  }

  /** A student closes it on their own screen: it stays closed while the student edits. */
  dismiss() {
    this.dismissed = true;
    this.close();
  }

  close() {
    if (this.el) this.el.hidden = true;
  }
}
