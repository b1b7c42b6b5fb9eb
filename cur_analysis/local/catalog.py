"""Local stand-ins for the Glue crawler (``register``) and a Lake Formation resource link.

The table is a partitioned Parquet table in the Hive metastore, so ``where year = .. and
month = ..`` prunes partitions in the catalog exactly as Glue does. A resource link is stood in for
by a database of views over the target's tables; views are inlined, so pruning survives.

Like a Glue crawler, ``register`` keeps partition values as the folders write them (``month=05``
gives '05'), and a column whose type differs between months keeps the newest month's type in
the table while each partition keeps its own (Glue stores a schema per partition; the Hive
table here cannot, so the table names those columns in a property and readers read such a
table partition by partition, casting to the table's types as Glue's ``match_catalog`` does).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from pyspark.sql import SparkSession
from pyspark.sql.types import StructField, StructType

from cur_analysis import columns as c
from cur_analysis.errors import InvalidInputError, MissingTableError, SourceDataError
from cur_analysis.layout import Layout, Partition, layout_of_partition_keys
from cur_analysis.local import index
from cur_analysis.names import catalog_name, sql_path
from cur_analysis.periods import BillingPeriod

# The names the local catalog's commands default to, as the AWS setup names them: the export's
# database and table (crawled in the payer account) and the resource link that reaches them.
SOURCE_DATABASE = "cur_org"
LINK_DATABASE = "cur_org_linked"
TABLE = "legacy_all"
LINK_TARGET_PROPERTY = "cur_analysis.link_target"
# Columns whose Parquet type differs between partitions (comma-separated), set by ``register``.
MIXED_TYPES_PROPERTY = "cur_analysis.mixed_type_columns"


@dataclass(frozen=True)
class Registered:
    """What ``register`` found: the table, its partitions and its column count."""

    table: str
    periods: tuple[BillingPeriod, ...]
    columns: int
    layout: Layout = Layout.LEGACY


def _quoted(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


@dataclass(frozen=True)
class _Partition:
    folder: Path
    partition: Partition

    @property
    def period(self) -> BillingPeriod:
        return self.partition.period


def _has_parquet(folder: Path) -> bool:
    return any(folder.glob("*.parquet"))


def _layout_partitions(root: Path, layout: Layout) -> list[_Partition]:
    """The ``key=value`` folders (one level per partition key) holding Parquet files."""
    pattern = "/".join(["*=*"] * len(layout.partition_keys))
    found = []
    for folder in sorted(root.glob(pattern)):
        if folder.is_dir() and _has_parquet(folder):
            partition = layout.partition_of_path(folder.relative_to(root).as_posix())
            if partition is not None:
                found.append(_Partition(folder, partition))
    return found


def _find_partitions(root: Path) -> tuple[Layout, list[_Partition]]:
    """The export's layout and partitions: ``year=/month=`` folders or ``BILLING_PERIOD=`` ones."""
    legacy, cur2 = _layout_partitions(root, Layout.LEGACY), _layout_partitions(root, Layout.CUR2)
    if legacy and cur2:
        raise InvalidInputError(
            f"{root} holds both year=/month= and BILLING_PERIOD= folders: register each export "
            "prefix on its own"
        )
    if not legacy and not cur2:
        raise InvalidInputError(
            f"no year=YYYY/month=M/ or BILLING_PERIOD=YYYY-MM/ folders with Parquet files under "
            f"{root}: point --path at the report prefix of a CUR Parquet export"
        )
    return (Layout.LEGACY, legacy) if legacy else (Layout.CUR2, cur2)


def _data_schema(spark: SparkSession, folders: list[Path]) -> StructType:
    """The merged Parquet schema of ``folders``, without partition columns."""
    inferred = spark.read.option("mergeSchema", "true").parquet(*map(str, folders)).schema
    partition_names = {*c.PARTITION_KEYS, c.CUR2_PARTITION_KEY}
    return StructType([f for f in inferred.fields if f.name.lower() not in partition_names])


def _columns_typed_differently(partitions: list[_Partition]) -> tuple[str, ...]:
    """Columns whose Parquet type differs between months, from the files' footers (no Spark job)."""

    types: dict[str, dict[str, set[BillingPeriod]]] = {}
    for partition in partitions:
        for file in sorted(partition.folder.glob("*.parquet")):
            for field in _footer(file, partition.period):
                seen = types.setdefault(field.name, {})
                seen.setdefault(str(field.type), set()).add(partition.period)
    _refuse_irreconcilable(types)
    return tuple(sorted(name for name, seen in types.items() if len(seen) > 1))


