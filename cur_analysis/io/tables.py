"""Publish a written dataset as a partitioned table of the catalog Spark is using.

Locally that is the Hive metastore; inside Glue with ``--enable-glue-datacatalog`` it is the Glue
Data Catalog, so the same Spark SQL serves both.
"""

from __future__ import annotations

from collections.abc import Sequence

from pyspark.sql import SparkSession

from cur_analysis import columns as c
from cur_analysis.names import catalog_name, sql_path
from cur_analysis.periods import BillingPeriod


def publish_table(
    spark: SparkSession, database: str, name: str, path: str, periods: Sequence[str]
) -> str:
    """Create ``database.name`` over ``path`` if missing and register the written partitions."""
    db, table = catalog_name(database, "output database"), catalog_name(name, "dataset")
    location = path if "://" in path else f"file://{path}"
    full = f"{db}.{table}"
    spark.sql(f"CREATE DATABASE IF NOT EXISTS {db}")
    if not spark.catalog.tableExists(full):
        schema = spark.read.parquet(path).schema
        data = [
            f"`{f.name}` {f.dataType.simpleString()}"
            for f in schema.fields
            if f.name not in c.PARTITION_KEYS
        ]
        keys = [f"`{key}` string" for key in c.PARTITION_KEYS]
        spark.sql(
            f"CREATE TABLE {full} ({', '.join(data + keys)}) USING parquet "
            f"PARTITIONED BY ({', '.join(c.PARTITION_KEYS)}) LOCATION '{sql_path(location)}'"
        )
    for label in periods:
        period = BillingPeriod.parse(label)
        spark.sql(
            f"ALTER TABLE {full} ADD IF NOT EXISTS PARTITION "
            f"(year = '{period.year_value}', month = '{period.month_value}')"
        )
    spark.catalog.refreshTable(full)
    return full
