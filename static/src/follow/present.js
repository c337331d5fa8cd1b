// The presenter's side, on a class's projected cluster: the "Present" switch (the projector view:
// `body.present`, the join code and QR code in a corner until dismissed, the instructor-only
// controls hidden), the count of followers, the presenter's view sent as events (only what
// changed, a few a second at most), the spotlight menu, and the lesson's prepared questions.

import { h } from "../dom.js";
import { captureView, currentView } from "./view.js";

const SEND_EVERY_MS = 120; // presenter events are batched: a burst of actions is one event

const same = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

export class Presenter {
  /**
   * @param {object} options  {store, socket, parts: {diagram, panels, editor}, bar (the class bar),
   *   overlayHost (where the join corner goes), config (page_config's `presenting`), onResize}
   */
  constructor({ store, socket, parts, bar, overlayHost, config, onResize }) {
    this.store = store;
    this.socket = socket;
    this.parts = parts;
    this.config = config;
    this.onResize = onResize;
    this.on = false;
    this.sent = {}; // the view as the followers have it
    this.pending = {};
    this.timer = null;
    this.switch = h(
      "button",
      {
        type: "button",
        id: "present-switch",
        class: "present-toggle",
        "aria-pressed": "false",
        title: "the projector view: your selection, tabs, traces and zoom go to every student following you",
        onclick: () => this.setPresenting(!this.on),
      },
      "Present",
    );
    this.followers = h("span", { id: "followers", class: "chip followers", hidden: true }, "0 following");
    this.spotButton = h(
      "button",
      { type: "button", id: "spotlight-button", hidden: true, onclick: () => this.spotlightMenu() },
      "Spotlight…",
    );
    this.askButton = h(
      "button",
      { type: "button", id: "ask-button", hidden: true, onclick: () => this.askMenu() },
      "Ask…",
    );
    this.menu = h("div", { class: "present-menu", id: "present-menu", hidden: true });
    this.tools = h(
      "span",
      { class: "present-tools", id: "present-tools" },
      this.switch,
      this.followers,
      this.spotButton,
      this.askButton,
      this.menu,
    );
    bar?.prepend(this.tools);
    this.corner = this.joinCorner();
    overlayHost.append(this.corner);
    captureView(parts, (fields) => this.changed(fields));
    store.subscribePresenter((message, presenter) => {
      if (message.type === "presenting" && presenter.on !== this.on && presenter.presenter)
        this.show(presenter.on);
    });
  }

  joinCorner() {
    const c = this.config;
    const url = new URL(c.joinPath, location.href).href;
    return h(
      "aside",
      { class: "join-corner", id: "join-corner", hidden: true, "aria-label": "how to join this class" },
      h("img", { src: c.qrUrl, alt: `QR code of ${url}`, width: 112, height: 112 }),
      h(
        "div",
        {},
        h("div", { class: "join-hint" }, "Join at"),
        h("div", { class: "join-url" }, url.replace(/^https?:\/\//, "").replace(/\/join\/.*$/, "/join")),
        h("div", { class: "join-code", id: "corner-code" }, c.joinCode),
      ),
      h(
        "button",
        {
          type: "button",
          class: "icon",
          id: "join-dismiss",
          title: "hide the join code",
          onclick: () => {
            this.corner.hidden = true;
          },
        },
        "×",
      ),
    );
  }

  async setPresenting(on) {
    try {
      const reply = await this.socket.request({ type: "present", on });
      if (!reply.ok) return;
    } catch {
      return;
    }
    this.show(on);
    if (on) {
      this.sent = {};
      this.changed(currentView(this.parts)); // followers land on what is on screen now
    }
  }

  show(on) {
    this.on = on;
    this.switch.setAttribute("aria-pressed", String(on));
    this.switch.textContent = on ? "Presenting ■" : "Present";
    document.body.classList.toggle("present", on);
    this.corner.hidden = !on;
    this.followers.hidden = !on;
    this.spotButton.hidden = !on;
    this.askButton.hidden = !on;
    if (!on) this.menu.hidden = true;
    setTimeout(() => this.onResize?.(), 250);
  }

  /** The follower count (presence messages carry it while some follow). */
  presence(message) {
    const n = message.following || 0;
    this.followers.textContent = `${n} following`;
  }

  /** View fields the presenter's action changed: sent in one event per SEND_EVERY_MS. */
  changed(fields) {
    if (!this.on) return;
    Object.assign(this.pending, fields);
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), SEND_EVERY_MS);
  }

