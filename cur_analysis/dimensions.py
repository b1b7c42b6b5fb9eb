"""Dimension expressions over a conformed CUR frame (the grouping keys of the datasets)."""

from __future__ import annotations

from pyspark.sql import Column
from pyspark.sql import functions as F

from cur_analysis import columns as c
from cur_analysis.reuse import per_jvm


@per_jvm
def usage_date() -> Column:
    """Calendar day (UTC) the usage started."""
    return F.to_date(F.col(c.USAGE_START))


@per_jvm
def service() -> Column:
    """``product_servicecode``, else ``line_item_product_code`` (fees often lack the former)."""
    return F.coalesce(F.col(c.SERVICE_CODE), F.col(c.PRODUCT_CODE))


@per_jvm
def region() -> Column:
    """``product_region``, else ``product_region_code``, else ``global``."""
    return F.coalesce(F.col(c.REGION), F.col(c.REGION_CODE), F.lit(c.GLOBAL_REGION))


@per_jvm
def purchase_option() -> Column:
    """SavingsPlan / Reserved / Spot / OnDemand, as CID's ``purchase_option``."""
    line_type = F.col(c.LINE_ITEM_TYPE)
    return (
        F.when(line_type == c.SP_COVERED_USAGE, F.lit("SavingsPlan"))
        .when(line_type == c.DISCOUNTED_USAGE, F.lit("Reserved"))
        .when(F.col(c.USAGE_TYPE).contains("Spot"), F.lit("Spot"))
        .otherwise(F.lit("OnDemand"))
    )
