// Builds live-protocol keys with the browser's own builders (static/src/protocol/keys.js), for
// tests/live/test_keys_js.py to compare with the server's (simulator/live/keys.py).
//
//   node static/tests/build-keys.mjs < calls.json
// Input: a JSON list of calls, each [name, ...arguments]: any export of keys.js (a constant takes
// no arguments), or
// "subjectKeys" (every key a subject may produce whose name follows from the subject alone,
// composed here from the builders the way the server's `subject_keys` lists them; the browser
// itself never needs the list).
// Output: the JSON list of results, in order.
import * as keys from "../src/protocol/keys.js";

function subjectKeys(kind, namespace, name) {
  const ref = keys.objectRef(kind, namespace, name);
  const out = [
    keys.objectKey(kind, namespace, name),
    keys.graphNodeKey(ref),
    keys.graphEdgeKey(keys.ownerEdgeId(ref)),
  ];
  const view = keys.viewKey(kind, namespace, name);
  if (view) out.push(view);
  if (kind === "Pod") {
    out.push(
      keys.envKey(namespace, name),
      keys.dnsPodKey(namespace, name),
      keys.hintsKey(kind, namespace, name),
    );
  } else if (kind === "Service") {
    out.push(
      keys.dnsKey(namespace, name),
      keys.rulesKey(namespace, name),
      keys.hintsKey(kind, namespace, name),
      keys.graphEdgeKey(keys.exposeEdgeId(namespace, name)),
      keys.graphNodeKey(keys.externalId(namespace, name)),
      keys.graphEdgeKey(keys.externalEdgeId(namespace, name)),
    );
  } else if (kind === "Ingress") {
    out.push(keys.graphEdgeKey(keys.ingressInEdgeId(namespace, name)));
  }
  return out;
}

const builders = { ...keys, subjectKeys };
let input = "";
for await (const chunk of process.stdin) input += chunk;
const results = JSON.parse(input).map(([name, ...args]) => {
  const builder = builders[name];
  if (builder === undefined) throw new Error(`keys.js has no export ${name}`);
  return typeof builder === "function" ? (builder(...args) ?? null) : builder;
});
process.stdout.write(JSON.stringify(results) + "\n");
