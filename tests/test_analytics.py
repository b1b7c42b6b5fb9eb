"""Several periods, restated months, published tables and charge types of the analytics run."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from pyspark.sql import functions as F

from cur_analysis import columns as c
from cur_analysis.datasets.daily_cost import daily_cost
from cur_analysis.datasets.grain import fine_grain
from cur_analysis.datasets.registry import (
    ACCOUNT_MONTHLY,
    DAILY_COST,
    SAVINGS_MONTHLY,
    SERVICE_MONTHLY,
    TAG_MONTHLY,
)
from cur_analysis.local import catalog
from cur_analysis.local.reader import LocalCatalogReader
from cur_analysis.pipeline import RunConfig, run

from .frames import conformed
from .independent import ACCOUNT_SQL, totals_by, totals_by_period


def _frame(path: Path):
    return ds.dataset(path, format="parquet", partitioning="hive").to_table().to_pandas()


def test_last_n_runs_the_latest_periods_present(spark, generated_catalog, tmp_path) -> None:
    config = RunConfig(*generated_catalog, ("last:2",), str(tmp_path), datasets=(DAILY_COST.name,))
    result = run(LocalCatalogReader(spark), config)
    assert [p.label for p in result.periods] == ["2024-04", "2024-05"]
    assert sorted(set(_frame(tmp_path / DAILY_COST.name)[c.BILLING_PERIOD])) == [
        "2024-04",
        "2024-05",
    ]


def test_previous_period_columns_come_from_the_table(
    spark, generated_catalog, generated_export, tmp_path
) -> None:
    """Only April is computed, yet its change columns use March, read from the source table."""
    config = RunConfig(
        *generated_catalog, ("2024-04",), str(tmp_path), datasets=(ACCOUNT_MONTHLY.name,)
    )
    run(LocalCatalogReader(spark), config)
    accounts = _frame(tmp_path / ACCOUNT_MONTHLY.name)
    assert set(accounts[c.BILLING_PERIOD]) == {"2024-04"}
    expected = totals_by(generated_export, ACCOUNT_SQL)
    for row in accounts.itertuples():
        march = expected[("2024-03", row.usage_account_id)][c.AMORTIZED]
        april = expected[("2024-04", row.usage_account_id)][c.AMORTIZED]
        assert row.previous_amortized_cost == pytest.approx(march, rel=1e-9)
        assert row.amortized_change == pytest.approx(april - march, rel=1e-9)
        assert row.amortized_change_ratio == pytest.approx((april - march) / march, rel=1e-9)


def test_first_period_of_the_table_has_null_change(spark, generated_catalog, tmp_path) -> None:
    config = RunConfig(
        *generated_catalog, ("2024-03",), str(tmp_path), datasets=(SERVICE_MONTHLY.name,)
    )
    run(LocalCatalogReader(spark), config)
    services = _frame(tmp_path / SERVICE_MONTHLY.name)
    assert services[c.PREVIOUS_AMORTIZED].isna().all()
    assert services[c.AMORTIZED_CHANGE].isna().all()
    assert sorted(services[c.RANK]) == list(range(1, len(services) + 1))


def test_restated_month_is_rewritten_with_only_the_new_data(
    spark, generated_export, tmp_path
) -> None:
    export = tmp_path / "export"
    shutil.copytree(generated_export, export)
    catalog.register(spark, export, "restate_org", "legacy_all")
    output = tmp_path / "out"
    # The two datasets checked below: the line-level one and the tag roll-up.
    checked = (DAILY_COST.name, TAG_MONTHLY.name)
    config = RunConfig(
        "restate_org", "legacy_all", ("2024-04", "2024-05"), str(output), datasets=checked
    )
    run(LocalCatalogReader(spark), config)
    april_before = _frame(output / DAILY_COST.name).query("billing_period == '2024-04'")
    # The CUR restates May: the month's file is replaced by one with only the first 1,000 rows.
    may_file = next((export / "year=2024" / "month=5").glob("*.parquet"))
    pq.write_table(pq.read_table(may_file).slice(0, 1000), may_file)
    catalog.register(spark, export, "restate_org", "legacy_all")
    run(
        LocalCatalogReader(spark),
        RunConfig("restate_org", "legacy_all", ("2024-05",), str(output), datasets=checked),
    )
    daily = _frame(output / DAILY_COST.name)
    expected = totals_by_period(export)
    may = daily.query("billing_period == '2024-05'")
    assert may[c.LINE_ITEM_COUNT].sum() == expected["2024-05"][c.LINE_ITEM_COUNT] <= 1000
    assert may[c.AMORTIZED].sum() == pytest.approx(expected["2024-05"][c.AMORTIZED], rel=1e-9)
    april_after = daily.query("billing_period == '2024-04'")
    assert april_after[c.AMORTIZED].sum() == pytest.approx(
        april_before[c.AMORTIZED].sum(), rel=1e-12
    )
    assert len(april_after) == len(april_before)
    tags = _frame(output / TAG_MONTHLY.name).query("billing_period == '2024-05'")
    for _key, group in tags.groupby(c.TAG_KEY):
        assert group[c.AMORTIZED].sum() == pytest.approx(expected["2024-05"][c.AMORTIZED], rel=1e-9)


def test_datasets_are_published_as_partitioned_tables(spark, generated_catalog, tmp_path) -> None:
    config = RunConfig(
        *generated_catalog, ("2024-05",), str(tmp_path), output_database="pub_datasets"
    )
    result = run(LocalCatalogReader(spark), config)
    for name in (
        DAILY_COST.name,
        ACCOUNT_MONTHLY.name,
        SERVICE_MONTHLY.name,
        TAG_MONTHLY.name,
        SAVINGS_MONTHLY.name,
    ):
        assert spark.catalog.tableExists(f"pub_datasets.{name}")
    rows = spark.sql(
        "select sum(amortized_cost) as total, count(*) as n from pub_datasets.service_monthly "
        "where year = '2024' and month = '5'"
    ).first()
    assert rows["n"] > 0
    assert rows["total"] == pytest.approx(result.totals["2024-05"][c.AMORTIZED], rel=1e-9)
    # A second run of another period adds its partition to the same table.
    run(
        LocalCatalogReader(spark),
        RunConfig(*generated_catalog, ("2024-04",), str(tmp_path), output_database="pub_datasets"),
    )
    periods = {r[0] for r in spark.sql("show partitions pub_datasets.daily_cost").collect()}
    assert periods == {"year=2024/month=4", "year=2024/month=5"}


TYPE_COLUMNS = [
    c.LINE_ITEM_TYPE,
    c.PRODUCT_CODE,
    c.UNBLENDED_COST,
    c.NET_UNBLENDED_COST,
    c.RI_ARN,
    c.USAGE_START,
]


def test_adjustments_and_fees_land_in_their_charge_type_and_measures(spark) -> None:
    """Hand-checked: each line type keeps its own charge type; the upfront payments and the
    Compute Savings Plan refund are 0 in amortized cost and carried by ``ri_sp_trueup``."""
    import datetime as dt

    when = dt.datetime(2024, 5, 3, 10)
    rows = [
        (c.CREDIT, "AmazonEC2", -10.0, -10.0, ""),
        (c.REFUND, "AmazonS3", -4.0, -4.0, ""),
        (c.REFUND, c.COMPUTE_SAVINGS_PLANS, -250.0, -237.5, ""),
        (c.TAX, "AmazonEC2", 7.0, 7.0, ""),
        (c.EDP_DISCOUNT, "AmazonEC2", -30.0, 0.0, ""),
        (c.BUNDLED_DISCOUNT, "AmazonS3", -2.0, -2.0, ""),
        (c.PRIVATE_RATE_DISCOUNT, "AmazonRDS", -5.0, -5.0, ""),
        (c.SP_UPFRONT_FEE, c.COMPUTE_SAVINGS_PLANS, 900.0, 855.0, ""),
        (c.FEE, "AmazonEC2", 1200.0, 1140.0, "arn:aws:ec2:us-east-1:1:reserved-instances/r"),
        (c.FEE, "AWSSupport", 29.0, 29.0, ""),
    ]
    frame = conformed(
        spark, [dict(zip(TYPE_COLUMNS, (*row, when), strict=True)) for row in rows], TYPE_COLUMNS
    )
    out = (
        frame.transform(fine_grain())
        .transform(daily_cost)
        .groupBy(c.CHARGE_TYPE)
        .agg(
            *[
                F.sum(m).alias(m)
                for m in (c.UNBLENDED, c.NET_UNBLENDED, c.AMORTIZED, c.RI_SP_TRUEUP)
            ]
        )
    )
    got = {
        r[c.CHARGE_TYPE]: (r.unblended_cost, r.net_unblended_cost, r.amortized_cost, r.ri_sp_trueup)
        for r in out.collect()
    }
    assert got == {
        c.CREDIT: (-10.0, -10.0, -10.0, 0.0),
        c.REFUND: (-254.0, -241.5, -4.0, -250.0),
        c.TAX: (7.0, 7.0, 7.0, 0.0),
        c.EDP_DISCOUNT: (-30.0, 0.0, -30.0, 0.0),
        c.BUNDLED_DISCOUNT: (-2.0, -2.0, -2.0, 0.0),
        c.PRIVATE_RATE_DISCOUNT: (-5.0, -5.0, -5.0, 0.0),
        c.SP_UPFRONT_FEE: (900.0, 855.0, 0.0, 900.0),
        c.FEE: (1229.0, 1169.0, 29.0, 1200.0),
    }
