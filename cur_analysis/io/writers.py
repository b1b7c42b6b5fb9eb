"""Write datasets as Parquet partitioned like the CUR (``year=YYYY/month=M``), period by period."""

from __future__ import annotations

from pathlib import Path

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from cur_analysis import columns as c


def dataset_path(output: str, name: str) -> str:
    """``OUTPUT/<name>``; a local folder is made absolute, an ``s3://`` URI is kept."""
    if "://" in output:
        return f"{output.rstrip('/')}/{name}"
    return str(Path(output).expanduser().resolve() / name)


def _year_of_period() -> Column:
    return F.substring(F.col(c.BILLING_PERIOD), 1, 4)


def _month_of_period() -> Column:
    return F.substring(F.col(c.BILLING_PERIOD), 6, 2).cast("int").cast("string")


def with_partition_keys(df: DataFrame) -> DataFrame:
    """Add ``year``/``month`` (month not zero-padded) from ``billing_period``."""
    return df.withColumn(c.YEAR, _year_of_period()).withColumn(c.MONTH, _month_of_period())


def write_periods(df: DataFrame, output: str, name: str, *, small: bool = False) -> str:
    """Replace the partitions of the periods present in ``df``, leaving all others untouched.

    Each period's partition gets one file: rows are shuffled by period first, or, for a ``small``
    dataset (a few thousand rows per period), written by one task without a shuffle (the writer
    sorts by the partition keys, so that is one file per period too).
    """
    path = dataset_path(output, name)
    keyed = with_partition_keys(df)
    grouped = keyed.coalesce(1) if small else keyed.repartition(c.YEAR, c.MONTH)
    (
        grouped.write.mode("overwrite")
        .option("partitionOverwriteMode", "dynamic")
        .partitionBy(c.YEAR, c.MONTH)
        .parquet(path)
    )
    return path
