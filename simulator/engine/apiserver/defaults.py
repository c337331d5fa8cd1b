"""API server defaulting: the SetDefaults_<Kind> functions of each API group (`kinds.py` names
each kind's; `kinds.apply_defaults` runs it).

Each defaulter returns a NEW dict and never mutates its input: only the containers
on the way to a defaulted field are copied (the object, `spec`, a container, its `ports`...),
everything else (labels, env, volumes' contents, ...) is shared with the input.

Sources (read, not copied):
- pkg/apis/core/v1/defaults.go          SetDefaults_Service, _Pod, _PodSpec, _Container, _Probe,
                                         _HTTPGetAction, _Volume (and volume sources), _Namespace,
                                         _NamespaceStatus; `+default` tags in
                                         staging/src/k8s.io/api/core/v1/types.go (ports' TCP)
- pkg/apis/apps/v1/defaults.go          SetDefaults_Deployment, _ReplicaSet, _DaemonSet
- pkg/apis/batch/v1/defaults.go         SetDefaults_Job
- pkg/util/parsers/parsers.go           ParseImageName (which tag decides imagePullPolicy)

Not defaulted here because the API server does it elsewhere: Service `clusterIP(s)`,
`ipFamilies`, `ipFamilyPolicy` and `nodePort`s (the Service REST allocator), a Pod's
`nodeName` (the scheduler), `uid`/`creationTimestamp`/`resourceVersion` (the registry).
"""

from __future__ import annotations

import base64
import re
from typing import Any

from ..wellknown import METADATA_NAME_LABEL
from .strategy import namespace_prepare_for_create

__all__ = [
    "default_daemon_set",
    "default_deployment",
    "default_job",
    "default_namespace",
    "default_pod",
    "default_replica_set",
    "default_service",
    "image_pull_policy",
    "no_defaults",
]

# Defaulting constants (staging/src/k8s.io/api/core/v1/types.go)
DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30
DEFAULT_SCHEDULER_NAME = "default-scheduler"
TERMINATION_MESSAGE_PATH_DEFAULT = "/dev/termination-log"
DEFAULT_CLIENT_IP_SERVICE_AFFINITY_SECONDS = 10800  # 3 hours
VOLUME_SOURCE_DEFAULT_MODE = 0o644  # Secret/ConfigMap/DownwardAPI/Projected defaultMode (420)
MAX_INT32 = (1 << 31) - 1


# ---------------------------------------------------------------------------------------------
# imagePullPolicy: parsers.ParseImageName + SetDefaults_Container
# ---------------------------------------------------------------------------------------------

# distribution/reference grammar (reference/regexp.go), as ParseNormalizedNamed applies it.
_ALNUM = r"[a-z0-9]+"
_SEPARATOR = r"(?:[._]|__|[-]+)"
_PATH_COMPONENT = _ALNUM + r"(?:" + _SEPARATOR + _ALNUM + r")*"
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = r"(?:" + _DOMAIN_COMPONENT + r"(?:\." + _DOMAIN_COMPONENT + r")*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?"
_TAG = r"[\w][\w.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"
_REFERENCE = re.compile(
    r"(?:(?P<domain>" + _DOMAIN + r")/)?(?P<path>" + _PATH_COMPONENT + r"(?:/" + _PATH_COMPONENT + r")*)"
    r"(?::(?P<tag>" + _TAG + r"))?(?:@(?P<digest>" + _DIGEST + r"))?"
)


def _image_tag(image: str) -> str:
    """The tag ParseImageName reports: the image's tag, "latest" when there is neither tag nor
    digest, "" for a digest-only reference or one that does not parse."""
    m = _REFERENCE.fullmatch(image or "")
    if m is None or len(m.group("path")) + len(m.group("domain") or "") > 255:
        return ""
    tag, digest = m.group("tag"), m.group("digest")
    if tag:
        return tag
    return "" if digest else "latest"


def image_pull_policy(image: str) -> str:
    """SetDefaults_Container: Always for `:latest` (or no tag at all), else IfNotPresent."""
    return "Always" if _image_tag(image) == "latest" else "IfNotPresent"


