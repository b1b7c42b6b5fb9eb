"""CID's rules as Column expressions over the conformed line items (``conform_cur`` with
``source.CID_SOURCE``).

Costs reuse ``measures``; where a CID view's figure differs from ours, the difference is a named
Column built from our measure. Blank CUR text is null after conforming (CID passes ``''``
through): a rule that tests ``x = ''`` or ``x <> ''`` treats null as blank.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Sequence
from functools import reduce

from pyspark.sql import Column
from pyspark.sql import functions as F

from cur_analysis import columns as c
from cur_analysis import dimensions as d
from cur_analysis import measures as m
from cur_analysis.cid import source as s
from cur_analysis.focus import source as focus
from cur_analysis.periods import month_column, year_column

MARKETPLACE = "AWS Marketplace"
FLAT_RATE_SUBSCRIPTION = "FlatRateSubscription"
RUNNING_USAGE, NON_USAGE = "Running_Usage", "non_usage"
# summary_view zeroes a Compute Savings Plan refund only when it refunds the upfront fee.
UPFRONT_REFUND_DESCRIPTION = "Refund for one-time fee for Savings Plan ID"
DATA_TRANSFER = "AWSDataTransfer"
LAMBDA = "AWSLambda"
EC2 = "AmazonEC2"
LAMBDA_USAGE = (
    "Lambda-GB-Second",
    "Lambda-Provisioned-GB-Second",
    "Lambda-Provisioned-Concurrency",
)
S3_PRODUCTS = ("AmazonGlacier", "AmazonS3")
EMPTY_TAGS = "{}"


def _blank(name: str) -> Column:
    """The column with null as ``''``, for CID's comparisons with ``''``."""
    return F.coalesce(F.col(name), F.lit(""))


def _part(text: Column, separator: str, index: int) -> Column:
    """Trino's ``split_part`` (1-based; null past the last part)."""
    return F.get(F.split(text, re.escape(separator), -1), index - 1)


# --- keys ---


def year() -> Column:
    """``split_part(billing_period, '-', 1)``: the period's year, our partition value."""
    return year_column(F.col(c.BILLING_PERIOD))


def month() -> Column:
    """The period's month as the legacy CUR's ``month`` partition writes it (``'5'``)."""
    return month_column(F.col(c.BILLING_PERIOD))


def billing_period() -> Column:
    """``bill_billing_period_start_date``."""
    return F.col(s.BILLING_PERIOD_START)


def usage_hour() -> Column:
    return F.date_trunc("hour", F.col(c.USAGE_START))


def usage_day() -> Column:
    return F.date_trunc("day", F.col(c.USAGE_START))


def charge_category() -> Column:
    """Running_Usage for the three usage line types, non_usage for the rest."""
    return F.when(
        F.col(c.LINE_ITEM_TYPE).isin(*c.USAGE_LINE_TYPES), F.lit(RUNNING_USAGE)
    ).otherwise(F.lit(NON_USAGE))


def purchase_option() -> Column:
    """By the ARN the line carries (not by line type, as ``dimensions.purchase_option``): the
    commitment fees count as SavingsPlan or Reserved too."""
    return (
        F.when(F.col(c.SP_ARN).isNotNull(), F.lit("SavingsPlan"))
        .when(F.col(c.RI_ARN).isNotNull(), F.lit("Reserved"))
        .when(F.col(c.USAGE_TYPE).contains("Spot"), F.lit("Spot"))
        .otherwise(F.lit("OnDemand"))
    )


def ri_sp_arn() -> Column:
    """The Savings Plan ARN, else the reservation ARN, else ``''``."""
    return F.coalesce(F.col(c.SP_ARN), F.col(c.RI_ARN), F.lit(""))


def service() -> Column:
    """The product name for AWS Marketplace charges (discounts excepted), else ``service``."""
    marketplace = (F.col(s.BILLING_ENTITY) == MARKETPLACE) & ~F.col(c.LINE_ITEM_TYPE).contains(
        "Discount"
    )
    return F.when(marketplace, F.col(c.PRODUCT_NAME)).otherwise(d.service())


def _spot_instance_usage() -> Column:
    """EC2 Spot usage, whose instance attributes CID reads from the description."""
    return (
        F.col(c.USAGE_TYPE).contains("Spot")
        & (F.col(c.PRODUCT_CODE) == EC2)
        & (F.col(c.LINE_ITEM_TYPE) == c.USAGE)
    )


def _spot_or(from_description: Column, otherwise: str) -> Column:
    return F.when(_spot_instance_usage(), from_description).otherwise(F.col(otherwise))


def instance_type_family() -> Column:
    return _spot_or(_part(F.col(focus.DESCRIPTION), ".", 1), s.INSTANCE_TYPE_FAMILY)


def instance_type() -> Column:
    return _spot_or(_part(F.col(focus.DESCRIPTION), " ", 1), s.INSTANCE_TYPE)


