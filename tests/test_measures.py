"""Every measure, every amortized branch, against hand-computed figures."""

from __future__ import annotations

import pytest
from chispa import assert_df_equality
from pyspark.sql import functions as F

from cur_analysis import columns as c
from cur_analysis.measures import MEASURES

from .support_frames import conformed

RI = "arn:aws:ec2:us-east-1:1:reserved-instances/ri-1"
COLUMNS = [
    "case",
    c.LINE_ITEM_TYPE,
    c.UNBLENDED_COST,
    c.PUBLIC_ON_DEMAND_COST,
    c.USAGE_AMOUNT,
    c.SP_EFFECTIVE_COST,
    c.SP_TOTAL_COMMITMENT,
    c.SP_USED_COMMITMENT,
    c.SP_AMORTIZED_UPFRONT,
    c.RI_EFFECTIVE_COST,
    c.RI_UNUSED_AMORTIZED_UPFRONT,
    c.RI_UNUSED_RECURRING,
    c.RI_AMORTIZED_UPFRONT,
    c.RI_ARN,
]
# (case, type, unblended, public, usage, sp_eff, sp_total, sp_used, sp_upfront, ri_eff,
#  ri_unused_upfront, ri_unused_recurring, ri_upfront, ri_arn) -> amortized, trueup, public, usage
# fmt: off
ROWS = [
    (('sp_covered', c.SP_COVERED_USAGE, 10.0, 10.0, 2.0, 7.2, None, None, None, None, None, None, None, ''), 7.2, 0.0, 10.0, 2.0),
    (('sp_recurring', c.SP_RECURRING_FEE, 5.0, 0.0, 1.0, None, 10.0, 7.2, 5.0, None, None, None, None, ''), 2.8, -5.0, 0.0, 0.0),
    (('sp_negation', c.SP_NEGATION, -10.0, 10.0, 2.0, 0.0, None, None, None, None, None, None, None, ''), 0.0, 0.0, 0.0, 0.0),
    (('sp_upfront', c.SP_UPFRONT_FEE, 100.0, 0.0, 1.0, None, None, None, None, None, None, None, None, ''), 0.0, 100.0, 0.0, 0.0),
    (('ri_usage', c.DISCOUNTED_USAGE, 0.0, 45.0, 3.0, None, None, None, None, 31.0, None, None, None, RI), 31.0, 0.0, 45.0, 3.0),
    (('ri_fee', c.RI_FEE, 20.0, 0.0, 720.0, None, None, None, None, None, 1.5, 2.5, 15.0, RI), 4.0, -15.0, 0.0, 0.0),
    (('ri_upfront_fee', c.FEE, 180.0, 0.0, 1.0, None, None, None, None, None, None, None, None, RI), 0.0, 180.0, 0.0, 0.0),
    (('plain_fee', c.FEE, 3.0, 0.0, 1.0, None, None, None, None, None, None, None, None, ''), 3.0, 0.0, 0.0, 0.0),
    (('usage', c.USAGE, 4.0, 4.0, 8.0, None, None, None, None, None, None, None, None, ''), 4.0, 0.0, 4.0, 8.0),
    (('credit', c.CREDIT, -2.0, 0.0, 0.0, None, None, None, None, None, None, None, None, ''), -2.0, 0.0, 0.0, 0.0),
    (('tax', c.TAX, 1.5, 0.0, 0.0, None, None, None, None, None, None, None, None, ''), 1.5, 0.0, 0.0, 0.0),
]
# fmt: on


def _hand_rows(spark):
    """The hand-computed rows above as a conformed frame ("case" only labels them)."""
    rows = [dict(zip(COLUMNS, values, strict=True)) for values, *_ in ROWS]
    return conformed(spark, rows, [col for col in COLUMNS if col != "case"])


