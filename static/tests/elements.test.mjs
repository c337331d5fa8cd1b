// The diagram's elements from the live protocol's graph entries (static/src/diagram/elements.js)
// and a traced request's path on them (static/src/diagram/trace.js traceSteps): pure, no browser.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  PENDING,
  defaultVisibility,
  edgeElement,
  isVisibleNode,
  nodeElement,
  pendingFrame,
} from "../src/diagram/elements.js";
import { traceSteps } from "../src/diagram/trace.js";
import { Store } from "../src/protocol/store.js";

const node = (data, classes = "") => ({ group: "nodes", data, classes });

test("a pod sits in its Node's box, or in the Pending box before it has one", () => {
  const data = { id: "Pod/default/web-1", kind: "Pod", label: "web-1", namespace: "default" };
  const placed = nodeElement(
    node({ ...data, parent: "Node/-/worker-1", ip: "10.244.1.2", phase: "Running", ready: true }),
  );
  assert.equal(placed.data.host, "Node/-/worker-1");
  assert.equal("parent" in placed.data, false); // positions are the diagram's: no compound parents
  assert.equal(placed.data.display, "web-1\n10.244.1.2");
  const waiting = nodeElement(node({ ...data, phase: "Pending", ready: false }, "pod not-ready"));
  assert.equal(waiting.data.host, PENDING);
  assert.equal(waiting.data.display, "web-1\nno IP · Pending");
  assert.equal(waiting.classes, "pod not-ready");
});

test("a pod's label says when it is not ready and which namespace it is in, unless default", () => {
  const el = nodeElement(
    node({
      id: "Pod/shop/api-0",
      kind: "Pod",
      label: "api-0",
      namespace: "shop",
      ip: "10.244.2.9",
      phase: "Running",
      ready: false,
    }),
  );
  assert.equal(el.data.display, "api-0\n10.244.2.9 · not ready · shop");
});

test("a pod the server marks terminating says so until it is gone", () => {
  const el = nodeElement(
    node({
      id: "Pod/default/web-1",
      kind: "Pod",
      label: "web-1",
      namespace: "default",
      ip: "10.244.1.4",
      phase: "Running",
      ready: true,
      terminating: true,
    }),
  );
  assert.equal(el.data.display, "web-1\n10.244.1.4 · Terminating");
});

test("a group of pods says how many are ready, and how many are terminating while any are", () => {
  const group = {
    id: "group/Node/-/worker-1/ReplicaSet/default/web-abc",
    kind: "Pod",
    label: "web",
    namespace: "default",
    count: 190,
    readyCount: 190,
  };
  assert.equal(nodeElement(node(group)).data.display, "web ×190\n190 ready");
  assert.equal(
    nodeElement(node({ ...group, terminatingCount: 10 })).data.display,
    "web ×190\n190 ready, 10 terminating",
  );
});

test("a Service's label: type, cluster IP, ports, a LoadBalancer's IP, why it has no endpoints", () => {
  const service = {
    id: "Service/default/web",
    kind: "Service",
    label: "web",
    namespace: "default",
    parent: "Namespace/-/default",
    type: "LoadBalancer",
    clusterIP: "10.96.0.20",
    ports: ["80/TCP:30080"],
  };
  assert.equal(
    nodeElement(node(service)).data.display,
    "web\nLoadBalancer 10.96.0.20\nLB <pending> · 80/TCP:30080",
  );
  const warned = nodeElement(
    node({
      ...service,
      type: "ClusterIP",
      warning: {
        id: "service-selects-no-pods",
        message: "Service 'web' selects no Pods",
        hint: "fix the labels",
      },
    }),
  );
  assert.equal(
    warned.data.display,
    "web\nClusterIP 10.96.0.20\n80/TCP:30080\n⚠ no endpoints: selects no Pods",
  );
  assert.equal(warned.data.tooltip, "Service 'web' selects no Pods\nfix the labels");
  assert.equal(warned.data.host, "Namespace/-/default");
  const headless = nodeElement(node({ ...service, type: "ClusterIP", clusterIP: "None", ports: [] }));
  assert.equal(headless.data.display.split("\n")[1], "headless (clusterIP None)");
  const external = nodeElement(node({ ...service, type: "ExternalName", externalName: "db.example.com" }));
  assert.equal(external.data.display.split("\n")[1], "ExternalName → db.example.com");
});

test("a Node box lists four NodePorts and counts the rest; a frame gets a size and room for a label", () => {
  const el = nodeElement(
    node(
      {
        id: "Node/-/worker-1",
        kind: "Node",
        label: "worker-1",
        ip: "172.18.0.3",
        podCIDR: "10.244.1.0/24",
        nodePorts: ["30001/TCP", "30002/TCP", "30003/UDP", "30004/TCP", "30005/TCP", "30006/TCP"],
      },
      "node",
    ),
  );
  assert.equal(
    el.data.display,
    "Node worker-1 · 172.18.0.3\npod CIDR 10.244.1.0/24\nNodePorts 30001, 30002, 30003/UDP, 30004 +2 more",
  );
  assert.equal(el.classes, "node frame");
  assert.deepEqual([el.data.w, el.data.h, el.data.labelShift], [200, 90, 8 + 14 * 3]);
  assert.equal(pendingFrame().data.display, "Pending: no node fits");
});

