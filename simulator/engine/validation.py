"""Validation with the API server's own wording, on DEFAULTED objects.

`validate(kind, obj, old=None)` returns the `FieldError`s the API server's validation (and the
parts of the REST strategies that validate) would report for creating `obj` (`old` is None)
or for updating the stored, defaulted `old` to `obj`. Errors come in the order the Go code
appends them; exact duplicates are dropped, as field.ErrorList.ToAggregate does.

Sources (read, not copied), Kubernetes 1.33:
- pkg/apis/core/validation/validation.go    ValidatePodCreate/Update, ValidatePodSpec,
  validateContainers, validateContainerPorts, ValidateTolerations, ValidateService(Update),
  validateServicePort, ValidateServiceClusterIPsRelatedFields, validateUpgradeDowngradeClusterIPs,
  ValidateNode(Update), validateNodeTaints, ValidateNamespace, ValidatePodTemplateSpec
- pkg/apis/apps/validation/validation.go    ValidateDeploymentSpec, ValidateReplicaSetSpec,
  ValidatePodTemplateSpecForReplicaSet, ValidateDaemonSetSpec, rolling-update checks
- pkg/registry/apps/{deployment,replicaset,daemonset}/strategy.go  selector immutability (apps/v1)
- pkg/apis/batch/validation/validation.go   validateGeneratedSelector, ValidateJobSpec, ValidateJobSpecUpdate
- pkg/registry/batch/job/strategy.go        validationOptionsForJob
- pkg/apis/networking/validation/validation.go  ValidateIngressCreate/Update, ValidateIngressSpec
- pkg/registry/core/service/strategy.go     patchAllocatedValues, normalizeClusterIPs (update)
- k8s.io/apimachinery/pkg/api/validation/objectmeta.go  ValidateObjectMeta(Update)
- k8s.io/apimachinery/pkg/util/validation/field/errors.go  how values print

Expectations on the input: `check_types` passed (values have the right JSON types), defaults
applied; for a Job create, `prepare_job_for_create` applied (it gives the uid and the
generated selector that validation checks); for a Service, clusterIPs may be absent (they
are derived from `clusterIP` as the Service strategy does). For updates, `obj` is the full
new object (after kubectl's apply merge), `old` the stored one.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from simulator.engine.errors import (
    DUPLICATE,
    FieldError,
    duplicate,
    forbidden,
    invalid,
    not_supported,
    required,
)
from simulator.engine.labels import SelectorError, from_label_selector, validate_label_selector
from simulator.engine.names import (
    inclusive_range_error,
    is_dns1035_label,
    is_dns1123_label,
    is_dns1123_subdomain,
    is_qualified_name,
    is_valid_ip,
    is_valid_label_value,
    is_valid_port_name,
    is_valid_port_num,
    is_wildcard_dns1123_subdomain,
    regex_error,
    validate_annotations,
    validate_label_name,
    validate_labels,
    validate_name,
)

__all__ = ["FIELD_IMMUTABLE", "KINDS", "GoLiteral", "go_label_selector", "go_string_map", "validate"]

FIELD_IMMUTABLE = "field is immutable"  # apimachineryvalidation.FieldImmutableErrorMsg
IS_NEGATIVE = "must be greater than or equal to 0"  # apimachineryvalidation.IsNegativeErrorMsg
MAX_INT32 = (1 << 31) - 1


# ---------------------------------------------------------------------------------------------
# Go renderings of bad values (field.Error prints non-scalar values with %#v)
# ---------------------------------------------------------------------------------------------


class GoLiteral:
    """A bad value that prints exactly as given (errors.go_value calls go_repr())."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text

    def go_repr(self) -> str:
        return self.text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GoLiteral) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)

    def __repr__(self) -> str:
        return f"GoLiteral({self.text!r})"


def _q(value: Any) -> str:
    return json.dumps("" if value is None else str(value), ensure_ascii=False)


def _go_map_text(m: Any) -> str:
    if m is None:
        return "map[string]string(nil)"
    return "map[string]string{" + ", ".join(f"{_q(k)}:{_q(m[k])}" for k in sorted(m)) + "}"


def _go_strings_text(values: Any) -> str:
    if values is None:
        return "[]string(nil)"
    return "[]string{" + ", ".join(_q(v) for v in values) + "}"


def go_string_map(m: Mapping[str, str] | None) -> GoLiteral:
    """%#v of a map[string]string: `map[string]string{"app":"web"}`, nil as `map[string]string(nil)`."""
    return GoLiteral(_go_map_text(m))


def go_label_selector(selector: Mapping[str, Any] | None) -> GoLiteral | None:
    """%#v of a metav1.LabelSelector, as `spec.selector: Invalid value: ...` shows it:
    `v1.LabelSelector{MatchLabels:map[string]string{"app":"web"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}`.
    (A nil *LabelSelector prints `null`.)"""
    if selector is None:
        return None
    exprs = selector.get("matchExpressions")
    if exprs is None:
        exprs_text = "[]v1.LabelSelectorRequirement(nil)"
    else:
        items = [
            f"v1.LabelSelectorRequirement{{Key:{_q(e.get('key'))}, Operator:{_q(e.get('operator'))}, "
            f"Values:{_go_strings_text(e.get('values'))}}}"
            for e in exprs
            if isinstance(e, dict)
        ]
        exprs_text = "[]v1.LabelSelectorRequirement{" + ", ".join(items) + "}"
    return GoLiteral(
        f"v1.LabelSelector{{MatchLabels:{_go_map_text(selector.get('matchLabels'))}, MatchExpressions:{exprs_text}}}"
    )


def _go_int_or_string(value: Any) -> GoLiteral:
    """%#v of an intstr.IntOrString (Type 0 = Int, 1 = String)."""
    if isinstance(value, str):
        return GoLiteral(f"intstr.IntOrString{{Type:1, IntVal:0, StrVal:{_q(value)}}}")
    return GoLiteral(f'intstr.IntOrString{{Type:0, IntVal:{int(value or 0)}, StrVal:""}}')


def _go_service_port_key(protocol: str, port: int) -> GoLiteral:
    """The core.ServicePort{Protocol, Port} key ValidateService reports as a duplicate."""
    return GoLiteral(
        f'core.ServicePort{{Name:"", Protocol:{_q(protocol)}, AppProtocol:(*string)(nil), Port:{port}, '
        f'TargetPort:intstr.IntOrString{{Type:0, IntVal:0, StrVal:""}}, NodePort:0}}'
    )


def _go_taint(taint: Mapping[str, Any]) -> GoLiteral:
    added = taint.get("timeAdded")
    added_text = "(*v1.Time)(nil)" if not added else f"time.Date({_q(added)})"
    return GoLiteral(
        f"core.Taint{{Key:{_q(taint.get('key'))}, Value:{_q(taint.get('value'))}, "
        f"Effect:{_q(taint.get('effect'))}, TimeAdded:{added_text}}}"
    )


# The whole pod template prints as a multi-kilobyte %#v dump of core.PodTemplateSpec; we
# show its head only (see the module's report of what is left out).
_GO_POD_TEMPLATE = GoLiteral("core.PodTemplateSpec{...}")


# ---------------------------------------------------------------------------------------------
# Small readers that never crash on malformed input
# ---------------------------------------------------------------------------------------------


def _d(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _l(value: Any) -> list:
    return value if isinstance(value, list) else []


def _s(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def _i(value: Any) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value == value and abs(value) < 1e21:
        return int(value)
    return 0


def _labels(value: Any) -> dict[str, str]:
    return {str(k): _s(v) for k, v in value.items()} if isinstance(value, dict) else {}


def _normalized(value: Any) -> Any:
    """For apiequality.Semantic.DeepEqual: nil and empty maps/lists are equal."""
    if isinstance(value, dict):
        return {k: _normalized(v) for k, v in value.items() if not _empty(v)}
    if isinstance(value, (list, tuple)):
        return [_normalized(v) for v in value]
    return value


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, (dict, list, tuple)) and len(value) == 0)


def _semantic_equal(a: Any, b: Any) -> bool:
    if _empty(a) and _empty(b):
        return True
    return _normalized(a) == _normalized(b)


def _invalid_each(path: str, value: Any, messages: Iterable[str]) -> list[FieldError]:
    return [invalid(path, value, msg) for msg in messages]


def _nonnegative(value: Any, path: str) -> list[FieldError]:
    """ValidateNonnegativeField."""
    if value is not None and _i(value) < 0:
        return [invalid(path, _i(value), IS_NEGATIVE)]
    return []


def _immutable(new: Any, old: Any, path: str, shown: Any = None) -> list[FieldError]:
    """ValidateImmutableField: Invalid(new value, "field is immutable") when not semantically equal."""
    if _semantic_equal(new, old):
        return []
    return [invalid(path, new if shown is None else shown, FIELD_IMMUTABLE)]


# ---------------------------------------------------------------------------------------------
# Object metadata
# ---------------------------------------------------------------------------------------------

_STANDARD_FINALIZERS = frozenset({"kubernetes", "orphan", "foregroundDeletion"})  # helper.IsStandardFinalizerName


def _validate_finalizers(finalizers: Any, path: str) -> list[FieldError]:
    """apimachinery ValidateFinalizers (reported at the list's path) plus core's
    validateKubeFinalizerName (at the item's path)."""
    errs: list[FieldError] = []
    names = [_s(f) for f in _l(finalizers)]
    for name in names:
        errs.extend(_invalid_each(path, name, is_qualified_name(name)))
    if "orphan" in names and "foregroundDeletion" in names:
        errs.append(invalid(path, names, "finalizer orphan and foregroundDeletion cannot be both set"))
    for i, name in enumerate(names):
        if "/" not in name and name not in _STANDARD_FINALIZERS:
            errs.append(
                invalid(f"{path}[{i}]", name, "name is neither a standard finalizer name nor is it fully qualified")
            )
    return errs


