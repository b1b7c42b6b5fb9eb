"""The Glue edge with the real ``GlueContext``: the catalog read with both partition predicates,
and the entry script's ``main`` argument handling. Runs in the Glue 5 container only.

Not yet executed: no Docker engine was available where these were written (see "The Glue 5
container" in README.md).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from cur_analysis.errors import MissingPeriodError
from cur_analysis.io.readers import GlueCatalogReader, read_cur
from cur_analysis.periods import BillingPeriod

from .conftest import glue_unavailable

_REASON = glue_unavailable()
if _REASON is not None:
    pytest.skip(_REASON, allow_module_level=True)

pytestmark = pytest.mark.glue


@pytest.fixture(scope="module")
def glue_context(spark):
    """A GlueContext over the session's one SparkContext (no second session)."""
    from awsglue.context import GlueContext

    return GlueContext(spark.sparkContext)


@pytest.fixture(scope="module")
def script(job_script):
    return job_script


class _PartitionsOf:
    """Stands in for the boto3 Glue client: lists the periods the local table has."""

    def __init__(self, months: list[str]) -> None:
        self._months = months

    def get_database(self, Name: str) -> dict:  # noqa: N803 - boto3's names
        return {"Database": {"Name": Name}}

    def get_paginator(self, _name: str):
        months = self._months

        class _Pages:
            def paginate(self, **_kwargs):
                return [{"Partitions": [{"Values": ["2024", m]} for m in months]}]

        return _Pages()


def _rows_in(export: Path, month: int) -> int:
    files = str(export / "year=2024" / f"month={month}" / "*.parquet")
    return int(duckdb.connect().execute(f"SELECT count(*) FROM '{files}'").fetchone()[0])


def test_glue_context_uses_the_one_spark_context(glue_context, spark) -> None:
    assert glue_context.spark_session.sparkContext.applicationId == spark.sparkContext.applicationId


def test_from_catalog_reads_only_the_requested_partition(
    glue_context, generated_catalog, generated_export: Path
) -> None:
    reader = GlueCatalogReader(glue_context, _PartitionsOf(["3", "4", "5"]))
    frame = read_cur(reader, "gen_org", "legacy_all", [BillingPeriod(2024, 5)])
    months = {row["month"] for row in frame.select("month").distinct().collect()}
    assert months == {"5"}
    assert frame.count() == _rows_in(generated_export, 5)


def test_missing_period_is_named_before_glue_reads(glue_context) -> None:
    reader = GlueCatalogReader(glue_context, _PartitionsOf(["3"]))
    with pytest.raises(MissingPeriodError, match="periods present: 2024-03"):
        read_cur(reader, "gen_org", "legacy_all", [BillingPeriod(2024, 5)])


def test_job_main_stops_on_a_missing_argument_before_spark(script) -> None:
    argv = ["cur_cost_aggregation.py", "--JOB_NAME", "cur-cost", "--source_database", "x"]
    with pytest.raises(SystemExit, match="cur-analysis: error: .*--source_table"):
        script.main(argv)


def test_job_main_stops_on_a_bad_period(script) -> None:
    argv = [
        "cur_cost_aggregation.py",
        "--JOB_NAME",
        "cur-cost",
        "--source_database",
        "cur_org_linked",
        "--source_table",
        "legacy_all",
        "--periods",
        "2024-13",
        "--output_path",
        "s3://bucket/datasets",
    ]
    with pytest.raises(SystemExit, match="cur-analysis: error: .*2024-13"):
        script.main(argv)
