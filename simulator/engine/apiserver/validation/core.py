"""Validation of the core group: Pods and pod templates, Services, Nodes and Namespaces.

Source: pkg/apis/core/validation/validation.go (Kubernetes 1.33): ValidatePodCreate/Update,
ValidatePodSpec, validateContainers, validateContainerPorts, ValidateTolerations,
ValidateService(Update), validateServicePort, ValidateServiceClusterIPsRelatedFields,
validateUpgradeDowngradeClusterIPs, ValidateNode(Update), validateNodeTaints, ValidateNamespace,
ValidatePodTemplateSpec; pkg/registry/core/service/strategy.go (patchAllocatedValues,
normalizeClusterIPs on update).
"""

from __future__ import annotations

import ipaddress
import json
from typing import Any

from ...errors import (
    DUPLICATE,
    FieldError,
    duplicate,
    forbidden,
    invalid,
    not_supported,
    required,
)
from .fields import (
    FIELD_IMMUTABLE,
    MAX_INT32,
    GoLiteral,
    as_dict,
    as_int,
    as_labels,
    as_list,
    as_str,
    go_service_port_key,
    go_taint,
    invalid_each,
    is_empty,
    semantically_equal,
)
from .meta import STANDARD_FINALIZERS, validate_object_meta, validate_object_meta_update
from .names import (
    inclusive_range_error,
    is_dns1123_label,
    is_dns1123_subdomain,
    is_qualified_name,
    is_valid_ip,
    is_valid_label_value,
    is_valid_port_name,
    is_valid_port_num,
    validate_annotations,
    validate_label_name,
    validate_labels,
)

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
    return invalid_each(path, value, is_dns1123_label(value))


def _dns1123_subdomain(value: str, path: str) -> list[FieldError]:
    return invalid_each(path, value, is_dns1123_subdomain(value))


def _validate_container_ports(ports: Any, path: str) -> list[FieldError]:
    """validateContainerPorts."""
    errs: list[FieldError] = []
    names: set[str] = set()
    for i, port in enumerate(as_list(ports)):
        port = as_dict(port)
        p = f"{path}[{i}]"
        name = as_str(port.get("name"))
        if name:
            msgs = is_valid_port_name(name)
            if msgs:
                errs.extend(invalid_each(f"{p}.name", name, msgs))
            elif name in names:
                errs.append(duplicate(f"{p}.name", name))
            else:
                names.add(name)
        container_port = as_int(port.get("containerPort"))
        if container_port == 0:
            errs.append(required(f"{p}.containerPort"))
        else:
            errs.extend(invalid_each(f"{p}.containerPort", container_port, is_valid_port_num(container_port)))
        host_port = as_int(port.get("hostPort"))
        if host_port != 0:
            errs.extend(invalid_each(f"{p}.hostPort", host_port, is_valid_port_num(host_port)))
        protocol = as_str(port.get("protocol"))
        if not protocol:
            errs.append(required(f"{p}.protocol"))
        elif protocol not in _PROTOCOLS:
            errs.append(not_supported(f"{p}.protocol", protocol, _PROTOCOLS))
    return errs


def _validate_container_common(c: dict, path: str) -> list[FieldError]:
    """validateContainerCommon: name, image, terminationMessagePolicy, ports, env names,
    imagePullPolicy. (Volume mounts, resources and security contexts are not checked.)"""
    errs: list[FieldError] = []
    name = as_str(c.get("name"))
    if not name:
        errs.append(required(f"{path}.name"))
    else:
        errs.extend(_dns1123_label(name, f"{path}.name"))
    if not as_str(c.get("image")):
        errs.append(required(f"{path}.image"))
    policy = as_str(c.get("terminationMessagePolicy"))
    if not policy:
        errs.append(required(f"{path}.terminationMessagePolicy"))
    elif policy not in _TERMINATION_MESSAGE_POLICIES:
        errs.append(not_supported(f"{path}.terminationMessagePolicy", policy, _TERMINATION_MESSAGE_POLICIES))
    errs.extend(_validate_container_ports(c.get("ports"), f"{path}.ports"))
    for i, env in enumerate(as_list(c.get("env"))):
        if not as_str(as_dict(env).get("name")):
            errs.append(required(f"{path}.env[{i}].name"))
    pull = as_str(c.get("imagePullPolicy"))
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
        for pi, port in enumerate(as_list(as_dict(c).get("ports"))):
            port = as_dict(port)
            host_port = as_int(port.get("hostPort"))
            if host_port == 0:
                continue
            key = f"{as_str(port.get('protocol'))}/{as_str(port.get('hostIP'))}/{host_port}"
            if key in seen:
                errs.append(duplicate(f"{path}[{ci}].ports[{pi}].hostPort", key))
            else:
                seen.add(key)
    return errs


