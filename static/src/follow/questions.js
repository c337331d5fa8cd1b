// Predict, then reveal: the question card over the diagram. A student answers (pods clicked on
// their own diagram, a name's answer typed, or a choice) and may change it until Reveal; the
// presenter sees how many answered (who, never what), reveals, and gets who was right. On Reveal
// every screen shows the truth (lit on the diagram) and the class's anonymous distribution. The
// answer key is the simulator's: the server applies the prepared edit and asks the engine.

import { h } from "../dom.js";

const PICK = "answer-pick";
const TRUTH = "answer-truth";
const MARKS = [
  {
    selector: `node.${PICK}`,
    style: { "border-color": "#cc79a7", "border-width": 6, "border-style": "double" },
  },
  {
    selector: `node.${TRUTH}`,
    style: {
      "border-color": "#009e73",
      "border-width": 6,
      "underlay-color": "#009e73",
      "underlay-opacity": 0.25,
      "underlay-padding": 8,
    },
  },
];

export class QuestionCard {
  /**
   * @param {object} options  {socket, diagram, presenter (true: the instructor's card),
   *   canAnswer (a student of the class)}
   */
  constructor(host, { socket, diagram, presenter, canAnswer }) {
    this.socket = socket;
    this.diagram = diagram;
    this.presenter = presenter;
    this.canAnswer = canAnswer;
    this.question = null;
    this.picked = new Set();
    this.sent = null; // the answer this student sent
    this.results = null; // the presenter's: who was right
    this.el = h("section", { class: "question-card", id: "question", hidden: true, "aria-live": "polite" });
    host.append(this.el);
    const style = diagram.cy.style();
    for (const mark of MARKS) style.selector(mark.selector).style(mark.style);
    style.update();
    diagram.cy.on("tap", "node", (event) => this.onTap(event.target));
  }

  get picking() {
    const q = this.question;
    return Boolean(q && !q.reveal && this.canAnswer && q.answerWith === "pods");
  }

  onTap(node) {
    if (!this.picking || node.data("kind") !== "Pod") return;
    const ref = node.id().split("/").slice(1).join("/");
    if (this.picked.has(ref)) this.picked.delete(ref);
    else this.picked.add(ref);
    node.toggleClass(PICK, this.picked.has(ref));
    this.render();
  }

  /** The question on screen changed (asked, counted, revealed, dismissed). */
  show(question) {
    const fresh = question?.id !== this.question?.id;
    this.question = question;
    if (fresh) {
      this.picked.clear();
      this.sent = null;
      this.results = null;
      this.diagram.cy.nodes().removeClass(`${PICK} ${TRUTH}`);
    }
    if (question?.reveal) {
      const cy = this.diagram.cy;
      cy.nodes().removeClass(TRUTH);
      for (const id of question.reveal.elements) cy.getElementById(id).addClass(TRUTH);
    }
    this.render();
  }

  async send(answer) {
    try {
      const reply = await this.socket.request({ type: "answer", question: this.question.id, answer });
      this.sent = reply.ok ? answer : null;
      this.error = reply.ok ? "" : reply.error;
    } catch (err) {
      this.error = String(err.message || err);
    }
    this.render();
  }

  async act(message) {
    try {
      const reply = await this.socket.request(message);
      this.error = reply.ok ? "" : reply.error;
      if (reply.results) this.results = reply.results;
    } catch (err) {
      this.error = String(err.message || err);
    }
    this.render();
  }

