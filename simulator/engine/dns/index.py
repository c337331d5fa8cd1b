"""Every record the cluster DNS serves, kept up to date incrementally, and the full listing.

Records are derived per Service from (Service object, endpoints tuple) and per Pod from the Pod
object (`records`), and re-derived only when those objects change. The index of every record
(what PTR questions and the full listing need) is brought up to date when `cluster.generation`
moved, by comparing object identities and moving only the records of what changed (one sync,
as kube-proxy does); the sorted listing is then patched by bisection. One index per engine and
zone, in the engine's `dns` memo.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from ..controllers.endpoints import cached_endpoints
from ..memo import Memo
from ..model import Service
from .records import Contribution, Record, pod_records, service_records, zone_of


def _record_key(record: Record) -> tuple[str, str, str]:
    return (record.name, record.type, record.value)


@dataclass
class RecordIndex:
    """Records per Service and per Pod, each for the objects it was derived from, and the index
    of every record (for PTR questions and the full listing).

    Records are counted (two hostNetwork pods on one node give the same pod record), so a
    contribution can be removed exactly. The listing is kept sorted by bisection while changes
    are few, and sorted afresh after a bulk change."""

    zone: str
    services: Memo = field(default_factory=Memo)  # Service key -> its contribution, for (service, endpoints)
    forward: Memo = field(default_factory=Memo)  # Service key -> {name: {type: records}}, for its contribution
    pods: dict = field(default_factory=dict)  # key -> (pod, its contribution in the index)
    indexed: dict = field(default_factory=dict)  # service key -> the contribution in the index
    counts: dict = field(default_factory=dict)  # Record -> how many contributions give it
    cluster_ptrs: dict = field(default_factory=dict)  # reverse name -> {Record: count}
    endpoint_ptrs: dict = field(default_factory=dict)  # reverse name -> {Record: count}
    services_generation: int = -1  # when the index last saw every Service
    pods_generation: int = -1  # when the index last saw every Pod
    listing: list | None = None  # the records sorted by (name, type, value)
    edits: int = 0

    def add(self, contribution: Contribution) -> None:
        self._apply(contribution, 1)

    def remove(self, contribution: Contribution) -> None:
        self._apply(contribution, -1)

    def _apply(self, contribution: Contribution, delta: int) -> None:
        counts = self.counts
        cluster_ptr = contribution.cluster_ptr
        for record in contribution.records:  # multiset counts, inlined: this runs for every record
            if record[1] == "PTR":
                ptrs = self.cluster_ptrs if record is cluster_ptr else self.endpoint_ptrs
                name = record[0]
                bucket = ptrs.get(name)
                if bucket is None:
                    bucket = ptrs[name] = {}
                count = bucket.get(record, 0) + delta
                if count:
                    bucket[record] = count
                else:
                    del bucket[record]
                    if not bucket:
                        del ptrs[name]
            count = counts.get(record, 0) + delta
            if count:
                counts[record] = count
            else:
                del counts[record]
            if self.listing is not None and ((delta > 0 and count == 1) or (delta < 0 and count == 0)):
                self._edit(record, insert=delta > 0)

    def _edit(self, record: Record, insert: bool) -> None:
        if self.listing is None:
            return
        self.edits += 1
        if self.edits > 1000:  # a bulk change: sorting once is cheaper than bisecting each
            self.listing = None
            return
        at = bisect.bisect_left(self.listing, _record_key(record), key=_record_key)
        if insert:
            self.listing.insert(at, record)
        else:
            del self.listing[at]

    def sorted_records(self) -> list[Record]:
        if self.listing is None:
            self.listing = sorted(self.counts)  # a Record sorts as its (name, type, value) tuple
            self.edits = 0
        conflicts = self.cluster_ptrs.keys() & self.endpoint_ptrs.keys()
        if not conflicts:
            return self.listing
        # [coredns] reverse.go: where a ClusterIP has the address, endpoint PTRs are not answered.
        hidden = set()
        for name in conflicts:
            hidden.update(r for r in self.endpoint_ptrs[name] if r not in self.cluster_ptrs[name])
        return [r for r in self.listing if r not in hidden]

    def ptr_records(self, name: str) -> list[Record]:
        # [coredns] reverse.go serviceRecordForIP: a Service's ClusterIP first; only when no
        # ClusterIP matches, the endpoints with that address.
        bucket = self.cluster_ptrs.get(name) or self.endpoint_ptrs.get(name) or {}
        return sorted(bucket, key=_record_key)


def record_index(cluster) -> RecordIndex:
    """The cluster's record index (for its zone), in the engine's `dns` memo."""
    zone = zone_of(cluster)
    return cluster.memos["dns"].get("index", zone, RecordIndex, zone)


def _service_contribution(cluster, state: RecordIndex, service: Service) -> Contribution:
    """The Service's records, re-derived only when the Service or its endpoints changed."""
    endpoints = cached_endpoints(cluster, service) if service.type != "ExternalName" else ()
    hit = state.services.entries.get(service.key)  # asked for every Service on every sync
    if hit is not None and hit[0][0] is service and hit[0][1] is endpoints:
        return hit[1]
    previous = state.services.last(service.key)
    return state.services.get(
        service.key, (service, endpoints), _new_contribution, service, endpoints, state.zone, previous
    )


