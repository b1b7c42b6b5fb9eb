# Two commands: `make demo` and `make test`. Each sets itself up (virtualenv, pinned installs, Java check).
# GLUE picks the runtime whose libraries and Python the virtualenv has (constraints/glue-$(GLUE).txt):
# 5.1 (the default: Spark 3.5.6 on Python 3.11, .venv) or 6.0 (Spark 4.1.1 on Python 3.13, .venv-glue6).
# docs/decisions/0010-default-runtime.md says why 5.1 is the default here and 6.0 in cur-deploy.
GLUE ?= 5.1
GLUE_VERSIONS := 5.1 6.0
ifeq ($(filter $(GLUE),$(GLUE_VERSIONS)),)
$(error GLUE=$(GLUE) is not one of $(GLUE_VERSIONS): run make with GLUE=5.1 or GLUE=6.0)
endif

# The interpreters, found once per make run by scripts/find-python (pythonX.Y on PATH, else an
# installed pyenv version); each can be given instead. PYTHON: 3.11, Glue 5.1's, also the FOCUS
# 1.0 tools'. PYTHON_GLUE6: 3.13, Glue 6.0's. PYTHON_FOCUS: 3.12 or newer, focus-validator 2.2.1's
# (the FOCUS 1.2 rules): optional, its tests skip with one line where there is none.
ifeq ($(origin PYTHON),undefined)
PYTHON := $(shell scripts/find-python 3.11)
endif
ifeq ($(origin PYTHON_GLUE6),undefined)
PYTHON_GLUE6 := $(shell scripts/find-python 3.13)
endif
ifeq ($(origin PYTHON_FOCUS),undefined)
PYTHON_FOCUS := $(shell scripts/find-python 3.13 3.12)
endif

ifeq ($(GLUE),6.0)
VENV := .venv-glue6
RUNTIME_PYTHON := $(PYTHON_GLUE6)
RUNTIME_MINOR := 3.13
else
VENV := .venv
RUNTIME_PYTHON := $(PYTHON)
RUNTIME_MINOR := 3.11
endif
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
CONSTRAINTS := constraints/glue-$(GLUE).txt
PIP := --quiet --disable-pip-version-check --no-compile

# The FinOps Foundation's FOCUS tools, each in its own virtualenv with every package pinned
# (constraints/focus-*.txt): their numpy/pyarrow/polars pins clash with Glue's. Shared by both
# GLUE targets; tests/focus runs them in subprocesses.
FOCUS_TOOLS := .venv-focus-validator/.installed .venv-focus-converter/.installed
ifneq ($(PYTHON_FOCUS),)
FOCUS_TOOLS += .venv-focus-validator-2.2/.installed
endif

.PHONY: demo test test-fast lint docs docs-figures bench java runtime-python clean package docker-test aws-acceptance

demo: runtime-python java $(INSTALLED)
	$(BIN)/cur-analysis demo

# The whole suite. PYTEST_ARGS adds pytest options (e.g. PYTEST_ARGS='-k focus').
test: runtime-python java $(INSTALLED) $(FOCUS_TOOLS)
	@test -n "$(PYTHON_FOCUS)" || echo "note: no Python >= 3.12 found (python3.13, python3.12, pyenv): the FOCUS 1.2 validator's tests are skipped; install one or pass PYTHON_FOCUS=/path/to/python3.12"
	CUR_ANALYSIS_GLUE_VERSION=$(GLUE) $(BIN)/python -m pytest --durations=15 $(PYTEST_ARGS)

# The inner loop: every test that starts no JVM, no moto server, no FOCUS tool and no browser.
test-fast: runtime-python $(INSTALLED)
	CUR_ANALYSIS_GLUE_VERSION=$(GLUE) $(BIN)/python -m pytest -m fast --durations=5 $(PYTEST_ARGS)

lint: runtime-python $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/hadolint Dockerfile
	$(BIN)/lint-imports
	$(BIN)/mkdocs build --strict --quiet

# The manual (docs/, mkdocs.yml) as a static site in site/; a broken link or anchor fails it.
docs: runtime-python $(INSTALLED)
	$(BIN)/mkdocs build --strict

# The figures docs/performance.md and docs/scheduling.md quote, written anew from the newest
# benchmarks/results/ files: run it after committing a result (tests/test_docs.py checks them).
docs-figures: runtime-python $(INSTALLED)
	$(BIN)/python -m benchmarks.docs_figures

