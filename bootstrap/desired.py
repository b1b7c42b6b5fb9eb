"""The desired state of the sharing chain, built once as frozen values (as ``deploy.desired``).

``plan`` (producer/consumer) and ``doctor`` both compare what they read against these values,
so "what should exist" is computed in one place. The producer's value needs the share
principals (the organization's ARN is read from AWS Organizations); everything else comes from
the configuration.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from awsplan.aws import partition_for
from awsplan.lakeformation import Grant
from bootstrap.config import ConsumerConfig, ProducerConfig
from bootstrap.grants import (
    job_role_database_grant,
    job_role_link_grant,
    job_role_table_grants,
    organization_grants,
)
from bootstrap.policies import bucket_read_statements


def share_name(producer: ProducerConfig) -> str:
    return f"cur-bootstrap-{producer.database}"


def glue_arns(producer: ProducerConfig) -> tuple[str, ...]:
    """The RAM resources: the catalog, the database and its tables (``*`` or each name)."""
    base = f"arn:{partition_for(producer.region)}:glue:{producer.region}:{producer.account_id}"
    tables = ("*",) if producer.all_tables else producer.tables
    return (
        f"{base}:catalog",
        f"{base}:database/{producer.database}",
        *(f"{base}:table/{producer.database}/{t}" for t in tables),
    )


@dataclass(frozen=True)
class ProducerDesired:
    """What account A should hold: the RAM share, the grants to the share principals and our
    bucket policy statements (kept as canonical JSON text so the value stays immutable)."""

    share_name: str
    share_resources: tuple[str, ...]
    principals: tuple[str, ...]
    grants: tuple[Grant, ...]
    bucket_statements_json: str

    @property
    def bucket_statements(self) -> tuple[dict[str, Any], ...]:
        return tuple(json.loads(self.bucket_statements_json))


def producer_desired(producer: ProducerConfig, principals: tuple[str, ...]) -> ProducerDesired:
    return ProducerDesired(
        share_name=share_name(producer),
        share_resources=glue_arns(producer),
        principals=principals,
        grants=organization_grants(producer, principals),
        bucket_statements_json=json.dumps(list(bucket_read_statements(producer)), sort_keys=True),
    )


@dataclass(frozen=True)
class ConsumerDesired:
    """What account B should hold: the job role's grants on the link and on A's target."""

    share_name: str
    link_grant: Grant
    database_grant: Grant
    table_grants: tuple[Grant, ...]

    @property
    def grants(self) -> tuple[Grant, ...]:
        """In the order they are made."""
        return (self.link_grant, self.database_grant, *self.table_grants)


def consumer_desired(producer: ProducerConfig, consumer: ConsumerConfig) -> ConsumerDesired:
    return ConsumerDesired(
        share_name=share_name(producer),
        link_grant=job_role_link_grant(producer, consumer),
        database_grant=job_role_database_grant(producer, consumer),
        table_grants=job_role_table_grants(producer, consumer),
    )
