# hptracker — the two commands that set everything up: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PLAN_FILE := plans/data/ke-hoach-193-KH-UBND-2021.json
REORGANISATION_FILE := plans/data/reorganisation-hai-phong-2025.json
# `make run PORT=8080` when 8000 is taken.
PORT ?= 8000
export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/hptracker
export REDIS_URL ?= redis://127.0.0.1:6379/0

.PHONY: run test install bench lint clean backup restore load

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

# The portal on an embedded SQLite database, tasks run in-process, plan 193 and the 2025 reorganisation
# loaded, demo accounts printed.
run: install
	mkdir -p var/staticfiles
	env -u DATABASE_URL -u REDIS_URL DJANGO_DEBUG=true $(PY) manage.py migrate --noinput
	env -u DATABASE_URL -u REDIS_URL DJANGO_DEBUG=true $(PY) manage.py compilemessages --ignore=.venv -v 0 || true
	env -u DATABASE_URL -u REDIS_URL DJANGO_DEBUG=true $(PY) manage.py load_plan $(PLAN_FILE)
	env -u DATABASE_URL -u REDIS_URL DJANGO_DEBUG=true $(PY) manage.py load_reorganisation $(REORGANISATION_FILE)
	env -u DATABASE_URL -u REDIS_URL DJANGO_DEBUG=true $(PY) manage.py seed_demo
	@echo "Cổng chạy tại http://127.0.0.1:$(PORT) (Ctrl+C để dừng)."
	env -u DATABASE_URL -u REDIS_URL DJANGO_DEBUG=true PORTAL_BASE_URL=http://127.0.0.1:$(PORT) $(PY) manage.py runserver 127.0.0.1:$(PORT)

# The whole suite on real PostgreSQL, Redis and Chromium (DATABASE_URL / REDIS_URL, defaults: local servers).
test: install
	mkdir -p var/staticfiles
	$(PY) tests/check_services.py
	$(PY) manage.py compilemessages --ignore=.venv -v 0 || true
	$(PY) -m pytest $(PYTEST_ARGS)

bench: install
	$(PY) tests/check_services.py
	$(PY) bench/run.py

# Every gate CI enforces: ruff (rules and format), mypy with django-stubs, the import-linter layer contracts,
# and djLint on the templates.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/djlint templates --lint

# The database (pg_dump, custom format) and the private media folder, with a SHA-256 manifest, in one archive
# under var/backups/ (DJANGO_BACKUP_DIR). KEEP=N keeps only the N newest archives.
backup: install
	$(PY) manage.py backup $(if $(KEEP),--keep $(KEEP))

# make restore FILE=var/backups/hptracker-….tar: into the (empty or missing) database of DATABASE_URL and an
# empty DJANGO_MEDIA_ROOT; FORCE=1 empties a database that has data and moves the old media folder aside.
restore: install
	@test -n "$(FILE)" || { echo "make restore: thiếu FILE=đường-dẫn-tệp-sao-lưu.tar"; exit 2; }
	$(PY) manage.py restore "$(FILE)" $(if $(FORCE),--force)

# 50 agency users and 5 reviewers for 60 s against a local gunicorn on PostgreSQL (127.0.0.1 only), in its own
# database; prints the figures and writes the "Load" section of docs/benchmarks.md.
load: install
	$(PY) tests/check_services.py
	$(PY) bench/load/run.py
