"""Bad input to the cid datasets: one sentence and nothing written; no output database: the
folders are written and the run says the tables were not published."""

from __future__ import annotations

from pathlib import Path

import pytest

from cur_analysis.cli import main
from cur_analysis.errors import InvalidInputError
from cur_analysis.pipeline import RunConfig


def _cli(spark_home: Path, database: str, output: Path, *args: str) -> int:
    return main(
        [
            "--home",
            str(spark_home),
            "run",
            "--database",
            database,
            "--period",
            "2024-05",
            "--output",
            str(output),
            *args,
        ]
    )


def test_an_unknown_tag_key_is_refused_naming_the_keys_there_are(
    spark, spark_home, generated_catalog, tmp_path, capsys
) -> None:
    output = tmp_path / "out"
    code = _cli(
        spark_home,
        generated_catalog[0],
        output,
        "--datasets",
        "cid",
        "--cid-tags",
        "user_team,user_nope",
    )
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert err == [
        "cur-analysis: error: --cid-tags names user_nope, which the source does not have: "
        "its tag keys are user_cost_center, user_environment, user_team"
    ]
    assert not output.exists()


def test_tags_without_a_cid_dataset_are_refused() -> None:
    with pytest.raises(InvalidInputError, match="add cid to --datasets"):
        RunConfig("db", "t", ("2024-05",), "/tmp/x", datasets=("daily_cost",), cid_tags=("a",))


def test_without_an_output_database_the_folders_are_written_and_no_table(
    spark, spark_home, generated_catalog, tmp_path, capsys
) -> None:
    output = tmp_path / "out"
    code = _cli(spark_home, generated_catalog[0], output, "--datasets", "cid")
    out = capsys.readouterr().out
    assert code == 0
    assert "tables not published: no --output-database given" in out
    for view in ("summary_view", "s3_view"):
        assert list((output / view / "year=2024" / "month=5").glob("run=*/*.parquet"))
    assert list((output / "account_map").glob("run=*/*.parquet"))


def test_the_glue_job_takes_the_group_and_the_tags(job_script) -> None:
    from cur_analysis.datasets.registry import CID_GROUP, GROUPS

    argv = [
        *("job.py", "--JOB_NAME", "cur-cost", "--source_database", "cur_org_linked"),
        *("--source_table", "legacy_all", "--periods", "2024-05", "--output_path", "s3://b/o"),
        *("--datasets", CID_GROUP, "--cid_tags", "user_team,user_env"),
    ]
    config = job_script.job_config(argv)
    assert config.datasets == GROUPS[CID_GROUP]
    assert config.cid_tags == ("user_team", "user_env")
