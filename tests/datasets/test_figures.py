"""Each dataset against hand-computed figures on tiny frames."""

from __future__ import annotations

import pytest
from chispa import assert_df_equality
from pyspark.sql import functions as F

from cur_analysis import columns as c
from cur_analysis.conform import conform_legacy
from cur_analysis.datasets.daily_cost import daily_cost
from cur_analysis.datasets.grain import fine_grain
from cur_analysis.datasets.monthly import (
    account_monthly,
    service_monthly,
    tag_monthly,
    with_previous_period_change,
)
from cur_analysis.datasets.savings import savings_monthly

from ..support_frames import conformed, raw_frame

BASE = [c.PAYER_ACCOUNT_ID, c.USAGE_ACCOUNT_ID, c.SERVICE_CODE, c.LINE_ITEM_TYPE, c.UNBLENDED_COST]


def _row(month: str, account: str, service: str, cost: float, **extra) -> dict:
    return {
        "year": "2024",
        "month": month,
        c.PAYER_ACCOUNT_ID: "p",
        c.USAGE_ACCOUNT_ID: account,
        c.SERVICE_CODE: service,
        c.LINE_ITEM_TYPE: c.USAGE,
        c.UNBLENDED_COST: cost,
        **extra,
    }


@pytest.fixture(scope="module")
def two_months(spark):
    rows = [
        _row("4", "a1", "EC2", 100.0),
        _row("4", "a2", "S3", 50.0),
        _row("5", "a1", "EC2", 150.0),
        _row("5", "a1", "S3", 30.0),
        _row("5", "a3", "EC2", 20.0),
    ]
    return conformed(spark, rows, BASE)


def test_account_monthly_shares_and_changes(spark, two_months) -> None:
    grain = two_months.transform(fine_grain())
    out = grain.transform(account_monthly(["2024-04", "2024-05"])).select(
        c.BILLING_PERIOD,
        c.ACCOUNT,
        c.AMORTIZED,
        c.SHARE_OF_TOTAL_AMORTIZED,
        c.PREVIOUS_AMORTIZED,
        c.AMORTIZED_CHANGE,
        c.AMORTIZED_CHANGE_RATIO,
    )
    expected = spark.createDataFrame(
        [
            # April's previous period (March) is not in the table: change columns null.
            ("2024-04", "a1", 100.0, 100 / 150, None, None, None),
            ("2024-04", "a2", 50.0, 50 / 150, None, None, None),
            ("2024-05", "a1", 180.0, 180 / 200, 100.0, 80.0, 0.8),
            # a3 is new in May while April was read: previous is 0, ratio undefined.
            ("2024-05", "a3", 20.0, 20 / 200, 0.0, 20.0, None),
        ],
        out.schema,
    )
    assert_df_equality(out, expected, ignore_row_order=True, allow_nan_equality=True)


def test_account_that_disappears_is_not_a_row_of_the_new_period(spark, two_months) -> None:
    out = two_months.transform(fine_grain()).transform(account_monthly(["2024-04", "2024-05"]))
    assert (
        out.where((F.col(c.BILLING_PERIOD) == "2024-05") & (F.col(c.ACCOUNT) == "a2")).count() == 0
    )


def test_previous_is_the_month_before_not_an_older_month_and_null_is_a_key(spark) -> None:
    # March, April and May read. EC2 skips April: May's previous is April's 0, not March's 7.
    # The null service (neither service code nor product code) is one key in every month.
    monthly = spark.createDataFrame(
        [
            ("2024-03", "EC2", 7.0),
            ("2024-05", "EC2", 9.0),
            ("2024-04", None, 4.0),
            ("2024-05", None, 6.0),
        ],
        f"{c.BILLING_PERIOD} string, {c.SERVICE} string, {c.AMORTIZED} double",
    ).coalesce(1)
    out = with_previous_period_change(monthly, [c.SERVICE], ["2024-03", "2024-04", "2024-05"])
    got = {
        (row[c.BILLING_PERIOD], row[c.SERVICE]): (
            row[c.PREVIOUS_AMORTIZED],
            row[c.AMORTIZED_CHANGE],
        )
        for row in out.collect()
    }
    assert got == {
        ("2024-03", "EC2"): (None, None),  # February is not in the table
        ("2024-05", "EC2"): (0.0, 9.0),
        ("2024-04", None): (0.0, 4.0),  # March was read; the null key had no row there
        ("2024-05", None): (4.0, 2.0),
    }


