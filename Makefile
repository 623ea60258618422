# Concord — the commands a person (and CI) runs.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV_VERSION := 0.13.9
STAMP := $(VENV)/.installed
# Port of the web server started by `make run`.
PORT ?= 8000
# Public address in e-mail and chat links (web and worker alike); follows PORT.
SITE_URL ?= http://127.0.0.1:$(PORT)

.PHONY: install run test test-fast lint migrate seed bench screenshots clean

$(STAMP): requirements.lock
	@echo "Installing Concord's pinned dependencies into $(VENV) (the first time takes a few minutes)..."
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet "uv==$(UV_VERSION)"
	$(VENV)/bin/uv pip install --quiet --python $(PY) -r requirements.lock
	touch $(STAMP)

install: $(STAMP)

migrate: install
	@echo "Preparing the database..."
	$(PY) manage.py migrate --noinput

seed: migrate
	@echo "Loading the demo organization (Northwind Health)..."
	$(PY) manage.py seed_demo

# Web, background worker and scheduler on 127.0.0.1:$(PORT). Without REDIS_URL the
# worker uses a broker kept in files under var/celery (no server needed).
run: seed
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@echo "Concord starts on http://127.0.0.1:$(PORT)/ (Ctrl+C stops web, worker and scheduler)."
	SITE_URL=$(SITE_URL) $(VENV)/bin/honcho --procfile Procfile.dev start --port $(PORT)

test: install
	$(PY) manage.py collectstatic --noinput --verbosity 0 --settings=config.settings.test
	$(PY) -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

# Unit and integration layers only (no sweeps, scale, worker or browser runs).
test-fast: install
	$(PY) -m pytest -n 2 --dist loadgroup -q -m "unit or integration" $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Seeds the demo into a throwaway database, starts the app on a free port and
# captures the main pages at desktop and phone widths into docs/screenshots/.
screenshots: install
	$(PY) tools/screenshots.py

clean:
	rm -rf $(VENV) var staticfiles db.sqlite3

# Benchmark on PostgreSQL and Redis with production settings (docs/PERFORMANCE.md).
# BENCH_ARGS: e.g. --reseed (rebuild the data), --duration 5, --pages dashboard,register
BENCH_ARGS ?=
bench: install
	$(PY) -m bench.run $(BENCH_ARGS)
