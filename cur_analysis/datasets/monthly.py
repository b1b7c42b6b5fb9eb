"""Monthly datasets: ``account_monthly``, ``service_monthly``, ``tag_monthly``.

Each is a roll-up of the fine grain (``datasets.grain``) of the requested periods *and* their
previous periods (when the table has them), so change columns come from the table whether or not
that period is rewritten. A previous period the run did not read can come as the monthly rows it
was published with (``published``: ``billing_period``, the keys and the rolled-up measures, as
this roll-up makes them), which stand in for its grain. Each takes its parameters and returns
the ``DataFrame -> DataFrame`` function: ``grain.transform(account_monthly(loaded_periods))``.
"""

from __future__ import annotations

from collections.abc import Sequence

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from cur_analysis import columns as c
from cur_analysis.datasets.grain import (
    ACCOUNT_KEYS,
    ROLLED_UP,
    Transform,
    combined_tag_columns,
    daily_rows,
    summed,
    tag_rows,
    tag_values,
)
from cur_analysis.errors import InvalidInputError
from cur_analysis.measures import MEASURES
from cur_analysis.periods import BillingPeriod, as_periods, label_in, shifted_label
from cur_analysis.reuse import per_jvm

# Grouping keys besides billing_period.
SERVICE_KEYS = (c.SERVICE,)
TAG_KEYS = (c.TAG_KEY, c.TAG_VALUE, c.SERVICE)


def _monthly(grain: DataFrame, keys: Sequence[str], published: DataFrame | None) -> DataFrame:
    """Per period and ``keys``, with the ``published`` rows of periods not in the grain, in one
    partition: accounts and services are few per period, so the windows and the
    previous-period join that follow need no shuffle."""
    rows = daily_rows(grain).groupBy(c.BILLING_PERIOD, *keys).agg(*summed(ROLLED_UP))
    if published is not None:
        rows = rows.unionByName(published.select(c.BILLING_PERIOD, *keys, *ROLLED_UP))
    return rows.coalesce(1)


def with_previous_period_change(
    monthly: DataFrame, keys: Sequence[str], loaded_periods: Sequence[BillingPeriod | str]
) -> DataFrame:
    """Add previous-period amortized cost, its absolute and relative change.

    Previous is 0 for a key absent from a previous period that was loaded, and null (with both
    changes null) when the previous period is not in the table at all. It is the key's row
    before in period order (``lag``), taken only when that row is the previous month's: a window
    over the one partition ``_monthly`` leaves needs no shuffle and no Spark job of its own.
    Null keys are one key, as ``groupBy`` made them.
    """
    columns = _change_columns(tuple(keys), as_periods(loaded_periods))
    return monthly.withColumns(dict(columns))


@per_jvm
def _change_columns(
    keys: tuple[str, ...], loaded_periods: tuple[BillingPeriod, ...]
) -> tuple[tuple[str, Column], ...]:
    """The change columns (name, expression), in output order."""
    period = F.col(c.BILLING_PERIOD)
    before = Window.partitionBy(*keys).orderBy(period)
    previous_month = shifted_label(period, -1)
    previous_amortized = F.when(
        F.lag(period).over(before) == previous_month, F.lag(c.AMORTIZED).over(before)
    )
    previous_loaded = label_in(previous_month, loaded_periods)
    previous_cost = F.when(previous_loaded, F.coalesce(previous_amortized, F.lit(0.0)))
    change = F.col(c.AMORTIZED) - previous_cost
    return (
        (c.PREVIOUS_AMORTIZED, previous_cost),
        (c.AMORTIZED_CHANGE, change),
        (c.AMORTIZED_CHANGE_RATIO, F.when(previous_cost != 0, change / previous_cost)),
    )


@per_jvm
def _share_of_period(measure: str) -> Column:
    total = F.sum(measure).over(Window.partitionBy(c.BILLING_PERIOD))
    return F.when(total != 0, F.col(measure) / total)


def account_monthly(
    loaded_periods: Sequence[BillingPeriod | str], published: DataFrame | None = None
) -> Transform:
    """Period x payer x usage account of a fine grain: measures, share of the period's
    amortized cost, change versus the previous period.

    Args:
        loaded_periods: Every period whose figures the roll-up has: those in the grain and
            those given as ``published`` rows (``BillingPeriod`` values or ``YYYY-MM`` texts).
            A period whose previous month is among them gets change columns (a previous cost
            of 0 for an account new that month); any other gets nulls.
        published: This dataset's published rows of periods that are not in the grain; they
            stand in for those periods' grain rows.

    Returns:
        The ``DataFrame -> DataFrame`` function from a fine grain to ``account_monthly``:
        ``grain.transform(account_monthly(["2024-04", "2024-05"]))``. Calling it raises
        ``InvalidInputError`` when a ``loaded_periods`` text is not a period.
    """

    def to_account_monthly(grain: DataFrame) -> DataFrame:
        monthly = _monthly(grain, ACCOUNT_KEYS, published).withColumn(
            c.SHARE_OF_TOTAL_AMORTIZED, _share_of_period(c.AMORTIZED)
        )
        return with_previous_period_change(monthly, ACCOUNT_KEYS, loaded_periods)

    return to_account_monthly


