"""The CUR columns CID's views read beyond ``columns.SOURCE_SCHEMA``, with their conformed types.

Read only when a ``cid`` dataset is requested. Names are the legacy CUR's; with CUR 2.0 the
``product_*`` attributes that have no column of their own come from the ``product`` map under the
key ``cid/helpers/cur_proxy.py`` (``cur1to2_mapping``) maps them from, e.g. ``product_region`` ->
``product['region']`` (``conform._cur2_source`` does that for every ``product_*`` name). A column
absent from a month is a typed null, as CID's proxy makes it (``cast(null as varchar)``).
"""

from __future__ import annotations

from pyspark.sql.types import DataType, StringType, TimestampType

from cur_analysis import columns as c
from cur_analysis.focus import source as focus

_STRING = StringType()
_TIMESTAMP = TimestampType()

BILLING_PERIOD_START = "bill_billing_period_start_date"
INVOICE_ID = "bill_invoice_id"
BILLING_ENTITY = "bill_billing_entity"
PRODUCT_FAMILY = "product_product_family"
INSTANCE_TYPE_FAMILY = "product_instance_type_family"
INSTANCE_TYPE = "product_instance_type"
OPERATING_SYSTEM = "product_operating_system"
TENANCY = "product_tenancy"
PROCESSOR = "product_physical_processor"
PROCESSOR_FEATURES = "product_processor_features"
DATABASE_ENGINE = "product_database_engine"
PRODUCT_GROUP = "product_group"
FROM_LOCATION = "product_from_location"
TO_LOCATION = "product_to_location"
CURRENT_GENERATION = "product_current_generation"
SP_END_TIME = "savings_plan_end_time"
SP_PURCHASE_TERM = "savings_plan_purchase_term"
SP_PAYMENT_OPTION = "savings_plan_payment_option"
RI_END_TIME = "reservation_end_time"
LEASE_CONTRACT_LENGTH = "pricing_lease_contract_length"
OFFERING_CLASS = "pricing_offering_class"
PURCHASE_OPTION = "pricing_purchase_option"

# name -> conformed type. The end times are ISO 8601 text in the CUR: conforming parses them
# (text that is no timestamp becomes null, as ``try_cast`` makes it).
CID_SOURCE: dict[str, DataType] = {
    BILLING_PERIOD_START: _TIMESTAMP,
    INVOICE_ID: _STRING,
    BILLING_ENTITY: _STRING,
    focus.DESCRIPTION: _STRING,
    focus.AVAILABILITY_ZONE: _STRING,
    focus.LEGAL_ENTITY: _STRING,
    focus.PRICING_UNIT: _STRING,
    focus.USAGE_ACCOUNT_NAME: _STRING,
    focus.PAYER_ACCOUNT_NAME: _STRING,
    c.RESOURCE_ID: _STRING,
    c.PRODUCT_NAME: _STRING,
    c.SP_ARN: _STRING,
    c.SP_OFFERING_TYPE: _STRING,
    PRODUCT_FAMILY: _STRING,
    INSTANCE_TYPE_FAMILY: _STRING,
    INSTANCE_TYPE: _STRING,
    OPERATING_SYSTEM: _STRING,
    TENANCY: _STRING,
    PROCESSOR: _STRING,
    PROCESSOR_FEATURES: _STRING,
    DATABASE_ENGINE: _STRING,
    PRODUCT_GROUP: _STRING,
    FROM_LOCATION: _STRING,
    TO_LOCATION: _STRING,
    CURRENT_GENERATION: _STRING,
    SP_END_TIME: _TIMESTAMP,
    SP_PURCHASE_TERM: _STRING,
    SP_PAYMENT_OPTION: _STRING,
    RI_END_TIME: _TIMESTAMP,
    LEASE_CONTRACT_LENGTH: _STRING,
    OFFERING_CLASS: _STRING,
    PURCHASE_OPTION: _STRING,
}
