"""Lake Formation: grant values, how grants are read back and made, and the data lake settings.

Grants are read the way terraform-provider-aws reads ``aws_lakeformation_permissions`` and data.all
checks a share: ListPermissions with ``Principal`` and ``Resource`` (with ``CatalogId``), never by
``ResourceType`` alone (that form is reported to miss grants on resources shared from another
account: boto3 #3922, terraform-provider-aws #49669). The grant *shapes* each tool wants live with
the tool (``bootstrap.grants``, ``deploy.lake_formation``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from awsplan.aws import aws_call, paginate

SUPER = "ALL"
# The group that stands for "access decided by IAM alone" (LF developer guide, "Changing the
# default settings for your data lake").
IAM_ALLOWED_PRINCIPALS = "IAM_ALLOWED_PRINCIPALS"
_ASSUMED_ROLE_RE = re.compile(
    r"arn:(?P<partition>[\w-]+):sts::(?P<account>\d{12}):assumed-role/(?P<role>[^/]+)/.+"
)


@dataclass(frozen=True)
class LfResource:
    """A database, all tables of a database (``wildcard``), one table, or a registered data
    location (``location``: its S3 ARN; ``database`` is then empty), in one catalog."""

    catalog_id: str
    database: str
    table: str | None = None
    wildcard: bool = False
    location: str | None = None

    @classmethod
    def data_location(cls, catalog_id: str, arn: str) -> LfResource:
        return cls(catalog_id, "", location=arn)

    @property
    def is_database(self) -> bool:
        return self.table is None and not self.wildcard and self.location is None

    def to_request(self) -> dict[str, Any]:
        if self.location is not None:
            return {"DataLocation": {"CatalogId": self.catalog_id, "ResourceArn": self.location}}
        if self.is_database:
            return {"Database": {"CatalogId": self.catalog_id, "Name": self.database}}
        table: dict[str, Any] = {"CatalogId": self.catalog_id, "DatabaseName": self.database}
        if self.wildcard:
            table["TableWildcard"] = {}
        else:
            table["Name"] = self.table
        return {"Table": table}

    def describe(self) -> str:
        if self.location is not None:
            return f"location {self.catalog_id}:{self.location}"
        if self.is_database:
            return f"database {self.catalog_id}:{self.database}"
        if self.wildcard:
            return f"all tables {self.catalog_id}:{self.database}/*"
        return f"table {self.catalog_id}:{self.database}/{self.table}"

    @classmethod
    def from_response(cls, resource: Mapping[str, Any], default_catalog: str) -> LfResource | None:
        """Normalise a ListPermissions resource; ``None`` for kinds we do not manage.

        A missing CatalogId means the caller's catalog. ``TableWithColumns`` with a column
        wildcard and no exclusions is the whole table (how SELECT is often listed).
        """
        if "DataLocation" in resource:
            found = resource["DataLocation"]
            return cls.data_location(
                found.get("CatalogId") or default_catalog, found["ResourceArn"]
            )
        if "Database" in resource:
            db = resource["Database"]
            return cls(db.get("CatalogId") or default_catalog, db["Name"])
        table = resource.get("Table")
        if table is None and "TableWithColumns" in resource:
            twc = resource["TableWithColumns"]
            wildcard = twc.get("ColumnWildcard")
            if wildcard is None or wildcard.get("ExcludedColumnNames"):
                return None
            table = twc
        if table is None:
            return None
        catalog = table.get("CatalogId") or default_catalog
        if "TableWildcard" in table or table.get("Name") == "ALL_TABLES":
            return cls(catalog, table["DatabaseName"], wildcard=True)
        return cls(catalog, table["DatabaseName"], table=table["Name"])


@dataclass(frozen=True)
class Grant:
    """Permissions (and the grantable subset) of one principal on one resource."""

    principal: str
    resource: LfResource
    permissions: frozenset[str]
    grantable: frozenset[str] = frozenset()

    def describe(self) -> str:
        perms = "+".join(sorted(self.permissions))
        option = " (grantable)" if self.grantable else ""
        return f"{perms}{option} on {self.resource.describe()} to {self.principal}"

    def request(self) -> dict[str, Any]:
        """The keyword arguments of ``lakeformation.grant_permissions``."""
        return {
            "Principal": {"DataLakePrincipalIdentifier": self.principal},
            "Resource": self.resource.to_request(),
            "Permissions": sorted(self.permissions),
            "PermissionsWithGrantOption": sorted(self.grantable),
        }

    def missing_given(self, held: Grant | None) -> Grant | None:
        """What of this grant ``held`` does not already cover; ``None`` when fully covered."""
        have = held.permissions if held else frozenset()
        have_grantable = held.grantable if held else frozenset()
        missing = frozenset() if SUPER in have else self.permissions - have
        missing_grantable = (
            frozenset() if SUPER in have_grantable else self.grantable - have_grantable
        )
        if not missing and not missing_grantable:
            return None
        # Granting with grant option needs the permission itself in the same request.
        return Grant(self.principal, self.resource, missing | missing_grantable, missing_grantable)


@dataclass(frozen=True)
class HeldGrants:
    """Grants read back from one account's Lake Formation, merged per (principal, resource)."""

    grants: tuple[Grant, ...]

    def get(self, principal: str, resource: LfResource) -> Grant | None:
        for grant in self.grants:
            if grant.principal == principal and grant.resource == resource:
                return grant
        return None

    def of_principal(self, principal: str) -> tuple[Grant, ...]:
        return tuple(g for g in self.grants if g.principal == principal)


