"""The job: read periods, conform, measure, write. The CLI and the Glue script both call ``run``.

The source is scanned once: the conformed frame of the requested periods (and of their previous
periods, for the change columns) is summed in one aggregation pass to the fine grain
(``datasets.grain``), which is persisted; every dataset and the totals roll up from it. Only the
columns the measures and dimensions use are read (tag columns only for ``tag_monthly``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from pyspark import StorageLevel
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from cur_analysis import columns as c
from cur_analysis.conform import conform_cur, user_tag_columns, without_split_cost_rows
from cur_analysis.datasets import monthly, savings
from cur_analysis.datasets.daily_cost import daily_cost_from_grain
from cur_analysis.datasets.grain import ROLLED_UP, daily_rows, fine_grain, summed
from cur_analysis.errors import InvalidInputError
from cur_analysis.io.readers import CurReader, require_periods
from cur_analysis.io.tables import publish_table
from cur_analysis.io.writers import write_periods
from cur_analysis.names import catalog_name
from cur_analysis.periods import BillingPeriod, checked_period_texts, resolve_periods

DATASETS = ("daily_cost", "account_monthly", "service_monthly", "tag_monthly", "savings_monthly")
# Rolled up to a few rows per account, service or tag value: each period written by one task.
SMALL_DATASETS = ("account_monthly", "service_monthly", "tag_monthly", "savings_monthly")


@dataclass(frozen=True)
class RunConfig:
    """What to read and where to write; names validated here, periods when resolved."""

    database: str
    table: str
    periods: tuple[str, ...]
    output: str
    output_database: str | None = None
    datasets: tuple[str, ...] = DATASETS

    def __post_init__(self) -> None:
        catalog_name(self.database, "database")
        catalog_name(self.table, "table")
        object.__setattr__(self, "periods", checked_period_texts(self.periods))
        if self.output_database is not None:
            catalog_name(self.output_database, "output database")
        unknown = sorted(set(self.datasets) - set(DATASETS))
        if unknown:
            raise InvalidInputError(
                f"unknown datasets {unknown}: choose from {', '.join(DATASETS)}"
            )


@dataclass(frozen=True)
class Mover:
    """A service or account whose amortized cost changed most versus the previous period."""

    period: str
    kind: str
    name: str
    amortized_cost: float
    change: float


@dataclass(frozen=True)
class RunResult:
    """What a run did: per-period totals of every measure, movers, where the datasets are."""

    config: RunConfig
    periods: tuple[BillingPeriod, ...] = ()
    totals: dict[str, dict[str, float]] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)
    movers: tuple[Mover, ...] = ()
    seconds: float = 0.0

    @property
    def line_items(self) -> int:
        return int(sum(period[c.LINE_ITEM_COUNT] for period in self.totals.values()))


def _requested_periods(
    reader: CurReader, config: RunConfig
) -> tuple[tuple[BillingPeriod, ...], tuple[BillingPeriod, ...]]:
    available = reader.available_periods(config.database, config.table)
    periods = resolve_periods(config.periods, available)
    require_periods(f"{config.database}.{config.table}", periods, available)
    previous = {p.previous() for p in periods} & set(available)
    return periods, tuple(sorted(set(periods) | previous))


def _builders(
    tags: Sequence[str], loaded: Sequence[str]
) -> dict[str, Callable[[DataFrame], DataFrame]]:
    return {
        "daily_cost": daily_cost_from_grain,
        "account_monthly": lambda grain: monthly.account_monthly_from_grain(grain, loaded),
        "service_monthly": lambda grain: monthly.service_monthly_from_grain(grain, loaded),
        "tag_monthly": lambda grain: monthly.tag_monthly_from_grain(grain, tags),
        "savings_monthly": savings.savings_monthly_from_grain,
    }


@dataclass(frozen=True)
class Scan:
    """What a run reads: its periods, the periods loaded with them, and their fine grain.

    ``grain`` is the run's only reference to the source: one scan of the requested and previous
    partitions, with only the columns the measures and dimensions use (and the tag columns when
    ``tag_monthly`` is requested).
    """

    periods: tuple[BillingPeriod, ...]
    loaded: tuple[BillingPeriod, ...]
    tags: tuple[str, ...]
    grain: DataFrame


def plan_scan(reader: CurReader, config: RunConfig) -> Scan:
    """Resolve the periods and build (lazily) the fine grain of the source they need."""
    periods, loaded = _requested_periods(reader, config)
    source = reader.read(config.database, config.table, loaded)
    with_tags = "tag_monthly" in config.datasets
    cur = without_split_cost_rows(conform_cur(source, with_tags=with_tags))
    tags = tuple(user_tag_columns(cur.columns)) if with_tags else ()
    grain = fine_grain(cur, tags, tag_periods=[p.label for p in periods])
    return Scan(periods, loaded, tags, grain)


def run(reader: CurReader, config: RunConfig) -> RunResult:
    """Compute the datasets for the configured periods and replace their output partitions."""
    started = time.monotonic()
    scan = plan_scan(reader, config)
    # The cached plan keeps its shuffle partitions (adaptive execution does not coalesce them):
    # one partition per core is enough for the roll-ups that read it.
    parallelism = scan.grain.sparkSession.sparkContext.defaultParallelism
    grain = scan.grain.coalesce(parallelism).persist(StorageLevel.MEMORY_AND_DISK)
    labels = [p.label for p in scan.periods]
    builders = _builders(scan.tags, [p.label for p in scan.loaded])
    outputs: dict[str, str] = {}
    try:
        totals = _totals_by_period(grain.where(F.col(c.BILLING_PERIOD).isin(*labels)))
        movers: tuple[Mover, ...] = ()
        for name in config.datasets:
            dataset = builders[name](grain).where(F.col(c.BILLING_PERIOD).isin(*labels))
            if name in ("account_monthly", "service_monthly"):
                dataset = dataset.persist(StorageLevel.MEMORY_AND_DISK)
                movers += top_movers(dataset, name)
            outputs[name] = write_periods(
                dataset, config.output, name, small=name in SMALL_DATASETS
            )
            if config.output_database:
                publish_table(
                    dataset.sparkSession, config.output_database, name, outputs[name], labels
                )
            dataset.unpersist()
    finally:
        grain.unpersist()
    return RunResult(config, scan.periods, totals, outputs, movers, time.monotonic() - started)


def _totals_by_period(grain: DataFrame) -> dict[str, dict[str, float]]:
    rows = daily_rows(grain).groupBy(c.BILLING_PERIOD).agg(*summed(ROLLED_UP)).collect()
    return {
        row[c.BILLING_PERIOD]: {name: float(row[name] or 0.0) for name in ROLLED_UP}
        for row in sorted(rows, key=lambda r: r[c.BILLING_PERIOD])
    }


def top_movers(dataset: DataFrame, name: str, count: int = 5) -> tuple[Mover, ...]:
    """The ``count`` largest absolute amortized changes per period of a monthly dataset."""
    kind, key = ("service", c.SERVICE) if name == "service_monthly" else ("account", c.ACCOUNT)
    rows = (
        dataset.where(F.col(c.AMORTIZED_CHANGE).isNotNull())
        .select(c.BILLING_PERIOD, key, "amortized_cost", c.AMORTIZED_CHANGE)
        .collect()
    )
    movers = []
    for period in sorted({row[c.BILLING_PERIOD] for row in rows}):
        in_period = [row for row in rows if row[c.BILLING_PERIOD] == period]
        in_period.sort(key=lambda row: abs(row[c.AMORTIZED_CHANGE]), reverse=True)
        movers += [
            Mover(period, kind, str(row[key]), row["amortized_cost"], row[c.AMORTIZED_CHANGE])
            for row in in_period[:count]
        ]
    return tuple(movers)
