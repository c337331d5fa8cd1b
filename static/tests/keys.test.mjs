// The key builders' inverses (static/src/protocol/keys.js): what the browser reads back out of a
// key or a reference. That the builders spell keys as the server does is tested against the
// server's own functions in tests/live/test_keys_js.py.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  family,
  graphEdgeKey,
  graphIdOf,
  graphNodeKey,
  keyTail,
  objectKeyOf,
  objectRef,
  parseRef,
  refIn,
  splitNamespaced,
  viewKeyIn,
} from "../src/protocol/keys.js";

test("a reference reads back as kind, namespace and name; '-' is a cluster-scoped object's namespace", () => {
  assert.deepEqual(parseRef("Pod/default/web-5b44f7dcc6-52zm9"), {
    kind: "Pod",
    namespace: "default",
    name: "web-5b44f7dcc6-52zm9",
  });
  assert.deepEqual(parseRef("Node/-/worker-1"), { kind: "Node", namespace: "", name: "worker-1" });
  assert.equal(objectRef("Node", "", "worker-1"), "Node/-/worker-1");
  for (const ref of [
    "Service/kube-system/kube-dns",
    "Namespace/-/team-a",
    "External/default/db.example.com",
  ]) {
    const { kind, namespace, name } = parseRef(ref);
    assert.equal(objectRef(kind, namespace, name), ref);
  }
});

test("a 'namespace/name' as views and replies write it becomes a reference or a view key", () => {
  assert.deepEqual(splitNamespaced("my-ns/game.service"), { namespace: "my-ns", name: "game.service" });
  assert.equal(refIn("Pod", "default/busybox"), "Pod/default/busybox");
  assert.equal(viewKeyIn("Pod", "default/busybox"), "pod/default/busybox");
  assert.equal(objectKeyOf("Pod/default/busybox"), "object/Pod/default/busybox");
});

test("a key's family is its first segment and its tail the rest, whatever the family's length", () => {
  assert.equal(family("meta"), "meta");
  assert.equal(family("daemonset/kube-system/fluentd"), "daemonset");
  assert.equal(keyTail("daemonset/kube-system/fluentd"), "kube-system/fluentd");
  assert.equal(keyTail("node/worker-1"), "worker-1");
  assert.equal(keyTail("dns-pod/default/busybox"), "default/busybox");
});

test("a graph key gives back its element id, slashes and all; other keys give none", () => {
  const edge = "endpoint/default/webapp/webapp-5b44f7dcc6-52zm9/8080-TCP";
  assert.equal(graphIdOf(graphEdgeKey(edge)), edge);
  assert.equal(graphIdOf(graphNodeKey("Node/-/worker-1")), "Node/-/worker-1");
  assert.equal(graphIdOf(graphNodeKey("world")), "world");
  assert.equal(graphIdOf("pod/default/busybox"), null);
  assert.equal(graphIdOf("graph"), null);
});