# ---------------------------------------------------------------------------------------------
# Copy-on-write helpers
# ---------------------------------------------------------------------------------------------


def _dict(value: Any) -> dict:
    """A fresh shallow copy of a mapping (or an empty dict for None/absent)."""
    return dict(value) if isinstance(value, dict) else {}


def _missing(d: dict, key: str) -> bool:
    """Go's zero-value test for a defaulted field: absent, null or empty string."""
    v = d.get(key)
    return v is None or v == ""


# ---------------------------------------------------------------------------------------------
# Pod spec, containers, probes, volumes
# ---------------------------------------------------------------------------------------------


def _default_probe(probe: Any) -> Any:
    if not isinstance(probe, dict):
        return probe
    p = dict(probe)
    # SetDefaults_Probe: zero values become 1 / 10 / 1 / 3
    for key, value in (("timeoutSeconds", 1), ("periodSeconds", 10), ("successThreshold", 1), ("failureThreshold", 3)):
        if not p.get(key):
            p[key] = value
    http = p.get("httpGet")
    if isinstance(http, dict):
        p["httpGet"] = _default_http_get(http)
    return p


def _default_http_get(http: dict) -> dict:
    h = dict(http)
    if _missing(h, "path"):
        h["path"] = "/"
    if _missing(h, "scheme"):
        h["scheme"] = "HTTP"
    return h


def _default_lifecycle(lifecycle: Any) -> Any:
    if not isinstance(lifecycle, dict):
        return lifecycle
    out = lifecycle
    for hook in ("postStart", "preStop"):
        handler = lifecycle.get(hook)
        if isinstance(handler, dict) and isinstance(handler.get("httpGet"), dict):
            if out is lifecycle:
                out = dict(lifecycle)
            out[hook] = dict(handler, httpGet=_default_http_get(handler["httpGet"]))
    return out


def _default_container(container: Any) -> Any:
    if not isinstance(container, dict):
        return container
    c = dict(container)
    if _missing(c, "imagePullPolicy"):
        c["imagePullPolicy"] = image_pull_policy(c.get("image") or "")
    if _missing(c, "terminationMessagePath"):
        c["terminationMessagePath"] = TERMINATION_MESSAGE_PATH_DEFAULT
    if _missing(c, "terminationMessagePolicy"):
        c["terminationMessagePolicy"] = "File"
    ports = c.get("ports")
    if isinstance(ports, list):
        new_ports = []
        for port in ports:
            if isinstance(port, dict) and _missing(port, "protocol"):
                port = dict(port, protocol="TCP")  # ContainerPort.Protocol +default="TCP"
            new_ports.append(port)
        c["ports"] = new_ports
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        if isinstance(c.get(probe), dict):
            c[probe] = _default_probe(c[probe])
    if isinstance(c.get("lifecycle"), dict):
        c["lifecycle"] = _default_lifecycle(c["lifecycle"])
    env = c.get("env")
    if isinstance(env, list) and any(isinstance(e, dict) and isinstance(e.get("valueFrom"), dict) for e in env):
        c["env"] = [_default_env_var(e) for e in env]
    return c


def _default_env_var(env: Any) -> Any:
    # SetDefaults_ObjectFieldSelector: fieldRef.apiVersion "v1"
    if not isinstance(env, dict):
        return env
    source = env.get("valueFrom")
    if not isinstance(source, dict) or not isinstance(source.get("fieldRef"), dict):
        return env
    ref = source["fieldRef"]
    if not _missing(ref, "apiVersion"):
        return env
    return dict(env, valueFrom=dict(source, fieldRef=dict(ref, apiVersion="v1")))


_VOLUME_SOURCES = (
    "hostPath",
    "emptyDir",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "secret",
    "nfs",
    "iscsi",
    "glusterfs",
    "persistentVolumeClaim",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "downwardAPI",
    "fc",
    "azureFile",
    "configMap",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "projected",
    "portworxVolume",
    "scaleIO",
    "storageos",
    "csi",
    "ephemeral",
    "image",
)


