// Jobs: the simulated clock (play, pause, step), each Job's completions as a progress bar, each
// DaemonSet's pod node by node, the Deployments; and the objects the cluster stores but does not
// draw (ConfigMaps, Secrets, ServiceAccounts, IngressClasses), each opened in the editor.

import { h } from "../dom.js";
import { formatSeconds, table } from "../kube.js";
import { entryRef, keyTail, refIn, splitNamespaced, viewKeyIn } from "../protocol/keys.js";
import { linkTo, pre, section } from "./parts.js";

/** The kinds listed under "Stored objects", in this order (the server stores, the diagram omits them). */
const STORED_KINDS = ["ConfigMap", "Secret", "ServiceAccount", "IngressClass"];

export class WorkloadsTab {
  /** @param {object} options  {store, select, clock (the request), canEdit, openObject (in the editor)} */
  constructor(body, { store, select, clock, canEdit, openObject }) {
    this.body = body;
    this.store = store;
    this.requestClock = clock;
    this.canEdit = canEdit;
    this.openObject = openObject;
    this.link = (id, text) => linkTo(select, id, text);
  }

  render() {
    const meta = this.store.meta;
    const clock = h(
      "div",
      { class: "clock-controls" },
      h(
        "span",
        { class: "clock-readout", id: "clock-readout" },
        `simulated clock ${formatSeconds(meta.clock || 0)} · ${meta.running ? "playing" : "paused"}`,
      ),
      h(
        "button",
        {
          type: "button",
          id: "clock-play",
          onclick: () => this.clock(meta.running ? "pause" : "play"),
          disabled: !this.canEdit,
        },
        meta.running ? "❚❚ pause" : "▶ play",
      ),
      h(
        "button",
        { type: "button", id: "clock-step", onclick: () => this.clock("step", 5), disabled: !this.canEdit },
        "step 5 s",
      ),
      h(
        "button",
        { type: "button", onclick: () => this.clock("step", 30), disabled: !this.canEdit },
        "step 30 s",
      ),
    );
    const jobs = this.store.list("job").map(([key, j]) => {
      const name = keyTail(key);
      const total = j.completions ?? 1;
      const pct = Math.min(100, Math.round((100 * j.succeeded) / Math.max(1, total)));
      return h(
        "div",
        { class: "job" },
        h(
          "div",
          { class: "job-head" },
          this.link(refIn("Job", name), name),
          h(
            "span",
            { class: j.complete ? "ok-pill" : j.failed ? "warn-pill" : "pill" },
            j.complete ? "Complete" : j.active ? "Running" : "Waiting",
          ),
        ),
        h(
          "div",
          {
            class: "progress",
            role: "progressbar",
            "aria-valuemin": 0,
            "aria-valuemax": total,
            "aria-valuenow": j.succeeded,
            "aria-label": `${name} completions`,
          },
          h("div", { class: "bar", style: `width:${pct}%` }),
        ),
        h(
          "div",
          { class: "mono small" },
          `completions ${j.succeeded}/${total} · parallelism ${j.parallelism}` +
            ` · active ${j.active} · failed ${j.failed}`,
        ),
      );
    });
    const daemonsets = this.store.list("daemonset").map(([key, ds]) => {
      const name = keyTail(key);
      const byNode = new Map(this.store.list("node").map(([k]) => [keyTail(k), null]));
      for (const p of ds.pods) {
        const view = this.store.get(viewKeyIn("Pod", p));
        if (view?.node) byNode.set(view.node, splitNamespaced(p).name);
      }
      return h(
        "div",
        { class: "ds" },
        h(
          "div",
          { class: "job-head" },
          this.link(refIn("DaemonSet", name), name),
          h(
            "span",
            { class: ds.current === ds.desired ? "ok-pill" : "warn-pill" },
            `${ds.current}/${ds.desired} scheduled`,
          ),
        ),
        pre(
          table(
            ["NODE", "POD"],
            [...byNode].map(([node, pod]) => [
              node,
              pod || `— not eligible: ${ds.ineligible?.[node] || "the scheduler would not place it"}`,
            ]),
          ),
        ),
      );
    });
    const deployments = this.store
      .list("deployment")
      .map(([key, dep]) => [keyTail(key), `${dep.ready}/${dep.replicas}`, dep.pods.length]);
    this.body.replaceChildren(
      section(
        "Jobs",
        clock,
        jobs.length ? jobs : h("p", { class: "muted" }, "No Jobs. Add one from “+ New…” in the editor."),
        h(
          "p",
          { class: "muted" },
          "Jobs run on a simulated clock: each pod runs for its kubeviz.io/run-seconds (default 10 s).",
        ),
      ),
      section(
        "DaemonSets: one pod per eligible node",
        daemonsets.length ? daemonsets : h("p", { class: "muted" }, "No DaemonSets."),
      ),
      section(
        "Deployments",
        deployments.length
          ? pre(table(["NAME", "READY", "PODS"], deployments))
          : h("p", { class: "muted" }, "No Deployments."),
      ),
      this.storedSection(),
    );
  }

  /** ConfigMaps, Secrets, ServiceAccounts and IngressClasses: listed by name, opened in the editor. */
  storedSection() {
    const objects = this.store
      .list("object")
      .map(([, entry]) => entry)
      .filter((entry) => STORED_KINDS.includes(entry.kind))
      .sort(
        (a, b) =>
          STORED_KINDS.indexOf(a.kind) - STORED_KINDS.indexOf(b.kind) ||
          a.namespace.localeCompare(b.namespace) ||
          a.name.localeCompare(b.name),
      );
    const rows = objects.map((entry) =>
      h(
        "tr",
        {},
        h("td", {}, entry.kind),
        h("td", {}, entry.namespace || "—"),
        h("td", {}, entry.name),
        h(
          "td",
          {},
          h(
            "button",
            {
              type: "button",
              class: "link",
              title: "open its YAML in the editor",
              onclick: () => this.openObject?.(entryRef(entry)),
            },
            "edit",
          ),
        ),
      ),
    );
    return section(
      "Stored objects: ConfigMaps, Secrets, ServiceAccounts, IngressClasses",
      rows.length
        ? h(
            "table",
            { class: "kubectl-table stored-objects", "aria-label": "Stored objects" },
            h(
              "thead",
              {},
              h(
                "tr",
                {},
                h("th", { scope: "col" }, "KIND"),
                h("th", { scope: "col" }, "NAMESPACE"),
                h("th", { scope: "col" }, "NAME"),
                h("th", { scope: "col" }, h("span", { class: "sr-only" }, "edit")),
              ),
            ),
            h("tbody", {}, ...rows),
          )
        : h("p", { class: "muted" }, "None yet: `kubectl create configmap`, or apply one from the editor."),
      h("p", { class: "muted" }, "The cluster stores and serves these; the diagram does not draw them."),
    );
  }

  async clock(action, seconds) {
    try {
      await this.requestClock({ action, seconds });
    } catch (err) {
      /* the readout stays as it was; the status dot says why */
    }
  }
}
