"""Before Spark: list each requested period's source, read its manifest, decide what to compute.

The only reads are the catalog's partition locations, the source listing (``io.fingerprint``,
once per partition: the run's manifests record the same listing as its source), the manifests,
and, for the periods to compute, their files' Parquet footers (closed or not) and the previous
period's published monthly files when they stand in for its source (a few kilobytes, each read
whole to check it); the decisions themselves are ``schedule``'s. A run with nothing to compute
ends here.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import cur_analysis
from cur_analysis.datasets.definitions import definition
from cur_analysis.datasets.registry import Dataset
from cur_analysis.errors import CurAnalysisError
from cur_analysis.io.fingerprint import PartitionLocations, SourceListing, is_closed, list_sources
from cur_analysis.io.publish import (
    PublishedFiles,
    PublishedOutput,
    manifest_path,
    parse_manifest,
)
from cur_analysis.io.readers import require_periods
from cur_analysis.io.recorded import published_state
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
class PublishedPrevious:
    """A previous period whose change-column figures are taken as published instead of read
    from its source: the run each dataset's figures come from, and its published files."""

    period: BillingPeriod
    runs: Mapping[str, str]
    files: Mapping[str, PublishedFiles]


@dataclass(frozen=True)
class Plan:
    """The run's decisions, what to record for each period it computes, each requested
    dataset's definition digest, the source listing they come from, and the previous periods
    taken as published (by period)."""

    schedule: Schedule
    recorded: Mapping[BillingPeriod, RecordedInputs]
    definitions: Mapping[str, str]
    listing: SourceListing = SourceListing()
    previous: Mapping[BillingPeriod, PublishedPrevious] = field(default_factory=dict)

    @property
    def nothing_to_compute(self) -> bool:
        return not self.schedule.computed

    def published_files(self) -> dict[str, list[PublishedFiles]]:
        """Each dataset's published files of the previous periods taken as published."""
        found: dict[str, list[PublishedFiles]] = {}
        for taken in sorted(self.previous.values(), key=lambda p: p.period):
            for name, files in taken.files.items():
                found.setdefault(name, []).append(files)
        return found


def plan_periods(
    catalog: PartitionLocations,
    table: tuple[str, str],
    selection: PeriodSelection,
    datasets: Sequence[Dataset],
    output: PublishedOutput,
    *,
    s3_client: Any | None = None,
    force: bool = False,
    output_database: str | None = None,
    forms: Mapping[str, Mapping[str, str]] | None = None,
    unpublished_tables: Collection[str] = (),
) -> Plan:
    """Decide each requested period of ``table`` (database, name), whose datasets are also
    published as tables of ``output_database`` and in ``forms`` (dataset -> its form, e.g. the
    FOCUS version), into ``output``. ``unpublished_tables``: the merged tables without a
    published version, which no period's manifest can vouch for (each period is computed again
    to fill them)."""
    located = catalog.partition_locations(*table)
    available = tuple(sorted({period for period, _ in located}))
    periods = selection.resolve(available)
    require_periods(".".join(table), periods, available)
    listing = list_sources(located, {*periods, *(p.previous() for p in periods)}, s3_client)
    listed = listing.fingerprints
    version = cur_analysis.__version__
    chosen = forms or {}
    definitions = {d.name: definition(d, chosen.get(d.name)) for d in datasets}
    currents = {
        p: Current(listed[p], listed.get(p.previous()), version, definitions, output_database)
        for p in periods
    }
    manifest_text = _read_once(output.manifest_text)
    decided = schedule(
        currents,
        {p: _without(published_state(manifest_text(p)), unpublished_tables) for p in periods},
        datasets=[dataset.name for dataset in datasets],
        reads_previous=[dataset.name for dataset in datasets if dataset.reads_previous],
        force=force,
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
        if decision.compute and not force and decision.period.previous() not in decided.computed:
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
        Schedule(tuple(_with_closed_and_previous(d, recorded, notes) for d in decided.decisions)),
        recorded,
        definitions,
        listing,
        taken,
    )


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
