"""The desired state, as frozen dataclasses, loaded from TOML and validated before any AWS call."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from bootstrap.errors import ConfigError
from bootstrap.regions import region_problem

DEFAULT_CONFIG_PATH = "cur-bootstrap.toml"
ORGANIZATION = "organization"
ALL_TABLES = "*"

# Every pattern is ASCII-only (re.ASCII): \d and \w would otherwise accept full-width or
# Arabic-Indic digits and non-Latin letters, which AWS rejects.
ACCOUNT_ID_RE = re.compile(r"\d{12}", re.ASCII)
ORGANIZATION_ID_RE = re.compile(r"o-[a-z0-9]{10,32}", re.ASCII)
REGION_RE = re.compile(r"[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d", re.ASCII)
ROLE_ARN_RE = re.compile(
    r"arn:(?P<partition>aws|aws-cn|aws-us-gov):iam::(?P<account>\d{12}):role/"
    r"(?P<path>(?:[\w+=,.@-]+/)*)(?P<name>[\w+=,.@-]{1,64})",
    re.ASCII,
)
# Glue and Athena: lower-case letters, digits and underscore (Glue lower-cases names anyway).
GLUE_NAME_RE = re.compile(r"[a-z0-9_]{1,255}", re.ASCII)
BUCKET_RE = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", re.ASCII)
IP_RE = re.compile(r"\d+\.\d+\.\d+\.\d+", re.ASCII)
PREFIX_RE = re.compile(r"[^*?\s]+", re.ASCII)
PROFILE_RE = re.compile(r"[\w+=,.@:/-]{1,128}", re.ASCII)
PERIOD_RE = re.compile(r"(?P<year>\d{4})-(?P<month>0[1-9]|1[0-2])", re.ASCII)

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
    {"account_id", "resource_link", "job_role_arn", "assume_role_arn", "profile"}
)


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
    """Account B: the analytics account that runs the Glue job."""

    account_id: str
    resource_link: str
    job_role_arn: str
    assume_role_arn: str | None = None
    profile: str | None = None

    @property
    def job_role_name(self) -> str:
        match = ROLE_ARN_RE.fullmatch(self.job_role_arn)
        assert match is not None  # validated on load
        return match.group("name")


@dataclass(frozen=True)
class Config:
    producer: ProducerConfig
    consumer: ConsumerConfig


def example_text() -> str:
    """The commented example that ``cur-bootstrap init`` writes."""
    return resources.files("bootstrap").joinpath("example.toml").read_text(encoding="utf-8")


def load_config(path: str | Path) -> Config:
    """Read and validate ``path``; raise ``ConfigError`` listing every bad value."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            source, (f"file not found; run 'cur-bootstrap init --config {source}' first",)
        ) from None
    except UnicodeDecodeError:
        raise ConfigError(source, ("not UTF-8 text; save the file as UTF-8",)) from None
    except OSError as error:
        raise ConfigError(source, (f"cannot read the file: {error.strerror}",)) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(source, (f"not valid TOML: {error}",)) from None
    return parse_config(data, source=source)


class _Checker:
    """Collects one message per bad value."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self.problems: list[str] = []

    def section(self, name: str, allowed: frozenset[str]) -> Mapping[str, Any] | None:
        """The section's values; ``None`` (reported once) when it is missing or not a table."""
        value = self.data.get(name)
        if value is None:
            self.problems.append(f"[{name}] section is missing")
            return None
        if not isinstance(value, Mapping):
            self.problems.append(f"[{name}] must be a table (a [{name}] section)")
            return None
        for key in sorted(set(value) - allowed):
            self.problems.append(
                f"[{name}] {key}: unknown key (allowed: {', '.join(sorted(allowed))})"
            )
        return value

    def string(
        self,
        section: str,
        values: Mapping[str, Any] | None,
        key: str,
        pattern: re.Pattern[str],
        rule: str,
        *,
        required: bool = True,
    ) -> str | None:
        if values is None:  # the whole section is missing: already reported once
            return None
        if key not in values:
            if required:
                self.problems.append(f"[{section}] {key}: missing ({rule})")
            return None
        value = values[key]
        if not isinstance(value, str):
            self.problems.append(
                f"[{section}] {key}: must be a quoted string ({rule}), got {value!r}"
            )
            return None
        if not pattern.fullmatch(value):
            self.problems.append(f"[{section}] {key}: {value!r} is not valid: {rule}")
            return None
        return value