  answerForm(q) {
    if (q.answerWith === "pods") {
      const picked = [...this.picked].sort();
      return h(
        "div",
        { class: "answer" },
        h("p", { class: "muted" }, "Click the pods on the diagram, then send. Click again to unpick."),
        h(
          "p",
          { id: "answer-picked" },
          picked.length ? picked.join(", ") : "no pods picked (that is an answer too)",
        ),
        h(
          "button",
          { type: "button", class: "primary", id: "answer-send", onclick: () => this.send({ pods: picked }) },
          "Send",
        ),
      );
    }
    if (q.answerWith === "text") {
      const input = h("input", {
        type: "text",
        id: "answer-text",
        placeholder: "NXDOMAIN, or an address",
        value: this.sent?.text || "",
      });
      return h(
        "form",
        {
          class: "answer row",
          onsubmit: (e) => {
            e.preventDefault();
            if (input.value.trim()) this.send({ text: input.value.trim() });
          },
        },
        input,
        h("button", { type: "submit", class: "primary", id: "answer-send" }, "Send"),
      );
    }
    return h(
      "div",
      { class: "answer choices" },
      q.choices.map((choice, i) =>
        h(
          "button",
          {
            type: "button",
            class: `choice${this.sent?.choice === i ? " chosen" : ""}`,
            dataset: { choice: String(i) },
            onclick: () => this.send({ choice: i }),
          },
          `${String.fromCharCode(65 + i)}. ${choice}`,
        ),
      ),
    );
  }

  revealBox(reveal) {
    const total = Math.max(1, reveal.answered);
    return h(
      "div",
      { class: "reveal", id: "reveal" },
      h("p", { class: "truth" }, h("b", {}, "The simulator says: "), reveal.truth),
      h("p", { class: "muted" }, `${reveal.right} of ${reveal.answered} right`),
      h(
        "ul",
        { class: "distribution", id: "distribution" },
        reveal.distribution.map((row) =>
          h(
            "li",
            { class: row.correct ? "right" : row.correct === false ? "wrong" : "" },
            h("span", { class: "bar", style: `width:${Math.round((100 * row.count) / total)}%` }),
            h(
              "span",
              { class: "label" },
              `${row.correct ? "✓ " : row.correct === false ? "✗ " : ""}${row.answer}`,
            ),
            h("span", { class: "count" }, String(row.count)),
          ),
        ),
      ),
    );
  }

  render() {
    const q = this.question;
    this.el.hidden = !q;
    if (!q) return;
    const parts = [
      h("div", { class: "box-title" }, "Predict, then reveal"),
      h("p", { class: "q-prompt", id: "question-prompt" }, q.prompt),
    ];
    if (q.edit)
      parts.push(h("details", {}, h("summary", {}, "the edit"), h("pre", { class: "kubectl" }, q.edit)));
    if (q.reveal) {
      parts.push(this.revealBox(q.reveal));
    } else {
      if (this.canAnswer) {
        parts.push(this.answerForm(q));
        if (this.sent)
          parts.push(
            h("p", { class: "sent", id: "answer-sent" }, "Answer sent: you may change it until the reveal."),
          );
      }
      parts.push(h("p", { class: "count", id: "answered" }, `${q.answered || 0} answered`));
    }
    if (this.presenter) {
      const actions = q.reveal
        ? [
            h(
              "button",
              { type: "button", id: "dismiss", onclick: () => this.act({ type: "dismiss" }) },
              "Done",
            ),
          ]
        : [
            h(
              "button",
              {
                type: "button",
                class: "primary",
                id: "reveal-button",
                onclick: () => this.act({ type: "reveal", question: q.id }),
              },
              "Reveal",
            ),
          ];
      parts.push(h("div", { class: "row presenter-only" }, actions));
      if (this.results) {
        parts.push(
          h(
            "details",
            { class: "results presenter-only", id: "results" },
            h("summary", {}, "Who was right (only you see this)"),
            h(
              "ul",
              {},
              this.results.map((r) =>
                h("li", {}, `${r.correct ? "✓" : r.correct === false ? "✗" : "·"} ${r.student}: ${r.answer}`),
              ),
            ),
          ),
        );
      }
    }
    if (this.error) parts.push(h("div", { class: "error-box" }, this.error));
    this.el.replaceChildren(...parts);
  }
}
