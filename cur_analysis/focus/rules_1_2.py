"""FOCUS 1.2 with AWS columns: AWS's table dictionary, column by column, and the rule of each
column that FOCUS 1.1 or 1.2 added or changed; every other rule is FOCUS 1.0's (``rules_1_0``),
taken by name.

Sources, cited per column:

- ``AWS``: AWS Data Exports, "FOCUS 1.2 with AWS columns" table dictionary
  (docs.aws.amazon.com/cur/latest/userguide/table-dictionary-focus-1-2-aws-columns.html) and its
  conformance gaps page (table-dictionary-focus-1-2-aws-conformance.html): the column list,
  each column's type and whether it may be null;
- ``SPEC``: the FOCUS 1.2 specification (github.com/FinOps-Open-Cost-and-Usage-Spec/FOCUS_Spec,
  v1.2), the column's section; its requirements are what focus-validator 2.2.1's model checks;
- ``CUR``: the CUR column the value is read from, where AWS's page names no rule.
"""

from __future__ import annotations

from pyspark.sql import Column
from pyspark.sql import functions as F
from pyspark.sql.types import DataType, DoubleType, MapType, StringType, TimestampType

from cur_analysis import columns as c
from cur_analysis.focus import rules_1_0 as r
from cur_analysis.focus import source as s
from cur_analysis.focus.regions import REGION_NAMES
from cur_analysis.focus.rules_1_0 import MAP_SUM, SUM, Rule
from cur_analysis.focus.service_subcategories import SERVICE_SUBCATEGORIES, other

AWS = "AWS FOCUS 1.2 export"
SPEC = "FOCUS 1.2 spec"
CUR = "CUR"

_STRING = StringType()
_DOUBLE = DoubleType()
_TIMESTAMP = TimestampType()  # AWS: timestamp_milliseconds
_STRING_MAP = MapType(StringType(), StringType())
_DOUBLE_MAP = MapType(StringType(), DoubleType())

# AWS's dictionary: every column in its order, with its type and whether it may be null.
DICTIONARY: tuple[tuple[str, DataType, bool], ...] = (
    ("AvailabilityZone", _STRING, True),
    ("BilledCost", _DOUBLE, False),
    ("BillingAccountId", _STRING, False),
    ("BillingAccountName", _STRING, True),
    ("BillingAccountType", _STRING, False),
    ("BillingCurrency", _STRING, False),
    ("BillingPeriodEnd", _TIMESTAMP, False),
    ("BillingPeriodStart", _TIMESTAMP, False),
    ("CapacityReservationId", _STRING, True),
    ("CapacityReservationStatus", _STRING, True),
    ("ChargeCategory", _STRING, False),
    ("ChargeClass", _STRING, True),
    ("ChargeDescription", _STRING, True),
    ("ChargeFrequency", _STRING, False),
    ("ChargePeriodEnd", _TIMESTAMP, False),
    ("ChargePeriodStart", _TIMESTAMP, False),
    ("CommitmentDiscountCategory", _STRING, True),
    ("CommitmentDiscountId", _STRING, True),
    ("CommitmentDiscountName", _STRING, True),
    ("CommitmentDiscountQuantity", _DOUBLE, True),
    ("CommitmentDiscountStatus", _STRING, True),
    ("CommitmentDiscountType", _STRING, True),
    ("CommitmentDiscountUnit", _STRING, True),
    ("ConsumedQuantity", _DOUBLE, True),
    ("ConsumedUnit", _STRING, True),
    ("ContractedCost", _DOUBLE, False),
    ("ContractedUnitPrice", _DOUBLE, True),
    ("EffectiveCost", _DOUBLE, False),
    ("InvoiceId", _STRING, True),
    ("InvoiceIssuerName", _STRING, False),
    ("ListCost", _DOUBLE, False),
    ("ListUnitPrice", _DOUBLE, True),
    ("PricingCategory", _STRING, True),
    ("PricingCurrency", _STRING, True),
    ("PricingCurrencyContractedUnitPrice", _DOUBLE, True),
    ("PricingCurrencyEffectiveCost", _DOUBLE, True),
    ("PricingCurrencyListUnitPrice", _DOUBLE, True),
    ("PricingQuantity", _DOUBLE, True),
    ("PricingUnit", _STRING, True),
    ("ProviderName", _STRING, False),
    ("PublisherName", _STRING, False),
    ("RegionId", _STRING, True),
    ("RegionName", _STRING, True),
    ("ResourceId", _STRING, True),
    ("ResourceName", _STRING, True),
    ("ResourceType", _STRING, True),
    ("ServiceCategory", _STRING, False),
    ("ServiceName", _STRING, False),
    ("ServiceSubcategory", _STRING, True),
    ("SkuId", _STRING, True),
    ("SkuMeter", _STRING, True),
    ("SkuPriceDetails", _STRING_MAP, True),
    ("SkuPriceId", _STRING, True),
    ("SubAccountId", _STRING, True),
    ("SubAccountName", _STRING, True),
    ("SubAccountType", _STRING, True),
    (r.TAGS, _STRING_MAP, True),
    ("x_Discounts", _DOUBLE_MAP, True),
    ("x_Operation", _STRING, True),
    ("x_ServiceCode", _STRING, True),
)

