// Unit tests of the dashboard's pure helpers (static/src/kube.js, store.js), run by `make test`
// with Node's own runner: `node --test static/tests/`.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  describeEndpoints,
  editableYaml,
  execEnv,
  getServicesWide,
  labelString,
  portsColumn,
  table,
} from "../src/kube.js";
import { mergePatch, Store } from "../src/protocol/store.js";

test("tables are padded like kubectl's tabwriter: widest cell plus three spaces, <none> for empty", () => {
  const text = table(
    ["NAME", "TYPE", "SELECTOR"],
    [
      ["web", "ClusterIP", ""],
      ["game-service", "NodePort", "app=game"],
    ],
  );
  assert.equal(
    text,
    [
      "NAME           TYPE        SELECTOR",
      "web            ClusterIP   <none>",
      "game-service   NodePort    app=game",
    ].join("\n"),
  );
});

test("kubectl get svc -o wide columns: ports with nodePorts, external IPs per type, sorted selector", () => {
  const services = [
    {
      namespace: "default",
      name: "kubernetes",
      type: "ClusterIP",
      clusterIP: "10.96.0.1",
      selector: null,
      ports: [{ port: 443, protocol: "TCP", nodePort: null }],
    },
    {
      namespace: "default",
      name: "web",
      type: "NodePort",
      clusterIP: "10.96.0.44",
      selector: { run: "webapp", app: "a" },
      ports: [
        { port: 80, protocol: "TCP", nodePort: 30080 },
        { port: 53, protocol: "UDP", nodePort: 30053 },
      ],
    },
    {
      namespace: "default",
      name: "lb",
      type: "LoadBalancer",
      clusterIP: "10.96.0.9",
      loadBalancerIP: "<pending>",
      selector: { a: "b" },
      ports: [{ port: 80, protocol: "TCP", nodePort: 31000 }],
    },
    {
      namespace: "default",
      name: "mysql",
      type: "ExternalName",
      clusterIP: null,
      externalName: "db.example.com",
      selector: null,
      ports: [],
    },
  ];
  const lines = getServicesWide(services).split("\n");
  assert.match(lines[0], /^NAMESPACE\s+NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+SELECTOR$/);
  assert.deepEqual(lines[1].split(/\s{3,}/), [
    "default",
    "kubernetes",
    "ClusterIP",
    "10.96.0.1",
    "<none>",
    "443/TCP",
    "<none>",
  ]);
  assert.deepEqual(lines[2].split(/\s{3,}/), [
    "default",
    "web",
    "NodePort",
    "10.96.0.44",
    "<none>",
    "80:30080/TCP,53:30053/UDP",
    "app=a,run=webapp",
  ]);
  assert.deepEqual(lines[3].split(/\s{3,}/), [
    "default",
    "lb",
    "LoadBalancer",
    "10.96.0.9",
    "<pending>",
    "80:31000/TCP",
    "a=b",
  ]);
  assert.deepEqual(lines[4].split(/\s{3,}/), [
    "default",
    "mysql",
    "ExternalName",
    "<none>",
    "db.example.com",
    "<none>",
    "<none>",
  ]);
  assert.equal(portsColumn({ ports: [] }), "<none>");
  assert.equal(labelString({}), "<none>");
});

test("kubectl describe endpoints: ready and not-ready addresses in one subset per port set", () => {
  const svc = {
    name: "web",
    namespace: "default",
    endpoints: [
      { pod: "default/a", ip: "10.244.1.2", port: 8080, portName: "http", ready: true },
      { pod: "default/b", ip: "10.244.2.2", port: 8080, portName: "http", ready: true },
      { pod: "default/c", ip: "10.244.2.3", port: 8080, portName: "http", ready: false },
      { pod: "default/d", ip: "10.244.1.9", port: 9090, portName: "http", ready: true },
    ],
  };
  const text = describeEndpoints(svc, { app: "web" });
  assert.match(text, /^Name: {9}web\nNamespace: {4}default\nLabels: {7}app=web\n/);
  const subsets = text.split("  Addresses:").slice(1);
  assert.equal(subsets.length, 2); // the pod serving 9090 has another port set
  assert.match(subsets[0], /^ {10}10\.244\.1\.2,10\.244\.2\.2\n {2}NotReadyAddresses: {2}10\.244\.2\.3\n/);
  assert.match(subsets[0], /http {3}8080 {3}TCP/);
  assert.match(subsets[1], /^ {10}10\.244\.1\.9\n {2}NotReadyAddresses: {2}<none>\n/);
  assert.ok(text.endsWith("Events:  <none>"));
  assert.match(
    describeEndpoints({ name: "x", namespace: "default", endpoints: [] }, {}),
    /Subsets:\nEvents:/,
  );
});