  flush() {
    this.timer = null;
    const set = {};
    for (const [field, value] of Object.entries(this.pending)) {
      if (!same(this.sent[field], value)) set[field] = value ?? null;
    }
    this.pending = {};
    if (!Object.keys(set).length) return;
    Object.assign(this.sent, set);
    this.socket.send({ type: "view", set });
  }

  // ------------------------------------------------------------------ spotlight
  async spotlightMenu() {
    if (!this.menu.hidden && this.menu.dataset.kind === "spotlight") {
      this.menu.hidden = true;
      return;
    }
    const reply = await this.socket.request({ type: "sandboxes" });
    const rows = reply.sandboxes || [];
    this.menu.dataset.kind = "spotlight";
    this.menu.replaceChildren(
      h("div", { class: "box-title" }, "Spotlight a student's sandbox"),
      rows.length
        ? h(
            "ul",
            {},
            rows.map((row) =>
              h(
                "li",
                {},
                h(
                  "button",
                  {
                    type: "button",
                    class: "spot-pick",
                    dataset: { slug: row.slug },
                    onclick: () => this.spotlight(row.slug),
                  },
                  `${row.student}`,
                ),
                h("span", { class: "muted" }, ` shown as “${row.label}”`),
              ),
            ),
          )
        : h("p", { class: "muted" }, "No student has a sandbox yet (“My copy”)."),
    );
    this.menu.hidden = false;
  }

  spotlight(slug) {
    this.menu.hidden = true;
    this.spotlighted = slug;
    return this.socket.request({ type: "spotlight", sandbox: slug });
  }

  /** The spotlighted sandbox again, as it is now (the student may have changed it since). */
  refreshSpotlight() {
    if (this.spotlighted) this.spotlight(this.spotlighted);
  }

  // ------------------------------------------------------------------ questions
  askMenu() {
    if (!this.menu.hidden && this.menu.dataset.kind === "ask") {
      this.menu.hidden = true;
      return;
    }
    const questions = this.config.questions || [];
    const ask = async (message) => {
      const reply = await this.socket.request(message);
      if (reply.ok) this.menu.hidden = true;
      else error.textContent = reply.error;
    };
    const error = h("div", { class: "error-text" }, this.config.questionsProblem || "");
    const prompt = h("input", { type: "text", id: "mc-prompt", placeholder: "a question" });
    const choices = h("input", { type: "text", id: "mc-choices", placeholder: "answers, separated by |" });
    const correct = h("input", { type: "number", id: "mc-correct", min: 1, placeholder: "right (1, 2, …)" });
    this.menu.dataset.kind = "ask";
    this.menu.replaceChildren(
      h("div", { class: "box-title" }, "Ask the class"),
      questions.length
        ? h(
            "ul",
            { class: "lesson-questions" },
            questions.map((q) =>
              h(
                "li",
                {},
                h(
                  "button",
                  {
                    type: "button",
                    class: "ask-lesson",
                    dataset: { question: q.id },
                    onclick: () => ask({ type: "ask", lessonQuestion: q.id }),
                  },
                  "Ask",
                ),
                ` ${q.prompt}`,
              ),
            ),
          )
        : h("p", { class: "muted" }, "This lesson has no prepared questions (docs/lessons.md says how)."),
      h(
        "form",
        {
          class: "mc-form",
          onsubmit: (e) => {
            e.preventDefault();
            const list = choices.value
              .split("|")
              .map((c) => c.trim())
              .filter(Boolean);
            const right = correct.value ? Number(correct.value) - 1 : null;
            ask({
              type: "ask",
              question: { kind: "choice", prompt: prompt.value, choices: list, correct: right },
            });
          },
        },
        h("div", { class: "box-title" }, "A multiple choice"),
        prompt,
        choices,
        correct,
        h("button", { type: "submit" }, "Ask"),
      ),
      error,
    );
    this.menu.hidden = false;
  }
}
