"""kubeviz settings: twelve-factor, every knob read from the environment.

Defaults give the embedded setup (SQLite, in-memory channel layer, one daphne process);
`DATABASE_URL` and `REDIS_URL` switch to PostgreSQL and Redis for a whole school.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Off unless asked for (`make run` asks, and the tests: kubeviz/testenv.py). With DEBUG off the
# server refuses to start on the development key (kubeviz/asgi.py; `check --deploy` says so too).
DEBUG = env_bool("KUBEVIZ_DEBUG", False)
DEV_SECRET_KEY = "dev-only-insecure-key-change-me"
SECRET_KEY = os.environ.get("KUBEVIZ_SECRET_KEY", DEV_SECRET_KEY)
ALLOWED_HOSTS = env_list("KUBEVIZ_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("KUBEVIZ_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "simulator",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files before anything else: compressed copies (made by collectstatic) and cache headers.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "kubeviz.urls"
ASGI_APPLICATION = "kubeviz.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "simulator.web.identity.viewer",
            ],
        },
    },
]

_DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(
        _DATABASE_URL,
        # A database server's connections are closed after each request and each socket's call (0):
        # under daphne every request and the sockets' thread pool run in threads of their own, and
        # connections kept open in them pile up (24 held by one worker after 41 requests) until
        # PostgreSQL's max_connections is gone. SQLite's are files in this process, and opening one
        # per socket message halves the live path's speed: kept (60 s).
        conn_max_age=int(
            os.environ.get("KUBEVIZ_DB_CONN_MAX_AGE", "60" if _DATABASE_URL.startswith("sqlite") else "0")
        ),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers take SQLite's write lock when their transaction starts (BEGIN IMMEDIATE), so two
    # concurrent applies queue up instead of failing with "database is locked" on upgrade.
    # WAL lets readers (snapshots) go on while a write commits, and commits without an fsync each.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    # Tests use a database file as well, not Django's shared in-memory one: its table locks fail at
    # once instead of waiting, and sockets reach the database from several threads at a time.
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get(
            "KUBEVIZ_TEST_SQLITE", str(Path(tempfile.gettempdir()) / f"kubeviz-test-{os.getpid()}.sqlite3")
        )
    }

# Channel layer: in-memory (one process) by default; Redis when REDIS_URL is set, for several
# daphne workers. KUBEVIZ_CHANNEL_PREFIX keeps deployments (or test runs) sharing a Redis apart.
REDIS_URL = os.environ.get("REDIS_URL", "")
CHANNEL_CAPACITY = int(os.environ.get("KUBEVIZ_CHANNEL_CAPACITY", "1000"))
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [REDIS_URL],
                "capacity": CHANNEL_CAPACITY,
                "expiry": 30,
                "prefix": os.environ.get("KUBEVIZ_CHANNEL_PREFIX", "kubeviz"),
            },
        }
    }
else:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "simulator.realtime.channel_layer.SharedInMemoryChannelLayer",
            "CONFIG": {"capacity": CHANNEL_CAPACITY},
        }
    }

# The classroom (simulator/permissions.py decides who may do what).
# Open clusters, the laptop case: clusters made from the command line and from the home page are
# `open` (anyone reads and edits, no sign-in). On in the embedded default (KUBEVIZ_DEBUG on), off
# in production (KUBEVIZ_DEBUG=0) unless set.
KUBEVIZ_OPEN_CLUSTERS = env_bool("KUBEVIZ_OPEN_CLUSTERS", DEBUG)
# Open clusters may be edited only by signed-in users when this is set (anyone may watch).
KUBEVIZ_EDIT_REQUIRES_LOGIN = env_bool("KUBEVIZ_EDIT_REQUIRES_LOGIN", False)
# The instructor sign-up form (otherwise: python manage.py createinstructor NAME).
KUBEVIZ_INSTRUCTOR_SIGNUP = env_bool("KUBEVIZ_INSTRUCTOR_SIGNUP", False)
# A self-learner's sandbox (a fork made without an account) expires after this many idle seconds;
# the server prunes every KUBEVIZ_PRUNE_EVERY seconds (and `manage.py prune` does it by hand).
KUBEVIZ_SANDBOX_IDLE = int(os.environ.get("KUBEVIZ_SANDBOX_IDLE", str(2 * 24 * 3600)))
KUBEVIZ_PRUNE_EVERY = int(os.environ.get("KUBEVIZ_PRUNE_EVERY", "600"))
# Limits, so one visitor cannot fill a class server.
KUBEVIZ_MAX_CLUSTERS_PER_OWNER = int(os.environ.get("KUBEVIZ_MAX_CLUSTERS_PER_OWNER", "20"))
KUBEVIZ_MAX_SANDBOXES_PER_CLASS = int(os.environ.get("KUBEVIZ_MAX_SANDBOXES_PER_CLASS", "500"))
KUBEVIZ_MAX_STUDENTS_PER_CLASS = int(os.environ.get("KUBEVIZ_MAX_STUDENTS_PER_CLASS", "500"))
# Warm engines each worker keeps in memory, by their estimated size (simulator/repository.py).
KUBEVIZ_ENGINE_CACHE_MB = int(os.environ.get("KUBEVIZ_ENGINE_CACHE_MB", "768"))

LOGIN_URL = "sign-in"
LOGIN_REDIRECT_URL = "classes"
LOGOUT_REDIRECT_URL = "home"
# A student's browser remembers their place in a class for 30 days of inactivity.
SESSION_COOKIE_AGE = int(os.environ.get("KUBEVIZ_SESSION_DAYS", "30")) * 24 * 3600
SESSION_SAVE_EVERY_REQUEST = False
KUBEVIZ_LESSONS_DIR = Path(os.environ.get("KUBEVIZ_LESSONS_DIR", str(BASE_DIR / "lessons")))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("KUBEVIZ_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# WhiteNoise serves /static/: from STATIC_ROOT once `manage.py collectstatic` filled it (with
# gzip and Brotli copies, and cache headers: KUBEVIZ_STATIC_MAX_AGE seconds), otherwise straight
# from STATICFILES_DIRS (the laptop case: no collectstatic needed).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG or not (STATIC_ROOT / "dist").is_dir()
if not STATIC_ROOT.is_dir():
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
WHITENOISE_MAX_AGE = int(os.environ.get("KUBEVIZ_STATIC_MAX_AGE", "0" if DEBUG else "3600"))

# Behind HTTPS (the reverse proxy terminates TLS and sets X-Forwarded-Proto): secure cookies,
# HSTS and the redirect to https. `manage.py check --deploy` is clean with it on (README
# "Production").
KUBEVIZ_HTTPS = env_bool("KUBEVIZ_HTTPS", False)
if KUBEVIZ_HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("KUBEVIZ_HSTS_SECONDS", str(365 * 24 * 3600)))
    # HSTS for every subdomain, and the browsers' preload list, bind the whole domain: the domain's
    # owner opts in (then `check --deploy` no longer needs to be told it was a choice).
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("KUBEVIZ_HSTS_SUBDOMAINS", False)
    SECURE_HSTS_PRELOAD = env_bool("KUBEVIZ_HSTS_PRELOAD", False)
    SILENCED_SYSTEM_CHECKS = [
        *([] if SECURE_HSTS_INCLUDE_SUBDOMAINS else ["security.W005"]),
        *([] if SECURE_HSTS_PRELOAD else ["security.W021"]),
    ]
# An error page (DEBUG's technical page included) never shows a setting holding a secret: the
# Redis URL (with its password) in CHANNEL_LAYERS, the database URL, keys and passwords.
DEFAULT_EXCEPTION_REPORTER_FILTER = "kubeviz.reporting.SecretsFilter"

# Limits on what one apply may carry and one cluster may hold (README "Limits"); the engine
# checks them before anything is stored (simulator/engine/apiserver/documents.py and apply.py).
KUBEVIZ_MAX_INPUT_BYTES = int(os.environ.get("KUBEVIZ_MAX_INPUT_BYTES", str(1024 * 1024)))
KUBEVIZ_MAX_DOCUMENTS = int(os.environ.get("KUBEVIZ_MAX_DOCUMENTS", "1000"))
KUBEVIZ_MAX_OBJECT_BYTES = int(os.environ.get("KUBEVIZ_MAX_OBJECT_BYTES", str(256 * 1024)))
KUBEVIZ_MAX_REPLICAS = int(os.environ.get("KUBEVIZ_MAX_REPLICAS", "1000"))
KUBEVIZ_MAX_PODS = int(os.environ.get("KUBEVIZ_MAX_PODS", "5000"))
KUBEVIZ_MAX_OBJECTS = int(os.environ.get("KUBEVIZ_MAX_OBJECTS", "20000"))
KUBEVIZ_MAX_ERRORS = int(os.environ.get("KUBEVIZ_MAX_ERRORS", "100"))
# What one client may hold of a server (simulator/realtime/consumers.py and fanout.py): unread
# bytes per socket before its changes are skipped (then a snapshot once it reads, or it is cut
# after KUBEVIZ_SLOW_SOCKET_SECONDS), one snapshot per KUBEVIZ_RESYNC_INTERVAL seconds, sockets
# per client address and server process (a school behind one NAT counts as one address: raise it
# there), cluster creations per address and hour (per server process).
KUBEVIZ_SOCKET_BUFFER_BYTES = int(os.environ.get("KUBEVIZ_SOCKET_BUFFER_BYTES", str(4 * 1024 * 1024)))
KUBEVIZ_SLOW_SOCKET_SECONDS = float(os.environ.get("KUBEVIZ_SLOW_SOCKET_SECONDS", "30"))
KUBEVIZ_RESYNC_INTERVAL = float(os.environ.get("KUBEVIZ_RESYNC_INTERVAL", "1"))
KUBEVIZ_MAX_SOCKETS_PER_ADDRESS = int(os.environ.get("KUBEVIZ_MAX_SOCKETS_PER_ADDRESS", "1000"))
KUBEVIZ_MAX_CREATIONS_PER_HOUR = int(os.environ.get("KUBEVIZ_MAX_CREATIONS_PER_HOUR", "60"))
KUBEVIZ_HOME_PAGE_SIZE = int(os.environ.get("KUBEVIZ_HOME_PAGE_SIZE", "50"))

# Where the kubectl console's kubectl reaches this server's Kubernetes API (issue 17); empty: the
# address the worker serves on (loopback for a wildcard bind). Set it when daphne listens on a
# unix socket.
KUBEVIZ_CONSOLE_API_URL = os.environ.get("KUBEVIZ_CONSOLE_API_URL", "")
