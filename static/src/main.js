// The cluster page: reads its configuration from the `json_script` the template wrote, then wires
// the socket (one dispatcher), the store, the diagram, the editor and the panels together.

import { LiveSocket } from "./socket.js";
import { Store } from "./store.js";
import { Diagram } from "./diagram.js";
import { Editor } from "./editor.js";
import { Panels, formatSeconds } from "./panels.js";
import { confirmSubmits, showInstructors } from "./classroom.js";

function $(selector) {
  return document.querySelector(selector);
}

function download(name, blob) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  setTimeout(() => {
    URL.revokeObjectURL(a.href);
    a.remove();
  }, 1000);
}

function start() {
  const configEl = document.getElementById("kubeviz-config");
  if (!configEl) return;
  const config = JSON.parse(configEl.textContent);
  const distUrl = new URL(".", import.meta.url).href;
  document.body.classList.add("js");

  // What tests and benchmarks read (no behaviour depends on it).
  const probe = { version: null, lastChange: null, firstLayoutMs: null, drawnAt: null, snapshots: 0 };
  window.__kubeviz = probe;

  const store = new Store();
  const status = $("#conn");
  const setStatus = (state, detail) => {
    status.dataset.state = state;
    status.textContent =
      {
        connecting: "connecting…",
        open: "live",
        reconnecting: `reconnecting in ${Math.round((detail || 0) / 100) / 10} s`,
        gone: detail,
        outdated: detail,
      }[state] || state;
    document.body.classList.toggle("offline", state !== "open");
  };

  let diagram = null;
  let panels = null;
  let editor = null;
  let rendering = Promise.resolve();

  const socket = new LiveSocket(config.wsPath, {
    status: setStatus,
    snapshot(message) {
      store.loadSnapshot(message);
      if (probe.snapshots === 0) {
        // Jobs and DaemonSets are what a cluster with them is about: show the owners from the start.
        const owners = store.list("job").length > 0 || store.list("daemonset").length > 0;
        $("#show-owners").checked = owners;
        diagram.showOwners = owners;
        // kube-system stays folded unless something besides its defaults (kube-dns, CoreDNS) lives there.
        const system = [...store.keys("object")].some(
          (k) => k.includes("/kube-system/") && !/\/kube-system\/(kube-dns|coredns)/.test(k),
        );
        $("#show-system").checked = system;
        diagram.showSystem = system;
      }
      probe.snapshots += 1;
      rendering = rendering
        .catch(reportError)
        .then(() => diagram.renderAll())
        .then(() => {
          probe.version = store.version;
          probe.firstLayoutMs ??= diagram.stats.firstLayoutMs;
          probe.drawnAt ??= performance.now();
          probe.lastLayoutMs = diagram.stats.lastLayoutMs;
          document.body.dataset.version = String(store.version);
        });
      updateMeta();
    },
    change(message) {
      const received = performance.now();
      const change = store.applyChange(message);
      rendering = rendering.catch(reportError).then(() => {
        diagram.patch(change);
        requestAnimationFrame(() => {
          probe.version = store.version;
          probe.lastChange = {
            version: message.version,
            at: Date.now(),
            patchMs: diagram.stats.lastPatchMs,
            ms: performance.now() - received,
          };
          document.body.dataset.version = String(store.version);
        });
      });
      updateMeta();
      if (message.cause?.summary?.length && message.cause.user !== "clock")
        toast(
          `${message.cause.user || "someone"}: ${message.cause.summary.slice(0, 3).join(", ")}${message.cause.summary.length > 3 ? ", …" : ""}`,
        );
    },
    presence(message) {
      $("#watchers").textContent = `${message.watchers} watching`;
      showInstructors($("#instructors-in"), message.instructors);
    },
    error(message) {
      toast(message.message, "error");
    },
  });

  function updateMeta() {
    const meta = store.meta;
    $("#version").textContent = `version ${store.version}`;
    $("#clock").textContent = `clock ${formatSeconds(meta.clock || 0)}${meta.running ? " ▶" : ""}`;
  }

  function reportError(err) {
    console.error(err);
    socket.send({ type: "resync" }); // start again from a whole snapshot
  }

  let toastTimer = null;
  function toast(text, kind = "info") {
    const el = $("#toast");
    el.textContent = text;
    el.dataset.kind = kind;
    el.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => {
      el.hidden = true;
    }, 3500);
  }

  diagram = new Diagram($("#cy"), store, {
    workerUrl: `${distUrl}elk-worker.min.js`,
    onSelect: (id) => panels.select(id),
  });
  diagram.cy.on("dbltap", "node", (event) => {
    const id = event.target.id();
    if (store.object(id)) editor.openObject(id);
  });
  editor = new Editor($("#editor-pane"), {
    socket,
    store,
    slug: config.slug,
    canEdit: config.canEdit,
    readOnlyReason: $("#read-only-note") ? "" : config.readOnlyReason, // the template's note says it first
    form: $("#apply-form"),
  });
  panels = new Panels($("#panels"), {
    store,
    socket,
    diagram,
    editor,
    lesson: config.lesson,
    canEdit: config.canEdit,
  });
  probe.diagram = diagram;
  probe.editor = editor;
  probe.store = store;
  probe.socket = socket;

  $("#show-owners").addEventListener("change", (e) => diagram.setShowOwners(e.target.checked));
  $("#show-system").addEventListener("change", (e) => diagram.setShowSystem(e.target.checked));
  $("#fit").addEventListener("click", () => diagram.fit());
  $("#export-png").addEventListener("click", () => download(`${config.slug}.png`, diagram.exportPng()));
  $("#export-svg").addEventListener("click", () =>
    download(`${config.slug}.svg`, new Blob([diagram.exportSvg()], { type: "image/svg+xml" })),
  );
  $("#clear-trace").addEventListener("click", () => diagram.clearTrace());
  const large = $("#large-text");
  const setLarge = (on) => {
    document.body.classList.toggle("large", on);
    large.setAttribute("aria-pressed", String(on));
    localStorage.setItem("kubeviz:large", on ? "1" : "");
    setTimeout(() => diagram.cy.resize(), 250);
  };
  setLarge(localStorage.getItem("kubeviz:large") === "1");
  large.addEventListener("click", () => setLarge(!document.body.classList.contains("large")));
  for (const button of document.querySelectorAll("[data-collapse]")) {
    button.addEventListener("click", () => {
      document.body.classList.toggle(`hide-${button.dataset.collapse}`);
      setTimeout(() => diagram.cy.resize(), 220);
    });
  }
  window.addEventListener("resize", () => diagram.cy.resize());
  confirmSubmits(document);
  socket.connect();
}

start();
