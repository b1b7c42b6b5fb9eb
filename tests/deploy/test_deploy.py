"""`cur-deploy` on moto (server mode): plan, apply, idempotence, updates, bad config."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from awsplan.aws import AccountClients
from awsplan.plan import ActionKind, apply_plan
from deploy import cli
from deploy.config import load_config
from deploy.desired import desired_state
from deploy.errors import DeployError
from deploy.planner import plan_deploy
from tests.deploy.support import JOB, PROJECT, deploy, recorded_operations, write_config

BUCKET = "analytics-glue-artifacts"
WHEEL_KEY = "cur-analysis/wheels/cur_analysis-0.1.0-py3-none-any.whl"
SCRIPT_KEY = "cur-analysis/jobs/cur_cost_aggregation.py"
TRIGGER = "cur-cost-aggregation-daily"
EVERY_RESOURCE = [
    f"s3://{BUCKET}",
    f"s3://{BUCKET}/{WHEEL_KEY}",
    f"s3://{BUCKET}/{SCRIPT_KEY}",
    "glue database cur_analysis",
    f"glue job {JOB}",
    f"glue trigger {TRIGGER}",
]


def test_plan_on_empty_account_lists_every_action_and_changes_nothing(
    tmp_path: Path, dist: Path, clients: AccountClients
) -> None:
    code, out, err = deploy(write_config(tmp_path), "--plan", "--json")
    assert (code, err) == (2, "")
    plan = json.loads(out)
    assert plan["changes"] == 6
    assert [a["resource"] for a in plan["actions"]] == EVERY_RESOURCE
    assert {a["action"] for a in plan["actions"]} == {"create"}
    job = next(a for a in plan["actions"] if a["resource"] == f"glue job {JOB}")["spec"]
    assert job["GlueVersion"] == "6.0"
    # plan only reads: nothing exists afterwards
    assert clients.glue.get_jobs()["Jobs"] == []
    assert clients.s3.list_buckets()["Buckets"] == []


def test_plan_table_names_each_action(tmp_path: Path, dist: Path) -> None:
    code, out, _ = deploy(write_config(tmp_path), "--plan")
    assert code == 2
    assert out.splitlines()[0] == "Deploy plan: 6 change(s) pending"
    for resource in EVERY_RESOURCE:
        assert resource in out


def test_apply_creates_objects_database_job_and_trigger(
    tmp_path: Path, dist: Path, clients: AccountClients
) -> None:
    code, out, err = deploy(write_config(tmp_path))
    assert (code, err) == (0, ""), out
    assert "Applied 6 change(s); re-read shows no changes pending." in out

    for key, local in (
        (WHEEL_KEY, dist / "cur_analysis-0.1.0-py3-none-any.whl"),
        (SCRIPT_KEY, dist / "cur_cost_aggregation.py"),
    ):
        head = clients.s3.head_object(Bucket=BUCKET, Key=key)
        assert head["Metadata"]["sha256"] == hashlib.sha256(local.read_bytes()).hexdigest()
        body = clients.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
        assert body == local.read_bytes()

    job = clients.glue.get_job(JobName=JOB)["Job"]
    assert job["GlueVersion"] == "6.0"
    assert (job["WorkerType"], job["NumberOfWorkers"]) == ("G.1X", 2)
    assert job["Role"] == "arn:aws:iam::123456789012:role/cur-analysis-glue-job"
    assert (job["Timeout"], job["MaxRetries"]) == (120, 1)
    assert job["Command"] == {
        "Name": "glueetl",
        "ScriptLocation": f"s3://{BUCKET}/{SCRIPT_KEY}",
        "PythonVersion": "3",
    }
    assert job["DefaultArguments"] == {
        "--source_database": "cur_org_linked",
        "--source_table": "legacy_all",
        "--periods": "last:2",
        "--output_path": "s3://analytics-datasets/cur",
        "--output_database": "cur_analysis",
        "--enable-glue-datacatalog": "true",
        "--job-bookmark-option": "job-bookmark-disable",
        "--job-language": "python",
        "--additional-python-modules": f"s3://{BUCKET}/{WHEEL_KEY}",
    }

    trigger = clients.glue.get_trigger(Name=TRIGGER)["Trigger"]
    assert trigger["Type"] == "SCHEDULED"
    assert trigger["Schedule"] == "cron(0 6 * * ? *)"
    assert trigger["State"] == "ACTIVATED"
    assert trigger["Actions"] == [{"JobName": JOB}]

    database = clients.glue.get_database(Name="cur_analysis")["Database"]
    assert database["Name"] == "cur_analysis"


def test_second_apply_reports_no_changes(tmp_path: Path, dist: Path) -> None:
    config = write_config(tmp_path)
    assert deploy(config)[0] == 0
    code, out, err = deploy(config)
    assert (code, err) == (0, "")
    assert out.strip() == "Deploy plan: no changes; everything is up to date."
    assert deploy(config, "--plan")[0] == 0
    assert json.loads(deploy(config, "--plan", "--json")[1]) == {"changes": 0, "actions": []}


def test_changed_worker_count_is_an_update_not_a_recreate(
    tmp_path: Path, dist: Path, clients: AccountClients
) -> None:
    assert deploy(write_config(tmp_path, workers=2))[0] == 0
    created_on = clients.glue.get_job(JobName=JOB)["Job"]["CreatedOn"]

    desired = desired_state(load_config(write_config(tmp_path, workers=5)))
    plan = plan_deploy(clients, desired)
    assert [(a.resource, a.kind) for a in plan.actions] == [(f"glue job {JOB}", ActionKind.UPDATE)]
    assert plan.actions[0].why == "NumberOfWorkers 2 -> 5"

    operations = recorded_operations(clients)
    apply_plan(plan)
    assert operations == ["UpdateJob"]
    job = clients.glue.get_job(JobName=JOB)["Job"]
    assert job["NumberOfWorkers"] == 5
    assert job["CreatedOn"] == created_on
    assert job["DefaultArguments"]["--periods"] == "last:2"  # the rest of the definition kept
    assert plan_deploy(clients, desired).is_empty


def test_changed_wheel_uploads_only_the_wheel(
    tmp_path: Path, dist: Path, clients: AccountClients
) -> None:
    config = write_config(tmp_path)
    assert deploy(config)[0] == 0
    (dist / "cur_analysis-0.1.0-py3-none-any.whl").write_bytes(b"PK\x03\x04 rebuilt wheel")

    plan = plan_deploy(clients, desired_state(load_config(config)))
    assert [(a.resource, a.kind) for a in plan.actions] == [
        (f"s3://{BUCKET}/{WHEEL_KEY}", ActionKind.UPDATE)
    ]
    assert plan.actions[0].why.startswith("content changed (sha256 ")
    operations = recorded_operations(clients)
    apply_plan(plan)
    assert operations == ["PutObject"]
    body = clients.s3.get_object(Bucket=BUCKET, Key=WHEEL_KEY)["Body"].read()
    assert body == b"PK\x03\x04 rebuilt wheel"


def test_changed_schedule_and_disabling_update_the_trigger(
    tmp_path: Path, dist: Path, clients: AccountClients
) -> None:
    assert deploy(write_config(tmp_path))[0] == 0
    desired = desired_state(
        load_config(write_config(tmp_path, cron="cron(30 4 * * ? *)", enabled=False))
    )
    plan = plan_deploy(clients, desired)
    assert [(a.resource, a.kind) for a in plan.actions] == [
        (f"glue trigger {TRIGGER}", ActionKind.UPDATE)
    ]
    operations = recorded_operations(clients)
    apply_plan(plan)
    assert operations == ["UpdateTrigger", "StopTrigger"]
    trigger = clients.glue.get_trigger(Name=TRIGGER)["Trigger"]
    assert (trigger["Schedule"], trigger["State"]) == ("cron(30 4 * * ? *)", "DEACTIVATED")
    assert plan_deploy(clients, desired).is_empty


def test_a_trigger_of_another_type_is_reported_not_replaced(
    tmp_path: Path, dist: Path, clients: AccountClients
) -> None:
    clients.glue.create_trigger(Name=TRIGGER, Type="ON_DEMAND", Actions=[{"JobName": JOB}])
    code, _, err = deploy(write_config(tmp_path), "--plan")
    assert code == 1
    assert err == (
        f"cur-deploy: error: trigger {TRIGGER} exists with type ON_DEMAND, not "
        "SCHEDULED; delete it in the Glue console or set [schedule] name to another name\n"
    )


@pytest.fixture
def no_aws(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Fails the test if deploy tries to open an AWS session."""
    calls: list[str] = []

    def refuse(*_: object, **__: object) -> None:
        calls.append("make_session")
        raise AssertionError("deploy opened an AWS session despite a bad configuration")

    monkeypatch.setattr(cli, "make_session", refuse)
    return calls


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            "",  # workers = 1 below
            "[job] number_of_workers: 1 is out of range: from 2 to 299",
        ),
    ],
)
def test_bad_value_gives_one_clear_message_and_no_call(
    tmp_path: Path, dist: Path, no_aws: list[str], extra: str, message: str
) -> None:
    code, out, err = deploy(write_config(tmp_path, workers=1, extra=extra))
    assert (code, out, no_aws) == (1, "", [])
    assert err.splitlines() == [
        f"cur-deploy: {tmp_path / 'deploy.toml'}: invalid configuration:",
        f"  - {message}",
    ]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'worker_type = "G.1X"',
            'worker_type = "G.3X"',
            "[job] worker_type: 'G.3X' is not a Glue 6.0 Spark worker type: one of G.1X, G.2X, "
            "G.4X, G.8X, G.12X, G.16X, R.1X, R.2X, R.4X, R.8X",
        ),
        (
            'role_arn = "arn:aws:iam::123456789012:role/cur-analysis-glue-job"',
            'role_arn = "cur-analysis-glue-job"',
            "[job] role_arn: 'cur-analysis-glue-job' is not valid: an IAM role ARN like "
            "arn:aws:iam::222222222222:role/name",
        ),
        (
            'output_path = "s3://analytics-datasets/cur"',
            'output_path = "/tmp/out"',
            "[job] output_path: '/tmp/out' is not valid: an S3 URI like "
            '"s3://my-analytics-bucket/cur-datasets"',
        ),
        (
            'bucket = "analytics-glue-artifacts"',
            'bucket = "Analytics_Artifacts"',
            "[artifacts] bucket: 'Analytics_Artifacts' is not a valid bucket name: 3-63 "
            "characters of lower-case letters, digits, dots and hyphens, starting and ending "
            "with a letter or digit",
        ),
        (
            'cron = "cron(0 6 * * ? *)"',
            'cron = "0 6 * * *"',
            "[schedule] cron: '0 6 * * *' is not a Glue cron expression: Glue schedules are "
            "cron(Minutes Hours Day-of-month Month Day-of-week Year), e.g. cron(0 6 * * ? *)",
        ),
        (
            'output_database = "cur_analysis"',
            'output_database = "cur_analysis"\nperiods = "2024-13"',
            "[job] periods: billing period '2024-13': month 13 is not between 1 and 12 (or "
            "last:N for the N latest periods, e.g. last:2)",
        ),
        (
            'output_database = "cur_analysis"',
            'output_database = "cur_analysis"\nworkers = 3',
            "[job] workers: unknown key (allowed: arguments, execution_class, glue_version, "
            "lake_formation, max_concurrent_runs, max_retries, name, number_of_workers, "
            "output_database, output_path, periods, role_arn, script, source_database, "
            "source_table, timeout_minutes, worker_type)",
        ),
    ],
)
def test_each_bad_value_is_named_once_and_nothing_is_called(
    tmp_path: Path, dist: Path, no_aws: list[str], old: str, new: str, message: str
) -> None:
    path = write_config(tmp_path)
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    code, out, err = deploy(path)
    assert (code, out, no_aws) == (1, "", [])
    assert err.splitlines()[1:] == [f"  - {message}"]


