"""What a physical plan says about its scans: FileScan nodes, their ReadSchema and files."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pyspark.sql import DataFrame


@dataclass(frozen=True)
class FileScan:
    """One ``FileSourceScanExec`` of a plan."""

    node: str
    read_schema: str
    location: str
    partition_filters: str

    @property
    def columns(self) -> list[str]:
        """Column names of the ReadSchema (``struct<a:string,b:double>``), partitions excluded."""
        inner = self.read_schema.removeprefix("struct<").removesuffix(">")
        return [field.split(":", 1)[0] for field in inner.split(",") if field]


def _seq(scala_seq: Any) -> list[Any]:
    return [scala_seq.apply(i) for i in range(scala_seq.size())]


def _metadata(node: Any, key: str) -> str:
    value = node.metadata().get(key)
    return str(value.get()) if value.isDefined() else ""


def file_scans(df: DataFrame) -> list[FileScan]:
    """Every FileScan of ``df``'s physical plan (before adaptive execution wraps it)."""
    plan = df._jdf.queryExecution().sparkPlan()  # noqa: SLF001
    scans = []
    for leaf in _seq(plan.collectLeaves()):
        if leaf.getClass().getSimpleName() != "FileSourceScanExec":
            continue
        scans.append(
            FileScan(
                node=str(leaf.nodeName()),
                read_schema=_metadata(leaf, "ReadSchema"),
                location=_metadata(leaf, "Location"),
                partition_filters=_metadata(leaf, "PartitionFilters"),
            )
        )
    return scans


def read_columns(df: DataFrame) -> list[str]:
    """The columns the (single) FileScan of ``df`` reads."""
    (scan,) = file_scans(df)
    return scan.columns
