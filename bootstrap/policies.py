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

from awsplan.aws import partition_for
from bootstrap.config import ConsumerConfig, ProducerConfig
from bootstrap.errors import BootstrapError

BUCKET_STATEMENT_SID = "CurBootstrapOrganizationRead"
BUCKET_LIST_SID = "CurBootstrapOrganizationList"
OUR_BUCKET_SIDS = (BUCKET_STATEMENT_SID, BUCKET_LIST_SID)
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


def prefix_values(producer: ProducerConfig) -> list[str]:
    """``s3:prefix`` values that cover the CUR prefix (the prefix itself and below it)."""
    return [producer.prefix, f"{producer.prefix}/*"]


def _shared_with(statement: dict[str, Any], producer: ProducerConfig) -> dict[str, Any]:
    if producer.shares_with_organization:
        statement["Principal"] = "*"
        condition = statement.setdefault("Condition", {})
        condition.setdefault("StringEquals", {})["aws:PrincipalOrgID"] = producer.organization_id
    else:
        partition = partition_for(producer.region)
        statement["Principal"] = {
            "AWS": [f"arn:{partition}:iam::{a}:root" for a in producer.share_accounts]
        }
    return statement


def bucket_read_statements(producer: ProducerConfig) -> tuple[dict[str, Any], ...]:
    """Read access to the CUR objects for the organization (or for the listed accounts).

    Without a prefix: one statement, GetObject and ListBucket on the bucket. With a prefix:
    GetObject on ``prefix/*`` only, and ListBucket limited by an ``s3:prefix`` condition (the
    S3 user guide's "Limit ListBucket to a prefix" example), in a statement of its own because
    GetObject requests carry no ``s3:prefix`` key.
    """
    if not producer.prefix:
        read = {
            "Sid": BUCKET_STATEMENT_SID,
            "Effect": "Allow",
            "Action": list(READ_ACTIONS),
            "Resource": [bucket_arn(producer), objects_arn(producer)],
        }
        return (_shared_with(read, producer),)
    get = {
        "Sid": BUCKET_STATEMENT_SID,
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "Resource": objects_arn(producer),
    }
    listing = {
        "Sid": BUCKET_LIST_SID,
        "Effect": "Allow",
        "Action": "s3:ListBucket",
        "Resource": bucket_arn(producer),
        "Condition": {"StringLike": {"s3:prefix": prefix_values(producer)}},
    }
    return (_shared_with(get, producer), _shared_with(listing, producer))


def bucket_read_statement(producer: ProducerConfig) -> dict[str, Any]:
    """The first of ``bucket_read_statements`` (kept for callers that want one)."""
    return bucket_read_statements(producer)[0]


def looks_like_ours(statement: Mapping[str, Any], producer: ProducerConfig) -> bool:
    """Could cur-bootstrap have written this statement (perhaps for an older config)?

    Ours: Allow, only s3:GetObject / s3:ListBucket, only on this bucket, no NotAction /
    NotPrincipal / NotResource. A statement with one of our Sids but another shape was written
    by someone else: a conflict, never replaced.
    """
    if statement.get("Effect") != "Allow" or {"NotAction", "NotPrincipal", "NotResource"} & set(
        statement
    ):
        return False
    actions = _listed(statement.get("Action"))
    resources = _listed(statement.get("Resource"))
    bucket = bucket_arn(producer)
    return (
        bool(actions)
        and set(actions) <= set(READ_ACTIONS)
        and bool(resources)
        and all(r == bucket or r.startswith(bucket + "/") for r in resources)
    )


def _listed(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [v for v in value or [] if isinstance(v, str)]


DECRYPT_SID = "DecryptCurObjects"


def decrypt_statement(kms_key_arn: str) -> dict[str, Any]:
    """SSE-KMS objects need kms:Decrypt on the bucket's key (S3 user guide, "Using SSE-KMS":
    GetObject on an SSE-KMS object requires kms:Decrypt; the key policy must allow it too)."""
    return {"Sid": DECRYPT_SID, "Effect": "Allow", "Action": "kms:Decrypt", "Resource": kms_key_arn}


def job_role_policy(
    producer: ProducerConfig, consumer: ConsumerConfig, kms_key_arn: str | None = None
) -> dict[str, Any]:
    """The job role's inline policy: read the CUR objects; vended credentials if registered;
    kms:Decrypt on the bucket's key when it uses SSE-KMS."""
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
            *([decrypt_statement(kms_key_arn)] if kms_key_arn else []),
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


def foreign_with_our_sid(document: Mapping[str, Any] | None, producer: ProducerConfig) -> list[str]:
    """Sids of ours that the policy uses for statements cur-bootstrap did not write."""
    return [
        sid
        for sid in OUR_BUCKET_SIDS
        if (found := find_statement(document, sid)) is not None
        and not looks_like_ours(found, producer)
    ]


def merge_statements(
    document: Mapping[str, Any] | None,
    statements: tuple[Mapping[str, Any], ...],
    drop_sids: tuple[str, ...] = (),
) -> dict[str, Any] | None:
    """``merge_statement`` for each of ``statements``; our statements whose Sid is in
    ``drop_sids`` and not wanted any more are removed. ``None`` when nothing changes."""
    current: dict[str, Any] | None = dict(document) if document is not None else None
    changed = False
    for statement in statements:
        merged = merge_statement(current, statement)
        if merged is not None:
            current, changed = merged, True
    wanted = {s["Sid"] for s in statements}
    stale = [sid for sid in drop_sids if sid not in wanted and find_statement(current, sid)]
    if stale and current is not None:
        current = dict(current)
        current["Statement"] = [
            s for s in statements_of(current) if not (isinstance(s, dict) and s.get("Sid") in stale)
        ]
        changed = True
    return current if changed else None


def without_statements(document: Mapping[str, Any], sids: tuple[str, ...]) -> dict[str, Any]:
    """The policy without the statements whose Sid is in ``sids``; the rest untouched."""
    kept = dict(document)
    kept["Statement"] = [
        s for s in statements_of(document) if not (isinstance(s, dict) and s.get("Sid") in sids)
    ]
    return kept


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