def _validate_object_meta(meta: Any, namespaced: bool, rule: str) -> list[FieldError]:
    """ValidateObjectMeta: name (or generateName), namespace, generation, labels, annotations, finalizers.

    A cluster-scoped kind's namespace is cleared by the registry before validation, and a
    namespaced object without one gets the request's namespace, so neither is an error here.
    """
    meta = _d(meta)
    errs: list[FieldError] = []
    name = _s(meta.get("name"))
    if name or not meta.get("generateName"):
        errs.extend(validate_name(name, "metadata.name", rule))
    namespace = _s(meta.get("namespace"))
    if namespaced and namespace:
        errs.extend(_invalid_each("metadata.namespace", namespace, is_dns1123_label(namespace)))
    errs.extend(_nonnegative(meta.get("generation"), "metadata.generation"))
    errs.extend(validate_labels(_labels(meta.get("labels")), "metadata.labels"))
    errs.extend(validate_annotations(_labels(meta.get("annotations")), "metadata.annotations"))
    errs.extend(_validate_finalizers(meta.get("finalizers"), "metadata.finalizers"))
    return errs


def _validate_object_meta_update(meta: Any, old_meta: Any) -> list[FieldError]:
    """ValidateObjectMetaUpdate: name, namespace and uid may not change; labels and annotations
    are validated again. (resourceVersion and timestamps are the registry's business.)"""
    meta, old_meta = _d(meta), _d(old_meta)
    errs: list[FieldError] = []
    for key in ("name", "namespace", "uid"):
        new, old = _s(meta.get(key)), _s(old_meta.get(key))
        if new and old and new != old:
            errs.append(invalid(f"metadata.{key}", new, FIELD_IMMUTABLE))
    errs.extend(validate_labels(_labels(meta.get("labels")), "metadata.labels"))
    errs.extend(validate_annotations(_labels(meta.get("annotations")), "metadata.annotations"))
    errs.extend(_validate_finalizers(meta.get("finalizers"), "metadata.finalizers"))
    return errs


# ---------------------------------------------------------------------------------------------
# Pods and pod templates
# ---------------------------------------------------------------------------------------------

_PROTOCOLS = ("SCTP", "TCP", "UDP")  # sets.List(supportedPortProtocols): sorted
_RESTART_POLICIES = ("Always", "OnFailure", "Never")
_DNS_POLICIES = ("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None")
_PULL_POLICIES = ("Always", "IfNotPresent", "Never")  # sorted
_TERMINATION_MESSAGE_POLICIES = ("File", "FallbackToLogsOnError")
_TAINT_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")
_TOLERATION_OPERATORS = ("Equal", "Exists")


def _dns1123_label(value: str, path: str) -> list[FieldError]:
    return _invalid_each(path, value, is_dns1123_label(value))


def _dns1123_subdomain(value: str, path: str) -> list[FieldError]:
    return _invalid_each(path, value, is_dns1123_subdomain(value))


def _validate_container_ports(ports: Any, path: str) -> list[FieldError]:
    """validateContainerPorts."""
    errs: list[FieldError] = []
    names: set[str] = set()
    for i, port in enumerate(_l(ports)):
        port = _d(port)
        p = f"{path}[{i}]"
        name = _s(port.get("name"))
        if name:
            msgs = is_valid_port_name(name)
            if msgs:
                errs.extend(_invalid_each(f"{p}.name", name, msgs))
            elif name in names:
                errs.append(duplicate(f"{p}.name", name))
            else:
                names.add(name)
        container_port = _i(port.get("containerPort"))
        if container_port == 0:
            errs.append(required(f"{p}.containerPort"))
        else:
            errs.extend(_invalid_each(f"{p}.containerPort", container_port, is_valid_port_num(container_port)))
        host_port = _i(port.get("hostPort"))
        if host_port != 0:
            errs.extend(_invalid_each(f"{p}.hostPort", host_port, is_valid_port_num(host_port)))
        protocol = _s(port.get("protocol"))
        if not protocol:
            errs.append(required(f"{p}.protocol"))
        elif protocol not in _PROTOCOLS:
            errs.append(not_supported(f"{p}.protocol", protocol, _PROTOCOLS))
    return errs


def _validate_container_common(c: dict, path: str) -> list[FieldError]:
    """validateContainerCommon: name, image, terminationMessagePolicy, ports, env names,
    imagePullPolicy. (Volume mounts, resources and security contexts are not checked.)"""
    errs: list[FieldError] = []
    name = _s(c.get("name"))
    if not name:
        errs.append(required(f"{path}.name"))
    else:
        errs.extend(_dns1123_label(name, f"{path}.name"))
    if not _s(c.get("image")):
        errs.append(required(f"{path}.image"))
    policy = _s(c.get("terminationMessagePolicy"))
    if not policy:
        errs.append(required(f"{path}.terminationMessagePolicy"))
    elif policy not in _TERMINATION_MESSAGE_POLICIES:
        errs.append(not_supported(f"{path}.terminationMessagePolicy", policy, _TERMINATION_MESSAGE_POLICIES))
    errs.extend(_validate_container_ports(c.get("ports"), f"{path}.ports"))
    for i, env in enumerate(_l(c.get("env"))):
        if not _s(_d(env).get("name")):
            errs.append(required(f"{path}.env[{i}].name"))
    pull = _s(c.get("imagePullPolicy"))
    if not pull:
        errs.append(required(f"{path}.imagePullPolicy"))
    elif pull not in _PULL_POLICIES:
        errs.append(not_supported(f"{path}.imagePullPolicy", pull, _PULL_POLICIES))
    return errs


def _host_port_conflicts(containers: list, path: str, seen: set[str] | None = None) -> list[FieldError]:
    """AccumulateUniqueHostPorts: protocol/hostIP/hostPort must be unique across containers."""
    errs: list[FieldError] = []
    seen = set() if seen is None else seen
    for ci, c in enumerate(containers):
        for pi, port in enumerate(_l(_d(c).get("ports"))):
            port = _d(port)
            host_port = _i(port.get("hostPort"))
            if host_port == 0:
                continue
            key = f"{_s(port.get('protocol'))}/{_s(port.get('hostIP'))}/{host_port}"
            if key in seen:
                errs.append(duplicate(f"{path}[{ci}].ports[{pi}].hostPort", key))
            else:
                seen.add(key)
    return errs


def _validate_containers(containers: Any, path: str) -> list[FieldError]:
    """validateContainers."""
    containers = _l(containers)
    if not containers:
        return [required(path)]
    errs: list[FieldError] = []
    names: set[str] = set()
    for i, c in enumerate(containers):
        c = _d(c)
        p = f"{path}[{i}]"
        errs.extend(_validate_container_common(c, p))
        name = _s(c.get("name"))
        if name in names:
            errs.append(duplicate(f"{p}.name", name))
        else:
            names.add(name)
        if c.get("restartPolicy") is not None:
            errs.append(forbidden(f"{p}.restartPolicy", "may not be set for non-init containers"))
    errs.extend(_host_port_conflicts(containers, path))
    return errs


def _validate_init_containers(init: Any, regular: Any, path: str) -> list[FieldError]:
    """validateInitContainers (restartable "sidecar" init containers included)."""
    errs: list[FieldError] = []
    names = {_s(_d(c).get("name")) for c in _l(regular)}
    for i, c in enumerate(_l(init)):
        c = _d(c)
        p = f"{path}[{i}]"
        errs.extend(_validate_container_common(c, p))
        restart_always = False
        if c.get("restartPolicy") is not None:
            policy = _s(c.get("restartPolicy"))
            if policy != "Always":
                errs.append(not_supported(f"{p}.restartPolicy", policy, ("Always",)))
            restart_always = policy == "Always"
        name = _s(c.get("name"))
        if name in names:
            errs.append(duplicate(f"{p}.name", name))
        elif name:
            names.add(name)
        errs.extend(_host_port_conflicts([c], path))
        if not restart_always:
            for field in ("lifecycle", "livenessProbe", "readinessProbe", "startupProbe"):
                if c.get(field) is not None:
                    errs.append(
                        forbidden(f"{p}.{field}", "may not be set for init containers without restartPolicy=Always")
                    )
    return errs


