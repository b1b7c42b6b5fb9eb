"""``[job] lake_formation = true``: the job role's grants on the output database, planned,
applied and read back by Principal + Resource (with CatalogId)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from awsplan.aws import AccountClients
from deploy.config import load_config
from deploy.desired import desired_state
from deploy.planner import plan_deploy
from tests.deploy.support import deploy, write_config

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/cur-analysis-glue-job"
DATABASE = "cur_analysis"
DB_GRANT = f"lakeformation database {ACCOUNT}:{DATABASE} -> {ROLE}"
TABLES_GRANT = f"lakeformation all tables {ACCOUNT}:{DATABASE}/* -> {ROLE}"
BUCKET_ARN = "arn:aws:s3:::analytics-datasets"


def lf_config(folder: Path) -> Path:
    path = write_config(folder)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("[schedule]", "lake_formation = true\n\n[schedule]"))
    return path


def make_deployer_admin(clients: AccountClients) -> str:
    caller = clients.client("sts").get_caller_identity()["Arn"]
    lf = clients.lakeformation
    settings = lf.get_data_lake_settings()["DataLakeSettings"]
    settings["DataLakeAdmins"] = [{"DataLakePrincipalIdentifier": caller}]
    lf.put_data_lake_settings(DataLakeSettings=settings)
    return str(caller)


def role_permissions(clients: AccountClients, resource: dict[str, Any]) -> set[str]:
    entries = clients.lakeformation.list_permissions(
        CatalogId=ACCOUNT,
        Principal={"DataLakePrincipalIdentifier": ROLE},
        Resource=resource,
    )["PrincipalResourcePermissions"]
    return {p for e in entries for p in e["Permissions"]}


DB_RESOURCE = {"Database": {"CatalogId": ACCOUNT, "Name": DATABASE}}
TABLES_RESOURCE = {"Table": {"CatalogId": ACCOUNT, "DatabaseName": DATABASE, "TableWildcard": {}}}


def test_missing_database_without_create_database_is_one_clear_error(
    tmp_path: Path, dist: Path, clients: AccountClients
) -> None:
    code, out, err = deploy(lf_config(tmp_path), "--plan")
    assert (code, out) == (1, "")
    caller = clients.client("sts").get_caller_identity()["Arn"]
    assert err == (
        f"cur-deploy: error: output database {DATABASE} is missing and {caller} cannot "
        "create it under Lake Formation: it is not a data lake administrator and holds no "
        f"CREATE_DATABASE on catalog {ACCOUNT}; have an administrator grant it CREATE_DATABASE "
        "(Lake Formation > Administrative roles and tasks > Database creators) or create the "
        "database\n"
    )
    # nothing was made, not even the bucket: the error comes from the plan
    assert clients.s3.list_buckets()["Buckets"] == []


def test_create_database_granted_to_the_deployer_is_enough(
    tmp_path: Path, dist: Path, clients: AccountClients
) -> None:
    caller = clients.client("sts").get_caller_identity()["Arn"]
    clients.lakeformation.grant_permissions(
        Principal={"DataLakePrincipalIdentifier": caller},
        Resource={"Catalog": {}},
        Permissions=["CREATE_DATABASE"],
    )
    assert deploy(lf_config(tmp_path), "--plan")[0] == 2


def test_plan_lists_the_grants_apply_makes_them_replan_is_empty(
    tmp_path: Path, dist: Path, clients: AccountClients
) -> None:
    make_deployer_admin(clients)
    config = lf_config(tmp_path)
    code, out, _ = deploy(config, "--plan", "--json")
    assert code == 2
    actions = json.loads(out)["actions"]
    resources = [a["resource"] for a in actions]
    assert resources.index("glue database cur_analysis") < resources.index(DB_GRANT)
    assert resources.index(TABLES_GRANT) < resources.index("glue job cur-cost-aggregation")
    grants = {a["resource"]: a for a in actions if a["resource"].startswith("lakeformation")}
    assert grants[DB_GRANT]["spec"]["Permissions"] == ["ALTER", "CREATE_TABLE", "DESCRIBE"]
    assert grants[TABLES_GRANT]["spec"]["Permissions"] == [
        "ALTER",
        "DELETE",
        "DESCRIBE",
        "INSERT",
        "SELECT",
    ]
    assert grants[TABLES_GRANT]["spec"]["Resource"] == TABLES_RESOURCE
    assert grants[DB_GRANT]["why"] == "job role lacks ALTER, CREATE_TABLE, DESCRIBE"

    code, out, err = deploy(config)
    assert (code, err) == (0, ""), out
    assert role_permissions(clients, DB_RESOURCE) == {"ALTER", "CREATE_TABLE", "DESCRIBE"}
    assert role_permissions(clients, TABLES_RESOURCE) == {
        "ALTER",
        "DELETE",
        "DESCRIBE",
        "INSERT",
        "SELECT",
    }
    assert deploy(config, "--plan")[0] == 0


def test_only_what_is_missing_is_granted_and_all_covers_everything(
    tmp_path: Path, dist: Path, clients: AccountClients
) -> None:
    make_deployer_admin(clients)
    clients.glue.create_database(DatabaseInput={"Name": DATABASE})
    lf = clients.lakeformation
    principal = {"DataLakePrincipalIdentifier": ROLE}
    lf.grant_permissions(Principal=principal, Resource=DB_RESOURCE, Permissions=["DESCRIBE"])
    lf.grant_permissions(Principal=principal, Resource=TABLES_RESOURCE, Permissions=["ALL"])
    # a grant on one named table next to the wildcard one (the shape moto's filter chokes on)
    named = {"Table": {"CatalogId": ACCOUNT, "DatabaseName": DATABASE, "Name": "daily_cost"}}
    lf.grant_permissions(Principal=principal, Resource=named, Permissions=["SELECT"])

    plan = plan_deploy(clients, desired_state(load_config(lf_config(tmp_path))))
    grants = [a for a in plan.actions if a.resource.startswith("lakeformation")]
    assert [(a.resource, a.why) for a in grants] == [
        (DB_GRANT, "job role lacks ALTER, CREATE_TABLE")
    ]
    assert grants[0].spec_data["Permissions"] == ["ALTER", "CREATE_TABLE"]


def test_registered_output_location_needs_data_location_access(
    tmp_path: Path, dist: Path, clients: AccountClients
) -> None:
    make_deployer_admin(clients)
    lf = clients.lakeformation
    lf.register_resource(ResourceArn=BUCKET_ARN, RoleArn=f"arn:aws:iam::{ACCOUNT}:role/lf-access")
    lf.register_resource(
        ResourceArn="arn:aws:s3:::analytics-datasets-archive", UseServiceLinkedRole=True
    )
    config = lf_config(tmp_path)
    code, out, _ = deploy(config, "--plan", "--json")
    location = f"lakeformation location {ACCOUNT}:{BUCKET_ARN} -> {ROLE}"
    action = next(a for a in json.loads(out)["actions"] if a["resource"] == location)
    assert action["spec"]["Resource"] == {
        "DataLocation": {"CatalogId": ACCOUNT, "ResourceArn": BUCKET_ARN}
    }
    assert action["spec"]["Permissions"] == ["DATA_LOCATION_ACCESS"]
    assert deploy(config)[0] == 0
    resource = {"DataLocation": {"CatalogId": ACCOUNT, "ResourceArn": BUCKET_ARN}}
    assert role_permissions(clients, resource) == {"DATA_LOCATION_ACCESS"}
    assert deploy(config, "--plan")[0] == 0


@pytest.fixture
def lf_requests(clients: AccountClients) -> list[tuple[str, dict[str, Any]]]:
    """Every Lake Formation request the clients send (operation name, parameters)."""
    seen: list[tuple[str, dict[str, Any]]] = []
    clients.lakeformation.meta.events.register(
        "provide-client-params.lakeformation.*",
        lambda params, model, **_: seen.append((model.name, dict(params))),
    )
    return seen


def test_grants_are_read_by_principal_and_resource_with_catalog_id(
    tmp_path: Path,
    dist: Path,
    clients: AccountClients,
    lf_requests: list[tuple[str, dict[str, Any]]],
) -> None:
    make_deployer_admin(clients)
    clients.glue.create_database(DatabaseInput={"Name": DATABASE})
    lf_requests.clear()
    plan_deploy(clients, desired_state(load_config(lf_config(tmp_path))))
    listings = [params for name, params in lf_requests if name == "ListPermissions"]
    assert len(listings) == 2
    for params in listings:
        assert "ResourceType" not in params
        assert params["Principal"] == {"DataLakePrincipalIdentifier": ROLE}
        assert params["CatalogId"] == ACCOUNT
        kind = next(iter(params["Resource"].values()))
        assert kind["CatalogId"] == ACCOUNT
    assert {name for name, _ in lf_requests} == {"ListPermissions", "ListResources"}


def test_without_lake_formation_nothing_is_asked_of_it(
    tmp_path: Path,
    dist: Path,
    clients: AccountClients,
    lf_requests: list[tuple[str, dict[str, Any]]],
) -> None:
    plan_deploy(clients, desired_state(load_config(write_config(tmp_path))))
    assert lf_requests == []


# --- cur-deploy --check ---------------------------------------------------------------

IAM_MODE = (
    "PASS  lake-formation-mode: new databases and tables default to IAM_ALLOWED_PRINCIPALS ALL "
    "(IAM permissions); output location not registered with Lake Formation"
)


def lake_formation_mode(clients: AccountClients) -> None:
    """What the LF prerequisites have an administrator do: drop the IAM_ALLOWED_PRINCIPALS
    defaults for new databases and tables."""
    lf = clients.lakeformation
    settings = lf.get_data_lake_settings()["DataLakeSettings"]
    settings["CreateDatabaseDefaultPermissions"] = []
    settings["CreateTableDefaultPermissions"] = []
    lf.put_data_lake_settings(DataLakeSettings=settings)


def test_check_in_an_iam_mode_account_passes_without_lake_formation(
    tmp_path: Path, clients: AccountClients
) -> None:
    code, out, err = deploy(write_config(tmp_path), "--check")  # no dist needed
    assert (code, out, err) == (0, IAM_MODE + "\n", "")


def test_check_finds_a_governed_account_without_lake_formation_set(
    tmp_path: Path, clients: AccountClients
) -> None:
    lake_formation_mode(clients)
    code, out, _ = deploy(write_config(tmp_path), "--check")
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == (
        "FAIL  lake-formation-mode: no IAM_ALLOWED_PRINCIPALS defaults: Lake Formation governs "
        "new tables; output location not registered with Lake Formation -> fix: set [job] "
        "lake_formation = true and deploy"
    )
    assert lines[1].startswith("FAIL  job-role-grants: output database cur_analysis is missing")


def test_check_names_a_registered_output_location(tmp_path: Path, clients: AccountClients) -> None:
    clients.lakeformation.register_resource(ResourceArn=BUCKET_ARN, UseServiceLinkedRole=True)
    code, out, _ = deploy(write_config(tmp_path), "--check")
    assert code == 1
    assert f"output location registered as {BUCKET_ARN} -> fix: set [job] lake_formation" in out


def test_check_lists_missing_grants_then_passes_after_deploy(
    tmp_path: Path, dist: Path, clients: AccountClients, lf_requests: list[tuple[str, Any]]
) -> None:
    lake_formation_mode(clients)
    make_deployer_admin(clients)
    clients.glue.create_database(DatabaseInput={"Name": DATABASE})
    config = lf_config(tmp_path)
    lf_requests.clear()
    code, out, _ = deploy(config, "--check")
    assert code == 1
    assert out.splitlines()[1] == (
        f"FAIL  job-role-grants: {DB_GRANT}: job role lacks ALTER, CREATE_TABLE, DESCRIBE; "
        f"{TABLES_GRANT}: job role lacks ALTER, DELETE, DESCRIBE, INSERT, SELECT -> fix: run "
        "cur-deploy"
    )
    # --check only reads
    assert {name for name, _ in lf_requests} <= {
        "GetDataLakeSettings",
        "ListResources",
        "ListPermissions",
    }
    assert role_permissions(clients, DB_RESOURCE) == set()

    assert deploy(config)[0] == 0
    code, out, _ = deploy(config, "--check")
    assert code == 0
    assert out.splitlines()[1] == f"PASS  job-role-grants: {ROLE} holds what the job needs"


def test_lake_formation_names_of_callers_and_locations() -> None:
    from awsplan.lakeformation import lf_principal
    from deploy.lake_formation import s3_arn

    session = "arn:aws:sts::222222222222:assumed-role/deployer/botocore-session-1"
    assert lf_principal(session) == "arn:aws:iam::222222222222:role/deployer"
    user = "arn:aws:iam::222222222222:user/alice"
    assert lf_principal(user) == user
    assert s3_arn("s3://analytics-datasets/cur/") == "arn:aws:s3:::analytics-datasets/cur"
    assert s3_arn("s3://analytics-datasets") == "arn:aws:s3:::analytics-datasets"
    assert s3_arn("s3://b/p", "aws-cn") == "arn:aws-cn:s3:::b/p"
