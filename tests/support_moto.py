"""One moto server for a test folder: ``ThreadedMotoServer`` on 127.0.0.1, boto3 pointed at it.

Also the Lake Formation patches both admin tools' tests run with (``lake_formation_patches``):
ListPermissions as AWS answers it, and grants that merge without corrupting moto's set. Each
patch's docstring names the documented behaviour it models.
"""

from __future__ import annotations

import socket
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from moto.lakeformation.models import LakeFormationBackend, PermissionCatalog
from moto.server import ThreadedMotoServer

# How ListPermissions names "all tables" (terraform-provider-aws filter.go).
ALL_TABLES = "ALL_TABLES"
# Environment that would steer boto3 away from the server (or, MOTO_ACCOUNT_ID, override the
# account of assumed-role credentials).
_CLEARED = ("MOTO_ACCOUNT_ID", "AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_PROFILE")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def moto_server(
    scratch: Path, region: str, patches: Sequence[tuple[Any, str, Any]] = ()
) -> Iterator[str]:
    """Start the server with ``patches`` (object, attribute, value) applied; yield its URL."""
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    nowhere = str(scratch / "none")
    with pytest.MonkeyPatch.context() as mp:
        for target, name, value in patches:
            mp.setattr(target, name, value, raising=False)
        for name in _CLEARED:
            mp.delenv(name, raising=False)
        url = f"http://127.0.0.1:{port}"
        mp.setenv("AWS_ENDPOINT_URL", url)
        mp.setenv("AWS_ACCESS_KEY_ID", "testing")
        mp.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        mp.setenv("AWS_DEFAULT_REGION", region)
        mp.setenv("AWS_CONFIG_FILE", nowhere)
        mp.setenv("AWS_SHARED_CREDENTIALS_FILE", nowhere)
        server.start()
        try:
            yield url
        finally:
            server.stop()