test("exec env lists the container's own variables before the Service links, like kubelet's order", () => {
  const manifest = {
    spec: {
      containers: [
        {
          env: [
            { name: "MODE", value: "prod" },
            { name: "PASS", valueFrom: { secretKeyRef: {} } },
          ],
        },
      ],
    },
  };
  const lines = execEnv("busybox", manifest, { WEBAPP_SERVICE_HOST: "10.96.0.44" }).map((l) => l.text);
  assert.deepEqual(lines, [
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "HOSTNAME=busybox",
    "MODE=prod",
    "PASS=<from secretKeyRef>",
    "WEBAPP_SERVICE_HOST=10.96.0.44",
    "HOME=/root",
  ]);
  // a pod with spec.hostname answers to it
  assert.equal(execEnv("p", { spec: { hostname: "db-0", containers: [{}] } }, {})[1].text, "HOSTNAME=db-0");
});

test("the YAML a user edits keeps resourceVersion but not what the server owns", () => {
  const text = editableYaml({
    kind: "Service",
    status: { loadBalancer: {} },
    apiVersion: "v1",
    spec: { ports: [{ port: 80 }] },
    metadata: { name: "web", uid: "u-1", resourceVersion: "42", creationTimestamp: "t", managedFields: [] },
  });
  assert.ok(text.startsWith("apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n"), text);
  assert.match(text, /resourceVersion: '42'/);
  assert.doesNotMatch(text, /uid|creationTimestamp|managedFields|status|loadBalancer/);
});

test("merge patches follow RFC 7386 (its appendix's cases)", () => {
  const cases = [
    [{ a: "b" }, { a: "c" }, { a: "c" }],
    [{ a: "b" }, { b: "c" }, { a: "b", b: "c" }],
    [{ a: "b" }, { a: null }, {}],
    [{ a: "b", b: "c" }, { a: null }, { b: "c" }],
    [{ a: ["b"] }, { a: "c" }, { a: "c" }],
    [{ a: "c" }, { a: ["b"] }, { a: ["b"] }],
    [{ a: { b: "c" } }, { a: { b: "d", c: null } }, { a: { b: "d" } }],
    [{ a: [{ b: "c" }] }, { a: [1] }, { a: [1] }],
    [
      ["a", "b"],
      ["c", "d"],
      ["c", "d"],
    ],
    [{ a: "b" }, ["c"], ["c"]],
    [{ a: "foo" }, null, null],
    [{ a: "foo" }, "bar", "bar"],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: "b", c: null }, { a: "b" }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  for (const [target, patch, result] of cases)
    assert.deepEqual(mergePatch(target, patch), result, JSON.stringify([target, patch]));
  const target = { a: { b: 1 } };
  mergePatch(target, { a: { b: 2 } });
  assert.deepEqual(target, { a: { b: 1 } }); // the entry held by the store is never changed in place
});

test("the store lists one family sorted and applies unset, then set, then patch", () => {
  const store = new Store();
  const seen = [];
  store.subscribe((event) => seen.push(event.type));
  store.loadSnapshot({
    version: 5,
    entries: {
      "pod/default/b": { ip: "1" },
      "pod/default/a": { ip: "2" },
      "service/default/web": { type: "ClusterIP" },
    },
  });
  assert.deepEqual(
    store.list("pod").map(([k]) => k),
    ["pod/default/a", "pod/default/b"],
  );
  const change = store.applyChange({
    version: 6,
    unset: ["pod/default/a"],
    set: { "pod/default/c": { ip: "3" } },
    patch: { "service/default/web": { type: "NodePort", ports: [1] } },
    cause: { user: "t" },
  });
  assert.equal(store.version, 6);
  assert.deepEqual([...store.keys("pod")].sort(), ["pod/default/b", "pod/default/c"]);
  assert.deepEqual(store.get("service/default/web"), { type: "NodePort", ports: [1] });
  // patches come back whole
  assert.deepEqual(change.set["service/default/web"], { type: "NodePort", ports: [1] });
  assert.deepEqual(seen, ["snapshot", "change"]);
});
