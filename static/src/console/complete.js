// Tab completion for the console, from what the server said kubectl accepts (the `hello`
// message's vocabulary: subcommands, resource names with their kinds, flags, output formats) and
// the cluster's own objects (the store's `object/` entries). Nothing here knows Kubernetes: it
// matches words against those lists.

/** The words of a line as far as completion cares (quotes are rare in what one completes). */
export function words(line) {
  const parts = line.split(/\s+/);
  return parts[0] === "" ? parts.slice(1) : parts;
}

function objectNames(objects, kind, namespace) {
  const names = new Set();
  for (const o of objects) {
    if (o.kind !== kind) continue;
    if (namespace !== null && o.namespace && o.namespace !== namespace) continue;
    names.add(o.name);
  }
  return [...names].sort();
}

/** The namespace a line asks about: `-n NS`, `--namespace NS|=NS`, or null for `-A`. */
export function namespaceOf(tokens) {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t === "-A" || t === "--all-namespaces") return null;
    if ((t === "-n" || t === "--namespace") && i + 1 < tokens.length) return tokens[i + 1];
    if (t.startsWith("--namespace=")) return t.slice("--namespace=".length);
    if (t.startsWith("-n") && t.length > 2 && !t.startsWith("--")) return t.slice(2);
  }
  return "default";
}

const POD_COMMANDS = new Set(["exec", "logs", "attach", "port-forward"]);
const VALUE_FLAGS = new Set([
  "-n",
  "--namespace",
  "-o",
  "--output",
  "-l",
  "--selector",
  "-c",
  "--container",
  "-f",
]);

/**
 * The candidates for the last word of `line`: {prefix, options}. `vocabulary` as the server sent
 * it; `objects` [{kind, namespace, name}].
 */
export function candidates(line, vocabulary, objects) {
  const tokens = words(line);
  const current = line.endsWith(" ") || tokens.length === 0 ? "" : tokens[tokens.length - 1];
  const before = line.endsWith(" ") || tokens.length === 0 ? tokens : tokens.slice(0, -1);
  const filter = (list) => [...new Set(list)].filter((w) => w.startsWith(current)).sort();
  if (before.length === 0) return { prefix: current, options: filter(["kubectl"]) };
  const previous = before[before.length - 1];
  if (previous === "-o" || previous === "--output")
    return { prefix: current, options: filter(vocabulary.outputs) };
  if (previous === "-n" || previous === "--namespace") {
    return {
      prefix: current,
      options: filter(objects.filter((o) => o.kind === "Namespace").map((o) => o.name)),
    };
  }
  if (current.startsWith("-")) return { prefix: current, options: filter(vocabulary.flags) };
  // positional words after `kubectl`, skipping flags and their values
  const positional = [];
  for (let i = 1; i < before.length; i++) {
    if (before[i] === "--") return { prefix: current, options: [] };
    if (before[i].startsWith("-")) {
      if (VALUE_FLAGS.has(before[i])) i++;
      continue;
    }
    positional.push(before[i]);
  }
  const namespace = namespaceOf(tokens);
  if (positional.length === 0) return { prefix: current, options: filter(vocabulary.subcommands) };
  const sub = positional[0];
  if (POD_COMMANDS.has(sub)) {
    return { prefix: current, options: filter(objectNames(objects, "Pod", namespace)) };
  }
  const slash = current.indexOf("/");
  if (slash > 0) {
    const kind = vocabulary.kinds[current.slice(0, slash)];
    if (!kind) return { prefix: current, options: [] };
    const head = current.slice(0, slash + 1);
    return { prefix: current, options: filter(objectNames(objects, kind, namespace).map((n) => head + n)) };
  }
  if (positional.length === 1) return { prefix: current, options: filter(vocabulary.resources) };
  const resource = positional[1].split(",")[0];
  const kind = vocabulary.kinds[resource];
  if (kind) return { prefix: current, options: filter(objectNames(objects, kind, namespace)) };
  return { prefix: current, options: [] };
}

/** The longest prefix every option shares. */
export function commonPrefix(options) {
  if (!options.length) return "";
  let prefix = options[0];
  for (const o of options.slice(1)) {
    while (!o.startsWith(prefix)) prefix = prefix.slice(0, -1);
  }
  return prefix;
}
