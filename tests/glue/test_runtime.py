"""The Glue edge with the real ``GlueContext``: the catalog read with both partition predicates,
choice types resolved to the catalog's types, and the entry script's ``main`` argument handling.
Runs in the Glue container only, and never calls AWS: ``support_local_glue`` answers for the Glue
service (its docstring says which part of the real path that leaves to AWS).

They run only inside the Glue container (docs/glue.md) and skip everywhere else; the
machines this project is developed on have no Docker engine, so none has run yet.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from cur_analysis import columns as c
from cur_analysis.conform import conform_legacy
from cur_analysis.errors import MissingPeriodError
from cur_analysis.io.readers import GlueCatalogReader, read_cur
from cur_analysis.local import catalog
from cur_analysis.periods import BillingPeriod

from ..support_partition_exports import duckdb_totals, write_export
from .support import glue_unavailable
from .support_local_glue import LocalCatalogGlueContext, LocalGlueClient

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


def _rows_in(export: Path, month: int) -> int:
    files = str(export / "year=2024" / f"month={month}" / "*.parquet")
    return int(duckdb.connect().execute(f"SELECT count(*) FROM '{files}'").fetchone()[0])


def test_glue_context_uses_the_one_spark_context(glue_context, spark) -> None:
    assert glue_context.spark_session.sparkContext.applicationId == spark.sparkContext.applicationId


@pytest.fixture(scope="module")
def local_reader(glue_context, spark) -> GlueCatalogReader:
    return GlueCatalogReader(LocalCatalogGlueContext(glue_context, spark), LocalGlueClient(spark))


def test_from_catalog_reads_only_the_requested_partition(
    local_reader, generated_catalog, generated_export: Path
) -> None:
    frame = read_cur(local_reader, "gen_org", "legacy_all", [BillingPeriod(2024, 5)])
    months = {row["month"] for row in frame.select("month").distinct().collect()}
    assert months == {"5"}
    assert frame.count() == _rows_in(generated_export, 5)


def test_missing_period_is_named_before_glue_reads(local_reader, generated_catalog) -> None:
    with pytest.raises(MissingPeriodError, match="periods present: 2024-03, 2024-04, 2024-05"):
        read_cur(local_reader, "gen_org", "legacy_all", [BillingPeriod(2024, 6)])


@pytest.fixture(scope="module")
def mixed_export(spark, generated_export: Path, tmp_path_factory) -> Path:
    """March's cost as text, April's as double; zero-padded month folders."""
    root = tmp_path_factory.mktemp("glue-mixed") / "cur"
    write_export(generated_export, root, {3: "month=03", 4: "month=04"}, {3})
    catalog.register(spark, root, "glue_mixed_org", "legacy_all")
    return root


def test_a_column_typed_differently_between_months_is_a_choice_in_a_dynamic_frame(
    glue_context, mixed_export: Path
) -> None:
    """The real DynamicFrame over both months: the cost is a choice type until resolved."""
    from awsglue.gluetypes import ChoiceType

    frame = glue_context.create_dynamic_frame.from_options(
        connection_type="s3",
        connection_options={"paths": [str(mixed_export / "year=2024")], "recurse": True},
        format="parquet",
    )
    assert isinstance(frame.schema().getField(c.UNBLENDED_COST).dataType, ChoiceType)
    resolved = frame.resolveChoice(specs=[(c.UNBLENDED_COST, "cast:double")]).toDF()
    total = resolved.agg({c.UNBLENDED_COST: "sum"}).collect()[0][0]
    expected = sum(cost for cost, _rows in duckdb_totals(mixed_export).values())
    assert total == pytest.approx(expected, abs=1e-6)


def test_glue_reader_on_mixed_types_and_zero_padded_months_gives_duckdb_totals(
    local_reader, mixed_export: Path
) -> None:
    periods = [BillingPeriod(2024, 3), BillingPeriod(2024, 4)]
    frame = conform_legacy(read_cur(local_reader, "glue_mixed_org", "legacy_all", periods))
    rows = frame.groupBy(c.BILLING_PERIOD).agg({c.UNBLENDED_COST: "sum", "*": "count"}).collect()
    got = {row[0]: (row[f"sum({c.UNBLENDED_COST})"], row["count(1)"]) for row in rows}
    expected = duckdb_totals(mixed_export)
    assert set(got) == set(expected) == {"2024-03", "2024-04"}
    for period, (cost, count) in expected.items():
        assert got[period][1] == count > 0
        assert got[period][0] == pytest.approx(cost, abs=1e-6)


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
