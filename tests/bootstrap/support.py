"""Shared constants and helpers of the bootstrap tests (fixtures are in conftest.py).

Imported as ``tests.bootstrap.support``: every test folder is a package, so each folder's
``support`` is its own module.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import botocore.loaders
import botocore.session
from botocore.stub import Stubber

from awsplan.aws import AccountClients
from awsplan.plan import apply_plan
from bootstrap.config import Config, parse_config
from bootstrap.consumer import plan_consumer
from bootstrap.producer import plan_producer

A = "111111111111"
B = "222222222222"
REGION = "us-east-1"
DATABASE = "cur_org"
TABLE = "legacy_all"
LINK = "cur_org_linked"
BUCKET = "org-cur-bucket"
PREFIX = "cur/legacy"
JOB_ROLE_NAME = "cur-job"
JOB_ROLE_ARN = f"arn:aws:iam::{B}:role/{JOB_ROLE_NAME}"
CATALOG_ARN_RE = re.compile(r"arn:aws[a-z-]*:glue:[a-z0-9-]+:\d{12}:catalog")

# Bucket-policy statements bootstrap does not own: apply and destroy keep them as they are.
FOREIGN_BUCKET_STATEMENTS = [
    {
        "Sid": "AllowBillingReports",
        "Effect": "Allow",
        "Principal": {"Service": "billingreports.amazonaws.com"},
        "Action": ["s3:GetBucketAcl", "s3:GetBucketPolicy"],
        "Resource": f"arn:aws:s3:::{BUCKET}",
        "Condition": {"StringEquals": {"aws:SourceAccount": A}},
    },
    {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    },
]


def admin_role(account: str) -> str:
    return f"arn:aws:iam::{account}:role/cur-admin"


# One loader for every test session: service models are parsed once, not per test.
_LOADER = botocore.loaders.create_loader()


def _core() -> botocore.session.Session:
    core = botocore.session.get_session()
    core.register_component("data_loader", _LOADER)
    return core


def assume(account: str) -> boto3.Session:
    creds = (
        boto3.Session(botocore_session=_core(), region_name=REGION)
        .client("sts")
        .assume_role(RoleArn=admin_role(account), RoleSessionName="bootstrap-tests")["Credentials"]
    )
    return boto3.Session(
        botocore_session=_core(),
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name=REGION,
    )


@dataclass(frozen=True)
class World:
    """Account A with an organization, the CUR bucket, database, table and one partition;
    account B with the Glue job role. Nothing of the sharing chain exists yet."""

    a: boto3.Session
    b: boto3.Session
    organization_id: str

    def data(self, **overrides: Mapping[str, Any]) -> dict[str, Any]:
        return config_data(self.organization_id, **overrides)

    def config(self, **overrides: Mapping[str, Any]) -> Config:
        return parse_config(self.data(**overrides))

    def write(self, path: Path, **overrides: Mapping[str, Any]) -> Path:
        path.write_text(to_toml(self.data(**overrides)), encoding="utf-8")
        return path


def config_data(organization_id: str, **overrides: Mapping[str, Any]) -> dict[str, Any]:
    """A valid config as parsed TOML; ``producer={...}`` / ``consumer={...}`` update a section."""
    producer: dict[str, Any] = {
        "account_id": A,
        "region": REGION,
        "database": DATABASE,
        "tables": ["*"],
        "bucket": BUCKET,
        "prefix": PREFIX,
        "share_with": "organization",
        "organization_id": organization_id,
        "assume_role_arn": admin_role(A),
    }
    consumer: dict[str, Any] = {
        "account_id": B,
        "resource_link": LINK,
        "job_role_arn": JOB_ROLE_ARN,
        "assume_role_arn": admin_role(B),
    }
    producer.update(overrides.get("producer", {}))
    consumer.update(overrides.get("consumer", {}))
    return {"producer": producer, "consumer": consumer}


def to_toml(data: Mapping[str, Mapping[str, Any]]) -> str:
    """Enough TOML for our flat sections (strings and lists of strings)."""
    lines: list[str] = []
    for section, values in data.items():
        lines.append(f"[{section}]")
        lines.extend(f"{key} = {json.dumps(value)}" for key, value in values.items())
        lines.append("")
    return "\n".join(lines)


def make_world(a: boto3.Session, b: boto3.Session) -> World:
    org = a.client("organizations").create_organization(FeatureSet="ALL")["Organization"]
    s3 = a.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    glue = a.client("glue")
    glue.create_database(DatabaseInput={"Name": DATABASE})
    glue.create_table(DatabaseName=DATABASE, TableInput=cur_table_input())
    glue.create_partition(
        DatabaseName=DATABASE,
        TableName=TABLE,
        PartitionInput={
            "Values": ["2024", "5"],
            "StorageDescriptor": {"Location": f"s3://{BUCKET}/{PREFIX}/year=2024/month=5/"},
        },
    )
    b.client("iam").create_role(
        RoleName=JOB_ROLE_NAME,
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "glue.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
    )
    return World(a, b, org["Id"])


def cur_table_input() -> dict[str, Any]:
    return {
        "Name": TABLE,
        "PartitionKeys": [{"Name": "year", "Type": "string"}, {"Name": "month", "Type": "string"}],
        "StorageDescriptor": {
            "Columns": [{"Name": "line_item_unblended_cost", "Type": "double"}],
            "Location": f"s3://{BUCKET}/{PREFIX}/",
        },
    }


def stubbed(session: boto3.Session, service: str) -> tuple[Any, Stubber]:
    """A client of ``session`` whose calls are answered by a botocore Stubber (no HTTP)."""
    client = session.client(service)
    stub = Stubber(client)
    stub.activate()
    return client, stub


def record_calls(session: boto3.Session) -> list[str]:
    """Names of the operations every client created afterwards from ``session`` sends."""
    seen: list[str] = []

    def before_call(model: Any, **_: Any) -> None:
        seen.append(f"{model.service_model.service_name}:{model.name}")

    session.events.register("before-call", before_call)
    return seen


def apply_both(world: World) -> None:
    """Plan and apply both sides with the library (not the CLI)."""
    config = world.config()
    apply_plan(plan_producer(AccountClients(world.a), config.producer))
    apply_plan(plan_consumer(AccountClients(world.b), config.producer, config.consumer))


def build_full_chain(world: World) -> None:
    """The whole sharing chain written with plain boto3 calls, shapes spelled out by hand
    (independent of the code under test, and far fewer calls than plan + apply)."""
    org_arn = f"arn:aws:organizations::{A}:organization/{world.organization_id}"
    glue = f"arn:aws:glue:{REGION}:{A}"
    world.a.client("ram").enable_sharing_with_aws_organization()
    world.a.client("ram").create_resource_share(
        name=f"cur-bootstrap-{DATABASE}",
        resourceArns=[
            f"{glue}:catalog",
            f"{glue}:database/{DATABASE}",
            f"{glue}:table/{DATABASE}/*",
        ],
        principals=[org_arn],
    )
    lf_a = world.a.client("lakeformation")
    lf_a.grant_permissions(
        Principal={"DataLakePrincipalIdentifier": org_arn},
        Resource={"Database": {"CatalogId": A, "Name": DATABASE}},
        Permissions=["DESCRIBE"],
        PermissionsWithGrantOption=["DESCRIBE"],
    )
    lf_a.grant_permissions(
        Principal={"DataLakePrincipalIdentifier": org_arn},
        Resource={"Table": {"CatalogId": A, "DatabaseName": DATABASE, "TableWildcard": {}}},
        Permissions=["SELECT", "DESCRIBE"],
        PermissionsWithGrantOption=["SELECT", "DESCRIBE"],
    )
    drop_iam_allowed_principals(world.a)
    lf_a.put_data_lake_settings(
        DataLakeSettings={
            "DataLakeAdmins": [{"DataLakePrincipalIdentifier": admin_role(A)}],
            "CreateDatabaseDefaultPermissions": [],
            "CreateTableDefaultPermissions": [],
            "Parameters": {"CROSS_ACCOUNT_VERSION": "4"},
        }
    )
    world.a.client("s3").put_bucket_policy(
        Bucket=BUCKET,
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "OrgRead",
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": ["s3:GetObject", "s3:ListBucket"],
                        "Resource": [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"],
                        "Condition": {
                            "StringEquals": {"aws:PrincipalOrgID": world.organization_id}
                        },
                    }
                ],
            }
        ),
    )
    world.b.client("glue").create_database(
        DatabaseInput={
            "Name": LINK,
            "TargetDatabase": {"CatalogId": A, "DatabaseName": DATABASE},
        }
    )
    lf_b = world.b.client("lakeformation")
    for resource, permissions in (
        ({"Database": {"CatalogId": B, "Name": LINK}}, ["DESCRIBE"]),
        ({"Database": {"CatalogId": A, "Name": DATABASE}}, ["DESCRIBE"]),
        (
            {"Table": {"CatalogId": A, "DatabaseName": DATABASE, "TableWildcard": {}}},
            ["SELECT", "DESCRIBE"],
        ),
    ):
        lf_b.grant_permissions(
            Principal={"DataLakePrincipalIdentifier": JOB_ROLE_ARN},
            Resource=resource,
            Permissions=permissions,
        )
    world.b.client("iam").put_role_policy(
        RoleName=JOB_ROLE_NAME,
        PolicyName="cur-bootstrap-read-cur",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "s3:ListBucket",
                        "Resource": f"arn:aws:s3:::{BUCKET}",
                    },
                    {
                        "Effect": "Allow",
                        "Action": "s3:GetObject",
                        "Resource": f"arn:aws:s3:::{BUCKET}/{PREFIX}/*",
                    },
                    {"Effect": "Allow", "Action": "lakeformation:GetDataAccess", "Resource": "*"},
                ],
            }
        ),
    )


def drop_iam_allowed_principals(a: boto3.Session) -> None:
    """What A's administrator does by hand for Lake Formation-only access: revoke the crawler's
    IAM_ALLOWED_PRINCIPALS from the database and table, and clear the database default."""
    lf = a.client("lakeformation")
    who = {"DataLakePrincipalIdentifier": "IAM_ALLOWED_PRINCIPALS"}
    for resource in (
        {"Database": {"CatalogId": A, "Name": DATABASE}},
        {"Table": {"CatalogId": A, "DatabaseName": DATABASE, "Name": TABLE}},
    ):
        lf.revoke_permissions(Principal=who, Resource=resource, Permissions=["ALL"])
    a.client("glue").update_database(
        Name=DATABASE, DatabaseInput={"Name": DATABASE, "CreateTableDefaultPermissions": []}
    )
