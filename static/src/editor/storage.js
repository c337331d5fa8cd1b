// Where the editor keeps its buffers: one localStorage key per browser tab, so two tabs on one
// cluster never overwrite each other's text (the last writer used to win a shared key).
//
// A tab's id lives in sessionStorage, which survives a reload of that tab and no other. A new
// tab starts from the most recently saved text of the same cluster (your latest draft follows
// you), then keeps its own. A duplicated tab inherits its parent's sessionStorage: a
// BroadcastChannel asks whether the id is taken, and the newcomer moves to a fresh one.

const TAB_ID = "kubeviz:tab";
const KEEP = 12; // a cluster's tab keys kept; the oldest beyond that are dropped

function newId() {
  return `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}

function read(key) {
  try {
    return JSON.parse(localStorage.getItem(key) || "null");
  } catch {
    return null;
  }
}

export class BufferStorage {
  constructor(slug) {
    this.prefix = `kubeviz:${slug}:buffers`; // the single key of old, read once
    let id = null;
    try {
      id = sessionStorage.getItem(TAB_ID);
    } catch {
      id = null;
    }
    this.fresh = !id;
    this.id = id || newId();
    this.remember();
    this.listen();
  }

  get key() {
    return `${this.prefix}:${this.id}`;
  }

  remember() {
    try {
      sessionStorage.setItem(TAB_ID, this.id);
    } catch {
      /* no sessionStorage: the id lasts as long as the page */
    }
  }

  /** Another tab with our id (a duplicate) answers: we move to a new id, keeping our text. */
  listen() {
    if (typeof BroadcastChannel === "undefined") return;
    this.channel = new BroadcastChannel("kubeviz-tabs");
    this.channel.onmessage = (e) => {
      if (e.data?.claim === this.id && e.data.from !== this.nonce)
        this.channel.postMessage({ taken: this.id });
      else if (e.data?.taken === this.id && !this.settled) {
        this.id = newId();
        this.remember();
        this.onMoved?.();
      }
    };
    this.nonce = newId();
    this.channel.postMessage({ claim: this.id, from: this.nonce });
    setTimeout(() => {
      this.settled = true;
    }, 1000);
  }

  /** This tab's saved buffers; for a new tab, the cluster's most recent ones (or null). */
  load() {
    const own = read(this.key);
    if (own || !this.fresh) return own;
    const latest = this.tabKeys()
      .map((key) => read(key))
      .filter(Boolean)
      .sort((a, b) => (b.savedAt || 0) - (a.savedAt || 0))[0];
    return latest || read(this.prefix);
  }

  save(value) {
    try {
      localStorage.setItem(this.key, JSON.stringify({ ...value, savedAt: Date.now() }));
    } catch {
      /* storage full or disabled: the text stays in memory */
    }
    this.prune();
  }

  tabKeys() {
    const keys = [];
    for (let i = 0; i < localStorage.length; i += 1) {
      const key = localStorage.key(i);
      if (key?.startsWith(`${this.prefix}:`)) keys.push(key);
    }
    return keys;
  }

  prune() {
    const keys = this.tabKeys();
    if (keys.length <= KEEP) return;
    const byAge = keys.map((key) => [key, read(key)?.savedAt || 0]).sort((a, b) => a[1] - b[1]);
    for (const [key] of byAge.slice(0, keys.length - KEEP))
      if (key !== this.key) localStorage.removeItem(key);
  }
}