def _bucket_problem(name: str) -> str | None:
    rule = (
        "3-63 characters of lower-case letters, digits, dots and hyphens, starting and ending "
        "with a letter or digit"
    )
    if not BUCKET_RE.fullmatch(name):
        return rule
    if ".." in name or ".-" in name or "-." in name:
        return "no two adjacent dots and no dot next to a hyphen"
    if IP_RE.fullmatch(name):
        return "must not look like an IP address"
    if name.startswith(("xn--", "sthree-")) or name.endswith(("-s3alias", "--ol-s3")):
        return "reserved prefix or suffix (xn--, sthree-, -s3alias, --ol-s3)"
    return None


def parse_config(data: Mapping[str, Any], *, source: str = "config") -> Config:
    """Validate every value of the parsed TOML; never touches AWS."""
    c = _Checker(data)
    for key in sorted(set(data) - {"producer", "consumer"}):
        c.problems.append(f"[{key}]: unknown section (allowed: [producer], [consumer])")
    p_section = c.section("producer", PRODUCER_KEYS)
    q = c.section("consumer", CONSUMER_KEYS)
    p: Mapping[str, Any] = p_section if p_section is not None else {}

    account_rule = 'a 12-digit AWS account id in quotes, e.g. "111111111111"'
    role_rule = "an IAM role ARN like arn:aws:iam::111111111111:role/name"
    glue_rule = "1-255 lower-case letters, digits or underscores (Glue/Athena name rules)"

    producer_account = c.string("producer", p_section, "account_id", ACCOUNT_ID_RE, account_rule)
    region = c.string("producer", p_section, "region", REGION_RE, 'an AWS region like "us-east-1"')
    if region is not None and (why := region_problem(region)):
        c.problems.append(f"[producer] region: {region!r} is {why}")
        region = None
    database = c.string("producer", p_section, "database", GLUE_NAME_RE, glue_rule)
    bucket = c.string("producer", p_section, "bucket", re.compile(r".+"), "an S3 bucket name")
    if bucket is not None and (why := _bucket_problem(bucket)):
        c.problems.append(f"[producer] bucket: {bucket!r} is not a valid bucket name: {why}")
        bucket = None
    prefix = c.string(
        "producer",
        p_section,
        "prefix",
        PREFIX_RE,
        'an S3 key prefix without spaces or wildcards, e.g. "cur/legacy"',
        required=False,
    )
    if prefix is not None and prefix.startswith("/"):
        c.problems.append(f"[producer] prefix: {prefix!r} must not start with '/'")
        prefix = None

    tables: tuple[str, ...] | None = None
    raw_tables = p.get("tables", [ALL_TABLES])
    if p_section is None:
        raw_tables = [ALL_TABLES]
    if not isinstance(raw_tables, list) or not raw_tables:
        c.problems.append(
            '[producer] tables: must be ["*"] (all tables) or a non-empty list of table names'
        )
    elif ALL_TABLES in raw_tables and raw_tables != [ALL_TABLES]:
        c.problems.append('[producer] tables: "*" cannot be combined with table names')
    else:
        bad = [t for t in raw_tables if t != ALL_TABLES and not _is_glue_name(t)]
        if bad:
            c.problems.append(f"[producer] tables: {bad!r} not valid: each must be {glue_rule}")
        elif len(set(raw_tables)) != len(raw_tables):
            c.problems.append("[producer] tables: a table is listed twice")
        else:
            tables = tuple(raw_tables)

    organization_id = c.string(
        "producer",
        p_section,
        "organization_id",
        ORGANIZATION_ID_RE,
        'an organization id like "o-a1b2c3d4e5"',
        required=False,
    )
    share_accounts: tuple[str, ...] | None = None
    share_with = p.get("share_with")
    if share_with == ORGANIZATION:
        share_accounts = ()
        if organization_id is None and "organization_id" not in p:
            c.problems.append(
                "[producer] organization_id: missing (required when share_with = "
                '"organization"), e.g. "o-a1b2c3d4e5"'
            )
    elif p_section is None:
        pass
    elif isinstance(share_with, list) and share_with:
        bad = [a for a in share_with if not (isinstance(a, str) and ACCOUNT_ID_RE.fullmatch(a))]
        if bad:
            c.problems.append(
                f"[producer] share_with: {bad!r} not valid: each must be {account_rule}"
            )
        else:
            share_accounts = tuple(share_with)
    else:
        c.problems.append(
            f'[producer] share_with: must be "organization" or a non-empty list of account '
            f"ids, got {share_with!r}"
        )

    producer_role = c.string(
        "producer", p_section, "assume_role_arn", ROLE_ARN_RE, role_rule, required=False
    )
    producer_profile = c.string(
        "producer", p_section, "profile", PROFILE_RE, "an AWS profile name", required=False
    )
    access_mode = c.string(
        "producer",
        p_section,
        "iam_allowed_principals",
        re.compile("|".join(IAM_ALLOWED_MODES)),
        'one of "report" (default), "revoke" or "hybrid"',
        required=False,
    )

    consumer_account = c.string("consumer", q, "account_id", ACCOUNT_ID_RE, account_rule)
    link = c.string("consumer", q, "resource_link", GLUE_NAME_RE, glue_rule)
    job_role = c.string("consumer", q, "job_role_arn", ROLE_ARN_RE, role_rule)
    consumer_role = c.string(
        "consumer", q, "assume_role_arn", ROLE_ARN_RE, role_rule, required=False
    )
    consumer_profile = c.string(
        "consumer", q, "profile", PROFILE_RE, "an AWS profile name", required=False
    )

    if producer_account and consumer_account and producer_account == consumer_account:
        c.problems.append(
            "[consumer] account_id: must differ from [producer] account_id (cross-account)"
        )
    if job_role and consumer_account:
        match = ROLE_ARN_RE.fullmatch(job_role)
        if match and match.group("account") != consumer_account:
            c.problems.append(
                f"[consumer] job_role_arn: {job_role!r} is in account {match.group('account')}, "
                f"not in the consumer account {consumer_account}"
            )
            job_role = None
    if share_accounts and consumer_account and consumer_account not in share_accounts:
        c.problems.append(
            f"[producer] share_with: does not include the consumer account {consumer_account}"
        )

    if c.problems:
        raise ConfigError(source, tuple(c.problems))
    assert producer_account and region and database and bucket and tables is not None
    assert share_accounts is not None and consumer_account and link and job_role
    return Config(
        producer=ProducerConfig(
            account_id=producer_account,
            region=region,
            database=database,
            tables=tables,
            bucket=bucket,
            prefix=(prefix or "").rstrip("/"),
            organization_id=organization_id if not share_accounts else None,
            share_accounts=share_accounts,
            assume_role_arn=producer_role,
            profile=producer_profile,
            iam_allowed_principals=access_mode or "report",
        ),
        consumer=ConsumerConfig(
            account_id=consumer_account,
            resource_link=link,
            job_role_arn=job_role,
            assume_role_arn=consumer_role,
            profile=consumer_profile,
        ),
    )


def _is_glue_name(value: object) -> bool:
    return isinstance(value, str) and GLUE_NAME_RE.fullmatch(value) is not None


def parse_period(value: str) -> tuple[str, str]:
    """``"2024-05"`` -> ``("2024", "05")``; raise ``ConfigError`` otherwise."""
    match = PERIOD_RE.fullmatch(value)
    if match is None:
        raise ConfigError("--period", (f"{value!r} is not a billing period like 2024-05",))
    return match.group("year"), match.group("month")
