"""The Glue entry script's argument handling, with the real ``awsglue.utils.getResolvedOptions``."""

from __future__ import annotations

import pytest

from cur_analysis.errors import InvalidInputError


@pytest.fixture(scope="module")
def script(job_script):
    return job_script


def _argv(periods: str) -> list[str]:
    return [
        "cur_cost_aggregation.py",
        "--JOB_NAME",
        "cur-cost",
        "--source_database",
        "cur_org_linked",
        "--source_table",
        "legacy_all",
        "--periods",
        periods,
        "--output_path",
        "s3://bucket/datasets",
    ]


def test_job_arguments_become_a_run_config(script) -> None:
    config = script.job_config(_argv("2024-04,2024-5"))
    assert config.database == "cur_org_linked" and config.table == "legacy_all"
    assert config.periods == ("2024-04", "2024-05")
    assert config.output == "s3://bucket/datasets"
    assert config.output_database is None


def test_optional_output_database_and_last_n(script) -> None:
    config = script.job_config([*_argv("last:2"), "--output_database", "cur_datasets"])
    assert config.periods == ("last:2",)
    assert config.output_database == "cur_datasets"


def test_bad_period_in_job_arguments_fails_before_spark(script) -> None:
    with pytest.raises(InvalidInputError, match="not of the form YYYY-MM"):
        script.job_config(_argv("2024-05' or '1'='1"))


def test_missing_job_argument_is_reported(script) -> None:
    with pytest.raises(InvalidInputError, match="required: --output_path"):
        script.job_config(_argv("2024-05")[:-2])


def test_entry_script_runs_unchanged_on_the_local_catalog(
    script, spark, generated_catalog, tmp_path, capsys
) -> None:
    argv = _argv("2024-05")
    argv[argv.index("--source_database") + 1] = generated_catalog[0]
    argv[argv.index("--output_path") + 1] = str(tmp_path)
    script.main([*argv, "--catalog", "local"])
    out = capsys.readouterr().out
    assert "2024-05" in out and "amortized_cost" in out
    assert list((tmp_path / "daily_cost" / "year=2024" / "month=5").glob("*.parquet"))


def test_unknown_catalog_choice_is_one_clear_error(script) -> None:
    with pytest.raises(SystemExit, match="--catalog 'athena' is not one of glue, local"):
        script.main([*_argv("2024-05"), "--catalog", "athena"])
