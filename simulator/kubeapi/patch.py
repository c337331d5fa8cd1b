"""PATCH bodies: JSON merge patch, JSON patch, strategic merge patch, and server-side apply.

* `application/merge-patch+json` (RFC 7386): objects merge key by key, `null` deletes, anything
  else replaces (kubectl label/annotate/scale).
* `application/json-patch+json` (RFC 6902): add, remove, replace, move, copy, test on JSON
  pointers (kubectl patch --type=json, rollout undo).
* `application/strategic-merge-patch+json` (k8s.io/apimachinery/pkg/util/strategicpatch):
  like a merge patch, but lists whose Go field carries `patchStrategy:"merge"` merge element
  by element on their `patchMergeKey` (containers by name, container ports by containerPort,
  env by name, volumes by name, Service ports by port, conditions by type, ...; read from the
  vendored types.go by `gotypes`), and the directives kubectl sends are honoured:
  `$patch: replace|delete|merge` (in a map or a list element), `$retainKeys`,
  `$setElementOrder/<field>` and `$deleteFromPrimitiveList/<field>` (kubectl apply/edit/set).
* `application/apply-patch+yaml` (server-side apply): `apply_patch` only merges the applied
  configuration with the keyed-list rules; `managed.apply` adds field ownership (managedFields),
  conflicts between managers and the removal of fields a manager stopped applying.

Errors are ApiErrors in the API server's words (400 for a body that is not a patch, 422 for a
JSON patch that does not apply).
"""

from __future__ import annotations

import copy
import json
from typing import Any

from . import gotypes, status
from .gotypes import GoStruct, GoType

MERGE_PATCH = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"
STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json"
APPLY_PATCH = "application/apply-patch+yaml"
PATCH_TYPES = (JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH, APPLY_PATCH)

_DIRECTIVE = "$patch"
_RETAIN_KEYS = "$retainKeys"
_SET_ORDER = "$setElementOrder/"
_DELETE_PRIMITIVE = "$deleteFromPrimitiveList/"


# ---------------------------------------------------------------------- RFC 7386
def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 MergePatch(target, patch)."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


# ---------------------------------------------------------------------- RFC 6902
class JsonPatchError(Exception):
    pass