test("kube-system and the API server's own Service are 'system'; owners are 'owner'", () => {
  const dns = nodeElement(
    node(
      {
        id: "Service/kube-system/kube-dns",
        kind: "Service",
        label: "kube-dns",
        namespace: "kube-system",
        type: "ClusterIP",
      },
      "service",
    ),
  );
  assert.match(dns.classes, /\bsystem\b/);
  const api = nodeElement(
    node(
      {
        id: "Service/default/kubernetes",
        kind: "Service",
        label: "kubernetes",
        namespace: "default",
        type: "ClusterIP",
      },
      "service",
    ),
  );
  assert.match(api.classes, /\bsystem\b/);
  const owner = nodeElement(
    node(
      { id: "Job/default/pi", kind: "Job", label: "pi", namespace: "default", summary: "1/3 done" },
      "owner job",
    ),
  );
  assert.equal(owner.data.display, "Job pi\n1/3 done");
  assert.match(owner.classes, /\bowner\b/);
  assert.equal(isVisibleNode(owner.data, { owners: false, system: true }), false);
  assert.equal(isVisibleNode(owner.data, { owners: true, system: false }), true);
  assert.equal(isVisibleNode(dns.data, { owners: true, system: false }), false);
  const edge = edgeElement({
    group: "edges",
    data: {
      id: "endpoint/default/kubernetes/Node:cp/https-TCP",
      source: "Service/default/kubernetes",
      target: "Node/-/cp",
    },
    classes: "endpoint ready",
  });
  assert.equal(edge.classes, "endpoint ready system");
});

test("from the outside world a LoadBalancer's edge reads 'LB <ip>'", () => {
  const edge = edgeElement({
    group: "edges",
    data: {
      id: "expose/default/web",
      source: "world",
      target: "Service/default/web",
      label: "LoadBalancer 192.168.1.240 · NodePort 30080",
      loadBalancerIP: "192.168.1.240",
    },
    classes: "expose type-loadbalancer",
  });
  assert.equal(edge.data.label, "LB 192.168.1.240");
});

test("owners show at first with Jobs or DaemonSets; kube-system with more than its defaults in it", () => {
  const store = new Store();
  const snapshot = (entries) => store.loadSnapshot({ version: 1, entries });
  snapshot({
    "object/Service/kube-system/kube-dns": {},
    "object/Deployment/kube-system/coredns": {},
    "object/Pod/kube-system/coredns-5d78c9869d-abcde": {},
    "deployment/default/web": {},
  });
  assert.deepEqual(defaultVisibility(store), { owners: false, system: false });
  snapshot({ "object/Pod/kube-system/fluentd-x2k9q": {}, "job/default/pi": {} });
  assert.deepEqual(defaultVisibility(store), { owners: true, system: true });
  snapshot({ "object/Namespace/-/kube-system": {}, "daemonset/default/agent": {} });
  assert.deepEqual(defaultVisibility(store), { owners: true, system: false });
});

test("a traced request's path: the pod, kube-dns, a drawn link to the Service, its endpoint, the pod", () => {
  const edges = {
    "Service/default/webapp>Pod/default/webapp-1.endpoint": "endpoint/default/webapp/webapp-1/8080-TCP",
  };
  const edgeBetween = (source, target, cls) => edges[`${source}>${target}${cls ? `.${cls}` : ""}`] ?? null;
  const result = {
    ok: true,
    hops: [
      { step: "dns", name: "webapp", value: "10.96.0.20" },
      { step: "service", service: "default/webapp", port: 8080 },
      { step: "endpoint", pod: "default/webapp-1", ip: "10.244.2.2", port: 8080 },
    ],
  };
  assert.deepEqual(traceSteps("default/busybox", result, edgeBetween), [
    "Pod/default/busybox",
    "Service/kube-system/kube-dns",
    { link: ["Pod/default/busybox", "Service/default/webapp"], label: "webapp → 10.96.0.20:8080" },
    "Service/default/webapp",
    "endpoint/default/webapp/webapp-1/8080-TCP",
    "Pod/default/webapp-1",
  ]);
});

test("from outside: through an Ingress to its Service, or out of the cluster through an ExternalName", () => {
  const edges = {
    "Ingress/shop/front>Service/shop/web": "route/shop/front/0",
    "world>Service/default/db": null,
  };
  const edgeBetween = (source, target) => edges[`${source}>${target}`] ?? null;
  const viaIngress = {
    ok: false,
    hops: [
      { step: "ingress", ingress: "shop/front", host: "shop.example.com", path: "/" },
      { step: "service", service: "shop/web", port: 80 },
    ],
  };
  assert.deepEqual(traceSteps("external", viaIngress, edgeBetween), [
    "world",
    "ingress-in/shop/front",
    "Ingress/shop/front",
    "route/shop/front/0",
    "Service/shop/web",
  ]);
  const outward = {
    ok: true,
    hops: [
      { step: "service", service: "default/db", port: 3306 },
      { step: "external", name: "db.example.com" },
    ],
  };
  assert.deepEqual(traceSteps("default/app", outward, edgeBetween), [
    "Pod/default/app",
    { link: ["Pod/default/app", "Service/default/db"], label: ":3306" },
    "Service/default/db",
    "external/default/db",
    "External/default/db",
  ]);
});
