"""Glue's own rules for the job and its schedule, enforced before any AWS call."""

from __future__ import annotations

from pathlib import Path

import pytest

from deploy.config import load_config
from deploy.glue_rules import (
    cron_problem,
    execution_class_problem,
    worker_type_problem,
)
from tests.deploy.support import deploy, write_config

SHAPE = (
    "Glue schedules are cron(Minutes Hours Day-of-month Month Day-of-week Year), "
    "e.g. cron(0 6 * * ? *)"
)
QUESTION = (
    "use ? in exactly one of Day-of-month and Day-of-week (Glue: you can't specify both; if you "
    "specify a value or * in one, use ? in the other), e.g. cron(0 6 * * ? *)"
)


def too_often(expression: str, minutes: int) -> str:
    return (
        f"{expression!r} runs every {minutes} minute(s); Glue does not support cron expressions "
        "that lead to rates faster than 5 minutes"
    )


def bad_field(expression: str, detail: str) -> str:
    return f"{expression!r}: {detail}; {SHAPE}"


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("0 6 * * ? *", f"'0 6 * * ? *' is not a Glue cron expression: {SHAPE}"),
        ("rate(1 day)", f"'rate(1 day)' is not a Glue cron expression: {SHAPE}"),
        ("cron(0 6 * * ?)", f"'cron(0 6 * * ?)' has 5 fields, Glue needs six: {SHAPE}"),
        ("cron(0 0 6 * * ? *)", f"'cron(0 0 6 * * ? *)' has 7 fields, Glue needs six: {SHAPE}"),
        ("cron(0 6 * * * *)", f"'cron(0 6 * * * *)': {QUESTION}"),
        ("cron(0 6 ? * ? *)", f"'cron(0 6 ? * ? *)': {QUESTION}"),
        ("cron(0 6 1 * MON *)", f"'cron(0 6 1 * MON *)': {QUESTION}"),
        ("cron(0/1 * * * ? *)", too_often("cron(0/1 * * * ? *)", 1)),
        ("cron(* * * * ? *)", too_often("cron(* * * * ? *)", 1)),
        ("cron(*/2 * * * ? *)", too_often("cron(*/2 * * * ? *)", 2)),
        ("cron(0/4 9-17 ? * MON-FRI *)", too_often("cron(0/4 9-17 ? * MON-FRI *)", 4)),
        ("cron(0,3 6 * * ? *)", too_often("cron(0,3 6 * * ? *)", 3)),
        # 06:58 then 07:01: three minutes apart across the hour
        ("cron(1,58 6-7 * * ? *)", too_often("cron(1,58 6-7 * * ? *)", 3)),
        (
            "cron(60 6 * * ? *)",
            bad_field("cron(60 6 * * ? *)", "Minutes field has 60, outside 0-59"),
        ),
        ("cron(0 24 * * ? *)", bad_field("cron(0 24 * * ? *)", "Hours field has 24, outside 0-23")),
        (
            "cron(0 6 32 * ? *)",
            bad_field("cron(0 6 32 * ? *)", "Day-of-month field has 32, outside 1-31"),
        ),
        ("cron(0 6 ? FOO * *)", bad_field("cron(0 6 ? FOO * *)", "Month field has 'FOO'")),
        (
            "cron(0 6 ? * 8 *)",
            bad_field("cron(0 6 ? * 8 *)", "Day-of-week field has 8, outside 1-7"),
        ),
        (
            "cron(0 6 * * ? 1969)",
            bad_field("cron(0 6 * * ? 1969)", "Year field has 1969, outside 1970-2199"),
        ),
        (
            "cron(0/0 6 * * ? *)",
            bad_field("cron(0/0 6 * * ? *)", "Minutes field has a step of 0 in '0/0'"),
        ),
        (
            "cron(0 6 ?,1 * MON *)",
            bad_field(
                "cron(0 6 ?,1 * MON *)", "Day-of-month field '?,1' mixes '?' with other values"
            ),
        ),
    ],
)
def test_bad_cron_is_rejected_with_glues_rule(expression: str, message: str) -> None:
    assert cron_problem(expression) == message


@pytest.mark.parametrize(
    "expression",
    [
        "cron(0 6 * * ? *)",  # daily 06:00 UTC (the default)
        "cron(15 12 * * ? *)",
        "cron(0 18 ? * MON-FRI *)",
        "cron(0 8 1 * ? *)",
        "cron(0/15 * * * ? *)",  # Glue's own example: every 15 minutes
        "cron(0/10 * ? * MON-FRI *)",
        "cron(0/5 * * * ? *)",  # exactly the 5-minute floor
        "cron(5,55 * * * ? *)",  # 10 minutes apart across the hour
        "cron(0 * * * ? *)",
        "cron(0 6 L * ? *)",
        "cron(0 6 3W * ? *)",
        "cron(0 6 ? * 6L *)",
        "cron(0 6 ? JAN,JUL SUN 2027-2030)",
        "cron(0 6 * * ? 2026/2)",
    ],
)
def test_good_cron_passes(expression: str) -> None:
    assert cron_problem(expression) is None


