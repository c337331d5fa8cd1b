// What tests and benchmarks read: `window.__kubeviz`, written here and nowhere else. Components
// report through callbacks main.js hands them (onDrawn, onApply, onTrace); nothing the page does
// depends on what is written here.
//
//   version        the store's version once the diagram has drawn it (it follows the drawing)
//   firstLayoutMs, lastLayoutMs, drawnAt   the diagram's first and last whole layout
//   lastChange     {version, at, patchMs, ms}: the frame that shows a change (`ms`: since the tab got it)
//   lastApplyAt    when the editor sent its last apply;  lastTrace {ok, steps, version}: the last trace drawn
//   store, socket, diagram, editor, spotlight   the components themselves (spotlight: a projected
//   cluster's spotlight view, its `diagram` once shown)

export function installProbe(store) {
  const probe = { version: null, lastChange: null, firstLayoutMs: null, drawnAt: null, store };
  window.__kubeviz = probe;
  return {
    /** The components tests reach into (the diagram's Cytoscape instance, the editor's view). */
    expose(components) {
      Object.assign(probe, components);
    },

    /** The diagram has drawn a snapshot (laid out) or a change (the frame that shows it). */
    drawn(drawing, stats) {
      probe.version = store.version;
      if (drawing.type === "snapshot") {
        probe.firstLayoutMs ??= stats.firstLayoutMs;
        probe.drawnAt ??= performance.now();
        probe.lastLayoutMs = stats.lastLayoutMs;
      } else {
        probe.lastChange = {
          version: drawing.version,
          at: Date.now(),
          patchMs: stats.lastPatchMs,
          ms: performance.now() - drawing.receivedAt,
        };
      }
      document.body.dataset.version = String(store.version);
    },

    /** The Exercise panel showed a new state (a lesson with steps). */
    exercise(state) {
      probe.exercise = state;
    },

    applied() {
      probe.lastApplyAt = Date.now();
    },

    traced(trace) {
      probe.lastTrace = trace;
    },
  };
}
