// The live protocol's client (docs/protocol.md): one websocket per tab, reconnecting with
// backoff, and ONE dispatcher switching on `message.type`. Snapshots and changes go into the
// store, whose version is the tab's only one. It follows the reference client
// (simulator/events.py LiveState): a change applies only on top of the version the store holds;
// a gap asks for a snapshot (`resync`) and waits for it.

const PROTOCOL = 1;
const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 15000;
const REQUEST_TIMEOUT_MS = 30000;

export class LiveSocket {
  /**
   * @param {string} path   e.g. "/ws/clusters/demo/"
   * @param {Store} store   where snapshots and changes go (protocol/store.js)
   * @param {object} handlers  {presence(msg), status(state, detail), error(msg)}, each optional
   */
  constructor(path, store, handlers = {}) {
    this.url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${path}`;
    this.store = store;
    this.handlers = handlers;
    this.waiting = false; // a resync is on its way
    this.pending = new Map();
    this.nextId = 1;
    this.attempt = 0;
    this.ws = null;
    this.closedByUs = false;
    this.stats = { snapshots: 0, changes: 0, gaps: 0, reconnects: 0 };
    this.parts = null;
  }

  connect() {
    this.closedByUs = false;
    this.handlers.status?.("connecting");
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.handlers.status?.("open");
    };
    ws.onmessage = (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      this.dispatch(message);
    };
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.parts = null;
      for (const { reject, timer } of this.pending.values()) {
        clearTimeout(timer);
        reject(new Error("the connection was lost before the server answered"));
      }
      this.pending.clear();
      if (this.closedByUs) return;
      if (event.code === 4404) {
        this.handlers.status?.("gone", "this cluster no longer exists");
        return;
      }
      this.scheduleReconnect();
    };
  }

  scheduleReconnect() {
    const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** this.attempt);
    // jitter: a class does not reconnect in lockstep
    const delay = Math.round(base / 2 + (Math.random() * base) / 2);
    this.attempt += 1;
    this.stats.reconnects += 1;
    this.handlers.status?.("reconnecting", delay);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  close() {
    this.closedByUs = true;
    clearTimeout(this.retryTimer);
    this.ws?.close();
  }

  get isOpen() {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  }

  // The one dispatcher.
  dispatch(message) {
    switch (message.type) {
      case "snapshot": {
        if (message.protocol !== undefined && message.protocol !== PROTOCOL) {
          this.handlers.status?.("outdated", "the server speaks a newer protocol: reload the page");
          return;
        }
        // A big snapshot comes in parts (1..parts, in order, nothing between them): gather them.
        const part = message.part ?? 1;
        const parts = message.parts ?? 1;
        if (part === 1) this.parts = { version: message.version, entries: {} };
        // a stray part: the next snapshot heals
        if (!this.parts || this.parts.version !== message.version) return;
        Object.assign(this.parts.entries, message.entries);
        if (part < parts) return;
        message = { ...message, entries: this.parts.entries };
        this.parts = null;
        const version = this.store.version;
        if (version === null || message.version >= version || this.waiting) {
          this.waiting = false;
          this.stats.snapshots += 1;
          this.store.loadSnapshot(message);
        }
        return;
      }
      case "change": {
        const version = this.store.version;
        if (version === null || message.version <= version) return; // already have it
        if (message.base !== version || message.resync) {
          // a gap, or a change too large for one message: ask for the whole state
          this.stats.gaps += 1;
          if (!this.waiting) {
            this.waiting = true;
            this.send({ type: "resync" });
          }
          return;
        }
        this.stats.changes += 1;
        this.store.applyChange(message);
        return;
      }
      case "reply": {
        const waiter = this.pending.get(message.id);
        if (waiter) {
          this.pending.delete(message.id);
          clearTimeout(waiter.timer);
          waiter.resolve(message);
        }
        return;
      }
      case "presence":
        this.handlers.presence?.(message);
        return;
      case "presenting":
      case "view":
      case "spotlight":
      case "question":
      case "answers":
      case "reveal":
      case "console": // the presenter's console, mirrored (console/mirror.js)
        this.store.applyPresenter(message); // presenting live: ephemeral, no version
        return;
      case "exercise": // a lesson with steps: the Exercise panel, re-evaluated (exercise/panel.js)
        this.handlers.exercise?.(message);
        return;
      case "error": {
        const waiter = message.id !== undefined ? this.pending.get(message.id) : undefined;
        if (waiter) {
          this.pending.delete(message.id);
          clearTimeout(waiter.timer);
          waiter.resolve({ type: "reply", id: message.id, ok: false, error: message.message });
        } else {
          this.handlers.error?.(message);
        }
        return;
      }
      default:
        return; // newer servers may send more; ignoring is safe
    }
  }

  send(message) {
    if (!this.isOpen) return false;
    this.ws.send(JSON.stringify(message));
    return true;
  }

  /** Send a request and wait for its reply (`{ok, ...}`). */
  request(message) {
    if (!this.isOpen) {
      return Promise.reject(new Error("not connected: your text is kept, try again when the dot is green"));
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error("the server did not answer in time"));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      this.ws.send(JSON.stringify({ ...message, id }));
    });
  }
}
