# ClusterLab: a fresh machine needs only `make run` or `make test`.
#   make run     venv + package, then `clusterlab run baseline`
#   make test    venv + package[test], Debian chromium, offline Solara assets, whole pytest suite (2 processes)
#   make assets  fill the offline Solara front-end cache (npm pack of what Solara requests)
#   make viz     serve the live page (clusterlab viz)
#   make test-fast   the fast tier (not slow, not browser; 1.5–3 min on 2 cores)
#   make lint    ruff (lint) and mypy (model/, agents/)

SHELL := /bin/bash
.DEFAULT_GOAL := run

VENV   := .venv
VPY    := $(VENV)/bin/python
# Python >= 3.12: `python` (pyenv reads .python-version = 3.12.1 here), else python3.12.
PYTHON ?= $(shell for p in python python3.12 python3; do \
	  if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; \
	  then echo $$p; break; fi; done)
PYTEST_ARGS ?=
# setuptools notes on every editable install of this flat layout (packages at the checkout's root, beside
# other folders) that a folder named like a package in the working directory could shadow it; it calls the
# note "information only" (InformationOnly), and pip (26.3 here) prints it as a BuildBackendWarning. Benign here
# (every package, clusterlab_main.py and clusterlab_portable.py are declared in pyproject.toml), so it is filtered by its text alone:
# any other warning of the install still shows.
EDITABLE_NOTE := PYTHONWARNINGS="ignore:Editable installation:UserWarning"
# The exact versions behind the docs' figures (README: Reproducibility); every install obeys them.
LOCK   := constraints.txt

.PHONY: run test test-fast lint assets chromium viz clean-venv

$(VPY):
	@if [ -z "$(PYTHON)" ]; then echo "make: no Python >= 3.12 found (tried python, python3.12, python3)"; exit 1; fi
	$(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install -q --upgrade pip

# Stamps keyed on pyproject.toml and the lock: the install reruns only when either changes.
$(VENV)/.installed: pyproject.toml $(LOCK) | $(VPY)
	$(EDITABLE_NOTE) $(VPY) -m pip install -q -c $(LOCK) -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(LOCK) | $(VPY)
	$(EDITABLE_NOTE) $(VPY) -m pip install -q -c $(LOCK) -e ".[test]"
	@touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(VENV)/bin/clusterlab run baseline

# Debian chromium for the browser tests; never fatal (those tests skip without it).
chromium:
	@if [ -x /usr/bin/chromium ]; then \
	  :; \
	elif [ "$$(id -u)" != 0 ]; then \
	  echo "make: /usr/bin/chromium is missing and we are not root, so it cannot be installed: browser tests will be skipped"; \
	elif ! command -v apt-get >/dev/null 2>&1; then \
	  echo "make: /usr/bin/chromium is missing and there is no apt-get: browser tests will be skipped"; \
	else \
	  echo "make: installing Debian chromium"; \
	  ( apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium ) >/tmp/clusterlab-apt.log 2>&1 \
	    || { echo "make: apt-get could not install chromium (see below): browser tests will be skipped"; tail -5 /tmp/clusterlab-apt.log; }; \
	fi

assets: $(VENV)/.installed
	$(VPY) -m experiments.viz_assets

# The whole suite on two processes; --dist loadfile keeps each file's tests (and their cached runs) on one worker.
test: $(VENV)/.installed-test chromium assets
	$(VPY) -m pytest -n 2 --dist loadfile $(PYTEST_ARGS)

# The fast tier: every test not marked slow or browser, on two processes (pytest-xdist).
test-fast: $(VENV)/.installed-test
	$(VPY) -m pytest -m "not slow and not browser" -n 2 -q $(PYTEST_ARGS)

$(VENV)/.installed-dev: pyproject.toml $(LOCK) | $(VPY)
	$(EDITABLE_NOTE) $(VPY) -m pip install -q -c $(LOCK) -e ".[test,dev]"
	@touch $@ $(VENV)/.installed $(VENV)/.installed-test

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

viz: $(VENV)/.installed assets
	$(VENV)/bin/clusterlab viz

clean-venv:
	rm -rf $(VENV)