def _validate_containers(containers: Any, path: str) -> list[FieldError]:
    """validateContainers."""
    containers = as_list(containers)
    if not containers:
        return [required(path)]
    errs: list[FieldError] = []
    names: set[str] = set()
    for i, c in enumerate(containers):
        c = as_dict(c)
        p = f"{path}[{i}]"
        errs.extend(_validate_container_common(c, p))
        name = as_str(c.get("name"))
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
    names = {as_str(as_dict(c).get("name")) for c in as_list(regular)}
    for i, c in enumerate(as_list(init)):
        c = as_dict(c)
        p = f"{path}[{i}]"
        errs.extend(_validate_container_common(c, p))
        restart_always = False
        if c.get("restartPolicy") is not None:
            policy = as_str(c.get("restartPolicy"))
            if policy != "Always":
                errs.append(not_supported(f"{p}.restartPolicy", policy, ("Always",)))
            restart_always = policy == "Always"
        name = as_str(c.get("name"))
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
    for i, t in enumerate(as_list(tolerations)):
        t = as_dict(t)
        p = f"{path}[{i}]"
        key, operator, value, effect = (as_str(t.get(k)) for k in ("key", "operator", "value", "effect"))
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
    spec = as_dict(spec)
    errs: list[FieldError] = []
    if spec.get("terminationGracePeriodSeconds") is None:
        errs.append(required(f"{path}.terminationGracePeriodSeconds"))
    # ValidateVolumes: names (the volume sources themselves are not checked)
    volume_names: set[str] = set()
    for i, vol in enumerate(as_list(spec.get("volumes"))):
        name = as_str(as_dict(vol).get("name"))
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
        for ci, c in enumerate(as_list(containers)):
            for pi, port in enumerate(as_list(as_dict(c).get("ports"))):
                port = as_dict(port)
                hp, cp = as_int(port.get("hostPort")), as_int(port.get("containerPort"))
                if (is_pod or hp != 0) and hp != cp:
                    errs.append(
                        invalid(
                            f"{path}.containers[{ci}].ports[{pi}].hostPort",
                            hp,
                            "must match `containerPort` when `hostNetwork` is true",
                        )
                    )
    restart = as_str(spec.get("restartPolicy"))
    if not restart:
        errs.append(required(f"{path}.restartPolicy"))
    elif restart not in _RESTART_POLICIES:
        errs.append(not_supported(f"{path}.restartPolicy", restart, _RESTART_POLICIES))
    dns_policy = as_str(spec.get("dnsPolicy"))
    if not dns_policy:
        errs.append(required(f"{path}.dnsPolicy"))
    elif dns_policy not in _DNS_POLICIES:
        errs.append(not_supported(f"{path}.dnsPolicy", dns_policy, _DNS_POLICIES))
    errs.extend(validate_labels(as_labels(spec.get("nodeSelector")), f"{path}.nodeSelector"))
    # validatePodDNSConfig (the dnsPolicy None requirements)
    if dns_policy == "None":
        dns_config = spec.get("dnsConfig")
        if dns_config is None:
            errs.append(required(f"{path}.dnsConfig", "must provide `dnsConfig` when `dnsPolicy` is None"))
        elif not as_list(as_dict(dns_config).get("nameservers")):
            errs.append(
                required(
                    f"{path}.dnsConfig.nameservers", "must provide at least one DNS nameserver when `dnsPolicy` is None"
                )
            )
    service_account = as_str(spec.get("serviceAccountName"))
    if service_account:
        errs.extend(_dns1123_subdomain(service_account, f"{path}.serviceAccountName"))
    node_name = as_str(spec.get("nodeName"))
    if node_name:
        errs.extend(_dns1123_subdomain(node_name, f"{path}.nodeName"))
    deadline = spec.get("activeDeadlineSeconds")
    if deadline is not None and not 1 <= as_int(deadline) <= MAX_INT32:
        errs.append(invalid(f"{path}.activeDeadlineSeconds", as_int(deadline), inclusive_range_error(1, MAX_INT32)))
    hostname = as_str(spec.get("hostname"))
    if hostname:
        errs.extend(_dns1123_label(hostname, f"{path}.hostname"))
    subdomain = as_str(spec.get("subdomain"))
    if subdomain:
        errs.extend(_dns1123_label(subdomain, f"{path}.subdomain"))
    if as_list(spec.get("tolerations")):
        errs.extend(_validate_tolerations(spec.get("tolerations"), f"{path}.tolerations"))
    priority_class = as_str(spec.get("priorityClassName"))
    if priority_class:
        errs.extend(_dns1123_subdomain(priority_class, f"{path}.priorityClassName"))
    return errs


