"""Helpers of the cid tests: the tags and periods of the two exports, one run of the cid group,
and the written rows of a view compared with the oracle's."""

from __future__ import annotations

import math
from pathlib import Path

import duckdb

from cur_analysis.cid import schema
from cur_analysis.io.publish import published_table_files

GENERATED_TAGS = ("user_team", "user_cost_center")  # cost_center appears in the second month
SAMPLE_TAGS = ("user_environment", "user_tag21_nov")  # tag21_nov exists in November only
SAMPLE_PERIODS = ("2018-10", "2018-11", "2018-12")
GENERATED_PERIODS = ("2024-03", "2024-04", "2024-05")


def _run(spark, catalog: tuple[str, str], periods, output: Path, database: str, tags):
    from cur_analysis.local.reader import LocalCatalogReader
    from cur_analysis.pipeline import RunConfig, run

    config = RunConfig(
        *catalog,
        periods,
        str(output),
        output_database=database,
        datasets=("cid",),
        cid_tags=tags,
    )
    return run(LocalCatalogReader(spark), config)


# view -> (its CID columns, how many trailing columns are measures)
VIEWS = {
    "summary_view": (schema.SUMMARY_VIEW, 7),
    "account_map": (schema.ACCOUNT_MAP_TABLE, 0),
    "ri_sp_mapping": (schema.RI_SP_MAPPING, 0),
    "ec2_running_cost": (schema.EC2_RUNNING_COST, 2),
    "compute_savings_plan_eligible_spend": (schema.COMPUTE_SAVINGS_PLAN_ELIGIBLE_SPEND, 1),
    "s3_view": (schema.S3_VIEW, 3),
}
# CID rounds ec2_running_cost's usage to 2 decimals: a sum that lands on a half cent may round
# either way with another summation order.
ROUNDED = {("ec2_running_cost", "usage_quantity"): 0.01}


def _written(output: Path, view: str) -> list[tuple]:
    """The view's rows as published, year and month first (the oracle's order); the merged
    ``account_map`` table has no year and month."""
    columns, _ = VIEWS[view]
    names = [name for name in columns if name not in schema.PARTITIONS]
    select = ", ".join(
        f"CAST({n} AS TIMESTAMP)" if str(t) == "TimestampType()" else n
        for n, t in columns.items()
        if n in names
    )
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    if view == "account_map":
        files = published_table_files(str(output), view)
        return con.execute(f"SELECT {select} FROM read_parquet({files})").fetchall()
    glob = output / view / "year=*" / "month=*" / "run=*" / "*.parquet"
    return con.execute(
        f"SELECT CAST(year AS VARCHAR), CAST(month AS VARCHAR), {select} "
        f"FROM read_parquet('{glob}', hive_partitioning=true, hive_types_autocast=false)"
    ).fetchall()


def _by_key(rows: list[tuple], measures: int) -> dict[tuple, tuple]:
    split = len(rows[0]) - measures if rows else 0
    keyed = {row[:split]: row[split:] for row in rows}
    assert len(keyed) == len(rows), "the grouping columns repeat"
    return keyed


def _compare(view: str, actual: list[tuple], expected: list[tuple]) -> tuple[int, int]:
    columns, measures = VIEWS[view]
    names = [n for n in columns if n not in schema.PARTITIONS][-measures:] if measures else []
    got, want = _by_key(actual, measures), _by_key(expected, measures)
    assert len(want) > 0
    assert set(got) == set(want), (set(got) - set(want), set(want) - set(got))
    for key, values in want.items():
        for name, value, result in zip(names, values, got[key], strict=True):
            tolerance = ROUNDED.get((view, name), 1e-9)
            assert result is not None or value is None, (key, name)
            assert math.isclose(result or 0.0, value or 0.0, rel_tol=1e-9, abs_tol=tolerance), (
                key,
                name,
                result,
                value,
            )
    return len(want), len(want) * max(measures, 1)
