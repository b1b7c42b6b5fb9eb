"""``cur-analysis demo``: the whole product on one machine, in four printed steps.

It generates a synthetic legacy CUR, registers it in the local catalog, links it as Lake
Formation would, runs the job for the latest two periods with every dataset (the opt-in ones
too, to show them) and writes the latest period's report. The catalog it builds is the one the
other commands read by default (``local.catalog``'s ``SOURCE_DATABASE``, ``LINK_DATABASE`` and
``TABLE``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from pyspark.sql import SparkSession

from cur_analysis.datasets.registry import CID_GROUP, DATASETS, FOCUS, GROUPS, SERVICE_MONTHLY
from cur_analysis.local import catalog
from cur_analysis.local.catalog import LINK_DATABASE, SOURCE_DATABASE, TABLE
from cur_analysis.local.reader import LocalCatalogReader
from cur_analysis.periods import BillingPeriod
from cur_analysis.pipeline import RunConfig, RunResult, run
from cur_analysis.report.build import default_report_path, write_period_report
from cur_analysis.report.load import ParquetFolderSource
from cur_analysis.summary import format_run

OUTPUT_DATABASE = "cur_datasets"
START = BillingPeriod(2024, 3)
MONTHS = 3
SEED = 7
# ``cur_analysis.dev.generate.generate``: passed in, since a Glue wheel has no ``cur_analysis.dev``.
GenerateExport = Callable[..., list[Path]]


def run_demo(
    spark: SparkSession, home: Path, rows_per_month: int, generate: GenerateExport
) -> RunResult:
    """Generate, register, link and run under ``home / "demo"``, printing each step, then the
    run's summary, where its outputs are and the report; return the run's result."""
    started = time.monotonic()
    export = home / "demo" / "cur-export"
    generate(export, START, MONTHS, rows_per_month, seed=SEED)
    print(f"1/4 generated {MONTHS} months x ~{rows_per_month:,} rows of legacy CUR under {export}")
    found = catalog.register(spark, export, SOURCE_DATABASE, TABLE)
    print(
        f"2/4 registered {found.table} ({found.columns} columns, {len(found.periods)} partitions)"
    )
    catalog.link(spark, LINK_DATABASE, SOURCE_DATABASE)
    print(f"3/4 linked {LINK_DATABASE}.{TABLE} -> {found.table}")
    ran = found.periods[-2:]  # the previous period too: the report compares with it
    config = demo_config(ran, home / "demo" / "output")
    print(
        f"4/4 running the job for {', '.join(p.label for p in ran)} through "
        f"{LINK_DATABASE}.{TABLE}\n"
    )
    result = run(LocalCatalogReader(spark), config)
    print(format_run(result))
    print(where_the_outputs_are(result, ran[-1]))
    report = default_report_path(config.output, ran[-1])
    print(f"\n{write_period_report(ParquetFolderSource(config.output), ran[-1], report)}")
    print(f"\ndemo finished in {time.monotonic() - started:.1f} s")
    return result


def demo_config(periods: tuple[BillingPeriod, ...], output: Path) -> RunConfig:
    """Every dataset, the opt-in FOCUS and CID views too, published as catalog tables."""
    return RunConfig(
        LINK_DATABASE,
        TABLE,
        tuple(p.label for p in periods),
        str(output),
        output_database=OUTPUT_DATABASE,
        datasets=(*DATASETS, FOCUS.name, CID_GROUP),
        cid_tags=("user_team",),
    )


def where_the_outputs_are(result: RunResult, latest: BillingPeriod) -> str:
    """The FOCUS rows, the CID views and a query to start from, as the demo prints them."""
    config = result.config
    views = GROUPS[CID_GROUP]
    return (
        f"\nfocus: {result.line_item_count:,} FOCUS {config.focus.version} rows "
        f"({config.focus.granularity}) in "
        f"{result.outputs[FOCUS.name]} and {OUTPUT_DATABASE}.{FOCUS.name}\n"
        f"\ncid: the Cloud Intelligence Dashboards' views as tables {OUTPUT_DATABASE}."
        f"{{{','.join(views)}}} over {Path(result.outputs[views[0]]).parent}/<view>\n"
        f"\ntables: {OUTPUT_DATABASE}.<dataset>, e.g. select * from "
        f"{OUTPUT_DATABASE}.{SERVICE_MONTHLY.name} where {latest.predicate()}"
    )
