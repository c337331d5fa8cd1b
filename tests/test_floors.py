"""The floors, enforced: the engine at the bottom imports nothing above it; the live protocol is
pure (no Django); the app floor (models, repository, services, selectors, presence, push)
imports no delivery module; delivery (web/, realtime/) reaches the engine and the rows only
through services (writes) and selectors (named reads); and no import cycle anywhere.

The graph is read from the source with `ast`, every import counted wherever it sits (a
function-local or TYPE_CHECKING import still ties two modules together).
"""

from __future__ import annotations

import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
FRAMEWORKS = ("django", "channels", "daphne", "asgiref")
DELIVERY = ("simulator.web", "simulator.realtime")
# What delivery must not touch: the engine, the rows, and the repository that hands out engines.
BELOW_SERVICES = ("simulator.engine", "simulator.models", "simulator.repository")


def within(module: str, packages: tuple[str, ...] | str) -> bool:
    packages = (packages,) if isinstance(packages, str) else packages
    return any(module == p or module.startswith(p + ".") for p in packages)


def import_graph(root: pathlib.Path, package: str) -> dict[str, set[str]]:
    """{module: every module it imports}, for the modules of `package` under `root`; imports of
    modules outside the package are kept by their full dotted name."""
    paths = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        name = ".".join(parts[:-1] if is_package else parts)
        paths[name] = (path, is_package)
    graph: dict[str, set[str]] = {}
    for name, (path, is_package) in paths.items():
        here = name if is_package else name.rpartition(".")[0]
        imported: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = here.split(".")[: len(here.split(".")) - node.level + 1]
                    base = ".".join([*anchor, *([node.module] if node.module else [])])
                for alias in node.names:
                    submodule = f"{base}.{alias.name}"
                    imported.add(submodule if submodule in paths else base)
        graph[name] = {_known(m, paths) for m in imported} - {name}
    return graph


def _known(module: str, paths: dict) -> str:
    """`module` itself, or the innermost module of the package that holds the name it imports."""
    candidate = module
    while candidate not in paths and "." in candidate:
        candidate = candidate.rpartition(".")[0]
    return candidate if candidate in paths else module


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in sorted(graph.get(module, ())):
            if other not in graph:
                continue
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                component.append(other)
                if other == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return sorted(found)


def offenders(graph: dict[str, set[str]], modules, forbidden) -> list[str]:
    return sorted(
        f"{module} imports {target}"
        for module, targets in graph.items()
        if modules(module)
        for target in targets
        if forbidden(target)
    )


GRAPH = import_graph(ROOT, "simulator")


def test_no_module_of_the_app_is_part_of_an_import_cycle():
    # Cycles wholly inside the engine are the engine's own tests' business (tests/engine).
    assert [c for c in cycles(GRAPH) if not all(within(m, "simulator.engine") for m in c)] == []


def test_the_engine_imports_nothing_above_it_and_no_framework():
    assert (
        offenders(
            GRAPH,
            lambda m: within(m, "simulator.engine"),
            lambda t: (within(t, "simulator") and not within(t, "simulator.engine")) or within(t, FRAMEWORKS),
        )
        == []
    )


def test_the_live_protocol_is_pure_python_over_the_engine():
    allowed = ("simulator.engine", "simulator.live")
    assert (
        offenders(
            GRAPH,
            lambda m: within(m, "simulator.live"),
            lambda t: (within(t, "simulator") and not within(t, allowed)) or within(t, FRAMEWORKS),
        )
        == []
    )


def test_delivery_reaches_the_engine_and_the_rows_only_through_services_and_selectors():
    assert offenders(GRAPH, lambda m: within(m, DELIVERY), lambda t: within(t, BELOW_SERVICES)) == []


def test_nothing_below_delivery_imports_a_delivery_module():
    assert offenders(GRAPH, lambda m: not within(m, DELIVERY), lambda t: within(t, DELIVERY)) == []


def test_the_graph_sees_relative_function_local_and_type_checking_imports(tmp_path):
    """The checks above can fail: a package with a cycle made of exactly those imports."""
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    (package / "a.py").write_text("from .sub import b\n")
    (package / "sub" / "b.py").write_text("def f():\n    from .. import c\n")
    (package / "c.py").write_text(
        "from typing import TYPE_CHECKING\nimport django.db\nif TYPE_CHECKING:\n    from pkg import a\n"
    )
    graph = import_graph(tmp_path, "pkg")
    assert graph["pkg.a"] == {"pkg.sub.b"} and graph["pkg.sub.b"] == {"pkg.c"}
    assert graph["pkg.c"] == {"typing", "django.db", "pkg.a"}
    assert cycles(graph) == [["pkg.a", "pkg.c", "pkg.sub.b"]]
    assert offenders(graph, lambda m: m == "pkg.c", lambda t: within(t, FRAMEWORKS)) == ["pkg.c imports django.db"]
