// Every entry key and diagram id of the live protocol (docs/protocol.md), built in one place.
// The server builds the same ones in simulator/live/keys.py; each of its builders has a twin
// here, named in camelCase (`element_id` is `objectRef`), and tests/live/test_keys_js.py runs
// the twins under Node and compares. The rest (parseRef, keyTail, graphIdOf, ...) read keys back.

export const META = "meta";
export const WORLD = "world";
const GRAPH_NODE = "graph/node/";
const GRAPH_EDGE = "graph/edge/";

/** The family of each kind that has a `simulate` view entry (docs/protocol.md). */
const VIEW_FAMILY = {
  Node: "node",
  Pod: "pod",
  Service: "service",
  Ingress: "ingress",
  Deployment: "deployment",
  Job: "job",
  DaemonSet: "daemonset",
};

// ------------------------------------------------------------------ objects
/** "-" stands for the empty namespace of a cluster-scoped object. */
export function namespacePart(namespace) {
  return namespace || "-";
}

/** An object's diagram id, which is also its `object/` reference and its baseResourceVersion
 *  key: `Pod/default/web-x2k9q`, `Node/-/worker-1` (the server's `element_id`). */
export function objectRef(kind, namespace, name) {
  return `${kind}/${namespacePart(namespace)}/${name}`;
}

/** The reference of an `object/` entry (its value carries kind, namespace and name). */
export function entryRef(entry) {
  return objectRef(entry.kind, entry.namespace, entry.name);
}

/** `{kind, namespace, name}` of an object reference (namespace "" for cluster-scoped). */
export function parseRef(ref) {
  const first = ref.indexOf("/");
  const second = ref.indexOf("/", first + 1);
  const namespace = ref.slice(first + 1, second);
  return {
    kind: ref.slice(0, first),
    namespace: namespace === "-" ? "" : namespace,
    name: ref.slice(second + 1),
  };
}

/** `{namespace, name}` of "namespace/name", the way views and replies name a namespaced object. */
export function splitNamespaced(namespacedName) {
  const slash = namespacedName.indexOf("/");
  return { namespace: namespacedName.slice(0, slash), name: namespacedName.slice(slash + 1) };
}

/** "namespace/name", as views, requests and replies name a namespaced object. */
export function namespaced(namespace, name) {
  return `${namespace}/${name}`;
}

/** The reference of a namespaced object named "namespace/name": refIn("Pod", "default/web"). */
export function refIn(kind, namespacedName) {
  const { namespace, name } = splitNamespaced(namespacedName);
  return objectRef(kind, namespace, name);
}

// ------------------------------------------------------------------ entry keys
/** The family of a key: its first segment ("pod", "graph", "meta"). */
export function family(key) {
  const slash = key.indexOf("/");
  return slash < 0 ? key : key.slice(0, slash);
}

/** What follows the family: "default/web" for `pod/default/web`, "worker-1" for `node/worker-1`. */
export function keyTail(key) {
  return key.slice(key.indexOf("/") + 1);
}

export function objectKey(kind, namespace, name) {
  return `object/${objectRef(kind, namespace, name)}`;
}

/** The `object/` key of an object reference. */
export function objectKeyOf(ref) {
  return `object/${ref}`;
}

/** The object's `simulate` view (`pod/<ns>/<name>`, `node/<name>`), or null for kinds without one. */
export function viewKey(kind, namespace, name) {
  const prefix = VIEW_FAMILY[kind];
  if (prefix === undefined) return null;
  return kind === "Node" ? `${prefix}/${name}` : `${prefix}/${namespace}/${name}`;
}

/** The view key of a namespaced object named "namespace/name". */
export function viewKeyIn(kind, namespacedName) {
  const { namespace, name } = splitNamespaced(namespacedName);
  return viewKey(kind, namespace, name);
}

export function envKey(namespace, pod) {
  return `env/${namespace}/${pod}`;
}

export function dnsKey(namespace, service) {
  return `dns/${namespace}/${service}`;
}

export function dnsPodKey(namespace, pod) {
  return `dns-pod/${namespace}/${pod}`;
}

/** kube-proxy's lines for a Service. */
export function rulesKey(namespace, service) {
  return `rules/${namespace}/${service}`;
}

export function hintsKey(kind, namespace, name) {
  return `hints/${kind}/${namespace}/${name}`;
}

// ------------------------------------------------------------------ the diagram
export function graphNodeKey(id) {
  return `${GRAPH_NODE}${id}`;
}

export function graphEdgeKey(id) {
  return `${GRAPH_EDGE}${id}`;
}

/** The element id of a `graph/node/...` or `graph/edge/...` key; null for any other key. */
export function graphIdOf(key) {
  if (key.startsWith(GRAPH_NODE)) return key.slice(GRAPH_NODE.length);
  if (key.startsWith(GRAPH_EDGE)) return key.slice(GRAPH_EDGE.length);
  return null;
}

/** A Service port as an endpoint edge names it: its name, or its number, and its protocol. */
export function portToken(portName, port, protocol) {
  return `${portName || port}-${protocol}`;
}

/** Service -> pod (or -> Node, `Node:<name>`, for default/kubernetes), one per port. */
export function endpointEdgeId(namespace, service, target, token) {
  return `endpoint/${namespace}/${service}/${target}/${token}`;
}

/** Owner -> what it owns; `target` is the owned object's reference. */
export function ownerEdgeId(target) {
  return `owner/${target}`;
}

/** The outside world -> a NodePort or LoadBalancer Service. */
export function exposeEdgeId(namespace, service) {
  return `expose/${namespace}/${service}`;
}

/** An ExternalName Service's target, outside the cluster. */
export function externalId(namespace, service) {
  return objectRef("External", namespace, service);
}

export function externalEdgeId(namespace, service) {
  return `external/${namespace}/${service}`;
}

/** The outside world -> an Ingress. */
export function ingressInEdgeId(namespace, ingress) {
  return `ingress-in/${namespace}/${ingress}`;
}

/** An Ingress's `index`-th route -> its Service. */
export function routeEdgeId(namespace, ingress, index) {
  return `route/${namespace}/${ingress}/${index}`;
}
