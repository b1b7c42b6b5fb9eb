"""Read the datasets of one billing period: Parquet folders (local or S3) or catalog tables.

Folders are read with pyarrow (no Spark: a report takes a second) through each period's manifest
(``io.publish``), so a report sees a period's datasets as one run published them, never a version
being written or left by a run that died; catalog tables need Spark and are read only when asked
for (``--output-database``). Either way a dataset is a pandas frame of one period's rows, or
``None`` when that period's dataset was never written (or has no rows).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import pandas as pd

from cur_analysis import columns as c
from cur_analysis.datasets.registry import ACCOUNT_MONTHLY, DATASETS
from cur_analysis.errors import InvalidInputError, MissingPeriodError
from cur_analysis.io.publish import MANIFESTS, Manifest, parse_manifest
from cur_analysis.io.uris import is_uri, local_path, split_s3_uri
from cur_analysis.layout import OUTPUT_LAYOUT
from cur_analysis.names import catalog_name
from cur_analysis.periods import BillingPeriod

if TYPE_CHECKING:
    import pyarrow.fs as pafs
    from pyspark.sql import SparkSession

# A period "exists" in the output when its account_monthly partition does: every run writes it.
ANCHOR_DATASET = ACCOUNT_MONTHLY.name


class DatasetSource(Protocol):
    """Where the datasets are; ``read`` returns one period of one dataset, or None if unwritten;
    ``warnings`` says what is doubtful about a period (datasets from different source versions);
    ``status`` whether the month was closed (invoiced) when it was published, where known."""

    description: str

    def read(self, dataset: str, period: BillingPeriod) -> pd.DataFrame | None: ...

    def periods(self) -> tuple[BillingPeriod, ...]: ...

    def warnings(self, period: BillingPeriod) -> tuple[str, ...]: ...

    def status(self, period: BillingPeriod) -> str | None: ...


@dataclass(frozen=True)
class PeriodDatasets:
    """The datasets written for one period (absent ones are simply not in ``frames``)."""

    period: BillingPeriod
    frames: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    status: str | None = None

    def get(self, dataset: str) -> pd.DataFrame | None:
        return self.frames.get(dataset)


@dataclass(frozen=True)
class ReportInputs:
    """What a report is computed from: the period, its previous period when written, the source."""

    current: PeriodDatasets
    previous: PeriodDatasets | None
    source: str


def _without_partition_keys(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=[k for k in c.PARTITION_KEYS if k in frame.columns])


class ParquetFolderSource:
    """The datasets under ``OUTPUT`` (local folder or ``s3://`` prefix), read through the period
    manifests ``OUTPUT/_manifests/YYYY-MM.json``: exactly the files each one names."""

    def __init__(self, output: str, filesystem: pafs.FileSystem | None = None) -> None:
        import pyarrow.fs as pafs

        if not output:
            raise InvalidInputError("no output given: pass --output with the datasets' folder")
        self.description = output
        if filesystem is not None:
            self._fs, self._root = filesystem, "/".join(split_s3_uri(output)).rstrip("/")
        elif is_uri(output):
            try:
                self._fs, self._root = pafs.FileSystem.from_uri(output.rstrip("/"))
            except (OSError, ValueError) as exc:
                raise InvalidInputError(f"cannot open {output}: {exc}") from None
        else:
            self._fs = pafs.LocalFileSystem()
            self._root = str(local_path(output))
        self._manifests: dict[BillingPeriod, Manifest | None] = {}

    def manifest(self, period: BillingPeriod) -> Manifest | None:
        """The period's manifest, read once (a report reads one consistent view)."""
        import pyarrow.fs as pafs

        if period not in self._manifests:
            path = f"{self._root}/{MANIFESTS}/{period.label}.json"
            if self._fs.get_file_info(path).type != pafs.FileType.File:
                self._manifests[period] = None
            else:
                with self._fs.open_input_stream(path) as stream:
                    text = stream.read().decode("utf-8")
                self._manifests[period] = parse_manifest(text, path)
        return self._manifests[period]

    def read(self, dataset: str, period: BillingPeriod) -> pd.DataFrame | None:
        import pyarrow.parquet as pq

        manifest = self.manifest(period)
        entry = manifest.datasets.get(dataset) if manifest else None
        if entry is None or not entry.files:
            return None
        files = [f"{self._root}/{entry.location}/{f.path}" for f in entry.files]
        self._check_files(dataset, period, files, [f.size for f in entry.files])
        table = pq.read_table(files, filesystem=self._fs, partitioning=None)
        return _without_partition_keys(table.to_pandas())

    def _check_files(
        self, dataset: str, period: BillingPeriod, files: list[str], sizes: list[int]
    ) -> None:
        for path, info, size in zip(files, self._fs.get_file_info(files), sizes, strict=True):
            if info.size != size:
                raise MissingPeriodError(
                    f"{path}, published as {dataset} of {period.label}, is missing or changed "
                    f"since: rerun `cur-analysis run --period {period.label}`"
                )

    def periods(self) -> tuple[BillingPeriod, ...]:
        import pyarrow.fs as pafs

        selector = pafs.FileSelector(f"{self._root}/{MANIFESTS}", allow_not_found=True)
        found = []
        for info in self._fs.get_file_info(selector):
            name = info.base_name
            if info.type == pafs.FileType.File and name.endswith(".json"):
                try:
                    found.append(BillingPeriod.parse(name.removesuffix(".json")))
                except InvalidInputError:
                    continue
        return tuple(sorted(found))

    def warnings(self, period: BillingPeriod) -> tuple[str, ...]:
        """Datasets from different source versions."""
        manifest = self.manifest(period)
        disagreement = manifest.disagreements() if manifest else None
        return (disagreement,) if disagreement else ()

    def status(self, period: BillingPeriod) -> str | None:
        """Whether the month is closed, as the run that published it found its line items."""
        manifest = self.manifest(period)
        if manifest is None or manifest.run_id not in manifest.inputs:
            return None
        return _closed_note(manifest)


def _closed_note(manifest: Manifest) -> str:
    """Closed or open, as the run that published the period found its line items."""
    label = manifest.period.label
    if manifest.closed:
        return (
            f"{label} is closed: every line item carries an invoice id (run {manifest.run_id}); "
            "a later restatement (credits, refunds) is recomputed by the next scheduled run."
        )
    return (
        f"{label} is open: some line items carry no invoice id yet (run {manifest.run_id}); "
        "AWS restates the month until it is invoiced."
    )


class CatalogTableSource:
    """``DATABASE.<dataset>`` tables (``--output-database``), read through a SparkSession."""

    def __init__(self, spark: SparkSession, database: str) -> None:
        self._spark = spark
        self._database = catalog_name(database, "output database")
        self.description = f"catalog database {self._database}"

    def _table(self, dataset: str) -> str | None:
        name = f"{self._database}.{catalog_name(dataset, 'dataset')}"
        return name if self._spark.catalog.tableExists(name) else None

    def read(self, dataset: str, period: BillingPeriod) -> pd.DataFrame | None:
        table = self._table(dataset)
        if table is None:
            return None
        rows = self._spark.table(table).where(OUTPUT_LAYOUT.period_filter([period]))
        frame = rows.toPandas()
        return None if frame.empty else _without_partition_keys(frame)

    def periods(self) -> tuple[BillingPeriod, ...]:
        table = self._table(ANCHOR_DATASET)
        if table is None:
            return ()
        keys = OUTPUT_LAYOUT.partition_keys
        rows = self._spark.table(table).select(*keys).distinct().collect()
        return tuple(sorted(OUTPUT_LAYOUT.period_of(row.asDict()) for row in rows))

    def warnings(self, period: BillingPeriod) -> tuple[str, ...]:
        """Where the tables' partitions of ``period`` point at different runs' versions."""
        runs = {}
        for dataset in DATASETS:
            table = self._table(dataset)
            if table is not None:
                run = _partition_run(self._spark, table, period)
                if run:
                    runs[dataset] = run
        if len(set(runs.values())) <= 1:
            return ()
        listed = ", ".join(f"{name} (run {run})" for name, run in sorted(runs.items()))
        return (
            f"the tables' partitions of {period.label} were published by different runs: "
            f"{listed}; a run published only some datasets or died while switching (the next "
            "run of that period makes them agree).",
        )

    def status(self, period: BillingPeriod) -> str | None:
        """Unknown: the tables carry no manifest."""
        return None


def _partition_run(spark: SparkSession, table: str, period: BillingPeriod) -> str | None:
    """The run id in the location of ``table``'s partition of ``period`` (None if unversioned)."""
    spec = OUTPUT_LAYOUT.partition_spec(OUTPUT_LAYOUT.canonical(period))
    from pyspark.errors import AnalysisException

    try:
        rows = spark.sql(f"DESCRIBE FORMATTED {table} PARTITION ({spec})").collect()
    except AnalysisException:  # no such partition: nothing to compare
        return None
    location = next((row["data_type"] for row in rows if row["col_name"] == "Location"), "")
    marker = f"/{c.RUN}="
    return location.rsplit(marker, 1)[1].strip("/") if marker in location else None


def _period_datasets(source: DatasetSource, period: BillingPeriod) -> PeriodDatasets:
    frames = {name: source.read(name, period) for name in DATASETS}
    present = {k: v for k, v in frames.items() if v is not None}
    return PeriodDatasets(period, present, tuple(source.warnings(period)), source.status(period))


def load_inputs(source: DatasetSource, period: BillingPeriod) -> ReportInputs:
    """The datasets of ``period`` and of the period before it (None when that was never written).

    A period without its ``account_monthly`` partition is a MissingPeriodError naming the periods
    that are there.
    """
    current = _period_datasets(source, period)
    manifest = getattr(source, "manifest", None)
    found = manifest(period) if manifest and current.get(ANCHOR_DATASET) is None else None
    if found is not None and found.empty:
        raise MissingPeriodError(
            f"{period.label} was published empty by run {found.run_id} (its source partition "
            "had no line items, --allow-empty-period): nothing to report"
        )
    if current.get(ANCHOR_DATASET) is None:
        present = ", ".join(p.label for p in source.periods()) or "none"
        raise MissingPeriodError(
            f"{source.description} has no datasets for {period.label} (periods present: "
            f"{present}); run `cur-analysis run --period {period.label}` first"
        )
    previous = _period_datasets(source, period.previous())
    return ReportInputs(
        current=current,
        previous=previous if previous.get(ANCHOR_DATASET) is not None else None,
        source=source.description,
    )
