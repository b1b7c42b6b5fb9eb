"""The run's scan, structurally (not timed): read once, only used columns and needed partitions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from pyspark.sql import DataFrame

from cur_analysis import columns as c
from cur_analysis.datasets.registry import CID, CID_GROUP, DAILY_COST, DATASETS, FOCUS, TAG_MONTHLY
from cur_analysis.local.reader import LocalCatalogReader
from cur_analysis.pipeline import RunConfig, plan_scan, run
from cur_analysis.planner import Plan

from ..support import input_records

PERIOD = "2024-05"
LOADED = ("month=4", "month=5")  # the period and its previous month (for the change columns)
TAGS = {
    "resource_tags_user_environment",
    "resource_tags_user_team",
    "resource_tags_user_cost_center",
}
# Columns of the generated export that no measure or dimension uses.
UNUSED = {
    c.RESOURCE_ID,
    c.PRODUCT_NAME,
    c.PRICING_TERM,
    c.SP_ARN,
    c.SP_OFFERING_TYPE,
    "line_item_line_item_description",
    "line_item_currency_code",
    "line_item_usage_end_date",
    "bill_billing_period_start_date",
}


def _file_scans(df: DataFrame) -> list[Any]:
    plan = df._jdf.queryExecution().sparkPlan()
    leaves = plan.collectLeaves()
    nodes = [leaves.apply(i) for i in range(leaves.size())]
    return [node for node in nodes if node.getClass().getSimpleName() == "FileSourceScanExec"]


def _read_schema(scan: Any) -> set[str]:
    schema = str(scan.metadata().get("ReadSchema").get())
    inner = schema.removeprefix("struct<").removesuffix(">")
    return {field.split(":", 1)[0] for field in inner.split(",") if field}


def _config(catalog: tuple[str, str], output: Path, datasets=DATASETS) -> RunConfig:
    return RunConfig(*catalog, (PERIOD,), str(output), datasets=tuple(datasets))


def test_the_plan_has_one_file_scan_reading_only_used_columns(
    spark, generated_catalog, tmp_path
) -> None:
    scan = plan_scan(LocalCatalogReader(spark), Plan(_config(generated_catalog, tmp_path)))
    (file_scan,) = _file_scans(scan.grain)
    read = _read_schema(file_scan)
    assert read >= TAGS
    assert not read & UNUSED
    assert not read & set(c.PARTITION_KEYS)
    assert read - TAGS <= set(c.SOURCE_SCHEMA)


def test_tag_columns_are_read_only_for_tag_monthly(spark, generated_catalog, tmp_path) -> None:
    without = [name for name in DATASETS if name != TAG_MONTHLY.name]
    scan = plan_scan(LocalCatalogReader(spark), Plan(_config(generated_catalog, tmp_path, without)))
    (file_scan,) = _file_scans(scan.grain)
    assert not _read_schema(file_scan) & TAGS


def test_only_the_period_and_its_previous_partition_are_listed(
    spark, generated_catalog, generated_export, tmp_path
) -> None:
    scan = plan_scan(LocalCatalogReader(spark), Plan(_config(generated_catalog, tmp_path)))
    (file_scan,) = _file_scans(scan.grain)
    # Pruned in the catalog: the file index is built over the two selected partitions only, not
    # over the table's root with a filter applied after listing it.
    location = str(file_scan.metadata().get("Location").get())
    assert "(2 paths)" in location
    assert "month=4" in location and "month=5" in location and "month=3" not in location
    files = {Path(name.removeprefix("file:")) for name in scan.grain.inputFiles()}
    expected = {
        path for month in LOADED for path in (generated_export / "year=2024" / month).glob("*")
    }
    assert files == expected


def test_a_run_reads_the_source_rows_once(
    spark, generated_catalog, generated_export, tmp_path
) -> None:
    rows = sum(
        pq.ParquetFile(path).metadata.num_rows
        for month in LOADED
        for path in (generated_export / "year=2024" / month).glob("*.parquet")
    )
    group = "test-scan-structure"
    context = spark.sparkContext
    context.setJobGroup(group, group)
    try:
        run(LocalCatalogReader(spark), _config(generated_catalog, tmp_path))
    finally:
        context.setJobGroup("", "")
    records = input_records(spark, group)
    # Parquet rows read, plus a few cached batches of the persisted grain; a second scan of the
    # source would double it.
    assert rows <= records < rows * 1.2, (rows, records)


def test_the_grain_reads_the_same_columns_with_focus_and_cid(
    spark, generated_catalog, tmp_path
) -> None:
    """Adding a line-item dataset changes nothing in the default datasets' scan."""
    reader = LocalCatalogReader(spark)
    alone = plan_scan(reader, Plan(_config(generated_catalog, tmp_path)))
    wide = plan_scan(
        reader, Plan(_config(generated_catalog, tmp_path, (*DATASETS, FOCUS.name, CID_GROUP)))
    )
    ((narrow,), (same,)) = _file_scans(alone.grain), _file_scans(wide.grain)
    assert _read_schema(same) == _read_schema(narrow)


@pytest.mark.parametrize("dataset", [FOCUS, *CID], ids=lambda d: d.name)
def test_a_line_item_dataset_reads_the_requested_period_alone_and_only_its_columns(
    spark, generated_catalog, tmp_path, dataset
) -> None:
    """Each line-item dataset plans its own scans of the requested partition (never the
    previous one), each reading only the columns its rules use: no line item is persisted."""
    config = _config(generated_catalog, tmp_path, (*DATASETS, dataset.name))
    scan = plan_scan(LocalCatalogReader(spark), Plan(config))
    frame = scan.line_items.transform(dataset.builder(scan.scope))
    scans = _file_scans(frame)
    assert scans
    declared = set(c.SOURCE_SCHEMA) | {name for name, _ in dataset.extra_columns} | TAGS
    for file_scan in scans:
        location = str(file_scan.metadata().get("Location").get())
        assert "(1 paths)" in location and "month=5" in location, location
        assert _read_schema(file_scan) <= declared
    if dataset.name != FOCUS.name:  # a view reads fewer columns than the cid source declares
        assert all(len(_read_schema(s)) < len(declared - TAGS) for s in scans)
    assert not frame.is_cached and not scan.line_items.is_cached


@pytest.mark.parametrize("dataset", [DAILY_COST.name, TAG_MONTHLY.name])
def test_each_output_partition_is_one_file(spark, generated_catalog, tmp_path, dataset) -> None:
    run(LocalCatalogReader(spark), _config(generated_catalog, tmp_path, (dataset,)))
    files = list((tmp_path / dataset / "year=2024" / "month=5").glob("run=*/*.parquet"))
    assert len(files) == 1
