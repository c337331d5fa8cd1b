// What a selection lights up on the diagram: the element itself ("picked"), what it is about
// ("lit") and, faded, everything else. A Service lights its endpoints' pods and says, on each
// other pod of its namespace, which labels of its selector that pod lacks ("miss"), as the
// server's `explain-service` answer words them.

import { refIn } from "../protocol/keys.js";
import { OWNER_KINDS } from "./elements.js";

const MARKS = "lit faded miss picked";

/** Light up `id` (null: nothing) in `cy`. For a Service, `explanation` is the latest
 *  explain-service answer about it (null while none has come: no pod is marked yet). */
export function highlight(cy, id, explanation) {
  cy.batch(() => {
    cy.elements(".lit, .faded, .miss, .picked").removeClass(MARKS);
    cy.nodes("[missLabel]").removeData("missLabel");
    if (!id) return;
    const el = cy.getElementById(id);
    if (el.empty()) return;
    el.addClass("picked");
    const related = el.union(relatedTo(cy, el, explanation));
    related.addClass("lit");
    cy.elements().not(related).not(".frame").addClass("faded");
  });
}

/** The elements a selection is about, by its kind. */
function relatedTo(cy, el, explanation) {
  const d = el.data();
  if (d.kind === "Service") {
    const edges = el.outgoers("edge");
    return edges
      .union(edges.targets())
      .union(el.incomers())
      .union(markMisses(cy, el, explanation));
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

/** The pods the Service's selector misses (none of them its endpoints), each labelled with why. */
function markMisses(cy, service, explanation) {
  let marked = cy.collection();
  if (!explanation?.selector) return marked;
  const endpoints = new Set(
    service
      .outgoers("edge")
      .targets()
      .map((n) => n.id()),
  );
  for (const [ref, facts] of Object.entries(explanation.pods)) {
    const pod = cy.getElementById(refIn("Pod", ref));
    if (pod.empty() || endpoints.has(pod.id()) || !facts.misses.length) continue;
    pod.data("missLabel", `${pod.data("label")}\n✗ ${facts.misses.join(", ")}`);
    pod.addClass("miss");
    marked = marked.union(pod);
  }
  return marked;
}
