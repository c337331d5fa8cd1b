// Phones and tablets (issue 18). Below the breakpoint (page/mobile.css) the cluster page is a
// column: the diagram across the whole width, and a dock at the bottom whose buttons open the YAML
// editor or one explanation panel as a sheet under the diagram (one tap; the same tap closes it).
// Here: the dock and the sheets, the header's "⋯" menu, touch on the diagram (a tap that just
// misses a pod still takes it; a long press does what a double-click does, as does the toolbar's
// "Edit YAML"), and the on-screen keyboard (the visual viewport's height is the page's, so Apply
// stays in view). Following the presenter keeps the followed focus fitted to what is left of the
// diagram when a sheet opens or closes. Above the breakpoint none of this shows or acts.

import { h } from "../dom.js";
import { after } from "../hooks.js";
import { fitFocus } from "../follow/view.js";

export const SMALL_SCREEN = "(max-width: 900px)";
const TOUCH_SLOP_PX = 22; // half of a 44 px target: a tap this close to an element takes it
const KEYBOARD_SHARE = 0.8; // the visual viewport below this share of the window: a keyboard is up
const SETTLE_MS = 60;
const READABLE_ZOOM = 1; // below this a pod's label is under ~8 px
const FIT_PADDING_PX = 24;
const FIT_MS = 250;

/** A pod, a Service, an Ingress, the outside world: not a box (a Node's, a namespace's) around others. */
function isLeaf(node) {
  return node.isChildless() && !node.hasClass("frame");
}

/** The leaf element nearest to a rendered point within `slop` px of its box, or null. */
export function nearestLeaf(cy, point, slop = TOUCH_SLOP_PX) {
  let best = null;
  let bestDistance = Infinity;
  cy.nodes().forEach((node) => {
    if (!isLeaf(node) || !node.visible() || node.hasClass("hidden") || node.hasClass("ghost")) return;
    const b = node.renderedBoundingBox({ includeLabels: false });
    const dx = Math.max(b.x1 - point.x, 0, point.x - b.x2);
    const dy = Math.max(b.y1 - point.y, 0, point.y - b.y2);
    const distance = Math.hypot(dx, dy);
    if (distance <= slop && distance < bestDistance) {
      best = node;
      bestDistance = distance;
    }
  });
  return best;
}

/** Code and tables wider than their box scroll sideways in it: a keyboard can reach them too. */
export function focusableScrollBoxes(root) {
  for (const box of root.querySelectorAll("pre, table")) {
    const scrolls = box.scrollWidth > box.clientWidth + 1;
    if (scrolls && !box.hasAttribute("tabindex")) {
      box.tabIndex = 0;
      box.dataset.scrollBox = "";
    } else if (!scrolls && "scrollBox" in box.dataset) {
      box.removeAttribute("tabindex");
      delete box.dataset.scrollBox;
    }
  }
}

export class MobileLayout {
  /** @param {object} parts  {diagram, panels, editor, store} */
  constructor({ diagram, panels, editor, store }) {
    this.diagram = diagram;
    this.panels = panels;
    this.editor = editor;
    this.store = store;
    this.body = document.body;
    this.query = window.matchMedia(SMALL_SCREEN);
    this.buildDock();
    this.buildMenu();
    this.buildEditButton();
    this.wireDiagram();
    this.wireViewport();
    after(panels, "showTab", () => this.renderDock());
    after(panels, "render", () => requestAnimationFrame(() => focusableScrollBoxes(panels.body)));
    // the Inspect panel's "edit" and the like: the editor comes up (not for a follower, whose
    // presenter opened it: the dock's YAML shows it one tap away)
    after(editor, "openObject", () => {
      if (this.small && !this.body.classList.contains("following")) this.open("editor");
    });
    // `kubectl edit` from the console: kubectl's file waits in the editor
    after(editor, "openKubectlEdit", () => {
      if (this.small) this.open("editor");
    });
    this.query.addEventListener("change", () => this.layoutChanged());
    this.layoutChanged();
  }

  get small() {
    return this.query.matches;
  }

  /** The sheet open now: "editor", "panels", "exercise" or "" (only the diagram). */
  get sheet() {
    return this.body.dataset.sheet || "";
  }

