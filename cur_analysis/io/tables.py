"""Publish a written dataset as a partitioned table of the catalog Spark is using.

Locally that is the Hive metastore; inside Glue with ``--enable-glue-datacatalog`` it is the Glue
Data Catalog, so the same Spark SQL serves both.
"""

from __future__ import annotations

from collections.abc import Sequence

from pyspark.sql import SparkSession

from cur_analysis.io.uris import spark_location
from cur_analysis.layout import OUTPUT_LAYOUT
from cur_analysis.names import catalog_name, sql_path
from cur_analysis.periods import BillingPeriod


def publish_table(
    spark: SparkSession, database: str, name: str, path: str, periods: Sequence[BillingPeriod]
) -> str:
    """Create ``database.name`` over ``path`` if missing and register the written partitions."""
    db, table = catalog_name(database, "output database"), catalog_name(name, "dataset")
    location = spark_location(path)
    full = f"{db}.{table}"
    spark.sql(f"CREATE DATABASE IF NOT EXISTS {db}")
    if not spark.catalog.tableExists(full):
        schema = spark.read.parquet(path).schema
        data = [
            f"`{f.name}` {f.dataType.simpleString()}"
            for f in schema.fields
            if f.name not in OUTPUT_LAYOUT.partition_keys
        ]
        keys = [f"`{key}` string" for key in OUTPUT_LAYOUT.partition_keys]
        partitioned = ", ".join(OUTPUT_LAYOUT.partition_keys)
        spark.sql(
            f"CREATE TABLE {full} ({', '.join(data + keys)}) USING parquet "
            f"PARTITIONED BY ({partitioned}) LOCATION '{sql_path(location)}'"
        )
    for period in periods:
        spec = OUTPUT_LAYOUT.partition_spec(OUTPUT_LAYOUT.canonical(period))
        spark.sql(f"ALTER TABLE {full} ADD IF NOT EXISTS PARTITION ({spec})")
    spark.catalog.refreshTable(full)
    return full