def validate_pod_template_spec(template: Any, path: str) -> list[FieldError]:
    """ValidatePodTemplateSpec. Note the template's labels and annotations are reported at
    `<path>.labels` / `<path>.annotations`, not `<path>.metadata.labels` (upstream passes
    fldPath.Child("labels"))."""
    template = as_dict(template)
    meta = as_dict(template.get("metadata"))
    spec = as_dict(template.get("spec"))
    errs = validate_labels(as_labels(meta.get("labels")), f"{path}.labels")
    errs.extend(validate_annotations(as_labels(meta.get("annotations")), f"{path}.annotations"))
    errs.extend(_validate_pod_spec(spec, f"{path}.spec", is_pod=False))
    if as_list(spec.get("ephemeralContainers")):
        errs.append(forbidden(f"{path}.spec.ephemeralContainers", "ephemeral containers not allowed in pod template"))
    return errs


def _validate_pod_metadata_and_spec(obj: dict) -> list[FieldError]:
    """validatePodMetadataAndSpec."""
    errs = validate_object_meta(obj.get("metadata"), True, "dns1123-subdomain")
    spec = as_dict(obj.get("spec"))
    errs.extend(_validate_pod_spec(spec, "spec", is_pod=True))
    for key in ("containers", "initContainers"):
        for i, c in enumerate(as_list(spec.get(key))):
            image = as_str(as_dict(c).get("image"))
            if len(image) != len(image.strip()):  # validateContainerOnlyForPod
                errs.append(invalid(f"spec.{key}[{i}].image", image, "must not have leading or trailing whitespace"))
    return errs


