"""Tiny inline CUR frames for unit tests: raw rows in, conformed frame out."""

from __future__ import annotations

from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.types import DoubleType, StringType, StructField, StructType

from cur_analysis import columns as c
from cur_analysis.conform import conform_legacy


def raw_frame(spark: SparkSession, rows: list[dict[str, Any]], columns: list[str]) -> DataFrame:
    """A raw legacy-CUR frame of only ``columns`` (plus year/month), typed as the CUR types them."""
    fields = []
    for name in columns:
        data_type = c.SOURCE_SCHEMA.get(name, StringType())
        fields.append(StructField(name, data_type if data_type != DoubleType() else DoubleType()))
    fields += [StructField(c.YEAR, StringType()), StructField(c.MONTH, StringType())]
    data = [
        tuple(row.get(name) for name in columns) + (row.get("year", "2024"), row.get("month", "5"))
        for row in rows
    ]
    return spark.createDataFrame(data, StructType(fields))


def conformed(spark: SparkSession, rows: list[dict[str, Any]], columns: list[str]) -> DataFrame:
    return conform_legacy(raw_frame(spark, rows, columns))
