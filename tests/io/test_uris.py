"""Local path or ``s3://`` URI: the one rule the writers, the report and the job share."""

from __future__ import annotations

from pathlib import Path

import pytest

from cur_analysis.errors import InvalidInputError
from cur_analysis.io.uris import (
    checked_location,
    is_s3_uri,
    is_uri,
    joined,
    spark_location,
    split_s3_uri,
)


def test_uri_or_path() -> None:
    assert is_uri("s3://b/k") and is_uri("gs://b/k") and not is_uri("/tmp/x")
    assert is_s3_uri("s3://b/k") and not is_s3_uri("gs://b/k") and not is_s3_uri("s3/b")
    assert split_s3_uri("s3://bucket/a/b.html") == ("bucket", "a/b.html")
    assert split_s3_uri("s3://bucket") == ("bucket", "")


def test_joined_keeps_uris_and_makes_local_paths_absolute(tmp_path, monkeypatch) -> None:
    assert joined("s3://b/out/", "daily_cost") == "s3://b/out/daily_cost"
    monkeypatch.chdir(tmp_path)
    assert joined("out", "daily_cost") == str(tmp_path.resolve() / "out" / "daily_cost")
    assert spark_location("/data/x") == "file:///data/x"
    assert spark_location("s3://b/x") == "s3://b/x"


@pytest.mark.parametrize("text", ["gs://b/r.html", "https://e.com/r", "  "])
def test_only_local_paths_and_s3_are_locations(text: str) -> None:
    with pytest.raises(InvalidInputError, match="must be a local path or an s3:// URI"):
        checked_location(text, "--report_path")


def test_a_location_is_stripped() -> None:
    assert checked_location(" s3://b/r/ ", "--x") == "s3://b/r/"
    assert checked_location(str(Path("r.html")), "--x") == "r.html"
