// Services: `kubectl get svc -A -o wide` as a table (a row selects the Service on the diagram)
// and as plain text, and `kubectl describe endpoints` for each, opened on demand.

import { h } from "../dom.js";
import { describeEndpoints, externalIp, getServicesWide, labelString, portsColumn } from "../kube.js";
import { objectRef } from "../protocol/keys.js";
import { MAX_ROWS, pre, section } from "./parts.js";

/** "2 ready", "1 ready, 1 not ready". */
function readiness(endpoints) {
  const ready = endpoints.filter((e) => e.ready).length;
  const notReady = endpoints.length - ready;
  return `${ready} ready${notReady ? `, ${notReady} not ready` : ""}`;
}

export class ServicesTab {
  /** @param {object} options  {store, select (on the diagram), openObject (in the editor)} */
  constructor(body, { store, select, openObject }) {
    this.body = body;
    this.store = store;
    this.select = select;
    this.openObject = openObject;
  }

  render() {
    const services = this.store.services();
    // A row is reachable with Tab and selects its Service with Enter or Space; the focus stays
    // on the same row when a change re-renders the table.
    const focused = this.body.contains(document.activeElement) ? document.activeElement.dataset.row : null;
    const rows = services.slice(0, MAX_ROWS).map((s) =>
      h(
        "tr",
        {
          class: s.endpoints.length || s.type === "ExternalName" ? "" : "warn",
          tabindex: "0",
          dataset: { row: `${s.namespace}/${s.name}` },
          "aria-label": `Service ${s.namespace}/${s.name}, ${s.type}, ${readiness(s.endpoints)}: select it on the diagram`,
          onclick: () => this.select(objectRef("Service", s.namespace, s.name)),
          onkeydown: (e) => {
            if (e.target !== e.currentTarget || (e.key !== "Enter" && e.key !== " ")) return;
            e.preventDefault();
            this.select(objectRef("Service", s.namespace, s.name));
          },
        },
        h("td", {}, s.namespace),
        h("td", {}, s.name),
        h("td", {}, s.type),
        h("td", {}, s.clusterIP || "<none>"),
        h("td", {}, externalIp(s)),
        h("td", {}, portsColumn(s)),
        h("td", {}, s.selector ? labelString(s.selector) : "<none>"),
        h(
          "td",
          {},
          h(
            "button",
            {
              type: "button",
              class: "link",
              title: "edit its YAML",
              onclick: (e) => {
                e.stopPropagation();
                this.openObject(objectRef("Service", s.namespace, s.name));
              },
            },
            "edit",
          ),
        ),
      ),
    );
    const text = getServicesWide(services.slice(0, MAX_ROWS));
    const describes = services.slice(0, MAX_ROWS).map((s) => {
      const details = h(
        "details",
        { class: "describe" },
        h(
          "summary",
          {},
          `${s.namespace}/${s.name}`,
          h(
            "span",
            { class: s.endpoints.some((e) => e.ready) ? "ok-pill" : "warn-pill" },
            readiness(s.endpoints),
          ),
        ),
      );
      details.addEventListener(
        "toggle",
        () => {
          if (details.open && details.children.length === 1)
            details.append(
              pre(describeEndpoints(s, this.store.object(objectRef("Service", s.namespace, s.name))?.labels)),
            );
        },
        { once: false },
      );
      return details;
    });
    this.body.replaceChildren(
      section(
        "kubectl get svc -A -o wide",
        h(
          "table",
          { class: "kubectl-table", "aria-label": "Services" },
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              ["NAMESPACE", "NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "SELECTOR", ""].map((c) =>
                h("th", {}, c),
              ),
            ),
          ),
          h("tbody", {}, rows),
        ),
        h("details", { class: "plain" }, h("summary", {}, "as plain text"), pre(text)),
        services.length > MAX_ROWS
          ? h("p", { class: "muted" }, `first ${MAX_ROWS} of ${services.length}`)
          : null,
      ),
      section("kubectl describe endpoints", ...describes),
    );
    if (focused) this.body.querySelector(`tr[data-row="${CSS.escape(focused)}"]`)?.focus();
  }
}
