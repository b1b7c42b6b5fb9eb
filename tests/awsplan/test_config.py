"""awsplan.config: TOML files read with one sentence per problem, and the shared value rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from awsplan.config import Checker, bucket_problem, load_toml, role_account
from awsplan.errors import AwsPlanError, ConfigError

A = "111111111111"


def test_load_toml_says_one_sentence_per_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_toml(tmp_path / "absent.toml", missing_hint="run init first")
    assert caught.value.problems == ("file not found; run init first",)
    latin = tmp_path / "latin.toml"
    latin.write_bytes('name = "caf\xe9"'.encode("latin-1"))
    with pytest.raises(ConfigError, match="not UTF-8 text"):
        load_toml(latin, missing_hint="")
    assert issubclass(ConfigError, AwsPlanError)


def test_checker_collects_one_message_per_bad_value() -> None:
    c = Checker({"aws": {"region": "nowhere", "bucket": "Bad_Bucket", "extra": 1}, "odd": {}})
    c.unknown_sections(("aws",))
    values = c.section("aws", frozenset({"region", "bucket"}))
    assert c.region("aws", values, "region") is None
    assert c.bucket("aws", values, "bucket") is None
    assert c.section("missing", frozenset()) is None
    assert c.section("optional", frozenset(), required=False) == {}
    assert c.problems == [
        "[odd]: unknown section (allowed: [aws])",
        "[aws] extra: unknown key (allowed: bucket, region)",
        "[aws] region: 'nowhere' is not valid: an AWS region like \"us-east-1\"",
        "[aws] bucket: 'Bad_Bucket' is not a valid bucket name: 3-63 characters of lower-case "
        "letters, digits, dots and hyphens, starting and ending with a letter or digit",
        "[missing]: section is missing",
    ]


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("cur-bucket", None),
        ("a..b", "no two adjacent dots and no dot next to a hyphen"),
        ("192.168.1.1", "must not look like an IP address"),
        ("xn--abc", "reserved prefix or suffix (xn--, sthree-, -s3alias, --ol-s3)"),
    ],
)
def test_bucket_rules(name: str, problem: str | None) -> None:
    assert bucket_problem(name) == problem


def test_role_account() -> None:
    assert role_account(f"arn:aws:iam::{A}:role/path/x") == A
    assert role_account("arn:aws:iam::１１１１１１１１１１１１:role/x") is None
