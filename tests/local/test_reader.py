"""Local catalog (crawler and resource-link stand-ins) and reading with partition pruning."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cur_analysis import columns as c
from cur_analysis.errors import InvalidInputError, MissingPeriodError, MissingTableError
from cur_analysis.io.readers import read_cur
from cur_analysis.local import catalog
from cur_analysis.local.reader import LocalCatalogReader
from cur_analysis.periods import BillingPeriod

MAY = BillingPeriod(2024, 5)


def test_register_adds_every_partition_with_string_keys(spark, generated_catalog) -> None:
    reader = LocalCatalogReader(spark)
    assert reader.available_periods(*generated_catalog) == (
        BillingPeriod(2024, 3),
        BillingPeriod(2024, 4),
        MAY,
    )
    schema = spark.table("gen_org.legacy_all").schema
    assert schema[c.YEAR].dataType.simpleString() == "string"
    assert schema[c.MONTH].dataType.simpleString() == "string"
    # Columns that exist in later months only are part of the merged schema.
    assert {c.SP_EFFECTIVE_COST, c.NET_UNBLENDED_COST, "resource_tags_user_cost_center"} <= set(
        schema.names
    )


def test_read_touches_only_the_requested_partition(
    spark, generated_catalog, generated_export
) -> None:
    frame = read_cur(LocalCatalogReader(spark), *generated_catalog, [MAY])
    files = frame.inputFiles()
    assert files, "the read found no files"
    assert all("/year=2024/month=5/" in path for path in files)
    plan = frame._jdf.queryExecution().executedPlan().toString()
    assert "PartitionFilters: [isnotnull(year" in plan
    # The month=5 files hold only month 5 rows, so the count equals the raw file's row count.
    import pyarrow.parquet as pq

    raw_rows = sum(
        pq.read_metadata(p).num_rows
        for p in (generated_export / "year=2024" / "month=5").glob("*.parquet")
    )
    assert frame.count() == raw_rows


def test_link_reads_the_same_rows_as_its_target(spark, generated_catalog) -> None:
    via_link = read_cur(LocalCatalogReader(spark), *generated_catalog, [MAY]).count()
    direct = read_cur(LocalCatalogReader(spark), "gen_org", "legacy_all", [MAY]).count()
    assert via_link == direct > 0


def test_missing_period_is_an_error_naming_the_periods_present(spark, generated_catalog) -> None:
    with pytest.raises(MissingPeriodError) as error:
        read_cur(LocalCatalogReader(spark), *generated_catalog, [BillingPeriod(2024, 6)])
    message = str(error.value)
    assert "2024-06" in message and "2024-03, 2024-04, 2024-05" in message


def test_missing_table_and_bad_names_are_clear_errors(spark) -> None:
    with pytest.raises(MissingTableError, match="catalog register"):
        read_cur(LocalCatalogReader(spark), "nope_db", "legacy_all", [MAY])
    with pytest.raises(InvalidInputError, match="not a valid Glue name"):
        read_cur(LocalCatalogReader(spark), "cur_org; drop", "legacy_all", [MAY])


def test_register_without_partitions_is_an_error(spark, tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="year=YYYY/month=M"):
        catalog.register(spark, tmp_path, "empty_org", "legacy_all")


def test_reregister_picks_up_new_partitions_and_columns(
    spark, generated_export, tmp_path: Path
) -> None:
    export = tmp_path / "cur"
    shutil.copytree(generated_export / "year=2024" / "month=3", export / "year=2024" / "month=3")
    catalog.register(spark, export, "grow_org", "legacy_all")
    catalog.link(spark, "grow_org_linked", "grow_org")
    assert c.SP_EFFECTIVE_COST not in spark.table("grow_org_linked.legacy_all").columns
    shutil.copytree(generated_export / "year=2024" / "month=4", export / "year=2024" / "month=4")
    found = catalog.register(spark, export, "grow_org", "legacy_all")
    assert found.periods == (BillingPeriod(2024, 3), BillingPeriod(2024, 4))
    # The link sees the new month and the new savings-plan columns without being re-created.
    linked = spark.table("grow_org_linked.legacy_all")
    assert c.SP_EFFECTIVE_COST in linked.columns
    assert (
        LocalCatalogReader(spark).available_periods("grow_org_linked", "legacy_all")
        == found.periods
    )
