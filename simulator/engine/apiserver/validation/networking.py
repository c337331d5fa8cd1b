"""Validation of the networking group: Ingresses and IngressClasses.

Source: pkg/apis/networking/validation/validation.go (ValidateIngressCreate/Update,
ValidateIngressSpec, ValidateIngressClass(Update), validateIngressClassParametersReference).
"""

from __future__ import annotations

from ...errors import (
    FieldError,
    forbidden,
    invalid,
    not_supported,
    required,
    too_long,
)
from ...netaddr import is_ip
from .fields import GoLiteral, as_dict, as_int, as_labels, as_list, as_str, immutable, invalid_each
from .meta import validate_object_meta, validate_object_meta_update
from .names import (
    is_dns1035_label,
    is_dns1123_label,
    is_dns1123_subdomain,
    is_domain_prefixed_path,
    is_valid_port_name,
    is_valid_port_num,
    is_wildcard_dns1123_subdomain,
)

# ---------------------------------------------------------------------------------------------
# Ingress
# ---------------------------------------------------------------------------------------------

_PATH_TYPES = ("Exact", "ImplementationSpecific", "Prefix")  # supportedPathTypes.List(): sorted
_INVALID_PATH_SEQUENCES = ("//", "/./", "/../", "%2f", "%2F")
_INVALID_PATH_SUFFIXES = ("/..", "/.")


def _validate_ingress_backend(backend: dict, path: str) -> list[FieldError]:
    """validateIngressBackend (networking/v1 field names)."""
    has_resource = backend.get("resource") is not None
    service = backend.get("service")
    if has_resource and service is not None:
        return [invalid(path, "", "cannot set both resource and service backends")]
    if has_resource:
        resource = as_dict(backend.get("resource"))
        errs = []
        if not as_str(resource.get("kind")):
            errs.append(required(f"{path}.resource.kind", "kind is required"))
        if not as_str(resource.get("name")):
            errs.append(required(f"{path}.resource.name", "name is required"))
        return errs
    if service is None:
        return [invalid(path, "", "resource or service backend is required")]
    service = as_dict(service)
    errs: list[FieldError] = []
    name = as_str(service.get("name"))
    if not name:
        errs.append(required(f"{path}.service.name"))
    else:
        errs.extend(invalid_each(f"{path}.service.name", name, is_dns1035_label(name)))
    port = as_dict(service.get("port"))
    port_name, port_number = as_str(port.get("name")), as_int(port.get("number"))
    if port_name and port_number:
        errs.append(invalid(path, "", "cannot set both port name & port number"))
    elif port_name:
        errs.extend(invalid_each(f"{path}.service.port.name", port_name, is_valid_port_name(port_name)))
    elif port_number:
        errs.extend(invalid_each(f"{path}.service.port.number", port_number, is_valid_port_num(port_number)))
    else:
        errs.append(required(path, "port name or number is required"))
    return errs


def _validate_http_path(p: dict, path: str) -> list[FieldError]:
    """validateHTTPIngressPath."""
    path_type = p.get("pathType")
    if path_type is None:
        return [required(f"{path}.pathType", "pathType must be specified")]
    value = as_str(p.get("path"))
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
        errs.append(not_supported(f"{path}.pathType", as_str(path_type), _PATH_TYPES))
    errs.extend(_validate_ingress_backend(as_dict(p.get("backend")), f"{path}.backend"))
    return errs


