// The cluster as this tab sees it: the live protocol's flat map of keyed entries at a version,
// indexed by family (the key's first segment: "pod", "service", "graph", ...), so panels can
// list one family without scanning every key.

import { META, family, keyTail, objectKeyOf, splitNamespaced } from "./keys.js";

export class Store {
  constructor() {
    this.entries = new Map();
    this.families = new Map();
    this.version = null;
    this.listeners = [];
    // Presenting live (docs/protocol.md "Presenting"): ephemeral, apart from the versioned entries.
    this.presenter = { on: false, presenter: "", seq: 0, view: {}, spotlight: null, question: null };
    this.presenterListeners = [];
  }

  /** fn(message, presenter) after every presenter message (follow/ reacts to them). */
  subscribePresenter(fn) {
    this.presenterListeners.push(fn);
  }

  /** A presenter message (`presenting`, `view`, `spotlight`, `question`, `answers`, `reveal`, `console`)
   *  folded into `this.presenter`: the whole view, the spotlight, the question on screen. */
  applyPresenter(message) {
    const p = this.presenter;
    switch (message.type) {
      case "presenting":
        // a follow reply read from the database may be older than the events already applied
        if (message.echo && message.on && message.seq < p.seq) {
          p.gap = false;
          break;
        }
        Object.assign(p, {
          on: message.on,
          presenter: message.presenter,
          seq: message.seq,
          view: { ...message.view },
          spotlight: message.spotlight,
          question: message.question,
        });
        break;
      case "view":
        p.gap = message.seq !== p.seq + 1; // a missed event: follow/ asks for the whole view
        p.seq = message.seq;
        for (const [field, value] of Object.entries(message.set)) {
          if (value === null) delete p.view[field];
          else p.view[field] = value;
        }
        break;
      case "spotlight":
        // a live update (the student edited) counts only over a spotlight held, and only when
        // newer: one composed before the spotlight ended or moved on is dropped
        if (message.live && !(p.spotlight && message.spotlight && message.spotlight.seq > p.spotlight.seq))
          return;
        p.spotlight = message.spotlight;
        break;
      case "question":
        p.question = message.question;
        break;
      case "answers":
        if (p.question?.id === message.question) p.question = { ...p.question, answered: message.answered };
        break;
      case "reveal":
        if (p.question?.id === message.question) p.question = { ...p.question, reveal: message.reveal };
        break;
      case "console": // the presenter's console output: console/mirror.js keeps it, not the store
        break;
      default:
        return;
    }
    for (const fn of this.presenterListeners) fn(message, p);
  }

  /** fn(event) after every snapshot ({type: "snapshot", version}) and change (see applyChange). */
  subscribe(fn) {
    this.listeners.push(fn);
  }

  emit(event) {
    for (const fn of this.listeners) fn(event);
  }

  put(key, value) {
    this.entries.set(key, value);
    const name = family(key);
    let members = this.families.get(name);
    if (!members) this.families.set(name, (members = new Set()));
    members.add(key);
  }

  drop(key) {
    if (!this.entries.delete(key)) return;
    this.families.get(family(key))?.delete(key);
  }

  loadSnapshot(message) {
    this.entries.clear();
    this.families.clear();
    for (const [key, value] of Object.entries(message.entries)) this.put(key, value);
    this.version = message.version;
    this.emit({ type: "snapshot", version: this.version });
  }

  /** Apply one change: `unset`, then `set`, then `patch` (RFC 7386 merge patches of the entries
   *  held). Emits and returns the change normalised to whole values:
   *  {type: "change", version, set, unset, cause, receivedAt} (`receivedAt`: performance.now()
   *  when the store got it, for the figures bench/browser.py reads). */
  applyChange(message) {
    const receivedAt = performance.now();
    const set = { ...message.set };
    for (const key of message.unset) this.drop(key);
    for (const [key, value] of Object.entries(message.set)) this.put(key, value);
    for (const [key, patch] of Object.entries(message.patch || {})) {
      const value = mergePatch(this.entries.get(key), patch);
      this.put(key, value);
      set[key] = value;
    }
    this.version = message.version;
    const change = {
      type: "change",
      version: this.version,
      set,
      unset: message.unset,
      cause: message.cause,
      receivedAt,
    };
    this.emit(change);
    return change;
  }

  get(key) {
    return this.entries.get(key);
  }

  /** [key, value] pairs of one family, keys sorted. */
  list(family) {
    const keys = [...(this.families.get(family) || [])].sort();
    return keys.map((k) => [k, this.entries.get(k)]);
  }

  keys(family) {
    return this.families.get(family) || new Set();
  }

  get meta() {
    return this.entries.get(META) || {};
  }

  /** The stored object for a diagram id / object ref "Kind/ns/name" ("-" for cluster-scoped). */
  object(ref) {
    return this.entries.get(objectKeyOf(ref));
  }

  /** The pods' views, each with `ref` ("namespace/name"), `namespace` and `name`. */
  pods() {
    return this.namespacedViews("pod");
  }

  /** The Services' views, each with `ref` ("namespace/name"), `namespace` and `name`. */
  services() {
    return this.namespacedViews("service");
  }

  namespacedViews(viewFamily) {
    return this.list(viewFamily).map(([key, value]) => {
      const ref = keyTail(key);
      return { ref, ...value, ...splitNamespaced(ref) };
    });
  }
}

/** RFC 7386 MergePatch(target, patch), as simulator/events.py apply_merge_patch. */
export function mergePatch(target, patch) {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return patch;
  const result = target !== null && typeof target === "object" && !Array.isArray(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}
