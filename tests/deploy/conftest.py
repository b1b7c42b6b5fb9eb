"""Fixtures for the deploy tests: one moto server (server mode) per module, reset per test.

boto3 reaches moto through ``AWS_ENDPOINT_URL`` with dummy credentials, like any AWS endpoint, so
the code under test runs unchanged. moto 5.2.5 implements neither ``UpdateJob`` nor
``UpdateTrigger`` (its Glue responses have no such method and answer "not yet implemented"); the
stand-ins below add them to the server, following the AWS API reference. Two more patches make the
server as strict as AWS where deploy depends on it: GetJob reports ``MaxCapacity`` for jobs sized
by workers; and the strict Lake Formation both admin tools' tests share
(``tests.support_moto.lake_formation_patches``). Helpers live in ``support``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.core.responses import ActionResult
from moto.core.utils import utcnow
from moto.glue.exceptions import GlueClientError
from moto.glue.models import FakeJob
from moto.glue.responses import GlueResponse
from moto.glue.utils import Action as GlueTriggerAction

from awsplan.aws import AccountClients
from tests.deploy.support import PROJECT, REGION
from tests.support_moto import lake_formation_patches, moto_server, reset_moto

# JobUpdate members moto's job model stores, and the attribute each lands in.
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
    "CodeGenConfigurationNodes": "code_gen_configuration_nodes",
    "SourceControlDetails": "source_control_details",
}
# DPUs per worker (developer guide, "AWS Glue worker types"; R.* count memory-optimized M-DPUs).
_DPU = {"G.025X": 0.25, "G.1X": 1, "G.2X": 2, "G.4X": 4, "G.8X": 8, "G.12X": 12, "G.16X": 16}
_DPU |= {"R.1X": 1, "R.2X": 2, "R.4X": 4, "R.8X": 8}


def _update_job(self: GlueResponse) -> ActionResult:
    """UpdateJob as the API reference describes it: "The previous job definition is completely
    overwritten by this information" and, for ``JobUpdate``, "Unspecified configuration is removed
    or reset to default values" -- every field not given is cleared (ExecutionClass back to
    STANDARD), except ``GlueVersion``: "If not provided in the update request, the Glue version
    retains the value from the existing job definition". The job itself (name, ``CreatedOn``,
    tags, which UpdateJob does not carry) stays. MaxCapacity with WorkerType is refused ("Do not
    set MaxCapacity if using WorkerType and NumberOfWorkers", JobUpdate.MaxCapacity)."""
    name = self._get_param("JobName")
    update: dict[str, Any] = self._get_param("JobUpdate") or {}
    job = self.glue_backend.get_job(name)  # EntityNotFoundException when missing, as in AWS
    if update.get("MaxCapacity") is not None and update.get("WorkerType") is not None:
        raise GlueClientError(
            "InvalidInputException",
            "Please do not set Max Capacity if using Worker Type and Number of Workers.",
        )
    for field, attribute in _JOB_FIELDS.items():
        setattr(job, attribute, update.get(field))
    job.execution_property = update.get("ExecutionProperty") or {}
    job.default_arguments = update.get("DefaultArguments") or {}
    job.execution_class = update.get("ExecutionClass") or "STANDARD"
    if update.get("GlueVersion") is not None:
        job.glue_version = update["GlueVersion"]
    job.last_modified_on = utcnow()
    return ActionResult({"JobName": name})


def _job_as_dict(original: Any) -> Any:
    """GetJob on AWS reports, for a job sized by WorkerType and NumberOfWorkers, the capacity the
    workers amount to in ``MaxCapacity`` (and ``AllocatedCapacity``); moto echoes what was given.
    Reporting it here makes a deploy that sends GetJob's answer back verbatim fail as on AWS."""

    def as_dict(self: FakeJob) -> dict[str, Any]:
        answer: dict[str, Any] = original(self)
        if self.worker_type in _DPU and self.number_of_workers:
            capacity = _DPU[self.worker_type] * self.number_of_workers
            answer["MaxCapacity"] = float(capacity)
            answer["AllocatedCapacity"] = int(capacity)
        return answer

    return as_dict


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
        (FakeJob, "as_dict", _job_as_dict(FakeJob.as_dict)),
        *lake_formation_patches(),
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
