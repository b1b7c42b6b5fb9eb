"""Each FOCUS 1.0 column of the ``focus`` dataset, declared once: its rule and where it comes from.

FOCUS 1.2 (``rules_1_2``) takes every rule that did not change from this table by name.
A rule is a ``Column`` expression over the conformed line items (``conform_cur`` with
``source.FOCUS_SOURCE``). Sources, cited per column:

- ``AWS``: AWS Data Exports, "FOCUS 1.0 with AWS columns" table dictionary and its conformance
  gaps page (docs.aws.amazon.com/cur/latest/userguide/table-dictionary-focus-1-0-aws-columns.html);
- ``SPEC``: the FOCUS 1.0 specification (focus.finops.org, FOCUS_Spec v1.0), the column's section;
- ``CONVERTER``: focus-converter 1.0.0, ``conversion_configs/aws/<file>.yaml``;
- ``AWS_EXPORT``: a month of AWS's native FOCUS export, anonymized, as the tables it decides cite
  it (``units``, ``service_categories``, ``resource_types``): the values AWS writes.

Costs reuse ``measures``: EffectiveCost *is* ``amortized_cost`` and BilledCost ``unblended_cost``,
so the FOCUS totals equal the other datasets' by construction, not by a second formula.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import reduce
from typing import TypeVar

from pyspark.sql import Column
from pyspark.sql import functions as F
from pyspark.sql.types import DataType, MapType, StringType

from cur_analysis import columns as c
from cur_analysis import measures as m
from cur_analysis.focus import source as s
from cur_analysis.focus import units
from cur_analysis.focus.resource_types import RESOURCE_TYPES, ResourceTypeRule
from cur_analysis.focus.service_categories import (
    LINE_CATEGORIES,
    OTHER,
    SERVICE_CATEGORIES,
    LineCategory,
)

T = TypeVar("T")
AWS = "AWS FOCUS 1.0 export"
SPEC = "FOCUS 1.0 spec"
CONVERTER = "focus-converter 1.0.0"
AWS_EXPORT = "AWS's native FOCUS export"
PROVIDER = "AWS"


# How a column is aggregated to a time granularity (``granularity``): summed, or kept as part
# of the row's key (a map kept whole; ``MAP_SUM``: a map whose values are summed key by key).
KEEP = "kept"
SUM = "summed"
MAP_SUM = "summed per key"


@dataclass(frozen=True)
class Rule:
    """One FOCUS column: its name, its expression and the source of the rule; the type and
    nullability a version's table declares for it (FOCUS 1.2: AWS's dictionary) and how it is
    aggregated to a time granularity."""

    name: str
    expression: Callable[[], Column]
    source: str
    data_type: DataType | None = None
    nullable: bool = True
    aggregate: str = KEEP


def _line_type(*types: str) -> Column:
    return F.col(c.LINE_ITEM_TYPE).isin(*types)


USAGE_TYPES = (c.USAGE, c.DISCOUNTED_USAGE, c.SP_COVERED_USAGE, c.SP_NEGATION)
DISCOUNT_TYPES = (c.EDP_DISCOUNT, c.BUNDLED_DISCOUNT, c.PRIVATE_RATE_DISCOUNT, "Discount")
PURCHASE_TYPES = (c.FEE, c.RI_FEE, c.SP_RECURRING_FEE, c.SP_UPFRONT_FEE)
RECURRING_FEES = (c.RI_FEE, c.SP_RECURRING_FEE)


def charge_category() -> Column:
    """Usage / Purchase / Tax / Credit / Adjustment by line item type (converter's mapping,
    except Credit: FOCUS 1.0 has a Credit category, which the converter's list predates)."""
    line_type = F.col(c.LINE_ITEM_TYPE)
    return (
        F.when(_line_type(*USAGE_TYPES, *DISCOUNT_TYPES), F.lit("Usage"))
        .when(_line_type(*PURCHASE_TYPES), F.lit("Purchase"))
        .when(line_type == c.TAX, F.lit("Tax"))
        .when(line_type == c.CREDIT, F.lit("Credit"))
        .otherwise(F.lit("Adjustment"))
    )


def charge_class() -> Column:
    """``Correction`` for a charge of an earlier billing period billed in this one (FOCUS 1.0
    ChargeClass: a correction to a previously invoiced billing period); null otherwise."""
    return F.when(F.col(c.USAGE_START) < billing_period_start(), F.lit("Correction")).cast(
        StringType()
    )


def charge_frequency() -> Column:
    """Usage-Based for usage, Recurring for the monthly commitment fees and tax, One-Time for
    upfront fees, credits and refunds (FOCUS 1.0 ChargeFrequency values)."""
    return (
        F.when(_line_type(*USAGE_TYPES, *DISCOUNT_TYPES), F.lit("Usage-Based"))
        .when(_line_type(*RECURRING_FEES, c.TAX), F.lit("Recurring"))
        .otherwise(F.lit("One-Time"))
    )


def billing_period_start() -> Column:
    """First instant (UTC) of the billing period, from the partition (always present)."""
    return F.to_timestamp(F.concat(F.col(c.BILLING_PERIOD), F.lit("-01 00:00:00")))


def billing_period_end() -> Column:
    """Exclusive end: the first instant of the next billing period."""
    return F.to_timestamp(F.add_months(billing_period_start(), 1))


def _commitment_arn() -> Column:
    """The savings plan or reservation a line belongs to (the CUR sets the ARN on covered
    usage, negations and fees of that commitment)."""
    return F.coalesce(F.col(c.SP_ARN), F.col(c.RI_ARN))


def _by_commitment(savings_plan: str, reservation: str) -> Column:
    return (
        F.when(F.col(c.SP_ARN).isNotNull(), F.lit(savings_plan))
        .when(F.col(c.RI_ARN).isNotNull(), F.lit(reservation))
        .cast(StringType())
    )


def commitment_status() -> Column:
    """Used for covered usage, Unused for the recurring fee lines (their EffectiveCost is the
    unused commitment); null elsewhere."""
    return (
        F.when(_line_type(c.DISCOUNTED_USAGE, c.SP_COVERED_USAGE), F.lit("Used"))
        .when(_line_type(*RECURRING_FEES), F.lit("Unused"))
        .cast(StringType())
    )


def pricing_category() -> Column:
    """Committed for commitment-covered usage and fees, Dynamic for Spot, Standard for other
    usage and purchases, Other for credits (as AWS's export writes them); null for tax and
    adjustments (FOCUS 1.0 PricingCategory)."""
    usage_or_purchase = _line_type(*USAGE_TYPES, *PURCHASE_TYPES)
    return (
        F.when(_line_type(c.CREDIT), F.lit("Other"))
        .when(~usage_or_purchase, F.lit(None))
        .when(_commitment_arn().isNotNull(), F.lit("Committed"))
        .when(F.col(c.USAGE_TYPE).contains("Spot"), F.lit("Dynamic"))
        .otherwise(F.lit("Standard"))
        .cast(StringType())
    )


def _usage_only(column: Column) -> Column:
    """``column`` on usage lines; null on the others (ConsumedQuantity/Unit are usage facts)."""
    return F.when(_line_type(*USAGE_TYPES), column)


def _usage_type_has(parts: Sequence[str]) -> Column:
    usage_type = F.col(c.USAGE_TYPE)
    return reduce(operator.or_, [usage_type.contains(part) for part in parts], F.lit(False))


def _first_match(
    rows: Sequence[T], matches: Callable[[T], Column], value: Callable[[T], str]
) -> Column:
    """``value`` of the first of ``rows`` the line ``matches``; null when it matches none."""
    first, *others = rows
    chosen = F.when(matches(first), F.lit(value(first)))
    for row in others:
        chosen = chosen.when(matches(row), F.lit(value(row)))
    return chosen.cast(StringType())


def _in_line_category(row: LineCategory) -> Column:
    family = F.col(s.PRODUCT_FAMILY)
    by_family = reduce(operator.or_, [family == f for f in row.product_families], F.lit(False))
    by_usage = _usage_type_has(row.usage_types)
    return (F.col(c.PRODUCT_CODE) == row.product_code) & F.coalesce(
        by_family | by_usage, F.lit(False)
    )


def line_subcategory() -> Column:
    """The subcategory of a line ``LINE_CATEGORIES`` places apart from its service; else null."""
    return _first_match(LINE_CATEGORIES, _in_line_category, lambda row: row.subcategory)


def service_category() -> Column:
    """The line's category as AWS's export assigns it: its ``LINE_CATEGORIES`` row's where one
    matches, else its product code's (``SERVICE_CATEGORIES``); ``Other`` when not listed."""
    pairs = [F.lit(item) for pair in sorted(SERVICE_CATEGORIES.items()) for item in pair]
    by_code = F.element_at(F.create_map(*pairs), F.col(c.PRODUCT_CODE))
    by_line = _first_match(LINE_CATEGORIES, _in_line_category, lambda row: row.category)
    return F.coalesce(by_line, by_code, F.lit(OTHER))


def _has_resource_type(rule: ResourceTypeRule) -> Column:
    matches = (F.col(c.PRODUCT_CODE) == rule.product_code) & F.col(c.RESOURCE_ID).rlike(
        rule.resource_id
    )
    return matches & _usage_type_has(rule.usage_types) if rule.usage_types else matches


def resource_type() -> Column:
    """The kind of resource ``RESOURCE_TYPES`` gives the line; null where it gives none."""
    return _first_match(RESOURCE_TYPES, _has_resource_type, lambda rule: rule.resource_type)


def sku_price_id() -> Column:
    """AWS's ``<SKU>.<OfferTermCode>.<RateCode>``, which is the CUR's ``pricing_rate_code``; where
    the CUR has only a rate id (a 2018 CUR), ``<SKU>.<rate id>``: a rate id alone is not unique
    per SKU, and SkuPriceId must have one parent SkuId."""
    rate_id = F.when(F.col(s.RATE_ID).isNotNull(), F.concat_ws(".", F.col(s.SKU), F.col(s.RATE_ID)))
    return F.coalesce(F.col(s.RATE_CODE), rate_id)


def service_name() -> Column:
    """The product name; the product code where the line has none (fees, some tax lines)."""
    return F.coalesce(F.col(c.PRODUCT_NAME), F.col(c.PRODUCT_CODE), F.col(c.SERVICE_CODE))


def _issuer() -> Column:
    return F.coalesce(F.col(s.INVOICING_ENTITY), F.col(s.LEGAL_ENTITY), F.lit(PROVIDER))


RULES_1_0: tuple[Rule, ...] = (
    Rule(
        "BilledCost",
        m.unblended_cost,
        f"{AWS}; {SPEC} (unblended: the invoiced amount)",
        aggregate=SUM,
    ),
    Rule(
        "EffectiveCost", m.amortized_cost, f"{AWS}; {CONVERTER} effective_cost_S001", aggregate=SUM
    ),
    Rule(
        "ListCost", m.public_on_demand_cost, f"{AWS} (pricing_public_on_demand_cost)", aggregate=SUM
    ),
    Rule("ListUnitPrice", lambda: F.col(s.PUBLIC_ON_DEMAND_RATE), f"{AWS}; {CONVERTER}"),
    Rule(
        "ContractedCost", m.net_unblended_cost, f"{SPEC} (cost at negotiated rates)", aggregate=SUM
    ),
    Rule("ContractedUnitPrice", lambda: F.lit(None).cast("double"), f"{AWS} gap (no rate)"),
    Rule("BillingAccountId", lambda: F.col(c.PAYER_ACCOUNT_ID), f"{AWS}; {CONVERTER}"),
    Rule("BillingAccountName", lambda: F.col(s.PAYER_ACCOUNT_NAME), f"{AWS} (CUR 2.0 only)"),
    Rule("BillingCurrency", lambda: F.col(s.CURRENCY), f"{AWS}; {CONVERTER}"),
    Rule("BillingPeriodStart", billing_period_start, SPEC),
    Rule("BillingPeriodEnd", billing_period_end, SPEC),
    Rule("ChargePeriodStart", lambda: F.col(c.USAGE_START), f"{AWS}; {CONVERTER}"),
    Rule("ChargePeriodEnd", lambda: F.col(s.USAGE_END), f"{AWS}; {CONVERTER}"),
    Rule("ChargeCategory", charge_category, f"{CONVERTER} 1_charge_category_S001; {SPEC}"),
    Rule("ChargeClass", charge_class, SPEC),
    Rule("ChargeDescription", lambda: F.col(s.DESCRIPTION), f"{AWS}; {CONVERTER}"),
    Rule("ChargeFrequency", charge_frequency, SPEC),
    Rule("CommitmentDiscountId", _commitment_arn, f"{AWS}; {CONVERTER}"),
    Rule(
        "CommitmentDiscountCategory",
        lambda: _by_commitment("Spend", "Usage"),
        f"{AWS}; {CONVERTER}",
    ),
    Rule(
        "CommitmentDiscountType",
        lambda: _by_commitment("Savings Plan", "Reserved Instance"),
        AWS,
    ),
    Rule("CommitmentDiscountName", lambda: F.lit(None).cast(StringType()), f"{AWS} (no name)"),
    Rule("CommitmentDiscountStatus", commitment_status, SPEC),
    Rule("PricingQuantity", lambda: F.col(c.USAGE_AMOUNT), f"{AWS}; {CONVERTER}", aggregate=SUM),
    Rule("PricingUnit", units.pricing_unit, f"{AWS}; {AWS_EXPORT} (units)"),
    Rule("PricingCategory", pricing_category, f"{SPEC}; {AWS_EXPORT} (credits)"),
    Rule("ConsumedQuantity", lambda: _usage_only(F.col(c.USAGE_AMOUNT)), SPEC, aggregate=SUM),
    Rule("ConsumedUnit", lambda: _usage_only(units.pricing_unit()), f"{SPEC}; {AWS_EXPORT}"),
    Rule("ProviderName", lambda: F.lit(PROVIDER), AWS),
    Rule("PublisherName", lambda: F.coalesce(F.col(s.LEGAL_ENTITY), F.lit(PROVIDER)), CONVERTER),
    Rule("InvoiceIssuerName", _issuer, f"{AWS}; {CONVERTER}"),
    Rule("RegionId", lambda: F.coalesce(F.col(c.REGION), F.col(c.REGION_CODE)), CONVERTER),
    Rule("RegionName", lambda: F.col(s.LOCATION), AWS),
    Rule("AvailabilityZone", lambda: F.col(s.AVAILABILITY_ZONE), f"{AWS}; {CONVERTER}"),
    Rule("ResourceId", lambda: F.col(c.RESOURCE_ID), f"{AWS}; {CONVERTER}"),
    Rule("ResourceName", lambda: F.lit(None).cast(StringType()), f"{SPEC} (no display name)"),
    Rule("ResourceType", resource_type, f"{AWS_EXPORT} (resource_types)"),
    Rule("ServiceName", service_name, AWS),
    Rule(
        "ServiceCategory",
        service_category,
        f"{CONVERTER} aws_category_mapping.csv; {AWS_EXPORT} (service_categories)",
    ),
    Rule("SkuId", lambda: F.col(s.SKU), f"{AWS}; {CONVERTER}"),
    Rule("SkuPriceId", sku_price_id, f"{AWS_EXPORT} (SKU.OfferTermCode.RateCode)"),
    Rule("SubAccountId", lambda: F.col(c.USAGE_ACCOUNT_ID), f"{AWS}; {CONVERTER}"),
    Rule("SubAccountName", lambda: F.col(s.USAGE_ACCOUNT_NAME), f"{AWS} (CUR 2.0 only)"),
    Rule("x_ServiceCode", lambda: F.col(c.PRODUCT_CODE), AWS),
    Rule("x_UsageType", lambda: F.col(c.USAGE_TYPE), AWS),
    Rule("x_Operation", lambda: F.col(c.OPERATION), AWS),
)
TAGS = "Tags"


def _cur2_tag_map() -> Column:
    """CUR 2.0's ``resource_tags`` user entries (``user_`` dropped, blanks out), keys sorted."""
    entries = F.map_filter(
        F.col(c.CUR2_RESOURCE_TAGS),
        lambda key, value: key.startswith(c.CUR2_USER_TAG_PREFIX) & (value != ""),
    )
    entries = F.transform_keys(
        entries, lambda key, _value: F.substring(key, len(c.CUR2_USER_TAG_PREFIX) + 1, 1 << 20)
    )
    return F.map_from_entries(F.array_sort(F.map_entries(entries)))


def _cur2_tags() -> Column:
    """``_cur2_tag_map`` as JSON; null when no entry is left."""
    entries = _cur2_tag_map()
    return F.when(F.size(entries) > 0, F.to_json(entries))


def _legacy_tags(tag_columns: Sequence[str]) -> Column:
    """The legacy tag columns as a JSON object of their non-null values, keys sorted; null when
    the line has none. ``to_json`` of a struct leaves null fields out, so this is one codegen'd
    projection, with no array of pairs built and filtered per line."""
    if not tag_columns:
        return F.lit(None).cast(StringType())
    fields = sorted((name[len(c.USER_TAG_PREFIX) :], name) for name in tag_columns)
    values = F.struct(*[F.col(name).alias(key) for key, name in fields])
    tagged = F.coalesce(*[F.col(name) for _, name in fields]).isNotNull()
    return F.when(tagged, F.to_json(values, {"ignoreNullFields": "true"}))


def tags(tag_columns: Sequence[str]) -> Column:
    """FOCUS Tags: the line's user tags as a JSON object string (FOCUS 1.0 Key-Value Format).

    CUR 2.0's ``resource_tags`` map keeps the keys as the user wrote them (``user_`` prefix
    dropped); the legacy CUR turns each key into a column name, lower case and with ``_`` for
    other characters, so a legacy key is that column's name after ``resource_tags_user_``: the
    original spelling is gone from the source. Keys in sorted order, so a tag set has one text;
    null when the line has no tag value.
    """
    chosen = F.when(F.col(c.CUR2_RESOURCE_TAGS).isNotNull(), _cur2_tags()).otherwise(
        _legacy_tags(tag_columns)
    )
    return chosen.cast(StringType())


TAG_MAP = MapType(StringType(), StringType())


def present_entries(
    entries: Sequence[tuple[str, Column]], present: Callable[[Column], Column] | None = None
) -> Column:
    """A map of the ``(key, value)`` entries whose value is present (not null, or ``present``
    of it), in the given order; null when there is none. Built from an array with the absent
    entries compacted away, which Spark compiles (``map_filter``'s lambda it interprets, row by
    row: about twice the cost on a month of line items)."""

    def kept(value: Column) -> Column:
        return value.isNotNull() if present is None else value.isNotNull() & present(value)

    def entry(key: str, value: Column) -> Column:
        return F.when(kept(value), F.struct(F.lit(key).alias("key"), value.alias("value")))

    any_kept = reduce(operator.or_, [kept(value) for _, value in entries])
    array = F.array_compact(F.array(*[entry(key, value) for key, value in entries]))
    return F.when(any_kept, F.map_from_entries(array))


def _legacy_tag_map(tag_columns: Sequence[str]) -> Column:
    """The legacy tag columns' non-null values by key (the column name after the prefix)."""
    if not tag_columns:
        return F.lit(None).cast(TAG_MAP)
    fields = sorted((n[len(c.USER_TAG_PREFIX) :], n) for n in tag_columns)
    return present_entries([(key, F.col(name)) for key, name in fields])


def tag_map(tag_columns: Sequence[str]) -> Column:
    """FOCUS Tags as a map, the type of AWS's native export (``tags`` gives the same entries
    as the JSON text FOCUS 1.0's Key-Value Format names); null when the line has no tag."""
    cur2 = _cur2_tag_map()
    chosen = F.when(
        F.col(c.CUR2_RESOURCE_TAGS).isNotNull(), F.when(F.size(cur2) > 0, cur2)
    ).otherwise(_legacy_tag_map(tag_columns))
    return chosen.cast(TAG_MAP)
