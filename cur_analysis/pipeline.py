"""The job: read periods, conform, measure, publish. The CLI and the Glue script call ``run``.

The default datasets and the run totals come from one scan: the conformed frame of the requested
periods (and of their previous periods, for the change columns) is summed in one aggregation pass
to the fine grain (``datasets.grain``), which is persisted; every default dataset and the totals
roll up from it. Only the columns the measures and dimensions use are read (tag columns only for
``tag_monthly``). Each line-item dataset (``focus``, the cid views) plans its own column-pruned
scan of the requested periods alone, straight into its aggregation or writer
(docs/decisions/0007-measured-cost-decides-scans.md).

A run is handed one ``planner.Plan`` (what it is asked and what it decided, made before Spark
where the caller can) and hands it on once: ``plan_scan`` reads what it says into the ``Scan``
and its ``Scope``, the datasets are built from those, and one publishing ``Transaction``
(``io.publish``) records them with the plan's forms, definitions and inputs.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

from pyspark import StorageLevel
from pyspark.sql import DataFrame, Observation, SparkSession
from pyspark.sql import functions as F

if TYPE_CHECKING:
    import pyarrow as pa

from cur_analysis import columns as c
from cur_analysis.cid.tags import selected_tags
from cur_analysis.conform import (
    conform_cur,
    require_columns,
    user_tag_columns,
    without_split_cost_rows,
)
from cur_analysis.datasets.grain import ROLLED_UP, daily_rows, fine_grain, summed
from cur_analysis.datasets.movers import Mover, top_movers
from cur_analysis.datasets.registry import DATASETS as DATASETS  # the CLI names it from here
from cur_analysis.datasets.registry import FOCUS, Dataset, Movers, Scope
from cur_analysis.errors import SourceDataError
from cur_analysis.focus.units import unknown_unit_metrics, unknown_units_note
from cur_analysis.io.manifests import SourceRecord, read_published_table
from cur_analysis.io.publish import (
    FaultPoint,
    Publication,
    Publisher,
    Transaction,
    no_faults,
)
from cur_analysis.io.readers import CatalogReader, CurReader, require_periods
from cur_analysis.io.stores import Store, check_local_output, store_for
from cur_analysis.io.tables import SparkTables
from cur_analysis.io.uris import is_uri
from cur_analysis.io.writers import (
    SizeClass,
    collected,
    parquet_by_period,
    parquet_bytes,
    write_version,
)
from cur_analysis.periods import BillingPeriod, label_column, label_in
from cur_analysis.planner import Plan, RunConfig, plan_run
from cur_analysis.schedule import Schedule


@dataclass(frozen=True)
class RunResult:
    """What a run did: per-period totals of every measure, movers, where the datasets are, and
    which requested periods it computed or skipped (``schedule``)."""

    config: RunConfig
    periods: tuple[BillingPeriod, ...] = ()
    totals: dict[str, dict[str, float]] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)
    movers: tuple[Mover, ...] = ()
    seconds: float = 0.0
    run_id: str = ""
    schedule: Schedule | None = None
    notes: tuple[str, ...] = ()  # lines the run adds to its summary (units FOCUS left as the CUR's)

    @property
    def line_item_count(self) -> int:
        """Line items of the run's periods (split-cost rows excluded)."""
        return int(sum(period[c.LINE_ITEM_COUNT] for period in self.totals.values()))


def _requested_periods(
    reader: CurReader, plan: Plan
) -> tuple[tuple[BillingPeriod, ...], tuple[BillingPeriod, ...]]:
    """The periods to compute (the plan's, else every requested one) and the periods to load
    with them (their previous periods present, when a dataset reads them)."""
    config = plan.config
    available = reader.available_periods(config.database, config.table)
    chosen = plan.schedule.computed if plan.schedule is not None else ()
    periods = tuple(sorted(chosen)) if chosen else config.selection.resolve(available)
    require_periods(f"{config.database}.{config.table}", periods, available)
    needs_previous = any(dataset.reads_previous for dataset in plan.datasets)
    previous = {p.previous() for p in periods} & set(available) if needs_previous else set()
    return periods, tuple(sorted(set(periods) | previous))


@dataclass(frozen=True)
class Scan:
    """What a run reads: its periods, how it reads them, and the ``Scope`` its datasets are
    built in.

    ``grain``: the default datasets' read, one scan of the requested and previous partitions
    (but the previous periods taken as published) with only the columns the measures and
    dimensions use (and the tag columns when a requested dataset reads tags), summed to the
    fine grain. ``scope``: the periods whose figures the run has (read or taken as published),
    the tag columns, every option the datasets take, and, per dataset, its published rows of the
    periods taken as published.

    ``line_items``: when a line-item dataset (``focus``, the cid views) is requested, the
    conformed, split-cost-filtered line items of the requested periods only, unread: each such
    dataset's plan reads the source for itself, only the columns its rules use, straight into
    its aggregation or writer. Nothing of them is persisted, and none of them feeds the grain.
    """

    periods: tuple[BillingPeriod, ...]
    grain: DataFrame
    source: SourceRecord
    scope: Scope
    line_items: DataFrame | None = None

    @property
    def loaded(self) -> tuple[BillingPeriod, ...]:
        """The periods whose figures the run has, read or taken as published."""
        return self.scope.loaded_periods


