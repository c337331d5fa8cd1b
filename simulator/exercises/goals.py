"""One checker per goal type: `(engine, spec) -> Outcome(passed, why)`.

Every checker reads what the simulator already derives — the Endpoints controller's endpoints,
the kubelet's Service variables, the cluster DNS resolver, the request trace, the ingress
controller's routing table, the Job and DaemonSet controllers' pods — and says why a goal fails
in the engine's own words: the label a pod lacks (labels.describe_failure), the names a resolver
tried, the trace's sentence, the teaching diagnostics of the Service (diagnostics.service_hints).
Nothing here changes the cluster.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..engine import contract
from ..engine.controllers.endpoints import cached_endpoints
from ..engine.diagnostics import service_hints
from ..engine.dns import resolve_query
from ..engine.ingress import route
from ..engine.kubelet.envvars import env_for_pod, services_for_pod
from ..engine.labels import describe_failure, explain, selector_from_set
from ..engine.trace import request_query
from .format import split_ref


@dataclass(frozen=True)
class Outcome:
    passed: bool
    why: str


def _names(refs) -> str:
    refs = sorted(refs)
    return ", ".join(r.split("/", 1)[-1] for r in refs) if refs else "no pod"


def _pod_refs(cluster, namespace: str, target: Any) -> tuple[set[str], str]:
    """The pods a target names ({pods: [...]}, a list of names, or {selector: {...}}), and how to
    say it. Names may be NAME (in `namespace`) or NAMESPACE/NAME."""
    if isinstance(target, dict) and "selector" in target:
        selector = target["selector"] or {}
        pods = cluster.pods_with_labels(namespace, {str(k): str(v) for k, v in selector.items()})
        said = " AND ".join(f"{k}={v}" for k, v in sorted(selector.items()))
        return {f"{p.namespace}/{p.name}" for p in pods if not p.terminal}, f"the pods with {said}"
    names = target.get("pods") if isinstance(target, dict) else target
    refs = {"/".join(split_ref(n, namespace)) for n in (names or ())}
    return refs, _names(refs)


def _service(cluster, ref: str):
    namespace, name = split_ref(ref)
    return cluster.get("Service", namespace, name), namespace, name


def _missing(kind: str, namespace: str, name: str) -> Outcome:
    return Outcome(
        False, f'{kind} {namespace}/{name} not found: {kind.lower()}s "{name}" not found in namespace {namespace}'
    )


def _why_not_selected(cluster, svc, ref: str) -> str:
    namespace, name = split_ref(ref)
    pod = cluster.get("Pod", namespace, name)
    if pod is None:
        return f"pod {name} does not exist"
    if namespace != svc.namespace:
        return f"pod {name} is in namespace {namespace}, and a Service selects only pods of its own ({svc.namespace})"
    if not svc.selector:
        return f"Service {svc.name} has no selector"
    failed = explain(selector_from_set(svc.selector), pod.labels)
    if failed:
        return f"pod {name} " + ", ".join(describe_failure(r, pod.labels) for r in failed)
    if pod.terminal:
        return f"pod {name} is {pod.phase}"
    if not pod.ip:
        return f"pod {name} is {pod.phase} and has no IP yet"
    return f"pod {name} matches the selector but no port of it is a target of the Service"


def check_endpoints(cluster, spec: dict) -> Outcome:
    svc, namespace, name = _service(cluster, spec["service"])
    if svc is None:
        return _missing("Service", namespace, name)
    ready = spec.get("ready")
    have = {
        e.pod for e in cached_endpoints(cluster, svc) if e.pod is not None and (ready is None or e.ready == bool(ready))
    }
    mode = next(k for k in ("exactly", "include", "exclude") if k in spec)
    want, said = _pod_refs(cluster, namespace, spec[mode])
    which = {True: "ready ", False: "not-ready "}.get(ready, "") if ready is not None else ""
    now = f"Service {name} sends traffic to {_names(have)}" if have else f"Service {name} has no {which}endpoints"
    if mode == "exclude":
        extra = have & want
        if not extra:
            return Outcome(True, f"{now}: none of {said}")
        return Outcome(False, f"{now}: {_names(extra)} should not be among its endpoints")
    lacking = want - have
    extra = have - want if mode == "exactly" else set()
    if mode == "exactly" and not want:
        return Outcome(not have, f"{now}, and should have none" if have else now)
    if not lacking and not extra:
        return Outcome(True, now)
    reasons = [_why_not_selected(cluster, svc, ref) for ref in sorted(lacking)]
    if extra:
        reasons.append(f"{_names(extra)} should not be {'one of them' if len(extra) == 1 else 'among them'}")
    hints = [h.message for h in service_hints(cluster, svc) if h.id.startswith("service-")]
    tail = f" ({'; '.join(hints)})" if hints and not have else ""
    return Outcome(False, f"{now}, not {said}: {'; '.join(reasons)}{tail}")


def check_service(cluster, spec: dict) -> Outcome:
    svc, namespace, name = _service(cluster, spec["name"])
    if svc is None:
        return _missing("Service", namespace, name)
    if "type" in spec and svc.type != spec["type"]:
        return Outcome(False, f"Service {name} has type {svc.type}, not {spec['type']}")
    ports = list(svc.ports)
    if "port" in spec:
        ports = [p for p in ports if p.port == spec["port"]]
        if not ports:
            listed = ", ".join(str(p.port) for p in svc.ports) or "none"
            return Outcome(False, f"Service {name} has no port {spec['port']} (its ports: {listed})")
    if "protocol" in spec:
        ports = [p for p in ports if p.protocol == spec["protocol"]]
        if not ports:
            return Outcome(False, f"Service {name} has no {spec['protocol']} port")
    for key, attr in (("nodePort", "node_port"), ("targetPort", "target_port")):
        if key in spec:
            wanted = spec[key]
            matching = [p for p in ports if str(getattr(p, attr)) == str(wanted)]
            if not matching:
                got = ", ".join(f"{p.port} → {getattr(p, attr)}" for p in ports) or "none"
                return Outcome(False, f"Service {name}: no port has {key} {wanted} (port → {key}: {got})")
            ports = matching
    said = ", ".join(f"{p.port}/{p.protocol}" + (f":{p.node_port}" if p.node_port else "") for p in ports)
    return Outcome(True, f"Service {name} is {svc.type}" + (f" ({said})" if said else ""))


def _container_env(pod) -> dict[str, str]:
    env: dict[str, str] = {}
    for container in pod.spec.get("containers") or ():
        for item in container.get("env") or ():
            if isinstance(item, dict) and "value" in item:
                env[str(item.get("name"))] = str(item.get("value"))
    return env


def check_env(cluster, spec: dict) -> Outcome:
    variable = str(spec["name"])
    present = spec.get("present", True)
    if "pod" in spec:
        namespace, name = split_ref(spec["pod"], spec.get("namespace") or "default")
        pod = cluster.get("Pod", namespace, name)
        if pod is None:
            return _missing("Pod", namespace, name)
        pods = [pod]
    else:
        namespace = spec.get("namespace") or "default"
        selector = {str(k): str(v) for k, v in (spec["selector"] or {}).items()}
        pods = [p for p in cluster.pods_with_labels(namespace, selector) if not p.terminal]
        if not pods:
            said = " AND ".join(f"{k}={v}" for k, v in sorted(selector.items()))
            return Outcome(False, f"no running pod in {namespace} has the labels {said}")
    for pod in pods:
        env = {**env_for_pod(cluster, pod), **_container_env(pod)}
        value = env.get(variable)
        if not present:
            if value is not None:
                return Outcome(False, f"pod {pod.name} has {variable}={value}")
            continue
        if value is None:
            return Outcome(False, _why_no_variable(cluster, pod, variable))
        if "value" in spec and value != str(spec["value"]):
            return Outcome(False, f"pod {pod.name} has {variable}={value}, not {spec['value']}")
    names = ", ".join(p.name for p in pods)
    if not present:
        return Outcome(True, f"{variable} is not set in {names}")
    return Outcome(True, f"{variable} is set in {names}")


def _why_no_variable(cluster, pod, variable: str) -> str:
    seen = {s.name for s in services_for_pod(cluster, pod)}
    later = [
        s.name
        for s in cluster.services_in(pod.namespace).values()
        if s.name not in seen and s.seq > pod.seq and s.has_cluster_ip
    ]
    text = f"pod {pod.name} has no {variable}"
    if later:
        text += (
            f": kubelet sets a Service's variables only in pods started after the Service, and "
            f"{', '.join(sorted(later))} was created after {pod.name} (re-create the pod)"
        )
    elif not pod.enable_service_links:
        text += ": enableServiceLinks is false, so kubelet sets no Service variables but kubernetes'"
    else:
        prefix = variable.split("_SERVICE_")[0].split("_PORT")[0]
        text += f": no Service of namespace {pod.namespace} gives {prefix}_* variables"
    return text


def _tried(result: dict) -> str:
    tried = result.get("tried") or []
    return ", ".join(tried) if tried else "no name"


def check_resolve(cluster, spec: dict) -> Outcome:
    source, name = str(spec["from"]), str(spec["name"])
    rtype = str(spec.get("type") or "A").upper()
    result = resolve_query(cluster, source, name, rtype)
    said = f"nslookup {name} from {source}"
    if result.get("error"):
        return Outcome(False, f"{said}: {result['rcode']}: {result['error']}")
    rcode = spec.get("rcode", "NOERROR")
    values = [a["value"] for a in result["answers"]]
    if result["rcode"] != rcode:
        if result["rcode"] == "NXDOMAIN":
            return Outcome(False, f"{said}: NXDOMAIN after trying {_tried(result)}")
        return Outcome(False, f"{said}: {result['rcode']} ({', '.join(values) or 'no answer'}), not {rcode}")
    answered = f"{said}: {result['rcode']}" + (
        f", {result['fqdn']} → {', '.join(values)}" if values else f" with no {rtype} record"
    )
    if "answers" in spec and sorted(map(str, spec["answers"])) != sorted(values):
        return Outcome(False, f"{answered}; expected {', '.join(map(str, spec['answers'])) or 'no answer'}")
    if "answersInclude" in spec:
        lacking = [str(v) for v in spec["answersInclude"] if str(v) not in values]
        if lacking:
            return Outcome(False, f"{answered}; {', '.join(lacking)} is not among the answers")
    return Outcome(True, answered)


def check_request(cluster, spec: dict) -> Outcome:
    source, url = str(spec["from"]), str(spec["url"])
    result = request_query(cluster, source, url)
    said = f"curl {url} from {source}"
    want_ok = spec.get("ok", True)
    if not result["ok"]:
        why = f"{said} fails: {result['error']}"
        return Outcome(not want_ok, why)
    if not want_ok:
        return Outcome(False, f"{said} succeeds (reaching {_names(result['candidates'])}), and should fail")
    have = set(result["candidates"])
    reached = f"{said} reaches {_names(have)}" if have else f"{said} succeeds (it leaves the cluster)"
    for key in ("reaches", "reachesInclude"):
        if key not in spec:
            continue
        namespace = "default" if source == "external" else source.split("/", 1)[0]
        target = spec[key]
        if isinstance(target, dict) and "namespace" in target:
            namespace = target["namespace"]
        want, what = _pod_refs(cluster, namespace, target)
        lacking, extra = want - have, (have - want if key == "reaches" else set())
        if lacking or extra:
            parts = []
            if lacking:
                parts.append(f"never {_names(lacking)}")
            if extra:
                parts.append(f"also {_names(extra)}")
            return Outcome(False, f"{reached}, not {what}: {' and '.join(parts)}")
    return Outcome(True, reached)


def check_ingress(cluster, spec: dict) -> Outcome:
    host, path = spec.get("host"), str(spec["path"])
    namespace, name = split_ref(spec["service"])
    routing = route(cluster, host, path)
    said = f"http://{host or '<any host>'}{path}"
    if routing.match is None:
        return Outcome(False, f"the ingress controller answers {said} with 404: {routing.reason}")
    match = routing.match
    got = f"{match.service} port {match.port}"
    if match.service != f"{namespace}/{name}":
        return Outcome(False, f"Ingress {match.ingress} routes {said} to {got}, not to {namespace}/{name}")
    if "port" in spec and str(match.port) != str(spec["port"]):
        return Outcome(False, f"Ingress {match.ingress} routes {said} to {got}, not port {spec['port']}")
    rule = "its default backend" if match.default_backend else f"path {match.path} ({match.path_type})"
    return Outcome(True, f"Ingress {match.ingress} routes {said} by {rule} to {got}")


def check_job(cluster, spec: dict) -> Outcome:
    namespace, name = split_ref(spec["name"])
    job = cluster.get("Job", namespace, name)
    if job is None:
        return _missing("Job", namespace, name)
    view = contract.job_view(cluster, job)
    for key in ("completions", "parallelism"):
        if key in spec and view[key] != spec[key]:
            return Outcome(False, f"Job {name} has {key} {view[key]}, not {spec[key]}")
    state = f"Job {name}: {view['succeeded']} succeeded, {view['active']} active, {view['failed']} failed"
    if view["completions"] is not None:
        state = f"Job {name}: {view['succeeded']} of {view['completions']} succeeded, {view['active']} active"
    clock = " (the simulated clock must run: play it in the Jobs panel, or simulate --settle)" if view["active"] else ""
    if "succeeded" in spec and view["succeeded"] < int(spec["succeeded"]):
        return Outcome(False, f"{state}, {spec['succeeded']} needed{clock}")
    if spec.get("complete") is True and not view["complete"]:
        return Outcome(False, f"{state}: not complete yet{clock}")
    if spec.get("complete") is False and view["complete"]:
        return Outcome(False, f"{state}: complete, and should not be")
    return Outcome(True, state + (": complete" if view["complete"] else ""))


def check_daemonset(cluster, spec: dict) -> Outcome:
    namespace, name = split_ref(spec["name"])
    ds = cluster.get("DaemonSet", namespace, name)
    if ds is None:
        return _missing("DaemonSet", namespace, name)
    target = spec["nodes"]
    if isinstance(target, dict) and "selector" in target:
        selector = {str(k): str(v) for k, v in (target["selector"] or {}).items()}
        want = {n.name for n in cluster.nodes() if all(n.labels.get(k) == v for k, v in selector.items())}
        what = "the nodes with " + " AND ".join(f"{k}={v}" for k, v in sorted(selector.items()))
    else:
        names = target.get("names") if isinstance(target, dict) else target
        want, what = {str(n) for n in names or ()}, ", ".join(sorted(map(str, names or ()))) or "no node"
    pods = [p for p in cluster.owned_by(ds.uid, "Pod") if not p.terminal]
    have = {p.node for p in pods if p.node}
    pending = [p.name for p in pods if not p.node]
    on = ", ".join(sorted(have)) or "no node"
    if have == want and not pending:
        return Outcome(True, f"DaemonSet {name} runs on {on}: exactly {what} ({', '.join(sorted(want)) or 'none'})")
    parts = []
    if have - want:
        parts.append(f"{', '.join(sorted(have - want))} should not run it")
    for node in sorted(want - have):
        why = cluster.schedule_failures.get((namespace, next((p.name for p in pods if not p.node), ""))) or ""
        parts.append(f"{node} runs none" + (f" ({why})" if why else ""))
    if pending:
        parts.append(f"{', '.join(pending)} Pending")
    return Outcome(False, f"DaemonSet {name} runs on {on}, not on exactly {what}: {'; '.join(parts)}")


_KIND_NAMES = {
    k.lower(): k
    for k in ("Namespace", "Node", "Pod", "Deployment", "ReplicaSet", "Service", "Ingress", "Job", "DaemonSet")
}


def _object(cluster, spec: dict):
    kind = _KIND_NAMES.get(str(spec["kind"]).lower(), str(spec["kind"]))
    if kind in ("Namespace", "Node"):
        return kind, "", str(spec["name"]), cluster.get(kind, "", str(spec["name"]))
    namespace, name = split_ref(spec["name"])
    if kind not in _KIND_NAMES.values():
        return kind, namespace, name, None
    return kind, namespace, name, cluster.get(kind, namespace, name)


def check_exists(cluster, spec: dict) -> Outcome:
    kind, namespace, name, obj = _object(cluster, spec)
    ref = f"{namespace}/{name}" if namespace else name
    return Outcome(obj is not None, f"{kind} {ref} exists" if obj is not None else f"{kind} {ref} does not exist")


def check_absent(cluster, spec: dict) -> Outcome:
    kind, namespace, name, obj = _object(cluster, spec)
    ref = f"{namespace}/{name}" if namespace else name
    return Outcome(obj is None, f"{kind} {ref} still exists" if obj is not None else f"{kind} {ref} does not exist")


# ---------------------------------------------------------------------- expect: a path on the JSON
_SECTIONS: dict[str, Callable] = {
    "nodes": lambda c: {n.name: contract.node_view(n) for n in c.nodes()},
    "pods": lambda c: {f"{p.namespace}/{p.name}": contract.pod_view(c, p) for p in c.list("Pod")},
    "services": lambda c: {f"{s.namespace}/{s.name}": contract.service_view(c, s) for s in c.list("Service")},
    "ingresses": lambda c: {f"{i.namespace}/{i.name}": contract.ingress_view(i) for i in c.list("Ingress")},
    "deployments": lambda c: {f"{d.namespace}/{d.name}": contract.deployment_view(c, d) for d in c.list("Deployment")},
    "jobs": lambda c: {f"{j.namespace}/{j.name}": contract.job_view(c, j) for j in c.list("Job")},
    "daemonsets": lambda c: {f"{d.namespace}/{d.name}": contract.daemonset_view(c, d) for d in c.list("DaemonSet")},
    "dns": lambda c: contract.dns_records(c),
    "iptables": lambda c: contract.iptables_save(c),
}


def parse_path(path: Any) -> list:
    """`services[default/webapp].ports[0].nodePort` (or a list of keys) -> its parts."""
    if isinstance(path, list):
        return list(path)
    parts: list = []
    for piece in str(path).replace("]", "").split("."):
        head, *indexes = piece.split("[")
        if head:
            parts.append(head)
        parts += [int(i) if i.isdigit() else i for i in indexes]
    return parts


def _section(cluster, name: str):
    """One top-level key of the simulate JSON, derived on its own (not the whole view)."""
    if name not in _SECTIONS:
        raise KeyError(name)
    return _SECTIONS[name](cluster)


def check_expect(cluster, spec: dict) -> Outcome:
    parts = parse_path(spec["path"])
    shown = str(spec["path"])
    if not parts or parts[0] not in _SECTIONS:
        return Outcome(False, f"{shown}: the path starts with one of {', '.join(_SECTIONS)}")
    value: Any = _section(cluster, parts[0])
    found = True
    for part in parts[1:]:
        if (isinstance(value, dict) and part in value) or (
            isinstance(value, list) and isinstance(part, int) and -len(value) <= part < len(value)
        ):
            value = value[part]
        else:
            found = False
            break
    if "exists" in spec:
        ok = found == bool(spec["exists"])
        return Outcome(ok, f"{shown} {'is' if found else 'is not'} there" + (f": {value!r}" if found else ""))
    if not found:
        return Outcome(False, f"{shown} is not there")
    if "equals" in spec:
        return Outcome(
            value == spec["equals"],
            f"{shown} is {_show(value)}" + ("" if value == spec["equals"] else f", not {_show(spec['equals'])}"),
        )
    if "notEquals" in spec:
        return Outcome(value != spec["notEquals"], f"{shown} is {_show(value)}")
    if "contains" in spec:
        ok = spec["contains"] in value if isinstance(value, list | dict | str) else False
        return Outcome(ok, f"{shown} {'contains' if ok else 'does not contain'} {_show(spec['contains'])}")
    length = len(value) if isinstance(value, list | dict | str) else None
    return Outcome(
        length == spec["length"],
        f"{shown} has {length} items" + ("" if length == spec["length"] else f", not {spec['length']}"),
    )


def _show(value: Any) -> str:
    """A value as the simulate JSON prints it."""
    return json.dumps(value, sort_keys=True)


CHECKERS: dict[str, Callable[[Any, dict], Outcome]] = {
    "endpoints": check_endpoints,
    "service": check_service,
    "env": check_env,
    "resolve": check_resolve,
    "request": check_request,
    "ingress": check_ingress,
    "job": check_job,
    "daemonset": check_daemonset,
    "exists": check_exists,
    "absent": check_absent,
    "expect": check_expect,
}