@pytest.mark.parametrize(
    ("name", "index"),
    [(c.AMORTIZED, 0), (c.RI_SP_TRUEUP, 1), (c.PUBLIC_ON_DEMAND, 2), (c.USAGE_QUANTITY, 3)],
)
def test_measure_matches_hand_computed_rows(spark, name: str, index: int) -> None:
    frame = _hand_rows(spark)
    actual = frame.select(
        F.col(c.LINE_ITEM_TYPE),
        F.col(c.RI_ARN).isNotNull().alias("has_ri"),
        F.col(c.UNBLENDED_COST).alias("u"),
        MEASURES[name]().alias(name),
    )
    expected_rows = [
        (values[1], bool(values[13]), values[2], float(expected[index]))
        for values, *expected in ROWS
    ]
    expected = spark.createDataFrame(expected_rows, [c.LINE_ITEM_TYPE, "has_ri", "u", name])
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_amortized_plus_trueup_is_unblended_over_the_rows(spark) -> None:
    frame = _hand_rows(spark)
    totals = frame.agg(
        *[F.sum(MEASURES[m]()).alias(m) for m in (c.AMORTIZED, c.RI_SP_TRUEUP, c.UNBLENDED)]
    ).first()
    # The rows are one consistent month: the RI's used share (15 - 1.5 upfront, 20 - 2.5
    # recurring) is the DiscountedUsage effective cost 31; the SP's used commitment 7.2 is the
    # covered effective cost. Hand sums: amortized 7.2+2.8+0+0+31+4+0+3+4-2+1.5 = 51.5;
    # unblended 10+5-10+100+0+20+180+3+4-2+1.5 = 311.5.
    assert totals[c.AMORTIZED] == pytest.approx(51.5)
    assert totals[c.UNBLENDED] == pytest.approx(311.5)
    assert totals[c.AMORTIZED] + totals[c.RI_SP_TRUEUP] == pytest.approx(totals[c.UNBLENDED])


NET_COLUMNS = [
    c.LINE_ITEM_TYPE,
    c.UNBLENDED_COST,
    c.NET_UNBLENDED_COST,
    c.SP_EFFECTIVE_COST,
    c.SP_NET_EFFECTIVE_COST,
    c.RI_EFFECTIVE_COST,
    c.RI_NET_EFFECTIVE_COST,
    c.RI_UNUSED_AMORTIZED_UPFRONT,
    c.RI_NET_UNUSED_AMORTIZED_UPFRONT,
    c.RI_UNUSED_RECURRING,
    c.RI_NET_UNUSED_RECURRING,
]


def test_net_measures_use_net_columns_and_fall_back_to_gross(spark) -> None:
    rows = [
        dict(zip(NET_COLUMNS, values, strict=True))
        for values in [
            (c.USAGE, 10.0, 9.5, None, None, None, None, None, None, None, None),
            (c.USAGE, 10.0, None, None, None, None, None, None, None, None, None),
            (c.SP_COVERED_USAGE, 10.0, 9.5, 7.0, 6.65, None, None, None, None, None, None),
            (c.SP_COVERED_USAGE, 10.0, None, 7.0, None, None, None, None, None, None, None),
            (c.DISCOUNTED_USAGE, 0.0, 0.0, None, None, 6.0, 5.7, None, None, None, None),
            (c.RI_FEE, 20.0, 19.0, None, None, None, None, 2.0, 1.9, 3.0, None),
        ]
    ]
    frame = conformed(spark, rows, NET_COLUMNS)
    actual = [
        (row[c.NET_UNBLENDED], row[c.NET_AMORTIZED])
        for row in frame.select(
            MEASURES[c.NET_UNBLENDED]().alias(c.NET_UNBLENDED),
            MEASURES[c.NET_AMORTIZED]().alias(c.NET_AMORTIZED),
        ).collect()
    ]
    expected = [(9.5, 9.5), (10.0, 10.0), (9.5, 6.65), (10.0, 7.0), (0.0, 5.7), (19.0, 1.9 + 3.0)]
    assert actual == [pytest.approx(pair) for pair in expected]