def merge_listed(entries: Iterable[Mapping[str, Any]], default_catalog: str) -> HeldGrants:
    merged: dict[tuple[str, LfResource], tuple[frozenset[str], frozenset[str]]] = {}
    for entry in entries:
        resource = LfResource.from_response(entry.get("Resource", {}), default_catalog)
        principal = entry.get("Principal", {}).get("DataLakePrincipalIdentifier")
        if resource is None or not principal:
            continue
        perms, grantable = merged.get((principal, resource), (frozenset(), frozenset()))
        merged[(principal, resource)] = (
            perms | frozenset(entry.get("Permissions", ())),
            grantable | frozenset(entry.get("PermissionsWithGrantOption", ())),
        )
    return HeldGrants(
        tuple(Grant(p, r, perms, grantable) for (p, r), (perms, grantable) in merged.items())
    )


def list_request(principal: str, resource: LfResource, catalog_id: str) -> dict[str, Any]:
    """ListPermissions for one principal on one resource, as terraform-provider-aws reads
    ``aws_lakeformation_permissions`` and data.all checks a share: ``Principal`` + ``Resource``
    (which names its ``CatalogId``). The unfiltered form misses grants on resources shared from
    another account (boto3 issue #3922, terraform-provider-aws issue #49669). ``catalog_id`` is
    the account whose Lake Formation holds the grants (the caller's), as terraform sends it."""
    return {
        "CatalogId": catalog_id,
        "Principal": {"DataLakePrincipalIdentifier": principal},
        "Resource": resource.to_request(),
    }


def read_grants(
    lakeformation: Any, account_id: str, wanted: Iterable[tuple[str, LfResource]]
) -> HeldGrants:
    """What each (principal, resource) pair holds in this account's Lake Formation. Read-only.

    Entries are kept only when their principal and normalised resource are exactly the pair
    asked for (terraform's ``filterTablePermissions`` does the same): a listing may also carry
    other principals' entries, e.g. an administrator's. SELECT listed on ``TableWithColumns``
    (``ColumnWildcard``, ``Name = ALL_TABLES`` for a wildcard) merges into the table grant.
    With filters AWS answers the *computed* permissions of the principal (Lake Formation
    support, quoted in terraform-provider-aws issue #44574), so an administrator's implicit
    permissions can show up; the principals read here are the share principals and the job
    role, which are not data lake administrators (terraform omits ``Principal`` only for IAM
    principals of another account, PR #49398: not a case here).
    """
    entries: list[Mapping[str, Any]] = []
    for principal, resource in dict.fromkeys(wanted):
        listed = paginate(
            lakeformation.list_permissions,
            "PrincipalResourcePermissions",
            call="lakeformation:ListPermissions",
            resource=f"permissions of {principal} on {resource.describe()} (account {account_id})",
            **list_request(principal, resource, account_id),
        )
        entries.extend(
            e
            for e in listed
            if e.get("Principal", {}).get("DataLakePrincipalIdentifier") == principal
            and LfResource.from_response(e.get("Resource", {}), account_id) == resource
        )
    return merge_listed(entries, account_id)


