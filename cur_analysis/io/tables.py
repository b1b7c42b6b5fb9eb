"""Publish datasets as tables of the catalog Spark is using.

Locally that is the Hive metastore; inside Glue with ``--enable-glue-datacatalog`` it is the Glue
Data Catalog, so the same Spark SQL serves both. Each period's partition points at the version
folder its manifest names (``io.publish``): switching a period is an ``ALTER TABLE ... PARTITION
... SET LOCATION``, one metadata update, never a drop. A whole table (one over every period)
points at its version folder the same way, ``ALTER TABLE ... SET LOCATION``. ``SparkTables`` is
that catalog as the publisher is given it (``io.publish.TableCatalog``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pyspark.sql import SparkSession
from pyspark.sql.types import StructType

from cur_analysis.io.uris import spark_location
from cur_analysis.layout import OUTPUT_LAYOUT
from cur_analysis.names import catalog_name, sql_path
from cur_analysis.periods import BillingPeriod


def _columns_sql(schema: StructType) -> list[str]:
    return [
        f"`{f.name}` {f.dataType.simpleString()}"
        for f in schema.fields
        if f.name not in OUTPUT_LAYOUT.partition_keys
    ]


def _create_whole_sql(full: str, schema: StructType, location: str) -> str:
    columns = ", ".join(_columns_sql(schema))
    return f"CREATE TABLE {full} ({columns}) USING parquet LOCATION '{sql_path(location)}'"


def _create_sql(full: str, schema: StructType, location: str) -> str:
    data = _columns_sql(schema)
    keys = [f"`{key}` string" for key in OUTPUT_LAYOUT.partition_keys]
    partitioned = ", ".join(OUTPUT_LAYOUT.partition_keys)
    return (
        f"CREATE TABLE IF NOT EXISTS {full} ({', '.join(data + keys)}) USING parquet "
        f"PARTITIONED BY ({partitioned}) LOCATION '{sql_path(location)}'"
    )


class TableSwitch:
    """``database.<dataset>`` tables over a run's output, their partitions pointed at versions.

    ``schemas`` (dataset -> the written frame's schema) lets a missing table be created; a table
    without one (healing a dead run's periods) is left alone when missing.
    """

    def __init__(
        self,
        spark: SparkSession,
        database: str,
        roots: Mapping[str, str],
        schemas: Mapping[str, StructType] | None = None,
    ) -> None:
        self._spark = spark
        self.database = catalog_name(database, "output database")
        self._roots = roots
        self._schemas = schemas or {}

    def point(self, dataset: str, locations: Mapping[BillingPeriod, str]) -> None:
        """Make each period's partition of ``database.dataset`` read ``locations[period]``.

        A partition the table lacks is added with its location; only one it has already is
        moved (``SET LOCATION``, one metadata update each, the costly call: a new table or a
        new period needs none).
        """
        full = f"{self.database}.{catalog_name(dataset, 'dataset')}"
        spark = self._spark
        existing: set[BillingPeriod] = set()
        if spark.catalog.tableExists(full):
            existing = self._partitioned_periods(full)
        else:
            schema = self._schemas.get(dataset)
            if schema is None or dataset not in self._roots:
                return
            spark.sql(f"CREATE DATABASE IF NOT EXISTS {self.database}")
            spark.sql(_create_sql(full, schema, spark_location(self._roots[dataset])))
        pointed = {
            period: (
                OUTPUT_LAYOUT.partition_spec(OUTPUT_LAYOUT.canonical(period)),
                sql_path(spark_location(location)),
            )
            for period, location in sorted(locations.items())
        }
        added = [pointed[period] for period in pointed if period not in existing]
        if added:
            clauses = " ".join(f"PARTITION ({spec}) LOCATION '{where}'" for spec, where in added)
            spark.sql(f"ALTER TABLE {full} ADD IF NOT EXISTS {clauses}")
        for period in sorted(existing & pointed.keys()):
            spec, where = pointed[period]
            spark.sql(f"ALTER TABLE {full} PARTITION ({spec}) SET LOCATION '{where}'")
        spark.catalog.refreshTable(full)

    def _partitioned_periods(self, full: str) -> set[BillingPeriod]:
        """The periods ``full`` has a partition of (``SHOW PARTITIONS``: one catalog call)."""
        found = (
            OUTPUT_LAYOUT.partition_of_path(row[0])
            for row in self._spark.sql(f"SHOW PARTITIONS {full}").collect()
        )
        return {partition.period for partition in found if partition is not None}

    def point_table(self, dataset: str, location: str) -> None:
        """Make the whole table ``database.dataset`` read ``location``. A table of an older
        per-period layout (partitioned) is replaced: its partitions would keep their folders."""
        full = f"{self.database}.{catalog_name(dataset, 'dataset')}"
        spark = self._spark
        where = sql_path(spark_location(location))
        exists = spark.catalog.tableExists(full)
        if exists and any(column.isPartition for column in spark.catalog.listColumns(full)):
            spark.sql(f"DROP TABLE {full}")
            exists = False
        if exists:
            spark.sql(f"ALTER TABLE {full} SET LOCATION '{where}'")
        else:
            schema = self._schemas.get(dataset)
            if schema is None:
                return
            spark.sql(f"CREATE DATABASE IF NOT EXISTS {self.database}")
            spark.sql(_create_whole_sql(full, schema, spark_location(location)))
        spark.catalog.refreshTable(full)


@dataclass(frozen=True)
class SparkTables:
    """The catalog of ``spark`` (without one, of the active session, started if need be: a run
    that only heals needs it only to point a dead run's tables back)."""

    spark: SparkSession | None = None

    def switch(
        self,
        database: str,
        roots: Mapping[str, str],
        schemas: Mapping[str, StructType] | None = None,
    ) -> TableSwitch:
        """The switch of ``database``'s tables over ``roots`` (``TableSwitch``)."""
        spark = self.spark or SparkSession.getActiveSession() or SparkSession.builder.getOrCreate()
        return TableSwitch(spark, database, roots, schemas)


def publish_table(
    spark: SparkSession,
    database: str,
    name: str,
    root: str,
    schema: StructType,
    locations: Mapping[BillingPeriod, str],
) -> str:
    """Create ``database.name`` over ``root`` if missing and point ``locations``' partitions."""
    switch = TableSwitch(spark, database, {name: root}, {name: schema})
    switch.point(name, locations)
    return f"{switch.database}.{name}"
