// The cluster page: reads its configuration from the `json_script` the template wrote, then wires
// the parts together. The store is the hub: the socket writes snapshots and changes into it; the
// diagram, the panels, the editor and the header subscribe to it. Each part is handed only the
// requests and actions it uses.

import { Store } from "./protocol/store.js";
import { LiveSocket } from "./protocol/socket.js";
import { serverRequests } from "./protocol/requests.js";
import { Explanations } from "./protocol/explain.js";
import { Diagram } from "./diagram/diagram.js";
import { Editor } from "./editor/editor.js";
import { Panels } from "./panels/panels.js";
import { Header } from "./page/header.js";
import { showVisibility, wirePageLayout, wireToolbar } from "./page/toolbar.js";
import { installProbe } from "./probe.js";
import { wirePresenter } from "./page/presenter.js";
import { installMobile } from "./page/mobile.js";
import { DiagramTwin } from "./panels/twin.js";
import { confirmSubmits, showInstructors } from "./page/classroom.js";
import { installPresenting } from "./follow/index.js";
import { Console } from "./console/console.js";
import { ExercisePanel } from "./exercise/panel.js";

function $(selector) {
  return document.querySelector(selector);
}

function start() {
  const configEl = document.getElementById("kubeviz-config");
  if (!configEl) return;
  const config = JSON.parse(configEl.textContent);
  const distUrl = new URL(".", import.meta.url).href;
  document.body.classList.add("js");

  const store = new Store();
  let presenting = null; // presenting live (follow/), once the parts exist
  const probe = installProbe(store);
  const header = new Header(store, {
    status: $("#conn"),
    version: $("#version"),
    clock: $("#clock"),
    watchers: $("#watchers"),
    toast: $("#toast"),
  });
  const socket = new LiveSocket(config.wsPath, store, {
    status: (state, detail) => header.setStatus(state, detail),
    presence: (message) => {
      header.setWatchers(message.watchers);
      showInstructors($("#instructors-in"), message.instructors); // a class's instructors in a sandbox
      presenting?.presence(message); // how many follow the presenter
    },
    error: (message) => header.toast(message.message, "error"),
    exercise: (message) => exercise.show(message),
  });
  const requests = serverRequests(socket);
  const exercise = new ExercisePanel($("#exercise"), {
    hint: () => socket.request({ type: "exercise-hint" }),
    next: () => socket.request({ type: "exercise-next" }),
    canEdit: config.canEdit,
    onShow: probe.exercise,
  });
  const explanations = new Explanations(store, {
    explainService: requests.explainService,
    explainPod: requests.explainPod,
  });

  let panels = null;
  let editor = null;
  const diagram = new Diagram($("#cy"), store, {
    workerUrl: `${distUrl}elk-worker.min.js`,
    explanations,
    onSelect: (id) => panels.showSelection(id),
    onOpen: (ref) => editor.openObject(ref),
    onVisibility: showVisibility,
    onDrawn: probe.drawn,
    announce: (text) => {
      $("#diagram-focus").textContent = text;
    },
    onError: (err) => {
      console.error(err);
      requests.resync(); // start again from a whole snapshot
    },
  });
  editor = new Editor($("#editor-pane"), {
    store,
    requests: { apply: requests.apply, delete: requests.delete, isOpen: requests.isOpen },
    slug: config.slug,
    canEdit: config.canEdit,
    readOnlyReason: $("#read-only-note") ? "" : config.readOnlyReason, // the template's note says it first
    form: $("#apply-form"),
    onApply: probe.applied,
  });
  panels = new Panels($("#panels"), {
    store,
    explanations,
    requests: { resolve: requests.resolve, trace: requests.trace, clock: requests.clock },
    select: (id) => diagram.select(id),
    openObject: (ref) => editor.openObject(ref),
    deleteObject: (entry) => editor.deleteRef(entry),
    showTrace: (from, result) => diagram.showTrace(from, result),
    traceShown: () => diagram.traceShown,
    onTrace: probe.traced,
    lesson: config.lesson,
    canEdit: config.canEdit,
  });
  new DiagramTwin($("#diagram-twin"), $("#diagram-announce"), store);
  const kubectl = new Console($(".dash-grid"), {
    wsPath: config.wsPath,
    slug: config.slug,
    store,
    buffer: () => editor.view?.state.doc.toString() ?? "",
    diagram,
    canUse: config.canEdit,
    reason: config.readOnlyReason,
    toolbar: $(".diagram-toolbar"),
  });
  presenting = installPresenting(config.presenting, {
    store,
    socket,
    parts: { diagram, panels, editor, console: kubectl },
    workerUrl: `${distUrl}elk-worker.min.js`,
  });
  probe.expose({ diagram, editor, socket, panels, console: kubectl, spotlight: presenting.spotlight });

  wireToolbar(diagram, config.slug);
  wirePageLayout(diagram);
  wirePresenter(diagram, { presentToggle: $("#presenter-layout"), themeToggle: $("#theme-dark") });
  installMobile({ diagram, panels, editor, store });
  confirmSubmits(document);
  socket.connect();
}

start();
