"""Write datasets as Parquet partitioned like the CUR (``year=YYYY/month=M``), one version per run.

A run never overwrites: it appends a new version folder per period (``.../run=<run_id>/``) that
``io.publish`` then switches to. The ``run`` level is a partition column, so each dataset is
written by one Spark job.
"""

from __future__ import annotations

from enum import Enum

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from cur_analysis import columns as c
from cur_analysis.layout import OUTPUT_LAYOUT
from cur_analysis.periods import month_column, year_column


def with_partition_keys(df: DataFrame) -> DataFrame:
    """Add the ``year``/``month`` partition values of ``billing_period`` (a dataset that has
    them already, as the cid views do, keeps its own)."""
    if c.YEAR in df.columns and c.MONTH in df.columns:
        return df
    period = F.col(c.BILLING_PERIOD)
    return df.withColumn(c.YEAR, year_column(period)).withColumn(c.MONTH, month_column(period))


class SizeClass(Enum):
    """How a dataset's periods are written (one file per period, but for line items)."""

    SMALL = "one task"  # a few thousand rows per period: written by one task, no shuffle
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
