// The header's live chips: the connection, the cluster's version and simulated clock (from the
// store), how many are watching; and the toast that says who changed what.

import { formatSeconds } from "../kube.js";

const TOAST_MS = 3500;

export class Header {
  constructor(store, { status, version, clock, watchers, toast }) {
    this.store = store;
    this.els = { status, version, clock, watchers, toast };
    this.toastTimer = null;
    store.subscribe((event) => {
      this.showMeta();
      if (event.type === "change") this.announce(event.cause);
    });
  }

  /** The connection's state, as LiveSocket reports it. */
  setStatus(state, detail) {
    const status = this.els.status;
    status.dataset.state = state;
    status.textContent =
      {
        connecting: "connecting…",
        open: "live",
        reconnecting: `reconnecting in ${Math.round((detail || 0) / 100) / 10} s`,
        gone: detail,
        outdated: detail,
      }[state] || state;
    document.body.classList.toggle("offline", state !== "open");
  }

  setWatchers(watchers) {
    this.els.watchers.textContent = `${watchers} watching`;
  }

  showMeta() {
    const meta = this.store.meta;
    this.els.version.textContent = `version ${this.store.version}`;
    this.els.clock.textContent = `clock ${formatSeconds(meta.clock || 0)}${meta.running ? " ▶" : ""}`;
  }

  /** Someone else's (or our own) change, in a word; the clock's ticks go unannounced. */
  announce(cause) {
    const summary = cause?.summary;
    if (!summary?.length || cause.user === "clock") return;
    const more = summary.length > 3 ? ", …" : "";
    this.toast(`${cause.user || "someone"}: ${summary.slice(0, 3).join(", ")}${more}`);
  }

  toast(text, kind = "info") {
    const el = this.els.toast;
    el.textContent = text;
    el.dataset.kind = kind;
    el.hidden = false;
    clearTimeout(this.toastTimer);
    this.toastTimer = setTimeout(() => {
      el.hidden = true;
    }, TOAST_MS);
  }
}
