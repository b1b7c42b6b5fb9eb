"""IAM_ALLOWED_PRINCIPALS (crawler defaults in the strict world): report, revoke, hybrid."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from awsplan.aws import AccountClients
from awsplan.plan import ActionKind, apply_plan
from bootstrap.doctor import run_doctor
from bootstrap.errors import BootstrapError
from bootstrap.producer import plan_producer
from tests.bootstrap.support import DATABASE, TABLE, A, World, apply_both, stubbed

WHO = {"DataLakePrincipalIdentifier": "IAM_ALLOWED_PRINCIPALS"}
DB = {"Database": {"CatalogId": A, "Name": DATABASE}}
TBL = {"Table": {"CatalogId": A, "DatabaseName": DATABASE, "Name": TABLE}}


def clean_account_settings(a: boto3.Session, version: str = "4") -> None:
    a.client("lakeformation").put_data_lake_settings(
        DataLakeSettings={
            "DataLakeAdmins": [],
            "CreateDatabaseDefaultPermissions": [],
            "CreateTableDefaultPermissions": [],
            "Parameters": {"CROSS_ACCOUNT_VERSION": version},
        }
    )


def iam_allowed_held(a: boto3.Session) -> list[bool]:
    lf = a.client("lakeformation")
    return [
        bool(lf.list_permissions(Principal=WHO, Resource=r)["PrincipalResourcePermissions"])
        for r in (DB, TBL)
    ]


def check(world: World, **producer: Any) -> Any:
    config = world.config(producer=producer)
    [found] = [
        c
        for c in run_doctor(config, producer=AccountClients(world.a), consumer=None)
        if c.name == "producer.iam-allowed-principals"
    ]
    return found


def test_doctor_looks_at_the_shared_resources_not_only_account_defaults(world: World) -> None:
    apply_both(world)
    clean_account_settings(world.a)  # the account defaults are clean ...
    found = check(world)  # ... but the crawler's grants remain on the database and table
    assert not found.ok
    assert f"database {DATABASE}; tables {TABLE}; the CreateTableDefaultPermissions" in found.detail
    assert "leaves access to these resources to IAM alone" in found.detail
    assert 'iam_allowed_principals = "revoke"' in found.fix


def test_default_report_never_revokes(world: World) -> None:
    plan = plan_producer(AccountClients(world.a), world.config().producer)
    assert all(a.kind is not ActionKind.DELETE for a in plan.actions)
    [note] = plan.notes
    assert note.startswith("IAM_ALLOWED_PRINCIPALS holds database cur_org")
    apply_plan(plan)
    assert iam_allowed_held(world.a) == [True, True]


def test_revoke_mode_plans_then_revokes_exactly_there(world: World) -> None:
    config = world.config(producer={"iam_allowed_principals": "revoke"})
    plan = plan_producer(AccountClients(world.a), config.producer)
    changed = [(a.kind, a.resource) for a in plan.actions if "IAM_ALLOWED" in a.resource]
    assert changed == [
        (ActionKind.DELETE, f"LF grant ALL on database {A}:{DATABASE} to IAM_ALLOWED_PRINCIPALS"),
        (
            ActionKind.DELETE,
            f"LF grant ALL on table {A}:{DATABASE}/{TABLE} to IAM_ALLOWED_PRINCIPALS",
        ),
    ]
    assert any(a.resource.startswith("CreateTableDefaultPermissions") for a in plan.actions)
    assert plan.notes == ()
    apply_plan(plan)
    assert iam_allowed_held(world.a) == [False, False]
    database = world.a.client("glue").get_database(Name=DATABASE)["Database"]
    assert not database.get("CreateTableDefaultPermissions")
    assert plan_producer(AccountClients(world.a), config.producer).is_empty
    clean_account_settings(world.a)
    assert check(world, iam_allowed_principals="revoke").ok


def test_hybrid_needs_cross_account_version_4(world: World) -> None:
    clean_account_settings(world.a, version="3")
    config = world.config(producer={"iam_allowed_principals": "hybrid"})
    with pytest.raises(BootstrapError, match=r"needs CROSS_ACCOUNT_VERSION 4 .*\(it is 3\)"):
        plan_producer(
            _hybrid_clients(world, [{"LakeFormationOptInsInfoList": []}] * 2), config.producer
        )


class _OptInProxy:
    """Lake Formation on moto, except the opt-in calls moto 5.2 lacks (botocore Stubber)."""

    def __init__(self, real: Any, stubbed_client: Any) -> None:
        self._real, self._stubbed = real, stubbed_client

    def __getattr__(self, name: str) -> Any:
        target = self._stubbed if "lake_formation_opt_in" in name else self._real
        return getattr(target, name)


def _hybrid_clients(world: World, opt_ins: list[dict[str, Any]]) -> AccountClients:
    client, stub = stubbed(world.a, "lakeformation")
    for existing in opt_ins:
        stub.add_response("list_lake_formation_opt_ins", existing)
    proxy = _OptInProxy(world.a.client("lakeformation"), client)
    clients = AccountClients(world.a, overrides={"lakeformation": proxy})
    clients.stub = stub  # type: ignore[attr-defined]
    return clients


def test_hybrid_opts_the_share_principals_in_and_keeps_iam_allowed(world: World) -> None:
    clean_account_settings(world.a)
    org = f"arn:aws:organizations::{A}:organization/{world.organization_id}"
    config = world.config(producer={"iam_allowed_principals": "hybrid"})
    clients = _hybrid_clients(world, [{"LakeFormationOptInsInfoList": []}] * 2)
    stub = clients.stub  # type: ignore[attr-defined]
    for resource in (DB, TBL):
        stub.add_response(
            "create_lake_formation_opt_in",
            {},
            {"Principal": {"DataLakePrincipalIdentifier": org}, "Resource": resource},
        )
    plan = plan_producer(clients, config.producer)
    opt_ins = [a.resource for a in plan.actions if "opt-in" in a.resource]
    assert opt_ins == [
        f"LF opt-in of {org} on database {A}:{DATABASE}",
        f"LF opt-in of {org} on table {A}:{DATABASE}/{TABLE}",
    ]
    apply_plan(plan)
    stub.assert_no_pending_responses()
    assert iam_allowed_held(world.a) == [True, True]
