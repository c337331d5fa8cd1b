"""Protobuf request bodies (`Content-Type: application/vnd.kubernetes.protobuf`).

kubectl 1.32+ sends typed-client writes (`create deployment|service|job|configmap|secret|
namespace|ingress|serviceaccount`, ...) as protobuf; a 415 is not retried as JSON
(recorded from kubectl 1.31-1.37). The wire form (apimachinery/pkg/runtime/serializer/protobuf): the
four bytes `k8s\\0`, then a `runtime.Unknown` message whose `typeMeta` names the apiVersion and
kind and whose `raw` is the object's own message (e.g. `k8s.io.api.apps.v1.Deployment`).

The messages come from the vendored `generated.proto` files, compiled by grpcio-tools' protoc
into a FileDescriptorSet (`build_descriptor_set`, run by `make proto` and, when the set is
missing or stale, on first use) and loaded into a protobuf DescriptorPool. `decode` turns a
body into the dict the same object's JSON would give, field by field through the Go types
(`gotypes`): JSON names, embedded (`json:",inline"`) structs flattened into their parent
(IngressRule's ingressRuleValue, Volume's volumeSource, Probe's handler, ...), and the zero
values Go's protobuf marshaller writes for non-pointer fields dropped where the JSON encoder's
`omitempty` would drop them. apimachinery's wrapper messages become their JSON scalars: Time
(RFC 3339, null when zero), MicroTime, IntOrString (int or string), Quantity (string),
RawExtension and FieldsV1 (the embedded JSON); `bytes` fields become base64, as in JSON.
"""

from __future__ import annotations

import base64
import datetime
import functools
import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from . import gotypes, status

MAGIC = b"k8s\x00"
CONTENT_TYPE = "application/vnd.kubernetes.protobuf"
VENDOR = Path(__file__).resolve().parent / "vendor"
GENERATED = Path(__file__).resolve().parent / "_generated"
DESCRIPTOR_SET = GENERATED / "kubernetes.fds"

PROTO_FILES = (
    "k8s.io/apimachinery/pkg/runtime/generated.proto",
    "k8s.io/apimachinery/pkg/runtime/schema/generated.proto",
    "k8s.io/apimachinery/pkg/util/intstr/generated.proto",
    "k8s.io/apimachinery/pkg/api/resource/generated.proto",
    "k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto",
    "k8s.io/api/core/v1/generated.proto",
    "k8s.io/api/apps/v1/generated.proto",
    "k8s.io/api/batch/v1/generated.proto",
    "k8s.io/api/networking/v1/generated.proto",
    "k8s.io/api/discovery/v1/generated.proto",
    "k8s.io/api/autoscaling/v1/generated.proto",
    "k8s.io/api/authorization/v1/generated.proto",
)

# apiVersion -> (proto package, gotypes package)
API_PACKAGES = {
    "v1": ("k8s.io.api.core.v1", "core/v1"),
    "apps/v1": ("k8s.io.api.apps.v1", "apps/v1"),
    "batch/v1": ("k8s.io.api.batch.v1", "batch/v1"),
    "networking.k8s.io/v1": ("k8s.io.api.networking.v1", "networking/v1"),
    "discovery.k8s.io/v1": ("k8s.io.api.discovery.v1", "discovery/v1"),
    "autoscaling/v1": ("k8s.io.api.autoscaling.v1", "autoscaling/v1"),
    "authorization.k8s.io/v1": ("k8s.io.api.authorization.v1", "authorization/v1"),
    "meta.k8s.io/v1": ("k8s.io.apimachinery.pkg.apis.meta.v1", "meta/v1"),
}

_META = "k8s.io.apimachinery.pkg.apis.meta.v1."


def _sources_digest() -> str:
    digest = hashlib.sha256()
    for name in PROTO_FILES:
        digest.update(name.encode())
        digest.update((VENDOR / name).read_bytes())
    return digest.hexdigest()


