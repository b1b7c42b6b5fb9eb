"""Before Spark: what a run is asked (``RunConfig``) and what it decides (``Plan``).

``plan_run`` lists each requested period's source, reads its manifest and decides what to
compute. Its only reads are the catalog's partition locations, the source listing
(``io.fingerprint``, once per partition: the run's manifests record the same listing as its
source), the manifests, and, for the periods to compute, their files' Parquet footers (closed or
not) and the previous period's published monthly files when they stand in for its source (a few
kilobytes, each read whole to check it); the decisions themselves are ``schedule``'s. A run with
nothing to compute ends here. The plan is built once and handed on: the pipeline reads and
computes what it says, and the publisher records it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import cur_analysis
from cur_analysis.datasets.definitions import definition
from cur_analysis.datasets.registry import (
    CID_GROUP,
    DATASETS,
    FOCUS,
    GROUPS,
    SELECTABLE,
    Dataset,
    by_name,
    expand_groups,
)
from cur_analysis.errors import CurAnalysisError, InvalidInputError
from cur_analysis.focus.options import FocusOptions
from cur_analysis.io.fingerprint import PartitionLocations, SourceListing, is_closed, list_sources
from cur_analysis.io.manifests import (
    PublishedFiles,
    PublishedOutput,
    manifest_path,
    parse_manifest,
    table_pointer_path,
)
from cur_analysis.io.readers import require_periods
from cur_analysis.io.recorded import published_state
from cur_analysis.io.stores import Store
from cur_analysis.names import catalog_name
from cur_analysis.periods import BillingPeriod, PeriodSelection
from cur_analysis.schedule import (
    PREVIOUS_FROM_PUBLISHED,
    PREVIOUS_FROM_SOURCE,
    Current,
    Decision,
    Fingerprint,
    Published,
    RecordedInputs,
    Schedule,
    previous_from_runs,
    previous_from_source,
    published_previous,
    schedule,
)


@dataclass(frozen=True)
class RunConfig:
    """What a run is asked: what to read, which datasets to compute in which form, where to
    write. Validated and parsed once, here, before Spark starts.

    Attributes:
        database: The catalog database of the CUR table (e.g. the resource link).
        table: The CUR table.
        period_args: The periods, as ``YYYY-MM`` or ``last:N`` texts (kept canonical).
        output: The output folder or ``s3://`` prefix.
        output_database: The database to publish each dataset to as a table (None: none).
        datasets: Dataset and group names (groups expanded, each name once).
        allow_empty_periods: Publish a requested period without line items, empty, instead of
            refusing it.
        focus: The FOCUS version and granularity of the ``focus`` dataset.
        cid_tags: The tag keys the cid views' ``tags_json`` keeps.
        force: Compute every requested period, changed or not.
        selection: The periods, parsed (derived from ``period_args``).
        selected: The requested datasets, from the registry (derived from ``datasets``).
        forms: Per dataset, what the run asks of its form (the FOCUS options, the cid views'
            tag keys): recorded in the manifests and part of each dataset's definition.

    Raises:
        InvalidInputError: A name, a period, a dataset or an option is not valid; the message
            says which and what is accepted.
    """

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
    selected: tuple[Dataset, ...] = field(init=False, repr=False, compare=False)
    forms: Mapping[str, Mapping[str, str]] = field(init=False, repr=False, compare=False)

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
        object.__setattr__(self, "selected", tuple(by_name(name) for name in self.datasets))
        object.__setattr__(self, "forms", _forms(self.focus, self.cid_tags))


def _forms(focus: FocusOptions, cid_tags: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """The FOCUS options, and the tag keys of the cid views' ``tags_json``, by dataset."""
    cid_forms = {name: {"cid_tags": ",".join(cid_tags)} for name in GROUPS[CID_GROUP]}
    return {FOCUS.name: focus.to_json(), **cid_forms}


@dataclass(frozen=True)
class PublishedPrevious:
    """A previous period whose change-column figures are taken as published instead of read
    from its source: the run each dataset's figures come from, and its published files."""

    period: BillingPeriod
    runs: Mapping[str, str]
    files: Mapping[str, PublishedFiles]


