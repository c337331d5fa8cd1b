// kube-proxy: one Service's iptables chains (its nat table, as iptables-save prints it), the
// lines that DNAT, pick at random, mark for masquerade or drop set apart by colour.

import { h } from "../dom.js";
import { rulesKey, splitNamespaced } from "../protocol/keys.js";
import { MAX_ROWS, section } from "./parts.js";

const EXPLAINED =
  "KUBE-SERVICES matches the cluster IP and port, KUBE-SVC-… picks an endpoint " +
  "(statistic --probability 1/n, 1/(n-1), …), KUBE-SEP-… DNATs to pod IP:targetPort.";

function lineClass(line) {
  if (line.includes("-j DNAT")) return "dnat";
  if (line.includes("statistic")) return "stat";
  if (line.includes("KUBE-MARK-MASQ")) return "masq";
  if (line.includes("REJECT") || line.includes("DROP")) return "drop";
  return "";
}

export class RulesTab {
  constructor(body, { store }) {
    this.body = body;
    this.store = store;
    this.service = null; // "namespace/name" of the Service shown
  }

  rulesOf(service) {
    const { namespace, name } = splitNamespaced(service);
    return this.store.get(rulesKey(namespace, name));
  }

  render() {
    const services = this.store.services().filter((s) => s.type !== "ExternalName");
    if (!this.service || !this.rulesOf(this.service)) {
      const first =
        services.find((s) => s.namespace !== "kube-system" && s.name !== "kubernetes") || services[0];
      this.service = first ? first.ref : null;
    }
    const select = h(
      "select",
      {
        "aria-label": "Service",
        onchange: (e) => {
          this.service = e.target.value;
          this.render();
        },
      },
      services
        .slice(0, MAX_ROWS * 2)
        .map((s) => h("option", { value: s.ref, selected: s.ref === this.service }, s.ref)),
    );
    const rules = this.service ? this.rulesOf(this.service) : null;
    const lines = rules?.nat || [];
    const table = h(
      "pre",
      { class: "kubectl rules" },
      lines.map((line) => h("span", { class: lineClass(line) }, `${line}\n`)),
    );
    this.body.replaceChildren(
      section(
        "kube-proxy (iptables mode): one Service's chains",
        h("label", {}, "Service ", select),
        rules?.skipped ? h("p", { class: "muted" }, rules.skipped) : null,
        h(
          "p",
          { class: "muted" },
          `The nat table as iptables-save prints it on node ${rules?.node || "worker-1"}. ${EXPLAINED}`,
        ),
        lines.length ? table : h("p", { class: "muted" }, "No rules."),
      ),
    );
  }
}
