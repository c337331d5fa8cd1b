// The presenter's record in the store (static/src/protocol/store.js `applyPresenter`): the whole
// view from `presenting`, events' fields folded in (null clears), a missed event noticed, and a
// follow reply older than the events already held ignored.
import assert from "node:assert/strict";
import { test } from "node:test";

import { Store } from "../src/protocol/store.js";

function presenting(seq, view) {
  return { type: "presenting", on: true, presenter: "ada", seq, view, spotlight: null, question: null };
}

test("events fold their fields into the whole view and a null clears one", () => {
  const store = new Store();
  const heard = [];
  store.subscribePresenter((message) => heard.push(message.type));
  store.applyPresenter(presenting(3, { tab: "dns", select: "Pod/default/a" }));
  store.applyPresenter({ type: "view", seq: 4, set: { select: null, focus: ["Pod/default/b"] } });
  assert.deepEqual(store.presenter.view, { tab: "dns", focus: ["Pod/default/b"] });
  assert.equal(store.presenter.gap, false);
  assert.deepEqual(heard, ["presenting", "view"]);
});

test("a missed event is noticed, and a follow reply older than what is held is ignored", () => {
  const store = new Store();
  store.applyPresenter(presenting(1, {}));
  store.applyPresenter({ type: "view", seq: 3, set: { tab: "trace" } });
  assert.equal(store.presenter.gap, true);
  store.applyPresenter({ ...presenting(2, { tab: "inspect" }), echo: true });
  assert.deepEqual(store.presenter.view, { tab: "trace" });
  assert.equal(store.presenter.gap, false);
});

test("answers are counted on the question on screen only, and a reveal lands on it", () => {
  const store = new Store();
  store.applyPresenter({ type: "question", question: { id: 7, prompt: "?", answered: 0 } });
  store.applyPresenter({ type: "answers", question: 6, answered: 9 });
  store.applyPresenter({ type: "answers", question: 7, answered: 2 });
  store.applyPresenter({ type: "reveal", question: 7, reveal: { truth: "x" } });
  assert.equal(store.presenter.question.answered, 2);
  assert.deepEqual(store.presenter.question.reveal, { truth: "x" });
});

test("the presenter's console output reaches the listeners and leaves the view and its seq alone", () => {
  const store = new Store();
  const heard = [];
  store.subscribePresenter((message) => heard.push(message));
  store.applyPresenter(presenting(5, { tab: "dns" }));
  store.applyPresenter({ type: "console", seq: 1, data: "$ kubectl get svc\r\n" });
  store.applyPresenter({ type: "console", seq: 9, data: "x", tail: true, presenter: "ada" });
  assert.deepEqual(
    heard.map((m) => [m.type, m.seq]),
    [
      ["presenting", 5],
      ["console", 1],
      ["console", 9],
    ],
  );
  assert.deepEqual(store.presenter.view, { tab: "dns" });
  assert.equal(store.presenter.seq, 5);
  assert.notEqual(store.presenter.gap, true);
});
