"""Validation of catalog names and paths before they reach SQL text or a catalog call."""

from __future__ import annotations

import re

from cur_analysis.errors import InvalidInputError

# Glue Data Catalog names: lowercase letters, digits and underscore, at most 255 characters.
_GLUE_NAME = re.compile(r"^[a-z0-9_]{1,255}$")


def catalog_name(value: str, what: str = "name") -> str:
    """Return ``value`` if it is a valid Glue database or table name, else raise."""
    if not isinstance(value, str) or not _GLUE_NAME.match(value):
        raise InvalidInputError(
            f"{what} {value!r} is not a valid Glue name: use lowercase letters, digits and _"
        )
    return value


def sql_path(value: str) -> str:
    """Return a path safe to place inside a single-quoted SQL string literal."""
    if any(ch in value for ch in "'\\\n\r\0"):
        raise InvalidInputError(f"path {value!r} contains a quote, backslash or control character")
    return value
