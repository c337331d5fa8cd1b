"""The Go API types of the kinds kubeviz serves, read from the vendored `types.go` files.

The struct tags of k8s.io/api and k8s.io/apimachinery (vendored under `vendor/`, v0.36.3) say
everything the wire formats need to know about a field, so we read them instead of keeping
hand-written tables:

* `json:"name,omitempty"` / `json:",inline"`: the JSON name, whether a zero value is left out,
  and embedded structs whose fields sit in the parent (TypeMeta, VolumeSource, ProbeHandler,
  IngressRuleValue, ...);
* `patchStrategy:"merge,retainKeys" patchMergeKey:"name"`: how a strategic merge patch treats
  a list (apimachinery/pkg/util/strategicpatch reads the same tags through reflection);
* `protobuf:"bytes,2,opt,name=ingressRuleValue"`: the field's name in `generated.proto`, which
  is how a protobuf message's fields map back to JSON;
* the Go type: `*T` (a pointer, so a zero value is still a value), `[]T`, `map[K]V`, a struct,
  or a scalar (string, ints, bools and the named types over them, Time, Quantity, IntOrString).

`struct_type("core/v1", "PodSpec")` gives a `GoStruct`; `kind_type("Pod")` the top-level struct of
a kind. Parsing the ~600 KB of vendored Go takes about 50 ms and happens once.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

VENDOR = Path(__file__).resolve().parent / "vendor"

# package path (as our keys spell it) -> file, relative to vendor/
PACKAGES = {
    "core/v1": "k8s.io/api/core/v1/types.go",
    "apps/v1": "k8s.io/api/apps/v1/types.go",
    "batch/v1": "k8s.io/api/batch/v1/types.go",
    "networking/v1": "k8s.io/api/networking/v1/types.go",
    "discovery/v1": "k8s.io/api/discovery/v1/types.go",
    "autoscaling/v1": "k8s.io/api/autoscaling/v1/types.go",
    "authorization/v1": "k8s.io/api/authorization/v1/types.go",
    "meta/v1": "k8s.io/apimachinery/pkg/apis/meta/v1/types.go",
}
IMPORT_PATHS = {
    "k8s.io/api/core/v1": "core/v1",
    "k8s.io/api/apps/v1": "apps/v1",
    "k8s.io/api/batch/v1": "batch/v1",
    "k8s.io/api/networking/v1": "networking/v1",
    "k8s.io/api/discovery/v1": "discovery/v1",
    "k8s.io/api/autoscaling/v1": "autoscaling/v1",
    "k8s.io/api/authorization/v1": "authorization/v1",
    "k8s.io/apimachinery/pkg/apis/meta/v1": "meta/v1",
}

# Go's own scalar types, and apimachinery's types that marshal to a JSON scalar.
GO_SCALARS = {
    "string",
    "bool",
    "int",
    "int32",
    "int64",
    "uint32",
    "uint64",
    "float32",
    "float64",
    "byte",
    "Time",  # metav1.Time: an RFC 3339 string
    "MicroTime",
    "Duration",  # metav1.Duration: "1m30s"
    "Quantity",  # resource.Quantity: "100m", "1Gi"
    "IntOrString",  # intstr.IntOrString: 80 or "http"
    "UID",  # types.UID
    "Fields",  # metav1.Fields (managedFields' fieldsV1): free-form JSON
    "FieldsV1",
    "RawExtension",  # runtime.RawExtension: any JSON
}


@dataclass(frozen=True)
class GoType:
    """A field's Go type: `shape` is scalar, struct, list, map or bytes; `elem` the element type
    of a list or map (or the struct itself); `pointer` when the field is `*T`."""

    shape: str
    name: str  # scalar: the Go name; struct: "pkg.Name"; list/map: ""
    elem: GoType | None = None
    pointer: bool = False


@dataclass(frozen=True)
class GoField:
    go_name: str
    json_name: str  # "" for an inline (embedded) struct
    type: GoType
    omitempty: bool
    inline: bool
    patch_strategy: tuple[str, ...]  # ("merge",), ("merge", "retainKeys"), ("replace",), ()
    patch_merge_key: str | None
    proto_name: str | None
    doc: str = ""  # the field's Go comment as the swagger docs render it (column descriptions, explain)
    list_type: str | None = None  # the +listType marker: atomic, set or map
    list_map_keys: tuple[str, ...] = ()  # the +listMapKey markers of a listType=map list


@dataclass(frozen=True)
class GoStruct:
    package: str
    name: str
    fields: tuple[GoField, ...]

    @functools.cached_property
    def by_json(self) -> dict[str, GoField]:
        """JSON name -> field, with the fields of inline structs lifted into this one."""
        out: dict[str, GoField] = {}
        for field in self.fields:
            if field.inline:
                embedded = struct_of(field.type)
                if embedded is not None:
                    out.update(embedded.by_json)
            else:
                out[field.json_name] = field
        return out

    @functools.cached_property
    def by_proto(self) -> dict[str, GoField]:
        return {f.proto_name: f for f in self.fields if f.proto_name}


_STRUCT = re.compile(r"^type (\w+) struct \{\n(.*?)^\}", re.M | re.S)
_ALIAS = re.compile(r"^type (\w+) =? ?([\w.\[\]*]+(?:\[[\w.]+\][\w.*]+)?)\s*$", re.M)
_IMPORT = re.compile(r'^\s*(?:(\w+)\s+)?"([^"]+)"\s*$', re.M)
_FIELD = re.compile(r"^\s*(?:(\w+)\s+)?([\w.\[\]*]+(?:\[[\w.]+\][\w.*\[\]]+)?)\s+`([^`]*)`", re.M)
_TAG = re.compile(r'(\w+):"([^"]*)"')


def _swagger_doc(lines: list[str]) -> str:
    """The swagger doc of a field from its comment lines (k8s.io/apimachinery runtime's fmtRawDoc,
    in short): marker lines (`+optional`, `+listType=map`) and TODOs dropped, the rest joined with
    spaces, a blank comment line starting a new paragraph, nothing after a `---` line."""
    paragraphs: list[list[str]] = [[]]
    for line in lines:
        if line.startswith("---"):
            break
        if line.startswith("+") or line.startswith("TODO"):
            continue
        if not line:
            paragraphs.append([])
            continue
        paragraphs[-1].append(line)
    return "\n\n".join(" ".join(p) for p in paragraphs if p)


def _imports(source: str) -> dict[str, str]:
    block = re.search(r"^import \((.*?)^\)", source, re.M | re.S)
    aliases: dict[str, str] = {}
    if block:
        for alias, path in _IMPORT.findall(block.group(1)):
            aliases[alias or path.rsplit("/", 1)[-1]] = path
    return aliases


@functools.cache
def _parsed() -> tuple[dict[str, GoStruct], dict[str, tuple[str, str, dict]]]:
    """Every struct of every vendored package, keyed "pkg.Name", and the named non-struct types
    (`type Protocol string`, `type ResourceList map[...]`) as "pkg.Name" -> Go type text."""
    structs: dict[str, GoStruct] = {}
    aliases: dict[str, tuple[str, str, dict]] = {}
    raw: list[tuple[str, str, str, dict]] = []
    for package, relative in PACKAGES.items():
        source = (VENDOR / relative).read_text()
        imports = _imports(source)
        for name, body in _STRUCT.findall(source):
            raw.append((package, name, body, imports))
        for name, target in _ALIAS.findall(source):
            aliases[f"{package}.{name}"] = (package, target, imports)
    for package, name, body, imports in raw:
        fields = []
        comment: list[str] = []
        for line in body.splitlines():
            stripped = line.strip()
            if stripped.startswith("//"):
                comment.append(stripped[2:].strip())
                continue
            match = _FIELD.match(line)
            markers = [c[1:] for c in comment if c.startswith("+")]
            doc, comment = _swagger_doc(comment), []
            if match is None:
                continue
            go_name, type_text, tag_text = match.groups()
            tags = dict(_TAG.findall(tag_text))
            json_tag = tags.get("json")
            if json_tag is None or json_tag.startswith("-"):
                continue
            json_name, *options = json_tag.split(",")
            inline = "inline" in options and not json_name
            go_type = _type(package, type_text, imports)
            strategy = tuple(s for s in tags.get("patchStrategy", "").split(",") if s)
            proto = dict(p.split("=", 1) for p in tags.get("protobuf", "").split(",") if "=" in p)
            fields.append(
                GoField(
                    go_name=go_name or type_text.rsplit(".", 1)[-1].lstrip("*"),
                    json_name=json_name,
                    type=go_type,
                    omitempty="omitempty" in options,
                    inline=inline,
                    patch_strategy=strategy,
                    patch_merge_key=tags.get("patchMergeKey"),
                    proto_name=proto.get("name"),
                    doc=doc,
                    list_type=next((m.split("=", 1)[1] for m in markers if m.startswith("listType=")), None),
                    list_map_keys=tuple(m.split("=", 1)[1] for m in markers if m.startswith("listMapKey=")),
                )
            )
        structs[f"{package}.{name}"] = GoStruct(package, name, tuple(fields))
    return structs, aliases


def _qualify(package: str, name: str, imports: dict[str, str]) -> tuple[str, str]:
    if "." in name:
        alias, bare = name.split(".", 1)
        return IMPORT_PATHS.get(imports.get(alias, ""), alias), bare
    return package, name


def _type(package: str, text: str, imports: dict[str, str]) -> GoType:
    pointer = text.startswith("*")
    text = text.lstrip("*")
    if text == "[]byte":
        return GoType("bytes", "[]byte", pointer=pointer)
    if text.startswith("[]"):
        return GoType("list", "", _type(package, text[2:], imports), pointer)
    if text.startswith("map["):
        value = text[text.index("]") + 1 :]
        return GoType("map", "", _type(package, value, imports), pointer)
    pkg, bare = _qualify(package, text, imports)
    if bare in GO_SCALARS:
        return GoType("scalar", bare, pointer=pointer)
    return GoType("named", f"{pkg}.{bare}", pointer=pointer)


def resolve(go_type: GoType) -> GoType:
    """A named type resolved to its shape: a struct, or what `type X ...` stands for."""
    if go_type.shape != "named":
        return go_type
    structs, aliases = _parsed()
    if go_type.name in structs:
        return GoType("struct", go_type.name, pointer=go_type.pointer)
    alias = aliases.get(go_type.name)
    if alias is None:
        return GoType("scalar", go_type.name, pointer=go_type.pointer)  # a type from a package we do not read
    package, target, imports = alias
    inner = resolve(_type(package, target, imports))
    return GoType(inner.shape, inner.name, inner.elem, go_type.pointer or inner.pointer)


def struct_of(go_type: GoType | None) -> GoStruct | None:
    if go_type is None:
        return None
    go_type = resolve(go_type)
    if go_type.shape != "struct":
        return None
    return _parsed()[0].get(go_type.name)


def struct_type(package: str, name: str) -> GoStruct:
    return _parsed()[0][f"{package}.{name}"]


# kind -> (package, struct); the kinds kubeviz serves plus the objects the API returns.
KIND_TYPES = {
    "Namespace": ("core/v1", "Namespace"),
    "Node": ("core/v1", "Node"),
    "Pod": ("core/v1", "Pod"),
    "Service": ("core/v1", "Service"),
    "Endpoints": ("core/v1", "Endpoints"),
    "Event": ("core/v1", "Event"),
    "ConfigMap": ("core/v1", "ConfigMap"),
    "Secret": ("core/v1", "Secret"),
    "ServiceAccount": ("core/v1", "ServiceAccount"),
    "Deployment": ("apps/v1", "Deployment"),
    "ReplicaSet": ("apps/v1", "ReplicaSet"),
    "DaemonSet": ("apps/v1", "DaemonSet"),
    "Job": ("batch/v1", "Job"),
    "Ingress": ("networking/v1", "Ingress"),
    "IngressClass": ("networking/v1", "IngressClass"),
    "EndpointSlice": ("discovery/v1", "EndpointSlice"),
    "Scale": ("autoscaling/v1", "Scale"),
    "DeleteOptions": ("meta/v1", "DeleteOptions"),
    "SelfSubjectAccessReview": ("authorization/v1", "SelfSubjectAccessReview"),
}


def kind_type(kind: str) -> GoStruct:
    package, name = KIND_TYPES[kind]
    return struct_type(package, name)


def field_at(root: GoStruct, json_name: str) -> GoField | None:
    return root.by_json.get(json_name)
