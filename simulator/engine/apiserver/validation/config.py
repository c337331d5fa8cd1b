"""Validation of the core group's plain stored kinds: ConfigMaps, Secrets and ServiceAccounts.

Source: pkg/apis/core/validation/validation.go (Kubernetes 1.33): ValidateConfigMap(Update),
ValidateSecret(Update), ValidateServiceAccount(Update); the size limit is core.MaxSecretSize
(1 MiB), counted over the decoded values of `data` (and a ConfigMap's `binaryData`).

A Secret's `data` values travel base64-encoded (Go's []byte in JSON); decoding checked them
(apiserver/decode.py), and `stringData` was merged into `data` before validation
(defaults.default_secret, as the v1 -> internal conversion does), so its keys are checked here
as `data[...]`.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from ...errors import FieldError, forbidden, invalid, required, too_long
from .fields import as_dict, as_str, semantically_equal
from .meta import validate_object_meta, validate_object_meta_update
from .names import is_config_map_key

MAX_SECRET_SIZE = 1024 * 1024  # core.MaxSecretSize, also the ConfigMap limit
IMMUTABLE_SET = "field is immutable when `immutable` is set"

# core.SecretType* and the keys each type requires
SERVICE_ACCOUNT_TOKEN = "kubernetes.io/service-account-token"
SERVICE_ACCOUNT_NAME_KEY = "kubernetes.io/service-account.name"
DOCKERCFG = ("kubernetes.io/dockercfg", ".dockercfg")
DOCKER_CONFIG_JSON = ("kubernetes.io/dockerconfigjson", ".dockerconfigjson")
BASIC_AUTH = "kubernetes.io/basic-auth"
SSH_AUTH = "kubernetes.io/ssh-auth"
TLS = "kubernetes.io/tls"


def decoded_size(value: Any) -> int:
    """The byte length of one base64 `data` value (0 for what decoding already refused)."""
    try:
        return len(base64.b64decode(as_str(value), validate=True))
    except (binascii.Error, ValueError):
        return 0


def _decoded(value: Any) -> bytes:
    try:
        return base64.b64decode(as_str(value), validate=True)
    except (binascii.Error, ValueError):
        return b""


def _keys(data: dict, path: str) -> list[FieldError]:
    return [invalid(f"{path}[{key}]", key, msg) for key in sorted(data) for msg in is_config_map_key(str(key))]


def validate_config_map(obj: dict, old: dict | None) -> list[FieldError]:
    errs: list[FieldError] = []
    if old is not None:
        errs += validate_object_meta_update(obj.get("metadata"), old.get("metadata"))
        if old.get("immutable") is True:
            if obj.get("immutable") is not True:
                errs.append(forbidden("immutable", IMMUTABLE_SET))
            if not semantically_equal(obj.get("data"), old.get("data")):
                errs.append(forbidden("data", IMMUTABLE_SET))
            if not semantically_equal(obj.get("binaryData"), old.get("binaryData")):
                errs.append(forbidden("binaryData", IMMUTABLE_SET))
    errs += validate_object_meta(obj.get("metadata"), True, "dns1123-subdomain")
    data, binary = as_dict(obj.get("data")), as_dict(obj.get("binaryData"))
    errs += _keys(data, "data")
    total = sum(len(as_str(v).encode("utf-8")) for v in data.values())
    for key in sorted(binary):
        errs += [invalid(f"binaryData[{key}]", key, msg) for msg in is_config_map_key(str(key))]
        if key in data:
            errs.append(invalid(f"binaryData[{key}]", key, "duplicate of key present in data"))
        total += decoded_size(binary[key])
    if total > MAX_SECRET_SIZE:
        errs.append(too_long("", MAX_SECRET_SIZE))  # the path "": the whole object
    return errs


def _docker_config(data: dict, key: str) -> list[FieldError]:
    if key not in data:
        return [required(f"data[{key}]")]
    try:
        parsed = json.loads(_decoded(data[key]) or b"null")
    except ValueError as exc:
        return [invalid(f"data[{key}]", "<secret contents redacted>", _go_json_error(exc))]
    if not isinstance(parsed, dict):
        # json.Unmarshal into a map of a non-object: the Go error names the JSON value's kind.
        what = "array" if isinstance(parsed, list) else "string" if isinstance(parsed, str) else "number"
        if parsed is None:
            return [invalid(f"data[{key}]", "<secret contents redacted>", "unexpected end of JSON input")]
        if isinstance(parsed, bool):
            what = "bool"
        return [
            invalid(
                f"data[{key}]",
                "<secret contents redacted>",
                f"json: cannot unmarshal {what} into Go value of type map[string]interface {{}}",
            )
        ]
    return []


def _go_json_error(exc: ValueError) -> str:
    """encoding/json's words for a syntax error, near enough: which character surprised it."""
    if isinstance(exc, json.JSONDecodeError) and exc.pos < len(exc.doc):
        return f"invalid character {exc.doc[exc.pos]!r} looking for beginning of value"
    return "unexpected end of JSON input"


def _secret_type(obj: dict, data: dict) -> list[FieldError]:
    kind = as_str(obj.get("type"))
    if kind == SERVICE_ACCOUNT_TOKEN:
        annotations = as_dict(as_dict(obj.get("metadata")).get("annotations"))
        if not annotations.get(SERVICE_ACCOUNT_NAME_KEY):
            return [required(f"metadata.annotations[{SERVICE_ACCOUNT_NAME_KEY}]")]
    elif kind == DOCKERCFG[0]:
        return _docker_config(data, DOCKERCFG[1])
    elif kind == DOCKER_CONFIG_JSON[0]:
        return _docker_config(data, DOCKER_CONFIG_JSON[1])
    elif kind == BASIC_AUTH:
        if "username" not in data and "password" not in data:
            return [required("data[username]"), required("data[password]")]
    elif kind == SSH_AUTH:
        if not _decoded(data.get("ssh-privatekey")):
            return [required("data[ssh-privatekey]")]
    elif kind == TLS:
        return [required(f"data[{key}]") for key in ("tls.crt", "tls.key") if key not in data]
    return []  # Opaque, "" and any other type: no rule


def validate_secret(obj: dict, old: dict | None) -> list[FieldError]:
    errs: list[FieldError] = []
    if old is not None:
        errs += validate_object_meta_update(obj.get("metadata"), old.get("metadata"))
        if as_str(obj.get("type")) != as_str(old.get("type")):
            errs.append(invalid("type", as_str(obj.get("type")), "field is immutable"))
        if old.get("immutable") is True:
            if obj.get("immutable") is not True:
                errs.append(forbidden("immutable", IMMUTABLE_SET))
            if not semantically_equal(obj.get("data"), old.get("data")):
                errs.append(forbidden("data", IMMUTABLE_SET))
    errs += validate_object_meta(obj.get("metadata"), True, "dns1123-subdomain")
    data = as_dict(obj.get("data"))
    errs += _keys(data, "data")
    if sum(decoded_size(v) for v in data.values()) > MAX_SECRET_SIZE:
        errs.append(too_long("data", MAX_SECRET_SIZE))
    errs += _secret_type(obj, data)
    return errs


def validate_service_account(obj: dict, old: dict | None) -> list[FieldError]:
    errs: list[FieldError] = []
    if old is not None:
        errs += validate_object_meta_update(obj.get("metadata"), old.get("metadata"))
    errs += validate_object_meta(obj.get("metadata"), True, "dns1123-subdomain")
    return errs
