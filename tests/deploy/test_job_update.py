"""UpdateJob replaces the whole definition: deploy must carry over what it does not manage."""

from __future__ import annotations

import json
from pathlib import Path

import botocore.session
import pytest
from botocore.exceptions import ClientError

from awsplan.aws import AccountClients
from awsplan.plan import ActionKind, apply_plan
from deploy.config import load_config
from deploy.desired import desired_state
from deploy.planner import (
    CARRIED_JOB_FIELDS,
    DERIVED_JOB_FIELDS,
    MANAGED_JOB_FIELDS,
    plan_deploy,
)
from tests.deploy.support import JOB, deploy, recorded_operations, write_config

USER_SETTINGS = {
    "Connections": {"Connections": ["analytics-vpc"]},
    "SecurityConfiguration": "kms-at-rest",
    "NotificationProperty": {"NotifyDelayAfter": 30},
    "NonOverridableArguments": {"--conf": "spark.sql.shuffle.partitions=64"},
}


def test_the_job_update_fields_are_all_accounted_for() -> None:
    """Every JobUpdate member of the installed Glue model is managed, carried over or derived;
    a field AWS adds later fails this test instead of being wiped by the next update. (The lists
    may name fields newer than the installed botocore: botocore 1.40 lacks JobRunQueuingEnabled.)"""
    model = botocore.session.get_session().get_service_model("glue")
    members = set(model.shape_for("JobUpdate").members)
    groups = (MANAGED_JOB_FIELDS, CARRIED_JOB_FIELDS, DERIVED_JOB_FIELDS)
    assert members <= set().union(*groups)
    assert len(set().union(*groups)) == sum(len(g) for g in groups)  # no field in two groups


def test_the_stand_in_update_job_resets_what_it_is_not_given(clients: AccountClients) -> None:
    """The moto stand-in is as strict as the API reference: a field left out is wiped."""
    glue = clients.glue
    glue.create_job(
        Name="probe",
        Role="arn:aws:iam::123456789012:role/r",
        Command={"Name": "glueetl", "ScriptLocation": "s3://b/s.py"},
        GlueVersion="5.1",
        WorkerType="G.1X",
        NumberOfWorkers=2,
        DefaultArguments={"--keep": "1"},
        **USER_SETTINGS,
    )
    probe = glue.get_job(JobName="probe")["Job"]
    assert (probe["MaxCapacity"], probe["AllocatedCapacity"]) == (2.0, 2)
    glue.update_job(
        JobName="probe",
        JobUpdate={
            "Role": "arn:aws:iam::123456789012:role/r",
            "Command": {"Name": "glueetl", "ScriptLocation": "s3://b/s.py"},
        },
    )
    after = glue.get_job(JobName="probe")["Job"]
    for field in (*USER_SETTINGS, "DefaultArguments", "WorkerType"):
        assert not after.get(field), field
    assert after["GlueVersion"] == "5.1"  # "retains the value" when not provided
    with pytest.raises(ClientError) as refused:
        glue.update_job(
            JobName="probe",
            JobUpdate={"Role": "r", "Command": {}, "WorkerType": "G.1X", "MaxCapacity": 2.0},
        )
    assert refused.value.response["Error"]["Code"] == "InvalidInputException"


def user_edits_the_job(clients: AccountClients) -> None:
    """What a user adds in the console after the first deploy: a connection, a security
    configuration, a notification, a non-overridable argument, an extra argument and a tag."""
    glue = clients.glue
    job = glue.get_job(JobName=JOB)["Job"]
    update = {
        k: v
        for k, v in job.items()
        if k not in {"Name", "CreatedOn", "LastModifiedOn", "MaxCapacity", "AllocatedCapacity"}
    }
    update["DefaultArguments"] = {**job["DefaultArguments"], "--user-flag": "on"}
    glue.update_job(JobName=JOB, JobUpdate={**update, **USER_SETTINGS})
    arn = f"arn:aws:glue:{clients.region}:123456789012:job/{JOB}"
    glue.tag_resource(ResourceArn=arn, TagsToAdd={"team": "finops"})


def test_an_update_keeps_the_users_connection_arguments_and_tags(
    tmp_path: Path, dist: Path, clients: AccountClients
) -> None:
    assert deploy(write_config(tmp_path, workers=2))[0] == 0
    user_edits_the_job(clients)

    desired = desired_state(load_config(write_config(tmp_path, workers=5)))
    plan = plan_deploy(clients, desired)
    assert [(a.resource, a.kind) for a in plan.actions] == [(f"glue job {JOB}", ActionKind.UPDATE)]
    assert plan.actions[0].why == (
        "NumberOfWorkers 2 -> 5; keeps Connections, SecurityConfiguration, NotificationProperty, "
        "NonOverridableArguments, DefaultArguments[--user-flag]"
    )
    update = plan.actions[0].spec_data["JobUpdate"]
    assert "MaxCapacity" not in update and "AllocatedCapacity" not in update

    operations = recorded_operations(clients)
    apply_plan(plan)
    assert operations == ["UpdateJob"]
    job = clients.glue.get_job(JobName=JOB)["Job"]
    assert job["NumberOfWorkers"] == 5
    for field, value in USER_SETTINGS.items():
        assert job[field] == value, field
    assert job["DefaultArguments"]["--user-flag"] == "on"
    assert job["DefaultArguments"]["--periods"] == "last:2"
    arn = f"arn:aws:glue:{clients.region}:123456789012:job/{JOB}"
    assert clients.glue.get_tags(ResourceArn=arn)["Tags"] == {
        "managed-by": "cur-analysis-deploy",
        "cur-analysis-deploy:arguments": "",
        "team": "finops",
    }
    # the kept settings are not drift: nothing left to do
    assert plan_deploy(clients, desired).is_empty


