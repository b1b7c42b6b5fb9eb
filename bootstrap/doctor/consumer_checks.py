"""The consumer side's checks (account B): pure functions of ``ConsumerFacts``."""

from __future__ import annotations

from collections.abc import Mapping

from awsplan.checks import Check
from awsplan.checks import check as _check
from bootstrap.config import ConsumerConfig, ProducerConfig
from bootstrap.consumer import PENDING
from bootstrap.doctor.facts import ConsumerFacts
from bootstrap.grants import (
    JOB_ROLE_ALLOWED,
)
from bootstrap.policies import GET_DATA_ACCESS, bucket_arn, document_allows, objects_arn
from cur_analysis.periods import BillingPeriod

APPLY_CONSUMER = "run 'cur-bootstrap apply --side consumer'"


def consumer_checks(
    facts: ConsumerFacts,
    producer: ProducerConfig,
    consumer: ConsumerConfig,
    *,
    registered: bool | None = None,
    period: BillingPeriod | None = None,
) -> tuple[Check, ...]:
    """``registered``: whether A registered the location with LF (``None``: not known)."""
    checks = [
        _invitation_check(facts, producer, consumer),
        *_link_checks(facts, producer, consumer),
        *_grant_checks(facts, producer, consumer),
        _least_privilege_check(facts, consumer),
        _iam_read_check(facts, producer, consumer, registered),
        _get_data_access_check(facts, consumer, registered),
    ]
    if period is not None:
        checks.append(_partition_check(facts.partitions, producer, consumer, period))
    return tuple(checks)


def _invitation_check(
    facts: ConsumerFacts, producer: ProducerConfig, consumer: ConsumerConfig
) -> Check:
    if producer.shares_with_organization:
        return Check(
            "consumer.invitation",
            True,
            "shared with the organization: no invitation exists (RAM organization sharing "
            "is checked on the producer side: producer.ram-org-sharing)",
        )
    statuses = facts.invitation_statuses
    ok = "ACCEPTED" in statuses and PENDING not in statuses
    if PENDING in statuses:
        detail, fix = "the invitation is pending", APPLY_CONSUMER + " (accepts it)"
    elif ok:
        detail, fix = "the invitation was accepted", ""
    elif statuses:
        detail = f"the invitation is {'/'.join(sorted(set(statuses))).lower()}"
        fix = (
            f"in account {producer.account_id}, remove account {consumer.account_id} from "
            f"RAM share {facts.desired.share_name} and run 'cur-bootstrap apply --side "
            "producer' to invite it again"
        )
    else:
        detail = f"no invitation from {producer.account_id} to {facts.desired.share_name}"
        fix = "run 'cur-bootstrap apply --side producer'"
    return _check("consumer.invitation", ok, detail, fix)


def _link_checks(
    facts: ConsumerFacts, producer: ProducerConfig, consumer: ConsumerConfig
) -> tuple[Check, Check]:
    """The resource link points at A's database, and B sees that database."""
    link = _check(
        "consumer.resource-link",
        facts.link.exists and facts.link.targets(producer),
        f"{consumer.resource_link} is {facts.link.describe()}",
        APPLY_CONSUMER
        if not facts.link.exists
        else f"drop or rename database {consumer.resource_link} in account "
        f"{consumer.account_id} by hand (it was not made by cur-bootstrap), then " + APPLY_CONSUMER,
    )
    visible = _check(
        "consumer.target-visible",
        facts.target_visible,
        f"database {producer.account_id}:{producer.database} is "
        + ("visible from " if facts.target_visible else f"{facts.target_error} from ")
        + consumer.account_id,
        "check the RAM share and the producer grants ('cur-bootstrap doctor --side "
        "producer') and, for account principals, accept the invitation",
    )
    return link, visible


def _grant_checks(
    facts: ConsumerFacts, producer: ProducerConfig, consumer: ConsumerConfig
) -> list[Check]:
    """Each desired job-role grant is held; none was made on the link's tables instead."""
    checks = []
    for label, wanted in (
        ("consumer.grant-link", (facts.desired.link_grant,)),
        ("consumer.grant-target-database", (facts.desired.database_grant,)),
        ("consumer.grant-target-tables", facts.desired.table_grants),
    ):
        lacking = [
            g.describe()
            for g in wanted
            if g.missing_given(facts.grants.get(g.principal, g.resource)) is not None
        ]
        granted = "granted: " + "; ".join(g.describe() for g in wanted)
        detail = granted if not lacking else "missing: " + "; ".join(lacking)
        checks.append(_check(label, not lacking, detail, APPLY_CONSUMER))
    on_link_tables = [
        g.describe()
        for g in facts.grants.grants
        if not g.resource.is_database
        and g.resource.catalog_id == consumer.account_id
        and g.resource.database == consumer.resource_link
    ]
    checks.append(
        _check(
            "consumer.no-grants-on-link-tables",
            not on_link_tables,
            "no table grants on the resource link"
            if not on_link_tables
            else "table grants made on the link instead of the target: "
            + "; ".join(on_link_tables),
            "revoke them by hand (cur-bootstrap never revokes) and grant on the target tables "
            f"in catalog {producer.account_id}: {APPLY_CONSUMER}",
        )
    )
    return checks