def test_several_bad_values_are_all_listed(tmp_path: Path, no_aws: list[str]) -> None:
    path = tmp_path / "deploy.toml"
    path.write_text('[aws]\nregion = "nowhere"\n[job]\nnumber_of_workers = "2"\n')
    code, _, err = deploy(path)
    assert code == 1 and no_aws == []
    assert err.splitlines()[1:] == [
        "  - [artifacts]: section is missing",
        "  - [aws] region: 'nowhere' is not valid: an AWS region like \"us-east-1\"",
        "  - [artifacts] bucket: missing (an S3 bucket name)",
        "  - [job] name: missing (1-255 letters, digits, '.', '_' or '-')",
        "  - [job] role_arn: missing (an IAM role ARN like arn:aws:iam::222222222222:role/name)",
        "  - [job] number_of_workers: must be a whole number from 2 to 299, got '2'",
        '  - [job] output_path: missing (an S3 URI like "s3://my-analytics-bucket/cur-datasets")',
    ]


def test_missing_wheel_stops_before_any_call(tmp_path: Path, no_aws: list[str]) -> None:
    (tmp_path / "dist").mkdir()
    code, _, err = deploy(write_config(tmp_path))
    assert (code, no_aws) == (1, [])
    assert err == (
        f"cur-deploy: error: no cur_analysis-*.whl in {tmp_path / 'dist'}: "
        "run 'make package' first\n"
    )