def test_service_monthly_ranks_by_amortized_cost(spark, two_months) -> None:
    out = (
        two_months.transform(fine_grain())
        .transform(service_monthly(["2024-04", "2024-05"]))
        .where(F.col(c.BILLING_PERIOD) == "2024-05")
    )
    got = {row[c.SERVICE]: (row[c.RANK], row[c.AMORTIZED_CHANGE]) for row in out.collect()}
    assert got == {"EC2": (1, 170.0 - 100.0), "S3": (2, 30.0 - 50.0)}


def test_tag_monthly_every_key_sums_to_the_total_and_coverage(spark) -> None:
    rows = [
        _row("5", "a1", "EC2", 60.0, resource_tags_user_env="prod", resource_tags_user_team="web"),
        _row("5", "a1", "EC2", 30.0, resource_tags_user_env="", resource_tags_user_team="web"),
        _row("5", "a2", "S3", 10.0, resource_tags_user_env="dev", resource_tags_user_team=""),
    ]
    raw = raw_frame(spark, rows, [*BASE, "resource_tags_user_env", "resource_tags_user_team"])
    tagged = conform_legacy(raw, with_tags=True)
    tags = ["resource_tags_user_env", "resource_tags_user_team"]
    out = tagged.transform(fine_grain(tags)).transform(tag_monthly(tags))
    got = {
        (row[c.TAG_KEY], row[c.TAG_VALUE], row[c.SERVICE]): (
            row[c.AMORTIZED],
            row[c.TAG_COVERAGE],
        )
        for row in out.collect()
    }
    assert got == {
        ("env", "prod", "EC2"): (60.0, 0.7),
        ("env", None, "EC2"): (30.0, 0.7),
        ("env", "dev", "S3"): (10.0, 0.7),
        ("team", "web", "EC2"): (90.0, 0.9),
        ("team", None, "S3"): (10.0, 0.9),
    }
    for key in ("env", "team"):
        assert sum(v[0] for k, v in got.items() if k[0] == key) == pytest.approx(100.0)


SAVINGS_COLUMNS = [
    *BASE,
    c.PUBLIC_ON_DEMAND_COST,
    c.SP_EFFECTIVE_COST,
    c.SP_TOTAL_COMMITMENT,
    c.SP_USED_COMMITMENT,
    c.RI_EFFECTIVE_COST,
    c.RI_UNUSED_AMORTIZED_UPFRONT,
    c.RI_UNUSED_RECURRING,
    c.RI_ARN,
]


def test_savings_coverage_and_utilization_by_hand(spark) -> None:
    rows = [
        # on-demand usage: public 40
        _row("5", "a1", "EC2", 40.0, **{c.PUBLIC_ON_DEMAND_COST: 40.0}),
        # SP covered usage: public 50, effective 35; its negation
        _row(
            "5",
            "a1",
            "EC2",
            50.0,
            **{
                c.LINE_ITEM_TYPE: c.SP_COVERED_USAGE,
                c.PUBLIC_ON_DEMAND_COST: 50.0,
                c.SP_EFFECTIVE_COST: 35.0,
            },
        ),
        _row(
            "5",
            "a1",
            "EC2",
            -50.0,
            **{c.LINE_ITEM_TYPE: c.SP_NEGATION, c.PUBLIC_ON_DEMAND_COST: 50.0},
        ),
        # SP recurring fee: commitment 40, used 35
        _row(
            "5",
            "a1",
            "SP",
            40.0,
            **{
                c.LINE_ITEM_TYPE: c.SP_RECURRING_FEE,
                c.SP_TOTAL_COMMITMENT: 40.0,
                c.SP_USED_COMMITMENT: 35.0,
            },
        ),
        # RI usage: public 30, effective 18; RI fee with 2 unused
        _row(
            "5",
            "a1",
            "RDS",
            0.0,
            **{
                c.LINE_ITEM_TYPE: c.DISCOUNTED_USAGE,
                c.PUBLIC_ON_DEMAND_COST: 30.0,
                c.RI_EFFECTIVE_COST: 18.0,
                c.RI_ARN: "ri",
            },
        ),
        _row(
            "5",
            "a1",
            "RDS",
            20.0,
            **{
                c.LINE_ITEM_TYPE: c.RI_FEE,
                c.RI_UNUSED_AMORTIZED_UPFRONT: 1.5,
                c.RI_UNUSED_RECURRING: 0.5,
                c.RI_ARN: "ri",
            },
        ),
    ]
    frame = conformed(spark, rows, SAVINGS_COLUMNS)
    out = frame.transform(fine_grain()).transform(savings_monthly).first().asDict()
    # amortized: 40 + 35 + 0 + (40 - 35) + 18 + 2 = 100; public (negation counts 0): 40+50+30 = 120
    assert out[c.AMORTIZED] == pytest.approx(100.0)
    assert out[c.ON_DEMAND_EQUIVALENT] == pytest.approx(120.0)
    assert out[c.SAVINGS] == pytest.approx(20.0)
    assert out[c.SP_COVERED] == pytest.approx(50.0)
    assert out[c.RI_COVERED] == pytest.approx(30.0)
    assert out[c.ELIGIBLE] == pytest.approx(120.0)
    assert out[c.COVERAGE] == pytest.approx(80 / 120)
    assert out[c.SP_UNUSED] == pytest.approx(5.0)
    assert out[c.RI_UNUSED] == pytest.approx(2.0)
    assert out[c.SP_UTILIZATION] == pytest.approx(35 / 40)
    assert out[c.RI_UTILIZATION] == pytest.approx(18 / 20)


