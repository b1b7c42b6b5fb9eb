"""The configuration, as frozen dataclasses, loaded from TOML and validated before any AWS call.

Parsed section by section on ``awsplan.config.Checker`` (one message per bad value); the rules
that span both sections (accounts differ, the job role lies in the consumer account, the share
includes the consumer) are checked once both are read.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from awsplan.config import (
    ACCOUNT_ID_RE,
    ACCOUNT_RULE,
    GLUE_NAME_RE,
    GLUE_NAME_RULE,
    PROFILE_RE,
    PROFILE_RULE,
    ROLE_ARN_RE,
    Checker,
    load_toml,
    role_name,
    role_rule,
)

DEFAULT_CONFIG_PATH = "cur-bootstrap.toml"
ORGANIZATION = "organization"
ALL_TABLES = "*"

ORGANIZATION_ID_RE = re.compile(r"o-[a-z0-9]{10,32}", re.ASCII)
PREFIX_RE = re.compile(r"[^*?\s]+", re.ASCII)

PRODUCER_KEYS = frozenset(
    {
        "account_id",
        "region",
        "database",
        "tables",
        "bucket",
        "prefix",
        "share_with",
        "organization_id",
        "assume_role_arn",
        "profile",
        "iam_allowed_principals",
    }
)
# What to do about IAM_ALLOWED_PRINCIPALS on the shared database and tables (see access_mode).
IAM_ALLOWED_MODES = ("report", "revoke", "hybrid")
CONSUMER_KEYS = frozenset(
    {"account_id", "region", "resource_link", "job_role_arn", "assume_role_arn", "profile"}
)
ROLE_RULE = role_rule()


@dataclass(frozen=True)
class ProducerConfig:
    """Account A: the payer that owns the CUR bucket and the crawled database."""

    account_id: str
    region: str
    database: str
    tables: tuple[str, ...]
    bucket: str
    prefix: str
    organization_id: str | None
    share_accounts: tuple[str, ...]
    assume_role_arn: str | None = None
    profile: str | None = None
    iam_allowed_principals: str = "report"

    @property
    def shares_with_organization(self) -> bool:
        return not self.share_accounts

    @property
    def all_tables(self) -> bool:
        return self.tables == (ALL_TABLES,)


@dataclass(frozen=True)
class ConsumerConfig:
    """Account B: the analytics account that runs the Glue job.

    ``region`` is where B's session works (its resource link, its Lake Formation); it defaults to
    the producer's region, where a resource link to A's catalog normally lives.
    """

    account_id: str
    resource_link: str
    job_role_arn: str
    assume_role_arn: str | None = None
    profile: str | None = None
    region: str | None = None

    @property
    def job_role_name(self) -> str:
        return role_name(self.job_role_arn)


@dataclass(frozen=True)
class Config:
    producer: ProducerConfig
    consumer: ConsumerConfig

    @property
    def consumer_region(self) -> str:
        return self.consumer.region or self.producer.region


def example_text() -> str:
    """The commented example that ``cur-bootstrap init`` writes."""
    return resources.files("bootstrap").joinpath("example.toml").read_text(encoding="utf-8")


def load_config(path: str | Path) -> Config:
    """Read and validate ``path``; raise ``ConfigError`` listing every bad value."""
    hint = f"run 'cur-bootstrap init --config {path}' first"
    return parse_config(load_toml(path, missing_hint=hint), source=str(path))


def parse_config(data: Mapping[str, Any], *, source: str = "config") -> Config:
    """Validate every value of the parsed TOML; never touches AWS."""
    c = Checker(data)
    c.unknown_sections(("producer", "consumer"))
    p_section = c.section("producer", PRODUCER_KEYS)
    q_section = c.section("consumer", CONSUMER_KEYS)
    producer = _producer(c, p_section)
    consumer = _consumer(c, q_section)
    _cross_checks(c, producer, consumer)
    c.raise_if_any(source)
    assert producer is not None and consumer is not None
    return Config(
        producer=ProducerConfig(**producer),  # type: ignore[arg-type]
        consumer=ConsumerConfig(**consumer),  # type: ignore[arg-type]
    )


def _producer(c: Checker, p: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The [producer] values (``None`` when any is bad or the section is missing)."""
    s = "producer"
    account = c.string(s, p, "account_id", ACCOUNT_ID_RE, ACCOUNT_RULE, required=True)
    region = c.region(s, p, "region")
    database = c.string(s, p, "database", GLUE_NAME_RE, GLUE_NAME_RULE, required=True)
    bucket = c.bucket(s, p, "bucket")
    prefix = c.string(
        s, p, "prefix", PREFIX_RE, 'an S3 key prefix without spaces or wildcards, e.g. "cur/legacy"'
    )
    if prefix is not None and prefix.startswith("/"):
        c.bad(s, "prefix", f"{prefix!r} must not start with '/'")
        prefix = None
    tables = _tables(c, p)
    organization_id = c.string(
        s, p, "organization_id", ORGANIZATION_ID_RE, 'an organization id like "o-a1b2c3d4e5"'
    )
    share_accounts = _share_with(c, p, organization_id)
    assume_role_arn = c.string(s, p, "assume_role_arn", ROLE_ARN_RE, ROLE_RULE)
    profile = c.string(s, p, "profile", PROFILE_RE, PROFILE_RULE)
    access_mode = c.string(
        s,
        p,
        "iam_allowed_principals",
        re.compile("|".join(IAM_ALLOWED_MODES)),
        'one of "report" (default), "revoke" or "hybrid"',
    )
    if p is None or None in (account, region, database, bucket, tables, share_accounts):
        return None
    return {
        "account_id": account,
        "region": region,
        "database": database,
        "tables": tables,
        "bucket": bucket,
        "prefix": (prefix or "").rstrip("/"),
        "organization_id": organization_id if not share_accounts else None,
        "share_accounts": share_accounts,
        "assume_role_arn": assume_role_arn,
        "profile": profile,
        "iam_allowed_principals": access_mode or "report",
    }


