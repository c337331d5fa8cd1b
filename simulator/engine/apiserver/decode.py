"""Decoding (type) checks, as the API server's strict JSON decoding reports them.

kubectl turns YAML into JSON (sigs.k8s.io/yaml: YAML -> map -> json.Marshal, so object keys
arrive sorted) and the API server decodes that JSON into the Go struct of the kind with
sigs.k8s.io/json (a fork of encoding/json: case-sensitive field names, strict mode collects
unknown fields). Two families of errors come out of that, and we reproduce both:

* a value of the wrong JSON type. encoding/json's `UnmarshalTypeError.Error()` prints
  `json: cannot unmarshal <what> into Go struct field <Struct>.<field.path> of type <GoType>`,
  where <what> is `string`, `bool`, `object`, `array`, `number`, or `number <text>` when a
  number does not fit an integer field (`number 80.5`, `number 4294967296`), <Struct> is the
  innermost Go struct holding the field and <field.path> the JSON field names from the root,
  without list indices or map keys (decode.go addErrorContext). The decoder keeps only the
  FIRST such error (decodeState.saveError), and when there is one the strict errors are not
  reported at all (apimachinery runtime/serializer/json: unmarshal returns err first).
* unknown fields, collected in strict mode: `strict decoding error: unknown field "spec.selecter"`
  (paths here DO carry list indices: `spec.template.spec.containers[0].imagePullPolicyy`).
  The API server joins all of them into one message:
  `strict decoding error: unknown field "a", unknown field "b"` (see `decoding_message`).

Custom unmarshalers keep their own behaviour: `intstr.IntOrString` takes a JSON string as a
name and otherwise unmarshals the raw value into an int32 (so `targetPort: true` says
`... of type int32`); `resource.Quantity` parses any raw value with ParseQuantity and its
errors are plain (`quantities must match the regular expression '...'`).

Every error is a `FieldError` whose `field` is OUR indexed path (`spec.ports[0].port`,
`spec.nodeSelector[ssd]`) and whose `message()` is exactly the decoder's text: the type is the
part before the first `": "` (`json`, `strict decoding error`) and the detail the rest.

The schema is declarative: one tree of node objects per kind, built once at import and walked
once per document. Sub-objects we do not model in depth (probes, volumes, pod affinity,
securityContext, env sources, ...) are opaque: they must be JSON objects (or lists of them)
but their fields are not checked.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import re
from decimal import Decimal
from typing import Any

from ..errors import FieldError

__all__ = [
    "DECODE_ERROR_TYPES",
    "JSON_ERROR",
    "QUANTITY_FORMAT_ERROR",
    "QUANTITY_SUFFIX_ERROR",
    "STRICT_ERROR",
    "decode",
    "decoding_message",
    "is_decode_error",
]

# FieldError.type values for decoding errors (the text before the first ": " of the message).
JSON_ERROR = "json"  # encoding/json UnmarshalTypeError
STRICT_ERROR = "strict decoding error"  # sigs.k8s.io/json strict mode, runtime.NewStrictDecodingError
# resource.ParseQuantity's errors (apimachinery/pkg/api/resource/quantity.go ErrFormatWrong, ErrSuffix)
QUANTITY_FORMAT_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
QUANTITY_SUFFIX_ERROR = "unable to parse quantity's suffix"
DECODE_ERROR_TYPES = frozenset({JSON_ERROR, STRICT_ERROR, QUANTITY_FORMAT_ERROR, QUANTITY_SUFFIX_ERROR})

_INT32 = (-(1 << 31), (1 << 31) - 1)
_INT64 = (-(1 << 63), (1 << 63) - 1)


def is_decode_error(error: FieldError) -> bool:
    """True for the errors `check_types` produces (as opposed to validation errors)."""
    return error.type in DECODE_ERROR_TYPES


def _decode_error(path: str, text: str, hint: str = "") -> FieldError:
    head, sep, tail = text.partition(": ")
    return FieldError(head, path, detail=tail, hint=hint) if sep else FieldError(text, path, hint=hint)


def did_you_mean(key: str, known) -> str:
    """Our hint for an unknown field, when one known field is close: the same name in another
    case (`targetport` -> `targetPort`: field names are case-sensitive in sigs.k8s.io/json's
    strict decoding), or one a typo away (`selecter` -> `selector`). The API server's message
    stays as it is; the hint comes after it."""
    names = sorted(str(k) for k in known)
    same = [n for n in names if n.lower() == str(key).lower()]
    if same:
        return f'did you mean "{same[0]}"? (field names are case-sensitive)'
    close = difflib.get_close_matches(str(key), names, n=2, cutoff=0.75)
    if len(close) == 1 or (close and difflib.SequenceMatcher(None, key, close[0]).ratio() >= 0.85):
        return f'did you mean "{close[0]}"?'
    return ""


# ---------------------------------------------------------------------------------------------
# What a JSON value looks like to Go
# ---------------------------------------------------------------------------------------------


def _go_number_text(value: int | float) -> str:
    """The JSON text json.Marshal writes for a number (encode.go floatEncoder)."""
    if isinstance(value, int):
        return str(value)
    if value != value or value in (float("inf"), float("-inf")):
        return "NaN" if value != value else ("+Inf" if value > 0 else "-Inf")  # json.Marshal refuses these
    magnitude = abs(value)
    if magnitude != 0 and (magnitude < 1e-6 or magnitude >= 1e21):
        text = repr(value)  # shortest round-trip, 'e' form: 1e+21, 1.5e-07
        mantissa, _, exponent = text.partition("e")
        if exponent.startswith("-0"):
            exponent = "-" + exponent[2:]  # json cleans e-07 to e-7
        return mantissa + "e" + exponent
    if value == int(value):
        return str(int(value))
    return format(Decimal(repr(value)), "f")


def _json_kind(value: Any) -> str:
    """The <what> of UnmarshalTypeError for a non-number value."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (str, _dt.date, _dt.datetime)):
        return "string"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, (list, tuple)):
        return "array"
    return "string"  # anything else the YAML loader produced is text to kubectl


