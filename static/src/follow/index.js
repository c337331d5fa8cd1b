// Presenting live on a class's projected cluster (docs/protocol.md "Presenting"): the presenter's
// switch and tools, or a follower's badge; for everyone, the spotlight and the question card.
// main.js calls `installPresenting` once; the store is the hub (its `presenter` record, fed by the
// socket's dispatcher), the parts are the page's diagram, panels and editor.

import { Follow } from "./follow.js";
import { Presenter } from "./present.js";
import { QuestionCard } from "./questions.js";
import { Spotlight } from "./spotlight.js";
import { ConsoleMirror } from "../console/mirror.js";

/**
 * @param {object|null} config  page_config's `presenting` (null: not a projected cluster)
 * @param {object} page  {store, socket, parts: {diagram, panels, editor, console}, workerUrl}
 * @returns {{presence(message), spotlight}}  the header's presence messages, for the follower
 *   count; the spotlight view (for the probe)
 */
export function installPresenting(config, { store, socket, parts, workerUrl }) {
  if (!config) return { presence() {} };
  const bar = document.getElementById("class-bar");
  const pane = document.querySelector(".diagram-pane");
  const isPresenter = config.role === "presenter";
  const presenter = isPresenter
    ? new Presenter({
        store,
        socket,
        parts,
        bar,
        overlayHost: pane,
        config,
        onResize: () => parts.diagram.resize(),
      })
    : null;
  if (!isPresenter) {
    new Follow({ store, socket, parts, bar });
    if (parts.console) new ConsoleMirror(parts.console, store); // the presenter's console, read-only
  }
  const spotlight = new Spotlight(pane, {
    workerUrl,
    presenter: isPresenter,
    end: () => socket.request({ type: "spotlight", sandbox: null }),
    refresh: () => presenter?.refreshSpotlight(),
  });
  // the question card sits over the panels: the diagram stays whole, its pods clickable
  const card = new QuestionCard(document.querySelector(".panels-pane") || pane, {
    socket,
    diagram: parts.diagram,
    presenter: isPresenter,
    canAnswer: config.role === "student",
  });
  store.subscribePresenter((message, p) => {
    if (message.type === "presenting" || message.type === "spotlight")
      spotlight.show(p.on ? p.spotlight : null, { live: Boolean(message.live) });
    if (["presenting", "question", "answers", "reveal"].includes(message.type))
      card.show(p.on ? p.question : null);
  });
  return { presence: (message) => presenter?.presence(message), spotlight };
}
