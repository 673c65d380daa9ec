# Taxpayer Service Center — the two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# Find a Python >= 3.12: $PYTHON, python3.13, python3.12, then pyenv's versions.
PYTHON ?= $(shell for c in python3.13 python3.12 $$(ls -d /root/.pyenv/versions/3.1[2-9]*/bin/python3 $$HOME/.pyenv/versions/3.1[2-9]*/bin/python3 2>/dev/null) python3; do \
	if command -v $$c >/dev/null 2>&1 && $$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then command -v $$c; break; fi; done)
VENDOR := static/vendor
TEST_PG_URL ?= $(or $(TEST_DATABASE_URL),postgres://root@127.0.0.1:5432/test)

.PHONY: help run test browser test-sqlite test-postgres pii-audit lint format ci setup deps dev-deps static migrate demo worker bench clean

help:
	@echo "make run    install everything, migrate, seed demo data and serve on http://127.0.0.1:$(PORT)"
	@echo "make test   install test dependencies and run the suite on SQLite and PostgreSQL"

$(VENV)/.created:
	@if [ -z "$(PYTHON)" ]; then echo "No Python 3.12+ found. Install one or set PYTHON=/path/to/python3.12" >&2; exit 1; fi
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	touch $@

$(VENV)/.deps: $(VENV)/.created requirements.txt
	$(VENV)/bin/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev-deps: $(VENV)/.deps requirements-dev.txt
	$(VENV)/bin/pip install -q -r requirements-dev.txt
	touch $@

deps: $(VENV)/.deps
dev-deps: $(VENV)/.dev-deps

# USWDS (and axe-core for the accessibility tests) come from the npm registry at the
# versions pinned in package-lock.json; only what the site serves is copied into static/.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(VENDOR)/.installed: node_modules/.installed
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/uswds
	cp -r node_modules/@uswds/uswds/dist/css node_modules/@uswds/uswds/dist/js \
	      node_modules/@uswds/uswds/dist/fonts node_modules/@uswds/uswds/dist/img $(VENDOR)/uswds/
	touch $@

static: $(VENDOR)/.installed

# The development setup (DEBUG on unless DEBUG is set): production runs these itself (README).
setup: deps static
	DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --noinput
	DEBUG=$${DEBUG:-1} $(PY) manage.py collectstatic --noinput -v 0
	DEBUG=$${DEBUG:-1} $(PY) manage.py seed_demo

# Development server (Django's runserver, DEBUG on) with a background worker beside it (uploaded
# 1099 files are checked by the worker; its log is var/worker.log). For production: see README.
run: setup
	@echo "Serving http://127.0.0.1:$(PORT)  (worker log: var/worker.log)"
	@trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=$${DEBUG:-1} $(PY) manage.py run_huey --workers 1 >var/worker.log 2>&1 & worker=$$!; \
	DEBUG=$${DEBUG:-1} $(PY) manage.py runserver 127.0.0.1:$(PORT)

worker: deps
	DEBUG=$${DEBUG:-1} $(PY) manage.py run_huey

# The two engines' suites run side by side, one process each (a machine has two cores or more);
# each one's output is shown whole when it ends. Either failing fails the test.
test: dev-deps static browser
	@$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres
	@$(MAKE) --no-print-directory pii-audit

# The browser tests drive Debian's Chromium (never `playwright install`): installed if missing.
browser:
	@command -v chromium >/dev/null 2>&1 || { echo "== Installing Debian's Chromium for the browser tests"; \
	  export DEBIAN_FRONTEND=noninteractive; apt-get install -y chromium >/dev/null 2>&1 || \
	  { apt-get update >/dev/null && apt-get install -y chromium >/dev/null; }; }

test-sqlite:
	@echo "== Test suite on SQLite"
	DATABASE_URL= $(PY) -m pytest -q

# Runs when TEST_DATABASE_URL is set or a local PostgreSQL answers; CI always has one.
test-postgres:
	@if [ -n "$$TEST_DATABASE_URL" ] || $(PY) -c "import psycopg,sys; psycopg.connect('$(TEST_PG_URL)', connect_timeout=3).close()" 2>/dev/null; then \
		echo "== Test suite on PostgreSQL"; \
		DATABASE_URL=$(TEST_PG_URL) $(PY) -m pytest -q; \
	else echo "== PostgreSQL not reachable at $(TEST_PG_URL): PostgreSQL run skipped"; fi

# The demo data (with its filing history and payments) on a fresh SQLite
# database, then `pii_audit`: no SSN, TIN, bank account number, password or identity answer in
# clear anywhere in the database, the stored files or the logs. (Every browser journey of the
# suite is audited the same way before its data is flushed: tests/e2e/conftest.py.)
pii-audit:
	@echo "== pii_audit on the demo data"
	@dir=$$(mktemp -d); trap 'rm -rf $$dir' EXIT; \
	export DEBUG=1 TSC_VAR_DIR=$$dir DATABASE_URL=sqlite:///$$dir/audit.sqlite3; \
	$(PY) manage.py migrate -v0 && $(PY) manage.py seed_demo >/dev/null && $(PY) manage.py pii_audit

lint: dev-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: dev-deps
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

ci: lint test

bench: dev-deps
	@for b in bench/*.py; do case $$b in */bench_data.py|*/pages.py|*/scale_out.py) continue;; esac; echo "== $$b"; $(PY) $$b; done
	@echo "(bench/pages.py: make bench-pages; bench/scale_out.py runs servers and workers: see docs/bench-results.md)"

# The pages at a state's scale (bench/pages.py, issue 13): 1.5 million returns on a local PostgreSQL,
# gunicorn with the production settings, 32 clients; BENCH_SCALE=0.1 for a quick run.
.PHONY: bench-pages
bench-pages: dev-deps
	$(PY) bench/pages.py --scale $${BENCH_SCALE:-1}

clean:
	rm -rf $(VENV) node_modules $(VENDOR) staticfiles var
