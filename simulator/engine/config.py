"""What a cluster is made with: kubeadm's ClusterConfiguration and kind's topology, and the limits
on what one input may hold."""

from __future__ import annotations

from dataclasses import dataclass

from .apiserver.documents import DEFAULT_MAX_BYTES, DEFAULT_MAX_DOCUMENTS


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
