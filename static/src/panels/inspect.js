// Inspect: the selection explained (a pod's Services, DNS names and `env`; which pods a Service's
// selector picks; a Node's pods; an Ingress's rules; how the outside world gets in), or, with
// nothing selected, the lesson and what to notice in it.

import { h } from "../dom.js";
import { describeEndpoints, execEnv, labelString, table } from "../kube.js";
import {
  envKey,
  graphNodeKey,
  keyTail,
  namespaced,
  objectRef,
  dnsPodKey,
  refIn,
  splitNamespaced,
  dnsKey,
  viewKey,
} from "../protocol/keys.js";
import { MAX_ROWS, defaultPod, hintCards, linkTo, objectButtons, pre, section } from "./parts.js";
import { serviceUrl } from "./trace.js";

const HOW_TO_READ = [
  "Left to right: the outside world → Ingress → Service → the pods it sends traffic to, inside their Node.",
  "An arrow is one endpoint, labelled Service port → pod port. Dashed orange: the pod is not ready.",
  "A Service in red with ⚠ has no endpoints; click it to see which label each pod lacks.",
  "Click anything to inspect it; double-click to edit its YAML.",
];

/** "10.244.1.2:8080", "(not ready)" when it is not. */
function endpointAddress(e) {
  return `${e.ip}:${e.port}${e.ready ? "" : " (not ready)"}`;
}

/** A pod's row in a Service's "which pods the selector picks": [class, text]. The addresses
 *  come from the Service's view, the rest from the server's explain-service `facts` (undefined
 *  while they are asked for). */
function selection(svc, pod, facts) {
  const endpoint = svc.endpoints.filter((e) => e.pod === pod);
  if (endpoint.length) return ["hit", `✓ endpoint ${endpoint.map(endpointAddress).join(", ")}`];
  if (!facts) return ["", "…"];
  if (facts.misses.length) return ["miss", `✗ ${facts.misses.join(", ")}`];
  return ["hit", `✓ selected, but ${facts.notEndpoint || "not an endpoint"}`];
}

function defaultBackend(backend) {
  if (!backend) return "none (the controller answers 404)";
  return `${backend.service || backend.resource}:${backend.port ?? ""}`;
}

