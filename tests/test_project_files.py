"""The repository explains itself: nothing in it points at files outside it."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Developers keep planning material in a folder beside the repository; users and CI clones do not.
OUTSIDE = re.compile(r"(?<![\w-])(?:\.\./)?shared/(?:docs|seeds)\b")


def tracked_text_files() -> list[Path]:
    names = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    files = []
    for name in names.decode().split("\0"):
        path = ROOT / name
        if name and path.is_file() and path.suffix not in {".png", ".svg", ".ico"} and name != "package-lock.json":
            files.append(path)
    return files


def test_no_tracked_file_refers_to_documents_outside_the_repository():
    offenders = []
    for path in tracked_text_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            if OUTSIDE.search(line) and path.name != Path(__file__).name:
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_the_documents_the_code_cites_are_in_the_repository():
    for name in ("docs/simulate-contract.md", "docs/course.md", "docs/protocol.md", "docs/architecture.md"):
        assert (ROOT / name).is_file(), name
