"""The job end to end on generated and real CUR, checked against DuckDB over the raw files."""

from __future__ import annotations

from pathlib import Path

import pyarrow.dataset as ds
import pytest

from cur_analysis import columns as c
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

from ..oracle import ACCOUNT_SQL, SERVICE_SQL, totals_by, totals_by_period

ALL = ("2024-03", "2024-04", "2024-05")


def _output_totals(path: Path) -> dict[tuple[str, str], tuple[int, float]]:
    """Rows and amortized total per output partition, read back with pyarrow (not Spark)."""
    table = ds.dataset(path, format="parquet", partitioning="hive").to_table()
    frame = table.to_pandas()
    grouped = frame.groupby(["year", "month"]).agg(
        rows=(c.AMORTIZED, "size"), amortized=(c.AMORTIZED, "sum")
    )
    return {(str(y), str(m)): (int(r.rows), float(r.amortized)) for (y, m), r in grouped.iterrows()}


@pytest.fixture(scope="module")
def generated_run(generated_outputs):
    return generated_outputs


def test_totals_equal_duckdb_over_the_raw_files(generated_run, generated_export) -> None:
    result, _ = generated_run
    expected = totals_by_period(generated_export)
    assert set(result.totals) == set(expected) == {"2024-03", "2024-04", "2024-05"}
    for period, figures in expected.items():
        for name, value in figures.items():
            assert result.totals[period][name] == pytest.approx(value, rel=1e-9), (period, name)


def test_amortized_plus_trueup_equals_unblended_every_month(generated_run) -> None:
    result, _ = generated_run
    for period, totals in result.totals.items():
        assert totals[c.AMORTIZED] != pytest.approx(totals[c.UNBLENDED], rel=1e-3), period
        assert totals[c.AMORTIZED] + totals[c.RI_SP_TRUEUP] == pytest.approx(
            totals[c.UNBLENDED], rel=1e-9
        ), period


def test_rerunning_a_period_replaces_it_and_leaves_the_others(
    spark, generated_run, generated_catalog
) -> None:
    result, output = generated_run
    before = _output_totals(output / DAILY_COST.name)
    assert set(before) == {("2024", "3"), ("2024", "4"), ("2024", "5")}
    run(
        LocalCatalogReader(spark),
        RunConfig(*generated_catalog, ("2024-05",), str(output)),
    )
    after = _output_totals(output / DAILY_COST.name)
    assert after.keys() == before.keys()
    for key in before:
        assert after[key][0] == before[key][0]
        assert after[key][1] == pytest.approx(before[key][1], rel=1e-12)
    assert before[("2024", "5")][1] == pytest.approx(
        result.totals["2024-05"][c.AMORTIZED], rel=1e-9
    )


def _dataset(path: Path):
    return ds.dataset(path, format="parquet", partitioning="hive").to_table().to_pandas()


def _assert_dataset_matches(frame, key: str, expected: dict) -> None:
    measures = list(next(iter(expected.values())))
    got = frame.groupby([c.BILLING_PERIOD, key])[measures].sum()
    assert len(got) == len(expected)
    for (period, name), figures in expected.items():
        for measure, value in figures.items():
            assert got.loc[(period, name), measure] == pytest.approx(value, rel=1e-6, abs=1e-9)


def test_tag_monthly_rows_of_every_key_sum_to_the_period_total(generated_run) -> None:
    result, output = generated_run
    tags = _dataset(output / TAG_MONTHLY.name)
    assert {"environment", "team", "cost_center"} <= set(tags[c.TAG_KEY])
    for (period, _key), group in tags.groupby([c.BILLING_PERIOD, c.TAG_KEY]):
        for measure in (c.AMORTIZED, c.UNBLENDED):
            assert group[measure].sum() == pytest.approx(result.totals[period][measure], rel=1e-9)


@pytest.fixture(scope="module")
def samples_run(spark, samples_export, tmp_path_factory):
    catalog.register(spark, samples_export, "wal_org", "legacy_all")
    catalog.link(spark, "wal_org_linked", "wal_org")
    output = tmp_path_factory.mktemp("samples-out")
    periods = ("2018-10", "2018-11", "2018-12")
    config = RunConfig("wal_org_linked", "legacy_all", periods, str(output))
    return run(LocalCatalogReader(spark), config), output


def test_real_samples_accounts_and_services_equal_duckdb(samples_run, samples_export) -> None:
    _, output = samples_run
    by_account = totals_by(samples_export, ACCOUNT_SQL)
    by_service = totals_by(samples_export, SERVICE_SQL)
    _assert_dataset_matches(_dataset(output / ACCOUNT_MONTHLY.name), c.ACCOUNT, by_account)
    _assert_dataset_matches(_dataset(output / SERVICE_MONTHLY.name), c.SERVICE, by_service)
    _assert_dataset_matches(_dataset(output / DAILY_COST.name), c.ACCOUNT, by_account)
    # savings_monthly names public on-demand cost c.ON_DEMAND_EQUIVALENT.
    savings = _dataset(output / SAVINGS_MONTHLY.name).rename(
        columns={c.ON_DEMAND_EQUIVALENT: c.PUBLIC_ON_DEMAND}
    )
    without_unblended = {
        key: {m: v for m, v in figures.items() if m != c.UNBLENDED}
        for key, figures in by_account.items()
    }
    _assert_dataset_matches(savings, c.ACCOUNT, without_unblended)


def test_real_samples_tag_keys_sum_to_the_total(samples_run) -> None:
    result, output = samples_run
    tags = _dataset(output / TAG_MONTHLY.name)
    assert {"cost_center", "department", "environment", "workload"} <= set(tags[c.TAG_KEY])
    for (period, _key), group in tags.groupby([c.BILLING_PERIOD, c.TAG_KEY]):
        total = result.totals[period][c.AMORTIZED]
        assert group[c.AMORTIZED].sum() == pytest.approx(total, rel=1e-9)


def test_real_samples_totals_equal_duckdb(samples_run, samples_export) -> None:
    result, _ = samples_run
    expected = totals_by_period(samples_export)
    assert set(result.totals) == {"2018-10", "2018-11", "2018-12"}
    for period, figures in expected.items():
        for name, value in figures.items():
            assert result.totals[period][name] == pytest.approx(value, rel=1e-9), (period, name)
    # The samples have reservations: amortized must differ from unblended there.
    assert result.totals["2018-10"][c.AMORTIZED] != pytest.approx(
        result.totals["2018-10"][c.UNBLENDED]
    )
