"""The doctor's result value, shared by ``cur-bootstrap doctor`` and ``cur-deploy --check``.

Checks are data: gathering facts (read-only AWS calls) is separate from judging them, so each
check is a pure function of facts and configuration, and printing is one ``line()``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Check:
    """One diagnosis: a stable name, the outcome, what was seen, and what to do if it failed."""

    name: str
    ok: bool
    detail: str
    fix: str = ""
    warn: bool = False  # passed, but says something the user must know or do

    def line(self) -> str:
        status = ("WARN" if self.warn else "PASS") if self.ok else "FAIL"
        text = f"{status}  {self.name}: {self.detail}"
        return text if self.ok else f"{text} -> fix: {self.fix}"


def check(name: str, ok: bool, detail: str, fix: str) -> Check:
    """A check whose fix is shown only when it failed."""
    return Check(name, ok, detail, "" if ok else fix)


def all_passed(checks: Iterable[Check]) -> bool:
    return all(c.ok for c in checks)
