"""The job: read periods, conform, measure, publish. The CLI and the Glue script call ``run``.

The default datasets and the run totals come from one scan: the conformed frame of the requested
periods (and of their previous periods, for the change columns) is summed in one aggregation pass
to the fine grain (``datasets.grain``), which is persisted; every default dataset and the totals
roll up from it. Only the columns the measures and dimensions use are read (tag columns only for
``tag_monthly``). Each line-item dataset (``focus``, the cid views) plans its own column-pruned
scan of the requested periods alone, straight into its aggregation or writer
(docs/decisions/0007-measured-cost-decides-scans.md).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from pyspark import StorageLevel
from pyspark.sql import DataFrame, Observation, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import StructType

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
from cur_analysis.datasets.registry import (
    CID_GROUP,
    DATASETS,
    FOCUS,
    GROUPS,
    SELECTABLE,
    Dataset,
    Movers,
    Scope,
    by_name,
    expand_groups,
)
from cur_analysis.errors import InvalidInputError, OutputError, SourceDataError
from cur_analysis.focus.options import FocusOptions
from cur_analysis.focus.units import unknown_unit_metrics, unknown_units_note
from cur_analysis.io.fingerprint import PartitionLocations, SourceListing
from cur_analysis.io.publish import (
    FaultPoint,
    PublishedOutput,
    Publisher,
    SourceRecord,
    no_faults,
    published_table_files,
    read_table_pointer,
    table_pointer_path,
)
from cur_analysis.io.readers import CurReader, require_periods
from cur_analysis.io.stores import Store, check_local_output, store_for
from cur_analysis.io.tables import TableSwitch
from cur_analysis.io.uris import is_uri
from cur_analysis.io.writers import (
    SizeClass,
    collected,
    parquet_by_period,
    parquet_bytes,
    write_version,
)
from cur_analysis.names import catalog_name
from cur_analysis.periods import BillingPeriod, PeriodSelection, label_column, label_in
from cur_analysis.planner import Plan, plan_periods
from cur_analysis.schedule import Schedule


@dataclass(frozen=True)
class RunConfig:
    """What to read and where to write, validated here: names, datasets, and the periods, parsed
    once into ``selection`` (``period_args`` keeps them as canonical argument texts)."""

    database: str
    table: str
    period_args: tuple[str, ...]
    output: str
    output_database: str | None = None
    datasets: tuple[str, ...] = DATASETS
    allow_empty_periods: bool = False
    focus: FocusOptions = FocusOptions()
    cid_tags: tuple[str, ...] = ()
    force: bool = False
    selection: PeriodSelection = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        catalog_name(self.database, "database")
        catalog_name(self.table, "table")
        selection = PeriodSelection.parse(self.period_args)
        object.__setattr__(self, "selection", selection)
        object.__setattr__(self, "period_args", selection.texts)
        if self.output_database is not None:
            catalog_name(self.output_database, "output database")
        object.__setattr__(self, "datasets", expand_groups(tuple(self.datasets)))
        if not self.datasets:
            raise InvalidInputError(
                f"no dataset given: name one or more of {', '.join(SELECTABLE)}, comma-separated"
            )
        unknown = sorted(set(self.datasets) - set(SELECTABLE))
        if unknown:
            raise InvalidInputError(
                f"unknown datasets {unknown}: choose from {', '.join((*SELECTABLE, *GROUPS))}"
            )
        if self.cid_tags and not set(self.datasets) & set(GROUPS[CID_GROUP]):
            raise InvalidInputError(
                "--cid-tags selects tags for the cid datasets: add cid to --datasets"
            )

    @property
    def selected(self) -> tuple[Dataset, ...]:
        """The requested datasets, from the registry."""
        return tuple(by_name(name) for name in self.datasets)


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
    reader: CurReader, config: RunConfig, chosen: Sequence[BillingPeriod] | None
) -> tuple[tuple[BillingPeriod, ...], tuple[BillingPeriod, ...]]:
    available = reader.available_periods(config.database, config.table)
    periods = tuple(sorted(chosen)) if chosen else config.selection.resolve(available)
    require_periods(f"{config.database}.{config.table}", periods, available)
    needs_previous = any(dataset.reads_previous for dataset in config.selected)
    previous = {p.previous() for p in periods} & set(available) if needs_previous else set()
    return periods, tuple(sorted(set(periods) | previous))


@dataclass(frozen=True)
class Scan:
    """What a run reads: its periods, the periods loaded with them, and how it reads them.

    ``grain``: the default datasets' read, one scan of the requested and previous partitions
    (but the previous periods taken as published) with only the columns the measures and
    dimensions use (and the tag columns when a requested dataset reads tags), summed to the
    fine grain. ``loaded``: the periods whose figures the run has, read or taken as published;
    ``published``: per dataset, its published rows of the periods taken as published.

    ``line_items``: when a line-item dataset (``focus``, the cid views) is requested, the
    conformed, split-cost-filtered line items of the requested periods only, unread: each such
    dataset's plan reads the source for itself, only the columns its rules use, straight into
    its aggregation or writer. Nothing of them is persisted, and none of them feeds the grain.
    """

    periods: tuple[BillingPeriod, ...]
    loaded: tuple[BillingPeriod, ...]
    tags: tuple[str, ...]
    grain: DataFrame
    source: SourceRecord
    line_items: DataFrame | None = None
    cid_tags: tuple[tuple[str, str], ...] = ()
    published: Mapping[str, DataFrame] = field(default_factory=dict)

    @property
    def scope(self) -> Scope:
        """What the dataset builders need besides the grain."""
        return Scope(self.loaded, self.tags, cid_tags=self.cid_tags, published=self.published)


def plan_scan(reader: CurReader, config: RunConfig, plan: Plan | None = None) -> Scan:
    """Resolve the periods (or take those ``plan`` computes) and build (lazily) the fine grain
    of the source they need (less the previous periods ``plan`` takes as published), and the
    line items of the requested periods when a line-item dataset is requested."""
    periods, loaded = _requested_periods(reader, config, plan.schedule.computed if plan else None)
    taken = plan.previous if plan else {}
    read = tuple(period for period in loaded if period not in taken)
    record = _source_record(reader, config, read, plan.listing if plan else None)
    source = reader.read(config.database, config.table, read)
    require_columns(source.columns, f"{config.database}.{config.table}")
    published = _published_frames(source.sparkSession, plan) if plan else {}
    selected = config.selected
    grain_tags = any(d.reads_tags for d in selected if not d.from_line_items)
    cur = without_split_cost_rows(conform_cur(source, with_tags=grain_tags))
    tags = tuple(user_tag_columns(cur.columns)) if grain_tags else ()
    grain = cur.transform(fine_grain(tags, tag_periods=periods))
    from_line_items = [d for d in selected if d.from_line_items]
    if not from_line_items:
        return Scan(periods, loaded, tags, grain, record, published=published)
    line_items = _line_items(reader, config, periods, from_line_items)
    cid_tags = selected_tags(config.cid_tags, user_tag_columns(line_items.columns))
    line_item_tags = tuple(user_tag_columns(line_items.columns))
    return Scan(
        periods, loaded, tags or line_item_tags, grain, record, line_items, cid_tags, published
    )


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
    reader: CurReader,
    config: RunConfig,
    loaded: tuple[BillingPeriod, ...],
    listing: SourceListing | None,
) -> SourceRecord:
    """What the run reads (a reader that can list its files says which, from the plan's
    ``listing`` when there is one, and checks them)."""
    describe = getattr(reader, "describe", None)
    if describe is None:
        return SourceRecord(f"{config.database}.{config.table}")
    return describe(config.database, config.table, loaded, listed=listing)


def publisher_for(
    config: RunConfig, store: Store | None = None, faults: FaultPoint | None = None
) -> Publisher:
    """The run's publisher; a local output is checked (a folder, writable) before anything."""
    if not is_uri(config.output):
        check_local_output(config.output)
    return Publisher(config.output, store or store_for(config.output), faults=faults or no_faults)


