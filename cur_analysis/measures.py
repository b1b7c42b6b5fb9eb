"""Cost measures as Column expressions over a conformed CUR frame: one definition each.

The amortized rule is the Cloud Intelligence Dashboards ``summary_view`` rule (also FOCUS
``EffectiveCost``), chosen by ``line_item_line_item_type``.
"""

from __future__ import annotations

from collections.abc import Callable

from pyspark.sql import Column
from pyspark.sql import functions as F

from cur_analysis import columns as c
from cur_analysis.reuse import per_jvm


def line_type_is(*types: str) -> Column:
    return F.col(c.LINE_ITEM_TYPE).isin(*types)


def reservation_fee() -> Column:
    """A ``Fee`` row that carries a reservation ARN: an RI upfront (or partial upfront) payment."""
    return (F.col(c.LINE_ITEM_TYPE) == c.FEE) & F.col(c.RI_ARN).isNotNull()


def savings_plan_refund() -> Column:
    """A ``Refund`` of a Compute Savings Plan: returns an upfront fee amortized cost never had."""
    return (F.col(c.LINE_ITEM_TYPE) == c.REFUND) & (
        F.col(c.PRODUCT_CODE) == c.COMPUTE_SAVINGS_PLANS
    )


def _amount(name: str) -> Column:
    return F.coalesce(F.col(name), F.lit(0.0))


def _net_or_gross(net: str, gross: str) -> Column:
    """The net column where the CUR has it (the organization has discounts), else the gross one."""
    return F.coalesce(F.col(net), F.col(gross), F.lit(0.0))


@per_jvm
def unblended_cost() -> Column:
    """What AWS billed on the line: ``line_item_unblended_cost``.

    Returns:
        A Column over conformed line items; a null cost is 0.
    """
    return _amount(c.UNBLENDED_COST)


@per_jvm
def net_unblended_cost() -> Column:
    """Unblended cost after discounts (EDP, private rates, bundled discounts).

    Returns:
        A Column over conformed line items: ``line_item_net_unblended_cost``, else the
        unblended cost where the CUR has no net column (no discounts) or it is null.
    """
    return _net_or_gross(c.NET_UNBLENDED_COST, c.UNBLENDED_COST)


def _amortized(pick: Callable[[str, str], Column], otherwise: Column) -> Column:
    return (
        F.when(line_type_is(c.SP_COVERED_USAGE), pick(c.SP_NET_EFFECTIVE_COST, c.SP_EFFECTIVE_COST))
        .when(
            line_type_is(c.SP_RECURRING_FEE),
            _amount(c.SP_TOTAL_COMMITMENT) - _amount(c.SP_USED_COMMITMENT),
        )
        .when(line_type_is(c.SP_NEGATION, c.SP_UPFRONT_FEE), F.lit(0.0))
        .when(line_type_is(c.DISCOUNTED_USAGE), pick(c.RI_NET_EFFECTIVE_COST, c.RI_EFFECTIVE_COST))
        .when(
            line_type_is(c.RI_FEE),
            pick(c.RI_NET_UNUSED_AMORTIZED_UPFRONT, c.RI_UNUSED_AMORTIZED_UPFRONT)
            + pick(c.RI_NET_UNUSED_RECURRING, c.RI_UNUSED_RECURRING),
        )
        .when(reservation_fee() | savings_plan_refund(), F.lit(0.0))
        .otherwise(otherwise)
    )


@per_jvm
def amortized_cost() -> Column:
    """Cost with RI/SP commitments spread over the usage they cover (CID ``amortized_cost``).

    SavingsPlanCoveredUsage -> SP effective cost; SavingsPlanRecurringFee -> unused commitment
    (total commitment to date - used commitment); SavingsPlanNegation, SavingsPlanUpfrontFee -> 0;
    DiscountedUsage -> reservation effective cost; RIFee -> unused amortized upfront + unused
    recurring fee; Fee with a reservation ARN -> 0; Refund of ComputeSavingsPlans -> 0 (CID's
    refund rule: the upfront fee it refunds was never in amortized cost); everything else ->
    unblended (Credit, Refund, Tax and EDP/Bundled/PrivateRate discounts keep their amount).

    Returns:
        A Column over conformed line items (FOCUS ``EffectiveCost``).
    """
    return _amortized(lambda _net, gross: _amount(gross), unblended_cost())


@per_jvm
def net_amortized_cost() -> Column:
    """Amortized cost after discounts: each branch of ``amortized_cost`` with its net column.

    Returns:
        A Column over conformed line items; a branch whose net column is absent or null takes
        the gross one.
    """
    return _amortized(_net_or_gross, net_unblended_cost())


@per_jvm
def ri_sp_trueup() -> Column:
    """What turns amortized into unblended over a month: ``amortized + ri_sp_trueup == unblended``.

    CID's true-up removes the amortized upfront share carried by the commitment fee rows
    (SavingsPlanRecurringFee, RIFee); because our unblended keeps SavingsPlanNegation rows (as
    Cost Explorer does) and amortized sets upfront payments to 0, the upfront payments themselves
    (SavingsPlanUpfrontFee, Fee with a reservation ARN, and a Compute Savings Plan Refund of such
    a fee) are added back here.

    Returns:
        A Column over conformed line items, 0 on every other line type.
    """
    return (
        F.when(line_type_is(c.SP_RECURRING_FEE), -_amount(c.SP_AMORTIZED_UPFRONT))
        .when(line_type_is(c.RI_FEE), -_amount(c.RI_AMORTIZED_UPFRONT))
        .when(
            line_type_is(c.SP_UPFRONT_FEE) | reservation_fee() | savings_plan_refund(),
            unblended_cost(),
        )
        .otherwise(F.lit(0.0))
    )


@per_jvm
def public_on_demand_cost() -> Column:
    """Public on-demand price of the line: what the usage would cost without commitments.

    Returns:
        A Column over conformed line items; 0 on SavingsPlanNegation lines, which would count
        the covered usage twice.
    """
    return F.when(line_type_is(c.SP_NEGATION), F.lit(0.0)).otherwise(
        _amount(c.PUBLIC_ON_DEMAND_COST)
    )


@per_jvm
def usage_amount() -> Column:
    """Usage quantity, in each line's own unit, of usage lines only.

    Returns:
        A Column over conformed line items: ``line_item_usage_amount`` on Usage,
        DiscountedUsage and SavingsPlanCoveredUsage lines, 0 on fees, credits, taxes and
        negations.
    """
    return F.when(line_type_is(*c.USAGE_LINE_TYPES), _amount(c.USAGE_AMOUNT)).otherwise(F.lit(0.0))


MEASURES: dict[str, Callable[[], Column]] = {
    c.UNBLENDED: unblended_cost,
    c.NET_UNBLENDED: net_unblended_cost,
    c.AMORTIZED: amortized_cost,
    c.NET_AMORTIZED: net_amortized_cost,
    c.PUBLIC_ON_DEMAND: public_on_demand_cost,
    c.RI_SP_TRUEUP: ri_sp_trueup,
    c.USAGE_QUANTITY: usage_amount,
}
"""Every measure by its output column name, in output order: each dataset sums each of these."""
