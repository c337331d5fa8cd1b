// The teaching panels: every fact of the diagram as text, the way kubectl and the tools inside
// a pod would print it. Only the visible tab re-renders on a change (once per frame).

import {
  describeEndpoints,
  execEnv,
  formatSeconds,
  getServicesWide,
  labelString,
  matches,
  selectorMisses,
  table,
} from "../kube.js";
import { h } from "../dom.js";

const TABS = [
  ["inspect", "Inspect"],
  ["services", "Services"],
  ["dns", "DNS"],
  ["trace", "Trace"],
  ["rules", "kube-proxy"],
  ["workloads", "Jobs"],
];
const MAX_ROWS = 400;

export class Panels {
  /**
   * @param {object} requests  {resolve, trace, clock} (protocol/requests.js)
   * @param {function} select  select(id | null) on the diagram, which then calls showSelection
   * @param {function} openObject, deleteObject  the editor's: open a reference's YAML, delete an object
   * @param {function} showTrace  the diagram's: draw a trace reply's path, returning the ids lit
   * @param {function} onTrace  called with {ok, steps} once a trace is drawn
   */
  constructor(root, options) {
    const { store, requests, select, openObject, deleteObject, showTrace, onTrace } = options;
    this.root = root;
    this.store = store;
    this.requests = requests;
    this.selectOnDiagram = select;
    this.openObject = openObject;
    this.deleteObject = deleteObject;
    this.showTrace = showTrace;
    this.onTrace = onTrace;
    const { lesson, canEdit } = options;
    this.lesson = lesson;
    this.canEdit = canEdit;
    this.selected = null;
    this.tab = "inspect";
    this.rulesFor = null;
    this.traceState = { from: "", url: "" };
    this.dnsState = { from: "", name: "", type: "A", filter: "" };
    this.build();
    store.subscribe(() => this.schedule());
  }

  build() {
    this.root.replaceChildren();
    this.tabBar = h(
      "div",
      { class: "panel-tabs", role: "tablist" },
      TABS.map(([id, label]) =>
        h(
          "button",
          {
            type: "button",
            role: "tab",
            id: `tab-${id}`,
            class: "panel-tab",
            dataset: { tab: id },
            onclick: () => this.showTab(id),
            title: {
              workloads: "Jobs, DaemonSets and Deployments; the simulated clock",
              rules: "a Service's kube-proxy iptables chains",
            }[id],
          },
          label,
        ),
      ),
    );
    this.body = h("div", { class: "panel-body", role: "tabpanel" });
    this.root.append(this.tabBar, this.body);
    this.showTab("inspect");
  }

  showTab(id) {
    this.tab = id;
    for (const b of this.tabBar.children)
      b.setAttribute("aria-selected", b.dataset.tab === id ? "true" : "false");
    this.forms = null;
    this.render(true);
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
    this.selected = id;
    if (id) {
      const kind = id.split("/")[0];
      if (kind === "Service") this.rulesFor = id.slice(8);
      this.showTab("inspect");
    } else if (this.tab === "inspect") {
      this.render(true);
    }
  }

  /** Re-render the visible tab. Tabs with inputs keep them (only their output re-renders). */
  render(full) {
    const fn = {
      inspect: () => this.renderInspect(),
      services: () => this.renderServices(),
      dns: () => this.renderDns(full),
      trace: () => this.renderTrace(full),
      rules: () => this.renderRules(),
      workloads: () => this.renderWorkloads(),
    }[this.tab];
    const scroll = this.body.scrollTop;
    fn();
    if (!full) this.body.scrollTop = scroll;
  }

  // ------------------------------------------------------------------ helpers
  section(title, ...children) {
    return h("section", { class: "card" }, title ? h("h3", {}, title) : null, ...children);
  }

  pre(text, cls = "") {
    return h("pre", { class: `kubectl ${cls}` }, text);
  }

  linkTo(id, text) {
    return h(
      "button",
      { type: "button", class: "link", onclick: () => this.selectOnDiagram(id) },
      text || id.split("/").slice(-1)[0],
    );
  }

  objectButtons(ref) {
    const entry = this.store.object(ref);
    if (!entry) return null;
    return h(
      "div",
      { class: "row" },
      h(
        "button",
        { type: "button", onclick: () => this.openObject(ref) },
        `Edit YAML (rv ${entry.resourceVersion})`,
      ),
      this.canEdit
        ? h(
            "button",
            { type: "button", class: "danger", onclick: (e) => this.confirmDelete(e.target, entry) },
            "Delete",
          )
        : null,
    );
  }