def validate_pod(obj: dict, old: dict | None) -> list[FieldError]:
    if old is None:
        errs = _validate_pod_metadata_and_spec(obj)
        spec = as_dict(obj.get("spec"))
        if as_list(spec.get("ephemeralContainers")):
            errs.append(forbidden("spec.ephemeralContainers", "cannot be set on create"))
        if as_str(spec.get("nodeName")) and as_list(spec.get("schedulingGates")):
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
    errs = validate_object_meta_update(obj.get("metadata"), old.get("metadata"))
    errs.extend(_validate_pod_metadata_and_spec(obj))
    spec, old_spec = as_dict(obj.get("spec")), as_dict(old.get("spec"))
    for key in ("containers", "initContainers"):
        new_c, old_c = as_list(spec.get(key)), as_list(old_spec.get(key))
        if len(new_c) != len(old_c):
            errs.append(forbidden(f"spec.{key}", "pod updates may not add or remove containers"))
            return errs
        for i, c in enumerate(new_c):
            image = as_str(as_dict(c).get("image"))
            if not image:
                errs.append(required(f"spec.{key}[{i}].image"))
            if len(image.strip()) != len(image):
                errs.append(invalid(f"spec.{key}[{i}].image", image, "must not have leading or trailing whitespace"))
    new_deadline, old_deadline = spec.get("activeDeadlineSeconds"), old_spec.get("activeDeadlineSeconds")
    if new_deadline is not None:
        value = as_int(new_deadline)
        if value < 0 or value > MAX_INT32:
            errs.append(invalid("spec.activeDeadlineSeconds", value, inclusive_range_error(0, MAX_INT32)))
            return errs
        if old_deadline is not None and as_int(old_deadline) < value:
            errs.append(invalid("spec.activeDeadlineSeconds", value, "must be less than or equal to previous value"))
            return errs
    elif old_deadline is not None:
        errs.append(invalid("spec.activeDeadlineSeconds", None, "must not update from a positive integer to nil value"))
    # validateOnlyAddedTolerations
    new_tol = [as_dict(t) for t in as_list(spec.get("tolerations"))]
    for old_t in as_list(old_spec.get("tolerations")):
        old_t = {k: v for k, v in as_dict(old_t).items() if k != "tolerationSeconds"}
        if not any(
            semantically_equal(old_t, {k: v for k, v in t.items() if k != "tolerationSeconds"}) for t in new_tol
        ):
            errs.append(
                forbidden("spec.tolerations", "existing toleration can not be modified except its tolerationSeconds")
            )
            break
    else:
        errs.extend(_validate_tolerations(spec.get("tolerations"), "spec.tolerations"))
    if semantically_equal(spec, old_spec):
        return errs
    munged = dict(spec)
    for key in ("containers", "initContainers"):
        if key in munged or key in old_spec:
            munged[key] = [
                dict(as_dict(c), image=as_dict(o).get("image"))
                for c, o in zip(as_list(spec.get(key)), as_list(old_spec.get(key)), strict=False)
            ]
    for key in ("activeDeadlineSeconds", "schedulingGates", "tolerations"):
        munged.pop(key, None)
        if key in old_spec:
            munged[key] = old_spec[key]
    old_grace = old_spec.get("terminationGracePeriodSeconds")
    if old_grace is not None and as_int(old_grace) < 0 and as_int(munged.get("terminationGracePeriodSeconds")) == 1:
        munged["terminationGracePeriodSeconds"] = old_grace
    if not semantically_equal(munged, old_spec):
        diff = "\n".join(_diff_lines(old_spec, munged, "spec"))
        errs.append(forbidden("spec", f"{POD_UPDATE_FORBIDDEN}\n{diff}"))
    return errs


def _diff_lines(old: Any, new: Any, path: str) -> list[str]:
    """A plain `- path: old` / `+ path: new` list of what changed. (The API server appends a
    go-cmp diff of core.PodSpec here, which we do not reproduce.)"""
    if semantically_equal(old, new):
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
    if not is_empty(old):
        out.append(f"- {path}: {json.dumps(old, sort_keys=True)}")
    if not is_empty(new):
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
    ips = [as_str(ip) for ip in as_list(spec.get("clusterIPs"))]
    if not ips and as_str(spec.get("clusterIP")):
        ips = [as_str(spec.get("clusterIP"))]
    return ips


def _prepare_service_update(spec: dict, old_spec: dict) -> dict:
    """patchAllocatedValues + normalizeClusterIPs for an update (pkg/registry/core/service).

    Re-applying YAML without clusterIP keeps the allocated one; changing `clusterIP` alone
    moves `clusterIPs` along, which validateUpgradeDowngradeClusterIPs then refuses.
    """
    s = dict(spec)
    old_ip = as_str(old_spec.get("clusterIP"))
    old_ips = _cluster_ips(old_spec)
    if as_str(s.get("type")) != "ExternalName" and as_str(old_spec.get("type")) != "ExternalName":
        if not as_str(s.get("clusterIP")):
            s["clusterIP"] = old_ip
        if not as_list(s.get("clusterIPs")) and old_ips:
            s["clusterIPs"] = list(old_ips)
    new_ip = as_str(s.get("clusterIP"))
    same_ips = [as_str(x) for x in as_list(s.get("clusterIPs"))] == old_ips
    if old_ip and not new_ip and same_ips:
        s["clusterIPs"] = []
    elif (old_ip and new_ip and new_ip != old_ip and same_ips) or (new_ip and not as_list(s.get("clusterIPs"))):
        s["clusterIPs"] = [new_ip]
    return s