@dataclass(frozen=True)
class Plan:
    """What a run decided before Spark reads anything, built once and handed on.

    ``Plan(config)`` alone decides nothing: every requested period is computed (a reader that
    cannot list its partitions, ``io.readers.CurReader``).

    Attributes:
        config: What the run is asked.
        schedule: Each requested period computed or skipped, and why (None: no decisions).
        recorded: Per computed period, what its manifest records the run read.
        definitions: Per requested dataset, its definition digest (``datasets.definitions``).
        listing: The source listing the decisions come from (the manifests' source too).
        previous: The previous periods whose figures are taken as published, by period.
    """

    config: RunConfig
    schedule: Schedule | None = None
    recorded: Mapping[BillingPeriod, RecordedInputs] = field(default_factory=dict)
    definitions: Mapping[str, str] = field(default_factory=dict)
    listing: SourceListing = SourceListing()
    previous: Mapping[BillingPeriod, PublishedPrevious] = field(default_factory=dict)

    @property
    def datasets(self) -> tuple[Dataset, ...]:
        """The requested datasets, in the order a run computes and writes them."""
        return self.config.selected

    @property
    def nothing_to_compute(self) -> bool:
        """Whether every requested period is skipped (the run reads nothing)."""
        return self.schedule is not None and not self.schedule.computed

    def published_files(self) -> dict[str, list[PublishedFiles]]:
        """Each dataset's published files of the previous periods taken as published."""
        found: dict[str, list[PublishedFiles]] = {}
        for taken in sorted(self.previous.values(), key=lambda p: p.period):
            for name, files in taken.files.items():
                found.setdefault(name, []).append(files)
        return found


def plan_run(
    catalog: PartitionLocations, config: RunConfig, store: Store, s3_client: Any | None = None
) -> Plan:
    """Decide which requested periods to compute, before Spark reads anything.

    A period is computed when its source, its previous period's source, the package version, a
    dataset's definition or the output database changed since it was published (every one with
    ``config.force``); a merged table without a published version has every period computed to
    fill it.

    Args:
        catalog: Where each partition of the table keeps its files (no Spark job).
        config: What the run is asked.
        store: Where the output lives (its manifests and published files are read).
        s3_client: The client that lists an S3 source (None: local files).

    Returns:
        The run's plan.

    Raises:
        MissingPeriodError: A requested period has no partition.
        SourceListingError: A period's source files could not be listed or their footers read.
    """
    table = (config.database, config.table)
    located = catalog.partition_locations(*table)
    available = tuple(sorted({period for period, _ in located}))
    periods = config.selection.resolve(available)
    require_periods(".".join(table), periods, available)
    listing = list_sources(located, {*periods, *(p.previous() for p in periods)}, s3_client)
    listed = listing.fingerprints
    version = cur_analysis.__version__
    datasets = config.selected
    definitions = {d.name: definition(d, config.forms.get(d.name)) for d in datasets}
    output_database = config.output_database
    currents = {
        p: Current(listed[p], listed.get(p.previous()), version, definitions, output_database)
        for p in periods
    }
    output = PublishedOutput(store, config.output)
    manifest_text = _read_once(output.manifest_text)
    unpublished = _unpublished_tables(store, config)
    decided = schedule(
        currents,
        {p: _without(published_state(manifest_text(p)), unpublished) for p in periods},
        datasets=[dataset.name for dataset in datasets],
        reads_previous=[dataset.name for dataset in datasets if dataset.reads_previous],
        force=config.force,
    )
    previous = _PreviousFigures(
        output,
        manifest_text,
        tuple(d.name for d in datasets if d.reads_previous),
        definitions,
        version,
    )
    taken: dict[BillingPeriod, PublishedPrevious] = {}
    notes: dict[BillingPeriod, str] = {}
    for decision in decided.decisions:
        if (
            decision.compute
            and not config.force
            and decision.period.previous() not in decided.computed
        ):
            figures, note = previous.of(currents[decision.period].previous)
            notes[decision.period] = note
            if figures is not None:
                taken[figures.period] = figures
    recorded = {
        d.period: RecordedInputs(
            currents[d.period].source,
            currents[d.period].previous,
            version,
            is_closed(listed[d.period], s3_client),
            d.reason,
            output_database,
            **previous.recorded(currents[d.period].previous, taken),
        )
        for d in decided.decisions
        if d.compute
    }
    return Plan(
        config,
        Schedule(tuple(_with_closed_and_previous(d, recorded, notes) for d in decided.decisions)),
        recorded,
        definitions,
        listing,
        taken,
    )