  // ------------------------------------------------------------------ the dock and the sheets
  buildDock() {
    const tabs = [...this.panels.tabBar.querySelectorAll("[data-tab]")].map((b) => [
      b.dataset.tab,
      b.textContent.trim(),
    ]);
    this.dockButtons = tabs.map(([tab, label]) =>
      h(
        "button",
        {
          type: "button",
          id: `m-tab-${tab}`,
          dataset: { sheet: "panels", tab },
          "aria-controls": "panels",
          "aria-expanded": "false",
          onclick: () => this.toggle("panels", tab),
        },
        label,
      ),
    );
    this.dockButtons.push(
      h(
        "button",
        {
          type: "button",
          id: "m-tab-yaml",
          dataset: { sheet: "editor" },
          "aria-controls": "editor-pane",
          "aria-expanded": "false",
          onclick: () => this.toggle("editor"),
        },
        "YAML",
      ),
    );
    // a lesson with steps: its Exercise panel (exercise/panel.js) is one tap away too, when shown
    const exercise = document.getElementById("exercise");
    if (exercise) {
      const button = h(
        "button",
        {
          type: "button",
          id: "m-tab-exercise",
          dataset: { sheet: "exercise" },
          "aria-controls": "exercise",
          "aria-expanded": "false",
          hidden: exercise.hidden,
          onclick: () => this.toggle("exercise"),
        },
        "Exercise",
      );
      this.dockButtons.unshift(button);
      new MutationObserver(() => {
        button.hidden = exercise.hidden;
        if (exercise.hidden && this.sheet === "exercise") this.open("");
      }).observe(exercise, { attributes: true, attributeFilter: ["hidden"] });
    }
    this.dock = h(
      "nav",
      { id: "m-dock", class: "m-only", "aria-label": "panels and editor" },
      this.dockButtons,
    );
    this.body.append(this.dock);
    for (const pane of document.querySelectorAll(".editor-pane, .panels-pane")) {
      const head = pane.querySelector(".pane-head");
      if (!head) continue;
      head.append(
        h(
          "span",
          { class: "m-sheet-buttons m-only" },
          h(
            "button",
            {
              type: "button",
              class: "m-full",
              "aria-pressed": "false",
              "aria-label": "whole screen",
              title: "whole screen (the diagram hides)",
              onclick: () => this.setFull(!this.body.classList.contains("m-sheet-full")),
            },
            "⤢",
          ),
          h(
            "button",
            {
              type: "button",
              class: "m-close",
              "aria-label": "close, back to the diagram",
              title: "close, back to the diagram",
              onclick: () => this.open(""),
            },
            "✕",
          ),
        ),
      );
    }
  }

  /** The dock button's tap: open that sheet (and tab), or close it when it is what shows. */
  toggle(sheet, tab) {
    const showing = this.sheet === sheet && (sheet !== "panels" || this.panels.tab === tab);
    if (showing) this.open("");
    else this.open(sheet, tab);
  }

  /** Open a sheet ("editor", "exercise", "panels" on `tab`) or close ("") whichever is open. */
  open(sheet, tab) {
    if (sheet === "panels" && tab && this.panels.tab !== tab) this.panels.showTab(tab);
    const before = this.sheet;
    if (sheet) this.body.dataset.sheet = sheet;
    else delete this.body.dataset.sheet;
    if (!sheet) this.setFull(false, false);
    this.renderDock();
    if (before !== sheet) this.diagramResized();
  }

  setFull(on, resize = true) {
    this.body.classList.toggle("m-sheet-full", on);
    for (const b of document.querySelectorAll(".m-full")) b.setAttribute("aria-pressed", String(on));
    if (resize) this.diagramResized();
  }

  renderDock() {
    for (const b of this.dockButtons) {
      const isPanels = b.dataset.sheet === "panels";
      const current = isPanels ? this.panels.tab === b.dataset.tab : true;
      b.setAttribute("aria-expanded", String(this.sheet === b.dataset.sheet && current));
      if (isPanels) b.setAttribute("aria-current", String(current));
    }
  }

  /** The diagram's box changed: keep what matters in it (the followed focus, or the selection). */
  diagramResized() {
    requestAnimationFrame(() => {
      focusableScrollBoxes(this.panels.body); // measured now that the sheet shows
      this.diagram.resize();
      setTimeout(() => this.keepInView(), SETTLE_MS);
    });
  }

  keepInView() {
    const cy = this.diagram.cy;
    if (this.body.classList.contains("following") && this.store.presenter?.on) {
      fitFocus(this.diagram, this.store.presenter.view?.focus);
      return;
    }
    const id = this.diagram.selected;
    const el = id ? cy.getElementById(id) : null;
    if (!el || el.empty() || !el.visible()) return;
    // what the selection is about, readable: zoom onto it while the whole diagram reads too small
    // (a phone's), or bring it into view
    const lit = cy.elements(".lit").nodes().union(el);
    const ext = cy.extent();
    const b = lit.boundingBox();
    const inside = b.x1 >= ext.x1 && b.x2 <= ext.x2 && b.y1 >= ext.y1 && b.y2 <= ext.y2;
    if (cy.zoom() < READABLE_ZOOM || !inside)
      cy.animate({ fit: { eles: lit, padding: FIT_PADDING_PX } }, { duration: FIT_MS });
  }

  layoutChanged() {
    if (!this.small) {
      delete this.body.dataset.sheet;
      this.body.classList.remove("m-sheet-full", "m-more", "m-keyboard");
    }
    this.renderDock();
  }

