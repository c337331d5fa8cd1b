"""Real servers for live tests and bench/live.py: daphne processes on free loopback ports,
sharing a PostgreSQL database made for the run and the local Redis under a prefix of its own."""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
DAPHNE = str(Path(sys.executable).with_name("daphne"))
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
REDIS = "redis://127.0.0.1:6379/0"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"daphne exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"daphne did not listen on {port} within {timeout}s")


@contextmanager
def postgres_database():
    """A database of its own for this run (dropped afterwards); yields its DATABASE_URL."""
    import psycopg

    name = f"kubeviz_live_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgres://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


TEST_SECRET_KEY = "kubeviz-tests-only-" + "k" * 40


def server_env(database_url: str | None, redis: bool, **extra) -> dict:
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    if redis:
        env["REDIS_URL"] = REDIS
        env["KUBEVIZ_CHANNEL_PREFIX"] = f"kvtest-{secrets.token_hex(4)}"
    env["KUBEVIZ_DEBUG"] = "0"  # as in production: it needs a key of its own
    env.setdefault("KUBEVIZ_SECRET_KEY", TEST_SECRET_KEY)
    env["KUBEVIZ_OPEN_CLUSTERS"] = "1"  # loadscenario's clusters are open: anyone watches and edits
    env["DJANGO_SETTINGS_MODULE"] = "kubeviz.settings"
    env.update({k: str(v) for k, v in extra.items()})
    return env


def manage(env: dict, *args: str) -> str:
    done = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


@contextmanager
def daphnes(env: dict, count: int):
    """`count` daphne workers; yields their ports, then stops them (by their own pids)."""
    processes, ports = [], []
    try:
        for _ in range(count):
            port = free_port()
            log = open(os.environ.get("KUBEVIZ_DAPHNE_LOG", os.devnull), "a")  # noqa: SIM115 - the daphne's stdout for its lifetime
            command = [DAPHNE, "-b", "127.0.0.1", "-p", str(port), "kubeviz.asgi:application"]
            if os.environ.get("KUBEVIZ_DAPHNE_PROFILE"):  # profile the event loop (bench/live.py)
                command = [PYTHON, "-m", "cProfile", "-o", os.environ["KUBEVIZ_DAPHNE_PROFILE"], *command]
            process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
            processes.append(process)
            ports.append(port)
        for port, process in zip(ports, processes, strict=True):
            wait_for_port(port, process)
        yield ports, processes
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def run_apart(coroutine):
    """`asyncio.run(coroutine)` in a thread of its own. Once a browser test has run in the session,
    Playwright's sync API keeps an event loop running in the main thread, where asyncio.run is
    refused ("cannot be called from a running event loop")."""
    with ThreadPoolExecutor(1, thread_name_prefix="run-apart") as pool:
        return pool.submit(asyncio.run, coroutine).result()
