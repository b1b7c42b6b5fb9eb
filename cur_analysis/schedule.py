"""Which requested periods a run computes and which it skips, and why: pure decisions.

A period is computed when any of these holds, else skipped:

- ``--force``;
- its manifest is missing, unreadable or from an older layout (it cannot say what it came from);
- a requested dataset is not in its published version;
- its source fingerprint differs from the one the dataset's run recorded;
- for a dataset with change columns, the previous period's fingerprint differs from the one
  recorded with it (the previous month was restated after this one was published);
- the package version, or a requested dataset's definition, differs from the recorded one.

A computed period whose datasets have change columns takes its previous period's figures from
that period's published monthly datasets when they can stand in for its source
(``published_previous``: published, unchanged since, under the current definition and package
version); otherwise, and always with ``--force``, from the previous period's source.

The reads (listing files, reading manifests) happen at the edges (``io.fingerprint``,
``io.recorded``, ``planner``); everything here takes values and returns values, the source
fingerprint among them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cur_analysis.periods import BillingPeriod

FORCED = "--force"
# How a local file's version is written: its modification time in nanoseconds.
MTIME = "mtime:"


@dataclass(frozen=True, order=True)
class SourceFile:
    """One source file: its full path or URI, size, and version (S3 ETag, or ``mtime:<ns>``)."""

    path: str
    size: int
    version: str

    def to_json(self) -> list[Any]:
        return [self.path, self.size, self.version]

    @classmethod
    def from_json(cls, value: Sequence[Any]) -> SourceFile:
        path, size, version = value
        return cls(str(path), int(size), str(version))


@dataclass(frozen=True)
class Fingerprint:
    """The files of one period's partitions (all of them, sorted): what its figures come from."""

    period: BillingPeriod
    files: tuple[SourceFile, ...] = ()

    @property
    def digest(self) -> str:
        """Equal for two listings of the same files, sizes and versions."""
        text = json.dumps([self.period.label, [f.to_json() for f in self.files]])
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def to_json(self) -> dict[str, Any]:
        return {
            "period": self.period.label,
            "digest": self.digest,
            "files": [f.to_json() for f in self.files],
        }

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> Fingerprint:
        """From a manifest; a malformed value raises ValueError, KeyError or TypeError."""
        period = BillingPeriod.parse(body["period"])
        return cls(period, tuple(sorted(SourceFile.from_json(f) for f in body["files"])))


@dataclass(frozen=True)
class RecordedInputs:
    """What one run read for a period, as its manifest records it."""

    source: Fingerprint
    previous: Fingerprint | None
    version: str
    closed: bool = False
    reason: str = ""  # why the run computed the period (its line says the same)
    output_database: str | None = None  # where it also published the datasets as tables
    # Where the change columns' previous-period figures came from: PREVIOUS_FROM_PUBLISHED (and
    # ``previous_runs``, each dataset's run), PREVIOUS_FROM_SOURCE, or None (none was needed).
    previous_from: str | None = None
    previous_runs: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class PublishedDataset:
    """A published dataset of a period: the run that wrote it, its definition then, and what
    that run read."""

    run_id: str
    definition: str
    inputs: RecordedInputs


@dataclass(frozen=True)
class Published:
    """A period's published state; ``note`` says why it cannot be trusted (no manifest, an
    unreadable one, an older layout), in which case ``datasets`` is empty. ``unrecorded``: the
    datasets a run of an older layout published, which say nothing of their inputs."""

    datasets: Mapping[str, PublishedDataset] = field(default_factory=dict)
    note: str | None = None
    unrecorded: tuple[str, ...] = ()


@dataclass(frozen=True)
class Current:
    """What a run would read for a period now: its source, the previous period's, the package
    version and each requested dataset's definition; and the database it would publish the
    datasets' tables in."""

    source: Fingerprint
    previous: Fingerprint | None
    version: str
    definitions: Mapping[str, str]
    output_database: str | None = None


@dataclass(frozen=True)
class Decision:
    """Computed or skipped, and the reason, for one period."""

    period: BillingPeriod
    compute: bool
    reason: str
    closed: bool = False
    previous: str = ""  # where a computed period's previous-month figures come from, when said

    @property
    def outcome(self) -> str:
        """``computed (why; previous month from run <id>)`` or ``skipped (unchanged since run
        <id>)``."""
        verb = "computed" if self.compute else "skipped"
        closed = ", closed" if self.closed else ""
        previous = f"; {self.previous}" if self.previous else ""
        return f"{verb} ({self.reason}{previous}){closed}"

    @property
    def line(self) -> str:
        return f"{self.period.label} {self.outcome}"


@dataclass(frozen=True)
class Schedule:
    """The decisions of one run, in period order."""

    decisions: tuple[Decision, ...]

    @property
    def computed(self) -> tuple[BillingPeriod, ...]:
        return tuple(d.period for d in self.decisions if d.compute)

    @property
    def skipped(self) -> tuple[BillingPeriod, ...]:
        return tuple(d.period for d in self.decisions if not d.compute)

    @property
    def lines(self) -> tuple[str, ...]:
        return tuple(d.line for d in self.decisions)


def decide(
    period: BillingPeriod,
    current: Current,
    published: Published,
    *,
    datasets: Sequence[str],
    reads_previous: Iterable[str] = (),
    force: bool = False,
) -> Decision:
    """Whether ``period`` is computed for ``datasets`` (those in ``reads_previous`` depend on
    the previous period too), and the reason."""
    if force:
        return Decision(period, True, FORCED)
    if published.note is not None:
        return Decision(period, True, published.note)
    reasons = _stale_reasons(current, published, datasets, frozenset(reads_previous))
    if reasons:
        return Decision(period, True, "; ".join(reasons))
    runs = [published.datasets[name] for name in datasets]
    newest = max(runs, key=lambda entry: entry.run_id)
    closed = all(entry.inputs.closed for entry in runs)
    return Decision(period, False, f"unchanged since run {newest.run_id}", closed)


