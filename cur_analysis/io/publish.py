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

A run drives all of this through one transaction: ``Publisher.begin`` (heal, journal) returns the
``Transaction`` that is given each dataset's version (``stage_written``, ``stage_periods``,
``stage_table``) and then committed (``commit``); one that dies is healed by the next run's
``begin`` or ``heal``. The publisher is given its catalog once (``TableCatalog``) and makes its
table switches itself. The layout and the records it writes are ``io.manifests``'.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

from cur_analysis.errors import OutputError

# The published layout and its records, which the report, the notebook API and the tests also
# import from here, are ``io.manifests``'.
from cur_analysis.io.manifests import MANIFESTS as MANIFESTS
from cur_analysis.io.manifests import (
    Manifest,
    PublishedDataset,
    SourceRecord,
    TablePointer,
    dataset_root,
    manifest_path,
    read_manifest,
    read_table_pointer,
    table_pointer_path,
    table_version_location,
    under,
    version_location,
)
from cur_analysis.io.manifests import parse_manifest as parse_manifest
from cur_analysis.io.manifests import published_files as published_files
from cur_analysis.io.manifests import published_table_files as published_table_files
from cur_analysis.io.recorded import inputs_json
from cur_analysis.io.stores import Store, StoredFile, check_writable_folders
from cur_analysis.io.uris import is_uri, joined
from cur_analysis.layout import OUTPUT_LAYOUT
from cur_analysis.periods import BillingPeriod
from cur_analysis.schedule import RecordedInputs

if TYPE_CHECKING:
    from pyspark.sql.types import StructType

RUNS = "_runs"
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


def _journal_path(output: str, run_id: str) -> str:
    return under(joined(output, RUNS), f"{run_id}.json")


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


class TableCatalog(Protocol):
    """The catalog the published tables live in (``io.tables.SparkTables``): it makes the
    switch of one database, over the datasets' folders (``roots``); with ``schemas`` (dataset ->
    its schema) the switch creates a missing table, without them it leaves one alone."""

    def switch(
        self,
        database: str,
        roots: Mapping[str, str],
        schemas: Mapping[str, StructType] | None = None,
    ) -> CatalogSwitch: ...


@dataclass(frozen=True)
class Publication:
    """What one run publishes, all known before it writes anything.

    Attributes:
        periods: The periods it publishes, each replaced all at once.
        datasets: The datasets published per period.
        source: What the run read, recorded in each period's manifest.
        tables: The datasets published as one table over every period (``account_map``).
        empty: The periods published without line items (``--allow-empty-period``).
        output_database: The database whose tables follow the output (None: no tables).
        forms: Per dataset, what the run asked of its form (e.g. the FOCUS version), recorded
            in the manifest.
        definitions: Per dataset, its definition digest, which a later run compares.
        recorded: Per period, what the run read for it (the planner's ``RecordedInputs``).
        schemas: Per dataset, its schema, for a table the catalog creates.
    """

    periods: tuple[BillingPeriod, ...]
    datasets: tuple[str, ...]
    source: SourceRecord
    tables: tuple[str, ...] = ()
    empty: tuple[BillingPeriod, ...] = ()
    output_database: str | None = None
    forms: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    definitions: Mapping[str, str] = field(default_factory=dict)
    recorded: Mapping[BillingPeriod, RecordedInputs] = field(default_factory=dict)
    schemas: Mapping[str, StructType] = field(default_factory=dict)


