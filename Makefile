# Two commands: `make demo` and `make test`. Each sets itself up (virtualenv, pinned installs, Java check).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: demo test lint bench java clean

demo: java $(INSTALLED)
	$(BIN)/cur-analysis demo

test: java $(INSTALLED)
	$(BIN)/python -m pytest

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

java:
	@scripts/check-java

$(INSTALLED): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is required (the AWS Glue 5 runtime): install it and run make with PYTHON=/path/to/python3.11.")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(INSTALLED)

clean:
	rm -rf $(VENV) .cur-analysis build dist *.egg-info .pytest_cache .ruff_cache
