"""Column names and types: the one place that names a CUR column or an output column.

Source names are the legacy CUR's Athena/Glue form (snake_case, as the crawler makes them).
"""

from __future__ import annotations

from pyspark.sql.types import DataType, DoubleType, StringType, TimestampType

from cur_analysis import periods

# --- partition keys of the legacy export and of the datasets (the period codec's) ---
YEAR, MONTH, PARTITION_KEYS = periods.YEAR, periods.MONTH, periods.PARTITION_KEYS
# CUR 2.0 (Data Exports) writes BILLING_PERIOD=YYYY-MM; catalogs keep the key in lower case.
CUR2_PARTITION_KEY = "billing_period"
# The innermost partition of the datasets: the run that wrote a version (io/publish.py).
RUN = "run"
# CUR 2.0 map columns and the columns that tell the layout apart.
CUR2_PRODUCT = "product"
CUR2_RESOURCE_TAGS = "resource_tags"
CUR2_COST_CATEGORY = "cost_category"
CUR2_MARKER = "bill_payer_account_name"
CUR2_USER_TAG_PREFIX = "user_"

# --- legacy CUR source columns used by the measures and datasets ---
PAYER_ACCOUNT_ID = "bill_payer_account_id"
USAGE_ACCOUNT_ID = "line_item_usage_account_id"
LINE_ITEM_TYPE = "line_item_line_item_type"
USAGE_START = "line_item_usage_start_date"
PRODUCT_CODE = "line_item_product_code"
USAGE_TYPE = "line_item_usage_type"
OPERATION = "line_item_operation"
RESOURCE_ID = "line_item_resource_id"
USAGE_AMOUNT = "line_item_usage_amount"
UNBLENDED_COST = "line_item_unblended_cost"
NET_UNBLENDED_COST = "line_item_net_unblended_cost"
SERVICE_CODE = "product_servicecode"
PRODUCT_NAME = "product_product_name"
REGION = "product_region"
REGION_CODE = "product_region_code"
PUBLIC_ON_DEMAND_COST = "pricing_public_on_demand_cost"
PRICING_TERM = "pricing_term"
SP_ARN = "savings_plan_savings_plan_a_r_n"
SP_EFFECTIVE_COST = "savings_plan_savings_plan_effective_cost"
SP_NET_EFFECTIVE_COST = "savings_plan_net_savings_plan_effective_cost"
SP_TOTAL_COMMITMENT = "savings_plan_total_commitment_to_date"
SP_USED_COMMITMENT = "savings_plan_used_commitment"
SP_AMORTIZED_UPFRONT = "savings_plan_amortized_upfront_commitment_for_billing_period"
SP_NET_AMORTIZED_UPFRONT = "savings_plan_net_amortized_upfront_commitment_for_billing_period"
SP_RECURRING_COMMITMENT = "savings_plan_recurring_commitment_for_billing_period"
SP_NET_RECURRING_COMMITMENT = "savings_plan_net_recurring_commitment_for_billing_period"
SP_OFFERING_TYPE = "savings_plan_offering_type"
RI_ARN = "reservation_reservation_a_r_n"
RI_EFFECTIVE_COST = "reservation_effective_cost"
RI_NET_EFFECTIVE_COST = "reservation_net_effective_cost"
RI_AMORTIZED_UPFRONT = "reservation_amortized_upfront_fee_for_billing_period"
RI_NET_AMORTIZED_UPFRONT = "reservation_net_amortized_upfront_fee_for_billing_period"
RI_UNUSED_AMORTIZED_UPFRONT = "reservation_unused_amortized_upfront_fee_for_billing_period"
RI_NET_UNUSED_AMORTIZED_UPFRONT = "reservation_net_unused_amortized_upfront_fee_for_billing_period"
RI_UNUSED_RECURRING = "reservation_unused_recurring_fee"
RI_NET_UNUSED_RECURRING = "reservation_net_unused_recurring_fee"
RI_RECURRING_FOR_USAGE = "reservation_recurring_fee_for_usage"
RI_AMORTIZED_UPFRONT_FOR_USAGE = "reservation_amortized_upfront_cost_for_usage"

USER_TAG_PREFIX = "resource_tags_user_"

_STRING = StringType()
_DOUBLE = DoubleType()

