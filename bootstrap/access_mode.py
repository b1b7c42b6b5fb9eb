"""IAM_ALLOWED_PRINCIPALS on the shared database and tables, and what to do about it.

A crawler creating the database and tables under Lake Formation's default settings leaves the
``IAM_ALLOWED_PRINCIPALS`` group with ALL on them, and the database's
``CreateTableDefaultPermissions`` hands it to every new table (LF developer guide, "Changing the
default settings for your data lake"). While it is there, Lake Formation leaves access to those
resources to IAM policies alone: the Lake Formation grants this tool makes do not decide who
reads them. Lake Formation documents two ways out, offered as an explicit choice
(``[producer] iam_allowed_principals``):

- ``"revoke"``: revoke it from the shared database and tables and clear the database's
  ``CreateTableDefaultPermissions`` (LF developer guide, "Upgrading AWS Glue data permissions to
  the Lake Formation model"). A's own IAM-based users and jobs lose access unless they are
  granted in Lake Formation: this is why it is never done silently.
- ``"hybrid"``: hybrid access mode (LF developer guide, "Hybrid access mode"): keep
  ``IAM_ALLOWED_PRINCIPALS`` and opt the share principals in (``CreateLakeFormationOptIn``) so
  that Lake Formation permissions apply to them. Needs ``CROSS_ACCOUNT_VERSION`` 4.
- ``"report"`` (default): doctor and plan explain; nothing changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from awsplan.aws import AccountClients, aws_call, paginate
from awsplan.lakeformation import (
    IAM_ALLOWED_PRINCIPALS,
    DataLakeSettings,
    LfResource,
    names_iam_allowed,
    read_grants,
)
from awsplan.plan import Action, ActionKind
from bootstrap.config import ProducerConfig
from bootstrap.errors import BootstrapError

HYBRID_CROSS_ACCOUNT_VERSION = 4


@dataclass(frozen=True)
class IamAllowedState:
    """Where IAM_ALLOWED_PRINCIPALS holds permissions on what is shared."""

    tables: tuple[str, ...]
    on_database: bool
    on_tables: tuple[str, ...]
    in_database_default: bool
    database_input: dict[str, Any]
    cross_account_version: int
    opted_in: frozenset[tuple[str, LfResource]] = frozenset()

    @property
    def present(self) -> bool:
        return self.on_database or bool(self.on_tables) or self.in_database_default

    def where(self, producer: ProducerConfig) -> str:
        places = []
        if self.on_database:
            places.append(f"database {producer.database}")
        if self.on_tables:
            places.append("tables " + ", ".join(self.on_tables))
        if self.in_database_default:
            places.append(f"the CreateTableDefaultPermissions of {producer.database}")
        return "; ".join(places)


def list_tables(clients: AccountClients, producer: ProducerConfig) -> list[dict[str, Any]]:
    """Every table of the producer's database in catalog A (read-only)."""
    return paginate(
        clients.glue.get_tables,
        "TableList",
        call="glue:GetTables",
        resource=f"tables of {producer.database} in account {producer.account_id}",
        DatabaseName=producer.database,
    )


def shared_table_names(clients: AccountClients, producer: ProducerConfig) -> tuple[str, ...]:
    if not producer.all_tables:
        return producer.tables
    return tuple(sorted(str(t["Name"]) for t in list_tables(clients, producer)))


def shared_resources(producer: ProducerConfig, tables: Iterable[str]) -> tuple[LfResource, ...]:
    """The database and each table, by name (crawler grants are per table, not wildcard)."""
    return (
        LfResource(producer.account_id, producer.database),
        *(LfResource(producer.account_id, producer.database, table=t) for t in tables),
    )


def read_iam_allowed(
    clients: AccountClients,
    producer: ProducerConfig,
    settings: DataLakeSettings,
    principals: tuple[str, ...],
) -> IamAllowedState:
    """Read-only: grants to IAM_ALLOWED_PRINCIPALS, the database's default, opt-ins (hybrid)."""
    tables = shared_table_names(clients, producer)
    resources = shared_resources(producer, tables)
    held = read_grants(
        clients.lakeformation,
        producer.account_id,
        [(IAM_ALLOWED_PRINCIPALS, r) for r in resources],
    )
    database = aws_call(
        clients.glue.get_database,
        call="glue:GetDatabase",
        resource=f"database {producer.database} in account {producer.account_id}",
        Name=producer.database,
    )["Database"]
    opted: set[tuple[str, LfResource]] = set()
    if producer.iam_allowed_principals == "hybrid":
        opted = read_opt_ins(clients.lakeformation, principals, resources)
    return IamAllowedState(
        tables=tables,
        on_database=held.get(IAM_ALLOWED_PRINCIPALS, resources[0]) is not None,
        on_tables=tuple(
            r.table or "" for r in resources[1:] if held.get(IAM_ALLOWED_PRINCIPALS, r)
        ),
        in_database_default=names_iam_allowed(database.get("CreateTableDefaultPermissions")),
        database_input={
            k: database[k]
            for k in ("Name", "Description", "LocationUri", "Parameters", "TargetDatabase")
            if database.get(k) is not None
        },
        cross_account_version=settings.cross_account_version,
        opted_in=frozenset(opted),
    )


