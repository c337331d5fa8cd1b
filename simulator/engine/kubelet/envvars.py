"""The Service environment variables kubelet gives a container.

Sources: pkg/kubelet/kubelet_pods.go getServiceEnvVarMap and pkg/kubelet/envvars/envvars.go
FromServices.

* Variables come from the Services of the pod's own namespace (when enableServiceLinks is
  true, the default) plus the `kubernetes` Service of the `default` namespace, which every
  pod gets even with enableServiceLinks false; a same-named Service of the pod's namespace
  takes its place.
* Only Services with a ClusterIP count: none for headless (`None`) or ExternalName.
* The variables are fixed when the container starts, so only Services that existed before
  the pod are there (creation order).
* For a Service `my-svc`: MY_SVC_SERVICE_HOST, MY_SVC_SERVICE_PORT (first port),
  MY_SVC_SERVICE_PORT_<NAME> per named port, and the Docker-link style MY_SVC_PORT (first
  port) and MY_SVC_PORT_<port>_<PROTO>{,_PROTO,_PORT,_ADDR} for every port. Names are
  upper-cased with '-' turned into '_'.
"""

from __future__ import annotations

import bisect

from ..model import Pod, Service


def env_name(name: str) -> str:
    return name.replace("-", "_").upper()


def service_env(service: Service) -> list[tuple[str, str]]:
    """envvars.FromServices for one Service, in kubelet's order."""
    if not service.has_cluster_ip or not service.ports:
        return []
    prefix = env_name(service.name)
    ip = service.cluster_ip
    first = service.ports[0]
    out = [(f"{prefix}_SERVICE_HOST", ip), (f"{prefix}_SERVICE_PORT", str(first.port))]
    for sp in service.ports:
        if sp.name:
            out.append((f"{prefix}_SERVICE_PORT_{env_name(sp.name)}", str(sp.port)))
    host = f"[{ip}]" if ":" in ip else ip  # net.JoinHostPort
    for index, sp in enumerate(service.ports):
        proto = sp.protocol or "TCP"
        url = f"{proto.lower()}://{host}:{sp.port}"
        if index == 0:
            out.append((f"{prefix}_PORT", url))
        port_prefix = f"{prefix}_PORT_{sp.port}_{proto.upper()}"
        out += [
            (port_prefix, url),
            (f"{port_prefix}_PROTO", proto.lower()),
            (f"{port_prefix}_PORT", str(sp.port)),
            (f"{port_prefix}_ADDR", ip),
        ]
    return out


def services_for_pod(cluster, pod: Pod) -> list[Service]:
    """The Services whose variables the pod's containers got when they started."""
    chosen: dict[str, Service] = {}
    master = cluster.services_in("default").get("kubernetes")
    if master is not None and master.seq < pod.seq and master.has_cluster_ip:
        chosen["kubernetes"] = master
    if pod.enable_service_links:
        seqs, services = cluster.services_by_seq(pod.namespace)
        for svc in services[: bisect.bisect_left(seqs, pod.seq)]:
            if svc.has_cluster_ip:
                chosen[svc.name] = svc
    return sorted(chosen.values(), key=lambda s: s.name)


def env_for_pod(cluster, pod: Pod) -> dict[str, str]:
    """The Service variables of one pod, sorted by name. Pods that saw the same Services share one
    dict: it is remembered per namespace and position in the namespace's Service history, for
    as long as the namespace's (and `default`'s) Services stay as they are."""
    seqs, _ = cluster.services_by_seq(pod.namespace) if pod.enable_service_links else ((), ())
    seen = (
        pod.namespace,
        bisect.bisect_left(seqs, pod.seq) if pod.enable_service_links else -1,
        pod.enable_service_links,
        _master_before(cluster, pod),
    )
    versions = (cluster.service_version(pod.namespace), cluster.service_version("default"))
    memo = cluster.memos["envvars"]
    hit = memo.entries.get(seen)  # asked for every pod: the hit is checked here
    if hit is not None and hit[0] == versions:
        return hit[1]
    return memo.get(seen, versions, _env, cluster, pod)


def _env(cluster, pod: Pod) -> dict[str, str]:
    env: dict[str, str] = {}
    for svc in services_for_pod(cluster, pod):
        env.update(service_env(svc))
    return dict(sorted(env.items()))


def _master_before(cluster, pod: Pod) -> bool:
    master = cluster.services_in("default").get("kubernetes")
    return master is not None and master.seq < pod.seq
