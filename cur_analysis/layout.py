"""The two CUR layouts and how each is partitioned.

- Legacy CUR (Parquet for Athena): ``year=YYYY/month=M`` partitions, the crawler's keys ``year`` and
  ``month`` (strings, month not zero-padded); a column per product attribute and per tag.
- CUR 2.0 (Data Exports): ``BILLING_PERIOD=YYYY-MM`` partitions, which the Glue crawler (and the
  Hive metastore) name ``billing_period``; a fixed schema with map columns ``product``,
  ``resource_tags`` and ``cost_category``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from enum import Enum
from functools import reduce

from pyspark.sql import Column
from pyspark.sql import functions as F

from cur_analysis import columns as c
from cur_analysis.errors import InvalidInputError
from cur_analysis.periods import BillingPeriod


class Layout(Enum):
    """A CUR export layout, named by how its partitions are written."""

    LEGACY = "legacy"
    CUR2 = "cur2"

    @property
    def partition_keys(self) -> tuple[str, ...]:
        return c.PARTITION_KEYS if self is Layout.LEGACY else (c.CUR2_PARTITION_KEY,)

    def predicate(self, period: BillingPeriod) -> str:
        """Push-down predicate text for one period, as the layout's partitions are written."""
        if self is Layout.LEGACY:
            return period.predicate()
        return f"{c.CUR2_PARTITION_KEY} = '{period.label}'"

    def predicate_for(self, periods: Iterable[BillingPeriod]) -> str:
        """One predicate selecting all ``periods``."""
        clauses = [self.predicate(p) for p in sorted(set(periods))]
        if not clauses:
            raise InvalidInputError("no billing period given")
        if len(clauses) == 1:
            return clauses[0]
        return " or ".join(f"({clause})" for clause in clauses)

    def period_filter(self, periods: Sequence[BillingPeriod]) -> Column:
        """The same selection as a Column (no SQL text) for ``DataFrame.where``."""
        if self is Layout.LEGACY:
            clauses = [
                (F.col(c.YEAR) == F.lit(p.year_value)) & (F.col(c.MONTH) == F.lit(p.month_value))
                for p in sorted(set(periods))
            ]
            return reduce(lambda left, right: left | right, clauses)
        return F.col(c.CUR2_PARTITION_KEY).isin(*[p.label for p in sorted(set(periods))])

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
