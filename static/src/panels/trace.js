// Trace: a request from a pod (or from outside) to a URL, followed the way the cluster would
// route it: a sentence per hop here, the path lit hop by hop on the diagram, or why it fails.

import { h } from "../dom.js";
import { defaultPod, podOptions, section } from "./parts.js";

const HOW =
  "The path is drawn on the diagram hop by hop: DNS → Ingress → Service → kube-proxy → pod. " +
  "No packet is sent: the simulator follows the rules a real cluster would.";
const SUGGESTIONS_SHOWN = 60;
const RERUN_AFTER_MS = 200; // a burst of changes (a clock playing) re-runs the trace once

/** A Service's URL as a pod in `default` would write it. */
export function serviceUrl(namespace, name, port) {
  return `http://${name}${namespace === "default" ? "" : `.${namespace}`}:${port}/`;
}

/** A sentence per hop of a trace reply (docs/protocol.md `trace`), from where it started. */
export function traceRows(from, r) {
  const rows = [from === "external" ? "from outside the cluster" : `from pod ${from}`];
  for (const hop of r.hops || []) {
    if (hop.step === "dns") {
      rows.push(`DNS: ${hop.name} → ${hop.value} (asked 10.96.0.10, kube-dns)`);
    } else if (hop.step === "ingress") {
      const backend = hop.pathType || "default backend";
      rows.push(`Ingress ${hop.ingress}: host ${hop.host || "*"}, path ${hop.path || "/"} (${backend})`);
    } else if (hop.step === "nodeport") {
      rows.push(`NodePort ${hop.port} on node ${hop.node}: kube-proxy there catches it`);
    } else if (hop.step === "loadbalancer") {
      rows.push(`LoadBalancer ${hop.ip}:${hop.port} forwards to a node`);
    } else if (hop.step === "service") {
      rows.push(`Service ${hop.service} port ${hop.port}: kube-proxy DNATs to one endpoint`);
    } else if (hop.step === "endpoint") {
      rows.push(`pod ${hop.pod} at ${hop.ip}:${hop.port}`);
    } else if (hop.step === "external") {
      rows.push(`leaves the cluster for ${hop.name}${hop.port ? `:${hop.port}` : ""}`);
    }
  }
  if (!r.ok) rows.push(`✗ ${r.error || "not delivered"}`);
  return rows;
}

export class TraceTab {
  /**
   * @param {object} options  {store, trace (the request), showTrace(from, result) (the diagram's:
   *   returns the ids it lights), traceShown() (true while the diagram shows one), onTrace({ok,
   *   steps, version}) once drawn}
   */
  constructor(body, { store, trace, showTrace, traceShown, onTrace }) {
    this.body = body;
    this.store = store;
    this.requestTrace = trace;
    this.showTrace = showTrace;
    this.traceShown = traceShown || (() => true);
    this.onTrace = onTrace;
    this.lastRun = null; // {from, url, version} of the trace on the diagram
    // A trace shown is the trace of the version on screen: when the cluster changes under it, it
    // is run again (and says so), so a path that no longer works never stays lit.
    store.subscribe((event) => {
      if (event.type !== "change" || !this.lastRun) return;
      if (!this.traceShown()) {
        this.lastRun = null; // cleared by hand: nothing to keep true
        return;
      }
      clearTimeout(this.rerunTimer);
      this.rerunTimer = setTimeout(() => this.rerun(), RERUN_AFTER_MS);
    });
    this.state = { from: "", url: "" };
    this.shown = false; // the form is on screen (a change does not re-render it)
    this.output = null;
  }

  /** Trace from `from` to `url` (either may be left as it is); runs when both are given. */
  prepare(from, url) {
    if (from) this.state.from = from;
    if (url) this.state.url = url;
  }