def plan_scan(reader: CurReader, plan: Plan) -> Scan:
    """Build (lazily) what a run reads.

    Args:
        reader: Where the CUR comes from.
        plan: What the run is asked and decided (``Plan(config)``: every requested period).

    Returns:
        The fine grain of the source the periods need (less the previous periods the plan takes
        as published), and the line items of the requested periods when a line-item dataset
        is requested.

    Raises:
        MissingPeriodError: A period to compute has no partition.
        SourceDataError: The source lacks a column every measure needs, or a file is not
            Parquet (a ``CatalogReader`` checks them).
    """
    config = plan.config
    periods, loaded = _requested_periods(reader, plan)
    read = tuple(period for period in loaded if period not in plan.previous)
    record = _source_record(reader, plan, read)
    source = reader.read(config.database, config.table, read)
    require_columns(source.columns, f"{config.database}.{config.table}")
    published = _published_frames(source.sparkSession, plan)
    grain_tags = any(d.reads_tags for d in plan.datasets if not d.from_line_items)
    cur = without_split_cost_rows(conform_cur(source, with_tags=grain_tags))
    tags = tuple(user_tag_columns(cur.columns)) if grain_tags else ()
    grain = cur.transform(fine_grain(tags, tag_periods=periods))
    from_line_items = [d for d in plan.datasets if d.from_line_items]
    if not from_line_items:
        return Scan(periods, grain, record, Scope(loaded, tags, config.focus, published=published))
    line_items = _line_items(reader, config, periods, from_line_items)
    cid_tags = selected_tags(config.cid_tags, user_tag_columns(line_items.columns))
    line_item_tags = tuple(user_tag_columns(line_items.columns))
    scope = Scope(loaded, tags or line_item_tags, config.focus, cid_tags, published)
    return Scan(periods, grain, record, scope, line_items)


def _published_frames(spark: SparkSession, plan: Plan) -> dict[str, DataFrame]:
    """Each dataset's published rows of the previous periods ``plan`` takes as published: its
    checked files read with their schema (no inference job, no Python worker)."""
    from pyspark.sql.pandas.types import from_arrow_schema

    frames = {}
    for name, found in plan.published_files().items():
        paths = [path for files in found for path in files.paths]
        frames[name] = spark.read.schema(from_arrow_schema(found[0].schema)).parquet(*paths)
    return frames


def _line_items(
    reader: CurReader,
    config: RunConfig,
    periods: tuple[BillingPeriod, ...],
    datasets: Sequence[Dataset],
) -> DataFrame:
    """The conformed, split-cost-filtered line items of ``periods`` with every column the
    line-item ``datasets`` read besides ``SOURCE_SCHEMA``; a plan over them reads only the
    columns it uses."""
    source = reader.read(config.database, config.table, periods)
    extra = dict(pair for dataset in datasets for pair in dataset.extra_columns)
    with_tags = any(dataset.reads_tags for dataset in datasets) or bool(config.cid_tags)
    return without_split_cost_rows(conform_cur(source, with_tags=with_tags, extra_columns=extra))


def _source_record(
    reader: CurReader, plan: Plan, loaded: tuple[BillingPeriod, ...]
) -> SourceRecord:
    """What the run reads: a ``CatalogReader`` says which files (those of the plan's listing
    where it has them) and checks them; of a plain reader, the table's name."""
    table = (plan.config.database, plan.config.table)
    if not isinstance(reader, CatalogReader):
        return SourceRecord(".".join(table))
    return reader.describe(*table, loaded, listed=plan.listing)


