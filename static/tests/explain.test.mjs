// The server's answers on why pods are behind a Service or not, as the browser keeps them
// (static/src/protocol/explain.js): asked once per subject and version, one request in flight,
// asked again when the store moves on. The server cannot run here: its replies are written out.
import assert from "node:assert/strict";
import { test } from "node:test";

import { Explanations } from "../src/protocol/explain.js";
import { Store } from "../src/protocol/store.js";

function setUp() {
  const store = new Store();
  store.loadSnapshot({ version: 5, entries: {} });
  const asked = [];
  const replies = [];
  const answer = (request) =>
    new Promise((resolve) => {
      asked.push(request);
      replies.push(resolve);
    });
  const explanations = new Explanations(store, { explainService: answer, explainPod: answer });
  const heard = [];
  explanations.subscribe((kind, ref) => heard.push(`${kind}:${ref}`));
  return { store, explanations, asked, replies, heard };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

test("a Service is asked about once while the answer is on its way, and the answer is kept", async () => {
  const { explanations, asked, replies, heard } = setUp();
  assert.equal(explanations.service("default/prod"), null);
  assert.equal(explanations.service("default/prod"), null);
  assert.deepEqual(asked, [{ service: "default/prod" }]);
  const reply = { ok: true, version: 5, service: "default/prod", selector: { zone: "prod" }, pods: {} };
  replies[0](reply);
  await settle();
  assert.deepEqual(heard, ["service:default/prod"]);
  assert.equal(explanations.service("default/prod"), reply);
  assert.equal(asked.length, 1); // the answer is as new as the store: not asked again
});

test("once the store moves on, the last answer still shows while a newer one is asked for", async () => {
  const { store, explanations, asked, replies } = setUp();
  explanations.pod("default/web-1");
  const old = { ok: true, version: 5, pod: "default/web-1", services: [] };
  replies[0](old);
  await settle();
  store.applyChange({ version: 6, base: 5, set: {}, unset: [] });
  assert.equal(explanations.pod("default/web-1"), old);
  assert.equal(explanations.pod("default/web-1"), old);
  assert.deepEqual(asked, [{ pod: "default/web-1" }, { pod: "default/web-1" }]);
  const fresh = { ...old, version: 6 };
  replies[1](fresh);
  await settle();
  assert.equal(explanations.pod("default/web-1"), fresh);
});

test("a refused question gives no answer and is not asked again at the same version", async () => {
  const { store, explanations, asked, replies } = setUp();
  explanations.pod("default/gone");
  replies[0]({ ok: false, error: "no Pod default/gone in this cluster" });
  await settle();
  assert.equal(explanations.pod("default/gone"), null);
  assert.equal(asked.length, 1);
  store.applyChange({ version: 6, base: 5, set: {}, unset: [] });
  explanations.pod("default/gone");
  assert.equal(asked.length, 2);
});

test("a question lost with the connection is asked again on the next look", async () => {
  const store = new Store();
  store.loadSnapshot({ version: 1, entries: {} });
  let calls = 0;
  const offline = () => {
    calls += 1;
    return Promise.reject(new Error("not connected"));
  };
  const explanations = new Explanations(store, { explainService: offline, explainPod: offline });
  assert.equal(explanations.service("default/web"), null);
  await settle();
  assert.equal(explanations.service("default/web"), null);
  assert.equal(calls, 2);
});
