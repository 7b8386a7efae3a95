# Development tasks for the hwcloud.sms collection (GNU make).
#
#   make test       everything below, with a "N passed, N failed" summary
#   make venv       virtual environment with the pinned tools (requirements-dev.txt)
#   make sanity     ansible-test sanity on a clean copy of the collection
#   make units      pytest tests/unit -n 4
#   make integration  pytest tests/integration, one worker more than the cores (INTEGRATION_WORKERS)
#   make contract   requests and answers of the integration runs against the official SDK's models
#   make lint       ruff (pyproject.toml) and ansible-lint (production profile)
#   make docs-lint  antsibull-docs lint-collection-docs --plugin-docs
#   make changelog-lint  antsibull-changelog lint
#   make build-check  build, install and ansible-doc the collection tarball
#   make demo       a migration wave against the bundled SMS emulator, each step with its requests (build/demo-venv: requirements-demo.txt)
#   make emulator   the seeded SMS emulator in the foreground for README.md's quick start (EMULATOR_PORT=8600)
#   make matrix     sanity, units and integration on ansible-core 2.16 to 2.21 with tox (tox.ini; slow, not part of make test; MATRIX_ARGS="-e core216-units")
#   make mutation   mutation testing with mutmut (slow, not part of make test; writes benchmarks/mutation.md; MUTATION_ARGS="*.module_utils.waiting.*")
#   make bench      cost and time against the emulator, about 15 minutes (tools/bench.py; BENCH_ARGS="--runs 5 --uri-loop-max 200")
#   make clean      remove build output and caches (make distclean: the venv too)
#
# The checkout may live in a path with spaces; VENV itself must not contain any.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

VENV ?= .venv
PYTHON ?= python3
PYTEST_ARGS ?=
SANITY_ARGS ?=

VENV_DIR := $(if $(filter /%,$(firstword $(VENV))),$(VENV),$(CURDIR)/$(VENV))
PY := $(VENV_DIR)/bin/python
BIN := $(VENV_DIR)/bin
STAMP := $(VENV)/.requirements-dev.stamp
COLLECTION_LINK := build/collections/ansible_collections/hwcloud/sms

# The working tree is the installed collection for everything started from here.
export ANSIBLE_COLLECTIONS_PATH := $(CURDIR)/build/collections
export ANSIBLE_HOME := $(CURDIR)/build/ansible-home
export ANSIBLE_LOCAL_TEMP := $(CURDIR)/build/ansible-tmp
export ANSIBLE_REMOTE_TEMP := $(CURDIR)/build/ansible-remote-tmp
export ANSIBLE_PYTHON_INTERPRETER := $(PY)
export ANSIBLE_NOCOLOR := 1
export PATH := $(BIN):$(PATH)

# $(call run_pytest,<directory>,<extra pytest arguments>)
# A directory without tests yet (pytest exit status 5) is not an error;
# a missing directory is.
define run_pytest
if [ ! -d "$(1)" ]; then echo "error: $(1) does not exist" >&2; exit 1; fi
rc=0; PYTHONPATH="$(CURDIR)/build/collections$${PYTHONPATH:+:$$PYTHONPATH}" \
  "$(PY)" -m pytest "$(1)" $(2) $(PYTEST_ARGS) || rc=$$?; \
if [ "$$rc" -eq 5 ]; then echo "note: no tests collected in $(1)"; rc=0; fi; \
exit "$$rc"
endef

.PHONY: matrix mutation bench help venv prepare sanity units integration contract lint docs-lint changelog-lint build-check test demo clean distclean

help:
	@sed -n 's/^#   \(make .*\)/  \1/p' Makefile

venv: $(STAMP)

$(STAMP): requirements-dev.txt requirements-test.txt requirements.txt
	if [ ! -x "$(PY)" ]; then "$(PYTHON)" -m venv "$(VENV_DIR)"; fi
	"$(PY)" -m pip install --disable-pip-version-check --quiet -r requirements-dev.txt
	touch "$(STAMP)"

$(COLLECTION_LINK):
	mkdir -p build/collections/ansible_collections/hwcloud
	ln -sfn ../../../.. "$(COLLECTION_LINK)"

# antsibull-docs logs to ~/antsibull.log unless told otherwise: warnings to stderr only.
build/antsibull.cfg:
	mkdir -p build
	@printf '%s\n' 'logging_cfg = {' '  version = 1.0' '  outputs = {' '    stderr = {' \
	  '      output = twiggy.outputs.StreamOutput' '      format = twiggy.formats.shell_format' '    }' '  }' \
	  '  emitters = {' '    problems = {' '      level = WARNING' '      output_name = stderr' '    }' '  }' '}' > "$@"

