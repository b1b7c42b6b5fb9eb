"""Fixtures for the deploy tests: one moto server (server mode) per module, reset per test.

boto3 reaches moto through ``AWS_ENDPOINT_URL`` with dummy credentials, like any AWS endpoint, so
the code under test runs unchanged. moto 5.2.5 implements neither ``UpdateJob`` nor
``UpdateTrigger`` (its Glue responses have no such method and answer "not yet implemented"); the
two stand-ins below add them to the server, following the AWS API reference: UpdateJob overwrites
the whole job definition with ``JobUpdate`` and keeps the job (its ``CreatedOn``), UpdateTrigger
changes the fields given in ``TriggerUpdate``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.core.responses import ActionResult
from moto.core.utils import utcnow
from moto.glue.responses import GlueResponse
from moto.glue.utils import Action as GlueTriggerAction

from bootstrap.aws import AccountClients
from tests.moto_support import moto_server, reset_moto

REGION = "eu-west-1"
PROJECT = Path(__file__).resolve().parents[2]

_JOB_FIELDS = {
    "Description": "description",
    "LogUri": "log_uri",
    "Role": "role",
    "Command": "command",
    "NonOverridableArguments": "non_overridable_arguments",
    "Connections": "connections",
    "MaxRetries": "max_retries",
    "AllocatedCapacity": "allocated_capacity",
    "Timeout": "timeout",
    "MaxCapacity": "max_capacity",
    "WorkerType": "worker_type",
    "NumberOfWorkers": "number_of_workers",
    "SecurityConfiguration": "security_configuration",
    "NotificationProperty": "notification_property",
    "GlueVersion": "glue_version",
}


def _update_job(self: GlueResponse) -> ActionResult:
    name = self._get_param("JobName")
    update: dict[str, Any] = self._get_param("JobUpdate") or {}
    job = self.glue_backend.get_job(name)  # EntityNotFoundException when missing, as in AWS
    for field, attribute in _JOB_FIELDS.items():
        setattr(job, attribute, update.get(field))
    job.execution_property = update.get("ExecutionProperty") or {}
    job.default_arguments = update.get("DefaultArguments") or {}
    job.last_modified_on = utcnow()
    return ActionResult({"JobName": name})


def _update_trigger(self: GlueResponse) -> ActionResult:
    name = self._get_param("Name")
    update: dict[str, Any] = self._get_param("TriggerUpdate") or {}
    trigger = self.glue_backend.get_trigger(name)
    if "Schedule" in update:
        trigger.schedule = update["Schedule"]
    if "Description" in update:
        trigger.description = update["Description"]
    if "Actions" in update:
        trigger.actions = [GlueTriggerAction(a) for a in update["Actions"]]
    return ActionResult({"Trigger": trigger.as_dict()})


@pytest.fixture(scope="module")
def moto_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    patches = [
        (GlueResponse, "update_job", _update_job),
        (GlueResponse, "update_trigger", _update_trigger),
    ]
    with moto_server(tmp_path_factory.mktemp("aws"), REGION, patches) as url:
        yield url


@pytest.fixture(autouse=True)
def _fresh_moto(moto_url: str) -> None:
    """Every test starts from an empty account."""
    reset_moto(moto_url)


@pytest.fixture
def clients(moto_url: str) -> AccountClients:
    return AccountClients(boto3.Session(region_name=REGION))


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    """A dist folder as ``make package`` leaves it: a wheel (stand-in bytes) and the job script."""
    folder = tmp_path / "dist"
    folder.mkdir()
    (folder / "cur_analysis-0.1.0-py3-none-any.whl").write_bytes(b"PK\x03\x04 stand-in wheel")
    script = PROJECT / "jobs" / "cur_cost_aggregation.py"
    (folder / script.name).write_bytes(script.read_bytes())
    return folder


CONFIG = """
[aws]
region = "{region}"

[artifacts]
bucket = "analytics-glue-artifacts"
prefix = "cur-analysis"
dist = "dist"

[job]
name = "cur-cost-aggregation"
role_arn = "arn:aws:iam::123456789012:role/cur-analysis-glue-job"
worker_type = "G.1X"
number_of_workers = {workers}
output_path = "s3://analytics-datasets/cur"
output_database = "cur_analysis"

[schedule]
cron = "{cron}"
enabled = {enabled}
"""


def write_config(
    folder: Path,
    *,
    workers: int = 2,
    cron: str = "cron(0 6 * * ? *)",
    enabled: bool = True,
    extra: str = "",
) -> Path:
    path = folder / "deploy.toml"
    text = CONFIG.format(region=REGION, workers=workers, cron=cron, enabled=str(enabled).lower())
    path.write_text(text + extra, encoding="utf-8")
    return path
