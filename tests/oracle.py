"""Independent expected figures: the CID rules written again in DuckDB SQL over the raw files.

Nothing here imports the code under test's measures; only the file layout is shared.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from cur_analysis import columns as c

AMORTIZED_SQL = """
CASE
  WHEN line_item_line_item_type = 'SavingsPlanCoveredUsage'
    THEN savings_plan_savings_plan_effective_cost
  WHEN line_item_line_item_type = 'SavingsPlanRecurringFee'
    THEN savings_plan_total_commitment_to_date - savings_plan_used_commitment
  WHEN line_item_line_item_type IN ('SavingsPlanNegation', 'SavingsPlanUpfrontFee') THEN 0
  WHEN line_item_line_item_type = 'DiscountedUsage' THEN reservation_effective_cost
  WHEN line_item_line_item_type = 'RIFee'
    THEN reservation_unused_amortized_upfront_fee_for_billing_period
         + reservation_unused_recurring_fee
  WHEN line_item_line_item_type = 'Fee' AND coalesce(reservation_reservation_a_r_n, '') <> '' THEN 0
  WHEN line_item_line_item_type = 'Refund' AND line_item_product_code = 'ComputeSavingsPlans' THEN 0
  ELSE line_item_unblended_cost
END
"""
PUBLIC_SQL = """
CASE WHEN line_item_line_item_type = 'SavingsPlanNegation' THEN 0
     ELSE pricing_public_on_demand_cost END
"""
SPLIT_FILTER = "coalesce(line_item_operation, '') NOT IN ('EKSPod-EC2', 'ECSTask-EC2')"
OPTIONAL = (
    "savings_plan_savings_plan_effective_cost",
    "savings_plan_total_commitment_to_date",
    "savings_plan_used_commitment",
)


def _source(export: Path) -> str:
    """A DuckDB relation over the export with absent optional columns as typed nulls."""
    glob = str(export / "year=*" / "month=*" / "*.parquet")
    con = duckdb.connect()
    present = {
        row[0]
        for row in con.execute(
            f"DESCRIBE SELECT * FROM read_parquet('{glob}', union_by_name=true, "
            "hive_partitioning=true)"
        ).fetchall()
    }
    extras = ", ".join(
        f"CAST(NULL AS DOUBLE) AS {name}" for name in OPTIONAL if name not in present
    )
    select_extras = f", {extras}" if extras else ""
    return (
        f"(SELECT *{select_extras} FROM read_parquet('{glob}', union_by_name=true, "
        "hive_partitioning=true, hive_types_autocast=false))"
    )


def totals_by_period(export: Path) -> dict[str, dict[str, float]]:
    """Per ``YYYY-MM``: unblended, amortized, public on-demand and line item count."""
    sql = f"""
        SELECT year || '-' || lpad(month, 2, '0') AS period,
               sum(line_item_unblended_cost) AS unblended_cost,
               sum({AMORTIZED_SQL}) AS amortized_cost,
               sum({PUBLIC_SQL}) AS public_on_demand_cost,
               count(*) AS line_item_count
        FROM {_source(export)}
        WHERE {SPLIT_FILTER}
        GROUP BY 1 ORDER BY 1
    """
    rows = duckdb.connect().execute(sql).fetchall()
    names = (c.UNBLENDED, c.AMORTIZED, c.PUBLIC_ON_DEMAND, c.LINE_ITEM_COUNT)
    return {row[0]: dict(zip(names, map(float, row[1:]), strict=True)) for row in rows}


def totals_by(export: Path, key_sql: str) -> dict[tuple[str, str], dict[str, float]]:
    """Per period and ``key_sql`` (e.g. the usage account): unblended, amortized, public."""
    sql = f"""
        SELECT year || '-' || lpad(month, 2, '0') AS period, {key_sql} AS key,
               sum(line_item_unblended_cost), sum({AMORTIZED_SQL}), sum({PUBLIC_SQL})
        FROM {_source(export)}
        WHERE {SPLIT_FILTER}
        GROUP BY 1, 2
    """
    names = (c.UNBLENDED, c.AMORTIZED, c.PUBLIC_ON_DEMAND)
    rows = duckdb.connect().execute(sql).fetchall()
    return {(row[0], row[1]): dict(zip(names, map(float, row[2:]), strict=True)) for row in rows}


SERVICE_SQL = "coalesce(nullif(product_servicecode, ''), line_item_product_code)"
ACCOUNT_SQL = "line_item_usage_account_id"
