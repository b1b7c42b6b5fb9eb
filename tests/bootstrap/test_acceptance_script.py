"""``make aws-acceptance`` without its variables: says what it needs, exits 0, calls nothing."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "aws_acceptance.py"


def test_without_variables_it_only_says_what_it_needs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("CUR_ACCEPTANCE_CONFIG", "CUR_ACCEPTANCE_ATHENA_OUTPUT"):
        monkeypatch.delenv(name, raising=False)
    namespace = runpy.run_path(str(SCRIPT))
    assert namespace["main"]() == 0
    out = capsys.readouterr().out
    assert out.startswith("aws-acceptance: not run (opt-in)")
    assert "CUR_ACCEPTANCE_CONFIG" in out and "CUR_ACCEPTANCE_ATHENA_OUTPUT" in out
