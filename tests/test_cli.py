"""The ``cur-analysis`` command: one clear sentence and exit 1 on bad input, nothing written; its
options and every help page."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pytest

from cur_analysis.cli import build_parser, main

from .support import command_parsers


def _run(spark_home: Path, *args: str) -> int:
    return main(["--home", str(spark_home), *args])


@pytest.mark.parametrize(
    ("period", "expected", "exit_code"),
    [
        ("2024-13", "month 13 is not between 1 and 12", 1),
        ("2024-05' or '1'='1", "is not of the form YYYY-MM", 1),
        ("last:-1", "is not last:N: N is a whole number from 1 to 999", 1),
        (
            "2024-06",
            "has no partition for 2024-06 (periods present: 2024-03, 2024-04, 2024-05)",
            3,
        ),
    ],
)
def test_bad_period_is_one_sentence_its_exit_code_and_nothing_written(
    spark, spark_home, generated_catalog, tmp_path, capsys, period: str, expected: str, exit_code
) -> None:
    output = tmp_path / "out"
    code = _run(
        spark_home,
        "run",
        "--database",
        generated_catalog[0],
        "--period",
        period,
        "--output",
        str(output),
    )
    err = capsys.readouterr().err.strip().splitlines()
    assert code == exit_code
    assert len(err) == 1 and err[0].startswith("cur-analysis: error: ") and expected in err[0]
    assert not output.exists()


def test_run_prints_totals_and_the_output_path(
    spark, spark_home, generated_catalog, tmp_path, capsys
) -> None:
    output = tmp_path / "out"
    code = _run(
        spark_home,
        "run",
        "--database",
        generated_catalog[0],
        "--period",
        "2024-4",
        "--datasets",
        "daily_cost",
        "--output",
        str(output),
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "amortized_cost" in out and "2024-04" in out
    assert str(output / "daily_cost") in out
    assert list((output / "daily_cost" / "year=2024" / "month=4").glob("run=*/*.parquet"))


def test_generate_writes_a_partitioned_export(tmp_path, capsys) -> None:
    assert (
        main(
            [
                "generate",
                "--output",
                str(tmp_path),
                "--start",
                "2023-12",
                "--months",
                "2",
                "--rows-per-month",
                "500",
            ]
        )
        == 0
    )
    assert list((tmp_path / "year=2023" / "month=12").glob("*.parquet"))
    assert list((tmp_path / "year=2024" / "month=1").glob("*.parquet"))


def test_bad_argument_values_exit_2_with_usage(capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["generate", "--output", "x", "--months", "0"])
    assert exit_info.value.code == 2
    assert "must be at least 1" in capsys.readouterr().err


def test_generate_refuses_a_range_past_2100_before_writing(tmp_path, capsys) -> None:
    output = tmp_path / "export"
    code = main(["generate", "--output", str(output), "--start", "2100-11", "--months", "3"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert len(err) == 1 and "year 2101 is outside 2000-2100" in err[0]
    assert not output.exists()


def _option_entries(text: str) -> dict[str, str]:
    """Each option's entry in the options section of a ``--help`` text (its lines joined), by
    its first flag."""
    entries: dict[str, list[str]] = {}
    current = None
    for line in text[text.index("options:") :].split("\n\n")[0].splitlines():
        if line.startswith("  -"):
            current = line.split()[0].rstrip(",")
            entries[current] = [line]
        elif current is not None and line.startswith("   "):
            entries[current].append(line)
    return {flag: " ".join(" ".join(lines).split()) for flag, lines in entries.items()}


PARSERS = [(p, parser) for p, parser in command_parsers(build_parser()) if "deploy" not in p]


def test_every_command_has_a_help_page() -> None:
    paths = {path for path, _ in PARSERS}
    assert paths == {
        (),
        ("catalog",),
        ("catalog", "register"),
        ("catalog", "link"),
        ("generate",),
        ("run",),
        ("report",),
        ("demo",),
    }


@pytest.mark.parametrize(("path", "parser"), PARSERS, ids=[" ".join(p) or "-" for p, _ in PARSERS])
def test_help_reads_as_plain_text_with_one_default_each_and_examples(path, parser) -> None:
    text = parser.format_help()
    assert "``" not in text
    options = _option_entries(text)
    assert "-h" in options and "--home" in options
    for action in parser._actions:
        if not action.option_strings or action.help == argparse.SUPPRESS:
            continue
        entry = options[action.option_strings[0]]
        assert entry.lower().count("default") <= 1, entry
        if action.default not in (None, False, argparse.SUPPRESS):
            assert entry.count("(default: ") == 1, entry
    examples = text[text.index("\nexamples:\n") :].strip().splitlines()[1:]
    assert 2 <= len(examples) <= 3
    assert all(line.startswith("  cur-analysis ") and " ".join(path) in line for line in examples)


def test_the_retired_deploy_command_is_not_listed_but_still_points_to_cur_deploy(capsys) -> None:
    listing = build_parser().format_help()
    assert "deploy" not in listing
    assert main(["deploy", "--plan"]) == 1
    assert "cur-deploy" in capsys.readouterr().err


def test_help_pages_print_and_exit_0(capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["run", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "(default: cur_org_linked)" in out and "examples:" in out


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
