"""Read the CUR table for billing periods, pruning partitions in the catalog.

The reader's abilities are protocols: ``CurReader`` lists the periods present and reads some,
``CatalogReader`` also says where each partition's files are, without Spark (so a run decides
what to compute before it reads), and what a run read (its manifests' source). Two
implementations have them all: ``GlueCatalogReader`` (a ``GlueContext`` inside AWS Glue) and, for
local runs, ``cur_analysis.local.reader.LocalCatalogReader`` (local Spark + Hive metastore).
``awsglue`` is never imported here: the Glue entry script builds the ``GlueContext`` and hands
it in, with the Glue client (``cur_analysis.io.aws.client``).

Both select partitions by the values the catalog lists (``month = '05'`` where a crawler kept
the folder's zero-padded month), and both return the catalog's column types even where a
month's files typed a column differently.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, runtime_checkable

from pyspark.sql import DataFrame

from cur_analysis.conform import missing_required
from cur_analysis.errors import MissingPeriodError, MissingTableError, SourceDataError
from cur_analysis.io.fingerprint import PartitionLocations, SourceListing
from cur_analysis.io.manifests import SourcePartition, SourceRecord
from cur_analysis.io.stores import S3Store, StoredFile
from cur_analysis.layout import Layout, Partition, layout_of_partition_keys
from cur_analysis.names import catalog_name
from cur_analysis.periods import BillingPeriod


class CurReader(Protocol):
    """Where the CUR comes from: a catalog that lists the periods present and reads some of them.

    ``LocalCatalogReader`` (local Spark) and ``GlueCatalogReader`` (AWS Glue) are the two;
    ``read_cur`` and ``run`` take either.
    """

    def available_periods(self, database: str, table: str) -> tuple[BillingPeriod, ...]:
        """The billing periods the table has a partition for.

        Args:
            database: The catalog database (or resource link).
            table: The CUR table.

        Returns:
            The periods, sorted.
        """

    def read(self, database: str, table: str, periods: Sequence[BillingPeriod]) -> DataFrame:
        """The table's rows of ``periods``, its partitions pruned in the catalog.

        Args:
            database: The catalog database (or resource link).
            table: The CUR table.
            periods: Periods the table has (``read_cur`` checks that first).

        Returns:
            The rows with the catalog's column types and the partition columns.
        """


@runtime_checkable
class CatalogReader(CurReader, PartitionLocations, Protocol):
    """A ``CurReader`` over a catalog: it lists every partition's location without Spark
    (``partition_locations``), so a run plans before it reads, and describes the partitions a
    run read (``describe``), which its manifests record. A run with a plain ``CurReader``
    computes every requested period and records the table's name alone as its source."""

    @property
    def s3_client(self) -> Any | None:
        """The client that lists the source's objects (None: the source is local files)."""
        ...

    def describe(
        self,
        database: str,
        table: str,
        periods: Sequence[BillingPeriod],
        listed: SourceListing | None = None,
    ) -> SourceRecord:
        """The partitions of ``periods`` with their files (those of ``listed`` where it has
        them), each checked for the columns every measure needs."""
        ...


def read_cur(
    reader: CurReader, database: str, table: str, periods: Sequence[BillingPeriod]
) -> DataFrame:
    """Read billing periods of a CUR table through a catalog reader.

    A period without a partition is an error, not an empty frame, so a late export never reads
    as a month that cost nothing.

    Args:
        reader: The catalog: ``LocalCatalogReader`` locally, ``GlueCatalogReader`` in AWS Glue.
        database: The catalog database (or resource link), e.g. ``cur_org_linked``.
        table: The CUR table, e.g. ``legacy_all``.
        periods: The billing periods to read.

    Returns:
        The table's rows of ``periods``, with the catalog's column types; conform them with
        ``conform_cur``.

    Raises:
        InvalidInputError: ``database`` or ``table`` is not a valid Glue name.
        MissingTableError: The database or the table is not in the catalog.
        MissingPeriodError: A period has no partition; the message names those that exist.
    """
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


def partitions_of(
    periods: Iterable[BillingPeriod], listed: Iterable[Partition]
) -> tuple[Partition, ...]:
    """The catalog's partitions of ``periods`` (a period may have more than one, e.g. both
    ``month=5`` and ``month=05``)."""
    wanted = set(periods)
    return tuple(sorted(part for part in listed if part.period in wanted))


@dataclass(frozen=True)
class _GlueTable:
    where: dict[str, str]
    layout: Layout
    keys: list[str]
    partitions: tuple[Partition, ...] = ()
    locations: tuple[tuple[Partition, str], ...] = ()