  confirmDelete(button, entry) {
    if (!button.classList.contains("armed")) {
      button.classList.add("armed");
      button.textContent = `Really delete ${entry.kind.toLowerCase()}/${entry.name}?`;
      setTimeout(() => {
        button.classList.remove("armed");
        button.textContent = "Delete";
      }, 4000);
      return;
    }
    this.deleteObject(entry);
  }

  hintCards(kind, ns, name) {
    const hints = this.store.get(`hints/${kind}/${ns}/${name}`) || [];
    return hints.map((hint) =>
      h(
        "div",
        { class: "hint-card", dataset: { hint: hint.id } },
        h("div", { class: "hint-msg" }, "⚠ ", hint.message),
        hint.hint ? h("div", { class: "hint-fix" }, hint.hint) : null,
        hint.data?.nearMisses?.length
          ? h(
              "ul",
              { class: "mono" },
              hint.data.nearMisses.map((m) => h("li", {}, `${m.pod}: ${m.missing.join(", ")}`)),
            )
          : null,
      ),
    );
  }

  podOptions(selected, withExternal) {
    const pods = this.store.pods().filter((p) => p.ip);
    const opts = [];
    if (withExternal)
      opts.push(h("option", { value: "external", selected: selected === "external" }, "outside the cluster"));
    for (const p of pods)
      opts.push(h("option", { value: p.ref, selected: selected === p.ref }, `pod ${p.ref}`));
    return opts;
  }

  defaultPod() {
    const pods = this.store.pods().filter((p) => p.ip && p.namespace !== "kube-system");
    const busy = pods.find((p) => /busybox|debug|client|web/.test(p.name));
    return (busy || pods[0])?.ref || "";
  }

  // ------------------------------------------------------------------ inspect
  renderInspect() {
    const id = this.selected;
    const el = id ? this.store.get(`graph/node/${id}`) : null;
    if (!el) {
      this.body.replaceChildren(...this.overview());
      return;
    }
    const [kind] = id.split("/");
    const d = el.data;
    const out = [];
    if (kind === "Pod") out.push(...this.inspectPod(d));
    else if (kind === "Service") out.push(...this.inspectService(d));
    else if (kind === "Node") out.push(...this.inspectNode(d));
    else if (kind === "Ingress") out.push(...this.inspectIngress(d));
    else if (kind === "Namespace") out.push(this.section(`Namespace ${d.label}`, this.objectButtons(id)));
    else if (kind === "World") out.push(...this.inspectWorld());
    else if (kind === "External")
      out.push(
        this.section(
          `External name ${d.label}`,
          h(
            "p",
            {},
            `Outside the cluster: the cluster DNS answers a CNAME to ${d.externalName}; the request leaves the cluster there.`,
          ),
        ),
      );
    else out.push(...this.inspectOwner(kind, d));
    this.body.replaceChildren(
      h(
        "button",
        { type: "button", class: "link back", onclick: () => this.selectOnDiagram(null) },
        "← overview",
      ),
      ...out,
    );
  }

  overview() {
    const out = [];
    if (this.lesson) {
      out.push(
        this.section(
          this.lesson.title,
          h("p", { class: "lesson" }, richText(this.lesson.description)),
          this.lesson.source ? h("p", { class: "muted" }, `Source: ${this.lesson.source}`) : null,
        ),
      );
    }
    const hints = this.store.list("hints").flatMap(([, list]) => list);
    out.push(
      this.section(
        hints.length ? `What to notice (${hints.length})` : "What to notice",
        hints.length
          ? hints.map((hint) =>
              h(
                "div",
                { class: "hint-card" },
                h(
                  "div",
                  { class: "hint-msg" },
                  "⚠ ",
                  hint.message,
                  " ",
                  this.linkTo(`${hint.kind}/${hint.namespace || "-"}/${hint.name}`, "show"),
                ),
                hint.hint ? h("div", { class: "hint-fix" }, hint.hint) : null,
              ),
            )
          : h("p", { class: "muted" }, "Nothing odd: every Service has endpoints and every pod a node."),
      ),
    );
    out.push(
      this.section(
        "How to read the diagram",
        h(
          "ul",
          { class: "legend-list" },
          h(
            "li",
            {},
            "Left to right: the outside world → Ingress → Service → the pods it sends traffic to, inside their Node.",
          ),
          h(
            "li",
            {},
            "An arrow is one endpoint, labelled Service port → pod port. Dashed orange: the pod is not ready.",
          ),
          h(
            "li",
            {},
            "A Service in red with ⚠ has no endpoints; click it to see which label each pod lacks.",
          ),
          h("li", {}, "Click anything to inspect it; double-click to edit its YAML."),
        ),
      ),
    );
    return out;
  }

