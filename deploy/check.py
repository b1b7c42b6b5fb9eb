"""``cur-deploy --check``: is the account Lake Formation-governed, and does the job role
hold what it needs there? Read-only, like ``cur-bootstrap doctor``.

``[job] lake_formation`` is opt-in (see ``lake_formation.py``); this check is how a deployer finds
out that it should be on: the catalog's defaults do not give ``IAM_ALLOWED_PRINCIPALS`` ALL on
new databases and tables (Lake Formation mode), or the output location is registered with Lake
Formation. The result is ``awsplan.checks.Check``, the value ``cur-bootstrap doctor`` prints too.
"""

from __future__ import annotations

from awsplan.aws import AccountClients, aws_call, partition_for
from awsplan.checks import Check
from awsplan.lakeformation import read_data_lake_settings
from deploy.errors import DeployError
from deploy.lake_formation import OutputGrants, registered_location, s3_arn
from deploy.planner import NOT_FOUND, plan_lake_formation


def run_checks(clients: AccountClients, grants: OutputGrants, enabled: bool) -> tuple[Check, ...]:
    """The governance check, then (when it matters) the job role's grants. Read-only."""
    lakeformation = clients.lakeformation
    iam_mode = read_data_lake_settings(lakeformation, grants.catalog_id).iam_access_by_default
    output_arn = s3_arn(grants.output_path, partition_for(clients.region))
    location = registered_location(lakeformation, grants.catalog_id, output_arn)
    seen = [
        "new databases and tables default to IAM_ALLOWED_PRINCIPALS ALL (IAM permissions)"
        if iam_mode
        else "no IAM_ALLOWED_PRINCIPALS defaults: Lake Formation governs new tables",
        f"output location registered as {location}"
        if location
        else "output location not registered with Lake Formation",
    ]
    governed = not iam_mode or location is not None
    checks = [
        Check(
            "lake-formation-mode",
            enabled or not governed,
            "; ".join(seen),
            "" if enabled or not governed else "set [job] lake_formation = true and deploy",
        )
    ]
    if enabled or governed:
        checks.append(_grants_check(clients, grants))
    return tuple(checks)


def _grants_check(clients: AccountClients, grants: OutputGrants) -> Check:
    exists = (
        aws_call(
            clients.glue.get_database,
            call="glue:GetDatabase",
            resource=f"database {grants.database}",
            missing=NOT_FOUND,
            Name=grants.database,
        )
        is not None
    )
    try:
        missing = plan_lake_formation(clients, grants, database_exists=exists)
    except DeployError as error:
        return Check("job-role-grants", False, str(error), "see the message")
    if not missing:
        return Check("job-role-grants", True, f"{grants.role_arn} holds what the job needs")
    detail = "; ".join(f"{a.resource}: {a.why}" for a in missing)
    return Check("job-role-grants", False, detail, "run cur-deploy")
