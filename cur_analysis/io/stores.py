"""The few file operations publishing needs, on a local folder or an S3 prefix.

Publishing relies on one atomic step: replacing one small object whole. Locally that is a write
to a temporary file and ``os.replace`` (atomic on POSIX); on S3 it is a single ``PutObject``,
which is atomic per object and read-after-write consistent (S3 User Guide, "Amazon S3 data
consistency model"). Nothing else is assumed: S3 has no rename, so versions are never moved,
only written, pointed at and deleted.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from cur_analysis.errors import OutputError
from cur_analysis.io.uris import is_s3_uri, is_uri, local_path, split_s3_uri


@dataclass(frozen=True)
class StoredFile:
    """One file under a prefix: its full path (or URI), size, and S3 ETag where there is one."""

    path: str
    size: int
    etag: str | None = None


class Store(Protocol):
    """A local folder or an S3 prefix, addressed by full paths / ``s3://`` URIs."""

    def read_text(self, path: str) -> str | None: ...

    def read_bytes(self, path: str) -> bytes | None: ...

    def replace_text(self, path: str, text: str) -> None: ...

    def write_bytes(self, path: str, data: bytes) -> None: ...

    def files(self, prefix: str) -> list[StoredFile]: ...

    def children(self, prefix: str) -> list[str]: ...

    def delete_tree(self, path: str) -> None: ...

    def make_folder(self, path: str) -> None: ...


class LocalStore:
    """A local folder."""

    def read_text(self, path: str) -> str | None:
        data = self.read_bytes(path)
        return None if data is None else data.decode("utf-8")

    def read_bytes(self, path: str) -> bytes | None:
        try:
            return Path(path).read_bytes()
        except FileNotFoundError:
            return None

    def replace_text(self, path: str, text: str) -> None:
        """Write ``text`` to ``path`` all at once: a temporary file beside it, then a rename."""
        self.write_bytes(path, text.encode("utf-8"))

    def write_bytes(self, path: str, data: bytes) -> None:
        """Write ``data`` to ``path`` all at once: a temporary file beside it, then a rename."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def files(self, prefix: str) -> list[StoredFile]:
        root = Path(prefix)
        if not root.is_dir():
            return []
        return [
            StoredFile(str(file), file.stat().st_size)
            for file in sorted(root.rglob("*"))
            if file.is_file()
        ]

    def children(self, prefix: str) -> list[str]:
        root = Path(prefix)
        return sorted(str(child) for child in root.iterdir()) if root.is_dir() else []

    def delete_tree(self, path: str) -> None:
        target = Path(path)
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        else:
            target.unlink(missing_ok=True)

    def make_folder(self, path: str) -> None:
        Path(path).mkdir(parents=True, exist_ok=True)


class S3Store:
    """An S3 prefix through a boto3 client (passed in, e.g. ``cur_analysis.io.aws.client``)."""

    def __init__(self, client: Any) -> None:
        self._s3 = client

    def read_text(self, path: str) -> str | None:
        data = self.read_bytes(path)
        return None if data is None else data.decode("utf-8")

    def read_bytes(self, path: str) -> bytes | None:
        bucket, key = split_s3_uri(path)
        try:
            body = self._s3.get_object(Bucket=bucket, Key=key)["Body"]
        except self._s3.exceptions.NoSuchKey:
            return None
        return body.read()

    def replace_text(self, path: str, text: str) -> None:
        """One ``PutObject``: readers see the previous object or this one, never a mix."""
        bucket, key = split_s3_uri(path)
        self._s3.put_object(
            Bucket=bucket, Key=key, Body=text.encode("utf-8"), ContentType="application/json"
        )

    def write_bytes(self, path: str, data: bytes) -> None:
        """One ``PutObject``: the object exists whole or not at all."""
        bucket, key = split_s3_uri(path)
        self._s3.put_object(Bucket=bucket, Key=key, Body=data)

    def _objects(self, prefix: str) -> list[dict[str, Any]]:
        bucket, key = split_s3_uri(prefix.rstrip("/") + "/")
        pages = self._s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=key)
        return [item for page in pages for item in page.get("Contents", [])]

    def files(self, prefix: str) -> list[StoredFile]:
        bucket, _ = split_s3_uri(prefix)
        return [
            StoredFile(f"s3://{bucket}/{item['Key']}", item["Size"], item["ETag"].strip('"'))
            for item in self._objects(prefix)
        ]

    def children(self, prefix: str) -> list[str]:
        bucket, key = split_s3_uri(prefix.rstrip("/") + "/")
        pages = self._s3.get_paginator("list_objects_v2").paginate(
            Bucket=bucket, Prefix=key, Delimiter="/"
        )
        found: set[str] = set()
        for page in pages:
            prefixes = page.get("CommonPrefixes", [])
            found |= {f"s3://{bucket}/{p['Prefix'].rstrip('/')}" for p in prefixes}
            found |= {f"s3://{bucket}/{item['Key']}" for item in page.get("Contents", [])}
        return sorted(found)

    def delete_tree(self, path: str) -> None:
        bucket, key = split_s3_uri(path)
        keys = [item["Key"] for item in self._objects(path)]
        if self.read_text(path) is not None:
            keys.append(key)
        for start in range(0, len(keys), 1000):  # DeleteObjects takes at most 1,000 keys
            batch = [{"Key": k} for k in keys[start : start + 1000]]
            self._s3.delete_objects(Bucket=bucket, Delete={"Objects": batch, "Quiet": True})

    def make_folder(self, path: str) -> None:
        """S3 has no folders: an empty prefix simply lists nothing."""


def store_for(output: str, s3_client: Callable[[], Any] | None = None) -> Store:
    """The store of ``output``: local folder, or S3 through ``s3_client()`` (made on demand)."""
    if is_s3_uri(output):
        if s3_client is None:
            from cur_analysis.io import aws

            s3_client = aws.client_factory("s3")
        return S3Store(s3_client())
    if is_uri(output):
        raise OutputError(f"{output!r}: the output must be a local folder or an s3:// URI")
    return LocalStore()


def check_local_output(output: str) -> Path:
    """The local output folder, when it is one or can be made, and is writable; else one error.

    Checked before any computation, so a run never computes for nothing.
    """
    if not output.strip():
        raise OutputError("the output location is empty: pass --output with a folder")
    path = local_path(output)
    existing = path
    while not existing.exists():
        existing = existing.parent
    if existing != path and not existing.is_dir():
        raise OutputError(f"cannot create the output folder {path}: {existing} is a file")
    if existing == path and not path.is_dir():
        raise OutputError(f"the output {path} is a file, not a folder: pass a folder to --output")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise OutputError(
            f"cannot write to {existing}: the folder is not writable by this user; "
            "fix its permissions or pass another --output"
        )
    return path


def check_writable_folders(folders: list[str]) -> None:
    """A run can create or write each of ``folders``: the folder, or the nearest of its parents
    that exists, is writable (local outputs; on S3 the write itself tells)."""
    for folder in folders:
        path = Path(folder)
        while not path.exists() and path != path.parent:
            path = path.parent
        if not os.access(path, os.W_OK | os.X_OK):
            raise OutputError(
                f"cannot write to {path}: the folder is not writable by this user; fix its "
                "permissions (nothing was changed)"
            )
