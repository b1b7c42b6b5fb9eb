"""doctor: every check passes on the full chain and fails when exactly its piece is missing.

B's reads of A's catalog (``glue:GetDatabase`` / ``GetTables`` / ``GetPartitions`` with
``CatalogId`` = A) are real reads against the strict test world (``support_strict_world.py``: moto
itself ignores ``CatalogId``), which shows A's database to B only once A granted it. RAM invitations
(account principals) are stubbed: moto does not implement ``GetResourceShareInvitations``.
Everything else is real moto state in two accounts.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from awsplan.aws import AccountClients
from bootstrap.doctor import run_doctor
from cur_analysis.periods import BillingPeriod
from tests.bootstrap.support import (
    BUCKET,
    DATABASE,
    JOB_ROLE_ARN,
    JOB_ROLE_NAME,
    LINK,
    PREFIX,
    TABLE,
    A,
    B,
    World,
    admin_role,
    apply_both,
    build_full_chain,
    cur_table_input,
    drop_iam_allowed_principals,
    record_calls,
    stubbed,
)
from tests.bootstrap.support_strict_world import STRICT

ALL_CHECKS = [
    "producer.ram-share",
    "producer.ram-org-sharing",
    "producer.ram-share-resources",
    "producer.ram-share-principals",
    "producer.lf-org-database",
    "producer.lf-org-tables",
    "producer.cross-account-version",
    "producer.iam-allowed-principals",
    "producer.bucket-policy",
    "producer.table-location",
    "producer.bucket-encryption",
    "producer.catalog-resource-policy",
    "consumer.invitation",
    "consumer.resource-link",
    "consumer.target-visible",
    "consumer.grant-link",
    "consumer.grant-target-database",
    "consumer.grant-target-tables",
    "consumer.no-grants-on-link-tables",
    "consumer.job-role-least-privilege",
    "consumer.iam-s3-read",
    "consumer.iam-get-data-access",
    "consumer.partition",
]
PERIOD = BillingPeriod(2024, 5)


def good_settings(**changes: Any) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "DataLakeAdmins": [{"DataLakePrincipalIdentifier": admin_role(A)}],
        "CreateDatabaseDefaultPermissions": [],
        "CreateTableDefaultPermissions": [],
        "Parameters": {"CROSS_ACCOUNT_VERSION": "4"},
    }
    settings.update(changes)
    return settings


def full_setup(world: World) -> None:
    """The whole chain: apply on both sides, and A's data lake settings and the crawler's
    IAM_ALLOWED_PRINCIPALS grants fixed by its admin."""
    apply_both(world)
    world.a.client("lakeformation").put_data_lake_settings(DataLakeSettings=good_settings())
    drop_iam_allowed_principals(world.a)


def doctor(world: World) -> dict[str, Any]:
    checks = run_doctor(
        world.config(),
        producer=AccountClients(world.a),
        consumer=AccountClients(world.b),
        period=PERIOD,
    )
    return {c.name: c for c in checks}


def org_arn(world: World) -> str:
    return f"arn:aws:organizations::{A}:organization/{world.organization_id}"


def test_full_setup_passes_every_check_with_read_only_calls(world: World) -> None:
    full_setup(world)
    seen_a, seen_b = record_calls(world.a), record_calls(world.b)
    results = doctor(world)
    assert list(results) == ALL_CHECKS
    assert [c.line() for c in results.values() if not c.ok] == []
    calls = seen_a + seen_b
    assert calls
    assert [c for c in calls if not c.split(":")[1].startswith(("Get", "List", "Describe"))] == []


def _recreate_share(world: World, resources: list[str], principals: list[str]) -> None:
    ram = world.a.client("ram")
    for share in ram.get_resource_shares(resourceOwner="SELF")["resourceShares"]:
        ram.delete_resource_share(resourceShareArn=share["resourceShareArn"])
    ram.create_resource_share(
        name=f"cur-bootstrap-{DATABASE}", resourceArns=resources, principals=principals
    )


def _glue_arn(suffix: str) -> str:
    return f"arn:aws:glue:us-east-1:{A}:{suffix}"


def _revoke(
    session: boto3.Session,
    principal: str,
    resource: dict[str, Any],
    perms: list[str],
    grantable: list[str],
) -> None:
    session.client("lakeformation").revoke_permissions(
        Principal={"DataLakePrincipalIdentifier": principal},
        Resource=resource,
        Permissions=perms,
        PermissionsWithGrantOption=grantable,
    )


def _policy(statements: list[dict[str, Any]]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


S3_READ = [
    {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": f"arn:aws:s3:::{BUCKET}"},
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{BUCKET}/{PREFIX}/*"},
]
GET_DATA_ACCESS = [{"Effect": "Allow", "Action": "lakeformation:GetDataAccess", "Resource": "*"}]


def _register_and_drop_get_data_access(world: World) -> None:
    world.a.client("lakeformation").register_resource(
        ResourceArn=f"arn:aws:s3:::{BUCKET}", UseServiceLinkedRole=True
    )
    world.b.client("iam").put_role_policy(
        RoleName=JOB_ROLE_NAME, PolicyName="cur-bootstrap-read-cur", PolicyDocument=_policy(S3_READ)
    )


Break = Callable[[World], None]


def _move_table(w: World) -> None:
    table = {**cur_table_input()}
    table["StorageDescriptor"] = {**table["StorageDescriptor"], "Location": "s3://elsewhere/cur/"}
    w.a.client("glue").update_table(DatabaseName=DATABASE, TableInput=table)


def _catalog_policy_without_ram(w: World) -> None:
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{A}:root"},
                "Action": "glue:GetDatabase",
                "Resource": f"arn:aws:glue:us-east-1:{A}:catalog",
            }
        ],
    }
    w.a.client("glue").put_resource_policy(PolicyInJson=json.dumps(policy))


BREAKS: dict[str, tuple[Break, dict[str, Any]]] = {
    "producer.table-location": (_move_table, {}),
    "producer.catalog-resource-policy": (_catalog_policy_without_ram, {}),
    "producer.ram-org-sharing": (
        lambda w: (
            w.a.client("organizations").disable_aws_service_access(
                ServicePrincipal="ram.amazonaws.com"
            )
            and None
        ),
        {},
    ),
    "producer.ram-share": (
        lambda w: (
            [
                w.a.client("ram").delete_resource_share(resourceShareArn=s["resourceShareArn"])
                for s in w.a.client("ram").get_resource_shares(resourceOwner="SELF")[
                    "resourceShares"
                ]
            ]
            and None
        ),
        # without a share, its contents and principals cannot be right either
        {"also": ["producer.ram-share-resources", "producer.ram-share-principals"]},
    ),
    "producer.ram-share-resources": (
        lambda w: _recreate_share(
            w, [_glue_arn("catalog"), _glue_arn(f"database/{DATABASE}")], [org_arn(w)]
        ),
        {},
    ),
    "producer.ram-share-principals": (
        lambda w: _recreate_share(
            w,
            [
                _glue_arn("catalog"),
                _glue_arn(f"database/{DATABASE}"),
                _glue_arn(f"table/{DATABASE}/*"),
            ],
            [],
        ),
        {},
    ),
    "producer.lf-org-database": (
        lambda w: _revoke(
            w.a,
            org_arn(w),
            {"Database": {"CatalogId": A, "Name": DATABASE}},
            ["DESCRIBE"],
            ["DESCRIBE"],
        ),
        {},
    ),
    "producer.lf-org-tables": (
        lambda w: _revoke(
            w.a,
            org_arn(w),
            {"Table": {"CatalogId": A, "DatabaseName": DATABASE, "TableWildcard": {}}},
            ["SELECT", "DESCRIBE"],
            ["SELECT", "DESCRIBE"],
        ),
        {},
    ),
    "producer.cross-account-version": (
        lambda w: (
            w.a.client("lakeformation").put_data_lake_settings(
                DataLakeSettings=good_settings(Parameters={"CROSS_ACCOUNT_VERSION": "2"})
            )
            and None
        ),
        {},
    ),
    "producer.iam-allowed-principals": (
        lambda w: (
            w.a.client("lakeformation").put_data_lake_settings(
                DataLakeSettings=good_settings(
                    CreateTableDefaultPermissions=[
                        {
                            "Principal": {"DataLakePrincipalIdentifier": "IAM_ALLOWED_PRINCIPALS"},
                            "Permissions": ["ALL"],
                        }
                    ]
                )
            )
            and None
        ),
        {},
    ),
    "producer.bucket-policy": (
        lambda w: w.a.client("s3").delete_bucket_policy(Bucket=BUCKET) and None,
        {},
    ),
    "consumer.resource-link": (
        lambda w: w.b.client("glue").delete_database(Name=LINK) and None,
        {},
    ),
    # partitions cannot be looked for either when A's database is not visible
    "consumer.target-visible": (
        lambda w: None,
        {"visible": False, "also": ["consumer.partition"]},
    ),
    "consumer.grant-link": (
        lambda w: _revoke(
            w.b, JOB_ROLE_ARN, {"Database": {"CatalogId": B, "Name": LINK}}, ["DESCRIBE"], []
        ),
        {},
    ),
    "consumer.grant-target-database": (
        lambda w: _revoke(
            w.b, JOB_ROLE_ARN, {"Database": {"CatalogId": A, "Name": DATABASE}}, ["DESCRIBE"], []
        ),
        {},
    ),
    "consumer.grant-target-tables": (
        lambda w: _revoke(
            w.b,
            JOB_ROLE_ARN,
            {"Table": {"CatalogId": A, "DatabaseName": DATABASE, "TableWildcard": {}}},
            ["SELECT", "DESCRIBE"],
            [],
        ),
        {},
    ),
    "consumer.no-grants-on-link-tables": (
        # the classic mistake: SELECT on "the link's tables" instead of the target's
        lambda w: (
            w.b.client("lakeformation").grant_permissions(
                Principal={"DataLakePrincipalIdentifier": JOB_ROLE_ARN},
                Resource={"Table": {"CatalogId": B, "DatabaseName": LINK, "TableWildcard": {}}},
                Permissions=["SELECT"],
            )
            and None
        ),
        {},
    ),
    "consumer.iam-s3-read": (
        lambda w: (
            w.b.client("iam").put_role_policy(
                RoleName=JOB_ROLE_NAME,
                PolicyName="cur-bootstrap-read-cur",
                PolicyDocument=_policy(GET_DATA_ACCESS),
            )
            and None
        ),
        {},
    ),
    "consumer.iam-get-data-access": (
        # only matters when A registered the location: then LF vends credentials
        lambda w: _register_and_drop_get_data_access(w),
        {},
    ),
    "consumer.partition": (
        lambda w: (
            w.a.client("glue").delete_partition(
                DatabaseName=DATABASE, TableName=TABLE, PartitionValues=["2024", "5"]
            )
            and None
        ),
        {},
    ),
}


def test_every_check_has_a_breaking_case() -> None:
    # tested apart: they pass or warn, never fail
    informational = {
        "consumer.invitation",
        "producer.bucket-encryption",
        "consumer.job-role-least-privilege",
    }
    assert sorted(BREAKS) == sorted(set(ALL_CHECKS) - informational)


def test_hand_built_chain_passes_every_check(world: World) -> None:
    build_full_chain(world)
    results = doctor(world)
    assert [c.line() for c in results.values() if not c.ok] == []


@pytest.mark.parametrize("check", list(BREAKS))
def test_check_fails_when_exactly_its_piece_is_missing(world: World, check: str) -> None:
    build_full_chain(world)
    breaker, options = BREAKS[check]
    breaker(world)
    if not options.get("visible", True):
        STRICT.remaining[(B, A, DATABASE)] = 10**6  # the share has not reached B
    results = doctor(world)
    failed = sorted(name for name, c in results.items() if not c.ok)
    assert failed == sorted([check, *options.get("also", [])])
    assert results[check].fix  # every failure says what to do
    assert results[check].line().startswith("FAIL")


def test_registered_location_makes_bucket_policy_and_s3_policy_unnecessary(world: World) -> None:
    build_full_chain(world)
    world.a.client("lakeformation").register_resource(
        ResourceArn=f"arn:aws:s3:::{BUCKET}", UseServiceLinkedRole=True
    )
    world.a.client("s3").delete_bucket_policy(Bucket=BUCKET)
    world.b.client("iam").put_role_policy(
        RoleName=JOB_ROLE_NAME,
        PolicyName="cur-bootstrap-read-cur",
        PolicyDocument=_policy(GET_DATA_ACCESS),
    )
    results = doctor(world)
    assert all(c.ok for c in results.values())
    assert "registered" in results["producer.bucket-policy"].detail
    assert "not needed" in results["consumer.iam-s3-read"].detail


INVITATION_PREFIX = f"arn:aws:ram:us-east-1:{A}:resource-share-invitation"


def invitations_client(session: boto3.Session, statuses: list[str]) -> Any:
    """B's RAM client answering GetResourceShareInvitations from a Stubber (moto lacks it)."""
    client, stub = stubbed(session, "ram")
    stub.add_response(
        "get_resource_share_invitations",
        {
            "resourceShareInvitations": [
                {
                    "resourceShareInvitationArn": f"{INVITATION_PREFIX}/{n}",
                    "resourceShareName": f"cur-bootstrap-{DATABASE}",
                    "resourceShareArn": f"arn:aws:ram:us-east-1:{A}:resource-share/abc",
                    "senderAccountId": A,
                    "receiverAccountId": B,
                    "status": status,
                }
                for n, status in enumerate(statuses)
            ]
        },
        {},
    )
    client.stub = stub
    return client


@pytest.mark.parametrize(
    ("statuses", "ok", "fix_mentions"),
    [
        (["ACCEPTED"], True, ""),
        (["PENDING"], False, "apply --side consumer"),
        (["EXPIRED"], False, "invite it again"),
        ([], False, "apply --side producer"),
    ],
)
def test_invitation_check_for_account_principals(
    world: World, statuses: list[str], ok: bool, fix_mentions: str
) -> None:
    """RAM invitations are stubbed (moto lacks GetResourceShareInvitations); the rest is moto."""
    config = world.config(producer={"share_with": [B]})
    ram_b = invitations_client(world.b, statuses)
    checks = run_doctor(
        config,
        producer=None,
        consumer=AccountClients(world.b, overrides={"ram": ram_b}),
    )
    [invitation] = [c for c in checks if c.name == "consumer.invitation"]
    assert invitation.ok is ok
    assert fix_mentions in invitation.fix
