// Why a pod is, or is not, behind a Service, as the server says it (`explain-service`,
// `explain-pod`, docs/protocol.md): the browser never matches selectors itself. One answer is
// kept per subject and asked again once the store's version has moved past it, with at most one
// request in flight per subject; subscribers (the diagram's highlight, the Inspect tab) hear of
// each new answer and read it again.

const KEPT = 20; // answers kept (the subjects last looked at)

export class Explanations {
  /** @param {object} requests  {explainService, explainPod} (protocol/requests.js) */
  constructor(store, { explainService, explainPod }) {
    this.store = store;
    this.ask = {
      service: (ref) => explainService({ service: ref }),
      pod: (ref) => explainPod({ pod: ref }),
    };
    this.answers = new Map(); // "service:ns/name" -> the reply, or {ok: false, version} after a failure
    this.askedAt = new Map(); // key -> the store's version when last asked
    this.inFlight = new Set();
    this.listeners = [];
  }

  /** fn(kind, ref) when a new answer about that Service or pod comes. */
  subscribe(fn) {
    this.listeners.push(fn);
  }

  /** The latest answer about a Service ("namespace/name"): `{version, service, selector, pods:
   *  {"ns/pod": {selected, endpoint, misses, notEndpoint}}}`, or null until one comes. It may be
   *  older than the store: a newer one is asked for, and subscribers hear when it comes. */
  service(ref) {
    return this.answer("service", ref);
  }

  /** The latest answer about a pod ("namespace/name"): `{version, pod, services: [{service,
   *  selected, endpoint, notEndpoint}]}`, or null (as `service`). */
  pod(ref) {
    return this.answer("pod", ref);
  }

  answer(kind, ref) {
    const key = `${kind}:${ref}`;
    const answer = this.answers.get(key) ?? null;
    const version = this.store.version;
    const stale = !answer || answer.version < version;
    if (stale && !this.inFlight.has(key) && !(this.askedAt.get(key) >= version)) this.request(kind, ref, key);
    return answer?.ok ? answer : null;
  }

  request(kind, ref, key) {
    const version = this.store.version;
    this.askedAt.set(key, version);
    this.inFlight.add(key);
    this.ask[kind](ref).then(
      (reply) => {
        this.inFlight.delete(key);
        // an object gone or a name refused: nothing to show, and no asking again at this version
        this.keep(key, reply.ok ? reply : { ok: false, version });
        for (const fn of this.listeners) fn(kind, ref);
      },
      () => {
        // not connected (or no answer in time): asked again on the next look
        this.inFlight.delete(key);
        this.askedAt.delete(key);
      },
    );
  }

  keep(key, answer) {
    this.answers.delete(key);
    this.answers.set(key, answer);
    if (this.answers.size > KEPT) this.answers.delete(this.answers.keys().next().value);
  }
}