  servicesOfPod(pod) {
    return this.store
      .services()
      .filter(
        (s) =>
          s.namespace === pod.namespace && s.endpoints.some((e) => e.pod === `${pod.namespace}/${pod.name}`),
      );
  }

  inspectPod(d) {
    const ns = d.namespace;
    const name = d.label;
    const view = this.store.get(`pod/${ns}/${name}`);
    const entry = this.store.object(`Pod/${ns}/${name}`);
    if (!view) return [];
    const pod = { namespace: ns, name, ...view };
    const services = this.servicesOfPod(pod);
    const selectedBy = this.store
      .services()
      .filter((s) => s.namespace === ns && matches(s.selector, view.labels) && !services.includes(s));
    const dnsNames = [...(this.store.get(`dns-pod/${ns}/${name}`) || [])];
    for (const s of services) {
      for (const r of this.store.get(`dns/${s.namespace}/${s.name}`) || [])
        if (r.type === "A" && r.value === view.ip) dnsNames.push(r);
    }
    const env = execEnv(name, entry?.manifest, this.store.get(`env/${ns}/${name}`));
    return [
      this.section(
        `Pod ${name}`,
        h(
          "dl",
          { class: "facts" },
          h("dt", {}, "namespace"),
          h("dd", {}, ns),
          h("dt", {}, "status"),
          h("dd", {}, `${view.phase}${view.ready ? ", ready" : ", not ready"}`),
          h("dt", {}, "IP"),
          h("dd", { class: "mono" }, view.ip || "none yet"),
          h("dt", {}, "node"),
          h("dd", {}, view.node ? this.linkTo(`Node/-/${view.node}`, view.node) : "not scheduled"),
          h("dt", {}, "owner"),
          h(
            "dd",
            {},
            view.owner
              ? this.linkTo(
                  `${view.owner.kind}/${ns}/${view.owner.name}`,
                  `${view.owner.kind} ${view.owner.name}`,
                )
              : "none",
          ),
          h("dt", {}, "labels"),
          h("dd", { class: "mono" }, labelString(view.labels)),
        ),
        this.hintCards("Pod", ns, name),
        this.objectButtons(`Pod/${ns}/${name}`),
        h(
          "div",
          { class: "row" },
          h(
            "button",
            { type: "button", onclick: () => this.startTrace(`${ns}/${name}`) },
            "Trace a request from here",
          ),
          h(
            "button",
            { type: "button", onclick: () => this.startLookup(`${ns}/${name}`) },
            "nslookup from here",
          ),
        ),
      ),
      this.section(
        `Services sending it traffic (${services.length})`,
        services.length
          ? h(
              "ul",
              {},
              services.map((s) =>
                h(
                  "li",
                  {},
                  this.linkTo(`Service/${s.namespace}/${s.name}`, s.name),
                  ` ${s.clusterIP || ""} · ports ${s.endpoints
                    .filter((e) => e.pod === `${ns}/${name}`)
                    .map((e) => `${e.port}${e.ready ? "" : " (not ready)"}`)
                    .join(", ")}`,
                ),
              ),
            )
          : h("p", { class: "muted" }, "No Service selects this pod."),
        selectedBy.length
          ? h(
              "p",
              { class: "muted" },
              `Selected but not an endpoint of: ${selectedBy.map((s) => s.name).join(", ")} (no matching port)`,
            )
          : null,
      ),
      this.section(
        "DNS names",
        dnsNames.length
          ? this.pre(
              table(
                ["NAME", "TYPE", "VALUE"],
                dnsNames.map((r) => [r.name, r.type, r.value]),
              ),
            )
          : h("p", { class: "muted" }, "No DNS record points at this pod (it has no IP)."),
      ),
      this.section(
        `kubectl exec ${name} -- env`,
        h(
          "pre",
          { class: "kubectl env" },
          env.map((line) =>
            h(
              "span",
              { class: `env-${line.source.replace(/\s/g, "-")}`, title: line.source },
              `${line.text}\n`,
            ),
          ),
        ),
        h(
          "p",
          { class: "muted" },
          "Service variables (in blue) exist only for Services of this namespace created before the pod, as kubelet writes them.",
        ),
      ),
    ];
  }

