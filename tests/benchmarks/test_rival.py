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

from ..oracle import totals_by_period

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


def test_optional_sets_default_to_each_output_family_in_every_scenario() -> None:
    from cur_analysis.datasets.registry import REGISTRY, expand_groups

    none = argparse.Namespace(with_optional=None)
    families = [("focus",), ("cid",)]
    assert bench.optional_sets(none, "default") == bench.optional_sets(none, "large") == families
    opt_in = {dataset.name for dataset in REGISTRY if not dataset.default}
    assert set(expand_groups(("focus", "cid"))) == opt_in  # every opt-in dataset is in a family
    given = argparse.Namespace(with_optional=["a, b", "c"])
    assert bench.optional_sets(given, "large") == [("a", "b"), ("c",)]


def test_glue_estimate_is_core_seconds_over_four_vcpus_at_the_dpu_hour_price() -> None:
    estimate = render.glue_estimate(rows_per_second_per_core=100_000)
    assert estimate["dpu_hours_per_million_line_items"] == pytest.approx(10 / 4 / 3600)
    assert estimate["usd_per_million_line_items"] == pytest.approx(10 / 4 / 3600 * 0.44)


def _result() -> dict:
    warm = {"median": 2.0, "min": 1.9, "max": 2.2, "runs": [1.9, 2.0, 2.2], "first": 3.0,
            "jobs": 2, "peak_driver_mb": 1000.0}  # fmt: skip
    family = {**warm, "median": 4.0, "jobs": 3, "peak_driver_mb": 1050.0}
    copy = {**warm, "median": 1.5, "jobs": 1}
    result = {
        "scenario": "default",
        "run": {"date": "d", "stamp": "s", "commit": "c", "machine": "m", "uptime_before": "u",
                "uptime_after": "u", "command": "python -m benchmarks.bench"},
        "machine": {"cpus": 2, "load_before": [1.0, 1.0, 1.0], "load_after": [1.0, 1.0, 1.0]},
        "export": {"profile": "default", "months": 24, "rows": 1000},
        "period": "2024-12", "loaded_periods": ["2024-11", "2024-12"], "rows_read": 2000,
        "bytes_of_loaded_files": 10**6,
        "scan": {"scans": [["a", "b"]], "input_files": 2, "table_columns": 47},
        "warm": {bench.WARM: warm, bench.NO_TAGS: warm, bench.FLOOR: {**warm, "median": 1.0},
                 bench.optional_label(("focus",)): family,
                 bench.copy_floor_label(("focus",)): copy},
        "cold_cli": None, "cold_cli_tiny_export": None, "trivial_pyspark": None,
        "duckdb": {"first": 1.0, "times": [0.5, 0.4, 0.6], "peak_rss_mb": 100.0},
        "focus_converter": {"times": [30.0], "median": 30.0, "peak_rss_mb": 900.0},
        "peak_memory_mb": {"duckdb": 100.0},
        "cross_check": {"daily_cost": {"columns": 9, "rows": 10.0, "differences": {}}},
        "optional_sets": [("focus",)],
    }  # fmt: skip
    result["ratios"] = bench._ratios(result)  # noqa: SLF001
    result["glue_estimate"] = render.glue_estimate(result["ratios"]["rows_per_second_per_core"])
    return result


def test_ratios_put_the_job_against_its_floor_and_the_rival() -> None:
    ratios = _result()["ratios"]
    assert ratios["spark_over_floor"] == pytest.approx(2.0)
    assert ratios["spark_over_duckdb"] == pytest.approx(4.0)
    assert ratios["floor_over_duckdb"] == pytest.approx(2.0)


def test_a_family_is_put_against_the_run_without_it_and_against_its_copy_floor() -> None:
    ratios = _result()["ratios"]
    assert ratios["with_focus_over_without"] == pytest.approx(4.0 / 2.0)
    assert ratios["focus_added_over_copy_floor"] == pytest.approx((4.0 - 2.0) / 1.5)
    assert ratios["focus_peak_driver_memory_over_without"] == pytest.approx(1050 / 1000)


def test_the_markdown_summary_holds_medians_spreads_targets_and_the_glue_estimate(
    tmp_path: Path,
) -> None:
    as_json, as_markdown = bench.write_results(tmp_path, _result())
    text = as_markdown.read_text()
    assert as_json.name == "s-default.json" and as_markdown.name == "s-default.md"
    assert "| (a) warm Spark, the default datasets | 2.00 s | 1.90-2.20 s | 3 |" in text
    assert "| spark_over_floor | 2.00x | <= 1.5 | missed |" in text
    assert "| focus_added_over_copy_floor | 1.33x | <= 1.5 | met |" in text
    assert "| (p) focus-converter, the period to FOCUS | 30.00 s |" in text
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


def test_a_familys_copy_floor_writes_its_columns_of_the_period_and_nothing_else(
    spark, generated_catalog: tuple[str, str], generated_export: Path, tmp_path: Path
) -> None:
    import pyarrow.parquet as pq

    from cur_analysis.cid.source import CID_SOURCE
    from cur_analysis.local.reader import LocalCatalogReader
    from cur_analysis.periods import BillingPeriod

    database, _ = generated_catalog
    job = bench._Job(LocalCatalogReader(spark), database, BillingPeriod(2024, 5), tmp_path)  # noqa: SLF001
    columns = bench.family_columns(job, ("cid",))
    assert set(CID_SOURCE) & set(columns) and len(columns) < 70
    bench.copy_floor(job, ("cid",), tmp_path / "copy")()
    files = sorted((tmp_path / "copy").glob("year=2024/month=5/run=copy/*.parquet"))
    assert files and sorted(pq.read_schema(files[0]).names) == columns
    rows = sum(pq.ParquetFile(f).metadata.num_rows for f in files)
    assert rows == bench._rows_in(bench.partition_files(generated_export, [job.period]))  # noqa: SLF001
