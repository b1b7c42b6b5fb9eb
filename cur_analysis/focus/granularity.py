"""FOCUS rows summed to a time granularity, as AWS Data Exports' TIME_GRANULARITY (HOURLY,
DAILY, MONTHLY) delivers its native FOCUS export.

Each column's rule says how (``Rule.aggregate``): costs and quantities are summed, x_Discounts
is summed key by key, every other column is kept and is part of the row's key, so rows merge
only when they agree on all of them. The charge period becomes the hour, day or month the
charge starts in (ChargePeriodEnd the end of that unit, or later for a charge that spans more,
such as a monthly fee in an hourly export).
"""

from __future__ import annotations

from collections.abc import Callable

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import MapType

from cur_analysis import columns as c
from cur_analysis.focus.options import DAILY, HOURLY, MONTHLY
from cur_analysis.focus.rules_1_0 import MAP_SUM, SUM
from cur_analysis.focus.versions import FocusVersion

START = "ChargePeriodStart"
END = "ChargePeriodEnd"
_UNITS = {HOURLY: ("hour", "1 hour"), DAILY: ("day", "1 day"), MONTHLY: ("month", "1 month")}


def _truncated(column: Column, granularity: str) -> Column:
    unit, _step = _UNITS[granularity]
    return F.date_trunc(unit, column)


def _plus_one(column: Column, granularity: str) -> Column:
    _unit, step = _UNITS[granularity]
    return column + F.expr(f"INTERVAL {step}")


def charge_period(granularity: str) -> tuple[Column, Column]:
    """The start and end of the unit the charge starts in; the end is the charge's own end
    rounded up to the unit when that is later."""
    start = _truncated(F.col(START), granularity)
    rounded_end = _plus_one(
        _truncated(F.col(END) - F.expr("INTERVAL 1 microsecond"), granularity), granularity
    )
    return start, F.greatest(_plus_one(start, granularity), rounded_end)


def _summed_per_key(name: str, data_type: MapType) -> Column:
    """The maps of the merged rows, their values summed key by key; null when none has one."""
    empty = F.create_map().cast(data_type)
    merged = F.aggregate(
        F.collect_list(F.col(name)),
        empty,
        lambda total, entry: F.map_zip_with(
            total, entry, lambda _key, a, b: F.coalesce(a, F.lit(0.0)) + F.coalesce(b, F.lit(0.0))
        ),
    )
    return F.when(F.size(merged) > 0, merged).alias(name)


def to_granularity(version: FocusVersion, granularity: str) -> Callable[[DataFrame], DataFrame]:
    """FOCUS rows (``version``'s columns and ``billing_period``) summed to ``granularity``."""
    rules = {rule.name: rule for rule in version.rules}
    summed = [name for name in version.columns if name in rules and rules[name].aggregate == SUM]
    per_key = [
        name for name in version.columns if name in rules and rules[name].aggregate == MAP_SUM
    ]

    def aggregated(rows: DataFrame) -> DataFrame:
        start, end = charge_period(granularity)
        rows = rows.withColumns({START: start, END: end})
        kept = [
            n for n in (*version.columns, c.BILLING_PERIOD) if n not in summed and n not in per_key
        ]
        maps = {f.name for f in rows.schema.fields if isinstance(f.dataType, MapType)}
        keys = [F.to_json(F.col(n)).alias(f"_key_{n}") if n in maps else F.col(n) for n in kept]
        totals = [
            *(F.sum(n).alias(n) for n in summed),
            *(_summed_per_key(n, rows.schema[n].dataType) for n in per_key),
            *(F.first(n).alias(n) for n in kept if n in maps),
        ]
        grouped = rows.groupBy(*keys).agg(*totals)
        return grouped.select(*version.columns, c.BILLING_PERIOD)

    return aggregated
