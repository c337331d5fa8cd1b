"""Label selectors, as apimachinery's `labels` package has them.

A `Selector` is an AND of `Requirement`s (key, operator, values), kept sorted by key so that
its canonical string (`env in (prod,test),tier!=db`) and its behaviour are deterministic.
`everything()` and `nothing()` are the two null objects.

Where selectors come from:
- `parse(text)`: the string syntax of `kubectl get pods -l ...` (labels.Parse);
- `selector_from_set(mapping)`: a Service's `spec.selector`, a plain map meaning
  "every one of these labels, with exactly these values" (labels.SelectorFromSet);
- `from_label_selector(dict)`: a `metav1.LabelSelector` (`matchLabels` + `matchExpressions`),
  as in Deployments, ReplicaSets and NetworkPolicies (metav1.LabelSelectorAsSelector).

Sources (read, not copied):
- k8s.io/apimachinery/pkg/labels/selector.go          (NewRequirement, Matches, String, the lexer and
  parser and their messages, SelectorFromValidatedSet, Everything, Nothing)
- k8s.io/apimachinery/pkg/selection/operator.go       (operator spellings)
- k8s.io/apimachinery/pkg/apis/meta/v1/helpers.go     (LabelSelectorAsSelector)
- k8s.io/apimachinery/pkg/apis/meta/v1/validation/validation.go  (ValidateLabelSelector)
- k8s.io/apimachinery/pkg/util/validation/field/path.go, errors.go, and pkg/util/errors (how
  paths and aggregated errors print)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .apiserver.validation.names import is_qualified_name, is_valid_label_value, validate_label_name, validate_labels
from .errors import EngineError, FieldError, forbidden, invalid, not_supported, required

__all__ = [
    "BINARY_OPERATORS",
    "DOES_NOT_EXIST",
    "DOUBLE_EQUALS",
    "EQUALS",
    "EXISTS",
    "GREATER_THAN",
    "IN",
    "LESS_THAN",
    "NOT_EQUALS",
    "NOT_IN",
    "UNARY_OPERATORS",
    "VALID_REQUIREMENT_OPERATORS",
    "Requirement",
    "Selector",
    "SelectorError",
    "describe_failure",
    "everything",
    "explain",
    "from_label_selector",
    "nothing",
    "parse",
    "selector_from_set",
    "validate_label_selector",
    "validated_selector_from_set",
]

# pkg/selection/operator.go. (StartsWith "^=" and EndsWith "$=" exist there for field
# selectors only; NewRequirement rejects them for labels.)
DOES_NOT_EXIST = "!"
EQUALS = "="
DOUBLE_EQUALS = "=="
IN = "in"
NOT_EQUALS = "!="
NOT_IN = "notin"
EXISTS = "exists"
GREATER_THAN = "gt"
LESS_THAN = "lt"

# selector.go: this order is what error messages list.
BINARY_OPERATORS = (IN, NOT_IN, EQUALS, DOUBLE_EQUALS, NOT_EQUALS, GREATER_THAN, LESS_THAN)
UNARY_OPERATORS = (EXISTS, DOES_NOT_EXIST)
VALID_REQUIREMENT_OPERATORS = BINARY_OPERATORS + UNARY_OPERATORS

# metav1.LabelSelectorOperator -> selection.Operator (helpers.go LabelSelectorAsSelector)
_LABEL_SELECTOR_OPERATORS = {"In": IN, "NotIn": NOT_IN, "Exists": EXISTS, "DoesNotExist": DOES_NOT_EXIST}

_MISSING: Any = object()

# Match plan codes: one small int per operator family, so matching is an if-chain, no lookups.
_C_EQ, _C_IN, _C_NE, _C_NOTIN, _C_EXISTS, _C_NOT_EXISTS, _C_GT, _C_LT, _C_NEVER = range(9)

_INT64_MIN, _INT64_MAX = -(1 << 63), (1 << 63) - 1


def _parse_int64(text: str) -> int | None:
    """strconv.ParseInt(text, 10, 64): optional sign, ASCII digits, int64 range. No regex."""
    digits = text[1:] if text[:1] in ("+", "-") else text
    if not digits or not digits.isascii() or not digits.isdigit():
        return None
    number = int(text)
    return number if _INT64_MIN <= number <= _INT64_MAX else None


def _child(path: str | None, name: str) -> str:
    """field.Path.Child: a nil root prints as just the child's name."""
    return f"{path}.{name}" if path else name