  inspectService(d) {
    const ns = d.namespace;
    const name = d.label;
    const svc = this.store.get(`service/${ns}/${name}`);
    if (!svc) return [];
    const entry = this.store.object(`Service/${ns}/${name}`);
    const pods = this.store.pods().filter((p) => p.namespace === ns);
    const rows = svc.selector
      ? pods.map((p) => {
          const misses = selectorMisses(svc.selector, p.labels);
          const endpoint = svc.endpoints.filter((e) => e.pod === p.ref);
          return h(
            "tr",
            { class: misses.length ? "miss" : "hit" },
            h("td", {}, this.linkTo(`Pod/${ns}/${p.name}`, p.name)),
            h(
              "td",
              {},
              misses.length
                ? `✗ ${misses.join(", ")}`
                : endpoint.length
                  ? `✓ endpoint ${endpoint.map((e) => `${e.ip}:${e.port}${e.ready ? "" : " (not ready)"}`).join(", ")}`
                  : "✓ selected, but no matching port or no IP",
            ),
          );
        })
      : [];
    const dns = this.store.get(`dns/${ns}/${name}`) || [];
    const svcPort = svc.ports[0];
    return [
      this.section(
        `Service ${name}`,
        h(
          "dl",
          { class: "facts" },
          h("dt", {}, "namespace"),
          h("dd", {}, ns),
          h("dt", {}, "type"),
          h("dd", {}, svc.type),
          h("dt", {}, "cluster IP"),
          h("dd", { class: "mono" }, svc.clusterIP || "none"),
          svc.type === "LoadBalancer"
            ? [h("dt", {}, "LoadBalancer IP"), h("dd", { class: "mono" }, svc.loadBalancerIP || "<pending>")]
            : null,
          svc.externalName
            ? [h("dt", {}, "external name"), h("dd", { class: "mono" }, svc.externalName)]
            : null,
          h("dt", {}, "selector"),
          h("dd", { class: "mono" }, svc.selector ? labelString(svc.selector) : "none"),
        ),
        this.pre(
          table(
            ["NAME", "PORT", "TARGETPORT", "NODEPORT", "PROTOCOL"],
            svc.ports.map((p) => [
              p.name || "<unset>",
              p.port,
              p.targetPort,
              p.nodePort || "<none>",
              p.protocol,
            ]),
          ),
        ),
        this.hintCards("Service", ns, name),
        this.objectButtons(`Service/${ns}/${name}`),
        h(
          "div",
          { class: "row" },
          svcPort && svc.type !== "ExternalName"
            ? h(
                "button",
                {
                  type: "button",
                  onclick: () =>
                    this.startTrace(
                      this.defaultPod(),
                      `http://${name}${ns === "default" ? "" : `.${ns}`}:${svcPort.port}/`,
                    ),
                },
                "Trace a request to it",
              )
            : null,
          svc.type !== "ExternalName"
            ? h(
                "button",
                {
                  type: "button",
                  onclick: () => {
                    this.rulesFor = `${ns}/${name}`;
                    this.showTab("rules");
                  },
                },
                "kube-proxy rules",
              )
            : null,
        ),
      ),
      svc.selector
        ? this.section(
            "Which pods the selector picks (every label must match: AND)",
            h("table", { class: "match" }, rows),
            rows.length ? null : h("p", { class: "muted" }, `No pods in namespace ${ns}.`),
          )
        : null,
      this.section(
        `kubectl describe endpoints ${name}`,
        this.pre(describeEndpoints({ ...svc, namespace: ns, name }, entry?.labels)),
      ),
      dns.length
        ? this.section(
            "DNS records",
            this.pre(
              table(
                ["NAME", "TYPE", "VALUE"],
                dns.map((r) => [r.name, r.type, r.value]),
              ),
            ),
          )
        : null,
    ];
  }

