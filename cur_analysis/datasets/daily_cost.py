"""``daily_cost``: every measure per day, account, service, region, charge type, purchase option."""

from __future__ import annotations

from pyspark.sql import DataFrame

from cur_analysis.datasets.grain import DAILY_KEYS, ROLLED_UP, daily_rows

KEYS = DAILY_KEYS


def daily_cost(grain: DataFrame) -> DataFrame:
    """``daily_cost`` of a fine grain (its ``daily`` rows are already at this grain).

    From a conformed CUR frame: ``cur.transform(fine_grain()).transform(daily_cost)``.
    """
    return daily_rows(grain).select(*KEYS, *ROLLED_UP)