def _least_privilege_check(facts: ConsumerFacts, consumer: ConsumerConfig) -> Check:
    """The job role needs DESCRIBE and SELECT only; more (or grant option) is a warning."""
    extra = [
        g.describe()
        for g in facts.grants.of_principal(consumer.job_role_arn)
        if (g.permissions - JOB_ROLE_ALLOWED) or g.grantable
    ]
    if not extra:
        return Check(
            "consumer.job-role-least-privilege",
            True,
            "the job role holds no more than DESCRIBE/SELECT on the shared resources",
        )
    return Check(
        "consumer.job-role-least-privilege",
        True,
        "the job role holds more than DESCRIBE/SELECT: " + "; ".join(extra) + " (revoke the "
        "extra permissions by hand: cur-bootstrap never revokes them)",
        warn=True,
    )


def _iam_read_check(
    facts: ConsumerFacts,
    producer: ProducerConfig,
    consumer: ConsumerConfig,
    registered: bool | None,
) -> Check:
    name = "consumer.iam-s3-read"
    if registered:
        return Check(
            name, True, "not needed: the location is registered, Lake Formation vends credentials"
        )
    sample_object = objects_arn(producer).removesuffix("*") + "x"
    can_get = any(document_allows(d, "s3:GetObject", sample_object) for d in facts.role_policies)
    can_list = any(
        document_allows(d, "s3:ListBucket", bucket_arn(producer)) for d in facts.role_policies
    )
    ok = facts.role_exists and can_get and can_list
    if not facts.role_exists:
        detail = f"role {consumer.job_role_arn} does not exist"
    elif ok:
        detail = f"inline policy allows s3:GetObject and s3:ListBucket on {producer.bucket}"
    else:
        lacking = [
            a for a, has in (("s3:GetObject", can_get), ("s3:ListBucket", can_list)) if not has
        ]
        detail = (
            f"no inline policy of the job role allows {' and '.join(lacking)} on {producer.bucket}"
        )
    return _check(name, ok, detail, APPLY_CONSUMER)


def _get_data_access_check(
    facts: ConsumerFacts, consumer: ConsumerConfig, registered: bool | None
) -> Check:
    name = "consumer.iam-get-data-access"
    if registered is False:
        return Check(name, True, "not needed: the location is not registered with Lake Formation")
    ok = facts.role_exists and any(
        document_allows(d, GET_DATA_ACCESS, "*") for d in facts.role_policies
    )
    why = "the location is registered" if registered else "registration not known (consumer only)"
    detail = (
        f"inline policy allows {GET_DATA_ACCESS} ({why})"
        if ok
        else f"no inline policy of the job role allows {GET_DATA_ACCESS} ({why})"
    )
    return _check(name, ok, detail, APPLY_CONSUMER)


def _partition_check(
    counts: Mapping[str, int] | None,
    producer: ProducerConfig,
    consumer: ConsumerConfig,
    period: BillingPeriod,
) -> Check:
    name = "consumer.partition"
    if counts is None:  # partitions can only be looked for once B sees A's database
        return Check(
            name,
            False,
            f"cannot look for {period} partitions: database "
            f"{producer.account_id}:{producer.database} is not visible from "
            f"{consumer.account_id}",
            "fix consumer.target-visible first",
        )
    if not counts:
        return Check(
            name,
            False,
            f"no table in {producer.database} has year/month or billing_period partition keys",
            "run the CUR crawler in the producer account, or correct [producer] tables",
        )
    empty = sorted(t for t, n in counts.items() if n == 0)
    return _check(
        name,
        not empty,
        f"{period}: partitions found in {', '.join(sorted(counts))}"
        if not empty
        else f"{period}: no partition in {', '.join(empty)} (predicate {period.predicate()})",
        "wait for the CUR delivery of that month, then run the crawler (or MSCK REPAIR TABLE) "
        "in the producer account",
    )
