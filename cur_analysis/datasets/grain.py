"""The fine grain: one aggregation pass over a conformed CUR frame; every dataset rolls up from it.

Each line item is summed into rows of two kinds, told apart by ``grain``:

- ``daily``: the ``daily_cost`` grain (day, period, payer, account, service, region, charge type,
  purchase option) with every measure, the line count and the savings-plan commitment sums that
  ``savings_monthly`` needs; ``daily_cost``, ``account_monthly``, ``service_monthly``,
  ``savings_monthly`` and the run totals are roll-ups of these rows;
- ``tags`` (only with tag columns): period x service x the combination of user tag values seen on
  the line items, held in one string (``tag_combination``, the values joined by a separator no
  tag value can hold); ``tag_monthly`` rolls each key up from these rows.

Both kinds come out of one ``groupBy`` over the line items (each line item of a requested period
feeds one row of each kind), so the source is read once and the result, a few thousand to a few
hundred thousand rows per month, is all that is kept for the datasets. One combination column
instead of one column per tag key keeps the aggregation key and the cached grain narrow when an
organization has many tag keys (docs/decisions/0003-one-pass-to-a-fine-grain.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from cur_analysis import columns as c
from cur_analysis import dimensions as d
from cur_analysis.measures import MEASURES
from cur_analysis.periods import BillingPeriod, as_periods, label_in
from cur_analysis.reuse import per_jvm

# A dataset transform: the quinn habit, ``frame.transform(builder(parameters))``.
Transform = Callable[[DataFrame], DataFrame]

GRAIN = "grain"
DAILY = "daily"
TAGS = "tags"
# Savings-plan commitment columns summed over every line (savings_monthly keeps the recurring
# fee lines' share by charge type).
SP_USED_COMMITMENT_SUM = "sp_used_commitment_sum"
SP_TOTAL_COMMITMENT_SUM = "sp_total_commitment_sum"

# The daily_cost grain, in output order.
DAILY_KEYS = (
    c.USAGE_DATE,
    c.BILLING_PERIOD,
    c.PAYER,
    c.ACCOUNT,
    c.SERVICE,
    c.REGION_OUT,
    c.CHARGE_TYPE,
    c.PURCHASE_OPTION,
)
# The keys of the per-account monthly datasets (besides billing_period).
ACCOUNT_KEYS = (c.PAYER, c.ACCOUNT)
# Keys a ``tags`` row keeps; the other daily keys are null there.
TAG_ROW_KEYS = (c.BILLING_PERIOD, c.SERVICE)
# A ``tags`` row's tag values, joined by TAG_SEPARATOR in the order of the tag columns; an
# untagged key is the empty string (blank values are null after conforming, so "" is no value).
# AWS allows only letters, digits, spaces and ``_ . : / = + - @`` in tags: U+0001 is never one.
TAG_COMBINATION = "tag_combination"
TAG_SEPARATOR = "\u0001"
# The combination column's metadata key naming its tag columns, in order.
TAG_COLUMNS = "tag_columns"


def tag_combination(tag_columns: Sequence[str]) -> Column:
    """The tag values of a line item as one string (see ``TAG_COMBINATION``)."""
    return F.concat_ws(TAG_SEPARATOR, *[F.coalesce(F.col(t), F.lit("")) for t in tag_columns])


def combined_tag_columns(grain: DataFrame) -> list[str]:
    """The tag columns a grain's ``TAG_COMBINATION`` joins (none for a grain without tags)."""
    if TAG_COMBINATION not in grain.columns:
        return []
    return list(grain.schema[TAG_COMBINATION].metadata.get(TAG_COLUMNS, []))


@per_jvm
def tag_values(tag_columns: tuple[str, ...]) -> tuple[Column, ...]:
    """Each tag column's value back out of ``TAG_COMBINATION`` (null where untagged)."""
    parts = F.split(F.col(TAG_COMBINATION), TAG_SEPARATOR, -1)
    return tuple(
        F.when(parts.getItem(index) != "", parts.getItem(index)).alias(name)
        for index, name in enumerate(tag_columns)
    )


@per_jvm
def _daily_keys() -> Mapping[str, Column]:
    """Each of ``DAILY_KEYS`` and its expression over the conformed frame."""
    keys = {
        c.USAGE_DATE: d.usage_date(),
        c.BILLING_PERIOD: F.col(c.BILLING_PERIOD),
        c.PAYER: F.col(c.PAYER_ACCOUNT_ID),
        c.ACCOUNT: F.col(c.USAGE_ACCOUNT_ID),
        c.SERVICE: d.service(),
        c.REGION_OUT: d.region(),
        c.CHARGE_TYPE: F.col(c.LINE_ITEM_TYPE),
        c.PURCHASE_OPTION: d.purchase_option(),
    }
    return MappingProxyType(keys)


