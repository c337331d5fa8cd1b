"""The filters a console line may pipe kubectl's output through, done by the server itself (no
program runs): `grep [-i] [-v] [-E|-F] [-w] [-c] [-n] PATTERN`, `head [-n N|-N]`,
`tail [-n N|-N]`, `wc [-l|-w|-c]`, `sort [-r] [-n] [-u]`, `uniq [-c]`. Options as GNU coreutils
and grep spell them; anything else is refused with the option named.

    run(argv, text) -> (text, status)    status as the tool exits: grep 1 when nothing matched
"""

from __future__ import annotations

import re

from .commandline import Refused

NAMES = ("grep", "head", "tail", "wc", "sort", "uniq")


def _options(tool: str, argv: list[str], booleans: str, valued: str = "") -> tuple[set[str], dict[str, str], list[str]]:
    flags: set[str] = set()
    values: dict[str, str] = {}
    rest: list[str] = []
    index = 0
    while index < len(argv):
        arg = argv[index]
        index += 1
        if arg == "--":
            rest.extend(argv[index:])
            break
        if arg.startswith("-") and len(arg) > 1 and not rest:
            if arg[1:].isdigit() and tool in ("head", "tail"):
                values["n"] = arg[1:]
                continue
            long = {"--ignore-case": "i", "--invert-match": "v", "--lines": "l", "--count": "c", "--reverse": "r"}
            if arg in long:
                flags.add(long[arg])
                continue
            letters = arg[1:]
            for pos, letter in enumerate(letters):
                if letter in valued:
                    value = letters[pos + 1 :] or (argv[index] if index < len(argv) else "")
                    if not letters[pos + 1 :]:
                        index += 1
                    values[letter] = value
                    break
                if letter not in booleans:
                    raise Refused(f"`{tool} -{letter}` is not one of the options the console's {tool} knows")
                flags.add(letter)
            continue
        rest.append(arg)
    return flags, values, rest


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def _count(values: dict[str, str], tool: str) -> int:
    raw = values.get("n", "10")
    if not raw.lstrip("+-").isdigit():
        raise Refused(f"`{tool} -n {raw}`: the number of lines must be a number")
    return int(raw)


def grep(argv: list[str], text: str) -> tuple[str, int]:
    flags, values, rest = _options("grep", argv, "ivEFwcnH", "e")
    pattern = values.get("e")
    if pattern is None:
        if not rest:
            raise Refused("`grep` needs a PATTERN, like `| grep WEBAPP_`")
        pattern, rest = rest[0], rest[1:]
    if rest:
        raise Refused("`grep` reads only kubectl's output here: it takes no file names")
    if "F" in flags:
        source = re.escape(pattern)
    elif "E" in flags:
        source = pattern
    else:
        # Basic regular expressions: `+ ? | { } ( )` are literal unless escaped.
        source = re.sub(r"\\([+?|{}()])|([+?|{}()])", lambda m: m.group(1) or "\\" + m.group(2), pattern)
    if "w" in flags:
        source = rf"(?<![\w])(?:{source})(?![\w])"
    try:
        compiled = re.compile(source, re.IGNORECASE if "i" in flags else 0)
    except re.error as exc:
        raise Refused(f"`grep {pattern}`: not a valid pattern ({exc})") from None
    invert = "v" in flags
    matched = [
        (number, line)
        for number, line in enumerate(_lines(text), start=1)
        if bool(compiled.search(line.rstrip("\r\n"))) != invert
    ]
    if "c" in flags:
        return f"{len(matched)}\n", 0 if matched else 1
    out = "".join(f"{number}:{line}" if "n" in flags else line for number, line in matched)
    return out, 0 if matched else 1


def head(argv: list[str], text: str) -> tuple[str, int]:
    _flags, values, rest = _options("head", argv, "", "n")
    if rest:
        raise Refused("`head` reads only kubectl's output here: it takes no file names")
    count = _count(values, "head")
    lines = _lines(text)
    return "".join(lines[:count]), 0  # `head -n -N`: all but the last N, as GNU head


def tail(argv: list[str], text: str) -> tuple[str, int]:
    _flags, values, rest = _options("tail", argv, "", "n")
    if rest:
        raise Refused("`tail` reads only kubectl's output here: it takes no file names")
    raw = values.get("n", "10")
    lines = _lines(text)
    if raw.startswith("+"):
        return "".join(lines[max(_count({"n": raw[1:]}, "tail") - 1, 0) :]), 0
    count = _count(values, "tail")
    return "".join(lines[-count:] if count else []), 0


def wc(argv: list[str], text: str) -> tuple[str, int]:
    flags, _values, rest = _options("wc", argv, "lwc")
    if rest:
        raise Refused("`wc` reads only kubectl's output here: it takes no file names")
    counts = {"l": text.count("\n"), "w": len(text.split()), "c": len(text.encode())}
    chosen = [c for c in "lwc" if c in flags] or ["l", "w", "c"]
    if len(chosen) == 1:
        return f"{counts[chosen[0]]}\n", 0
    return " ".join(f"{counts[c]:>7}" for c in chosen) + "\n", 0


def sort(argv: list[str], text: str) -> tuple[str, int]:
    flags, _values, rest = _options("sort", argv, "rnuf")
    if rest:
        raise Refused("`sort` reads only kubectl's output here: it takes no file names")
    lines = [line.rstrip("\r\n") for line in _lines(text)]

    def key(line: str):
        if "n" in flags:
            match = re.match(r"\s*(-?\d+(?:\.\d+)?)", line)
            return (float(match.group(1)) if match else 0.0, line)
        return line.lower() if "f" in flags else line

    lines.sort(key=key, reverse="r" in flags)
    if "u" in flags:
        lines = list(dict.fromkeys(lines))
    return "".join(line + "\n" for line in lines), 0


def uniq(argv: list[str], text: str) -> tuple[str, int]:
    flags, _values, rest = _options("uniq", argv, "c")
    if rest:
        raise Refused("`uniq` reads only kubectl's output here: it takes no file names")
    out: list[tuple[int, str]] = []
    for line in _lines(text):
        line = line.rstrip("\r\n")
        if out and out[-1][1] == line:
            out[-1] = (out[-1][0] + 1, line)
        else:
            out.append((1, line))
    if "c" in flags:
        return "".join(f"{count:>7} {line}\n" for count, line in out), 0
    return "".join(line + "\n" for _count, line in out), 0


TOOLS = {"grep": grep, "head": head, "tail": tail, "wc": wc, "sort": sort, "uniq": uniq}


def check(argv: list[str]) -> None:
    """Refuse a stage that is not one of the filters (before anything runs)."""
    if not argv:
        raise Refused("a `|` needs a command on each side")
    if argv[0] not in TOOLS:
        raise Refused(
            f"`| {argv[0]}` is not run here: kubectl's output can go through " + ", ".join(f"`{n}`" for n in NAMES)
        )
    TOOLS[argv[0]](argv[1:], "")  # the options are checked on no input


def run(argv: list[str], text: str) -> tuple[str, int]:
    return TOOLS[argv[0]](argv[1:], text)
