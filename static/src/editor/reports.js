// What the editor shows under the text after an apply, a preview or a delete: the errors (each
// with its line), the warnings, what changed, what a dry run would change.

import { h } from "../dom.js";

function diffLineClass(line) {
  if (line.startsWith("+") && !line.startsWith("+++")) return "add";
  if (line.startsWith("-") && !line.startsWith("---")) return "del";
  if (line.startsWith("@@")) return "hunk";
  return "";
}

/** Why an apply failed: each error with a link to its line, the field path and the hint. */
export function errorList(reply, goto) {
  const items = (reply.errors || []).map((e) =>
    h(
      "li",
      { class: "error-item", dataset: { line: e.line ?? "" } },
      h(
        "button",
        { type: "button", class: "line-link", onclick: () => goto(e.line) },
        e.line ? `line ${e.line}` : "—",
      ),
      " ",
      h("b", {}, [e.kind, e.name].filter(Boolean).join(" ") || `document ${e.document ?? "?"}`),
      " ",
      e.field ? h("code", {}, e.field) : null,
      e.field ? ": " : "",
      e.message,
      e.hint ? h("div", { class: "hint" }, e.hint) : null,
    ),
  );
  return h(
    "div",
    { class: "error-box" },
    h(
      "div",
      { class: "box-title" },
      `Not applied: ${items.length} error${items.length === 1 ? "" : "s"}. ` +
        "Nothing changed in the cluster; your text is kept.",
    ),
    h("ul", {}, items),
    warningList(reply),
  );
}

export function warningList(reply) {
  if (!reply.warnings?.length) return null;
  return h(
    "ul",
    { class: "warnings" },
    reply.warnings.map((w) => h("li", {}, `Warning: ${w.message}`)),
  );
}

/** What an apply or a delete did, with the version it made. */
export function successView(reply) {
  const changed = reply.results?.length ? reply.results : ["nothing changed"];
  return h(
    "div",
    { class: "ok-box" },
    h("div", { class: "box-title" }, `Applied (version ${reply.version})`),
    h(
      "ul",
      { class: "mono" },
      changed.map((r) => h("li", {}, r)),
    ),
    warningList(reply),
  );
}

/** A dry run's reply: the endpoints gained and lost, what would be created, deleted, changed
 *  (a diff), and "Apply now". */
export function previewView(reply, applyNow) {
  const diff = reply.diff || { created: [], changed: [], deleted: [], endpoints: {} };
  const parts = [h("div", { class: "box-title" }, "Preview (dry run): nothing is saved until you apply")];
  const list = (title, items, cls) =>
    items.length
      ? [
          h("div", { class: `preview-head ${cls}` }, title),
          h(
            "ul",
            { class: "mono" },
            items.map((i) => h("li", {}, i)),
          ),
        ]
      : [];
  for (const [svc, eps] of Object.entries(diff.endpoints || {})) {
    parts.push(h("div", { class: "preview-head mod" }, `Endpoints of ${svc}`));
    parts.push(
      h("ul", { class: "mono" }, [
        ...eps.gained.map((e) => h("li", { class: "add" }, `+ ${e}`)),
        ...eps.lost.map((e) => h("li", { class: "del" }, `- ${e}`)),
      ]),
    );
  }
  parts.push(...list("Would create", diff.created, "add"));
  parts.push(...list("Would delete", diff.deleted, "del"));
  for (const change of diff.changed) {
    parts.push(h("div", { class: "preview-head mod" }, `Would change ${change.object}`));
    parts.push(
      h(
        "pre",
        { class: "diff" },
        change.diff.split("\n").map((line) =>
          h(
            "span",
            {
              class:
                line.startsWith("+") && !line.startsWith("+++")
                  ? "add"
                  : line.startsWith("-") && !line.startsWith("---")
                    ? "del"
                    : line.startsWith("@@")
                      ? "hunk"
                      : "",
            },
            `${line}\n`,
          ),
        ),
      ),
    );
  }
  if (!diff.created.length && !diff.deleted.length && !diff.changed.length)
    parts.push(h("p", {}, "Nothing would change."));
  parts.push(warningList(reply));
  parts.push(
    h(
      "div",
      { class: "row" },
      h("button", { type: "button", class: "primary", onclick: applyNow }, "Apply now"),
    ),
  );
  return h("div", { class: "preview-box" }, parts);
}
