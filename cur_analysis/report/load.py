"""Read the datasets of one billing period: Parquet folders (local or S3) or catalog tables.

Folders are read with pyarrow (no Spark: a report takes a second); catalog tables need Spark and
are read only when asked for (``--output-database``). Either way a dataset is a pandas frame of
one period's rows, or ``None`` when that period's partition was never written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import pandas as pd

from cur_analysis import columns as c
from cur_analysis.datasets.registry import ACCOUNT_MONTHLY, DATASETS
from cur_analysis.errors import InvalidInputError, MissingPeriodError
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
    """Where the datasets are; ``read`` returns one period of one dataset, or None if unwritten."""

    description: str

    def read(self, dataset: str, period: BillingPeriod) -> pd.DataFrame | None: ...

    def periods(self) -> tuple[BillingPeriod, ...]: ...


@dataclass(frozen=True)
class PeriodDatasets:
    """The datasets written for one period (absent ones are simply not in ``frames``)."""

    period: BillingPeriod
    frames: Mapping[str, pd.DataFrame] = field(default_factory=dict)

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
    """``OUTPUT/<dataset>/year=YYYY/month=M/*.parquet`` in a local folder or an ``s3://`` prefix."""

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

    def _is_dir(self, path: str) -> bool:
        import pyarrow.fs as pafs

        return self._fs.get_file_info(path).type == pafs.FileType.Directory

    def read(self, dataset: str, period: BillingPeriod) -> pd.DataFrame | None:
        import pyarrow.parquet as pq

        folder = f"{self._root}/{dataset}/{OUTPUT_LAYOUT.folder(period)}"
        if not self._is_dir(folder):
            return None
        table = pq.read_table(folder, filesystem=self._fs, partitioning=None)
        return _without_partition_keys(table.to_pandas())

    def periods(self) -> tuple[BillingPeriod, ...]:
        import pyarrow.fs as pafs

        base = f"{self._root}/{ANCHOR_DATASET}"
        if not self._is_dir(base):
            return ()
        found = []
        selector = pafs.FileSelector(base, recursive=True, allow_not_found=True)
        for info in self._fs.get_file_info(selector):
            if info.type != pafs.FileType.Directory:
                continue
            try:
                partition = OUTPUT_LAYOUT.partition_of_path(info.path[len(base) :])
            except InvalidInputError:
                continue
            if partition is not None:
                found.append(partition.period)
        return tuple(sorted(set(found)))


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


def _period_datasets(source: DatasetSource, period: BillingPeriod) -> PeriodDatasets:
    frames = {name: source.read(name, period) for name in DATASETS}
    return PeriodDatasets(period, {k: v for k, v in frames.items() if v is not None})


def load_inputs(source: DatasetSource, period: BillingPeriod) -> ReportInputs:
    """The datasets of ``period`` and of the period before it (None when that was never written).

    A period without its ``account_monthly`` partition is a MissingPeriodError naming the periods
    that are there.
    """
    current = _period_datasets(source, period)
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