def plan_run(
    catalog: PartitionLocations, config: RunConfig, store: Store, s3_client: Any | None = None
) -> Plan:
    """Which requested periods to compute, decided before Spark reads anything (``planner``)."""
    return plan_periods(
        catalog,
        (config.database, config.table),
        config.selection,
        config.selected,
        PublishedOutput(store, config.output),
        s3_client=s3_client,
        force=config.force,
        output_database=config.output_database,
        forms=_forms(config),
        unpublished_tables=[
            d.name
            for d in config.selected
            if not d.periodic and store.read_text(table_pointer_path(config.output, d.name)) is None
        ],
    )


def run(
    reader: CurReader,
    config: RunConfig,
    *,
    store: Store | None = None,
    faults: FaultPoint | None = None,
    plan: Plan | None = None,
) -> RunResult:
    """Compute the datasets for the periods whose source or definition changed since they were
    published (all with ``force``) and publish them, period by period all at once
    (``io.publish``). ``store`` is where the output lives (default: from its path); ``plan``
    the decisions when the caller made them before starting Spark; ``faults`` is the test hook
    called at each publishing stage."""
    started = time.monotonic()
    publisher = publisher_for(config, store, faults)
    if plan is None and hasattr(reader, "partition_locations"):
        plan = plan_run(reader, config, publisher.store, getattr(reader, "s3_client", None))
    if plan is not None and plan.nothing_to_compute:
        _heal(publisher)
        return RunResult(config, seconds=time.monotonic() - started, schedule=plan.schedule)
    scan = plan_scan(reader, config, plan)
    # The cached plan keeps its shuffle partitions (adaptive execution does not coalesce them):
    # one partition per core is enough for the roll-ups that read it.
    parallelism = scan.grain.sparkSession.sparkContext.defaultParallelism
    grain = scan.grain.coalesce(parallelism).persist(StorageLevel.MEMORY_AND_DISK)
    outputs: dict[str, str] = {}
    try:
        scope = replace(scan.scope, focus=config.focus)
        frames = {
            dataset.name: _dataset_frame(dataset, scope, scan, grain) for dataset in config.selected
        }
        units = _observe_units(frames)
        small = collected(
            {TOTALS: _totals_frame(grain.where(_in_periods(grain, scan.periods))), **_small(frames)}
        )
        totals = _totals_by_period(small[TOTALS])
        empty = _empty_periods_if_allowed(scan, totals, config)
        movers = tuple(
            mover
            for dataset in config.selected
            if dataset.movers is not None
            for mover in top_movers(_mover_candidates(small[dataset.name], dataset.movers))
        )
        periodic = tuple(d.name for d in config.selected if d.periodic)
        tables = {
            d.name: d.merge(_published_table(publisher, d.name), small[d.name])
            for d in config.selected
            if d.merge is not None
        }
        spark = grain.sparkSession
        healing_switch_for = _table_switch_for(spark, publisher)  # for a dead run's tables
        publisher.begin(
            scan.periods, periodic, healing_switch_for, config.output_database, tuple(tables)
        )
        for dataset in config.selected:
            if dataset.name in tables:
                outputs[dataset.name] = _write_table(tables[dataset.name], dataset, publisher)
                continue
            written = small.get(dataset.name)
            outputs[dataset.name] = _write(
                frames[dataset.name] if written is None else written, dataset, publisher, scan
            )
        table_switch = (
            _table_switch_for(spark, publisher, _schemas(frames))(config.output_database)
            if config.output_database
            else None
        )
        publisher.publish(
            scan.periods,
            periodic,
            scan.source,
            table_switch,
            tables=tuple(tables),
            empty=empty,
            forms=_forms(config),
            recorded=plan.recorded if plan else None,
            definitions=plan.definitions if plan else None,
        )
    finally:
        grain.unpersist()
    seconds = time.monotonic() - started
    return RunResult(
        config,
        scan.periods,
        totals,
        outputs,
        movers,
        seconds,
        run_id=publisher.run_id,
        schedule=plan.schedule if plan else None,
        notes=tuple(note for note in (_units_note(units),) if note),
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


def _forms(config: RunConfig) -> dict[str, dict[str, str]]:
    """What the run asks of a dataset's form, recorded in the manifest and part of its
    definition: the FOCUS options, and the tag keys of the cid views' ``tags_json``."""
    cid_tags = ",".join(config.cid_tags)
    cid_forms = {name: {"cid_tags": cid_tags} for name in GROUPS[CID_GROUP]}
    return {FOCUS.name: config.focus.to_json(), **cid_forms}


def _heal(publisher: Publisher) -> None:
    """Finish what dead runs left (a period skipped now may be one they half published)."""
    if publisher.unfinished():
        from pyspark.sql import SparkSession

        spark = SparkSession.getActiveSession() or SparkSession.builder.getOrCreate()
        publisher.heal(_table_switch_for(spark, publisher))


# The name the run totals travel under beside the small datasets (no dataset starts with "_").
TOTALS = "_totals"


def _dataset_frame(dataset: Dataset, scope: Scope, scan: Scan, grain: DataFrame) -> DataFrame:
    """The dataset's rows of the requested periods, from the grain or the line items (a merged
    table's rows are those of every requested period together)."""
    rows = scan.line_items if dataset.from_line_items else grain
    frame = rows.transform(dataset.builder(scope))
    return frame.where(_in_periods(frame, scan.periods)) if dataset.periodic else frame


def _small(frames: Mapping[str, DataFrame]) -> dict[str, DataFrame]:
    """The frames of the ``SMALL`` datasets (roll-ups of the grain, the cid views): collected
    together by one Spark job and written by the driver."""
    return {name: frame for name, frame in frames.items() if by_name(name).size is SizeClass.SMALL}


def _schemas(frames: Mapping[str, DataFrame]) -> dict[str, StructType]:
    return {name: frame.schema for name, frame in frames.items()}


def _write(rows: DataFrame | pa.Table, dataset: Dataset, publisher: Publisher, scan: Scan) -> str:
    """Write this run's version of the dataset's periods (published later, all at once): Spark
    writes a frame, the driver a collected table (a file per period)."""
    root = publisher.root(dataset.name)
    if isinstance(rows, DataFrame):
        write_version(rows, root, publisher.run_id, size=dataset.size)
    else:
        for period, data in parquet_by_period(rows, scan.periods).items():
            publisher.stage_file(dataset.name, period, data)
    publisher.staged(dataset.name)
    return root


def _published_table(publisher: Publisher, dataset: str) -> pa.Table | None:
    """A merged table as published (None before its first run); read before the run writes
    anything, so a table that cannot be read stops the run with nothing written."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    files = published_table_files(publisher.output, dataset, publisher.store)
    if not files and read_table_pointer(publisher.store, publisher.output, dataset) is None:
        return None
    parts = []
    for path in files:
        data = publisher.store.read_bytes(path)
        try:
            parts.append(pq.read_table(pa.BufferReader(data)) if data is not None else None)
        except pa.ArrowException:
            data = None
        if data is None:
            raise OutputError(
                f"the published {dataset} table cannot be read at {path}: restore it, or delete "
                f"{table_pointer_path(publisher.output, dataset)} and rerun every period with "
                "--force to build it again; nothing was written"
            )
    return pa.concat_tables(parts) if parts else None


def _write_table(rows: pa.Table, dataset: Dataset, publisher: Publisher) -> str:
    """Stage this run's version of a merged table (one file, written by the driver)."""
    publisher.stage_table_file(dataset.name, parquet_bytes(rows))
    publisher.staged(dataset.name)
    return publisher.root(dataset.name)


def _table_switch_for(
    spark, publisher: Publisher, schemas: Mapping[str, StructType] | None = None
) -> Callable[[str], TableSwitch]:
    """A database name -> ``TableSwitch`` over the run's dataset folders."""
    roots = {name: publisher.root(name) for name in SELECTABLE}
    return lambda database: TableSwitch(spark, database, roots, schemas)


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
