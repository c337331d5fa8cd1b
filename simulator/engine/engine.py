"""A simulated cluster: the engine's public class, made of the components Kubernetes has.

`Engine` composes them: the `store` (objects, indexes, change log, counters, the clock), the
address `allocations`, the `kubelet`, the `scheduler` (its checks, shared with the kubelet and
the DaemonSet controller, in `predicates`), the `endpoints` controller, the API
server's `registry` (create, update, delete), the `controllers` (kube-controller-manager) and the
`timeline` (what the simulated clock's passing does). Writes go in through `apply_text` and
`delete` (the API server: `apiserver.apply`), and the control plane then runs until it settles
(`reconcile`). Reads are the store's; the derived views (contract, dns, proxy, trace, ingress,
diagnostics) are functions of an engine, and keep what they derive in the engine's memos.

Mutations record what changed (`pop_change_log`) so that callers can re-derive only what an
edit touched.
"""

from __future__ import annotations

from collections.abc import Iterable

from . import kinds
from .apiserver.allocate import Allocations
from .apiserver.apply import ApplyResult, apply, cap_errors, delete, entry_key, parse_entries, stated_versions
from .apiserver.bootstrap import bootstrap
from .apiserver.registry import Registry
from .config import ClusterSettings
from .controllers import daemonset, deployment, job, replicaset
from .controllers.daemonset import daemon_nodes, ineligible_nodes
from .controllers.endpoints import EndpointsController
from .controllers.manager import ControllerManager
from .kubelet import termination
from .kubelet.clock import Timeline
from .kubelet.pods import Kubelet
from .memo import Memos
from .model import Base, Node, Workload
from .scheduler import Scheduler
from .store import ChangeLog, Store
from .wellknown import SEQ_ANNOTATION

__all__ = ["CONTROLLERS", "Engine", "ParsedInput", "parse_input"]


# The controllers kube-controller-manager runs here, in the order a pass syncs them: Deployments
# before ReplicaSets, whose pods depend on them (cmd/kube-controller-manager: NewControllerDescriptors).
CONTROLLERS = {
    "Deployment": deployment.sync,
    "ReplicaSet": replicaset.sync,
    "DaemonSet": daemonset.sync,
    "Job": job.sync,
}


class ParsedInput:
    """Texts read once, before any cluster is touched (no lock held): the objects to apply, the
    errors found so far, and the resourceVersions the texts state."""

    def __init__(self, texts: list[str | bytes], settings: ClusterSettings):
        self.result = ApplyResult()
        self.entries = parse_entries(texts, settings, self.result)
        self.settings = settings
        cap_errors(self.result, settings.max_errors)

    @property
    def ok(self) -> bool:
        return self.result.ok

    def stated_versions(self) -> dict[str, str]:
        return stated_versions(self.entries)

    def object_keys(self) -> list[str]:
        """ "Kind/namespace/name" of every object the input names, in input order."""
        return [key for key in map(entry_key, self.entries) if key is not None]


def parse_input(texts: list[str | bytes], settings: ClusterSettings) -> ParsedInput:
    """Read every document of the texts and bound them (apiserver.documents), with no cluster."""
    return ParsedInput(texts, settings)


