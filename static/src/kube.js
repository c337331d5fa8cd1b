// Kubernetes facts as text, the way kubectl prints them, and the simulated clock's readout: pure
// helpers for the panels, the editor and the header (static/tests/kube.test.mjs).

import { dump } from "js-yaml";

/** Columns padded like kubectl's tabwriter (3 spaces between columns). */
export function table(headers, rows) {
  const all = [headers, ...rows].map((r) =>
    r.map((c) => (c === null || c === undefined || c === "" ? "<none>" : String(c))),
  );
  const widths = headers.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  return all
    .map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] + 3))).join(""))
    .join("\n");
}

export function labelString(labels) {
  const keys = Object.keys(labels || {}).sort();
  return keys.length ? keys.map((k) => `${k}=${labels[k]}`).join(",") : "<none>";
}

export function portsColumn(svc) {
  if (!svc.ports.length) return "<none>";
  return svc.ports.map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ""}/${p.protocol}`).join(",");
}

export function externalIp(svc) {
  if (svc.type === "ExternalName") return svc.externalName;
  if (svc.type === "LoadBalancer") return svc.loadBalancerIP || "<pending>";
  return "<none>";
}

/** `kubectl get svc -A -o wide` (without AGE: the simulator has no wall clock). */
export function getServicesWide(services) {
  return table(
    ["NAMESPACE", "NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "SELECTOR"],
    services.map((s) => [
      s.namespace,
      s.name,
      s.type,
      s.clusterIP || "<none>",
      externalIp(s),
      portsColumn(s),
      s.selector ? labelString(s.selector) : "<none>",
    ]),
  );
}

/** `kubectl describe endpoints NAME -n NS`: addresses grouped into subsets by their port set. */
export function describeEndpoints(svc, labels) {
  const byIp = new Map();
  for (const e of svc.endpoints) {
    if (!byIp.has(e.ip)) byIp.set(e.ip, { ready: e.ready, ports: [] });
    byIp.get(e.ip).ports.push(e);
  }
  const subsets = new Map();
  for (const [ip, info] of byIp) {
    const ports = info.ports.map((p) => `${p.portName || "<unset>"}|${p.port}|${p.protocol || "TCP"}`).sort();
    const key = ports.join(",");
    if (!subsets.has(key)) subsets.set(key, { ports, ready: [], notReady: [] });
    (info.ready ? subsets.get(key).ready : subsets.get(key).notReady).push(ip);
  }
  const lines = [
    `Name:         ${svc.name}`,
    `Namespace:    ${svc.namespace}`,
    `Labels:       ${labelString(labels).split(",").join("\n              ")}`,
    "Annotations:  <none>",
    "Subsets:",
  ];

  for (const subset of subsets.values()) {
    lines.push(`  Addresses:          ${subset.ready.join(",") || "<none>"}`);
    lines.push(`  NotReadyAddresses:  ${subset.notReady.join(",") || "<none>"}`);
    lines.push("  Ports:");
    const rows = subset.ports.map((p) => p.split("|"));
    lines.push(
      ...table(["Name", "Port", "Protocol"], [["----", "----", "--------"], ...rows])
        .split("\n")
        .map((l) => `    ${l}`),
    );
    lines.push("");
  }
  lines.push("Events:  <none>");
  return lines.join("\n");
}

/** `kubectl exec POD -- env`: the image's PATH, HOSTNAME, the container's own env, the Service
 *  variables kubelet injects, HOME. Values from other sources (secrets, fieldRef) are shown as such. */
export function execEnv(podName, manifest, serviceEnv) {
  const container = manifest?.spec?.containers?.[0] || {};
  const lines = [
    { text: "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", source: "image" },
    { text: `HOSTNAME=${manifest?.spec?.hostname || podName}`, source: "kubelet" },
  ];
  for (const item of container.env || []) {
    const value =
      item.value !== undefined ? item.value : `<from ${Object.keys(item.valueFrom || {})[0] || "?"}>`;
    lines.push({ text: `${item.name}=${value}`, source: "container env" });
  }
  for (const [k, v] of Object.entries(serviceEnv || {}))
    lines.push({ text: `${k}=${v}`, source: "service link" });
  lines.push({ text: "HOME=/root", source: "runtime" });
  return lines;
}

const SERVER_FIELDS = ["uid", "creationTimestamp", "generation", "managedFields", "selfLink"];

/** The object as `kubectl edit` would show it, less what the server owns (status, uid). */
export function editableYaml(manifest) {
  const copy = JSON.parse(JSON.stringify(manifest));
  const meta = copy.metadata || {};
  for (const f of SERVER_FIELDS) delete meta[f];
  delete copy.status;
  const ordered = { apiVersion: copy.apiVersion, kind: copy.kind, metadata: meta };
  for (const [k, v] of Object.entries(copy)) if (!(k in ordered)) ordered[k] = v;
  return dump(ordered, { lineWidth: 120, noRefs: true });
}

/** Seconds on the simulated clock: "42.5 s", "3 min 5 s". */
export function formatSeconds(s) {
  if (s < 60) return `${Math.round(s * 10) / 10} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}