def build_descriptor_set(destination: Path = DESCRIPTOR_SET) -> Path:
    """Compile the vendored .proto files with grpcio-tools' protoc into one FileDescriptorSet
    (imports included), with a stamp of the sources it was made from beside it."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_suffix(".partial")
    # grpcio-tools' protoc, in a child process: it prints warnings (unused imports in the
    # upstream files) that belong in an error message only when it fails.
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "grpc_tools.protoc",
            f"--proto_path={VENDOR}",
            f"--descriptor_set_out={partial}",
            "--include_imports",
            *PROTO_FILES,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"protoc failed (exit {result.returncode}):\n{result.stderr}")
    partial.replace(destination)
    destination.with_suffix(".sha256").write_text(_sources_digest())
    return destination


def _descriptor_set_is_current(path: Path) -> bool:
    stamp = path.with_suffix(".sha256")
    return path.is_file() and stamp.is_file() and stamp.read_text() == _sources_digest()


@functools.cache
def _pool():
    from google.protobuf import descriptor_pb2, descriptor_pool

    if not _descriptor_set_is_current(DESCRIPTOR_SET):
        build_descriptor_set(DESCRIPTOR_SET)
    files = descriptor_pb2.FileDescriptorSet.FromString(DESCRIPTOR_SET.read_bytes())
    pool = descriptor_pool.DescriptorPool()
    for file in files.file:
        pool.Add(file)
    return pool


@functools.cache
def message_class(full_name: str):
    """The generated message class of e.g. `k8s.io.api.apps.v1.Deployment`."""
    from google.protobuf import message_factory

    return message_factory.GetMessageClass(_pool().FindMessageTypeByName(full_name))


# ---------------------------------------------------------------------- decoding
def _time(message, micro: bool = False) -> str | None:
    if not message.ListFields():
        return None
    moment = datetime.datetime.fromtimestamp(message.seconds, datetime.UTC)
    if micro:
        moment = moment.replace(microsecond=message.nanos // 1000)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _wrapper(message) -> tuple[bool, Any]:
    """apimachinery's messages that stand for a JSON scalar: (True, value) for them."""
    name = message.DESCRIPTOR.full_name
    if name == _META + "Time":
        return True, _time(message)
    if name == _META + "MicroTime":
        return True, _time(message, micro=True)
    if name == "k8s.io.apimachinery.pkg.util.intstr.IntOrString":
        return True, (message.strVal if message.type == 1 else message.intVal)
    if name == "k8s.io.apimachinery.pkg.api.resource.Quantity":
        return True, message.string
    if name in ("k8s.io.apimachinery.pkg.runtime.RawExtension", _META + "FieldsV1"):
        return True, json.loads(message.raw) if message.raw else None
    if name == _META + "Duration":
        return True, _go_duration(message.duration)
    return False, None


def _go_duration(nanoseconds: int) -> str:
    """time.Duration.String() for whole seconds and above (what metav1.Duration fields hold)."""
    seconds = nanoseconds // 1_000_000_000
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = (f"{hours}h" if hours else "") + (f"{minutes}m" if hours or minutes else "") + f"{secs}s"
    return text


def _is_zero(value: Any) -> bool:
    return value in (0, "", False, None) and not isinstance(value, (dict, list))


def _scalar(field_descriptor, value: Any) -> Any:
    if field_descriptor.type == field_descriptor.TYPE_BYTES:
        return base64.b64encode(value).decode()
    return value


def _value(field_descriptor, value: Any, go_type: gotypes.GoType | None) -> Any:
    if field_descriptor.message_type is not None:
        return to_dict(value, _struct_for(go_type))
    return _scalar(field_descriptor, value)


def _struct_for(go_type: gotypes.GoType | None) -> gotypes.GoStruct | None:
    if go_type is None:
        return None
    resolved = gotypes.resolve(go_type)
    if resolved.shape in ("list", "map") and resolved.elem is not None:
        return gotypes.struct_of(resolved.elem)
    return gotypes.struct_of(resolved)


def to_dict(message, struct: gotypes.GoStruct | None) -> Any:
    """A decoded message as the Go JSON encoder would write the same struct."""
    is_wrapper, value = _wrapper(message)
    if is_wrapper:
        return value
    out: dict = {}
    for descriptor, value in message.ListFields():
        field = struct.by_proto.get(descriptor.name) if struct is not None else None
        go_type = field.type if field is not None else None
        if field is not None and field.inline:
            nested = to_dict(value, gotypes.struct_of(field.type))
            if isinstance(nested, dict):
                out.update(nested)
            continue
        name = field.json_name if field is not None else descriptor.json_name
        if descriptor.message_type is not None and descriptor.message_type.GetOptions().map_entry:
            value_descriptor = descriptor.message_type.fields_by_name["value"]
            elem = gotypes.resolve(go_type).elem if go_type is not None else None
            converted = {k: _value(value_descriptor, v, elem) for k, v in value.items()}
            if converted or (field is not None and not field.omitempty):
                out[name] = converted
            continue
        if descriptor.is_repeated:
            resolved = gotypes.resolve(go_type) if go_type is not None else None
            if resolved is not None and resolved.shape == "bytes":
                out[name] = base64.b64encode(bytes(value)).decode()
                continue
            elem = resolved.elem if resolved is not None else None
            out[name] = [_value(descriptor, v, elem) for v in value]
            continue
        converted = _value(descriptor, value, go_type)
        omittable = descriptor.message_type is None and field is not None and field.omitempty and not go_type.pointer
        if omittable and _is_zero(converted):
            continue  # Go wrote a non-pointer zero value that JSON's omitempty leaves out
        out[name] = converted  # structs are never omitted by encoding/json; a zero Time is null
    return out


