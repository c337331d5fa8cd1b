"""What one change touched: `changed_entries(engine, changes)` -> `(set, unset)`, so that for
every sequence of edits

    stale snapshot + set/unset of each change == fresh snapshot        (tested)

A subject's entries are a pure function of the engine (`entries.subject_entries`), so a change
re-derives the subjects it touched and unsets the keys they may have produced before and no
longer produce. What a change touches, beyond the changed objects themselves:

* a Service whose Endpoints may have changed (the engine flags ``("Endpoints", ns, svc)``);
* a changed pod's owner chain (Job, DaemonSet, ReplicaSet and its Deployment), whose views
  count pods; the owner of a deleted pod comes from the change log's `before`; what a deleted
  owner owned and outlives it (pods still Terminating) loses its owner edge;
* Services that select no pod (their teaching hint lists near misses in the pod's
  namespace, or pods of other namespaces that match), when a pod changes;
* the pods whose Service environment variables a Service update changed (only when the
  variables really differ: a selector edit touches no pod);
* Ingresses of a namespace whose Services came or went (a route edge needs its target);
* on a Node change: every Service (kube-proxy rules, the apiserver's endpoints), every
  DaemonSet, and the pods bound to that node or waiting for one;
* on a NodePort/LoadBalancer Service change: every Node (its list of NodePorts);
* when kube-proxy's per-node settings changed since the last derivation: every Service.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ..engine.kubelet import envvars
from ..engine.model import Base, Service
from . import keys
from .entries import Key, proxy_node_changed, subject_entries
from .graph import OWNER_KINDS, ingress_routes


class _Before:
    """The engine as it was before the change, for the objects the change log remembers."""

    def __init__(self, engine, changed: set[Key], before: Mapping[Key, Base | None] | None):
        self.engine = engine
        self.changed = changed
        self.before = before
        self.exact = before is not None

    def get(self, key: Key) -> Base | None:
        if key in self.changed:
            return self.before.get(key) if self.before is not None else None
        kind, ns, name = key
        return self.engine.get(kind, ns, name)


def _owner_chain(engine, obj: Base | None, subjects: set[Key]) -> None:
    depth = 0
    while obj is not None and obj.owner is not None and depth < 4:
        key = (obj.owner.kind, obj.namespace, obj.owner.name)
        subjects.add(key)
        obj = engine.get(*key)
        depth += 1


def _selects_no_live_pod(engine, svc: Service) -> bool:
    if not svc.selector or svc.type == "ExternalName":
        return False
    return not any(not p.terminal for p in engine.pods_with_labels(svc.namespace, svc.selector))


def _matches(selector: Mapping[str, str] | None, labels: Mapping[str, str]) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def changed_entries(engine, changes, before: Mapping[Key, Base | None] | None = None) -> tuple[dict, list]:
    """What one change touched: `(set, unset)`. `changes` is `engine.pop_change_log()` (or its
    keys, with `before` its `before`); without `before`, deleted objects' relations are
    over-approximated (every workload of their namespace is re-derived)."""
    if hasattr(changes, "keys") and hasattr(changes, "before") and not isinstance(changes, dict):
        before = changes.before if before is None else before
        changes = list(changes.keys)
    changed_keys = [tuple(k) for k in changes]
    changed_objects: set[Key] = {k for k in changed_keys if k[0] != "Endpoints"}
    past = _Before(engine, changed_objects, before)
    subjects: set[Key] = set(changed_objects)
    services: set[tuple[str, str]] = {(ns, name) for kind, ns, name in changed_keys if kind in ("Endpoints", "Service")}
    all_services = False
    all_nodes = False
    pods_on_nodes: set[str] = set()
    wide_namespaces: set[str] = set()
    created_owner_uids: list[str] = []
    changed_pods_by_ns: dict[str, list[str]] = {}

    for key in changed_objects:
        kind, ns, name = key
        now = engine.get(kind, ns, name)
        old = past.get(key)
        if kind == "Pod":
            changed_pods_by_ns.setdefault(ns, []).append(name)
            _owner_chain(engine, now, subjects)
            _owner_chain(engine, old, subjects)
            if not past.exact:
                wide_namespaces.add(ns)
        elif kind == "ReplicaSet":
            _owner_chain(engine, now, subjects)
            _owner_chain(engine, old, subjects)
            if not past.exact:
                wide_namespaces.add(ns)
        elif kind == "Node":
            all_services = True
            pods_on_nodes.add(name)
            subjects.update(("DaemonSet", d.namespace, d.name) for d in engine.list("DaemonSet"))
        elif kind == "Service":
            for ing in engine.list("Ingress"):
                if ing.namespace == ns:
                    subjects.add(("Ingress", ing.namespace, ing.name))
            exposes = {"NodePort", "LoadBalancer"}
            if (now is not None and now.type in exposes) or (old is not None and old.type in exposes) or not past.exact:
                all_nodes = True
            _touch_env(engine, now, old, past, subjects)
        if kind in OWNER_KINDS and now is not None and old is None:
            created_owner_uids.append(now.uid)
        if kind in OWNER_KINDS and now is None and old is not None:
            # what it owned and outlives it (pods still terminating) loses its owner edge
            created_owner_uids.append(old.uid)

    for uid in created_owner_uids:
        subjects.update((o.kind, o.namespace, o.name) for o in engine.owned_by(uid))
    for ns in wide_namespaces:
        for kind in OWNER_KINDS:
            subjects.update((kind, o.namespace, o.name) for o in engine.list(kind) if o.namespace == ns)

    # Services whose hints depend on pods: those that select no pod (near misses, other namespaces).
    if changed_pods_by_ns:
        labels_seen: list[Mapping[str, str]] = []
        for ns, names in changed_pods_by_ns.items():
            for name in names:
                for obj in (engine.get("Pod", ns, name), past.get(("Pod", ns, name))):
                    if obj is not None:
                        labels_seen.append((obj.namespace, obj.labels))
        for svc in engine.list("Service"):
            if (svc.namespace, svc.name) in services:
                continue
            touched = svc.namespace in changed_pods_by_ns or any(
                _matches(svc.selector, labels) for _ns2, labels in labels_seen
            )
            if touched and _selects_no_live_pod(engine, svc):
                services.add((svc.namespace, svc.name))

    if proxy_node_changed(engine):
        all_services = True  # kube-proxy's settings changed since the last derivation: every Service's rules
    if all_services:
        services.update((s.namespace, s.name) for s in engine.list("Service"))
    if all_nodes:
        subjects.update(("Node", "", n.name) for n in engine.nodes())
    if pods_on_nodes:
        for pod in engine.list("Pod"):
            if pod.node in pods_on_nodes or (pod.namespace, pod.name) in engine.schedule_failures:
                subjects.add(("Pod", pod.namespace, pod.name))
    subjects.update(("Service", ns, name) for ns, name in services)

    new: dict = {}
    candidates: set[str] = set()
    for key in subjects:
        kind, ns, name = key
        candidates.update(keys.subject_keys(kind, ns, name))
        obj = engine.get(kind, ns, name)
        if obj is not None:
            new.update(subject_entries(engine, obj))
        if kind == "Service":
            candidates.update(_old_endpoint_edges(engine, key, past, changed_pods_by_ns.get(ns, ())))
        elif kind == "Ingress":
            for version in (obj, past.get(key)):
                if version is not None:
                    candidates.update(
                        keys.graph_edge_key(keys.route_edge_id(ns, name, i))
                        for i in range(len(ingress_routes(version)))
                    )
    unset = sorted(candidates.difference(new))
    return dict(sorted(new.items())), unset


def _touch_env(engine, now: Service | None, old: Service | None, past: _Before, subjects: set[Key]) -> None:
    """Pods created after a Service carry its variables: re-derive them when the variables changed."""
    if old is None and past.exact:
        return  # a new Service: no existing pod is newer than it
    new_env = envvars.service_env(now) if now is not None else []
    old_env = envvars.service_env(old) if old is not None else None
    if past.exact and new_env == old_env:
        return
    svc = now or old
    seq = svc.seq if svc is not None else 0
    everywhere = svc is None or (svc.namespace == "default" and svc.name == "kubernetes")
    namespace = svc.namespace if svc is not None else None
    for pod in engine.list("Pod"):
        if pod.seq > seq and (everywhere or pod.namespace == namespace):
            subjects.add(("Pod", pod.namespace, pod.name))


def _old_endpoint_edges(engine, key: Key, past: _Before, changed_pods: Iterable[str]) -> set[str]:
    """Endpoint edge keys the Service may have had before the change (a superset)."""
    _kind, ns, name = key
    out: set[str] = set()
    versions = [v for v in (engine.get("Service", ns, name), past.get(key)) if v is not None]
    tokens: set[str] = set()
    for svc in versions:
        tokens.update(keys.port_token(p.name, p.port, p.protocol) for p in svc.ports)
    if not tokens:
        return out
    targets: set[str] = set(changed_pods)
    if ns == "default" and name == "kubernetes":
        targets.update(f"Node:{n.name}" for n in engine.nodes())
        targets.update(f"Node:{k[2]}" for k in past.changed if k[0] == "Node")
    for svc in versions:
        if svc.selector:
            targets.update(p.name for p in engine.pods_with_labels(ns, svc.selector))
    if not past.exact:
        targets.update(engine.pods_in(ns))
    for target in targets:
        for token in tokens:
            out.add(keys.graph_edge_key(keys.endpoint_edge_id(ns, name, target, token)))
    return out
