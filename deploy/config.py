"""The deploy configuration: TOML in, frozen dataclasses out, checked before any AWS call.

Each bad value yields exactly one message naming its section, key, the value and the rule, so a
user can fix them all in one go. Nothing here touches AWS or the network.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from awsplan.config import (
    ACCOUNT_ID_RE,
    ACCOUNT_RULE,
    ANY_TEXT_RE,
    GLUE_NAME_RE,
    GLUE_NAME_RULE,
    PROFILE_RE,
    PROFILE_RULE,
    ROLE_ARN_RE,
    Checker,
    bucket_problem,
    load_toml,
    role_rule,
)
from awsplan.errors import ConfigError
from cur_analysis.errors import InvalidInputError
from cur_analysis.periods import checked_period_texts
from deploy.errors import DeployConfigError
from deploy.glue_rules import (
    DEFAULT_GLUE_VERSION,
    EXECUTION_CLASSES,
    GLUE_VERSIONS,
    cron_problem,
    execution_class_problem,
    worker_type_problem,
)

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
    hint = f"copy {example_path().name} from the package and edit it"
    try:
        data = load_toml(path, missing_hint=hint)
        return parse_config(data, source=str(path), base=Path(path).resolve().parent)
    except DeployConfigError:
        raise
    except ConfigError as error:
        raise DeployConfigError(error.source, error.problems) from None


def _periods_problem(value: str) -> str | None:
    """``YYYY-MM`` or ``last:N``, comma-separated: the job script's own rule (``periods``)."""
    try:
        checked_period_texts([value])
    except InvalidInputError as error:
        return f"{error} (or last:N for the N latest periods, e.g. last:2)"
    return None


ROLE_RULE = role_rule("222222222222")
NAME_RULE = "1-255 letters, digits, '.', '_' or '-'"


def parse_config(
    data: Mapping[str, Any], *, source: str = "config", base: Path | None = None
) -> DeployConfig:
    """Validate every value of the parsed TOML, section by section; never touches AWS."""
    c = Checker(data)
    c.unknown_sections(SECTIONS)
    a, r, j, s = (
        c.section(name, allowed, required=name in REQUIRED_SECTIONS) or {}
        for name, allowed in SECTIONS.items()
    )
    aws = _aws(c, a)
    artifacts = _artifacts(c, r, base)
    job = _job(c, j, aws.account_id if aws else None)
    schedule = _schedule(c, s, job.name if job else None)
    if c.problems:
        raise DeployConfigError(source, tuple(c.problems))
    assert aws and artifacts and job and schedule
    return DeployConfig(aws, artifacts, job, schedule)


def _aws(c: Checker, a: Mapping[str, Any]) -> AwsConfig | None:
    region = c.region("aws", a, "region")
    account_id = c.string("aws", a, "account_id", ACCOUNT_ID_RE, ACCOUNT_RULE)
    profile = c.string("aws", a, "profile", PROFILE_RE, PROFILE_RULE)
    assume_role_arn = c.string("aws", a, "assume_role_arn", ROLE_ARN_RE, ROLE_RULE)
    if region is None or ("account_id" in a and account_id is None):
        return None
    return AwsConfig(region, account_id, profile, assume_role_arn)


def _artifacts(c: Checker, r: Mapping[str, Any], base: Path | None) -> ArtifactsConfig | None:
    bucket = c.bucket("artifacts", r, "bucket")
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
        "artifacts", r, "dist", ANY_TEXT_RE, "a folder holding the wheel", default="dist"
    )
    if bucket is None or prefix is None or dist_text is None:
        return None
    dist = Path(dist_text).expanduser()
    if not dist.is_absolute() and base is not None:
        dist = base / dist
    return ArtifactsConfig(bucket, prefix.strip("/"), dist)


def _job(c: Checker, j: Mapping[str, Any], account_id: str | None) -> JobConfig | None:
    name = c.string("job", j, "name", JOB_NAME_RE, NAME_RULE, required=True)
    role_arn = c.string("job", j, "role_arn", ROLE_ARN_RE, ROLE_RULE, required=True)
    role_arn = c.role_in_account("job", "role_arn", role_arn, account_id, "[aws] account_id")
    script = c.string(
        "job",
        j,
        "script",
        SCRIPT_RE,
        "the file name of a job script in the dist folder, e.g. cur_cost_aggregation.py",
        default="cur_cost_aggregation.py",
    )
    glue_version, worker_type, execution_class = _glue_runtime(c, j)
    lake_formation = c.boolean("job", j, "lake_formation", False)
    workers = c.integer("job", j, "number_of_workers", 2, 2, 299)
    timeout = c.integer("job", j, "timeout_minutes", 120, 1, 2880)
    retries = c.integer("job", j, "max_retries", 1, 0, 10)
    concurrent = c.integer("job", j, "max_concurrent_runs", 1, 1, 1000)
    source_database = c.string(
        "job", j, "source_database", GLUE_NAME_RE, GLUE_NAME_RULE, default="cur_org_linked"
    )
    source_table = c.string(
        "job", j, "source_table", GLUE_NAME_RE, GLUE_NAME_RULE, default="legacy_all"
    )
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
    output_path = _output_path(c, j)
    output_database = c.string(
        "job", j, "output_database", GLUE_NAME_RE, GLUE_NAME_RULE, default="cur_analysis"
    )
    extra = _extra_arguments(c, j.get("arguments", {}))
    values = (name, role_arn, script, glue_version, worker_type, execution_class, lake_formation)
    values += (workers, timeout, retries, concurrent, source_database, source_table, periods)
    if None in (*values, output_path, output_database, extra):
        return None
    assert name and role_arn and script and worker_type and source_database and source_table
    assert periods and output_path and output_database and glue_version and execution_class
    return JobConfig(
        name=name,
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
        extra_arguments=extra or (),
        glue_version=glue_version,
        execution_class=execution_class,
        lake_formation=bool(lake_formation),
    )


def _glue_runtime(c: Checker, j: Mapping[str, Any]) -> tuple[str | None, str | None, str | None]:
    """Glue version, worker type and execution class, each checked against the others."""
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
    return glue_version, worker_type, execution_class


def _output_path(c: Checker, j: Mapping[str, Any]) -> str | None:
    output_path = c.string(
        "job",
        j,
        "output_path",
        S3_URI_RE,
        'an S3 URI like "s3://my-analytics-bucket/cur-datasets"',
        required=True,
    )
    if output_path is not None:
        match = S3_URI_RE.fullmatch(output_path)
        name = match.group("bucket") if match else ""
        if why := bucket_problem(name):
            c.bad("job", "output_path", f"{output_path!r}: bucket {name!r} is not valid: {why}")
            return None
    return output_path


def _schedule(c: Checker, s: Mapping[str, Any], job_name: str | None) -> ScheduleConfig | None:
    name = c.string(
        "schedule",
        s,
        "name",
        JOB_NAME_RE,
        NAME_RULE,
        default=f"{job_name}-daily" if job_name else None,
    )
    cron = c.string(
        "schedule", s, "cron", ANY_TEXT_RE, "a Glue cron expression", default=DEFAULT_CRON
    )
    if cron is not None and (why := cron_problem(cron)):
        c.bad("schedule", "cron", why)
        cron = None
    enabled = c.boolean("schedule", s, "enabled", True)
    if name is None or cron is None or enabled is None:
        return None
    return ScheduleConfig(name, cron, enabled)


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


def _extra_arguments(c: Checker, raw: object) -> tuple[tuple[str, str], ...] | None:
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
