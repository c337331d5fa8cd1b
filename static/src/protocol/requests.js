// What the browser asks the server (docs/protocol.md, "Client → server"): one function per
// request, so that each component is handed the few requests it makes and nothing else. Each
// returns the reply (`{ok, ...}`) as a promise, rejected when the socket is closed or the server
// does not answer.

export function serverRequests(socket) {
  return {
    /** True while the websocket is open (the editor falls back to the plain form otherwise). */
    isOpen: () => socket.isOpen,
    /** Ask for a whole snapshot again (after a client-side failure); no reply. */
    resync: () => socket.send({ type: "resync" }),
    apply: ({ yaml, dryRun, baseResourceVersion }) =>
      socket.request({ type: "apply", yaml, dryRun, baseResourceVersion }),
    delete: ({ kind, namespace, name }) => socket.request({ type: "delete", kind, namespace, name }),
    resolve: ({ from, name, rtype }) => socket.request({ type: "resolve", from, name, rtype }),
    trace: ({ from, url }) => socket.request({ type: "trace", from, url }),
    clock: ({ action, seconds }) => socket.request({ type: "clock", action, seconds }),
    explainService: ({ service }) => socket.request({ type: "explain-service", service }),
    explainPod: ({ pod }) => socket.request({ type: "explain-pod", pod }),
  };
}
