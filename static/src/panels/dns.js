// DNS: `nslookup` run inside a chosen pod (the names its resolver tried, in order, and the
// answer), and every record the cluster DNS serves, filtered as one types.

import { h } from "../dom.js";
import { table } from "../kube.js";
import { MAX_ROWS, defaultPod, podOptions, pre, section } from "./parts.js";

const RESOLV_CONF =
  "The pod's /etc/resolv.conf: nameserver 10.96.0.10, search <ns>.svc.cluster.local " +
  "svc.cluster.local cluster.local, options ndots:5. A name with fewer than 5 dots tries the search " +
  "list first.";
/** How nslookup words an answer that is not an address. */
const ANSWER_WORDS = { CNAME: "canonical name", SRV: "service" };

export class DnsTab {
  /** @param {object} options  {store, resolve (the request)} */
  constructor(body, { store, resolve }) {
    this.body = body;
    this.store = store;
    this.resolve = resolve;
    this.state = { from: "", name: "", type: "A", filter: "" };
    this.inputs = null; // the form, while it is on screen (a change re-renders the records only)
  }

  /** Run from `from` ("namespace/pod"): the next render picks it; the name field gets the focus. */
  lookupFrom(from) {
    this.state.from = from;
  }

  focus() {
    this.inputs?.name?.focus();
  }

  render(full) {
    if (full || !this.inputs) {
      const st = this.state;
      if (!st.from) st.from = defaultPod(this.store);
      const from = h(
        "select",
        {
          id: "nslookup-from",
          "aria-label": "from pod",
          onchange: (e) => {
            st.from = e.target.value;
          },
        },
        podOptions(this.store, st.from, false),
      );
      const name = h("input", {
        id: "nslookup-name",
        type: "text",
        value: st.name,
        placeholder: "webapp, game-service.my-ns, …",
        "aria-label": "name to look up",
        oninput: (e) => {
          st.name = e.target.value;
        },
      });
      const type = h(
        "select",
        {
          id: "nslookup-type",
          "aria-label": "record type",
          onchange: (e) => {
            st.type = e.target.value;
          },
        },
        ["A", "SRV", "CNAME", "PTR"].map((t) => h("option", { value: t, selected: t === st.type }, t)),
      );
      const filter = h("input", {
        type: "search",
        placeholder: "filter records",
        value: st.filter,
        "aria-label": "filter DNS records",
        oninput: (e) => {
          st.filter = e.target.value;
          this.renderRecords();
        },
      });
      this.inputs = { name, from };
      this.output = h("div", { id: "nslookup-out" });
      this.records = h("div");
      const form = h(
        "form",
        {
          class: "query",
          onsubmit: (e) => {
            e.preventDefault();
            this.lookup();
          },
        },
        h("label", {}, "from ", from),
        h(
          "div",
          { class: "row" },
          h("span", { class: "prompt" }, "$ nslookup"),
          name,
          type,
          h("button", { type: "submit", class: "primary" }, "Run"),
        ),
      );
      this.body.replaceChildren(
        section("nslookup inside a pod", form, this.output, h("p", { class: "muted" }, RESOLV_CONF)),
        section("Cluster DNS records", filter, this.records),
      );
    }
    this.renderRecords();
  }

  renderRecords() {
    const f = this.state.filter.toLowerCase();
    const records = [];
    for (const family of ["dns", "dns-pod"]) {
      for (const [, list] of this.store.list(family))
        for (const r of list)
          if (!f || `${r.name} ${r.type} ${r.value}`.toLowerCase().includes(f)) records.push(r);
    }
    records.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.type < b.type ? -1 : 1));
    this.records.replaceChildren(
      pre(
        table(
          ["NAME", "TYPE", "VALUE"],
          records.slice(0, MAX_ROWS).map((r) => [r.name, r.type, r.value]),
        ),
        "dns-records",
      ),
      records.length > MAX_ROWS
        ? h("p", { class: "muted" }, `first ${MAX_ROWS} of ${records.length}: filter to see more`)
        : null,
    );
  }

  async lookup() {
    const st = this.state;
    if (!st.name.trim()) return;
    this.output.replaceChildren(h("p", { class: "muted" }, "asking 10.96.0.10…"));
    let reply;
    try {
      reply = await this.resolve({
        from: st.from,
        name: st.name.trim(),
        rtype: st.type,
      });
    } catch (err) {
      this.output.replaceChildren(h("div", { class: "error-box" }, String(err.message || err)));
      return;
    }
    const r = reply.result || {};
    if (r.error) {
      this.output.replaceChildren(h("div", { class: "error-box" }, r.error));
      return;
    }
    const tried = (r.tried || []).map((name, i) => {
      const last = i === r.tried.length - 1;
      const ok = last && r.rcode === "NOERROR";
      return h(
        "li",
        { class: ok ? "ok" : "no" },
        h("span", { class: "mark" }, ok ? "✓" : "✗"),
        ` ${name} `,
        h("span", { class: "muted" }, ok ? "answered" : "NXDOMAIN"),
      );
    });
    const lines = ["Server:\t\t10.96.0.10", "Address:\t10.96.0.10#53", ""];
    if (r.rcode === "NOERROR") {
      for (const a of r.answers || []) {
        if (a.type === "A") lines.push(`Name:\t${a.name.replace(/\.$/, "")}`, `Address: ${a.value}`);
        else lines.push(`${a.name}\t${ANSWER_WORDS[a.type] || "name"} = ${a.value}`);
      }
    } else {
      lines.push(`** server can't find ${st.name.trim()}: ${r.rcode}`);
    }
    this.output.replaceChildren(
      h(
        "div",
        { class: "tried" },
        h("div", { class: "box-title" }, "Names the resolver tried, in order"),
        h("ol", { id: "nslookup-tried" }, tried),
      ),
      pre(lines.join("\n"), r.rcode === "NOERROR" ? "" : "fail"),
    );
  }
}
