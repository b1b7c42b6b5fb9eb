"""The periods of a run: ``last:N`` takes the latest present, change columns come from the
previous period in the table, and a restated month is rewritten with only its new data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from cur_analysis import columns as c
from cur_analysis.datasets.registry import ACCOUNT_MONTHLY, DAILY_COST, SERVICE_MONTHLY, TAG_MONTHLY
from cur_analysis.local import catalog
from cur_analysis.local.reader import LocalCatalogReader
from cur_analysis.pipeline import RunConfig, run

from ..oracle import ACCOUNT_SQL, totals_by, totals_by_period


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
