"""The Glue entry script's argument handling, with the real ``awsglue.utils.getResolvedOptions``.

Every test runs twice: with the installed AWSGlueDataplanePython 5.1.0 as it is (Glue 5.1), and
with Glue 6.0's parser. No 6.0 release of the package exists; aws-glue-libs' ``glue-6.0-changes``
branch (``main``) changes ``awsglue/utils.py`` in one way only, ``getResolvedOptions(...,
allow_abbrev=False)`` handed to ``GlueArgumentParser``, so the 6.0 case runs the same 5.1 code
with the parser built with ``allow_abbrev=False``.
"""

from __future__ import annotations

import awsglue.utils
import pytest

from cur_analysis.errors import InvalidInputError


class _Glue60Parser(awsglue.utils.GlueArgumentParser):
    """``GlueArgumentParser`` as Glue 6.0's ``getResolvedOptions`` builds it: no abbreviations."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs["allow_abbrev"] = False
        super().__init__(*args, **kwargs)


@pytest.fixture(params=["5.1", "6.0"])
def glue_version(request, monkeypatch) -> str:
    if request.param == "6.0":
        monkeypatch.setattr(awsglue.utils, "GlueArgumentParser", _Glue60Parser)
    return request.param


@pytest.fixture
def script(job_script, glue_version):
    return job_script


def test_the_glue_60_model_rejects_what_51_accepted(glue_version) -> None:
    """The 6.0 stand-in differs from 5.1 exactly where the release notes say."""
    argv = ["job.py", "--period", "2024-05"]
    if glue_version == "5.1":
        assert awsglue.utils.getResolvedOptions(argv, ["periods"])["periods"] == "2024-05"
    else:
        with pytest.raises(awsglue.utils.GlueArgumentError, match="--periods"):
            awsglue.utils.getResolvedOptions(argv, ["periods"])


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
    assert config.period_args == ("2024-04", "2024-05")
    assert config.output == "s3://bucket/datasets"
    assert config.output_database is None


def test_optional_output_database_and_last_n(script) -> None:
    config = script.job_config([*_argv("last:2"), "--output_database", "cur_datasets"])
    assert config.period_args == ("last:2",)
    assert config.output_database == "cur_datasets"


def test_bad_period_in_job_arguments_fails_before_spark(script) -> None:
    with pytest.raises(InvalidInputError, match="not of the form YYYY-MM"):
        script.job_config(_argv("2024-05' or '1'='1"))


def test_missing_job_argument_is_reported(script) -> None:
    with pytest.raises(InvalidInputError, match="required: --output_path"):
        script.job_config(_argv("2024-05")[:-2])


def test_entry_script_runs_unchanged_on_the_local_catalog(
    job_script, monkeypatch, spark, generated_catalog, tmp_path, capsys
) -> None:
    """One run (Spark is the slow part), with Glue 6.0's stricter parser."""
    monkeypatch.setattr(awsglue.utils, "GlueArgumentParser", _Glue60Parser)
    script = job_script
    argv = _argv("2024-05")
    argv[argv.index("--source_database") + 1] = generated_catalog[0]
    argv[argv.index("--output_path") + 1] = str(tmp_path)
    script.main([*argv, "--catalog", "local"])
    out = capsys.readouterr().out
    assert "2024-05" in out and "amortized_cost" in out
    assert list((tmp_path / "daily_cost" / "year=2024" / "month=5").glob("run=*/*.parquet"))


@pytest.mark.parametrize(
    ("abbreviated", "full"),
    [
        ("--period", "--periods"),
        ("--source_data", "--source_database"),
        ("--output", "--output_path"),
    ],
)
def test_an_abbreviated_argument_is_refused_on_both_runtimes(script, abbreviated, full) -> None:
    argv = _argv("2024-05")
    argv[argv.index(full)] = abbreviated
    with pytest.raises(InvalidInputError, match=f"{abbreviated} is not a job argument.*{full}"):
        script.job_config(argv)


def test_glue_system_arguments_are_not_taken_for_abbreviations(script) -> None:
    argv = [
        *_argv("2024-05"),
        "--job-bookmark-option",
        "job-bookmark-disable",
        "--TempDir",
        "s3://t",
    ]
    argv += ["--enable-glue-datacatalog", "true", "--JOB_ID", "j_1", "--JOB_RUN_ID", "jr_1"]
    assert script.job_config(argv).period_args == ("2024-05",)


def test_unknown_catalog_choice_is_one_clear_error(script) -> None:
    with pytest.raises(SystemExit, match="--catalog 'athena' is not one of glue, local"):
        script.main([*_argv("2024-05"), "--catalog", "athena"])
