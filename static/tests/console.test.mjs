// The console's line editor and Tab completion (static/src/console), under Node.
import { test } from "node:test";
import assert from "node:assert/strict";

import { History, LineEditor } from "../src/console/line.js";
import { candidates, commonPrefix } from "../src/console/complete.js";

const VOCABULARY = {
  subcommands: ["apply", "describe", "exec", "get", "logs"],
  resources: ["po", "pod", "pods", "svc", "service", "services", "deploy", "deployments"],
  kinds: {
    po: "Pod",
    pod: "Pod",
    pods: "Pod",
    svc: "Service",
    service: "Service",
    services: "Service",
    deploy: "Deployment",
    deployments: "Deployment",
  },
  flags: ["--all-namespaces", "--output=", "-o", "-n", "-l"],
  outputs: ["wide", "yaml", "json", "name"],
};
const OBJECTS = [
  { kind: "Pod", namespace: "default", name: "busybox" },
  { kind: "Pod", namespace: "default", name: "webapp-7d9f-abcde" },
  { kind: "Pod", namespace: "kube-system", name: "coredns-1" },
  { kind: "Service", namespace: "default", name: "webapp" },
  { kind: "Namespace", namespace: "", name: "kube-system" },
];

test("typing then Enter submits the line and remembers it", () => {
  const editor = new LineEditor(new History());
  assert.deepEqual(editor.key("kubectl get po"), [{ echo: "kubectl get po" }]);
  assert.deepEqual(editor.key("\r"), [{ submit: "kubectl get po" }]);
  assert.equal(editor.text, "");
  assert.deepEqual(editor.history.lines, ["kubectl get po"]);
});

test("up and down walk the history and come back to the draft", () => {
  const editor = new LineEditor(new History(["kubectl get svc", "kubectl get pods"]));
  editor.key("kub");
  editor.key("\x1b[A");
  assert.equal(editor.text, "kubectl get pods");
  editor.key("\x1b[A");
  assert.equal(editor.text, "kubectl get svc");
  editor.key("\x1b[B\x1b[B");
  assert.equal(editor.text, "kub");
});

test("backspace and the arrows edit in the middle of the line", () => {
  const editor = new LineEditor(new History());
  editor.key("kubectl get poss");
  editor.key("\x7f\x1b[D");
  editor.key("d");
  assert.equal(editor.text, "kubectl get pods");
  assert.equal(editor.cursor, 15);
});

test("a pasted block of lines submits each line", () => {
  const editor = new LineEditor(new History());
  const actions = editor.key("kubectl get svc\r\nkubectl get pods\r");
  assert.deepEqual(
    actions.filter((a) => a.submit).map((a) => a.submit),
    ["kubectl get svc", "kubectl get pods"],
  );
});

test("a line ending in a backslash continues on the next", () => {
  const editor = new LineEditor(new History());
  editor.key("kubectl get pods \\\r");
  const actions = editor.key("-o wide\r");
  assert.equal(actions.at(-1).submit, "kubectl get pods \\\n-o wide");
});

test("Ctrl+C and Tab are actions, not text", () => {
  const editor = new LineEditor(new History());
  assert.deepEqual(editor.key("kubectl\t"), [{ echo: "kubectl" }, { complete: true }]);
  assert.deepEqual(editor.key("\x03"), [{ interrupt: true }]);
  assert.equal(editor.text, "");
});

test("Tab completes subcommands, resources, object names of that kind and namespace, and flags", () => {
  assert.deepEqual(candidates("kub", VOCABULARY, OBJECTS).options, ["kubectl"]);
  assert.deepEqual(candidates("kubectl de", VOCABULARY, OBJECTS).options, ["describe"]);
  assert.deepEqual(candidates("kubectl get se", VOCABULARY, OBJECTS).options, ["service", "services"]);
  assert.deepEqual(candidates("kubectl describe svc ", VOCABULARY, OBJECTS).options, ["webapp"]);
  assert.deepEqual(candidates("kubectl get pods w", VOCABULARY, OBJECTS).options, ["webapp-7d9f-abcde"]);
  assert.deepEqual(candidates("kubectl -n kube-system get pods ", VOCABULARY, OBJECTS).options, [
    "coredns-1",
  ]);
  assert.deepEqual(candidates("kubectl exec -ti b", VOCABULARY, OBJECTS).options, ["busybox"]);
  assert.deepEqual(candidates("kubectl get svc/", VOCABULARY, OBJECTS).options, ["svc/webapp"]);
  assert.deepEqual(candidates("kubectl get svc -o w", VOCABULARY, OBJECTS).options, ["wide"]);
  assert.deepEqual(candidates("kubectl get svc --all", VOCABULARY, OBJECTS).options, ["--all-namespaces"]);
  assert.deepEqual(candidates("kubectl exec busybox -- ns", VOCABULARY, OBJECTS).options, []);
});

test("the common prefix of the options is what one Tab adds", () => {
  assert.equal(commonPrefix(["service", "services"]), "service");
  assert.equal(commonPrefix(["a"]), "a");
  assert.equal(commonPrefix([]), "");
});
