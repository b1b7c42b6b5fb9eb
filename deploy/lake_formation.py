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

Grant values and how grants are read back: ``awsplan.lakeformation`` (shared with cur-bootstrap).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from awsplan.aws import paginate
from awsplan.lakeformation import (
    IAM_ALLOWED_PRINCIPALS,
    SUPER,
    Grant,
    LfResource,
    covering_location,
    read_data_lake_settings,
    registered_locations,
)

DATABASE_PERMISSIONS = frozenset({"CREATE_TABLE", "ALTER", "DESCRIBE"})
TABLE_PERMISSIONS = frozenset({"ALTER", "DELETE", "DESCRIBE", "INSERT", "SELECT"})
LOCATION_PERMISSIONS = frozenset({"DATA_LOCATION_ACCESS"})
_S3_URI_RE = re.compile(r"s3://(?P<bucket>[^/]+)/?(?P<key>.*)")


@dataclass(frozen=True)
class OutputGrants:
    """The job role's grants on the output database, its tables and (if registered) location."""

    role_arn: str
    catalog_id: str
    database: str
    output_path: str  # s3://bucket/prefix

    def catalog_grants(self) -> tuple[Grant, Grant]:
        database = LfResource(self.catalog_id, self.database)
        tables = LfResource(self.catalog_id, self.database, wildcard=True)
        return (
            Grant(self.role_arn, database, DATABASE_PERMISSIONS),
            Grant(self.role_arn, tables, TABLE_PERMISSIONS),
        )

    def location_grant(self, registered_arn: str) -> Grant:
        location = LfResource.data_location(self.catalog_id, registered_arn)
        return Grant(self.role_arn, location, LOCATION_PERMISSIONS)


def s3_arn(uri: str, partition: str = "aws") -> str:
    """``s3://bucket/prefix/`` -> ``arn:aws:s3:::bucket/prefix`` (the form LF registers)."""
    match = _S3_URI_RE.fullmatch(uri)
    if match is None:
        raise ValueError(f"not an S3 URI: {uri}")
    key = match.group("key").strip("/")
    return f"arn:{partition}:s3:::{match.group('bucket')}" + (f"/{key}" if key else "")


def registered_location(lakeformation: Any, catalog_id: str, output_arn: str) -> str | None:
    """The registered LF location that holds ``output_arn`` (the longest match), if any."""
    return covering_location(output_arn, registered_locations(lakeformation, catalog_id))


def can_create_database(lakeformation: Any, caller: str, catalog_id: str) -> bool:
    """A data lake administrator, or CREATE_DATABASE (or ALL) on the catalog for the caller or
    for ``IAM_ALLOWED_PRINCIPALS`` (the default, which leaves the decision to IAM)."""
    if caller in read_data_lake_settings(lakeformation, catalog_id).admins:
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
