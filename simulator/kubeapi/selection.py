"""List requests: label and field selectors, and the List object a collection GET answers.

Field selectors: k8s.io/apimachinery/pkg/fields (ParseSelector: `a=b`, `a==b`, `a!=b`, joined
by commas, `\\` escaping `,`, `=`, `!` and itself) and, per resource, the fields its registry
supports (pkg/registry/<group>/<resource>/strategy.go GetAttrs / ToSelectableFields, and the
field label conversions of pkg/apis/<group>/v1/conversion.go): every resource has
metadata.name and metadata.namespace; pods add spec.nodeName, status.phase and friends (what
`describe node` sends); events add involvedObject.*, reason, source, type (what `describe`
sends). A field the resource does not support is a 400 `field label not supported: <field>`.
Label selectors are the engine's port of apimachinery's labels package.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from . import engine_port, status

_COMMON = ("metadata.name", "metadata.namespace")


def _get(path: str) -> Callable[[dict], str]:
    keys = path.split(".")

    def read(obj: dict) -> str:
        value: object = obj
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        if isinstance(value, bool):
            return "true" if value else "false"
        return "" if value is None else str(value)

    return read


def _pod_ips(obj: dict) -> str:
    return ",".join(p.get("ip", "") for p in (obj.get("status") or {}).get("podIPs") or ())


def _source(obj: dict) -> str:
    """events' `source` field: source.component, else reportingComponent."""
    return (obj.get("source") or {}).get("component") or obj.get("reportingComponent") or ""


_EXTRA: dict[str, dict[str, Callable[[dict], str]]] = {
    "Pod": {
        "spec.nodeName": _get("spec.nodeName"),
        "spec.restartPolicy": _get("spec.restartPolicy"),
        "spec.schedulerName": _get("spec.schedulerName"),
        "spec.serviceAccountName": _get("spec.serviceAccountName"),
        "spec.hostNetwork": lambda o: "true" if (o.get("spec") or {}).get("hostNetwork") else "false",
        "status.phase": _get("status.phase"),
        "status.podIP": _get("status.podIP"),
        "status.podIPs": _pod_ips,
        "status.nominatedNodeName": _get("status.nominatedNodeName"),
    },
    "Event": {
        "involvedObject.kind": _get("involvedObject.kind"),
        "involvedObject.namespace": _get("involvedObject.namespace"),
        "involvedObject.name": _get("involvedObject.name"),
        "involvedObject.uid": _get("involvedObject.uid"),
        "involvedObject.apiVersion": _get("involvedObject.apiVersion"),
        "involvedObject.resourceVersion": _get("involvedObject.resourceVersion"),
        "involvedObject.fieldPath": _get("involvedObject.fieldPath"),
        "reason": _get("reason"),
        "reportingComponent": _get("reportingComponent"),
        "source": _source,
        "type": _get("type"),
    },
    "Namespace": {"status.phase": _get("status.phase")},
    "Node": {"spec.unschedulable": lambda o: "true" if (o.get("spec") or {}).get("unschedulable") else "false"},
    "Secret": {"type": _get("type")},
    "ReplicaSet": {"status.replicas": _get("status.replicas")},
    "Job": {"status.successful": _get("status.succeeded")},
    "Service": {"spec.clusterIP": _get("spec.clusterIP"), "spec.type": _get("spec.type")},
}


def supported_fields(kind: str) -> tuple[str, ...]:
    return (*_COMMON, *_EXTRA.get(kind, {}))


@dataclass(frozen=True)
class FieldRequirement:
    field: str
    operator: str  # "=" or "!="
    value: str

    def __str__(self) -> str:
        return f"{self.field}{self.operator}{self.value}"


