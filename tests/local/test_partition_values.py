"""Tables as crawlers leave them: zero-padded month folders and a column typed differently
between months. Read through the local catalog, the totals equal DuckDB's over the same files.

DuckDB reads the files with its own types and casts the cost with ``TRY_CAST`` (a blank or
non-numeric text is null), independently of the library's reader and conform.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pyspark.sql import functions as F

from cur_analysis import columns as c
from cur_analysis.conform import conform_legacy
from cur_analysis.io.readers import read_cur
from cur_analysis.local import catalog
from cur_analysis.local.reader import LocalCatalogReader
from cur_analysis.periods import BillingPeriod

from ..support_partition_exports import duckdb_totals, write_export

MARCH, APRIL = BillingPeriod(2024, 3), BillingPeriod(2024, 4)


def library_totals(spark, database: str, table: str, periods) -> dict[str, tuple[float, int]]:
    frame = conform_legacy(read_cur(LocalCatalogReader(spark), database, table, periods))
    rows = (
        frame.groupBy(c.BILLING_PERIOD)
        .agg(F.sum(c.UNBLENDED_COST).alias("cost"), F.count(F.lit(1)).alias("rows"))
        .collect()
    )
    return {row[c.BILLING_PERIOD]: (row["cost"], row["rows"]) for row in rows}


def _assert_same(got: dict, expected: dict) -> None:
    assert set(got) == set(expected)
    for period, (cost, count) in expected.items():
        assert got[period][1] == count > 0
        assert got[period][0] == pytest.approx(cost, abs=1e-6)


@pytest.fixture(scope="module")
def zero_padded(spark, generated_export: Path, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("padded") / "cur"
    write_export(generated_export, root, {3: "month=03", 4: "month=04"}, set())
    catalog.register(spark, root, "padded_org", "legacy_all")
    catalog.link(spark, "padded_org_linked", "padded_org")
    return root


@pytest.fixture(scope="module")
def mixed_types(spark, generated_export: Path, tmp_path_factory) -> Path:
    """March's cost as text, April's as double (the newer month's type is the table's)."""
    root = tmp_path_factory.mktemp("mixed") / "cur"
    write_export(generated_export, root, {3: "month=3", 4: "month=4"}, {3})
    catalog.register(spark, root, "mixed_org", "legacy_all")
    catalog.link(spark, "mixed_org_linked", "mixed_org")
    return root


def test_register_keeps_zero_padded_values_as_the_folders_write_them(spark, zero_padded) -> None:
    listed = [row[0] for row in spark.sql("SHOW PARTITIONS padded_org.legacy_all").collect()]
    assert listed == ["year=2024/month=03", "year=2024/month=04"]
    reader = LocalCatalogReader(spark)
    assert reader.available_periods("padded_org_linked", "legacy_all") == (MARCH, APRIL)


def test_zero_padded_table_reads_the_duckdb_totals(spark, zero_padded) -> None:
    _assert_same(
        library_totals(spark, "padded_org_linked", "legacy_all", [APRIL]),
        {"2024-04": duckdb_totals(zero_padded)["2024-04"]},
    )
    _assert_same(
        library_totals(spark, "padded_org_linked", "legacy_all", [MARCH, APRIL]),
        duckdb_totals(zero_padded),
    )


def test_zero_padded_read_prunes_to_the_requested_folder(spark, zero_padded) -> None:
    frame = read_cur(LocalCatalogReader(spark), "padded_org_linked", "legacy_all", [APRIL])
    files = frame.inputFiles()
    assert files and all("/month=04/" in path for path in files)


def test_register_records_the_column_typed_differently_between_months(spark, mixed_types) -> None:
    assert catalog.mixed_type_columns(spark, "mixed_org.legacy_all") == (c.UNBLENDED_COST,)
    table_type = spark.table("mixed_org.legacy_all").schema[c.UNBLENDED_COST].dataType
    assert table_type.simpleString() == "double"


def test_mixed_type_table_reads_the_duckdb_totals(spark, mixed_types) -> None:
    expected = duckdb_totals(mixed_types)
    # March's blanks (one row in ten) count as rows but add no cost, in both readers.
    _assert_same(library_totals(spark, "mixed_org_linked", "legacy_all", [MARCH, APRIL]), expected)
    _assert_same(
        library_totals(spark, "mixed_org", "legacy_all", [MARCH]),
        {"2024-03": expected["2024-03"]},
    )


def test_mixed_type_read_has_the_catalog_types(spark, mixed_types) -> None:
    frame = read_cur(LocalCatalogReader(spark), "mixed_org_linked", "legacy_all", [MARCH, APRIL])
    assert frame.schema[c.UNBLENDED_COST].dataType.simpleString() == "double"
    assert frame.schema.names == spark.table("mixed_org.legacy_all").schema.names
    months = {row[c.MONTH] for row in frame.select(c.MONTH).distinct().collect()}
    assert months == {"3", "4"}
