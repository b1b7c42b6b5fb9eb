"""Constants the tests share (fixtures live in conftest.py, helpers here)."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

from cur_analysis.periods import BillingPeriod

PROJECT = Path(__file__).resolve().parents[1]

# The synthetic export of the ``generated_export`` fixture: three drifting months.
GENERATED_START = BillingPeriod(2024, 3)
GENERATED_ROWS = 3000
# Where ``generated_outputs`` publishes the datasets' tables.
GENERATED_DATASETS_DATABASE = "gen_datasets"

# The Well-Architected sample months of the public CUR samples, as export month folders.
SAMPLE_MONTHS = {
    "wal_Oct2018-WorkshopCUR-00001.snappy.parquet": "month=10",
    "wal_Nov2018-WorkshopCUR-00001.snappy.parquet": "month=11",
    "wal_Dec2018-WorkshopCUR-00001.snappy.parquet": "month=12",
}


def input_records(spark, group: str) -> int:
    """Input records of every stage of a Spark job group: the Parquet rows its scans read (a
    cached frame's reads count none)."""
    context = spark.sparkContext
    store = context._jsc.sc().statusStore()
    records = 0
    for job_id in context.statusTracker().getJobIdsForGroup(group):
        for stage_id in context.statusTracker().getJobInfo(job_id).stageIds:
            try:
                records += int(store.lastStageAttempt(stage_id).inputRecords())
            except Exception:  # noqa: BLE001 (a stage adaptive execution skipped)
                continue
    return records


def command_parsers(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """``parser`` and every subcommand's parser below it, by command path, depth first."""
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from command_parsers(sub, (*path, name))
