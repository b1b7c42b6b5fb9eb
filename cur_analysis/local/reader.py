"""The CUR reader of local runs: the Hive (Derby) metastore standing in for the Glue catalog.

It selects partitions by the values the catalog lists and returns the catalog's column types
even where a month's files typed a column differently, as ``io.readers.GlueCatalogReader`` does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import reduce
from pathlib import Path
from urllib.parse import unquote, urlparse

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from cur_analysis.conform import cast_as, missing_required
from cur_analysis.errors import SourceDataError
from cur_analysis.io.fingerprint import SourceListing
from cur_analysis.io.manifests import SourcePartition, SourceRecord
from cur_analysis.io.readers import partitions_of
from cur_analysis.io.stores import StoredFile
from cur_analysis.layout import Layout, Partition
from cur_analysis.local import catalog
from cur_analysis.periods import BillingPeriod


@dataclass(frozen=True)
class _LocalTable:
    physical: str
    layout: Layout
    locations: dict[Partition, str]
    mixed_types: tuple[str, ...]

    @property
    def partitions(self) -> tuple[Partition, ...]:
        return tuple(self.locations)


class LocalCatalogReader:
    """Reads through the local Hive metastore; the filter on partition keys prunes partitions.

    ``available_periods`` remembers where the table lives, its layout and its partitions with
    their locations (one listing), so ``describe`` and ``read`` ask the metastore nothing more.

    Args:
        spark: The local session (``local_spark``) whose metastore holds the table.
    """

    def __init__(self, spark: SparkSession) -> None:
        self._spark = spark
        self._tables: dict[tuple[str, str], _LocalTable] = {}

    def _table(self, database: str, table: str) -> _LocalTable:
        physical = catalog.resolve_table(self._spark, database, table)
        layout, locations = catalog.located_partitions(self._spark, physical)
        mixed = catalog.mixed_type_columns(self._spark, physical)
        self._tables[(database, table)] = _LocalTable(physical, layout, locations, mixed)
        return self._tables[(database, table)]

    def available_periods(self, database: str, table: str) -> tuple[BillingPeriod, ...]:
        """The billing periods the table has a partition for (one metastore listing).

        Args:
            database: The database or its link, e.g. ``cur_org_linked``.
            table: The CUR table, e.g. ``legacy_all``.

        Returns:
            The periods, sorted.

        Raises:
            MissingTableError: The database or the table is not in the local catalog.
        """
        return tuple(sorted({part.period for part in self._table(database, table).partitions}))

    def read(self, database: str, table: str, periods: Sequence[BillingPeriod]) -> DataFrame:
        """The table's rows of ``periods``, the partitions pruned in the metastore.

        A table whose column types differ between months is read partition by partition and
        cast to the table's types, as Glue's ``match_catalog`` does.

        Args:
            database: The database or its link, e.g. ``cur_org_linked``.
            table: The CUR table, e.g. ``legacy_all``.
            periods: Periods the table has (``read_cur`` checks that first).

        Returns:
            The rows, with the partition columns.

        Raises:
            MissingTableError: The database or the table is not in the local catalog.
        """
        found = self._tables.get((database, table)) or self._table(database, table)
        selected = partitions_of(periods, found.partitions)
        # A session keeps a table's file listing: files added since are otherwise not read.
        self._spark.catalog.refreshTable(found.physical)
        if found.mixed_types:
            return self._read_each_partition(found, selected)
        return self._spark.table(f"{database}.{table}").where(
            found.layout.partition_filter(selected)
        )

    @property
    def s3_client(self) -> None:
        """No client: the source is local files."""
        return None

    def partition_locations(
        self, database: str, table: str
    ) -> tuple[tuple[BillingPeriod, str], ...]:
        """Every partition's period and folder, from the metastore's one listing (no Spark job)."""
        found = self._table(database, table)
        return tuple((part.period, found.locations[part]) for part in found.partitions)

    def describe(
        self,
        database: str,
        table: str,
        periods: Sequence[BillingPeriod],
        listed: SourceListing | None = None,
    ) -> SourceRecord:
        """The partitions of ``periods`` with their files and sizes (those of ``listed``, the
        run's one listing, where it has the partition), each file's footer checked (a corrupt
        file, or a month lacking a required column, is refused before any read)."""
        found = self._tables.get((database, table)) or self._table(database, table)
        described = []
        for part in partitions_of(periods, found.partitions):
            location = found.locations[part]
            known = listed.files_at(location) if listed is not None else None
            paths = [Path(f.path) for f in known] if known is not None else None
            files = _checked_files(_local_folder(location), part.period, paths)
            described.append(SourcePartition(part.period.label, part.values, location, files))
        read_at = datetime.now(UTC).isoformat(timespec="seconds")
        return SourceRecord(f"{database}.{table}", tuple(described), read_at)

    def _read_each_partition(self, found: _LocalTable, selected: Sequence[Partition]) -> DataFrame:
        """A table whose column types differ between months, read partition by partition with
        each month's own file schema and cast to the table's types (as Glue's
        ``resolveChoice(choice="match_catalog")`` does for a DynamicFrame)."""
        table_schema = self._spark.table(found.physical).schema
        keys = found.layout.partition_keys
        data_fields = [f for f in table_schema.fields if f.name not in keys]
        frames = []
        for part in selected:
            values = zip(keys, part.values, strict=True)
            location = found.locations[part]
            files = self._spark.read.option("mergeSchema", "true").parquet(location)
            present = {f.name: f.dataType for f in files.schema.fields}
            frames.append(
                files.select(
                    *[
                        cast_as(field.name, present.get(field.name), field.dataType)
                        for field in data_fields
                    ],
                    *[F.lit(value).alias(key) for key, value in values],
                )
            )
        return reduce(DataFrame.unionByName, frames)


def _local_folder(location: str) -> Path:
    """A partition location (``file:/...`` as the metastore keeps it, or a plain path)."""
    parsed = urlparse(location)
    return Path(unquote(parsed.path) if parsed.scheme in ("file", "") else location)


def _checked_files(
    folder: Path, period: BillingPeriod, listed: Sequence[Path] | None = None
) -> tuple[StoredFile, ...]:
    """The data files of one partition (``listed``, or those in ``folder``), each a readable
    Parquet file with the required columns."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    files = []
    if listed is None:
        listed = [f for f in folder.iterdir() if f.is_file() and not f.name.startswith(("_", "."))]
    for file in sorted(listed):
        try:
            names = pq.read_schema(file).names
        except (pa.ArrowException, OSError) as exc:
            raise SourceDataError(
                f"{file} is not a readable Parquet file ({exc}): replace or remove it from the "
                f"export of {period.label}; nothing was written"
            ) from None
        missing = missing_required(names)
        if missing:
            raise SourceDataError(
                f"the {period.label} export lacks the column {', '.join(missing)} (in {file}), "
                "which every cost measure needs: fix that month's export; nothing was written"
            )
        files.append(StoredFile(str(file), file.stat().st_size))
    return tuple(files)
