"""Fixtures for the bootstrap tests: one moto server for the session, two accounts via STS.

moto runs in server mode (``ThreadedMotoServer`` on 127.0.0.1, a free port); boto3 reaches it
through ``AWS_ENDPOINT_URL`` like any AWS endpoint. Account A (producer) and account B (consumer)
are reached with ``sts.assume_role`` into each account (``MOTO_ACCOUNT_ID`` is never set: it
would override the assumed-role account). State is reset before every test.
"""

from __future__ import annotations

import json
import re
import socket
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import botocore.loaders
import botocore.session
import pytest
from botocore.stub import Stubber
from moto.ram.models import ResourceShare
from moto.server import ThreadedMotoServer

from bootstrap.aws import AccountClients
from bootstrap.config import Config, parse_config

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


def admin_role(account: str) -> str:
    return f"arn:aws:iam::{account}:role/cur-admin"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _accept_catalog_arns(original: Callable[..., None]) -> Callable[..., None]:
    """moto 5.2 rejects the real Glue catalog ARN ``arn:aws:glue:<region>:<acct>:catalog``
    (its ARN pattern wants ``/`` or ``:`` after the resource type), although RAM shares it.
    Let that one ARN through and validate the rest with moto's own code."""

    def add_resources(self: ResourceShare, resource_arns: list[str]) -> None:
        catalogs = [a for a in resource_arns if CATALOG_ARN_RE.fullmatch(a)]
        original(self, [a for a in resource_arns if a not in catalogs])
        self.resource_arns.extend(catalogs)

    return add_resources


@pytest.fixture(scope="session")
def moto_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    nowhere = str(tmp_path_factory.mktemp("aws") / "none")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(
            ResourceShare, "add_resources", _accept_catalog_arns(ResourceShare.add_resources)
        )
        for name in ("MOTO_ACCOUNT_ID", "AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_PROFILE"):
            mp.delenv(name, raising=False)
        url = f"http://127.0.0.1:{port}"
        mp.setenv("AWS_ENDPOINT_URL", url)
        mp.setenv("AWS_ACCESS_KEY_ID", "testing")
        mp.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        mp.setenv("AWS_DEFAULT_REGION", REGION)
        mp.setenv("AWS_CONFIG_FILE", nowhere)
        mp.setenv("AWS_SHARED_CREDENTIALS_FILE", nowhere)
        server.start()
        try:
            yield url
        finally:
            server.stop()


@pytest.fixture(autouse=True)
def _fresh_moto(moto_url: str) -> None:
    """Every test starts from empty accounts."""
    request = urllib.request.Request(f"{moto_url}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 200


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


@pytest.fixture
def session_a() -> boto3.Session:
    return assume(A)


@pytest.fixture
def session_b() -> boto3.Session:
    return assume(B)


@dataclass(frozen=True)
class World:
    """Account A with an organization, the CUR bucket, database, table and one partition;
    account B with the Glue job role. Nothing of the sharing chain exists yet."""

    a: boto3.Session
    b: boto3.Session
    organization_id: str

    def data(self, **overrides: Mapping[str, Any]) -> dict[str, Any]:
        """Config as parsed TOML; ``producer={...}`` / ``consumer={...}`` update a section."""
        producer: dict[str, Any] = {
            "account_id": A,
            "region": REGION,
            "database": DATABASE,
            "tables": ["*"],
            "bucket": BUCKET,
            "prefix": PREFIX,
            "share_with": "organization",
            "organization_id": self.organization_id,
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

    def config(self, **overrides: Mapping[str, Any]) -> Config:
        return parse_config(self.data(**overrides))

    def write(self, path: Path, **overrides: Mapping[str, Any]) -> Path:
        path.write_text(to_toml(self.data(**overrides)), encoding="utf-8")
        return path


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


@pytest.fixture
def world(session_a: boto3.Session, session_b: boto3.Session) -> World:
    return make_world(session_a, session_b)


@pytest.fixture
def clients_a(session_a: boto3.Session) -> AccountClients:
    return AccountClients(session_a)


@pytest.fixture
def clients_b(session_b: boto3.Session) -> AccountClients:
    return AccountClients(session_b)


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
