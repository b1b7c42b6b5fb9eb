"""Where outputs go: a local path or an ``s3://`` URI, told apart by one rule.

A text with a ``scheme://`` is a URI and only ``s3://`` is taken; anything else is a local path.
"""

from __future__ import annotations

from pathlib import Path

from cur_analysis.errors import InvalidInputError

S3 = "s3://"


def is_uri(text: str) -> bool:
    """True for ``scheme://...`` text, False for a local path."""
    return "://" in text


def is_s3_uri(text: str) -> bool:
    return text.startswith(S3)


def checked_location(text: str, what: str) -> str:
    """``text`` stripped, when it is a local path or an ``s3://`` URI; else one clear error."""
    location = text.strip()
    if not location or (is_uri(location) and not is_s3_uri(location)):
        raise InvalidInputError(f"{what} {text!r} must be a local path or an s3:// URI")
    return location


def split_s3_uri(uri: str) -> tuple[str, str]:
    """``(bucket, key)`` of ``s3://bucket/key`` (key may be empty or a prefix)."""
    bucket, _, key = uri.removeprefix(S3).partition("/")
    return bucket, key


def joined(base: str, name: str) -> str:
    """``base/name`` for a URI; for a local folder the absolute path of ``base/name``."""
    if is_uri(base):
        return f"{base.rstrip('/')}/{name}"
    return str(local_path(base) / name)


def local_path(text: str) -> Path:
    """A local path made absolute (``~`` expanded)."""
    return Path(text).expanduser().resolve()


def spark_location(path: str) -> str:
    """A location for Spark SQL: URIs as they are, local paths as ``file://`` URIs."""
    return path if is_uri(path) else f"file://{path}"