def _default_volume(volume: Any) -> Any:
    if not isinstance(volume, dict):
        return volume
    v = volume
    if not any(v.get(src) is not None for src in _VOLUME_SOURCES):
        v = dict(v, emptyDir={})  # SetDefaults_Volume: no source at all means emptyDir
    for src in ("secret", "configMap", "downwardAPI", "projected"):
        s = v.get(src)
        if isinstance(s, dict) and s.get("defaultMode") is None:
            v = dict(v) if v is volume else v
            v[src] = dict(s, defaultMode=VOLUME_SOURCE_DEFAULT_MODE)
    hp = v.get("hostPath")
    if isinstance(hp, dict) and hp.get("type") is None:
        v = dict(v) if v is volume else v
        v["hostPath"] = dict(hp, type="")  # HostPathUnset
    return v


def _default_pod_spec(spec: Any, *, is_pod: bool) -> dict:
    """SetDefaults_PodSpec and the defaults of everything inside it; with is_pod, SetDefaults_Pod too."""
    s = _dict(spec)
    if _missing(s, "dnsPolicy"):
        s["dnsPolicy"] = "ClusterFirst"
    if _missing(s, "restartPolicy"):
        s["restartPolicy"] = "Always"
    if s.get("securityContext") is None:
        s["securityContext"] = {}
    if s.get("terminationGracePeriodSeconds") is None:
        s["terminationGracePeriodSeconds"] = DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS
    if _missing(s, "schedulerName"):
        s["schedulerName"] = DEFAULT_SCHEDULER_NAME
    for key in ("containers", "initContainers"):
        if isinstance(s.get(key), list):
            s[key] = [_default_container(c) for c in s[key]]
    if isinstance(s.get("volumes"), list):
        s["volumes"] = [_default_volume(v) for v in s["volumes"]]
    if is_pod:
        # SetDefaults_Pod (a Pod, not a pod template): requests default to limits,
        # enableServiceLinks to true, host-network ports to host ports.
        for key in ("containers", "initContainers"):
            if isinstance(s.get(key), list):
                s[key] = [_default_requests_from_limits(c) for c in s[key]]
        if s.get("enableServiceLinks") is None:
            s["enableServiceLinks"] = True
        if s.get("hostNetwork") is True:
            for key in ("containers", "initContainers"):
                if isinstance(s.get(key), list):
                    s[key] = [_default_host_ports(c) for c in s[key]]
    return s


def _default_requests_from_limits(container: Any) -> Any:
    if not isinstance(container, dict):
        return container
    resources = container.get("resources")
    if not isinstance(resources, dict) or not isinstance(resources.get("limits"), dict):
        return container
    requests = _dict(resources.get("requests"))
    for key, value in resources["limits"].items():
        requests.setdefault(key, value)
    return dict(container, resources=dict(resources, requests=requests))


def _default_host_ports(container: Any) -> Any:
    if not isinstance(container, dict) or not isinstance(container.get("ports"), list):
        return container
    ports = []
    for port in container["ports"]:
        if isinstance(port, dict) and not port.get("hostPort"):
            port = dict(port, hostPort=port.get("containerPort") or 0)
        ports.append(port)
    return dict(container, ports=ports)


def _default_template(template: Any) -> dict:
    t = _dict(template)
    t["spec"] = _default_pod_spec(t.get("spec"), is_pod=False)
    return t


# ---------------------------------------------------------------------------------------------
# Per kind
# ---------------------------------------------------------------------------------------------