def _go_error(err: FieldError) -> str:
    """field.Error.Error(): "<field>: <body>"; a nil *field.Path prints as "<nil>"."""
    return f"{err.field or '<nil>'}: {err.message()}"


def _aggregate(errors: Sequence[FieldError]) -> str:
    """ErrorList.ToAggregate().Error(): duplicates dropped, one error bare, several as "[a, b]"."""
    seen: list[str] = []
    for err in errors:
        text = _go_error(err)
        if text not in seen:
            seen.append(text)
    if len(seen) == 1:
        return seen[0]
    return "[" + ", ".join(seen) + "]"


class SelectorError(EngineError, ValueError):
    """A selector could not be built.

    `errors` holds the field errors (possibly empty for pure syntax errors such as
    "found ',', expected: ..."); `message` is the whole text apimachinery would print.
    """

    def __init__(self, errors: Iterable[FieldError] = (), message: str | None = None):
        self.errors: list[FieldError] = list(errors)
        self.message: str = message if message is not None else _aggregate(self.errors)
        super().__init__(self.message)


# ---------------------------------------------------------------------------------------------
# Requirement
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Requirement:
    """One `key <operator> values` condition (labels.Requirement).

    Build it with `Requirement.new(...)`, which validates like NewRequirement. The plain
    constructor does not validate (like the struct literal SelectorFromValidatedSet uses);
    it only normalises `values` to a sorted, de-duplicated tuple.
    """

    key: str
    operator: str
    values: tuple[str, ...] = ()
    # Precomputed match plan (code, argument); not part of identity.
    _code: int = field(default=_C_NEVER, init=False, repr=False, compare=False, hash=False)
    _arg: Any = field(default=None, init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        values = tuple(sorted(set(self.values)))
        object.__setattr__(self, "values", values)
        op = self.operator
        code, arg = _C_NEVER, None
        if op in (EQUALS, DOUBLE_EQUALS, IN):
            code, arg = (_C_EQ, values[0]) if len(values) == 1 else (_C_IN, frozenset(values))
        elif op in (NOT_EQUALS, NOT_IN):
            code, arg = (_C_NE, values[0]) if len(values) == 1 else (_C_NOTIN, frozenset(values))
        elif op == EXISTS:
            code = _C_EXISTS
        elif op == DOES_NOT_EXIST:
            code = _C_NOT_EXISTS
        elif op in (GREATER_THAN, LESS_THAN):
            # selector.go Matches: anything but exactly one integer value never matches.
            bound = _parse_int64(values[0]) if len(values) == 1 else None
            if bound is not None:
                code, arg = (_C_GT if op == GREATER_THAN else _C_LT), bound
        object.__setattr__(self, "_code", code)
        object.__setattr__(self, "_arg", arg)

    @classmethod
    def new(cls, key: str, operator: str, values: Iterable[str] = (), path: str | None = None) -> Requirement:
        """NewRequirement: validate, then build; raises SelectorError with every problem.

        `path` is the field path the errors hang off (field.WithPath); without one, errors
        read `key: ...`, `values: ...`, `values[0][env]: ...` as in apimachinery.
        """
        vals = list(values)
        errs: list[FieldError] = []
        key_errs = is_qualified_name(key)
        if key_errs:
            errs.append(invalid(_child(path, "key"), key, "; ".join(key_errs)))

        value_path = _child(path, "values")
        if operator in (IN, NOT_IN):
            if not vals:
                errs.append(invalid(value_path, vals, "for 'in', 'notin' operators, values set can't be empty"))
        elif operator in (EQUALS, DOUBLE_EQUALS, NOT_EQUALS):
            if len(vals) != 1:
                errs.append(invalid(value_path, vals, "exact-match compatibility requires one single value"))
        elif operator in (EXISTS, DOES_NOT_EXIST):
            if vals:
                errs.append(invalid(value_path, vals, "values set must be empty for exists and does not exist"))
        elif operator in (GREATER_THAN, LESS_THAN):
            if len(vals) != 1:
                errs.append(invalid(value_path, vals, "for 'Gt', 'Lt' operators, exactly one value is required"))
            for i, value in enumerate(vals):
                if _parse_int64(value) is None:
                    errs.append(
                        invalid(f"{value_path}[{i}]", value, "for 'Gt', 'Lt' operators, the value must be an integer")
                    )
        else:
            errs.append(not_supported(_child(path, "operator"), operator, VALID_REQUIREMENT_OPERATORS))

        for i, value in enumerate(vals):
            value_errs = is_valid_label_value(value)
            if value_errs:
                # selector.go validateLabelValue: path.Index(i).Key(key) -> "values[0][env]"
                errs.append(invalid(f"{value_path}[{i}][{key}]", value, "; ".join(value_errs)))
        if errs:
            raise SelectorError(errs)
        return cls(key, operator, tuple(vals))

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Requirement.Matches. Absent key: `notin`, `!=` and `!` match; everything else fails.
        `gt`/`lt` compare int64s and fail when the label is not an integer."""
        return _matches(self._code, self._arg, labels.get(self.key, _MISSING))

    def __str__(self) -> str:
        """Requirement.String(): `!tier`, `tier`, `env=prod`, `env==prod`, `env!=prod`,
        `env in (prod,test)`, `env notin (dev)`, `replicas>3`, `replicas<3`."""
        op = self.operator
        if op == DOES_NOT_EXIST:
            return "!" + self.key
        if op == EXISTS:
            return self.key
        joined = ",".join(self.values)
        if op in (IN, NOT_IN):
            return f"{self.key} {op} ({joined})"
        symbol = {EQUALS: "=", DOUBLE_EQUALS: "==", NOT_EQUALS: "!=", GREATER_THAN: ">", LESS_THAN: "<"}.get(op, "")
        return f"{self.key}{symbol}{joined}"


def _matches(code: int, arg: Any, value: Any) -> bool:
    if code == _C_EQ:
        return value == arg
    if code == _C_IN:
        return value is not _MISSING and value in arg
    if code == _C_NE:
        return value != arg
    if code == _C_NOTIN:
        return value is _MISSING or value not in arg
    if code == _C_EXISTS:
        return value is not _MISSING
    if code == _C_NOT_EXISTS:
        return value is _MISSING
    if code in (_C_GT, _C_LT):
        if value is _MISSING:
            return False
        number = _parse_int64(value)
        if number is None:
            return False
        return number > arg if code == _C_GT else number < arg
    return False


# ---------------------------------------------------------------------------------------------
# Selector
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Selector:
    """An AND of requirements, sorted by key (labels.internalSelector).

    Requirements with the same key keep their relative order (a stable sort; Go's sort.Sort
    is an insertion sort, hence stable, for the fewer than 13 requirements real selectors have).
    `selectable=False` is the Nothing() selector: it matches no labels at all.
    """

    requirements: tuple[Requirement, ...] = ()
    selectable: bool = True
    _plan: tuple[tuple[int, str, Any], ...] = field(default=(), init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        reqs = tuple(sorted(self.requirements, key=lambda r: r.key))
        object.__setattr__(self, "requirements", reqs)
        object.__setattr__(self, "_plan", tuple((r._code, r.key, r._arg) for r in reqs))

    def matches(self, labels: Mapping[str, str]) -> bool:
        """True when every requirement matches (an empty selector matches everything)."""
        if not self.selectable:
            return False
        get = labels.get
        for code, key, arg in self._plan:
            value = get(key, _MISSING)
            # Inlined _matches for the common cases (Service selectors are all _C_EQ).
            if code == _C_EQ:
                if value != arg:
                    return False
            elif code == _C_IN:
                if value is _MISSING or value not in arg:
                    return False
            elif not _matches(code, arg, value):
                return False
        return True

    def empty(self) -> bool:
        """Selector.Empty(): True when it does not restrict anything (Nothing() is not empty)."""
        return self.selectable and not self.requirements

    def add(self, *requirements: Requirement) -> Selector:
        """Selector.Add: a new selector with more requirements (Nothing() stays Nothing())."""
        if not self.selectable:
            return self
        return Selector(self.requirements + tuple(requirements))

    def requires_exact_match(self, label: str) -> str | None:
        """RequiresExactMatch: the single value the first requirement on `label` demands
        (`=`, `==`, or `in` with one value), else None."""
        for req in self.requirements:
            if req.key == label:
                if req.operator in (EQUALS, DOUBLE_EQUALS, IN) and len(req.values) == 1:
                    return req.values[0]
                return None
        return None

    def equality_pairs(self) -> tuple[tuple[str, str], ...] | None:
        """The (key, value) pairs when every requirement is an exact match (`=`, `==`, or
        `in` with one value), so a label index can answer the query; None otherwise, and None
        for Nothing(). `()` (everything) means "all objects"."""
        if not self.selectable:
            return None
        pairs = []
        for req in self.requirements:
            if req.operator in (EQUALS, DOUBLE_EQUALS, IN) and len(req.values) == 1:
                pairs.append((req.key, req.values[0]))
            else:
                return None
        return tuple(pairs)

    def __str__(self) -> str:
        """Selector.String(): requirements joined by ","; "" for both Everything() and Nothing()."""
        return ",".join(str(r) for r in self.requirements)


_EVERYTHING = Selector()
_NOTHING = Selector((), selectable=False)


def everything() -> Selector:
    """labels.Everything(): matches all labels, String() is ""."""
    return _EVERYTHING


def nothing() -> Selector:
    """labels.Nothing(): matches no labels, String() is "" too, Empty() is False."""
    return _NOTHING


# ---------------------------------------------------------------------------------------------
# String syntax: lexer and parser (selector.go Lexer / Parser)
# ---------------------------------------------------------------------------------------------

(
    _T_ERROR,
    _T_EOS,
    _T_CLOSED_PAR,
    _T_COMMA,
    _T_DOES_NOT_EXIST,
    _T_DOUBLE_EQUALS,
    _T_EQUALS,
    _T_GREATER_THAN,
    _T_IDENTIFIER,
    _T_IN,
    _T_LESS_THAN,
    _T_NOT_EQUALS,
    _T_NOT_IN,
    _T_OPEN_PAR,
) = range(14)

_STRING2TOKEN = {
    ")": _T_CLOSED_PAR,
    ",": _T_COMMA,
    "!": _T_DOES_NOT_EXIST,
    "==": _T_DOUBLE_EQUALS,
    "=": _T_EQUALS,
    ">": _T_GREATER_THAN,
    "in": _T_IN,
    "<": _T_LESS_THAN,
    "!=": _T_NOT_EQUALS,
    "notin": _T_NOT_IN,
    "(": _T_OPEN_PAR,
}
_SPECIAL = frozenset("=!(),><")
_WHITESPACE = frozenset(" \t\r\n")
_END = "\x00"  # Go's lexer reads byte 0 at the end, so a NUL in the input also ends it.

_OPERATOR_TOKENS = {
    _T_IN: IN,
    _T_EQUALS: EQUALS,
    _T_DOUBLE_EQUALS: DOUBLE_EQUALS,
    _T_GREATER_THAN: GREATER_THAN,
    _T_LESS_THAN: LESS_THAN,
    _T_NOT_IN: NOT_IN,
    _T_NOT_EQUALS: NOT_EQUALS,
}


def _lex(text: str) -> list[tuple[int, str]]:
    """Scan the whole input into (token, literal) pairs ending with end-of-string."""
    items: list[tuple[int, str]] = []
    pos, n = 0, len(text)

    def read() -> str:
        nonlocal pos
        if pos < n:
            ch = text[pos]
            pos += 1
            return ch
        return _END

    while True:
        ch = read()
        while ch in _WHITESPACE:
            ch = read()
        if ch == _END:
            items.append((_T_EOS, ""))
            return items
        pos -= 1
        buffer = ""
        if ch in _SPECIAL:
            # Longest special-symbol token: "!=" over "!", "==" over "=".
            last: tuple[int, str] | None = None
            while True:
                ch = read()
                if ch == _END:
                    break
                if ch in _SPECIAL:
                    buffer += ch
                    tok = _STRING2TOKEN.get(buffer)
                    if tok is not None:
                        last = (tok, buffer)
                    elif last is not None:
                        pos -= 1
                        break
                else:
                    pos -= 1
                    break
            items.append(last if last is not None else (_T_ERROR, f"error expected: keyword found '{buffer}'"))
        else:
            while True:
                ch = read()
                if ch == _END:
                    break
                if ch in _SPECIAL or ch in _WHITESPACE:
                    pos -= 1
                    break
                buffer += ch
            items.append((_STRING2TOKEN.get(buffer, _T_IDENTIFIER), buffer))


class _SyntaxError(Exception):
    def __init__(self, message: str, errors: Sequence[FieldError] = ()):
        super().__init__(message)
        self.message = message
        self.errors = list(errors)


class _Parser:
    # Parser contexts: in Values context the keywords 'in'/'notin' are plain identifiers,
    # so `x in (in,notin)` and `in=notin` parse.
    KEY_AND_OPERATOR, VALUES = 0, 1

    def __init__(self, text: str, path: str | None):
        self.items = _lex(text)
        self.position = 0
        self.path = path

    def _item(self, index: int, context: int) -> tuple[int, str]:
        tok, lit = self.items[min(index, len(self.items) - 1)]
        if context == self.VALUES and tok in (_T_IN, _T_NOT_IN):
            tok = _T_IDENTIFIER
        return tok, lit

    def lookahead(self, context: int) -> tuple[int, str]:
        return self._item(self.position, context)

    def consume(self, context: int) -> tuple[int, str]:
        self.position += 1
        return self._item(self.position - 1, context)

    def parse(self) -> list[Requirement]:
        requirements: list[Requirement] = []
        while True:
            tok, lit = self.lookahead(self.VALUES)
            if tok in (_T_IDENTIFIER, _T_DOES_NOT_EXIST):
                try:
                    requirements.append(self.parse_requirement())
                except _SyntaxError as err:
                    raise SelectorError(err.errors, "unable to parse requirement: " + err.message) from None
                t, lit = self.consume(self.VALUES)
                if t == _T_EOS:
                    return requirements
                if t == _T_COMMA:
                    t2, l2 = self.lookahead(self.VALUES)
                    if t2 not in (_T_IDENTIFIER, _T_DOES_NOT_EXIST):
                        raise SelectorError(message=f"found '{l2}', expected: identifier after ','")
                else:
                    raise SelectorError(message=f"found '{lit}', expected: ',' or 'end of string'")
            elif tok == _T_EOS:
                return requirements
            else:
                raise SelectorError(message=f"found '{lit}', expected: !, identifier, or 'end of string'")

    def parse_requirement(self) -> Requirement:
        key, operator = self.parse_key_and_infer_operator()
        if operator in (EXISTS, DOES_NOT_EXIST):
            return self.new_requirement(key, operator, [])
        operator = self.parse_operator()
        if operator in (IN, NOT_IN):
            values = self.parse_values()
        else:
            values = self.parse_exact_value()
        return self.new_requirement(key, operator, sorted(values))  # sets.String.List() is sorted

    def new_requirement(self, key: str, operator: str, values: list[str]) -> Requirement:
        try:
            return Requirement.new(key, operator, values, path=self.path)
        except SelectorError as err:
            raise _SyntaxError(err.message, err.errors) from None

    def parse_key_and_infer_operator(self) -> tuple[str, str | None]:
        operator: str | None = None
        tok, literal = self.consume(self.VALUES)
        if tok == _T_DOES_NOT_EXIST:
            operator = DOES_NOT_EXIST
            tok, literal = self.consume(self.VALUES)
        if tok != _T_IDENTIFIER:
            raise _SyntaxError(f"found '{literal}', expected: identifier")
        key_errs = is_qualified_name(literal)
        if key_errs:
            # selector.go validateLabelKey(literal, p.path): with no path this prints "<nil>: ...".
            err = invalid(self.path or "", literal, "; ".join(key_errs))
            raise _SyntaxError(_go_error(err), [err])
        tok, _ = self.lookahead(self.VALUES)
        if tok in (_T_EOS, _T_COMMA) and operator != DOES_NOT_EXIST:
            operator = EXISTS
        return literal, operator

    def parse_operator(self) -> str:
        tok, lit = self.consume(self.KEY_AND_OPERATOR)
        operator = _OPERATOR_TOKENS.get(tok)
        if operator is None:
            raise _SyntaxError(f"found '{lit}', expected: {', '.join(BINARY_OPERATORS)}")
        return operator

    def parse_values(self) -> set[str]:
        tok, lit = self.consume(self.VALUES)
        if tok != _T_OPEN_PAR:
            raise _SyntaxError(f"found '{lit}' expected: '('")  # sic: no comma in upstream's message
        tok, lit = self.lookahead(self.VALUES)
        if tok in (_T_IDENTIFIER, _T_COMMA):
            values = self.parse_identifiers_list()
            tok, _ = self.consume(self.VALUES)
            if tok != _T_CLOSED_PAR:
                raise _SyntaxError(f"found '{lit}', expected: ')'")
            return values
        if tok == _T_CLOSED_PAR:  # "()" is the set holding the empty string
            self.consume(self.VALUES)
            return {""}
        raise _SyntaxError(f"found '{lit}', expected: ',', ')' or identifier")

    def parse_identifiers_list(self) -> set[str]:
        values: set[str] = set()
        while True:
            tok, lit = self.consume(self.VALUES)
            if tok == _T_IDENTIFIER:
                values.add(lit)
                tok2, lit2 = self.lookahead(self.VALUES)
                if tok2 == _T_COMMA:
                    continue
                if tok2 == _T_CLOSED_PAR:
                    return values
                raise _SyntaxError(f"found '{lit2}', expected: ',' or ')'")
            if tok == _T_COMMA:  # empty values: "(,a", "a,,b", "a,)"
                if not values:
                    values.add("")
                tok2, _ = self.lookahead(self.VALUES)
                if tok2 == _T_CLOSED_PAR:
                    values.add("")
                    return values
                if tok2 == _T_COMMA:
                    self.consume(self.VALUES)
                    values.add("")
                continue
            raise _SyntaxError(f"found '{lit}', expected: ',', or identifier")

    def parse_exact_value(self) -> set[str]:
        tok, _ = self.lookahead(self.VALUES)
        if tok in (_T_EOS, _T_COMMA):  # "a=" means a is the empty string
            return {""}
        tok, lit = self.consume(self.VALUES)
        if tok == _T_IDENTIFIER:
            return {lit}
        raise _SyntaxError(f"found '{lit}', expected: identifier")


def parse(text: str, path: str | None = None) -> Selector:
    """labels.Parse: the `-l` syntax, e.g. `env in (prod,test),tier!=db,!canary,track`.

    Grammar (selector.go):
        <selector>    ::= <requirement> | <requirement> "," <selector>
        <requirement> ::= [!] KEY [ ("in" | "notin") "(" VALUES ")" | ("=" | "==" | "!=" | ">" | "<") VALUE ]
    Whitespace (space, tab, CR, LF) separates tokens anywhere; "" parses to a selector matching
    everything; `a=` and `a in ()` mean the empty value. Raises SelectorError with
    apimachinery's message.
    """
    return Selector(tuple(_Parser(text, path).parse()))


# ---------------------------------------------------------------------------------------------
# Maps and metav1.LabelSelector
# ---------------------------------------------------------------------------------------------


def selector_from_set(labels: Mapping[str, str] | None) -> Selector:
    """labels.SelectorFromSet / SelectorFromValidatedSet: `k=v` for every entry, no validation.

    This is what a Service's `spec.selector` means: a Pod is selected when it carries every
    one of these labels with exactly these values (Boolean AND).

    As in apimachinery, a None or empty map gives `everything()`. Callers must decide what an
    empty selector means for them: for a Service, *no* selector means "Endpoints are not
    managed by Kubernetes" (the user manages them; no Pods are selected), which is not what
    `everything()` says. Check for an empty `spec.selector` before calling this.
    """
    if not labels:
        return everything()
    return Selector(tuple(Requirement(key, EQUALS, (value,)) for key, value in sorted(labels.items())))


def validated_selector_from_set(labels: Mapping[str, str] | None, path: str | None = None) -> Selector:
    """labels.ValidatedSelectorFromSet: like selector_from_set but each entry goes through
    NewRequirement; the first bad entry (in key order) raises SelectorError."""
    if not labels:
        return everything()
    return Selector(tuple(Requirement.new(key, EQUALS, [value], path=path) for key, value in sorted(labels.items())))


def validate_label_selector(
    selector: Mapping[str, Any] | None,
    path: str = "spec.selector",
    *,
    allow_invalid_label_value: bool = False,
) -> list[FieldError]:
    """metav1validation.ValidateLabelSelector: `matchLabels` like metadata.labels, and per
    `matchExpressions[i]`: the operator (In/NotIn need values, Exists/DoesNotExist forbid them,
    anything else is "not a valid selector operator"), the key, then each value.
    `allow_invalid_label_value` mirrors AllowInvalidLabelValueInSelector (only for objects that
    were already stored with bad values)."""
    errs: list[FieldError] = []
    if selector is None:
        return errs
    errs.extend(validate_labels(selector.get("matchLabels") or {}, _child(path, "matchLabels")))
    for i, expr in enumerate(selector.get("matchExpressions") or []):
        expr_path = f"{_child(path, 'matchExpressions')}[{i}]"
        operator = expr.get("operator", "")
        values = list(expr.get("values") or [])
        key = expr.get("key", "")
        if operator in ("In", "NotIn"):
            if not values:
                errs.append(
                    required(_child(expr_path, "values"), "must be specified when `operator` is 'In' or 'NotIn'")
                )
        elif operator in ("Exists", "DoesNotExist"):
            if values:
                errs.append(
                    forbidden(
                        _child(expr_path, "values"),
                        "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                    )
                )
        else:
            errs.append(invalid(_child(expr_path, "operator"), operator, "not a valid selector operator"))
        errs.extend(validate_label_name(key, _child(expr_path, "key")))
        if not allow_invalid_label_value:
            for j, value in enumerate(values):
                errs.extend(
                    invalid(f"{_child(expr_path, 'values')}[{j}]", value, msg) for msg in is_valid_label_value(value)
                )
    return errs


def from_label_selector(selector: Mapping[str, Any] | None, path: str = "spec.selector") -> Selector:
    """metav1.LabelSelectorAsSelector for a `{matchLabels, matchExpressions}` dict.

    None (the field is absent) selects nothing; `{}` (present but empty) selects everything.
    The input is first validated as the API server does (validate_label_selector), so the
    SelectorError carries its field paths, e.g. `spec.selector.matchExpressions[0].values`.
    """
    if selector is None:
        return nothing()
    key = _match_labels_key(selector)
    if key is not None:
        hit = _MATCH_LABELS_SELECTORS.get(key)
        if hit is not None:
            return hit
    errs = validate_label_selector(selector, path)
    if errs:
        raise SelectorError(errs)
    match_labels = selector.get("matchLabels") or {}
    expressions = selector.get("matchExpressions") or []
    if not match_labels and not expressions:
        return everything()
    reqs = [Requirement(key, EQUALS, (value,)) for key, value in sorted(match_labels.items())]
    for expr in expressions:
        reqs.append(
            Requirement(expr["key"], _LABEL_SELECTOR_OPERATORS[expr["operator"]], tuple(expr.get("values") or ()))
        )
    result = Selector(tuple(reqs))
    if key is not None:
        if len(_MATCH_LABELS_SELECTORS) >= 65_536:
            _MATCH_LABELS_SELECTORS.clear()
        _MATCH_LABELS_SELECTORS[key] = result
    return result


# Valid selectors made of matchLabels alone (what Deployments, ReplicaSets and DaemonSets carry,
# and the same ones again and again), by their string pairs. Selectors never change, so one can
# be shared; only valid ones are kept, so errors and their paths are always worked out afresh.
_MATCH_LABELS_SELECTORS: dict[tuple, Selector] = {}


def _match_labels_key(selector: Any) -> tuple | None:
    """The matchLabels pairs of a selector that has nothing else that counts, when all are strings."""
    if type(selector) is not dict or selector.get("matchExpressions"):
        return None
    labels = selector.get("matchLabels") or {}
    if type(labels) is not dict:
        return None
    pairs = tuple(labels.items())
    for key, value in pairs:
        if type(key) is not str or type(value) is not str:
            return None
    return pairs


# ---------------------------------------------------------------------------------------------
# Teaching helpers
# ---------------------------------------------------------------------------------------------


def explain(selector: Selector, labels: Mapping[str, str]) -> list[Requirement]:
    """The requirements these labels fail, in the selector's order; [] means they match.

    (For `nothing()`, which fails everything without any requirement, this is also [];
    check `selector.selectable` first.)"""
    return [req for req in selector.requirements if not req.matches(labels)]


def describe_failure(req: Requirement, labels: Mapping[str, str]) -> str:
    """A short sentence saying why `labels` fail `req`, e.g. `lacks label zone=prod`,
    `has version=v2, needs version=v1`, `has tier=db, excluded by tier!=db`."""
    key = req.key
    value = labels.get(key, _MISSING)
    present = value is not _MISSING
    if req.matches(labels):
        return f"has {key}={value}, satisfies {req}" if present else f"lacks label {key}, satisfies {req}"
    op = req.operator
    if op in (EQUALS, DOUBLE_EQUALS, IN):
        wanted = f"{key}={req.values[0]}" if len(req.values) == 1 else str(req)
        if not present:
            return f"lacks label {wanted}" if len(req.values) == 1 else f"lacks label {key}, needs {req}"
        return f"has {key}={value}, needs {wanted}"
    if op in (NOT_EQUALS, NOT_IN):
        return f"has {key}={value}, excluded by {req}"
    if op == EXISTS:
        return f"lacks label {key}"
    if op == DOES_NOT_EXIST:
        return f"has label {key}={value}, excluded by {req}"
    if op in (GREATER_THAN, LESS_THAN):
        if not present:
            return f"lacks label {key}, needs {req}"
        if _parse_int64(value) is None:
            return f"has {key}={value}, needs an integer for {req}"
        return f"has {key}={value}, needs {req}"
    return f"cannot satisfy {req}"
