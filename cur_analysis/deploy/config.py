"""The deploy configuration: TOML in, frozen dataclasses out, checked before any AWS call.

Each bad value yields exactly one message naming its section, key, the value and the rule, so a
user can fix them all in one go. Nothing here touches AWS or the network.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bootstrap.config import (
    ACCOUNT_ID_RE,
    GLUE_NAME_RE,
    PROFILE_RE,
    REGION_RE,
    ROLE_ARN_RE,
    _bucket_problem,
)
from cur_analysis.deploy.errors import DeployConfigError
from cur_analysis.deploy.glue_rules import (
    DEFAULT_GLUE_VERSION,
    EXECUTION_CLASSES,
    GLUE_VERSIONS,
    cron_problem,
    execution_class_problem,
    worker_type_problem,
)
from cur_analysis.errors import InvalidInputError
from cur_analysis.periods import checked_period_texts

DEFAULT_CONFIG_PATH = "deploy.toml"

# Daily at 06:00 UTC: the CUR is restated several times a day while a month is open, so the job
# recomputes the open month (and the one before, for late restatements) every day.
DEFAULT_CRON = "cron(0 6 * * ? *)"
DEFAULT_PERIODS = "last:2"

JOB_NAME_RE = re.compile(r"[A-Za-z0-9_.-]{1,255}")
SCRIPT_RE = re.compile(r"[A-Za-z0-9_.-]+\.py")
PREFIX_RE = re.compile(r"[A-Za-z0-9!_.*'()/-]{1,512}")
S3_URI_RE = re.compile(r"s3://(?P<bucket>[^/\s]+)(?:/(?P<key>\S*))?")
ARGUMENT_RE = re.compile(r"--[A-Za-z0-9_.-]+")

SECTIONS: dict[str, frozenset[str]] = {
    "aws": frozenset({"region", "account_id", "profile", "assume_role_arn"}),
    "artifacts": frozenset({"bucket", "prefix", "dist"}),
    "job": frozenset(
        {
            "name",
            "role_arn",
            "script",
            "glue_version",
            "execution_class",
            "lake_formation",
            "worker_type",
            "number_of_workers",
            "timeout_minutes",
            "max_retries",
            "max_concurrent_runs",
            "source_database",
            "source_table",
            "periods",
            "output_path",
            "output_database",
            "arguments",
        }
    ),
    "schedule": frozenset({"name", "cron", "enabled"}),
}
REQUIRED_SECTIONS = ("aws", "artifacts", "job")


@dataclass(frozen=True)
class AwsConfig:
    region: str
    account_id: str | None = None
    profile: str | None = None
    assume_role_arn: str | None = None


@dataclass(frozen=True)
class ArtifactsConfig:
    """Where the wheel and job script go (``s3://bucket/prefix/...``) and where they come from."""

    bucket: str
    prefix: str
    dist: Path


@dataclass(frozen=True)
class JobConfig:
    name: str
    role_arn: str
    script: str
    worker_type: str
    number_of_workers: int
    timeout_minutes: int
    max_retries: int
    max_concurrent_runs: int
    source_database: str
    source_table: str
    periods: str
    output_path: str
    output_database: str
    extra_arguments: tuple[tuple[str, str], ...] = ()
    glue_version: str = DEFAULT_GLUE_VERSION
    execution_class: str = "STANDARD"
    # Grant the job role Lake Formation permissions on the output database (and its location).
    lake_formation: bool = False


@dataclass(frozen=True)
class ScheduleConfig:
    name: str
    cron: str
    enabled: bool


@dataclass(frozen=True)
class DeployConfig:
    aws: AwsConfig
    artifacts: ArtifactsConfig
    job: JobConfig
    schedule: ScheduleConfig


def example_path() -> Path:
    """The commented example shipped next to this module."""
    return Path(__file__).with_name("example.toml")


def load_config(path: str | Path) -> DeployConfig:
    """Read and validate ``path``; raise ``DeployConfigError`` listing every bad value.

    A relative ``[artifacts] dist`` is taken relative to the folder of the configuration file.
    """
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DeployConfigError(
            source, (f"file not found; copy {example_path().name} from the package and edit it",)
        ) from None
    except OSError as error:
        raise DeployConfigError(source, (f"cannot read the file: {error.strerror}",)) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise DeployConfigError(source, (f"not valid TOML: {error}",)) from None
    return parse_config(data, source=source, base=Path(path).resolve().parent)


class _Checker:
    """Collects one message per bad value; each getter returns ``None`` for a bad value."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def bad(self, section: str, key: str, message: str) -> None:
        self.problems.append(f"[{section}] {key}: {message}")

    def string(
        self,
        section: str,
        values: Mapping[str, Any],
        key: str,
        pattern: re.Pattern[str],
        rule: str,
        *,
        default: str | None = None,
        required: bool = False,
    ) -> str | None:
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


def _periods_problem(value: str) -> str | None:
    """``YYYY-MM`` or ``last:N``, comma-separated: the job script's own rule (``periods``)."""
    try:
        checked_period_texts([value])
    except InvalidInputError as error:
        return f"{error} (or last:N for the N latest periods, e.g. last:2)"
    return None


def parse_config(
    data: Mapping[str, Any], *, source: str = "config", base: Path | None = None
) -> DeployConfig:
    """Validate every value of the parsed TOML; never touches AWS."""
    c = _Checker()
    sections: dict[str, Mapping[str, Any]] = {}
    for name in sorted(set(data) - set(SECTIONS)):
        c.problems.append(
            f"[{name}]: unknown section (allowed: " + ", ".join(f"[{s}]" for s in SECTIONS) + ")"
        )
    for name, allowed in SECTIONS.items():
        value = data.get(name, {} if name not in REQUIRED_SECTIONS else None)
        if value is None:
            c.problems.append(f"[{name}]: section is missing")
            value = {}
        elif not isinstance(value, Mapping):
            c.problems.append(f"[{name}]: must be a table (a [{name}] section)")
            value = {}
        for key in sorted(set(value) - allowed):
            c.bad(name, key, f"unknown key (allowed: {', '.join(sorted(allowed))})")
        sections[name] = value
    a, r, j, s = (sections[n] for n in ("aws", "artifacts", "job", "schedule"))

    role_rule = "an IAM role ARN like arn:aws:iam::222222222222:role/name"
    glue_rule = "1-255 lower-case letters, digits or underscores (Glue/Athena name rules)"

    region = c.string(
        "aws", a, "region", REGION_RE, 'an AWS region like "us-east-1"', required=True
    )
    account_id = c.string(
        "aws", a, "account_id", ACCOUNT_ID_RE, 'a 12-digit account id in quotes, "222222222222"'
    )
    profile = c.string("aws", a, "profile", PROFILE_RE, "an AWS profile name")
    assume_role_arn = c.string("aws", a, "assume_role_arn", ROLE_ARN_RE, role_rule)

    bucket = c.string(
        "artifacts", r, "bucket", re.compile(r".+"), "an S3 bucket name", required=True
    )
    if bucket is not None and (why := _bucket_problem(bucket)):
        c.bad("artifacts", "bucket", f"{bucket!r} is not a valid bucket name: {why}")
        bucket = None
    prefix = c.string(
        "artifacts",
        r,
        "prefix",
        PREFIX_RE,
        'an S3 key prefix without spaces, e.g. "cur-analysis"',
        default="cur-analysis",
    )
    if prefix is not None and (prefix.startswith("/") or "//" in prefix):
        c.bad("artifacts", "prefix", f"{prefix!r} must not start with '/' or contain '//'")
        prefix = None
    dist_text = c.string(
        "artifacts", r, "dist", re.compile(r".+"), "a folder holding the wheel", default="dist"
    )

    job_name = c.string(
        "job", j, "name", JOB_NAME_RE, "1-255 letters, digits, '.', '_' or '-'", required=True
    )
    role_arn = c.string("job", j, "role_arn", ROLE_ARN_RE, role_rule, required=True)
    if role_arn and account_id:
        match = ROLE_ARN_RE.fullmatch(role_arn)
        if match and match.group("account") != account_id:
            c.bad(
                "job",
                "role_arn",
                f"{role_arn!r} is in account {match.group('account')}, not in [aws] account_id "
                f"{account_id}",
            )
            role_arn = None
    script = c.string(
        "job",
        j,
        "script",
        SCRIPT_RE,
        "the file name of a job script in the dist folder, e.g. cur_cost_aggregation.py",
        default="cur_cost_aggregation.py",
    )
    glue_version = c.choice("job", j, "glue_version", GLUE_VERSIONS, DEFAULT_GLUE_VERSION)
    worker_type = c.string(
        "job", j, "worker_type", re.compile(r"\S+"), "a Glue worker type", default="G.1X"
    )
    if worker_type and glue_version and (why := worker_type_problem(worker_type, glue_version)):
        c.bad("job", "worker_type", why)
        worker_type = None
    execution_class = c.choice("job", j, "execution_class", EXECUTION_CLASSES, "STANDARD")
    if (
        execution_class
        and worker_type
        and (why := execution_class_problem(execution_class, worker_type))
    ):
        c.bad("job", "execution_class", why)
        execution_class = None
    lake_formation = c.boolean("job", j, "lake_formation", False)
    workers = c.integer("job", j, "number_of_workers", 2, 2, 299)
    timeout = c.integer("job", j, "timeout_minutes", 120, 1, 2880)
    retries = c.integer("job", j, "max_retries", 1, 0, 10)
    concurrent = c.integer("job", j, "max_concurrent_runs", 1, 1, 1000)
    source_database = c.string(
        "job", j, "source_database", GLUE_NAME_RE, glue_rule, default="cur_org_linked"
    )
    source_table = c.string("job", j, "source_table", GLUE_NAME_RE, glue_rule, default="legacy_all")
    periods = c.string(
        "job",
        j,
        "periods",
        re.compile(r"[^\s]+"),
        "last:N or comma-separated YYYY-MM without spaces",
        default=DEFAULT_PERIODS,
    )
    if periods is not None and (why := _periods_problem(periods)):
        c.bad("job", "periods", why)
        periods = None
    output_path = c.string(
        "job",
        j,
        "output_path",
        S3_URI_RE,
        'an S3 URI like "s3://my-analytics-bucket/cur-datasets"',
        required=True,
    )
    if output_path is not None:
        out_bucket = S3_URI_RE.fullmatch(output_path)
        out_name = out_bucket.group("bucket") if out_bucket else ""
        if why := _bucket_problem(out_name):
            c.bad("job", "output_path", f"{output_path!r}: bucket {out_name!r} is not valid: {why}")
            output_path = None
    output_database = c.string(
        "job", j, "output_database", GLUE_NAME_RE, glue_rule, default="cur_analysis"
    )
    extra = _extra_arguments(c, j.get("arguments", {}))

    schedule_name = c.string(
        "schedule",
        s,
        "name",
        JOB_NAME_RE,
        "1-255 letters, digits, '.', '_' or '-'",
        default=f"{job_name}-daily" if job_name else None,
    )
    cron = c.string(
        "schedule", s, "cron", re.compile(r".+"), "a Glue cron expression", default=DEFAULT_CRON
    )
    if cron is not None and (why := cron_problem(cron)):
        c.bad("schedule", "cron", why)
        cron = None
    enabled = c.boolean("schedule", s, "enabled", True)

    if c.problems:
        raise DeployConfigError(source, tuple(c.problems))
    assert region and bucket and prefix is not None and dist_text and job_name and role_arn
    assert script and worker_type and source_database and source_table and periods
    assert glue_version and execution_class and lake_formation is not None and enabled is not None
    assert output_path and output_database and schedule_name and cron and extra is not None
    assert None not in (workers, timeout, retries, concurrent)
    dist = Path(dist_text).expanduser()
    if not dist.is_absolute() and base is not None:
        dist = base / dist
    return DeployConfig(
        aws=AwsConfig(region, account_id, profile, assume_role_arn),
        artifacts=ArtifactsConfig(bucket, prefix.strip("/"), dist),
        job=JobConfig(
            name=job_name,
            role_arn=role_arn,
            script=script,
            worker_type=worker_type,
            number_of_workers=int(workers or 0),
            timeout_minutes=int(timeout or 0),
            max_retries=int(retries or 0),
            max_concurrent_runs=int(concurrent or 0),
            source_database=source_database,
            source_table=source_table,
            periods=periods,
            output_path=output_path.rstrip("/"),
            output_database=output_database,
            extra_arguments=extra,
            glue_version=glue_version,
            execution_class=execution_class,
            lake_formation=lake_formation,
        ),
        schedule=ScheduleConfig(schedule_name, cron, enabled),
    )


# A tag value's maximum length (Glue TagResource): deploy records [job.arguments] names in one.
MAX_TAG_VALUE = 256
# The job arguments deploy always sets; [job.arguments] may add others but not these.
MANAGED_ARGUMENTS = frozenset(
    {
        "--source_database",
        "--source_table",
        "--periods",
        "--output_path",
        "--output_database",
        "--enable-glue-datacatalog",
        "--job-bookmark-option",
        "--additional-python-modules",
        "--extra-py-files",
        "--job-language",
    }
)


def _extra_arguments(c: _Checker, raw: object) -> tuple[tuple[str, str], ...] | None:
    if not isinstance(raw, Mapping):
        c.bad(
            "job",
            "arguments",
            f'must be a table like {{ "--enable-metrics" = "true" }}, got {raw!r}',
        )
        return None
    found: list[tuple[str, str]] = []
    ok = True
    for key, value in sorted(raw.items()):
        if not ARGUMENT_RE.fullmatch(key):
            c.bad("job", f"arguments.{key}", "argument names start with -- (e.g. --enable-metrics)")
            ok = False
        elif key in MANAGED_ARGUMENTS:
            c.bad("job", f"arguments.{key}", "set by deploy from the [job] keys; remove it here")
            ok = False
        elif not isinstance(value, str):
            c.bad("job", f"arguments.{key}", f"must be a quoted string, got {value!r}")
            ok = False
        else:
            found.append((key, value))
    if ok and len(" ".join(name for name, _ in found)) > MAX_TAG_VALUE:
        c.bad(
            "job",
            "arguments",
            f"the argument names take more than {MAX_TAG_VALUE} characters together; deploy "
            "records them in a job tag (at most 256 characters): move some into one argument",
        )
        ok = False
    return tuple(found) if ok else None
