"""Helpers of the focus tests: a run that writes ``focus``, the converter sample as an export."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from cur_analysis.datasets.registry import FOCUS
from cur_analysis.focus.options import FocusOptions

from ..support import input_records

DEFAULT = FocusOptions()  # FOCUS 1.2, one row per line item
V1_0 = FocusOptions("1.0")
CONVERTER_SAMPLE = "focus_converters_sample-anonymous-aws-export-dataset.csv"
# The Well-Architected month both our run (``focus_samples``) and the converter read.
SAMPLE_MONTH = "wal_Dec2018-WorkshopCUR-00001.snappy.parquet"


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


def focus_run(
    spark,
    database: str,
    table: str,
    periods: tuple[str, ...],
    output: Path,
    options: FocusOptions = DEFAULT,
) -> FocusRun:
    from cur_analysis.io.publish import published_files
    from cur_analysis.local.reader import LocalCatalogReader
    from cur_analysis.pipeline import RunConfig, run

    group = f"focus-{database}"
    spark.sparkContext.setJobGroup(group, group)
    try:
        config = RunConfig(
            database, table, periods, str(output), datasets=(FOCUS.name,), focus=options
        )
        result = run(LocalCatalogReader(spark), config)
    finally:
        spark.sparkContext.setJobGroup("", "")
    # What the run published (the manifest's files): a folder read would also see the `run`
    # partition level as a column.
    files = published_files(str(output), FOCUS.name)
    written = pa.concat_tables([pq.read_table(file) for file in files])
    return FocusRun(result, written, input_records(spark, group))
