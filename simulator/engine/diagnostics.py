"""Teaching diagnostics: what a student should notice about the cluster, as data.

Each is a `Hint` with a stable id, the object it is about, a message and a hint. They are
derived from the cluster's state and never change it.
"""

from __future__ import annotations

from .controllers.endpoints import cached_endpoints
from .errors import Hint
from .labels import describe_failure, explain, selector_from_set
from .model import Service

SELECTS_NO_PODS = "service-selects-no-pods"
SELECTOR_OTHER_NAMESPACE = "service-selector-other-namespace"
NO_READY_ENDPOINTS = "service-no-ready-endpoints"
NAMED_TARGET_PORT_MISSING = "service-named-target-port-missing"
TARGET_PORT_NOT_DECLARED = "service-target-port-not-declared"
NO_SELECTOR = "service-without-selector"
LOADBALANCER_PENDING = "loadbalancer-pending"
POD_UNSCHEDULABLE = "pod-unschedulable"

_SYSTEM = {"kube-system"}


def _pairs(selector) -> str:
    return " AND ".join(f"{k}={v}" for k, v in sorted(selector.items()))


def service_hints(cluster, svc: Service) -> list[Hint]:
    hints: list[Hint] = []
    if svc.type == "ExternalName":
        return hints
    if svc.type == "LoadBalancer" and not svc.load_balancer_ips:
        hints.append(
            Hint(
                LOADBALANCER_PENDING,
                "Service",
                svc.namespace,
                svc.name,
                f"LoadBalancer Service {svc.name!r} has no external IP: it stays <pending>",
                "no load-balancer pool is configured (as on a cluster without a cloud provider); "
                "it still works as a NodePort Service on every node's IP",
            )
        )
    if not svc.selector:
        if not (svc.namespace == "default" and svc.name == "kubernetes"):
            hints.append(
                Hint(
                    NO_SELECTOR,
                    "Service",
                    svc.namespace,
                    svc.name,
                    f"Service {svc.name!r} has no selector, so Kubernetes manages no Endpoints for it",
                    "add spec.selector with the labels of the pods it should send traffic to",
                )
            )
        return hints
    endpoints = cached_endpoints(cluster, svc)
    selected = cluster.pods_with_labels(svc.namespace, svc.selector)
    live = [p for p in selected if not p.terminal]
    if not live:
        selector = selector_from_set(svc.selector)
        near = []
        for pod in cluster.pods_in(svc.namespace).values():
            failed = explain(selector, pod.labels)
            if len(failed) < len(selector.requirements):
                near.append(
                    {"pod": f"{pod.namespace}/{pod.name}", "missing": [describe_failure(r, pod.labels) for r in failed]}
                )
        near.sort(key=lambda n: (len(n["missing"]), n["pod"]))
        hint = ""
        if near:
            first = near[0]
            hint = (
                f"pod {first['pod'].split('/', 1)[1]} {', '.join(first['missing'])}: a pod must carry every "
                "label of the selector (Boolean AND)"
            )
        else:
            hint = "no pod in this namespace carries any of these labels"
        hints.append(
            Hint(
                SELECTS_NO_PODS,
                "Service",
                svc.namespace,
                svc.name,
                f"Service {svc.name!r} selects no Pods: its selector needs {_pairs(svc.selector)}",
                hint,
                {"selector": dict(svc.selector), "nearMisses": near[:20]},
            )
        )
        elsewhere = sorted(
            {
                p.namespace
                for ns in cluster.namespaces()
                if ns != svc.namespace
                for p in cluster.pods_with_labels(ns, svc.selector)
            }
        )
        if elsewhere:
            hints.append(
                Hint(
                    SELECTOR_OTHER_NAMESPACE,
                    "Service",
                    svc.namespace,
                    svc.name,
                    f"pods in namespace {', '.join(elsewhere)} match the selector of Service {svc.name!r}, "
                    f"but a Service only selects pods of its own namespace ({svc.namespace})",
                    "create the Service in the pods' namespace and reach it as <service>.<namespace>",
                    {"namespaces": elsewhere},
                )
            )
        return hints
    if endpoints and not any(e.ready for e in endpoints):
        hints.append(
            Hint(
                NO_READY_ENDPOINTS,
                "Service",
                svc.namespace,
                svc.name,
                f"Service {svc.name!r} has endpoints but none is ready: traffic goes nowhere",
                "the selected pods are not Ready; they are listed as notReadyAddresses",
            )
        )
    for sp in svc.ports:
        if isinstance(sp.target_port, str) and not sp.target_port.isdigit():
            missing = [
                p for p in live if not any(cp.name == sp.target_port and cp.protocol == sp.protocol for cp in p.ports)
            ]
            if missing:
                hints.append(
                    Hint(
                        NAMED_TARGET_PORT_MISSING,
                        "Service",
                        svc.namespace,
                        svc.name,
                        f"port {sp.port} of Service {svc.name!r} targets the port named "
                        f"{sp.target_port!r}, which pod {missing[0].name} does not declare",
                        "pods without a containerPort of that name (and protocol) are left out of the "
                        "Endpoints for this port",
                        {"pods": [p.name for p in missing]},
                    )
                )
        else:
            target = int(sp.target_port)
            declared = any(cp.port == target for p in live for cp in p.ports)
            if not declared and live and any(p.ports for p in live):
                hints.append(
                    Hint(
                        TARGET_PORT_NOT_DECLARED,
                        "Service",
                        svc.namespace,
                        svc.name,
                        f"port {sp.port} of Service {svc.name!r} sends traffic to targetPort {target}, "
                        "which no container of the selected pods declares",
                        "Kubernetes forwards to that port anyway; it works only if the process listens "
                        "there. Check containerPort and targetPort.",
                        {"targetPort": target},
                    )
                )
    return hints


def pod_hints(cluster, pod) -> list[Hint]:
    reason = cluster.schedule_failures.get((pod.namespace, pod.name))
    if reason is None:
        return []
    return [
        Hint(
            POD_UNSCHEDULABLE,
            "Pod",
            pod.namespace,
            pod.name,
            f"pod {pod.name!r} is Pending: {reason}",
            "check nodeSelector, tolerations and node taints",
        )
    ]


def cluster_hints(cluster) -> list[Hint]:
    hints: list[Hint] = []
    for svc in cluster.list("Service"):
        hints.extend(service_hints(cluster, svc))
    for (ns, name), _reason in sorted(cluster.schedule_failures.items()):
        pod = cluster.get("Pod", ns, name)
        if pod is not None:
            hints.extend(pod_hints(cluster, pod))
    return hints
