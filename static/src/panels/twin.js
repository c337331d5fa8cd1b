// The diagram's accessible twin: the same facts as a table a screen reader can read (Service →
// its endpoints → their pods, ready or not), kept live from the store, and a polite live region
// that says what changed ("Service webapp: 3 endpoints, 2 ready"), once per change.

import { h } from "../dom.js";
import { splitNamespaced } from "../protocol/keys.js";

const ANNOUNCED_MAX = 3; // Services named in one announcement; then "and n more"

function summary(s) {
  if (s.type === "ExternalName") return `ExternalName for ${s.externalName || "?"}: no endpoints, by design`;
  const ready = s.endpoints.filter((e) => e.ready).length;
  const n = s.endpoints.length;
  if (!n) return "no endpoints";
  return `${n} endpoint${n === 1 ? "" : "s"}, ${ready} ready`;
}

export class DiagramTwin {
  /** @param root  the twin's section; @param announcer  a polite live region */
  constructor(root, announcer, store) {
    this.root = root;
    this.announcer = announcer;
    this.store = store;
    this.said = new Map(); // "ns/name" -> its last summary
    store.subscribe((event) => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.render(event.type === "snapshot"), 150);
    });
  }

  services() {
    return this.store.services().filter((s) => s.namespace !== "kube-system" && s.name !== "kubernetes");
  }

  render(quiet) {
    // Nothing to redo when no Service's view changed (the store replaces a changed entry).
    const views = this.store.list("service").map(([, v]) => v);
    if (this.views && views.length === this.views.length && views.every((v, i) => v === this.views[i]))
      return;
    this.views = views;
    const services = this.services();
    const rows = [];
    for (const s of services) {
      const head = `${s.namespace}/${s.name}`;
      if (!s.endpoints.length) {
        rows.push(h("tr", {}, h("th", { scope: "row" }, head), h("td", {}, s.type), h("td", {}, summary(s))));
        continue;
      }
      s.endpoints.forEach((e, i) =>
        rows.push(
          h(
            "tr",
            {},
            h("th", { scope: "row" }, i === 0 ? head : ""),
            h("td", {}, i === 0 ? s.type : ""),
            h("td", {}, `${e.ip || "?"}:${e.port}`),
            h("td", {}, e.pod ? splitNamespaced(e.pod).name : "(no pod)"),
            h("td", {}, e.ready ? "ready" : "not ready"),
          ),
        ),
      );
    }
    this.root.replaceChildren(
      h("h2", {}, "The diagram as a table"),
      h(
        "table",
        { id: "diagram-twin-table" },
        h("caption", {}, "Services, their endpoints and the pods behind them"),
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            ["Service", "type", "endpoint", "pod", "ready"].map((c) => h("th", { scope: "col" }, c)),
          ),
        ),
        h("tbody", {}, rows),
      ),
    );
    this.announce(services, quiet);
  }

  /** Say, politely, which Services' endpoints changed since the last time. */
  announce(services, quiet) {
    const changed = [];
    const seen = new Set();
    for (const s of services) {
      const key = `${s.namespace}/${s.name}`;
      seen.add(key);
      const now = summary(s);
      if (this.said.get(key) !== now) changed.push(`Service ${s.name}: ${now}`);
      this.said.set(key, now);
    }
    for (const key of [...this.said.keys()])
      if (!seen.has(key)) {
        changed.push(`Service ${splitNamespaced(key).name} deleted`);
        this.said.delete(key);
      }
    if (quiet || !changed.length) return;
    const more = changed.length > ANNOUNCED_MAX ? `, and ${changed.length - ANNOUNCED_MAX} more` : "";
    this.announcer.textContent = `${changed.slice(0, ANNOUNCED_MAX).join("; ")}${more}.`;
  }
}
