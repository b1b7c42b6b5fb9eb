"""Local stand-ins for the Glue crawler (``register``) and a Lake Formation resource link.

The table is a partitioned Parquet table in the Hive metastore, so ``where year = .. and
month = ..`` prunes partitions in the catalog exactly as Glue does. A resource link is stood in for
by a database of views over the target's tables; views are inlined, so pruning survives.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pyspark.sql import SparkSession
from pyspark.sql.types import StructType

from cur_analysis import columns as c
from cur_analysis.errors import InvalidInputError, MissingTableError
from cur_analysis.names import catalog_name, sql_path
from cur_analysis.periods import BillingPeriod

LINK_TARGET_PROPERTY = "cur_analysis.link_target"


@dataclass(frozen=True)
class Registered:
    """What ``register`` found: the table, its partitions and its column count."""

    table: str
    periods: tuple[BillingPeriod, ...]
    columns: int


def _quoted(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _partition_folders(root: Path) -> list[Path]:
    return sorted(
        folder
        for folder in root.glob("year=*/month=*")
        if folder.is_dir() and any(folder.glob("*.parquet"))
    )


def _merged_data_schema(spark: SparkSession, root: Path) -> StructType:
    """Union of every file's columns (what the crawler does across drifting months)."""
    inferred = (
        spark.read.option("mergeSchema", "true")
        .option("basePath", str(root))
        .parquet(str(root / "year=*" / "month=*"))
        .schema
    )
    data_fields = [field for field in inferred.fields if field.name not in c.PARTITION_KEYS]
    return StructType(data_fields)


def _create_table_sql(table: str, schema: StructType, location: str) -> str:
    data = [f"{_quoted(f.name)} {f.dataType.simpleString()}" for f in schema.fields]
    keys = [f"{_quoted(key)} string" for key in c.PARTITION_KEYS]
    return (
        f"CREATE TABLE {table} ({', '.join(data + keys)}) USING parquet "
        f"PARTITIONED BY ({', '.join(c.PARTITION_KEYS)}) LOCATION '{sql_path(location)}'"
    )


def register(spark: SparkSession, path: str | Path, database: str, table: str) -> Registered:
    """Create (or re-create) ``database.table`` over a ``year=YYYY/month=M`` Parquet export.

    Re-running picks up new partitions and new columns, and refreshes the views of any link.
    """
    db, tbl = catalog_name(database, "database"), catalog_name(table, "table")
    root = Path(path).expanduser().resolve()
    folders = _partition_folders(root) if root.is_dir() else []
    if not folders:
        raise InvalidInputError(
            f"no year=YYYY/month=M/ folders with Parquet files under {root}: "
            "point --path at the report prefix of a legacy CUR Parquet export"
        )
    periods = tuple(sorted(_period_of_folder(folder) for folder in folders))
    schema = _merged_data_schema(spark, root)
    full_name = f"{db}.{tbl}"
    spark.sql(f"CREATE DATABASE IF NOT EXISTS {db}")
    spark.sql(f"DROP TABLE IF EXISTS {full_name}")  # external: drops metadata only
    spark.sql(_create_table_sql(full_name, schema, root.as_uri()))
    spark.sql(f"MSCK REPAIR TABLE {full_name}")
    _refresh_links_to(spark, full_name)
    return Registered(full_name, periods, len(schema.fields))


def _period_of_folder(folder: Path) -> BillingPeriod:
    year = folder.parent.name.split("=", 1)[1]
    month = folder.name.split("=", 1)[1]
    return BillingPeriod.from_partition(year, month)


def link(spark: SparkSession, database: str, target_database: str) -> list[str]:
    """Make ``database`` expose every table of ``target_database`` under the same name."""
    db = catalog_name(database, "database")
    target = catalog_name(target_database, "target database")
    if not spark.catalog.databaseExists(target):
        raise MissingTableError(
            f"target database {target} does not exist: run 'cur-analysis catalog register' first"
        )
    spark.sql(f"CREATE DATABASE IF NOT EXISTS {db} COMMENT 'resource link to {target}'")
    linked = []
    for table in spark.catalog.listTables(target):
        if table.tableType == "VIEW" or table.isTemporary:
            continue
        _create_link_view(spark, f"{db}.{table.name}", f"{target}.{table.name}")
        linked.append(f"{db}.{table.name}")
    return linked


def _create_link_view(spark: SparkSession, view: str, target_table: str) -> None:
    spark.sql(
        f"CREATE OR REPLACE VIEW {view} "
        f"TBLPROPERTIES ('{LINK_TARGET_PROPERTY}' = '{target_table}') "
        f"AS SELECT * FROM {target_table}"
    )


def link_target(spark: SparkSession, database: str, table: str) -> str | None:
    """The ``db.table`` a link view points at, or None when ``database.table`` is no link."""
    rows = spark.sql(f"SHOW TBLPROPERTIES {database}.{table}").collect()
    properties = {row["key"]: row["value"] for row in rows}
    return properties.get(LINK_TARGET_PROPERTY)


def _refresh_links_to(spark: SparkSession, target_table: str) -> None:
    """Re-create link views over ``target_table`` so they see its new columns."""
    for database in spark.catalog.listDatabases():
        for table in spark.catalog.listTables(database.name):
            if table.tableType != "VIEW" or table.isTemporary:
                continue
            if link_target(spark, database.name, table.name) == target_table:
                _create_link_view(spark, f"{database.name}.{table.name}", target_table)


def resolve_table(spark: SparkSession, database: str, table: str) -> str:
    """The physical ``db.table`` behind ``database.table`` (following a link), checked to exist."""
    db, tbl = catalog_name(database, "database"), catalog_name(table, "table")
    if not spark.catalog.tableExists(f"{db}.{tbl}"):
        raise MissingTableError(
            f"table {db}.{tbl} does not exist in the local catalog: run "
            "'cur-analysis catalog register' (and 'catalog link' for a link database) first"
        )
    target = link_target(spark, db, tbl)
    return target or f"{db}.{tbl}"


def partition_periods(spark: SparkSession, table: str) -> tuple[BillingPeriod, ...]:
    """The billing periods that have a partition in ``table`` (a physical ``db.table``)."""
    rows = spark.sql(f"SHOW PARTITIONS {table}").collect()
    periods = set()
    for row in rows:
        values = dict(part.split("=", 1) for part in row[0].split("/"))
        periods.add(BillingPeriod.from_partition(values[c.YEAR], values[c.MONTH]))
    return tuple(sorted(periods))
