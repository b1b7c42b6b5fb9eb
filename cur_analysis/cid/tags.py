"""``--cid-tags``: the user tag keys the cid views put in ``tags_json``, checked up front."""

from __future__ import annotations

from collections.abc import Sequence

from cur_analysis.errors import InvalidInputError


def tag_key(column: str) -> str:
    """A conformed tag column's CUR 2.0 key: ``resource_tags_user_team`` -> ``user_team``."""
    return column.removeprefix("resource_tags_")


def selected_tags(keys: Sequence[str], tag_columns: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """(key, tag column) for each of ``keys``; an unknown key is refused, naming those there are."""
    available = {tag_key(column): column for column in tag_columns}
    unknown = [key for key in keys if key not in available]
    if unknown:
        there = ", ".join(sorted(available)) or "none"
        raise InvalidInputError(
            f"--cid-tags names {', '.join(unknown)}, which the source does not have: "
            f"its tag keys are {there}"
        )
    return tuple((key, available[key]) for key in dict.fromkeys(keys))


def parse_tags(text: str) -> tuple[str, ...]:
    """Tag keys from a comma-separated argument (``--cid-tags``), blanks dropped."""
    return tuple(key.strip() for key in text.split(",") if key.strip())