def test_missing_config_file_is_one_message(tmp_path: Path, no_aws: list[str]) -> None:
    code, _, err = deploy(tmp_path / "absent.toml")
    assert code == 1
    assert (
        err.splitlines()[1] == "  - file not found; copy example.toml from the package and edit it"
    )


def test_example_config_is_valid() -> None:
    from deploy.config import example_path

    config = load_config(example_path())
    assert config.job.periods == "last:2"
    assert config.schedule.cron == "cron(0 6 * * ? *)"


def test_deploy_errors_share_the_admin_tools_root_error() -> None:
    from awsplan.errors import AwsPlanError, ConfigError
    from bootstrap.errors import BootstrapError
    from deploy.errors import DeployConfigError

    assert issubclass(DeployError, AwsPlanError) and issubclass(BootstrapError, AwsPlanError)
    assert issubclass(DeployConfigError, ConfigError)


def test_deployed_arguments_are_what_the_job_script_reads(tmp_path: Path, dist: Path) -> None:
    """The job's DefaultArguments, passed the way Glue passes them, parse with the real
    ``getResolvedOptions`` in the entry script that deploy uploads."""
    import importlib.util

    desired = desired_state(load_config(write_config(tmp_path)))
    spec = importlib.util.spec_from_file_location("deployed_job", dist / "cur_cost_aggregation.py")
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    argv = ["script.py", "--JOB_NAME", JOB]
    for key, value in desired.job.default_arguments:
        argv += [key, value]
    config = script.job_config(argv)
    assert (config.database, config.table) == ("cur_org_linked", "legacy_all")
    assert config.period_args == ("last:2",)
    assert config.output == "s3://analytics-datasets/cur"
    assert config.output_database == "cur_analysis"


