// Following the presenter: a student's page (anyone watching a class's projected cluster who does
// not present) follows by default while the instructor presents. The "Following ‹instructor›"
// badge says so; any own action (a click, a pan or zoom, typing) breaks away quietly; the badge's
// button and the F key bring the page back to the presenter's view. Never locked: following is
// the default, not a rule. The view comes from the store (`store.presenter`, fed by the socket).

import { h } from "../dom.js";
import { applyView } from "./view.js";

/** Where an own action breaks away: the diagram, the panels, the editor, the diagram's toolbar,
 *  the console panel. */
const OWN_ACTION_AREAS = ["#cy", "#panels", "#editor-pane", ".diagram-toolbar", "#console-pane"];
const OWN_ACTIONS = ["pointerdown", "wheel", "keydown"];

function typingIn(target) {
  return target?.closest?.("input, textarea, select, [contenteditable=true], .cm-editor") != null;
}

export class Follow {
  /**
   * @param {object} options  {store, socket, parts: {diagram, panels, editor, console}, bar (the class bar)}
   */
  constructor({ store, socket, parts, bar }) {
    this.store = store;
    this.socket = socket;
    this.parts = parts;
    this.following = true;
    this.shown = {}; // the view applied last
    this.wasOn = false; // the presenter was presenting at the last `presenting`
    this.label = h("span", { class: "follow-label" });
    this.button = h(
      "button",
      {
        type: "button",
        id: "follow-back",
        title: "back to the presenter's view (F)",
        onclick: () => this.back(),
      },
      "Follow (F)",
    );
    this.badge = h(
      "span",
      { id: "follow-badge", class: "chip follow-badge", hidden: true },
      this.label,
      this.button,
    );
    bar?.prepend(this.badge);
    store.subscribePresenter((message, presenter) => this.onPresenter(message, presenter));
    for (const selector of OWN_ACTION_AREAS) {
      const area = document.querySelector(selector);
      for (const type of OWN_ACTIONS)
        area?.addEventListener(type, (event) => this.ownAction(event), { capture: true, passive: true });
    }
    document.addEventListener("keydown", (event) => {
      if (event.key !== "f" && event.key !== "F") return;
      if (event.ctrlKey || event.metaKey || event.altKey || typingIn(event.target)) return;
      if (this.store.presenter.on && !this.following) this.back();
    });
  }

  ownAction(event) {
    if (!event.isTrusted || !this.following || !this.store.presenter.on) return;
    if (event.type === "keydown" && !typingIn(event.target)) return; // F and friends are not edits
    this.breakAway();
  }

  onPresenter(message, presenter) {
    if (message.type === "presenting") {
      if (presenter.on && !this.wasOn) this.following = true; // a new presentation: follow by default
      this.wasOn = presenter.on;
      if (presenter.on && this.following) {
        this.shown = {};
        this.show(presenter.view);
        if (!message.echo) this.announce(true); // on connect: this socket counts as following
      }
      this.render();
      return;
    }
    if (message.type !== "view" || !this.following || !presenter.on) return;
    if (presenter.gap) {
      this.back(); // an event was missed: fetch the whole view
      return;
    }
    this.show(presenter.view);
  }

  /** Apply the view once the diagram has drawn what it names (a late joiner's snapshot first). */
  show(view) {
    const diagram = this.parts.diagram;
    diagram.drawing.then(() => {
      if (!this.following) return;
      this.shown = applyView(this.parts, view, this.shown);
    });
  }

  announce(on) {
    this.socket.send({ type: "follow", on });
  }

  breakAway() {
    this.following = false;
    this.announce(false);
    this.render();
  }

  /** Follow again: the view the store kept up to date meanwhile, at once; the server's whole view
   *  only after a missed event. */
  async back() {
    this.following = true;
    this.shown = {};
    this.render();
    const presenter = this.store.presenter;
    if (!presenter.gap) {
      this.announce(true);
      this.show(presenter.view);
      return;
    }
    try {
      const reply = await this.socket.request({ type: "follow", on: true });
      presenter.gap = false;
      if (reply.ok && reply.presenting) this.store.applyPresenter({ ...reply.presenting, echo: true });
    } catch {
      // offline: the next `presenting` (on reconnect) brings the view
    }
  }

  render() {
    const p = this.store.presenter;
    this.badge.hidden = !p.on;
    document.body.classList.toggle("following", p.on && this.following);
    this.badge.classList.toggle("away", !this.following);
    this.label.textContent = this.following ? `Following ${p.presenter}` : `Not following ${p.presenter}`;
    this.button.hidden = this.following;
  }
}
