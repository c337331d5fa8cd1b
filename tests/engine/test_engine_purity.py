"""The engine is pure Python: usable, tested and benchmarked with no database and no server."""

import ast
import pathlib

ENGINE = pathlib.Path(__file__).resolve().parents[2] / "simulator" / "engine"
FORBIDDEN = ("django", "channels", "daphne")


def test_no_engine_module_imports_django_or_channels():
    offenders = []
    for path in sorted(ENGINE.glob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []
