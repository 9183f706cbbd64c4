# quaestio: `make` builds everything into build/, `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PIP := $(BIN)/python -m pip --disable-pip-version-check --quiet

.PHONY: all build validate test bench lock clean system-packages

all: build

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -r requirements.lock
	$(PIP) install --no-deps --no-build-isolation -e .
	touch $(STAMP)

build: $(STAMP)
	$(BIN)/quaestio build

validate: $(STAMP)
	$(BIN)/quaestio validate

# Debian packages the tests drive for real: Chromium (website), LibreOffice Writer and Impress (the DOCX
# reports and the open-session slides must open) and faketime (two builds at different clock times must
# give the same bytes).
system-packages:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v soffice >/dev/null 2>&1 || missing="$$missing libreoffice-writer-nogui"; \
	[ -e /usr/lib/libreoffice/program/libsdlo.so ] || missing="$$missing libreoffice-impress-nogui"; \
	command -v faketime >/dev/null 2>&1 || missing="$$missing faketime"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

test: $(STAMP) system-packages
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py
	$(BIN)/python benchmarks/site_bench.py

# Re-resolve requirements.in into exact versions (needs the package index).
lock:
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --disable-pip-version-check --quiet -r requirements.in
	{ echo "# Exact versions of every package quaestio installs; regenerate with 'make lock'."; \
	  .lock-venv/bin/python -m pip freeze --all | grep -v -E '^(pip|wheel)=='; } > requirements.lock
	rm -rf .lock-venv

clean:
	rm -rf build $(VENV)
