"""What ``doctor`` reads, once per side: read-only AWS calls, gathered into frozen facts.

B's view of A's catalog goes through an injected Glue client (``catalog_reader``, by default B's
own Glue client with ``CatalogId`` = A).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from awsplan.aws import AccountClients, aws_call, check_account, paginate
from awsplan.lakeformation import (
    HeldGrants,
    covering_location,
    pairs,
    read_grants,
    registered_locations,
)
from bootstrap.config import ConsumerConfig, ProducerConfig
from bootstrap.consumer import LinkState, read_invitations, read_link
from bootstrap.desired import ConsumerDesired, consumer_desired
from bootstrap.grants import link_tables
from bootstrap.policies import bucket_arn, parse_policy
from bootstrap.producer import (
    ProducerState,
    read_catalog_policy,
    read_kms_key,
    read_producer,
    read_table_locations,
)
from cur_analysis.periods import BillingPeriod


@dataclass(frozen=True)
class ProducerFacts:
    """What the producer plan reads (``state``), and what only the doctor looks at."""

    state: ProducerState
    registered: tuple[str, ...]
    table_locations: Mapping[str, str] = field(default_factory=dict)
    kms_key: str | None = None
    catalog_policy: dict[str, Any] | None = None


def read_producer_facts(clients: AccountClients, producer: ProducerConfig) -> ProducerFacts:
    return ProducerFacts(
        state=read_producer(clients, producer),
        registered=registered_locations(clients.lakeformation, producer.account_id),
        table_locations=read_table_locations(clients, producer),
        kms_key=read_kms_key(clients, producer),
        catalog_policy=read_catalog_policy(clients, producer),
    )


def location_registered(facts: ProducerFacts, producer: ProducerConfig) -> bool:
    """Is the CUR location (the bucket, or a path containing the prefix) registered with LF?"""
    bucket = bucket_arn(producer)
    target = f"{bucket}/{producer.prefix}" if producer.prefix else bucket
    return covering_location(target, facts.registered) is not None


@dataclass(frozen=True)
class ConsumerFacts:
    desired: ConsumerDesired
    invitation_statuses: tuple[str, ...]
    link: LinkState
    target_visible: bool
    target_error: str
    grants: HeldGrants
    role_exists: bool
    role_policies: tuple[dict[str, Any], ...]
    partitions: Mapping[str, int] | None


def _role_policies(iam: Any, consumer: ConsumerConfig) -> tuple[bool, tuple[dict[str, Any], ...]]:
    role = consumer.job_role_name
    names = aws_call(
        lambda: [
            n
            for page in iam.get_paginator("list_role_policies").paginate(RoleName=role)
            for n in page.get("PolicyNames", [])
        ],
        call="iam:ListRolePolicies",
        resource=f"role {role}",
        missing=frozenset({"NoSuchEntity"}),
    )
    if names is None:
        return False, ()
    documents = []
    for policy_name in names:
        answer = aws_call(
            iam.get_role_policy,
            call="iam:GetRolePolicy",
            resource=f"inline policy {policy_name} of role {role}",
            RoleName=role,
            PolicyName=policy_name,
        )
        document = parse_policy(answer["PolicyDocument"], f"inline policy {policy_name}")
        if document is not None:
            documents.append(document)
    return True, tuple(documents)


def _period_partitions(
    reader: Any, producer: ProducerConfig, period: BillingPeriod
) -> dict[str, int]:
    """Partitions of each CUR-partitioned table for the period, read through ``reader``.

    Legacy CUR: ``year``/``month``; CUR 2.0: ``billing_period``; the values are the period's own
    partition values (``BillingPeriod``), under the table's spelling of the key names.
    Tables with neither scheme are not CUR data tables and are skipped.
    """
    where = f"database {producer.account_id}:{producer.database}"
    if producer.all_tables:
        tables = paginate(
            reader.get_tables,
            "TableList",
            call="glue:GetTables",
            resource=where,
            CatalogId=producer.account_id,
            DatabaseName=producer.database,
        )
    else:
        found = [
            aws_call(
                reader.get_table,
                call="glue:GetTable",
                resource=f"table {producer.database}.{name}",
                missing=frozenset({"EntityNotFoundException"}),
                CatalogId=producer.account_id,
                DatabaseName=producer.database,
                Name=name,
            )
            for name in producer.tables
        ]
        tables = [answer["Table"] for answer in found if answer is not None]
    counts: dict[str, int] = {}
    for table in tables:
        keys = {k["Name"].lower(): k["Name"] for k in table.get("PartitionKeys", [])}
        if "year" in keys and "month" in keys:
            expression = (
                f"{keys['year']} = '{period.year_value}' and "
                f"{keys['month']} = '{period.month_value}'"
            )
        elif "billing_period" in keys:
            expression = f"{keys['billing_period']} = '{period.label}'"
        else:
            continue
        partitions = paginate(
            reader.get_partitions,
            "Partitions",
            call="glue:GetPartitions",
            resource=f"table {producer.database}.{table['Name']}",
            CatalogId=producer.account_id,
            DatabaseName=producer.database,
            TableName=table["Name"],
            Expression=expression,
        )
        counts[str(table["Name"])] = len(partitions)
    return counts


def read_consumer_facts(
    clients: AccountClients,
    producer: ProducerConfig,
    consumer: ConsumerConfig,
    *,
    catalog_reader: Any = None,
    period: BillingPeriod | None = None,
) -> ConsumerFacts:
    check_account(clients, consumer.account_id, "consumer")
    reader = catalog_reader if catalog_reader is not None else clients.glue
    target = aws_call(
        reader.get_database,
        call="glue:GetDatabase",
        resource=f"database {producer.account_id}:{producer.database} seen from "
        f"{consumer.account_id}",
        missing=frozenset({"EntityNotFoundException", "AccessDeniedException"}),
        CatalogId=producer.account_id,
        Name=producer.database,
    )
    role_exists, policies = _role_policies(clients.iam, consumer)
    desired = consumer_desired(producer, consumer)
    return ConsumerFacts(
        desired=desired,
        invitation_statuses=tuple(
            i.status for i in read_invitations(clients.ram, producer, consumer)
        ),
        link=read_link(clients.glue, consumer),
        target_visible=target is not None,
        target_error="" if target is not None else "not found or access denied",
        grants=read_grants(
            clients.lakeformation,
            consumer.account_id,
            [
                *pairs(desired.grants),
                (consumer.job_role_arn, link_tables(consumer)),
            ],
        ),
        role_exists=role_exists,
        role_policies=policies,
        # Partitions can only be looked for once B sees A's database.
        partitions=(
            _period_partitions(reader, producer, period) if period and target is not None else None
        ),
    )
