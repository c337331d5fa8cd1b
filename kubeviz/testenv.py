"""A pytest plugin (`-p kubeviz.testenv` in pyproject.toml), loaded before Django's settings: the
tests run in development mode, as `make run` does, with a key of their own. A server a test starts
with KUBEVIZ_DEBUG=0 inherits the key, so it starts as production would."""

from __future__ import annotations

import os

os.environ.setdefault("KUBEVIZ_DEBUG", "1")
os.environ.setdefault("KUBEVIZ_SECRET_KEY", "kubeviz-tests-only-" + "k" * 40)
