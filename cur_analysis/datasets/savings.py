"""``savings_monthly``: what RIs and Savings Plans saved, what usage they cover, how used they are.

Definitions (per period and usage account):
- ``on_demand_equivalent_cost``: public on-demand cost (``public_on_demand_cost``);
- ``savings``: on-demand equivalent - amortized;
- ``ri_covered_usage_cost`` / ``sp_covered_usage_cost``: public on-demand cost of DiscountedUsage /
  SavingsPlanCoveredUsage lines; ``eligible_usage_cost``: that of all usage lines;
- ``coverage``: (RI + SP covered) / eligible;
- ``ri_unused_commitment``: unused amortized upfront + unused recurring fee of RIFee lines;
  ``sp_unused_commitment``: total - used commitment of SavingsPlanRecurringFee lines;
- ``ri_utilization``: used / (used + unused), used being the DiscountedUsage effective cost;
  ``sp_utilization``: used commitment / total commitment. Null where there is no commitment.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from cur_analysis import columns as c
from cur_analysis.datasets.grain import (
    ACCOUNT_KEYS,
    SP_TOTAL_COMMITMENT_SUM,
    SP_USED_COMMITMENT_SUM,
    daily_rows,
)
from cur_analysis.reuse import per_jvm


@per_jvm
def _of_type(line_type: str | tuple[str, ...], value: str) -> Column:
    types = (line_type,) if isinstance(line_type, str) else line_type
    return F.sum(F.when(F.col(c.CHARGE_TYPE).isin(*types), F.col(value)).otherwise(F.lit(0.0)))


def _ratio(numerator: Column, denominator: str) -> Column:
    return F.when(F.col(denominator) > 0, numerator / F.col(denominator))


def savings_monthly(grain: DataFrame) -> DataFrame:
    """Period x payer x usage account savings figures, from the ``daily`` rows of a fine grain.

    From a conformed CUR frame: ``cur.transform(fine_grain()).transform(savings_monthly)``.

    Args:
        grain: A fine grain (``fine_grain``), with or without tag rows.

    Returns:
        Per period, payer and usage account: the on-demand equivalent, amortized cost and
        savings, the RI and Savings Plan covered, unused and used amounts, coverage and
        utilization (defined in this module's docstring; a ratio is null without a
        denominator).
    """
    sums = daily_rows(grain).groupBy(c.BILLING_PERIOD, *ACCOUNT_KEYS).agg(*_sums())
    derived = sums
    for name, column in _derived():
        derived = derived.withColumn(name, column)
    return derived


@per_jvm
def _sums() -> tuple[Column, ...]:
    public, amortized = c.PUBLIC_ON_DEMAND, c.AMORTIZED
    return (
        F.sum(public).alias(c.ON_DEMAND_EQUIVALENT),
        F.sum(amortized).alias(c.AMORTIZED),
        _of_type(c.DISCOUNTED_USAGE, public).alias(c.RI_COVERED),
        _of_type(c.SP_COVERED_USAGE, public).alias(c.SP_COVERED),
        _of_type(c.USAGE_LINE_TYPES, public).alias(c.ELIGIBLE),
        _of_type(c.RI_FEE, amortized).alias(c.RI_UNUSED),
        _of_type(c.SP_RECURRING_FEE, amortized).alias(c.SP_UNUSED),
        _of_type(c.DISCOUNTED_USAGE, amortized).alias(c.RI_USED),
        _of_type(c.SP_RECURRING_FEE, SP_USED_COMMITMENT_SUM).alias(c.SP_USED),
        _of_type(c.SP_RECURRING_FEE, SP_TOTAL_COMMITMENT_SUM).alias(c.SP_TOTAL),
    )


@per_jvm
def _derived() -> tuple[tuple[str, Column], ...]:
    """The figures computed from the sums, in output order (each may use the ones before)."""
    covered = F.col(c.RI_COVERED) + F.col(c.SP_COVERED)
    return (
        (c.SAVINGS, F.col(c.ON_DEMAND_EQUIVALENT) - F.col(c.AMORTIZED)),
        (c.RI_TOTAL, F.col(c.RI_USED) + F.col(c.RI_UNUSED)),
        (c.COVERAGE, _ratio(covered, c.ELIGIBLE)),
        (c.RI_UTILIZATION, _ratio(F.col(c.RI_USED), c.RI_TOTAL)),
        (c.SP_UTILIZATION, _ratio(F.col(c.SP_USED), c.SP_TOTAL)),
    )