def _validate_tolerations(tolerations: Any, path: str) -> list[FieldError]:
    """ValidateTolerations."""
    errs: list[FieldError] = []
    for i, t in enumerate(_l(tolerations)):
        t = _d(t)
        p = f"{path}[{i}]"
        key, operator, value, effect = (_s(t.get(k)) for k in ("key", "operator", "value", "effect"))
        if key:
            errs.extend(validate_label_name(key, f"{p}.key"))
        if not key and operator != "Exists":
            errs.append(
                invalid(
                    f"{p}.operator",
                    operator,
                    'operator must be Exists when `key` is empty, which means "match all values and all keys"',
                )
            )
        if t.get("tolerationSeconds") is not None and effect != "NoExecute":
            errs.append(invalid(f"{p}.effect", effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"))
        if operator in ("Equal", ""):
            msgs = is_valid_label_value(value)
            if msgs:
                errs.append(invalid(f"{p}.operator", value, ";".join(msgs)))
        elif operator == "Exists":
            if value:
                errs.append(invalid(f"{p}.operator", value, "value must be empty when `operator` is 'Exists'"))
        else:
            errs.append(not_supported(f"{p}.operator", operator, _TOLERATION_OPERATORS))
        if effect:
            errs.extend(_validate_taint_effect(effect, True, f"{p}.effect"))
    return errs


def _validate_taint_effect(effect: str, allow_empty: bool, path: str) -> list[FieldError]:
    """validateTaintEffect."""
    if not allow_empty and not effect:
        return [required(path)]
    if effect not in _TAINT_EFFECTS:
        return [not_supported(path, effect, _TAINT_EFFECTS)]
    return []


def _validate_pod_spec(spec: Any, path: str, is_pod: bool) -> list[FieldError]:
    """ValidatePodSpec (with PodValidationOptions.ResourceIsPod = is_pod)."""
    spec = _d(spec)
    errs: list[FieldError] = []
    if spec.get("terminationGracePeriodSeconds") is None:
        errs.append(required(f"{path}.terminationGracePeriodSeconds"))
    # ValidateVolumes: names (the volume sources themselves are not checked)
    volume_names: set[str] = set()
    for i, vol in enumerate(_l(spec.get("volumes"))):
        name = _s(_d(vol).get("name"))
        name_path = f"{path}.volumes[{i}].name"
        el = [required(name_path)] if not name else _dns1123_label(name, name_path)
        if name in volume_names:
            el.append(duplicate(name_path, name))
        if not el:
            volume_names.add(name)
        errs.extend(el)
    containers = spec.get("containers")
    errs.extend(_validate_containers(containers, f"{path}.containers"))
    errs.extend(_validate_init_containers(spec.get("initContainers"), containers, f"{path}.initContainers"))
    # validatePodHostNetworkDeps
    if spec.get("hostNetwork") is True:
        for ci, c in enumerate(_l(containers)):
            for pi, port in enumerate(_l(_d(c).get("ports"))):
                port = _d(port)
                hp, cp = _i(port.get("hostPort")), _i(port.get("containerPort"))
                if (is_pod or hp != 0) and hp != cp:
                    errs.append(
                        invalid(
                            f"{path}.containers[{ci}].ports[{pi}].hostPort",
                            hp,
                            "must match `containerPort` when `hostNetwork` is true",
                        )
                    )
    restart = _s(spec.get("restartPolicy"))
    if not restart:
        errs.append(required(f"{path}.restartPolicy"))
    elif restart not in _RESTART_POLICIES:
        errs.append(not_supported(f"{path}.restartPolicy", restart, _RESTART_POLICIES))
    dns_policy = _s(spec.get("dnsPolicy"))
    if not dns_policy:
        errs.append(required(f"{path}.dnsPolicy"))
    elif dns_policy not in _DNS_POLICIES:
        errs.append(not_supported(f"{path}.dnsPolicy", dns_policy, _DNS_POLICIES))
    errs.extend(validate_labels(_labels(spec.get("nodeSelector")), f"{path}.nodeSelector"))
    # validatePodDNSConfig (the dnsPolicy None requirements)
    if dns_policy == "None":
        dns_config = spec.get("dnsConfig")
        if dns_config is None:
            errs.append(required(f"{path}.dnsConfig", "must provide `dnsConfig` when `dnsPolicy` is None"))
        elif not _l(_d(dns_config).get("nameservers")):
            errs.append(
                required(
                    f"{path}.dnsConfig.nameservers", "must provide at least one DNS nameserver when `dnsPolicy` is None"
                )
            )
    service_account = _s(spec.get("serviceAccountName"))
    if service_account:
        errs.extend(_dns1123_subdomain(service_account, f"{path}.serviceAccountName"))
    node_name = _s(spec.get("nodeName"))
    if node_name:
        errs.extend(_dns1123_subdomain(node_name, f"{path}.nodeName"))
    deadline = spec.get("activeDeadlineSeconds")
    if deadline is not None and not 1 <= _i(deadline) <= MAX_INT32:
        errs.append(invalid(f"{path}.activeDeadlineSeconds", _i(deadline), inclusive_range_error(1, MAX_INT32)))
    hostname = _s(spec.get("hostname"))
    if hostname:
        errs.extend(_dns1123_label(hostname, f"{path}.hostname"))
    subdomain = _s(spec.get("subdomain"))
    if subdomain:
        errs.extend(_dns1123_label(subdomain, f"{path}.subdomain"))
    if _l(spec.get("tolerations")):
        errs.extend(_validate_tolerations(spec.get("tolerations"), f"{path}.tolerations"))
    priority_class = _s(spec.get("priorityClassName"))
    if priority_class:
        errs.extend(_dns1123_subdomain(priority_class, f"{path}.priorityClassName"))
    return errs


def _validate_pod_template_spec(template: Any, path: str) -> list[FieldError]:
    """ValidatePodTemplateSpec. Note the template's labels and annotations are reported at
    `<path>.labels` / `<path>.annotations`, not `<path>.metadata.labels` (upstream passes
    fldPath.Child("labels"))."""
    template = _d(template)
    meta = _d(template.get("metadata"))
    spec = _d(template.get("spec"))
    errs = validate_labels(_labels(meta.get("labels")), f"{path}.labels")
    errs.extend(validate_annotations(_labels(meta.get("annotations")), f"{path}.annotations"))
    errs.extend(_validate_pod_spec(spec, f"{path}.spec", is_pod=False))
    if _l(spec.get("ephemeralContainers")):
        errs.append(forbidden(f"{path}.spec.ephemeralContainers", "ephemeral containers not allowed in pod template"))
    return errs


def _validate_pod_metadata_and_spec(obj: dict) -> list[FieldError]:
    """validatePodMetadataAndSpec."""
    errs = _validate_object_meta(obj.get("metadata"), True, "dns1123-subdomain")
    spec = _d(obj.get("spec"))
    errs.extend(_validate_pod_spec(spec, "spec", is_pod=True))
    for key in ("containers", "initContainers"):
        for i, c in enumerate(_l(spec.get(key))):
            image = _s(_d(c).get("image"))
            if len(image) != len(image.strip()):  # validateContainerOnlyForPod
                errs.append(invalid(f"spec.{key}[{i}].image", image, "must not have leading or trailing whitespace"))
    return errs


def _validate_pod(obj: dict, old: dict | None) -> list[FieldError]:
    if old is None:
        errs = _validate_pod_metadata_and_spec(obj)
        spec = _d(obj.get("spec"))
        if _l(spec.get("ephemeralContainers")):
            errs.append(forbidden("spec.ephemeralContainers", "cannot be set on create"))
        if _s(spec.get("nodeName")) and _l(spec.get("schedulingGates")):
            errs.append(forbidden("spec.nodeName", "cannot be set until all schedulingGates have been cleared"))
        return errs
    return _validate_pod_update(obj, old)


_UPDATABLE_POD_SPEC_FIELDS = (
    "`spec.containers[*].image`",
    "`spec.initContainers[*].image`",
    "`spec.activeDeadlineSeconds`",
    "`spec.tolerations` (only additions to existing tolerations)",
    "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
)
POD_UPDATE_FORBIDDEN = "pod updates may not change fields other than " + ",".join(_UPDATABLE_POD_SPEC_FIELDS)


def _validate_pod_update(obj: dict, old: dict) -> list[FieldError]:
    """ValidatePodUpdate."""
    errs = _validate_object_meta_update(obj.get("metadata"), old.get("metadata"))
    errs.extend(_validate_pod_metadata_and_spec(obj))
    spec, old_spec = _d(obj.get("spec")), _d(old.get("spec"))
    for key in ("containers", "initContainers"):
        new_c, old_c = _l(spec.get(key)), _l(old_spec.get(key))
        if len(new_c) != len(old_c):
            errs.append(forbidden(f"spec.{key}", "pod updates may not add or remove containers"))
            return errs
        for i, c in enumerate(new_c):
            image = _s(_d(c).get("image"))
            if not image:
                errs.append(required(f"spec.{key}[{i}].image"))
            if len(image.strip()) != len(image):
                errs.append(invalid(f"spec.{key}[{i}].image", image, "must not have leading or trailing whitespace"))
    new_deadline, old_deadline = spec.get("activeDeadlineSeconds"), old_spec.get("activeDeadlineSeconds")
    if new_deadline is not None:
        value = _i(new_deadline)
        if value < 0 or value > MAX_INT32:
            errs.append(invalid("spec.activeDeadlineSeconds", value, inclusive_range_error(0, MAX_INT32)))
            return errs
        if old_deadline is not None and _i(old_deadline) < value:
            errs.append(invalid("spec.activeDeadlineSeconds", value, "must be less than or equal to previous value"))
            return errs
    elif old_deadline is not None:
        errs.append(invalid("spec.activeDeadlineSeconds", None, "must not update from a positive integer to nil value"))
    # validateOnlyAddedTolerations
    new_tol = [_d(t) for t in _l(spec.get("tolerations"))]
    for old_t in _l(old_spec.get("tolerations")):
        old_t = {k: v for k, v in _d(old_t).items() if k != "tolerationSeconds"}
        if not any(_semantic_equal(old_t, {k: v for k, v in t.items() if k != "tolerationSeconds"}) for t in new_tol):
            errs.append(
                forbidden("spec.tolerations", "existing toleration can not be modified except its tolerationSeconds")
            )
            break
    else:
        errs.extend(_validate_tolerations(spec.get("tolerations"), "spec.tolerations"))
    if _semantic_equal(spec, old_spec):
        return errs
    munged = dict(spec)
    for key in ("containers", "initContainers"):
        if key in munged or key in old_spec:
            munged[key] = [
                dict(_d(c), image=_d(o).get("image"))
                for c, o in zip(_l(spec.get(key)), _l(old_spec.get(key)), strict=False)
            ]
    for key in ("activeDeadlineSeconds", "schedulingGates", "tolerations"):
        munged.pop(key, None)
        if key in old_spec:
            munged[key] = old_spec[key]
    old_grace = old_spec.get("terminationGracePeriodSeconds")
    if old_grace is not None and _i(old_grace) < 0 and _i(munged.get("terminationGracePeriodSeconds")) == 1:
        munged["terminationGracePeriodSeconds"] = old_grace
    if not _semantic_equal(munged, old_spec):
        diff = "\n".join(_diff_lines(old_spec, munged, "spec"))
        errs.append(forbidden("spec", f"{POD_UPDATE_FORBIDDEN}\n{diff}"))
    return errs


def _diff_lines(old: Any, new: Any, path: str) -> list[str]:
    """A plain `- path: old` / `+ path: new` list of what changed. (The API server appends a
    go-cmp diff of core.PodSpec here, which we do not reproduce.)"""
    if _semantic_equal(old, new):
        return []
    if isinstance(old, dict) and isinstance(new, dict):
        lines: list[str] = []
        for key in sorted(set(old) | set(new)):
            lines.extend(_diff_lines(old.get(key), new.get(key), f"{path}.{key}"))
        return lines
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        lines = []
        for i, (a, b) in enumerate(zip(old, new, strict=False)):
            lines.extend(_diff_lines(a, b, f"{path}[{i}]"))
        return lines
    out = []
    if not _empty(old):
        out.append(f"- {path}: {json.dumps(old, sort_keys=True)}")
    if not _empty(new):
        out.append(f"+ {path}: {json.dumps(new, sort_keys=True)}")
    return out


# ---------------------------------------------------------------------------------------------
# Services
# ---------------------------------------------------------------------------------------------

_SERVICE_TYPES = ("ClusterIP", "ExternalName", "LoadBalancer", "NodePort")  # sorted
_SESSION_AFFINITIES = ("ClientIP", "None")
_TRAFFIC_POLICIES = ("Cluster", "Local")
_IP_FAMILIES = ("IPv4", "IPv6")
_IP_FAMILY_POLICIES = ("PreferDualStack", "RequireDualStack", "SingleStack")
MAX_CLIENT_IP_SERVICE_AFFINITY_SECONDS = 86400


def _cluster_ips(spec: dict) -> list[str]:
    """spec.clusterIPs as the Service strategy leaves it on create (normalizeClusterIPs):
    a lone `clusterIP` becomes `clusterIPs: [clusterIP]`."""
    ips = [_s(ip) for ip in _l(spec.get("clusterIPs"))]
    if not ips and _s(spec.get("clusterIP")):
        ips = [_s(spec.get("clusterIP"))]
    return ips


def _prepare_service_update(spec: dict, old_spec: dict) -> dict:
    """patchAllocatedValues + normalizeClusterIPs for an update (pkg/registry/core/service).

    Re-applying YAML without clusterIP keeps the allocated one; changing `clusterIP` alone
    moves `clusterIPs` along, which validateUpgradeDowngradeClusterIPs then refuses.
    """
    s = dict(spec)
    old_ip = _s(old_spec.get("clusterIP"))
    old_ips = _cluster_ips(old_spec)
    if _s(s.get("type")) != "ExternalName" and _s(old_spec.get("type")) != "ExternalName":
        if not _s(s.get("clusterIP")):
            s["clusterIP"] = old_ip
        if not _l(s.get("clusterIPs")) and old_ips:
            s["clusterIPs"] = list(old_ips)
    new_ip = _s(s.get("clusterIP"))
    same_ips = [_s(x) for x in _l(s.get("clusterIPs"))] == old_ips
    if old_ip and not new_ip and same_ips:
        s["clusterIPs"] = []
    elif (old_ip and new_ip and new_ip != old_ip and same_ips) or (new_ip and not _l(s.get("clusterIPs"))):
        s["clusterIPs"] = [new_ip]
    return s


def _validate_service_port(port: dict, require_name: bool, names: set[str], path: str) -> list[FieldError]:
    """validateServicePort."""
    errs: list[FieldError] = []
    name = _s(port.get("name"))
    if require_name and not name:
        errs.append(required(f"{path}.name"))
    elif name:
        errs.extend(_dns1123_label(name, f"{path}.name"))
        if name in names:
            errs.append(duplicate(f"{path}.name", name))
        else:
            names.add(name)
    number = _i(port.get("port"))
    errs.extend(_invalid_each(f"{path}.port", number, is_valid_port_num(number)))
    protocol = _s(port.get("protocol"))
    if not protocol:
        errs.append(required(f"{path}.protocol"))
    elif protocol not in _PROTOCOLS:
        errs.append(not_supported(f"{path}.protocol", protocol, _PROTOCOLS))
    errs.extend(_validate_port_num_or_name(port.get("targetPort"), f"{path}.targetPort"))
    app_protocol = port.get("appProtocol")
    if app_protocol is not None:
        errs.extend(_invalid_each(f"{path}.appProtocol", _s(app_protocol), is_qualified_name(_s(app_protocol))))
    return errs


def _validate_port_num_or_name(value: Any, path: str) -> list[FieldError]:
    """ValidatePortNumOrName."""
    if isinstance(value, str):
        return _invalid_each(path, value, is_valid_port_name(value))
    number = _i(value)
    return _invalid_each(path, number, is_valid_port_num(number))


def _is_valid_cidr(value: str) -> list[str]:
    """validation.IsValidCIDR (net.ParseCIDR semantics: host bits may be set)."""
    try:
        ipaddress.ip_network(value, strict=False)
        if "/" not in value:
            raise ValueError
    except ValueError:
        return ["must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"]
    return []


def _validate_non_special_ip(value: str, path: str) -> list[FieldError]:
    """ValidateNonSpecialIP (externalIPs)."""
    try:
        ip = ipaddress.ip_address(value)
    except ValueError:
        return [invalid(path, value, "must be a valid IP address")]
    errs = []
    if ip.is_unspecified:
        errs.append(invalid(path, value, f"may not be unspecified ({value})"))
    if ip.is_loopback:
        errs.append(invalid(path, value, "may not be in the loopback range (127.0.0.0/8, ::1/128)"))
    if ip.is_link_local:
        errs.append(invalid(path, value, "may not be in the link-local range (169.254.0.0/16, fe80::/10)"))
    if ip.is_multicast and (ip in ipaddress.ip_network("224.0.0.0/24") or ip in ipaddress.ip_network("ff02::/16")):
        errs.append(invalid(path, value, "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"))
    return errs


def _validate_service(obj: dict, old: dict | None) -> list[FieldError]:
    spec = _d(obj.get("spec"))
    errs: list[FieldError] = []
    if old is not None:
        old_spec = _d(old.get("spec"))
        spec = _prepare_service_update(spec, old_spec)
        errs.extend(_validate_object_meta_update(obj.get("metadata"), old.get("metadata")))
        errs.extend(_validate_upgrade_downgrade_cluster_ips(old_spec, spec))
        errs.extend(_validate_load_balancer_class(spec, old_spec))
        if (
            _needs_health_check(old_spec)
            and _needs_health_check(spec)
            and _i(spec.get("healthCheckNodePort")) != _i(old_spec.get("healthCheckNodePort"))
        ):
            errs.append(forbidden("spec.healthCheckNodePort", FIELD_IMMUTABLE))
    errs.extend(_validate_service_create(obj, spec))
    return errs


def _needs_health_check(spec: dict) -> bool:
    return _s(spec.get("type")) == "LoadBalancer" and _s(spec.get("externalTrafficPolicy")) == "Local"


def _validate_upgrade_downgrade_cluster_ips(old_spec: dict, spec: dict) -> list[FieldError]:
    """validateUpgradeDowngradeClusterIPs: a Service's cluster IPs never change (except to or
    from ExternalName, or between two headless forms)."""
    if _s(spec.get("type")) == "ExternalName" or _s(old_spec.get("type")) == "ExternalName":
        return []
    new_ips, old_ips = _cluster_ips(spec), _cluster_ips(old_spec)
    if new_ips == ["None"] and old_ips == ["None"]:
        return []
    shown = new_ips  # the whole new list is the bad value
    errs: list[FieldError] = []
    if len(old_ips) == len(new_ips):
        for i, ip in enumerate(old_ips):
            if ip != new_ips[i]:
                errs.append(invalid(f"spec.clusterIPs[{i}]", shown, "may not change once set"))
    elif len(old_ips) > len(new_ips):
        if not new_ips:
            errs.append(invalid("spec.clusterIPs[0]", GoLiteral("[]string(nil)"), "primary clusterIP can not be unset"))
        if old_ips and new_ips and new_ips[0] != old_ips[0]:
            errs.append(invalid("spec.clusterIPs[0]", shown, "may not change once set"))
        if len(new_ips) == 1 and _s(spec.get("ipFamilyPolicy")) != "SingleStack":
            errs.append(
                invalid(
                    "spec.ipFamilyPolicy",
                    spec.get("ipFamilyPolicy"),
                    "must be set to 'SingleStack' when releasing the secondary clusterIP",
                )
            )
    elif old_ips and new_ips[0] != old_ips[0]:
        errs.append(invalid("spec.clusterIPs[0]", shown, "may not change once set"))
    return errs


def _validate_load_balancer_class(spec: dict, old_spec: dict | None) -> list[FieldError]:
    """validateLoadBalancerClassField."""
    errs: list[FieldError] = []
    lb = _s(spec.get("type")) == "LoadBalancer"
    cls = spec.get("loadBalancerClass")
    was_lb = old_spec is not None and _s(old_spec.get("type")) == "LoadBalancer"
    if lb and was_lb and old_spec.get("loadBalancerClass") != cls:
        errs.append(invalid("spec.loadBalancerClass", cls, "may not change once set"))
    if lb:
        if cls is not None:
            errs.extend(_invalid_each("spec.loadBalancerClass", _s(cls), is_qualified_name(_s(cls))))
    elif cls is not None:
        errs.append(forbidden("spec.loadBalancerClass", "may only be used when `type` is 'LoadBalancer'"))
    return errs


def _validate_service_create(obj: dict, spec: dict) -> list[FieldError]:
    """ValidateService."""
    errs = _validate_object_meta(obj.get("metadata"), True, "dns1035-label")
    stype = _s(spec.get("type"))
    ports = [_d(p) for p in _l(spec.get("ports"))]
    cluster_ips = _cluster_ips(spec)
    headless = cluster_ips == ["None"]
    if not ports and not headless and stype != "ExternalName":
        errs.append(required("spec.ports"))
    if stype in ("LoadBalancer", "NodePort") and headless:
        errs.append(invalid("spec.clusterIPs[0]", cluster_ips[0], f"may not be set to 'None' for {stype} services"))
    elif stype == "ExternalName":
        if cluster_ips:
            errs.append(forbidden("spec.clusterIPs", "may not be set for ExternalName services"))
        if _l(spec.get("ipFamilies")):
            errs.append(forbidden("spec.ipFamilies", "may not be set for ExternalName services"))
        if spec.get("ipFamilyPolicy") is not None:
            errs.append(forbidden("spec.ipFamilyPolicy", "may not be set for ExternalName services"))
        cname = _s(spec.get("externalName"))
        cname = cname[:-1] if cname.endswith(".") else cname  # a trailing dot means fully qualified
        if cname:
            errs.extend(_dns1123_subdomain(cname, "spec.externalName"))
        else:
            errs.append(required("spec.externalName"))
    names: set[str] = set()
    for i, port in enumerate(ports):
        errs.extend(_validate_service_port(port, len(ports) > 1, names, f"spec.ports[{i}]"))
    if spec.get("selector") is not None:
        errs.extend(validate_labels(_labels(spec.get("selector")), "spec.selector"))
    affinity = _s(spec.get("sessionAffinity"))
    if not affinity:
        errs.append(required("spec.sessionAffinity"))
    elif affinity not in _SESSION_AFFINITIES:
        errs.append(not_supported("spec.sessionAffinity", affinity, _SESSION_AFFINITIES))
    if affinity == "ClientIP":
        errs.extend(_validate_client_ip_affinity(spec.get("sessionAffinityConfig")))
    elif affinity == "None" and spec.get("sessionAffinityConfig") is not None:
        errs.append(forbidden("spec.sessionAffinityConfig", "must not be set when session affinity is None"))
    errs.extend(_validate_cluster_ips_related(spec, stype, cluster_ips))
    for i, ip in enumerate(_l(spec.get("externalIPs"))):
        ip = _s(ip)
        msgs = is_valid_ip(ip)
        if msgs:
            errs.extend(_invalid_each(f"spec.externalIPs[{i}]", ip, msgs))
        else:
            errs.extend(_validate_non_special_ip(ip, f"spec.externalIPs[{i}]"))
    if not stype:
        errs.append(required("spec.type"))
    elif stype not in _SERVICE_TYPES:
        errs.append(not_supported("spec.type", stype, _SERVICE_TYPES))
    if stype == "ClusterIP":
        for i, port in enumerate(ports):
            if _i(port.get("nodePort")) != 0:
                errs.append(forbidden(f"spec.ports[{i}].nodePort", "may not be used when `type` is 'ClusterIP'"))
    seen_node_ports: set[tuple[str, int]] = set()
    for i, port in enumerate(ports):
        node_port = _i(port.get("nodePort"))
        if node_port == 0:
            continue
        key = (_s(port.get("protocol")), node_port)
        if key in seen_node_ports:
            errs.append(duplicate(f"spec.ports[{i}].nodePort", node_port))
        seen_node_ports.add(key)
    seen_ports: set[tuple[str, int]] = set()
    for i, port in enumerate(ports):
        key = (_s(port.get("protocol")), _i(port.get("port")))
        if key in seen_ports:
            errs.append(duplicate(f"spec.ports[{i}]", _go_service_port_key(*key)))
        seen_ports.add(key)
    ranges = _l(spec.get("loadBalancerSourceRanges"))
    if ranges:
        # upstream's path really is capitalised: field.NewPath("spec").Child("LoadBalancerSourceRanges")
        if stype != "LoadBalancer":
            errs.append(forbidden("spec.LoadBalancerSourceRanges", "may only be used when `type` is 'LoadBalancer'"))
        for i, value in enumerate(ranges):
            value = _s(value).strip()
            errs.extend(_invalid_each(f"spec.LoadBalancerSourceRanges[{i}]", value, _is_valid_cidr(value)))
    if spec.get("allocateLoadBalancerNodePorts") is not None and stype != "LoadBalancer":
        errs.append(forbidden("spec.allocateLoadBalancerNodePorts", "may only be used when `type` is 'LoadBalancer'"))
    if stype == "LoadBalancer" and spec.get("allocateLoadBalancerNodePorts") is None:
        errs.append(required("allocateLoadBalancerNodePorts"))  # sic: upstream omits "spec."
    errs.extend(_validate_load_balancer_class(spec, None))
    errs.extend(_validate_external_traffic_policy(spec, stype))
    internal = spec.get("internalTrafficPolicy")
    if internal is None:
        if stype in ("NodePort", "LoadBalancer", "ClusterIP"):
            errs.append(required("spec.internalTrafficPolicy"))
    elif internal not in _TRAFFIC_POLICIES:
        errs.append(not_supported("spec.internalTrafficPolicy", _s(internal), _TRAFFIC_POLICIES))
    distribution = spec.get("trafficDistribution")
    if distribution is not None and distribution != "PreferClose":
        errs.append(not_supported("spec.trafficDistribution", _s(distribution), ("PreferClose",)))
    return errs


def _validate_client_ip_affinity(config: Any) -> list[FieldError]:
    """validateClientIPAffinityConfig."""
    path = "spec.sessionAffinityConfig"
    why = "when session affinity type is ClientIP"
    if config is None:
        return [required(path, why)]
    client_ip = _d(config).get("clientIP")
    if client_ip is None:
        return [required(f"{path}.clientIP", why)]
    timeout = _d(client_ip).get("timeoutSeconds")
    if timeout is None:
        return [required(f"{path}.clientIP.timeoutSeconds", why)]
    if not 0 < _i(timeout) <= MAX_CLIENT_IP_SERVICE_AFFINITY_SECONDS:
        return [
            invalid(
                f"{path}.clientIP.timeoutSeconds",
                _i(timeout),
                f"must be greater than 0 and less than {MAX_CLIENT_IP_SERVICE_AFFINITY_SECONDS}",
            )
        ]
    return []


def _validate_cluster_ips_related(spec: dict, stype: str, cluster_ips: list[str]) -> list[FieldError]:
    """ValidateServiceClusterIPsRelatedFields."""
    if stype == "ExternalName":
        return []
    errs: list[FieldError] = []
    cluster_ip = _s(spec.get("clusterIP"))
    if cluster_ip:
        if not cluster_ips:
            errs.append(required("spec.clusterIPs"))
        elif cluster_ips[0] != cluster_ip:
            errs.append(invalid("spec.clusterIPs", cluster_ips, "first value must match `clusterIP`"))
    elif cluster_ips:
        errs.append(invalid("spec.clusterIPs", cluster_ips, "must be empty when `clusterIP` is not specified"))
    seen: set[str] = set()
    for i, family in enumerate(_l(spec.get("ipFamilies"))):
        family = _s(family)
        if family not in _IP_FAMILIES:
            errs.append(not_supported(f"spec.ipFamilies[{i}]", family, _IP_FAMILIES))
        if family in seen:
            errs.append(duplicate(f"spec.ipFamilies[{i}]", family))
        seen.add(family)
    policy = spec.get("ipFamilyPolicy")
    if policy is not None and policy not in _IP_FAMILY_POLICIES:
        errs.append(not_supported("spec.ipFamilyPolicy", _s(policy), _IP_FAMILY_POLICIES))
    has_invalid = False
    for i, ip in enumerate(cluster_ips):
        if i == 0 and ip == "None":
            if len(cluster_ips) > 1:
                has_invalid = True
                errs.append(invalid("spec.clusterIPs", cluster_ips, "'None' must be the first and only value"))
            continue
        msgs = is_valid_ip(ip)
        if msgs:
            has_invalid = True
            errs.extend(_invalid_each(f"spec.clusterIPs[{i}]", ip, msgs))
    if len(cluster_ips) > 2:
        errs.append(invalid("spec.clusterIPs", cluster_ips, "may only hold up to 2 values"))
    if has_invalid:
        return errs
    if len(cluster_ips) > 1:
        versions = {ipaddress.ip_address(ip).version for ip in cluster_ips if ip != "None"}
        if len(versions) != len(cluster_ips):
            errs.append(invalid("spec.clusterIPs", cluster_ips, "may specify no more than one IP for each IP family"))
    families = [_s(f) for f in _l(spec.get("ipFamilies"))]
    if cluster_ips != ["None"] and cluster_ips and families:
        for i, ip in enumerate(cluster_ips[: len(families)]):
            v6 = ipaddress.ip_address(ip).version == 6
            if families[i] == "IPv4" and v6:
                errs.append(
                    invalid(f"spec.clusterIPs[{i}]", ip, f"expected an IPv4 value as indicated by `ipFamilies[{i}]`")
                )
            if families[i] == "IPv6" and not v6:
                errs.append(
                    invalid(f"spec.clusterIPs[{i}]", ip, f"expected an IPv6 value as indicated by `ipFamilies[{i}]`")
                )
    return errs


def _validate_external_traffic_policy(spec: dict, stype: str) -> list[FieldError]:
    """validateServiceExternalTrafficPolicy. (A missing healthCheckNodePort is not reported:
    the Service allocator assigns it before validation runs.)"""
    errs: list[FieldError] = []
    policy = spec.get("externalTrafficPolicy")
    accessible = stype in ("LoadBalancer", "NodePort") or (stype == "ClusterIP" and bool(_l(spec.get("externalIPs"))))
    if not accessible:
        if policy:
            errs.append(
                invalid("spec.externalTrafficPolicy", _s(policy), "may only be set for externally-accessible services")
            )
    elif not policy:
        errs.append(required("spec.externalTrafficPolicy"))
    elif policy not in _TRAFFIC_POLICIES:
        errs.append(not_supported("spec.externalTrafficPolicy", _s(policy), _TRAFFIC_POLICIES))
    hc = _i(spec.get("healthCheckNodePort"))
    if not (stype == "LoadBalancer" and policy == "Local"):
        if hc != 0:
            errs.append(
                invalid(
                    "spec.healthCheckNodePort",
                    hc,
                    "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'",
                )
            )
    elif hc != 0:
        errs.extend(_invalid_each("spec.healthCheckNodePort", hc, is_valid_port_num(hc)))
    return errs


# ---------------------------------------------------------------------------------------------
# Workload controllers
# ---------------------------------------------------------------------------------------------

_PERCENT_MSG = regex_error(
    "a valid percent string must be a numeric string followed by an ending '%'", "[0-9]+%", "1%", "93%"
)


def _percent(value: Any) -> int | None:
    """getPercentValue: the number of a valid "N%" string, else None."""
    if (
        isinstance(value, str)
        and len(value) > 1
        and value.endswith("%")
        and value[:-1].isdigit()
        and value[:-1].isascii()
    ):
        return int(value[:-1])
    return None


def _int_or_percent(value: Any) -> int:
    """getIntOrPercentValue (a malformed string counts as 0, like IntValue() of a non-numeric string)."""
    p = _percent(value)
    if p is not None:
        return p
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return 0
    return _i(value)


def _positive_int_or_percent(value: Any, path: str) -> list[FieldError]:
    """ValidatePositiveIntOrPercent."""
    if isinstance(value, str):
        if _percent(value) is None:
            return [invalid(path, _go_int_or_string(value), _PERCENT_MSG)]
        return []
    return _nonnegative(value, path)


def _not_more_than_100_percent(value: Any, path: str) -> list[FieldError]:
    p = _percent(value)
    if p is not None and p > 100:
        return [invalid(path, _go_int_or_string(value), "must not be greater than 100%")]
    return []


def _selector_for(selector: Any, path: str):
    """metav1.LabelSelectorAsSelector: (selector, ok)."""
    try:
        return from_label_selector(selector if isinstance(selector, dict) else None, path), True
    except SelectorError:
        return None, False


def _template_labels(template: Any) -> dict | None:
    meta = _d(template).get("metadata")
    labels = _d(meta).get("labels") if isinstance(meta, dict) else None
    return labels if isinstance(labels, dict) else None


def _validate_template_for_replicas(spec: dict, selector, kind_name: str) -> list[FieldError]:
    """ValidatePodTemplateSpecForReplicaSet (used by Deployments and ReplicaSets)."""
    errs: list[FieldError] = []
    template = spec.get("template")
    labels = _template_labels(template)
    if not selector.empty() and not selector.matches(_labels(labels)):
        errs.append(
            invalid(
                "spec.template.metadata.labels", go_string_map(labels), "`selector` does not match template `labels`"
            )
        )
    errs.extend(_validate_pod_template_spec(template, "spec.template"))
    pod_spec = _d(_d(template).get("spec"))
    restart = _s(pod_spec.get("restartPolicy"))
    if restart != "Always":
        errs.append(not_supported("spec.template.spec.restartPolicy", restart, ("Always",)))
    if pod_spec.get("activeDeadlineSeconds") is not None:
        errs.append(
            forbidden(
                "spec.template.spec.activeDeadlineSeconds", f"activeDeadlineSeconds in {kind_name} is not Supported"
            )
        )
    return errs


def _validate_replicated_selector(spec: dict, empty_message: str) -> tuple[list[FieldError], Any]:
    """The selector part shared by DeploymentSpec and ReplicaSetSpec validation."""
    errs: list[FieldError] = []
    selector = spec.get("selector")
    if selector is None:
        errs.append(required("spec.selector"))
    else:
        selector = _d(selector)
        errs.extend(validate_label_selector(selector, "spec.selector"))
        if not selector.get("matchLabels") and not selector.get("matchExpressions"):
            errs.append(invalid("spec.selector", go_label_selector(selector), empty_message))
    parsed, ok = _selector_for(selector, "spec.selector")
    if not ok:
        errs.append(invalid("spec.selector", go_label_selector(_d(selector)), "invalid label selector"))
    return errs, parsed


def _validate_deployment(obj: dict, old: dict | None) -> list[FieldError]:
    spec = _d(obj.get("spec"))
    if old is None:
        errs = _validate_object_meta(obj.get("metadata"), True, "dns1123-subdomain")
    else:
        errs = _validate_object_meta_update(obj.get("metadata"), old.get("metadata"))
    # ValidateDeploymentSpec
    errs.extend(_nonnegative(spec.get("replicas"), "spec.replicas"))
    selector_errs, selector = _validate_replicated_selector(spec, "empty selector is invalid for deployment")
    errs.extend(selector_errs)
    if selector is not None:
        errs.extend(_validate_template_for_replicas(spec, selector, "ReplicaSet"))
    errs.extend(_validate_deployment_strategy(_d(spec.get("strategy"))))
    errs.extend(_nonnegative(spec.get("minReadySeconds"), "spec.minReadySeconds"))
    errs.extend(_nonnegative(spec.get("revisionHistoryLimit"), "spec.revisionHistoryLimit"))
    deadline = spec.get("progressDeadlineSeconds")
    if deadline is not None:
        errs.extend(_nonnegative(deadline, "spec.progressDeadlineSeconds"))
        if _i(deadline) <= _i(spec.get("minReadySeconds")):
            errs.append(invalid("spec.progressDeadlineSeconds", _i(deadline), "must be greater than minReadySeconds"))
    if old is not None:
        errs.extend(_selector_immutable(spec, _d(old.get("spec"))))
    return errs


def _selector_immutable(spec: dict, old_spec: dict) -> list[FieldError]:
    """The apps/v1 strategies' ValidateUpdate: `spec.selector` may not change."""
    new, old = spec.get("selector"), old_spec.get("selector")
    if _semantic_equal(new, old):
        return []
    return [invalid("spec.selector", go_label_selector(new) if isinstance(new, dict) else None, FIELD_IMMUTABLE)]


def _validate_deployment_strategy(strategy: dict) -> list[FieldError]:
    """ValidateDeploymentStrategy / ValidateRollingUpdateDeployment."""
    stype = _s(strategy.get("type"))
    rolling = strategy.get("rollingUpdate")
    path = "spec.strategy"
    if stype == "Recreate":
        if rolling is not None:
            return [forbidden(f"{path}.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'")]
        return []
    if stype == "RollingUpdate":
        if rolling is None:
            return [required(f"{path}.rollingUpdate", "this should be defaulted and never be nil")]
        rolling = _d(rolling)
        unavailable, surge = rolling.get("maxUnavailable"), rolling.get("maxSurge")
        errs = _positive_int_or_percent(unavailable, f"{path}.rollingUpdate.maxUnavailable")
        errs.extend(_positive_int_or_percent(surge, f"{path}.rollingUpdate.maxSurge"))
        if _int_or_percent(unavailable) == 0 and _int_or_percent(surge) == 0:
            errs.append(
                invalid(
                    f"{path}.rollingUpdate.maxUnavailable",
                    _go_int_or_string(unavailable),
                    "may not be 0 when `maxSurge` is 0",
                )
            )
        errs.extend(_not_more_than_100_percent(unavailable, f"{path}.rollingUpdate.maxUnavailable"))
        return errs
    shown = GoLiteral(
        f"apps.DeploymentStrategy{{Type:{_q(stype)}, RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}}"
    )
    return [not_supported(path, shown, ("Recreate", "RollingUpdate"))]


def _validate_replica_set(obj: dict, old: dict | None) -> list[FieldError]:
    spec = _d(obj.get("spec"))
    if old is None:
        errs = _validate_object_meta(obj.get("metadata"), True, "dns1123-subdomain")
    else:
        errs = _validate_object_meta_update(obj.get("metadata"), old.get("metadata"))
    # ValidateReplicaSetSpec (its empty-selector message really says "deployment")
    errs.extend(_nonnegative(spec.get("replicas"), "spec.replicas"))
    errs.extend(_nonnegative(spec.get("minReadySeconds"), "spec.minReadySeconds"))
    selector_errs, selector = _validate_replicated_selector(spec, "empty selector is invalid for deployment")
    errs.extend(selector_errs)
    if selector is not None:
        errs.extend(_validate_template_for_replicas(spec, selector, "ReplicaSet"))
    if old is not None:
        errs.extend(_selector_immutable(spec, _d(old.get("spec"))))
    return errs


def _validate_daemon_set(obj: dict, old: dict | None) -> list[FieldError]:
    spec = _d(obj.get("spec"))
    if old is None:
        errs = _validate_object_meta(obj.get("metadata"), True, "dns1123-subdomain")
    else:
        errs = _validate_object_meta_update(obj.get("metadata"), old.get("metadata"))
    # ValidateDaemonSetSpec. A missing selector is not "Required" here: nil selects nothing,
    # so only the template-labels mismatch is reported.
    raw_selector = spec.get("selector")
    if isinstance(raw_selector, dict):
        errs.extend(validate_label_selector(raw_selector, "spec.selector"))
    selector, ok = _selector_for(raw_selector, "spec.selector")
    template = spec.get("template")
    labels = _template_labels(template)
    if ok and not selector.matches(_labels(labels)):
        errs.append(
            invalid(
                "spec.template.metadata.labels", go_string_map(labels), "`selector` does not match template `labels`"
            )
        )
    if (
        isinstance(raw_selector, dict)
        and not raw_selector.get("matchLabels")
        and not raw_selector.get("matchExpressions")
    ):
        errs.append(
            invalid("spec.selector", go_label_selector(raw_selector), "empty selector is invalid for daemonset")
        )
    errs.extend(_validate_pod_template_spec(template, "spec.template"))
    pod_spec = _d(_d(template).get("spec"))
    restart = _s(pod_spec.get("restartPolicy"))
    if restart != "Always":
        errs.append(not_supported("spec.template.spec.restartPolicy", restart, ("Always",)))
    if pod_spec.get("activeDeadlineSeconds") is not None:
        errs.append(
            forbidden("spec.template.spec.activeDeadlineSeconds", "activeDeadlineSeconds in DaemonSet is not Supported")
        )
    errs.extend(_nonnegative(spec.get("minReadySeconds"), "spec.minReadySeconds"))
    errs.extend(_validate_daemon_set_update_strategy(_d(spec.get("updateStrategy"))))
    errs.extend(_nonnegative(spec.get("revisionHistoryLimit"), "spec.revisionHistoryLimit"))
    if old is not None:
        errs.extend(_selector_immutable(spec, _d(old.get("spec"))))
    return errs


def _validate_daemon_set_update_strategy(strategy: dict) -> list[FieldError]:
    """ValidateDaemonSetUpdateStrategy / ValidateRollingUpdateDaemonSet."""
    stype = _s(strategy.get("type"))
    path = "spec.updateStrategy"
    if stype == "OnDelete":
        return []
    if stype == "RollingUpdate":
        rolling = strategy.get("rollingUpdate")
        if rolling is None:
            return [required(f"{path}.rollingUpdate")]
        rolling = _d(rolling)
        path = f"{path}.rollingUpdate"
        unavailable, surge = rolling.get("maxUnavailable"), rolling.get("maxSurge")
        errs = _positive_int_or_percent(unavailable, f"{path}.maxUnavailable")
        errs.extend(_positive_int_or_percent(surge, f"{path}.maxSurge"))
        errs.extend(_not_more_than_100_percent(unavailable, f"{path}.maxUnavailable"))
        errs.extend(_not_more_than_100_percent(surge, f"{path}.maxSurge"))
        has_unavailable, has_surge = _int_or_percent(unavailable) != 0, _int_or_percent(surge) != 0
        if has_unavailable and has_surge:
            errs.append(
                invalid(f"{path}.maxSurge", _go_int_or_string(surge), "may not be set when maxUnavailable is non-zero")
            )
        elif not has_unavailable and not has_surge:
            errs.append(required(f"{path}.maxUnavailable", "cannot be 0 when maxSurge is 0"))
        return errs
    shown = GoLiteral(
        f"apps.DaemonSetUpdateStrategy{{Type:{_q(stype)}, RollingUpdate:(*apps.RollingUpdateDaemonSet)(nil)}}"
    )
    return [not_supported(path, shown, ("RollingUpdate", "OnDelete"))]


# ---------------------------------------------------------------------------------------------
# Jobs
# ---------------------------------------------------------------------------------------------

_JOB_LABELS = ("controller-uid", "job-name", "batch.kubernetes.io/controller-uid", "batch.kubernetes.io/job-name")
MAX_PARALLELISM_FOR_INDEXED_JOB = 100000


def _validate_generated_selector(obj: dict, require_prefixed: bool) -> list[FieldError]:
    """validateGeneratedSelector: with a generated selector, the template carries the Job's
    name and uid labels and the selector picks them."""
    spec = _d(obj.get("spec"))
    if spec.get("manualSelector") is True or spec.get("selector") is None:
        return []
    meta = _d(obj.get("metadata"))
    uid, name = _s(meta.get("uid")), _s(meta.get("name"))
    errs: list[FieldError] = []
    if not uid:
        errs.append(required("metadata.uid"))
    labels = _template_labels(spec.get("template"))
    expected = {"controller-uid": uid, "job-name": name}
    checks = [("controller-uid", uid), ("job-name", name)]
    if require_prefixed:
        checks += [("batch.kubernetes.io/controller-uid", uid), ("batch.kubernetes.io/job-name", name)]
        expected.update({"batch.kubernetes.io/controller-uid": uid, "batch.kubernetes.io/job-name": name})
    for key, value in checks:  # ValidateHasLabel
        path = f"spec.template.metadata.labels[{key}]"
        if labels is None or key not in labels:
            errs.append(required(path, f"must be '{value}'"))
        elif _s(labels[key]) != value:
            errs.append(invalid(path, go_string_map(labels), f"must be '{value}'"))
    selector, ok = _selector_for(spec.get("selector"), "spec.selector")
    if ok and not selector.matches(expected):
        errs.append(
            invalid("spec.selector", go_label_selector(_d(spec.get("selector"))), "`selector` not auto-generated")
        )
    return errs


def _validate_job_spec(spec: dict, name: str) -> list[FieldError]:
    """ValidateJobSpec (validateJobSpec plus the selector checks)."""
    errs: list[FieldError] = []
    for key in (
        "parallelism",
        "completions",
        "activeDeadlineSeconds",
        "backoffLimit",
        "ttlSecondsAfterFinished",
        "backoffLimitPerIndex",
        "maxFailedIndexes",
    ):
        errs.extend(_nonnegative(spec.get(key), f"spec.{key}"))
    if spec.get("maxFailedIndexes") is not None and spec.get("backoffLimitPerIndex") is None:
        errs.append(required("spec.backoffLimitPerIndex", "when maxFailedIndexes is specified"))
    mode = spec.get("completionMode")
    if mode is not None:
        if mode not in ("NonIndexed", "Indexed"):
            errs.append(not_supported("spec.completionMode", _s(mode), ("NonIndexed", "Indexed")))
        if mode == "Indexed":
            if spec.get("completions") is None:
                errs.append(required("spec.completions", "when completion mode is Indexed"))
            if spec.get("parallelism") is not None and _i(spec["parallelism"]) > MAX_PARALLELISM_FOR_INDEXED_JOB:
                errs.append(
                    invalid(
                        "spec.parallelism",
                        _i(spec["parallelism"]),
                        f"must be less than or equal to {MAX_PARALLELISM_FOR_INDEXED_JOB} when completion mode is Indexed",
                    )
                )
    if mode in (None, "NonIndexed"):
        for key in ("backoffLimitPerIndex", "maxFailedIndexes"):
            if spec.get(key) is not None:
                errs.append(invalid(f"spec.{key}", _i(spec[key]), "requires indexed completion mode"))
    replacement = spec.get("podReplacementPolicy")
    if replacement is not None:
        if spec.get("podFailurePolicy") is not None:
            if replacement != "Failed":
                errs.append(not_supported("spec.podReplacementPolicy", _s(replacement), ("Failed",)))
        elif replacement not in ("Failed", "TerminatingOrFailed"):
            errs.append(not_supported("spec.podReplacementPolicy", _s(replacement), ("Failed", "TerminatingOrFailed")))
    template = spec.get("template")
    errs.extend(_validate_pod_template_spec(template, "spec.template"))
    # Defaulting turns an omitted restartPolicy into Always, so Always reads as "you must choose".
    restart = _s(_d(_d(template).get("spec")).get("restartPolicy"))
    if restart in ("Always", ""):
        errs.append(required("spec.template.spec.restartPolicy", 'valid values: "OnFailure", "Never"'))
    elif restart not in ("OnFailure", "Never"):
        errs.append(not_supported("spec.template.spec.restartPolicy", restart, ("OnFailure", "Never")))
    elif spec.get("podFailurePolicy") is not None and restart != "Never":
        errs.append(
            invalid(
                "spec.template.spec.restartPolicy",
                restart,
                'only "Never" is supported when podFailurePolicy is specified',
            )
        )
    # ValidateJobSpec proper
    selector = spec.get("selector")
    if selector is None:
        errs.append(required("spec.selector"))
    else:
        errs.extend(validate_label_selector(_d(selector), "spec.selector"))
    parsed, ok = _selector_for(selector, "spec.selector")
    labels = _template_labels(template)
    if ok and not parsed.matches(_labels(labels)):
        errs.append(
            invalid(
                "spec.template.metadata.labels", go_string_map(labels), "`selector` does not match template `labels`"
            )
        )
    return errs


def _validate_job(obj: dict, old: dict | None) -> list[FieldError]:
    spec = _d(obj.get("spec"))
    meta = _d(obj.get("metadata"))
    name = _s(meta.get("name"))
    require_prefixed = True
    if old is not None:  # validationOptionsForJob: only insist on the prefixed labels if the old Job had them
        old_labels = _template_labels(_d(old.get("spec")).get("template")) or {}
        require_prefixed = (
            "batch.kubernetes.io/job-name" in old_labels and "batch.kubernetes.io/controller-uid" in old_labels
        )
    # ValidateJob
    errs = _validate_object_meta(meta, True, "dns1123-subdomain")
    errs.extend(_validate_generated_selector(obj, require_prefixed))
    errs.extend(_validate_job_spec(spec, name))
    completions = spec.get("completions")
    if spec.get("completionMode") == "Indexed" and completions is not None and _i(completions) > 0:
        hostname = f"{name}-{_i(completions) - 1}"
        if is_dns1123_label(hostname):
            errs.append(
                invalid("metadata.name", name, f"will not able to create pod with invalid DNS label: {hostname}")
            )
    if old is not None:
        errs.extend(_validate_job_update(obj, old))
    return errs


def _validate_job_update(obj: dict, old: dict) -> list[FieldError]:
    """ValidateJobUpdate / ValidateJobSpecUpdate."""
    spec, old_spec = _d(obj.get("spec")), _d(old.get("spec"))
    errs = _validate_object_meta_update(obj.get("metadata"), old.get("metadata"))
    errs.extend(_validate_job_spec(spec, _s(_d(obj.get("metadata")).get("name"))))
    # validateCompletions (ElasticIndexedJob is GA): Indexed Jobs may scale completions with parallelism.
    completions, old_completions = spec.get("completions"), old_spec.get("completions")
    if spec.get("completionMode") == "Indexed":
        if (
            not _semantic_equal(completions, old_completions)
            and completions is not None
            and _i(completions) != _i(spec.get("parallelism"))
        ):
            errs.append(
                invalid("spec.completions", _i(completions), "can only be modified in tandem with spec.parallelism")
            )
    else:
        errs.extend(_immutable(completions, old_completions, "spec.completions"))
    new_selector = spec.get("selector")
    errs.extend(
        _immutable(
            new_selector,
            old_spec.get("selector"),
            "spec.selector",
            go_label_selector(new_selector) if isinstance(new_selector, dict) else None,
        )
    )
    # validatePodTemplateUpdate: a suspended Job that never started may change its scheduling directives.
    template, old_template = _d(spec.get("template")), _d(old_spec.get("template"))
    if old_spec.get("suspend") is True and _d(old.get("status")).get("startTime") is None:
        old_template = dict(old_template)
        old_meta, new_meta = dict(_d(old_template.get("metadata"))), _d(template.get("metadata"))
        for key in ("labels", "annotations"):
            old_meta[key] = new_meta.get(key)
        old_template["metadata"] = old_meta
        old_pod, new_pod = dict(_d(old_template.get("spec"))), _d(template.get("spec"))
        for key in ("nodeSelector", "tolerations", "schedulingGates"):
            old_pod[key] = new_pod.get(key)
        old_affinity = dict(_d(old_pod.get("affinity")))
        old_affinity["nodeAffinity"] = _d(new_pod.get("affinity")).get("nodeAffinity")
        old_pod["affinity"] = old_affinity
        new_affinity = new_pod.get("affinity")
        if new_affinity is None and all(v is None for k, v in old_affinity.items() if k != "nodeAffinity"):
            old_pod["affinity"] = None
        old_template["spec"] = old_pod
    errs.extend(_immutable(template, old_template, "spec.template", _GO_POD_TEMPLATE))
    for key in ("completionMode", "podFailurePolicy", "backoffLimitPerIndex", "managedBy", "successPolicy"):
        errs.extend(_immutable(spec.get(key), old_spec.get(key), f"spec.{key}"))
    return errs


# ---------------------------------------------------------------------------------------------
# Ingress
# ---------------------------------------------------------------------------------------------

_PATH_TYPES = ("Exact", "ImplementationSpecific", "Prefix")  # supportedPathTypes.List(): sorted
_INVALID_PATH_SEQUENCES = ("//", "/./", "/../", "%2f", "%2F")
_INVALID_PATH_SUFFIXES = ("/..", "/.")


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
        return True
    except ValueError:
        return False


def _validate_ingress_backend(backend: dict, path: str) -> list[FieldError]:
    """validateIngressBackend (networking/v1 field names)."""
    has_resource = backend.get("resource") is not None
    service = backend.get("service")
    if has_resource and service is not None:
        return [invalid(path, "", "cannot set both resource and service backends")]
    if has_resource:
        resource = _d(backend.get("resource"))
        errs = []
        if not _s(resource.get("kind")):
            errs.append(required(f"{path}.resource.kind", "kind is required"))
        if not _s(resource.get("name")):
            errs.append(required(f"{path}.resource.name", "name is required"))
        return errs
    if service is None:
        return [invalid(path, "", "resource or service backend is required")]
    service = _d(service)
    errs: list[FieldError] = []
    name = _s(service.get("name"))
    if not name:
        errs.append(required(f"{path}.service.name"))
    else:
        errs.extend(_invalid_each(f"{path}.service.name", name, is_dns1035_label(name)))
    port = _d(service.get("port"))
    port_name, port_number = _s(port.get("name")), _i(port.get("number"))
    if port_name and port_number:
        errs.append(invalid(path, "", "cannot set both port name & port number"))
    elif port_name:
        errs.extend(_invalid_each(f"{path}.service.port.name", port_name, is_valid_port_name(port_name)))
    elif port_number:
        errs.extend(_invalid_each(f"{path}.service.port.number", port_number, is_valid_port_num(port_number)))
    else:
        errs.append(required(path, "port name or number is required"))
    return errs


def _validate_http_path(p: dict, path: str) -> list[FieldError]:
    """validateHTTPIngressPath."""
    path_type = p.get("pathType")
    if path_type is None:
        return [required(f"{path}.pathType", "pathType must be specified")]
    value = _s(p.get("path"))
    errs: list[FieldError] = []
    if path_type in ("Exact", "Prefix"):
        if not value.startswith("/"):
            errs.append(invalid(f"{path}.path", value, "must be an absolute path"))
        if value:
            for seq in _INVALID_PATH_SEQUENCES:
                if seq in value:
                    errs.append(invalid(f"{path}.path", value, f"must not contain '{seq}'"))
            for suffix in _INVALID_PATH_SUFFIXES:
                if value.endswith(suffix):
                    errs.append(invalid(f"{path}.path", value, f"cannot end with '{suffix}'"))
    elif path_type == "ImplementationSpecific":
        if value and not value.startswith("/"):
            errs.append(invalid(f"{path}.path", value, "must be an absolute path"))
    else:
        errs.append(not_supported(f"{path}.pathType", _s(path_type), _PATH_TYPES))
    errs.extend(_validate_ingress_backend(_d(p.get("backend")), f"{path}.backend"))
    return errs


def _validate_ingress(obj: dict, old: dict | None) -> list[FieldError]:
    spec = _d(obj.get("spec"))
    meta = _d(obj.get("metadata"))
    errs = [] if old is None else _validate_object_meta_update(meta, old.get("metadata"))
    errs.extend(_validate_object_meta(meta, True, "dns1123-subdomain"))
    # ValidateIngressSpec
    rules = spec.get("rules")
    default_backend = spec.get("defaultBackend")
    if not _l(rules) and default_backend is None:
        shown = GoLiteral("[]networking.IngressRule(nil)" if rules is None else "[]networking.IngressRule{}")
        errs.append(invalid("spec", shown, "either `defaultBackend` or `rules` must be specified"))
    if default_backend is not None:
        errs.extend(_validate_ingress_backend(_d(default_backend), "spec.defaultBackend"))
    for i, rule in enumerate(_l(rules)):
        rule = _d(rule)
        host = _s(rule.get("host"))
        if host:
            if _is_ip(host):
                errs.append(invalid(f"spec.rules[{i}].host", host, "must be a DNS name, not an IP address"))
            if "*" in host:
                errs.extend(_invalid_each(f"spec.rules[{i}].host", host, is_wildcard_dns1123_subdomain(host)))
            else:
                errs.extend(_invalid_each(f"spec.rules[{i}].host", host, is_dns1123_subdomain(host)))
        http = rule.get("http")
        if http is not None:
            paths = _l(_d(http).get("paths"))
            if not paths:
                errs.append(required(f"spec.rules[{i}].http.paths"))
            for j, p in enumerate(paths):
                errs.extend(_validate_http_path(_d(p), f"spec.rules[{i}].http.paths[{j}]"))
    for t, tls in enumerate(_l(spec.get("tls"))):
        tls = _d(tls)
        for h, host in enumerate(_l(tls.get("hosts"))):
            host = _s(host)
            check = is_wildcard_dns1123_subdomain if "*" in host else is_dns1123_subdomain
            errs.extend(_invalid_each(f"spec.tls[{t}].hosts[{h}]", host, check(host)))
        secret = _s(tls.get("secretName"))
        if secret:
            errs.extend(_invalid_each(f"spec.tls[{t}].secretName", secret, is_dns1123_subdomain(secret)))
    class_name = spec.get("ingressClassName")
    if class_name is not None:
        errs.extend(_invalid_each("spec.ingressClassName", _s(class_name), is_dns1123_subdomain(_s(class_name))))
    if old is None:
        annotation = _labels(meta.get("annotations")).get("kubernetes.io/ingress.class")
        if annotation is not None and class_name is not None:
            # sic: upstream builds this path without "metadata."
            errs.append(
                invalid(
                    "annotations.kubernetes.io/ingress.class",
                    annotation,
                    "can not be set when the class field is also set",
                )
            )
    return errs


# ---------------------------------------------------------------------------------------------
# Nodes and namespaces
# ---------------------------------------------------------------------------------------------


def _validate_node_taints(taints: Any) -> list[FieldError]:
    """validateNodeTaints. Upstream passes field.NewPath("metadata").Child("taints"), so the
    errors really read `metadata.taints[0].effect` although the field is spec.taints."""
    errs: list[FieldError] = []
    seen: dict[str, set[str]] = {}
    for i, taint in enumerate(_l(taints)):
        taint = _d(taint)
        path = f"metadata.taints[{i}]"
        key, value, effect = _s(taint.get("key")), _s(taint.get("value")), _s(taint.get("effect"))
        errs.extend(validate_label_name(key, f"{path}.key"))
        msgs = is_valid_label_value(value)
        if msgs:
            errs.append(invalid(f"{path}.value", value, ";".join(msgs)))
        errs.extend(_validate_taint_effect(effect, False, f"{path}.effect"))
        if key in seen.get(effect, ()):
            errs.append(FieldError(DUPLICATE, path, _go_taint(taint), "taints must be unique by key and effect pair"))
            continue
        seen.setdefault(effect, set()).add(key)
    return errs


def _validate_pod_cidrs(spec: dict) -> list[FieldError]:
    cidrs = [_s(c) for c in _l(spec.get("podCIDRs"))]
    errs: list[FieldError] = []
    for i, cidr in enumerate(cidrs):
        errs.extend(_invalid_each(f"spec.podCIDRs[{i}]", cidr, _is_valid_cidr(cidr)))
    if len(cidrs) > 1 and not errs:
        versions = {ipaddress.ip_network(c, strict=False).version for c in cidrs}
        if len(versions) != len(cidrs) or len(cidrs) > 2:
            errs.append(invalid("spec.podCIDRs", cidrs, "may specify no more than one CIDR for each IP family"))
        seen: set[str] = set()
        for i, cidr in enumerate(cidrs):
            if cidr in seen:
                errs.append(duplicate(f"spec.podCIDRs[{i}]", cidr))
            seen.add(cidr)
    return errs


def _validate_node(obj: dict, old: dict | None) -> list[FieldError]:
    spec = _d(obj.get("spec"))
    if old is None:
        errs = _validate_object_meta(obj.get("metadata"), False, "dns1123-subdomain")
        if _l(spec.get("taints")):
            errs.extend(_validate_node_taints(spec.get("taints")))
        errs.extend(_validate_pod_cidrs(spec))
        return errs
    old_spec = _d(old.get("spec"))
    errs = _validate_object_meta_update(obj.get("metadata"), old.get("metadata"))
    old_cidrs = [_s(c) for c in _l(old_spec.get("podCIDRs"))]
    new_cidrs = [_s(c) for c in _l(spec.get("podCIDRs"))]
    message = 'node updates may not change podCIDR except from "" to valid'
    if old_cidrs:
        if len(old_cidrs) != len(new_cidrs):
            errs.append(forbidden("spec.podCIDRs", message))
        else:
            errs.extend(
                forbidden("spec.podCIDRs", message) for a, b in zip(old_cidrs, new_cidrs, strict=False) if a != b
            )
    old_provider = _s(old_spec.get("providerID"))
    if old_provider and old_provider != _s(spec.get("providerID")):
        errs.append(forbidden("spec.providerID", 'node updates may not change providerID except from "" to valid'))
    if _l(spec.get("taints")):
        errs.extend(_validate_node_taints(spec.get("taints")))
    if _s(spec.get("externalID")) != _s(old_spec.get("externalID")):
        errs.append(forbidden("spec.externalID", "may not be updated"))
    return errs


def _validate_namespace(obj: dict, old: dict | None) -> list[FieldError]:
    if old is not None:
        return _validate_object_meta_update(obj.get("metadata"), old.get("metadata"))
    errs = _validate_object_meta(obj.get("metadata"), False, "dns1123-label")
    # validateFinalizerName, called with the list's path for every item (no index)
    for finalizer in _l(_d(obj.get("spec")).get("finalizers")):
        finalizer = _s(finalizer)
        errs.extend(_invalid_each("spec.finalizers", finalizer, is_qualified_name(finalizer)))
        if "/" not in finalizer and finalizer not in _STANDARD_FINALIZERS:
            errs.append(
                invalid(
                    "spec.finalizers", finalizer, "name is neither a standard finalizer name nor is it fully qualified"
                )
            )
    return errs


# ---------------------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------------------

KINDS: dict[str, Callable[[dict, dict | None], list[FieldError]]] = {
    "Namespace": _validate_namespace,
    "Node": _validate_node,
    "Pod": _validate_pod,
    "Service": _validate_service,
    "Deployment": _validate_deployment,
    "ReplicaSet": _validate_replica_set,
    "DaemonSet": _validate_daemon_set,
    "Job": _validate_job,
    "Ingress": _validate_ingress,
}


def validate(kind: str, obj: dict, old: dict | None = None) -> list[FieldError]:
    """The API server's validation errors for creating `obj` (or updating `old` to `obj`)."""
    try:
        validator = KINDS[kind]
    except KeyError:
        raise ValueError(f"unknown kind {kind!r}; expected one of {sorted(KINDS)}") from None
    errors = validator(obj if isinstance(obj, dict) else {}, old)
    seen: set[str] = set()
    unique: list[FieldError] = []
    for error in errors:  # field.ErrorList.ToAggregate drops exact duplicates
        text = str(error)
        if text not in seen:
            seen.add(text)
            unique.append(error)
    return unique
