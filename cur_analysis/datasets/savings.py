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
    SP_TOTAL_COMMITMENT_SUM,
    SP_USED_COMMITMENT_SUM,
    daily_rows,
    fine_grain,
)

NAME = "savings_monthly"


def _of_type(line_type: str | tuple[str, ...], value: str) -> Column:
    types = (line_type,) if isinstance(line_type, str) else line_type
    return F.sum(F.when(F.col(c.CHARGE_TYPE).isin(*types), F.col(value)).otherwise(F.lit(0.0)))


def _ratio(numerator: str, denominator: str) -> Column:
    return F.when(F.col(denominator) > 0, F.col(numerator) / F.col(denominator))


def savings_monthly_from_grain(grain: DataFrame) -> DataFrame:
    """``savings_monthly`` rolled up from the ``daily`` rows of a fine grain."""
    public, amortized = "public_on_demand_cost", "amortized_cost"
    sums = (
        daily_rows(grain)
        .groupBy(c.BILLING_PERIOD, c.PAYER, c.ACCOUNT)
        .agg(
            F.sum(public).alias("on_demand_equivalent_cost"),
            F.sum(amortized).alias("amortized_cost"),
            _of_type(c.DISCOUNTED_USAGE, public).alias("ri_covered_usage_cost"),
            _of_type(c.SP_COVERED_USAGE, public).alias("sp_covered_usage_cost"),
            _of_type(c.USAGE_LINE_TYPES, public).alias("eligible_usage_cost"),
            _of_type(c.RI_FEE, amortized).alias("ri_unused_commitment"),
            _of_type(c.SP_RECURRING_FEE, amortized).alias("sp_unused_commitment"),
            _of_type(c.DISCOUNTED_USAGE, amortized).alias("ri_used_commitment"),
            _of_type(c.SP_RECURRING_FEE, SP_USED_COMMITMENT_SUM).alias("sp_used_commitment"),
            _of_type(c.SP_RECURRING_FEE, SP_TOTAL_COMMITMENT_SUM).alias("sp_total_commitment"),
        )
    )
    return (
        sums.withColumn("savings", F.col("on_demand_equivalent_cost") - F.col("amortized_cost"))
        .withColumn(
            "ri_total_commitment", F.col("ri_used_commitment") + F.col("ri_unused_commitment")
        )
        .withColumn(
            "covered_usage_cost", F.col("ri_covered_usage_cost") + F.col("sp_covered_usage_cost")
        )
        .withColumn("coverage", _ratio("covered_usage_cost", "eligible_usage_cost"))
        .withColumn("ri_utilization", _ratio("ri_used_commitment", "ri_total_commitment"))
        .withColumn("sp_utilization", _ratio("sp_used_commitment", "sp_total_commitment"))
        .drop("covered_usage_cost")
    )


def savings_monthly(cur: DataFrame) -> DataFrame:
    """Aggregate a conformed CUR frame to period x payer x usage account savings figures."""
    return savings_monthly_from_grain(fine_grain(cur))
