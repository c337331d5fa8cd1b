// The YAML editor: CodeMirror 6 over the page's plain form (which still works without JavaScript).
//
// Buffers: a scratch buffer plus one per object opened from the diagram or a table, each with the
// resourceVersion it was opened at (`baseResourceVersion`), all kept in localStorage (one key per
// browser tab, editor/storage.js) on every keystroke: the text is never lost, not by an error, a
// conflict, a reload, a dropped connection or another tab.
// Apply and Preview (dry run) go over the websocket; errors come back on their lines (gutter
// marker, message with the field path); a stale edit shows the conflict with both versions.
//
// `kubectl edit` in the console opens kubectl's file here as a tab of its own ("kubectl edit
// service/webapp"): Save hands the text back to kubectl (which patches, or reopens it with the
// error on top), Cancel or closing the tab leaves it unchanged. Such tabs are not kept in
// localStorage: they live as long as the kubectl that waits for them.

import { EditorView, basicSetup } from "codemirror";
import { EditorState, Compartment, Prec } from "@codemirror/state";
import { keymap, placeholder } from "@codemirror/view";
import { indentWithTab } from "@codemirror/commands";
import { indentUnit } from "@codemirror/language";
import { yaml } from "@codemirror/lang-yaml";
import { lintGutter, setDiagnostics } from "@codemirror/lint";
import { SNIPPETS } from "./snippets.js";
import { showConflictDialog } from "./conflict.js";
import { BufferStorage } from "./storage.js";
import { errorList, previewView, successView } from "./reports.js";
import { editableYaml } from "../kube.js";
import { h } from "../dom.js";
import { entryRef } from "../protocol/keys.js";

const SAVE_DELAY_MS = 250;
const DISARM_MS = 4000;
const REBASE_POLL_MS = 50;
const REBASE_TRIES = 200;

/** An object's YAML as the editor opens it: a comment naming it and its resourceVersion, then
 *  what `kubectl edit` would show. */
function objectYaml(entry) {
  const where = `${entry.namespace ? `${entry.namespace}/` : ""}${entry.name}`;
  const head = `# ${entry.kind} ${where} at resourceVersion ${entry.resourceVersion}`;
  return `${head}\n${editableYaml(entry.manifest)}`;
}

export class Editor {
  /**
   * @param {object} requests  {apply, delete, isOpen} (protocol/requests.js)
   * @param {function} onApply  called as an apply is sent
   */
  constructor(pane, { store, requests, slug, canEdit, readOnlyReason, form, onApply }) {
    this.pane = pane;
    this.requests = requests;
    this.onApply = onApply;
    this.store = store;
    this.slug = slug;
    this.canEdit = canEdit;
    this.readOnlyReason = readOnlyReason; // the page may say it already (then none here)
    this.form = form;
    this.storage = new BufferStorage(slug); // one key per browser tab
    this.storage.onMoved = () => this.saveNow();
    this.states = new Map(); // buffer id -> EditorState
    this.readOnly = new Compartment();
    this.load();
    this.build();
    this.show(this.active);
    store.subscribe((event) => this.onStore(event));
  }

  // ------------------------------------------------------------------ buffers
  load() {
    const saved = this.storage.load();
    this.buffers = saved?.buffers?.length
      ? saved.buffers
      : [{ id: "scratch", title: "scratch", text: "", ref: null, base: null }];
    this.active =
      saved?.active && this.buffers.some((b) => b.id === saved.active) ? saved.active : this.buffers[0].id;
    // The page without JavaScript posted this text back: it wins over the stored scratch.
    const posted = this.form.querySelector("textarea")?.value;
    if (posted && posted.trim() && this.form.dataset.posted === "true") {
      this.buffer("scratch").text = posted;
      this.active = "scratch";
    }
  }

