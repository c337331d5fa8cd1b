// Keeping what changes in view without yanking the viewer around. Until the viewer pans or zooms
// by hand, the diagram re-fits whenever it grows, the pane resizes or new elements land outside
// the view. Once they have moved it, the view stays where they put it, and new elements that land
// off-screen are counted on a nudge ("3 new off-screen") that fits the view when pressed. "fit"
// hands the view back to the diagram.

const NUDGE_ID = "offscreen-nudge";
const OWN_ANIMATION_MS = 450; // a fit's animation (placement's MOVE_MS) and a frame or two

export class ViewKeeper {
  /**
   * @param cy  the diagram's Cytoscape instance
   * @param {function} fit  fit(animate): the diagram's own fit (placement.fitView)
   */
  constructor(cy, fit) {
    this.cy = cy;
    this.fitTo = fit;
    this.moved = false; // the viewer (or a presenter followed) moved the view
    this.fitting = false;
    this.oursUntil = 0;
    this.offscreen = new Set();
    this.nudge = document.createElement("button");
    Object.assign(this.nudge, { type: "button", id: NUDGE_ID, className: "offscreen-nudge", hidden: true });
    this.nudge.addEventListener("click", () => this.fit(true));
    cy.container().parentElement?.append(this.nudge);
    this.watchHands(cy);
  }

  /** A wheel, a pinch or a drag of the background is the viewer's own move; our fits are not. */
  watchHands(cy) {
    const container = cy.container();
    container.addEventListener("wheel", () => this.handMoved(), { passive: true });
    let dragging = false;
    cy.on("tapstart", (e) => {
      dragging = e.target === cy;
    });
    cy.on("tapend", () => {
      dragging = false;
    });
    cy.on("pan", () => {
      if (dragging) this.handMoved();
    });
    // A view set by anyone but us (a presenter's focus followed, a keyboard move) is a choice
    // too: from then on the view stays where it was put.
    cy.on("viewport", () => {
      if (!this.ours()) this.handMoved();
      this.recount();
    });
  }

  /** True while our own fit is being applied (and its animation runs). */
  ours() {
    return this.fitting || performance.now() < this.oursUntil;
  }

  /** Our fit, marked as ours. */
  fitOurs(animate) {
    this.fitting = true;
    this.oursUntil = performance.now() + (animate ? OWN_ANIMATION_MS : 0);
    try {
      this.fitTo(animate);
    } finally {
      this.fitting = false;
    }
  }

  handMoved() {
    this.moved = true;
  }

  /** Fit and follow the diagram again (the "fit" button, the nudge). */
  fit(animate = false) {
    this.moved = false;
    this.offscreen.clear();
    this.showNudge();
    this.fitOurs(animate);
  }

  /** The pane changed size (a window resize, a folded pane, bigger text). */
  resized() {
    this.cy.resize();
    if (!this.moved) this.fitOurs(false);
  }

  /** The diagram was laid out again (it may have grown): follow it if the viewer lets us. */
  laidOut(animate) {
    if (!this.moved) this.fitOurs(animate);
    else this.recount();
  }

  /** Elements were added by a live change. */
  added(elements) {
    const fresh = elements.filter((el) => el.isNode() && !el.hasClass("hidden") && !el.hasClass("frame"));
    if (fresh.empty()) return;
    if (!this.moved) {
      if (fresh.some((el) => this.outside(el))) this.fitOurs(true);
      return;
    }
    fresh.forEach((el) => {
      if (this.outside(el)) this.offscreen.add(el.id());
    });
    this.showNudge();
  }

  outside(el) {
    const ext = this.cy.extent();
    const b = el.boundingBox();
    return b.x1 < ext.x1 || b.x2 > ext.x2 || b.y1 < ext.y1 || b.y2 > ext.y2;
  }

  /** Drop from the count what has come into view (or gone). */
  recount() {
    if (!this.offscreen.size) return;
    for (const id of [...this.offscreen]) {
      const el = this.cy.getElementById(id);
      if (el.empty() || !this.outside(el)) this.offscreen.delete(id);
    }
    this.showNudge();
  }

  showNudge() {
    const n = this.offscreen.size;
    this.nudge.hidden = n === 0;
    this.nudge.textContent = n ? `${n} new off-screen — show` : "";
    this.nudge.title = "fit the diagram to the window";
  }
}