def _validate_service_port(port: dict, require_name: bool, names: set[str], path: str) -> list[FieldError]:
    """validateServicePort."""
    errs: list[FieldError] = []
    name = as_str(port.get("name"))
    if require_name and not name:
        errs.append(required(f"{path}.name"))
    elif name:
        errs.extend(_dns1123_label(name, f"{path}.name"))
        if name in names:
            errs.append(duplicate(f"{path}.name", name))
        else:
            names.add(name)
    number = as_int(port.get("port"))
    errs.extend(invalid_each(f"{path}.port", number, is_valid_port_num(number)))
    protocol = as_str(port.get("protocol"))
    if not protocol:
        errs.append(required(f"{path}.protocol"))
    elif protocol not in _PROTOCOLS:
        errs.append(not_supported(f"{path}.protocol", protocol, _PROTOCOLS))
    errs.extend(_validate_port_num_or_name(port.get("targetPort"), f"{path}.targetPort"))
    app_protocol = port.get("appProtocol")
    if app_protocol is not None:
        errs.extend(invalid_each(f"{path}.appProtocol", as_str(app_protocol), is_qualified_name(as_str(app_protocol))))
    return errs


def _validate_port_num_or_name(value: Any, path: str) -> list[FieldError]:
    """ValidatePortNumOrName."""
    if isinstance(value, str):
        return invalid_each(path, value, is_valid_port_name(value))
    number = as_int(value)
    return invalid_each(path, number, is_valid_port_num(number))


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


def validate_service(obj: dict, old: dict | None) -> list[FieldError]:
    spec = as_dict(obj.get("spec"))
    errs: list[FieldError] = []
    if old is not None:
        old_spec = as_dict(old.get("spec"))
        spec = _prepare_service_update(spec, old_spec)
        errs.extend(validate_object_meta_update(obj.get("metadata"), old.get("metadata")))
        errs.extend(_validate_upgrade_downgrade_cluster_ips(old_spec, spec))
        errs.extend(_validate_load_balancer_class(spec, old_spec))
        if (
            _needs_health_check(old_spec)
            and _needs_health_check(spec)
            and as_int(spec.get("healthCheckNodePort")) != as_int(old_spec.get("healthCheckNodePort"))
        ):
            errs.append(forbidden("spec.healthCheckNodePort", FIELD_IMMUTABLE))
    errs.extend(_validate_service_create(obj, spec))
    return errs


def _needs_health_check(spec: dict) -> bool:
    return as_str(spec.get("type")) == "LoadBalancer" and as_str(spec.get("externalTrafficPolicy")) == "Local"


def _validate_upgrade_downgrade_cluster_ips(old_spec: dict, spec: dict) -> list[FieldError]:
    """validateUpgradeDowngradeClusterIPs: a Service's cluster IPs never change (except to or
    from ExternalName, or between two headless forms)."""
    if as_str(spec.get("type")) == "ExternalName" or as_str(old_spec.get("type")) == "ExternalName":
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
        if len(new_ips) == 1 and as_str(spec.get("ipFamilyPolicy")) != "SingleStack":
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
    lb = as_str(spec.get("type")) == "LoadBalancer"
    cls = spec.get("loadBalancerClass")
    was_lb = old_spec is not None and as_str(old_spec.get("type")) == "LoadBalancer"
    if lb and was_lb and old_spec.get("loadBalancerClass") != cls:
        errs.append(invalid("spec.loadBalancerClass", cls, "may not change once set"))
    if lb:
        if cls is not None:
            errs.extend(invalid_each("spec.loadBalancerClass", as_str(cls), is_qualified_name(as_str(cls))))
    elif cls is not None:
        errs.append(forbidden("spec.loadBalancerClass", "may only be used when `type` is 'LoadBalancer'"))
    return errs


