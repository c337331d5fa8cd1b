"""A real kubeviz for browser tests and bench/browser.py: a migrated SQLite database in a temp
directory, one daphne on a free loopback port, and Debian's Chromium driven by Playwright
(never a downloaded browser)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
DAPHNE = str(Path(sys.executable).with_name("daphne"))
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BUNDLE = ROOT / "static" / "dist" / "main.js"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def missing_requirements() -> str | None:
    if not os.access(CHROMIUM, os.X_OK):
        return f"{CHROMIUM} is not installed (make test installs it)"
    if not BUNDLE.exists():
        return "static/dist is not built (make test builds it: make assets)"
    return None


class Server:
    def __init__(self, workdir: Path, port: int, env: dict, process: subprocess.Popen):
        self.workdir, self.port, self.env, self.process = workdir, port, env, process
        self.url = f"http://127.0.0.1:{port}"

    def manage(self, *args: str, timeout: float = 600) -> str:
        done = subprocess.run(
            [PYTHON, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=timeout
        )
        if done.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def restart(self) -> None:
        """Stop the daphne and start a new one on the same port and database (a worker restart);
        return once it answers."""
        self.process.terminate()
        self.process.wait(timeout=10)
        log = open(self.workdir / "daphne.log", "a")  # noqa: SIM115 - the new daphne's stdout for its lifetime
        self.process = subprocess.Popen(
            [DAPHNE, "-b", "127.0.0.1", "-p", str(self.port), "kubeviz.asgi:application"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        _wait(self.url + "/", self.process)


def _wait(url: str, process: subprocess.Popen, timeout: float = 40) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"daphne exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.15)
    raise TimeoutError(f"{url} did not answer within {timeout}s")


@contextmanager
def kubeviz_server(prepare=None, **extra_env):
    """Migrate a fresh SQLite database, call `prepare(env)` (to load clusters before serving),
    start daphne and yield a `Server`; stop it (by its own pid) and remove the database."""
    workdir = Path(tempfile.mkdtemp(prefix="kubeviz-browser-"))
    env = dict(os.environ)
    env.pop("REDIS_URL", None)
    env.update(
        {
            "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
            "KUBEVIZ_DEBUG": "0",
            "KUBEVIZ_SECRET_KEY": os.environ.get("KUBEVIZ_SECRET_KEY", "kubeviz-tests-only-" + "k" * 40),
            "KUBEVIZ_OPEN_CLUSTERS": "1",  # the self-learner's setup: the tests make clusters from the home page
            # Every browser of the session's tests is one client address (127.0.0.1) and makes
            # its clusters from the home page: a whole run makes well over the default 60 an hour.
            "KUBEVIZ_MAX_CREATIONS_PER_HOUR": "100000",
            "DJANGO_SETTINGS_MODULE": "kubeviz.settings",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update({k: str(v) for k, v in extra_env.items()})
    process = None
    server = None
    try:
        subprocess.run(
            [PYTHON, "manage.py", "migrate", "--noinput"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=300,
        )
        if prepare is not None:
            prepare(env)
        port = free_port()
        log = open(workdir / "daphne.log", "w")  # noqa: SIM115 - the daphne's stdout for its lifetime
        process = subprocess.Popen(
            [DAPHNE, "-b", "127.0.0.1", "-p", str(port), "kubeviz.asgi:application"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        server = Server(workdir, port, env, process)
        _wait(server.url + "/", process)
        yield server
    finally:
        if server is not None:
            process = server.process  # a test may have restarted it
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(workdir, ignore_errors=True)


def launch_chromium(playwright, *, width: int = 1280, height: int = 720):
    """One person's browser: Debian's Chromium, headless, a fresh profile of its own."""
    profile = tempfile.mkdtemp(prefix="kubeviz-chromium-")
    context = playwright.chromium.launch_persistent_context(
        profile,
        executable_path=CHROMIUM,
        headless=True,
        args=CHROMIUM_ARGS,
        viewport={"width": width, "height": height},
        accept_downloads=True,
    )
    context.kubeviz_profile = profile
    return context


def close_chromium(context) -> None:
    profile = getattr(context, "kubeviz_profile", None)
    context.close()
    if profile:
        shutil.rmtree(profile, ignore_errors=True)


SHOTS = Path(tempfile.gettempdir()) / "kubeviz-shots"


def screenshot(page, name: str, **options) -> Path:
    """A screenshot a browser test takes for people to look at: into docs/ (the README's images)
    when KUBEVIZ_SCREENSHOTS is set (`make screenshots`), else into a temp folder, so that a test
    run leaves the checkout as it found it. Returns where it went."""
    folder = ROOT / "docs" if os.environ.get("KUBEVIZ_SCREENSHOTS") else SHOTS
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / name), **options)
    return folder / name
