"""Bucket policy evaluation, our-Sid conflicts, SSE-KMS, catalog policy, least privilege, and our
statement merged into a bucket policy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from awsplan.aws import AccountClients
from bootstrap.bucket_access import blocking_denies, read_allowed
from bootstrap.cli import main
from bootstrap.config import parse_config
from bootstrap.doctor import run_doctor
from bootstrap.policies import merge_statement, same_policy
from tests.bootstrap.support import (
    BUCKET,
    DATABASE,
    JOB_ROLE_ARN,
    JOB_ROLE_NAME,
    A,
    B,
    World,
    apply_both,
    config_data,
)

ORG = "o-abcdefghij"
CONFIG = parse_config(config_data(ORG))
OBJECTS = f"arn:aws:s3:::{BUCKET}/cur/legacy/*"


def _allow(action: str, resource: str, condition: dict[str, Any]) -> dict[str, Any]:
    return {
        "Effect": "Allow",
        "Principal": "*",
        "Action": action,
        "Resource": resource,
        "Condition": condition,
    }


def _allowed(*statements: dict[str, Any]) -> dict[str, bool]:
    return read_allowed({"Statement": list(statements)}, CONFIG.producer)


def _listing(prefixes: list[str]) -> dict[str, Any]:
    return _allow(
        "s3:ListBucket",
        f"arn:aws:s3:::{BUCKET}",
        {"StringEquals": {"aws:PrincipalOrgID": ORG}, "StringLike": {"s3:prefix": prefixes}},
    )


def test_org_condition_must_be_positive_and_name_our_organization() -> None:
    good = _allow("s3:GetObject", OBJECTS, {"StringEquals": {"aws:PrincipalOrgID": ORG}})
    assert _allowed(good)["s3:GetObject"]
    not_equals = _allow("s3:GetObject", OBJECTS, {"StringNotEquals": {"aws:PrincipalOrgID": ORG}})
    assert not _allowed(not_equals)["s3:GetObject"]
    other = _allow(
        "s3:GetObject", OBJECTS, {"StringEquals": {"aws:PrincipalOrgID": "o-other12345"}}
    )
    assert not _allowed(other)["s3:GetObject"]
    no_condition = {**good, "Condition": {}}
    assert not _allowed(no_condition)["s3:GetObject"]  # "*" alone is not "the organization"


def test_list_bucket_prefix_condition_must_cover_the_cur_prefix() -> None:
    assert _allowed(_listing(["cur/legacy", "cur/legacy/*"]))["s3:ListBucket"]
    assert not _allowed(_listing(["other/*"]))["s3:ListBucket"]


def test_deny_statements_that_block_the_consumer() -> None:
    everyone = {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": OBJECTS}
    tls_only = {
        **everyone,
        "Sid": "TlsOnly",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    outsiders = {
        **everyone,
        "Sid": "OrgOnly",
        "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": ORG}},
    }
    other_role = {
        **everyone,
        "Sid": "Other",
        "Principal": {"AWS": "arn:aws:iam::333333333333:root"},
    }
    blocker = {**everyone, "Sid": "NoReads"}
    document = {"Statement": [tls_only, outsiders, other_role, blocker]}
    assert blocking_denies(document, CONFIG.producer, CONFIG.consumer) == ["NoReads"]


def _doctor(world: World, **producer: Any) -> dict[str, Any]:
    return {
        c.name: c
        for c in run_doctor(
            world.config(producer=producer),
            producer=AccountClients(world.a),
            consumer=AccountClients(world.b),
        )
    }


def test_doctor_reports_a_blocking_deny_by_sid(world: World) -> None:
    apply_both(world)
    s3 = world.a.client("s3")
    policy = json.loads(s3.get_bucket_policy(Bucket=BUCKET)["Policy"])
    policy["Statement"].append(
        {"Sid": "Lockdown", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"]}
    )  # fmt: skip
    s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(policy))
    check = _doctor(world)["producer.bucket-policy"]
    assert not check.ok
    assert "Lockdown" in check.detail


def test_foreign_statement_with_our_sid_is_a_conflict(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    foreign = {
        "Sid": "CurBootstrapOrganizationRead",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:DeleteObject",
        "Resource": f"arn:aws:s3:::{BUCKET}/*",
    }
    s3 = world.a.client("s3")
    s3.put_bucket_policy(
        Bucket=BUCKET, Policy=json.dumps({"Version": "2012-10-17", "Statement": [foreign]})
    )
    before = s3.get_bucket_policy(Bucket=BUCKET)["Policy"]
    path = world.write(tmp_path / "c.toml")
    args = ["--config", str(path), "--side", "producer"]
    assert main(["plan", *args]) == 1
    assert "conflict: the policy of bucket org-cur-bucket has a statement with Sid" in (
        capsys.readouterr().out
    )
    assert main(["apply", *args]) == 1
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("cur-bootstrap: error: refusing to apply: the policy of bucket")
    assert s3.get_bucket_policy(Bucket=BUCKET)["Policy"] == before
    assert world.a.client("ram").get_resource_shares(resourceOwner="SELF")["resourceShares"] == []


def test_sse_kms_names_the_key_and_adds_decrypt_to_the_job_role(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world.a.client("s3").put_bucket_encryption(
        Bucket=BUCKET,
        ServerSideEncryptionConfiguration={
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {
                        "SSEAlgorithm": "aws:kms",
                        "KMSMasterKeyID": "1234abcd",
                    }
                }
            ]
        },
    )
    key = f"arn:aws:kms:us-east-1:{A}:key/1234abcd"
    path = world.write(tmp_path / "c.toml")
    assert main(["apply", "--config", str(path), "--side", "both"]) == 0
    document = world.b.client("iam").get_role_policy(
        RoleName=JOB_ROLE_NAME, PolicyName="cur-bootstrap-read-cur"
    )["PolicyDocument"]
    document = json.loads(document) if isinstance(document, str) else document
    assert {
        "Sid": "DecryptCurObjects",
        "Effect": "Allow",
        "Action": "kms:Decrypt",
        "Resource": key,
    } in document["Statement"]
    # a consumer-only plan (A's bucket unreadable from B) keeps it: no flip-flop
    assert main(["plan", "--config", str(path), "--side", "consumer"]) == 0
    capsys.readouterr()
    check = _doctor(world)["producer.bucket-encryption"]
    assert check.line().startswith("WARN")
    assert key in check.detail and "kms:Decrypt" in check.detail


def test_catalog_policy_that_allows_ram_passes(world: World) -> None:
    apply_both(world)
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ram.amazonaws.com"},
                "Action": "glue:ShareResource",
                "Resource": [f"arn:aws:glue:us-east-1:{A}:catalog"],
            }
        ],
    }
    world.a.client("glue").put_resource_policy(PolicyInJson=json.dumps(policy))
    assert _doctor(world)["producer.catalog-resource-policy"].ok


def test_job_role_with_more_than_describe_select_is_warned(world: World) -> None:
    apply_both(world)
    world.b.client("lakeformation").grant_permissions(
        Principal={"DataLakePrincipalIdentifier": JOB_ROLE_ARN},
        Resource={"Database": {"CatalogId": A, "Name": DATABASE}},
        Permissions=["ALTER"],
    )
    check = _doctor(world)["consumer.job-role-least-privilege"]
    assert check.line().startswith("WARN")
    assert f"ALTER+DESCRIBE on database {A}:{DATABASE}" in check.detail
    assert B in JOB_ROLE_ARN


# ----------------------------------------------------------------------------- merging

OURS = {
    "Sid": "CurBootstrapOrganizationRead",
    "Effect": "Allow",
    "Principal": "*",
    "Action": ["s3:GetObject", "s3:ListBucket"],
    "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
    "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abcdefghij"}},
}


OTHER = {"Sid": "X", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}


def test_merge_adds_ours_and_keeps_the_others_in_place() -> None:
    document = {"Id": "p", "Version": "2012-10-17", "Statement": [OTHER]}
    merged = merge_statement(document, OURS)
    assert merged == {"Id": "p", "Version": "2012-10-17", "Statement": [OTHER, OURS]}
    assert document == {"Id": "p", "Version": "2012-10-17", "Statement": [OTHER]}  # not mutated


def test_merge_is_none_when_equal_after_normalising() -> None:
    reformatted = {
        **OURS,
        "Action": ["s3:ListBucket", "s3:GetObject"],
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": ["o-abcdefghij"]}},
    }
    assert merge_statement({"Statement": [OTHER, reformatted]}, OURS) is None
    assert same_policy({"Action": "s3:GetObject"}, {"Action": ["s3:GetObject"]})
    assert not same_policy({"Action": "s3:GetObject"}, {"Action": ["s3:PutObject"]})


def test_merge_replaces_ours_by_sid_in_place() -> None:
    stale = {**OURS, "Resource": "arn:aws:s3:::b/old/*"}
    merged = merge_statement({"Statement": [stale, OTHER]}, OURS)
    assert merged is not None and merged["Statement"] == [OURS, OTHER]


def test_merge_without_existing_policy_creates_one() -> None:
    assert merge_statement(None, OURS) == {"Version": "2012-10-17", "Statement": [OURS]}