def _validate_service_create(obj: dict, spec: dict) -> list[FieldError]:
    """ValidateService."""
    errs = validate_object_meta(obj.get("metadata"), True, "dns1035-label")
    stype = as_str(spec.get("type"))
    ports = [as_dict(p) for p in as_list(spec.get("ports"))]
    cluster_ips = _cluster_ips(spec)
    headless = cluster_ips == ["None"]
    if not ports and not headless and stype != "ExternalName":
        errs.append(required("spec.ports"))
    if stype in ("LoadBalancer", "NodePort") and headless:
        errs.append(invalid("spec.clusterIPs[0]", cluster_ips[0], f"may not be set to 'None' for {stype} services"))
    elif stype == "ExternalName":
        if cluster_ips:
            errs.append(forbidden("spec.clusterIPs", "may not be set for ExternalName services"))
        if as_list(spec.get("ipFamilies")):
            errs.append(forbidden("spec.ipFamilies", "may not be set for ExternalName services"))
        if spec.get("ipFamilyPolicy") is not None:
            errs.append(forbidden("spec.ipFamilyPolicy", "may not be set for ExternalName services"))
        cname = as_str(spec.get("externalName"))
        cname = cname[:-1] if cname.endswith(".") else cname  # a trailing dot means fully qualified
        if cname:
            errs.extend(_dns1123_subdomain(cname, "spec.externalName"))
        else:
            errs.append(required("spec.externalName"))
    names: set[str] = set()
    for i, port in enumerate(ports):
        errs.extend(_validate_service_port(port, len(ports) > 1, names, f"spec.ports[{i}]"))
    if spec.get("selector") is not None:
        errs.extend(validate_labels(as_labels(spec.get("selector")), "spec.selector"))
    affinity = as_str(spec.get("sessionAffinity"))
    if not affinity:
        errs.append(required("spec.sessionAffinity"))
    elif affinity not in _SESSION_AFFINITIES:
        errs.append(not_supported("spec.sessionAffinity", affinity, _SESSION_AFFINITIES))
    if affinity == "ClientIP":
        errs.extend(_validate_client_ip_affinity(spec.get("sessionAffinityConfig")))
    elif affinity == "None" and spec.get("sessionAffinityConfig") is not None:
        errs.append(forbidden("spec.sessionAffinityConfig", "must not be set when session affinity is None"))
    errs.extend(_validate_cluster_ips_related(spec, stype, cluster_ips))
    for i, ip in enumerate(as_list(spec.get("externalIPs"))):
        ip = as_str(ip)
        msgs = is_valid_ip(ip)
        if msgs:
            errs.extend(invalid_each(f"spec.externalIPs[{i}]", ip, msgs))
        else:
            errs.extend(_validate_non_special_ip(ip, f"spec.externalIPs[{i}]"))
    if not stype:
        errs.append(required("spec.type"))
    elif stype not in _SERVICE_TYPES:
        errs.append(not_supported("spec.type", stype, _SERVICE_TYPES))
    if stype == "ClusterIP":
        for i, port in enumerate(ports):
            if as_int(port.get("nodePort")) != 0:
                errs.append(forbidden(f"spec.ports[{i}].nodePort", "may not be used when `type` is 'ClusterIP'"))
    seen_node_ports: set[tuple[str, int]] = set()
    for i, port in enumerate(ports):
        node_port = as_int(port.get("nodePort"))
        if node_port == 0:
            continue
        key = (as_str(port.get("protocol")), node_port)
        if key in seen_node_ports:
            errs.append(duplicate(f"spec.ports[{i}].nodePort", node_port))
        seen_node_ports.add(key)
    seen_ports: set[tuple[str, int]] = set()
    for i, port in enumerate(ports):
        key = (as_str(port.get("protocol")), as_int(port.get("port")))
        if key in seen_ports:
            errs.append(duplicate(f"spec.ports[{i}]", go_service_port_key(*key)))
        seen_ports.add(key)
    ranges = as_list(spec.get("loadBalancerSourceRanges"))
    if ranges:
        # upstream's path really is capitalised: field.NewPath("spec").Child("LoadBalancerSourceRanges")
        if stype != "LoadBalancer":
            errs.append(forbidden("spec.LoadBalancerSourceRanges", "may only be used when `type` is 'LoadBalancer'"))
        for i, value in enumerate(ranges):
            value = as_str(value).strip()
            errs.extend(invalid_each(f"spec.LoadBalancerSourceRanges[{i}]", value, _is_valid_cidr(value)))
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
        errs.append(not_supported("spec.internalTrafficPolicy", as_str(internal), _TRAFFIC_POLICIES))
    distribution = spec.get("trafficDistribution")
    if distribution is not None and distribution != "PreferClose":
        errs.append(not_supported("spec.trafficDistribution", as_str(distribution), ("PreferClose",)))
    return errs


