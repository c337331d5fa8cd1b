"""Loading YAML the way `kubectl apply -f` does, safely and within bounds.

* Documents are split on separator lines exactly as apimachinery's YAMLReader does
  (k8s.io/apimachinery/pkg/util/yaml/decoder.go): a line that starts with `---` and has
  only spaces or a comment after it ends a document; empty documents are skipped.
  Splitting first means one broken document does not hide the others, and every
  document knows the line it starts on.
* Each document is built from libyaml's event stream (the C parser when present) by our
  own small builder instead of PyYAML's composer: the C composer recurses and crashes the
  process on deeply nested input, and the builder lets us bound depth, alias expansion
  ("billion laughs") and node count while we go. Only plain YAML is loaded: maps, lists,
  strings, numbers, booleans and null (YAML 1.1 scalars, like go-yaml); any other tag is
  refused.
* Map keys become strings as sigs.k8s.io/yaml does when it turns YAML into JSON.
* Lines are found lazily: the first error that needs a line composes the document once and
  keeps the node tree; every later error of that document walks the same tree, so a document
  with thousands of errors is read twice, not thousands of times.
* Work per input is bounded before anything is stored: bytes, documents, nesting depth, nodes
  and bytes reached through aliases, and the length of a number's text (a 4,000-digit hex
  integer or a base-60 one costs quadratic time to read). Integers must fit in 64 bits and
  floats be finite (JSON has neither bigger integers nor inf/NaN, and sigs.k8s.io/yaml turns
  YAML into JSON), and strings hold neither NUL nor lone surrogates (not text in JSON or
  PostgreSQL).
"""

from __future__ import annotations

import copy
import math
import re
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from ..errors import Diagnostic, InputRejected

try:  # libyaml's C parser: much faster; the pure-Python one gives the same events.
    from yaml import CSafeLoader as _Loader
    from yaml._yaml import CParser as _CParser
except ImportError:  # pragma: no cover - exercised only where libyaml is missing
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

    _CParser = None

DEFAULT_MAX_BYTES = 1024 * 1024
DEFAULT_MAX_DOCUMENTS = 1000
MAX_DEPTH = 100
# Total nodes one document may expand to through aliases, and the ratio to its own size,
# like go-yaml's guard against "billion laughs" (yaml.v3 decode.go allowedAliasRatio).
MAX_EXPANDED_NODES = 200_000
MAX_ALIAS_RATIO = 10
# Characters a number's text may have: int64 needs 20 (and a 0b binary one 66); more is refused
# before it is read, as base-60 (`1:59:59:...`) and huge hex texts cost quadratic time.
MAX_NUMBER_CHARS = 100
INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1
_NOT_TEXT = re.compile("[\x00\ud800-\udfff]")

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MERGE = "tag:yaml.org,2002:merge"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_KNOWN_SCALAR_TAGS = {_STR, _INT, _FLOAT, _BOOL, _NULL, _TIMESTAMP}

_resolver = Resolver()
_constructor = SafeConstructor()
_SEPARATOR = re.compile(r"^---(?=\s|$)(.*)$")


