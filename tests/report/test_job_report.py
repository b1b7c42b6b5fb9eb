"""The Glue entry script's optional --report_path."""

from __future__ import annotations

import pytest

from cur_analysis.errors import InvalidInputError

BASE = [
    "cur_cost_aggregation.py",
    "--JOB_NAME", "cur-cost",
    "--source_database", "cur_org_linked",
    "--source_table", "legacy_all",
    "--periods", "last:2",
    "--output_path", "s3://bucket/datasets",
]  # fmt: skip


@pytest.fixture(scope="module")
def script(job_script):
    return job_script


def test_report_path_is_optional(script) -> None:
    assert script.report_path(BASE) is None
    assert script.job_config(BASE).output == "s3://bucket/datasets"


@pytest.mark.parametrize("path", ["s3://bucket/reports/", "/tmp/reports/may.html"])
def test_report_path_accepts_s3_and_local(script, path: str) -> None:
    argv = [*BASE, "--report_path", path]
    assert script.report_path(argv) == path
    assert script.job_config(argv).period_args == ("last:2",)


def test_report_path_of_another_scheme_fails_before_spark(script) -> None:
    with pytest.raises(InvalidInputError, match="must be a local path or an s3:// URI"):
        script.report_path([*BASE, "--report_path", "gs://bucket/report.html"])
    with pytest.raises(SystemExit, match="must be a local path or an s3:// URI"):
        script.main([*BASE, "--report_path", "https://example.com/r.html"])