prepare: $(STAMP) $(COLLECTION_LINK) build/antsibull.cfg
	@mkdir -p build/ansible-home build/ansible-tmp build/ansible-remote-tmp build/cache build/test-results

sanity: prepare
	"$(PY)" tools/sanity.py $(SANITY_ARGS)

# Four workers on two cores: the unit tests mostly wait (the fault matrix's real socket timeouts), not compute.
units: prepare
	@$(call run_pytest,tests/unit,-n 4)

# The emulators' journals are kept in build/journals for the SDK contract check (make contract).
integration: export SMS_EMULATOR_JOURNAL_DIR := $(CURDIR)/build/journals
# One worker more than the cores: a run also waits (the emulator's latency, retries), and the spare worker fills it.
INTEGRATION_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))
integration: prepare
	rm -rf build/journals
	@$(call run_pytest,tests/integration,-n $(INTEGRATION_WORKERS))

contract: prepare
	@$(call run_pytest,tests/contract,)

lint: prepare
	"$(BIN)/ruff" check --no-cache .
	XDG_CACHE_HOME="$(CURDIR)/build/cache" "$(BIN)/ansible-lint" --nocolor --profile production

docs-lint: prepare
	cd "$(CURDIR)/build/collections/ansible_collections/hwcloud/sms" && \
	  "$(BIN)/antsibull-docs" --config-file "$(CURDIR)/build/antsibull.cfg" lint-collection-docs --plugin-docs .

changelog-lint: prepare
	"$(BIN)/antsibull-changelog" lint

build-check: prepare
	"$(PY)" tools/build_check.py

test: prepare
	MAKE="$(MAKE)" "$(PY)" tools/run_suite.py

# tox (installed into the venv) runs tox.ini; its environments are build/matrix/core<release>-<stage>. The Pythons
# pyenv installed are put on PATH themselves: its shims answer only for the versions pyenv has selected.
matrix: prepare
	"$(PY)" -m pip install --disable-pip-version-check --quiet -r requirements-matrix.txt
	PATH="$$(for dir in "$$(pyenv root 2>/dev/null || echo "$$HOME/.pyenv")"/versions/3.*/bin; do \
	  if [ -d "$$dir" ]; then printf '%s:' "$$dir"; fi; done)$$PATH" "$(BIN)/tox" $(MATRIX_ARGS)

# mutmut runs in build/collections, where the files' paths are the collection's import names (pyproject.toml
# [tool.mutmut]); its results stay in build/collections/mutants, and a run tests again only what changed.
# MUTATION_ARGS go to `mutmut run`: mutant names or patterns (which run again). A mutant that fills the
# memory is stopped by the 4 GB cap (ulimit -d) instead of the machine's OOM killer.
mutation: prepare
	"$(PY)" -m pip install --disable-pip-version-check --quiet -r requirements-mutation.txt
	ln -sfn ../../pyproject.toml build/collections/pyproject.toml
	cd build/collections && set -f && ulimit -d 4194304 && SECONDS=0 && "$(BIN)/mutmut" run $(MUTATION_ARGS) && \
	  "$(PY)" "$(CURDIR)/tools/mutation_report.py" --seconds "$$SECONDS"

bench: prepare
	"$(PY)" tools/bench.py $(BENCH_ARGS)

# make demo and make emulator need ansible-core and requests only, in a virtual environment of their own.
DEMO_VENV := build/demo-venv
DEMO_STAMP := $(DEMO_VENV)/.requirements-demo.stamp
EMULATOR_PORT ?= 8600

$(DEMO_STAMP): requirements-demo.txt
	if [ ! -x "$(DEMO_VENV)/bin/python" ]; then "$(PYTHON)" -m venv "$(DEMO_VENV)"; fi
	"$(DEMO_VENV)/bin/python" -m pip install --disable-pip-version-check --quiet -r requirements-demo.txt
	touch "$(DEMO_STAMP)"

demo: $(DEMO_STAMP) $(COLLECTION_LINK)
	"$(DEMO_VENV)/bin/python" tools/demo.py

.PHONY: emulator
emulator: $(DEMO_STAMP) $(COLLECTION_LINK)
	"$(DEMO_VENV)/bin/python" tools/demo.py --serve --port "$(EMULATOR_PORT)"

clean:
	rm -rf build tests/output .pytest_cache .hypothesis .ansible hwcloud-sms-*.tar.gz
	find . -path ./.git -prune -o -path "./$(VENV)" -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf "$(VENV_DIR)"
