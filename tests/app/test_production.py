"""Safe defaults for production (issue 11): DEBUG off unless asked for, no start on the public
development key, `check --deploy` clean with the documented settings, no secret on an error page,
static files compressed with cache headers, database connections not kept open under daphne."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.test import RequestFactory
from django.views.debug import technical_500_response

from .test_simulate_command import ROOT

PRODUCTION = {
    "KUBEVIZ_DEBUG": "0",
    "KUBEVIZ_SECRET_KEY": "a-production-key-" + "x1y2z3" * 10,
    "KUBEVIZ_ALLOWED_HOSTS": "kubeviz.school.example",
    "KUBEVIZ_HTTPS": "1",
}


def python(code: str, env: dict, *args: str) -> subprocess.CompletedProcess:
    # the settings' own defaults: none of the test run's (the PostgreSQL pass sets DATABASE_URL)
    base = {
        k: v for k, v in os.environ.items() if not k.startswith("KUBEVIZ_") and k not in ("REDIS_URL", "DATABASE_URL")
    }
    base["DJANGO_SETTINGS_MODULE"] = "kubeviz.settings"
    return subprocess.run(
        [sys.executable, *(["-c", code] if code else []), *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_debug_is_off_and_connections_are_not_kept_unless_asked_for():
    code = "import django; django.setup(); from django.conf import settings as s; print(s.DEBUG, s.DATABASES['default']['CONN_MAX_AGE'])"
    postgres = {"DATABASE_URL": "postgres://kubeviz@db.internal:5432/kubeviz"}
    assert python(code, postgres).stdout.split() == ["False", "0"]
    assert python(code, {**postgres, "KUBEVIZ_DEBUG": "1"}).stdout.split() == ["True", "0"]
    assert python(code, {}).stdout.split() == ["False", "60"]  # SQLite: files, not server connections


def test_the_server_refuses_to_start_with_debug_off_and_the_development_key():
    proc = python("import kubeviz.asgi", {"KUBEVIZ_DEBUG": "0"})
    assert proc.returncode != 0
    assert "will not start with the public development key" in proc.stderr
    assert (
        python(
            "import kubeviz.asgi", {"KUBEVIZ_DEBUG": "0", "KUBEVIZ_SECRET_KEY": PRODUCTION["KUBEVIZ_SECRET_KEY"]}
        ).returncode
        == 0
    )
    assert python("import kubeviz.asgi", {"KUBEVIZ_DEBUG": "1"}).returncode == 0


def test_check_deploy_is_clean_with_the_documented_production_settings():
    proc = python("", PRODUCTION, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert proc.returncode == 0, proc.stderr
    assert "System check identified no issues" in proc.stdout


def _secrets() -> tuple[str, str]:
    return "red-" + "s3cret", "db-" + "s3cret"  # not in this source as such


def _error_page(settings) -> str:
    settings.DEBUG = True
    settings.REDIS_URL = f"redis://:{_secrets()[0]}@redis.internal:6379/0"
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "x", "CONFIG": {"hosts": [settings.REDIS_URL]}}}
    settings.DATABASE_URL = f"postgres://kubeviz:{_secrets()[1]}@db.internal/kubeviz"
    request = RequestFactory().get("/boom")
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        return technical_500_response(request, *sys.exc_info()).content.decode()


def test_an_error_page_never_shows_the_redis_or_database_password(settings):
    page = _error_page(settings)
    assert "boom" in page and "CHANNEL_LAYERS" in page
    assert all(secret not in page for secret in _secrets())


@pytest.fixture
def collected(tmp_path):
    env = {**PRODUCTION, "KUBEVIZ_STATIC_ROOT": str(tmp_path / "static"), "KUBEVIZ_HTTPS": "0"}
    proc = python("", env, "manage.py", "collectstatic", "--noinput")
    assert proc.returncode == 0, proc.stderr
    return env


def test_static_files_are_served_compressed_with_cache_headers(collected):
    code = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "r = Client().get('/static/dist/main.js', HTTP_ACCEPT_ENCODING='gzip, br', HTTP_HOST='kubeviz.school.example')\n"
        "print(r.status_code, r.headers.get('Content-Encoding'), r.headers.get('Cache-Control'))\n"
    )
    proc = python(code, collected)
    assert proc.returncode == 0, proc.stderr
    status, encoding, cache = proc.stdout.split(" ", 2)
    assert status == "200" and encoding in ("gzip", "br")
    assert "max-age=3600" in cache