  render(full) {
    if (!full && this.shown) return;
    const st = this.state;
    if (!st.from) st.from = defaultPod(this.store) || "external";
    if (!st.url) {
      const svc = this.store
        .services()
        .find((s) => s.namespace !== "kube-system" && s.name !== "kubernetes" && s.ports.length);
      st.url = svc ? serviceUrl(svc.namespace, svc.name, svc.ports[0].port) : "http://";
    }
    const from = h(
      "select",
      {
        id: "trace-from",
        "aria-label": "from",
        onchange: (e) => {
          st.from = e.target.value;
        },
      },
      podOptions(this.store, st.from, true),
    );
    const url = h("input", {
      id: "trace-url",
      type: "text",
      value: st.url,
      list: "trace-suggestions",
      "aria-label": "URL",
      oninput: (e) => {
        st.url = e.target.value;
      },
    });
    const suggestions = h(
      "datalist",
      { id: "trace-suggestions" },
      this.suggestions().map((u) => h("option", { value: u })),
    );
    this.shown = true;
    this.output = this.output || h("div", { id: "trace-out" });
    this.body.replaceChildren(
      section(
        "Request tracer",
        h(
          "form",
          {
            class: "query",
            onsubmit: (e) => {
              e.preventDefault();
              this.run();
            },
          },
          h("label", {}, "from ", from),
          h(
            "div",
            { class: "row" },
            h("span", { class: "prompt" }, "$ curl"),
            url,
            suggestions,
            h("button", { type: "submit", class: "primary", id: "trace-run" }, "Trace"),
          ),
        ),
        h("p", { class: "muted" }, HOW),
      ),
      this.output,
    );
  }

  /** URLs worth trying: each Service by name, its NodePorts and LoadBalancer IP, each Ingress rule. */
  suggestions() {
    const out = [];
    for (const s of this.store.services()) {
      if (s.namespace === "kube-system") continue;
      for (const p of s.ports) {
        out.push(serviceUrl(s.namespace, s.name, p.port));
        if (p.nodePort) {
          const node = this.store.list("node").find(([, v]) => !v.taints?.length);
          if (node) out.push(`http://${node[1].ip}:${p.nodePort}/`);
        }
      }
      if (s.loadBalancerIP && s.loadBalancerIP !== "<pending>")
        out.push(`http://${s.loadBalancerIP}:${s.ports[0]?.port}/`);
    }
    for (const [, ing] of this.store.list("ingress"))
      for (const r of ing.rules) out.push(`http://${r.host || "example.com"}${r.path || "/"}`);
    return [...new Set(out)].slice(0, SUGGESTIONS_SHOWN);
  }

  rerun() {
    const last = this.lastRun;
    if (!last || last.version === this.store.version) return;
    this.run(
      last,
      `Traced again at version ${this.store.version}: the cluster changed since version ${last.version}.`,
    );
  }

  /** Trace the form's request (or `again`'s, a trace re-run after a change, with `why`). */
  async run(again = null, why = null) {
    const st = again || this.state;
    if (!this.output) return;
    if (!again) this.output.replaceChildren(h("p", { class: "muted" }, "tracing…"));
    let reply;
    let version = this.store.version;
    try {
      reply = await this.requestTrace({ from: st.from, url: st.url.trim() });
    } catch (err) {
      this.output.replaceChildren(h("div", { class: "error-box" }, String(err.message || err)));
      return;
    }
    const r = reply.result || {};
    const rows = traceRows(st.from, r);
    if (again && this.lastRun !== again) return; // cleared or replaced meanwhile
    if (Number.isInteger(reply.version)) version = reply.version; // the version it was traced at
    const ids = this.showTrace(st.from, r);
    this.lastRun = { from: st.from, url: st.url.trim(), version };
    this.onTrace?.({ ok: r.ok, steps: ids, version });
    this.output.replaceChildren(
      section(
        r.ok ? "Delivered" : "Not delivered",
        why ? h("p", { class: "note", id: "trace-again" }, why) : null,
        h(
          "ol",
          { class: "hops", id: "trace-hops" },
          rows.map((row) => h("li", {}, row)),
        ),
        r.ok ? null : h("div", { class: "error-box", id: "trace-error" }, r.error || "the request fails"),
        r.ok && r.candidates?.length > 1
          ? h(
              "p",
              { class: "muted" },
              `kube-proxy picks one of ${r.candidates.length} endpoints at random: ` +
                r.candidates.join(", "),
            )
          : null,
        r.ok && r.hops?.some((x) => x.step === "external")
          ? h(
              "p",
              { class: "muted" },
              "The request leaves the cluster: what answers there is outside the simulation.",
            )
          : null,
      ),
    );
  }
}