  inspectNode(d) {
    const view = this.store.get(`node/${d.label}`);
    const pods = this.store.pods().filter((p) => p.node === d.label);
    return [
      this.section(
        `Node ${d.label}`,
        h(
          "dl",
          { class: "facts" },
          h("dt", {}, "role"),
          h("dd", {}, d.role),
          h("dt", {}, "IP"),
          h("dd", { class: "mono" }, d.ip),
          h("dt", {}, "pod CIDR"),
          h("dd", { class: "mono" }, d.podCIDR),
          h("dt", {}, "labels"),
          h("dd", { class: "mono" }, labelString(view?.labels)),
          h("dt", {}, "taints"),
          h(
            "dd",
            { class: "mono" },
            (view?.taints || [])
              .map((t) => `${t.key}${t.value ? `=${t.value}` : ""}:${t.effect}`)
              .join(", ") || "none",
          ),
          h("dt", {}, "NodePorts"),
          h("dd", { class: "mono" }, (d.nodePorts || []).join(", ") || "none"),
        ),
        h(
          "p",
          { class: "muted" },
          "kube-proxy on every node listens on each NodePort and forwards to the Service's endpoints, wherever they run.",
        ),
        this.objectButtons(`Node/-/${d.label}`),
      ),
      this.section(
        `Pods on ${d.label} (${pods.length})`,
        h(
          "table",
          { class: "kubectl-table" },
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              ["NAMESPACE", "NAME", "READY", "STATUS", "IP", ""].map((c) => h("th", {}, c)),
            ),
          ),
          h(
            "tbody",
            {},
            pods.slice(0, MAX_ROWS).map((p) =>
              h(
                "tr",
                { onclick: () => this.selectOnDiagram(`Pod/${p.namespace}/${p.name}`) },
                h("td", {}, p.namespace),
                h("td", {}, p.name),
                h("td", {}, p.ready ? "1/1" : "0/1"),
                h("td", {}, p.phase),
                h("td", {}, p.ip || "<none>"),
                h(
                  "td",
                  {},
                  h(
                    "button",
                    {
                      type: "button",
                      class: "link",
                      onclick: (e) => {
                        e.stopPropagation();
                        this.openObject(`Pod/${p.namespace}/${p.name}`);
                      },
                    },
                    "edit",
                  ),
                ),
              ),
            ),
          ),
        ),
      ),
    ];
  }

  inspectIngress(d) {
    const ns = d.namespace;
    const view = this.store.get(`ingress/${ns}/${d.label}`);
    if (!view) return [];
    return [
      this.section(
        `Ingress ${d.label}`,
        h(
          "dl",
          { class: "facts" },
          h("dt", {}, "class"),
          h("dd", {}, view.class || "(default)"),
          h("dt", {}, "default backend"),
          h(
            "dd",
            { class: "mono" },
            view.defaultBackend
              ? `${view.defaultBackend.service || view.defaultBackend.resource}:${view.defaultBackend.port ?? ""}`
              : "none (the controller answers 404)",
          ),
        ),
        this.pre(
          table(
            ["HOST", "PATH", "PATHTYPE", "BACKEND"],
            view.rules.map((r) => [r.host || "*", r.path || "/", r.pathType || "", `${r.service}:${r.port}`]),
          ),
        ),
        h(
          "p",
          { class: "muted" },
          "Longest matching path wins; Exact beats Prefix; a Prefix matches whole path elements (/foo matches /foo/bar, not /foobar).",
        ),
        this.objectButtons(`Ingress/${ns}/${d.label}`),
        h(
          "div",
          { class: "row" },
          h(
            "button",
            {
              type: "button",
              onclick: () => {
                const r = view.rules[0];
                this.startTrace("external", `http://${r?.host || "example.com"}${r?.path || "/"}`);
              },
            },
            "Trace a request through it",
          ),
        ),
      ),
    ];
  }

  inspectWorld() {
    const exposed = this.store.services().filter((s) => s.type === "NodePort" || s.type === "LoadBalancer");
    const ingresses = this.store.list("ingress");
    const nodes = this.store.list("node");
    return [
      this.section(
        "The outside world",
        h(
          "p",
          {},
          "Traffic from outside reaches the cluster through an Ingress (HTTP by host and path), a NodePort (any node's IP), or a LoadBalancer's IP.",
        ),
        this.pre(
          table(
            ["SERVICE", "TYPE", "REACH IT AT"],
            exposed.map((s) => [
              `${s.namespace}/${s.name}`,
              s.type,
              [
                s.type === "LoadBalancer" ? `${s.loadBalancerIP || "<pending>"}:${s.ports[0]?.port}` : null,
                ...s.ports.filter((p) => p.nodePort).map((p) => `<any node IP>:${p.nodePort}`),
              ]
                .filter(Boolean)
                .join(", "),
            ]),
          ),
        ),
        h("p", { class: "muted" }, `Node IPs: ${nodes.map(([k, v]) => `${k.slice(5)} ${v.ip}`).join(", ")}`),
        ingresses.length
          ? h(
              "p",
              {},
              "Ingresses: ",
              ingresses.map(([k]) => this.linkTo(`Ingress/${k.slice(8)}`, k.slice(8))),
            )
          : null,
      ),
    ];
  }

  inspectOwner(kind, d) {
    const ns = d.namespace;
    const key = `${kind.toLowerCase()}/${ns}/${d.label}`;
    const view = this.store.get(key);
    const out = [
      this.section(
        `${kind} ${d.label}`,
        h("p", {}, d.summary || ""),
        this.objectButtons(`${kind}/${ns}/${d.label}`),
      ),
    ];
    if (view?.pods)
      out.push(
        this.section(
          `Pods (${view.pods.length})`,
          h(
            "ul",
            { class: "mono" },
            view.pods.slice(0, MAX_ROWS).map((p) => h("li", {}, this.linkTo(`Pod/${p}`, p))),
          ),
        ),
      );
    return out;
  }

  // ------------------------------------------------------------------ services
  renderServices() {
    const services = this.store.services();
    const rows = services.slice(0, MAX_ROWS).map((s) =>
      h(
        "tr",
        {
          class: s.endpoints.length || s.type === "ExternalName" ? "" : "warn",
          onclick: () => this.selectOnDiagram(`Service/${s.namespace}/${s.name}`),
        },
        h("td", {}, s.namespace),
        h("td", {}, s.name),
        h("td", {}, s.type),
        h("td", {}, s.clusterIP || "<none>"),
        h(
          "td",
          {},
          s.type === "ExternalName"
            ? s.externalName
            : s.type === "LoadBalancer"
              ? s.loadBalancerIP || "<pending>"
              : "<none>",
        ),
        h(
          "td",
          {},
          s.ports.map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ""}/${p.protocol}`).join(",") ||
            "<none>",
        ),
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
                this.openObject(`Service/${s.namespace}/${s.name}`);
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
            `${s.endpoints.filter((e) => e.ready).length} ready${s.endpoints.some((e) => !e.ready) ? `, ${s.endpoints.filter((e) => !e.ready).length} not ready` : ""}`,
          ),
        ),
      );
      details.addEventListener(
        "toggle",
        () => {
          if (details.open && details.children.length === 1)
            details.append(
              this.pre(describeEndpoints(s, this.store.object(`Service/${s.namespace}/${s.name}`)?.labels)),
            );
        },
        { once: false },
      );
      return details;
    });
    this.body.replaceChildren(
      this.section(
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
        h("details", { class: "plain" }, h("summary", {}, "as plain text"), this.pre(text)),
        services.length > MAX_ROWS
          ? h("p", { class: "muted" }, `first ${MAX_ROWS} of ${services.length}`)
          : null,
      ),
      this.section("kubectl describe endpoints", ...describes),
    );
  }

  // ------------------------------------------------------------------ DNS
  startLookup(from) {
    this.dnsState.from = from;
    this.showTab("dns");
    this.forms?.name?.focus();
  }

  renderDns(full) {
    if (full || !this.forms) {
      const st = this.dnsState;
      if (!st.from) st.from = this.defaultPod();
      const from = h(
        "select",
        {
          id: "nslookup-from",
          "aria-label": "from pod",
          onchange: (e) => {
            st.from = e.target.value;
          },
        },
        this.podOptions(st.from, false),
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
          this.renderDnsTable();
        },
      });
      this.forms = { name, from };
      this.dnsOut = h("div", { id: "nslookup-out" });
      this.dnsTable = h("div");
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
        this.section(
          "nslookup inside a pod",
          form,
          this.dnsOut,
          h(
            "p",
            { class: "muted" },
            "The pod's /etc/resolv.conf: nameserver 10.96.0.10, search <ns>.svc.cluster.local svc.cluster.local cluster.local, options ndots:5. A name with fewer than 5 dots tries the search list first.",
          ),
        ),
        this.section("Cluster DNS records", filter, this.dnsTable),
      );
    }
    this.renderDnsTable();
  }

  renderDnsTable() {
    const f = this.dnsState.filter.toLowerCase();
    const records = [];
    for (const family of ["dns", "dns-pod"]) {
      for (const [, list] of this.store.list(family))
        for (const r of list)
          if (!f || `${r.name} ${r.type} ${r.value}`.toLowerCase().includes(f)) records.push(r);
    }
    records.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.type < b.type ? -1 : 1));
    this.dnsTable.replaceChildren(
      this.pre(
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
    const st = this.dnsState;
    if (!st.name.trim()) return;
    this.dnsOut.replaceChildren(h("p", { class: "muted" }, "asking 10.96.0.10…"));
    let reply;
    try {
      reply = await this.requests.resolve({
        from: st.from,
        name: st.name.trim(),
        rtype: st.type,
      });
    } catch (err) {
      this.dnsOut.replaceChildren(h("div", { class: "error-box" }, String(err.message || err)));
      return;
    }
    const r = reply.result || {};
    if (r.error) {
      this.dnsOut.replaceChildren(h("div", { class: "error-box" }, r.error));
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
        else
          lines.push(
            `${a.name}\t${a.type === "CNAME" ? "canonical name" : a.type === "SRV" ? "service" : "name"} = ${a.value}`,
          );
      }
    } else {
      lines.push(`** server can't find ${st.name.trim()}: ${r.rcode}`);
    }
    this.dnsOut.replaceChildren(
      h(
        "div",
        { class: "tried" },
        h("div", { class: "box-title" }, "Names the resolver tried, in order"),
        h("ol", { id: "nslookup-tried" }, tried),
      ),
      this.pre(lines.join("\n"), r.rcode === "NOERROR" ? "" : "fail"),
    );
  }

  // ------------------------------------------------------------------ trace
  startTrace(from, url) {
    if (from) this.traceState.from = from;
    if (url) this.traceState.url = url;
    this.showTab("trace");
    if (from && url) this.trace();
  }

  renderTrace(full) {
    if (!full && this.forms) return;
    const st = this.traceState;
    if (!st.from) st.from = this.defaultPod() || "external";
    if (!st.url) {
      const svc = this.store
        .services()
        .find((s) => s.namespace !== "kube-system" && s.name !== "kubernetes" && s.ports.length);
      st.url = svc
        ? `http://${svc.name}${svc.namespace === "default" ? "" : `.${svc.namespace}`}:${svc.ports[0].port}/`
        : "http://";
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
      this.podOptions(st.from, true),
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
      this.traceSuggestions().map((u) => h("option", { value: u })),
    );
    this.forms = { url };
    this.traceOut = this.traceOut || h("div", { id: "trace-out" });
    this.body.replaceChildren(
      this.section(
        "Request tracer",
        h(
          "form",
          {
            class: "query",
            onsubmit: (e) => {
              e.preventDefault();
              this.trace();
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
        h(
          "p",
          { class: "muted" },
          "The path is drawn on the diagram hop by hop: DNS → Ingress → Service → kube-proxy → pod. No packet is sent: the simulator follows the rules a real cluster would.",
        ),
      ),
      this.traceOut,
    );
  }

  traceSuggestions() {
    const out = [];
    for (const s of this.store.services()) {
      if (s.namespace === "kube-system") continue;
      for (const p of s.ports) {
        out.push(`http://${s.name}${s.namespace === "default" ? "" : `.${s.namespace}`}:${p.port}/`);
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
    return [...new Set(out)].slice(0, 60);
  }

  async trace() {
    const st = this.traceState;
    this.traceOut.replaceChildren(h("p", { class: "muted" }, "tracing…"));
    let reply;
    try {
      reply = await this.requests.trace({ from: st.from, url: st.url.trim() });
    } catch (err) {
      this.traceOut.replaceChildren(h("div", { class: "error-box" }, String(err.message || err)));
      return;
    }
    const r = reply.result || {};
    const rows = this.traceRows(st.from, r);
    const ids = this.showTrace(st.from, r);
    this.onTrace?.({ ok: r.ok, steps: ids });
    this.traceOut.replaceChildren(
      this.section(
        r.ok ? "Delivered" : "Not delivered",
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
              `kube-proxy picks one of ${r.candidates.length} endpoints at random: ${r.candidates.join(", ")}`,
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

  /** A sentence per hop of a trace reply. */
  traceRows(from, r) {
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

  // ------------------------------------------------------------------ kube-proxy
  renderRules() {
    const services = this.store.services().filter((s) => s.type !== "ExternalName");
    if (!this.rulesFor || !this.store.get(`rules/${this.rulesFor}`)) {
      const first =
        services.find((s) => s.namespace !== "kube-system" && s.name !== "kubernetes") || services[0];
      this.rulesFor = first ? first.ref : null;
    }
    const select = h(
      "select",
      {
        "aria-label": "Service",
        onchange: (e) => {
          this.rulesFor = e.target.value;
          this.renderRules();
        },
      },
      services
        .slice(0, MAX_ROWS * 2)
        .map((s) => h("option", { value: s.ref, selected: s.ref === this.rulesFor }, s.ref)),
    );
    const rules = this.rulesFor ? this.store.get(`rules/${this.rulesFor}`) : null;
    const lines = rules?.nat || [];
    const pre = h(
      "pre",
      { class: "kubectl rules" },
      lines.map((line) => {
        const cls = line.includes("-j DNAT")
          ? "dnat"
          : line.includes("statistic")
            ? "stat"
            : line.includes("KUBE-MARK-MASQ")
              ? "masq"
              : line.includes("REJECT") || line.includes("DROP")
                ? "drop"
                : "";
        return h("span", { class: cls }, `${line}\n`);
      }),
    );
    this.body.replaceChildren(
      this.section(
        "kube-proxy (iptables mode): one Service's chains",
        h("label", {}, "Service ", select),
        rules?.skipped ? h("p", { class: "muted" }, rules.skipped) : null,
        h(
          "p",
          { class: "muted" },
          `The nat table as iptables-save prints it on node ${rules?.node || "worker-1"}. KUBE-SERVICES matches the cluster IP and port, KUBE-SVC-… picks an endpoint (statistic --probability 1/n, 1/(n-1), …), KUBE-SEP-… DNATs to pod IP:targetPort.`,
        ),
        lines.length ? pre : h("p", { class: "muted" }, "No rules."),
      ),
    );
  }

  // ------------------------------------------------------------------ workloads
  renderWorkloads() {
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
      const name = key.slice(4);
      const total = j.completions ?? 1;
      const pct = Math.min(100, Math.round((100 * j.succeeded) / Math.max(1, total)));
      return h(
        "div",
        { class: "job" },
        h(
          "div",
          { class: "job-head" },
          this.linkTo(`Job/${name}`, name),
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
          `completions ${j.succeeded}/${total} · parallelism ${j.parallelism} · active ${j.active} · failed ${j.failed}`,
        ),
      );
    });
    const daemonsets = this.store.list("daemonset").map(([key, ds]) => {
      const name = key.slice(10);
      const byNode = new Map(this.store.list("node").map(([k]) => [k.slice(5), null]));
      for (const p of ds.pods) {
        const view = this.store.get(`pod/${p}`);
        if (view?.node) byNode.set(view.node, p.split("/")[1]);
      }
      return h(
        "div",
        { class: "ds" },
        h(
          "div",
          { class: "job-head" },
          this.linkTo(`DaemonSet/${name}`, name),
          h(
            "span",
            { class: ds.current === ds.desired ? "ok-pill" : "warn-pill" },
            `${ds.current}/${ds.desired} scheduled`,
          ),
        ),
        this.pre(
          table(
            ["NODE", "POD"],
            [...byNode].map(([node, pod]) => [node, pod || "— (not eligible: taint or nodeSelector)"]),
          ),
        ),
      );
    });
    const deployments = this.store
      .list("deployment")
      .map(([key, dep]) => [key.slice(11), `${dep.ready}/${dep.replicas}`, dep.pods.length]);
    this.body.replaceChildren(
      this.section(
        "Jobs",
        clock,
        jobs.length ? jobs : h("p", { class: "muted" }, "No Jobs. Add one from “+ New…” in the editor."),
        h(
          "p",
          { class: "muted" },
          "Jobs run on a simulated clock: each pod runs for its kubeviz.io/run-seconds (default 10 s).",
        ),
      ),
      this.section(
        "DaemonSets: one pod per eligible node",
        daemonsets.length ? daemonsets : h("p", { class: "muted" }, "No DaemonSets."),
      ),
      this.section(
        "Deployments",
        deployments.length
          ? this.pre(table(["NAME", "READY", "PODS"], deployments))
          : h("p", { class: "muted" }, "No Deployments."),
      ),
    );
  }

  async clock(action, seconds) {
    try {
      await this.requests.clock({ action, seconds });
    } catch (err) {
      /* the readout stays as it was; the status dot says why */
    }
  }
}

/** Lesson text: `backticks` become code. */
function richText(text) {
  return String(text || "")
    .split(/(`[^`]+`)/)
    .map((part) =>
      part.startsWith("`") && part.endsWith("`") && part.length > 2 ? h("code", {}, part.slice(1, -1)) : part,
    );
}
