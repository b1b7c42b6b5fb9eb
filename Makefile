# Two commands: `make demo` and `make test`. Each sets itself up (virtualenv, pinned installs, Java check).
# GLUE picks the runtime whose libraries the virtualenv pins (constraints/glue-$(GLUE).txt):
# 5.1 (default, Spark 3.5.6, .venv) or 6.0 (Spark 4.1.1, .venv-glue6; run on Python 3.11 here).
PYTHON ?= python3
GLUE ?= 5.1
GLUE_VERSIONS := 5.1 6.0
ifeq ($(filter $(GLUE),$(GLUE_VERSIONS)),)
$(error GLUE=$(GLUE) is not one of $(GLUE_VERSIONS): run make with GLUE=5.1 or GLUE=6.0)
endif
VENV := $(if $(filter 6.0,$(GLUE)),.venv-glue6,.venv)
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
CONSTRAINTS := constraints/glue-$(GLUE).txt
# The FOCUS tools' virtualenvs and the Debian 13 root of focus-validator 2.2.1 (see their rules
# below), shared by both GLUE targets.
FOCUS_ROOT := .focus-root
FOCUS_TOOLS := .venv-focus-validator/.installed .venv-focus-converter/.installed $(FOCUS_ROOT)/.installed

.PHONY: demo test lint docs bench java clean package docker-test aws-acceptance

demo: java $(INSTALLED)
	$(BIN)/cur-analysis demo

test: java $(INSTALLED) $(FOCUS_TOOLS)
	CUR_ANALYSIS_GLUE_VERSION=$(GLUE) $(BIN)/python -m pytest --durations=15 $(PYTEST_ARGS)

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/hadolint Dockerfile
	$(BIN)/lint-imports
	$(BIN)/mkdocs build --strict --quiet

# The manual (docs/, mkdocs.yml) as a static site in site/; a broken link or anchor fails it.
docs: $(INSTALLED)
	$(BIN)/mkdocs build --strict

# Spark against DuckDB on one period of a synthetic 24-month CUR (ROWS per month; see benchmarks/).
ROWS ?= 2000000
bench: java $(INSTALLED)
	$(BIN)/python -m benchmarks.bench --rows-per-month $(ROWS) $(BENCH_ARGS)

# The Glue wheel (the cur_analysis library only, no admin tools; boto3 floor only: Glue 5.1
# provides Spark, boto3, pandas, pyarrow) and the job scripts. See scripts/glue_wheel.py.
DIST ?= dist
package:
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
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
aws-acceptance: $(INSTALLED)
	$(BIN)/python scripts/aws_acceptance.py

java:
	@scripts/check-java

# The FinOps Foundation's FOCUS tools, each in its own virtualenv with every package pinned
# (constraints/focus-*.txt): their numpy/pyarrow/polars pins clash with Glue's. One pair for both
# GLUE targets; tests/focus runs them in subprocesses.

.venv-focus-%/.installed: constraints/focus-%.txt
	rm -rf .venv-focus-$*
	$(PYTHON) -m venv .venv-focus-$*
	.venv-focus-$*/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --requirement $<
	touch $@

# focus-validator 2.2.1 (FOCUS 1.2 rules) needs Python >= 3.12, which Debian 12 does not package:
# a Debian 13 root built once (debootstrap, chroot: as root), the validator run in it by chroot.
$(FOCUS_ROOT)/.installed: constraints/focus-validator-2.2.txt scripts/focus-root
	scripts/focus-root $(FOCUS_ROOT) $<

$(INSTALLED): pyproject.toml $(CONSTRAINTS)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is required (the AWS Glue 5.1 runtime; Glue 6.0 runs 3.13, which these tests run on 3.11): install it and run make with PYTHON=/path/to/python3.11.")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]' --constraint $(CONSTRAINTS)
	echo $(GLUE) > $(INSTALLED)

clean:
	rm -rf .venv .venv-glue6 .venv-focus-validator .venv-focus-converter $(FOCUS_ROOT) .cur-analysis build dist site *.egg-info .pytest_cache .ruff_cache