def _footer(file: Path, period: BillingPeriod):
    """A file's Parquet schema; a file that is not Parquet is an error naming it."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return pq.read_schema(file)
    except (pa.ArrowException, OSError) as exc:
        raise SourceDataError(
            f"{file} is not a readable Parquet file ({exc}): replace or remove it from the "
            f"export of {period.label}, then register again"
        ) from None


# Parquet types a conformed column can be cast from (text through try_cast, see conform.cast_as).
_CASTABLE = (
    "string",
    "large_string",
    "double",
    "float",
    "int",
    "uint",
    "decimal",
    "timestamp",
    "date",
    "bool",
    "null",
)


def _refuse_irreconcilable(types: dict[str, dict[str, set[BillingPeriod]]]) -> None:
    """A column the measures read, typed differently between months in a way no cast conforms
    (a nested type in one month), or differently within one month: one error naming it."""
    for name, seen in sorted(types.items()):
        if len(seen) < 2:
            continue
        months = {p for periods in seen.values() for p in periods}
        described = "; ".join(
            f"{kind} in {', '.join(p.label for p in sorted(periods))}"
            for kind, periods in sorted(seen.items())
        )
        within = sum(len(periods) for periods in seen.values()) > len(months)
        nested = name.lower() in c.SOURCE_SCHEMA and not all(
            kind.startswith(_CASTABLE) for kind in seen
        )
        if within or nested:
            raise SourceDataError(
                f"column {name} is typed {described}, which cannot be conformed to one type: "
                "rewrite the odd month's files with the column's usual type, then register again"
            )


def _merged_data_schema(
    spark: SparkSession, partitions: list[_Partition]
) -> tuple[StructType, tuple[str, ...]]:
    """Union of every month's columns (what the crawler does across drifting months), and the
    columns whose type differs between months; those take the newest month's type.

    Spark's merge of all files at once fails on a column that is ``double`` in one month and
    ``string`` in another: such a table's months are read one by one.
    """
    mixed = _columns_typed_differently(partitions)
    if not mixed:
        return _data_schema(spark, [p.folder for p in partitions]), ()
    fields: dict[str, StructField] = {}
    for partition in sorted(partitions, key=lambda p: p.period):
        for field in _data_schema(spark, [partition.folder]).fields:
            fields[field.name] = field  # keeps the first month's order, takes the newest type
    return StructType(list(fields.values())), mixed


def _create_table_sql(
    table: str, schema: StructType, layout: Layout, location: str, mixed: tuple[str, ...]
) -> str:
    data = [f"{_quoted(f.name)} {f.dataType.simpleString()}" for f in schema.fields]
    keys = [f"{_quoted(key)} string" for key in layout.partition_keys]
    properties = f" TBLPROPERTIES ('{MIXED_TYPES_PROPERTY}' = '{','.join(mixed)}')" if mixed else ""
    return (
        f"CREATE TABLE {table} ({', '.join(data + keys)}) USING parquet "
        f"PARTITIONED BY ({', '.join(layout.partition_keys)}) LOCATION '{sql_path(location)}'"
        f"{properties}"
    )


def _add_partitions_sql(table: str, layout: Layout, partitions: list[_Partition]) -> str:
    specs = " ".join(
        f"PARTITION ({layout.partition_spec(p.partition)}) LOCATION '{sql_path(str(p.folder))}'"
        for p in partitions
    )
    return f"ALTER TABLE {table} ADD IF NOT EXISTS {specs}"


def register(spark: SparkSession, path: str | Path, database: str, table: str) -> Registered:
    """Create (or re-create) ``database.table`` over a legacy or CUR 2.0 Parquet export.

    Re-running picks up new partitions and new columns, and refreshes the views of any link.
    """
    db, tbl = catalog_name(database, "database"), catalog_name(table, "table")
    root = Path(path).expanduser().resolve()
    if not root.is_dir():
        raise InvalidInputError(f"{root} is not a folder: point --path at the export's prefix")
    layout, partitions = _find_partitions(root)
    periods = [p.period for p in partitions]
    if len(set(periods)) != len(periods):
        raise InvalidInputError(f"{root} has two folders for the same billing period")
    schema, mixed = _merged_data_schema(spark, partitions)
    full_name = f"{db}.{tbl}"
    home = _home(spark)
    if home is not None:
        index.forget_table(home, full_name)  # no entry rather than a wrong one, until swapped
    spark.sql(f"CREATE DATABASE IF NOT EXISTS {db}")
    staged = f"{full_name}{_STAGED_SUFFIX}"
    spark.sql(f"DROP TABLE IF EXISTS {staged}")  # a register that died; external: metadata only
    spark.sql(_create_table_sql(staged, schema, layout, str(root), mixed))
    spark.sql(_add_partitions_sql(staged, layout, partitions))
    _swap_in(spark, staged, full_name)
    if home is not None:
        located = [(p.period, p.partition.values, str(p.folder)) for p in partitions]
        index.record_table(home, full_name, located)
    _refresh_links_to(spark, full_name)
    return Registered(full_name, tuple(sorted(periods)), len(schema.fields), layout)


# The replacement table is built complete under this suffix, then renamed in: the working table
# is never dropped before its replacement exists (a kill leaves either, both, or the staged one,
# and the next register finishes the swap).
_STAGED_SUFFIX = "__cur_staged"
_REPLACED_SUFFIX = "__cur_replaced"


def _swap_in(spark: SparkSession, staged: str, table: str) -> None:
    """Put the complete ``staged`` table in place of ``table`` (external tables: metadata only)."""
    replaced = f"{table}{_REPLACED_SUFFIX}"
    spark.sql(f"DROP TABLE IF EXISTS {replaced}")
    if spark.catalog.tableExists(table):
        spark.sql(f"ALTER TABLE {table} RENAME TO {replaced}")
    spark.sql(f"ALTER TABLE {staged} RENAME TO {table}")
    spark.sql(f"DROP TABLE IF EXISTS {replaced}")


def _home(spark: SparkSession) -> Path | None:
    """The home of a session made by ``local.session.local_spark`` (its warehouse's parent)."""
    warehouse = urlparse(spark.conf.get("spark.sql.warehouse.dir", "") or "")
    folder = Path(unquote(warehouse.path)) if warehouse.scheme in ("", "file") else None
    return folder.parent if folder is not None and folder.name == "warehouse" else None


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
        home = _home(spark)
        if home is not None:
            index.record_link(home, f"{db}.{table.name}", f"{target}.{table.name}")
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


def table_layout(spark: SparkSession, table: str) -> Layout:
    """The layout of a physical ``db.table``, from its partition columns."""
    keys = [column.name for column in spark.catalog.listColumns(table) if column.isPartition]
    return layout_of_partition_keys(keys)


def partitions(spark: SparkSession, table: str) -> tuple[Layout, tuple[Partition, ...]]:
    """The layout of a physical ``db.table`` and its partitions, values as the catalog holds
    them."""
    layout, located = located_partitions(spark, table)
    return layout, tuple(located)


def located_partitions(spark: SparkSession, table: str) -> tuple[Layout, dict[Partition, str]]:
    """The layout of a physical ``db.table`` and each partition's location, in one metastore call
    (what pruning, the run's source record and a partition-by-partition read all use).

    The catalog describes each partition as ``DESCRIBE FORMATTED`` does (``Partition Values:
    [key=value, ...]`` and ``Location:`` lines); only a table without partitions needs the slower
    look at its columns.
    """
    database, name = table.split(".", 1)
    external = spark._jsparkSession.sharedState().externalCatalog()
    listed = external.listPartitions(database, name, spark._jvm.scala.Option.empty())
    described = [_described(text) for text in listed.mkString(_BETWEEN).split(_BETWEEN) if text]
    if not described:
        return table_layout(spark, table), {}
    layout = layout_of_partition_keys(list(described[0][0]))
    return layout, dict(sorted((layout.partition(values), where) for values, where in described))


# Between two partitions' descriptions: a character no description holds.
_BETWEEN = "\u0001"


def _described(text: str) -> tuple[dict[str, str], str]:
    """A partition's key values and location from the catalog's description of it."""
    fields = dict(line.strip().split(": ", 1) for line in text.splitlines() if ": " in line)
    pairs = fields["Partition Values"].strip("[]").split(", ")
    return dict(pair.split("=", 1) for pair in pairs), fields["Location"]


def mixed_type_columns(spark: SparkSession, table: str) -> tuple[str, ...]:
    """Columns of a physical ``db.table`` whose type differs between its partitions."""
    rows = spark.sql(f"SHOW TBLPROPERTIES {table}").collect()
    value = {row["key"]: row["value"] for row in rows}.get(MIXED_TYPES_PROPERTY, "")
    return tuple(name for name in value.split(",") if name)


def partition_location(spark: SparkSession, table: str, layout: Layout, part: Partition) -> str:
    """Where one partition of a physical ``db.table`` keeps its files."""
    rows = spark.sql(
        f"DESCRIBE FORMATTED {table} PARTITION ({layout.partition_spec(part)})"
    ).collect()
    return next(row["data_type"] for row in rows if row["col_name"] == "Location")
