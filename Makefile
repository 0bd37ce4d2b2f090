# hptracker — the two commands that set everything up: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PLAN_FILE := plans/data/ke-hoach-193-KH-UBND-2021.json
export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/hptracker
export REDIS_URL ?= redis://127.0.0.1:6379/0

.PHONY: run test install bench lint messages clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

# The portal on an embedded SQLite database, tasks run in-process, plan 193 loaded, demo accounts printed.
run: install
	mkdir -p var/staticfiles
	env -u DATABASE_URL -u REDIS_URL DJANGO_DEBUG=true $(PY) manage.py migrate --noinput
	env -u DATABASE_URL -u REDIS_URL DJANGO_DEBUG=true $(PY) manage.py compilemessages --ignore=.venv -v 0 || true
	env -u DATABASE_URL -u REDIS_URL DJANGO_DEBUG=true $(PY) manage.py load_plan $(PLAN_FILE)
	env -u DATABASE_URL -u REDIS_URL DJANGO_DEBUG=true $(PY) manage.py seed_demo
	@echo "Cổng chạy tại http://127.0.0.1:8000 (Ctrl+C để dừng)."
	env -u DATABASE_URL -u REDIS_URL DJANGO_DEBUG=true $(PY) manage.py runserver 127.0.0.1:8000

# The whole suite on real PostgreSQL, Redis and Chromium (DATABASE_URL / REDIS_URL, defaults: local servers).
test: install
	mkdir -p var/staticfiles
	$(PY) tests/check_services.py
	$(PY) manage.py compilemessages --ignore=.venv -v 0 || true
	$(PY) -m pytest $(PYTEST_ARGS)

bench: install
	$(PY) tests/check_services.py
	$(PY) bench/run.py

lint: install
	$(VENV)/bin/ruff check .
