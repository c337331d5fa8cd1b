"""A console line taken apart the way a shell would, without a shell.

The console runs only kubectl. What a student types is split with a POSIX shell's quoting rules
(single quotes literal, double quotes with `$` expansion, backslash escapes), `$NAME` / `${NAME}`
and `$(kubectl ...)` are expanded by the server itself, `VAR=$(...)` sets a variable for the
rest of the session, and `| grep`, `| head`, `| tail`, `| wc`, `| sort`, `| uniq` are filters
the server applies (`filters.py`). Everything else a shell would do is refused with one sentence
saying what and why: `;`, `&&`, `||`, `&`, backticks, redirections, subshells, arithmetic.

    parse(text) -> Line        (or raises Refused)
    expand(line, variables, substitute) -> list of argv lists, one per pipeline stage

The parse never runs anything; `expand` calls `substitute(line)` for each `$(...)`, which the
caller answers by running that inner line (itself only kubectl) and returning its output.
Word splitting follows the shell: an unquoted expansion splits on whitespace, a quoted one does
not; a trailing newline of a command substitution is dropped (POSIX 2.6.3).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

MAX_LINE = 8192  # characters in one console line
MAX_DEPTH = 2  # $( $( ) ) at most
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ASSIGNMENT = re.compile(r"^\$?([A-Za-z_][A-Za-z0-9_]*)=")


class Refused(ValueError):
    """A line the console will not run; the message is one sentence for the student."""


@dataclass(frozen=True)
class Part:
    kind: str  # "text", "var" (value: the name) or "command" (value: the Line inside $( ))
    value: object
    quoted: bool = False


Word = tuple[Part, ...]


@dataclass(frozen=True)
class Stage:
    words: tuple[Word, ...]


@dataclass(frozen=True)
class Line:
    stages: tuple[Stage, ...]  # a pipeline: the first runs, the rest filter its output
    assignment: str | None = None  # `NAME=word`: stages[0] is that one word
    text: str = ""

    @property
    def empty(self) -> bool:
        return not self.stages


_OPERATORS = {
    ";": "`;` runs a second command: type one command per line",
    "&": "`&` runs commands in the background or chains them: type one command per line",
    ">": "redirections (`>`) write the server's files: they are not run here",
    "<": "redirections (`<`) read the server's files: use `-f -` to read the editor's buffer",
    "`": "backticks run a command inside the line: only `$(kubectl ...)` is expanded here",
    "(": "subshells `( ... )` are not run here: type one kubectl command",
    ")": "an unmatched `)`: type one kubectl command",
}


def parse(text: str, *, depth: int = 0) -> Line:
    if len(text) > MAX_LINE:
        raise Refused(f"a line of {len(text)} characters is refused: the limit is {MAX_LINE}")
    text = text.replace("\\\r\n", "").replace("\\\n", "")  # line continuations
    if "\n" in text.strip() or "\r" in text.strip():
        raise Refused("one command per line: the line holds a line break")
    text = text.strip()
    if re.match(r"^\$[A-Za-z_][A-Za-z0-9_]*=", text):
        text = text[1:]  # `$NGINX_POD=$(...)`, as the course's PowerShell transcript writes it
    tokens = _tokens(text, depth)
    stages: list[Stage] = []
    words: list[Word] = []
    for token in tokens:
        if token == "|":
            if not words:
                raise Refused("a `|` needs a command on each side")
            stages.append(Stage(tuple(words)))
            words = []
        else:
            words.append(token)
    if words:
        stages.append(Stage(tuple(words)))
    elif stages:
        raise Refused("a `|` needs a command on each side")
    if not stages:
        return Line((), text=text)
    first = stages[0].words
    match = _assignment(first[0])
    if match is not None:
        name, rest = match
        if len(first) > 1:
            raise Refused(
                f"`{name}=... command` sets the environment of a program: environment variables "
                "are not passed to kubectl here; set the variable on a line of its own"
            )
        if len(stages) > 1 and depth == 0:
            raise Refused(f"`{name}=...` cannot be piped: put the pipe inside `$( )`")
        return Line((Stage((rest,)),), assignment=name, text=text)
    if literal(first[0]) == "export" and len(first) == 2 and len(stages) == 1:
        match = _assignment(first[1])
        if match is not None:
            return Line((Stage((match[1],)),), assignment=match[0], text=text)
    return Line(tuple(stages), text=text)


def literal(word: Word) -> str | None:
    if all(p.kind == "text" for p in word):
        return "".join(str(p.value) for p in word)
    return None


def _assignment(word: Word) -> tuple[str, Word] | None:
    if not word or word[0].kind != "text" or word[0].quoted:
        return None
    match = _ASSIGNMENT.match(str(word[0].value))
    if match is None:
        return None
    head = str(word[0].value)[match.end() :]
    rest = ((Part("text", head),) if head else ()) + word[1:]
    return match.group(1), rest


def _tokens(text: str, depth: int) -> list:
    """Words (tuples of Parts) and "|" operators."""
    out: list = []
    parts: list[Part] = []
    started = False  # a word is open (even an empty quoted one: '' is a word)
    i, n = 0, len(text)

    def add(kind: str, value: object, quoted: bool) -> None:
        if kind == "text" and parts and parts[-1].kind == "text" and parts[-1].quoted == quoted:
            parts[-1] = Part("text", str(parts[-1].value) + str(value), quoted)
        else:
            parts.append(Part(kind, value, quoted))

    def end_word() -> None:
        nonlocal parts, started
        if started:
            out.append(tuple(parts))
        parts, started = [], False

    while i < n:
        char = text[i]
        if char in " \t":
            end_word()
            i += 1
        elif char == "#" and not started:
            break  # a comment, as in a shell
        elif char == "|":
            if text[i : i + 2] == "||":
                raise Refused("`||` runs a second command: type one command per line")
            end_word()
            out.append("|")
            i += 1
        elif char in _OPERATORS:
            if char == "&" and text[i : i + 2] == "&&":
                raise Refused("`&&` runs a second command: type one command per line")
            raise Refused(_OPERATORS[char])
        elif char == "\\":
            started = True
            if i + 1 < n:
                add("text", text[i + 1], True)
            i += 2
        elif char == "'":
            end = text.find("'", i + 1)
            if end < 0:
                raise Refused("a single quote (') is not closed")
            started = True
            add("text", text[i + 1 : end], True)
            i = end + 1
        elif char == '"':
            started = True
            i = _double_quoted(text, i + 1, depth, add)
        elif char == "$":
            started = True
            i = _dollar(text, i, depth, add, quoted=False)
        else:
            started = True
            add("text", char, False)
            i += 1
    end_word()
    return out


def _double_quoted(text: str, i: int, depth: int, add) -> int:
    n = len(text)
    while i < n:
        char = text[i]
        if char == '"':
            add("text", "", True)  # "" is an (empty) word
            return i + 1
        if char == "\\" and i + 1 < n and text[i + 1] in '$`"\\':
            add("text", text[i + 1], True)
            i += 2
        elif char == "`":
            raise Refused(_OPERATORS["`"])
        elif char == "$":
            i = _dollar(text, i, depth, add, quoted=True)
        else:
            add("text", char, True)
            i += 1
    raise Refused('a double quote (") is not closed')


def _dollar(text: str, i: int, depth: int, add, *, quoted: bool) -> int:
    """`$NAME`, `${NAME}`, `$(line)`; a lone `$` is itself."""
    rest = text[i + 1 :]
    if rest.startswith("(("):
        raise Refused("arithmetic `$(( ))` is not run here")
    if rest.startswith("("):
        end = _closing(text, i + 2)
        if depth + 1 > MAX_DEPTH:
            raise Refused(f"`$( )` nested more than {MAX_DEPTH} deep is not run here")
        inner = parse(text[i + 2 : end], depth=depth + 1)
        if inner.empty:
            raise Refused("`$( )` holds no command")
        if inner.assignment:
            raise Refused("`$( )` must hold a kubectl command, not an assignment")
        add("command", inner, quoted)
        return end + 1
    if rest.startswith("{"):
        close = rest.find("}")
        name = rest[1:close] if close > 0 else ""
        if not _NAME.fullmatch(name):
            raise Refused("`${...}` must name a variable, like ${POD}")
        add("var", name, quoted)
        return i + 2 + close
    match = _NAME.match(rest)
    if match:
        add("var", match.group(0), quoted)
        return i + 1 + match.end()
    if rest[:1] in ("?", "$", "!", "#", "@", "*", "-") or rest[:1].isdigit():
        raise Refused(f"`${rest[:1]}` is a shell's special parameter: only named variables are expanded here")
    add("text", "$", quoted)
    return i + 1


def _closing(text: str, i: int) -> int:
    """The index of the `)` that closes a `$(` whose inside starts at `i` (quotes respected)."""
    depth, n = 1, len(text)
    while i < n:
        char = text[i]
        if char == "'":
            end = text.find("'", i + 1)
            if end < 0:
                raise Refused("a single quote (') is not closed")
            i = end + 1
            continue
        if char == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
            if i >= n:
                raise Refused('a double quote (") is not closed')
        elif char == "\\":
            i += 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise Refused("`$(` is not closed by `)`")


# ---------------------------------------------------------------------- expansion
Substitute = Callable[[Line], str]


def expand_word(word: Word, variables: dict[str, str], substitute: Substitute) -> list[str]:
    """One word -> the argv entries it becomes (none, one, or several after word splitting)."""
    fields: list[str] = []
    current = ""
    have = False  # current holds a field (possibly empty, from quotes)
    for part in word:
        if part.kind == "text":
            current += str(part.value)
            have = have or part.quoted or bool(part.value)
            continue
        if part.kind == "var":
            value = variables.get(str(part.value), "")
        else:
            value = substitute(part.value).rstrip("\n")  # type: ignore[arg-type]
        if part.quoted:
            current += value
            have = True
            continue
        pieces = value.split()
        if not pieces:
            continue
        if value[:1].isspace() and have:
            fields.append(current)
            current, have = "", False
        current += pieces[0]
        have = True
        for piece in pieces[1:]:
            fields.append(current)
            current = piece
        if value[-1:].isspace():
            fields.append(current)
            current, have = "", False
    if have:
        fields.append(current)
    return fields


def expand_stage(stage: Stage, variables: dict[str, str], substitute: Substitute) -> list[str]:
    argv: list[str] = []
    for word in stage.words:
        argv.extend(expand_word(word, variables, substitute))
    return argv


def expand_assignment(line: Line, variables: dict[str, str], substitute: Substitute) -> str:
    """The value `NAME=word` sets: no word splitting (as in a shell's assignments)."""
    value = ""
    for part in line.stages[0].words[0]:
        if part.kind == "text":
            value += str(part.value)
        elif part.kind == "var":
            value += variables.get(str(part.value), "")
        else:
            value += substitute(part.value).rstrip("\n")  # type: ignore[arg-type]
    return value
