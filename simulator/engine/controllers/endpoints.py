"""Endpoints of a Service, as the Endpoints/EndpointSlice controllers compute them.

Sources: pkg/controller/endpoint/endpoints_controller.go and
pkg/controller/util/endpoint (ShouldPodBeInEndpoints), pkg/api/v1/pod FindPort.

* Only Services with a selector get managed Endpoints; the selector is an AND of its
  labels (labels.SelectorFromValidatedSet) and only pods of the Service's namespace count.
* A pod is left out while it has no IP, and once it is terminal (Succeeded or Failed).
* A pod being deleted (Terminating) is left out of Endpoints unless the Service sets
  publishNotReadyAddresses (ShouldPodBeInEndpoints: includeTerminating is publishNotReady for
  Endpoints). The EndpointSlice controller keeps it, with the conditions ready false (true with
  publishNotReadyAddresses), serving as the pod's readiness, terminating true
  (pkg/controller/util/endpointslice podToEndpoint): `terminating_endpoints`. kube-proxy and DNS
  here use the Endpoints only (no fallback to serving terminating endpoints).
* Ready pods are `addresses`; the others are `notReadyAddresses`, unless the Service
  sets publishNotReadyAddresses, which publishes them as ready.
* A numeric targetPort is used as it is (even if no container declares it); a named
  targetPort is looked up per pod among its containers' ports with the same protocol,
  and a pod without such a port is left out for that Service port.
* `default/kubernetes` is maintained by the apiserver itself: the control plane's
  address on port 6443.

`EndpointsController` keeps each Service's Endpoints: computed when asked, remembered until a
pod the Service selects (before or after the change), the Service itself, or the node list
changes, and flagged in the store's change log (`("Endpoints", namespace, service)`) when that
happens, as the controller's pod and Service event handlers queue the Services to sync
(endpoints_controller.go addPod/updatePod/deletePod via getPodServiceMemberships).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from ..memo import Memo
from ..model import Node, Pod, Service, ServicePort
from ..netaddr import ip_sort_key
from ..wellknown import CONTROL_PLANE_ROLE

if TYPE_CHECKING:
    from ..store import Store


class Endpoint(NamedTuple):
    """One (address, port) of a Service. A named tuple: there is one per selected pod and port,
    made afresh whenever a selected pod changes, and a tuple is three times cheaper to make than
    a frozen dataclass."""

    pod: str | None  # "namespace/name", None for the apiserver
    ip: str
    port: int | None  # None only for a headless Service without ports
    port_name: str
    protocol: str
    ready: bool
    node: str | None
    hostname: str | None  # set when the pod's hostname/subdomain make it addressable by name

    def to_dict(self) -> dict:
        return {
            "pod": self.pod,
            "ip": self.ip,
            "port": self.port,
            "portName": self.port_name or None,
            "ready": self.ready,
        }


def find_port(pod: Pod, service_port: ServicePort) -> int | None:
    """pkg/api/v1/pod.FindPort."""
    target = service_port.target_port
    if isinstance(target, int):
        return target
    if isinstance(target, str) and target.isdigit():
        return int(target)
    for port in pod.ports:
        if port.name == target and port.protocol == service_port.protocol:
            return port.port
    return None


_ip_key = ip_sort_key  # addresses in numeric order (IPv4 without the ipaddress module), then the rest


def selected_pods(cluster, service: Service) -> list[Pod]:
    if not service.selector:
        return []
    return cluster.pods_with_labels(service.namespace, service.selector)


def endpoints_for_service(cluster, service: Service) -> tuple[Endpoint, ...]:
    """Every (address, port) of the Service, ports in spec order, addresses by IP."""
    return _endpoints(cluster, service, terminating=False)


def terminating_endpoints(cluster, service: Service) -> tuple[Endpoint, ...]:
    """The (address, port) pairs of the Service's pods being deleted that Endpoints leave out
    and EndpointSlices keep with `terminating: true` (`ready` is then the pod's serving state)."""
    if service.publish_not_ready or not service.selector:
        return ()  # with publishNotReadyAddresses they are in the Endpoints already
    return _endpoints(cluster, service, terminating=True)


def _endpoints(cluster, service: Service, *, terminating: bool) -> tuple[Endpoint, ...]:
    if service.type == "ExternalName":
        return ()
    if service.namespace == "default" and service.name == "kubernetes" and not service.selector:
        control = next((n for n in cluster.nodes() if CONTROL_PLANE_ROLE in n.labels), None)
        control = control or next(iter(cluster.nodes()), None)
        if control is None or not control.ip:
            return ()
        return tuple(
            Endpoint(None, control.ip, 6443, p.name, p.protocol, True, control.name, None) for p in service.ports
        )
    if terminating:
        pods = [p for p in selected_pods(cluster, service) if p.ip and not p.terminal and p.terminating]
    else:
        keep_terminating = service.publish_not_ready
        pods = [
            p
            for p in selected_pods(cluster, service)
            if p.ip and not p.terminal and (keep_terminating or not p.terminating)
        ]
    pods.sort(key=lambda p: _ip_key(p.ip))
    if not service.ports and service.headless:
        # "Allow headless service not to have ports": the controller still publishes the
        # addresses (endpoints_controller.go), which is what DNS answers for such a Service.
        return tuple(
            Endpoint(
                f"{p.namespace}/{p.name}",
                p.ip,
                None,
                "",
                "TCP",
                p.ready or service.publish_not_ready,
                p.node,
                p.hostname if (p.hostname and p.subdomain == service.name) else None,
            )
            for p in pods
        )
    out = []
    for sp in service.ports:
        for pod in pods:
            port = find_port(pod, sp)
            if port is None:
                continue
            hostname = pod.hostname if (pod.hostname and pod.subdomain == service.name) else None
            ready = pod.ready or service.publish_not_ready
            out.append(
                Endpoint(f"{pod.namespace}/{pod.name}", pod.ip, port, sp.name, sp.protocol, ready, pod.node, hostname)
            )
    return tuple(out)


def cached_endpoints(cluster, service: Service) -> tuple[Endpoint, ...]:
    """The Service's Endpoints as the cluster's endpoints controller keeps them."""
    memo = cluster.endpoints.memo
    entry = memo.entries.get(service.key)
    if entry is not None and entry[0] is service:  # read by every view for every Service: the hit is checked here
        return entry[1]
    return memo.get(service.key, service, endpoints_for_service, cluster.store, service)


class EndpointsController:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.memo = Memo()  # Service key -> its Endpoints, for that Service object
        # namespace -> one label pair of each selector -> the Services indexed under it: a pod
        # matches a selector only if it carries every pair, so that one too.
        self._selecting: dict[str, dict[tuple[str, str], set[str]]] = {}
        self._services: dict[str, dict[str, Service]] = {}  # namespace -> name -> Service with a selector
        store.watch(("Pod",), self._pod_changed, self._pod_changed)
        store.watch(("Service",), self._service_added, self._service_removed)
        store.watch(("Node",), self._node_changed, self._node_changed)

    def _changed(self, svc: Service) -> None:
        self.memo.forget(svc.key)
        self.store.changes.add("Endpoints", svc.namespace, svc.name)

    def _service_added(self, svc: Service) -> None:
        self._changed(svc)
        if svc.selector:
            index = self._selecting.setdefault(svc.namespace, {})
            index.setdefault(_index_pair(svc.selector), set()).add(svc.name)
            self._services.setdefault(svc.namespace, {})[svc.name] = svc

    def _service_removed(self, svc: Service) -> None:
        self._changed(svc)
        if svc.selector:
            self._services.get(svc.namespace, {}).pop(svc.name, None)
            index = self._selecting.get(svc.namespace, {})
            pair = _index_pair(svc.selector)
            names = index.get(pair)
            if names is not None:
                names.discard(svc.name)
                if not names:
                    del index[pair]

    def _pod_changed(self, pod: Pod) -> None:
        """Every Service whose selector matches this pod's labels may have new Endpoints."""
        index = self._selecting.get(pod.namespace)
        if not index:
            return
        labels = pod.labels
        for pair in labels.items():
            for name in index.get(pair, ()):
                svc = self._services[pod.namespace][name]
                for k, v in svc.selector.items():
                    if labels.get(k) != v:
                        break
                else:
                    self.memo.forget(svc.key)
                    self.store.changes.add("Endpoints", svc.namespace, svc.name)

    def _node_changed(self, node: Node) -> None:
        self.memo.forget(("default", "kubernetes"))  # the control plane's address


def _index_pair(selector: dict) -> tuple[str, str]:
    """The selector pair a Service is indexed under: the longest, usually the most specific
    (`app=web-17` rather than `tier=web`)."""
    return max(selector.items(), key=lambda kv: (len(kv[0]) + len(kv[1]), kv))
