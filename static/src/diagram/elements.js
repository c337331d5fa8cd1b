// From the live protocol's `graph/*` entries to the Cytoscape elements the diagram draws: labels,
// tooltips, the classes that frames, owners and kube-system carry, what the toggles hide. Pure
// (static/tests/elements.test.mjs): no Cytoscape, no DOM.

import { keyTail, objectRef, parseRef } from "../protocol/keys.js";

export const OWNER_KINDS = new Set(["Deployment", "ReplicaSet", "Job", "DaemonSet"]);
/** Boxes that hold others: a namespace's Services and owners, a Node's pods, pods not scheduled. */
export const FRAME_KINDS = new Set(["Namespace", "Node", "Pending"]);
/** The box of pods no node was found for (the diagram's own; the server sends no parent). */
export const PENDING = objectRef("Pending", "", "unscheduled");
const SYSTEM_NS = "kube-system";
const SYSTEM_DEFAULTS = /^(kube-dns|coredns)/; // what every cluster has in kube-system
const KUBERNETES_SERVICE = objectRef("Service", "default", "kubernetes");
const FRAME_SIZE = { w: 200, h: 90 }; // until the layout sizes it
const NODE_PORTS_SHOWN = 4;

/** A Service without endpoints, in a few words under its name (the hint says the rest). */
const SHORT_WARNING = {
  "service-selects-no-pods": "⚠ no endpoints: selects no Pods",
  "service-selector-other-namespace": "⚠ no endpoints: pods in another namespace",
  "service-without-selector": "⚠ no endpoints: no selector",
  "service-no-endpoints": "⚠ no endpoints",
  "loadbalancer-pending": "⚠ no endpoints",
};

export function shortWarning(warning) {
  return SHORT_WARNING[warning.id] || "⚠ no endpoints";
}

/** A graph/node entry as a Cytoscape element. Positions are the diagram's, so no compound
 *  parents: `parent` becomes `host`, the box the layout puts it in (a pod without a Node's goes
 *  to the Pending box). */
export function nodeElement(entry) {
  const data = { ...entry.data };
  const kind = data.kind;
  const host = data.parent || null;
  delete data.parent;
  data.host = kind === "Pod" ? host || PENDING : host;
  let classes = entry.classes || "";
  if (FRAME_KINDS.has(kind)) {
    classes += " frame";
    Object.assign(data, FRAME_SIZE);
  }
  data.display = nodeLabel(data);
  data.short = shortLabel(data);
  if (FRAME_KINDS.has(kind)) data.labelShift = 8 + 14 * data.display.split("\n").length;
  if (isSystem(data)) classes += " system";
  if (OWNER_KINDS.has(kind)) classes += " owner";
  data.tooltip = tooltip(data);
  return { group: "nodes", data, classes };
}

export function edgeElement(entry) {
  const data = { ...entry.data };
  let classes = entry.classes || "";
  // From the outside world a LoadBalancer reads "LB <ip>"; its NodePorts are on the Node boxes.
  if (classes.includes("type-loadbalancer") && data.loadBalancerIP) data.label = `LB ${data.loadBalancerIP}`;
  if (data.source?.includes(`/${SYSTEM_NS}/`) || data.source === KUBERNETES_SERVICE) classes += " system";
  return { group: "edges", data, classes };
}

/** The Pending box, drawn while some pod has no Node. */
export function pendingFrame() {
  return {
    group: "nodes",
    data: {
      id: PENDING,
      kind: "Pending",
      label: "Pending",
      ...FRAME_SIZE,
      labelShift: 22,
      display: nodeLabel({ kind: "Pending" }),
    },
    classes: "frame pending-frame",
  };
}

/** kube-system's elements, and the API server's own Service (default/kubernetes). */
export function isSystem(data) {
  return (
    data.namespace === SYSTEM_NS ||
    data.id === objectRef("Namespace", "", SYSTEM_NS) ||
    data.id === KUBERNETES_SERVICE
  );
}

/** Whether a node's element shows, given the toggles ({owners, system}). */
export function isVisibleNode(data, { owners, system }) {
  if (!owners && OWNER_KINDS.has(data.kind)) return false;
  if (!system && isSystem(data)) return false;
  return true;
}

