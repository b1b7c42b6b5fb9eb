"""The output columns of CID's views, name -> type in CID's order, each from the file it reads.

Files are under ``cid/builtin/core/data/queries/`` of aws-solutions-library-samples/
cloud-intelligence-dashboards-framework. Types are what Athena gives those expressions: text is
varchar (string), ``bill_billing_period_start_date`` and ``date_trunc`` of a timestamp are
timestamps, sums of doubles are doubles and ``approx_distinct`` is a bigint. A published table
keeps ``year`` and ``month`` as its partition columns, so they come last in its schema.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

from pyspark.sql.types import DataType, DoubleType, LongType, StringType, TimestampType

from cur_analysis import columns as c

_S, _D, _L, _T = StringType(), DoubleType(), LongType(), TimestampType()

Columns = MappingProxyType  # a read-only name -> type mapping, in column order

YEAR, MONTH = c.YEAR, c.MONTH
TAGS_JSON = "tags_json"
BILLING_PERIOD = "billing_period"
USAGE_DATE = "usage_date"
PAYER = "payer_account_id"
LINKED_ACCOUNT = "linked_account_id"
CHARGE_TYPE = "charge_type"
PURCHASE_OPTION = "purchase_option"
REGION = "region"
PRICING_UNIT = "pricing_unit"
PRODUCT_CODE = "product_code"
OPERATION = "operation"
RESOURCE_ID = "resource_id"
RI_SP_ARN = "ri_sp_arn"
USAGE_QUANTITY = "usage_quantity"
UNBLENDED_COST = "unblended_cost"
AMORTIZED_COST = "amortized_cost"
PUBLIC_COST = "public_cost"

_PERIOD: dict[str, DataType] = {YEAR: _S, MONTH: _S, TAGS_JSON: _S}

# cid/summary_view.sql: 35 grouping columns, then the aggregates.
SUMMARY_VIEW: Final = Columns(
    {
        **_PERIOD,
        BILLING_PERIOD: _T,
        USAGE_DATE: _T,
        PAYER: _S,
        LINKED_ACCOUNT: _S,
        "invoice_id": _S,
        CHARGE_TYPE: _S,
        "charge_category": _S,
        PURCHASE_OPTION: _S,
        RI_SP_ARN: _S,
        PRODUCT_CODE: _S,
        "product_name": _S,
        "service": _S,
        "product_family": _S,
        "usage_type": _S,
        OPERATION: _S,
        "item_description": _S,
        "availability_zone": _S,
        REGION: _S,
        "instance_type_family": _S,
        "instance_type": _S,
        "platform": _S,
        "tenancy": _S,
        "processor": _S,
        "processor_features": _S,
        "database_engine": _S,
        "product_group": _S,
        "product_from_location": _S,
        "product_to_location": _S,
        "current_generation": _S,
        "legal_entity": _S,
        "billing_entity": _S,
        PRICING_UNIT: _S,
        "resource_id_count": _L,
        USAGE_QUANTITY: _D,
        UNBLENDED_COST: _D,
        AMORTIZED_COST: _D,
        "ri_sp_trueup": _D,
        "ri_sp_upfront_fees": _D,
        PUBLIC_COST: _D,
    }
)
SUMMARY_KEYS: Final = tuple(SUMMARY_VIEW)[:35]

# cid/ec2_running_cost.sql
EC2_RUNNING_COST: Final = Columns(
    {
        **_PERIOD,
        BILLING_PERIOD: _T,
        USAGE_DATE: _T,
        PAYER: _S,
        LINKED_ACCOUNT: _S,
        PURCHASE_OPTION: _S,
        AMORTIZED_COST: _D,
        USAGE_QUANTITY: _D,
    }
)

# cid/compute_savings_plan_eligible_spend.sql
COMPUTE_SAVINGS_PLAN_ELIGIBLE_SPEND: Final = Columns(
    {
        **_PERIOD,
        PAYER: _S,
        LINKED_ACCOUNT: _S,
        BILLING_PERIOD: _T,
        USAGE_DATE: _T,
        UNBLENDED_COST: _D,
    }
)

# cid/s3.sql (the view is named s3_view)
S3_VIEW: Final = Columns(
    {
        **_PERIOD,
        BILLING_PERIOD: _T,
        USAGE_DATE: _T,
        PAYER: _S,
        LINKED_ACCOUNT: _S,
        RESOURCE_ID: _S,
        PRODUCT_CODE: _S,
        OPERATION: _S,
        REGION: _S,
        CHARGE_TYPE: _S,
        PRICING_UNIT: _S,
        USAGE_QUANTITY: _D,
        UNBLENDED_COST: _D,
        PUBLIC_COST: _D,
    }
)

# cid/ri_sp_mapping.sql (no year/month of its own: the table adds them as partitions)
RI_SP_MAPPING: Final = Columns(
    {
        "billing_period_mapping": _T,
        "payer_account_id_mapping": _S,
        "ri_sp_arn_mapping": _S,
        "ri_sp_end_date": _T,
        "ri_sp_term": _S,
        "ri_sp_offering": _S,
        "ri_sp_payment": _S,
    }
)

# shared/account_map_dummy.sql's four columns, then shared/account_map_cur2.sql's
# parent_account_name. One table over every period (no year/month): CID joins it on account_id.
ACCOUNT_MAP: Final = Columns(
    {
        "account_id": _S,
        "parent_account_id": _S,
        "account_name": _S,
        "account_email_id": _S,
        "parent_account_name": _S,
    }
)
# Ours, after CID's columns: the usage start of the latest line seen for the account, which
# decides its names when a run merges its periods' accounts into the published map.
LAST_USAGE_START = "last_usage_start"
ACCOUNT_MAP_TABLE: Final = Columns({**ACCOUNT_MAP, LAST_USAGE_START: _T})

PARTITIONS = (YEAR, MONTH)


def data_columns(columns: Columns) -> tuple[str, ...]:
    """The columns a view's files hold: all but the partition columns, in CID's order."""
    return tuple(name for name in columns if name not in PARTITIONS)


def table_columns(columns: Columns) -> tuple[str, ...]:
    """A published table's columns: the data columns, then ``year`` and ``month``."""
    return (*data_columns(columns), *PARTITIONS)
