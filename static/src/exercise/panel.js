// The student's Exercise panel (a lesson with steps, docs/lessons.md): the step's text, its goals
// ✓/✗ with the server's why, hints one at a time, and the next step. Everything it shows comes
// from `exercise` messages (simulator/progress.py `panel`), pushed after every change of the
// cluster and after the snapshot; the step's text arrives as HTML the server escaped and rendered.

function el(tag, attrs = {}, text = "") {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  if (text) node.textContent = text;
  return node;
}

export class ExercisePanel {
  /**
   * @param {HTMLElement} root   the panel's <section> (hidden until an exercise message arrives)
   * @param {{hint: () => Promise, next: () => Promise, canEdit: boolean, onShow?: Function}} options
   */
  constructor(root, { hint, next, canEdit, onShow }) {
    this.root = root;
    this.hint = hint;
    this.next = next;
    this.canEdit = canEdit;
    this.onShow = onShow;
    this.state = null;
    this.note = "";
  }

  show(state) {
    if (!this.root || !state) return;
    if (this.state && state.version < this.state.version && state.step.number === this.state.step.number)
      return;
    this.state = state;
    this.render();
    this.onShow?.(state);
  }

  async ask(request) {
    try {
      const reply = await request();
      if (!reply.ok) this.note = reply.error;
      else this.note = reply.advanced === false ? reply.why : "";
      if (reply.exercise) this.state = reply.exercise;
    } catch (error) {
      this.note = error.message;
    }
    this.render();
  }

  render() {
    const { root, state } = this;
    root.hidden = false;
    const step = state.step;
    const head = el("div", { class: "exercise-head" });
    head.append(
      el("span", { class: "exercise-kicker" }, `Exercise · step ${step.number} of ${step.of}`),
      el(
        "span",
        { class: `exercise-status ${state.done ? "done" : "todo"}` },
        state.done ? "step done" : "in progress",
      ),
    );
    const title = el("h3", { class: "exercise-title" }, step.title);
    const text = el("div", { class: "exercise-text" });
    text.innerHTML = step.html; // escaped and rendered by the server (simulator/exercises/markdown.py)

    const goals = el("ul", { class: "exercise-goals", "aria-label": "goals" });
    for (const check of state.checks) {
      const li = el("li", { class: `goal ${check.passed ? "passed" : "failed"}`, "data-goal": check.goal });
      li.append(
        el(
          "span",
          { class: "mark", "aria-label": check.passed ? "passed" : "not yet" },
          check.passed ? "✓" : "✗",
        ),
        el("span", { class: "goal-title" }, check.title),
      );
      if (!check.passed) li.append(el("div", { class: "why" }, check.why));
      goals.append(li);
    }

    const hints = el("div", { class: "exercise-hints" });
    if (state.hints.length) {
      const list = el("ol", { class: "hint-list" });
      for (const hint of state.hints) list.append(el("li", {}, hint));
      hints.append(list);
    }
    const actions = el("div", { class: "exercise-actions" });
    if (this.canEdit && state.hints.length < step.hintCount) {
      const button = el(
        "button",
        { type: "button", class: "exercise-hint" },
        `Show a hint (${state.hints.length + 1} of ${step.hintCount})`,
      );
      button.addEventListener("click", () => this.ask(this.hint));
      actions.append(button);
    } else if (step.hintCount) {
      actions.append(
        el("span", { class: "muted" }, `${state.hints.length} of ${step.hintCount} hints shown`),
      );
    }
    if (state.last && state.done) {
      actions.append(el("span", { class: "exercise-finished" }, "Exercise complete: every goal passes"));
    } else if (this.canEdit) {
      const button = el("button", { type: "button", class: "exercise-next primary" }, "Next step →");
      button.disabled = !state.done;
      button.title = state.done ? "go on to the next step" : "every goal of this step must pass first";
      button.addEventListener("click", () => this.ask(this.next));
      actions.append(button);
    }
    const note = el("p", { class: "exercise-note", role: "status" }, this.note);
    note.hidden = !this.note;
    root.replaceChildren(head, title, text, goals, hints, actions, note);
  }
}