class _Ctx:
    """What one walk collects: the first type error, the unknown fields."""

    __slots__ = ("type_error", "unknown")

    def __init__(self) -> None:
        self.type_error: FieldError | None = None
        self.unknown: list[FieldError] = []

    def mismatch(self, what: str, struct: str, gofield: str, gotype: str, path: str) -> None:
        if self.type_error is None:
            if struct:
                text = f"json: cannot unmarshal {what} into Go struct field {struct}.{gofield} of type {gotype}"
            else:
                text = f"json: cannot unmarshal {what} into Go value of type {gotype}"
            self.type_error = _decode_error(path, text)

    def plain(self, path: str, text: str) -> None:
        if self.type_error is None:
            self.type_error = _decode_error(path, text)


# ---------------------------------------------------------------------------------------------
# Schema nodes. `check` returns the value as Go would see it (an integral float in an integer
# field becomes an int); the same object when nothing changed, so decoding copies on write.
# ---------------------------------------------------------------------------------------------

_NONE = type(None)


class _Node:
    __slots__ = ()
    # Python types whose values this node takes as they are, without a word: a container skips
    # calling `check` for them (the call, and the two paths made for it, are most of decoding).
    ok_types: frozenset = frozenset({_NONE})
    # What encoding/json leaves in a list element or map value that is JSON null: the Go zero
    # value (a struct field that is null is simply left unset: the container drops it).
    zero: Any = None

    def zero_value(self) -> Any:
        return self.zero

    def check(self, value: Any, struct: str, gofield: str, path: str, ctx: _Ctx) -> Any:  # pragma: no cover
        raise NotImplementedError


class _String(_Node):
    __slots__ = ()
    ok_types = frozenset({str, _NONE})
    zero = ""

    def check(self, value, struct, gofield, path, ctx):
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, (_dt.date, _dt.datetime)):  # YAML timestamps are strings to kubectl
            return value
        ctx.mismatch(_json_kind(value), struct, gofield, "string", path)
        return value


class _Bool(_Node):
    __slots__ = ()
    ok_types = frozenset({bool, _NONE})
    zero = False

    def check(self, value, struct, gofield, path, ctx):
        if value is None or isinstance(value, bool):
            return value
        ctx.mismatch(_json_kind(value), struct, gofield, "bool", path)
        return value


class _Int(_Node):
    __slots__ = ("gotype", "hi", "lo")
    zero = 0

    def __init__(self, gotype: str, bounds: tuple[int, int]):
        self.gotype = gotype
        self.lo, self.hi = bounds

    def check(self, value, struct, gofield, path, ctx):
        if value is None:
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            ctx.mismatch(_json_kind(value), struct, gofield, self.gotype, path)
            return value
        if isinstance(value, float):
            # json.Marshal writes 80.0 as `80`, which an integer field accepts.
            if value == value and abs(value) < 1e21 and value == int(value) and self.lo <= int(value) <= self.hi:
                return int(value)
            ctx.mismatch("number " + _go_number_text(value), struct, gofield, self.gotype, path)
            return value
        if not self.lo <= value <= self.hi:
            ctx.mismatch("number " + str(value), struct, gofield, self.gotype, path)
        return value


class _IntOrString(_Node):
    """intstr.IntOrString.UnmarshalJSON: a JSON string is a name, anything else goes into an int32."""

    __slots__ = ()
    ok_types = frozenset({str, _NONE})
    zero = 0
    _int = _Int("int32", _INT32)

    def check(self, value, struct, gofield, path, ctx):
        if value is None or isinstance(value, str):
            return value
        return self._int.check(value, struct, gofield, path, ctx)


