"""plan / apply against moto: both sides, from empty to complete, and idempotent."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from awsplan.aws import AccountClients
from awsplan.plan import ActionKind, apply_plan
from bootstrap.consumer import plan_consumer
from bootstrap.producer import plan_producer
from tests.bootstrap.support import (
    BUCKET,
    DATABASE,
    FOREIGN_BUCKET_STATEMENTS,
    JOB_ROLE_ARN,
    JOB_ROLE_NAME,
    LINK,
    REGION,
    A,
    B,
    World,
    apply_both,
    record_calls,
)


def lf_entries(session: boto3.Session, principal: str, *resources: dict[str, Any]) -> list[Any]:
    """What ListPermissions shows for ``principal`` on each resource (Principal + Resource, the
    way AWS reports cross-account grants), as (resource JSON, permissions, grantable) rows."""
    lf = session.client("lakeformation")
    return sorted(
        (
            json.dumps(e["Resource"], sort_keys=True),
            sorted(e["Permissions"]),
            sorted(e["PermissionsWithGrantOption"]),
        )
        for resource in resources
        for e in lf.list_permissions(
            Principal={"DataLakePrincipalIdentifier": principal}, Resource=resource
        )["PrincipalResourcePermissions"]
    )


def db(catalog: str, name: str) -> dict[str, Any]:
    return {"Database": {"CatalogId": catalog, "Name": name}}


def all_tables(catalog: str, name: str) -> dict[str, Any]:
    return {"Table": {"CatalogId": catalog, "DatabaseName": name, "TableWildcard": {}}}


def listed_all_tables(catalog: str, name: str, perms: list[str], grantable: list[str]) -> list[Any]:
    """A wildcard table grant of DESCRIBE+SELECT as ListPermissions lists it: DESCRIBE on the
    Table (Name ALL_TABLES), SELECT on TableWithColumns (terraform filter.go documents it)."""
    table = {"CatalogId": catalog, "DatabaseName": name, "Name": "ALL_TABLES"}
    return [
        (
            json.dumps({"Table": {**table, "TableWildcard": {}}}, sort_keys=True),
            [p for p in perms if p != "SELECT"],
            [p for p in grantable if p != "SELECT"],
        ),
        (
            json.dumps({"TableWithColumns": {**table, "ColumnWildcard": {}}}, sort_keys=True),
            ["SELECT"],
            ["SELECT"] if "SELECT" in grantable else [],
        ),
    ]


def test_plan_on_empty_consumer_lists_every_action(world: World, clients_b: AccountClients) -> None:
    config = world.config()
    plan = plan_consumer(clients_b, config.producer, config.consumer)
    assert [(a.kind, a.resource) for a in plan.actions] == [
        (ActionKind.CREATE, f"resource link {B}:{LINK} -> {A}:{DATABASE}"),
        (ActionKind.CREATE, f"LF grant DESCRIBE on database {B}:{LINK} to {JOB_ROLE_ARN}"),
        (ActionKind.CREATE, f"LF grant DESCRIBE on database {A}:{DATABASE} to {JOB_ROLE_ARN}"),
        (
            ActionKind.CREATE,
            f"LF grant DESCRIBE+SELECT on all tables {A}:{DATABASE}/* to {JOB_ROLE_ARN}",
        ),
        (ActionKind.CREATE, f"IAM inline policy cur-bootstrap-read-cur on role {JOB_ROLE_NAME}"),
    ]
    assert plan.exit_code == 2


def test_plan_on_empty_producer_lists_every_action(world: World, clients_a: AccountClients) -> None:
    plan = plan_producer(clients_a, world.config().producer)
    org_arn = f"arn:aws:organizations::{A}:organization/{world.organization_id}"
    assert [(a.kind, a.resource) for a in plan.actions] == [
        (ActionKind.UPDATE, f"RAM sharing with AWS Organizations in {A}"),
        (ActionKind.CREATE, f"RAM share cur-bootstrap-{DATABASE} in {A}"),
        (
            ActionKind.CREATE,
            f"LF grant DESCRIBE (grantable) on database {A}:{DATABASE} to {org_arn}",
        ),
        (
            ActionKind.CREATE,
            f"LF grant DESCRIBE+SELECT (grantable) on all tables {A}:{DATABASE}/* to {org_arn}",
        ),
        (
            ActionKind.CREATE,
            f"bucket policy of {BUCKET} (Sid CurBootstrapOrganizationRead, "
            "CurBootstrapOrganizationList)",
        ),
    ]


def test_apply_creates_the_whole_chain(world: World) -> None:
    apply_both(world)
    org_arn = f"arn:aws:organizations::{A}:organization/{world.organization_id}"

    # Producer, read back with plain boto3 and compared with hand-written shapes.
    ram = world.a.client("ram")
    shares = ram.get_resource_shares(resourceOwner="SELF")["resourceShares"]
    assert [s["name"] for s in shares] == [f"cur-bootstrap-{DATABASE}"]
    share_arn = shares[0]["resourceShareArn"]
    resources = ram.get_resource_share_associations(
        associationType="RESOURCE", resourceShareArns=[share_arn]
    )["resourceShareAssociations"]
    assert sorted(r["associatedEntity"] for r in resources) == [
        f"arn:aws:glue:{REGION}:{A}:catalog",
        f"arn:aws:glue:{REGION}:{A}:database/{DATABASE}",
        f"arn:aws:glue:{REGION}:{A}:table/{DATABASE}/*",
    ]
    principals = ram.get_resource_share_associations(
        associationType="PRINCIPAL", resourceShareArns=[share_arn]
    )["resourceShareAssociations"]
    assert [p["associatedEntity"] for p in principals] == [org_arn]

    a_grants = lf_entries(world.a, org_arn, db(A, DATABASE), all_tables(A, DATABASE))
    assert a_grants == sorted(
        [
            (json.dumps(db(A, DATABASE), sort_keys=True), ["DESCRIBE"], ["DESCRIBE"]),
            *listed_all_tables(A, DATABASE, ["DESCRIBE", "SELECT"], ["DESCRIBE", "SELECT"]),
        ]
    )
    policy = json.loads(world.a.client("s3").get_bucket_policy(Bucket=BUCKET)["Policy"])
    org = {"aws:PrincipalOrgID": world.organization_id}
    assert policy["Statement"] == [
        {
            "Sid": "CurBootstrapOrganizationRead",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{BUCKET}/cur/legacy/*",
            "Principal": "*",
            "Condition": {"StringEquals": org},
        },
        {
            "Sid": "CurBootstrapOrganizationList",
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": f"arn:aws:s3:::{BUCKET}",
            # ListBucket only for the CUR prefix (s3:prefix condition)
            "Condition": {
                "StringLike": {"s3:prefix": ["cur/legacy", "cur/legacy/*"]},
                "StringEquals": org,
            },
            "Principal": "*",
        },
    ]

    # Consumer.
    link = world.b.client("glue").get_database(Name=LINK)["Database"]
    assert link["TargetDatabase"] == {"CatalogId": A, "DatabaseName": DATABASE}
    b_grants = lf_entries(
        world.b, JOB_ROLE_ARN, db(B, LINK), db(A, DATABASE), all_tables(A, DATABASE)
    )
    assert b_grants == sorted(
        [
            (json.dumps(db(B, LINK), sort_keys=True), ["DESCRIBE"], []),
            (json.dumps(db(A, DATABASE), sort_keys=True), ["DESCRIBE"], []),
            *listed_all_tables(A, DATABASE, ["DESCRIBE", "SELECT"], []),
        ]
    )
    document = world.b.client("iam").get_role_policy(
        RoleName=JOB_ROLE_NAME, PolicyName="cur-bootstrap-read-cur"
    )["PolicyDocument"]
    document = json.loads(document) if isinstance(document, str) else document
    actions = {s["Action"]: s["Resource"] for s in document["Statement"]}
    assert actions == {
        "s3:ListBucket": f"arn:aws:s3:::{BUCKET}",
        "s3:GetObject": f"arn:aws:s3:::{BUCKET}/cur/legacy/*",
        "lakeformation:GetDataAccess": "*",
    }


def test_second_apply_changes_nothing(world: World) -> None:
    apply_both(world)
    config = world.config()
    assert plan_producer(AccountClients(world.a), config.producer).is_empty
    assert plan_consumer(AccountClients(world.b), config.producer, config.consumer).is_empty


def test_plan_makes_read_only_calls(world: World) -> None:
    seen_a, seen_b = record_calls(world.a), record_calls(world.b)
    config = world.config()
    assert len(plan_producer(AccountClients(world.a), config.producer)) == 5
    assert len(plan_consumer(AccountClients(world.b), config.producer, config.consumer)) == 5
    calls = seen_a + seen_b
    assert calls, "the recorder saw nothing"
    writes = [c for c in calls if not c.split(":")[1].startswith(("Get", "List", "Describe"))]
    assert writes == []


def test_existing_bucket_policy_statements_are_kept_unchanged(world: World) -> None:
    unrelated = FOREIGN_BUCKET_STATEMENTS
    s3 = world.a.client("s3")
    s3.put_bucket_policy(
        Bucket=BUCKET,
        Policy=json.dumps({"Version": "2012-10-17", "Id": "keep-me", "Statement": unrelated}),
    )
    before = json.loads(s3.get_bucket_policy(Bucket=BUCKET)["Policy"])["Statement"]

    apply_both(world)
    apply_both(world)  # and again: still exactly one statement of ours

    after = json.loads(s3.get_bucket_policy(Bucket=BUCKET)["Policy"])
    assert after["Id"] == "keep-me"
    assert len(after["Statement"]) == 4
    # The two unrelated statements: same position, same keys in the same order, same values.
    assert [json.dumps(s) for s in after["Statement"][:2]] == [json.dumps(s) for s in before]
    assert [s["Sid"] for s in after["Statement"][2:]] == [
        "CurBootstrapOrganizationRead",
        "CurBootstrapOrganizationList",
    ]


def test_our_statement_is_updated_in_place_by_sid(world: World) -> None:
    s3 = world.a.client("s3")
    keep = {
        "Sid": "Other",
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{BUCKET}/public/*",
    }
    stale = {
        "Sid": "CurBootstrapOrganizationRead",
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{BUCKET}/old/*",
    }
    s3.put_bucket_policy(
        Bucket=BUCKET, Policy=json.dumps({"Version": "2012-10-17", "Statement": [stale, keep]})
    )
    plan = plan_producer(AccountClients(world.a), world.config().producer)
    [bucket_action] = [a for a in plan.actions if a.resource.startswith("bucket policy")]
    assert bucket_action.kind is ActionKind.UPDATE
    apply_plan(plan)
    statements = json.loads(s3.get_bucket_policy(Bucket=BUCKET)["Policy"])["Statement"]
    assert [s["Sid"] for s in statements] == [
        "CurBootstrapOrganizationRead",
        "Other",
        "CurBootstrapOrganizationList",
    ]
    assert statements[1] == keep
    assert statements[0]["Resource"] == f"arn:aws:s3:::{BUCKET}/cur/legacy/*"


def test_grant_without_grant_option_is_completed_not_replaced(world: World) -> None:
    org_arn = f"arn:aws:organizations::{A}:organization/{world.organization_id}"
    world.a.client("lakeformation").grant_permissions(
        Principal={"DataLakePrincipalIdentifier": org_arn},
        Resource={"Database": {"CatalogId": A, "Name": DATABASE}},
        Permissions=["DESCRIBE"],
    )
    plan = plan_producer(AccountClients(world.a), world.config().producer)
    [db_action] = [a for a in plan.actions if "on database" in a.resource]
    assert db_action.kind is ActionKind.UPDATE
    assert db_action.spec_data["PermissionsWithGrantOption"] == ["DESCRIBE"]
    apply_plan(plan)
    assert plan_producer(AccountClients(world.a), world.config().producer).is_empty


def test_job_role_never_gets_more_than_describe_select(world: World) -> None:
    apply_both(world)
    granted = lf_entries(
        world.b, JOB_ROLE_ARN, db(B, LINK), db(A, DATABASE), all_tables(A, DATABASE)
    )
    assert len(granted) == 4  # SELECT is listed apart, on TableWithColumns
    assert set().union(*(perms for _, perms, _ in granted)) == {"DESCRIBE", "SELECT"}
    assert all(grantable == [] for _, _, grantable in granted)
    # and the guard refuses a wider grant outright
    from awsplan.lakeformation import Grant, LfResource
    from bootstrap.consumer import check_job_role_grant
    from bootstrap.errors import BootstrapError

    for permissions, grantable in (
        ({"ALL"}, set()),
        ({"ALTER"}, set()),
        ({"DROP"}, set()),
        ({"SELECT"}, {"SELECT"}),
    ):
        with pytest.raises(BootstrapError, match="only DESCRIBE and SELECT"):
            check_job_role_grant(
                Grant(
                    JOB_ROLE_ARN,
                    LfResource(A, DATABASE),
                    frozenset(permissions),
                    frozenset(grantable),
                )
            )


def test_share_with_accounts_then_accept_the_pending_invitation(world: World) -> None:
    """Producer side on moto. Consumer RAM calls are stubbed (botocore Stubber): moto does not
    implement GetResourceShareInvitations or AcceptResourceShareInvitation."""
    from tests.bootstrap.support import stubbed

    config = world.config(producer={"share_with": [B]})
    apply_plan(plan_producer(AccountClients(world.a), config.producer))
    assert plan_producer(AccountClients(world.a), config.producer).is_empty
    principals = world.a.client("ram").get_resource_share_associations(associationType="PRINCIPAL")[
        "resourceShareAssociations"
    ]
    assert [p["associatedEntity"] for p in principals] == [B]
    assert lf_entries(world.a, B, db(A, DATABASE), all_tables(A, DATABASE)) == sorted(
        [
            (json.dumps(db(A, DATABASE), sort_keys=True), ["DESCRIBE"], ["DESCRIBE"]),
            *listed_all_tables(A, DATABASE, ["DESCRIBE", "SELECT"], ["DESCRIBE", "SELECT"]),
        ]
    )

    invitation_arn = f"arn:aws:ram:{REGION}:{A}:resource-share-invitation/inv-1"
    ram_b, stub = stubbed(world.b, "ram")
    invitation = {
        "resourceShareInvitationArn": invitation_arn,
        "resourceShareName": f"cur-bootstrap-{DATABASE}",
        "senderAccountId": A,
        "receiverAccountId": B,
        "status": "PENDING",
    }
    other = {**invitation, "resourceShareInvitationArn": "x", "resourceShareName": "someone-else"}
    stub.add_response(
        "get_resource_share_invitations", {"resourceShareInvitations": [other, invitation]}, {}
    )
    stub.add_response(
        "accept_resource_share_invitation",
        {"resourceShareInvitation": {**invitation, "status": "ACCEPTED"}},
        {"resourceShareInvitationArn": invitation_arn},
    )
    clients_b = AccountClients(world.b, overrides={"ram": ram_b})
    plan = plan_consumer(clients_b, config.producer, config.consumer)
    assert plan.actions[0].kind is ActionKind.UPDATE
    assert plan.actions[0].spec_data == {"resourceShareInvitationArn": invitation_arn}
    assert len(plan) == 6  # accept + the five consumer actions
    apply_plan(plan)
    stub.assert_no_pending_responses()  # the accept call was made, with that ARN only


def test_share_missing_a_resource_is_completed_by_association(world: World) -> None:
    """Plan only: moto does not implement AssociateResourceShare."""
    org_arn = f"arn:aws:organizations::{A}:organization/{world.organization_id}"
    glue = f"arn:aws:glue:{REGION}:{A}"
    world.a.client("ram").create_resource_share(
        name=f"cur-bootstrap-{DATABASE}",
        resourceArns=[f"{glue}:catalog", f"{glue}:database/{DATABASE}"],
        principals=[org_arn],
    )
    plan = plan_producer(AccountClients(world.a), world.config().producer)
    [share_action] = [a for a in plan.actions if a.resource.startswith("RAM share")]
    assert share_action.kind is ActionKind.UPDATE
    assert share_action.spec_data["resourceArns"] == [f"{glue}:table/{DATABASE}/*"]


def test_existing_database_that_is_not_our_link_is_never_rewritten(world: World) -> None:
    from bootstrap.errors import BootstrapError

    world.b.client("glue").create_database(DatabaseInput={"Name": LINK})
    config = world.config()
    with pytest.raises(BootstrapError, match="never rewrites what it did not create"):
        plan_consumer(AccountClients(world.b), config.producer, config.consumer)
    assert "TargetDatabase" not in world.b.client("glue").get_database(Name=LINK)["Database"]