def service_monthly(
    loaded_periods: Sequence[BillingPeriod | str], published: DataFrame | None = None
) -> Transform:
    """Period x service of a fine grain: measures, share, rank by amortized cost, change versus
    the previous period.

    Args:
        loaded_periods: Every period whose figures the roll-up has: those in the grain and
            those given as ``published`` rows (``BillingPeriod`` values or ``YYYY-MM`` texts).
            A period whose previous month is among them gets change columns (a previous cost
            of 0 for a service new that month); any other gets nulls.
        published: This dataset's published rows of periods that are not in the grain; they
            stand in for those periods' grain rows.

    Returns:
        The ``DataFrame -> DataFrame`` function from a fine grain to ``service_monthly``:
        ``grain.transform(service_monthly(["2024-04", "2024-05"]))``. Calling it raises
        ``InvalidInputError`` when a ``loaded_periods`` text is not a period.
    """

    def to_service_monthly(grain: DataFrame) -> DataFrame:
        monthly = _monthly(grain, SERVICE_KEYS, published).withColumn(
            c.SHARE_OF_TOTAL_AMORTIZED, _share_of_period(c.AMORTIZED)
        )
        ranked = monthly.withColumn(
            c.RANK,
            F.rank().over(Window.partitionBy(c.BILLING_PERIOD).orderBy(F.desc(c.AMORTIZED))),
        )
        return with_previous_period_change(ranked, SERVICE_KEYS, loaded_periods)

    return to_service_monthly


def tag_key_of(column: str) -> str:
    """``resource_tags_user_cost_center`` -> ``cost_center``."""
    return column[len(c.USER_TAG_PREFIX) :]


def tag_monthly(tag_columns: Sequence[str]) -> Transform:
    """Period x tag key x tag value x service of a fine grain made with ``tag_columns``;
    untagged cost has a null ``tag_value``.

    Every tag key's rows sum to the period total; ``tag_coverage`` is the share of the period's
    amortized cost that carries the key.

    Args:
        tag_columns: The tag columns the grain was made with (``fine_grain(tag_columns)``), in
            the same order; none gives an empty frame of the dataset's columns.

    Returns:
        The ``DataFrame -> DataFrame`` function from a fine grain to ``tag_monthly``. Calling it
        raises ``InvalidInputError`` when the grain combines other tag columns.
    """

    def to_tag_monthly(grain: DataFrame) -> DataFrame:
        if not tag_columns:
            return _empty_tag_frame(grain)
        combined = combined_tag_columns(grain)
        if combined != list(tag_columns):
            missing = [name for name in tag_columns if name not in combined]
            raise InvalidInputError(
                f"the fine grain has no tag columns {missing or list(tag_columns)} in this order: "
                "make it with fine_grain(tag_columns) and the same tag columns"
            )
        stacked = tag_rows(grain).select(
            c.BILLING_PERIOD, c.SERVICE, F.inline(_tag_pairs(tuple(tag_columns))), *ROLLED_UP
        )
        by_key = stacked.groupBy(c.BILLING_PERIOD, *TAG_KEYS).agg(*summed(ROLLED_UP))
        return by_key.withColumn(c.TAG_COVERAGE, _tag_coverage())

    return to_tag_monthly


@per_jvm
def _tag_pairs(tag_columns: tuple[str, ...]) -> Column:
    """An array of (tag key, tag value) structs, one per tag column of the grain."""
    return F.array(
        *[
            F.struct(F.lit(tag_key_of(name)).alias(c.TAG_KEY), value.alias(c.TAG_VALUE))
            for name, value in zip(tag_columns, tag_values(tag_columns), strict=True)
        ]
    )


@per_jvm
def _tag_coverage() -> Column:
    """The share of the period's amortized cost whose line items carry the row's tag key."""
    per_key = Window.partitionBy(c.BILLING_PERIOD, c.TAG_KEY)
    tagged = F.sum(F.when(F.col(c.TAG_VALUE).isNotNull(), F.col(c.AMORTIZED))).over(per_key)
    total = F.sum(c.AMORTIZED).over(per_key)
    return F.when(total != 0, F.coalesce(tagged, F.lit(0.0)) / total)


def _empty_tag_frame(frame: DataFrame) -> DataFrame:
    return frame.select(
        F.col(c.BILLING_PERIOD),
        *[F.lit(None).cast("string").alias(key) for key in TAG_KEYS],
        *[F.lit(0.0).alias(name) for name in MEASURES],
        F.lit(0).cast("long").alias(c.LINE_ITEM_COUNT),
        F.lit(None).cast("double").alias(c.TAG_COVERAGE),
    ).limit(0)