_QUANTITY_SUFFIXES = frozenset(["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "n", "u", "m", "k", "M", "G", "T", "P", "E"])
_QUANTITY_EXP_SUFFIX = re.compile(r"[eE][-+]?[0-9]+\Z")
_SUFFIX_CHARS = frozenset("eEinumkKMGTP")


def quantity_error(text: str) -> str | None:
    """resource.ParseQuantity's verdict on a string: None when it parses, else its error text.

    A port of the scanner in quantity.go parseQuantityString plus the suffix table
    (suffix.go): `1Gb` is a format error, `1kk` a suffix error, `e3` parses (as 0).
    """
    s = text.strip()
    if not s:
        return QUANTITY_FORMAT_ERROR
    if s == "0":
        return None
    end = len(s)
    pos = 1 if s[0] in "+-" else 0
    while pos < end and s[pos].isdigit() and s[pos].isascii():
        pos += 1
    if pos < end and s[pos] == ".":
        pos += 1
        while pos < end and s[pos].isdigit() and s[pos].isascii():
            pos += 1
    suffix_start = pos
    while pos < end and s[pos] in _SUFFIX_CHARS:
        pos += 1
    if pos < end and s[pos] in "+-":
        pos += 1
    while pos < end and s[pos].isdigit() and s[pos].isascii():
        pos += 1
    if pos < end:
        return QUANTITY_FORMAT_ERROR
    suffix = s[suffix_start:]
    if suffix in _QUANTITY_SUFFIXES or _QUANTITY_EXP_SUFFIX.match(suffix):
        return None
    return QUANTITY_SUFFIX_ERROR


class _Quantity(_Node):
    """resource.Quantity.UnmarshalJSON: strip quotes from the raw JSON, then ParseQuantity."""

    __slots__ = ()
    zero = "0"  # UnmarshalJSON takes `null` as the zero quantity

    def check(self, value, struct, gofield, path, ctx):
        if value is None:
            return value
        if isinstance(value, bool):
            raw = "true" if value else "false"
        elif isinstance(value, (int, float)):
            raw = _go_number_text(value)
        elif isinstance(value, str):
            raw = value
        else:
            raw = "{" if isinstance(value, dict) else "["  # any object/array fails the scan
        problem = quantity_error(raw)
        if problem:
            ctx.plain(path, problem)
        return value


class _Any(_Node):
    __slots__ = ()
    ok_types = frozenset({str, int, float, bool, dict, list, _NONE})

    def check(self, value, struct, gofield, path, ctx):
        return value


class _Map(_Node):
    """map[string]T: map keys are not fields, so errors in values name the map field itself."""

    __slots__ = ("elem", "gotype")

    def __init__(self, elem: _Node, gotype: str):
        self.elem = elem
        self.gotype = gotype

    def zero_value(self) -> Any:
        return {}

    def check(self, value, struct, gofield, path, ctx):
        if value is None:
            return value
        if not isinstance(value, dict):
            ctx.mismatch(_json_kind(value), struct, gofield, self.gotype, path)
            return value
        items = ((key, value[key]) for key in sorted(value, key=str))
        return _check_items(self.elem, value, items, dict, struct, gofield, path, ctx)


def _check_items(elem: _Node, value, items, copy, struct, gofield, path, ctx):
    """Each (key or index, item) of a map or list checked against `elem`; a null item becomes
    the element's zero value, as encoding/json leaves it. Copied on the first change only."""
    out = value
    ok_types = elem.ok_types
    for index, item in items:
        if item is None:
            new = elem.zero_value()
        elif type(item) in ok_types:
            continue
        else:
            new = elem.check(item, struct, gofield, f"{path}[{index}]", ctx)
        if new is not item:
            if out is value:
                out = copy(value)
            out[index] = new
    return out


_BASE64 = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")


def base64_error(text: str) -> str | None:
    """encoding/json's verdict on a []byte value (base64.StdEncoding, padded): None when it
    decodes, else `illegal base64 data at input byte N` (N: where the decoder gave up, the start
    of an unfinished 4-character group when the text ends early)."""
    raw = text.encode("utf-8", "surrogatepass")
    for i, byte in enumerate(raw):
        if byte in (0x0A, 0x0D):  # the decoder skips newlines
            continue
        if byte == 0x3D:  # '=': padding, only in the last group, at most two
            rest = raw[i:].replace(b"\r", b"").replace(b"\n", b"")
            kept = len(raw[:i].replace(b"\r", b"").replace(b"\n", b""))
            if rest not in (b"=", b"==") or (kept + len(rest)) % 4 or kept % 4 < 2:
                return f"illegal base64 data at input byte {i}"
            return None
        if byte not in _BASE64:
            return f"illegal base64 data at input byte {i}"
    kept = len(raw.replace(b"\r", b"").replace(b"\n", b""))
    if kept % 4:
        return f"illegal base64 data at input byte {kept - kept % 4}"
    return None


class _Bytes(_Node):
    """[]byte: a JSON string holding base64 (a Secret's `data`, a ConfigMap's `binaryData`)."""

    __slots__ = ()
    zero = ""

    def check(self, value, struct, gofield, path, ctx):
        if value is None:
            return value
        if not isinstance(value, str):
            ctx.mismatch(_json_kind(value), struct, gofield, "[]uint8", path)
            return value
        problem = base64_error(value)
        if problem:
            ctx.plain(path, problem)
        return value


class _List(_Node):
    __slots__ = ("elem", "gotype")

    def __init__(self, elem: _Node, gotype: str):
        self.elem = elem
        self.gotype = gotype

    def zero_value(self) -> Any:
        return []

    def check(self, value, struct, gofield, path, ctx):
        if value is None:
            return value
        if not isinstance(value, (list, tuple)):
            ctx.mismatch(_json_kind(value), struct, gofield, self.gotype, path)
            return value
        return _check_items(self.elem, value, enumerate(value), list, struct, gofield, path, ctx)


class _Struct(_Node):
    """A Go struct. `fields` maps JSON names to nodes; `strict` reports the others as unknown.

    An opaque struct (no fields, strict False) only insists on being a JSON object.
    """

    __slots__ = ("fields", "gotype", "lenient", "name", "strict")

    def __init__(self, name: str, fields: dict[str, _Node] | None = None, pkg: str = "v1", strict: bool = True):
        self.name = name
        self.gotype = f"{pkg}.{name}"
        self.fields = fields or {}
        self.strict = strict and fields is not None
        # A lenient struct types the fields it lists and lets the others through unread.
        self.lenient = not strict and bool(fields)

    def zero_value(self) -> Any:
        return {}

    def check(self, value, struct, gofield, path, ctx):
        if value is None:
            return value
        if not isinstance(value, dict):
            ctx.mismatch(_json_kind(value), struct, gofield, self.gotype, path)
            return value
        if not self.strict and not self.lenient:
            return value
        out = value
        fields = self.fields
        prefix = path + "." if path else ""
        goprefix = gofield + "." if gofield else ""
        for key in sorted(value, key=str):
            node = fields.get(key)
            if node is None:
                if self.strict:
                    ctx.unknown.append(
                        _decode_error(
                            prefix + str(key),
                            f'strict decoding error: unknown field "{prefix}{key}"',
                            did_you_mean(key, fields),
                        )
                    )
                continue
            item = value[key]
            if item is None:  # a null field is an unset one
                if out is value:
                    out = dict(value)
                del out[key]
                continue
            if type(item) in node.ok_types:
                continue
            new = node.check(item, self.name, goprefix + key, prefix + key, ctx)
            if new is not item:
                if out is value:
                    out = dict(value)
                out[key] = new
        return out


# ---------------------------------------------------------------------------------------------
# The types (staging/src/k8s.io/api/{core,apps,batch,networking}/v1/types.go,
# apimachinery/pkg/apis/meta/v1/types.go). Field lists as of Kubernetes 1.33.
# ---------------------------------------------------------------------------------------------

STRING = _String()
BOOL = _Bool()
INT32 = _Int("int32", _INT32)
INT64 = _Int("int64", _INT64)
INT_OR_STRING = _IntOrString()
QUANTITY = _Quantity()
ANY = _Any()
TIME = STRING  # metav1.Time.UnmarshalJSON unmarshals into a string first (then RFC 3339; not checked)
STRING_MAP = _Map(STRING, "map[string]string")
STRING_LIST = _List(STRING, "[]string")


def _opaque(name: str, pkg: str = "v1") -> _Struct:
    return _Struct(name, None, pkg)


def _opaque_list(name: str, pkg: str = "v1") -> _List:
    return _List(_opaque(name, pkg), f"[]{pkg}.{name}")


def _list(struct: _Struct) -> _List:
    return _List(struct, "[]" + struct.gotype)


OBJECT_META = _Struct(
    "ObjectMeta",
    {
        "name": STRING,
        "generateName": STRING,
        "namespace": STRING,
        "selfLink": STRING,
        "uid": STRING,
        "resourceVersion": STRING,
        "generation": INT64,
        "creationTimestamp": TIME,
        "deletionTimestamp": TIME,
        "deletionGracePeriodSeconds": INT64,
        "labels": STRING_MAP,
        "annotations": STRING_MAP,
        "ownerReferences": _opaque_list("OwnerReference"),
        "finalizers": STRING_LIST,
        "managedFields": _opaque_list("ManagedFieldsEntry"),
    },
)

LABEL_SELECTOR_REQUIREMENT = _Struct(
    "LabelSelectorRequirement",
    {
        "key": STRING,
        "operator": STRING,
        "values": STRING_LIST,
    },
)
LABEL_SELECTOR = _Struct(
    "LabelSelector",
    {
        "matchLabels": STRING_MAP,
        "matchExpressions": _list(LABEL_SELECTOR_REQUIREMENT),
    },
)

RESOURCE_LIST = _Map(QUANTITY, "v1.ResourceList")
RESOURCE_REQUIREMENTS = _Struct(
    "ResourceRequirements",
    {
        "limits": RESOURCE_LIST,
        "requests": RESOURCE_LIST,
        "claims": _opaque_list("ResourceClaim"),
    },
)

CONTAINER_PORT = _Struct(
    "ContainerPort",
    {
        "name": STRING,
        "hostPort": INT32,
        "containerPort": INT32,
        "protocol": STRING,
        "hostIP": STRING,
    },
)

ENV_VAR = _Struct(
    "EnvVar",
    {
        "name": STRING,
        "value": STRING,
        "valueFrom": _opaque("EnvVarSource"),
    },
)

CONTAINER = _Struct(
    "Container",
    {
        "name": STRING,
        "image": STRING,
        "command": STRING_LIST,
        "args": STRING_LIST,
        "workingDir": STRING,
        "ports": _list(CONTAINER_PORT),
        "envFrom": _opaque_list("EnvFromSource"),
        "env": _list(ENV_VAR),
        "resources": RESOURCE_REQUIREMENTS,
        "resizePolicy": _opaque_list("ContainerResizePolicy"),
        "restartPolicy": STRING,
        "volumeMounts": _opaque_list("VolumeMount"),
        "volumeDevices": _opaque_list("VolumeDevice"),
        "livenessProbe": _opaque("Probe"),
        "readinessProbe": _opaque("Probe"),
        "startupProbe": _opaque("Probe"),
        "lifecycle": _opaque("Lifecycle"),
        "terminationMessagePath": STRING,
        "terminationMessagePolicy": STRING,
        "imagePullPolicy": STRING,
        "securityContext": _opaque("SecurityContext"),
        "stdin": BOOL,
        "stdinOnce": BOOL,
        "tty": BOOL,
    },
)

TOLERATION = _Struct(
    "Toleration",
    {
        "key": STRING,
        "operator": STRING,
        "value": STRING,
        "effect": STRING,
        "tolerationSeconds": INT64,
    },
)

NODE_SELECTOR_REQUIREMENT = _Struct(
    "NodeSelectorRequirement",
    {
        "key": STRING,
        "operator": STRING,
        "values": STRING_LIST,
    },
)
NODE_SELECTOR_TERM = _Struct(
    "NodeSelectorTerm",
    {
        "matchExpressions": _list(NODE_SELECTOR_REQUIREMENT),
        "matchFields": _list(NODE_SELECTOR_REQUIREMENT),
    },
)
NODE_AFFINITY = _Struct(
    "NodeAffinity",
    {
        "requiredDuringSchedulingIgnoredDuringExecution": _Struct(
            "NodeSelector", {"nodeSelectorTerms": _list(NODE_SELECTOR_TERM)}
        ),
        "preferredDuringSchedulingIgnoredDuringExecution": _list(
            _Struct("PreferredSchedulingTerm", {"weight": INT32, "preference": NODE_SELECTOR_TERM})
        ),
    },
)
AFFINITY = _Struct(
    "Affinity",
    {
        "nodeAffinity": NODE_AFFINITY,
        "podAffinity": _opaque("PodAffinity"),
        "podAntiAffinity": _opaque("PodAntiAffinity"),
    },
)
POD_DNS_CONFIG = _Struct(
    "PodDNSConfig",
    {
        "nameservers": STRING_LIST,
        "searches": STRING_LIST,
        "options": _list(_Struct("PodDNSConfigOption", {"name": STRING, "value": STRING})),
    },
)

POD_SPEC = _Struct(
    "PodSpec",
    {
        "volumes": _opaque_list("Volume"),
        "initContainers": _list(CONTAINER),
        "containers": _list(CONTAINER),
        "ephemeralContainers": _opaque_list("EphemeralContainer"),
        "restartPolicy": STRING,
        "terminationGracePeriodSeconds": INT64,
        "activeDeadlineSeconds": INT64,
        "dnsPolicy": STRING,
        "nodeSelector": STRING_MAP,
        "serviceAccountName": STRING,
        "serviceAccount": STRING,
        "automountServiceAccountToken": BOOL,
        "nodeName": STRING,
        "hostNetwork": BOOL,
        "hostPID": BOOL,
        "hostIPC": BOOL,
        "shareProcessNamespace": BOOL,
        "securityContext": _opaque("PodSecurityContext"),
        "imagePullSecrets": _opaque_list("LocalObjectReference"),
        "hostname": STRING,
        "subdomain": STRING,
        "affinity": AFFINITY,
        "schedulerName": STRING,
        "tolerations": _list(TOLERATION),
        "hostAliases": _opaque_list("HostAlias"),
        "priorityClassName": STRING,
        "priority": INT32,
        "dnsConfig": POD_DNS_CONFIG,
        "readinessGates": _opaque_list("PodReadinessGate"),
        "runtimeClassName": STRING,
        "enableServiceLinks": BOOL,
        "preemptionPolicy": STRING,
        "overhead": RESOURCE_LIST,
        "topologySpreadConstraints": _opaque_list("TopologySpreadConstraint"),
        "setHostnameAsFQDN": BOOL,
        "os": _opaque("PodOS"),
        "hostUsers": BOOL,
        "schedulingGates": _opaque_list("PodSchedulingGate"),
        "resourceClaims": _opaque_list("PodResourceClaim"),
        "resources": RESOURCE_REQUIREMENTS,
    },
)

POD_TEMPLATE_SPEC = _Struct(
    "PodTemplateSpec",
    {
        "metadata": OBJECT_META,
        "spec": POD_SPEC,
    },
)

SERVICE_PORT = _Struct(
    "ServicePort",
    {
        "name": STRING,
        "protocol": STRING,
        "appProtocol": STRING,
        "port": INT32,
        "targetPort": INT_OR_STRING,
        "nodePort": INT32,
    },
)

SERVICE_SPEC = _Struct(
    "ServiceSpec",
    {
        "ports": _list(SERVICE_PORT),
        "selector": STRING_MAP,
        "clusterIP": STRING,
        "clusterIPs": STRING_LIST,
        "type": STRING,
        "externalIPs": STRING_LIST,
        "sessionAffinity": STRING,
        "loadBalancerIP": STRING,
        "loadBalancerSourceRanges": STRING_LIST,
        "externalName": STRING,
        "externalTrafficPolicy": STRING,
        "healthCheckNodePort": INT32,
        "publishNotReadyAddresses": BOOL,
        "sessionAffinityConfig": _Struct(
            "SessionAffinityConfig",
            {
                "clientIP": _Struct("ClientIPConfig", {"timeoutSeconds": INT32}),
            },
        ),
        "ipFamilies": STRING_LIST,
        "ipFamilyPolicy": STRING,
        "allocateLoadBalancerNodePorts": BOOL,
        "loadBalancerClass": STRING,
        "internalTrafficPolicy": STRING,
        "trafficDistribution": STRING,
    },
)

TAINT = _Struct(
    "Taint",
    {
        "key": STRING,
        "value": STRING,
        "effect": STRING,
        "timeAdded": TIME,
    },
)

NODE_SPEC = _Struct(
    "NodeSpec",
    {
        "podCIDR": STRING,
        "podCIDRs": STRING_LIST,
        "providerID": STRING,
        "unschedulable": BOOL,
        "taints": _list(TAINT),
        "configSource": _opaque("NodeConfigSource"),
        "externalID": STRING,
    },
)

NAMESPACE_SPEC = _Struct("NamespaceSpec", {"finalizers": STRING_LIST})

ROLLING_UPDATE_DEPLOYMENT = _Struct(
    "RollingUpdateDeployment",
    {
        "maxUnavailable": INT_OR_STRING,
        "maxSurge": INT_OR_STRING,
    },
)
DEPLOYMENT_SPEC = _Struct(
    "DeploymentSpec",
    {
        "replicas": INT32,
        "selector": LABEL_SELECTOR,
        "template": POD_TEMPLATE_SPEC,
        "strategy": _Struct("DeploymentStrategy", {"type": STRING, "rollingUpdate": ROLLING_UPDATE_DEPLOYMENT}),
        "minReadySeconds": INT32,
        "revisionHistoryLimit": INT32,
        "paused": BOOL,
        "progressDeadlineSeconds": INT32,
    },
)

REPLICA_SET_SPEC = _Struct(
    "ReplicaSetSpec",
    {
        "replicas": INT32,
        "minReadySeconds": INT32,
        "selector": LABEL_SELECTOR,
        "template": POD_TEMPLATE_SPEC,
    },
)

DAEMON_SET_SPEC = _Struct(
    "DaemonSetSpec",
    {
        "selector": LABEL_SELECTOR,
        "template": POD_TEMPLATE_SPEC,
        "updateStrategy": _Struct(
            "DaemonSetUpdateStrategy",
            {
                "type": STRING,
                "rollingUpdate": _Struct(
                    "RollingUpdateDaemonSet", {"maxUnavailable": INT_OR_STRING, "maxSurge": INT_OR_STRING}
                ),
            },
        ),
        "minReadySeconds": INT32,
        "revisionHistoryLimit": INT32,
    },
)

JOB_SPEC = _Struct(
    "JobSpec",
    {
        "parallelism": INT32,
        "completions": INT32,
        "activeDeadlineSeconds": INT64,
        "podFailurePolicy": _opaque("PodFailurePolicy"),
        "successPolicy": _opaque("SuccessPolicy"),
        "backoffLimit": INT32,
        "backoffLimitPerIndex": INT32,
        "maxFailedIndexes": INT32,
        "selector": LABEL_SELECTOR,
        "manualSelector": BOOL,
        "template": POD_TEMPLATE_SPEC,
        "ttlSecondsAfterFinished": INT32,
        "completionMode": STRING,
        "suspend": BOOL,
        "podReplacementPolicy": STRING,
        "managedBy": STRING,
    },
)

SERVICE_BACKEND_PORT = _Struct("ServiceBackendPort", {"name": STRING, "number": INT32})
INGRESS_BACKEND = _Struct(
    "IngressBackend",
    {
        "service": _Struct("IngressServiceBackend", {"name": STRING, "port": SERVICE_BACKEND_PORT}),
        "resource": _opaque("TypedLocalObjectReference"),
    },
)
HTTP_INGRESS_PATH = _Struct(
    "HTTPIngressPath",
    {
        "path": STRING,
        "pathType": STRING,
        "backend": INGRESS_BACKEND,
    },
)
INGRESS_RULE = _Struct(
    "IngressRule",
    {
        "host": STRING,
        "http": _Struct("HTTPIngressRuleValue", {"paths": _list(HTTP_INGRESS_PATH)}),
    },
)
INGRESS_TLS = _Struct("IngressTLS", {"hosts": STRING_LIST, "secretName": STRING})
INGRESS_SPEC = _Struct(
    "IngressSpec",
    {
        "ingressClassName": STRING,
        "defaultBackend": INGRESS_BACKEND,
        "tls": _list(INGRESS_TLS),
        "rules": _list(INGRESS_RULE),
    },
)


# Status: the fields the simulator reads (a pod's phase, conditions and IPs; a node's addresses;
# a load balancer's ingress; the workload counters) are typed, so a number where an address goes
# is the decoding error the API server gives, not a crash. The structs are lenient: the many
# status fields the simulator never reads are let through unread.
def _status(name: str, fields: dict[str, _Node], pkg: str = "v1") -> _Struct:
    return _Struct(name, fields, pkg, strict=False)


def _status_list(name: str, fields: dict[str, _Node], pkg: str = "v1") -> _List:
    return _List(_status(name, fields, pkg), f"[]{pkg}.{name}")


_CONDITION_FIELDS = {"type": STRING, "status": STRING, "reason": STRING, "message": STRING, "lastTransitionTime": TIME}
POD_STATUS = _status(
    "PodStatus",
    {
        "phase": STRING,
        "conditions": _status_list("PodCondition", {**_CONDITION_FIELDS, "lastProbeTime": TIME}),
        "message": STRING,
        "reason": STRING,
        "nominatedNodeName": STRING,
        "hostIP": STRING,
        "hostIPs": _status_list("HostIP", {"ip": STRING}),
        "podIP": STRING,
        "podIPs": _status_list("PodIP", {"ip": STRING}),
        "startTime": TIME,
        "qosClass": STRING,
    },
)
NODE_STATUS = _status(
    "NodeStatus",
    {
        "addresses": _status_list("NodeAddress", {"type": STRING, "address": STRING}),
        "conditions": _status_list("NodeCondition", {**_CONDITION_FIELDS, "lastHeartbeatTime": TIME}),
        "phase": STRING,
    },
)
SERVICE_STATUS = _status(
    "ServiceStatus",
    {
        "loadBalancer": _status(
            "LoadBalancerStatus",
            {
                "ingress": _status_list("LoadBalancerIngress", {"ip": STRING, "hostname": STRING, "ipMode": STRING}),
            },
        ),
    },
)
_WORKLOAD_COUNTERS = {
    "observedGeneration": INT64,
    "replicas": INT32,
    "readyReplicas": INT32,
    "availableReplicas": INT32,
}
DEPLOYMENT_STATUS = _status(
    "DeploymentStatus",
    {**_WORKLOAD_COUNTERS, "updatedReplicas": INT32, "unavailableReplicas": INT32, "collisionCount": INT32},
)
REPLICA_SET_STATUS = _status("ReplicaSetStatus", {**_WORKLOAD_COUNTERS, "fullyLabeledReplicas": INT32})
DAEMON_SET_STATUS = _status(
    "DaemonSetStatus",
    {
        "observedGeneration": INT64,
        "currentNumberScheduled": INT32,
        "numberMisscheduled": INT32,
        "desiredNumberScheduled": INT32,
        "numberReady": INT32,
        "updatedNumberScheduled": INT32,
        "numberAvailable": INT32,
        "numberUnavailable": INT32,
        "collisionCount": INT32,
    },
)
JOB_STATUS = _status(
    "JobStatus",
    {
        "conditions": _status_list("JobCondition", {**_CONDITION_FIELDS, "lastProbeTime": TIME}),
        "startTime": TIME,
        "completionTime": TIME,
        "active": INT32,
        "succeeded": INT32,
        "failed": INT32,
        "ready": INT32,
        "terminating": INT32,
    },
)


def _top(kind: str, spec: _Struct | None, status: str | _Struct) -> _Struct:
    fields: dict[str, _Node] = {"apiVersion": STRING, "kind": STRING, "metadata": OBJECT_META}
    if spec is not None:
        fields["spec"] = spec
    fields["status"] = _opaque(status) if isinstance(status, str) else status
    return _Struct(kind, fields)


# The Go type each kind's body decodes into (kinds.py names the one of each kind).
NAMESPACE = _top("Namespace", NAMESPACE_SPEC, "NamespaceStatus")
NODE = _top("Node", NODE_SPEC, NODE_STATUS)
POD = _top("Pod", POD_SPEC, POD_STATUS)
SERVICE = _top("Service", SERVICE_SPEC, SERVICE_STATUS)
DEPLOYMENT = _top("Deployment", DEPLOYMENT_SPEC, DEPLOYMENT_STATUS)
REPLICA_SET = _top("ReplicaSet", REPLICA_SET_SPEC, REPLICA_SET_STATUS)
DAEMON_SET = _top("DaemonSet", DAEMON_SET_SPEC, DAEMON_SET_STATUS)
JOB = _top("Job", JOB_SPEC, JOB_STATUS)
INGRESS = _top("Ingress", INGRESS_SPEC, "IngressStatus")

# The plain stored kinds: no spec or status of their own (ConfigMap, Secret, ServiceAccount) or
# a spec only (IngressClass).
_TYPE_META = {"apiVersion": STRING, "kind": STRING, "metadata": OBJECT_META}
BYTES_MAP = _Map(_Bytes(), "map[string][]uint8")
CONFIG_MAP = _Struct("ConfigMap", {**_TYPE_META, "data": STRING_MAP, "binaryData": BYTES_MAP, "immutable": BOOL})
SECRET = _Struct(
    "Secret", {**_TYPE_META, "data": BYTES_MAP, "stringData": STRING_MAP, "type": STRING, "immutable": BOOL}
)
OBJECT_REFERENCE = _Struct(
    "ObjectReference",
    {
        "kind": STRING,
        "namespace": STRING,
        "name": STRING,
        "uid": STRING,
        "apiVersion": STRING,
        "resourceVersion": STRING,
        "fieldPath": STRING,
    },
)
SERVICE_ACCOUNT = _Struct(
    "ServiceAccount",
    {
        **_TYPE_META,
        "secrets": _list(OBJECT_REFERENCE),
        "imagePullSecrets": _list(_Struct("LocalObjectReference", {"name": STRING})),
        "automountServiceAccountToken": BOOL,
    },
)
INGRESS_CLASS = _Struct(
    "IngressClass",
    {
        **_TYPE_META,
        "spec": _Struct(
            "IngressClassSpec",
            {
                "controller": STRING,
                "parameters": _Struct(
                    "IngressClassParametersReference",
                    {"apiGroup": STRING, "kind": STRING, "name": STRING, "scope": STRING, "namespace": STRING},
                ),
            },
        ),
    },
)


# ---------------------------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------------------------


def decode(root: _Struct, obj: dict) -> tuple[dict, list[FieldError]]:
    """Decode `obj` into the Go type `root` as the API server would: (the object as Go sees it,
    its decoding errors). `kinds.decode` takes a kind's name.

    The returned object is `obj` itself unless an integral float had to become an int
    (`port: 80.0`, which json.Marshal writes as `80`); then only the changed containers are
    copied. The errors are either ONE type error (the decoder keeps the first, in sorted-key
    order) or every unknown field, never both (see the module docstring).
    """
    ctx = _Ctx()
    if not isinstance(obj, dict):
        ctx.mismatch(_json_kind(obj), "", "", root.gotype, "")
        return obj, [ctx.type_error]  # type: ignore[list-item]
    out = root.check(obj, "", "", "", ctx)
    if ctx.type_error is not None:
        return out, [ctx.type_error]
    return out, ctx.unknown


def decoding_message(kind: str, errors: list[FieldError], version: str = "v1") -> str:
    """The whole `Error from server (BadRequest)` text for decoding errors, e.g.
    `Service in version "v1" cannot be handled as a Service: strict decoding error: unknown field "spec.selecter"`
    (apiserver handlers: `%s in version %q cannot be handled as a %s: %v`; strict errors joined
    with ", " by runtime.strictDecodingError)."""
    strict = [e for e in errors if e.type == STRICT_ERROR]
    if strict and len(strict) == len(errors):
        body = "strict decoding error: " + ", ".join(e.detail for e in strict)
    else:
        body = errors[0].message() if errors else ""
    return f'{kind} in version "{version}" cannot be handled as a {kind}: {body}'