  // ------------------------------------------------------------------ the header's menu
  buildMenu() {
    const actions = document.querySelector(".top-actions");
    if (!actions) return;
    if (!actions.id) actions.id = "top-actions";
    this.more = h(
      "button",
      {
        type: "button",
        id: "m-more",
        class: "m-only",
        "aria-label": "more: download, fork, view",
        "aria-controls": actions.id,
        "aria-expanded": "false",
        onclick: () => this.setMenu(!this.body.classList.contains("m-more")),
      },
      "⋯",
    );
    actions.before(this.more);
    document.addEventListener("click", (event) => {
      if (!this.body.classList.contains("m-more")) return;
      if (this.more.contains(event.target) || actions.contains(event.target)) return;
      this.setMenu(false);
    });
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && this.body.classList.contains("m-more")) {
        this.setMenu(false);
        this.more.focus();
      }
    });
  }

  setMenu(on) {
    this.body.classList.toggle("m-more", on);
    this.more.setAttribute("aria-expanded", String(on));
  }

  // ------------------------------------------------------------------ touch on the diagram
  buildEditButton() {
    const fit = document.getElementById("fit");
    if (!fit) return;
    this.editButton = h(
      "button",
      {
        type: "button",
        id: "m-edit-yaml",
        class: "m-only",
        disabled: true,
        title: "the selected object's YAML (a long press on it does the same; a double-click on a computer)",
        onclick: () => this.openYaml(this.diagram.selected),
      },
      "Edit YAML",
    );
    fit.before(this.editButton);
    after(this.diagram, "select", (id) => {
      this.editButton.disabled = !this.editable(id);
    });
  }

  editable(id) {
    return Boolean(id && this.store.object(id));
  }

  openYaml(id) {
    if (!this.editable(id)) return;
    this.editor.openObject(id);
    if (this.small) this.open("editor");
  }

  wireDiagram() {
    const cy = this.diagram.cy;
    // Diagram.js's own handler ran first (select, or a group's expand); then ours.
    let held = false; // Cytoscape follows a long press with a tap: that one opens nothing more
    cy.on("tapstart", () => {
      held = false;
    });
    cy.on("tap", (event) => {
      if (!this.small || held) return;
      const target = event.target;
      const onLeaf = target !== cy && target.isNode?.() && isLeaf(target);
      if (!onLeaf && event.renderedPosition) {
        const near = nearestLeaf(cy, event.renderedPosition);
        if (near) {
          near.emit("tap"); // as if the finger had landed on it
          return;
        }
      }
      if (target === cy || !event.originalEvent) return; // an emitted tap reaches here too
      this.tapped(target);
    });
    cy.on("tap", "node", (event) => {
      if (!this.small || event.originalEvent) return;
      this.tapped(event.target); // the nearest leaf's emitted tap
    });
    cy.on("taphold", "node", (event) => {
      const id = event.target.id();
      held = true;
      if (this.diagram.graph?.isGroup?.(id)) return;
      this.diagram.select(id);
      this.openYaml(id);
    });
  }

  /** A tap selected something: its explanation opens (a group just expanded: nothing to show). */
  tapped(target) {
    if (this.diagram.selected !== target.id()) return;
    if (this.sheet !== "panels" || this.panels.tab !== "inspect") this.open("panels", "inspect");
    else this.keepInView();
  }

  // ------------------------------------------------------------------ the on-screen keyboard
  wireViewport() {
    const vv = window.visualViewport;
    if (!vv) return;
    const root = document.documentElement;
    const update = () => {
      if (!this.small) {
        root.style.removeProperty("--m-vvh");
        return;
      }
      root.style.setProperty("--m-vvh", `${Math.round(vv.height)}px`);
      const typing = this.typing();
      const up = this.body.classList.contains("m-keyboard");
      // the view's height with no keyboard: learnt while not typing (or on a new width)
      if (vv.width !== this.fullWidth) {
        this.fullWidth = vv.width;
        this.fullHeight = Math.max(vv.height, window.innerHeight);
      } else if (!typing && !up) {
        this.fullHeight = vv.height;
      }
      // up while typing shrank the view; it stays up (nothing moves under the finger that taps
      // Apply and so leaves the editor) until the view grows back
      const small = vv.height < this.fullHeight * KEYBOARD_SHARE;
      const keyboard = small && (typing || up);
      this.body.classList.toggle("m-keyboard", keyboard);
      if (vv.offsetTop) window.scrollTo(0, 0); // the page never scrolls: the sheet holds the caret
    };
    vv.addEventListener("resize", update);
    vv.addEventListener("scroll", update);
    document.addEventListener("focusin", update);
    document.addEventListener("focusout", () => setTimeout(update, SETTLE_MS));
    update();
  }

  typing() {
    const el = document.activeElement;
    return Boolean(el?.closest?.(".cm-editor, textarea, input[type=text], input[type=search]"));
  }
}

export function installMobile(parts) {
  return new MobileLayout(parts);
}