/** The toggles' defaults for a cluster (a Store): owners shown when there are Jobs or DaemonSets
 *  (what such a cluster is about); kube-system shown when something besides its defaults (kube-dns,
 *  CoreDNS) lives there. */
export function defaultVisibility(store) {
  const owners = store.list("job").length > 0 || store.list("daemonset").length > 0;
  const system = [...store.keys("object")].some((key) => {
    const { namespace, name } = parseRef(keyTail(key));
    return namespace === SYSTEM_NS && !SYSTEM_DEFAULTS.test(name);
  });
  return { owners, system };
}

/** The text drawn on a node: its name and what a student needs at a glance. */
export function nodeLabel(d) {
  switch (d.kind) {
    case "Pod": {
      if (d.count) {
        const leaving = d.terminatingCount ? `, ${d.terminatingCount} terminating` : "";
        return `${d.label} ×${d.count}\n${d.readyCount} ready${leaving}`;
      }
      const ns = d.namespace !== "default" ? ` · ${d.namespace}` : "";
      const shown = d.phase === "Running" ? (d.ready ? "" : " · not ready") : ` · ${d.phase}`;
      const state = d.terminating ? " · Terminating" : shown;
      return `${d.label}\n${d.ip || "no IP"}${state}${ns}`;
    }
    case "Service":
      return serviceLabel(d);
    case "Node":
      return nodeBoxLabel(d);
    case "Namespace":
      return `namespace ${d.label}`;
    case "Ingress":
      return `Ingress ${d.label}${d.ingressClass ? `\nclass ${d.ingressClass}` : ""}`;
    case "World":
      return "outside world";
    case "External":
      return `${d.label}\n(outside the cluster)`;
    case "Pending":
      return "Pending: no node fits";
    default:
      return `${d.kind} ${d.label}${d.summary ? `\n${d.summary}` : ""}`;
  }
}

const SHORT_NAME = 12; // characters: a pod's name at the presenter layout's size fits its box

/** A name cut to `max` characters, keeping a generated name's tail (webapp…52zm9). */
export function shortName(name, max = SHORT_NAME) {
  if (!name || name.length <= max) return name || "";
  const tail = name.split("-").pop();
  if (tail.length >= max - 2) return `${name.slice(0, max - 1)}…`;
  return `${name.slice(0, max - tail.length - 1)}…${tail}`;
}

/** The presenter layout's label (body.present): fewer, bigger words, read from the back of a
 *  room. Everything else stays in the panels and the tooltips. */
export function shortLabel(d) {
  if (d.kind === "Pod" && d.count) return `${shortName(d.label, 8)} ×${d.count}`;
  if (d.kind === "Pod") return shortName(d.label);
  if (d.kind === "Service") {
    const second = d.warning ? "⚠ no endpoints" : d.clusterIP === "None" ? "headless" : d.type;
    return `${shortName(d.label, 16)}\n${second}`;
  }
  return d.display;
}

function serviceLabel(d) {
  let second;
  if (d.type === "ExternalName") second = `ExternalName → ${d.externalName}`;
  else if (d.clusterIP === "None") second = "headless (clusterIP None)";
  else second = `${d.type} ${d.clusterIP || ""}`;
  const ports = (d.ports || []).join(", ");
  let third = ports;
  if (d.type === "LoadBalancer") third = `LB ${d.loadBalancerIP || "<pending>"} · ${ports}`;
  const warning = d.warning ? `\n${shortWarning(d.warning)}` : "";
  return `${d.label}\n${second}\n${third}${warning}`;
}

function nodeBoxLabel(d) {
  const ports = d.nodePorts || [];
  const shown = ports
    .slice(0, NODE_PORTS_SHOWN)
    .map((p) => p.replace("/TCP", ""))
    .join(", ");
  const more = ports.length > NODE_PORTS_SHOWN ? ` +${ports.length - NODE_PORTS_SHOWN} more` : "";
  const nodePorts = ports.length ? `\nNodePorts ${shown}${more}` : "";
  return `Node ${d.label} · ${d.ip || ""}\npod CIDR ${d.podCIDR || ""}${nodePorts}`;
}

/** A Service without endpoints says why on hover. */
export function tooltip(d) {
  if (d.kind === "Service" && d.warning) return `${d.warning.message}\n${d.warning.hint || ""}`;
  return "";
}