def test_worker_types_follow_the_glue_version_and_job_kind() -> None:
    for version in ("5.1", "6.0"):
        for worker in ("G.1X", "G.2X", "G.4X", "G.8X", "G.12X", "G.16X", "R.1X", "R.8X"):
            assert worker_type_problem(worker, version) is None
    assert worker_type_problem("G.025X", "6.0") == (
        "'G.025X' is for Spark streaming jobs only; a Glue 6.0 Spark job takes one of G.1X, "
        "G.2X, G.4X, G.8X, G.12X, G.16X, R.1X, R.2X, R.4X, R.8X"
    )
    assert worker_type_problem("Z.2X", "5.1") is not None
    assert worker_type_problem("Standard", "5.1") is not None


def test_flex_only_on_g1x_and_g2x() -> None:
    assert execution_class_problem("FLEX", "G.1X") is None
    assert execution_class_problem("FLEX", "G.2X") is None
    assert execution_class_problem("STANDARD", "G.8X") is None
    assert execution_class_problem("FLEX", "G.4X") == (
        'FLEX runs only on G.1X or G.2X workers, not G.4X; set worker_type = "G.1X" or "G.2X", '
        'or execution_class = "STANDARD"'
    )


@pytest.fixture
def no_aws(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    from deploy import cli

    calls: list[str] = []

    def refuse(*_: object, **__: object) -> None:
        calls.append("make_session")
        raise AssertionError("deploy opened an AWS session despite a bad configuration")

    monkeypatch.setattr(cli, "make_session", refuse)
    return calls


VERSIONS = '"5.1" or "6.0"'
CLASSES = '"STANDARD" or "FLEX"'


@pytest.mark.parametrize(
    ("extra", "cron", "message"),
    [
        ('glue_version = "4.0"\n', None, f"[job] glue_version: '4.0' is not valid: {VERSIONS}"),
        (
            'execution_class = "flex"\n',
            None,
            f"[job] execution_class: 'flex' is not valid: {CLASSES}",
        ),
        (
            'lake_formation = "yes"\n',
            None,
            "[job] lake_formation: must be true or false, got 'yes'",
        ),
        ("", "cron(0/1 * * * ? *)", "[schedule] cron: " + too_often("cron(0/1 * * * ? *)", 1)),
        ("", "cron(0 6 * * * *)", f"[schedule] cron: 'cron(0 6 * * * *)': {QUESTION}"),
    ],
)
def test_bad_job_or_schedule_value_stops_before_any_call(
    tmp_path: Path, dist: Path, no_aws: list[str], extra: str, cron: str | None, message: str
) -> None:
    path = write_config(tmp_path, **({"cron": cron} if cron else {}))
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("[schedule]", extra + "\n[schedule]"), encoding="utf-8")
    code, out, err = deploy(path)
    assert (code, out, no_aws) == (1, "", [])
    assert err.splitlines()[1:] == [f"  - {message}"]


def test_flex_with_a_large_worker_is_refused_before_any_call(
    tmp_path: Path, dist: Path, no_aws: list[str]
) -> None:
    path = write_config(tmp_path)
    text = path.read_text(encoding="utf-8").replace('"G.1X"', '"G.4X"')
    path.write_text(text.replace("[schedule]", 'execution_class = "FLEX"\n[schedule]'))
    code, _, err = deploy(path)
    assert (code, no_aws) == (1, [])
    assert err.splitlines()[1].startswith("  - [job] execution_class: FLEX runs only on G.1X")


def test_defaults_are_glue_60_standard_without_lake_formation(tmp_path: Path, dist: Path) -> None:
    job = load_config(write_config(tmp_path)).job
    assert (job.glue_version, job.execution_class, job.lake_formation) == ("6.0", "STANDARD", False)


def test_argument_names_must_fit_the_tag_that_records_them(
    tmp_path: Path, dist: Path, no_aws: list[str]
) -> None:
    # seven names of 41 characters: 7 x 41 + 6 spaces = 293 characters
    names = [f'"--argument-number-{i:02d}-{"x" * 20}" = "1"' for i in range(7)]
    path = write_config(tmp_path)
    text = path.read_text(encoding="utf-8")
    extra = "[job.arguments]\n" + "\n".join(names) + "\n"
    path.write_text(text.replace("[schedule]", extra + "[schedule]"), encoding="utf-8")
    code, _, err = deploy(path)
    assert (code, no_aws) == (1, [])
    assert err.splitlines()[1:] == [
        "  - [job] arguments: the argument names take more than 256 characters together; "
        "deploy records them in a job tag (at most 256 characters): move some into one argument"
    ]
    six = "[job.arguments]\n" + "\n".join(names[:6]) + "\n"  # 6 x 41 + 5 spaces = 251: fits
    path.write_text(text.replace("[schedule]", six + "[schedule]"), encoding="utf-8")
    assert len(load_config(path).job.extra_arguments) == 6
