// A stale edit: both versions side by side (CodeMirror's merge view), in a dialog wide enough to
// read them, with the three ways out: keep mine (apply over theirs), take theirs, decide later.

import { EditorState } from "@codemirror/state";
import { EditorView } from "@codemirror/view";
import { yaml } from "@codemirror/lang-yaml";
import { MergeView } from "@codemirror/merge";
import { h } from "../dom.js";

let mergeView = null; // the one on screen

/**
 * @param {object} conflict  the apply reply's {key, baseResourceVersion, resourceVersion, message,
 *   current (the object entry now, or null: deleted)}
 * @param {string} mine, theirs  the two texts
 * @param {object} choices  keepMine(), takeTheirs(): each called after the dialog closes
 */
export function showConflictDialog(conflict, mine, theirs, { keepMine, takeTheirs }) {
  const current = conflict.current;
  const merge = h("div", { class: "merge-host" });
  const close = () => {
    mergeView?.destroy();
    mergeView = null;
    backdrop.remove();
    document.removeEventListener("keydown", onKey);
  };
  const onKey = (e) => {
    if (e.key === "Escape") close();
  };
  const choose = (choice) => () => {
    close();
    choice();
  };
  const dialog = h(
    "div",
    {
      class: "modal conflict-box",
      id: "conflict",
      role: "dialog",
      "aria-modal": "true",
      "aria-labelledby": "conflict-title",
    },
    h("button", { type: "button", class: "icon modal-close", "aria-label": "close", onclick: close }, "×"),
    h(
      "div",
      { class: "box-title", id: "conflict-title" },
      "Conflict: someone changed this object since you opened it",
    ),
    h(
      "p",
      {},
      conflict.message ||
        `${conflict.key}: resourceVersion ${conflict.baseResourceVersion} is now ${conflict.resourceVersion}`,
    ),
    h(
      "div",
      { class: "merge-labels" },
      h("span", {}, `Yours (based on resourceVersion ${conflict.baseResourceVersion})`),
      h(
        "span",
        {},
        current
          ? `In the cluster now (resourceVersion ${current.resourceVersion})`
          : "In the cluster now: deleted",
      ),
    ),
    merge,
    h(
      "div",
      { class: "row" },
      h(
        "button",
        { type: "button", class: "primary", onclick: choose(keepMine) },
        "Keep mine: apply over theirs",
      ),
      h("button", { type: "button", onclick: choose(takeTheirs), disabled: !current }, "Take theirs"),
      h("button", { type: "button", onclick: close }, "Decide later (your text stays)"),
    ),
  );
  const backdrop = h(
    "div",
    {
      class: "modal-backdrop",
      onclick: (e) => {
        if (e.target === backdrop) close();
      },
    },
    dialog,
  );
  document.getElementById("conflict")?.closest(".modal-backdrop")?.remove();
  document.body.append(backdrop);
  document.addEventListener("keydown", onKey);
  const readOnly = [EditorState.readOnly.of(true), yaml(), EditorView.lineWrapping];
  mergeView?.destroy();
  mergeView = new MergeView({
    a: { doc: mine, extensions: readOnly },
    b: { doc: theirs, extensions: readOnly },
    parent: merge,
    collapseUnchanged: { margin: 3, minSize: 6 },
  });
}