def test_savings_without_commitments_has_null_utilization(spark) -> None:
    frame = conformed(
        spark,
        [_row("5", "a1", "EC2", 5.0, **{c.PUBLIC_ON_DEMAND_COST: 5.0})],
        [*BASE, c.PUBLIC_ON_DEMAND_COST],
    )
    out = frame.transform(fine_grain()).transform(savings_monthly).first()
    assert out[c.RI_UTILIZATION] is None and out[c.SP_UTILIZATION] is None
    assert out[c.COVERAGE] == 0.0


TYPE_COLUMNS = [
    c.LINE_ITEM_TYPE,
    c.PRODUCT_CODE,
    c.UNBLENDED_COST,
    c.NET_UNBLENDED_COST,
    c.RI_ARN,
    c.USAGE_START,
]


def test_adjustments_and_fees_land_in_their_charge_type_and_measures(spark) -> None:
    """Hand-checked: each line type keeps its own charge type; the upfront payments and the
    Compute Savings Plan refund are 0 in amortized cost and carried by ``ri_sp_trueup``."""
    import datetime as dt

    when = dt.datetime(2024, 5, 3, 10)
    rows = [
        (c.CREDIT, "AmazonEC2", -10.0, -10.0, ""),
        (c.REFUND, "AmazonS3", -4.0, -4.0, ""),
        (c.REFUND, c.COMPUTE_SAVINGS_PLANS, -250.0, -237.5, ""),
        (c.TAX, "AmazonEC2", 7.0, 7.0, ""),
        (c.EDP_DISCOUNT, "AmazonEC2", -30.0, 0.0, ""),
        (c.BUNDLED_DISCOUNT, "AmazonS3", -2.0, -2.0, ""),
        (c.PRIVATE_RATE_DISCOUNT, "AmazonRDS", -5.0, -5.0, ""),
        (c.SP_UPFRONT_FEE, c.COMPUTE_SAVINGS_PLANS, 900.0, 855.0, ""),
        (c.FEE, "AmazonEC2", 1200.0, 1140.0, "arn:aws:ec2:us-east-1:1:reserved-instances/r"),
        (c.FEE, "AWSSupport", 29.0, 29.0, ""),
    ]
    frame = conformed(
        spark, [dict(zip(TYPE_COLUMNS, (*row, when), strict=True)) for row in rows], TYPE_COLUMNS
    )
    out = (
        frame.transform(fine_grain())
        .transform(daily_cost)
        .groupBy(c.CHARGE_TYPE)
        .agg(
            *[
                F.sum(m).alias(m)
                for m in (c.UNBLENDED, c.NET_UNBLENDED, c.AMORTIZED, c.RI_SP_TRUEUP)
            ]
        )
    )
    got = {
        r[c.CHARGE_TYPE]: (r.unblended_cost, r.net_unblended_cost, r.amortized_cost, r.ri_sp_trueup)
        for r in out.collect()
    }
    assert got == {
        c.CREDIT: (-10.0, -10.0, -10.0, 0.0),
        c.REFUND: (-254.0, -241.5, -4.0, -250.0),
        c.TAX: (7.0, 7.0, 7.0, 0.0),
        c.EDP_DISCOUNT: (-30.0, 0.0, -30.0, 0.0),
        c.BUNDLED_DISCOUNT: (-2.0, -2.0, -2.0, 0.0),
        c.PRIVATE_RATE_DISCOUNT: (-5.0, -5.0, -5.0, 0.0),
        c.SP_UPFRONT_FEE: (900.0, 855.0, 0.0, 900.0),
        c.FEE: (1229.0, 1169.0, 29.0, 1200.0),
    }