def validate_ingress(obj: dict, old: dict | None) -> list[FieldError]:
    spec = as_dict(obj.get("spec"))
    meta = as_dict(obj.get("metadata"))
    errs = [] if old is None else validate_object_meta_update(meta, old.get("metadata"))
    errs.extend(validate_object_meta(meta, True, "dns1123-subdomain"))
    # ValidateIngressSpec
    rules = spec.get("rules")
    default_backend = spec.get("defaultBackend")
    if not as_list(rules) and default_backend is None:
        shown = GoLiteral("[]networking.IngressRule(nil)" if rules is None else "[]networking.IngressRule{}")
        errs.append(invalid("spec", shown, "either `defaultBackend` or `rules` must be specified"))
    if default_backend is not None:
        errs.extend(_validate_ingress_backend(as_dict(default_backend), "spec.defaultBackend"))
    for i, rule in enumerate(as_list(rules)):
        rule = as_dict(rule)
        host = as_str(rule.get("host"))
        if host:
            if is_ip(host):
                errs.append(invalid(f"spec.rules[{i}].host", host, "must be a DNS name, not an IP address"))
            if "*" in host:
                errs.extend(invalid_each(f"spec.rules[{i}].host", host, is_wildcard_dns1123_subdomain(host)))
            else:
                errs.extend(invalid_each(f"spec.rules[{i}].host", host, is_dns1123_subdomain(host)))
        http = rule.get("http")
        if http is not None:
            paths = as_list(as_dict(http).get("paths"))
            if not paths:
                errs.append(required(f"spec.rules[{i}].http.paths"))
            for j, p in enumerate(paths):
                errs.extend(_validate_http_path(as_dict(p), f"spec.rules[{i}].http.paths[{j}]"))
    for t, tls in enumerate(as_list(spec.get("tls"))):
        tls = as_dict(tls)
        for h, host in enumerate(as_list(tls.get("hosts"))):
            host = as_str(host)
            check = is_wildcard_dns1123_subdomain if "*" in host else is_dns1123_subdomain
            errs.extend(invalid_each(f"spec.tls[{t}].hosts[{h}]", host, check(host)))
        secret = as_str(tls.get("secretName"))
        if secret:
            errs.extend(invalid_each(f"spec.tls[{t}].secretName", secret, is_dns1123_subdomain(secret)))
    class_name = spec.get("ingressClassName")
    if class_name is not None:
        errs.extend(invalid_each("spec.ingressClassName", as_str(class_name), is_dns1123_subdomain(as_str(class_name))))
    if old is None:
        annotation = as_labels(meta.get("annotations")).get("kubernetes.io/ingress.class")
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
# IngressClass
# ---------------------------------------------------------------------------------------------

MAX_LEN_INGRESS_CLASS_CONTROLLER = 250  # maxLenIngressClassController
_PARAMETER_SCOPES = ("Cluster", "Namespace")  # sorted


def _path_segment_name(value: str) -> list[str]:
    """path.IsValidPathSegmentName: a name that goes into a URL path as one segment."""
    if value in (".", ".."):
        return [f"may not be '{value}'"]
    return [f"may not contain '{c}'" for c in "/%" if c in value]


def _validate_parameters(params, path: str) -> list[FieldError]:
    """validateIngressClassParametersReference (with validateIngressTypedLocalObjectReference)."""
    if params is None:
        return []
    params = as_dict(params)
    errs: list[FieldError] = []
    group = params.get("apiGroup")
    if group is not None:
        errs.extend(invalid_each(f"{path}.apiGroup", as_str(group), is_dns1123_subdomain(as_str(group))))
    for key in ("kind", "name"):
        value = as_str(params.get(key))
        if not value:
            errs.append(required(f"{path}.{key}", f"{key} is required"))
        else:
            errs.extend(invalid_each(f"{path}.{key}", value, _path_segment_name(value)))
    scope = params.get("scope")
    if scope is None:
        errs.append(required(f"{path}.scope"))
        return errs
    if scope not in _PARAMETER_SCOPES:
        errs.append(not_supported(f"{path}.scope", scope, _PARAMETER_SCOPES))
    elif scope == "Namespace":
        namespace = params.get("namespace")
        if namespace is None:
            errs.append(required(f"{path}.namespace", "`parameters.scope` is set to 'Namespace'"))
        else:
            errs.extend(invalid_each(f"{path}.namespace", as_str(namespace), is_dns1123_label(as_str(namespace))))
    elif params.get("namespace") is not None:
        errs.append(forbidden(f"{path}.namespace", "`parameters.scope` is set to 'Cluster'"))
    return errs


def validate_ingress_class(obj: dict, old: dict | None) -> list[FieldError]:
    """ValidateIngressClass, and on update ValidateIngressClassUpdate: spec.controller is
    immutable (a class names the controller that implements it for good)."""
    meta = as_dict(obj.get("metadata"))
    spec = as_dict(obj.get("spec"))
    errs: list[FieldError] = []
    if old is not None:
        errs.extend(validate_object_meta_update(meta, old.get("metadata")))
        old_controller = as_str(as_dict(old.get("spec")).get("controller"))
        errs.extend(immutable(as_str(spec.get("controller")), old_controller, "spec.controller"))
    errs.extend(validate_object_meta(meta, False, "dns1123-subdomain"))
    controller = as_str(spec.get("controller"))
    if len(controller.encode("utf-8")) > MAX_LEN_INGRESS_CLASS_CONTROLLER:
        errs.append(too_long("spec.controller", MAX_LEN_INGRESS_CLASS_CONTROLLER))
    errs.extend(is_domain_prefixed_path("spec.controller", controller))
    errs.extend(_validate_parameters(spec.get("parameters"), "spec.parameters"))
    return errs