def platform() -> Column:
    return _spot_or(_part(_part(F.col(focus.DESCRIPTION), " ", 2), "/", 1), s.OPERATING_SYSTEM)


# --- measures ---


def resource_id_count() -> Column:
    """Exact distinct resource IDs (CID: ``approx_distinct``); a blank ID counts as one value,
    as ``''`` does in CID over the raw CUR."""
    return F.countDistinct(_blank(c.RESOURCE_ID))


def usage_quantity() -> Column:
    """Our usage amount plus FlatRateSubscription lines, which summary_view counts as usage."""
    flat_rate = F.col(c.LINE_ITEM_TYPE) == FLAT_RATE_SUBSCRIPTION
    return F.when(flat_rate, F.coalesce(F.col(c.USAGE_AMOUNT), F.lit(0.0))).otherwise(
        m.usage_amount()
    )


def _upfront_refund_unmatched() -> Column:
    return m.savings_plan_refund() & ~_blank(focus.DESCRIPTION).startswith(
        UPFRONT_REFUND_DESCRIPTION
    )


def amortized_cost() -> Column:
    """Our amortized cost, but a Compute Savings Plan refund whose description is not the
    upfront-fee refund keeps its amount (summary_view zeroes only that description)."""
    return F.when(_upfront_refund_unmatched(), m.unblended_cost()).otherwise(m.amortized_cost())


def _upfront_payment() -> Column:
    return m.line_type_is(c.SP_UPFRONT_FEE) | m.reservation_fee()


def ri_sp_upfront_fees() -> Column:
    """The upfront payments (SavingsPlanUpfrontFee, Fee with a reservation ARN), unblended."""
    return F.when(_upfront_payment(), m.unblended_cost()).otherwise(F.lit(0.0))


def ri_sp_trueup() -> Column:
    """Our true-up without the upfront payments it adds back: CID keeps those apart, in
    ``ri_sp_upfront_fees``, and adds nothing back for a refund."""
    return F.when(_upfront_payment() | m.savings_plan_refund(), F.lit(0.0)).otherwise(
        m.ri_sp_trueup()
    )


def storage_usage_quantity() -> Column:
    """s3_view counts the usage of ``Usage`` lines only."""
    return F.when(F.col(c.LINE_ITEM_TYPE) == c.USAGE, m.usage_amount()).otherwise(F.lit(0.0))


# --- filters ---


def _like(name: str, text: str) -> Column:
    return _blank(name).contains(text)


def _no_data_transfer() -> Column:
    return (_blank(c.SERVICE_CODE) != DATA_TRANSFER) & ~_like(c.USAGE_TYPE, "DataXfer")


def _ec2_instances() -> Column:
    return (F.col(c.PRODUCT_CODE) == EC2) & _like(c.OPERATION, "RunInstances")


def is_ec2_running() -> Column:
    """EC2 RunInstances usage (on demand, Spot, RI or SP covered), no data transfer."""
    return (
        _ec2_instances() & _no_data_transfer() & F.col(c.LINE_ITEM_TYPE).isin(*c.USAGE_LINE_TYPES)
    )


def is_compute_savings_plan_eligible() -> Column:
    """On-demand usage a Compute Savings Plan could cover: EC2 instances, Lambda duration and
    provisioned concurrency, Fargate; no Spot, no data transfer."""
    lambda_kinds = reduce(operator.or_, [_like(c.USAGE_TYPE, kind) for kind in LAMBDA_USAGE])
    eligible = (
        _ec2_instances()
        | ((F.col(c.PRODUCT_CODE) == LAMBDA) & lambda_kinds)
        | _like(c.USAGE_TYPE, "Fargate")
    )
    return (
        (F.col(c.LINE_ITEM_TYPE) == c.USAGE)
        & _no_data_transfer()
        & ~_like(c.USAGE_TYPE, "Spot")
        & eligible
    )


def is_storage() -> Column:
    """S3 and Glacier storage lines."""
    products = reduce(operator.or_, [_like(c.PRODUCT_CODE, code) for code in S3_PRODUCTS])
    return _like(c.OPERATION, "Storage") & products


# --- tags_json ---


def tag_name(key: str) -> str:
    """The JSON key cid-cmd gives a CUR 2.0 tag key: ``user_team`` -> ``tag_team``, ``aws_x``
    -> ``tag_aws_x``, every non-word character as ``_`` (``common.generic_tags_json``)."""
    name = "tag_" + key.removeprefix("user_")
    return re.sub(r"\W", "_", name)


def tags_json(tags: Sequence[tuple[str, str]]) -> Column:
    """A JSON object of the selected tags ((tag key, conformed tag column) pairs), keys in
    sorted order as Athena's ``CAST(map AS JSON)`` writes them; ``'{}'`` when none."""
    if not tags:
        return F.lit(EMPTY_TAGS)
    entries = sorted((tag_name(key), column) for key, column in tags)
    pairs = [part for name, column in entries for part in (F.lit(name), F.col(column))]
    return F.to_json(F.create_map(*pairs))
