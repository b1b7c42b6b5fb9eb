"""Publish a run's datasets period by period, all at once, on a local folder or S3.

S3 has no atomic rename, so nothing is ever moved. A run writes each dataset to a new version
folder, ``OUTPUT/<dataset>/year=YYYY/month=M/run=<run_id>/`` (the ``run`` level is a Hive-style
partition; Spark writes a large dataset's versions, the driver a small dataset's files). Then, per
period, one small manifest ``OUTPUT/_manifests/YYYY-MM.json`` is replaced whole (temporary file +
rename locally, a single ``PutObject`` on S3): it names the run, the source the run read
(partitions, files, sizes, ETags, time) and each dataset's version folder and files. That
replacement is the commit point: readers that go through the manifest (``report``,
``published_files``) see the previous complete period or the new complete one. Then the published
catalog partitions are pointed at the new folders, and the previous versions are deleted.

A dataset that is one table over every period (``account_map``) has one version folder per run,
``OUTPUT/<dataset>/run=<run_id>/``, and one pointer, ``OUTPUT/_tables/<dataset>.json``, replaced
whole like a manifest: it names the run and the version's files. It is switched before the
periods' manifests (whose entry for it says that the period's rows are in the table), so a run
that dies between the two leaves periods that the next run recomputes, never a period that
claims rows its table lacks. The catalog table's location is then set to the new folder.

A run journals itself in ``OUTPUT/_runs/<run_id>.json`` before writing anything and removes the
record last; a record left behind is a run that died, and the next run heals its periods
(catalog partitions pointed back at what the manifests name, orphan versions and Spark staging
folders deleted). ``faults`` is the test hook: called at each named stage, it may raise to stop
the run there.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from cur_analysis import columns as c
from cur_analysis.errors import MissingPeriodError, OutputError
from cur_analysis.io.recorded import DEFINITION, INPUTS, INPUTS_FORMAT, inputs_json
from cur_analysis.io.stores import Store, StoredFile, check_writable_folders
from cur_analysis.io.uris import is_uri, joined
from cur_analysis.layout import OUTPUT_LAYOUT
from cur_analysis.periods import BillingPeriod
from cur_analysis.schedule import RecordedInputs

if TYPE_CHECKING:
    import pyarrow as pa

MANIFESTS = "_manifests"
TABLES = "_tables"
RUNS = "_runs"
FORMAT = INPUTS_FORMAT
# What Spark leaves under a dataset folder when a write dies (its committers' work folders).
SPARK_STAGING_PREFIXES = ("_temporary", ".spark-staging-")

# The named stages ``faults`` is called at, in order.
BEFORE_WRITE = "before-write"  # journal written, nothing staged yet
STAGED = "staged"  # one dataset's version written (detail: the dataset): between datasets
TABLE_SWITCHED = "table-switched"  # one whole table's pointer replaced (detail: the dataset)
SWITCHED = "switched"  # one period's manifest replaced (detail: the period)
CATALOGED = "cataloged"  # one table's partitions re-pointed (detail: the dataset)
PUBLISHED = "published"  # every switch done, old versions not yet deleted
CLEANED = "cleaned"  # old versions deleted, the journal record not yet removed

FaultPoint = Callable[[str, str], None]


def no_faults(stage: str, detail: str) -> None:
    """The production hook: never stops a run."""


def new_run_id(now: datetime | None = None) -> str:
    """``YYYYMMDDTHHMMSSZ-xxxxxx``: sortable by start time, unique by its random tail."""
    moment = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return f"{moment}-{secrets.token_hex(3)}"


def _under(base: str, *parts: str) -> str:
    return "/".join([base.rstrip("/"), *parts])


def dataset_root(output: str, dataset: str) -> str:
    """``OUTPUT/<dataset>``; a local folder is made absolute, an ``s3://`` URI is kept."""
    return joined(output, dataset)


def version_location(dataset: str, period: BillingPeriod, run_id: str) -> str:
    """A version folder relative to the output: ``<dataset>/year=YYYY/month=M/run=<run_id>``."""
    return f"{dataset}/{OUTPUT_LAYOUT.folder(period)}/{c.RUN}={run_id}"


