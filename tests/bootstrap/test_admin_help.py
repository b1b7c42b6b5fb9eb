"""Every ``--help`` of cur-bootstrap and cur-deploy reads as plain text: no reStructuredText
markup, one "(default: ...)" per option that has a default, and an epilog of examples."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bootstrap.cli import main as bootstrap_main
from deploy.cli import main as deploy_main

# (command line, options with a default shown), counted by hand from the parsers.
BOOTSTRAP_HELPS = [
    ([], 0),
    (["init"], 1),  # --config
    (["plan"], 2),  # --config, --side
    (["apply"], 2),
    (["destroy"], 2),
    (["doctor"], 2),
]


def rendered_help(
    main: Callable[[list[str]], int], argv: list[str], capsys: pytest.CaptureFixture[str]
) -> str:
    with pytest.raises(SystemExit) as exited:
        main([*argv, "--help"])
    assert exited.value.code == 0
    return capsys.readouterr().out


def assert_reads_well(text: str, defaults: int) -> None:
    assert "``" not in text
    assert not [line for line in text.splitlines() if line.count("default") > 1]
    assert text.count("(default: ") == defaults
    assert "\nexamples:\n" in text
    assert 2 <= len(_examples(text)) <= 3
    assert "\nexit codes:\n" in text.split("\nexamples:\n", 1)[1]


@pytest.mark.parametrize(("argv", "defaults"), BOOTSTRAP_HELPS)
def test_bootstrap_help_reads_well(
    argv: list[str],
    defaults: int,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    text = rendered_help(bootstrap_main, argv, capsys)
    assert_reads_well(text, defaults)
    assert all(line.startswith("  cur-bootstrap ") for line in _examples(text))


def test_deploy_help_reads_well(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    text = rendered_help(deploy_main, [], capsys)
    assert_reads_well(text, defaults=1)  # --config
    assert "--config FILE  deploy configuration (default: deploy.toml)" in text
    assert all(line.startswith("  cur-deploy ") for line in _examples(text))


@pytest.mark.parametrize(
    ("main", "argv"),
    [(bootstrap_main, ["plan", "--no-such-option"]), (deploy_main, ["--no-such-option"])],
)
def test_usage_errors_exit_1_not_the_pending_changes_code(
    main: Callable[[list[str]], int], argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 1
    assert "error: unrecognized arguments: --no-such-option" in capsys.readouterr().err


def _examples(text: str) -> list[str]:
    return text.split("\nexamples:\n", 1)[1].split("\n\n", 1)[0].splitlines()
