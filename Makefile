# Kolabo: `make run` serves the demo, `make test` runs the whole suite.
# Both bootstrap everything they need on a fresh Debian machine with Python 3.11.

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help venv deps dev-deps run test lint format migrate seed messages browser pdf-libs clean

help:
	@echo "make run    - set up and serve the demo on http://$(HOST):$(PORT)"
	@echo "make test   - set up and run the whole test suite"
	@echo "make lint   - ruff check + format check + migrations check"
	@echo "make messages - refresh and compile the translation catalogues"

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found: install Python 3.11 (apt-get install python3 python3-venv)"; exit 1; }
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing python3-venv with apt-get"; \
	    apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null && rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); \
	  else echo "Cannot create a virtualenv: run 'sudo apt-get install python3-venv' and try again"; exit 1; fi; }
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.deps: $(BIN)/python requirements.txt
	@$(MAKE) --no-print-directory pdf-libs
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev-deps: $(VENV)/.deps requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@

venv deps: $(VENV)/.deps
dev-deps: $(VENV)/.dev-deps

migrate: deps
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

# Without STRIPE_SECRET_KEY, payments go to the local Stripe emulator, started and stopped with runserver.
run: seed
	@echo "Serving Kolabo on http://$(HOST):$(PORT)  (Ctrl+C to stop)"
	@bash scripts/run_with_emulators.sh $(BIN)/python $(HOST) $(PORT)

# WeasyPrint (PDF reports) needs Pango and a font from Debian.
pdf-libs:
	@{ ldconfig -p | grep -q libpango-1.0 && ldconfig -p | grep -q libpangoft2-1.0 && ls /usr/share/fonts/truetype/dejavu >/dev/null 2>&1; } || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Pango and fonts for PDF reports with apt-get"; \
	    apt-get update -qq && apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core >/dev/null; \
	  else echo "Pango is missing: PDF reports need 'sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core'"; fi; }

# Browser tests drive Debian's chromium; install it when we are allowed to.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing chromium with apt-get"; apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is missing: browser tests will be skipped (apt-get install chromium)"; fi; }

test: dev-deps browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: dev-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

format: dev-deps
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: dev-deps
	$(BIN)/python manage.py makemessages -l id --no-obsolete --ignore=.venv --ignore=staticfiles --ignore=tests --ignore=benchmarks --ignore=stripe_emulator
	$(BIN)/python manage.py compilemessages -l id --ignore=.venv

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
