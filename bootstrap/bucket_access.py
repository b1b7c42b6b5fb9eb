"""What a bucket policy really allows the consumer: Allow statements with their conditions,
and Deny statements that would block it. Used by doctor; read-only and pure.

Evaluation follows the IAM policy evaluation logic (IAM user guide, "Policy evaluation logic":
an explicit Deny overrides any Allow) on the parts this chain depends on:

- ``aws:PrincipalOrgID``: only a positive operator (``StringEquals``, ``StringLike`` and their
  ``ForAnyValue:`` forms) with the organization id allows; ``StringNotEquals`` never does.
- ``s3:prefix`` on ``s3:ListBucket``: the CUR prefix must match the condition's values.
- Deny: a statement matching the action, the resource and the consumer (``"*"``, its account
  or its role) blocks, unless its only conditions are ones a member's TLS request fails
  (``aws:SecureTransport`` = false) or that exclude the organization
  (``StringNotEquals aws:PrincipalOrgID`` = our id). Other conditions cannot be evaluated
  here: such a Deny is reported as possibly blocking.
"""

from __future__ import annotations

from collections.abc import Mapping
from fnmatch import fnmatchcase
from typing import Any

from awsplan.aws import partition_for
from bootstrap.config import ConsumerConfig, ProducerConfig
from bootstrap.policies import bucket_arn, objects_arn, statements_of

POSITIVE = frozenset(
    {"StringEquals", "StringLike", "ForAnyValue:StringEquals", "ForAnyValue:StringLike"}
)
NEGATIVE = frozenset({"StringNotEquals", "StringNotLike", "ForAllValues:StringNotEquals"})


def _listed(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value or []]


def _matches_any(value: str, patterns: list[str], *, case: bool = True) -> bool:
    if case:
        return any(fnmatchcase(value, p) for p in patterns)
    return any(fnmatchcase(value.lower(), p.lower()) for p in patterns)


def _action_applies(statement: Mapping[str, Any], action: str) -> bool:
    if "NotAction" in statement:
        return not _matches_any(action, _listed(statement["NotAction"]), case=False)
    return _matches_any(action, _listed(statement.get("Action")), case=False)


def _resource_applies(statement: Mapping[str, Any], resource: str) -> bool:
    if "NotResource" in statement:
        return not _matches_any(resource, _listed(statement["NotResource"]))
    return _matches_any(resource, _listed(statement.get("Resource")))


def _principals(statement: Mapping[str, Any]) -> list[str] | None:
    """The AWS principals named; ``None`` means everyone (``"*"``)."""
    principal = statement.get("Principal")
    if principal == "*":
        return None
    if isinstance(principal, Mapping):
        aws = _listed(principal.get("AWS"))
        return None if "*" in aws else aws
    return []


def _names_consumer(
    statement: Mapping[str, Any], account: str, role_arn: str | None, partition: str
) -> bool:
    named = _principals(statement)
    if named is None:
        return True
    return any(p in (account, f"arn:{partition}:iam::{account}:root", role_arn) for p in named)


def _org_condition_allows(operator: str, values: list[str], organization_id: str | None) -> bool:
    if organization_id is None:
        return False
    if operator in POSITIVE:
        return _matches_any(organization_id, values)
    return False


def _condition_allows(condition: Mapping[str, Any], producer: ProducerConfig, action: str) -> bool:
    """Would a consumer request (a member of the organization, listing the CUR prefix) meet
    every condition of an Allow statement? Unknown keys are assumed met."""
    for operator, block in condition.items():
        if not isinstance(block, Mapping):
            return False
        for key, value in block.items():
            values = _listed(value)
            if key.lower() == "aws:principalorgid":
                if not _org_condition_allows(operator, values, producer.organization_id):
                    return False
            elif key.lower() == "s3:prefix" and action == "s3:ListBucket":
                wanted = f"{producer.prefix}/" if producer.prefix else ""
                if operator in NEGATIVE or not (
                    _matches_any(wanted, values) or _matches_any(producer.prefix, values)
                ):
                    return False
    return True


def allows(
    statement: Mapping[str, Any], producer: ProducerConfig, action: str, resource: str
) -> bool:
    """Does this statement allow ``action`` on ``resource`` to the consumer?"""
    if statement.get("Effect") != "Allow" or not (
        _action_applies(statement, action) and _resource_applies(statement, resource)
    ):
        return False
    partition = partition_for(producer.region)
    named = _principals(statement)
    if producer.shares_with_organization:
        if named is not None:
            return False  # an organization is reached through "*" + aws:PrincipalOrgID
        condition = statement.get("Condition") or {}
        has_org = any(
            isinstance(b, Mapping) and any(k.lower() == "aws:principalorgid" for k in b)
            for b in condition.values()
        )
        return has_org and _condition_allows(condition, producer, action)
    if named is not None and not all(
        a in named or f"arn:{partition}:iam::{a}:root" in named for a in producer.share_accounts
    ):
        return False
    return _condition_allows(statement.get("Condition") or {}, producer, action)


def _deny_condition_spares_consumer(condition: Mapping[str, Any], producer: ProducerConfig) -> bool:
    for operator, block in condition.items():
        if not isinstance(block, Mapping):
            return False
        for key, value in block.items():
            values = [v.lower() for v in _listed(value)]
            if key.lower() == "aws:securetransport" and operator == "Bool" and values == ["false"]:
                continue  # only plain-HTTP requests are denied; AWS SDKs use TLS
            if (
                key.lower() == "aws:principalorgid"
                and operator in NEGATIVE
                and producer.organization_id is not None
                and _matches_any(producer.organization_id, _listed(value))
            ):
                continue  # denies everyone outside the organization
            return False
    return bool(condition)


def blocking_denies(
    document: Mapping[str, Any] | None,
    producer: ProducerConfig,
    consumer: ConsumerConfig | None,
) -> list[str]:
    """Sids (or positions) of Deny statements that would block the consumer's reads."""
    if document is None:
        return []
    partition = partition_for(producer.region)
    account = consumer.account_id if consumer else ""
    role = consumer.job_role_arn if consumer else None
    sample = objects_arn(producer).removesuffix("*") + "x"
    found = []
    for index, statement in enumerate(statements_of(document)):
        if not isinstance(statement, Mapping) or statement.get("Effect") != "Deny":
            continue
        hits = any(
            _action_applies(statement, action) and _resource_applies(statement, resource)
            for action, resource in (
                ("s3:GetObject", sample),
                ("s3:ListBucket", bucket_arn(producer)),
            )
        )
        if not hits or (consumer and not _names_consumer(statement, account, role, partition)):
            continue
        if _deny_condition_spares_consumer(statement.get("Condition") or {}, producer):
            continue
        found.append(str(statement.get("Sid") or f"statement #{index + 1}"))
    return found


def read_allowed(document: Mapping[str, Any] | None, producer: ProducerConfig) -> dict[str, bool]:
    """Which of s3:GetObject (an object under the prefix) and s3:ListBucket are allowed."""
    statements = [s for s in statements_of(document or {}) if isinstance(s, Mapping)]
    sample = objects_arn(producer).removesuffix("*") + "x"
    return {
        "s3:GetObject": any(allows(s, producer, "s3:GetObject", sample) for s in statements),
        "s3:ListBucket": any(
            allows(s, producer, "s3:ListBucket", bucket_arn(producer)) for s in statements
        ),
    }
