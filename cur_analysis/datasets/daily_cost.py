"""``daily_cost``: every measure per day, account, service, region, charge type, purchase option."""

from __future__ import annotations

from pyspark.sql import DataFrame

from cur_analysis.datasets.grain import DAILY_KEYS, ROLLED_UP, daily_rows, fine_grain

NAME = "daily_cost"
KEYS = DAILY_KEYS


def daily_cost_from_grain(grain: DataFrame) -> DataFrame:
    """``daily_cost`` of a fine grain (its ``daily`` rows are already at this grain)."""
    return daily_rows(grain).select(*KEYS, *ROLLED_UP)


def daily_cost(cur: DataFrame) -> DataFrame:
    """Aggregate a conformed CUR frame (split-cost rows already removed) to the daily grain."""
    return daily_cost_from_grain(fine_grain(cur))
