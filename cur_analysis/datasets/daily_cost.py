"""``daily_cost``: every measure per day, account, service, region, charge type, purchase option."""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from cur_analysis.datasets.grain import DAILY_KEYS, ROLLED_UP, daily_rows
from cur_analysis.reuse import per_jvm

KEYS = DAILY_KEYS


def daily_cost(grain: DataFrame) -> DataFrame:
    """``daily_cost`` of a fine grain, whose ``daily`` rows are already at this grain.

    From a conformed CUR frame: ``cur.transform(fine_grain()).transform(daily_cost)``.

    Args:
        grain: A fine grain (``fine_grain``), with or without tag rows.

    Returns:
        Per usage day, period, payer, usage account, service, region, charge type and purchase
        option: every measure and the line-item count.
    """
    return daily_rows(grain).select(*_columns())


@per_jvm
def _columns() -> tuple[Column, ...]:
    return tuple(F.col(name) for name in (*KEYS, *ROLLED_UP))
