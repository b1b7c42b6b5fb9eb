"""The edges: the CLI's options, the Glue job's library half, the AWS client factory."""

from __future__ import annotations

import argparse
import sys

import boto3
import pytest

from cur_analysis import glue_job
from cur_analysis.cli import build_parser, main
from cur_analysis.errors import InvalidInputError
from cur_analysis.io import aws

from .support import command_parsers


@pytest.mark.parametrize("position", ["before", "after"])
def test_home_is_taken_before_or_after_the_subcommand(position: str) -> None:
    run = ["run", "--period", "2024-05", "--output", "out"]
    home = ["--home", "/tmp/cur-home"]
    argv = [*home, *run] if position == "before" else [*run, *home]
    assert build_parser().parse_args(argv).home == "/tmp/cur-home"
    assert build_parser().parse_args(run).home is None


def test_home_after_a_nested_subcommand() -> None:
    argv = ["catalog", "register", "--path", "p", "--home", "/tmp/h"]
    assert build_parser().parse_args(argv).home == "/tmp/h"


def test_every_command_help_shows_its_defaults(monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "1000")  # one line per option: no wrapping inside a default
    checked = 0
    for path, parser in command_parsers(build_parser()):
        name = " ".join(path)
        text = " ".join(parser.format_help().split())
        for action in parser._actions:
            default = action.default
            if action.help in (None, argparse.SUPPRESS) or default in (None, argparse.SUPPRESS):
                continue
            if isinstance(default, bool):
                continue
            assert f"(default: {default})" in text, (name, action.dest)
            checked += 1
    assert checked >= 10


@pytest.mark.parametrize("command", [["generate", "--output", "x"], ["demo"]])
def test_without_the_dev_tools_generate_and_demo_say_so(monkeypatch, capsys, command) -> None:
    """A Glue wheel has no ``cur_analysis.dev``: one line, exit 1, no Spark started."""
    monkeypatch.setitem(sys.modules, "cur_analysis.dev.generate", None)
    assert main(command) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cur_analysis.dev" in err[0] and "development tool" in err[0]


class _ArgumentError(Exception):
    pass


def _edge(started: list[str]) -> glue_job.GlueEdge:
    def resolve(argv, names):
        args = dict(zip(argv[1::2], argv[2::2], strict=False))
        missing = [n for n in names if f"--{n}" not in args]
        if missing:
            raise _ArgumentError(f"the following arguments are required: --{missing[0]}")
        return {name: args[f"--{name}"] for name in names}

    def start(job_name):
        started.append(job_name)
        raise AssertionError("Glue must not start")

    return glue_job.GlueEdge(resolve, _ArgumentError, start)


BASE = [
    "job.py",
    "--JOB_NAME", "cur-cost",
    "--source_database", "cur_org_linked",
    "--source_table", "legacy_all",
    "--periods", "2024-5,last:2",
    "--output_path", "s3://bucket/datasets",
]  # fmt: skip


def test_job_settings_from_arguments() -> None:
    settings = glue_job.job_settings(_edge([]), [*BASE, "--report_path", " s3://b/r/ "])
    assert settings.job_name == "cur-cost" and settings.catalog == "glue"
    assert settings.config.period_args == ("2024-05", "last:2")
    assert settings.report_path == "s3://b/r/"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (BASE[:-2], "required: --output_path: set it in the job's arguments"),
        ([*BASE, "--catalog", "athena"], "--catalog 'athena' is not one of glue, local"),
        ([*BASE, "--report", "x.html"], "--report is not a job argument"),
    ],
)
def test_job_errors_exit_with_one_line_before_glue_starts(argv, message) -> None:
    started: list[str] = []
    with pytest.raises(SystemExit) as stopped:
        glue_job.main(_edge(started), argv)
    assert str(stopped.value).startswith("cur-analysis: error: ") and message in str(stopped.value)
    assert started == []


def test_job_settings_raise_our_error_not_the_parser_one() -> None:
    with pytest.raises(InvalidInputError):
        glue_job.job_settings(_edge([]), BASE[:-2])


def test_clients_carry_the_standard_retry_configuration() -> None:
    session = boto3.Session(
        region_name="eu-west-1", aws_access_key_id="k", aws_secret_access_key="s"
    )
    client = aws.client("glue", session)
    # botocore counts the first attempt too: 8 retries are 9 attempts in all.
    expected = {"mode": "standard", "total_max_attempts": 9}
    assert client.meta.config.retries == expected
    assert client.meta.region_name == "eu-west-1"
    assert aws.client_factory("s3", session)().meta.config.retries == expected
