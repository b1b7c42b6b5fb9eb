"""The Glue container's stand-ins for the Glue service: catalog reads that stay on this machine.

``create_dynamic_frame.from_catalog`` asks the Glue service for the table and its partitions
(aws-glue-libs issues 56, 62, 142), ``resolveChoice(choice="match_catalog")`` asks it for the
table's types, and ``GlueCatalogReader`` lists partitions with the boto3 Glue client. In the
container none of them may call AWS, so the local Derby catalog answers instead:

- ``LocalGlueClient``: ``get_database`` / ``get_table`` / ``get_partitions`` from the local catalog.
- ``LocalCatalogGlueContext.create_dynamic_frame.from_catalog``: the real ``from_options`` Parquet
  reader of the Glue jars over the folders of the partitions the local catalog lists and the
  ``push_down_predicate`` selects (Spark SQL evaluates the predicate over the partition values,
  as Glue evaluates it over the catalog's partition list); the partition keys are added back as
  columns, as a catalog read adds them.
- ``resolveChoice(choice="match_catalog")``: the real ``resolveChoice(specs=...)`` with a
  ``cast:<type>`` for every column, the type taken from the local catalog's table.

Not covered here (only on AWS): the Glue API calls themselves (GetTable, GetPartitions, the
server-side ``catalogPartitionPredicate`` pruning), resource-link resolution, Lake Formation
credential vending, and ``match_catalog``'s own lookup of the types. It runs in the Glue
container only, which the machines this project is developed on cannot start (no Docker engine).
"""

from __future__ import annotations

from functools import reduce
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from cur_analysis.local import catalog

# Spark SQL type -> DynamicFrame ``cast:`` type (Glue names a bigint "long").
GLUE_CASTS = {
    "string": "string",
    "double": "double",
    "float": "float",
    "bigint": "long",
    "int": "int",
    "smallint": "short",
    "tinyint": "byte",
    "boolean": "boolean",
    "timestamp": "timestamp",
    "date": "date",
}


class LocalGlueClient:
    """The boto3 Glue client's three reads the reader makes, answered by the local catalog."""

    class exceptions:  # noqa: N801 - boto3's attribute name
        class EntityNotFoundException(Exception):
            pass

    def __init__(self, spark: SparkSession) -> None:
        self._spark = spark

    def get_database(self, Name: str) -> dict:  # noqa: N803 - boto3's names
        if not self._spark.catalog.databaseExists(Name):
            raise self.exceptions.EntityNotFoundException(Name)
        return {"Database": {"Name": Name}}

    def get_table(self, DatabaseName: str, Name: str, **_: Any) -> dict:  # noqa: N803
        physical = catalog.resolve_table(self._spark, DatabaseName, Name)
        layout = catalog.table_layout(self._spark, physical)
        keys = [{"Name": key, "Type": "string"} for key in layout.partition_keys]
        return {"Table": {"Name": Name, "PartitionKeys": keys}}

    def get_paginator(self, _operation: str):
        spark = self._spark

        class _Pages:
            def paginate(self, DatabaseName: str, TableName: str, **_: Any):  # noqa: N803
                physical = catalog.resolve_table(spark, DatabaseName, TableName)
                _layout, parts = catalog.partitions(spark, physical)
                return [{"Partitions": [{"Values": list(part.values)} for part in parts]}]

        return _Pages()


class LocalCatalogGlueContext:
    """A real ``GlueContext`` whose catalog reads go to local files (see the module docstring)."""

    def __init__(self, glue_context: Any, spark: SparkSession) -> None:
        self.glue_context = glue_context
        self.spark = spark
        self.create_dynamic_frame = _LocalReader(self)


class _LocalReader:
    def __init__(self, context: LocalCatalogGlueContext) -> None:
        self._context = context

    def from_catalog(
        self, database: str, table_name: str, push_down_predicate: str = "", **_: Any
    ) -> _PartitionFrames:
        spark = self._context.spark
        physical = catalog.resolve_table(spark, database, table_name)
        layout, parts = catalog.partitions(spark, physical)
        keys = layout.partition_keys
        listed = spark.createDataFrame(
            [part.values for part in parts], ", ".join(f"{key} string" for key in keys)
        )
        chosen = {tuple(row) for row in listed.where(push_down_predicate).collect()}
        frames = []
        for part in (p for p in parts if p.values in chosen):
            location = catalog.partition_location(spark, physical, layout, part)
            frame = self._context.glue_context.create_dynamic_frame.from_options(
                connection_type="s3",
                connection_options={"paths": [location], "recurse": True},
                format="parquet",
            )
            frames.append((dict(zip(keys, part.values, strict=True)), frame))
        return _PartitionFrames(frames, spark.table(physical).schema, keys)


class _PartitionFrames:
    """One real DynamicFrame per selected partition, with its partition values."""

    def __init__(self, frames: list, schema, keys: tuple[str, ...]) -> None:
        self._frames = frames
        self._schema = schema
        self._keys = keys

    def resolveChoice(self, choice: str = "", **_: Any) -> _PartitionFrames:  # noqa: N802
        if choice != "match_catalog":
            raise AssertionError(f"the reader resolves with match_catalog, not {choice!r}")
        specs = [
            (field.name, f"cast:{GLUE_CASTS[field.dataType.simpleString()]}")
            for field in self._schema.fields
            if field.name not in self._keys and field.dataType.simpleString() in GLUE_CASTS
        ]
        resolved = [(values, frame.resolveChoice(specs=specs)) for values, frame in self._frames]
        return _PartitionFrames(resolved, self._schema, self._keys)

    def toDF(self) -> DataFrame:  # noqa: N802 - Glue's name
        frames = [
            frame.toDF().select("*", *[F.lit(v).alias(k) for k, v in values.items()])
            for values, frame in self._frames
        ]
        return reduce(lambda a, b: a.unionByName(b, allowMissingColumns=True), frames)
