"""cur-analysis from an AWS Glue notebook (Glue Studio notebook or interactive session), or locally.

Works on both CUR layouts: a legacy CUR table (``year``/``month`` partitions) and a CUR 2.0
(Data Exports) table (``billing_period`` partitions, map columns) are read and conformed alike.

In a Glue 5.1 (or 6.0) notebook, install the wheel that ``make package`` builds and
``cur-deploy`` uploads, in the first cell (before any Spark code)::

    %glue_version 5.1
    %additional_python_modules s3://my-analytics-glue-artifacts/cur-analysis/wheels/cur_analysis-0.1.0-py3-none-any.whl

then paste the cells below. The job role of the session needs the same Lake Formation and S3
grants as the Glue job (``cur-bootstrap apply --side consumer``).

Locally (``python examples/notebook.py [--home DIR]``) the same functions read the local catalog
made by ``cur-analysis demo`` (or ``cur-analysis catalog register`` + ``link``) instead.
"""

from __future__ import annotations

import argparse
from typing import Any

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from cur_analysis import columns as c
from cur_analysis.conform import conform_cur, without_split_cost_rows
from cur_analysis.datasets.daily_cost import daily_cost
from cur_analysis.datasets.grain import fine_grain
from cur_analysis.io.readers import CurReader, read_cur
from cur_analysis.periods import BillingPeriod

DATABASE = "cur_org_linked"  # the resource link that cur-bootstrap makes in this account
TABLE = "legacy_all"


# %% The reader: the Glue Data Catalog (through the resource link) in a Glue notebook.
def glue_reader() -> tuple[Any, CurReader]:
    """The notebook's Spark session and a reader of the Glue Data Catalog (Glue only)."""
    from awsglue.context import GlueContext
    from pyspark.context import SparkContext

    from cur_analysis.io import aws
    from cur_analysis.io.readers import GlueCatalogReader

    glue_context = GlueContext(SparkContext.getOrCreate())
    return glue_context.spark_session, GlueCatalogReader(glue_context, aws.client("glue"))


# %% Read one billing period and compute a dataset: the daily cost.
def daily_cost_of(
    reader: CurReader, period: BillingPeriod, database: str = DATABASE, table: str = TABLE
) -> DataFrame:
    """``daily_cost`` of one billing period: read with partition push-down, conform (legacy CUR
    or CUR 2.0, whichever the table is), aggregate."""
    cur = without_split_cost_rows(conform_cur(read_cur(reader, database, table, [period])))
    return cur.transform(fine_grain()).transform(daily_cost)


# %% Show it: the most expensive services of the period.
def top_services(daily: DataFrame, limit: int = 10) -> DataFrame:
    return (
        daily.groupBy(c.SERVICE)
        .agg(
            F.round(F.sum(c.UNBLENDED), 2).alias(c.UNBLENDED),
            F.round(F.sum(c.AMORTIZED), 2).alias(c.AMORTIZED),
        )
        .orderBy(F.desc(c.UNBLENDED), c.SERVICE)
        .limit(limit)
    )


def latest_period(reader: CurReader, database: str = DATABASE, table: str = TABLE) -> BillingPeriod:
    """The newest billing period present in the table."""
    periods = reader.available_periods(database, table)
    if not periods:
        raise SystemExit(f"{database}.{table} has no partitions yet")
    return periods[-1]


def main(argv: list[str] | None = None) -> None:
    """Locally: the local catalog (``cur-analysis demo`` makes it) stands in for Glue's."""
    parser = argparse.ArgumentParser(description="cur-analysis notebook example, run locally")
    parser.add_argument("--home", help="local catalog folder (as for cur-analysis --home)")
    parser.add_argument("--database", default=DATABASE)
    parser.add_argument("--table", default=TABLE)
    parser.add_argument("--period", type=BillingPeriod.parse, help="YYYY-MM (default: latest)")
    args = parser.parse_args(argv)

    from cur_analysis.local.reader import LocalCatalogReader
    from cur_analysis.local.session import local_spark

    reader = LocalCatalogReader(local_spark(args.home))
    period = args.period or latest_period(reader, args.database, args.table)
    daily = daily_cost_of(reader, period, args.database, args.table)
    print(f"daily_cost of {args.database}.{args.table} for {period.label}: {daily.count()} rows")
    top_services(daily).show(truncate=False)


# In a Glue notebook, run instead:
#   spark, reader = glue_reader()
#   daily = daily_cost_of(reader, BillingPeriod.parse("2024-05"))
#   top_services(daily).show(truncate=False)

if __name__ == "__main__":
    main()
