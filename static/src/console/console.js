// The kubectl console: a terminal (xterm.js) under the diagram where a student types kubectl
// commands and the server runs the real kubectl against this cluster, as them
// (simulator/realtime/console.py). This module is the terminal's side: the prompt and line
// editing (line.js), history kept per user and cluster, Tab completion (complete.js), Ctrl+C,
// copy and paste, resizing, a font scale for the projector, the transcript, and object names in
// the output that light up their element on the diagram when hovered or clicked.

import { Terminal } from "@xterm/xterm";
import { FitAddon } from "@xterm/addon-fit";

import { History, LineEditor } from "./line.js";
import { candidates, commonPrefix } from "./complete.js";
import { objectRef } from "../protocol/keys.js";
import { highlight } from "../diagram/highlight.js";

const PROMPT = "\x1b[1;34m$\x1b[0m ";
const HISTORY_LIMIT = 500;
const FONT_SIZES = [11, 12, 13, 14, 16, 18, 20, 24, 28];
export const PROJECTOR_FONT = 18;
const TRANSCRIPT_LIMIT = 4_000_000; // characters kept for the transcript download
const RECONNECT_MS = 2000;
const DOUBLE_INTERRUPT_MS = 1000;
// Kinds whose objects the diagram draws, in the order a bare name is taken to mean them.
const DRAWN_KINDS = [
  "Pod",
  "Service",
  "Deployment",
  "Ingress",
  "Node",
  "Job",
  "DaemonSet",
  "ReplicaSet",
  "Namespace",
];

export const THEME = {
  background: "#1d2330",
  foreground: "#e8ecf2",
  cursor: "#f0c674",
  selectionBackground: "#3d5a80",
  black: "#1d2330",
  blue: "#6cb4ff",
  brightBlue: "#8cc8ff",
  yellow: "#f0c674",
  red: "#ff8080",
  green: "#9fdf9f",
};

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  node.append(...children);
  return node;
}

function stripAnsi(text) {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\r/g, "");
}

export class Console {
  /**
   * @param {HTMLElement} host      where the panel goes (the page's grid: under the diagram and the panels)
   * @param {object} options  {wsPath, slug, store, buffer: () => editor text, diagram, canUse, reason, toolbar}
   */
  constructor(host, { wsPath, slug, store, buffer, diagram, canUse, reason, toolbar }) {
    this.wsPath = wsPath;
    this.slug = slug;
    this.store = store;
    this.buffer = buffer;
    this.diagram = diagram;
    this.canUse = canUse;
    this.reason = reason;
    this.vocabulary = { subcommands: [], resources: [], kinds: {}, flags: [], outputs: [] };
    this.user = null;
    this.running = null; // the id of the command running
    this.nextId = 1;
    this.queue = []; // lines pasted while one ran
    this.transcript = [];
    this.lastInterrupt = 0;
    this.lastKind = null; // the kind the last command was about (for bare names in its output)
    this.fontSize = Number(localStorage.getItem("kubeviz:console-font")) || 13;
    this.build(host, toolbar);
    if (localStorage.getItem("kubeviz:console-open") === "1") this.open();
  }

  // ------------------------------------------------------------------ the panel
  build(host, toolbar) {
    this.toggle = el(
      "button",
      {
        type: "button",
        id: "console-toggle",
        title: this.canUse ? "a kubectl console for this cluster" : `kubectl console: ${this.reason}`,
        "aria-pressed": "false",
        onclick: () => (this.isOpen ? this.close() : this.open()),
      },
      ">_ kubectl",
    );
    toolbar.prepend(this.toggle);
    this.screen = el("div", { class: "console-screen", id: "console-screen" });
    this.panel = el(
      "section",
      { class: "console-pane", id: "console-pane", "aria-label": "kubectl console", hidden: "" },
      el(
        "div",
        { class: "console-head" },
        el("b", {}, "kubectl"),
        el(
          "span",
          { class: "console-note" },
          "real kubectl, as you, on this cluster · ",
          el("code", {}, "-f -"),
          " applies the YAML editor's text · Tab completes · Ctrl+C stops",
        ),
        el("span", { class: "spacer" }),
        el("button", { type: "button", title: "smaller text", onclick: () => this.zoom(-1) }, "A−"),
        el("button", { type: "button", title: "bigger text", onclick: () => this.zoom(1) }, "A+"),
        el(
          "button",
          {
            type: "button",
            id: "console-transcript",
            title: "download this console's transcript",
            onclick: () => this.download(),
          },
          "transcript",
        ),
        el(
          "button",
          { type: "button", class: "icon", title: "close the console", onclick: () => this.close() },
          "×",
        ),
      ),
      this.screen,
    );
    host.append(this.panel);
  }

