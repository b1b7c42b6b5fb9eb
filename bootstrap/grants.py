"""The one place that defines each grant shape cur-bootstrap makes (``awsplan.lakeformation``).

Producer (account A) grants to the organization (or accounts), with grant option so that the
consumer's administrator can grant on to its own roles:
  DESCRIBE on the database; SELECT + DESCRIBE on the tables (TableWildcard, or each named table).
Consumer (account B) grants to the Glue job role, never with grant option, never beyond
DESCRIBE/SELECT:
  DESCRIBE on the resource link (catalog B); DESCRIBE on the target database (catalog A);
  SELECT + DESCRIBE on the target tables (catalog A). Never on "the link's tables": a database
  resource link only carries DESCRIBE and DROP.

``grant_actions`` turns wanted grants and what is held into the plan's grant actions, for both
sides.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from awsplan.lakeformation import Grant, HeldGrants, LfResource, grant
from awsplan.plan import Action, ActionKind
from bootstrap.config import ConsumerConfig, ProducerConfig

ORG_DATABASE_PERMISSIONS = frozenset({"DESCRIBE"})
ORG_TABLE_PERMISSIONS = frozenset({"SELECT", "DESCRIBE"})
JOB_ROLE_LINK_PERMISSIONS = frozenset({"DESCRIBE"})
JOB_ROLE_DATABASE_PERMISSIONS = frozenset({"DESCRIBE"})
JOB_ROLE_TABLE_PERMISSIONS = frozenset({"SELECT", "DESCRIBE"})
# Everything the job role may ever be granted by this tool; no grant option, ever.
JOB_ROLE_ALLOWED = frozenset({"DESCRIBE", "SELECT"})


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


def grant_actions(
    lakeformation: Any,
    wanted: Iterable[Grant],
    held: HeldGrants,
    *,
    principal_is_new_role: bool = False,
) -> list[Action]:
    """One GrantPermissions per wanted grant that ``held`` does not cover, granting only what
    is missing (additive: never revokes); ``principal_is_new_role`` as in
    ``awsplan.lakeformation.grant``."""
    actions: list[Action] = []
    for want in wanted:
        have = held.get(want.principal, want.resource)
        missing = want.missing_given(have)
        if missing is None:
            continue
        kind = ActionKind.CREATE if have is None else ActionKind.UPDATE
        why = "not granted" if have is None else _missing_text(missing)

        def run(missing: Grant = missing) -> object:
            grant(lakeformation, missing, principal_is_new_role=principal_is_new_role)
            return None

        actions.append(
            Action.build(f"LF grant {want.describe()}", kind, why, run, missing.request())
        )
    return actions


def _missing_text(missing: Grant) -> str:
    option = " (grantable)" if missing.grantable else ""
    return "missing " + "+".join(sorted(missing.permissions)) + option
