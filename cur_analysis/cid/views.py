"""One transform per CID view: conformed line items of the requested periods -> the view's rows.

Each keeps CID's columns in CID's order (``schema``) and groups as the view does, with two
changes that follow from publishing per period: no window relative to today (every day of a
computed period is kept) and, for ``summary_view``, the daily grain for every period (CID rolls
periods older than 3 months up to the month; summing a month of days gives the same figures).
``tags`` is the selected tags as (tag key, conformed tag column) pairs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from cur_analysis import columns as c
from cur_analysis import measures as m
from cur_analysis.cid import rules as r
from cur_analysis.cid import schema as k
from cur_analysis.cid import source as s
from cur_analysis.focus import source as focus

Transform = Callable[[DataFrame], DataFrame]
Tags = Sequence[tuple[str, str]]


def _period_keys() -> dict[str, Column | None]:
    """``year``, ``month`` and ``tags_json``, which ``_aggregated`` builds after grouping."""
    return {k.YEAR: r.year(), k.MONTH: r.month(), k.TAGS_JSON: None}


def _aggregated(
    keys: Mapping[str, Column | None],
    sums: Mapping[str, Column],
    where: Column | None = None,
    tags: Tags = (),
) -> Transform:
    """Filter, group by ``keys`` and aggregate ``sums``, each aliased to its name.

    ``tags_json`` (the ``None`` key) is grouped by the selected tag columns themselves and
    written as JSON once per row of the view: the same groups (one JSON text per tag values),
    without serializing JSON for every line item."""

    def to_view(line_items: DataFrame) -> DataFrame:
        rows = line_items if where is None else line_items.where(where)
        grouped = [e.alias(n) for n, e in keys.items() if e is not None]
        tag_columns = [F.col(column) for _, column in tags]
        summed = rows.groupBy(*grouped, *tag_columns).agg(*[e.alias(n) for n, e in sums.items()])
        return summed.select(
            *[F.col(n) if e is not None else r.tags_json(tags).alias(n) for n, e in keys.items()],
            *sums,
        )

    return to_view


def summary_view(tags: Tags = ()) -> Transform:
    """``summary_view``: cost and usage per day and the 35 CID dimensions."""
    keys = {
        **_period_keys(),
        k.BILLING_PERIOD: r.billing_period(),
        k.USAGE_DATE: r.usage_day(),
        k.PAYER: F.col(c.PAYER_ACCOUNT_ID),
        k.LINKED_ACCOUNT: F.col(c.USAGE_ACCOUNT_ID),
        "invoice_id": F.col(s.INVOICE_ID),
        k.CHARGE_TYPE: F.col(c.LINE_ITEM_TYPE),
        "charge_category": r.charge_category(),
        k.PURCHASE_OPTION: r.purchase_option(),
        k.RI_SP_ARN: r.ri_sp_arn(),
        k.PRODUCT_CODE: F.col(c.PRODUCT_CODE),
        "product_name": F.col(c.PRODUCT_NAME),
        "service": r.service(),
        "product_family": F.col(s.PRODUCT_FAMILY),
        "usage_type": F.col(c.USAGE_TYPE),
        k.OPERATION: F.col(c.OPERATION),
        "item_description": F.col(focus.DESCRIPTION),
        "availability_zone": F.col(focus.AVAILABILITY_ZONE),
        k.REGION: F.col(c.REGION),
        "instance_type_family": r.instance_type_family(),
        "instance_type": r.instance_type(),
        "platform": r.platform(),
        "tenancy": F.col(s.TENANCY),
        "processor": F.col(s.PROCESSOR),
        "processor_features": F.col(s.PROCESSOR_FEATURES),
        "database_engine": F.col(s.DATABASE_ENGINE),
        "product_group": F.col(s.PRODUCT_GROUP),
        "product_from_location": F.col(s.FROM_LOCATION),
        "product_to_location": F.col(s.TO_LOCATION),
        "current_generation": F.col(s.CURRENT_GENERATION),
        "legal_entity": F.col(focus.LEGAL_ENTITY),
        "billing_entity": F.col(s.BILLING_ENTITY),
        k.PRICING_UNIT: F.col(focus.PRICING_UNIT),
    }
    sums = {
        "resource_id_count": r.resource_id_count(),
        k.USAGE_QUANTITY: F.sum(r.usage_quantity()),
        k.UNBLENDED_COST: F.sum(m.unblended_cost()),
        k.AMORTIZED_COST: F.sum(r.amortized_cost()),
        "ri_sp_trueup": F.sum(r.ri_sp_trueup()),
        "ri_sp_upfront_fees": F.sum(r.ri_sp_upfront_fees()),
        k.PUBLIC_COST: F.sum(m.public_on_demand_cost()),
    }
    return _aggregated(keys, sums, tags=tags)


def ec2_running_cost(tags: Tags = ()) -> Transform:
    """``ec2_running_cost``: hourly amortized cost and usage of EC2 instances."""
    keys = {
        **_period_keys(),
        k.BILLING_PERIOD: r.billing_period(),
        k.USAGE_DATE: r.usage_hour(),
        k.PAYER: F.col(c.PAYER_ACCOUNT_ID),
        k.LINKED_ACCOUNT: F.col(c.USAGE_ACCOUNT_ID),
        k.PURCHASE_OPTION: r.purchase_option(),
    }
    sums = {
        k.AMORTIZED_COST: F.sum(m.amortized_cost()),
        k.USAGE_QUANTITY: F.round(F.sum(m.usage_amount()), 2),
    }
    return _aggregated(keys, sums, r.is_ec2_running(), tags)


def compute_savings_plan_eligible_spend(tags: Tags = ()) -> Transform:
    """``compute_savings_plan_eligible_spend``: hourly on-demand cost a Compute SP could cover."""
    keys = {
        **_period_keys(),
        k.PAYER: F.col(c.PAYER_ACCOUNT_ID),
        k.LINKED_ACCOUNT: F.col(c.USAGE_ACCOUNT_ID),
        k.BILLING_PERIOD: r.billing_period(),
        k.USAGE_DATE: r.usage_hour(),
    }
    sums = {k.UNBLENDED_COST: F.sum(m.unblended_cost())}
    return _aggregated(keys, sums, r.is_compute_savings_plan_eligible(), tags)


def s3_view(tags: Tags = ()) -> Transform:
    """``s3_view``: daily S3 and Glacier storage usage and cost per resource."""
    keys = {
        **_period_keys(),
        k.BILLING_PERIOD: r.billing_period(),
        k.USAGE_DATE: r.usage_day(),
        k.PAYER: F.col(c.PAYER_ACCOUNT_ID),
        k.LINKED_ACCOUNT: F.col(c.USAGE_ACCOUNT_ID),
        k.RESOURCE_ID: F.col(c.RESOURCE_ID),
        k.PRODUCT_CODE: F.col(c.PRODUCT_CODE),
        k.OPERATION: F.col(c.OPERATION),
        k.REGION: F.col(c.REGION),
        k.CHARGE_TYPE: F.col(c.LINE_ITEM_TYPE),
        k.PRICING_UNIT: F.col(focus.PRICING_UNIT),
    }
    sums = {
        k.USAGE_QUANTITY: F.sum(r.storage_usage_quantity()),
        k.UNBLENDED_COST: F.sum(m.unblended_cost()),
        k.PUBLIC_COST: F.sum(m.public_on_demand_cost()),
    }
    return _aggregated(keys, sums, r.is_storage(), tags)


# --- ri_sp_mapping ---

_MAPPING_KEYS = ("billing_period_mapping", "payer_account_id_mapping", "ri_sp_arn_mapping")
_TERMS = ("ri_sp_term", "ri_sp_offering", "ri_sp_payment")
# Per term: the Savings Plan's column, the reservation's column.
_TERM_SOURCES = {
    "ri_sp_term": (s.SP_PURCHASE_TERM, s.LEASE_CONTRACT_LENGTH),
    "ri_sp_offering": (c.SP_OFFERING_TYPE, s.OFFERING_CLASS),
    "ri_sp_payment": (s.SP_PAYMENT_OPTION, s.PURCHASE_OPTION),
}


def _by_commitment(savings_plan: Column, reservation: Column, otherwise: Column) -> Column:
    return (
        F.when(F.col(c.SP_ARN).isNotNull(), savings_plan)
        .when(F.col(c.RI_ARN).isNotNull(), reservation)
        .otherwise(otherwise)
    )


def _day(timestamp: str) -> Column:
    return F.to_date(F.col(timestamp)).cast("timestamp")


def _commitments(line_types: Sequence[str], with_end: bool) -> Transform:
    """One row per period, payer and commitment seen on ``line_types`` lines."""

    def to_rows(line_items: DataFrame) -> DataFrame:
        columns = [
            r.year().alias(k.YEAR),
            r.month().alias(k.MONTH),
            r.billing_period().alias(_MAPPING_KEYS[0]),
            F.col(c.PAYER_ACCOUNT_ID).alias(_MAPPING_KEYS[1]),
            r.ri_sp_arn().alias(_MAPPING_KEYS[2]),
        ]
        if with_end:
            end = _by_commitment(_day(s.SP_END_TIME), _day(s.RI_END_TIME), F.lit(None))
            columns.append(end.cast("timestamp").alias("ri_sp_end_date"))
        for name, (plan, reservation) in _TERM_SOURCES.items():
            columns.append(_by_commitment(F.col(plan), F.col(reservation), F.lit("")).alias(name))
        return line_items.where(F.col(c.LINE_ITEM_TYPE).isin(*line_types)).select(*columns)

    return to_rows


def ri_sp_mapping(_tags: Tags = ()) -> Transform:
    """``ri_sp_mapping``: each commitment's end date and terms, per period and payer; the usage
    lines' terms win over the fee lines' (CID's left join and coalesce)."""

    def to_mapping(line_items: DataFrame) -> DataFrame:
        fees = line_items.transform(_commitments((c.RI_FEE, c.SP_RECURRING_FEE), True)).distinct()
        used = line_items.transform(_commitments(c.USAGE_LINE_TYPES[1:], False))
        used = used.drop(k.YEAR, k.MONTH).distinct()
        # A shuffled join keeps the view inside the job that collects it (a broadcast would be a
        # Spark job of its own).
        joined = fees.alias("a").join(
            used.alias("b").hint("shuffle_hash"), list(_MAPPING_KEYS), "left"
        )
        terms = [F.coalesce(F.col(f"b.{t}"), F.col(f"a.{t}")).alias(t) for t in _TERMS]
        return joined.select(
            F.col(f"a.{k.YEAR}").alias(k.YEAR),
            F.col(f"a.{k.MONTH}").alias(k.MONTH),
            *[F.col(name) for name in _MAPPING_KEYS],
            F.col("a.ri_sp_end_date").alias("ri_sp_end_date"),
            *terms,
        ).distinct()

    return to_mapping


def _latest(value: Column) -> Column:
    """``value`` at the latest usage start among the lines where it is present (CID's
    ``MAX_BY(value, line_item_usage_start_date)``, a blank never winning over a name)."""
    start = F.col(c.USAGE_START)
    return F.max_by(value, F.when(value.isNotNull(), start))


def account_map(_tags: Tags = ()) -> Transform:
    """``account_map`` from the CUR alone, one row per account over every period read: its payer
    at its latest usage start (``account_map_dummy.sql``); its name and its payer's name as CUR
    2.0 has them (``account_map_cur2.sql``), the ID where the CUR has no name (the legacy CUR,
    as the dummy view does); the ID as the email, as the dummy view does; and that latest usage
    start, which decides between two runs' rows when their maps are merged
    (``cid.account_map``)."""

    def to_account_map(line_items: DataFrame) -> DataFrame:
        start = F.col(c.USAGE_START)
        account = F.col(c.USAGE_ACCOUNT_ID)
        return line_items.groupBy(account.alias("account_id")).agg(
            F.max_by(F.col(c.PAYER_ACCOUNT_ID), start).alias("parent_account_id"),
            F.coalesce(_latest(F.col(focus.USAGE_ACCOUNT_NAME)), F.first(account)).alias(
                "account_name"
            ),
            F.first(account).alias("account_email_id"),
            _latest(F.col(focus.PAYER_ACCOUNT_NAME)).alias("parent_account_name"),
            F.max(start).alias(k.LAST_USAGE_START),
        )

    return to_account_map
