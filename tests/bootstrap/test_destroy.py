"""destroy: reverse order, exactly what bootstrap made, foreign things kept, idempotent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from awsplan.aws import AccountClients
from bootstrap.cli import main
from bootstrap.consumer import plan_consumer
from bootstrap.producer import plan_producer
from tests.bootstrap.support import (
    BUCKET,
    DATABASE,
    FOREIGN_BUCKET_STATEMENTS,
    JOB_ROLE_ARN,
    LINK,
    A,
    World,
)


def _plan_resources(world: World) -> list[str]:
    config = world.config()
    plan = plan_producer(AccountClients(world.a), config.producer) + plan_consumer(
        AccountClients(world.b), config.producer, config.consumer
    )
    return [a.resource for a in plan.actions]


def test_destroy_reverses_apply_and_keeps_foreign_things(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    s3 = world.a.client("s3")
    s3.put_bucket_policy(
        Bucket=BUCKET,
        Policy=json.dumps({"Version": "2012-10-17", "Statement": FOREIGN_BUCKET_STATEMENTS}),
    )
    before = [
        json.dumps(s)
        for s in json.loads(s3.get_bucket_policy(Bucket=BUCKET)["Policy"])["Statement"]
    ]
    path = world.write(tmp_path / "c.toml")
    args = ["--config", str(path), "--side", "both"]
    first_plan = _plan_resources(world)
    assert main(["apply", *args]) == 0
    after_apply = json.loads(s3.get_bucket_policy(Bucket=BUCKET)["Policy"])["Statement"]
    assert [json.dumps(s) for s in after_apply[:2]] == before
    # a foreign permission of the job role, granted by hand, must survive destroy
    world.b.client("lakeformation").grant_permissions(
        Principal={"DataLakePrincipalIdentifier": JOB_ROLE_ARN},
        Resource={"Database": {"CatalogId": A, "Name": DATABASE}},
        Permissions=["ALTER"],
    )
    capsys.readouterr()

    assert main(["destroy", "--dry-run", *args]) == 2
    out = capsys.readouterr().out
    lines = [
        line.split()[0]
        for line in out.splitlines()[2:]
        if line.strip() and not line.startswith(("note:", "conflict:"))
    ]
    # reverse order: consumer policy, grants, link; then bucket policy, grants, share
    assert lines[0] == "IAM" and lines[-1] == "RAM"
    assert out.index("resource link") < out.index("bucket policy")

    assert main(["destroy", *args]) == 0
    assert "re-read shows nothing of ours left" in capsys.readouterr().out
    after = json.loads(s3.get_bucket_policy(Bucket=BUCKET)["Policy"])["Statement"]
    assert [json.dumps(s) for s in after] == before  # byte for byte
    held = world.b.client("lakeformation").list_permissions(
        Principal={"DataLakePrincipalIdentifier": JOB_ROLE_ARN},
        Resource={"Database": {"CatalogId": A, "Name": DATABASE}},
    )["PrincipalResourcePermissions"]
    assert [e["Permissions"] for e in held] == [["ALTER"]]
    assert (
        world.a.client("ram").get_resource_shares(resourceOwner="SELF")["resourceShares"][0][
            "status"
        ]
        != "ACTIVE"
    )
    with pytest.raises(world.b.client("glue").exceptions.EntityNotFoundException):
        world.b.client("glue").get_database(Name=LINK)

    # second run: nothing to do
    assert main(["destroy", *args]) == 0
    assert "Destroy plan (both): no changes" in capsys.readouterr().out
    # and plan shows the whole chain again (organization sharing stays enabled: account-level)
    assert _plan_resources(world) == [r for r in first_plan if not r.startswith("RAM sharing")]


def test_destroy_keeps_a_same_named_share_without_our_tag(world: World) -> None:
    from bootstrap.destroy import destroy_producer

    world.a.client("ram").create_resource_share(name=f"cur-bootstrap-{DATABASE}")
    plan = destroy_producer(AccountClients(world.a), world.config().producer)
    assert plan.is_empty
    assert plan.notes == (
        f"RAM share cur-bootstrap-{DATABASE} has no managed-by=cur-bootstrap tag: kept (not ours)",
    )


def test_destroy_deletes_a_policy_that_only_held_our_statements(
    world: World, tmp_path: Path
) -> None:
    path = world.write(tmp_path / "c.toml")
    assert main(["apply", "--config", str(path), "--side", "producer"]) == 0
    assert main(["destroy", "--config", str(path), "--side", "producer"]) == 0
    s3 = world.a.client("s3")
    with pytest.raises(s3.exceptions.ClientError) as raised:
        s3.get_bucket_policy(Bucket=BUCKET)
    assert raised.value.response["Error"]["Code"] == "NoSuchBucketPolicy"