def run(
    reader: CurReader,
    config: RunConfig,
    *,
    store: Store | None = None,
    faults: FaultPoint | None = None,
    plan: Plan | None = None,
) -> RunResult:
    """Compute the requested datasets for the periods whose source or definition changed since
    they were published (every requested period with ``config.force``) and publish them, each
    period all at once (``io.publish``).

    Args:
        reader: Where the CUR comes from. A ``CatalogReader`` (``GlueCatalogReader``,
            ``LocalCatalogReader``) lets the run skip unchanged periods and record the files
            it read; with a plain ``CurReader`` every requested period is computed.
        config: What the run is asked.
        store: Where the output lives (default: the store its location names).
        faults: The test hook, called at each named publishing stage (``io.publish``); it
            may raise to stop the run there.
        plan: The plan ``planner.plan_run`` made of ``config`` before Spark started (default:
            made here).

    Returns:
        What the run did: per-period totals, movers, where the datasets are, and which
        requested periods it computed or skipped.

    Raises:
        ValueError: ``plan`` was made of another configuration.
        MissingPeriodError: A requested period has no partition.
        MissingTableError: The table or its database is not in the catalog.
        SourceDataError: The source data is incomplete or malformed (nothing is written).
        SourceListingError: A period's source files could not be listed.
        OutputError: The output is not usable, or a published table cannot be read.
    """
    started = time.monotonic()
    if plan is not None and plan.config != config:
        raise ValueError("the plan was made of another RunConfig: pass the one it was made of")
    store = _output_store(config, store)
    plan = plan or _plan(reader, config, store)
    faults = faults or no_faults
    if plan.nothing_to_compute:
        Publisher(config.output, store, SparkTables(), faults=faults).heal()  # dead runs' work
        return RunResult(config, seconds=time.monotonic() - started, schedule=plan.schedule)
    scan = plan_scan(reader, plan)
    # The cached plan keeps its shuffle partitions (adaptive execution does not coalesce them):
    # one partition per core is enough for the roll-ups that read it.
    parallelism = scan.grain.sparkSession.sparkContext.defaultParallelism
    grain = scan.grain.coalesce(parallelism).persist(StorageLevel.MEMORY_AND_DISK)
    try:
        frames = {dataset.name: _dataset_frame(dataset, scan, grain) for dataset in plan.datasets}
        units = _observe_units(frames)
        small = collected(
            {
                TOTALS: _totals_frame(grain.where(_in_periods(grain, scan.periods))),
                **_small(frames, plan.datasets),
            }
        )
        totals = _totals_by_period(small[TOTALS])
        empty = _empty_periods_if_allowed(scan, totals, config)
        movers = _movers(small, plan.datasets)
        publisher = Publisher(config.output, store, SparkTables(grain.sparkSession), faults=faults)
        outputs = _publish(publisher, plan, scan, frames, small, empty)
    finally:
        grain.unpersist()
    return RunResult(
        config,
        scan.periods,
        totals,
        outputs,
        movers,
        time.monotonic() - started,
        run_id=publisher.run_id,
        schedule=plan.schedule,
        notes=tuple(note for note in (_units_note(units),) if note),
    )


def _output_store(config: RunConfig, store: Store | None) -> Store:
    """The output's store; a local output is checked (a folder, writable) before anything."""
    if not is_uri(config.output):
        check_local_output(config.output)
    return store or store_for(config.output)


def _plan(reader: CurReader, config: RunConfig, store: Store) -> Plan:
    """The run's plan: its decisions when the reader's catalog lists its partitions, else
    every requested period."""
    if isinstance(reader, CatalogReader):
        return plan_run(reader, config, store, reader.s3_client)
    return Plan(config)


def _publish(
    publisher: Publisher,
    plan: Plan,
    scan: Scan,
    frames: Mapping[str, DataFrame],
    small: Mapping[str, pa.Table],
    empty: tuple[BillingPeriod, ...],
) -> dict[str, str]:
    """Publish the run's datasets in one transaction and say where each is. A merged table
    takes its published version first, read before anything is written."""
    merged = {
        d.name: d.merge(
            read_published_table(publisher.store, publisher.output, d.name), small[d.name]
        )
        for d in plan.datasets
        if d.merge is not None
    }
    transaction = publisher.begin(_publication(plan, scan, frames, empty))
    rows = {**frames, **small, **merged}
    outputs = {d.name: _stage(transaction, d, rows[d.name], scan.periods) for d in plan.datasets}
    transaction.commit()
    return outputs


def _publication(
    plan: Plan, scan: Scan, frames: Mapping[str, DataFrame], empty: tuple[BillingPeriod, ...]
) -> Publication:
    """What the run publishes: its periods' datasets, what it read, what its plan decided."""
    config = plan.config
    return Publication(
        scan.periods,
        tuple(d.name for d in plan.datasets if d.periodic),
        scan.source,
        tables=tuple(d.name for d in plan.datasets if not d.periodic),
        empty=empty,
        output_database=config.output_database,
        forms=config.forms,
        definitions=plan.definitions,
        recorded=plan.recorded,
        schemas={name: frame.schema for name, frame in frames.items()},
    )


def _stage(
    transaction: Transaction,
    dataset: Dataset,
    rows: DataFrame | pa.Table,
    periods: tuple[BillingPeriod, ...],
) -> str:
    """Stage this run's version of the dataset (published later, all at once): Spark writes a
    frame, the driver a collected table (a file per period, or a merged table's one file)."""
    if not dataset.periodic:
        return transaction.stage_table(dataset.name, parquet_bytes(rows))
    if isinstance(rows, DataFrame):
        write = partial(write_version, rows, size=dataset.size)
        return transaction.stage_written(dataset.name, write)
    return transaction.stage_periods(dataset.name, parquet_by_period(rows, periods))


