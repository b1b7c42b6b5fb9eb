"""A billing period's source fingerprint: its files, listed from the catalog's partition locations
before Spark reads anything, once per run (``SourceListing``: the run's manifest records the
source it read from the same listing).

A scheduled run compares it with the fingerprint the period's manifest recorded to skip a period
whose source has not changed (``cur_analysis.schedule`` decides). An S3 object is identified by
key, size and ETag (a rewrite gets a new ETag even at the same size); a local file by path, size
and modification time in nanoseconds. Files whose names start with ``_`` or ``.`` are left out,
as Spark and Glue leave them out of a read. A listing that fails stops the run: an unknown source
is never taken for an unchanged one.

It also reads whether a period is closed (every line item invoiced) from the Parquet footers'
statistics of ``bill_invoice_id``, a few kilobytes per file and no Spark job.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlparse

from cur_analysis.errors import SourceListingError
from cur_analysis.io.uris import is_s3_uri, split_s3_uri
from cur_analysis.periods import BillingPeriod
from cur_analysis.schedule import MTIME, Fingerprint, SourceFile

# The column AWS fills with the invoice id once a month is invoiced (legacy CUR).
INVOICE_ID = "bill_invoice_id"
_HIDDEN = ("_", ".")


class PartitionLocations(Protocol):
    """A catalog that says where each partition of a table keeps its files (no Spark job)."""

    def partition_locations(
        self, database: str, table: str
    ) -> tuple[tuple[BillingPeriod, str], ...]: ...


@dataclass(frozen=True)
class SourceListing:
    """The data files of each listed partition: (period, location, files), in order."""

    partitions: tuple[tuple[BillingPeriod, str, tuple[SourceFile, ...]], ...] = ()

    @property
    def fingerprints(self) -> dict[BillingPeriod, Fingerprint]:
        """Each listed period's fingerprint (all its partitions' files)."""
        found: dict[BillingPeriod, list[SourceFile]] = {}
        for period, _, files in self.partitions:
            found.setdefault(period, []).extend(files)
        return {
            period: Fingerprint(period, tuple(sorted(files))) for period, files in found.items()
        }

    def files_at(self, location: str) -> tuple[SourceFile, ...] | None:
        """The files listed at ``location`` (a ``file:`` URI and its path are one location);
        None when it was not listed."""
        wanted = _location_key(location)
        for _, listed, files in self.partitions:
            if _location_key(listed) == wanted:
                return files
        return None


def list_sources(
    located: Iterable[tuple[BillingPeriod, str]],
    periods: Iterable[BillingPeriod],
    s3_client: Any | None = None,
) -> SourceListing:
    """The files of every partition in ``located`` of one of ``periods``: one listing each."""
    wanted = set(periods)
    return SourceListing(
        tuple(
            (period, location, tuple(sorted(list_files(location, period, s3_client))))
            for period, location in sorted(located)
            if period in wanted
        )
    )


def fingerprints(
    located: Iterable[tuple[BillingPeriod, str]],
    periods: Iterable[BillingPeriod],
    s3_client: Any | None = None,
) -> dict[BillingPeriod, Fingerprint]:
    """The fingerprint of each of ``periods`` that has a partition in ``located``."""
    return list_sources(located, periods, s3_client).fingerprints


def _location_key(location: str) -> str:
    """One spelling of a partition location: an S3 URI without its trailing slash, a local
    folder as its path."""
    if is_s3_uri(location):
        return location.rstrip("/")
    return str(_local_folder(location))


def list_files(location: str, period: BillingPeriod, s3_client: Any | None) -> list[SourceFile]:
    """The data files under one partition location; a listing that fails is one error."""
    if is_s3_uri(location):
        if s3_client is None:
            raise SourceListingError(
                f"cannot list the source files of {period.label} at {location}: no S3 client "
                "was given to the run; nothing was published"
            )
        return _s3_files(s3_client, location, period)
    return _local_files(location, period)


def _s3_files(client: Any, location: str, period: BillingPeriod) -> list[SourceFile]:
    from botocore.exceptions import BotoCoreError, ClientError

    bucket, key = split_s3_uri(location.rstrip("/") + "/")
    try:
        pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=key)
        items = [item for page in pages for item in page.get("Contents", [])]
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "error")
        raise _listing_failed(period, location, code) from None
    except BotoCoreError as exc:
        raise _listing_failed(period, location, type(exc).__name__) from None
    return [
        SourceFile(f"s3://{bucket}/{item['Key']}", int(item["Size"]), item["ETag"].strip('"'))
        for item in items
        if not item["Key"].rsplit("/", 1)[-1].startswith(_HIDDEN)
    ]


def _local_files(location: str, period: BillingPeriod) -> list[SourceFile]:
    folder = _local_folder(location)
    try:
        if not folder.is_dir():
            return []  # the partition's folder is gone: an empty, changed source
        entries = [f for f in folder.iterdir() if not f.name.startswith(_HIDDEN)]
        stats = [(f, f.stat()) for f in entries if f.is_file()]
    except OSError as exc:
        raise _listing_failed(period, location, exc.strerror or type(exc).__name__) from None
    return [SourceFile(str(f), s.st_size, f"{MTIME}{s.st_mtime_ns}") for f, s in stats]


def _local_folder(location: str) -> Path:
    """A partition location (``file:/...`` as a metastore keeps it, or a plain path)."""
    parsed = urlparse(location)
    return Path(unquote(parsed.path) if parsed.scheme == "file" else location)


def _listing_failed(period: BillingPeriod, location: str, why: str) -> SourceListingError:
    return SourceListingError(
        f"cannot list the source files of {period.label} at {location} ({why}), so the run "
        "cannot tell what changed: give the job role s3:ListBucket on the CUR bucket (or wait "
        "out the throttling) and rerun; nothing was published"
    )


def is_closed(fingerprint: Fingerprint, s3_client: Any | None = None) -> bool:
    """Whether every line item of the period carries an invoice id, by the footers' statistics
    (no nulls, and no empty string as the minimum); a file without statistics is not closed."""
    if not fingerprint.files:
        return False
    opener = _footer_opener(s3_client)
    for file in fingerprint.files:
        try:
            if not _invoiced(opener(file)):
                return False
        except Exception as exc:  # noqa: BLE001 - an S3 error from inside pyarrow's read
            raise _footer_failed(fingerprint.period, file.path, exc) from None
    return True


def _footer_failed(period: BillingPeriod, path: str, exc: Exception) -> SourceListingError:
    response = getattr(exc, "response", None)
    why = response.get("Error", {}).get("Code") if isinstance(response, dict) else None
    return SourceListingError(
        f"cannot read the Parquet footer of {path} ({why or type(exc).__name__}) to tell "
        f"whether {period.label} is closed: give the job role s3:GetObject on the CUR bucket "
        "and rerun; nothing was published"
    )


def _invoiced(source: Any) -> bool:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        metadata = pq.read_metadata(source)
    except (pa.ArrowException, OSError):
        return False  # not Parquet: the read will say so
    names = [metadata.schema.column(i).name for i in range(metadata.num_columns)]
    if INVOICE_ID not in names:
        return False
    index = names.index(INVOICE_ID)
    for group in range(metadata.num_row_groups):
        stats = metadata.row_group(group).column(index).statistics
        if stats is None or not stats.has_null_count or stats.null_count > 0:
            return False
        if not stats.has_min_max or stats.min in ("", b""):
            return False
    return True


def _footer_opener(s3_client: Any | None) -> Callable[[SourceFile], Any]:
    """A file's path for pyarrow, or for an S3 object a file that reads byte ranges."""

    def opened(file: SourceFile) -> Any:
        if not is_s3_uri(file.path):
            return file.path
        bucket, key = split_s3_uri(file.path)
        return io.BufferedReader(_S3Range(s3_client, bucket, key, file.size), 64 * 1024)

    return opened


class _S3Range(io.RawIOBase):
    """A read-only, seekable S3 object: each read is one ranged ``GetObject`` (for footers)."""

    def __init__(self, client: Any, bucket: str, key: str, size: int) -> None:
        self._client, self._bucket, self._key, self._size = client, bucket, key, size
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        self._position = max(0, base + offset)
        return self._position

    def readinto(self, buffer: Any) -> int:
        end = min(self._position + len(buffer), self._size)
        if end <= self._position:
            return 0
        body = self._client.get_object(
            Bucket=self._bucket, Key=self._key, Range=f"bytes={self._position}-{end - 1}"
        )["Body"].read()
        buffer[: len(body)] = body
        self._position += len(body)
        return len(body)