def test_a_managed_argument_changed_by_hand_is_set_back(
    tmp_path: Path, dist: Path, clients: AccountClients
) -> None:
    config = write_config(tmp_path)
    assert deploy(config)[0] == 0
    job = clients.glue.get_job(JobName=JOB)["Job"]
    arguments = {**job["DefaultArguments"], "--periods": "2024-01"}
    clients.glue.update_job(
        JobName=JOB,
        JobUpdate={
            "Role": job["Role"],
            "Command": job["Command"],
            "DefaultArguments": arguments,
            "WorkerType": job["WorkerType"],
            "NumberOfWorkers": job["NumberOfWorkers"],
            "GlueVersion": job["GlueVersion"],
        },
    )
    plan = plan_deploy(clients, desired_state(load_config(config)))
    assert plan.actions[0].why.startswith("Description ")  # the hand edit dropped it too
    assert "DefaultArguments[--periods]" in plan.actions[0].why
    apply_plan(plan)
    assert clients.glue.get_job(JobName=JOB)["Job"]["DefaultArguments"]["--periods"] == "last:2"


def test_glue_51_flex_job_definition(tmp_path: Path, dist: Path, clients: AccountClients) -> None:
    path = write_config(tmp_path)
    text = path.read_text(encoding="utf-8")
    extra = 'glue_version = "5.1"\nexecution_class = "FLEX"\n'
    path.write_text(text.replace("[schedule]", extra + "[schedule]"), encoding="utf-8")
    code, out, _ = deploy(path, "--plan", "--json")
    assert code == 2
    spec = next(a for a in json.loads(out)["actions"] if a["resource"] == f"glue job {JOB}")
    assert (spec["spec"]["GlueVersion"], spec["spec"]["ExecutionClass"]) == ("5.1", "FLEX")
    assert deploy(path)[0] == 0
    job = clients.glue.get_job(JobName=JOB)["Job"]
    assert (job["GlueVersion"], job["ExecutionClass"]) == ("5.1", "FLEX")

    # back to the default 6.0 / STANDARD is one UpdateJob naming both fields
    plan = plan_deploy(clients, desired_state(load_config(write_config(tmp_path))))
    assert plan.actions[0].why == "GlueVersion '5.1' -> '6.0'; ExecutionClass 'FLEX' -> 'STANDARD'"


def with_arguments(path: Path, arguments: str) -> Path:
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("[schedule]", f"[job.arguments]\n{arguments}\n[schedule]"))
    return path


def test_an_argument_removed_from_the_config_leaves_the_job_a_users_stays(
    tmp_path: Path, dist: Path, clients: AccountClients
) -> None:
    """Deploy records the [job.arguments] it set in a job tag: dropping one from the config drops
    it from the job, while an argument a user added is kept."""
    two = '"--enable-metrics" = "true"\n"--enable-spark-ui" = "true"'
    assert deploy(with_arguments(write_config(tmp_path), two))[0] == 0
    arn = f"arn:aws:glue:{clients.region}:123456789012:job/{JOB}"
    tags = clients.glue.get_tags(ResourceArn=arn)["Tags"]
    assert tags["cur-analysis-deploy:arguments"] == "--enable-metrics --enable-spark-ui"
    user_edits_the_job(clients)  # adds --user-flag

    config = with_arguments(write_config(tmp_path), '"--enable-metrics" = "true"')
    plan = plan_deploy(clients, desired_state(load_config(config)))
    assert plan.actions[0].why == (
        "DefaultArguments[--enable-spark-ui]; keeps Connections, SecurityConfiguration, "
        "NotificationProperty, NonOverridableArguments, DefaultArguments[--user-flag]; "
        "tag cur-analysis-deploy:arguments '--enable-metrics --enable-spark-ui' -> "
        "'--enable-metrics'"
    )
    operations = recorded_operations(clients)
    apply_plan(plan)
    assert operations == ["UpdateJob", "TagResource"]
    arguments = clients.glue.get_job(JobName=JOB)["Job"]["DefaultArguments"]
    assert "--enable-spark-ui" not in arguments
    assert (arguments["--enable-metrics"], arguments["--user-flag"]) == ("true", "on")
    tags = clients.glue.get_tags(ResourceArn=arn)["Tags"]
    assert tags["cur-analysis-deploy:arguments"] == "--enable-metrics"
    assert plan_deploy(clients, desired_state(load_config(config))).is_empty


def test_a_job_without_the_tag_gets_it_without_an_update(
    tmp_path: Path, dist: Path, clients: AccountClients
) -> None:
    """A job deployed before the tag existed: its arguments all count as the user's (kept), and
    the next deploy only records the tag."""
    config = write_config(tmp_path)
    assert deploy(config)[0] == 0
    arn = f"arn:aws:glue:{clients.region}:123456789012:job/{JOB}"
    clients.glue.untag_resource(ResourceArn=arn, TagsToRemove=["cur-analysis-deploy:arguments"])
    plan = plan_deploy(clients, desired_state(load_config(config)))
    assert plan.actions[0].why == "tag cur-analysis-deploy:arguments None -> ''"
    operations = recorded_operations(clients)
    apply_plan(plan)
    assert operations == ["TagResource"]
    assert plan_deploy(clients, desired_state(load_config(config))).is_empty
