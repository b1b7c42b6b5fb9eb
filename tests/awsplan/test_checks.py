"""awsplan.checks: one line per check, and what counts as passed."""

from __future__ import annotations

from awsplan.checks import Check, all_passed, check


def test_check_lines() -> None:
    failed = check("x.y", False, "seen", "do this")
    assert failed.line() == "FAIL  x.y: seen -> fix: do this"
    assert check("x.y", True, "seen", "do this").fix == ""
    assert Check("w", True, "note", warn=True).line() == "WARN  w: note"
    assert not all_passed([failed]) and all_passed([])