class YAMLInputError(Exception):
    """A problem in one document; `line` is 1-based within the whole input."""

    def __init__(self, message: str, line: int | None, column: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass
class Document:
    """One document of the input (1-based `index`), as a plain value."""

    index: int
    line: int  # 1-based line of the document's first line with content
    text: str  # this document's own text
    value: Any = None
    error: YAMLInputError | None = None
    offset: int = 0  # 1-based line where `text` begins in the input
    _node: Any = None  # the composed node tree, made by the first `locate`
    _composed: bool = False

    def locate(self, path: str) -> int:
        """The 1-based line of `path` (e.g. `spec.ports[0].port`), or of its deepest existing parent."""
        if not path:
            return self.line
        if not self._composed:
            self._node, self._composed = _compose(self.text), True
        return max(self.line, (self.offset or self.line) + _locate(self._node, path))


def split_documents(text: str) -> list[tuple[int, str]]:
    """(first line, text) of each non-empty document, as apimachinery's YAMLReader splits them."""
    chunks: list[tuple[int, str]] = []
    buf: list[str] = []
    start = 0
    for number, line in enumerate(text.splitlines(keepends=True)):
        m = _SEPARATOR.match(line) if line.startswith("---") else None
        if m is not None:
            rest = m.group(1).strip()
            if rest and not rest.startswith("#"):
                # kubectl: "invalid Yaml document separator: <rest>"; keep it with the document.
                buf.append(line)
                continue
            if buf:
                chunks.append((start, "".join(buf)))
            buf = []
            start = number + 1
            continue
        if not buf:
            start = number
        buf.append(line)
    if buf:
        chunks.append((start, "".join(buf)))
    return [(first + 1, chunk) for first, chunk in chunks if _has_content(chunk)]


def _first_content(chunk: str) -> int:
    """0-based line of the first line that is not blank or a comment."""
    for number, line in enumerate(chunk.splitlines()):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            return number
    return 0


def _has_content(chunk: str) -> bool:
    for line in chunk.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#") and stripped != "...":
            return True
    return False


def load_documents(
    text: str,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_documents: int = DEFAULT_MAX_DOCUMENTS,
) -> list[Document]:
    """Split and build every document. Raises InputRejected when the input as a whole is refused;
    a document that cannot be loaded carries its `error` and the others still load."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputRejected(
                [Diagnostic(None, None, None, None, None, f"the input is not UTF-8 text (byte {exc.start})")]
            ) from None
    size = len(text) if len(text) * 4 <= max_bytes else len(text.encode("utf-8"))
    if size > max_bytes:
        raise InputRejected(
            [
                Diagnostic(
                    None,
                    None,
                    None,
                    None,
                    None,
                    f"the input is {human_size(size)}, over the limit of {human_size(max_bytes)}",
                    hint="split it into several applies, or raise KUBEVIZ_MAX_INPUT_BYTES",
                )
            ]
        )
    bad = _NOT_TEXT.search(text)
    if bad is not None:
        line = text.count("\n", 0, bad.start()) + 1
        what = "a NUL character" if bad.group() == "\x00" else "a lone surrogate (not a Unicode character)"
        raise InputRejected([Diagnostic(None, line, None, None, None, f"the input contains {what}; YAML must be text")])
    chunks = split_documents(text)
    if len(chunks) > max_documents:
        raise InputRejected(
            [
                Diagnostic(
                    None,
                    None,
                    None,
                    None,
                    None,
                    f"the input has {len(chunks)} documents, over the limit of {max_documents}",
                    hint="split it into several applies, or raise KUBEVIZ_MAX_DOCUMENTS",
                )
            ]
        )
    documents = []
    for index, (line, chunk) in enumerate(chunks, start=1):
        doc = Document(index=index, line=line + _first_content(chunk), text=chunk, offset=line)
        try:
            doc.value = _build(chunk, line, max_bytes)
        except YAMLInputError as exc:
            doc.error = exc
        documents.append(doc)
    return documents


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MiB".replace(".0 MiB", " MiB")
    if size >= 1024:
        return f"{size / 1024:.1f} KiB".replace(".0 KiB", " KiB")
    return f"{size} bytes"


_NOKEY = object()


def _scalar(ev: yaml.ScalarEvent, line0: int) -> Any:
    tag = ev.tag
    value = ev.value
    if tag is None or tag == "!":
        if ev.implicit[0]:
            tag = _IMPLICIT_TAGS.get(value)
            if tag is None:
                tag = _implicit_tag(value)
        else:
            return _text(value, ev, line0)
    if tag == _STR:
        return _text(value, ev, line0)
    if tag == _NULL:
        return None
    if tag == _TIMESTAMP:
        return value  # kept as text, as the YAML-to-JSON conversion does
    if tag in (_INT, _FLOAT, _BOOL):
        line, column = line0 + ev.start_mark.line, ev.start_mark.column + 1
        if tag != _BOOL and len(value) > MAX_NUMBER_CHARS:
            raise YAMLInputError(
                f"a number of {len(value)} characters is refused: at most {MAX_NUMBER_CHARS} are read "
                "(quote it to make it a string)",
                line,
                column,
            )
        node = ScalarNode(tag, value)
        try:
            if tag == _INT:
                number = _constructor.construct_yaml_int(node)
                if not INT64_MIN <= number <= INT64_MAX:
                    raise YAMLInputError(
                        f"the integer {_shorten(value)} is out of range: JSON numbers here fit in 64 bits "
                        f"({INT64_MIN} to {INT64_MAX})",
                        line,
                        column,
                    )
                return number
            if tag == _FLOAT:
                number = _constructor.construct_yaml_float(node)
                if not math.isfinite(number):
                    raise YAMLInputError(
                        f"the number {_shorten(value)} is not finite: JSON has no infinity or NaN "
                        "(quote it to make it a string)",
                        line,
                        column,
                    )
                return number
            return _constructor.construct_yaml_bool(node)
        except (ValueError, KeyError, OverflowError):
            raise YAMLInputError(f"cannot read {value!r} as {tag.rsplit(':', 1)[-1]}", line, column) from None
    if tag == _MERGE:
        return _MergeKey
    raise _unsafe_tag(ev, line0)


def _text(value: str, ev, line0: int) -> str:
    # Only a double-quoted scalar's escapes (`"\0"`, `"\ud800"`) can make what the input text
    # itself may not hold (load_documents checked it).
    if ev.style == '"' and _NOT_TEXT.search(value):
        what = "a NUL character" if "\x00" in value else "a lone surrogate (not a Unicode character)"
        raise YAMLInputError(
            f"the string holds {what}: it cannot be stored as text",
            line0 + ev.start_mark.line,
            ev.start_mark.column + 1,
        )
    return value


def _shorten(value: str) -> str:
    return value if len(value) <= 40 else value[:20] + "…" + value[-10:]


# The tag a plain scalar resolves to depends on its text alone (the implicit resolvers; no path
# resolvers are registered), and the same texts come back in every document: keys, kinds, images.
_IMPLICIT_TAGS: dict[str, str] = {}


def _implicit_tag(value: str) -> str:
    tag = _resolver.resolve(ScalarNode, value, (True, False))
    if len(_IMPLICIT_TAGS) >= 65_536:
        _IMPLICIT_TAGS.clear()
    _IMPLICIT_TAGS[value] = tag
    return tag


class _MergeKey:
    """Marker for the YAML 1.1 merge key `<<`."""


def _unsafe_tag(ev, line0: int) -> YAMLInputError:
    tag = str(ev.tag).replace("tag:yaml.org,2002:", "!!")
    return YAMLInputError(
        f"the YAML tag {tag!r} is not loaded: only plain YAML (maps, lists, strings, numbers, "
        "booleans, null) is accepted",
        line0 + ev.start_mark.line,
        ev.start_mark.column + 1,
    )


def _key_text(key: Any, ev, line0: int) -> str:
    # sigs.k8s.io/yaml turns non-string scalar keys into their JSON text.
    if isinstance(key, str):
        return key
    if key is None:
        return "null"
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, (int, float)):
        return str(key)
    raise YAMLInputError(
        "a map key must be a plain value, not a map or list", line0 + ev.start_mark.line, ev.start_mark.column + 1
    )


def _events(chunk: str):
    """libyaml's events for one document, read straight from its parser when it is there (what
    yaml.parse does, without a whole Loader per document and a generator around each event)."""
    if _CParser is not None:
        return iter(_CParser(chunk).get_event, None)
    return yaml.parse(chunk, Loader=_Loader)  # pragma: no cover - without libyaml


def _build(chunk: str, line0: int, max_bytes: int = DEFAULT_MAX_BYTES) -> Any:
    """Build one document from libyaml events with depth, alias and node bounds; the scalars'
    text reached through aliases counts too, in bytes, up to `max_bytes` (a long string repeated
    through aliases is one node each time, but a whole copy once stored or sent)."""
    ScalarEvent = yaml.ScalarEvent
    MappingStartEvent = yaml.MappingStartEvent
    SequenceStartEvent = yaml.SequenceStartEvent
    MappingEndEvent = yaml.MappingEndEvent
    SequenceEndEvent = yaml.SequenceEndEvent
    AliasEvent = yaml.AliasEvent
    NOKEY = _NOKEY
    MergeKey = _MergeKey
    scalar = _scalar
    implicit_tags = _IMPLICIT_TAGS
    STR = _STR
    not_text = _NOT_TEXT.search

    # The innermost open map or list is held in locals (None: the document's top level); the
    # enclosing ones wait in `outer` as (container, is_map, key, key_event, anchor, start,
    # start_chars, merges).
    outer: list[tuple] = []
    container: Any = None
    is_map = False
    key: Any = NOKEY  # a map's key waiting for its value
    key_ev = None  # the event of that key (for a duplicate key's line)
    anchor = None  # the open container's anchor, registered when it closes
    start = 0  # nodes + expanded when the open container began
    start_chars = 0  # chars when it began
    merges: list | None = None  # a map's `<<` values, applied when it closes
    anchors: dict[str, tuple[Any, int, int]] = {}  # value, nodes, scalar characters
    root: Any = None
    have_root = False
    nodes = 0
    expanded = 0
    chars = 0  # characters of scalar text built, aliases' included
    expanded_chars = 0  # of which reached through aliases

    try:
        for ev in _events(chunk):
            t = type(ev)
            if t is ScalarEvent:
                nodes += 1
                # Most scalars are untagged text: quoted (taken as it is), or plain with an implicit
                # tag already known to be a string. Everything else goes through _scalar.
                value = ev.value
                chars += len(value)
                if ev.tag is not None or (ev.implicit[0] and implicit_tags.get(value) != STR):
                    value = scalar(ev, line0)
                elif ev.style == '"' and not_text(value):
                    value = _text(value, ev, line0)
                if ev.anchor:
                    anchors[ev.anchor] = (value, 1, len(ev.value))
            elif t is MappingStartEvent or t is SequenceStartEvent:
                nodes += 1
                if ev.tag not in (None, "!", _MAP if t is MappingStartEvent else _SEQ):
                    raise _unsafe_tag(ev, line0)
                if len(outer) >= MAX_DEPTH:
                    raise _too_deep(line0 + ev.start_mark.line, ev.start_mark.column + 1)
                outer.append((container, is_map, key, key_ev, anchor, start, start_chars, merges))
                is_map = t is MappingStartEvent
                container = {} if is_map else []
                key, key_ev, anchor, merges = NOKEY, None, ev.anchor, None
                start, start_chars = nodes + expanded, chars
                continue
            elif t is MappingEndEvent or t is SequenceEndEvent:
                value = container
                if is_map and merges:
                    _apply_merges(value, merges, line0)
                if anchor:
                    anchors[anchor] = (value, nodes + expanded - start + 1, chars - start_chars)
                container, is_map, key, key_ev, anchor, start, start_chars, merges = outer.pop()
            elif t is AliasEvent:
                found = anchors.get(ev.anchor)
                if found is None:
                    raise YAMLInputError(
                        f"unknown anchor '{ev.anchor}' referenced", line0 + ev.start_mark.line, ev.start_mark.column + 1
                    )
                value, size, size_chars = found
                expanded += size
                chars += size_chars
                expanded_chars += size_chars
                if expanded > MAX_EXPANDED_NODES or expanded > MAX_ALIAS_RATIO * max(nodes, 1000):
                    raise YAMLInputError(
                        "yaml: document contains excessive aliasing",
                        line0 + ev.start_mark.line,
                        ev.start_mark.column + 1,
                    )
                if expanded_chars > max_bytes:
                    raise YAMLInputError(
                        f"yaml: aliases expand this document by over {human_size(max_bytes)} of text, the input "
                        "limit: write the values out, or repeat less",
                        line0 + ev.start_mark.line,
                        ev.start_mark.column + 1,
                    )
                if isinstance(value, (dict, list)):
                    value = copy.deepcopy(value)
            else:
                continue  # StreamStart/End, DocumentStart/End carry nothing we keep.
            # Attach the value to its parent: a list's item, a map's key or value, or the root.
            if container is None:
                root = value
                have_root = True
            elif not is_map:
                container.append(value)
            elif key is NOKEY:
                if value is MergeKey:
                    key = MergeKey
                else:
                    key = value if type(value) is str else _key_text(value, ev, line0)
                    key_ev = ev
            elif key is MergeKey:
                if merges is None:
                    merges = []
                merges.append((value, ev))
                key = NOKEY
            else:
                if key in container:
                    raise YAMLInputError(
                        f'key "{key}" already set in map', line0 + key_ev.start_mark.line, key_ev.start_mark.column + 1
                    )
                container[key] = value
                key = NOKEY
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        line = line0 + mark.line if mark else None
        column = mark.column + 1 if mark else None
        if problem in _LIBYAML_DEPTH_PROBLEMS:
            # libyaml ≥ 0.2.6 (bundled from PyYAML 6.0.4 on) stops deep flow nesting itself, sometimes
            # before our own guard sees the depth (its scanner reads ahead); the words stay ours.
            raise _too_deep(line, column) from None
        raise YAMLInputError(f"yaml: line {line}: {problem}" if line else f"yaml: {problem}", line, column) from None
    except yaml.YAMLError as exc:  # reader errors (control characters and such)
        mark = getattr(exc, "problem_mark", None)
        line = line0 + mark.line if mark else line0
        raise YAMLInputError(f"yaml: {getattr(exc, 'problem', None) or exc}", line) from None
    return root if have_root else None


# What libyaml says when its own nesting limit stops a document (scanner.c, "exceeded maximum
# nesting depth"); its limit (1000) is above ours, so such a document is too deep for us as well.
_LIBYAML_DEPTH_PROBLEMS = frozenset({"exceeded maximum nesting depth"})


def _too_deep(line: int | None, column: int | None) -> YAMLInputError:
    return YAMLInputError(
        f"the document nests deeper than {MAX_DEPTH} levels (maps and lists inside one another)",
        line,
        column,
    )


def _apply_merges(container: dict, merges: list, line0: int) -> None:
    # YAML 1.1 merge keys: explicit keys win; earlier merged maps win over later ones.
    for value, ev in merges:
        sources = value if isinstance(value, list) else [value]
        for source in sources:
            if not isinstance(source, dict):
                raise YAMLInputError(
                    "a merge key (<<) needs a map or a list of maps",
                    line0 + ev.start_mark.line,
                    ev.start_mark.column + 1,
                )
            for key, item in source.items():
                container.setdefault(key, item)


_PATH_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def parse_path(path: str) -> list[str | int]:
    """`spec.ports[0].port` -> ['spec', 'ports', 0, 'port']."""
    out: list[str | int] = []
    for name, index in _PATH_TOKEN.findall(path or ""):
        out.append(int(index) if index else name)
    return out


def _compose(chunk: str) -> Any:
    """The document's node tree (with marks), or None."""
    try:
        return yaml.compose(chunk, Loader=_Loader)  # depth was already bounded by _build
    except yaml.YAMLError:
        return None


def _locate(node: Any, path: str) -> int:
    """0-based line within the document of the node at `path` (or its deepest existing ancestor)."""
    if node is None:
        return 0
    line = node.start_mark.line
    for step in parse_path(path):
        if isinstance(node, yaml.MappingNode) and isinstance(step, str):
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.value == step:
                    line = key_node.start_mark.line
                    node = value_node
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
            if step >= len(node.value):
                return line
            node = node.value[step]
            line = node.start_mark.line
        else:
            return line
    return line