def manifest_path(output: str, period: BillingPeriod) -> str:
    return _under(joined(output, MANIFESTS), f"{period.label}.json")


def table_version_location(dataset: str, run_id: str) -> str:
    """A whole table's version folder relative to the output: ``<dataset>/run=<run_id>``."""
    return f"{dataset}/{c.RUN}={run_id}"


def table_pointer_path(output: str, dataset: str) -> str:
    return _under(joined(output, TABLES), f"{dataset}.json")


def _journal_path(output: str, run_id: str) -> str:
    return _under(joined(output, RUNS), f"{run_id}.json")


@dataclass(frozen=True)
class SourcePartition:
    """One partition a run read: its period, key values, where its files are, the files."""

    period: str
    values: tuple[str, ...]
    location: str
    files: tuple[StoredFile, ...] = ()


@dataclass(frozen=True)
class SourceRecord:
    """What a run read: the table, its partitions with their files, and when."""

    table: str
    partitions: tuple[SourcePartition, ...] = ()
    read_at: str = ""

    @property
    def digest(self) -> str:
        """Identifies the source version: equal for two runs over the same files."""
        listed = [
            [p.period, list(p.values), p.location, [[f.path, f.size, f.etag] for f in p.files]]
            for p in self.partitions
        ]
        text = json.dumps([self.table, listed], sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def to_json(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "read_at": self.read_at,
            "digest": self.digest,
            "partitions": [
                {
                    "period": p.period,
                    "values": list(p.values),
                    "location": p.location,
                    "files": [_file_json(f) for f in p.files],
                }
                for p in self.partitions
            ],
        }


def _file_json(file: StoredFile) -> dict[str, Any]:
    found: dict[str, Any] = {"path": file.path, "size": file.size}
    if file.etag:
        found["etag"] = file.etag
    return found


@dataclass(frozen=True)
class PublishedDataset:
    """One dataset of a published period: the run that wrote it, the version folder (relative
    to the output), its files (names in that folder), the digest of the source it read and of
    its definition then (``datasets.definitions``; empty in a layout 1 manifest)."""

    run_id: str
    location: str
    files: tuple[StoredFile, ...]
    source: str
    form: Mapping[str, str] = field(default_factory=dict)  # e.g. focus: version, granularity
    definition: str = ""


@dataclass(frozen=True)
class Manifest:
    """A published period: what each dataset's current version is and where it came from."""

    period: BillingPeriod
    run_id: str
    published_at: str
    datasets: Mapping[str, PublishedDataset]
    sources: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    empty: bool = False
    inputs: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @property
    def closed(self) -> bool:
        """Whether the latest run found every line item of the period invoiced."""
        return bool(self.inputs.get(self.run_id, {}).get("closed", False))

    def disagreements(self) -> str | None:
        """A sentence when the datasets were computed from different source versions."""
        digests = {entry.source for entry in self.datasets.values()}
        if len(digests) <= 1:
            return None
        runs = ", ".join(f"{name} (run {e.run_id})" for name, e in sorted(self.datasets.items()))
        return (
            f"the datasets of {self.period.label} come from different versions of the source: "
            f"{runs}; rerun `cur-analysis run --period {self.period.label}` to make them agree."
        )

    def to_json(self) -> str:
        body = {
            "format": FORMAT,
            "period": self.period.label,
            "run_id": self.run_id,
            "published_at": self.published_at,
            "empty": self.empty,
            "datasets": {
                name: {
                    "run_id": e.run_id,
                    "location": e.location,
                    "source": e.source,
                    DEFINITION: e.definition,
                    "files": [{"name": f.path, "size": f.size} for f in e.files],
                    **({"form": dict(e.form)} if e.form else {}),
                }
                for name, e in sorted(self.datasets.items())
            },
            "sources": dict(self.sources),
            INPUTS: dict(self.inputs),
        }
        return json.dumps(body, indent=1, sort_keys=True) + "\n"


@dataclass(frozen=True)
class TablePointer:
    """The published version of a whole table: the run that wrote it, its folder (relative to
    the output) and its files (names in that folder)."""

    dataset: str
    run_id: str
    published_at: str
    location: str
    files: tuple[StoredFile, ...]

    def to_json(self) -> str:
        body = {
            "format": FORMAT,
            "dataset": self.dataset,
            "run_id": self.run_id,
            "published_at": self.published_at,
            "location": self.location,
            "files": [{"name": f.path, "size": f.size} for f in self.files],
        }
        return json.dumps(body, indent=1, sort_keys=True) + "\n"


def read_table_pointer(store: Store, output: str, dataset: str) -> TablePointer | None:
    """The whole table's pointer (None: never published); one that is not one is an error
    naming it."""
    path = table_pointer_path(output, dataset)
    text = store.read_text(path)
    if text is None:
        return None
    try:
        body = json.loads(text)
        files = tuple(StoredFile(f["name"], int(f["size"])) for f in body["files"])
        return TablePointer(
            body["dataset"], body["run_id"], body["published_at"], body["location"], files
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise OutputError(
            f"{path} is not a cur-analysis table pointer ({exc}): delete it and rerun every "
            "period with --force to publish the table again"
        ) from None


def published_table_files(output: str, dataset: str, store: Store | None = None) -> list[str]:
    """The files of a whole table as published (none before its first run)."""
    from cur_analysis.io.stores import store_for

    store = store or store_for(output)
    pointer = read_table_pointer(store, output, dataset)
    if pointer is None:
        return []
    return [_under(joined(output, pointer.location), f.path) for f in pointer.files]


def parse_manifest(text: str, where: str) -> Manifest:
    """A manifest from its JSON; a file that is not one is an error naming it."""
    try:
        body = json.loads(text)
        datasets = {
            name: PublishedDataset(
                entry["run_id"],
                entry["location"],
                tuple(StoredFile(f["name"], int(f["size"])) for f in entry["files"]),
                entry["source"],
                dict(entry.get("form", {})),
                str(entry.get(DEFINITION, "")),
            )
            for name, entry in body["datasets"].items()
        }
        return Manifest(
            BillingPeriod.parse(body["period"]),
            body["run_id"],
            body["published_at"],
            datasets,
            body.get("sources", {}),
            bool(body.get("empty", False)),
            body.get(INPUTS, {}),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise OutputError(
            f"{where} is not a cur-analysis manifest ({exc}): delete it and rerun"
        ) from None


def read_manifest(store: Store, output: str, period: BillingPeriod) -> Manifest | None:
    path = manifest_path(output, period)
    text = store.read_text(path)
    return None if text is None else parse_manifest(text, path)


def _trusted_manifest(store: Store, output: str, period: BillingPeriod) -> Manifest | None:
    """The manifest a run replaces; an unreadable one is replaced whole, as a missing one is
    (the run's planner already recomputed the period for it)."""
    try:
        return read_manifest(store, output, period)
    except OutputError:
        return None


def published_files(
    output: str,
    dataset: str,
    periods: Iterable[BillingPeriod] | None = None,
    store: Store | None = None,
) -> list[str]:
    """The files of ``dataset`` as published (all periods, or ``periods``): what a reader of
    the folder should read, instead of globbing it (a glob also sees versions not yet
    published or not yet deleted)."""
    from cur_analysis.io.stores import store_for

    store = store or store_for(output)
    chosen = list(periods) if periods is not None else published_periods(store, output)
    found = []
    for period in chosen:
        manifest = read_manifest(store, output, period)
        entry = manifest.datasets.get(dataset) if manifest else None
        if entry is not None:
            found += [_under(joined(output, entry.location), f.path) for f in entry.files]
    return found


@dataclass(frozen=True)
class PublishedFiles:
    """A driver-written dataset's published files of one period (full paths or URIs), each read
    whole and found to be the Parquet its manifest names, and their schema."""

    paths: tuple[str, ...]
    schema: pa.Schema


def checked_published_files(
    store: Store, output: str, manifest: Manifest, dataset: str
) -> PublishedFiles | None:
    """The files of a driver-written ``dataset`` as ``manifest`` publishes them, each of the size
    it records and readable as Parquet (None when the entry names no file: the period published
    no rows). A file missing, of another size or unreadable is a ``MissingPeriodError`` whose
    message says which file and what is wrong with it."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    entry = manifest.datasets.get(dataset)
    if entry is None:
        raise MissingPeriodError(f"names no {dataset}")
    paths, schema = [], None
    for file in entry.files:
        path = _under(joined(output, entry.location), file.path)
        name = f"{dataset} file {file.path} of run {entry.run_id}"
        data = _bytes_or_none(store, path)
        if data is None:
            raise MissingPeriodError(f"{name} is missing or cannot be read")
        if len(data) != file.size:
            raise MissingPeriodError(f"{name} is {len(data)} bytes, not {file.size}")
        try:
            schema = pq.read_table(pa.BufferReader(data)).schema
        except pa.ArrowException as exc:
            raise MissingPeriodError(f"{name} is not Parquet ({type(exc).__name__})") from None
        paths.append(path)
    return PublishedFiles(tuple(paths), schema) if schema is not None else None


@dataclass(frozen=True)
class PublishedOutput:
    """An output as a run finds it before writing: its manifests and published files."""

    store: Store
    location: str

    def manifest_text(self, period: BillingPeriod) -> str | None:
        return self.store.read_text(manifest_path(self.location, period))

    def files(self, manifest: Manifest, dataset: str) -> PublishedFiles | None:
        return checked_published_files(self.store, self.location, manifest, dataset)


def _bytes_or_none(store: Store, path: str) -> bytes | None:
    """The file's bytes; None when it is missing or cannot be read (a denied S3 read too)."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return store.read_bytes(path)
    except (OSError, BotoCoreError, ClientError):
        return None


def published_periods(store: Store, output: str) -> list[BillingPeriod]:
    """The periods that have a manifest."""
    found = []
    for path in store.children(joined(output, MANIFESTS)):
        name = path.rsplit("/", 1)[-1]
        if name.endswith(".json") and not name.startswith("."):
            found.append(BillingPeriod.parse(name.removesuffix(".json")))
    return sorted(found)


def unfinished_runs(store: Store, output: str) -> list[str]:
    """The journal records in ``OUTPUT/_runs``: runs that started and have not finished."""
    return [
        path
        for path in store.children(joined(output, RUNS))
        if path.endswith(".json") and not path.rsplit("/", 1)[-1].startswith(".")
    ]


class CatalogSwitch(Protocol):
    """Points a database's dataset tables at version folders (``io.tables.TableSwitch``)."""

    def point(self, dataset: str, locations: Mapping[BillingPeriod, str]) -> None: ...

    def point_table(self, dataset: str, location: str) -> None: ...


@dataclass
class Publisher:
    """One run's publishing: journal, version folders, manifests, catalog, clean-up."""

    output: str
    store: Store
    run_id: str = field(default_factory=new_run_id)
    faults: FaultPoint = no_faults

    def root(self, dataset: str) -> str:
        """Where Spark appends the dataset (with ``run`` as the innermost partition)."""
        return dataset_root(self.output, dataset)

    def begin(
        self,
        periods: Sequence[BillingPeriod],
        datasets: Sequence[str],
        table_switch_for: Callable[[str], CatalogSwitch] | None,
        output_database: str | None,
        tables: Sequence[str] = (),
    ) -> None:
        """Heal what dead runs left, then journal this run: the last step before writing.
        ``datasets`` are published per period, ``tables`` as one table each."""
        if not is_uri(self.output):
            folders = [self.output, *[self.root(name) for name in (*datasets, *tables)]]
            folders += [
                _under(self.root(name), OUTPUT_LAYOUT.folder(period))
                for name in datasets
                for period in periods
            ]
            check_writable_folders(folders)
        self.heal(table_switch_for)
        record = {
            "run_id": self.run_id,
            "periods": [p.label for p in periods],
            "datasets": list(datasets),
            "tables": list(tables),
            "output_database": output_database,
            "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        self.store.replace_text(_journal_path(self.output, self.run_id), json.dumps(record))
        self.faults(BEFORE_WRITE, "")

    def staged(self, dataset: str) -> None:
        self.faults(STAGED, dataset)

    def unfinished(self) -> list[str]:
        """The journal records of other runs: runs that died before they finished."""
        return [
            path
            for path in unfinished_runs(self.store, self.output)
            if path != _journal_path(self.output, self.run_id)
        ]

    def version_folder(self, dataset: str, period: BillingPeriod) -> str:
        """This run's version folder of ``dataset`` and ``period`` (a full path or URI)."""
        return joined(self.output, version_location(dataset, period, self.run_id))

    def stage_file(self, dataset: str, period: BillingPeriod, data: bytes) -> None:
        """Write the one file of this run's version of a driver-written dataset and period:
        one object, so a version folder never holds part of a file."""
        self.store.write_bytes(_under(self.version_folder(dataset, period), self._file_name), data)

    def stage_table_file(self, dataset: str, data: bytes) -> None:
        """Write the one file of this run's version of a whole table."""
        folder = joined(self.output, table_version_location(dataset, self.run_id))
        self.store.write_bytes(_under(folder, self._file_name), data)

    @property
    def _file_name(self) -> str:
        return f"part-00000-{self.run_id}.parquet"

    def heal(self, table_switch_for: Callable[[str], CatalogSwitch] | None) -> list[str]:
        """Finish what runs that died left behind; returns their run ids. ``table_switch_for``
        gives the switch of a dead run's output database, to point its tables back."""
        healed = []
        for path in self.unfinished():
            name = path.rsplit("/", 1)[-1]
            text = self.store.read_text(path)
            record = json.loads(text) if text else {}
            if record.get("run_id") == self.run_id:
                continue
            periods = [BillingPeriod.parse(p) for p in record.get("periods", [])]
            datasets = list(record.get("datasets", []))
            tables = list(record.get("tables", []))
            database = record.get("output_database")
            if table_switch_for is not None and database:
                self._repoint(table_switch_for(database), periods, datasets, tables)
            self.clean(periods, datasets)
            self.clean_tables(tables)
            self.store.delete_tree(path)
            healed.append(str(record.get("run_id", name)))
        return healed

    def _repoint(
        self,
        switch: CatalogSwitch,
        periods: Sequence[BillingPeriod],
        datasets: Sequence[str],
        tables: Sequence[str],
    ) -> None:
        """Point the tables back at what the manifests and pointers name (a run may have died
        mid-switch)."""
        for table in tables:
            pointer = read_table_pointer(self.store, self.output, table)
            if pointer is not None:
                switch.point_table(table, joined(self.output, pointer.location))
        manifests = {p: read_manifest(self.store, self.output, p) for p in periods}
        for dataset in datasets:
            locations = {
                period: joined(self.output, manifest.datasets[dataset].location)
                for period, manifest in manifests.items()
                if manifest is not None and dataset in manifest.datasets
            }
            if locations:
                switch.point(dataset, locations)

    def clean_tables(self, tables: Sequence[str]) -> None:
        """Delete every version of each whole table but the one its pointer names (with the
        folders of an older per-period layout), and Spark's staging."""
        for table in tables:
            pointer = read_table_pointer(self.store, self.output, table)
            keep = joined(self.output, pointer.location) if pointer else None
            for child in self.store.children(self.root(table)):
                if child != keep:
                    self.store.delete_tree(child)

    def clean(self, periods: Sequence[BillingPeriod], datasets: Sequence[str]) -> None:
        """Delete every version of ``periods`` that no manifest names, and Spark's staging."""
        for dataset in datasets:
            root = self.root(dataset)
            for child in self.store.children(root):
                if child.rsplit("/", 1)[-1].startswith(SPARK_STAGING_PREFIXES):
                    self.store.delete_tree(child)
        for period in periods:
            manifest = read_manifest(self.store, self.output, period)
            named = manifest.datasets if manifest else {}
            for dataset in {*datasets, *named}:
                folder = _under(self.root(dataset), OUTPUT_LAYOUT.folder(period))
                keep = joined(self.output, named[dataset].location) if dataset in named else None
                for child in self.store.children(folder):
                    if child != keep:
                        self.store.delete_tree(child)

    def publish(
        self,
        periods: Sequence[BillingPeriod],
        datasets: Sequence[str],
        source: SourceRecord,
        table_switch: CatalogSwitch | None,
        *,
        tables: Sequence[str] = (),
        empty: Sequence[BillingPeriod] = (),
        forms: Mapping[str, Mapping[str, str]] | None = None,
        recorded: Mapping[BillingPeriod, RecordedInputs] | None = None,
        definitions: Mapping[str, str] | None = None,
    ) -> None:
        """Switch every whole table (``tables``) to this run's version, then every period, then
        the catalog, then clean up.

        ``forms``: what the manifest records of a dataset's form (FOCUS version, granularity);
        ``recorded``: what the run read for each period and ``definitions`` each dataset's
        definition digest, which a later run compares to skip an unchanged period."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        forms = forms or {}
        defined = definitions or {}
        pointers = {table: self._table_version(table, now) for table in tables}
        for table, pointer in pointers.items():
            self.store.replace_text(table_pointer_path(self.output, table), pointer.to_json())
            self.faults(TABLE_SWITCHED, table)
        written = {
            (dataset, period): self._version(
                dataset, period, source.digest, forms.get(dataset), defined.get(dataset, "")
            )
            for dataset in datasets
            for period in periods
        }
        written |= {
            (table, period): PublishedDataset(
                self.run_id,
                table,
                (),
                source.digest,
                dict(forms.get(table) or {}),
                defined.get(table, ""),
            )
            for table in tables
            for period in periods
        }
        for period in periods:
            old = _trusted_manifest(self.store, self.output, period)
            entries = dict(old.datasets) if old else {}
            entries.update({d: written[(d, period)] for d in (*datasets, *tables)})
            runs = {e.run_id for e in entries.values()}
            sources = {k: v for k, v in (old.sources if old else {}).items() if k in runs}
            sources[self.run_id] = source.to_json()
            inputs = {k: v for k, v in (old.inputs if old else {}).items() if k in runs}
            if recorded and period in recorded:
                inputs[self.run_id] = inputs_json(recorded[period])
            manifest = Manifest(period, self.run_id, now, entries, sources, period in empty, inputs)
            self.store.replace_text(manifest_path(self.output, period), manifest.to_json())
            self.faults(SWITCHED, period.label)
        if table_switch is not None:
            for dataset in datasets:
                table_switch.point(
                    dataset,
                    {p: joined(self.output, written[(dataset, p)].location) for p in periods},
                )
                self.faults(CATALOGED, dataset)
            for table, pointer in pointers.items():
                table_switch.point_table(table, joined(self.output, pointer.location))
                self.faults(CATALOGED, table)
        self.faults(PUBLISHED, "")
        self.clean(periods, datasets)
        self.clean_tables(tables)
        self.faults(CLEANED, "")
        self.store.delete_tree(_journal_path(self.output, self.run_id))

    def _table_version(self, table: str, now: str) -> TablePointer:
        """This run's version of a whole table, as written."""
        location = table_version_location(table, self.run_id)
        folder = joined(self.output, location)
        files = tuple(
            StoredFile(f.path[len(folder) + 1 :], f.size, f.etag)
            for f in self.store.files(folder)
            if not f.path.rsplit("/", 1)[-1].startswith(("_", "."))
        )
        return TablePointer(table, self.run_id, now, location, files)

    def _version(
        self,
        dataset: str,
        period: BillingPeriod,
        source: str,
        form: Mapping[str, str] | None = None,
        definition: str = "",
    ) -> PublishedDataset:
        """This run's version of one dataset and period, as written (no rows: no files)."""
        location = version_location(dataset, period, self.run_id)
        folder = self.version_folder(dataset, period)
        files = tuple(
            StoredFile(f.path[len(folder) + 1 :], f.size, f.etag)
            for f in self.store.files(folder)
            if not f.path.rsplit("/", 1)[-1].startswith(("_", "."))
        )
        if not files:
            self.store.make_folder(folder)  # an empty version still is one (catalog location)
        return PublishedDataset(self.run_id, location, files, source, dict(form or {}), definition)
