"""``daily_cost``: every measure per day, account, service, region, charge type, purchase option."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from cur_analysis import columns as c
from cur_analysis import dimensions as d
from cur_analysis.measures import summed_measures

NAME = "daily_cost"
KEYS = (
    c.USAGE_DATE,
    c.BILLING_PERIOD,
    c.PAYER,
    c.ACCOUNT,
    c.SERVICE,
    c.REGION_OUT,
    c.CHARGE_TYPE,
    c.PURCHASE_OPTION,
)


def daily_cost(cur: DataFrame) -> DataFrame:
    """Aggregate a conformed CUR frame (split-cost rows already removed) to the daily grain."""
    return cur.groupBy(
        d.usage_date().alias(c.USAGE_DATE),
        F.col(c.BILLING_PERIOD),
        F.col(c.PAYER_ACCOUNT_ID).alias(c.PAYER),
        F.col(c.USAGE_ACCOUNT_ID).alias(c.ACCOUNT),
        d.service().alias(c.SERVICE),
        d.region().alias(c.REGION_OUT),
        F.col(c.LINE_ITEM_TYPE).alias(c.CHARGE_TYPE),
        d.purchase_option().alias(c.PURCHASE_OPTION),
    ).agg(*summed_measures(), F.count(F.lit(1)).alias(c.LINE_ITEM_COUNT))
