"""awsplan.lakeformation: resources and grants as requested and as listed, registered locations,
and the data lake settings."""

from __future__ import annotations

from awsplan.lakeformation import (
    DataLakeSettings,
    Grant,
    LfResource,
    covering_location,
    merge_listed,
)
from tests.bootstrap.support import JOB_ROLE_ARN

A = "111111111111"


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


def test_listed_grants_are_normalised() -> None:
    """Missing CatalogId = caller's catalog; SELECT listed as TableWithColumns+ColumnWildcard."""
    held = merge_listed(
        [
            {
                "Principal": {"DataLakePrincipalIdentifier": JOB_ROLE_ARN},
                "Resource": {"Table": {"DatabaseName": "cur_org", "TableWildcard": {}}},
                "Permissions": ["DESCRIBE"],
                "PermissionsWithGrantOption": [],
            },
            {
                "Principal": {"DataLakePrincipalIdentifier": JOB_ROLE_ARN},
                "Resource": {
                    "TableWithColumns": {
                        "DatabaseName": "cur_org",
                        "Name": "ALL_TABLES",
                        "ColumnWildcard": {},
                    }
                },
                "Permissions": ["SELECT"],
                "PermissionsWithGrantOption": [],
            },
        ],
        default_catalog=A,
    )
    assert held.grants == (
        Grant(
            JOB_ROLE_ARN,
            LfResource(A, "cur_org", wildcard=True),
            frozenset({"DESCRIBE", "SELECT"}),
            frozenset(),
        ),
    )


def test_missing_part_of_a_grant() -> None:
    wanted = Grant("p", LfResource(A, "d"), frozenset({"DESCRIBE"}), frozenset({"DESCRIBE"}))
    assert wanted.missing_given(wanted) is None
    partial = Grant("p", LfResource(A, "d"), frozenset({"DESCRIBE"}))
    assert wanted.missing_given(partial) == wanted
    assert (
        wanted.missing_given(Grant("p", LfResource(A, "d"), frozenset({"ALL"}), frozenset({"ALL"})))
        is None
    )


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