# The account types' display values (SPEC: "a consistent, readable display value"; AWS's page
# names no value): the CUR's own terms for the two accounts of a line.
BILLING_ACCOUNT_TYPE = "Payer Account"
SUB_ACCOUNT_TYPE = "Linked Account"
# CommitmentDiscountUnit of a reservation: its quantity counts reserved hours.
RESERVED_HOURS = "Hours"


def _commitment_quantity() -> Column:
    """How much of the commitment the line consumed or bought, in ``_commitment_unit``: a
    reservation's hours (the usage amount of its covered usage and of its fee), a savings
    plan's spend (the covered usage's effective cost, the fee's billed commitment)."""
    savings_plan = F.col(c.SP_ARN).isNotNull()
    return (
        F.when(savings_plan & r._line_type(c.SP_COVERED_USAGE), F.col(c.SP_EFFECTIVE_COST))
        .when(
            savings_plan & r._line_type(c.SP_RECURRING_FEE, c.SP_UPFRONT_FEE),
            F.col(c.UNBLENDED_COST),
        )
        .when(
            F.col(c.RI_ARN).isNotNull() & r._line_type(c.DISCOUNTED_USAGE, c.RI_FEE),
            F.col(c.USAGE_AMOUNT),
        )
        .cast(_DOUBLE)
    )


def _commitment_unit() -> Column:
    """Hours for a reservation, the billing currency for a savings plan (a spend commitment);
    null where ``_commitment_quantity`` is."""
    return F.when(
        _commitment_quantity().isNotNull(),
        F.when(F.col(c.SP_ARN).isNotNull(), F.col(s.CURRENCY)).otherwise(F.lit(RESERVED_HOURS)),
    ).cast(_STRING)


def _capacity_reservation_status() -> Column:
    """``Used`` or ``Unused`` from the CUR's capacity reservation status, on lines that name
    a capacity reservation; null elsewhere (SPEC: null when CapacityReservationId is)."""
    status = F.initcap(F.lower(F.col(s.CAPACITY_RESERVATION_STATUS)))
    named = F.col(s.CAPACITY_RESERVATION_ARN).isNotNull()
    return F.when(named & status.isin("Used", "Unused"), status).cast(_STRING)


def _service_subcategory() -> Column:
    """The subcategory of the line's ``LINE_CATEGORIES`` row where one matches, else its product
    code's from ``service_subcategories``; ``Other (<category>)`` for a product code not listed
    (each under the line's ServiceCategory)."""
    pairs = [F.lit(item) for pair in sorted(SERVICE_SUBCATEGORIES.items()) for item in pair]
    listed = F.element_at(F.create_map(*pairs), F.col(c.PRODUCT_CODE))
    unlisted = F.concat(F.lit(other("")[:-1]), r.service_category(), F.lit(")"))
    return F.coalesce(r.line_subcategory(), listed, unlisted)


def _pricing_currency() -> Column:
    """The CUR's pricing currency; the billing currency where the CUR has none (a line priced
    in the currency it is billed in)."""
    return F.coalesce(F.col(s.PRICING_CURRENCY), F.col(s.CURRENCY))


def _in_pricing_currency(billed: Column) -> Column:
    """``billed`` (a billing currency amount) where the pricing currency is the billing
    currency; null otherwise (the CUR carries no exchange rate to convert it)."""
    return F.when(_pricing_currency() == F.col(s.CURRENCY), billed).cast(_DOUBLE)


def _discounts() -> Column:
    """x_Discounts: CUR 2.0's ``discount`` map, or the legacy CUR's discount columns under the
    same keys; null when the line has no discount."""
    legacy = r.present_entries(
        [
            ("bundled_discount", F.col(s.BUNDLED_DISCOUNT)),
            ("total_discount", F.col(s.TOTAL_DISCOUNT)),
        ],
        lambda value: value != 0,
    )
    cur2 = F.col(s.DISCOUNTS)
    return (
        F.when(cur2.isNotNull(), F.when(F.size(cur2) > 0, cur2)).otherwise(legacy).cast(_DOUBLE_MAP)
    )


def _charge_category() -> Column:
    """FOCUS 1.0's categories, but a recurring commitment fee is Usage: its EffectiveCost is the
    unused commitment (CommitmentDiscountStatus Unused), and SPEC makes a Purchase's
    EffectiveCost 0 when it covers future charges."""
    recurring_fee = r._line_type(*r.RECURRING_FEES)
    return F.when(recurring_fee, F.lit("Usage")).otherwise(r.charge_category())


def _commitment_status() -> Column:
    """FOCUS 1.0's statuses, and Used on a savings plan negation (usage the plan covers): SPEC
    wants a status on every Usage line that names a commitment discount."""
    negation = r._line_type(c.SP_NEGATION) & F.col(c.SP_ARN).isNotNull()
    return F.when(negation, F.lit("Used")).otherwise(r.commitment_status())


