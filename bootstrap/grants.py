"""The one place that defines each Lake Formation grant shape, and how grants are read back.

Producer (account A) grants to the organization (or accounts), with grant option so that the
consumer's administrator can grant on to its own roles:
  DESCRIBE on the database; SELECT + DESCRIBE on the tables (TableWildcard, or each named table).
Consumer (account B) grants to the Glue job role, never with grant option, never beyond
DESCRIBE/SELECT:
  DESCRIBE on the resource link (catalog B); DESCRIBE on the target database (catalog A);
  SELECT + DESCRIBE on the target tables (catalog A). Never on "the link's tables": a database
  resource link only carries DESCRIBE and DROP.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bootstrap.aws import aws_call, paginate
from bootstrap.config import ConsumerConfig, ProducerConfig

ORG_DATABASE_PERMISSIONS = frozenset({"DESCRIBE"})
ORG_TABLE_PERMISSIONS = frozenset({"SELECT", "DESCRIBE"})
JOB_ROLE_LINK_PERMISSIONS = frozenset({"DESCRIBE"})
JOB_ROLE_DATABASE_PERMISSIONS = frozenset({"DESCRIBE"})
JOB_ROLE_TABLE_PERMISSIONS = frozenset({"SELECT", "DESCRIBE"})
# Everything the job role may ever be granted by this tool; no grant option, ever.
JOB_ROLE_ALLOWED = frozenset({"DESCRIBE", "SELECT"})
SUPER = "ALL"


@dataclass(frozen=True)
class LfResource:
    """A database, all tables of a database (``wildcard``), or one table, in one catalog."""

    catalog_id: str
    database: str
    table: str | None = None
    wildcard: bool = False

    @property
    def is_database(self) -> bool:
        return self.table is None and not self.wildcard

    def to_request(self) -> dict[str, Any]:
        if self.is_database:
            return {"Database": {"CatalogId": self.catalog_id, "Name": self.database}}
        table: dict[str, Any] = {"CatalogId": self.catalog_id, "DatabaseName": self.database}
        if self.wildcard:
            table["TableWildcard"] = {}
        else:
            table["Name"] = self.table
        return {"Table": table}

    def describe(self) -> str:
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


def table_resources(producer: ProducerConfig) -> tuple[LfResource, ...]:
    """The producer's tables in catalog A: one wildcard resource, or one per named table."""
    if producer.all_tables:
        return (LfResource(producer.account_id, producer.database, wildcard=True),)
    return tuple(
        LfResource(producer.account_id, producer.database, table=t) for t in producer.tables
    )


def organization_grants(producer: ProducerConfig, principals: Iterable[str]) -> tuple[Grant, ...]:
    """Producer grants, in catalog A, to the organization ARN or to each account id."""
    database = LfResource(producer.account_id, producer.database)
    out: list[Grant] = []
    for principal in principals:
        out.append(Grant(principal, database, ORG_DATABASE_PERMISSIONS, ORG_DATABASE_PERMISSIONS))
        out.extend(
            Grant(principal, tables, ORG_TABLE_PERMISSIONS, ORG_TABLE_PERMISSIONS)
            for tables in table_resources(producer)
        )
    return tuple(out)


def job_role_link_grant(producer: ProducerConfig, consumer: ConsumerConfig) -> Grant:
    link = LfResource(consumer.account_id, consumer.resource_link)
    return Grant(consumer.job_role_arn, link, JOB_ROLE_LINK_PERMISSIONS)


def job_role_database_grant(producer: ProducerConfig, consumer: ConsumerConfig) -> Grant:
    target = LfResource(producer.account_id, producer.database)
    return Grant(consumer.job_role_arn, target, JOB_ROLE_DATABASE_PERMISSIONS)


def job_role_table_grants(producer: ProducerConfig, consumer: ConsumerConfig) -> tuple[Grant, ...]:
    return tuple(
        Grant(consumer.job_role_arn, tables, JOB_ROLE_TABLE_PERMISSIONS)
        for tables in table_resources(producer)
    )


def job_role_grants(producer: ProducerConfig, consumer: ConsumerConfig) -> tuple[Grant, ...]:
    """The consumer's grants to the job role, in the order they are made."""
    return (
        job_role_link_grant(producer, consumer),
        job_role_database_grant(producer, consumer),
        *job_role_table_grants(producer, consumer),
    )


def link_tables(consumer: ConsumerConfig) -> LfResource:
    """ "All tables of the resource link": never granted, only looked for (doctor)."""
    return LfResource(consumer.account_id, consumer.resource_link, wildcard=True)


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


def list_request(principal: str, resource: LfResource) -> dict[str, Any]:
    """ListPermissions for one principal on one resource, as terraform-provider-aws reads
    ``aws_lakeformation_permissions`` and data.all checks a share: ``Principal`` + ``Resource``
    (which names its ``CatalogId``). The unfiltered form misses grants on resources shared from
    another account (boto3 issue #3922, terraform-provider-aws issue #49669)."""
    return {
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
            **list_request(principal, resource),
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
