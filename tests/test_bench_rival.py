"""The bench's DuckDB rival against the independent totals, and the bench's rendering.

No Spark: the rival (``benchmarks/duckdb_datasets.py``) runs on the generated export and its
datasets are summed with DuckDB.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import duckdb
import pytest

from benchmarks import bench, duckdb_datasets, render

from .independent import totals_by_period

PERIOD, PREVIOUS = "2024-05", "2024-04"
FIGURES = ("unblended_cost", "amortized_cost", "public_on_demand_cost", "line_item_count")


@pytest.fixture(scope="module")
def rival(generated_export: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    files = sorted(
        str(file)
        for month in (4, 5)
        for file in (generated_export / "year=2024" / f"month={month}").glob("*.parquet")
    )
    output = tmp_path_factory.mktemp("rival")
    return duckdb_datasets.compute(files, [PERIOD], [PREVIOUS, PERIOD], output, threads=1)


def _sums(path: Path, key: str = "") -> dict[str, dict[str, float]]:
    by = f"{key}, " if key else ""
    rows = (
        duckdb.connect()
        .execute(
            f"SELECT {by or ''}{', '.join(f'sum({f})::DOUBLE' for f in FIGURES)} "
            f"FROM read_parquet('{path}') {'GROUP BY ' + key if key else ''}"
        )
        .fetchall()
    )
    width = 1 if key else 0
    return {(row[0] if key else ""): dict(zip(FIGURES, row[width:], strict=True)) for row in rows}


@pytest.mark.parametrize(
    "dataset", ["daily_cost", "account_monthly", "service_monthly", "tag_monthly"]
)
def test_each_dataset_sums_to_the_independent_totals(
    rival: dict[str, Path], generated_export: Path, dataset: str
) -> None:
    expected = totals_by_period(generated_export)[PERIOD]
    key = "tag_key" if dataset == "tag_monthly" else ""
    found = _sums(rival[dataset], key)
    assert found, dataset
    for figures in found.values():  # tag_monthly: every tag key covers every line item
        for name in FIGURES:
            assert figures[name] == pytest.approx(expected[name], rel=1e-9), (dataset, name)


def test_the_rival_computes_the_default_datasets() -> None:
    from cur_analysis.datasets.registry import DATASETS

    assert set(duckdb_datasets.DATASETS) == set(DATASETS)


def test_the_rival_imports_nothing_from_the_library() -> None:
    source = Path(duckdb_datasets.__file__).read_text()
    assert "cur_analysis" not in source.replace("``cur_analysis``", "")


def test_optional_sets_default_to_each_opt_in_dataset_in_the_default_scenario() -> None:
    from cur_analysis.datasets.registry import REGISTRY

    none = argparse.Namespace(with_optional=None)
    opt_in = [(dataset.name,) for dataset in REGISTRY if not dataset.default]
    assert bench.optional_sets(none, "default") == opt_in
    assert bench.optional_sets(none, "large") == []
    given = argparse.Namespace(with_optional=["a, b", "c"])
    assert bench.optional_sets(given, "large") == [("a", "b"), ("c",)]


def test_glue_estimate_is_core_seconds_over_four_vcpus_at_the_dpu_hour_price() -> None:
    estimate = render.glue_estimate(rows_per_second_per_core=100_000)
    assert estimate["dpu_hours_per_million_line_items"] == pytest.approx(10 / 4 / 3600)
    assert estimate["usd_per_million_line_items"] == pytest.approx(10 / 4 / 3600 * 0.44)


def _result() -> dict:
    warm = {"median": 2.0, "min": 1.9, "max": 2.2, "runs": [1.9, 2.0, 2.2], "first": 3.0, "jobs": 5}
    result = {
        "scenario": "default",
        "run": {"date": "d", "stamp": "s", "commit": "c", "machine": "m", "uptime_before": "u",
                "uptime_after": "u", "command": "python -m benchmarks.bench"},
        "machine": {"cpus": 2, "load_before": [1.0, 1.0, 1.0], "load_after": [1.0, 1.0, 1.0]},
        "export": {"profile": "default", "months": 24, "rows": 1000},
        "period": "2024-12", "loaded_periods": ["2024-11", "2024-12"], "rows_read": 2000,
        "bytes_of_loaded_files": 10**6,
        "scan": {"scans": [["a", "b"]], "input_files": 2, "table_columns": 47},
        "warm": {bench.WARM: warm, bench.NO_TAGS: warm, bench.FLOOR: {**warm, "median": 1.0}},
        "cold_cli": None, "cold_cli_tiny_export": None, "trivial_pyspark": None,
        "duckdb": {"first": 1.0, "times": [0.5, 0.4, 0.6], "peak_rss_mb": 100.0},
        "peak_memory_mb": {"spark_driver_jvm": 1000.0, "duckdb": 100.0},
        "cross_check": {"daily_cost": {"columns": 9, "rows": 10.0, "differences": {}}},
        "optional_sets": [],
    }  # fmt: skip
    result["ratios"] = bench._ratios(result)  # noqa: SLF001
    result["glue_estimate"] = render.glue_estimate(result["ratios"]["rows_per_second_per_core"])
    return result


def test_ratios_put_the_job_against_its_floor_and_the_rival() -> None:
    ratios = _result()["ratios"]
    assert ratios["spark_over_floor"] == pytest.approx(2.0)
    assert ratios["spark_over_duckdb"] == pytest.approx(4.0)
    assert ratios["floor_over_duckdb"] == pytest.approx(2.0)


def test_the_markdown_summary_holds_medians_spreads_targets_and_the_glue_estimate(
    tmp_path: Path,
) -> None:
    as_json, as_markdown = bench.write_results(tmp_path, _result())
    text = as_markdown.read_text()
    assert as_json.name == "s-default.json" and as_markdown.name == "s-default.md"
    assert "| (a) warm Spark, the default datasets | 2.00 s | 1.90-2.20 s | 3 |" in text
    assert "| spark_over_floor | 2.00x | <= 1.5 | missed |" in text
    assert "extrapolated from 2 local cores" in text
    assert "within 1e-6" in text
    assert "min-max" in render.format_table(_result())


def test_spark_floor_reads_the_job_columns_of_the_loaded_partitions(
    spark, generated_catalog: tuple[str, str], generated_export: Path, tmp_path: Path
) -> None:
    from benchmarks.plan import read_columns
    from cur_analysis.local.reader import LocalCatalogReader
    from cur_analysis.periods import BillingPeriod

    database, _ = generated_catalog
    job = bench._Job(LocalCatalogReader(spark), database, BillingPeriod(2024, 5), tmp_path)  # noqa: SLF001
    floor, described = bench.spark_floor(job)
    assert sorted(read_columns(floor)) == sorted({c for scan in described["scans"] for c in scan})
    files = bench.partition_files(
        generated_export, [BillingPeriod(2024, 4), BillingPeriod(2024, 5)]
    )
    assert floor.count() == bench._rows_in(files)  # noqa: SLF001
