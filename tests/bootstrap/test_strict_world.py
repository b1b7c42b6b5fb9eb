"""The strict world itself (each patch does what its docstring says) and the product reading
grants the way AWS answers them."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from awsplan.aws import AccountClients
from awsplan.lakeformation import LfResource, read_grants
from bootstrap.consumer import plan_consumer
from bootstrap.producer import plan_producer
from tests.bootstrap.support import (
    DATABASE,
    JOB_ROLE_ARN,
    LINK,
    TABLE,
    A,
    B,
    World,
    apply_both,
)
from tests.bootstrap.support_strict_world import STRICT


def test_filtered_list_by_table_name_meets_a_wildcard_grant_without_failing(world: World) -> None:
    """moto 5.2 answers HTTP 500 (KeyError) here; AWS answers with the matching grants."""
    lf = world.a.client("lakeformation")
    lf.grant_permissions(
        Principal={"DataLakePrincipalIdentifier": B},
        Resource={"Table": {"CatalogId": A, "DatabaseName": DATABASE, "TableWildcard": {}}},
        Permissions=["DESCRIBE"],
    )
    answer = lf.list_permissions(
        Principal={"DataLakePrincipalIdentifier": B},
        Resource={"Table": {"CatalogId": A, "DatabaseName": DATABASE, "Name": TABLE}},
    )
    assert answer["PrincipalResourcePermissions"] == []


def test_unfiltered_list_shows_only_the_callers_own_catalog(world: World) -> None:
    apply_both(world)
    lf_b = world.b.client("lakeformation")
    unfiltered = lf_b.list_permissions()["PrincipalResourcePermissions"]
    assert [e["Resource"] for e in unfiltered] == [{"Database": {"CatalogId": B, "Name": LINK}}]
    filtered = lf_b.list_permissions(
        Principal={"DataLakePrincipalIdentifier": JOB_ROLE_ARN},
        Resource={"Database": {"CatalogId": A, "Name": DATABASE}},
    )["PrincipalResourcePermissions"]
    assert [e["Permissions"] for e in filtered] == [["DESCRIBE"]]


def test_crawler_like_tables_carry_iam_allowed_principals(world: World) -> None:
    lf = world.a.client("lakeformation")
    who = {"DataLakePrincipalIdentifier": "IAM_ALLOWED_PRINCIPALS"}
    on_table = lf.list_permissions(
        Principal=who,
        Resource={"Table": {"CatalogId": A, "DatabaseName": DATABASE, "Name": TABLE}},
    )["PrincipalResourcePermissions"]
    assert sorted(p for e in on_table for p in e["Permissions"]) == ["ALL"]
    on_database = lf.list_permissions(
        Principal=who, Resource={"Database": {"CatalogId": A, "Name": DATABASE}}
    )["PrincipalResourcePermissions"]
    assert [e["Permissions"] for e in on_database] == [["ALL"]]
    database = world.a.client("glue").get_database(Name=DATABASE)["Database"]
    assert database["CreateTableDefaultPermissions"] == [{"Principal": who, "Permissions": ["ALL"]}]


def _b_sees_a(world: World) -> bool:
    try:
        world.b.client("glue").get_database(CatalogId=A, Name=DATABASE)
    except ClientError as error:
        assert error.response["Error"]["Code"] == "EntityNotFoundException"
        return False
    return True


def test_b_sees_a_database_only_after_the_grant_and_propagation(world: World) -> None:
    STRICT.propagation_calls = 2
    assert not _b_sees_a(world)
    plan = plan_producer(AccountClients(world.a), world.config().producer)
    from awsplan.plan import apply_plan

    apply_plan(plan)
    assert [_b_sees_a(world) for _ in range(3)] == [False, False, True]


def test_b_cannot_grant_on_a_database_it_does_not_see(world: World) -> None:
    with pytest.raises(ClientError) as raised:
        world.b.client("lakeformation").grant_permissions(
            Principal={"DataLakePrincipalIdentifier": JOB_ROLE_ARN},
            Resource={"Database": {"CatalogId": A, "Name": DATABASE}},
            Permissions=["DESCRIBE"],
        )
    assert raised.value.response["Error"]["Code"] == "EntityNotFoundException"


def test_second_plan_sees_cross_account_grants_listed_as_table_with_columns(world: World) -> None:
    """B's grants on A's tables are only visible with Principal + Resource, and SELECT comes
    back on TableWithColumns: the re-read must still find them all."""
    apply_both(world)
    config = world.config()
    assert plan_consumer(AccountClients(world.b), config.producer, config.consumer).is_empty
    held = read_grants(
        world.b.client("lakeformation"),
        B,
        [(JOB_ROLE_ARN, LfResource(A, DATABASE, wildcard=True))],
    )
    [grant] = held.grants
    assert grant.permissions == {"SELECT", "DESCRIBE"}


class _Listing:
    """A Lake Formation client answering ListPermissions with fixed entries."""

    def __init__(self, entries: list[dict[str, Any]]) -> None:
        self.entries = entries
        self.requests: list[dict[str, Any]] = []

    def list_permissions(self, **request: Any) -> dict[str, Any]:
        self.requests.append(request)
        return {"PrincipalResourcePermissions": self.entries}


def test_other_principals_entries_are_not_taken_for_the_asked_principal() -> None:
    """A listing can carry other principals' entries (an administrator's ALL, implicit on
    every resource it created): only the asked principal's exact resource counts."""
    database = {"Database": {"CatalogId": A, "Name": DATABASE}}
    admin = "arn:aws:iam::111111111111:role/cur-admin"
    listing = _Listing(
        [
            {"Principal": {"DataLakePrincipalIdentifier": admin}, "Resource": database,
             "Permissions": ["ALL"], "PermissionsWithGrantOption": ["ALL"]},
            {"Principal": {"DataLakePrincipalIdentifier": B}, "Resource": database,
             "Permissions": ["DESCRIBE"], "PermissionsWithGrantOption": []},
        ]
    )  # fmt: skip
    held = read_grants(listing, A, [(B, LfResource(A, DATABASE))])
    assert [(g.principal, g.permissions) for g in held.grants] == [(B, {"DESCRIBE"})]
    # CatalogId names the Lake Formation that holds the grants (the caller's), as terraform sends.
    assert listing.requests == [
        {"CatalogId": A, "Principal": {"DataLakePrincipalIdentifier": B}, "Resource": database}
    ]
