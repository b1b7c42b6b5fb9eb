"""The neutral admin package: imports neither tool, and its shared pieces behave as both need."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from awsplan.checks import Check, all_passed, check
from awsplan.config import Checker, bucket_problem, load_toml, role_account
from awsplan.errors import AwsPlanError, ConfigError
from awsplan.lakeformation import DataLakeSettings, Grant, LfResource, covering_location

A = "111111111111"


def test_awsplan_imports_no_tool_and_only_the_librarys_retry_config() -> None:
    """awsplan sits under both tools; of the library it takes only the one retry configuration
    (``cur_analysis.io.aws``), never Spark."""
    probe = (
        "import sys, awsplan.aws, awsplan.plan, awsplan.config, awsplan.checks, "
        "awsplan.lakeformation, awsplan.cli; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'bootstrap', 'deploy', 'pyspark'}),"
        " sorted(m for m in sys.modules if m.startswith('cur_analysis.')))"
    )
    answer = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert answer.stdout.strip() == "[] ['cur_analysis.io', 'cur_analysis.io.aws']"


def test_admin_clients_retry_as_the_library_does() -> None:
    from awsplan.aws import CLIENT_CONFIG
    from cur_analysis.io.aws import CLIENT_CONFIG as LIBRARY

    # botocore rewrites the retries mapping in place once a client is made (max_attempts ->
    # total_max_attempts), so compare the two rather than a literal.
    assert CLIENT_CONFIG.retries == LIBRARY.retries
    assert CLIENT_CONFIG.retries["mode"] == "standard"
    assert CLIENT_CONFIG.user_agent_extra == "cur-analysis-admin"


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


def test_resources_round_trip_through_listed_shapes() -> None:
    """What ListPermissions answers normalises to the resource that was asked for."""
    location = LfResource.data_location(A, "arn:aws:s3:::b/p")
    tables = LfResource(A, "db", wildcard=True)
    for resource in (LfResource(A, "db"), tables, LfResource(A, "db", table="t"), location):
        assert LfResource.from_response(resource.to_request(), A) == resource
    listed = {
        "TableWithColumns": {"DatabaseName": "db", "Name": "ALL_TABLES", "ColumnWildcard": {}}
    }
    assert LfResource.from_response(listed, A) == tables
    excluded = {"TableWithColumns": {"DatabaseName": "db", "Name": "t",
                                     "ColumnWildcard": {"ExcludedColumnNames": ["c"]}}}  # fmt: skip
    assert LfResource.from_response(excluded, A) is None
    assert location.describe() == "location 111111111111:arn:aws:s3:::b/p"


def test_missing_given_asks_only_for_what_is_lacking() -> None:
    wanted = Grant("role", LfResource(A, "db"), frozenset({"DESCRIBE", "CREATE_TABLE"}))
    held = Grant("role", LfResource(A, "db"), frozenset({"DESCRIBE"}))
    missing = wanted.missing_given(held)
    assert missing is not None and missing.permissions == {"CREATE_TABLE"}
    assert wanted.missing_given(Grant("role", LfResource(A, "db"), frozenset({"ALL"}))) is None


def test_covering_location_takes_the_longest_registered_prefix() -> None:
    registered = ("arn:aws:s3:::b", "arn:aws:s3:::b/cur/", "arn:aws:s3:::bb")
    assert covering_location("arn:aws:s3:::b/cur/x", registered) == "arn:aws:s3:::b/cur/"
    assert covering_location("arn:aws:s3:::b/other", registered) == "arn:aws:s3:::b"
    assert covering_location("arn:aws:s3:::bx/cur", registered) is None


IAM_ALL = {"Principal": {"DataLakePrincipalIdentifier": "IAM_ALLOWED_PRINCIPALS"},
           "Permissions": ["ALL"]}  # fmt: skip


def test_default_data_lake_settings_read_as_version_1_and_iam_access() -> None:
    """Default settings: no Parameters, IAM_ALLOWED_PRINCIPALS ALL in both defaults."""
    settings = DataLakeSettings.from_response(
        {
            "DataLakeAdmins": [{"DataLakePrincipalIdentifier": "arn:aws:iam::1:role/admin"}],
            "CreateDatabaseDefaultPermissions": [IAM_ALL],
            "CreateTableDefaultPermissions": [IAM_ALL],
        }
    )
    assert settings.cross_account_version == 1
    assert settings.admins == {"arn:aws:iam::1:role/admin"}
    assert settings.iam_access_by_default
    assert settings.iam_allowed_defaults() == (
        "CreateDatabaseDefaultPermissions",
        "CreateTableDefaultPermissions",
    )


def test_lake_formation_mode_settings() -> None:
    """Table defaults cleared, database default kept with DESCRIBE only, version 4."""
    describe = {**IAM_ALL, "Permissions": ["DESCRIBE"]}
    settings = DataLakeSettings.from_response(
        {
            "CreateDatabaseDefaultPermissions": [describe],
            "CreateTableDefaultPermissions": [],
            "Parameters": {"CROSS_ACCOUNT_VERSION": "4"},
        }
    )
    assert settings.cross_account_version == 4
    assert settings.admins == frozenset()
    assert not settings.iam_access_by_default
    assert settings.iam_allowed_defaults() == ("CreateDatabaseDefaultPermissions",)
    assert settings.iam_allowed_defaults("ALL") == ()
    garbled = DataLakeSettings.from_response({"Parameters": {"CROSS_ACCOUNT_VERSION": "x"}})
    assert garbled.cross_account_version == 1


def test_check_lines() -> None:
    failed = check("x.y", False, "seen", "do this")
    assert failed.line() == "FAIL  x.y: seen -> fix: do this"
    assert check("x.y", True, "seen", "do this").fix == ""
    assert Check("w", True, "note", warn=True).line() == "WARN  w: note"
    assert not all_passed([failed]) and all_passed([])