def _movers(small: Mapping[str, pa.Table], datasets: Sequence[Dataset]) -> tuple[Mover, ...]:
    """The top movers of each monthly dataset that ranks them."""
    return tuple(
        mover
        for dataset in datasets
        if dataset.movers is not None
        for mover in top_movers(_mover_candidates(small[dataset.name], dataset.movers))
    )


def _observe_units(frames: dict[str, DataFrame]) -> Observation | None:
    """Count, while ``focus`` is written (no second scan), its rows whose unit
    ``focus.units`` does not map."""
    if FOCUS.name not in frames:
        return None
    observation = Observation("focus-units")
    frames[FOCUS.name] = frames[FOCUS.name].observe(observation, *unknown_unit_metrics())
    return observation


def _units_note(observation: Observation | None) -> str:
    return unknown_units_note(observation.get) if observation is not None else ""


def _in_periods(frame: DataFrame, periods: tuple[BillingPeriod, ...]):
    """True on a dataset's rows of ``periods``: by its ``YYYY-MM`` label, or by its partition
    columns where it has them (the cid views, whose ``billing_period`` is CID's timestamp)."""
    if c.YEAR in frame.columns and c.MONTH in frame.columns:
        return label_in(label_column(F.col(c.YEAR), F.col(c.MONTH)), periods)
    return label_in(F.col(c.BILLING_PERIOD), periods)


# The name the run totals travel under beside the small datasets (no dataset starts with "_").
TOTALS = "_totals"


def _dataset_frame(dataset: Dataset, scan: Scan, grain: DataFrame) -> DataFrame:
    """The dataset's rows of the requested periods, from the grain or the line items (a merged
    table's rows are those of every requested period together)."""
    rows = scan.line_items if dataset.from_line_items else grain
    frame = rows.transform(dataset.builder(scan.scope))
    return frame.where(_in_periods(frame, scan.periods)) if dataset.periodic else frame


def _small(frames: Mapping[str, DataFrame], datasets: Sequence[Dataset]) -> dict[str, DataFrame]:
    """The frames of the ``SMALL`` datasets (roll-ups of the grain, two cid views): collected
    together by one Spark job and written by the driver."""
    return {d.name: frames[d.name] for d in datasets if d.size is SizeClass.SMALL}


def _empty_periods_if_allowed(
    scan: Scan, totals: Mapping[str, Mapping[str, float]], config: RunConfig
) -> tuple[BillingPeriod, ...]:
    """The requested periods without a line item, when ``allow_empty_periods``; any such period
    is refused (``SourceDataError``) otherwise."""
    empty = tuple(p for p in scan.periods if totals.get(p.label, {}).get(c.LINE_ITEM_COUNT, 0) == 0)
    if empty and not config.allow_empty_periods:
        where = {part.period: part.location for part in scan.source.partitions}
        named = ", ".join(_partition_name(config, p, where) for p in empty)
        raise SourceDataError(
            f"{named} yields no line items: the export of that month is empty or incomplete; "
            "wait for the CUR export, or pass --allow-empty-period to publish it empty"
        )
    return empty


def _partition_name(config: RunConfig, period: BillingPeriod, where: Mapping[str, str]) -> str:
    location = where.get(period.label)
    suffix = f" at {location}" if location else ""
    return f"the partition {period.label} of {config.database}.{config.table}{suffix}"


def _totals_frame(grain: DataFrame) -> DataFrame:
    """Every measure and the line count per period: the run totals and the empty-period check."""
    return daily_rows(grain).groupBy(c.BILLING_PERIOD).agg(*summed(ROLLED_UP))


def _totals_by_period(rows: pa.Table) -> dict[str, dict[str, float]]:
    """Per period, each rolled-up measure and the line count, from the collected totals."""
    return {
        row[c.BILLING_PERIOD]: {name: float(row[name] or 0.0) for name in ROLLED_UP}
        for row in sorted(rows.to_pylist(), key=lambda r: r[c.BILLING_PERIOD])
    }


def _mover_candidates(rows: pa.Table, movers: Movers) -> list[Mover]:
    """Every row of a monthly dataset that has a change, as a candidate mover."""
    kind, key = movers.kind, movers.name_column
    return [
        Mover(row[c.BILLING_PERIOD], kind, str(row[key]), row[c.AMORTIZED], row[c.AMORTIZED_CHANGE])
        for row in rows.to_pylist()
        if row[c.AMORTIZED_CHANGE] is not None
    ]
