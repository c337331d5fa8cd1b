"""Cluster DNS: the records CoreDNS serves for Services and Pods, and a pod's resolver.

Two read-only views of a cluster:

* `dns_records(cluster)`: every record the cluster DNS answers (A, SRV, CNAME, PTR), as
  the Kubernetes DNS-based service discovery specification lays them out and as CoreDNS
  (the `kubernetes` plugin with kubeadm's Corefile) serves them.
* `resolve(cluster, pod, name, rtype)`: what the pod's stub resolver does with `name`:
  its /etc/resolv.conf as kubelet writes it, the search list and `ndots` as glibc walks
  them, each name asked in order, the first that answers.

Sources, cited in the comments as [spec], [coredns], [kubelet], [glibc], [docs]:

* [spec] kubernetes/dns docs/specification.md, schema 1.0.1.
* [coredns] coredns/coredns plugin/kubernetes/{kubernetes.go,parse.go,reverse.go} and
  plugin/backend_lookup.go, run with the Corefile kubeadm installs::

      kubernetes cluster.local in-addr.arpa ip6.arpa {
         pods insecure
         fallthrough in-addr.arpa ip6.arpa
      }
      forward . /etc/resolv.conf

* [kubelet] pkg/kubelet/network/dns/dns.go (getPodDNSType, GetPodDNS, appendDNSConfig).
* [glibc] resolv/res_query.c, __res_context_search (what `search` and `ndots` mean).
* [docs] kubernetes/website content/en/docs/concepts/services-networking/dns-pod-service.md.

The simulated cluster has no internet: names outside the cluster domain (and reverse
names of addresses the cluster does not know) go to an upstream resolver that knows none
of them, so they get NXDOMAIN, as single-label names like `redis-master.` do on any
real cluster. An ExternalName's CNAME is answered, but its target is not chased outside
the cluster.
"""

from .index import dns_records
from .records import (
    Record,
    cluster_dns_ip,
    pod_records,
    reverse_name,
    service_fqdn,
    service_records,
    srv_weight,
    zone_of,
)
from .resolver import SUPPORTED_TYPES, Resolution, ResolvConf, resolv_conf, resolve, resolve_query

__all__ = [
    "SUPPORTED_TYPES",
    "Record",
    "Resolution",
    "ResolvConf",
    "cluster_dns_ip",
    "dns_records",
    "pod_records",
    "resolv_conf",
    "resolve",
    "resolve_query",
    "reverse_name",
    "service_fqdn",
    "service_records",
    "srv_weight",
    "zone_of",
]
