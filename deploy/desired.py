"""The desired state of a deployment, as frozen values built from the configuration and ``dist/``.

Reading the artifacts (the wheel, the job script) happens here, before any AWS call; the request
shapes are the ones Glue's CreateJob/UpdateJob, CreateTrigger/UpdateTrigger and S3's PutObject take.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from awsplan.aws import partition_for
from awsplan.config import ROLE_ARN_RE
from deploy.config import DeployConfig
from deploy.errors import DeployError
from deploy.glue_rules import DEFAULT_GLUE_VERSION
from deploy.lake_formation import OutputGrants

WHEEL_GLOB = "cur_analysis-*.whl"
SHA256_METADATA = "sha256"  # x-amz-meta-sha256: the checksum compared to skip unchanged uploads
MANAGED_BY = {"managed-by": "cur-analysis-deploy"}
# The names of the [job.arguments] deploy set, space-separated, on the job: the next deploy removes
# one that left the configuration and keeps every other argument it did not set (a user's).
ARGUMENTS_TAG = "cur-analysis-deploy:arguments"


@dataclass(frozen=True)
class S3Object:
    bucket: str
    key: str
    body: bytes
    content_type: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


@dataclass(frozen=True)
class Bucket:
    name: str
    region: str


@dataclass(frozen=True)
class OutputDatabase:
    name: str
    description: str
    location: str


@dataclass(frozen=True)
class GlueJob:
    """One Glue job definition; ``definition()`` is the JobUpdate (and CreateJob) shape."""

    name: str
    arn: str
    role_arn: str
    script_location: str
    default_arguments: tuple[tuple[str, str], ...]
    worker_type: str
    number_of_workers: int
    timeout_minutes: int
    max_retries: int
    max_concurrent_runs: int
    description: str
    glue_version: str = DEFAULT_GLUE_VERSION
    execution_class: str = "STANDARD"
    extra_argument_names: tuple[str, ...] = ()

    @property
    def arguments_tag(self) -> str:
        return " ".join(self.extra_argument_names)

    def tags(self) -> dict[str, str]:
        return {**MANAGED_BY, ARGUMENTS_TAG: self.arguments_tag}

    def definition(self) -> dict[str, Any]:
        """Every field deploy manages; ``planner.CARRIED_JOB_FIELDS`` lists the ones it keeps."""
        return {
            "Description": self.description,
            "Role": self.role_arn,
            "ExecutionProperty": {"MaxConcurrentRuns": self.max_concurrent_runs},
            "Command": {
                "Name": "glueetl",
                "ScriptLocation": self.script_location,
                "PythonVersion": "3",
            },
            "DefaultArguments": dict(self.default_arguments),
            "MaxRetries": self.max_retries,
            "Timeout": self.timeout_minutes,
            "WorkerType": self.worker_type,
            "NumberOfWorkers": self.number_of_workers,
            "GlueVersion": self.glue_version,
            "ExecutionClass": self.execution_class,
        }


@dataclass(frozen=True)
class ScheduledTrigger:
    name: str
    schedule: str
    job_name: str
    enabled: bool
    description: str

    def definition(self) -> dict[str, Any]:
        """The TriggerUpdate shape (without ``Name``)."""
        return {
            "Description": self.description,
            "Schedule": self.schedule,
            "Actions": [{"JobName": self.job_name}],
        }


@dataclass(frozen=True)
class Desired:
    bucket: Bucket
    objects: tuple[S3Object, ...]
    database: OutputDatabase
    job: GlueJob
    trigger: ScheduledTrigger
    lake_formation: OutputGrants | None = None


def find_wheel(dist: Path) -> Path:
    """The one ``cur_analysis-*.whl`` in ``dist``; a clear error when there is none or several."""
    if not dist.is_dir():
        raise DeployError(f"the dist folder {dist} does not exist: run 'make package' first")
    wheels = sorted(dist.glob(WHEEL_GLOB))
    if not wheels:
        raise DeployError(f"no {WHEEL_GLOB} in {dist}: run 'make package' first")
    if len(wheels) > 1:
        names = ", ".join(w.name for w in wheels)
        raise DeployError(f"several wheels in {dist} ({names}): run 'make package' to rebuild it")
    return wheels[0]


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise DeployError(f"{what} {path} not found: run 'make package' first") from None
    except OSError as error:
        raise DeployError(f"cannot read {what} {path}: {error.strerror}") from None


def desired_state(config: DeployConfig) -> Desired:
    """Everything ``deploy`` makes exist, from the configuration and the files in ``dist``."""
    art, job, schedule = config.artifacts, config.job, config.schedule
    base = f"{art.prefix}/" if art.prefix else ""
    wheel_path = find_wheel(art.dist)
    wheel = S3Object(
        art.bucket,
        f"{base}wheels/{wheel_path.name}",
        _read(wheel_path, "wheel"),
        "application/zip",
    )
    script = S3Object(
        art.bucket,
        f"{base}jobs/{job.script}",
        _read(art.dist / job.script, "job script"),
        "text/x-python",
    )
    arguments = {
        "--source_database": job.source_database,
        "--source_table": job.source_table,
        "--periods": job.periods,
        "--output_path": job.output_path,
        "--output_database": job.output_database,
        "--enable-glue-datacatalog": "true",
        "--job-bookmark-option": "job-bookmark-disable",
        "--job-language": "python",
        # pip-installs the wheel on every worker; its only requirement is a boto3 floor that the
        # Glue 5.1 and 6.0 runtimes already satisfy, so nothing the runtime provides is replaced.
        "--additional-python-modules": wheel.uri,
        **dict(job.extra_arguments),
    }
    role = ROLE_ARN_RE.fullmatch(job.role_arn)
    assert role is not None  # validated by the configuration
    region = config.aws.region
    glue_job = GlueJob(
        name=job.name,
        # a Glue job lives in its role's account
        arn=f"arn:{partition_for(region)}:glue:{region}:{role.group('account')}:job/{job.name}",
        role_arn=job.role_arn,
        script_location=script.uri,
        default_arguments=tuple(sorted(arguments.items())),
        worker_type=job.worker_type,
        number_of_workers=job.number_of_workers,
        timeout_minutes=job.timeout_minutes,
        max_retries=job.max_retries,
        max_concurrent_runs=job.max_concurrent_runs,
        glue_version=job.glue_version,
        execution_class=job.execution_class,
        extra_argument_names=tuple(name for name, _ in job.extra_arguments),
        description=(
            f"cur-analysis cost datasets from {job.source_database}.{job.source_table} "
            "(managed by cur-analysis deploy)"
        ),
    )
    trigger = ScheduledTrigger(
        name=schedule.name,
        schedule=schedule.cron,
        job_name=job.name,
        enabled=schedule.enabled,
        description=f"runs {job.name} on {schedule.cron} (managed by cur-analysis deploy)",
    )
    database = OutputDatabase(
        name=job.output_database,
        description="cur-analysis cost datasets (managed by cur-analysis deploy)",
        location=f"{job.output_path}/",
    )
    return Desired(
        bucket=Bucket(art.bucket, config.aws.region),
        objects=(wheel, script),
        database=database,
        job=glue_job,
        trigger=trigger,
        lake_formation=output_grants(config) if job.lake_formation else None,
    )


def output_grants(config: DeployConfig) -> OutputGrants:
    """In the job's own catalog: a Glue job runs in its role's account."""
    match = ROLE_ARN_RE.fullmatch(config.job.role_arn)
    assert match is not None  # validated by the configuration
    return OutputGrants(
        role_arn=config.job.role_arn,
        catalog_id=match.group("account"),
        database=config.job.output_database,
        output_path=config.job.output_path,
    )