def _validate_client_ip_affinity(config: Any) -> list[FieldError]:
    """validateClientIPAffinityConfig."""
    path = "spec.sessionAffinityConfig"
    why = "when session affinity type is ClientIP"
    if config is None:
        return [required(path, why)]
    client_ip = as_dict(config).get("clientIP")
    if client_ip is None:
        return [required(f"{path}.clientIP", why)]
    timeout = as_dict(client_ip).get("timeoutSeconds")
    if timeout is None:
        return [required(f"{path}.clientIP.timeoutSeconds", why)]
    if not 0 < as_int(timeout) <= MAX_CLIENT_IP_SERVICE_AFFINITY_SECONDS:
        return [
            invalid(
                f"{path}.clientIP.timeoutSeconds",
                as_int(timeout),
                f"must be greater than 0 and less than {MAX_CLIENT_IP_SERVICE_AFFINITY_SECONDS}",
            )
        ]
    return []


def _validate_cluster_ips_related(spec: dict, stype: str, cluster_ips: list[str]) -> list[FieldError]:
    """ValidateServiceClusterIPsRelatedFields."""
    if stype == "ExternalName":
        return []
    errs: list[FieldError] = []
    cluster_ip = as_str(spec.get("clusterIP"))
    if cluster_ip:
        if not cluster_ips:
            errs.append(required("spec.clusterIPs"))
        elif cluster_ips[0] != cluster_ip:
            errs.append(invalid("spec.clusterIPs", cluster_ips, "first value must match `clusterIP`"))
    elif cluster_ips:
        errs.append(invalid("spec.clusterIPs", cluster_ips, "must be empty when `clusterIP` is not specified"))
    seen: set[str] = set()
    for i, family in enumerate(as_list(spec.get("ipFamilies"))):
        family = as_str(family)
        if family not in _IP_FAMILIES:
            errs.append(not_supported(f"spec.ipFamilies[{i}]", family, _IP_FAMILIES))
        if family in seen:
            errs.append(duplicate(f"spec.ipFamilies[{i}]", family))
        seen.add(family)
    policy = spec.get("ipFamilyPolicy")
    if policy is not None and policy not in _IP_FAMILY_POLICIES:
        errs.append(not_supported("spec.ipFamilyPolicy", as_str(policy), _IP_FAMILY_POLICIES))
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
            errs.extend(invalid_each(f"spec.clusterIPs[{i}]", ip, msgs))
    if len(cluster_ips) > 2:
        errs.append(invalid("spec.clusterIPs", cluster_ips, "may only hold up to 2 values"))
    if has_invalid:
        return errs
    if len(cluster_ips) > 1:
        versions = {ipaddress.ip_address(ip).version for ip in cluster_ips if ip != "None"}
        if len(versions) != len(cluster_ips):
            errs.append(invalid("spec.clusterIPs", cluster_ips, "may specify no more than one IP for each IP family"))
    families = [as_str(f) for f in as_list(spec.get("ipFamilies"))]
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
    accessible = stype in ("LoadBalancer", "NodePort") or (
        stype == "ClusterIP" and bool(as_list(spec.get("externalIPs")))
    )
    if not accessible:
        if policy:
            errs.append(
                invalid(
                    "spec.externalTrafficPolicy", as_str(policy), "may only be set for externally-accessible services"
                )
            )
    elif not policy:
        errs.append(required("spec.externalTrafficPolicy"))
    elif policy not in _TRAFFIC_POLICIES:
        errs.append(not_supported("spec.externalTrafficPolicy", as_str(policy), _TRAFFIC_POLICIES))
    hc = as_int(spec.get("healthCheckNodePort"))
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
        errs.extend(invalid_each("spec.healthCheckNodePort", hc, is_valid_port_num(hc)))
    return errs


