# The README's two commands: `make run` and `make test`. Everything else here is a step they use.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
# uv goes to ~/.local/bin when this Makefile installs it.
export PATH := $(HOME)/.local/bin:$(PATH)
PORT ?= 8000
# The demo: DEBUG on, demo accounts, built-in demo secrets (all refused when DEBUG is off).
DEMO_ENV := DEBUG=1 KOTALIVE_DEMO=1
TEST_DATABASE_URL ?=
# The suite runs on every core (pytest-xdist, one test database per worker); a file's tests stay on one worker.
TEST_WORKERS ?= auto
PYTEST := uv run pytest -n $(TEST_WORKERS) --dist loadfile

.PHONY: run test uv sync demo-env setup-demo serve lint typecheck migrations-check test-sqlite test-postgresql browser-deps pdf-deps \
	messages bench

uv:
	@command -v uv >/dev/null 2>&1 || { echo "installing uv"; python3 -m pip install --user --quiet uv; }

sync: uv
	uv sync --locked --quiet

setup-demo: sync pdf-deps
	$(DEMO_ENV) uv run kotalive migrate --noinput
	$(DEMO_ENV) uv run kotalive seed --demo

# The web server and the worker together; stopping one (Ctrl-C) stops both. Both read the demo's .env (gunicorn only
# when KOTALIVE_ENV_FILE names it: config/wsgi.py), so a setting put there reaches every process of the demo.
serve:
	@echo "KotaLIVE on http://127.0.0.1:$(PORT)  (health: /healthz, API docs: /api/v1/docs)"
	trap 'kill 0' EXIT; \
	$(DEMO_ENV) uv run kotalive worker & \
	$(DEMO_ENV) KOTALIVE_ENV_FILE=$(CURDIR)/.env uv run gunicorn config.wsgi --bind 127.0.0.1:$(PORT) --workers 2 --threads 4 \
		--access-logfile - --graceful-timeout 5

# The demo's configuration in .env (git-ignored), which every `uv run kotalive ...` reads (config/manage.py): the
# README's console commands then work in a fresh shell as written. Variables set in the environment still win; an
# existing .env keeps its lines and gets only the settings it lacks.
demo-env:
	@test -f .env || printf '%s\n' '# Written by `make run`: the demo configuration `uv run kotalive ...` reads (config/manage.py).' \
		'# Variables set in the environment win over these lines. Remove this file for anything but the demo.' > .env
	@for setting in $(DEMO_ENV); do \
		grep -Eq "^(export +)?$${setting%%=*}=" .env || echo "$$setting" >> .env; \
	done

run: demo-env setup-demo serve

# WeasyPrint's libraries and the fonts the output documents use (docs/documents.md); apt waits for another install.
PDF_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
pdf-deps:
	@dpkg -s $(PDF_PACKAGES) >/dev/null 2>&1 || { echo "installing WeasyPrint's libraries and fonts"; \
		apt-get -o DPkg::Lock::Timeout=600 update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq $(PDF_PACKAGES) >/dev/null; }

browser-deps:
	@command -v chromium >/dev/null 2>&1 || { echo "installing Debian's chromium"; \
		apt-get -o DPkg::Lock::Timeout=600 update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq chromium >/dev/null; }

# ruff, and the layers contract between the apps (pyproject.toml [tool.importlinter], docs/architecture.md).
lint: sync
	uv run ruff check .
	uv run ruff format --check .
	uv run lint-imports

typecheck: sync
	DEBUG=1 uv run mypy .

migrations-check: sync
	DEBUG=1 uv run kotalive makemigrations --check --dry-run

test-sqlite: sync browser-deps pdf-deps
	@echo "== test suite on SQLite =="
	DATABASE_URL=sqlite:///var/test-run.db $(PYTEST)

test-postgresql: sync browser-deps pdf-deps
	@if [ -n "$(TEST_DATABASE_URL)" ]; then \
		echo "== test suite on PostgreSQL =="; \
		DATABASE_URL="$(TEST_DATABASE_URL)" $(PYTEST); \
	else echo "== PostgreSQL run skipped: TEST_DATABASE_URL is not set =="; fi

test: lint typecheck migrations-check test-sqlite test-postgresql

# After changing user-facing text: refresh the catalogue, translate the new entries in locale/id/LC_MESSAGES/django.po,
# then run this again to compile it (docs/how-to/translations.md).
messages: sync
	DEBUG=1 uv run kotalive makemessages -l id --no-location --no-obsolete -i ".venv/*" -i "bench/*"
	DEBUG=1 uv run kotalive compilemessages -l id --ignore=.venv

bench: sync
	uv run python bench/registry_load.py
