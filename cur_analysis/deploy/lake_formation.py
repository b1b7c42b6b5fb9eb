"""Lake Formation grants the job role needs to write its output tables in an LF-governed account.

Opt-in (``[job] lake_formation = true``): in an account that still runs on IAM permissions
(``IAM_ALLOWED_PRINCIPALS`` holds ALL by default) they are unnecessary, and reading or making them
needs Lake Formation permissions a deployer may not have.

What the job does to the catalog (``cur_analysis.io.tables.publish_table``) and the permission
each call needs in Lake Formation (LF developer guide, "Lake Formation permissions reference"):
GetDatabase -> DESCRIBE on the database; CreateTable -> CREATE_TABLE on the database; GetTable,
GetPartitions -> DESCRIBE, SELECT on the table; BatchCreatePartition -> INSERT; UpdateTable ->
ALTER; DeletePartition (a re-run replacing a period) -> DELETE. A table created over a location
registered with Lake Formation also needs DATA_LOCATION_ACCESS on that location. Whoever creates
the output database needs CREATE_DATABASE on the catalog (or to be a data lake administrator).

Grants are read back the way terraform-provider-aws and data.all do it: ListPermissions with
``Principal`` and ``Resource`` (with ``CatalogId``), never by ``ResourceType`` alone (that form is
reported to miss grants; boto3 #3922, terraform-provider-aws #49669). Shared machinery with
``bootstrap/grants.py``; kept here until both move to a neutral package.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bootstrap.aws import aws_call, paginate

DATABASE_PERMISSIONS = frozenset({"CREATE_TABLE", "ALTER", "DESCRIBE"})
TABLE_PERMISSIONS = frozenset({"ALTER", "DELETE", "DESCRIBE", "INSERT", "SELECT"})
LOCATION_PERMISSIONS = frozenset({"DATA_LOCATION_ACCESS"})
SUPER = "ALL"
IAM_ALLOWED_PRINCIPALS = "IAM_ALLOWED_PRINCIPALS"
_ASSUMED_ROLE_RE = re.compile(
    r"arn:(?P<partition>[\w-]+):sts::(?P<account>\d{12}):assumed-role/(?P<role>[^/]+)/.+"
)
_S3_URI_RE = re.compile(r"s3://(?P<bucket>[^/]+)/?(?P<key>.*)")


@dataclass(frozen=True)
class LfGrant:
    """Permissions of one principal on one resource (a database, its tables, or a location)."""

    principal: str
    kind: str  # "database" | "tables" | "location"
    catalog_id: str
    name: str  # database name, or the location's ARN
    permissions: frozenset[str]

    def resource(self) -> dict[str, Any]:
        """The ``Resource`` of GrantPermissions / ListPermissions, always with ``CatalogId``."""
        if self.kind == "database":
            return {"Database": {"CatalogId": self.catalog_id, "Name": self.name}}
        if self.kind == "tables":
            table = {"CatalogId": self.catalog_id, "DatabaseName": self.name}
            return {"Table": {**table, "TableWildcard": {}}}
        return {"DataLocation": {"CatalogId": self.catalog_id, "ResourceArn": self.name}}

    def describe(self) -> str:
        where = {"database": "database", "tables": "all tables of"}.get(self.kind, "location")
        return f"{where} {self.catalog_id}:{self.name}"

    def request(self, permissions: frozenset[str]) -> dict[str, Any]:
        return {
            "CatalogId": self.catalog_id,
            "Principal": {"DataLakePrincipalIdentifier": self.principal},
            "Resource": self.resource(),
            "Permissions": sorted(permissions),
            "PermissionsWithGrantOption": [],
        }


@dataclass(frozen=True)
class OutputGrants:
    """The job role's grants on the output database, its tables and (if registered) location."""

    role_arn: str
    catalog_id: str
    database: str
    output_path: str  # s3://bucket/prefix

    def catalog_grants(self) -> tuple[LfGrant, LfGrant]:
        role, catalog, database = self.role_arn, self.catalog_id, self.database
        return (
            LfGrant(role, "database", catalog, database, DATABASE_PERMISSIONS),
            LfGrant(role, "tables", catalog, database, TABLE_PERMISSIONS),
        )

    def location_grant(self, registered_arn: str) -> LfGrant:
        return LfGrant(
            self.role_arn, "location", self.catalog_id, registered_arn, LOCATION_PERMISSIONS
        )


