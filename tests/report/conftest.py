"""Datasets of the generated CUR written once for the report tests (folders and catalog tables)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPORT_DATABASE = "gen_report_datasets"
PERIODS = ("2024-04", "2024-05")


@pytest.fixture(scope="session")
def report_run(spark, generated_catalog, tmp_path_factory: pytest.TempPathFactory):
    """The job over the two latest generated months (2024-05 and the period it compares with)."""
    from cur_analysis.io.readers import LocalCatalogReader
    from cur_analysis.pipeline import RunConfig, run

    output = tmp_path_factory.mktemp("report-datasets")
    config = RunConfig(*generated_catalog, PERIODS, str(output), output_database=REPORT_DATABASE)
    return run(LocalCatalogReader(spark), config)


@pytest.fixture(scope="session")
def report_output(report_run) -> Path:
    return Path(report_run.config.output)
