// A traced request on the diagram: the path of a `trace` reply (docs/protocol.md) as element ids,
// lit hop by hop. A hop the diagram has no edge for (a pod calling a Service by name) gets an edge
// drawn for the trace only.

import { WORLD, externalEdgeId, externalId, ingressInEdgeId, objectRef } from "../protocol/keys.js";
import { parseRef, refIn, splitNamespaced } from "../protocol/keys.js";

const STEP_MS = 380;
const KUBE_DNS = objectRef("Service", "kube-system", "kube-dns");

/**
 * The diagram's elements along a trace reply's hops, in order: element ids, or {link: [source,
 * target], label} for a hop without an edge. Pure: `edgeBetween(source, target, cls)` answers
 * which edge joins two elements (null: none).
 * @param {string} from  "namespace/pod" or "external"
 */
export function traceSteps(from, result, edgeBetween) {
  const hops = result.hops || [];
  const source = from === "external" ? WORLD : refIn("Pod", from);
  const steps = [source];
  let previous = source;
  let service = null;
  for (const hop of hops) {
    if (hop.step === "dns") {
      steps.push(KUBE_DNS);
    } else if (hop.step === "ingress") {
      const { namespace, name } = splitNamespaced(hop.ingress);
      const ingress = objectRef("Ingress", namespace, name);
      steps.push(ingressInEdgeId(namespace, name), ingress);
      previous = ingress;
    } else if (hop.step === "nodeport") {
      steps.push(objectRef("Node", "", hop.node));
    } else if (hop.step === "service") {
      service = refIn("Service", hop.service);
      if (previous === source && from !== "external") {
        // pod → Service: no edge on the diagram for that; the trace draws one for the moment
        const dns = hops.find((x) => x.step === "dns");
        steps.push({
          link: [source, service],
          label: dns ? `${dns.name} → ${dns.value}:${hop.port}` : `:${hop.port}`,
        });
      } else {
        const edge = edgeBetween(previous, service) || edgeBetween(WORLD, service);
        if (edge) steps.push(edge);
      }
      steps.push(service);
      previous = service;
    } else if (hop.step === "endpoint") {
      const pod = refIn("Pod", hop.pod);
      const edge = service && edgeBetween(service, pod, "endpoint");
      if (edge) steps.push(edge);
      steps.push(pod);
    } else if (hop.step === "external" && service) {
      const { namespace, name } = parseRef(service);
      steps.push(externalEdgeId(namespace, name), externalId(namespace, name));
    }
  }
  return steps;
}

/** The trace drawn on one Cytoscape instance: at most one at a time. */
export class TraceLayer {
  constructor(cy) {
    this.cy = cy;
    this.timer = null;
    this.shown = false; // a trace is on the diagram
  }

  clear() {
    clearTimeout(this.timer);
    this.shown = false;
    this.cy.remove(".trace-link");
    this.cy.elements(".trace, .trace-fail, .trace-head").removeClass("trace trace-fail trace-head");
  }

  /** Light `steps` (traceSteps') hop by hop; the last one marked failed if the request fails.
   *  Returns the ids lit, in order (steps the diagram does not hold are skipped). */
  draw(steps, { failed = false, stepMs = STEP_MS } = {}) {
    this.clear();
    const cy = this.cy;
    const ids = [];
    let links = 0;
    this.shown = true;
    for (const step of steps) {
      if (typeof step === "string") {
        if (cy.getElementById(step).nonempty()) ids.push(step);
        continue;
      }
      const [source, target] = step.link;
      if (cy.getElementById(source).empty() || cy.getElementById(target).empty()) continue;
      const id = `trace-link/${links++}`;
      cy.add({
        group: "edges",
        data: { id, source, target, label: step.label || "" },
        classes: "trace-link pending",
      });
      ids.push(id);
    }
    let i = 0;
    const tick = () => {
      if (i > 0) cy.getElementById(ids[i - 1]).removeClass("trace-head");
      if (i >= ids.length) {
        if (failed && ids.length) cy.getElementById(ids[ids.length - 1]).addClass("trace-fail");
        return;
      }
      cy.getElementById(ids[i]).removeClass("pending").addClass("trace trace-head");
      i += 1;
      this.timer = setTimeout(tick, stepMs);
    };
    tick();
    return ids;
  }

  /** The id of an edge from `source` to `target` (of class `cls`, if given), or null. */
  edgeBetween(source, target, cls) {
    const edges = this.cy.edges(`[source = "${source}"][target = "${target}"]${cls ? `.${cls}` : ""}`);
    return edges.nonempty() ? edges[0].id() : null;
  }
}