def s3_arn(uri: str, partition: str = "aws") -> str:
    """``s3://bucket/prefix/`` -> ``arn:aws:s3:::bucket/prefix`` (the form LF registers)."""
    match = _S3_URI_RE.fullmatch(uri)
    if match is None:
        raise ValueError(f"not an S3 URI: {uri}")
    key = match.group("key").strip("/")
    return f"arn:{partition}:s3:::{match.group('bucket')}" + (f"/{key}" if key else "")


def held_permissions(lakeformation: Any, grant: LfGrant) -> frozenset[str]:
    """What ``grant.principal`` holds on exactly ``grant``'s resource (read-only)."""
    entries = paginate(
        lakeformation.list_permissions,
        "PrincipalResourcePermissions",
        call="lakeformation:ListPermissions",
        resource=grant.describe(),
        CatalogId=grant.catalog_id,
        Principal={"DataLakePrincipalIdentifier": grant.principal},
        Resource=grant.resource(),
    )
    held: set[str] = set()
    for entry in entries:
        if _same_resource(entry.get("Resource", {}), grant):
            held.update(entry.get("Permissions", ()))
    return frozenset(held)


def _same_resource(listed: dict[str, Any], grant: LfGrant) -> bool:
    """A listed resource is ours when its kind and name match (a missing CatalogId = ours)."""
    if grant.kind == "database":
        found = listed.get("Database") or {}
        return found.get("Name") == grant.name and found.get("CatalogId", grant.catalog_id) == (
            grant.catalog_id
        )
    if grant.kind == "tables":
        found = listed.get("Table") or {}
        wildcard = "TableWildcard" in found or found.get("Name") == "ALL_TABLES"
        return (
            wildcard
            and found.get("DatabaseName") == grant.name
            and found.get("CatalogId", grant.catalog_id) == grant.catalog_id
        )
    found = listed.get("DataLocation") or {}
    return found.get("ResourceArn") == grant.name


def missing_permissions(wanted: frozenset[str], held: frozenset[str]) -> frozenset[str]:
    return frozenset() if SUPER in held else wanted - held


def registered_location(lakeformation: Any, output_arn: str) -> str | None:
    """The registered LF location that holds ``output_arn`` (the longest match), if any."""
    resources = paginate(
        lakeformation.list_resources,
        "ResourceInfoList",
        call="lakeformation:ListResources",
        resource="registered data locations",
    )
    covering = [
        arn
        for arn in (r.get("ResourceArn", "") for r in resources)
        if output_arn == arn or output_arn.startswith(arn.rstrip("/") + "/")
    ]
    return max(covering, key=len) if covering else None


def lf_principal(caller_arn: str) -> str:
    """The IAM ARN Lake Formation knows for a caller (an assumed-role session -> its role).

    A role with a path comes back without it: STS session ARNs do not carry the path.
    """
    match = _ASSUMED_ROLE_RE.fullmatch(caller_arn)
    if match is None:
        return caller_arn
    return f"arn:{match['partition']}:iam::{match['account']}:role/{match['role']}"


def can_create_database(lakeformation: Any, caller: str, catalog_id: str) -> bool:
    """A data lake administrator, or CREATE_DATABASE (or ALL) on the catalog for the caller or
    for ``IAM_ALLOWED_PRINCIPALS`` (the default, which leaves the decision to IAM)."""
    settings = aws_call(
        lakeformation.get_data_lake_settings,
        call="lakeformation:GetDataLakeSettings",
        resource=f"catalog {catalog_id}",
        CatalogId=catalog_id,
    )["DataLakeSettings"]
    admins = {a.get("DataLakePrincipalIdentifier") for a in settings.get("DataLakeAdmins", [])}
    if caller in admins:
        return True
    for principal in (caller, IAM_ALLOWED_PRINCIPALS):
        entries = paginate(
            lakeformation.list_permissions,
            "PrincipalResourcePermissions",
            call="lakeformation:ListPermissions",
            resource=f"catalog {catalog_id}",
            CatalogId=catalog_id,
            Principal={"DataLakePrincipalIdentifier": principal},
            Resource={"Catalog": {}},
        )
        held = {p for e in entries if "Catalog" in e.get("Resource", {}) for p in e["Permissions"]}
        if held & {"CREATE_DATABASE", SUPER}:
            return True
    return False
