"""The job: read periods, conform, measure, write. The CLI and the Glue script both call ``run``."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from pyspark.sql import functions as F

from cur_analysis import columns as c
from cur_analysis.conform import conform_legacy, without_split_cost_rows
from cur_analysis.datasets import daily_cost as daily
from cur_analysis.io.readers import CurReader, read_cur
from cur_analysis.io.writers import write_periods
from cur_analysis.measures import MEASURES
from cur_analysis.names import catalog_name
from cur_analysis.periods import BillingPeriod


@dataclass(frozen=True)
class RunConfig:
    """What to read and where to write; every value already validated."""

    database: str
    table: str
    periods: tuple[BillingPeriod, ...]
    output: str

    def __post_init__(self) -> None:
        catalog_name(self.database, "database")
        catalog_name(self.table, "table")


@dataclass(frozen=True)
class RunResult:
    """What a run did: per-period totals of every measure and where the datasets are."""

    config: RunConfig
    totals: dict[str, dict[str, float]] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def line_items(self) -> int:
        return int(sum(period[c.LINE_ITEM_COUNT] for period in self.totals.values()))


def run(reader: CurReader, config: RunConfig) -> RunResult:
    """Compute ``daily_cost`` for the configured periods and replace their output partitions."""
    started = time.monotonic()
    source = read_cur(reader, config.database, config.table, config.periods)
    cur = without_split_cost_rows(conform_legacy(source))
    daily_cost = daily.daily_cost(cur).cache()
    try:
        totals = _totals_by_period(daily_cost)
        path = write_periods(daily_cost, config.output, daily.NAME)
    finally:
        daily_cost.unpersist()
    return RunResult(config, totals, {daily.NAME: path}, time.monotonic() - started)


def _totals_by_period(daily_cost_df) -> dict[str, dict[str, float]]:
    sums = [F.sum(name).alias(name) for name in [*MEASURES, c.LINE_ITEM_COUNT]]
    rows = daily_cost_df.groupBy(c.BILLING_PERIOD).agg(*sums).collect()
    return {
        row[c.BILLING_PERIOD]: {
            name: float(row[name] or 0.0) for name in [*MEASURES, c.LINE_ITEM_COUNT]
        }
        for row in sorted(rows, key=lambda r: r[c.BILLING_PERIOD])
    }
