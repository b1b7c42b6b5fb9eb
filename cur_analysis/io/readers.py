"""Read the CUR table for billing periods, pruning partitions in the catalog.

One interface, two implementations: ``LocalCatalogReader`` (local Spark + Hive metastore) and
``GlueCatalogReader`` (a ``GlueContext`` inside AWS Glue). ``awsglue`` is never imported here:
the Glue entry script builds the ``GlueContext`` and hands it in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from pyspark.sql import DataFrame, SparkSession

from cur_analysis.errors import MissingPeriodError, MissingTableError
from cur_analysis.layout import Layout, layout_of_partition_keys
from cur_analysis.local import catalog
from cur_analysis.names import catalog_name
from cur_analysis.periods import BillingPeriod


class CurReader(Protocol):
    """Where the CUR comes from: lists the periods present and reads some of them."""

    def available_periods(self, database: str, table: str) -> tuple[BillingPeriod, ...]: ...

    def read(self, database: str, table: str, periods: Sequence[BillingPeriod]) -> DataFrame: ...


def read_cur(
    reader: CurReader, database: str, table: str, periods: Sequence[BillingPeriod]
) -> DataFrame:
    """Read ``periods`` of the CUR table; a period without a partition is an error, not no rows."""
    catalog_name(database, "database")
    catalog_name(table, "table")
    available = reader.available_periods(database, table)
    require_periods(f"{database}.{table}", periods, available)
    return reader.read(database, table, periods)


def require_periods(
    table: str, periods: Sequence[BillingPeriod], available: Sequence[BillingPeriod]
) -> None:
    """Raise, naming the periods that exist, when any of ``periods`` has no partition."""
    missing = sorted(set(periods) - set(available))
    if missing:
        present = ", ".join(p.label for p in available) or "none"
        raise MissingPeriodError(
            f"{table} has no partition for {', '.join(p.label for p in missing)} "
            f"(periods present: {present}); pick one of those or wait for the CUR export"
        )


class LocalCatalogReader:
    """Reads through the local Hive metastore; the filter on partition keys prunes partitions.

    ``available_periods`` remembers where the table lives and its layout, so the ``read`` that
    follows asks the metastore nothing more.
    """

    def __init__(self, spark: SparkSession) -> None:
        self._spark = spark
        self._layouts: dict[tuple[str, str], Layout] = {}

    def available_periods(self, database: str, table: str) -> tuple[BillingPeriod, ...]:
        physical = catalog.resolve_table(self._spark, database, table)
        layout, periods = catalog.partitions(self._spark, physical)
        self._layouts[(database, table)] = layout
        return periods

    def read(self, database: str, table: str, periods: Sequence[BillingPeriod]) -> DataFrame:
        layout = self._layouts.get((database, table))
        if layout is None:
            physical = catalog.resolve_table(self._spark, database, table)
            layout = catalog.table_layout(self._spark, physical)
        return self._spark.table(f"{database}.{table}").where(layout.period_filter(periods))


@dataclass(frozen=True)
class _GlueTable:
    where: dict[str, str]
    layout: Layout
    keys: list[str]


class GlueCatalogReader:
    """Reads through the Glue Data Catalog with ``push_down_predicate`` inside an AWS Glue job.

    ``glue_client`` (boto3) lists partitions so a missing period can be named with the ones that
    exist; for a resource link it follows ``TargetDatabase`` to the producer's catalog.
    """

    def __init__(self, glue_context: Any, glue_client: Any) -> None:
        self._glue_context = glue_context
        self._glue = glue_client
        self._tables: dict[tuple[str, str], _GlueTable] = {}

    def _target(self, database: str) -> dict[str, str]:
        try:
            found = self._glue.get_database(Name=database)["Database"]
        except self._glue.exceptions.EntityNotFoundException:
            raise MissingTableError(
                f"database {database} is not in the Glue Data Catalog: run "
                "'cur-bootstrap apply --side consumer' to create the resource link"
            ) from None
        target = found.get("TargetDatabase")
        if not target:
            return {"DatabaseName": database}
        return {"CatalogId": target["CatalogId"], "DatabaseName": target["DatabaseName"]}

    def _table(self, database: str, table: str) -> _GlueTable:
        """Where the table lives (following a link), its layout and keys; read once per table."""
        if (database, table) not in self._tables:
            where = self._target(database)
            try:
                found = self._glue.get_table(**where, Name=table)["Table"]
            except self._glue.exceptions.EntityNotFoundException:
                raise MissingTableError(
                    f"table {table} is not in {where['DatabaseName']}: check --source_table"
                ) from None
            keys = [key["Name"] for key in found.get("PartitionKeys", [])]
            self._tables[(database, table)] = _GlueTable(
                where, layout_of_partition_keys(keys), keys
            )
        return self._tables[(database, table)]

    def available_periods(self, database: str, table: str) -> tuple[BillingPeriod, ...]:
        found = self._table(database, table)
        pages = self._glue.get_paginator("get_partitions").paginate(
            **found.where, TableName=table, ExcludeColumnSchema=True
        )
        return tuple(
            sorted(
                {
                    found.layout.period_of(dict(zip(found.keys, part["Values"], strict=True)))
                    for page in pages
                    for part in page["Partitions"]
                }
            )
        )

    def read(self, database: str, table: str, periods: Sequence[BillingPeriod]) -> DataFrame:
        predicate = self._table(database, table).layout.predicate_for(periods)
        dynamic_frame = self._glue_context.create_dynamic_frame.from_catalog(
            database=database,
            table_name=table,
            push_down_predicate=predicate,
            additional_options={"catalogPartitionPredicate": predicate},
        )
        return dynamic_frame.toDF()
