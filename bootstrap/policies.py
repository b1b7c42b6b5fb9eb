"""Policy documents: the bucket policy statement (merged by our Sid) and the job role's policy.

Merging never touches a statement we did not write: every other statement is carried over from
the parsed document unchanged (same keys, same order, same values), at the same position.
Comparisons are made on a normalised form (single strings become sorted lists, keys sorted) so
that AWS re-formatting a stored policy never shows up as a change.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

from bootstrap.aws import partition_for
from bootstrap.config import ConsumerConfig, ProducerConfig
from bootstrap.errors import BootstrapError

BUCKET_STATEMENT_SID = "CurBootstrapOrganizationRead"
JOB_ROLE_POLICY_NAME = "cur-bootstrap-read-cur"
POLICY_VERSION = "2012-10-17"
READ_ACTIONS = ("s3:GetObject", "s3:ListBucket")
GET_DATA_ACCESS = "lakeformation:GetDataAccess"
_LISTY_KEYS = frozenset({"Action", "NotAction", "Resource", "NotResource"})


def bucket_arn(producer: ProducerConfig) -> str:
    return f"arn:{partition_for(producer.region)}:s3:::{producer.bucket}"


def objects_arn(producer: ProducerConfig) -> str:
    prefix = f"{producer.prefix}/" if producer.prefix else ""
    return f"{bucket_arn(producer)}/{prefix}*"


def bucket_read_statement(producer: ProducerConfig) -> dict[str, Any]:
    """Read access to the CUR objects for the organization (or for the listed accounts)."""
    statement: dict[str, Any] = {
        "Sid": BUCKET_STATEMENT_SID,
        "Effect": "Allow",
        "Principal": "*",
        "Action": list(READ_ACTIONS),
        "Resource": [bucket_arn(producer), objects_arn(producer)],
    }
    if producer.shares_with_organization:
        statement["Condition"] = {"StringEquals": {"aws:PrincipalOrgID": producer.organization_id}}
    else:
        partition = partition_for(producer.region)
        statement["Principal"] = {
            "AWS": [f"arn:{partition}:iam::{a}:root" for a in producer.share_accounts]
        }
    return statement


def job_role_policy(producer: ProducerConfig, consumer: ConsumerConfig) -> dict[str, Any]:
    """The job role's inline policy: read the CUR objects; vended credentials if registered."""
    list_statement: dict[str, Any] = {
        "Sid": "ListCurBucket",
        "Effect": "Allow",
        "Action": "s3:ListBucket",
        "Resource": bucket_arn(producer),
    }
    if producer.prefix:
        list_statement["Condition"] = {
            "StringLike": {"s3:prefix": [producer.prefix, f"{producer.prefix}/*"]}
        }
    return {
        "Version": POLICY_VERSION,
        "Statement": [
            list_statement,
            {
                "Sid": "ReadCurObjects",
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": objects_arn(producer),
            },
            {
                # Needed when the CUR location is registered with Lake Formation (vended
                # credentials); harmless otherwise.
                "Sid": "LakeFormationDataAccess",
                "Effect": "Allow",
                "Action": GET_DATA_ACCESS,
                "Resource": "*",
            },
        ],
    }


def normalise(value: Any, key: str | None = None) -> Any:
    """A canonical form for comparing policy fragments."""
    if isinstance(value, Mapping):
        return {k: normalise(v, k) for k, v in sorted(value.items())}
    if isinstance(value, list | tuple):
        items = [normalise(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
    if (
        isinstance(value, str)
        and key is not None
        and (key in _LISTY_KEYS or key.startswith("aws:"))
    ):
        return [value]
    if isinstance(value, str) and key in {"AWS", "Service", "Federated"}:
        return [value]
    return value


def same_policy(a: Any, b: Any) -> bool:
    return normalise(a) == normalise(b)


def parse_policy(text: str | Mapping[str, Any] | None, what: str) -> dict[str, Any] | None:
    """Parse a policy document as AWS returns it (JSON text, URL-encoded JSON, or a dict)."""
    if text is None:
        return None
    if isinstance(text, Mapping):
        return dict(text)
    raw = text if text.lstrip().startswith("{") else unquote(text)
    try:
        document = json.loads(raw)
    except json.JSONDecodeError:
        raise BootstrapError(f"{what} is not valid JSON; fix it by hand before running.") from None
    if not isinstance(document, dict):
        raise BootstrapError(f"{what} is not a JSON object; fix it by hand before running.")
    return document


def statements_of(document: Mapping[str, Any]) -> list[Any]:
    statements = document.get("Statement", [])
    return list(statements) if isinstance(statements, list) else [statements]


def find_statement(document: Mapping[str, Any] | None, sid: str) -> dict[str, Any] | None:
    if document is None:
        return None
    found = [s for s in statements_of(document) if isinstance(s, dict) and s.get("Sid") == sid]
    if len(found) > 1:
        raise BootstrapError(
            f"the bucket policy has {len(found)} statements with Sid {sid!r}; keep one by hand."
        )
    return found[0] if found else None


def merge_statement(
    document: Mapping[str, Any] | None, statement: Mapping[str, Any]
) -> dict[str, Any] | None:
    """The policy with ``statement`` added or replaced by its Sid; ``None`` when already equal.

    Every other statement, and every other top-level key, is kept as it was and where it was.
    """
    sid = statement["Sid"]
    if document is None:
        return {"Version": POLICY_VERSION, "Statement": [dict(statement)]}
    current = find_statement(document, sid)
    if current is not None and same_policy(current, statement):
        return None
    merged_statements: list[Any] = []
    for existing in statements_of(document):
        if isinstance(existing, dict) and existing.get("Sid") == sid:
            merged_statements.append(dict(statement))
        else:
            merged_statements.append(existing)
    if current is None:
        merged_statements.append(dict(statement))
    merged = dict(document)
    merged["Statement"] = merged_statements
    merged.setdefault("Version", POLICY_VERSION)
    return merged


def statement_allows(statement: Mapping[str, Any], action: str, resource: str) -> bool:
    """Does this Allow statement cover ``action`` on ``resource`` (plain wildcards only)?"""
    from fnmatch import fnmatchcase

    if statement.get("Effect") != "Allow" or "NotAction" in statement:
        return False
    actions = statement.get("Action", [])
    resources = statement.get("Resource", [])
    actions = [actions] if isinstance(actions, str) else list(actions)
    resources = [resources] if isinstance(resources, str) else list(resources)
    return any(fnmatchcase(action.lower(), a.lower()) for a in actions) and any(
        fnmatchcase(resource, r) for r in resources
    )


def document_allows(document: Mapping[str, Any] | None, action: str, resource: str) -> bool:
    if document is None:
        return False
    return any(
        isinstance(s, Mapping) and statement_allows(s, action, resource)
        for s in statements_of(document)
    )
