// The pieces every tab builds with: cards, kubectl output, links that select on the diagram, an
// object's Edit and Delete buttons, its teaching hints, the pods to run a command from.

import { h } from "../dom.js";
import { hintsKey } from "../protocol/keys.js";

/** Rows a table or list shows at most (a big cluster stays responsive). */
export const MAX_ROWS = 400;
const DISARM_MS = 4000;

export function section(title, ...children) {
  return h("section", { class: "card" }, title ? h("h3", {}, title) : null, ...children);
}

/** Text as a terminal prints it. */
export function pre(text, cls = "") {
  return h("pre", { class: `kubectl ${cls}` }, text);
}

/** A link that selects `id` on the diagram (which then shows it in Inspect). */
export function linkTo(select, id, text) {
  return h("button", { type: "button", class: "link", onclick: () => select(id) }, text);
}

/**
 * "Edit YAML" and (for those who may edit) "Delete", which asks once more before it deletes.
 * @param {object} actions  {store, openObject(ref), deleteObject(entry), canEdit}
 */
export function objectButtons({ store, openObject, deleteObject, canEdit }, ref) {
  const entry = store.object(ref);
  if (!entry) return null;
  return h(
    "div",
    { class: "row" },
    h(
      "button",
      { type: "button", onclick: () => openObject(ref) },
      `Edit YAML (rv ${entry.resourceVersion})`,
    ),
    canEdit
      ? h(
          "button",
          { type: "button", class: "danger", onclick: (e) => confirmDelete(e.target, entry, deleteObject) },
          "Delete",
        )
      : null,
  );
}

function confirmDelete(button, entry, deleteObject) {
  if (!button.classList.contains("armed")) {
    button.classList.add("armed");
    button.textContent = `Really delete ${entry.kind.toLowerCase()}/${entry.name}?`;
    setTimeout(() => {
      button.classList.remove("armed");
      button.textContent = "Delete";
    }, DISARM_MS);
    return;
  }
  deleteObject(entry);
}

/** The engine's teaching hints about one object (with the near misses a selector has). */
export function hintCards(store, kind, namespace, name) {
  const hints = store.get(hintsKey(kind, namespace, name)) || [];
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

/** <option>s of the pods with an IP ("namespace/name"), and "outside the cluster" if asked. */
export function podOptions(store, selected, withExternal) {
  const pods = store.pods().filter((p) => p.ip);
  const opts = [];
  if (withExternal)
    opts.push(h("option", { value: "external", selected: selected === "external" }, "outside the cluster"));
  for (const p of pods)
    opts.push(h("option", { value: p.ref, selected: selected === p.ref }, `pod ${p.ref}`));
  return opts;
}

/** The pod a command runs from unless one is picked: a busybox-like client, else the first. */
export function defaultPod(store) {
  const pods = store.pods().filter((p) => p.ip && p.namespace !== "kube-system");
  const busy = pods.find((p) => /busybox|debug|client|web/.test(p.name));
  return (busy || pods[0])?.ref || "";
}
