"""What a cluster is made with: kubeadm's ClusterConfiguration and kind's topology, and the limits
on what one input may hold."""

from __future__ import annotations

from dataclasses import dataclass

from .apiserver.documents import DEFAULT_MAX_BYTES, DEFAULT_MAX_DOCUMENTS

# The engine's own bounds, generous enough for the benchmarks' 10,000-pod clusters; the server
# sets tighter ones from its settings (KUBEVIZ_MAX_*, README "Limits").
DEFAULT_MAX_OBJECT_BYTES = 256 * 1024  # one object, serialised: well under a websocket message (1 MiB)
DEFAULT_MAX_REPLICAS = 1000  # a workload's replicas, a Job's parallelism and completions
DEFAULT_MAX_PODS = 20_000  # pods the workloads and bare pods of one cluster may ask for
DEFAULT_MAX_OBJECTS = 50_000  # objects one cluster may hold
DEFAULT_MAX_ERRORS = 100  # errors reported for one input (the rest are counted)


@dataclass(frozen=True)
class ClusterSettings:
    """What a cluster is made with (kubeadm's ClusterConfiguration and kind's topology), and the
    limits on what one input may hold."""

    domain: str = "cluster.local"
    service_cidr: str = "10.96.0.0/12"
    pod_cidr: str = "10.244.0.0/16"
    node_port_range: tuple[int, int] = (30000, 32767)
    workers: int = 2
    load_balancer_pool: str | None = None
    seed: str = "kubeviz"
    max_bytes: int = DEFAULT_MAX_BYTES
    max_documents: int = DEFAULT_MAX_DOCUMENTS
    max_object_bytes: int = DEFAULT_MAX_OBJECT_BYTES
    max_replicas: int = DEFAULT_MAX_REPLICAS
    max_pods: int = DEFAULT_MAX_PODS
    max_objects: int = DEFAULT_MAX_OBJECTS
    max_errors: int = DEFAULT_MAX_ERRORS

    def to_dict(self) -> dict:
        return {
            "domain": self.domain,
            "service_cidr": self.service_cidr,
            "pod_cidr": self.pod_cidr,
            "node_port_range": list(self.node_port_range),
            "workers": self.workers,
            "load_balancer_pool": self.load_balancer_pool,
            "seed": self.seed,
        }
