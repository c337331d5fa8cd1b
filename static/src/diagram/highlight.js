// What a selection lights up on the diagram: the element itself ("picked"), what it is about
// ("lit") and, faded, everything else. A Service lights its endpoints' pods and says, on each
// other pod of its namespace, which label of its selector that pod lacks ("miss").

import { viewKey } from "../protocol/keys.js";
import { selectorMisses } from "../kube.js";
import { OWNER_KINDS } from "./elements.js";

const MARKS = "lit faded miss picked";

/** Light up `id` (null: nothing) in `cy`; the store holds the Service's selector and pods' labels. */
export function highlight(cy, id, store) {
  cy.batch(() => {
    cy.elements(".lit, .faded, .miss, .picked").removeClass(MARKS);
    cy.nodes("[missLabel]").removeData("missLabel");
    if (!id) return;
    const el = cy.getElementById(id);
    if (el.empty()) return;
    el.addClass("picked");
    const related = el.union(relatedTo(cy, el, store));
    related.addClass("lit");
    cy.elements().not(related).not(".frame").addClass("faded");
  });
}

/** The elements a selection is about, by its kind. */
function relatedTo(cy, el, store) {
  const d = el.data();
  if (d.kind === "Service") {
    const edges = el.outgoers("edge");
    return edges
      .union(edges.targets())
      .union(el.incomers())
      .union(markMisses(cy, el, store));
  }
  if (d.kind === "Pod") {
    const edges = el.incomers("edge");
    return edges.union(edges.sources());
  }
  if (d.kind === "Ingress" || d.kind === "World") {
    const edges = el.outgoers("edge");
    const related = edges.union(edges.targets());
    return d.kind === "Ingress" ? related.union(el.incomers()) : related;
  }
  if (OWNER_KINDS.has(d.kind)) return el.successors();
  if (d.kind === "Node") return cy.nodes(`[host = "${d.id}"]`);
  return cy.collection();
}

/** The pods of a Service's namespace that its selector misses, each labelled with why. */
function markMisses(cy, service, store) {
  const d = service.data();
  const missed = cy.collection();
  const selector = store.get(viewKey("Service", d.namespace, d.label))?.selector;
  if (!selector) return missed;
  const endpoints = new Set(
    service
      .outgoers("edge")
      .targets()
      .map((n) => n.id()),
  );
  let marked = missed;
  cy.nodes(`[kind = "Pod"][namespace = "${d.namespace}"]`).forEach((pod) => {
    if (endpoints.has(pod.id())) return;
    const view = store.get(viewKey("Pod", pod.data("namespace"), pod.data("label")));
    const misses = selectorMisses(selector, view?.labels || {});
    if (misses.length) {
      pod.data("missLabel", `${pod.data("label")}\n✗ ${misses.join(", ")}`);
      pod.addClass("miss");
      marked = marked.union(pod);
    }
  });
  return marked;
}