def test_cur_deploy_plans_without_starting_spark(
    tmp_path: Path, dist: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    import cur_analysis.local.session

    def no_spark(*_: object, **__: object) -> None:
        raise AssertionError("deploy started Spark")

    monkeypatch.setattr(cur_analysis.local.session, "local_spark", no_spark)
    assert cli.main(["--config", str(write_config(tmp_path)), "--plan"]) == 2
    assert capsys.readouterr().out.startswith("Deploy plan: 6 change(s) pending")


def test_cur_analysis_deploy_points_to_cur_deploy(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """The library's CLI has no deploy command (it imports no admin tool): one line, exit 1."""
    from cur_analysis.cli import main

    assert main(["deploy", "--config", str(tmp_path / "deploy.toml"), "--plan"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [captured.err.strip()]
    assert "cur-deploy --config deploy.toml" in captured.err


def test_python_m_deploy_is_cur_deploy(tmp_path: Path) -> None:
    import subprocess
    import sys

    answer = subprocess.run(
        [sys.executable, "-m", "deploy", "--config", str(tmp_path / "absent.toml")],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=PROJECT,
    )
    assert answer.returncode == 1
    assert answer.stderr.startswith(
        f"cur-deploy: {tmp_path / 'absent.toml'}: invalid configuration"
    )