class Engine:
    def __init__(self, settings: ClusterSettings | None = None, state: dict | None = None):
        self.settings = settings or ClusterSettings()
        self.store = Store(state)
        self.allocations = Allocations(self.settings, self.store)
        self.kubelet = Kubelet(self.store, self.allocations)
        self.scheduler = Scheduler(self.store, self.kubelet)
        self.endpoints = EndpointsController(self.store)
        self.registry = Registry(self.settings, self.store, self.allocations, self.scheduler)
        self.controllers = ControllerManager(self.settings, self.store, self.registry, CONTROLLERS)
        self.timeline = Timeline(self.store)
        # The memos the derived views keep their values in (`memo.Memo`), one per view module.
        self.memos = Memos()
        # Reading is the store's: its own methods answer (get, list, all_objects, nodes, namespaces,
        # pods_in, services_in, service_version, services_by_seq, pods_with_labels, owned_by,
        # node_ip, manifests), bound here so that the derived views pay no extra call for them.
        store = self.store
        self.get = store.get
        self.list = store.list
        self.all_objects = store.all_objects
        self.nodes = store.nodes
        self.namespaces = store.namespaces
        self.pods_in = store.pods_in
        self.services_in = store.services_in
        self.service_version = store.service_version
        self.services_by_seq = store.services_by_seq
        self.pods_with_labels = store.pods_with_labels
        self.owned_by = store.owned_by
        self.node_ip = store.node_ip
        self.manifests = store.manifests
        # Room for the layers above to keep per-engine state of their own (the live protocol's
        # last kube-proxy node); the engine keeps its derived values in `memos`.
        self.scratch: dict[str, dict] = {}

    # ------------------------------------------------------------------ making one
    @classmethod
    def new(cls, settings: ClusterSettings | None = None, *, default_nodes: bool = True) -> Engine:
        """A fresh cluster as simulate-contract.md describes (namespaces, nodes, kubernetes and kube-dns)."""
        engine = cls(settings)
        bootstrap(engine.registry, default_nodes=default_nodes)
        return engine

    @classmethod
    def restore(cls, settings: ClusterSettings, state: dict, manifests: Iterable[dict]) -> Engine:
        """Rebuild a cluster from stored objects (in creation order) and its state."""
        engine = cls(settings, state)
        for manifest in sorted(
            manifests, key=lambda m: int((m.get("metadata") or {}).get("annotations", {}).get(SEQ_ANNOTATION, 0))
        ):
            seq = int(manifest["metadata"]["annotations"][SEQ_ANNOTATION])
            engine.store.add(kinds.from_manifest(manifest, seq))
        engine.scheduler.recall_failures()
        engine.store.pop_change_log()
        engine.controllers.queue.clear()
        return engine

    def copy(self) -> Engine:
        """An independent cluster with the same objects (objects are immutable, so sharing them is safe)."""
        return Engine.restore(self.settings, self.state, (o.manifest for o in self.all_objects()))

    # ------------------------------------------------------------------ writing
    def apply_text(
        self, text: str | bytes, *, atomic: bool = True, dry_run: bool = False, reconcile: bool = True
    ) -> ApplyResult:
        """`kubectl apply -f` for a YAML text: create or update each object by kind, namespace and name.

        atomic: one invalid document and nothing changes (the dashboard); otherwise the valid
        documents are applied and the invalid ones reported (simulate, like kubectl).
        """
        return self.apply_texts([text], atomic=atomic, dry_run=dry_run, reconcile=reconcile)

    def apply_texts(
        self, texts: list[str | bytes], *, atomic: bool = True, dry_run: bool = False, reconcile: bool = True
    ) -> ApplyResult:
        """Apply several inputs as one: documents are numbered across them, lines within each,
        and the controllers act once after all of them."""
        result = ApplyResult()
        entries = parse_entries(texts, self.settings, result)
        if atomic and result.errors:
            cap_errors(result, self.settings.max_errors)
            return result
        target = self.copy() if dry_run else self
        return target.apply_entries(entries, result, atomic=atomic, reconcile=reconcile)

    def apply_parsed(self, parsed: ParsedInput, *, atomic: bool = True, reconcile: bool = True) -> ApplyResult:
        """Apply an input read before (`parse_input`): once only, as it fills its result."""
        result = parsed.result
        if atomic and result.errors:
            return result
        return self.apply_entries(parsed.entries, result, atomic=atomic, reconcile=reconcile)

    def apply_entries(self, entries: list, result: ApplyResult, *, atomic: bool, reconcile: bool = True) -> ApplyResult:
        """Apply documents already parsed (`parse_entries`) into `result`."""
        if apply(self.registry, entries, result, atomic=atomic) and reconcile:
            self.reconcile()
        cap_errors(result, self.settings.max_errors)
        return result

    def delete(self, kind: str, namespace: str, name: str, grace: int | None = None) -> ApplyResult:
        """`kubectl delete`: remove the object and, by garbage collection, what it owns. A pod on a
        node is deleted gracefully (Terminating until its kubelet removes it: kubelet/termination);
        `grace` is the request's gracePeriodSeconds (0 removes it at once)."""
        result = delete(self.registry, kind, namespace, name, grace)
        if result.ok:
            self.reconcile()
        return result

    def reconcile(self) -> None:
        """Run the controllers whose objects changed, then retry pending pods, until nothing is
        left to do (bounded)."""
        controllers, scheduler, store = self.controllers, self.scheduler, self.store
        for _ in range(16):
            if not controllers.queue and not scheduler.pending:
                break
            before = store.generation
            controllers.sync_queued()
            scheduler.retry_pending()
            if store.generation == before and not controllers.queue:
                break

    def advance(self, seconds: float) -> None:
        """Move the simulated clock forward, finishing Job pods whose run time is over and removing
        terminating pods whose containers have stopped."""
        self.timeline.advance(seconds, self.reconcile)

    def kubelet_tick(self, seconds: float) -> None:
        """The kubelets' own time passing while the simulated clock is paused: terminating pods
        whose containers have stopped are removed (nothing else moves)."""
        self.timeline.kubelet_tick(seconds, self.reconcile)

    def finish_terminating(self) -> None:
        """Let the kubelets finish every graceful deletion under way (the simulated clock stays):
        `simulate` reports a cluster with no deletion in flight."""
        stop = termination.next_stop(self.store)
        while stop is not None:
            self.kubelet_tick(max(0.0, stop - termination.kubelet_clock(self.store)))
            stop = termination.next_stop(self.store)

    @property
    def terminating(self) -> bool:
        """Whether any pod is being deleted gracefully (its kubelet still has to remove it)."""
        return bool(self.store.terminating)

    def settle(self, max_seconds: float = 24 * 3600, max_steps: int = 10_000) -> bool:
        """Run the clock until no Job is active and no pod is terminating (bounded). True when
        everything settled."""
        return self.timeline.settle(self.reconcile, max_seconds, max_steps)

    def next_event(self) -> float | None:
        return self.timeline.next_event()

    def pop_change_log(self) -> ChangeLog:
        """The change log since the last pop (keys and the objects as they were before), reset."""
        return self.store.pop_change_log()

    def pop_changes(self) -> list[tuple[str, str, str]]:
        return list(self.store.pop_change_log().keys)

    # ------------------------------------------------------------------ reading (the store's)
    @property
    def state(self) -> dict:
        """Counters, clock and pod-range positions: saved with the cluster, given back to `restore`."""
        return self.store.state

    @property
    def objects(self) -> dict[str, dict[tuple[str, str], Base]]:
        return self.store.objects

    @property
    def generation(self) -> int:
        return self.store.generation

    @property
    def clock(self) -> float:
        return self.store.clock

    @property
    def schedule_failures(self) -> dict[tuple[str, str], str]:
        """(namespace, pod) -> why the pod is not running (the scheduler's words)."""
        return self.scheduler.failures

    def ineligible_nodes(self, ds: Workload) -> dict[str, str]:
        """node name -> why the DaemonSet runs no pod there, in the scheduler's words."""
        return ineligible_nodes(self.store, ds)

    def daemon_nodes(self, ds: Workload) -> list[Node]:
        """The nodes that should run one of the DaemonSet's pods."""
        return daemon_nodes(self.store, ds)