def _tables(c: Checker, p: Mapping[str, Any] | None) -> tuple[str, ...] | None:
    raw = [ALL_TABLES] if p is None else p.get("tables", [ALL_TABLES])
    if not isinstance(raw, list) or not raw:
        c.bad("producer", "tables", 'must be ["*"] (all tables) or a non-empty list of table names')
    elif ALL_TABLES in raw and raw != [ALL_TABLES]:
        c.bad("producer", "tables", '"*" cannot be combined with table names')
    elif bad := [t for t in raw if t != ALL_TABLES and not _is_glue_name(t)]:
        c.bad("producer", "tables", f"{bad!r} not valid: each must be {GLUE_NAME_RULE}")
    elif len(set(raw)) != len(raw):
        c.bad("producer", "tables", "a table is listed twice")
    else:
        return tuple(raw)
    return None


def _share_with(
    c: Checker, p: Mapping[str, Any] | None, organization_id: str | None
) -> tuple[str, ...] | None:
    """``()`` for the organization, else the account ids; ``None`` when bad or no section."""
    if p is None:
        return None
    share_with = p.get("share_with")
    if share_with == ORGANIZATION:
        if organization_id is None and "organization_id" not in p:
            c.bad(
                "producer",
                "organization_id",
                'missing (required when share_with = "organization"), e.g. "o-a1b2c3d4e5"',
            )
        return ()
    if isinstance(share_with, list) and share_with:
        bad = [a for a in share_with if not (isinstance(a, str) and ACCOUNT_ID_RE.fullmatch(a))]
        if not bad:
            return tuple(share_with)
        c.bad("producer", "share_with", f"{bad!r} not valid: each must be {ACCOUNT_RULE}")
        return None
    c.bad(
        "producer",
        "share_with",
        f'must be "organization" or a non-empty list of account ids, got {share_with!r}',
    )
    return None


def _consumer(c: Checker, q: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The [consumer] values (``None`` when any is bad or the section is missing)."""
    s = "consumer"
    account = c.string(s, q, "account_id", ACCOUNT_ID_RE, ACCOUNT_RULE, required=True)
    region = c.region(s, q, "region", required=False)
    link = c.string(s, q, "resource_link", GLUE_NAME_RE, GLUE_NAME_RULE, required=True)
    job_role = c.string(s, q, "job_role_arn", ROLE_ARN_RE, ROLE_RULE, required=True)
    job_role = c.role_in_account(s, "job_role_arn", job_role, account, "the consumer account")
    assume_role_arn = c.string(s, q, "assume_role_arn", ROLE_ARN_RE, ROLE_RULE)
    profile = c.string(s, q, "profile", PROFILE_RE, PROFILE_RULE)
    if q is None or None in (account, link, job_role) or ("region" in q and region is None):
        return None
    return {
        "account_id": account,
        "resource_link": link,
        "job_role_arn": job_role,
        "assume_role_arn": assume_role_arn,
        "profile": profile,
        "region": region,
    }


def _cross_checks(
    c: Checker, producer: Mapping[str, Any] | None, consumer: Mapping[str, Any] | None
) -> None:
    """Rules that span both sections, checked on the raw values that are valid."""
    p_account = _valid(c.data, "producer", "account_id")
    q_account = _valid(c.data, "consumer", "account_id")
    if p_account and q_account and p_account == q_account:
        c.bad("consumer", "account_id", "must differ from [producer] account_id (cross-account)")
    share = producer["share_accounts"] if producer else None
    if share and q_account and q_account not in share:
        c.bad("producer", "share_with", f"does not include the consumer account {q_account}")


def _valid(data: Mapping[str, Any], section: str, key: str) -> str | None:
    values = data.get(section)
    value = values.get(key) if isinstance(values, Mapping) else None
    ok = isinstance(value, str) and ACCOUNT_ID_RE.fullmatch(value)
    return value if ok else None


def _is_glue_name(value: object) -> bool:
    return isinstance(value, str) and GLUE_NAME_RE.fullmatch(value) is not None