def _split_unescaped(text: str, separator: str) -> list[str]:
    parts, current, escaped = [], [], False
    for char in text:
        if escaped:
            current.append("\\" + char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    if escaped:
        current.append("\\")
    parts.append("".join(current))
    return parts


def _unescape(text: str) -> str:
    out, escaped = [], False
    for char in text:
        if escaped:
            out.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        else:
            out.append(char)
    return "".join(out)


def parse_field_selector(text: str | None) -> tuple[FieldRequirement, ...]:
    """fields.ParseSelector. Raises ApiError 400 with apimachinery's message on bad syntax."""
    if not text:
        return ()
    requirements = []
    for part in _split_unescaped(text, ","):
        if not part:
            continue
        for operator in ("!=", "==", "="):
            index = _find_unescaped(part, operator)
            if index >= 0:
                field, value = part[:index], part[index + len(operator) :]
                requirements.append(
                    FieldRequirement(_unescape(field), "!=" if operator == "!=" else "=", _unescape(value))
                )
                break
        else:
            raise status.bad_request(f"invalid selector: '{text}'; can't understand '{part}'")
    return tuple(requirements)


def _find_unescaped(text: str, needle: str) -> int:
    index = 0
    while index < len(text):
        if text[index] == "\\":
            index += 2
            continue
        if text.startswith(needle, index):
            return index
        index += 1
    return -1


def field_predicate(kind: str, requirements: Iterable[FieldRequirement]) -> Callable[[dict], bool]:
    """A test for objects of `kind`; raises ApiError 400 for a field the resource does not support."""
    readers = {"metadata.name": _get("metadata.name"), "metadata.namespace": _get("metadata.namespace")}
    readers.update(_EXTRA.get(kind, {}))
    checks = []
    for req in requirements:
        reader = readers.get(req.field)
        if reader is None:
            raise status.bad_request(f"field label not supported: {req.field}")
        checks.append((reader, req.operator == "=", req.value))

    def matches(obj: dict) -> bool:
        return all((reader(obj) == value) == equal for reader, equal, value in checks)

    return matches


def label_predicate(text: str | None) -> Callable[[dict], bool]:
    """labels.Parse of `labelSelector`; raises ApiError 400 with apimachinery's message."""
    if not text:
        return lambda obj: True
    try:
        selector = engine_port.parse_label_selector(text)
    except engine_port.SelectorError as exc:
        raise status.bad_request(str(exc)) from None
    return lambda obj: selector.matches((obj.get("metadata") or {}).get("labels") or {})


@dataclass(frozen=True)
class ListQuery:
    """What a collection GET asks for: namespace (None for all), selectors, limit."""

    namespace: str | None = None
    label_selector: str | None = None
    field_selector: str | None = None

    def predicate(self, kind: str) -> Callable[[dict], bool]:
        by_label = label_predicate(self.label_selector)
        by_field = field_predicate(kind, parse_field_selector(self.field_selector))
        namespace = self.namespace

        def matches(obj: dict) -> bool:
            if namespace is not None and (obj.get("metadata") or {}).get("namespace") != namespace:
                return False
            return by_label(obj) and by_field(obj)

        return matches


def select(kind: str, objects: Iterable[dict], query: ListQuery) -> list[dict]:
    """The objects a list returns, sorted as etcd returns them (by namespace, then name)."""
    if query.namespace is None and not query.label_selector and not query.field_selector:
        chosen = list(objects)  # everything: no test to run per object
    else:
        matches = query.predicate(kind)
        chosen = [o for o in objects if matches(o)]

    def key(obj: dict) -> tuple[str, str]:
        meta = obj["metadata"]
        return meta.get("namespace", ""), meta.get("name", "")

    chosen.sort(key=key)
    return chosen


def list_object(kind: str, api_version: str, items: list[dict], resource_version: str) -> dict:
    """`PodList` and friends. Items carry no kind/apiVersion, as the API server encodes lists."""
    stripped = []
    for item in items:
        copy = {k: v for k, v in item.items() if k not in ("kind", "apiVersion")}
        stripped.append(copy)
    return {
        "kind": f"{kind}List",
        "apiVersion": api_version,
        "metadata": {"resourceVersion": resource_version},
        "items": stripped,
    }