class GlueCatalogReader:
    """Reads through the Glue Data Catalog with ``push_down_predicate`` inside an AWS Glue job.

    ``glue_client`` (boto3) lists partitions so a missing period can be named with the ones that
    exist, and so the predicates carry the values as the catalog holds them; for a resource link
    it follows ``TargetDatabase`` to the producer's catalog. A DynamicFrame takes its schema from
    the files, so a column typed differently between months comes back as a choice type: the
    read resolves choices to the catalog's types (``resolveChoice(choice="match_catalog")``,
    aws-glue-libs ``awsglue/dynamicframe.py``) before turning it into a DataFrame.

    Args:
        glue_context: The job's ``GlueContext`` (the Glue entry script builds it; ``awsglue`` is
            never imported here).
        glue_client: A boto3 Glue client (``cur_analysis.io.aws.client("glue")``).
        s3_client: A boto3 S3 client that lists the source's objects (sizes and ETags), from
            which a run tells which periods changed since they were published; a run over an
            S3 source needs it (``read_cur`` does not).
    """

    def __init__(self, glue_context: Any, glue_client: Any, s3_client: Any | None = None) -> None:
        self._glue_context = glue_context
        self._glue = glue_client
        self._s3 = s3_client
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

    def _listed(self, database: str, table: str) -> _GlueTable:
        """The table with its partitions as ``GetPartitions`` lists them (values verbatim)."""
        found = self._table(database, table)
        pages = self._glue.get_paginator("get_partitions").paginate(
            **found.where, TableName=table, ExcludeColumnSchema=True
        )
        located = {
            found.layout.partition(dict(zip(found.keys, part["Values"], strict=True))): part.get(
                "StorageDescriptor", {}
            ).get("Location", "")
            for page in pages
            for part in page["Partitions"]
        }
        self._tables[(database, table)] = _GlueTable(
            found.where,
            found.layout,
            found.keys,
            tuple(sorted(located)),
            tuple(sorted(located.items())),
        )
        return self._tables[(database, table)]

    @property
    def s3_client(self) -> Any | None:
        """The client that lists the source's objects (``io.fingerprint``)."""
        return self._s3

    def partition_locations(
        self, database: str, table: str
    ) -> tuple[tuple[BillingPeriod, str], ...]:
        """Every partition's period and S3 location (Glue calls only, no Spark)."""
        found = self._listed(database, table)
        return tuple((part.period, location) for part, location in found.locations)

    def describe(
        self,
        database: str,
        table: str,
        periods: Sequence[BillingPeriod],
        listed: SourceListing | None = None,
    ) -> SourceRecord:
        """The partitions of ``periods`` with their locations and, given an S3 client, their
        objects with sizes and ETags (what the run's manifest records as its source): those of
        ``listed``, the run's one listing, where it has the partition, else listed now. Each
        partition's own columns (the crawler keeps a schema per partition) must hold the
        required ones: a month without one is refused, naming it."""
        found = self._tables.get((database, table))
        if found is None or not found.partitions:
            found = self._listed(database, table)
        wanted = set(partitions_of(periods, found.partitions))
        described = []
        for part, location in found.locations:
            if part not in wanted:
                continue
            self._require_columns(found, table, part)
            known = listed.files_at(location) if listed is not None and location else None
            if known is not None:
                files = tuple(StoredFile(f.path, f.size, f.version) for f in known)
            else:
                files = tuple(S3Store(self._s3).files(location)) if self._s3 and location else ()
            described.append(SourcePartition(part.period.label, part.values, location, files))
        read_at = datetime.now(UTC).isoformat(timespec="seconds")
        return SourceRecord(f"{database}.{table}", tuple(described), read_at)

    def _require_columns(self, found: _GlueTable, table: str, part: Partition) -> None:
        got = self._glue.get_partition(
            **found.where, TableName=table, PartitionValues=list(part.values)
        )["Partition"]
        names = [col["Name"] for col in got.get("StorageDescriptor", {}).get("Columns", [])]
        missing = missing_required(names) if names else []
        if missing:
            raise SourceDataError(
                f"the {part.period.label} partition of {found.where['DatabaseName']}.{table} "
                f"lacks the column {', '.join(missing)}, which every cost measure needs: fix "
                "that month's export (and re-crawl it); nothing was written"
            )

    def available_periods(self, database: str, table: str) -> tuple[BillingPeriod, ...]:
        """The billing periods the table has a partition for (``GetPartitions``, no Spark).

        Args:
            database: The Glue database or resource link, e.g. ``cur_org_linked``.
            table: The CUR table, e.g. ``legacy_all``.

        Returns:
            The periods, sorted.

        Raises:
            MissingTableError: The database or the table is not in the Glue Data Catalog.
        """
        return tuple(sorted({part.period for part in self._listed(database, table).partitions}))

    def read(self, database: str, table: str, periods: Sequence[BillingPeriod]) -> DataFrame:
        """The table's rows of ``periods``, pruned by ``push_down_predicate`` and
        ``catalogPartitionPredicate``, each column of the catalog's type.

        Args:
            database: The Glue database or resource link, e.g. ``cur_org_linked``.
            table: The CUR table, e.g. ``legacy_all``.
            periods: Periods the table has (``read_cur`` checks that first).

        Returns:
            The rows as a DataFrame, with the partition columns.

        Raises:
            MissingTableError: The database or the table is not in the Glue Data Catalog.
        """
        found = self._table(database, table)
        if not found.partitions:
            found = self._listed(database, table)
        predicate = found.layout.partition_predicate(partitions_of(periods, found.partitions))
        dynamic_frame = self._glue_context.create_dynamic_frame.from_catalog(
            database=database,
            table_name=table,
            push_down_predicate=predicate,
            additional_options={"catalogPartitionPredicate": predicate},
        )
        resolved = dynamic_frame.resolveChoice(
            choice="match_catalog",
            database=found.where["DatabaseName"],
            table_name=table,
            catalog_id=found.where.get("CatalogId"),
        )
        return resolved.toDF()
