// The presenter's console, mirrored (docs/protocol.md "Presenting"): on a follower's page, while
// the instructor presents, the console panel shows "‹instructor›'s console", a read-only terminal
// where the presenter's command lines and kubectl's output appear as they stream, in the same
// colours (the server sends the terminal's own bytes, `console` messages). A late joiner's socket
// gets the console's last lines first (`tail: true`), then the events after them. Whoever may use
// a console of their own here (a co-instructor) switches between theirs and the presenter's.
// Nothing is sent back: this terminal takes no input.

import { Terminal } from "@xterm/xterm";
import { FitAddon } from "@xterm/addon-fit";

import { h } from "../dom.js";
import { PROJECTOR_FONT, THEME } from "./console.js";

const KEEP_EVENTS = 256; // events kept to lay on top of a tail that arrives after them
const BACKLOG_CHARS = 256 * 1024; // what is kept for a terminal not drawn yet

export class ConsoleMirror {
  /**
   * @param {Console} console  the page's console panel (console.js)
   * @param {Store} store      the page's store: presenter messages come through it
   */
  constructor(console, store) {
    this.console = console;
    this.store = store;
    this.seq = 0; // the last event written
    this.recent = []; // the last events, [{seq, data}]
    this.backlog = ""; // written once the terminal exists
    this.active = false;
    this.showingMine = false;
    console.mirror = this;
    this.label = h("b", { class: "mirror-label" });
    this.note = h(
      "span",
      { class: "console-note mirror-note" },
      "read-only: what the presenter types and kubectl prints",
    );
    this.ownNote = console.panel.querySelector(".console-note");
    this.switch = h(
      "button",
      {
        type: "button",
        id: "console-mirror-switch",
        hidden: true,
        title: "switch between your own console and the presenter's",
        onclick: () => this.showMine(!this.showingMine),
      },
      "",
    );
    this.screen = h("div", { class: "console-screen console-mirror", id: "console-mirror", hidden: true });
    const head = console.panel.querySelector(".console-head");
    head.querySelector(".spacer").before(this.label, this.note, this.switch);
    console.screen.before(this.screen);
    store.subscribePresenter((message, presenter) => this.onPresenter(message, presenter));
    const after = (method) => {
      const original = console[method].bind(console);
      console[method] = (...args) => {
        const out = original(...args);
        requestAnimationFrame(() => this.fit());
        return out;
      };
    };
    after("open");
    after("zoom");
  }

  onPresenter(message, presenter) {
    if (message.type === "presenting") {
      if (!presenter.on) this.reset("");
      this.render();
      return;
    }
    if (message.type !== "console") return;
    if (message.tail) {
      // What the console printed up to `seq`, then the events already here that came after it.
      const later = this.recent.filter((event) => event.seq > message.seq);
      this.reset(message.data);
      this.seq = message.seq;
      for (const event of later) this.write(event);
    } else if (message.seq > this.seq) {
      this.write(message);
    }
    this.render();
  }

  write(event) {
    this.seq = event.seq;
    this.recent.push({ seq: event.seq, data: event.data });
    if (this.recent.length > KEEP_EVENTS) this.recent.shift();
    if (this.term) this.term.write(event.data);
    else this.backlog = (this.backlog + event.data).slice(-BACKLOG_CHARS);
  }

  reset(text) {
    this.recent = [];
    this.seq = 0;
    this.backlog = text;
    if (this.term) {
      this.term.reset();
      this.term.write("\x1b[?25l" + text); // no cursor: nobody types here
      this.backlog = "";
    }
  }

  /** Whether the follower's console panel shows the presenter's console now. */
  get shown() {
    return this.active && !this.showingMine;
  }

  render() {
    const p = this.store.presenter;
    this.active = p.on && (this.seq > 0 || this.backlog !== "" || p.view.console === true);
    this.label.hidden = !this.active;
    this.label.textContent = `${p.presenter}'s console`;
    this.screen.setAttribute("aria-label", `${p.presenter}'s kubectl console, read-only`);
    this.switch.hidden = !(this.active && this.console.canUse);
    this.switch.textContent = this.showingMine ? `${p.presenter}'s` : "mine";
    this.screen.hidden = !this.shown;
    this.note.hidden = !this.shown;
    if (this.ownNote) this.ownNote.hidden = this.shown;
    this.console.screen.hidden = this.shown;
    if (this.shown && !this.term && !this.console.panel.hidden) this.start();
    if (this.shown) requestAnimationFrame(() => this.fit());
  }

  showMine(mine) {
    this.showingMine = mine;
    this.render();
    if (!mine) return;
    requestAnimationFrame(() => {
      this.console.fit();
      this.console.term?.focus();
    });
  }

  start() {
    this.term = new Terminal({
      fontSize: this.console.fontSize,
      fontFamily: "ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace",
      theme: THEME,
      convertEol: true,
      cursorBlink: false,
      disableStdin: true,
      scrollback: 5000,
    });
    this.fitAddon = new FitAddon();
    this.term.loadAddon(this.fitAddon);
    this.term.open(this.screen);
    this.term.write("\x1b[?25l" + this.backlog);
    this.backlog = "";
    new ResizeObserver(() => this.fit()).observe(this.screen);
    new MutationObserver(() => this.fit()).observe(document.body, {
      attributes: true,
      attributeFilter: ["class"],
    });
  }

  fit() {
    if (!this.shown || this.console.panel.hidden) return;
    if (!this.term) this.start();
    const large = document.body.classList.contains("large");
    this.term.options.fontSize = large
      ? Math.max(this.console.fontSize, PROJECTOR_FONT)
      : this.console.fontSize;
    try {
      this.fitAddon.fit();
    } catch {
      // not laid out yet
    }
  }

  /** The mirror's text as the terminal holds it now (tests, bench). */
  text() {
    if (!this.term) return this.backlog;
    const buffer = this.term.buffer.active;
    const lines = [];
    for (let y = 0; y < buffer.length; y++) lines.push(buffer.getLine(y)?.translateToString(true) ?? "");
    return lines.join("\n").replace(/\n+$/, "");
  }
}