# Every source column the library reads, with the type it has after conforming: only what a
# measure or dataset uses, so Parquet reads nothing else. Columns absent from a month's files
# (savings plans, reservations and *_net_* come and go) become typed nulls. The other names above
# are CUR columns the synthetic generator writes.
SOURCE_SCHEMA: dict[str, DataType] = {
    PAYER_ACCOUNT_ID: _STRING,
    USAGE_ACCOUNT_ID: _STRING,
    LINE_ITEM_TYPE: _STRING,
    USAGE_START: TimestampType(),
    PRODUCT_CODE: _STRING,
    USAGE_TYPE: _STRING,
    OPERATION: _STRING,
    USAGE_AMOUNT: _DOUBLE,
    UNBLENDED_COST: _DOUBLE,
    NET_UNBLENDED_COST: _DOUBLE,
    SERVICE_CODE: _STRING,
    REGION: _STRING,
    REGION_CODE: _STRING,
    PUBLIC_ON_DEMAND_COST: _DOUBLE,
    SP_EFFECTIVE_COST: _DOUBLE,
    SP_NET_EFFECTIVE_COST: _DOUBLE,
    SP_TOTAL_COMMITMENT: _DOUBLE,
    SP_USED_COMMITMENT: _DOUBLE,
    SP_AMORTIZED_UPFRONT: _DOUBLE,
    RI_ARN: _STRING,
    RI_EFFECTIVE_COST: _DOUBLE,
    RI_NET_EFFECTIVE_COST: _DOUBLE,
    RI_AMORTIZED_UPFRONT: _DOUBLE,
    RI_UNUSED_AMORTIZED_UPFRONT: _DOUBLE,
    RI_NET_UNUSED_AMORTIZED_UPFRONT: _DOUBLE,
    RI_UNUSED_RECURRING: _DOUBLE,
    RI_NET_UNUSED_RECURRING: _DOUBLE,
}

# The columns every measure needs: a month whose files lack one is refused (naming the column
# and the month), never read as nulls. The others above become typed nulls when absent.
REQUIRED_COLUMNS: tuple[str, ...] = (
    PAYER_ACCOUNT_ID,
    USAGE_ACCOUNT_ID,
    LINE_ITEM_TYPE,
    USAGE_START,
    PRODUCT_CODE,
    USAGE_AMOUNT,
    UNBLENDED_COST,
)

# Line item types (line_item_line_item_type values).
USAGE = "Usage"
DISCOUNTED_USAGE = "DiscountedUsage"
RI_FEE = "RIFee"
FEE = "Fee"
SP_COVERED_USAGE = "SavingsPlanCoveredUsage"
SP_NEGATION = "SavingsPlanNegation"
SP_RECURRING_FEE = "SavingsPlanRecurringFee"
SP_UPFRONT_FEE = "SavingsPlanUpfrontFee"
CREDIT = "Credit"
REFUND = "Refund"
TAX = "Tax"
EDP_DISCOUNT = "EdpDiscount"
BUNDLED_DISCOUNT = "BundledDiscount"
PRIVATE_RATE_DISCOUNT = "PrivateRateDiscount"
COMPUTE_SAVINGS_PLANS = "ComputeSavingsPlans"  # line_item_product_code of SP fees and refunds
USAGE_LINE_TYPES = (USAGE, DISCOUNTED_USAGE, SP_COVERED_USAGE)

# Split cost allocation rows duplicate the cost of the instance they split: never summed.
SPLIT_COST_OPERATIONS = ("EKSPod-EC2", "ECSTask-EC2")

# --- conformed / output columns ---
BILLING_PERIOD = "billing_period"
USAGE_DATE = "usage_date"
PAYER = "payer_account_id"
ACCOUNT = "usage_account_id"
SERVICE = "service"
REGION_OUT = "region"
CHARGE_TYPE = "charge_type"
PURCHASE_OPTION = "purchase_option"
LINE_ITEM_COUNT = "line_item_count"
GLOBAL_REGION = "global"
SHARE_OF_TOTAL_AMORTIZED = "share_of_total_amortized"
PREVIOUS_AMORTIZED = "previous_amortized_cost"
AMORTIZED_CHANGE = "amortized_change"
AMORTIZED_CHANGE_RATIO = "amortized_change_ratio"
RANK = "rank"
TAG_KEY = "tag_key"
TAG_VALUE = "tag_value"
TAG_COVERAGE = "tag_coverage"

# --- measures: the output columns every dataset sums (definitions in measures.py) ---
UNBLENDED = "unblended_cost"
NET_UNBLENDED = "net_unblended_cost"
AMORTIZED = "amortized_cost"
NET_AMORTIZED = "net_amortized_cost"
PUBLIC_ON_DEMAND = "public_on_demand_cost"
RI_SP_TRUEUP = "ri_sp_trueup"
USAGE_QUANTITY = "usage_amount"  # CID's usage_quantity, named after the CUR's usage amount

# --- savings_monthly (definitions in datasets/savings.py) ---
ON_DEMAND_EQUIVALENT = "on_demand_equivalent_cost"
SAVINGS = "savings"
RI_COVERED = "ri_covered_usage_cost"
SP_COVERED = "sp_covered_usage_cost"
ELIGIBLE = "eligible_usage_cost"
COVERAGE = "coverage"
RI_UNUSED = "ri_unused_commitment"
SP_UNUSED = "sp_unused_commitment"
RI_USED = "ri_used_commitment"
RI_TOTAL = "ri_total_commitment"
SP_USED = "sp_used_commitment"
SP_TOTAL = "sp_total_commitment"
RI_UTILIZATION = "ri_utilization"
SP_UTILIZATION = "sp_utilization"
