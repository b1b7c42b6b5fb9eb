"""The Glue job's library half (``cur_analysis.glue_job``): settings from the job's arguments,
and every bad argument one line before Glue starts."""

from __future__ import annotations

import pytest

from cur_analysis import glue_job
from cur_analysis.errors import InvalidInputError


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