def _pointer(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise JsonPatchError(f"JSON pointer must be empty or start with a /: {path!r}")
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _parent(doc: Any, tokens: list[str], path: str, op: str) -> tuple[Any, str]:
    node = doc
    for token in tokens[:-1]:
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            raise JsonPatchError(f'{op} operation does not apply: doc is missing path: "{path}": missing value')
    return node, tokens[-1]


def _get_at(doc: Any, path: str, op: str) -> Any:
    node = doc
    for token in _pointer(path):
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            raise JsonPatchError(f'{op} operation does not apply: doc is missing path: "{path}": missing value')
    return node


def _add(doc: Any, path: str, value: Any, op: str = "add") -> Any:
    tokens = _pointer(path)
    if not tokens:
        return value
    parent, last = _parent(doc, tokens, path, op)
    if isinstance(parent, dict):
        parent[last] = value
    elif isinstance(parent, list):
        if last == "-":
            parent.append(value)
        elif last.isdigit() and int(last) <= len(parent):
            parent.insert(int(last), value)
        else:
            raise JsonPatchError(f'{op} operation does not apply: doc is missing path: "{path}": missing value')
    else:
        raise JsonPatchError(f'{op} operation does not apply: doc is missing path: "{path}": missing value')
    return doc


def _remove(doc: Any, path: str, op: str = "remove") -> Any:
    tokens = _pointer(path)
    parent, last = _parent(doc, tokens, path, op)
    if isinstance(parent, dict) and last in parent:
        return parent.pop(last)
    if isinstance(parent, list) and last.isdigit() and int(last) < len(parent):
        return parent.pop(int(last))
    raise JsonPatchError(f'{op} operation does not apply: doc is missing path: "{path}": missing value')


def json_patch(document: Any, operations: Any) -> Any:
    """Apply RFC 6902 `operations` to a copy of `document`."""
    if not isinstance(operations, list):
        raise status.bad_request("json: cannot unmarshal object into Go value of type jsonpatch.Patch")
    doc = copy.deepcopy(document)
    try:
        for operation in operations:
            if not isinstance(operation, dict) or "op" not in operation:
                raise JsonPatchError("Unexpected kind: unknown")
            op, path = operation["op"], operation.get("path", "")
            if op == "add":
                doc = _add(doc, path, copy.deepcopy(operation.get("value")))
            elif op == "remove":
                _remove(doc, path)
            elif op == "replace":
                _get_at(doc, path, "replace")
                tokens = _pointer(path)
                if not tokens:
                    doc = copy.deepcopy(operation.get("value"))
                else:
                    parent, last = _parent(doc, tokens, path, "replace")
                    if isinstance(parent, list):
                        parent[int(last)] = copy.deepcopy(operation.get("value"))
                    else:
                        parent[last] = copy.deepcopy(operation.get("value"))
            elif op == "move":
                value = _remove(doc, operation.get("from", ""), "move")
                doc = _add(doc, path, value, "move")
            elif op == "copy":
                value = copy.deepcopy(_get_at(doc, operation.get("from", ""), "copy"))
                doc = _add(doc, path, value, "copy")
            elif op == "test":
                if _get_at(doc, path, "test") != operation.get("value"):
                    raise JsonPatchError(f"testing value {path} failed: test failed")
            else:
                raise JsonPatchError(f"Unexpected kind: {op}")
    except JsonPatchError as exc:
        raise status.ApiError(422, "Invalid", str(exc)) from None
    return doc


# ---------------------------------------------------------------------- strategic merge patch
def _field_type(struct: GoStruct | None, key: str) -> tuple[GoType | None, gotypes.GoField | None]:
    if struct is None:
        return None, None
    field = struct.by_json.get(key)
    if field is None:
        return None, None
    return gotypes.resolve(field.type), field


def _elem_struct(go_type: GoType | None) -> GoStruct | None:
    if go_type is None or go_type.elem is None:
        return None
    return gotypes.struct_of(go_type.elem)


def _opaque(go_type: GoType | None) -> bool:
    """RawExtension and managedFields' fieldsV1 merge as plain JSON."""
    return go_type is not None and go_type.shape == "scalar" and go_type.name in ("RawExtension", "Fields", "FieldsV1")


def strategic_merge(original: Any, patch: Any, struct: GoStruct | None) -> Any:
    """strategicpatch.StrategicMergePatch on decoded JSON, `struct` being the Go type of both."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    original = original if isinstance(original, dict) else {}
    directive = patch.get(_DIRECTIVE)
    if directive == "replace":
        return {k: copy.deepcopy(v) for k, v in patch.items() if k != _DIRECTIVE}
    if directive == "delete":
        return None
    if directive not in (None, "merge"):
        raise status.bad_request(f"Unknown patch type: {directive}")
    result = copy.deepcopy(original)
    retain = patch.get(_RETAIN_KEYS)
    if isinstance(retain, list):
        keep = set(retain)
        result = {k: v for k, v in result.items() if k in keep}
    orders = {}
    for key, value in patch.items():
        if key.startswith(_SET_ORDER):
            orders[key[len(_SET_ORDER) :]] = value
    for key, value in patch.items():
        if key in (_DIRECTIVE, _RETAIN_KEYS) or key.startswith(_SET_ORDER):
            continue
        if key.startswith(_DELETE_PRIMITIVE):
            field = key[len(_DELETE_PRIMITIVE) :]
            if isinstance(result.get(field), list):
                drop = value if isinstance(value, list) else []
                result[field] = [v for v in result[field] if v not in drop]
            continue
        if value is None:
            result.pop(key, None)
            continue
        go_type, field = _field_type(struct, key)
        if _opaque(go_type):
            result[key] = merge_patch(result.get(key), value)
        elif isinstance(value, list):
            result[key] = _merge_list(result.get(key), value, go_type, field)
        elif isinstance(value, dict):
            if go_type is not None and go_type.shape == "map":
                merged = _merge_map(result.get(key), value, go_type)
            else:
                merged = strategic_merge(result.get(key), value, gotypes.struct_of(go_type) if go_type else None)
            if merged is None:
                result.pop(key, None)
            else:
                result[key] = merged
        else:
            result[key] = copy.deepcopy(value)
    for field, order in orders.items():
        if isinstance(result.get(field), list) and isinstance(order, list):
            go_type, go_field = _field_type(struct, field)
            result[field] = _apply_order(result[field], order, go_field.patch_merge_key if go_field else None)
    return result


def _merge_map(original: Any, patch: dict, go_type: GoType) -> dict | None:
    """A `map[string]T` field (labels, annotations, nodeSelector, resources.limits): keys merge,
    `null` deletes, values of struct type merge strategically."""
    directive = patch.get(_DIRECTIVE)
    if directive == "replace":
        return {k: v for k, v in patch.items() if k != _DIRECTIVE}
    if directive == "delete":
        return None
    result = dict(original) if isinstance(original, dict) else {}
    elem_struct = gotypes.struct_of(go_type.elem) if go_type.elem is not None else None
    for key, value in patch.items():
        if key == _DIRECTIVE:
            continue
        if value is None:
            result.pop(key, None)
        elif elem_struct is not None and isinstance(value, dict):
            result[key] = strategic_merge(result.get(key), value, elem_struct)
        else:
            result[key] = copy.deepcopy(value)
    return result


def _merge_list(original: Any, patch: list, go_type: GoType | None, field: gotypes.GoField | None) -> list:
    merge = field is not None and "merge" in field.patch_strategy
    original = original if isinstance(original, list) else []
    # A list-level `$patch: replace` element replaces the whole list.
    if any(isinstance(e, dict) and e.get(_DIRECTIVE) == "replace" for e in patch):
        return [copy.deepcopy(e) for e in patch if not (isinstance(e, dict) and _DIRECTIVE in e)]
    if not merge:
        return copy.deepcopy(patch)
    key = field.patch_merge_key if field else None
    elem = _elem_struct(go_type)
    if key is None or elem is None:
        # A merging list of scalars (finalizers): the union, patch elements appended.
        result = list(original)
        for value in patch:
            if value not in result:
                result.append(copy.deepcopy(value))
        return result
    result = [copy.deepcopy(e) for e in original]
    for element in patch:
        if not isinstance(element, dict):
            raise status.bad_request(f"unable to find api field in struct for the merge key {key}")
        if key not in element:
            raise status.bad_request(f"map: {element} does not contain declared merge key: {key}")
        index = next((i for i, e in enumerate(result) if isinstance(e, dict) and e.get(key) == element[key]), None)
        if element.get(_DIRECTIVE) == "delete":
            if index is not None:
                result.pop(index)
            continue
        if index is None:
            result.append(strategic_merge({}, element, elem))
        else:
            result[index] = strategic_merge(result[index], element, elem)
    return result


def _identity(item: Any, key: str | None) -> str:
    if key is not None and isinstance(item, dict):
        return json.dumps(item.get(key), sort_keys=True)
    return json.dumps(item, sort_keys=True)


def _apply_order(items: list, order: list, key: str | None) -> list:
    """$setElementOrder: the listed elements in that order, the server-only ones kept at their
    place among the others (an approximation of strategicpatch's normalizeElementOrder, which
    interleaves them by their original index)."""
    rank = {_identity(o, key): i for i, o in enumerate(order)}
    listed = iter(sorted((it for it in items if _identity(it, key) in rank), key=lambda it: rank[_identity(it, key)]))
    return [next(listed) if _identity(item, key) in rank else item for item in items]


# ---------------------------------------------------------------------- entry point
def decode_body(body: bytes, content_type: str) -> Any:
    try:
        return json.loads(body or b"null")
    except ValueError as exc:
        if content_type == APPLY_PATCH:
            import yaml  # server-side apply bodies are YAML (kubectl sends JSON, which YAML reads)

            try:
                return yaml.safe_load(body)
            except yaml.YAMLError:
                pass
        raise status.bad_request(f"error decoding patch: {exc}") from None


def apply_patch(kind: str, live: dict | None, body: bytes, content_type: str) -> dict:
    """The object after the PATCH. `live` is None only for server-side apply of a new object.

    Raises ApiError: 415 for an unknown patch type, 400 for a body that is not a patch of that
    type, 422 for a JSON patch that does not apply."""
    media = content_type.split(";")[0].strip().lower()
    if media not in PATCH_TYPES:
        raise status.ApiError(
            415,
            "UnsupportedMediaType",
            f"the body of the request was in an unknown format - accepted media types include: {', '.join(PATCH_TYPES)}",
        )
    patch = decode_body(body, media)
    if media == JSON_PATCH:
        return json_patch(live or {}, patch)
    if not isinstance(patch, dict):
        raise status.bad_request(
            f"json: cannot unmarshal {type(patch).__name__} into Go value of type map[string]interface {{}}"
        )
    if media == MERGE_PATCH:
        return merge_patch(live or {}, patch)
    root = gotypes.kind_type(kind) if kind in gotypes.KIND_TYPES else None
    if media == APPLY_PATCH and live is None:
        return copy.deepcopy(patch)
    merged = strategic_merge(live or {}, patch, root)
    return merged if merged is not None else {}