def pairs(grants: Iterable[Grant]) -> tuple[tuple[str, LfResource], ...]:
    return tuple((g.principal, g.resource) for g in grants)


def grant(lakeformation: Any, wanted: Grant, *, principal_is_new_role: bool = False) -> None:
    """Make one grant (additive: never revokes)."""
    aws_call(
        lakeformation.grant_permissions,
        call="lakeformation:GrantPermissions",
        resource=wanted.resource.describe(),
        retry_propagation=principal_is_new_role,
        **wanted.request(),
    )


def registered_locations(lakeformation: Any, account_id: str) -> tuple[str, ...]:
    """The S3 ARNs registered with this account's Lake Formation (ListResources). Read-only."""
    found = paginate(
        lakeformation.list_resources,
        "ResourceInfoList",
        call="lakeformation:ListResources",
        resource=f"registered locations of account {account_id}",
    )
    return tuple(str(r["ResourceArn"]) for r in found)


def covering_location(arn: str, registered: Iterable[str]) -> str | None:
    """The registered location that holds ``arn`` (the longest match), if any."""
    covering = [
        r for r in registered if arn == r.rstrip("/") or arn.startswith(r.rstrip("/") + "/")
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


def names_iam_allowed(
    defaults: Iterable[Mapping[str, Any]] | None, permission: str | None = None
) -> bool:
    """Does a default-permissions list (``PrincipalPermissions`` entries) give
    ``IAM_ALLOWED_PRINCIPALS`` anything (or ``permission``, when given)?"""
    return any(
        entry.get("Principal", {}).get("DataLakePrincipalIdentifier") == IAM_ALLOWED_PRINCIPALS
        and (permission is None or permission in entry.get("Permissions", ()))
        for entry in defaults or ()
    )


@dataclass(frozen=True)
class DataLakeSettings:
    """One account's data lake settings (GetDataLakeSettings), with absent lists read as empty.

    Default settings carry no ``Parameters``: a missing ``CROSS_ACCOUNT_VERSION`` is "1".
    """

    admins: frozenset[str]
    database_defaults: tuple[Mapping[str, Any], ...] = ()
    table_defaults: tuple[Mapping[str, Any], ...] = ()
    parameters: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_response(cls, settings: Mapping[str, Any]) -> DataLakeSettings:
        return cls(
            admins=frozenset(
                str(a.get("DataLakePrincipalIdentifier"))
                for a in settings.get("DataLakeAdmins") or ()
            ),
            database_defaults=tuple(settings.get("CreateDatabaseDefaultPermissions") or ()),
            table_defaults=tuple(settings.get("CreateTableDefaultPermissions") or ()),
            parameters=tuple(
                sorted((str(k), str(v)) for k, v in (settings.get("Parameters") or {}).items())
            ),
        )

    @property
    def cross_account_version(self) -> int:
        text = dict(self.parameters).get("CROSS_ACCOUNT_VERSION", "1")
        return int(text) if text.isdecimal() and text.isascii() else 1

    @property
    def defaults(self) -> dict[str, tuple[Mapping[str, Any], ...]]:
        """The default permissions of new databases and tables, by their API names."""
        return {
            "CreateDatabaseDefaultPermissions": self.database_defaults,
            "CreateTableDefaultPermissions": self.table_defaults,
        }

    def iam_allowed_defaults(self, permission: str | None = None) -> tuple[str, ...]:
        """The defaults that give ``IAM_ALLOWED_PRINCIPALS`` anything (or ``permission``)."""
        return tuple(k for k, v in self.defaults.items() if names_iam_allowed(v, permission))

    @property
    def iam_access_by_default(self) -> bool:
        """New databases and tables default to ``IAM_ALLOWED_PRINCIPALS`` ALL: IAM decides."""
        return len(self.iam_allowed_defaults(SUPER)) == len(self.defaults)


def read_data_lake_settings(lakeformation: Any, account_id: str) -> DataLakeSettings:
    """The data lake settings of ``account_id`` (the caller's account). Read-only."""
    answer = aws_call(
        lakeformation.get_data_lake_settings,
        call="lakeformation:GetDataLakeSettings",
        resource=f"Lake Formation settings of account {account_id}",
        CatalogId=account_id,
    )
    return DataLakeSettings.from_response(answer["DataLakeSettings"])
