"""CID's six views written again in DuckDB SQL, from CID's files, over the raw CUR files.

Nothing here imports the code under test; the SQL follows the view files of
cloud-intelligence-dashboards-framework (``cid/builtin/core/data/queries/``) with the choices
the cid datasets document: blank text is null (``NULLIF(x, '')`` on every text column, so a
test against ``''`` is a test against null), no window relative to today, summary_view daily
for every period, and exact distinct counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb

TEXT = [
    "bill_payer_account_id",
    "line_item_usage_account_id",
    "line_item_line_item_type",
    "line_item_product_code",
    "line_item_usage_type",
    "line_item_operation",
    "line_item_resource_id",
    "line_item_line_item_description",
    "line_item_availability_zone",
    "line_item_legal_entity",
    "line_item_usage_account_name",
    "bill_payer_account_name",
    "bill_invoice_id",
    "bill_billing_entity",
    "product_servicecode",
    "product_product_name",
    "product_region",
    "product_product_family",
    "product_instance_type_family",
    "product_instance_type",
    "product_operating_system",
    "product_tenancy",
    "product_physical_processor",
    "product_processor_features",
    "product_database_engine",
    "product_group",
    "product_from_location",
    "product_to_location",
    "product_current_generation",
    "pricing_unit",
    "savings_plan_savings_plan_a_r_n",
    "reservation_reservation_a_r_n",
    "savings_plan_end_time",
    "reservation_end_time",
    "savings_plan_purchase_term",
    "savings_plan_offering_type",
    "savings_plan_payment_option",
    "pricing_lease_contract_length",
    "pricing_offering_class",
    "pricing_purchase_option",
]
NUMBERS = [
    "line_item_usage_amount",
    "line_item_unblended_cost",
    "pricing_public_on_demand_cost",
    "savings_plan_savings_plan_effective_cost",
    "savings_plan_total_commitment_to_date",
    "savings_plan_used_commitment",
    "savings_plan_amortized_upfront_commitment_for_billing_period",
    "reservation_effective_cost",
    "reservation_unused_amortized_upfront_fee_for_billing_period",
    "reservation_unused_recurring_fee",
    "reservation_amortized_upfront_fee_for_billing_period",
]
TIMES = ("bill_billing_period_start_date", "line_item_usage_start_date")

PURCHASE_OPTION = """CASE
  WHEN savings_plan_savings_plan_a_r_n <> '' THEN 'SavingsPlan'
  WHEN reservation_reservation_a_r_n <> '' THEN 'Reserved'
  WHEN line_item_usage_type LIKE '%Spot%' THEN 'Spot'
  ELSE 'OnDemand' END"""
RI_SP_ARN = """CASE
  WHEN savings_plan_savings_plan_a_r_n <> '' THEN savings_plan_savings_plan_a_r_n
  WHEN reservation_reservation_a_r_n <> '' THEN reservation_reservation_a_r_n
  ELSE '' END"""
SPOT_EC2 = (
    "(line_item_usage_type LIKE '%Spot%' AND line_item_product_code = 'AmazonEC2' "
    "AND line_item_line_item_type = 'Usage')"
)
SPLIT = "coalesce(line_item_operation, '') NOT IN ('EKSPod-EC2', 'ECSTask-EC2')"


def _relation(export: Path, tags: Sequence[str]) -> str:
    """The export's rows, each column CID reads (null where a month lacks it, text blank ->
    null), ``period`` as YYYY-MM, the partition values and the tag columns."""
    glob = str(export / "year=*" / "month=*" / "*.parquet")
    read = f"read_parquet('{glob}', union_by_name=true, hive_partitioning=true)"
    con = duckdb.connect()
    present = {row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {read}").fetchall()}

    def col(name: str, kind: str) -> str:
        value = name if name in present else f"CAST(NULL AS {kind})"
        if kind == "VARCHAR":
            value = f"NULLIF(CAST({value} AS VARCHAR), '')"
        return f"{value} AS {name}"

    columns = [
        *[col(n, "VARCHAR") for n in TEXT],
        *[col(n, "DOUBLE") for n in NUMBERS],
        *[col(n, "TIMESTAMPTZ") for n in TIMES],
        *[col(f"resource_tags_{t}", "VARCHAR") for t in tags],
        "CAST(year AS VARCHAR) AS year",
        "CAST(CAST(month AS INTEGER) AS VARCHAR) AS month",
    ]
    return f"(SELECT {', '.join(columns)} FROM {read} WHERE {SPLIT})"


def _tags_json(tags: Sequence[str]) -> str:
    """CID's tags_json: a JSON object of (tag name, value), names sorted (Athena's map cast)."""
    if not tags:
        return "'{}'"
    names = sorted(("tag_" + t.removeprefix("user_"), t) for t in tags)
    parts = ", ".join(
        f"'\"{name}\":' || coalesce(to_json(resource_tags_{tag})::VARCHAR, 'null')"
        for name, tag in names
    )
    return f"'{{' || concat_ws(',', {parts}) || '}}'"


def _connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    return con


def _day(ts: str) -> str:
    return f"CAST(date_trunc('day', {ts}) AS TIMESTAMP)"


def _hour(ts: str) -> str:
    return f"CAST(date_trunc('hour', {ts}) AS TIMESTAMP)"


def _query(sql: str) -> list[tuple]:
    return _connect().execute(sql).fetchall()


def summary_view(export: Path, tags: Sequence[str]) -> list[tuple]:
    amortized = """CASE
      WHEN line_item_line_item_type = 'SavingsPlanCoveredUsage'
        THEN savings_plan_savings_plan_effective_cost
      WHEN line_item_line_item_type = 'SavingsPlanRecurringFee'
        THEN savings_plan_total_commitment_to_date - savings_plan_used_commitment
      WHEN line_item_line_item_type = 'SavingsPlanNegation' THEN 0
      WHEN line_item_line_item_type = 'SavingsPlanUpfrontFee' THEN 0
      WHEN line_item_line_item_type = 'DiscountedUsage' THEN reservation_effective_cost
      WHEN line_item_line_item_type = 'RIFee'
        THEN reservation_unused_amortized_upfront_fee_for_billing_period
             + reservation_unused_recurring_fee
      WHEN line_item_line_item_type = 'Fee' AND reservation_reservation_a_r_n <> '' THEN 0
      WHEN line_item_line_item_type = 'Refund' AND line_item_product_code = 'ComputeSavingsPlans'
        AND line_item_line_item_description LIKE 'Refund for one-time fee for Savings Plan ID%'
        THEN 0
      ELSE line_item_unblended_cost END"""
    sql = f"""
    SELECT year, month, {_tags_json(tags)} AS tags_json,
      CAST(bill_billing_period_start_date AS TIMESTAMP) AS billing_period,
      {_day("line_item_usage_start_date")} AS usage_date,
      bill_payer_account_id, line_item_usage_account_id, bill_invoice_id,
      line_item_line_item_type,
      CASE WHEN line_item_line_item_type IN ('DiscountedUsage', 'SavingsPlanCoveredUsage',
        'Usage') THEN 'Running_Usage' ELSE 'non_usage' END,
      {PURCHASE_OPTION}, {RI_SP_ARN}, line_item_product_code, product_product_name,
      CASE WHEN bill_billing_entity = 'AWS Marketplace'
             AND line_item_line_item_type NOT LIKE '%Discount%' THEN product_product_name
           WHEN coalesce(product_servicecode, '') = '' THEN line_item_product_code
           ELSE product_servicecode END,
      product_product_family, line_item_usage_type, line_item_operation,
      line_item_line_item_description, line_item_availability_zone, product_region,
      CASE WHEN {SPOT_EC2} THEN split_part(line_item_line_item_description, '.', 1)
           ELSE product_instance_type_family END,
      CASE WHEN {SPOT_EC2} THEN split_part(line_item_line_item_description, ' ', 1)
           ELSE product_instance_type END,
      CASE WHEN {SPOT_EC2} THEN
             NULLIF(split_part(NULLIF(split_part(line_item_line_item_description, ' ', 2), ''),
               '/', 1), '')
           ELSE product_operating_system END,
      product_tenancy, product_physical_processor, product_processor_features,
      product_database_engine, product_group, product_from_location, product_to_location,
      product_current_generation, line_item_legal_entity, bill_billing_entity, pricing_unit,
      count(DISTINCT coalesce(line_item_resource_id, '')),
      sum(CASE WHEN line_item_line_item_type IN ('SavingsPlanCoveredUsage', 'DiscountedUsage',
        'Usage', 'FlatRateSubscription') THEN line_item_usage_amount ELSE 0 END),
      sum(line_item_unblended_cost),
      sum({amortized}),
      sum(CASE
        WHEN line_item_line_item_type = 'SavingsPlanRecurringFee'
          THEN -savings_plan_amortized_upfront_commitment_for_billing_period
        WHEN line_item_line_item_type = 'RIFee'
          THEN -reservation_amortized_upfront_fee_for_billing_period
        ELSE 0 END),
      sum(CASE
        WHEN line_item_line_item_type = 'SavingsPlanUpfrontFee' THEN line_item_unblended_cost
        WHEN line_item_line_item_type = 'Fee' AND reservation_reservation_a_r_n <> ''
          THEN line_item_unblended_cost
        ELSE 0 END),
      sum(CASE WHEN line_item_line_item_type <> 'SavingsPlanNegation'
        THEN pricing_public_on_demand_cost ELSE 0 END)
    FROM {_relation(export, tags)}
    GROUP BY ALL
    """
    return _query(sql)


def ec2_running_cost(export: Path, tags: Sequence[str]) -> list[tuple]:
    sql = f"""
    SELECT year, month, {_tags_json(tags)},
      CAST(bill_billing_period_start_date AS TIMESTAMP),
      {_hour("line_item_usage_start_date")},
      bill_payer_account_id, line_item_usage_account_id, {PURCHASE_OPTION},
      sum(CASE
        WHEN line_item_line_item_type = 'SavingsPlanCoveredUsage'
          THEN savings_plan_savings_plan_effective_cost
        WHEN line_item_line_item_type = 'DiscountedUsage' THEN reservation_effective_cost
        WHEN line_item_line_item_type = 'Usage' THEN line_item_unblended_cost
        ELSE 0 END),
      round(sum(line_item_usage_amount), 2)
    FROM {_relation(export, tags)}
    WHERE line_item_product_code = 'AmazonEC2'
      AND coalesce(product_servicecode, '') <> 'AWSDataTransfer'
      AND line_item_operation LIKE '%RunInstances%'
      AND coalesce(line_item_usage_type, '') NOT LIKE '%DataXfer%'
      AND line_item_line_item_type IN ('Usage', 'SavingsPlanCoveredUsage', 'DiscountedUsage')
    GROUP BY ALL
    """
    return _query(sql)


def compute_savings_plan_eligible_spend(export: Path, tags: Sequence[str]) -> list[tuple]:
    sql = f"""
    SELECT year, month, {_tags_json(tags)},
      bill_payer_account_id, line_item_usage_account_id,
      CAST(bill_billing_period_start_date AS TIMESTAMP),
      {_hour("line_item_usage_start_date")},
      sum(line_item_unblended_cost)
    FROM {_relation(export, tags)}
    WHERE line_item_line_item_type = 'Usage'
      AND coalesce(product_servicecode, '') <> 'AWSDataTransfer'
      AND coalesce(line_item_usage_type, '') NOT LIKE '%Spot%'
      AND coalesce(line_item_usage_type, '') NOT LIKE '%DataXfer%'
      AND ((line_item_product_code = 'AmazonEC2' AND line_item_operation LIKE '%RunInstances%')
        OR (line_item_product_code = 'AWSLambda'
            AND (line_item_usage_type LIKE '%Lambda-GB-Second%'
              OR line_item_usage_type LIKE '%Lambda-Provisioned-GB-Second%'
              OR line_item_usage_type LIKE '%Lambda-Provisioned-Concurrency%'))
        OR line_item_usage_type LIKE '%Fargate%')
    GROUP BY ALL
    """
    return _query(sql)


def s3_view(export: Path, tags: Sequence[str]) -> list[tuple]:
    sql = f"""
    SELECT year, month, {_tags_json(tags)},
      CAST(bill_billing_period_start_date AS TIMESTAMP),
      {_day("line_item_usage_start_date")},
      bill_payer_account_id, line_item_usage_account_id, line_item_resource_id,
      line_item_product_code, line_item_operation, product_region, line_item_line_item_type,
      pricing_unit,
      sum(CASE WHEN line_item_line_item_type = 'Usage' THEN line_item_usage_amount ELSE 0 END),
      sum(line_item_unblended_cost),
      sum(pricing_public_on_demand_cost)
    FROM {_relation(export, tags)}
    WHERE line_item_operation LIKE '%Storage%'
      AND (line_item_product_code LIKE '%AmazonGlacier%'
        OR line_item_product_code LIKE '%AmazonS3%')
    GROUP BY ALL
    """
    return _query(sql)


def _terms(with_end: bool) -> str:
    end = """, CASE
        WHEN savings_plan_savings_plan_a_r_n <> ''
          THEN CAST(CAST(CAST(savings_plan_end_time AS TIMESTAMPTZ) AS DATE) AS TIMESTAMP)
        WHEN reservation_reservation_a_r_n <> '' AND reservation_end_time <> ''
          THEN CAST(CAST(CAST(reservation_end_time AS TIMESTAMPTZ) AS DATE) AS TIMESTAMP)
        END AS ri_sp_end_date"""

    def pick(plan: str, reservation: str, name: str) -> str:
        return (
            f"CASE WHEN savings_plan_savings_plan_a_r_n <> '' THEN {plan} "
            f"WHEN reservation_reservation_a_r_n <> '' THEN {reservation} ELSE '' END AS {name}"
        )

    return f"""year, month,
      CAST(bill_billing_period_start_date AS TIMESTAMP) AS billing_period_mapping,
      bill_payer_account_id AS payer_account_id_mapping, {RI_SP_ARN} AS ri_sp_arn_mapping
      {end if with_end else ""},
      {pick("savings_plan_purchase_term", "pricing_lease_contract_length", "ri_sp_term")},
      {pick("savings_plan_offering_type", "pricing_offering_class", "ri_sp_offering")},
      {pick("savings_plan_payment_option", "pricing_purchase_option", "ri_sp_payment")}"""


def ri_sp_mapping(export: Path, tags: Sequence[str] = ()) -> list[tuple]:
    source = _relation(export, ())
    sql = f"""
    SELECT DISTINCT a.year, a.month, a.billing_period_mapping, a.payer_account_id_mapping,
      a.ri_sp_arn_mapping, a.ri_sp_end_date,
      coalesce(b.ri_sp_term, a.ri_sp_term), coalesce(b.ri_sp_offering, a.ri_sp_offering),
      coalesce(b.ri_sp_payment, a.ri_sp_payment)
    FROM (SELECT DISTINCT {_terms(True)} FROM {source}
          WHERE line_item_line_item_type IN ('RIFee', 'SavingsPlanRecurringFee')) a
    LEFT JOIN (SELECT DISTINCT {_terms(False)} FROM {source}
          WHERE line_item_line_item_type IN ('DiscountedUsage', 'SavingsPlanCoveredUsage')) b
      ON a.ri_sp_arn_mapping = b.ri_sp_arn_mapping
     AND a.billing_period_mapping = b.billing_period_mapping
     AND a.payer_account_id_mapping = b.payer_account_id_mapping
    """
    return _query(sql)


def account_map(
    export: Path, tags: Sequence[str] = (), periods: Sequence[str] | None = None
) -> list[tuple]:
    """One row per account over ``periods`` (``YYYY-MM``; all when None): the dummy view's
    columns, then account_map_cur2.sql's parent_account_name, then the latest usage start."""
    chosen = (
        ""
        if periods is None
        else "WHERE "
        + " OR ".join(f"(year = '{p[:4]}' AND month = '{int(p[5:])}')" for p in periods)
    )
    sql = f"""
    SELECT line_item_usage_account_id,
      arg_max(bill_payer_account_id, line_item_usage_start_date),
      coalesce(arg_max(line_item_usage_account_name, line_item_usage_start_date)
                 FILTER (WHERE line_item_usage_account_name IS NOT NULL),
               line_item_usage_account_id),
      line_item_usage_account_id,
      arg_max(bill_payer_account_name, line_item_usage_start_date)
        FILTER (WHERE bill_payer_account_name IS NOT NULL),
      CAST(max(line_item_usage_start_date) AS TIMESTAMP)
    FROM {_relation(export, ())} {chosen}
    GROUP BY line_item_usage_account_id
    """
    return _query(sql)
