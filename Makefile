# quaestio: `make` builds everything into build/, `make test` checks the code and runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.installed
DEV := $(VENV)/.installed-dev
PIP := $(BIN)/python -m pip --disable-pip-version-check --quiet
# The resolver that writes the locks; only `make lock` installs it, into a throwaway environment.
UV_VERSION := 0.13.9
COMPILE := .lock-venv/bin/uv pip compile --quiet --generate-hashes --universal --python-version 3.11 \
	--custom-compile-command "make lock"

.PHONY: all build validate compiled test lint bench lock upgrade clean system-packages

all: build

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Runtime: requirements.lock, every file checked against its hash, then quaestio itself (editable).
# Python 3.11's venv seeds setuptools 65.5.0 (CVE-2022-40897, CVE-2024-6345); nothing needs it.
$(RUNTIME): requirements.lock pyproject.toml | $(BIN)/python
	@if $(PIP) show setuptools >/dev/null 2>&1; then $(PIP) uninstall --yes setuptools; fi
	$(PIP) install --require-hashes -r requirements.lock
	$(PIP) install --no-deps --no-build-isolation -e .
	touch $@

# quaestio's own bytecode, as pip writes it for an installed wheel (an editable install gets none, and
# with PYTHONDONTWRITEBYTECODE every command would compile the package again: a tenth of a second).
compiled: $(RUNTIME)
	@$(BIN)/python -m compileall -q src/quaestio

# Development: requirements-dev.lock, the runtime lock plus the test, lint and type-checking tools.
$(DEV): requirements-dev.lock $(RUNTIME)
	$(PIP) install --require-hashes -r requirements-dev.lock
	touch $@

build: compiled
	$(BIN)/quaestio build

validate: compiled
	$(BIN)/quaestio validate

# Debian packages the tests drive for real: Chromium (website), LibreOffice Writer and Impress (the DOCX
# reports and the open-session slides must open), faketime (two builds at different clock times must
# give the same bytes) and poppler's pdftotext (the reports' word boxes).
system-packages:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v soffice >/dev/null 2>&1 || missing="$$missing libreoffice-writer-nogui"; \
	[ -e /usr/lib/libreoffice/program/libsdlo.so ] || missing="$$missing libreoffice-impress-nogui"; \
	command -v faketime >/dev/null 2>&1 || missing="$$missing faketime"; \
	command -v pdftotext >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

# ruff (lint and format) and mypy, configured in pyproject.toml: any finding fails.
lint: $(DEV)
	$(BIN)/ruff check --quiet .
	$(BIN)/ruff format --check --quiet .
	$(BIN)/mypy

test: lint system-packages
	$(BIN)/python -m pytest

bench: $(DEV) compiled
	$(BIN)/python benchmarks/bench.py
	$(BIN)/python benchmarks/site_bench.py

# Resolve pyproject.toml and requirements*.in into the hashed locks (needs the package index; uv reads
# UV_DEFAULT_INDEX, not pip's configuration). Versions already pinned are kept where they still fit;
# `make upgrade` moves every package to its newest release.
lock:
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --disable-pip-version-check --quiet uv==$(UV_VERSION)
	$(COMPILE) $(UV_FLAGS) pyproject.toml requirements.in --output-file requirements.lock
	$(COMPILE) $(UV_FLAGS) pyproject.toml requirements.in requirements-dev.in --output-file requirements-dev.lock
	rm -rf .lock-venv

upgrade:
	$(MAKE) lock UV_FLAGS=--upgrade

clean:
	rm -rf build $(VENV)
