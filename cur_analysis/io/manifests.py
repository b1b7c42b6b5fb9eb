"""The published output as its readers find it: where everything is, what the records say.

The layout (``OUTPUT/<dataset>/year=YYYY/month=M/run=<run_id>/`` versions, a whole table's
``OUTPUT/<dataset>/run=<run_id>/``, the manifests ``OUTPUT/_manifests/YYYY-MM.json`` and the
table pointers ``OUTPUT/_tables/<dataset>.json``), the records a publication leaves (the source
a run read, a period's manifest, a table's pointer) and the ways to read them back: the files a
dataset publishes (``published_files``), a whole table as published, and the checked files the
planner takes as a previous period's figures. ``io.publish`` writes them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cur_analysis import columns as c
from cur_analysis.errors import MissingPeriodError, OutputError
from cur_analysis.io.recorded import DEFINITION, INPUTS, INPUTS_FORMAT
from cur_analysis.io.stores import Store, StoredFile, store_for
from cur_analysis.io.uris import joined
from cur_analysis.layout import OUTPUT_LAYOUT
from cur_analysis.periods import BillingPeriod

if TYPE_CHECKING:
    import pyarrow as pa

MANIFESTS = "_manifests"
TABLES = "_tables"
FORMAT = INPUTS_FORMAT


def under(base: str, *parts: str) -> str:
    """``base/part/...``: a path or key below a folder or prefix, kept as given (an S3 key is
    never normalised)."""
    return "/".join([base.rstrip("/"), *parts])


def dataset_root(output: str, dataset: str) -> str:
    """``OUTPUT/<dataset>``; a local folder is made absolute, an ``s3://`` URI is kept."""
    return joined(output, dataset)


def version_location(dataset: str, period: BillingPeriod, run_id: str) -> str:
    """A version folder relative to the output: ``<dataset>/year=YYYY/month=M/run=<run_id>``."""
    return f"{dataset}/{OUTPUT_LAYOUT.folder(period)}/{c.RUN}={run_id}"


def manifest_path(output: str, period: BillingPeriod) -> str:
    return under(joined(output, MANIFESTS), f"{period.label}.json")


def table_version_location(dataset: str, run_id: str) -> str:
    """A whole table's version folder relative to the output: ``<dataset>/run=<run_id>``."""
    return f"{dataset}/{c.RUN}={run_id}"


def table_pointer_path(output: str, dataset: str) -> str:
    return under(joined(output, TABLES), f"{dataset}.json")


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
    store = store or store_for(output)
    pointer = read_table_pointer(store, output, dataset)
    if pointer is None:
        return []
    return [under(joined(output, pointer.location), f.path) for f in pointer.files]


def read_published_table(store: Store, output: str, dataset: str) -> pa.Table | None:
    """A whole table as published (None before its first run). A run that merges into it reads
    it before writing anything, so a table that cannot be read stops the run with nothing
    written (``OutputError``, naming the file and what to do)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    files = published_table_files(output, dataset, store)
    if not files and read_table_pointer(store, output, dataset) is None:
        return None
    parts = []
    for path in files:
        data = store.read_bytes(path)
        try:
            parts.append(pq.read_table(pa.BufferReader(data)) if data is not None else None)
        except pa.ArrowException:
            data = None
        if data is None:
            raise OutputError(
                f"the published {dataset} table cannot be read at {path}: restore it, or delete "
                f"{table_pointer_path(output, dataset)} and rerun every period with --force to "
                "build it again; nothing was written"
            )
    return pa.concat_tables(parts) if parts else None


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


def published_files(
    output: str,
    dataset: str,
    periods: Iterable[BillingPeriod] | None = None,
    store: Store | None = None,
) -> list[str]:
    """The files of ``dataset`` as its periods' manifests publish them: what a reader of the
    output reads instead of globbing it (a glob also sees versions not yet published or not
    yet deleted).

    Args:
        output: The output folder or ``s3://`` prefix a run published to.
        dataset: A dataset name (one of ``DATASETS``, ``focus``, a cid view).
        periods: The periods to list; every period that has a manifest when None.
        store: Where the output lives; by default the store its location names.

    Returns:
        Full paths or URIs of the files, period by period; none for a period without a
        manifest, or whose manifest names no such dataset.

    Raises:
        OutputError: A manifest is not one (the error names it and what to do).
    """
    store = store or store_for(output)
    chosen = list(periods) if periods is not None else published_periods(store, output)
    found = []
    for period in chosen:
        manifest = read_manifest(store, output, period)
        entry = manifest.datasets.get(dataset) if manifest else None
        if entry is not None:
            found += [under(joined(output, entry.location), f.path) for f in entry.files]
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
        path = under(joined(output, entry.location), file.path)
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
