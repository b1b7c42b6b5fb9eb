"""The focus dataset of the real samples and of generated data, each computed once per run."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cur_analysis.datasets.registry import FOCUS

CONVERTER_SAMPLE = "focus_converters_sample-anonymous-aws-export-dataset.csv"


@dataclass(frozen=True)
class FocusRun:
    """A run that wrote ``focus``: its result, the rows written and the source rows it read."""

    result: object
    table: pa.Table
    records_read: int = 0


def athena_name(header: str) -> str:
    """A CUR CSV header as the crawler names the column (``lineItem/UnblendedCost`` ->
    ``line_item_unblended_cost``, ``reservation/ReservationARN`` ->
    ``reservation_reservation_a_r_n``): each capital starts a word, other characters are ``_``."""
    words = re.sub(r"(?<!^)(?<![/:])([A-Z])", r"_\1", header).lower()
    return re.sub(r"_+", "_", re.sub(r"[^a-z0-9]", "_", words))


def csv_export(sample: Path, root: Path) -> Path:
    """The converter's CSV sample laid out as a legacy Parquet export (2023-11), every column
    text as in the CSV (conform casts what it reads)."""
    with sample.open(newline="") as handle:
        rows = list(csv.reader(handle))
    names = [athena_name(header) for header in rows[0]]
    columns = {name: pa.array([row[i] for row in rows[1:]]) for i, name in enumerate(names)}
    folder = root / "year=2023" / "month=11"
    folder.mkdir(parents=True)
    pq.write_table(pa.table(columns), folder / "sample.parquet")
    return root


def _records_read(spark, group: str) -> int:
    """Input records of every stage of a job group (Parquet rows and cached rows read)."""
    context = spark.sparkContext
    store = context._jsc.sc().statusStore()
    records = 0
    for job_id in context.statusTracker().getJobIdsForGroup(group):
        for stage_id in context.statusTracker().getJobInfo(job_id).stageIds:
            try:
                records += int(store.lastStageAttempt(stage_id).inputRecords())
            except Exception:  # noqa: BLE001 (a stage adaptive execution skipped)
                continue
    return records


def focus_run(spark, database: str, table: str, periods: tuple[str, ...], output: Path):
    from cur_analysis.local.reader import LocalCatalogReader
    from cur_analysis.pipeline import RunConfig, run

    group = f"focus-{database}"
    spark.sparkContext.setJobGroup(group, group)
    try:
        config = RunConfig(database, table, periods, str(output), datasets=(FOCUS.name,))
        result = run(LocalCatalogReader(spark), config)
    finally:
        spark.sparkContext.setJobGroup("", "")
    written = pq.read_table(result.outputs[FOCUS.name])
    return FocusRun(result, written, _records_read(spark, group))


@pytest.fixture(scope="session")
def focus_samples(spark, samples_export, tmp_path_factory) -> FocusRun:
    """``focus`` of the Well-Architected December 2018 (the smallest month: keeps Spark short;
    a focus-only run reads no previous month)."""
    from cur_analysis.local import catalog

    catalog.register(spark, samples_export, "wal_focus", "legacy_all")
    output = tmp_path_factory.mktemp("focus-samples")
    return focus_run(spark, "wal_focus", "legacy_all", ("2018-12",), output)


@pytest.fixture(scope="session")
def focus_converter_sample(spark, samples_dir, tmp_path_factory) -> FocusRun:
    """``focus`` of focus-converter's own AWS sample (2023-11)."""
    from cur_analysis.local import catalog

    root = csv_export(samples_dir / CONVERTER_SAMPLE, tmp_path_factory.mktemp("fc") / "cur")
    catalog.register(spark, root, "fc_focus", "legacy_all")
    output = tmp_path_factory.mktemp("focus-fc")
    return focus_run(spark, "fc_focus", "legacy_all", ("2023-11",), output)


@pytest.fixture(scope="session")
def focus_generated(spark, generated_catalog, tmp_path_factory) -> FocusRun:
    """``focus`` of the whole generated table in one backfill run (``last:3``)."""
    output = tmp_path_factory.mktemp("focus-generated")
    return focus_run(spark, *generated_catalog, ("last:3",), output)
