"""The strict test world: small patches to the moto *server* that model documented AWS behaviour.

Each patch replaces one moto method for the lifetime of the test server (``moto_server(...,
patches)``); its docstring names the real behaviour and where it is documented or reported.
The Lake Formation patches both admin tools' tests need (ListPermissions as AWS answers it)
live in ``tests.support_moto``; the ones here model the sharing chain. The product never knows
about them: it talks to the server the way data.all and terraform-provider-aws talk to AWS.

``STRICT`` holds the knobs a test may turn (propagation length, IAM propagation failures); the
autouse fixture resets it before every test.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from moto.glue.models import GlueBackend, glue_backends
from moto.glue.responses import GlueResponse
from moto.lakeformation.exceptions import EntityNotFound, InvalidInput
from moto.lakeformation.models import (
    LakeFormationBackend,
    lakeformation_backends,
)
from moto.lakeformation.responses import LakeFormationResponse
from moto.ram.models import ResourceAccessManagerBackend, ResourceShare

from tests.support_moto import lake_formation_patches

IAM_ALLOWED_PRINCIPALS = "IAM_ALLOWED_PRINCIPALS"
RAM_PRINCIPAL = "ram.amazonaws.com"
CATALOG_ARN_RE = re.compile(r"arn:aws[a-z-]*:glue:[a-z0-9-]+:\d{12}:catalog")
ORGANIZATION_ARN_RE = re.compile(r"arn:aws[a-z-]*:organizations::\d{12}:organization/o-[a-z0-9]+")
ROLE_ARN_RE = re.compile(r"arn:aws[a-z-]*:iam::(\d{12}):role/")


@dataclass
class StrictSettings:
    """What a test may tune; everything else is fixed behaviour."""

    # Calls from the consumer that still fail after the producer's grant exists (propagation).
    propagation_calls: int = 0
    # GrantPermissions calls to a just-created IAM role that fail with "Invalid principal".
    new_role_failures: int = 0
    # Reads of a new share's associations that still show ASSOCIATING.
    associating_reads: int = 0
    # Counters (reset with the settings).
    remaining: dict[tuple[str, str, str], int] = field(default_factory=dict)
    role_failures_left: dict[str, int] = field(default_factory=dict)
    grant_calls: list[dict[str, Any]] = field(default_factory=list)
    associating_left: dict[str, int] = field(default_factory=dict)

    def reset(self) -> None:
        self.propagation_calls = 0
        self.new_role_failures = 0
        self.associating_reads = 0
        self.associating_left.clear()
        self.remaining.clear()
        self.role_failures_left.clear()
        self.grant_calls.clear()


STRICT = StrictSettings()


# --------------------------------------------------------------------------- RAM


def accept_catalog_arns(original: Callable[..., None]) -> Callable[..., None]:
    """moto 5.2 rejects the real Glue catalog ARN ``arn:aws:glue:<region>:<acct>:catalog``
    (its ARN pattern wants ``/`` or ``:`` after the resource type), although RAM shares it
    (Lake Formation developer guide, "Cross-account data sharing prerequisites": the catalog is
    one of the shared resources). Let that one ARN through; moto validates the rest."""

    def add_resources(self: ResourceShare, resource_arns: list[str]) -> None:
        catalogs = [a for a in resource_arns if CATALOG_ARN_RE.fullmatch(a)]
        original(self, [a for a in resource_arns if a not in catalogs])
        self.resource_arns.extend(catalogs)

    return add_resources


def share_keeps_tags(original: Callable[..., None]) -> Callable[..., None]:
    """moto drops the ``tags`` of CreateResourceShare. RAM keeps them and GetResourceShares
    returns them (RAM API reference, ResourceShare ``tags``): cur-bootstrap records a share as
    its own by its ``managed-by`` tag."""

    def init(self: ResourceShare, account_id: str, region: str, **kwargs: Any) -> None:
        original(self, account_id, region, **kwargs)
        self.tags = [dict(t) for t in kwargs.get("tags") or []]

    return init


def describe_with_tags(original: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    """See ``share_keeps_tags``."""

    def describe(self: ResourceShare) -> dict[str, Any]:
        return {**original(self), "tags": list(getattr(self, "tags", []))}

    return describe


def enable_sharing_records_trusted_access(original: Callable[..., Any]) -> Callable[..., Any]:
    """moto answers EnableSharingWithAwsOrganization without recording anything. AWS enables
    trusted access for ``ram.amazonaws.com`` in AWS Organizations (RAM API reference,
    EnableSharingWithAwsOrganization: "...calls organizations:EnableAWSServiceAccess"), which
    ``ListAWSServiceAccessForOrganization`` then shows."""

    def enable(self: ResourceAccessManagerBackend) -> dict[str, Any]:
        answer = original(self)
        self.organizations_backend.enable_aws_service_access(ServicePrincipal=RAM_PRINCIPAL)
        return dict(answer)

    return enable


def associations_take_time(original: Callable[..., Any]) -> Callable[..., Any]:
    """moto reports every association ASSOCIATED at once. RAM associates asynchronously: a new
    share's associations are ``ASSOCIATING`` first (RAM API reference,
    ResourceShareAssociation ``status``); here for ``STRICT.associating_reads`` reads."""

    def get(self: ResourceAccessManagerBackend, *args: Any, **kwargs: Any) -> dict[str, Any]:
        answer = original(self, *args, **kwargs)
        for association in answer["resourceShareAssociations"]:
            share = association["resourceShareArn"]
            left = STRICT.associating_left.setdefault(share, STRICT.associating_reads)
            if left > 0:
                association["status"] = "ASSOCIATING"
        for share in {a["resourceShareArn"] for a in answer["resourceShareAssociations"]}:
            if STRICT.associating_left.get(share, 0) > 0:
                STRICT.associating_left[share] -= 1
        return dict(answer)

    return get


# --------------------------------------------------------------------------- crawler defaults


def _lf(account: str, region: str) -> LakeFormationBackend:
    return lakeformation_backends[account][region]


def _grant_defaults(
    glue: GlueBackend, defaults: list[dict[str, Any]], resource: dict[str, Any]
) -> None:
    lf = _lf(glue.account_id, glue.region_name)
    for entry in defaults or []:
        lf.grant_permissions(
            glue.account_id,
            dict(entry["Principal"]),
            resource,
            list(entry.get("Permissions", [])),
            [],
        )


def with_database_defaults(original: Callable[..., Any]) -> Callable[..., Any]:
    """A database created under Lake Formation's default settings (what a crawler does when it
    creates the database) gets ``IAM_ALLOWED_PRINCIPALS`` ALL, from the account's
    ``CreateDatabaseDefaultPermissions``, and its own ``CreateTableDefaultPermissions`` holds the
    account's table default (LF developer guide, "Changing the default settings for your data
    lake"; GetDatabase API reference, ``CreateTableDefaultPermissions``). Resource links
    (``TargetDatabase``) get neither."""

    def create_database(
        self: GlueBackend, database_name: str, database_input: dict[str, Any], tags: Any = None
    ) -> Any:
        if "TargetDatabase" in database_input:
            return original(self, database_name, database_input, tags)
        settings = _lf(self.account_id, self.region_name).get_data_lake_settings(self.account_id)
        database_input = dict(database_input)
        database_input.setdefault(
            "CreateTableDefaultPermissions",
            [dict(e) for e in settings.get("CreateTableDefaultPermissions", [])],
        )
        database = original(self, database_name, database_input, tags)
        _grant_defaults(
            self,
            settings.get("CreateDatabaseDefaultPermissions", []),
            {"Database": {"CatalogId": self.account_id, "Name": database_name}},
        )
        return database

    return create_database


def with_table_defaults(original: Callable[..., Any]) -> Callable[..., Any]:
    """A table created in a database (as a crawler creates it) gets the database's
    ``CreateTableDefaultPermissions``: under default settings ``IAM_ALLOWED_PRINCIPALS`` ALL
    (LF developer guide, "Changing the default settings for your data lake")."""

    def create_table(
        self: GlueBackend, database_name: str, table_name: str, table_input: Any, *args: Any
    ) -> Any:
        table = original(self, database_name, table_name, table_input, *args)
        database = self.get_database(database_name)
        if "TargetDatabase" not in database.input:
            _grant_defaults(
                self,
                database.input.get("CreateTableDefaultPermissions") or [],
                {
                    "Table": {
                        "CatalogId": self.account_id,
                        "DatabaseName": database_name,
                        "Name": table_name,
                    }
                },
            )
        return table

    return create_table


# --------------------------------------------------------------------------- cross-account view


def _shared_with(caller: str, owner: str, region: str, database: str) -> bool:
    """Has the owner granted anything on ``database`` (or its tables) to the caller's account
    or to an organization? (Organization membership itself is not modelled.)"""
    catalog = _lf(owner, region).grants.get(owner)
    if catalog is None:
        return False
    for permission in list(catalog.permissions):
        who = permission.principal.get("DataLakePrincipalIdentifier", "")
        if who != caller and not ORGANIZATION_ARN_RE.fullmatch(who):
            continue
        stored = permission.resource
        body = stored.get("Database") or stored.get("Table") or {}
        name = body.get("Name") if "Database" in stored else body.get("DatabaseName")
        if name == database:
            return True
    return False


def require_visible(caller: str, owner: str, region: str, database: str) -> None:
    """The consumer sees a producer database only once the producer's grant exists, and only
    after ``STRICT.propagation_calls`` further calls (RAM and Lake Formation propagate
    asynchronously: LF developer guide, "Accessing and viewing shared Data Catalog tables and
    databases" — shared resources can take a few minutes to appear)."""
    key = (caller, owner, database)
    if not _shared_with(caller, owner, region, database):
        STRICT.remaining.pop(key, None)
        raise EntityNotFound
    left = STRICT.remaining.setdefault(key, STRICT.propagation_calls)
    if left > 0:
        STRICT.remaining[key] = left - 1
        raise EntityNotFound


def cross_account_read(original: Callable[..., Any], database_param: str) -> Callable[..., Any]:
    """moto ignores ``CatalogId`` on Glue reads and answers from the caller's own catalog. AWS
    reads the named catalog (Glue API reference, ``GetDatabase``/``GetTables``/``GetTable``/
    ``GetPartitions``: ``CatalogId``) and shows another account's database only when it was
    shared (see ``require_visible``)."""

    def read(self: GlueResponse) -> Any:
        owner = self.parameters.get("CatalogId")
        caller = self.current_account
        if not owner or owner == caller:
            return original(self)
        require_visible(caller, owner, self.region, str(self.parameters.get(database_param)))
        self.current_account = owner
        try:
            return original(self)
        finally:
            self.current_account = caller

    return read


def _database_of(resource: dict[str, Any]) -> tuple[str | None, str | None]:
    for kind, key in (("Database", "Name"), ("Table", "DatabaseName")):
        body = resource.get(kind) or resource.get("TableWithColumns" if kind == "Table" else "")
        if body:
            return body.get("CatalogId"), body.get(key)
    return None, None


def strict_grant(original: Callable[..., Any]) -> Callable[..., Any]:
    """GrantPermissions as AWS checks it.

    - A grant on another account's database or tables fails until the caller sees that
      database (``require_visible``): the consumer can grant on a shared resource only after
      the share reached it (LF developer guide, "Granting permissions on a database or table
      shared with your account").
    - A grant to an IAM role created a moment ago fails with ``InvalidInputException``
      ("Invalid principal") for ``STRICT.new_role_failures`` calls: IAM is eventually
      consistent (IAM user guide, "Changes that I make are not always immediately visible");
      terraform-provider-aws retries exactly this for ``IAMPropagationTimeout`` (2 minutes).
    """

    def grant(self: LakeFormationResponse) -> Any:
        resource = self._get_param("Resource") or {}
        principal = (self._get_param("Principal") or {}).get("DataLakePrincipalIdentifier", "")
        STRICT.grant_calls.append({"Principal": principal, "Resource": resource})
        owner, database = _database_of(resource)
        caller = self.current_account
        if owner and owner != caller and database:
            require_visible(caller, owner, self.region, database)
        if ROLE_ARN_RE.match(principal) and STRICT.new_role_failures:
            left = STRICT.role_failures_left.setdefault(principal, STRICT.new_role_failures)
            if left > 0:
                STRICT.role_failures_left[principal] = left - 1
                raise InvalidInput(f"Invalid principal {principal}")
        return original(self)

    return grant


def strict_patches() -> Iterator[tuple[Any, str, Any]]:
    """(object, attribute, value) for ``tests.support_moto.moto_server``."""
    yield ResourceShare, "add_resources", accept_catalog_arns(ResourceShare.add_resources)
    yield ResourceShare, "__init__", share_keeps_tags(ResourceShare.__init__)
    yield ResourceShare, "describe", describe_with_tags(ResourceShare.describe)
    yield (
        ResourceAccessManagerBackend,
        "enable_sharing_with_aws_organization",
        enable_sharing_records_trusted_access(
            ResourceAccessManagerBackend.enable_sharing_with_aws_organization
        ),
    )
    yield (
        ResourceAccessManagerBackend,
        "get_resource_share_associations",
        associations_take_time(ResourceAccessManagerBackend.get_resource_share_associations),
    )
    yield from lake_formation_patches()
    yield GlueBackend, "create_database", with_database_defaults(GlueBackend.create_database)
    yield GlueBackend, "create_table", with_table_defaults(GlueBackend.create_table)
    for name, param in (
        ("get_database", "Name"),
        ("get_table", "DatabaseName"),
        ("get_tables", "DatabaseName"),
        ("get_partitions", "DatabaseName"),
    ):
        yield GlueResponse, name, cross_account_read(getattr(GlueResponse, name), param)
    yield (
        LakeFormationResponse,
        "grant_permissions",
        strict_grant(LakeFormationResponse.grant_permissions),
    )


def glue_backend(account: str, region: str) -> GlueBackend:
    return glue_backends[account][region]
