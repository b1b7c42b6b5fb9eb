"""The configuration checker both admin tools build on: TOML in, one message per bad value out.

``load_toml`` reads a file (missing, not UTF-8, unreadable, not TOML: one sentence each);
``Checker`` walks the parsed tables and collects one message per bad value, naming its section,
key, the value and the rule, so that a user can fix them all in one go. The validators (account
id, region, role ARN, Glue name, bucket, profile) are defined once here. Nothing here touches AWS
or the network (regions are checked against botocore's bundled endpoint data).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from awsplan.errors import ConfigError
from awsplan.regions import region_problem

# Every pattern is ASCII-only (re.ASCII): \d and \w would otherwise accept full-width or
# Arabic-Indic digits and non-Latin letters, which AWS rejects.
ACCOUNT_ID_RE = re.compile(r"\d{12}", re.ASCII)
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
PROFILE_RE = re.compile(r"[\w+=,.@:/-]{1,128}", re.ASCII)
ANY_TEXT_RE = re.compile(r".+", re.DOTALL)

ACCOUNT_RULE = 'a 12-digit AWS account id in quotes, e.g. "111111111111"'
REGION_RULE = 'an AWS region like "us-east-1"'
GLUE_NAME_RULE = "1-255 lower-case letters, digits or underscores (Glue/Athena name rules)"
PROFILE_RULE = "an AWS profile name"


def role_rule(example_account: str = "111111111111") -> str:
    return f"an IAM role ARN like arn:aws:iam::{example_account}:role/name"


def role_account(role_arn: str) -> str | None:
    """The account an IAM role ARN belongs to (``None`` when it is not a role ARN)."""
    match = ROLE_ARN_RE.fullmatch(role_arn)
    return match.group("account") if match else None


def role_name(role_arn: str) -> str:
    """The role name of a (validated) role ARN, without its path."""
    match = ROLE_ARN_RE.fullmatch(role_arn)
    if match is None:
        raise ValueError(f"not an IAM role ARN: {role_arn}")
    return match.group("name")


def bucket_problem(name: str) -> str | None:
    """Why ``name`` is not a valid S3 bucket name (general purpose bucket rules), if it is not."""
    if not BUCKET_RE.fullmatch(name):
        return (
            "3-63 characters of lower-case letters, digits, dots and hyphens, starting and "
            "ending with a letter or digit"
        )
    if ".." in name or ".-" in name or "-." in name:
        return "no two adjacent dots and no dot next to a hyphen"
    if IP_RE.fullmatch(name):
        return "must not look like an IP address"
    if name.startswith(("xn--", "sthree-")) or name.endswith(("-s3alias", "--ol-s3")):
        return "reserved prefix or suffix (xn--, sthree-, -s3alias, --ol-s3)"
    return None


def load_toml(path: str | Path, *, missing_hint: str) -> dict[str, Any]:
    """The parsed TOML of ``path``; ``ConfigError`` with one sentence when it cannot be read.

    ``missing_hint`` says how to get a file when there is none (e.g. run ``init``).
    """
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(source, (f"file not found; {missing_hint}",)) from None
    except UnicodeDecodeError:
        raise ConfigError(source, ("not UTF-8 text; save the file as UTF-8",)) from None
    except OSError as error:
        raise ConfigError(source, (f"cannot read the file: {error.strerror}",)) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(source, (f"not valid TOML: {error}",)) from None


class Checker:
    """Collects one message per bad value; each getter returns ``None`` for a bad value.

    A getter given ``values=None`` (its whole section is missing, already reported once) returns
    ``None`` without a further message.
    """

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self.problems: list[str] = []

    def bad(self, section: str, key: str, message: str) -> None:
        self.problems.append(f"[{section}] {key}: {message}")

    def raise_if_any(self, source: str) -> None:
        if self.problems:
            raise ConfigError(source, tuple(self.problems))

    def unknown_sections(self, allowed: Iterable[str]) -> None:
        names = tuple(allowed)
        for name in sorted(set(self.data) - set(names)):
            self.problems.append(
                f"[{name}]: unknown section (allowed: " + ", ".join(f"[{s}]" for s in names) + ")"
            )

    def section(
        self, name: str, allowed: frozenset[str], *, required: bool = True
    ) -> Mapping[str, Any] | None:
        """The section's values (``{}`` when optional and absent); ``None`` (reported once)
        when a required section is missing or the value is not a table."""
        value = self.data.get(name)
        if value is None:
            if required:
                self.problems.append(f"[{name}]: section is missing")
                return None
            return {}
        if not isinstance(value, Mapping):
            self.problems.append(f"[{name}]: must be a table (a [{name}] section)")
            return None
        for key in sorted(set(value) - allowed):
            self.bad(name, key, f"unknown key (allowed: {', '.join(sorted(allowed))})")
        return value

    def string(
        self,
        section: str,
        values: Mapping[str, Any] | None,
        key: str,
        pattern: re.Pattern[str],
        rule: str,
        *,
        required: bool = False,
        default: str | None = None,
    ) -> str | None:
        if values is None:
            return None
        if key not in values:
            if required:
                self.bad(section, key, f"missing ({rule})")
            return default
        value = values[key]
        if not isinstance(value, str):
            self.bad(section, key, f"must be a quoted string ({rule}), got {value!r}")
            return None
        if not pattern.fullmatch(value):
            self.bad(section, key, f"{value!r} is not valid: {rule}")
            return None
        return value

    def region(
        self, section: str, values: Mapping[str, Any] | None, key: str, *, required: bool = True
    ) -> str | None:
        """An AWS region botocore knows as a Glue region."""
        region = self.string(section, values, key, REGION_RE, REGION_RULE, required=required)
        if region is not None and (why := region_problem(region)):
            self.bad(section, key, f"{region!r} is {why}")
            return None
        return region

    def bucket(
        self, section: str, values: Mapping[str, Any] | None, key: str, *, required: bool = True
    ) -> str | None:
        bucket = self.string(
            section, values, key, ANY_TEXT_RE, "an S3 bucket name", required=required
        )
        if bucket is not None and (why := bucket_problem(bucket)):
            self.bad(section, key, f"{bucket!r} is not a valid bucket name: {why}")
            return None
        return bucket

    def role_in_account(
        self, section: str, key: str, role_arn: str | None, account: str | None, where: str
    ) -> str | None:
        """``role_arn`` unless it lies in an account other than ``account`` (named ``where``)."""
        if role_arn is None or account is None:
            return role_arn
        found = role_account(role_arn)
        if found is not None and found != account:
            self.bad(section, key, f"{role_arn!r} is in account {found}, not in {where} {account}")
            return None
        return role_arn

    def choice(
        self,
        section: str,
        values: Mapping[str, Any],
        key: str,
        allowed: tuple[str, ...],
        default: str,
    ) -> str | None:
        value = values.get(key, default)
        if value not in allowed:
            options = " or ".join(f'"{a}"' for a in allowed)
            self.bad(section, key, f"{value!r} is not valid: {options}")
            return None
        return str(value)

    def boolean(
        self, section: str, values: Mapping[str, Any], key: str, default: bool
    ) -> bool | None:
        value = values.get(key, default)
        if not isinstance(value, bool):
            self.bad(section, key, f"must be true or false, got {value!r}")
            return None
        return value

    def integer(
        self, section: str, values: Mapping[str, Any], key: str, default: int, low: int, high: int
    ) -> int | None:
        value = values.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            self.bad(section, key, f"must be a whole number from {low} to {high}, got {value!r}")
            return None
        if not low <= value <= high:
            self.bad(section, key, f"{value} is out of range: from {low} to {high}")
            return None
        return value
