"""simulator.kubeapi is pure: no Django, Channels or daphne, and the engine only through engine_port."""

import ast
import pathlib

PACKAGE = pathlib.Path(__file__).resolve().parents[2] / "simulator" / "kubeapi"
FORBIDDEN = ("django", "channels", "daphne")


def imports_of(path: pathlib.Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def test_no_kubeapi_module_imports_django_channels_or_daphne():
    offenders = [
        f"{path.name}: {name}"
        for path in sorted(PACKAGE.glob("*.py"))
        for name in imports_of(path)
        if name.split(".")[0] in FORBIDDEN
    ]
    assert offenders == []


def test_only_engine_port_imports_the_engine():
    offenders = [
        f"{path.name}: {name}"
        for path in sorted(PACKAGE.glob("*.py"))
        if path.name != "engine_port.py"
        for name in imports_of(path)
        if name.startswith("simulator.engine")
    ]
    assert offenders == []


def test_the_package_does_import_the_engine_through_its_port():
    assert any(name.startswith("simulator.engine") for name in imports_of(PACKAGE / "engine_port.py"))
