"""Before Spark: list each requested period's source, read its manifest, decide what to compute.

The only reads are the catalog's partition locations, the source listing (``io.fingerprint``),
the manifests, and, for the periods to compute, their files' Parquet footers (closed or not);
the decisions themselves are ``schedule``'s. A run with nothing to compute ends here.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import cur_analysis
from cur_analysis.datasets.definitions import definition
from cur_analysis.datasets.registry import Dataset
from cur_analysis.io.fingerprint import PartitionLocations, fingerprints, is_closed
from cur_analysis.io.readers import require_periods
from cur_analysis.io.recorded import published_state
from cur_analysis.periods import BillingPeriod, PeriodSelection
from cur_analysis.schedule import Current, Published, RecordedInputs, Schedule, schedule


@dataclass(frozen=True)
class Plan:
    """The run's decisions, what to record for each period it computes, and each requested
    dataset's definition digest."""

    schedule: Schedule
    recorded: Mapping[BillingPeriod, RecordedInputs]
    definitions: Mapping[str, str]

    @property
    def nothing_to_compute(self) -> bool:
        return not self.schedule.computed


def plan_periods(
    catalog: PartitionLocations,
    table: tuple[str, str],
    selection: PeriodSelection,
    datasets: Sequence[Dataset],
    manifest_text: Callable[[BillingPeriod], str | None],
    *,
    s3_client: Any | None = None,
    force: bool = False,
    output_database: str | None = None,
    forms: Mapping[str, Mapping[str, str]] | None = None,
    unpublished_tables: Collection[str] = (),
) -> Plan:
    """Decide each requested period of ``table`` (database, name), whose datasets are also
    published as tables of ``output_database`` and in ``forms`` (dataset -> its form, e.g. the
    FOCUS version); ``manifest_text(period)`` returns the period's manifest text or None.
    ``unpublished_tables``: the merged tables without a published version, which no period's
    manifest can vouch for (each period is computed again to fill them)."""
    located = catalog.partition_locations(*table)
    available = tuple(sorted({period for period, _ in located}))
    periods = selection.resolve(available)
    require_periods(".".join(table), periods, available)
    listed = fingerprints(located, {*periods, *(p.previous() for p in periods)}, s3_client)
    version = cur_analysis.__version__
    chosen = forms or {}
    definitions = {d.name: definition(d, chosen.get(d.name)) for d in datasets}
    currents = {
        p: Current(listed[p], listed.get(p.previous()), version, definitions, output_database)
        for p in periods
    }
    decided = schedule(
        currents,
        {p: _without(published_state(manifest_text(p)), unpublished_tables) for p in periods},
        datasets=[dataset.name for dataset in datasets],
        reads_previous=[dataset.name for dataset in datasets if dataset.reads_previous],
        force=force,
    )
    recorded = {
        d.period: RecordedInputs(
            currents[d.period].source,
            currents[d.period].previous,
            version,
            is_closed(listed[d.period], s3_client),
            d.reason,
            output_database,
        )
        for d in decided.decisions
        if d.compute
    }
    closed = Schedule(
        tuple(
            replace(d, closed=recorded[d.period].closed) if d.compute else d
            for d in decided.decisions
        )
    )
    return Plan(closed, recorded, definitions)


def _without(published: Published, datasets: Collection[str]) -> Published:
    """``published`` less the entries of ``datasets``."""
    if not datasets:
        return published
    kept = {name: entry for name, entry in published.datasets.items() if name not in datasets}
    return replace(published, datasets=kept)
