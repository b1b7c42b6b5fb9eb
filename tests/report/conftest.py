"""Datasets of the generated CUR written once for the report tests (folders and catalog tables)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def report_run(generated_outputs):
    """The job over the generated months (2024-05 and the periods it compares with), shared."""
    return generated_outputs[0]


@pytest.fixture(scope="session")
def report_output(report_run) -> Path:
    return Path(report_run.config.output)