def default_service(obj: dict) -> dict:
    out = dict(obj)
    spec = _dict(obj.get("spec"))
    out["spec"] = spec
    if _missing(spec, "sessionAffinity"):
        spec["sessionAffinity"] = "None"
    if spec["sessionAffinity"] == "None":
        spec.pop("sessionAffinityConfig", None)
    if spec["sessionAffinity"] == "ClientIP":
        cfg = spec.get("sessionAffinityConfig")
        client_ip = cfg.get("clientIP") if isinstance(cfg, dict) else None
        if not isinstance(client_ip, dict) or client_ip.get("timeoutSeconds") is None:
            spec["sessionAffinityConfig"] = {"clientIP": {"timeoutSeconds": DEFAULT_CLIENT_IP_SERVICE_AFFINITY_SECONDS}}
    if _missing(spec, "type"):
        spec["type"] = "ClusterIP"
    stype = spec["type"]
    if isinstance(spec.get("ports"), list):
        ports = []
        for port in spec["ports"]:
            if isinstance(port, dict):
                port = dict(port)
                if _missing(port, "protocol"):
                    port["protocol"] = "TCP"
                target = port.get("targetPort")
                if target is None or target == 0 or target == "":
                    port["targetPort"] = port.get("port") or 0  # intstr.FromInt32(sp.Port)
            ports.append(port)
        spec["ports"] = ports
    # service.ExternallyAccessible (pkg/api/v1/service/util.go)
    externally_accessible = stype in ("LoadBalancer", "NodePort") or (
        stype == "ClusterIP" and bool(spec.get("externalIPs"))
    )
    if externally_accessible and _missing(spec, "externalTrafficPolicy"):
        spec["externalTrafficPolicy"] = "Cluster"
    if spec.get("internalTrafficPolicy") is None and stype in ("NodePort", "LoadBalancer", "ClusterIP"):
        spec["internalTrafficPolicy"] = "Cluster"
    if stype == "LoadBalancer" and spec.get("allocateLoadBalancerNodePorts") is None:
        spec["allocateLoadBalancerNodePorts"] = True
    return out


def default_pod(obj: dict) -> dict:
    out = dict(obj)
    out["spec"] = _default_pod_spec(obj.get("spec"), is_pod=True)
    return out


def default_deployment(obj: dict) -> dict:
    out = dict(obj)
    spec = _dict(obj.get("spec"))
    out["spec"] = spec
    if spec.get("replicas") is None:
        spec["replicas"] = 1
    strategy = _dict(spec.get("strategy"))
    if _missing(strategy, "type"):
        strategy["type"] = "RollingUpdate"
    if strategy["type"] == "RollingUpdate":
        rolling = _dict(strategy.get("rollingUpdate"))
        if rolling.get("maxUnavailable") is None:
            rolling["maxUnavailable"] = "25%"
        if rolling.get("maxSurge") is None:
            rolling["maxSurge"] = "25%"
        strategy["rollingUpdate"] = rolling
    spec["strategy"] = strategy
    if spec.get("revisionHistoryLimit") is None:
        spec["revisionHistoryLimit"] = 10
    if spec.get("progressDeadlineSeconds") is None:
        spec["progressDeadlineSeconds"] = 600
    spec["template"] = _default_template(spec.get("template"))
    return out


def default_replica_set(obj: dict) -> dict:
    out = dict(obj)
    spec = _dict(obj.get("spec"))
    out["spec"] = spec
    if spec.get("replicas") is None:
        spec["replicas"] = 1
    spec["template"] = _default_template(spec.get("template"))
    return out


def default_daemon_set(obj: dict) -> dict:
    out = dict(obj)
    spec = _dict(obj.get("spec"))
    out["spec"] = spec
    strategy = _dict(spec.get("updateStrategy"))
    if _missing(strategy, "type"):
        strategy["type"] = "RollingUpdate"
    if strategy["type"] == "RollingUpdate":
        rolling = _dict(strategy.get("rollingUpdate"))
        if rolling.get("maxUnavailable") is None:
            rolling["maxUnavailable"] = 1
        if rolling.get("maxSurge") is None:
            rolling["maxSurge"] = 0
        strategy["rollingUpdate"] = rolling
    spec["updateStrategy"] = strategy
    if spec.get("revisionHistoryLimit") is None:
        spec["revisionHistoryLimit"] = 10
    spec["template"] = _default_template(spec.get("template"))
    return out


