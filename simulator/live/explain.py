"""Why a pod is, or is not, behind a Service: the answers to the `explain-service` and
`explain-pod` requests (docs/protocol.md), so that the browser never matches selectors itself.

Every fact comes from the engine's own computation, compared by key: `selected` is the
Endpoints controller's selection (`endpoints.selected_pods`: the selector's labels, ANDed,
in the Service's namespace), `endpoint` is membership of the Service's Endpoints
(`cached_endpoints`, not ready ones included: they are `notReadyAddresses`, as the diagram's
dashed edges show), `misses` are apimachinery-style failures (`labels.describe_failure`), and
`notEndpoint` says which rule of `endpoints_for_service` left a selected pod out.

These are diagnostics over the engine's state; their final home is the engine (beside
`diagnostics` or the Endpoints controller). They live here until the engine's packaging
settles, and need nothing but the engine.
"""

from __future__ import annotations

from ..engine.controllers.endpoints import cached_endpoints, find_port, selected_pods
from ..engine.labels import describe_failure, explain, selector_from_set
from ..engine.model import Pod, Service


def _ref(obj) -> str:
    return f"{obj.namespace}/{obj.name}"


def _not_endpoint(svc: Service, pod: Pod) -> str:
    """Why a pod the Service selects is not one of its endpoints, in the order the Endpoints
    controller checks (pkg/controller/endpoint, ShouldPodBeInEndpoints, FindPort)."""
    if svc.type == "ExternalName":
        return f"an ExternalName Service has no endpoints: its name is a CNAME for {svc.external_name}"
    if pod.terminal:
        return f"it has finished ({pod.phase}): a terminated pod leaves the endpoints"
    if not pod.ip:
        return f"it has no IP yet ({pod.phase})"
    if not svc.ports:
        return "the Service declares no ports"
    missing = [sp for sp in svc.ports if find_port(pod, sp) is None]
    if len(missing) == len(svc.ports):
        return "; ".join(
            f"no container port is named {sp.target_port!r} ({sp.protocol}), the targetPort of port {sp.port}"
            for sp in missing
        )
    return "it is not among the Service's endpoints"


def _why_not(svc: Service, pod: Pod, selected: bool, endpoint: bool) -> str | None:
    return _not_endpoint(svc, pod) if selected and not endpoint else None


def _selection(engine, svc: Service) -> tuple[set[str], set[str]]:
    selected = {_ref(p) for p in selected_pods(engine, svc)}
    endpoints = {e.pod for e in cached_endpoints(engine, svc) if e.pod is not None}
    return selected, endpoints


def explain_service(engine, svc: Service) -> dict:
    """For every pod of the Service's namespace: selected, an endpoint, which labels it misses,
    and why a selected pod is not an endpoint. `selector` is null for a Service without one."""
    selected, endpoints = _selection(engine, svc)
    selector = selector_from_set(svc.selector) if svc.selector else None
    pods = {}
    for _name, pod in sorted(engine.pods_in(svc.namespace).items()):
        ref = _ref(pod)
        is_selected, is_endpoint = ref in selected, ref in endpoints
        pods[ref] = {
            "selected": is_selected,
            "endpoint": is_endpoint,
            "misses": []
            if selector is None
            else [describe_failure(r, pod.labels) for r in explain(selector, pod.labels)],
            "notEndpoint": _why_not(svc, pod, is_selected, is_endpoint),
        }
    return {"service": _ref(svc), "selector": dict(svc.selector) if svc.selector else None, "pods": pods}


def explain_pod(engine, pod: Pod) -> dict:
    """Every Service of the pod's namespace that selects it: whether the pod is one of its
    endpoints, and if not, why."""
    services = []
    for svc in sorted(engine.list("Service"), key=lambda s: s.name):
        if svc.namespace != pod.namespace or not svc.selector:
            continue
        selected, endpoints = _selection(engine, svc)
        ref = _ref(pod)
        if ref not in selected:
            continue
        is_endpoint = ref in endpoints
        services.append(
            {
                "service": _ref(svc),
                "selected": True,
                "endpoint": is_endpoint,
                "notEndpoint": _why_not(svc, pod, True, is_endpoint),
            }
        )
    return {"pod": _ref(pod), "services": services}
