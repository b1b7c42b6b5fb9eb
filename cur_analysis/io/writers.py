"""Write datasets as Parquet partitioned like the CUR (``year=YYYY/month=M``), one version per run.

A run never overwrites: it appends a new version folder per period (``.../run=<run_id>/``) that
``io.publish`` then switches to. A large dataset is written by a Spark job of its own (the ``run``
level is a partition column); the small ones are collected together by one Spark job
(``collected``) and written by the driver, a Parquet file per period (``parquet_by_period``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import Enum
from functools import reduce
from typing import TYPE_CHECKING

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from cur_analysis import columns as c
from cur_analysis.layout import OUTPUT_LAYOUT
from cur_analysis.periods import BillingPeriod, month_column, year_column
from cur_analysis.reuse import per_jvm

if TYPE_CHECKING:
    import pyarrow as pa


def with_partition_keys(df: DataFrame) -> DataFrame:
    """Add the ``year``/``month`` partition values of ``billing_period`` (a dataset that has
    them already, as the cid views do, keeps its own)."""
    if c.YEAR in df.columns and c.MONTH in df.columns:
        return df
    period = F.col(c.BILLING_PERIOD)
    return df.withColumn(c.YEAR, year_column(period)).withColumn(c.MONTH, month_column(period))


class SizeClass(Enum):
    """How a dataset's periods are written (one file per period, but for line items)."""

    SMALL = "by the driver"  # a few thousand rows per period: collected, a file per period
    LARGE = "shuffled by period"  # rows shuffled by period first
    LINE_ITEMS = "by the tasks that hold them"  # no shuffle: a file per task and period


def write_version(
    df: DataFrame, root: str, run_id: str, *, size: SizeClass = SizeClass.LARGE
) -> str:
    """Write the periods present in ``df`` as new versions under ``root``; touch nothing else.

    Each period's version gets one file: rows are shuffled by period first, or, for a ``SMALL``
    dataset (a few thousand rows per period), written by one task without a shuffle (the writer
    sorts by the partition keys, so that is one file per period too). ``LINE_ITEMS`` (millions
    of wide rows a period) are written by the tasks that hold them, a file per task and period:
    shuffling them to one task per period costs more than computing them (docs/focus.md).
    """
    keyed = with_partition_keys(df).withColumn(c.RUN, F.lit(run_id))
    keys = OUTPUT_LAYOUT.partition_keys
    if size is SizeClass.SMALL:
        keyed = keyed.coalesce(1)
    elif size is SizeClass.LARGE:
        keyed = keyed.repartition(*keys)
    keyed.write.mode("append").partitionBy(*keys, c.RUN).parquet(root)
    return root


def collected(frames: Mapping[str, DataFrame]) -> dict[str, pa.Table]:
    """Every frame's rows on the driver, by one Spark job (a job per frame costs more than the
    rows): each frame packed into a struct column named after it, the packed frames unioned
    (the other frames' columns null), the union collected as Arrow and unpacked."""
    packed = [frame.select(_packed(name)) for name, frame in frames.items()]
    union = reduce(lambda one, other: one.unionByName(other, allowMissingColumns=True), packed)
    rows = _as_arrow(union)
    return {name: _unpacked(rows, name) for name in frames}


@per_jvm
def _packed(name: str) -> Column:
    """Every column of a frame as one struct column called ``name``."""
    return F.struct("*").alias(name)


def _as_arrow(frame: DataFrame) -> pa.Table:
    """The frame's rows as the Arrow batches Spark sends, uncast: pyspark 4's ``toArrow`` casts
    them and pyarrow refuses a null struct whose fields are not nullable, as a union's are."""
    import pyarrow as pa
    from pyspark.sql.pandas.types import to_arrow_schema

    batches = frame._collect_as_arrow()
    if not batches:
        return to_arrow_schema(frame.schema).empty_table()
    return pa.Table.from_batches(batches)


def _unpacked(rows: pa.Table, name: str) -> pa.Table:
    """The rows of the frame packed in column ``name``, its fields as columns (all nullable, as
    Spark writes them)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    packed = rows.column(name)
    own = rows.filter(pc.is_valid(packed)).column(name).combine_chunks()
    schema = pa.schema([field.with_nullable(True) for field in own.type])
    return pa.Table.from_arrays(own.flatten(), schema=schema)


def _period_labels(rows: pa.Table) -> pa.ChunkedArray:
    """Each row's ``YYYY-MM``: from its own partition columns where it has them (the cid views,
    whose ``billing_period`` is CID's timestamp), else from ``billing_period``."""
    import pyarrow.compute as pc

    if c.YEAR in rows.column_names and c.MONTH in rows.column_names:
        month = pc.utf8_lpad(rows.column(c.MONTH), 2, "0")
        return pc.binary_join_element_wise(rows.column(c.YEAR), month, "-")
    return rows.column(c.BILLING_PERIOD)


def parquet_by_period(
    rows: pa.Table, periods: Sequence[BillingPeriod]
) -> dict[BillingPeriod, bytes]:
    """Each period's rows as one Snappy Parquet file, as Spark writes them: the dataset's
    columns, without the partition keys; a period without rows has none."""
    import pyarrow.compute as pc

    labels = _period_labels(rows)
    keys = [key for key in OUTPUT_LAYOUT.partition_keys if key in rows.column_names]
    rows = rows.drop_columns(keys)
    files = {}
    for period in periods:
        chosen = rows.filter(pc.equal(labels, period.label))
        if chosen.num_rows:
            files[period] = parquet_bytes(chosen)
    return files


def parquet_bytes(rows: pa.Table) -> bytes:
    """``rows`` as one Snappy Parquet file, as Spark writes it."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = pa.BufferOutputStream()
    pq.write_table(rows, sink, compression="snappy")
    return sink.getvalue().to_pybytes()