def default_job(obj: dict) -> dict:
    out = dict(obj)
    spec = _dict(obj.get("spec"))
    out["spec"] = spec
    # SetDefaults_Job. With both unset, both become 1; with only completions set,
    # parallelism becomes 1; with only parallelism set, completions STAYS unset (a work queue).
    if spec.get("completions") is None and spec.get("parallelism") is None:
        spec["completions"] = 1
        spec["parallelism"] = 1
    if spec.get("parallelism") is None:
        spec["parallelism"] = 1
    if spec.get("backoffLimit") is None:
        spec["backoffLimit"] = MAX_INT32 if spec.get("backoffLimitPerIndex") is not None else 6
    template = _default_template(spec.get("template"))
    spec["template"] = template
    # `labels := obj.Spec.Template.Labels; if labels != nil && len(obj.Labels) == 0 { obj.Labels = labels }`
    # The Job's labels become the very same map as its template's (see prepare_job_for_create).
    template_meta = template.get("metadata")
    template_labels = template_meta.get("labels") if isinstance(template_meta, dict) else None
    meta = obj.get("metadata")
    if template_labels is not None and not (isinstance(meta, dict) and meta.get("labels")):
        out["metadata"] = dict(_dict(meta), labels=template_labels)
    if spec.get("completionMode") is None:
        spec["completionMode"] = "NonIndexed"
    if spec.get("suspend") is None:
        spec["suspend"] = False
    # JobPodReplacementPolicy (beta, on by default since 1.29)
    if spec.get("podReplacementPolicy") is None:
        spec["podReplacementPolicy"] = "Failed" if spec.get("podFailurePolicy") is not None else "TerminatingOrFailed"
    # Kubernetes 1.32+: manualSelector defaults to false (SetDefaults_Job).
    if spec.get("manualSelector") is None:
        spec["manualSelector"] = False
    policy = spec.get("podFailurePolicy")
    if isinstance(policy, dict) and isinstance(policy.get("rules"), list):
        rules = []
        for rule in policy["rules"]:
            if isinstance(rule, dict) and isinstance(rule.get("onPodConditions"), list):
                conds = [
                    dict(c, status="True") if isinstance(c, dict) and _missing(c, "status") else c
                    for c in rule["onPodConditions"]
                ]
                rule = dict(rule, onPodConditions=conds)  # SetDefaults_PodFailurePolicyOnPodConditionsPattern
            rules.append(rule)
        spec["podFailurePolicy"] = dict(policy, rules=rules)
    return out


def default_namespace(obj: dict) -> dict:
    out = dict(obj)
    meta = obj.get("metadata")
    name = meta.get("name") if isinstance(meta, dict) else None
    if name:
        # SetDefaults_Namespace: the kubernetes.io/metadata.name label, always set to the name
        out["metadata"] = dict(meta, labels=dict(_dict(meta.get("labels")), **{METADATA_NAME_LABEL: name}))
    status = _dict(obj.get("status"))
    if _missing(status, "phase"):
        status["phase"] = "Active"  # SetDefaults_NamespaceStatus
    out["status"] = status
    return namespace_prepare_for_create(out)


def no_defaults(obj: dict) -> dict:
    return dict(obj)


def default_secret(obj: dict) -> dict:
    """SetDefaults_Secret (type Opaque when unset), and `stringData` merged into `data`, each
    value base64-encoded and winning over a `data` key of the same name: the v1 -> internal
    conversion (pkg/apis/core/v1/conversion.go Convert_v1_Secret_To_core_Secret) does it on every
    write, so the stored object never holds `stringData`."""
    out = dict(obj)
    if not out.get("type"):
        out["type"] = "Opaque"
    string_data = out.pop("stringData", None)
    if isinstance(string_data, dict) and string_data:
        data = dict(_dict(out.get("data")))
        for key, value in string_data.items():
            text = value if isinstance(value, str) else ""
            data[key] = base64.b64encode(text.encode("utf-8")).decode("ascii")
        out["data"] = data
    return out


def default_ingress_class(obj: dict) -> dict:
    """SetDefaults_IngressClass: parameters without a scope are cluster-scoped."""
    out = dict(obj)
    spec = _dict(obj.get("spec"))
    params = spec.get("parameters")
    if isinstance(params, dict) and params.get("scope") is None:
        out["spec"] = {**spec, "parameters": {**params, "scope": "Cluster"}}
    return out