# Spark against DuckDB on one period of a synthetic 24-month CUR (ROWS per month; see benchmarks/).
ROWS ?= 2000000
bench: runtime-python java $(INSTALLED)
	$(BIN)/python -m benchmarks.bench --rows-per-month $(ROWS) $(BENCH_ARGS)

# The Glue wheel (the cur_analysis library only, no admin tools; boto3 floor only: Glue provides
# Spark, boto3, pandas, pyarrow) and the job scripts. See scripts/glue_wheel.py.
DIST ?= dist
package: runtime-python
	@test -x $(BIN)/python || $(RUNTIME_PYTHON) -m venv $(VENV)
	rm -rf $(DIST)
	$(BIN)/python scripts/glue_wheel.py $(DIST)
	cp jobs/*.py $(DIST)/
	@ls -1 $(DIST)

# The test suite inside the AWS Glue 5 image (needs a Docker engine).
IMAGE ?= cur-analysis-glue5-tests
docker-test:
	docker build --tag $(IMAGE) .
	docker run --rm $(IMAGE)

# cur-bootstrap against two real AWS accounts (opt-in; not part of `make test`). Without the
# CUR_ACCEPTANCE_* variables it says what it needs and exits 0 (README: cur-bootstrap section).
aws-acceptance: runtime-python $(INSTALLED)
	$(BIN)/python scripts/aws_acceptance.py

java:
	@scripts/check-java

# The runtime's Python, or one line naming what to install.
runtime-python:
	@test -n "$(RUNTIME_PYTHON)" || { echo "Glue $(GLUE) runs Python $(RUNTIME_MINOR) and none was found (python$(RUNTIME_MINOR) on PATH or pyenv): install Python $(RUNTIME_MINOR), or pass $(if $(filter 6.0,$(GLUE)),PYTHON_GLUE6,PYTHON)=/path/to/python$(RUNTIME_MINOR)" >&2; exit 1; }
	@$(RUNTIME_PYTHON) -c 'import sys; v = "%d.%d" % sys.version_info[:2]; sys.exit(0 if v == "$(RUNTIME_MINOR)" else f"$(RUNTIME_PYTHON) is Python {v}; Glue $(GLUE) runs $(RUNTIME_MINOR): pass one")'

# The FOCUS 1.0 tools run on Python 3.11 (their pins have no newer wheels).
.venv-focus-%/.installed: constraints/focus-%.txt
	rm -rf .venv-focus-$*
	$(PYTHON) -m venv .venv-focus-$*
	.venv-focus-$*/bin/python -m pip install $(PIP) --no-deps --requirement $<
	touch $@

# focus-validator 2.2.1 (FOCUS 1.2 rules) declares Python >= 3.12: a virtualenv of PYTHON_FOCUS.
.venv-focus-validator-2.2/.installed: constraints/focus-validator-2.2.txt
	rm -rf .venv-focus-validator-2.2
	$(PYTHON_FOCUS) -m venv .venv-focus-validator-2.2
	.venv-focus-validator-2.2/bin/python -m pip install $(PIP) --no-deps --requirement $<
	touch $@

# A virtualenv made by another Python (an older checkout's Glue 6.0 on 3.11) is made anew. Glue
# 6.0 provides awsglue on Python 3.13, but AWSGlueDataplanePython 5.1.0 (pure Python, its latest
# release) declares < 3.12: it goes in with --ignore-requires-python (constraints/glue-6.0.txt).
$(INSTALLED): pyproject.toml $(CONSTRAINTS)
	@if [ -x $(BIN)/python ] && ! $(BIN)/python -c 'import sys; sys.exit("%d.%d" % sys.version_info[:2] != "$(RUNTIME_MINOR)")'; then rm -rf $(VENV); fi
	test -x $(BIN)/python || $(RUNTIME_PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install $(PIP) -e '.[dev]' --constraint $(CONSTRAINTS)
ifeq ($(GLUE),6.0)
	$(BIN)/python -m pip install $(PIP) --no-deps --ignore-requires-python $$(grep -i '^AWSGlueDataplanePython==' $(CONSTRAINTS))
endif
	echo $(GLUE) > $(INSTALLED)

clean:
	rm -rf .venv .venv-glue6 .venv-focus-validator .venv-focus-validator-2.2 .venv-focus-converter .focus-root .cur-analysis build dist site *.egg-info .pytest_cache .ruff_cache
