"""The engine is pure Python: usable, tested and benchmarked with no database and no server; its
modules import each other relatively and without a cycle."""

import ast
import pathlib

from ..test_floors import cycles

ROOT = pathlib.Path(__file__).resolve().parents[2]
ENGINE = ROOT / "simulator" / "engine"
FORBIDDEN = ("django", "channels", "daphne")


def engine_modules() -> dict[str, tuple[pathlib.Path, bool]]:
    """{dotted name: (path, is a package)} for every module of the engine, subpackages included."""
    modules = {}
    for path in sorted(ENGINE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        modules[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return modules


def imports_of(name: str, path: pathlib.Path, is_package: bool) -> list[tuple[str, int]]:
    """(absolute dotted name, level) of every import in the module, wherever it sits; for
    `from X import y`, X.y when y is a module, else X."""
    here = name if is_package else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, 0) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = here.split(".")[: len(here.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            found += [(f"{base}.{alias.name}", node.level) for alias in node.names]
            found.append((base, node.level))
    return found


def import_graph() -> dict[str, set[str]]:
    """{engine module: the engine modules importing it runs first}. Importing `a.b.c` runs the
    packages `a.b` and `a` first, so a module depends on the packages above what it imports too
    (stricter than tests/test_floors.py's graph, which leaves the engine's inside to this test)."""
    modules = engine_modules()
    graph: dict[str, set[str]] = {}
    for name, (path, is_package) in modules.items():
        targets = set()
        for target, _level in imports_of(name, path, is_package):
            while target and target not in modules:
                target = target.rpartition(".")[0]
            while target:
                if target != name and not name.startswith(target + "."):
                    targets.add(target)
                target = target.rpartition(".")[0] if "." in target else ""
        graph[name] = targets
    return graph


def test_no_engine_module_imports_django_or_channels():
    offenders = []
    for name, (path, is_package) in engine_modules().items():
        for target, level in imports_of(name, path, is_package):
            if level == 0 and target.split(".")[0] in FORBIDDEN:
                offenders.append(f"{name}: {target}")
    assert offenders == []


def test_the_engine_imports_its_own_modules_relatively_and_nothing_of_the_app():
    offenders = []
    for name, (path, is_package) in engine_modules().items():
        for target, level in imports_of(name, path, is_package):
            if level == 0 and target.split(".")[0] == "simulator":
                offenders.append(f"{name}: {target}")
    assert offenders == []


def test_no_engine_module_is_part_of_an_import_cycle():
    assert cycles(import_graph()) == []
