// The diagram from the keyboard: it takes focus (Tab), the arrow keys walk from element to
// element (the nearest one in that direction), Enter inspects the one focused (as a click
// does), Escape clears the selection. A polite live region reads out where the focus is.

const SKIP = ".frame, .ghost, .hidden, .owner";

export class DiagramKeyboard {
  /**
   * @param {object} options  {select(id), announce(text)}
   */
  constructor(cy, { select, announce }) {
    this.cy = cy;
    this.select = select;
    this.announce = announce;
    this.current = null;
    const container = cy.container();
    container.tabIndex = 0;
    container.setAttribute("role", "application");
    container.setAttribute("aria-roledescription", "topology diagram");
    container.setAttribute(
      "aria-label",
      "The cluster's topology. Arrow keys move between elements, Enter inspects one, Escape clears; " +
        "the table after the diagram says the same.",
    );
    container.addEventListener("keydown", (e) => this.onKey(e));
    container.addEventListener("focus", () => {
      if (!this.current) this.moveTo(this.first());
    });
  }

  candidates() {
    return this.cy.nodes().not(SKIP);
  }

  first() {
    const nodes = this.candidates();
    if (nodes.empty()) return null;
    return nodes.min((n) => n.position("x") * 10 + n.position("y")).ele;
  }

  /** The nearest element in a direction (dx, dy), favouring the straight line. */
  nearest(from, dx, dy) {
    const p = from.position();
    let best = null;
    let bestScore = Infinity;
    this.candidates().forEach((n) => {
      if (n.id() === from.id()) return;
      const q = n.position();
      const along = (q.x - p.x) * dx + (q.y - p.y) * dy;
      if (along <= 1) return;
      const across = Math.abs((q.x - p.x) * dy) + Math.abs((q.y - p.y) * dx);
      const score = along + 2 * across;
      if (score < bestScore) {
        bestScore = score;
        best = n;
      }
    });
    return best;
  }

  onKey(e) {
    const dirs = { ArrowRight: [1, 0], ArrowLeft: [-1, 0], ArrowDown: [0, 1], ArrowUp: [0, -1] };
    let current = this.current ? this.cy.getElementById(this.current) : null;
    if (current?.empty()) current = null;
    if (dirs[e.key]) {
      e.preventDefault();
      const next = current ? this.nearest(current, ...dirs[e.key]) : this.first();
      if (next) this.moveTo(next);
    } else if (e.key === "Enter" || e.key === " ") {
      if (!current) return;
      e.preventDefault();
      this.select(current.id());
    } else if (e.key === "Escape") {
      this.select(null);
    }
  }

  moveTo(node) {
    if (!node) return;
    this.cy.elements(".kbd-focus").removeClass("kbd-focus");
    node.addClass("kbd-focus");
    this.current = node.id();
    const ext = this.cy.extent();
    const b = node.boundingBox();
    if (b.x1 < ext.x1 || b.x2 > ext.x2 || b.y1 < ext.y1 || b.y2 > ext.y2) this.cy.center(node);
    this.announce(`${(node.data("display") || node.id()).replace(/\n/g, ", ")}`);
  }
}