def reset_moto(url: str) -> None:
    """Empty every account of the server (moto's reset endpoint)."""
    request = urllib.request.Request(f"{url}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 200


# --------------------------------------------------------------------------- ListPermissions


def _catalog(resource: dict[str, Any], default: str) -> str:
    body = next(iter(resource.values()), {})
    return str(body.get("CatalogId") or default) if isinstance(body, dict) else default


def _table_matches(stored: dict[str, Any], wanted: Any, default: str) -> bool:
    table = stored.get("Table") or stored.get("TableWithColumns")
    if table is None or table.get("DatabaseName") != wanted.database_name:
        return False
    if (wanted.catalog_id or default) != (table.get("CatalogId") or default):
        return False
    stored_wildcard = "TableWildcard" in table or table.get("Name") == ALL_TABLES
    if wanted.table_wildcard is not None:
        return stored_wildcard
    return not stored_wildcard and table.get("Name") == wanted.name


def _resource_matches(stored: dict[str, Any], wanted: Any, default: str) -> bool:
    if wanted.catalog is not None:
        return "Catalog" in stored
    if wanted.database is not None:
        database = stored.get("Database")
        return (
            database is not None
            and database.get("Name") == wanted.database.name
            and (wanted.database.catalog_id or default) == (database.get("CatalogId") or default)
        )
    if wanted.table is not None:
        return _table_matches(stored, wanted.table, default)
    if wanted.data_location is not None:
        location = stored.get("DataLocation")
        return location is not None and location.get("ResourceArn") == (
            wanted.data_location.resource_arn
        )
    return False


def _type_matches(stored: dict[str, Any], resource_type: Any) -> bool:
    kinds = {
        "CATALOG": ("Catalog",),
        "DATABASE": ("Database",),
        "TABLE": ("Table", "TableWithColumns"),
        "DATA_LOCATION": ("DataLocation",),
    }.get(str(getattr(resource_type, "value", resource_type)), ())
    return any(k in stored for k in kinds)


def _as_listed(permission: Any, default: str) -> list[dict[str, Any]]:
    """One stored grant as ListPermissions shows it.

    terraform-provider-aws ``internal/service/lakeformation/filter.go`` (filterTablePermissions)
    documents the real shape: SELECT granted on a ``Table`` comes back as a separate entry on
    ``TableWithColumns`` with ``ColumnWildcard``; a ``TableWildcard`` comes back with
    ``Name = ALL_TABLES``. CatalogId is always filled in.
    """
    resource = {k: dict(v) for k, v in permission.resource.items()}
    for body in resource.values():
        body.setdefault("CatalogId", default)
    perms = list(permission.permissions or [])
    grantable = list(permission.permissions_with_grant_options or [])
    principal = permission.principal
    table = resource.get("Table")
    if table is None or ("SELECT" not in perms and "SELECT" not in grantable):
        return [_entry(principal, resource, perms, grantable)]
    name = ALL_TABLES if "TableWildcard" in table else table["Name"]
    if "TableWildcard" in table:
        table["Name"] = ALL_TABLES
    columns = {
        "TableWithColumns": {
            "CatalogId": table["CatalogId"],
            "DatabaseName": table["DatabaseName"],
            "Name": name,
            "ColumnWildcard": {},
        }
    }
    out = [
        _entry(
            principal,
            columns,
            [p for p in perms if p == "SELECT"],
            [p for p in grantable if p == "SELECT"],
        )
    ]
    rest = [p for p in perms if p != "SELECT"]
    rest_grantable = [p for p in grantable if p != "SELECT"]
    if rest or rest_grantable:
        out.insert(0, _entry(principal, resource, rest, rest_grantable))
    return out


def _entry(
    principal: dict[str, str], resource: dict[str, Any], perms: list[str], grantable: list[str]
) -> dict[str, Any]:
    return {
        "Principal": principal,
        "Resource": resource,
        "Permissions": sorted(perms),
        "PermissionsWithGrantOption": sorted(grantable),
    }


def strict_list_permissions(
    self: LakeFormationBackend,
    catalog_id: str,
    principal: dict[str, str] | None = None,
    resource: Any = None,
    resource_type: Any = None,
) -> list[dict[str, Any]]:
    """ListPermissions as AWS answers it.

    - moto 5.2's resource filter raises ``KeyError`` (HTTP 500) when a ``Table`` filter with a
      ``Name`` meets a stored ``TableWildcard`` grant, or the reverse; here the filter compares
      the kind, catalog, database and table (or wildcard) without failing.
    - Without a ``Resource`` filter only grants on the caller's own catalog come back: grants on
      a resource shared from another account are missing (boto3 issue #3922,
      terraform-provider-aws issue #49669); reading them needs ``Principal`` + ``Resource``
      with ``CatalogId``, as terraform's ``aws_lakeformation_permissions`` read does.
    - Entries have the shape described in ``_as_listed`` (SELECT as ``TableWithColumns``).
    """
    catalog = self.grants.get(catalog_id)
    if catalog is None:
        return []
    listed: list[dict[str, Any]] = []
    for permission in list(catalog.permissions):
        stored = permission.resource
        if principal is not None and permission.principal != principal:
            continue
        if resource_type is not None and not _type_matches(stored, resource_type):
            continue
        if resource is None:
            if _catalog(stored, catalog_id) != catalog_id:
                continue
        elif not _resource_matches(stored, resource, catalog_id):
            continue
        listed.extend(_as_listed(permission, catalog_id))
    return listed


def add_permission_rehashed(self: PermissionCatalog, permission: Any) -> None:
    """moto 5.2 merges a second grant to the same principal and resource into the stored
    permission *while it sits in a set*, changing its hash: a later RevokePermissions then fails
    with HTTP 500 (KeyError). AWS adds the permissions (GrantPermissions API reference); here the
    stored permission is taken out, merged, and put back."""
    for existing in list(self.permissions):
        if permission.equal_principal_and_resouce(existing):
            self.permissions.remove(existing)
            existing.merge(permission)
            self.permissions.add(existing)
            return
    self.permissions.add(permission)


def lake_formation_patches() -> Iterator[tuple[Any, str, Any]]:
    """(object, attribute, value) for ``moto_server``: the strict Lake Formation of both tools."""
    yield LakeFormationBackend, "list_permissions", strict_list_permissions
    yield PermissionCatalog, "add_permission", add_permission_rehashed
