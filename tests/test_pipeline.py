"""The job end to end on generated and real CUR, checked against DuckDB over the raw files."""

from __future__ import annotations

from pathlib import Path

import pyarrow.dataset as ds
import pytest

from cur_analysis.io.readers import LocalCatalogReader
from cur_analysis.local import catalog

from cur_analysis.pipeline import RunConfig, run

from .independent import totals_by_period

ALL = ("2024-03", "2024-04", "2024-05")


def _output_totals(path: Path) -> dict[tuple[str, str], tuple[int, float]]:
    """Rows and amortized total per output partition, read back with pyarrow (not Spark)."""
    table = ds.dataset(path, format="parquet", partitioning="hive").to_table()
    frame = table.to_pandas()
    grouped = frame.groupby(["year", "month"]).agg(
        rows=("amortized_cost", "size"), amortized=("amortized_cost", "sum")
    )
    return {(str(y), str(m)): (int(r.rows), float(r.amortized)) for (y, m), r in grouped.iterrows()}


@pytest.fixture(scope="module")
def generated_run(spark, generated_catalog, tmp_path_factory):
    output = tmp_path_factory.mktemp("out")
    result = run(LocalCatalogReader(spark), RunConfig(*generated_catalog, ALL, str(output)))
    return result, output


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
        assert totals["amortized_cost"] != pytest.approx(totals["unblended_cost"], rel=1e-3), period
        assert totals["amortized_cost"] + totals["ri_sp_trueup"] == pytest.approx(
            totals["unblended_cost"], rel=1e-9
        ), period


def test_rerunning_a_period_replaces_it_and_leaves_the_others(
    spark, generated_run, generated_catalog
) -> None:
    result, output = generated_run
    before = _output_totals(output / "daily_cost")
    assert set(before) == {("2024", "3"), ("2024", "4"), ("2024", "5")}
    run(
        LocalCatalogReader(spark),
        RunConfig(*generated_catalog, ("2024-05",), str(output)),
    )
    after = _output_totals(output / "daily_cost")
    assert after.keys() == before.keys()
    for key in before:
        assert after[key][0] == before[key][0]
        assert after[key][1] == pytest.approx(before[key][1], rel=1e-12)
    assert before[("2024", "5")][1] == pytest.approx(
        result.totals["2024-05"]["amortized_cost"], rel=1e-9
    )


def test_real_samples_totals_equal_duckdb(spark, samples_export, tmp_path) -> None:
    catalog.register(spark, samples_export, "wal_org", "legacy_all")
    catalog.link(spark, "wal_org_linked", "wal_org")
    periods = ("2018-10", "2018-11", "2018-12")
    result = run(
        LocalCatalogReader(spark), RunConfig("wal_org_linked", "legacy_all", periods, str(tmp_path))
    )
    expected = totals_by_period(samples_export)
    assert set(result.totals) == {"2018-10", "2018-11", "2018-12"}
    for period, figures in expected.items():
        for name, value in figures.items():
            assert result.totals[period][name] == pytest.approx(value, rel=1e-9), (period, name)
    # The samples have reservations: amortized must differ from unblended there.
    assert result.totals["2018-10"]["amortized_cost"] != pytest.approx(
        result.totals["2018-10"]["unblended_cost"]
    )