def _stale_reasons(
    current: Current,
    published: Published,
    datasets: Sequence[str],
    reads_previous: frozenset[str],
) -> list[str]:
    """Every distinct reason a requested dataset of the period is out of date, in order."""
    unrecorded = [name for name in datasets if name in published.unrecorded]
    missing = [n for n in datasets if n not in published.datasets and n not in unrecorded]
    reasons = [f"{_names(missing)} not published yet"] if missing else []
    if unrecorded:
        reasons.append(f"{_names(unrecorded)} published by an older layout without inputs")
    missing += unrecorded
    present = [(name, published.datasets[name]) for name in datasets if name not in missing]
    for _name, entry in present:
        change = describe_change(entry.inputs.source, current.source)
        reasons.append(f"source changed: {change}" if change else "")
    for name, entry in present:
        if name in reads_previous:
            reasons.append(_previous_reason(entry.inputs.previous, current.previous))
    for _name, entry in present:
        if entry.inputs.version != current.version:
            reasons.append(f"package version {entry.inputs.version} -> {current.version}")
    changed = [n for n, e in present if e.definition != current.definitions.get(n)]
    if changed:
        reasons.append(f"definition of {_names(changed)} changed")
    database = current.output_database
    if database and any(e.inputs.output_database != database for _, e in present):
        reasons.append(f"tables in {database} not published yet")
    return list(dict.fromkeys(reason for reason in reasons if reason))


def _previous_reason(recorded: Fingerprint | None, now: Fingerprint | None) -> str:
    """Why the previous period makes this one stale, or "" when it does not."""
    if recorded is None and now is None:
        return ""
    if recorded is None or now is None:
        label = (now or recorded).period.label  # type: ignore[union-attr]
        state = "appeared" if recorded is None else "disappeared"
        return f"previous period {label} {state}"
    change = describe_change(recorded, now)
    return f"previous period {now.period.label} restated: {change}" if change else ""


def describe_change(old: Fingerprint, new: Fingerprint) -> str | None:
    """``3 files, new ETags``, ``1 file added``, ...; None when the fingerprints are equal."""
    if old.digest == new.digest:
        return None
    before = {f.path: f for f in old.files}
    after = {f.path: f for f in new.files}
    rewritten = [p for p in before.keys() & after.keys() if before[p] != after[p]]
    parts = []
    if rewritten:
        local = all(after[p].version.startswith(MTIME) for p in rewritten)
        what = "modification times" if local else "ETags"
        resized = any(before[p].size != after[p].size for p in rewritten)
        parts.append(f"{_files(len(rewritten))}, new {'sizes and ' if resized else ''}{what}")
    added, removed = len(after.keys() - before.keys()), len(before.keys() - after.keys())
    if added:
        parts.append(f"{_files(added)} added")
    if removed:
        parts.append(f"{_files(removed)} removed")
    return ", ".join(parts) or "listed differently"


def _files(count: int) -> str:
    return f"{count} file{'s' if count != 1 else ''}"


def _names(names: Sequence[str]) -> str:
    return ", ".join(names)


def schedule(
    currents: Mapping[BillingPeriod, Current],
    published: Mapping[BillingPeriod, Published],
    *,
    datasets: Sequence[str],
    reads_previous: Iterable[str] = (),
    force: bool = False,
) -> Schedule:
    """The decision of every period in ``currents``."""
    previous = tuple(reads_previous)
    return Schedule(
        tuple(
            decide(
                period,
                currents[period],
                published.get(period, Published(note=NO_MANIFEST)),
                datasets=datasets,
                reads_previous=previous,
                force=force,
            )
            for period in sorted(currents)
        )
    )


NO_MANIFEST = "not published yet"

PREVIOUS_FROM_PUBLISHED = "published"
PREVIOUS_FROM_SOURCE = "source"


def published_previous(
    now: Fingerprint | None,
    published: Published,
    *,
    reads_previous: Sequence[str],
    definitions: Mapping[str, str],
    version: str,
) -> dict[str, str] | None:
    """The runs (dataset -> run id) whose published figures of a previous period can stand in
    for its source, whose fingerprint is ``now``; None when any dataset in ``reads_previous``
    cannot use them: not published, or published from other files than ``now``, under another
    definition or package version (its figures could differ from the source's)."""
    if now is None or published.note is not None or not reads_previous:
        return None
    runs = {}
    for name in reads_previous:
        entry = published.datasets.get(name)
        if (
            entry is None
            or entry.definition != definitions.get(name)
            or entry.inputs.version != version
            or entry.inputs.source.digest != now.digest
        ):
            return None
        runs[name] = entry.run_id
    return runs


def previous_from_runs(runs: Mapping[str, str]) -> str:
    """A period's line on its previous month's published figures: ``previous month from run
    <id>`` (the runs, when its datasets came from more than one)."""
    ids = sorted(set(runs.values()))
    return f"previous month from run{'s' if len(ids) > 1 else ''} {', '.join(ids)}"


def previous_from_source(period: BillingPeriod, why: str) -> str:
    """A period's line when its previous month's published figures could not be read."""
    return f"previous month from its source: the published {period.label} {why}"
