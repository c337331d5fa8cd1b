// The teaching panels: every fact of the diagram as text, the way kubectl and the tools inside a
// pod would print it, one tab per module. This is the tab bar, the navigation between tabs, and
// the scheduling: only the visible tab re-renders on a change, once per frame.

import { h } from "../dom.js";
import { parseRef, namespaced } from "../protocol/keys.js";
import { InspectTab } from "./inspect.js";
import { ServicesTab } from "./services.js";
import { DnsTab } from "./dns.js";
import { TraceTab } from "./trace.js";
import { RulesTab } from "./rules.js";
import { WorkloadsTab } from "./workloads.js";

const TABS = [
  ["inspect", "Inspect"],
  ["services", "Services"],
  ["dns", "DNS"],
  ["trace", "Trace"],
  ["rules", "kube-proxy"],
  ["workloads", "Jobs"],
];
const TITLES = {
  workloads: "Jobs, DaemonSets and Deployments; the simulated clock",
  rules: "a Service's kube-proxy iptables chains",
};

export class Panels {
  /**
   * @param {object} options
   *   store; lesson; canEdit;
   *   explanations  the server's answers on why pods are behind a Service or not (Inspect's);
   *   requests  {resolve, trace, clock} (protocol/requests.js);
   *   select(id | null)  on the diagram, which then calls showSelection;
   *   openObject(ref), deleteObject(entry)  the editor's;
   *   showTrace(from, result)  the diagram's: draws a trace reply, returns the ids it lights;
   *   traceShown()  true while the diagram shows a trace;
   *   onTrace({ok, steps})  once a trace is drawn
   */
  constructor(root, options) {
    const {
      store,
      explanations,
      requests,
      select,
      openObject,
      deleteObject,
      showTrace,
      traceShown,
      onTrace,
    } = options;
    const { lesson, canEdit } = options;
    this.root = root;
    this.tab = "inspect";
    this.queued = false;
    this.root.replaceChildren();
    this.tabBar = h(
      "div",
      {
        class: "panel-tabs",
        role: "tablist",
        "aria-label": "Explain",
        onkeydown: (e) => this.onTabKey(e),
      },
      TABS.map(([id, label]) =>
        h(
          "button",
          {
            type: "button",
            role: "tab",
            id: `tab-${id}`,
            class: "panel-tab",
            "aria-controls": "panel-body",
            tabindex: "-1",
            dataset: { tab: id },
            onclick: () => this.showTab(id),
            title: TITLES[id],
          },
          label,
        ),
      ),
    );
    this.body = h("div", { class: "panel-body", role: "tabpanel", id: "panel-body", tabindex: "0" });
    this.root.append(this.tabBar, this.body);
    const body = this.body;
    this.tabs = {
      inspect: new InspectTab(body, {
        store,
        explanations,
        lesson,
        canEdit,
        select,
        openObject,
        deleteObject,
        traceFrom: (from, url) => this.traceFrom(from, url),
        lookupFrom: (from) => this.lookupFrom(from),
        showRules: (service) => this.showRules(service),
      }),
      services: new ServicesTab(body, { store, select, openObject }),
      dns: new DnsTab(body, { store, resolve: requests.resolve }),
      trace: new TraceTab(body, { store, trace: requests.trace, showTrace, traceShown, onTrace }),
      rules: new RulesTab(body, { store }),
      workloads: new WorkloadsTab(body, { store, select, clock: requests.clock, canEdit, openObject }),
    };
    this.showTab("inspect");
    store.subscribe(() => this.schedule());
    explanations.subscribe(() => {
      if (this.tab === "inspect") this.schedule();
    });
  }

  showTab(id) {
    this.tab = id;
    // WAI-ARIA tabs: the selected tab alone is in the Tab order (a roving tabindex); the panel is
    // labelled by it.
    for (const b of this.tabBar.children) {
      const on = b.dataset.tab === id;
      b.setAttribute("aria-selected", on ? "true" : "false");
      b.tabIndex = on ? 0 : -1;
    }
    this.body.setAttribute("aria-labelledby", `tab-${id}`);
    this.render(true);
  }

  /** Arrow keys, Home and End move between the tabs and show the one focused (automatic
   *  activation, as the WAI-ARIA Authoring Practices' tabs pattern describes). */
  onTabKey(e) {
    const ids = TABS.map(([id]) => id);
    const at = ids.indexOf(this.tab);
    const next = {
      ArrowRight: (at + 1) % ids.length,
      ArrowLeft: (at - 1 + ids.length) % ids.length,
      Home: 0,
      End: ids.length - 1,
    }[e.key];
    if (next === undefined) return;
    e.preventDefault();
    this.showTab(ids[next]);
    this.tabBar.children[next].focus();
  }

  schedule() {
    if (this.queued) return;
    this.queued = true;
    requestAnimationFrame(() => {
      this.queued = false;
      this.render(false);
    });
  }

  /** The diagram's selection changed (to null: nothing selected). */
  showSelection(id) {
    this.tabs.inspect.selected = id;
    if (id) {
      const { kind, namespace, name } = parseRef(id);
      if (kind === "Service") this.tabs.rules.service = namespaced(namespace, name);
      this.showTab("inspect");
    } else if (this.tab === "inspect") {
      this.render(true);
    }
  }

  /** Re-render the visible tab: `full` when it is shown anew; otherwise a tab with inputs keeps
   *  them (only its output re-renders) and the scroll position stays. */
  render(full) {
    const scroll = this.body.scrollTop;
    this.tabs[this.tab].render(full);
    if (!full) this.body.scrollTop = scroll;
  }

  /** The Trace tab, from `from` ("namespace/pod" or "external"); traced at once when a URL is given. */
  traceFrom(from, url) {
    const trace = this.tabs.trace;
    trace.prepare(from, url);
    this.showTab("trace");
    if (from && url) trace.run();
  }

  /** The DNS tab, ready to look a name up from a pod ("namespace/name"). */
  lookupFrom(from) {
    const dns = this.tabs.dns;
    dns.lookupFrom(from);
    this.showTab("dns");
    dns.focus();
  }

  /** The kube-proxy tab on a Service ("namespace/name"). */
  showRules(service) {
    this.tabs.rules.service = service;
    this.showTab("rules");
  }
}