  save() {
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => this.saveNow(), SAVE_DELAY_MS);
  }

  saveNow() {
    const current = this.buffer(this.active);
    if (current && this.view) current.text = this.view.state.doc.toString();
    const kept = this.buffers.filter((b) => !b.kubectlEdit);
    this.storage.save({ buffers: kept, active: current?.kubectlEdit ? "scratch" : this.active });
  }

  buffer(id) {
    return this.buffers.find((b) => b.id === id);
  }

  stateFor(buffer) {
    let state = this.states.get(buffer.id);
    if (!state) {
      state = EditorState.create({ doc: buffer.text, extensions: this.extensions() });
      this.states.set(buffer.id, state);
    }
    return state;
  }

  extensions() {
    return [
      basicSetup,
      yaml(),
      lintGutter(),
      EditorState.tabSize.of(2),
      // Tab indents (two spaces: YAML indents with spaces only); Esc then Tab leaves the editor,
      // CodeMirror's own escape hatch (its tab-focus mode), so Tab then Enter never applies.
      keymap.of([indentWithTab]),
      indentUnit.of("  "),
      this.readOnly.of(EditorState.readOnly.of(!this.canEdit)),
      // Ours before basicSetup's: its defaultKeymap binds Mod-Enter to insertBlankLine, and the
      // first keymap to handle a key wins.
      Prec.highest(
        keymap.of([
          {
            key: "Mod-Enter",
            run: () => {
              this.apply(false);
              return true;
            },
          },
          {
            key: "Mod-Shift-Enter",
            run: () => {
              this.apply(true);
              return true;
            },
          },
          {
            key: "Mod-s",
            run: () => {
              if (this.buffer(this.active)?.kubectlEdit) this.answerKubectlEdit(true);
              else this.saveNow();
              return true;
            },
          },
        ]),
      ),
      EditorView.updateListener.of((update) => {
        if (update.docChanged) this.save(); // the tab strip shows staleness; the text is always saved
      }),
      EditorView.lineWrapping,
      EditorView.contentAttributes.of({ "aria-label": "YAML: Tab indents; Esc then Tab leaves the editor" }),
      placeholder(
        "# Paste Kubernetes YAML here and press Apply (Ctrl+Enter).\n" +
          "# Double-click anything in the diagram to edit its YAML,\n" +
          "# or pick a starter manifest from “+ New…” below.",
      ),
    ];
  }

  show(id) {
    if (this.shown && this.buffer(this.shown)) {
      this.states.set(this.shown, this.view.state);
      this.buffer(this.shown).text = this.view.state.doc.toString();
    }
    this.active = id;
    this.shown = id;
    const buffer = this.buffer(id);
    this.view.setState(this.stateFor(buffer));
    this.renderTabs();
    this.renderActions();
    this.saveNow();
  }

  close(id) {
    if (id === "scratch") return;
    const closing = this.buffer(id);
    if (closing?.kubectlEdit && !closing.kubectlEdit.answered) {
      closing.kubectlEdit.answered = true;
      closing.kubectlEdit.answer.cancel(); // closing the tab is Cancel
    }
    const index = this.buffers.findIndex((b) => b.id === id);
    this.buffers.splice(index, 1);
    this.states.delete(id);
    if (this.active === id) {
      this.active = null;
      this.shown = null;
      this.show(this.buffers[Math.max(0, index - 1)].id);
    } else {
      this.renderTabs();
      this.saveNow();
    }
  }

  /** Open an object's YAML for editing (from the diagram or a table). */
  openObject(ref) {
    const entry = this.store.object(ref);
    if (!entry) return;
    const existing = this.buffer(`obj:${ref}`);
    if (existing) {
      this.show(existing.id);
      return;
    }
    const text = objectYaml(entry);
    const buffer = {
      id: `obj:${ref}`,
      title: `${entry.kind.toLowerCase()}/${entry.name}`,
      text,
      ref,
      base: { [entryRef(entry)]: entry.resourceVersion },
      original: text,
    };
    this.buffers.push(buffer);
    this.show(buffer.id);
    this.report(
      h(
        "div",
        { class: "note" },
        `Editing ${entry.kind} ${entry.name} at resourceVersion ${entry.resourceVersion}. ` +
          "If someone else changes it first, Apply shows you both versions.",
      ),
    );
  }

  /** kubectl's file from `kubectl edit` in the console: a tab until Save, Cancel, or kubectl ends. */
  openKubectlEdit({ edit, title, text }, answer) {
    const buffer = {
      id: `kubectl-edit:${edit}`,
      title: `kubectl edit ${title}`,
      text,
      ref: null,
      base: null,
      kubectlEdit: { number: edit, title, answer, answered: false },
    };
    this.buffers.push(buffer);
    this.show(buffer.id);
    this.view.focus();
  }

  /** kubectl no longer waits for edit `number` (answered, reopened, stopped): its tab goes. */
  closeKubectlEdit(number) {
    const buffer = this.buffers.find((b) => b.kubectlEdit?.number === number);
    if (!buffer) return;
    buffer.kubectlEdit.answered = true;
    this.close(buffer.id);
  }

  answerKubectlEdit(save) {
    const buffer = this.buffer(this.active);
    const edit = buffer?.kubectlEdit;
    if (!edit || edit.answered) return;
    edit.answered = true;
    if (save) edit.answer.save(this.view.state.doc.toString());
    else edit.answer.cancel();
    this.saveEditButton.disabled = this.cancelEditButton.disabled = true;
    this.report(
      h(
        "div",
        { class: "note" },
        save ? "Saved: kubectl is applying it (see the console)." : "Cancelled: kubectl makes no change.",
      ),
    );
  }

  insertSnippet(snippet) {
    const doc = this.view.state.doc;
    const text =
      doc.length && !/\n---\s*\n?$/.test(doc.toString())
        ? `${doc.length && !doc.toString().endsWith("\n") ? "\n" : ""}---\n${snippet.text}`
        : snippet.text;
    const buffer = this.buffer(this.active);
    if (buffer.ref) {
      // An object's buffer edits that object: snippets go to the scratch buffer.
      this.show("scratch");
      return this.insertSnippet(snippet);
    }
    this.view.dispatch({
      changes: { from: doc.length, insert: text },
      selection: { anchor: doc.length + text.length },
    });
    this.view.focus();
  }

  // ------------------------------------------------------------------ DOM
  build() {
    this.form.classList.add("enhanced");
    const textarea = this.form.querySelector("textarea");
    this.tabs = h("div", { class: "tabs", role: "tablist", "aria-label": "YAML buffers" });
    this.host = h("div", { class: "cm-host" });
    const snippetMenu = h(
      "select",
      {
        class: "snippets",
        "aria-label": "Insert a starter manifest",
        title: "Insert a starter manifest",
        onchange: (e) => {
          const s = SNIPPETS.find((x) => x.name === e.target.value);
          if (s) this.insertSnippet(s);
          e.target.value = "";
        },
      },
      h("option", { value: "" }, "+ New…"),
      ...SNIPPETS.map((s) => h("option", { value: s.name }, s.name)),
    );
    this.applyButton = h(
      "button",
      {
        type: "button",
        class: "primary",
        id: "apply-button",
        title: "Apply (Ctrl+Enter)",
        onclick: () => this.apply(false),
      },
      "Apply",
    );
    this.previewButton = h(
      "button",
      {
        type: "button",
        id: "preview-button",
        title: "Preview what would change (Ctrl+Shift+Enter)",
        onclick: () => this.apply(true),
      },
      "Preview",
    );
    this.deleteButton = h(
      "button",
      { type: "button", class: "danger", id: "delete-button", onclick: () => this.deleteObject() },
      "Delete",
    );
    this.saveEditButton = h(
      "button",
      {
        type: "button",
        class: "primary",
        id: "kubectl-edit-save",
        title: "Save: kubectl applies it (Ctrl+S)",
        onclick: () => this.answerKubectlEdit(true),
      },
      "Save",
    );
    this.cancelEditButton = h(
      "button",
      {
        type: "button",
        id: "kubectl-edit-cancel",
        title: "Cancel: kubectl changes nothing",
        onclick: () => this.answerKubectlEdit(false),
      },
      "Cancel",
    );
    this.snippetMenu = snippetMenu;
    this.toolbar = h(
      "div",
      { class: "editor-toolbar" },
      this.applyButton,
      this.previewButton,
      this.saveEditButton,
      this.cancelEditButton,
      snippetMenu,
      this.deleteButton,
    );
    this.results = h("div", { class: "results", id: "editor-results", "aria-live": "polite" });
    textarea.hidden = true;
    this.form.querySelector(".form-actions")?.setAttribute("hidden", "");
    this.form.prepend(this.tabs, this.host, this.toolbar);
    this.form.after(this.results);
    this.form.addEventListener("submit", (e) => {
      if (this.requests.isOpen()) {
        e.preventDefault();
        this.apply(false);
      } else {
        textarea.value = this.view.state.doc.toString(); // the plain form carries it
      }
    });
    this.view = new EditorView({ parent: this.host, state: EditorState.create({ doc: "" }) });
    if (!this.canEdit) {
      this.applyButton.disabled = this.previewButton.disabled = this.deleteButton.disabled = true;
      if (this.readOnlyReason)
        this.report(
          h("div", { class: "note" }, `Read-only: ${this.readOnlyReason}. You can still read and trace.`),
        );
    }
  }

  renderTabs() {
    this.tabs.replaceChildren(
      ...this.buffers.map((b) => {
        const stale = this.isStale(b);
        const tab = h(
          "div",
          {
            class: `tab${b.id === this.active ? " active" : ""}${stale ? " stale" : ""}`,
            role: "presentation",
            title: stale ? "changed in the cluster since you opened it" : b.title,
          },
          h(
            "button",
            {
              type: "button",
              class: "tab-name",
              role: "tab",
              "aria-selected": b.id === this.active ? "true" : "false",
              onclick: () => this.show(b.id),
            },
            stale ? `⚠ ${b.title}` : b.title,
          ),
          b.id !== "scratch"
            ? h(
                "button",
                {
                  type: "button",
                  class: "tab-close",
                  "aria-label": `close ${b.title}`,
                  onclick: () => this.close(b.id),
                },
                "×",
              )
            : null,
        );
        return tab;
      }),
    );
  }

  renderActions() {
    const buffer = this.buffer(this.active);
    const edit = buffer?.kubectlEdit;
    this.deleteButton.hidden = !buffer?.ref;
    this.deleteButton.textContent = "Delete";
    this.deleteButton.classList.remove("armed");
    this.applyButton.hidden = this.previewButton.hidden = this.snippetMenu.hidden = Boolean(edit);
    this.saveEditButton.hidden = this.cancelEditButton.hidden = !edit;
    this.saveEditButton.disabled = this.cancelEditButton.disabled = Boolean(edit?.answered);
    this.pane.classList.toggle("kubectl-editing", Boolean(edit));
    if (edit && !edit.answered) {
      this.report(
        h(
          "div",
          { class: "note kubectl-edit-note", id: "kubectl-edit-note" },
          h("b", {}, `kubectl edit ${edit.title}`),
          " — Save to apply, Cancel to abort.",
        ),
      );
    }
  }

  isStale(buffer) {
    if (!buffer.ref || !buffer.base) return false;
    const entry = this.store.object(buffer.ref);
    const [rv] = Object.values(buffer.base);
    return !entry || entry.resourceVersion !== rv;
  }

  onStore() {
    if (this.buffers.some((b) => b.ref)) this.renderTabs();
  }

  // ------------------------------------------------------------------ apply, preview, delete
  busy(on) {
    this.applyButton.disabled = this.previewButton.disabled = on || !this.canEdit;
    this.pane.classList.toggle("busy", on);
  }

  async apply(dryRun) {
    if (!this.canEdit) return;
    const buffer = this.buffer(this.active);
    if (buffer?.kubectlEdit) {
      if (!dryRun) this.answerKubectlEdit(true); // Ctrl+Enter in kubectl's file is Save
      return;
    }
    const text = this.view.state.doc.toString();
    this.saveNow();
    if (!text.trim()) {
      this.report(
        h("div", { class: "note" }, "Nothing to apply: write some YAML, or pick a starter from “+ New…”."),
      );
      return;
    }
    this.busy(true);
    this.onApply?.();
    let reply;
    try {
      reply = await this.requests.apply({
        yaml: text,
        dryRun,
        baseResourceVersion: buffer.base || undefined,
      });
    } catch (err) {
      this.busy(false);
      this.report(h("div", { class: "error-box" }, String(err.message || err)));
      return;
    }
    this.busy(false);
    this.lastReply = reply;
    this.showDiagnostics(reply);
    if (reply.conflict) {
      this.showConflict(buffer, reply.conflict, text);
      return;
    }
    if (reply.error) {
      this.report(h("div", { class: "error-box" }, reply.error));
      return;
    }
    if (!reply.ok) {
      this.report(errorList(reply, (line) => this.goto(line)));
      return;
    }
    if (dryRun) {
      this.report(previewView(reply, () => this.apply(false)));
      return;
    }
    this.report(successView(reply));
    if (buffer.ref) this.rebase(buffer, reply.version);
  }

  /** After our own apply, the buffer's base becomes the object's new resourceVersion. */
  rebase(buffer, version) {
    const take = () => {
      const entry = this.store.object(buffer.ref);
      if (entry) buffer.base = { [entryRef(entry)]: entry.resourceVersion };
      this.renderTabs();
      this.saveNow();
    };
    if (!version || this.store.version >= version) take();
    else {
      let tries = 0;
      const wait = () => {
        if (this.store.version >= version) take();
        // else a resync will bring it; the tab shows staleness
        else if (++tries < REBASE_TRIES) setTimeout(wait, REBASE_POLL_MS);
      };
      wait();
    }
  }

  showDiagnostics(reply) {
    const doc = this.view.state.doc;
    const diagnostics = [];
    const place = (item, severity) => {
      const lineNo = Math.min(Math.max(1, item.line || 1), doc.lines);
      const line = doc.line(lineNo);
      const where = [item.kind, item.name].filter(Boolean).join(" ");
      const field = item.field ? `${item.field}: ` : "";
      diagnostics.push({
        from: line.from,
        to: Math.max(line.from, line.to),
        severity,
        source: where ? `${where} (document ${item.document ?? "?"})` : undefined,
        message: `${field}${item.message}${item.hint ? `\nhint: ${item.hint}` : ""}`,
      });
    };
    for (const e of reply.errors || []) place(e, "error");
    for (const w of reply.warnings || []) place(w, "warning");
    this.view.dispatch(setDiagnostics(this.view.state, diagnostics));
  }

  /** A stale edit: the dialog with both versions, and a note under the text that reopens it. */
  showConflict(buffer, conflict, mine) {
    const current = conflict.current;
    const theirs = current ? objectYaml(current) : "# deleted by someone else\n";
    showConflictDialog(conflict, mine, theirs, {
      keepMine: () => {
        buffer.base = current ? { [conflict.key]: current.resourceVersion } : null;
        this.saveNow();
        this.apply(false);
      },
      takeTheirs: () => {
        this.view.dispatch({ changes: { from: 0, to: this.view.state.doc.length, insert: theirs } });
        buffer.base = { [conflict.key]: current.resourceVersion };
        this.saveNow();
        this.renderTabs();
        this.report(
          h("div", { class: "note" }, "Took the cluster's version. (Ctrl+Z brings your text back.)"),
        );
      },
    });
    this.report(
      h(
        "div",
        { class: "conflict-box" },
        h("div", { class: "box-title" }, "Not applied: a conflict"),
        h("p", {}, "Someone changed this object since you opened it. Your text is kept."),
        h(
          "button",
          { type: "button", onclick: () => this.showConflict(buffer, conflict, mine) },
          "Show both versions",
        ),
      ),
    );
  }

  async deleteObject() {
    const buffer = this.buffer(this.active);
    if (!buffer?.ref) return;
    const entry = this.store.object(buffer.ref);
    if (!entry) {
      this.report(h("div", { class: "note" }, "This object is already gone from the cluster."));
      return;
    }
    if (!this.deleteButton.classList.contains("armed")) {
      this.deleteButton.classList.add("armed");
      this.deleteButton.textContent = `Really delete ${entry.kind.toLowerCase()}/${entry.name}?`;
      clearTimeout(this.disarm);
      this.disarm = setTimeout(() => this.renderActions(), DISARM_MS);
      return;
    }
    this.renderActions();
    await this.deleteRef(entry);
  }

  async deleteRef(entry) {
    try {
      const reply = await this.requests.delete({
        kind: entry.kind,
        namespace: entry.namespace,
        name: entry.name,
      });
      if (reply.ok) this.report(successView(reply));
      else if (reply.errors) this.report(errorList(reply, (line) => this.goto(line)));
      else this.report(h("div", { class: "error-box" }, reply.error || "not deleted"));
    } catch (err) {
      this.report(h("div", { class: "error-box" }, String(err.message || err)));
    }
  }

  goto(line) {
    if (!line) return;
    const doc = this.view.state.doc;
    const l = doc.line(Math.min(line, doc.lines));
    this.view.dispatch({ selection: { anchor: l.from }, scrollIntoView: true });
    this.view.focus();
  }

  report(node) {
    if (!node) return;
    this.results.replaceChildren(node);
  }
}