def _region_name() -> Column:
    """The line's location; for a line with a region and no location, the region's name."""
    pairs = [F.lit(item) for pair in sorted(REGION_NAMES.items()) for item in pair]
    region_id = _rule("RegionId").expression()
    return F.coalesce(F.col(s.LOCATION), F.element_at(F.create_map(*pairs), region_id))


def _not_on_tax(name: str) -> Column:
    """FOCUS 1.0's rule of ``name``, null on tax lines (SPEC: PricingQuantity MUST be null when
    ChargeCategory is Tax, and PricingUnit with it)."""
    return F.when(~r._line_type(c.TAX), _rule(name).expression())


def _rule(name: str) -> Rule:
    return next(rule for rule in r.RULES_1_0 if rule.name == name)


def _price(name: str) -> Column:
    return _rule(name).expression()


_ADDED_OR_CHANGED: tuple[Rule, ...] = (
    Rule("ChargeCategory", _charge_category, f"{SPEC} (EffectiveCost of a Purchase); {AWS}"),
    Rule("CommitmentDiscountStatus", _commitment_status, SPEC),
    Rule(
        "PricingQuantity", lambda: _not_on_tax("PricingQuantity"), f"{SPEC}; {AWS}", aggregate=SUM
    ),
    Rule("PricingUnit", lambda: _not_on_tax("PricingUnit"), f"{SPEC}; {AWS}"),
    Rule("RegionName", _region_name, f"{AWS}; {SPEC} (not null with a RegionId)"),
    Rule("BillingAccountType", lambda: F.lit(BILLING_ACCOUNT_TYPE), f"{SPEC} (our display value)"),
    Rule(
        "SubAccountType",
        lambda: F.when(F.col(c.USAGE_ACCOUNT_ID).isNotNull(), F.lit(SUB_ACCOUNT_TYPE)),
        f"{SPEC} (our display value)",
    ),
    Rule(
        "CapacityReservationId",
        lambda: F.col(s.CAPACITY_RESERVATION_ARN),
        f"{AWS}; {CUR} {s.CAPACITY_RESERVATION_ARN}",
    ),
    Rule(
        "CapacityReservationStatus",
        _capacity_reservation_status,
        f"{SPEC}; {CUR} {s.CAPACITY_RESERVATION_STATUS}",
    ),
    Rule("CommitmentDiscountQuantity", _commitment_quantity, SPEC, aggregate=SUM),
    Rule("CommitmentDiscountUnit", _commitment_unit, SPEC),
    Rule("InvoiceId", lambda: F.col(s.INVOICE_ID), f"{AWS}; {CUR} {s.INVOICE_ID}"),
    Rule("PricingCurrency", _pricing_currency, f"{AWS}; {CUR} {s.PRICING_CURRENCY}"),
    Rule(
        "PricingCurrencyContractedUnitPrice",
        lambda: _in_pricing_currency(_price("ContractedUnitPrice")),
        SPEC,
    ),
    Rule(
        "PricingCurrencyEffectiveCost",
        lambda: _in_pricing_currency(_price("EffectiveCost")),
        SPEC,
        aggregate=SUM,
    ),
    Rule(
        "PricingCurrencyListUnitPrice", lambda: _in_pricing_currency(_price("ListUnitPrice")), SPEC
    ),
    Rule(
        "ServiceSubcategory",
        _service_subcategory,
        f"{SPEC} (allowed values); {r.AWS_EXPORT} (line categories)",
    ),
    Rule(
        "SkuMeter",
        lambda: F.when(F.col(s.SKU).isNotNull(), F.col(c.USAGE_TYPE)),
        f"{SPEC}; {CUR} line_item_usage_type",
    ),
    Rule(
        "SkuPriceDetails",
        lambda: F.lit(None).cast(_STRING_MAP),
        f"{AWS} (nullable; the CUR has no price properties beyond the other columns)",
    ),
    Rule("x_Discounts", _discounts, f"{AWS}; {CUR} discount", aggregate=MAP_SUM),
)

_NEW = {rule.name: rule for rule in _ADDED_OR_CHANGED}
_KEPT_FROM_1_0 = {rule.name: rule for rule in r.RULES_1_0}


def _declared(name: str, data_type: DataType, nullable: bool) -> Rule:
    """The column's rule (1.2's own, else 1.0's) with the dictionary's type and nullability."""
    rule = _NEW.get(name) or _KEPT_FROM_1_0[name]
    return Rule(name, rule.expression, rule.source, data_type, nullable, rule.aggregate)


# Every FOCUS 1.2 column but Tags (which reads the run's tag columns: ``rules_1_0.tag_map``).
RULES_1_2: tuple[Rule, ...] = tuple(
    _declared(name, data_type, nullable)
    for name, data_type, nullable in DICTIONARY
    if name != r.TAGS
)