  get isOpen() {
    return !this.panel.hidden;
  }

  /** Open the panel; a follower's page opened by the presenter's view neither takes the keyboard
   *  nor remembers it as the person's own choice ({focus: false, remember: false}). */
  open({ focus = true, remember = true } = {}) {
    this.panel.hidden = false;
    this.panel.parentElement.classList.add("console-open");
    this.toggle.setAttribute("aria-pressed", "true");
    if (remember) localStorage.setItem("kubeviz:console-open", "1");
    if (!this.term) this.start();
    requestAnimationFrame(() => {
      this.fit();
      this.diagram.resize();
      this.diagram.fit();
      if (focus) this.term.focus();
    });
  }

  close({ remember = true } = {}) {
    this.panel.hidden = true;
    this.panel.parentElement.classList.remove("console-open");
    this.toggle.setAttribute("aria-pressed", "false");
    if (remember) localStorage.setItem("kubeviz:console-open", "");
    requestAnimationFrame(() => {
      this.diagram.resize();
      this.diagram.fit();
    });
  }

  zoom(step) {
    const index = FONT_SIZES.indexOf(this.fontSize);
    const next = FONT_SIZES[Math.max(0, Math.min(FONT_SIZES.length - 1, (index < 0 ? 2 : index) + step))];
    this.fontSize = next;
    localStorage.setItem("kubeviz:console-font", String(next));
    if (this.term) {
      this.term.options.fontSize = next;
      this.fit();
    }
  }

  fit() {
    if (!this.term || !this.isOpen) return;
    try {
      this.fitAddon.fit();
    } catch {
      return; // not laid out yet
    }
  }

  // ------------------------------------------------------------------ the terminal
  start() {
    this.term = new Terminal({
      fontSize: this.fontSize,
      fontFamily: "ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace",
      theme: THEME,
      convertEol: true,
      cursorBlink: true,
      scrollback: 5000,
      allowProposedApi: true,
    });
    this.fitAddon = new FitAddon();
    this.term.loadAddon(this.fitAddon);
    this.term.open(this.screen);
    this.term.write("\x1b[?45h"); // reverse wraparound: backspace goes up a wrapped line
    this.term.attachCustomKeyEventHandler((event) => this.onKeyEvent(event));
    this.term.onData((data) => this.onData(data));
    this.term.onResize(({ cols, rows }) => this.send({ type: "resize", cols, rows }));
    this.term.registerLinkProvider({ provideLinks: (y, callback) => callback(this.linksOn(y)) });
    new ResizeObserver(() => this.fit()).observe(this.screen);
    // The page's "A+" (projector) makes the terminal's text at least projector-sized too.
    const follow = () => {
      const large = document.body.classList.contains("large");
      this.term.options.fontSize = large ? Math.max(this.fontSize, PROJECTOR_FONT) : this.fontSize;
      this.fit();
    };
    new MutationObserver(follow).observe(document.body, { attributes: true, attributeFilter: ["class"] });
    follow();
    if (!this.canUse) {
      this.term.write(`\x1b[33mThe console is not available here: ${this.reason}.\x1b[0m\r\n`);
      return;
    }
    this.connect();
  }

  connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    this.socket = new WebSocket(`${scheme}://${location.host}${this.wsPath}console/`);
    this.socket.addEventListener("message", (event) => this.onMessage(JSON.parse(event.data)));
    this.socket.addEventListener("open", () =>
      this.send({ type: "resize", cols: this.term.cols, rows: this.term.rows }),
    );
    this.socket.addEventListener("close", (event) => {
      if (this.running !== null) this.finish({ exit: 1, stopped: "the connection closed" });
      this.ready = false;
      if (event.code === 4403 || event.code === 4404) return; // told why already
      this.term.write("\r\n\x1b[33m(disconnected: reconnecting…)\x1b[0m\r\n");
      setTimeout(() => this.connect(), RECONNECT_MS);
    });
  }

  send(message) {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  historyKey() {
    return `kubeviz:console-history:${this.user}:${this.slug}`;
  }

  onMessage(message) {
    switch (message.type) {
      case "hello": {
        const first = this.user === null;
        this.user = message.user;
        this.vocabulary = message.vocabulary;
        this.limits = message.limits;
        let saved = [];
        try {
          saved = JSON.parse(localStorage.getItem(this.historyKey()) || "[]");
        } catch {
          saved = [];
        }
        this.editor = new LineEditor(new History(saved, HISTORY_LIMIT));
        this.ready = true;
        if (first) {
          this.term.write(
            `\x1b[2mkubectl on \x1b[0m\x1b[1m${this.slug}\x1b[0m\x1b[2m as ${message.user}. ` +
              "Try: kubectl get svc -o wide · type help for more\x1b[0m\r\n",
          );
        }
        this.prompt();
        break;
      }
      case "output":
        this.term.write(message.data);
        this.record(message.data);
        break;
      case "done":
        if (message.id === this.running) this.finish(message);
        break;
      case "error":
        this.term.write(`\r\n\x1b[33m${message.message}\x1b[0m\r\n`);
        this.record(`${message.message}\n`);
        break;
      default:
        break;
    }
  }

  prompt() {
    this.term.write(PROMPT);
    this.record("$ ");
  }

  record(text) {
    this.transcript.push(stripAnsi(text));
    this.transcriptLength = (this.transcriptLength || 0) + text.length;
    while (this.transcriptLength > TRANSCRIPT_LIMIT && this.transcript.length > 1) {
      this.transcriptLength -= this.transcript.shift().length; // the oldest goes first
    }
  }

  onKeyEvent(event) {
    if (event.type !== "keydown") return true;
    const mod = event.ctrlKey || event.metaKey;
    // Ctrl+C with text selected copies it (Ctrl+Shift+C too); without a selection it is ^C.
    if (mod && event.key.toLowerCase() === "c" && (this.term.hasSelection() || event.shiftKey)) {
      navigator.clipboard?.writeText(this.term.getSelection()).catch(() => {});
      return false;
    }
    // Ctrl+V / Ctrl+Shift+V: let the browser paste (xterm receives the paste event).
    if (mod && event.key.toLowerCase() === "v") return false;
    return true;
  }

  onData(data) {
    if (!this.ready) return;
    if (this.running !== null) {
      if (data === "\x03") {
        const now = performance.now();
        // One Ctrl+C goes to what runs (an interactive shell gets it as ^C); a second stops it.
        this.send({ type: "interrupt", hard: now - this.lastInterrupt < DOUBLE_INTERRUPT_MS });
        this.lastInterrupt = now;
      } else {
        this.send({ type: "input", data });
      }
      return;
    }
    for (const action of this.editor.key(data)) {
      if (action.echo) this.term.write(action.echo);
      else if (action.submit !== undefined) this.submit(action.submit);
      else if (action.complete) this.complete();
      else if (action.interrupt) {
        this.term.write("^C\r\n");
        this.record("^C\n");
        this.prompt();
      } else if (action.clear) {
        this.term.clear();
      }
    }
  }

  submit(line) {
    this.term.write("\r\n");
    this.record(`${line}\n`);
    this.saveHistory();
    if (this.running !== null) {
      this.queue.push(line);
      return;
    }
    this.run(line);
  }

  run(line) {
    const trimmed = line.trim();
    if (!trimmed) return this.prompt();
    if (trimmed === "clear") {
      this.term.clear();
      return this.prompt();
    }
    if (trimmed === "history") {
      this.editor.history.lines.forEach((l, i) => this.term.write(`${String(i + 1).padStart(5)}  ${l}\r\n`));
      return this.prompt();
    }
    this.lastKind = this.kindOf(trimmed);
    this.running = this.nextId++;
    this.startedAt = performance.now();
    this.send({ type: "run", id: this.running, line, buffer: this.buffer() });
  }

  finish(message) {
    const note =
      message.refused || (message.stopped && message.stopped !== "interrupted" ? message.stopped : null);
    if (message.stopped === "interrupted") this.term.write("^C\r\n");
    if (note) {
      this.term.write(`\x1b[33m${note}\x1b[0m\r\n`);
      this.record(`${note}\n`);
    }
    this.lastRun = {
      id: this.running,
      ms: performance.now() - this.startedAt,
      exit: message.exit,
      refused: message.refused || null,
      stopped: message.stopped || null,
    };
    this.running = null;
    window.__kubeviz && (window.__kubeviz.console = this);
    this.prompt();
    const next = this.queue.shift();
    if (next !== undefined) {
      this.term.write(next + "\r\n");
      this.record(`${next}\n`);
      this.run(next);
    }
  }

  saveHistory() {
    try {
      localStorage.setItem(
        this.historyKey(),
        JSON.stringify(this.editor.history.lines.slice(-HISTORY_LIMIT)),
      );
    } catch {
      /* storage full or off: the history lasts this page */
    }
  }

  objects() {
    const out = [];
    for (const key of this.store.families.get("object") || []) {
      const entry = this.store.entries.get(key);
      if (entry) out.push({ kind: entry.kind, namespace: entry.namespace || "", name: entry.name });
    }
    return out;
  }

  complete() {
    const line = this.editor.text.slice(0, this.editor.cursor);
    const { prefix, options } = candidates(line, this.vocabulary, this.objects());
    if (!options.length) return;
    const common = commonPrefix(options);
    if (options.length === 1) {
      this.term.write(
        this.editor.insert(options[0].slice(prefix.length) + (options[0].endsWith("=") ? "" : " ")),
      );
      return;
    }
    if (common.length > prefix.length) {
      this.term.write(this.editor.insert(common.slice(prefix.length)));
      return;
    }
    // Several: list them, then the prompt and the line again (as bash does on a second Tab).
    this.term.write(`\r\n${options.join("  ")}\r\n`);
    this.term.write(PROMPT + this.editor.text + "\b".repeat(this.editor.text.length - this.editor.cursor));
  }

  // ------------------------------------------------------------------ names on the diagram
  /** The kind a line is about (`get svc` -> Service), from the server's vocabulary. */
  kindOf(line) {
    for (const word of line.split(/\s+/).slice(2)) {
      const kind = this.vocabulary.kinds[word.split("/")[0].split(",")[0]];
      if (kind) return kind;
    }
    return null;
  }

  elementFor(word, namespace) {
    const slash = word.indexOf("/");
    let kinds = DRAWN_KINDS;
    let name = word;
    if (slash > 0) {
      const kind = this.vocabulary.kinds[word.slice(0, slash).split(".")[0]];
      if (!kind) return null;
      kinds = [kind];
      name = word.slice(slash + 1);
    } else if (this.lastKind) {
      kinds = [this.lastKind, ...DRAWN_KINDS.filter((k) => k !== this.lastKind)];
    }
    for (const kind of kinds) {
      for (const ns of kind === "Node" || kind === "Namespace"
        ? [""]
        : [namespace, "default", "kube-system"]) {
        const id = objectRef(kind, ns, name);
        if (this.diagram.has(id)) return id;
      }
    }
    return null;
  }

  /** xterm link provider: every word of buffer line `y` that names an element on the diagram. */
  linksOn(y) {
    const line = this.term.buffer.active.getLine(y - 1);
    if (!line) return [];
    const text = line.translateToString(true);
    const links = [];
    const pattern = /[a-z0-9]([-a-z0-9.]*[a-z0-9])?(\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?)?/g;
    let match;
    while ((match = pattern.exec(text))) {
      const id = this.elementFor(match[0], "default");
      if (!id) continue;
      links.push({
        text: match[0],
        range: { start: { x: match.index + 1, y }, end: { x: match.index + match[0].length, y } },
        decorations: { underline: true, pointerCursor: true },
        activate: () => this.diagram.select(id),
        hover: () => highlight(this.diagram.cy, id, null),
        leave: () => this.diagram.reselect(),
      });
    }
    return links;
  }

  download() {
    const blob = new Blob([this.transcript.join("")], { type: "text/plain" });
    const a = el("a", { href: URL.createObjectURL(blob), download: `${this.slug}-console.txt` });
    document.body.append(a);
    a.click();
    setTimeout(() => {
      URL.revokeObjectURL(a.href);
      a.remove();
    }, 1000);
  }
}
