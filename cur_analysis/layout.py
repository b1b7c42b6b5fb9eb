"""The two CUR layouts and how each is partitioned.

- Legacy CUR (Parquet for Athena): ``year=YYYY/month=M`` partitions, the crawler's keys ``year`` and
  ``month`` (strings; AWS writes the month unpadded, but a crawler keeps whatever the folder says,
  so ``month=05`` folders give '05'); a column per product attribute and per tag.
- CUR 2.0 (Data Exports): ``BILLING_PERIOD=YYYY-MM`` partitions, which the Glue crawler (and the
  Hive metastore) name ``billing_period``; a fixed schema with map columns ``product``,
  ``resource_tags`` and ``cost_category``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import reduce

from pyspark.sql import Column
from pyspark.sql import functions as F

from cur_analysis import columns as c
from cur_analysis.errors import InvalidInputError
from cur_analysis.periods import (
    BillingPeriod,
    partition_clause,
    partition_path,
    partition_path_values,
)

# A partition value the catalog lists: digits, or YYYY-MM for CUR 2.0. Checked before it is
# written into a predicate.
_PARTITION_VALUE = re.compile(r"^[0-9]{1,4}(-[0-9]{1,2})?$")


@dataclass(frozen=True, order=True)
class Partition:
    """One partition as the catalog lists it: its period and its key values, verbatim.

    Predicates use the values as the catalog holds them: a crawler over ``month=05`` folders
    keeps '05', where ``month = '5'`` would select nothing.
    """

    period: BillingPeriod
    values: tuple[str, ...]

    def __post_init__(self) -> None:
        for value in self.values:
            if not (isinstance(value, str) and _PARTITION_VALUE.match(value)):
                raise InvalidInputError(
                    f"partition value {value!r} is not a year, month or YYYY-MM: check the "
                    "table's partitions in the catalog"
                )


class Layout(Enum):
    """A CUR export layout, named by how its partitions are written."""

    LEGACY = "legacy"
    CUR2 = "cur2"

    @property
    def partition_keys(self) -> tuple[str, ...]:
        return c.PARTITION_KEYS if self is Layout.LEGACY else (c.CUR2_PARTITION_KEY,)

    @property
    def folder_keys(self) -> tuple[str, ...]:
        """The partition keys as the export writes them in folder names."""
        return c.PARTITION_KEYS if self is Layout.LEGACY else (c.CUR2_PARTITION_KEY.upper(),)

    def predicate(self, period: BillingPeriod) -> str:
        """Push-down predicate text for one period, as the layout's partitions are written."""
        return self.partition_predicate([self.canonical(period)])

    def partition_spec(self, partition: Partition) -> str:
        """``key = 'value', ...`` of one partition (``PARTITION (...)`` in Spark SQL)."""
        return partition_clause(self.partition_keys, partition.values, ", ")

    def folder(self, period: BillingPeriod) -> str:
        """The export's folder of ``period``: ``year=YYYY/month=M``, ``BILLING_PERIOD=YYYY-MM``."""
        return partition_path(self.folder_keys, self.canonical(period).values)

    def partition_of_path(self, path: str) -> Partition | None:
        """The partition a ``key=value/...`` path names (keys in any case), or None if it
        names no complete partition of this layout."""
        values = {key.lower(): value for key, value in partition_path_values(path).items()}
        if not set(self.partition_keys) <= set(values):
            return None
        return self.partition(values)

    def predicate_for(self, periods: Iterable[BillingPeriod]) -> str:
        """One predicate selecting all ``periods``, written as the export writes partitions."""
        return self.partition_predicate(self.canonical(p) for p in periods)

    def canonical(self, period: BillingPeriod) -> Partition:
        """The partition of ``period`` as AWS's export writes it (month not zero-padded)."""
        if self is Layout.LEGACY:
            return Partition(period, (period.year_value, period.month_value))
        return Partition(period, (period.label,))

    def partition(self, values: Mapping[str, str]) -> Partition:
        """A catalog partition from its key -> value mapping (keys in any case), values kept."""
        lowered = {key.lower(): value for key, value in values.items()}
        return Partition(
            self.period_of(lowered), tuple(lowered[key] for key in self.partition_keys)
        )

    def partition_predicate(self, partitions: Iterable[Partition]) -> str:
        """Push-down predicate text selecting exactly ``partitions``, with their own values."""
        clauses = [
            partition_clause(self.partition_keys, part.values) for part in sorted(set(partitions))
        ]
        if not clauses:
            raise InvalidInputError("no billing period given")
        if len(clauses) == 1:
            return clauses[0]
        return " or ".join(f"({clause})" for clause in clauses)

    def partition_filter(self, partitions: Iterable[Partition]) -> Column:
        """The same selection as ``partition_predicate``, as a Column (no SQL text)."""
        clauses = [
            reduce(
                lambda left, right: left & right,
                [
                    F.col(key) == F.lit(value)
                    for key, value in zip(self.partition_keys, part.values, strict=True)
                ],
            )
            for part in sorted(set(partitions))
        ]
        if not clauses:
            raise InvalidInputError("no billing period given")
        return reduce(lambda left, right: left | right, clauses)

    def period_filter(self, periods: Sequence[BillingPeriod]) -> Column:
        """``predicate_for`` as a Column (no SQL text) for ``DataFrame.where``."""
        return self.partition_filter(self.canonical(p) for p in periods)

    def period_of(self, values: Mapping[str, str]) -> BillingPeriod:
        """The period of one partition, from its key -> value mapping (keys in any case)."""
        lowered = {key.lower(): value for key, value in values.items()}
        if self is Layout.LEGACY:
            return BillingPeriod.from_partition(lowered[c.YEAR], lowered[c.MONTH])
        return BillingPeriod.parse(lowered[c.CUR2_PARTITION_KEY])


def layout_of_partition_keys(keys: Iterable[str]) -> Layout:
    """Which layout a table has, from its partition key names."""
    lowered = [key.lower() for key in keys]
    if lowered[:2] == list(c.PARTITION_KEYS):
        return Layout.LEGACY
    if lowered[:1] == [c.CUR2_PARTITION_KEY]:
        return Layout.CUR2
    raise InvalidInputError(
        f"partition keys {list(keys)} are neither year/month (legacy CUR) nor "
        "BILLING_PERIOD (CUR 2.0): register the export's report prefix"
    )


# The datasets are written partitioned as the legacy export is: ``year=YYYY/month=M``.
OUTPUT_LAYOUT = Layout.LEGACY