def _unpublished_tables(store: Store, config: RunConfig) -> list[str]:
    """The requested merged tables without a published version, which no period's manifest
    can vouch for."""
    return [
        d.name
        for d in config.selected
        if not d.periodic and store.read_text(table_pointer_path(config.output, d.name)) is None
    ]


def _with_closed_and_previous(
    decision: Decision,
    recorded: Mapping[BillingPeriod, RecordedInputs],
    notes: Mapping[BillingPeriod, str],
) -> Decision:
    """A computed period's decision with whether it is closed and what its line says of its
    previous month's figures."""
    if not decision.compute:
        return decision
    closed = recorded[decision.period].closed
    return replace(decision, closed=closed, previous=notes.get(decision.period, ""))


@dataclass(frozen=True)
class _PreviousFigures:
    """Where a computed period's previous-month figures come from: its published monthly
    datasets (``schedule.published_previous`` says when they may) or its source."""

    output: PublishedOutput
    manifest_text: Callable[[BillingPeriod], str | None]
    reads_previous: tuple[str, ...]
    definitions: Mapping[str, str]
    version: str

    def of(self, now: Fingerprint | None) -> tuple[PublishedPrevious | None, str]:
        """The previous period (listed as ``now``) as published, when its figures stand in for
        its source, and what the computed period's line says of them ("" for nothing)."""
        if now is None or not self.reads_previous:
            return None, ""
        text = self.manifest_text(now.period)
        runs = published_previous(
            now,
            published_state(text),
            reads_previous=self.reads_previous,
            definitions=self.definitions,
            version=self.version,
        )
        if runs is None or text is None:
            return None, ""
        try:
            manifest = parse_manifest(text, manifest_path(self.output.location, now.period))
            checked = {name: self.output.files(manifest, name) for name in runs}
        except CurAnalysisError as exc:
            return None, previous_from_source(now.period, str(exc))
        files = {name: found for name, found in checked.items() if found is not None}
        if len(files) < len(checked):
            return None, ""  # published without rows: its source is as cheap to read
        return PublishedPrevious(now.period, runs, files), previous_from_runs(runs)

    def recorded(
        self, now: Fingerprint | None, taken: Mapping[BillingPeriod, PublishedPrevious]
    ) -> dict[str, Any]:
        """What the manifest records of a computed period's previous-month figures (the
        ``RecordedInputs`` fields ``previous_from`` and ``previous_runs``)."""
        if now is None or not self.reads_previous:
            return {"previous_from": None, "previous_runs": ()}
        if now.period in taken:
            runs = tuple(sorted(taken[now.period].runs.items()))
            return {"previous_from": PREVIOUS_FROM_PUBLISHED, "previous_runs": runs}
        return {"previous_from": PREVIOUS_FROM_SOURCE, "previous_runs": ()}


def _read_once(
    read: Callable[[BillingPeriod], str | None],
) -> Callable[[BillingPeriod], str | None]:
    """``read``, each period's text read once (a manifest is both a requested period's and
    the previous period of the next one)."""
    texts: dict[BillingPeriod, str | None] = {}

    def once(period: BillingPeriod) -> str | None:
        if period not in texts:
            texts[period] = read(period)
        return texts[period]

    return once


def _without(published: Published, datasets: Collection[str]) -> Published:
    """``published`` less the entries of ``datasets``."""
    if not datasets:
        return published
    kept = {name: entry for name, entry in published.datasets.items() if name not in datasets}
    return replace(published, datasets=kept)
