"""The CUR columns FOCUS reads beyond ``columns.SOURCE_SCHEMA``, with their conformed types.

Read only when the ``focus`` dataset is requested (``conform_cur(..., extra_columns=...)``), so
a default run's Parquet read is unchanged. A column a month's files lack is a typed null, as for
every conformed column. Names are the legacy CUR's Athena form; CUR 2.0 keeps the same names
for these (``resource_tags`` is its user tag map, ``discount`` its discount map).
"""

from __future__ import annotations

from pyspark.sql.types import DataType, DoubleType, MapType, StringType, TimestampType

from cur_analysis import columns as c

_STRING = StringType()
_DOUBLE = DoubleType()

USAGE_END = "line_item_usage_end_date"
CURRENCY = "line_item_currency_code"
DESCRIPTION = "line_item_line_item_description"
AVAILABILITY_ZONE = "line_item_availability_zone"
LEGAL_ENTITY = "line_item_legal_entity"
USAGE_ACCOUNT_NAME = "line_item_usage_account_name"
PAYER_ACCOUNT_NAME = c.CUR2_MARKER  # bill_payer_account_name (CUR 2.0 only)
INVOICING_ENTITY = "bill_invoicing_entity"
PRICING_UNIT = "pricing_unit"
PUBLIC_ON_DEMAND_RATE = "pricing_public_on_demand_rate"
RATE_CODE = "pricing_rate_code"
RATE_ID = "pricing_rate_id"
SKU = "product_sku"
LOCATION = "product_location"
# Read for the per-line ServiceCategory (``service_categories.LINE_CATEGORIES``).
PRODUCT_FAMILY = "product_product_family"
# Read for FOCUS 1.2 (``rules_1_2``).
INVOICE_ID = "bill_invoice_id"
PRICING_CURRENCY = "pricing_currency"
CAPACITY_RESERVATION_ARN = "capacity_reservation_capacity_reservation_arn"
CAPACITY_RESERVATION_STATUS = "capacity_reservation_capacity_reservation_status"
DISCOUNTS = "discount"  # CUR 2.0's discount map
BUNDLED_DISCOUNT = "discount_bundled_discount"
TOTAL_DISCOUNT = "discount_total_discount"

# name -> conformed type, in the order conform projects them.
FOCUS_SOURCE: dict[str, DataType] = {
    USAGE_END: TimestampType(),
    CURRENCY: _STRING,
    DESCRIPTION: _STRING,
    AVAILABILITY_ZONE: _STRING,
    LEGAL_ENTITY: _STRING,
    USAGE_ACCOUNT_NAME: _STRING,
    PAYER_ACCOUNT_NAME: _STRING,
    INVOICING_ENTITY: _STRING,
    c.RESOURCE_ID: _STRING,
    c.PRODUCT_NAME: _STRING,
    c.PRICING_TERM: _STRING,
    PRICING_UNIT: _STRING,
    PUBLIC_ON_DEMAND_RATE: _DOUBLE,
    RATE_CODE: _STRING,
    RATE_ID: _STRING,
    SKU: _STRING,
    LOCATION: _STRING,
    PRODUCT_FAMILY: _STRING,
    c.SP_ARN: _STRING,
    c.CUR2_RESOURCE_TAGS: MapType(_STRING, _STRING),
    INVOICE_ID: _STRING,
    PRICING_CURRENCY: _STRING,
    CAPACITY_RESERVATION_ARN: _STRING,
    CAPACITY_RESERVATION_STATUS: _STRING,
    DISCOUNTS: MapType(_STRING, _DOUBLE),
    BUNDLED_DISCOUNT: _DOUBLE,
    TOTAL_DISCOUNT: _DOUBLE,
}
