"""The one door from simulator.kubeapi into the engine.

Everything of the engine this package uses is imported here and only here, so that when the
engine is repackaged (apiserver/, controllers/, dns/, proxy/ ...) this file is the whole fix.
Only stable, public things pass: the Engine class, label selectors, a Service's endpoints, the
DNS resolver and resolv.conf, a pod's Service environment, and the request trace.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Mapping
from typing import Any

from simulator.engine import ClusterSettings, Engine
from simulator.engine import dns as _dns
from simulator.engine import labels as _labels
from simulator.engine import trace as _trace
from simulator.engine.controllers import endpoints as _endpoints
from simulator.engine.kubelet import envvars as _envvars
from simulator.engine.store import SIM_EPOCH

__all__ = [
    "ClusterSettings",
    "Endpoint",
    "Engine",
    "Resolution",
    "Selector",
    "SelectorError",
    "Trace",
]

SelectorError = _labels.SelectorError
Selector = _labels.Selector
Endpoint = _endpoints.Endpoint
Resolution = _dns.Resolution
Trace = _trace.Trace


# ---------------------------------------------------------------------- labels
def parse_label_selector(text: str) -> Selector:
    """labels.Parse (`-l env in (prod),tier!=db`); raises SelectorError with apimachinery's words."""
    return _labels.parse(text)


def selector_from_set(labels: Mapping[str, str] | None) -> Selector:
    return _labels.selector_from_set(labels)


def label_selector(selector: Mapping[str, Any] | None) -> Selector:
    """metav1.LabelSelectorAsSelector; raises SelectorError for an invalid one."""
    return _labels.from_label_selector(selector)


# ---------------------------------------------------------------------- objects of a running engine
def now(engine: Engine) -> datetime.datetime:
    """The engine's simulated clock as a time: creationTimestamps count from SIM_EPOCH in it."""
    return datetime.datetime.fromtimestamp(SIM_EPOCH + engine.clock, datetime.UTC)


@functools.lru_cache(maxsize=65536)
def clock_time(seconds: float | None) -> str | None:
    """A moment of the simulated clock (seconds since SIM_EPOCH) as an RFC 3339 timestamp."""
    if seconds is None:
        return None
    return datetime.datetime.fromtimestamp(SIM_EPOCH + int(seconds), datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def owned_by(engine: Engine, uid: str, kind: str | None = None) -> list:
    """The objects whose controller owner has this uid (a Deployment's ReplicaSets, their Pods)."""
    return engine.owned_by(uid, kind)


def daemon_nodes(engine: Engine, daemonset) -> list:
    """The nodes a DaemonSet should run a pod on."""
    return engine.daemon_nodes(daemonset)


def schedule_failure(engine: Engine, pod) -> str | None:
    """The scheduler's message for a pod it could not place."""
    return engine.schedule_failures.get(pod.key)


def get(engine: Engine, kind: str, namespace: str, name: str):
    return engine.get(kind, namespace, name)


def objects(engine: Engine, kind: str) -> list:
    return engine.list(kind)


def service_endpoints(engine: Engine, service) -> tuple[Endpoint, ...]:
    """The Service's (address, port) pairs as the endpoints controller computes them."""
    return _endpoints.cached_endpoints(engine, service)


def terminating_endpoints(engine: Engine, service) -> tuple[Endpoint, ...]:
    """The Service's pods being deleted, which EndpointSlices keep marked terminating."""
    return _endpoints.terminating_endpoints(engine, service)


# ---------------------------------------------------------------------- inside a pod
def resolve(engine: Engine, pod, name: str, rtype: str = "A") -> Resolution:
    """What the pod's resolver (resolv.conf search list, ndots) gets for `name`."""
    return _dns.resolve(engine, pod, name, rtype)


def resolv_conf_text(engine: Engine, pod) -> str:
    return _dns.resolv_conf(engine, pod).text()


def cluster_dns_ip(engine: Engine) -> str:
    return _dns.cluster_dns_ip(engine)


def cluster_domain(engine: Engine) -> str:
    """`cluster.local` (no trailing dot)."""
    return _dns.zone_of(engine).rstrip(".")


def reverse_names(engine: Engine, pod, ip: str) -> list[str]:
    """The PTR answers for `ip` (what busybox's nslookup prints after an address)."""
    result = _dns.resolve(engine, pod, ip, "PTR")
    return [r.value for r in result.answers if r.type == "PTR"] if result.rcode == "NOERROR" else []


def service_environment(engine: Engine, pod) -> dict[str, str]:
    """The Service variables kubelet gave the pod's containers (sorted by name)."""
    return _envvars.env_for_pod(engine, pod)


def trace(engine: Engine, source: str, url: str) -> Trace:
    """The path of `curl URL` from `source` ("namespace/pod")."""
    return _trace.trace(engine, source, url)


def parse_url(url: str):
    """curl's reading of a URL (scheme, host, port, path); raises ValueError when it has none."""
    return _trace.parse_url(url)


UNKNOWN_HOST = _trace.UNKNOWN_HOST