def read_opt_ins(
    lakeformation: Any, principals: Iterable[str], resources: Iterable[LfResource]
) -> set[tuple[str, LfResource]]:
    found: set[tuple[str, LfResource]] = set()
    for principal in principals:
        for resource in resources:
            listed = paginate(
                lakeformation.list_lake_formation_opt_ins,
                "LakeFormationOptInsInfoList",
                call="lakeformation:ListLakeFormationOptIns",
                resource=f"opt-ins of {principal} on {resource.describe()}",
                Principal={"DataLakePrincipalIdentifier": principal},
                Resource=resource.to_request(),
            )
            if listed:
                found.add((principal, resource))
    return found


def access_mode_actions(
    clients: AccountClients,
    producer: ProducerConfig,
    state: IamAllowedState,
    principals: tuple[str, ...],
) -> tuple[list[Action], list[str]]:
    """The actions of the configured mode, and the notes that explain the other choices."""
    if not state.present:
        return [], []
    where = state.where(producer)
    mode = producer.iam_allowed_principals
    if mode == "report":
        return [], [
            f"IAM_ALLOWED_PRINCIPALS holds {where}: Lake Formation leaves access to these "
            "resources to IAM alone, so the shared grants do not decide access; nothing is "
            'changed (iam_allowed_principals = "report"). "revoke" would revoke it there and '
            "clear the database default (A's IAM-only users then need Lake Formation grants); "
            '"hybrid" would opt the share principals in (needs CROSS_ACCOUNT_VERSION 4).'
        ]
    if mode == "revoke":
        return _revoke_actions(clients, producer, state), []
    if state.cross_account_version < HYBRID_CROSS_ACCOUNT_VERSION:
        raise BootstrapError(
            f'iam_allowed_principals = "hybrid" needs CROSS_ACCOUNT_VERSION '
            f"{HYBRID_CROSS_ACCOUNT_VERSION} in account {producer.account_id} (it is "
            f"{state.cross_account_version}); raise it in Lake Formation > Data catalog settings "
            'or choose "report" or "revoke".'
        )
    resources = shared_resources(producer, state.tables)
    return _opt_in_actions(clients, state, principals, resources), []


def _revoke_actions(
    clients: AccountClients, producer: ProducerConfig, state: IamAllowedState
) -> list[Action]:
    lf, glue = clients.lakeformation, clients.glue
    targets = []
    if state.on_database:
        targets.append(LfResource(producer.account_id, producer.database))
    targets.extend(
        LfResource(producer.account_id, producer.database, table=t) for t in state.on_tables
    )
    actions = []
    for resource in targets:
        request = {
            "Principal": {"DataLakePrincipalIdentifier": IAM_ALLOWED_PRINCIPALS},
            "Resource": resource.to_request(),
            "Permissions": ["ALL"],
        }

        def revoke(request: dict[str, Any] = request, what: str = resource.describe()) -> object:
            return aws_call(
                lf.revoke_permissions,
                call="lakeformation:RevokePermissions",
                resource=what,
                **request,
            )

        actions.append(
            Action.build(
                f"LF grant ALL on {resource.describe()} to {IAM_ALLOWED_PRINCIPALS}",
                ActionKind.DELETE,
                'iam_allowed_principals = "revoke"',
                revoke,
                request,
            )
        )
    if state.in_database_default:
        update = {
            "Name": producer.database,
            "DatabaseInput": {**state.database_input, "CreateTableDefaultPermissions": []},
        }

        def clear() -> object:
            return aws_call(
                glue.update_database,
                call="glue:UpdateDatabase",
                resource=f"database {producer.database}",
                **update,
            )

        actions.append(
            Action.build(
                f"CreateTableDefaultPermissions of database {producer.account_id}:"
                f"{producer.database}",
                ActionKind.UPDATE,
                'iam_allowed_principals = "revoke": new tables stop getting IAM_ALLOWED_PRINCIPALS',
                clear,
                update,
            )
        )
    return actions


def _opt_in_actions(
    clients: AccountClients,
    state: IamAllowedState,
    principals: tuple[str, ...],
    resources: tuple[LfResource, ...],
) -> list[Action]:
    lf = clients.lakeformation
    actions = []
    for principal in principals:
        for resource in resources:
            if (principal, resource) in state.opted_in:
                continue
            request = {
                "Principal": {"DataLakePrincipalIdentifier": principal},
                "Resource": resource.to_request(),
            }

            def opt_in(
                request: dict[str, Any] = request, what: str = resource.describe()
            ) -> object:
                return aws_call(
                    lf.create_lake_formation_opt_in,
                    call="lakeformation:CreateLakeFormationOptIn",
                    resource=what,
                    **request,
                )

            actions.append(
                Action.build(
                    f"LF opt-in of {principal} on {resource.describe()}",
                    ActionKind.CREATE,
                    'iam_allowed_principals = "hybrid"',
                    opt_in,
                    request,
                )
            )
    return actions
