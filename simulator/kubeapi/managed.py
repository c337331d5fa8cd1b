"""Server-side apply's field management: managedFields, conflicts, and removal of fields a
manager stopped applying.

After sigs.k8s.io/structured-merge-diff (the fieldpath sets, FieldsV1 encoding, the apply
and update rules) and apiserver/pkg/endpoints/handlers/fieldmanager (the managedFields entries
and the conflict Status):

* A field set is the set of paths an object sets: `f:<field>` into structs and maps, `k:{...}`
  for an element of a keyed list (the `+listType=map` keys, else the `patchMergeKey`), `v:<json>`
  for an element of a set list; other lists are atomic, owned whole. In FieldsV1 a path's node
  also carries `.` when the element itself is owned.
* Update (create, update, patch by `fieldManager`): the manager now owns every field it changed,
  and nobody else does (updates never conflict).
* Apply by a manager: every applied field that another manager owns with a different value is a
  conflict (409, `Apply failed with N conflict(s): conflict with "<manager>" using <apiVersion>:
  <path>`, one FieldManagerConflict cause per field) unless `force=true`, which takes it over;
  fields the same manager applied before and no longer applies are removed when nobody else
  owns them; the applied configuration is merged in with the keyed-list rules.

Left out: per-version conversion of field sets (every kind here has one version), `Apply`
entries of subresources, managedFields timestamps beyond the write's own time, and the
ownership that unions of atomic and granular lists share in structured-merge-diff's corner cases.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from . import gotypes, patch, status
from .gotypes import GoType

Path = tuple[tuple[str, str], ...]


def _key_fields(field: gotypes.GoField | None) -> tuple[str, ...]:
    if field is None:
        return ()
    if field.list_type == "map" and field.list_map_keys:
        return field.list_map_keys
    if field.patch_merge_key and "merge" in field.patch_strategy:
        return (field.patch_merge_key,)
    return ()


def _list_kind(field: gotypes.GoField | None, elem: GoType | None) -> str:
    if _key_fields(field):
        return "map"
    if field is not None and (
        field.list_type == "set" or ("merge" in field.patch_strategy and elem and elem.shape == "scalar")
    ):
        return "set"
    return "atomic"


def _element_key(item: Any, keys: tuple[str, ...]) -> str:
    return json.dumps(
        {k: item.get(k) for k in keys if isinstance(item, dict) and k in item}, separators=(",", ":"), sort_keys=True
    )


def field_set(kind: str, obj: dict) -> set[Path]:
    """The paths `obj` sets (apiVersion and kind excluded: they are always shared)."""
    found: set[Path] = set()
    struct = gotypes.kind_type(kind) if kind in gotypes.KIND_TYPES else None
    for name, value in obj.items():
        if name in ("apiVersion", "kind"):
            continue
        if name == "metadata" and isinstance(value, dict):
            for meta_name in ("labels", "annotations", "finalizers", "ownerReferences"):
                if meta_name in value:
                    field = gotypes.struct_type("meta/v1", "ObjectMeta").by_json[meta_name]
                    _walk(
                        value[meta_name],
                        gotypes.resolve(field.type),
                        field,
                        ((("f", "metadata"), ("f", meta_name))),
                        found,
                    )
            continue
        field = struct.by_json.get(name) if struct else None
        _walk(value, gotypes.resolve(field.type) if field else None, field, (("f", name),), found)
    return found


def _walk(value: Any, go_type: GoType | None, field: gotypes.GoField | None, path: Path, found: set[Path]) -> None:
    if isinstance(value, dict) and value and (go_type is None or go_type.shape in ("struct", "map")):
        struct = gotypes.struct_of(go_type) if go_type is not None and go_type.shape == "struct" else None
        for name, item in value.items():
            child = struct.by_json.get(name) if struct else None
            child_type = (
                gotypes.resolve(child.type)
                if child
                else (gotypes.resolve(go_type.elem) if go_type and go_type.shape == "map" and go_type.elem else None)
            )
            _walk(item, child_type, child, (*path, ("f", name)), found)
        return
    if isinstance(value, list) and go_type is not None and go_type.shape == "list":
        elem = gotypes.resolve(go_type.elem) if go_type.elem else None
        shape = _list_kind(field, elem)
        if shape == "map":
            keys = _key_fields(field)
            for item in value:
                element = (*path, ("k", _element_key(item, keys)))
                found.add(element)
                if isinstance(item, dict):
                    struct = gotypes.struct_of(elem) if elem else None
                    for name, sub in item.items():
                        child = struct.by_json.get(name) if struct else None
                        _walk(
                            sub, gotypes.resolve(child.type) if child else None, child, (*element, ("f", name)), found
                        )
            return
        if shape == "set":
            for item in value:
                found.add((*path, ("v", json.dumps(item, separators=(",", ":")))))
            return
    found.add(path)


# ---------------------------------------------------------------------- FieldsV1
def to_fields_v1(paths: set[Path]) -> dict:
    """A field set in the FieldsV1 form managedFields carry."""
    root: dict = {}
    for path in sorted(paths):
        node = root
        for index, (kind, name) in enumerate(path):
            node = node.setdefault(f"{kind}:{name}", {})
            if (
                index == len(path) - 1
                and kind in ("k", "v")
                and any(p[: len(path)] == path and len(p) > len(path) for p in paths)
            ):
                node.setdefault(".", {})
    return root


def from_fields_v1(fields: dict, prefix: Path = ()) -> set[Path]:
    out: set[Path] = set()
    for key, child in (fields or {}).items():
        if key == ".":
            out.add(prefix)
            continue
        kind, _, name = key.partition(":")
        path = (*prefix, (kind, name))
        if child:
            out |= from_fields_v1(child, path)
        else:
            out.add(path)
    return out


def _entry(manager: str, operation: str, api_version: str, when: str, paths: set[Path]) -> dict:
    return {
        "manager": manager,
        "operation": operation,
        "apiVersion": api_version,
        "time": when,
        "fieldsType": "FieldsV1",
        "fieldsV1": to_fields_v1(paths),
    }


def ownership(obj: dict) -> list[tuple[str, str, str, set[Path]]]:
    """(manager, operation, apiVersion, paths) of each managedFields entry."""
    out = []
    for entry in (obj.get("metadata") or {}).get("managedFields") or ():
        out.append(
            (
                entry.get("manager", ""),
                entry.get("operation", ""),
                entry.get("apiVersion", ""),
                from_fields_v1(entry.get("fieldsV1") or {}),
            )
        )
    return out


# ---------------------------------------------------------------------- values at paths
_MISSING = object()


def value_at(obj: Any, path: Path) -> Any:
    node = obj
    for kind, name in path:
        if kind == "f":
            node = node.get(name, _MISSING) if isinstance(node, dict) else _MISSING
        elif kind == "k":
            wanted = json.loads(name)
            node = (
                next(
                    (i for i in node if isinstance(i, dict) and all(i.get(k) == v for k, v in wanted.items())), _MISSING
                )
                if isinstance(node, list)
                else _MISSING
            )
        elif kind == "v":
            wanted = json.loads(name)
            node = wanted if isinstance(node, list) and wanted in node else _MISSING
        if node is _MISSING:
            return _MISSING
    return node


def _remove(obj: Any, path: Path) -> None:
    parent = value_at(obj, path[:-1]) if len(path) > 1 else obj
    kind, name = path[-1]
    if kind == "f" and isinstance(parent, dict):
        parent.pop(name, None)
    elif kind == "k" and isinstance(parent, list):
        wanted = json.loads(name)
        parent[:] = [i for i in parent if not (isinstance(i, dict) and all(i.get(k) == v for k, v in wanted.items()))]
    elif kind == "v" and isinstance(parent, list):
        wanted = json.loads(name)
        parent[:] = [i for i in parent if i != wanted]


def _differs(a: Any, b: Any, path: Path) -> bool:
    """Whether two objects disagree at `path`: by value for fields, by presence for list
    elements (an element's own "." ownership says it exists; its fields are compared apart)."""
    left, right = value_at(a, path), value_at(b, path)
    if path and path[-1][0] in ("k", "v"):
        return (left is _MISSING) != (right is _MISSING)
    return left != right


def _render(path: Path) -> str:
    """How the conflict message prints a path: `.spec.replicas`,
    `.spec.template.spec.containers[name="nginx"].image`."""
    text = ""
    for kind, name in path:
        if kind == "f":
            text += f".{name}"
        elif kind == "k":
            keys = json.loads(name)
            text += "[" + ",".join(f"{k}={json.dumps(v)}" for k, v in keys.items()) + "]"
        else:
            text += f"[={name}]"
    return text


# ---------------------------------------------------------------------- the two operations
def record_update(kind: str, old: dict | None, new: dict, manager: str, api_version: str, when: str) -> dict:
    """`new` with managedFields after a create/update/patch by `manager`."""
    new_fields = field_set(kind, new)
    old_fields = field_set(kind, old) if old is not None else set()
    changed = {p for p in new_fields if old is None or p not in old_fields or _differs(old, new, p)}
    entries = []
    mine: set[Path] = set()
    for owner, operation, version, paths in ownership(old or {}):
        kept = (paths & new_fields) - changed
        if owner == manager and operation == "Update":
            mine |= kept
            continue
        if kept:
            entries.append(_entry(owner, operation, version, when, kept))
    mine |= changed
    if mine:
        entries.append(_entry(manager, "Update", api_version, when, mine))
    out = dict(new)
    out["metadata"] = {**(new.get("metadata") or {}), "managedFields": entries}
    return out


def apply(kind: str, resource, live: dict | None, applied: dict, manager: str, *, force: bool, when: str) -> dict:
    """The object after a server-side apply of `applied` by `manager` (raises the 409)."""
    api_version = applied.get("apiVersion") or resource.api_version
    applied_fields = field_set(kind, applied)
    if live is None:
        created = copy.deepcopy(applied)
        created.setdefault("metadata", {})["managedFields"] = [
            _entry(manager, "Apply", api_version, when, applied_fields)
        ]
        return created
    owners = ownership(live)
    conflicts: dict[str, list[Path]] = {}
    for owner, operation, _version, paths in owners:
        if owner == manager and operation == "Apply":
            continue
        for path in sorted(paths & applied_fields):
            if _differs(live, applied, path):
                conflicts.setdefault(owner, []).append(path)
    if conflicts and not force:
        raise _conflict_error(resource, live, conflicts, {o: (op, v) for o, op, v, _ in owners})
    previously = next((paths for owner, op, _, paths in owners if owner == manager and op == "Apply"), set())
    others = (
        set().union(*(paths for owner, op, _, paths in owners if not (owner == manager and op == "Apply")))
        if owners
        else set()
    )
    result = copy.deepcopy(live)
    for path in sorted(previously - applied_fields - others, key=len, reverse=True):
        _remove(result, path)
    merged = patch.strategic_merge(
        result,
        {k: v for k, v in applied.items() if k != "status"},
        gotypes.kind_type(kind) if kind in gotypes.KIND_TYPES else None,
    )
    taken = {p for paths in conflicts.values() for p in paths}
    entries = []
    for owner, operation, version, paths in owners:
        if owner == manager and operation == "Apply":
            continue
        kept = paths - taken
        if kept:
            entries.append(_entry(owner, operation, version, when, kept))
    entries.append(_entry(manager, "Apply", api_version, when, applied_fields))
    merged["metadata"] = {**(merged.get("metadata") or {}), "managedFields": entries}
    return merged


def _manager_text(owner: str, operation: str, version: str) -> str:
    """printManager: an Update manager is named with the apiVersion it wrote."""
    return f'"{owner}" using {version}' if operation == "Update" else f'"{owner}"'


def _conflict_error(
    resource, live: dict, conflicts: dict[str, list[Path]], owners: dict[str, tuple[str, str]]
) -> status.ApiError:
    """fieldmanager's NewConflictError: one cause per field; the message lists them by manager."""
    count = sum(len(paths) for paths in conflicts.values())
    causes = []
    for owner, paths in conflicts.items():
        operation, version = owners.get(owner, ("Update", resource.api_version))
        causes += [
            status.Cause(
                "FieldManagerConflict", f"conflict with {_manager_text(owner, operation, version)}", _render(p)
            )
            for p in paths
        ]
    if count == 1:
        ((owner, (path,)),) = conflicts.items()
        message = f"Apply failed with 1 conflict: conflict with {_manager_text(owner, *owners.get(owner, ('Update', resource.api_version)))}: {_render(path)}"
    else:
        lines = []
        for owner in sorted(conflicts):
            lines.append(
                f"conflicts with {_manager_text(owner, *owners.get(owner, ('Update', resource.api_version)))}:"
            )
            lines += [f"- {_render(p)}" for p in conflicts[owner]]
        message = f"Apply failed with {count} conflicts: " + "\n".join(lines)
    name = (live.get("metadata") or {}).get("name")
    return status.ApiError(
        409, "Conflict", message, name=name, group=resource.group, kind=resource.resource, causes=tuple(causes)
    )
