"""Monthly datasets: ``account_monthly``, ``service_monthly``, ``tag_monthly``.

Each takes the conformed CUR frame of the requested periods *and* their previous periods (when the
table has them), so change columns come from the table whether or not that period is rewritten.
Each is a roll-up of the fine grain (``*_from_grain``); the ``cur`` forms make the grain first.
"""

from __future__ import annotations

from collections.abc import Sequence

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from cur_analysis import columns as c
from cur_analysis.datasets.grain import ROLLED_UP, daily_rows, fine_grain, summed, tag_rows
from cur_analysis.measures import MEASURES


def next_period(period: Column) -> Column:
    """``YYYY-MM`` of the month after ``period`` (a ``YYYY-MM`` column)."""
    return F.date_format(F.add_months(F.to_date(F.concat(period, F.lit("-01"))), 1), "yyyy-MM")


def _monthly(grain: DataFrame, keys: Sequence[str]) -> DataFrame:
    """Per period and ``keys``, in one partition: accounts and services are few per period, so
    the windows and the previous-period join that follow need no shuffle."""
    return daily_rows(grain).groupBy(c.BILLING_PERIOD, *keys).agg(*summed(ROLLED_UP)).coalesce(1)


def with_previous_period_change(
    monthly: DataFrame, keys: Sequence[str], loaded_periods: Sequence[str]
) -> DataFrame:
    """Add previous-period amortized cost, its absolute and relative change.

    Previous is 0 for a key absent from a previous period that was loaded, and null (with both
    changes null) when the previous period is not in the table at all.
    """
    previous = monthly.select(
        next_period(F.col(c.BILLING_PERIOD)).alias(c.BILLING_PERIOD),
        *keys,
        F.col("amortized_cost").alias(c.PREVIOUS_AMORTIZED),
    )
    previous_loaded = F.date_format(
        F.add_months(F.to_date(F.concat(F.col(c.BILLING_PERIOD), F.lit("-01"))), -1), "yyyy-MM"
    ).isin(*loaded_periods)
    joined = monthly.join(previous, [c.BILLING_PERIOD, *keys], "left")
    previous_cost = F.when(previous_loaded, F.coalesce(F.col(c.PREVIOUS_AMORTIZED), F.lit(0.0)))
    change = F.col("amortized_cost") - F.col(c.PREVIOUS_AMORTIZED)
    return (
        joined.withColumn(c.PREVIOUS_AMORTIZED, previous_cost)
        .withColumn(c.AMORTIZED_CHANGE, change)
        .withColumn(
            c.AMORTIZED_CHANGE_RATIO,
            F.when(F.col(c.PREVIOUS_AMORTIZED) != 0, change / F.col(c.PREVIOUS_AMORTIZED)),
        )
    )


def _share_of_period(measure: str) -> Column:
    total = F.sum(measure).over(Window.partitionBy(c.BILLING_PERIOD))
    return F.when(total != 0, F.col(measure) / total)


def account_monthly_from_grain(grain: DataFrame, loaded_periods: Sequence[str]) -> DataFrame:
    """``account_monthly`` rolled up from a fine grain."""
    keys = [c.PAYER, c.ACCOUNT]
    monthly = _monthly(grain, keys).withColumn(
        c.SHARE_OF_TOTAL_AMORTIZED, _share_of_period("amortized_cost")
    )
    return with_previous_period_change(monthly, keys, loaded_periods)


def account_monthly(cur: DataFrame, loaded_periods: Sequence[str]) -> DataFrame:
    """Period x payer x usage account: measures, share of the period's amortized, change."""
    return account_monthly_from_grain(fine_grain(cur), loaded_periods)


def service_monthly_from_grain(grain: DataFrame, loaded_periods: Sequence[str]) -> DataFrame:
    """``service_monthly`` rolled up from a fine grain."""
    monthly = _monthly(grain, [c.SERVICE]).withColumn(
        c.SHARE_OF_TOTAL_AMORTIZED, _share_of_period("amortized_cost")
    )
    ranked = monthly.withColumn(
        c.RANK,
        F.rank().over(Window.partitionBy(c.BILLING_PERIOD).orderBy(F.desc("amortized_cost"))),
    )
    return with_previous_period_change(ranked, [c.SERVICE], loaded_periods)


def service_monthly(cur: DataFrame, loaded_periods: Sequence[str]) -> DataFrame:
    """Period x service: measures, change versus the previous period, rank by amortized cost."""
    return service_monthly_from_grain(fine_grain(cur), loaded_periods)


def tag_key_of(column: str) -> str:
    """``resource_tags_user_cost_center`` -> ``cost_center``."""
    return column[len(c.USER_TAG_PREFIX) :]


def tag_monthly_from_grain(grain: DataFrame, tag_columns: Sequence[str]) -> DataFrame:
    """``tag_monthly`` rolled up, key by key, from the ``tags`` rows of a fine grain."""
    if not tag_columns:
        return _empty_tag_frame(grain)
    pairs = F.array(
        *[
            F.struct(F.lit(tag_key_of(name)).alias(c.TAG_KEY), F.col(name).alias(c.TAG_VALUE))
            for name in tag_columns
        ]
    )
    stacked = tag_rows(grain).select(c.BILLING_PERIOD, c.SERVICE, F.inline(pairs), *ROLLED_UP)
    by_key = stacked.groupBy(c.BILLING_PERIOD, c.TAG_KEY, c.TAG_VALUE, c.SERVICE).agg(
        *summed(ROLLED_UP)
    )
    per_key = Window.partitionBy(c.BILLING_PERIOD, c.TAG_KEY)
    tagged = F.sum(F.when(F.col(c.TAG_VALUE).isNotNull(), F.col("amortized_cost"))).over(per_key)
    total = F.sum("amortized_cost").over(per_key)
    return by_key.withColumn(
        c.TAG_COVERAGE, F.when(total != 0, F.coalesce(tagged, F.lit(0.0)) / total)
    )


def tag_monthly(cur: DataFrame, tag_columns: Sequence[str]) -> DataFrame:
    """Period x tag key x tag value x service; untagged cost has a null ``tag_value``.

    Every tag key's rows sum to the period total; ``tag_coverage`` is the share of the period's
    amortized cost that carries the key.
    """
    if not tag_columns:
        return _empty_tag_frame(cur)
    return tag_monthly_from_grain(fine_grain(cur, tag_columns), tag_columns)


def _empty_tag_frame(frame: DataFrame) -> DataFrame:
    return frame.select(
        F.col(c.BILLING_PERIOD),
        F.lit(None).cast("string").alias(c.TAG_KEY),
        F.lit(None).cast("string").alias(c.TAG_VALUE),
        F.lit(None).cast("string").alias(c.SERVICE),
        *[F.lit(0.0).alias(name) for name in MEASURES],
        F.lit(0).cast("long").alias(c.LINE_ITEM_COUNT),
        F.lit(None).cast("double").alias(c.TAG_COVERAGE),
    ).limit(0)