/** Lesson text: `backticks` become code. */
function richText(text) {
  return String(text || "")
    .split(/(`[^`]+`)/)
    .map((part) =>
      part.startsWith("`") && part.endsWith("`") && part.length > 2 ? h("code", {}, part.slice(1, -1)) : part,
    );
}

/** What is true when no hint fires, said from the views (no rule re-derived here): which
 *  Services have endpoints, which have none by design, what the pods are doing. */
export function nothingOdd(store) {
  const services = store.services().filter((s) => s.namespace !== "kube-system" && s.name !== "kubernetes");
  const pods = store.pods().filter((p) => p.namespace !== "kube-system");
  const parts = [];
  const selecting = services.filter((s) => s.type !== "ExternalName");
  const external = services.filter((s) => s.type === "ExternalName");
  if (selecting.length)
    parts.push(
      selecting.length === 1
        ? `Service ${selecting[0].name} has endpoints.`
        : `All ${selecting.length} Services have endpoints.`,
    );
  for (const s of external)
    parts.push(
      `${s.name} is an ExternalName Service: no endpoints by design; DNS answers a CNAME to ${s.externalName}.`,
    );
  if (!services.length) parts.push("No Service here.");
  const done = pods.filter((p) => p.phase === "Succeeded" || p.phase === "Failed");
  const placed = pods.filter((p) => p.node && !done.includes(p)).length;
  if (pods.length)
    parts.push(
      `${placed} pod${placed === 1 ? "" : "s"} on a node${
        done.length ? `; ${done.length} finished (${done[0].phase}): finished pods get no traffic` : ""
      }.`,
    );
  else parts.push("No pods yet.");
  return `Nothing odd. ${parts.join(" ")}`;
}

export class InspectTab {
  /**
   * @param {object} options  store; lesson ({title, description, source} | null); canEdit;
   *   explanations, the server's answers on why pods are behind a Service or not (protocol/explain.js);
   *   select(id | null) on the diagram; openObject(ref), deleteObject(entry): the editor's;
   *   traceFrom(from, url), lookupFrom(from), showRules(service): the other tabs'
   */
  constructor(body, options) {
    const { store, lesson, canEdit, select, openObject, deleteObject } = options;
    this.body = body;
    this.store = store;
    this.explanations = options.explanations;
    this.lesson = lesson;
    this.select = select;
    this.openObject = openObject;
    this.traceFrom = options.traceFrom;
    this.lookupFrom = options.lookupFrom;
    this.showRules = options.showRules;
    this.actions = { store, openObject, deleteObject, canEdit };
    this.selected = null; // the diagram's selection
  }

  link(id, text) {
    return linkTo(this.select, id, text);
  }

  objectButtons(ref) {
    return objectButtons(this.actions, ref);
  }

  render() {
    const id = this.selected;
    const el = id ? this.store.get(graphNodeKey(id)) : null;
    if (!el) {
      this.body.replaceChildren(...this.overview());
      return;
    }
    const d = el.data;
    const kind = d.kind;
    const out = [];
    if (kind === "Pod") out.push(...this.inspectPod(d));
    else if (kind === "Service") out.push(...this.inspectService(d));
    else if (kind === "Node") out.push(...this.inspectNode(d));
    else if (kind === "Ingress") out.push(...this.inspectIngress(d));
    else if (kind === "Namespace") out.push(section(`Namespace ${d.label}`, this.objectButtons(id)));
    else if (kind === "World") out.push(...this.inspectWorld());
    else if (kind === "External")
      out.push(
        section(
          `External name ${d.label}`,
          h(
            "p",
            {},
            `Outside the cluster: the cluster DNS answers a CNAME to ${d.externalName}; ` +
              "the request leaves the cluster there.",
          ),
        ),
      );
    else out.push(...this.inspectOwner(kind, d));
    this.body.replaceChildren(
      h("button", { type: "button", class: "link back", onclick: () => this.select(null) }, "← overview"),
      ...out,
    );
  }

  overview() {
    const out = [];
    if (this.lesson) {
      out.push(
        section(
          this.lesson.title,
          h("p", { class: "lesson" }, richText(this.lesson.description)),
          this.lesson.source ? h("p", { class: "muted" }, `Source: ${this.lesson.source}`) : null,
        ),
      );
    }
    const hints = this.store.list("hints").flatMap(([, list]) => list);
    out.push(
      section(
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
                  this.link(objectRef(hint.kind, hint.namespace, hint.name), "show"),
                ),
                hint.hint ? h("div", { class: "hint-fix" }, hint.hint) : null,
              ),
            )
          : h("p", { class: "muted", id: "nothing-odd" }, nothingOdd(this.store)),
      ),
    );
    out.push(
      section(
        "How to read the diagram",
        h(
          "ul",
          { class: "legend-list" },
          HOW_TO_READ.map((line) => h("li", {}, line)),
        ),
      ),
    );
    return out;
  }

  /** The Services whose endpoints include the pod ("namespace/name"), from their views. */
  servicesOfPod(namespace, pod) {
    return this.store
      .services()
      .filter((s) => s.namespace === namespace && s.endpoints.some((e) => e.pod === pod));
  }

  inspectPod(d) {
    const ns = d.namespace;
    const name = d.label;
    const view = this.store.get(viewKey("Pod", ns, name));
    const entry = this.store.object(objectRef("Pod", ns, name));
    if (!view) return [];
    const pod = namespaced(ns, name);
    const services = this.servicesOfPod(ns, pod);
    // The Services that select the pod and yet do not send it traffic, and why (the server says).
    const behind = new Set(services.map((s) => s.ref));
    const selectedBy = (this.explanations.pod(pod)?.services || []).filter(
      (s) => !s.endpoint && !behind.has(s.service),
    );
    const dnsNames = [...(this.store.get(dnsPodKey(ns, name)) || [])];
    for (const s of services) {
      for (const r of this.store.get(dnsKey(s.namespace, s.name)) || [])
        if (r.type === "A" && r.value === view.ip) dnsNames.push(r);
    }
    const env = execEnv(name, entry?.manifest, this.store.get(envKey(ns, name)));
    return [
      section(
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
          h("dd", {}, view.node ? this.link(objectRef("Node", "", view.node), view.node) : "not scheduled"),
          h("dt", {}, "owner"),
          h(
            "dd",
            {},
            view.owner
              ? this.link(
                  objectRef(view.owner.kind, ns, view.owner.name),
                  `${view.owner.kind} ${view.owner.name}`,
                )
              : "none",
          ),
          h("dt", {}, "labels"),
          h("dd", { class: "mono" }, labelString(view.labels)),
        ),
        hintCards(this.store, "Pod", ns, name),
        this.objectButtons(objectRef("Pod", ns, name)),
        h(
          "div",
          { class: "row" },
          h("button", { type: "button", onclick: () => this.traceFrom(pod) }, "Trace a request from here"),
          h("button", { type: "button", onclick: () => this.lookupFrom(pod) }, "nslookup from here"),
        ),
      ),
      section(
        `Services sending it traffic (${services.length})`,
        services.length
          ? h(
              "ul",
              {},
              services.map((s) =>
                h(
                  "li",
                  {},
                  this.link(objectRef("Service", s.namespace, s.name), s.name),
                  ` ${s.clusterIP || ""} · ports ${s.endpoints
                    .filter((e) => e.pod === pod)
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
              "Selected but not an endpoint of: ",
              selectedBy.map((s) => `${splitNamespaced(s.service).name} (${s.notEndpoint})`).join("; "),
            )
          : null,
      ),
      section(
        "DNS names",
        dnsNames.length
          ? pre(
              table(
                ["NAME", "TYPE", "VALUE"],
                dnsNames.map((r) => [r.name, r.type, r.value]),
              ),
            )
          : h("p", { class: "muted" }, "No DNS record points at this pod (it has no IP)."),
      ),
      section(
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
          "Service variables (in blue) exist only for Services of this namespace created before the " +
            "pod, as kubelet writes them.",
        ),
      ),
    ];
  }

  inspectService(d) {
    const ns = d.namespace;
    const name = d.label;
    const svc = this.store.get(viewKey("Service", ns, name));
    if (!svc) return [];
    const entry = this.store.object(objectRef("Service", ns, name));
    const pods = this.store.pods().filter((p) => p.namespace === ns);
    const explanation = svc.selector ? this.explanations.service(namespaced(ns, name)) : null;
    const rows = svc.selector
      ? pods.map((p) => {
          const [cls, text] = selection(svc, p.ref, explanation?.pods[p.ref]);
          return h(
            "tr",
            { class: cls },
            h("td", {}, this.link(objectRef("Pod", ns, p.name), p.name)),
            h("td", {}, text),
          );
        })
      : [];
    const dns = this.store.get(dnsKey(ns, name)) || [];
    const svcPort = svc.ports[0];
    return [
      section(
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
        pre(
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
        hintCards(this.store, "Service", ns, name),
        this.objectButtons(objectRef("Service", ns, name)),
        h(
          "div",
          { class: "row" },
          svcPort && svc.type !== "ExternalName"
            ? h(
                "button",
                {
                  type: "button",
                  onclick: () => this.traceFrom(defaultPod(this.store), serviceUrl(ns, name, svcPort.port)),
                },
                "Trace a request to it",
              )
            : null,
          svc.type !== "ExternalName"
            ? h(
                "button",
                {
                  type: "button",
                  onclick: () => this.showRules(namespaced(ns, name)),
                },
                "kube-proxy rules",
              )
            : null,
        ),
      ),
      svc.selector
        ? section(
            "Which pods the selector picks (every label must match: AND)",
            h("table", { class: "match" }, rows),
            rows.length ? null : h("p", { class: "muted" }, `No pods in namespace ${ns}.`),
          )
        : null,
      section(
        `kubectl describe endpoints ${name}`,
        pre(describeEndpoints({ ...svc, namespace: ns, name }, entry?.labels)),
      ),
      dns.length
        ? section(
            "DNS records",
            pre(
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
    const view = this.store.get(viewKey("Node", "", d.label));
    const pods = this.store.pods().filter((p) => p.node === d.label);
    return [
      section(
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
          "kube-proxy on every node listens on each NodePort and forwards to the Service's endpoints, " +
            "wherever they run.",
        ),
        this.objectButtons(objectRef("Node", "", d.label)),
      ),
      section(
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
                { onclick: () => this.select(objectRef("Pod", p.namespace, p.name)) },
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
                        this.openObject(objectRef("Pod", p.namespace, p.name));
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
    const view = this.store.get(viewKey("Ingress", ns, d.label));
    if (!view) return [];
    return [
      section(
        `Ingress ${d.label}`,
        h(
          "dl",
          { class: "facts" },
          h("dt", {}, "class"),
          h("dd", {}, view.class || "(default)"),
          h("dt", {}, "default backend"),
          h("dd", { class: "mono" }, defaultBackend(view.defaultBackend)),
        ),
        pre(
          table(
            ["HOST", "PATH", "PATHTYPE", "BACKEND"],
            view.rules.map((r) => [r.host || "*", r.path || "/", r.pathType || "", `${r.service}:${r.port}`]),
          ),
        ),
        h(
          "p",
          { class: "muted" },
          "Longest matching path wins; Exact beats Prefix; a Prefix matches whole path elements " +
            "(/foo matches /foo/bar, not /foobar).",
        ),
        view.rules.some((r) => r.pathType === "ImplementationSpecific")
          ? h(
              "p",
              { class: "note", id: "implementation-specific" },
              "ImplementationSpecific: the Ingress controller decides. The simulator matches it as " +
                "ingress-nginx does, as a plain string prefix: " +
                view.rules
                  .filter((r) => r.pathType === "ImplementationSpecific")
                  .map((r) => `${r.path || "/"} also matches ${(r.path || "/").replace(/\/$/, "")}x`)
                  .join(", ") +
                ", which a Prefix path would not.",
            )
          : null,
        this.objectButtons(objectRef("Ingress", ns, d.label)),
        h(
          "div",
          { class: "row" },
          h(
            "button",
            {
              type: "button",
              onclick: () => {
                const r = view.rules[0];
                this.traceFrom("external", `http://${r?.host || "example.com"}${r?.path || "/"}`);
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
      section(
        "The outside world",
        h(
          "p",
          {},
          "Traffic from outside reaches the cluster through an Ingress (HTTP by host and path), " +
            "a NodePort (any node's IP), or a LoadBalancer's IP.",
        ),
        pre(
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
        h("p", { class: "muted" }, `Node IPs: ${nodes.map(([k, v]) => `${keyTail(k)} ${v.ip}`).join(", ")}`),
        ingresses.length
          ? h(
              "p",
              {},
              "Ingresses: ",
              ingresses.map(([k]) => this.link(refIn("Ingress", keyTail(k)), keyTail(k))),
            )
          : null,
      ),
    ];
  }

  inspectOwner(kind, d) {
    const ns = d.namespace;
    const view = this.store.get(viewKey(kind, ns, d.label));
    const out = [
      section(
        `${kind} ${d.label}`,
        h("p", {}, d.summary || ""),
        this.objectButtons(objectRef(kind, ns, d.label)),
      ),
    ];
    if (view?.pods)
      out.push(
        section(
          `Pods (${view.pods.length})`,
          h(
            "ul",
            { class: "mono" },
            view.pods.slice(0, MAX_ROWS).map((p) => h("li", {}, this.link(refIn("Pod", p), p))),
          ),
        ),
      );
    return out;
  }
}
