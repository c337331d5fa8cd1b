# kubeviz: two commands. `make run` sets everything up and serves the app with a demo cluster;
# `make test` sets everything up and runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# uv installs exactly what uv.lock holds (hashes checked); uv itself comes pinned, with hashes, from
# requirements-uv.txt into .tools/. `make lock` re-resolves on purpose.
TOOLS := .tools
UV := $(TOOLS)/bin/uv
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON := $(PYTHON)
export UV_PYTHON_DOWNLOADS := never
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test screenshots venv migrate bench bench-live bench-classroom bench-exercises bench-kubeapi bench-api bench-console clean assets chromium bench-browser lint format lock proto

$(UV): requirements-uv.txt
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --require-hashes --no-deps -r requirements-uv.txt
	touch $@

$(VENV)/.installed: pyproject.toml uv.lock $(UV)
	$(UV) sync --frozen --extra test --quiet
	touch $@

venv: $(VENV)/.installed

# The Kubernetes API's protobuf messages: the vendored .proto files compiled by grpcio-tools'
# protoc into a descriptor set (git-ignored; also built on first use when missing or stale).
PROTO_SOURCES := $(shell find simulator/kubeapi/vendor -name '*.proto' 2>/dev/null)
simulator/kubeapi/_generated/kubernetes.fds: $(VENV)/.installed $(PROTO_SOURCES)
	$(PY) -m simulator.kubeapi.protowire

proto: simulator/kubeapi/_generated/kubernetes.fds

# The dashboard's bundle: npm ci when the lock file changes, esbuild when a source changes.
NPM ?= npm
ASSET_SOURCES := $(shell find static/src -type f 2>/dev/null) static/build.mjs
node_modules/.installed: package.json package-lock.json
	$(NPM) ci --no-audit --no-fund --loglevel=error
	touch $@

static/dist/.built: node_modules/.installed $(ASSET_SOURCES)
	node static/build.mjs
	touch $@

assets: static/dist/.built

# Browser tests drive Debian's Chromium (never a downloaded browser).
chromium:
	@test -x /usr/bin/chromium || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)

migrate: venv
	$(PY) manage.py migrate --noinput

DEMO_LESSON ?= webapp
DEMO_CLUSTER ?= demo
# The second pass of `make test`: the app tests again on the local PostgreSQL (pytest-django
# creates and drops test_<name>, suffixed with the shell's pid so runs never share one); the live tests
# there also use the local Redis.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/kubeviz_test

# The laptop case: DEBUG on (and the development key) unless the environment says otherwise.
run: export KUBEVIZ_DEBUG ?= 1
run: venv proto migrate assets
	$(PY) manage.py loadscenario $(DEMO_LESSON) --cluster $(DEMO_CLUSTER)
	$(VENV)/bin/daphne -b $(HOST) -p $(PORT) kubeviz.asgi:application

# First the dashboard's pure helpers under Node's own test runner; then everything on SQLite
# except the test that needs a PostgreSQL-backed pair of daphnes; then the app tests (that one
# included) on PostgreSQL.
test: venv proto assets chromium lint
	node --test static/tests/
	$(VENV)/bin/pytest -m "not postgres"
	DATABASE_URL=$(TEST_DATABASE_URL)_$$$$ $(VENV)/bin/pytest -m "not browser" tests/app

bench: venv
	$(PY) bench/engine.py

bench-live: venv
	$(PY) bench/live.py

# The Kubernetes API's pure layer (Tables, patches, protobuf, watch events) on 10,000 pods.
bench-kubeapi: venv proto
	$(PY) bench/kubeapi.py

bench-api: venv proto
	$(PY) bench/api.py

bench-console: venv proto assets chromium
	$(PY) bench/console.py

# A class of 300: joins, forks, 601 sockets, edits (SQLite, then PostgreSQL + Redis with two workers).
bench-classroom: venv
	$(PY) bench/classroom.py

bench-exercises: venv
	$(PY) bench/exercises.py

bench-browser: venv assets chromium
	$(PY) bench/browser.py

# The README's screenshots, retaken by the browser tests that make them (a plain test run writes
# them to a temp folder, leaving the checkout as it was).
screenshots: venv proto assets chromium
	KUBEVIZ_SCREENSHOTS=1 $(VENV)/bin/pytest -q -m browser tests/browser

# ruff (lint and format) for Python, prettier for the dashboard's sources; `make test` runs this too.
lint: venv node_modules/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(NPM) exec --offline -- prettier --check static/src static/tests static/build.mjs

# Rewrites what the linters can fix by themselves.
format: venv node_modules/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
	$(NPM) exec --offline -- prettier --write static/src static/tests static/build.mjs

# Re-resolve every dependency within pyproject.toml's ranges (and package.json's), on purpose.
lock: $(UV)
	$(UV) lock --upgrade
	$(NPM) install --package-lock-only --no-audit --no-fund

clean:
	rm -rf $(VENV) $(TOOLS) node_modules static/dist db.sqlite3