def decode(body: bytes) -> dict:
    """A protobuf request body as the JSON object it stands for (apiVersion and kind included).

    Raises ApiError 400 for a body without the envelope or with a type we do not decode."""
    if not body.startswith(MAGIC):
        raise status.bad_request("provided object is not a Kubernetes protobuf message: the k8s\\0 prefix is missing")
    unknown_class = message_class("k8s.io.apimachinery.pkg.runtime.Unknown")
    try:
        envelope = unknown_class.FromString(body[len(MAGIC) :])
    except Exception as exc:  # google.protobuf.message.DecodeError and friends
        raise status.bad_request(f"unable to decode the protobuf envelope: {exc}") from None
    api_version, kind = envelope.typeMeta.apiVersion, envelope.typeMeta.kind
    package = API_PACKAGES.get(api_version)
    if package is None or not kind:
        raise status.bad_request(f"no kind {kind!r} is registered for version {api_version!r}")
    proto_package, go_package = package
    try:
        cls = message_class(f"{proto_package}.{kind}")
    except KeyError:
        raise status.bad_request(f'no kind "{kind}" is registered for version "{api_version}"') from None
    try:
        message = cls.FromString(envelope.raw)
    except Exception as exc:
        raise status.cannot_decode(kind, api_version.split("/")[-1], f"unable to decode protobuf: {exc}") from None
    try:
        struct = gotypes.struct_type(go_package, kind)
    except KeyError:
        struct = None
    obj = to_dict(message, struct)
    return {
        "apiVersion": api_version,
        "kind": kind,
        **{k: v for k, v in obj.items() if k not in ("apiVersion", "kind")},
    }


def encode(obj: dict) -> bytes:
    """The protobuf body for a JSON object of a kind we serve (the other direction, for tests
    and for clients that want protobuf): json_format with the Go names, then the envelope."""
    from google.protobuf import json_format

    api_version, kind = obj["apiVersion"], obj["kind"]
    proto_package, go_package = API_PACKAGES[api_version]
    struct = gotypes.struct_type(go_package, kind)
    message = message_class(f"{proto_package}.{kind}")()
    json_format.ParseDict(_to_proto_json(obj, struct, message.DESCRIPTOR), message, ignore_unknown_fields=False)
    envelope = message_class("k8s.io.apimachinery.pkg.runtime.Unknown")()
    envelope.typeMeta.apiVersion = api_version
    envelope.typeMeta.kind = kind
    envelope.raw = message.SerializeToString()
    envelope.contentType = CONTENT_TYPE
    return MAGIC + envelope.SerializeToString()


def _to_proto_json(value: Any, struct: gotypes.GoStruct | None, descriptor) -> Any:
    """JSON as Go writes it -> the proto3-JSON form json_format reads (inline structs nested
    again, wrappers as messages)."""
    name = descriptor.full_name
    if name in (_META + "Time", _META + "MicroTime"):
        if value is None:
            return {}
        moment = datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        return {"seconds": str(int(moment.timestamp())), "nanos": moment.microsecond * 1000}
    if name == "k8s.io.apimachinery.pkg.util.intstr.IntOrString":
        return {"type": 1, "strVal": value} if isinstance(value, str) else {"type": 0, "intVal": value}
    if name == "k8s.io.apimachinery.pkg.api.resource.Quantity":
        return {"string": str(value)}
    if name in ("k8s.io.apimachinery.pkg.runtime.RawExtension", _META + "FieldsV1"):
        return {"raw": base64.b64encode(json.dumps(value).encode()).decode()}
    if not isinstance(value, dict):
        return value
    out: dict = {}
    inline_fields = [f for f in (struct.fields if struct else ()) if f.inline]
    for key, item in value.items():
        if key in ("apiVersion", "kind") and descriptor.fields_by_name.get(key) is None:
            continue
        field = struct.by_json.get(key) if struct else None
        owner = next(
            (
                f
                for f in inline_fields
                if key in (gotypes.struct_of(f.type).by_json if gotypes.struct_of(f.type) else {})
            ),
            None,
        )
        if owner is not None and (struct is None or key not in {f.json_name for f in struct.fields if not f.inline}):
            sub_struct = gotypes.struct_of(owner.type)
            sub_descriptor = descriptor.fields_by_name[owner.proto_name].message_type
            nested = out.setdefault(owner.proto_name, {})
            nested.update(_to_proto_json({key: item}, sub_struct, sub_descriptor))
            continue
        proto_name = field.proto_name if field is not None else key
        field_descriptor = descriptor.fields_by_name.get(proto_name)
        if field_descriptor is None:
            out[key] = item
            continue
        if field_descriptor.message_type is None:
            out[proto_name] = item
        elif field_descriptor.message_type.GetOptions().map_entry:
            value_descriptor = field_descriptor.message_type.fields_by_name["value"]
            elem_struct = _struct_for(field.type) if field else None
            out[proto_name] = {
                k: (
                    _to_proto_json(v, elem_struct, value_descriptor.message_type)
                    if value_descriptor.message_type
                    else v
                )
                for k, v in (item or {}).items()
            }
        elif isinstance(item, list):
            elem_struct = _struct_for(field.type) if field else None
            out[proto_name] = [_to_proto_json(v, elem_struct, field_descriptor.message_type) for v in item]
        else:
            out[proto_name] = _to_proto_json(
                item, _struct_for(field.type) if field else None, field_descriptor.message_type
            )
    return out


if __name__ == "__main__":  # `make proto`
    print(build_descriptor_set())
