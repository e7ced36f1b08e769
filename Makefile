# Fonds: the two everyday commands are `make run` and `make test` (see README.md).
# Both build a local virtualenv in .venv first, reinstalling only when pyproject.toml changed.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV      := .venv
VPY       := $(VENV)/bin/python
STAMP     := $(VENV)/.fonds-installed
HOST      ?= 127.0.0.1
PORT      ?= 8000
PYTEST_ARGS ?=

# Python >= 3.12, found in this order: $(PYTHON) if given, python3.13 / python3.12 / python3 on
# PATH (pyenv shims that are not activated fail the version probe and are passed over), then the
# interpreters pyenv installed under $(PYENV_ROOT)/versions.
PYENV_ROOT ?= $(HOME)/.pyenv
PY_CANDIDATES := $(PYTHON) python3.13 python3.12 python3 \
	$(sort $(wildcard $(PYENV_ROOT)/versions/3.13*/bin/python)) \
	$(sort $(wildcard $(PYENV_ROOT)/versions/3.12*/bin/python)) \
	$(sort $(wildcard /root/.pyenv/versions/3.1[23]*/bin/python))

define find_python
for c in $(PY_CANDIDATES); do \
  if "$$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
    command -v "$$c" 2>/dev/null || echo "$$c"; exit 0; \
  fi; \
done; \
echo "error: Fonds needs Python >= 3.12; none found (tried: $(PY_CANDIDATES))." >&2; \
echo "Install one (e.g. 'pyenv install 3.12') or pass PYTHON=/path/to/python3.12." >&2; \
exit 1
endef

.PHONY: help venv run test lint

help:
	@echo "make run    - install into .venv, migrate, load the demo data, start http://$(HOST):$(PORT)"
	@echo "make test   - install into .venv and run the whole test suite"
	@echo "make venv   - create/refresh .venv only"
	@echo "make lint   - ruff check"

venv: $(STAMP) .env

# A venv made by a too-old Python (or a broken one) is rebuilt rather than patched.
$(STAMP): pyproject.toml
	@if [ -x "$(VPY)" ] && ! "$(VPY)" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
	  echo "Removing $(VENV): its Python is older than 3.12 or broken."; rm -rf "$(VENV)"; \
	fi
	@if [ ! -x "$(VPY)" ]; then \
	  py=$$( $(find_python) ); \
	  echo "Creating $(VENV) with $$py ($$("$$py" -c 'import platform; print(platform.python_version())'))"; \
	  "$$py" -m venv "$(VENV)"; \
	fi
	$(VPY) -m pip install --quiet -e '.[dev]'
	@touch "$(STAMP)"

# A per-checkout secret key for local management commands; never committed (.gitignore).
.env: $(STAMP)
	@[ -f .env ] || { echo "DJANGO_SECRET_KEY=$$($(VPY) -c 'import secrets; print(secrets.token_urlsafe(50))')" > .env; echo "Wrote .env with a local DJANGO_SECRET_KEY"; }

# Every step of `run` is local development: DEBUG on (which also allows the built-in dev key).
run: export DJANGO_DEBUG = 1
run: $(STAMP) .env
	$(VPY) manage.py migrate --no-input
	@# Load the demo into an empty database only, so edits made in the admin survive a restart.
	@if $(VPY) manage.py shell -c "from archive.models import Collection; raise SystemExit(Collection.objects.exists())" >/dev/null 2>&1; \
	then $(VPY) manage.py loaddata demo; \
	else echo "The database already holds collections: demo data not reloaded."; fi
	$(VPY) manage.py ensure_demo_admin
	$(VPY) manage.py runserver $(HOST):$(PORT)

test: $(STAMP)
	$(VENV)/bin/pytest -q $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