@dataclass(frozen=True)
class Publisher:
    """Where one run publishes, and with what; ``begin`` starts its one transaction.

    Attributes:
        output: The output folder or ``s3://`` prefix.
        store: Where the output lives.
        catalog: The catalog whose tables follow the output; the publisher makes its table
            switches from it (None: no tables, and a dead run's are left as they are).
        run_id: The run's id, which names its versions.
        faults: The test hook, called at each named stage; it may raise to stop the run there.
    """

    output: str
    store: Store
    catalog: TableCatalog | None = None
    run_id: str = field(default_factory=new_run_id)
    faults: FaultPoint = no_faults

    def begin(self, publication: Publication) -> Transaction:
        """Begin the run's publishing: the last step before it writes anything.

        Args:
            publication: What the run publishes.

        Returns:
            The transaction to stage each dataset's version in, then commit.

        Raises:
            OutputError: A local output folder the run would write is not writable.
        """
        if not is_uri(self.output):
            check_writable_folders(_folders(self.output, publication))
        self.heal()
        record = {
            "run_id": self.run_id,
            "periods": [p.label for p in publication.periods],
            "datasets": list(publication.datasets),
            "tables": list(publication.tables),
            "output_database": publication.output_database,
            "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        self.store.replace_text(_journal_path(self.output, self.run_id), json.dumps(record))
        self.faults(BEFORE_WRITE, "")
        return Transaction(self, publication)

    def heal(self) -> list[str]:
        """Finish what runs that died left behind: point their tables back at what the
        manifests and pointers name, and delete the versions none names and Spark's staging.

        Returns:
            The run ids of the runs healed.
        """
        healed = []
        for path in unfinished_runs(self.store, self.output):
            if path == _journal_path(self.output, self.run_id):
                continue
            text = self.store.read_text(path)
            record = json.loads(text) if text else {}
            if record.get("run_id") == self.run_id:
                continue
            periods = [BillingPeriod.parse(p) for p in record.get("periods", [])]
            datasets = list(record.get("datasets", []))
            tables = list(record.get("tables", []))
            switch = _catalog_switch(self, record.get("output_database"), (*datasets, *tables))
            if switch is not None:
                _repoint(self.store, self.output, switch, periods, datasets, tables)
            _clean(self.store, self.output, periods, datasets)
            _clean_tables(self.store, self.output, tables)
            self.store.delete_tree(path)
            healed.append(str(record.get("run_id", path.rsplit("/", 1)[-1])))
        return healed


@dataclass(frozen=True)
class Transaction:
    """One run's publishing, begun (``Publisher.begin``): given each dataset's version, then
    committed. Nothing it stages is seen before ``commit``; a run that dies before ``commit``
    ends is healed by the next (``Publisher.heal``, which ``begin`` calls).

    Attributes:
        publisher: Where the run publishes.
        publication: What it publishes.
    """

    publisher: Publisher
    publication: Publication

    @property
    def run_id(self) -> str:
        return self.publisher.run_id

    def stage_written(self, dataset: str, write: Callable[[str, str], object]) -> str:
        """Stage the version of a per-period dataset that its writer writes itself (Spark).

        Args:
            dataset: One of the publication's ``datasets``.
            write: Called as ``write(root, run_id)``: writes the dataset's periods under
                ``root``, partitioned by period with ``run`` as the innermost partition.

        Returns:
            The dataset's folder.

        Raises:
            ValueError: The publication does not publish ``dataset`` per period.
        """
        root = self._root(dataset, self.publication.datasets)
        write(root, self.run_id)
        return self._staged(dataset, root)

    def stage_periods(self, dataset: str, files: Mapping[BillingPeriod, bytes]) -> str:
        """Stage the version of a per-period dataset the driver writes: one file a period,
        one object each, so a version folder never holds part of a file.

        Args:
            dataset: One of the publication's ``datasets``.
            files: Each period's Parquet file.

        Returns:
            The dataset's folder.

        Raises:
            ValueError: The publication does not publish ``dataset`` per period.
        """
        root = self._root(dataset, self.publication.datasets)
        for period, data in files.items():
            self._write_file(version_location(dataset, period, self.run_id), data)
        return self._staged(dataset, root)

    def stage_table(self, dataset: str, data: bytes) -> str:
        """Stage the version of a whole table: its one file.

        Args:
            dataset: One of the publication's ``tables``.
            data: The table's Parquet file.

        Returns:
            The dataset's folder.

        Raises:
            ValueError: The publication does not publish ``dataset`` as a whole table.
        """
        root = self._root(dataset, self.publication.tables)
        self._write_file(table_version_location(dataset, self.run_id), data)
        return self._staged(dataset, root)

    def _write_file(self, version: str, data: bytes) -> None:
        """Write a version folder's one file (``version`` relative to the output)."""
        folder = joined(self.publisher.output, version)
        self.publisher.store.write_bytes(under(folder, self._file_name), data)

    def commit(self) -> None:
        """Switch every whole table to this run's version, then every period (its manifest,
        the commit point), then the catalog's tables; then delete the versions no manifest or
        pointer names, and the journal record."""
        publisher, publication = self.publisher, self.publication
        store, output, faults = publisher.store, publisher.output, publisher.faults
        now = datetime.now(UTC).isoformat(timespec="seconds")
        pointers = {table: self._table_version(table, now) for table in publication.tables}
        for table, pointer in pointers.items():
            store.replace_text(table_pointer_path(output, table), pointer.to_json())
            faults(TABLE_SWITCHED, table)
        written = self._entries()
        for period in publication.periods:
            manifest = self._manifest(period, written, now)
            store.replace_text(manifest_path(output, period), manifest.to_json())
            faults(SWITCHED, period.label)
        switch = _catalog_switch(
            publisher,
            publication.output_database,
            (*publication.datasets, *publication.tables),
            publication.schemas,
        )
        if switch is not None:
            for dataset in publication.datasets:
                switch.point(
                    dataset,
                    {
                        p: joined(output, written[(dataset, p)].location)
                        for p in publication.periods
                    },
                )
                faults(CATALOGED, dataset)
            for table, pointer in pointers.items():
                switch.point_table(table, joined(output, pointer.location))
                faults(CATALOGED, table)
        faults(PUBLISHED, "")
        _clean(store, output, publication.periods, publication.datasets)
        _clean_tables(store, output, publication.tables)
        faults(CLEANED, "")
        store.delete_tree(_journal_path(output, self.run_id))

    @property
    def _file_name(self) -> str:
        return f"part-00000-{self.run_id}.parquet"

    def _root(self, dataset: str, published: Sequence[str]) -> str:
        """The dataset's folder, when this publication publishes it so."""
        if dataset not in published:
            raise ValueError(f"{dataset} is not one of {', '.join(published) or 'none'}")
        return dataset_root(self.publisher.output, dataset)

    def _staged(self, dataset: str, root: str) -> str:
        self.publisher.faults(STAGED, dataset)
        return root

    def _entries(self) -> dict[tuple[str, BillingPeriod], PublishedDataset]:
        """Each (dataset, period)'s manifest entry for this run's version; a whole table's
        entry names no files (its rows are in the table)."""
        publication = self.publication
        digest = publication.source.digest
        forms, defined = publication.forms, publication.definitions
        written = {
            (dataset, period): self._version(
                dataset, period, digest, forms.get(dataset), defined.get(dataset, "")
            )
            for dataset in publication.datasets
            for period in publication.periods
        }
        written |= {
            (table, period): PublishedDataset(
                self.run_id, table, (), digest, dict(forms.get(table) or {}), defined.get(table, "")
            )
            for table in publication.tables
            for period in publication.periods
        }
        return written

    def _manifest(
        self,
        period: BillingPeriod,
        written: Mapping[tuple[str, BillingPeriod], PublishedDataset],
        now: str,
    ) -> Manifest:
        """The period's manifest: this run's entries over the old manifest's others, with the
        sources and inputs of the runs it still names."""
        publication = self.publication
        old = _trusted_manifest(self.publisher.store, self.publisher.output, period)
        entries = dict(old.datasets) if old else {}
        entries.update(
            {d: written[(d, period)] for d in (*publication.datasets, *publication.tables)}
        )
        runs = {e.run_id for e in entries.values()}
        sources = {k: v for k, v in (old.sources if old else {}).items() if k in runs}
        sources[self.run_id] = publication.source.to_json()
        inputs = {k: v for k, v in (old.inputs if old else {}).items() if k in runs}
        if period in publication.recorded:
            inputs[self.run_id] = inputs_json(publication.recorded[period])
        empty = period in publication.empty
        return Manifest(period, self.run_id, now, entries, sources, empty, inputs)

    def _table_version(self, table: str, now: str) -> TablePointer:
        """This run's version of a whole table, as written."""
        location = table_version_location(table, self.run_id)
        files = _version_files(self.publisher.store, joined(self.publisher.output, location))
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
        store = self.publisher.store
        location = version_location(dataset, period, self.run_id)
        folder = joined(self.publisher.output, location)
        files = _version_files(store, folder)
        if not files:
            store.make_folder(folder)  # an empty version still is one (catalog location)
        return PublishedDataset(self.run_id, location, files, source, dict(form or {}), definition)


def _catalog_switch(
    publisher: Publisher,
    database: str | None,
    datasets: Collection[str],
    schemas: Mapping[str, StructType] | None = None,
) -> CatalogSwitch | None:
    """The switch of ``database``'s tables of ``datasets`` over the publisher's output (None:
    no catalog, or no database)."""
    if publisher.catalog is None or not database:
        return None
    roots = {name: dataset_root(publisher.output, name) for name in datasets}
    return publisher.catalog.switch(database, roots, schemas)


def _version_files(store: Store, folder: str) -> tuple[StoredFile, ...]:
    """The data files of a version folder, named relative to it."""
    return tuple(
        StoredFile(f.path[len(folder) + 1 :], f.size, f.etag)
        for f in store.files(folder)
        if not f.path.rsplit("/", 1)[-1].startswith(("_", "."))
    )


def _folders(output: str, publication: Publication) -> list[str]:
    """Every local folder a run writes: the output, each dataset's, each period's."""
    datasets, periods = publication.datasets, publication.periods
    roots = [dataset_root(output, name) for name in (*datasets, *publication.tables)]
    return [
        output,
        *roots,
        *[
            under(dataset_root(output, d), OUTPUT_LAYOUT.folder(p))
            for d in datasets
            for p in periods
        ],
    ]


def _trusted_manifest(store: Store, output: str, period: BillingPeriod) -> Manifest | None:
    """The manifest a run replaces; an unreadable one is replaced whole, as a missing one is
    (the run's planner already recomputed the period for it)."""
    try:
        return read_manifest(store, output, period)
    except OutputError:
        return None


def _repoint(
    store: Store,
    output: str,
    switch: CatalogSwitch,
    periods: Sequence[BillingPeriod],
    datasets: Sequence[str],
    tables: Sequence[str],
) -> None:
    """Point the tables back at what the manifests and pointers name (a run may have died
    mid-switch)."""
    for table in tables:
        pointer = read_table_pointer(store, output, table)
        if pointer is not None:
            switch.point_table(table, joined(output, pointer.location))
    manifests = {p: read_manifest(store, output, p) for p in periods}
    for dataset in datasets:
        locations = {
            period: joined(output, manifest.datasets[dataset].location)
            for period, manifest in manifests.items()
            if manifest is not None and dataset in manifest.datasets
        }
        if locations:
            switch.point(dataset, locations)


def _clean_tables(store: Store, output: str, tables: Sequence[str]) -> None:
    """Delete every version of each whole table but the one its pointer names (with the
    folders of an older per-period layout), and Spark's staging."""
    for table in tables:
        pointer = read_table_pointer(store, output, table)
        keep = joined(output, pointer.location) if pointer else None
        for child in store.children(dataset_root(output, table)):
            if child != keep:
                store.delete_tree(child)


def _clean(
    store: Store, output: str, periods: Sequence[BillingPeriod], datasets: Sequence[str]
) -> None:
    """Delete every version of ``periods`` that no manifest names, and Spark's staging."""
    for dataset in datasets:
        for child in store.children(dataset_root(output, dataset)):
            if child.rsplit("/", 1)[-1].startswith(SPARK_STAGING_PREFIXES):
                store.delete_tree(child)
    for period in periods:
        manifest = read_manifest(store, output, period)
        named = manifest.datasets if manifest else {}
        for dataset in {*datasets, *named}:
            folder = under(dataset_root(output, dataset), OUTPUT_LAYOUT.folder(period))
            keep = joined(output, named[dataset].location) if dataset in named else None
            for child in store.children(folder):
                if child != keep:
                    store.delete_tree(child)