@per_jvm
def _summed_values() -> Mapping[str, Column]:
    """Each value the grain sums, per line item (output name -> expression), in output order
    (the line count, summed as ``count``, comes after the measures)."""
    values = {
        **{name: measure() for name, measure in MEASURES.items()},
        SP_USED_COMMITMENT_SUM: F.coalesce(F.col(c.SP_USED_COMMITMENT), F.lit(0.0)),
        SP_TOTAL_COMMITMENT_SUM: F.coalesce(F.col(c.SP_TOTAL_COMMITMENT), F.lit(0.0)),
    }
    return MappingProxyType(values)


def _sums(values: Mapping[str, Column]) -> tuple[Column, ...]:
    """The grain's aggregate columns over ``values`` (expressions or pre-computed columns)."""
    measures = [F.sum(values[name]).alias(name) for name in MEASURES]
    commitments = [F.sum(values[name]).alias(name) for name in values if name not in MEASURES]
    return (*measures, F.count(F.lit(1)).alias(c.LINE_ITEM_COUNT), *commitments)


@dataclass(frozen=True)
class _GrainColumns:
    """The columns of one fine-grain aggregation: what each line is first projected to (none
    without tags), the kinds of row it feeds, the grouping keys and the sums."""

    lines: tuple[Column, ...]
    kinds: Column | None
    keys: tuple[Column, ...]
    sums: tuple[Column, ...]


@per_jvm
def _daily_only_columns() -> _GrainColumns:
    keys = [expression.alias(name) for name, expression in _daily_keys().items()]
    return _GrainColumns((), None, (F.lit(DAILY).alias(GRAIN), *keys), _sums(_summed_values()))


@per_jvm
def _tagged_columns(
    tag_columns: tuple[str, ...], tag_periods: tuple[BillingPeriod, ...] | None
) -> _GrainColumns:
    keys, values = _daily_keys(), _summed_values()
    in_tag_periods = (
        F.lit(True) if tag_periods is None else label_in(F.col(c.BILLING_PERIOD), tag_periods)
    )
    lines = (
        *[expression.alias(name) for name, expression in keys.items()],
        F.when(in_tag_periods, tag_combination(tag_columns)).alias(TAG_COMBINATION),
        *[expression.alias(name) for name, expression in values.items()],
    )
    kinds = F.when(F.col(TAG_COMBINATION).isNull(), F.array(F.lit(DAILY))).otherwise(
        F.array(F.lit(DAILY), F.lit(TAGS))
    )
    is_daily = F.col(GRAIN) == DAILY
    both = [
        (F.col(name) if name in TAG_ROW_KEYS else F.when(is_daily, F.col(name))).alias(name)
        for name in keys
    ]
    combination = F.when(~is_daily, F.col(TAG_COMBINATION)).alias(
        TAG_COMBINATION, metadata={TAG_COLUMNS: list(tag_columns)}
    )
    sums = _sums({name: F.col(name) for name in values})
    return _GrainColumns(lines, kinds, (F.col(GRAIN), *both, combination), sums)


def fine_grain(
    tag_columns: Sequence[str] = (), tag_periods: Sequence[BillingPeriod | str] | None = None
) -> Transform:
    """Sum a conformed CUR frame (split-cost rows removed) to the ``daily`` and ``tags`` grains.

    ``tags`` rows are made for ``tag_periods`` only, so the previous periods a run reads for its
    change columns cost no tag work. With tags, each line item's keys and summed values are
    computed once, before the ``explode`` feeds the line to both kinds of row, so no measure is
    evaluated twice.

    Args:
        tag_columns: User tag columns (``resource_tags_user_*``) the ``tags`` rows combine;
            none makes ``daily`` rows only.
        tag_periods: The periods that get ``tags`` rows (``BillingPeriod`` values or their
            ``YYYY-MM`` texts); None gives every period tag rows.

    Returns:
        The ``DataFrame -> DataFrame`` function from conformed line items to the fine grain:
        ``without_split_cost_rows(conform_cur(cur)).transform(fine_grain())``.

    Raises:
        InvalidInputError: A ``tag_periods`` text is not a period.
    """
    periods = None if tag_periods is None else as_periods(tag_periods)

    def to_fine_grain(cur: DataFrame) -> DataFrame:
        if not tag_columns:
            columns = _daily_only_columns()
            return cur.groupBy(*columns.keys).agg(*columns.sums)
        columns = _tagged_columns(tuple(tag_columns), periods)
        return (
            cur.select(*columns.lines)
            .withColumn(GRAIN, F.explode(columns.kinds))
            .groupBy(*columns.keys)
            .agg(*columns.sums)
        )

    return to_fine_grain


def daily_rows(grain: DataFrame) -> DataFrame:
    """The ``daily`` rows of a fine grain."""
    return grain.where(_rows_of(DAILY))


def tag_rows(grain: DataFrame) -> DataFrame:
    """The ``tags`` rows of a fine grain."""
    return grain.where(_rows_of(TAGS))


@per_jvm
def _rows_of(kind: str) -> Column:
    return F.col(GRAIN) == kind


@per_jvm
def summed(names: tuple[str, ...]) -> tuple[Column, ...]:
    """``sum(name) as name`` for pre-summed columns (a roll-up of the fine grain)."""
    return tuple(F.sum(name).alias(name) for name in names)


ROLLED_UP = (*MEASURES, c.LINE_ITEM_COUNT)
