"""The default datasets in DuckDB SQL over the same Parquet files: the bench's rival and check.

Written as a DuckDB user would write them, from the dataset definitions in docs/datasets.md (the
CID amortized rule, split-cost rows left out), not from the library's code: this module imports
nothing from ``cur_analysis`` and spells every name out, so ``bench.cross_check`` checks the names
as well as the figures.

The plan: a view over ``read_parquet`` conforms each line item (CUR's "" as null, typed measures);
one aggregation over that view, with two grouping sets, sums the line items to a fine grain kept
in a temporary table (the daily keys over every loaded period; period x service x every tag column
over the requested periods); each dataset is a roll-up of that grain, written with ``COPY``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb

DAILY_COST = "daily_cost"
ACCOUNT_MONTHLY = "account_monthly"
SERVICE_MONTHLY = "service_monthly"
TAG_MONTHLY = "tag_monthly"
SAVINGS_MONTHLY = "savings_monthly"
# The datasets this rival computes: a run's default set.
DATASETS = (DAILY_COST, ACCOUNT_MONTHLY, SERVICE_MONTHLY, TAG_MONTHLY, SAVINGS_MONTHLY)

TAG_PREFIX = "resource_tags_user_"
SPLIT_OPERATIONS = ("EKSPod-EC2", "ECSTask-EC2")
USAGE_TYPES = ("Usage", "DiscountedUsage", "SavingsPlanCoveredUsage")

STRINGS = (
    "bill_payer_account_id",
    "line_item_usage_account_id",
    "line_item_line_item_type",
    "line_item_product_code",
    "line_item_usage_type",
    "line_item_operation",
    "product_servicecode",
    "product_region",
    "product_region_code",
    "reservation_reservation_a_r_n",
)
DOUBLES = (
    "line_item_usage_amount",
    "line_item_unblended_cost",
    "line_item_net_unblended_cost",
    "pricing_public_on_demand_cost",
    "savings_plan_savings_plan_effective_cost",
    "savings_plan_net_savings_plan_effective_cost",
    "savings_plan_total_commitment_to_date",
    "savings_plan_used_commitment",
    "savings_plan_amortized_upfront_commitment_for_billing_period",
    "reservation_effective_cost",
    "reservation_net_effective_cost",
    "reservation_amortized_upfront_fee_for_billing_period",
    "reservation_unused_amortized_upfront_fee_for_billing_period",
    "reservation_net_unused_amortized_upfront_fee_for_billing_period",
    "reservation_unused_recurring_fee",
    "reservation_net_unused_recurring_fee",
)
MEASURES = (
    "unblended_cost",
    "net_unblended_cost",
    "amortized_cost",
    "net_amortized_cost",
    "public_on_demand_cost",
    "ri_sp_trueup",
    "usage_amount",
)
DAILY_KEYS = (
    "usage_date",
    "billing_period",
    "payer_account_id",
    "usage_account_id",
    "service",
    "region",
    "charge_type",
    "purchase_option",
)
# The grain's sums besides the measures: line count and savings-plan commitments.
COUNTS = ("line_item_count", "sp_used", "sp_total")


def _amortized(net: bool) -> str:
    def pick(net_column: str, gross: str) -> str:
        return f"coalesce({net_column}, {gross}, 0)" if net else f"coalesce({gross}, 0)"

    otherwise = (
        "coalesce(line_item_net_unblended_cost, line_item_unblended_cost, 0)"
        if net
        else ("coalesce(line_item_unblended_cost, 0)")
    )
    return f"""CASE
      WHEN t = 'SavingsPlanCoveredUsage' THEN {
        pick(
            "savings_plan_net_savings_plan_effective_cost",
            "savings_plan_savings_plan_effective_cost",
        )
    }
      WHEN t = 'SavingsPlanRecurringFee'
        THEN coalesce(savings_plan_total_commitment_to_date, 0)
             - coalesce(savings_plan_used_commitment, 0)
      WHEN t IN ('SavingsPlanNegation', 'SavingsPlanUpfrontFee') THEN 0
      WHEN t = 'DiscountedUsage' THEN {
        pick("reservation_net_effective_cost", "reservation_effective_cost")
    }
      WHEN t = 'RIFee' THEN {
        pick(
            "reservation_net_unused_amortized_upfront_fee_for_billing_period",
            "reservation_unused_amortized_upfront_fee_for_billing_period",
        )
    } + {pick("reservation_net_unused_recurring_fee", "reservation_unused_recurring_fee")}
      WHEN upfront_payment THEN 0
      ELSE {otherwise}
    END"""


def _quoted(values: Sequence[str]) -> str:
    return ", ".join(f"'{value}'" for value in values)


def _read(files: Sequence[str]) -> str:
    return (
        f"read_parquet([{_quoted(files)}], union_by_name = true, hive_partitioning = true, "
        "hive_types_autocast = false)"
    )


def _present_columns(con: duckdb.DuckDBPyConnection, files: Sequence[str]) -> set[str]:
    rows = con.execute(f"DESCRIBE SELECT * FROM {_read(files)}").fetchall()
    return {row[0] for row in rows}


def _source_sql(
    files: Sequence[str], present: set[str], tags: Sequence[str], periods: Sequence[str]
) -> str:
    """The raw columns typed, CUR's "" as null, absent ones as typed nulls; tag values only in
    ``periods`` (the tag grain is made for the requested periods alone)."""
    strings = [
        f"nullif(CAST({name} AS VARCHAR), '') AS {name}"
        if name in present
        else f"CAST(NULL AS VARCHAR) AS {name}"
        for name in STRINGS
    ]
    doubles = [
        f"CAST({name} AS DOUBLE) AS {name}"
        if name in present
        else f"CAST(NULL AS DOUBLE) AS {name}"
        for name in DOUBLES
    ]
    period = "year || '-' || lpad(month, 2, '0')"
    tag_values = [
        f"CASE WHEN {period} IN ({_quoted(periods)}) THEN nullif(CAST({tag} AS VARCHAR), '') "
        f"END AS {tag}"
        for tag in tags
    ]
    return f"""
      SELECT {", ".join(strings + doubles + tag_values)},
             line_item_usage_start_date, {period} AS billing_period
      FROM {_read(files)}"""


def lines_sql(
    files: Sequence[str], present: set[str], tags: Sequence[str], periods: Sequence[str]
) -> str:
    """One row per line item (split-cost rows left out): the keys and measures of the datasets."""
    upfront = """(t = 'Fee' AND reservation_reservation_a_r_n IS NOT NULL)
                 OR (t = 'Refund' AND line_item_product_code = 'ComputeSavingsPlans')"""
    tag_list = "".join(f", {tag}" for tag in tags)
    return f"""
    WITH src AS ({_source_sql(files, present, tags, periods)}),
    typed AS (
      SELECT *, line_item_line_item_type AS t, {upfront} AS upfront_payment FROM src
      WHERE line_item_operation IS NULL
         OR line_item_operation NOT IN ({_quoted(SPLIT_OPERATIONS)})
    )
    SELECT
      billing_period,
      CAST(line_item_usage_start_date AS DATE) AS usage_date,
      bill_payer_account_id AS payer_account_id,
      line_item_usage_account_id AS usage_account_id,
      coalesce(product_servicecode, line_item_product_code) AS service,
      coalesce(product_region, product_region_code, 'global') AS region,
      t AS charge_type,
      CASE WHEN t = 'SavingsPlanCoveredUsage' THEN 'SavingsPlan'
           WHEN t = 'DiscountedUsage' THEN 'Reserved'
           WHEN contains(line_item_usage_type, 'Spot') THEN 'Spot'
           ELSE 'OnDemand' END AS purchase_option,
      coalesce(line_item_unblended_cost, 0) AS unblended_cost,
      coalesce(line_item_net_unblended_cost, line_item_unblended_cost, 0) AS net_unblended_cost,
      {_amortized(net=False)} AS amortized_cost,
      {_amortized(net=True)} AS net_amortized_cost,
      CASE WHEN t = 'SavingsPlanNegation' THEN 0
           ELSE coalesce(pricing_public_on_demand_cost, 0) END AS public_on_demand_cost,
      CASE WHEN t = 'SavingsPlanRecurringFee'
             THEN -coalesce(savings_plan_amortized_upfront_commitment_for_billing_period, 0)
           WHEN t = 'RIFee' THEN -coalesce(reservation_amortized_upfront_fee_for_billing_period, 0)
           WHEN t = 'SavingsPlanUpfrontFee' OR upfront_payment
             THEN coalesce(line_item_unblended_cost, 0)
           ELSE 0 END AS ri_sp_trueup,
      CASE WHEN t IN ({_quoted(USAGE_TYPES)}) THEN coalesce(line_item_usage_amount, 0)
           ELSE 0 END AS usage_amount,
      coalesce(savings_plan_used_commitment, 0) AS sp_used,
      coalesce(savings_plan_total_commitment_to_date, 0) AS sp_total
      {tag_list}
    FROM typed
    """


def grain_sql(tags: Sequence[str]) -> str:
    """The fine grain of the ``lines`` view in one aggregation: ``daily`` rows keyed by
    ``DAILY_KEYS``, and (with tags) rows keyed by period, service and every tag column."""
    sets = [f"({', '.join(DAILY_KEYS)})"]
    if tags:
        sets.append(f"(billing_period, service, {', '.join(tags)})")
    sums = ", ".join(f"sum({name}) AS {name}" for name in MEASURES)
    tag_list = "".join(f", {tag}" for tag in tags)
    return f"""
    SELECT grouping(usage_date) = 0 AS daily, {", ".join(DAILY_KEYS)}{tag_list},
      {sums}, count(*) AS line_item_count, sum(sp_used) AS sp_used, sum(sp_total) AS sp_total
    FROM lines GROUP BY GROUPING SETS ({", ".join(sets)})
    """


# The measures and the line count of grain rows, summed again.
SUMS = ", ".join(f"sum({m}) AS {m}" for m in (*MEASURES, "line_item_count"))


def _with_change(keys: Sequence[str], extra: str, periods: Sequence[str], loaded: str) -> str:
    key_list = ", ".join(keys)
    return f"""
    WITH m AS (SELECT billing_period, {key_list}, {SUMS} FROM grain WHERE daily GROUP BY ALL),
    shared AS (
      SELECT *,
        CASE WHEN sum(amortized_cost) OVER per_period <> 0
             THEN amortized_cost / sum(amortized_cost) OVER per_period END
          AS share_of_total_amortized
        {extra}
      FROM m WINDOW per_period AS (PARTITION BY billing_period)
    ),
    prev AS (
      SELECT strftime(CAST(billing_period || '-01' AS DATE) + INTERVAL 1 MONTH, '%Y-%m')
               AS billing_period,
             {key_list}, amortized_cost AS previous
      FROM m
    ),
    joined AS (
      SELECT s.*,
        CASE WHEN strftime(CAST(s.billing_period || '-01' AS DATE) - INTERVAL 1 MONTH, '%Y-%m')
                  IN ({loaded})
             THEN coalesce(p.previous, 0) END AS previous_amortized_cost
      FROM shared s LEFT JOIN prev p USING (billing_period, {key_list})
    )
    SELECT *, amortized_cost - previous_amortized_cost AS amortized_change,
      CASE WHEN previous_amortized_cost <> 0
           THEN (amortized_cost - previous_amortized_cost) / previous_amortized_cost END
        AS amortized_change_ratio
    FROM joined WHERE billing_period IN ({_quoted(periods)})
    """


def _of_type(types: Sequence[str], value: str) -> str:
    return f"sum(CASE WHEN charge_type IN ({_quoted(types)}) THEN {value} ELSE 0 END)"


def _daily_cost(periods: Sequence[str]) -> str:
    columns = ", ".join((*DAILY_KEYS, *MEASURES, "line_item_count"))
    return f"SELECT {columns} FROM grain WHERE daily AND billing_period IN ({_quoted(periods)})"


def _tag_monthly(periods: Sequence[str], tags: Sequence[str]) -> str:
    if not tags:
        return f"""
        SELECT billing_period, '' AS tag_key, '' AS tag_value, service, {SUMS},
          0.0 AS tag_coverage
        FROM grain WHERE false GROUP BY ALL"""
    per_key = f"""
      SELECT billing_period, substr(tag_key, {len(TAG_PREFIX) + 1}) AS tag_key, tag_value,
        service, {SUMS}
      FROM (SELECT billing_period, service, {", ".join((*tags, *MEASURES))}, line_item_count
            FROM grain WHERE NOT daily AND billing_period IN ({_quoted(periods)}))
        UNPIVOT INCLUDE NULLS (tag_value FOR tag_key IN ({", ".join(tags)}))
      GROUP BY ALL"""
    return f"""
    SELECT *,
      CASE WHEN sum(amortized_cost) OVER k <> 0
           THEN coalesce(sum(CASE WHEN tag_value IS NOT NULL THEN amortized_cost END) OVER k, 0)
                / sum(amortized_cost) OVER k END AS tag_coverage
    FROM ({per_key}) WINDOW k AS (PARTITION BY billing_period, tag_key)
    """


def _savings_monthly(periods: Sequence[str]) -> str:
    return f"""
    WITH s AS (
      SELECT billing_period, payer_account_id, usage_account_id,
        sum(public_on_demand_cost) AS on_demand_equivalent_cost,
        sum(amortized_cost) AS amortized_cost,
        {_of_type(["DiscountedUsage"], "public_on_demand_cost")} AS ri_covered_usage_cost,
        {_of_type(["SavingsPlanCoveredUsage"], "public_on_demand_cost")} AS sp_covered_usage_cost,
        {_of_type(USAGE_TYPES, "public_on_demand_cost")} AS eligible_usage_cost,
        {_of_type(["RIFee"], "amortized_cost")} AS ri_unused_commitment,
        {_of_type(["SavingsPlanRecurringFee"], "amortized_cost")} AS sp_unused_commitment,
        {_of_type(["DiscountedUsage"], "amortized_cost")} AS ri_used_commitment,
        {_of_type(["SavingsPlanRecurringFee"], "sp_used")} AS sp_used_commitment,
        {_of_type(["SavingsPlanRecurringFee"], "sp_total")} AS sp_total_commitment
      FROM grain WHERE daily AND billing_period IN ({_quoted(periods)}) GROUP BY ALL
    )
    SELECT *, on_demand_equivalent_cost - amortized_cost AS savings,
      ri_used_commitment + ri_unused_commitment AS ri_total_commitment,
      CASE WHEN eligible_usage_cost > 0
           THEN (ri_covered_usage_cost + sp_covered_usage_cost) / eligible_usage_cost END
        AS coverage,
      CASE WHEN ri_used_commitment + ri_unused_commitment > 0
           THEN ri_used_commitment / (ri_used_commitment + ri_unused_commitment) END
        AS ri_utilization,
      CASE WHEN sp_total_commitment > 0 THEN sp_used_commitment / sp_total_commitment END
        AS sp_utilization
    FROM s
    """


def dataset_sql(
    name: str, periods: Sequence[str], loaded: Sequence[str], tags: Sequence[str]
) -> str:
    """The query of one dataset over the ``grain`` table, for ``periods`` (``loaded`` read)."""
    if name == DAILY_COST:
        return _daily_cost(periods)
    if name == ACCOUNT_MONTHLY:
        return _with_change(["payer_account_id", "usage_account_id"], "", periods, _quoted(loaded))
    if name == SERVICE_MONTHLY:
        rank = ", rank() OVER (PARTITION BY billing_period ORDER BY amortized_cost DESC) AS rank"
        return _with_change(["service"], rank, periods, _quoted(loaded))
    if name == TAG_MONTHLY:
        return _tag_monthly(periods, tags)
    if name == SAVINGS_MONTHLY:
        return _savings_monthly(periods)
    raise ValueError(f"unknown dataset {name}")


def compute(
    files: Sequence[str],
    periods: Sequence[str],
    loaded: Sequence[str],
    output: Path,
    threads: int | None = None,
) -> dict[str, Path]:
    """Write the datasets of ``periods`` as Parquet under ``output``; one pass over ``files``."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    if threads:
        con.execute(f"SET threads = {threads}")
    present = _present_columns(con, files)
    tags = sorted(name for name in present if name.lower().startswith(TAG_PREFIX))
    con.execute(f"CREATE TEMP VIEW lines AS {lines_sql(files, present, tags, periods)}")
    con.execute(f"CREATE TEMP TABLE grain AS {grain_sql(tags)}")
    output.mkdir(parents=True, exist_ok=True)
    written = {}
    for name in DATASETS:
        path = output / f"{name}.parquet"
        con.execute(
            f"COPY ({dataset_sql(name, periods, loaded, tags)}) TO '{path}' (FORMAT parquet)"
        )
        written[name] = path
    con.close()
    return written


def column_sums(con: duckdb.DuckDBPyConnection, parquet: str | Sequence[str]) -> dict[str, float]:
    """Row count and the sum of every numeric column of a Parquet file, glob or list of files."""
    paths = [parquet] if isinstance(parquet, str) else list(parquet)
    source = "read_parquet([" + ", ".join(f"'{path}'" for path in paths) + "])"
    described = con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
    numeric = [
        row[0]
        for row in described
        if row[1] in ("DOUBLE", "BIGINT", "INTEGER", "FLOAT", "HUGEINT")
        and row[0] not in ("year", "month")
    ]
    sums = ", ".join(f'sum("{name}")::DOUBLE' for name in numeric)
    row = con.execute(f"SELECT count(*), {sums} FROM {source}").fetchone()
    assert row is not None
    return {"rows": float(row[0]), **dict(zip(numeric, (v or 0.0 for v in row[1:]), strict=True))}
