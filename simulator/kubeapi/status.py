"""metav1.Status: every error the API answers, in the API server's words.

Wordings and codes: k8s.io/apimachinery/pkg/api/errors/errors.go (NewNotFound, NewAlreadyExists,
NewConflict, NewInvalid, NewForbidden, NewBadRequest, NewMethodNotSupported, NewGone,
NewInternalError), the registry's optimistic-lock message (apiserver/pkg/registry/generic/
registry/store.go OptimisticLockErrorMsg), and handlers' transformDecodeError for bodies that do
not decode ("<Kind> in version "v1" cannot be handled as a <Kind>: ..."). kubectl prints
`Error from server (<reason>): <message>`, and for Invalid one `* <field>: <cause>` line per
cause.

`ApiError` is the exception the pure functions raise; `.status` is the body, `.code` the HTTP code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

OPTIMISTIC_LOCK_MESSAGE = "the object has been modified; please apply your changes to the latest version and try again"
NOT_FOUND_PATH = "the server could not find the requested resource"


@dataclass(frozen=True)
class Cause:
    """metav1.StatusCause. `reason` is a field.ErrorType's CauseType (FieldValueInvalid,
    FieldValueRequired, FieldValueNotSupported, FieldValueDuplicate, ...) or a free word."""

    reason: str
    message: str
    field: str | None = None

    def to_dict(self) -> dict:
        out = {"reason": self.reason, "message": self.message}
        if self.field is not None:
            out["field"] = self.field
        return out


class ApiError(Exception):
    def __init__(
        self,
        code: int,
        reason: str,
        message: str,
        *,
        name: str | None = None,
        group: str | None = None,
        kind: str | None = None,
        causes: tuple[Cause, ...] = (),
        retry_after: int | None = None,
    ):
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = {"name": name, "group": group, "kind": kind}
        self.causes = causes
        self.retry_after = retry_after

    @property
    def status(self) -> dict:
        """The Status body as the API server encodes it (empty details left out)."""
        details = {k: v for k, v in self.details.items() if v}
        if self.causes:
            details["causes"] = [c.to_dict() for c in self.causes]
        if self.retry_after is not None:
            details["retryAfterSeconds"] = self.retry_after
        body = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
        }
        if details:
            body["details"] = details
        body["code"] = self.code
        return body


def success(*, name: str, group: str, kind: str, uid: str) -> dict:
    """What DELETE answers once an object is gone (`{"status":"Success","details":{...}}`)."""
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Success",
        "details": {"name": name, "group": group, "kind": kind, "uid": uid},
    }


def not_found(resource, name: str) -> ApiError:
    """`pods "nope" not found`, `deployments.apps "web" not found`; details.kind is the resource."""
    return ApiError(
        404,
        "NotFound",
        f'{resource.qualified_resource} "{name}" not found',
        name=name,
        group=resource.group,
        kind=resource.resource,
    )


def unknown_path() -> ApiError:
    """A URL that names no served resource (the API server's NotFound handler)."""
    return ApiError(404, "NotFound", NOT_FOUND_PATH)


def already_exists(resource, name: str) -> ApiError:
    return ApiError(
        409,
        "AlreadyExists",
        f'{resource.qualified_resource} "{name}" already exists',
        name=name,
        group=resource.group,
        kind=resource.resource,
    )


def conflict(resource, name: str, reason: str = OPTIMISTIC_LOCK_MESSAGE) -> ApiError:
    """`Operation cannot be fulfilled on deployments.apps "web": the object has been modified; ...`"""
    return ApiError(
        409,
        "Conflict",
        f'Operation cannot be fulfilled on {resource.qualified_resource} "{name}": {reason}',
        name=name,
        group=resource.group,
        kind=resource.resource,
    )


@dataclass(frozen=True)
class FieldError:
    """field.Error: `type` is the ErrorType's text ("Invalid value", "Required value",
    "Unsupported value", "Duplicate value", "Forbidden", "Not found", "Too long", "Too many",
    "Internal error"), `detail` the explanation, `value` the bad value (or None)."""

    field: str
    type: str
    detail: str = ""
    value: object = None
    show_value: bool = True

    CAUSE_TYPES = {
        "Invalid value": "FieldValueInvalid",
        "Required value": "FieldValueRequired",
        "Unsupported value": "FieldValueNotSupported",
        "Duplicate value": "FieldValueDuplicate",
        "Forbidden": "FieldValueForbidden",
        "Not found": "FieldValueNotFound",
        "Too long": "FieldValueTooLong",
        "Too many": "FieldValueTooMany",
        "Internal error": "InternalError",
    }

    def body(self) -> str:
        """field.Error.ErrorBody(): `Invalid value: "Bad_Name": a lowercase RFC 1123 ...`."""
        text = self.type
        if self.show_value and self.type in ("Invalid value", "Unsupported value", "Duplicate value", "Not found"):
            text += f": {_go_value(self.value)}"
        if self.detail:
            text += f": {self.detail}"
        return text

    def error(self) -> str:
        return f"{self.field}: {self.body()}"

    def cause(self) -> Cause:
        return Cause(self.CAUSE_TYPES.get(self.type, "FieldValueInvalid"), self.body(), self.field)


def _go_value(value: object) -> str:
    """How field.Error prints a value: strings quoted (%q), numbers and bools bare, nil as <nil>."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(value)


def invalid(resource, name: str, errors: list[FieldError]) -> ApiError:
    """422 Invalid: `Deployment.apps "Bad_Name" is invalid: metadata.name: Invalid value: ...`
    (several errors as utilerrors.Aggregate prints them: `[a, b]`); one cause per error."""
    texts = [e.error() for e in errors]
    joined = texts[0] if len(texts) == 1 else "[" + ", ".join(texts) + "]"
    return ApiError(
        422,
        "Invalid",
        f'{resource.qualified_kind} "{name}" is invalid: {joined}',
        name=name,
        group=resource.group,
        kind=resource.kind,
        causes=tuple(e.cause() for e in errors),
    )


_UNKNOWN_FIELD = re.compile(r'unknown field "([^"]+)"')


# What the JSON decoder itself refuses (a value of the wrong type, bad base64 in a []byte, a
# quantity that does not parse): the 400 of transformDecodeError, not a validation error.
_DECODE_ERROR = re.compile(
    r"(json: cannot unmarshal |illegal base64 data at input byte |quantities must match |unable to parse quantity)"
)


def from_field_messages(resource, name: str, errors: list[tuple[str | None, str]]) -> ApiError:
    """The Status for validation errors given as (field path, message body) pairs, the form the
    engine's apply diagnostics take (`("spec.replicas", "Invalid value: -1: must be greater
    than or equal to 0")`): a strict decoding failure is the 400 of `strict_decoding`,
    anything else the 422 Invalid with one cause per field (the cause's reason read from the
    message's field.ErrorType)."""
    unknown = [
        m for _, message in errors for m in _UNKNOWN_FIELD.findall(message) if "strict decoding error" in message
    ]
    if unknown:
        return strict_decoding(resource.kind, resource.version, unknown)
    undecodable = next((message for _, message in errors if _DECODE_ERROR.match(message)), None)
    if undecodable is not None:
        return cannot_decode(resource.kind, resource.version, undecodable)
    texts, causes = [], []
    for field, message in errors:
        texts.append(f"{field}: {message}" if field else message)
        kind = next((t for t in FieldError.CAUSE_TYPES if message.startswith(t)), None)
        causes.append(Cause(FieldError.CAUSE_TYPES.get(kind, "FieldValueInvalid"), message, field))
    joined = texts[0] if len(texts) == 1 else "[" + ", ".join(texts) + "]"
    return ApiError(
        422,
        "Invalid",
        f'{resource.qualified_kind} "{name}" is invalid: {joined}',
        name=name,
        group=resource.group,
        kind=resource.kind,
        causes=tuple(causes),
    )


def forbidden(resource, name: str | None, reason: str) -> ApiError:
    """`pods "x" is forbidden: User "alice" cannot delete resource "pods" in API group "" in the
    namespace "default"` (without a name: `pods is forbidden: ...`)."""
    head = f'{resource.qualified_resource} "{name}"' if name else resource.qualified_resource
    return ApiError(
        403,
        "Forbidden",
        f"{head} is forbidden: {reason}",
        name=name,
        group=resource.group,
        kind=resource.resource,
    )


def rbac_denial(user: str, verb: str, resource, namespace: str | None) -> str:
    """The RBAC authorizer's reason text, as the API server puts it after `is forbidden:`."""
    where = f' in the namespace "{namespace}"' if namespace and resource.namespaced else ""
    scope = "" if resource.namespaced else " at the cluster scope"
    return f'User "{user}" cannot {verb} resource "{resource.resource}" in API group "{resource.group}"{where}{scope}'


def bad_request(message: str) -> ApiError:
    return ApiError(400, "BadRequest", message)


def cannot_decode(kind: str, version: str, detail: str) -> ApiError:
    """transformDecodeError: `Pod in version "v1" cannot be handled as a Pod: <detail>`."""
    return bad_request(f'{kind} in version "{version}" cannot be handled as a {kind}: {detail}')


def strict_decoding(kind: str, version: str, unknown_fields: list[str]) -> ApiError:
    """fieldValidation=Strict: `... strict decoding error: unknown field "spec.replica", unknown field "x"`."""
    detail = "strict decoding error: " + ", ".join(f'unknown field "{f}"' for f in unknown_fields)
    return cannot_decode(kind, version, detail)


def method_not_supported(resource, action: str) -> ApiError:
    """`deletecollection is not supported on resources of kind "namespaces"`."""
    return ApiError(
        405,
        "MethodNotAllowed",
        f'{action} is not supported on resources of kind "{resource.qualified_resource}"',
        group=resource.group,
        kind=resource.resource,
    )


def unsupported_media_type() -> ApiError:
    return ApiError(
        415,
        "UnsupportedMediaType",
        "the body of the request was in an unknown format - accepted media types include: "
        "application/json, application/yaml, application/vnd.kubernetes.protobuf",
    )


def gone(message: str) -> ApiError:
    """410 Expired, e.g. `too old resource version: 5 (12)` for a watch the history cannot serve."""
    return ApiError(410, "Expired", message)


def internal(message: str) -> ApiError:
    return ApiError(500, "InternalError", f"Internal error occurred: {message}")