def _new_contribution(service: Service, endpoints: tuple, zone: str, previous: Contribution | None) -> Contribution:
    contribution = service_records(service, endpoints, zone)
    if previous == contribution:
        return previous  # e.g. a selected pod changed, but not its address or readiness
    return contribution


def service_names(cluster, state: RecordIndex, service: Service) -> dict:
    """The forward names one Service answers: {name: {type: sorted records}}."""
    contribution = _service_contribution(cluster, state, service)
    return state.forward.get(service.key, contribution, _forward_names, contribution)


def _forward_names(contribution: Contribution) -> dict:
    names: dict[str, dict[str, list[Record]]] = {}
    for record in contribution.records:
        if record.type != "PTR":
            names.setdefault(record.name, {}).setdefault(record.type, []).append(record)
    for kinds in names.values():
        for rtype, records in kinds.items():
            kinds[rtype] = sorted(set(records), key=_record_key)
    return names


def sync_services(cluster, state: RecordIndex) -> None:
    """Bring the index up to date with every Service (for PTR questions and the listing)."""
    if state.services_generation == cluster.generation:
        return
    services = cluster.objects["Service"]
    for key, service in services.items():
        contribution = _service_contribution(cluster, state, service)
        old = state.indexed.get(key)
        if old is contribution:
            continue
        if old is not None:
            state.remove(old)
        state.add(contribution)
        state.indexed[key] = contribution
    if len(state.indexed) != len(services):  # the index holds every current key, plus removed ones
        for key in [k for k in state.indexed if k not in services]:
            state.remove(state.indexed.pop(key))
            state.services.forget(key)
            state.forward.forget(key)
    state.services_generation = cluster.generation


def _sync_pods(cluster, state: RecordIndex) -> None:
    if state.pods_generation == cluster.generation:
        return
    pods = cluster.objects["Pod"]
    for key, pod in pods.items():
        old = state.pods.get(key)
        if old is not None and old[0] is pod:
            continue
        contribution = pod_records(pod, state.zone)
        if old is not None:
            if old[1] == contribution:
                state.pods[key] = (pod, old[1])
                continue
            state.remove(old[1])
        state.add(contribution)
        state.pods[key] = (pod, contribution)
    if len(state.pods) != len(pods):
        for key in [k for k in state.pods if k not in pods]:
            state.remove(state.pods.pop(key)[1])
    state.pods_generation = cluster.generation


def dns_records(cluster) -> list[dict]:
    """Every record the cluster DNS answers for Services and Pods, as `{"name", "type", "value"}`,
    names absolute, values in presentation form, sorted by (name, type, value), without
    duplicates. Includes default/kubernetes and kube-system/kube-dns like any Service.

    Not listed: the `dns-version` TXT record [spec 2.2], and the pod names `pods insecure`
    would answer for addresses no pod has."""
    state = record_index(cluster)
    sync_services(cluster, state)
    _sync_pods(cluster, state)
    return [{"name": name, "type": rtype, "value": value} for name, rtype, value in state.sorted_records()]