# ---------------------------------------------------------------------------------------------
# Nodes and namespaces
# ---------------------------------------------------------------------------------------------


def _validate_node_taints(taints: Any) -> list[FieldError]:
    """validateNodeTaints. Upstream passes field.NewPath("metadata").Child("taints"), so the
    errors really read `metadata.taints[0].effect` although the field is spec.taints."""
    errs: list[FieldError] = []
    seen: dict[str, set[str]] = {}
    for i, taint in enumerate(as_list(taints)):
        taint = as_dict(taint)
        path = f"metadata.taints[{i}]"
        key, value, effect = as_str(taint.get("key")), as_str(taint.get("value")), as_str(taint.get("effect"))
        errs.extend(validate_label_name(key, f"{path}.key"))
        msgs = is_valid_label_value(value)
        if msgs:
            errs.append(invalid(f"{path}.value", value, ";".join(msgs)))
        errs.extend(_validate_taint_effect(effect, False, f"{path}.effect"))
        if key in seen.get(effect, ()):
            errs.append(FieldError(DUPLICATE, path, go_taint(taint), "taints must be unique by key and effect pair"))
            continue
        seen.setdefault(effect, set()).add(key)
    return errs


def _validate_pod_cidrs(spec: dict) -> list[FieldError]:
    cidrs = [as_str(c) for c in as_list(spec.get("podCIDRs"))]
    errs: list[FieldError] = []
    for i, cidr in enumerate(cidrs):
        errs.extend(invalid_each(f"spec.podCIDRs[{i}]", cidr, _is_valid_cidr(cidr)))
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


def validate_node(obj: dict, old: dict | None) -> list[FieldError]:
    spec = as_dict(obj.get("spec"))
    if old is None:
        errs = validate_object_meta(obj.get("metadata"), False, "dns1123-subdomain")
        if as_list(spec.get("taints")):
            errs.extend(_validate_node_taints(spec.get("taints")))
        errs.extend(_validate_pod_cidrs(spec))
        return errs
    old_spec = as_dict(old.get("spec"))
    errs = validate_object_meta_update(obj.get("metadata"), old.get("metadata"))
    old_cidrs = [as_str(c) for c in as_list(old_spec.get("podCIDRs"))]
    new_cidrs = [as_str(c) for c in as_list(spec.get("podCIDRs"))]
    message = 'node updates may not change podCIDR except from "" to valid'
    if old_cidrs:
        if len(old_cidrs) != len(new_cidrs):
            errs.append(forbidden("spec.podCIDRs", message))
        else:
            errs.extend(
                forbidden("spec.podCIDRs", message) for a, b in zip(old_cidrs, new_cidrs, strict=False) if a != b
            )
    old_provider = as_str(old_spec.get("providerID"))
    if old_provider and old_provider != as_str(spec.get("providerID")):
        errs.append(forbidden("spec.providerID", 'node updates may not change providerID except from "" to valid'))
    if as_list(spec.get("taints")):
        errs.extend(_validate_node_taints(spec.get("taints")))
    if as_str(spec.get("externalID")) != as_str(old_spec.get("externalID")):
        errs.append(forbidden("spec.externalID", "may not be updated"))
    return errs


def validate_namespace(obj: dict, old: dict | None) -> list[FieldError]:
    if old is not None:
        return validate_object_meta_update(obj.get("metadata"), old.get("metadata"))
    errs = validate_object_meta(obj.get("metadata"), False, "dns1123-label")
    # validateFinalizerName, called with the list's path for every item (no index)
    for finalizer in as_list(as_dict(obj.get("spec")).get("finalizers")):
        finalizer = as_str(finalizer)
        errs.extend(invalid_each("spec.finalizers", finalizer, is_qualified_name(finalizer)))
        if "/" not in finalizer and finalizer not in STANDARD_FINALIZERS:
            errs.append(
                invalid(
                    "spec.finalizers", finalizer, "name is neither a standard finalizer name nor is it fully qualified"
                )
            )
    return errs
