"""Billing periods: the only way a user's text reaches a partition predicate.

The legacy CUR export writes partitions as ``year=2024/month=5`` (month not zero-padded) and the
Glue crawler makes both keys strings, so the predicate must compare strings written the same way.
``predicate`` gives the export's own form; readers use the values their catalog lists
(``layout.Partition``), which differ where a crawler kept a ``month=05`` folder's '05'.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from cur_analysis.errors import InvalidInputError

_PERIOD = re.compile(r"^([0-9]{4})-([0-9]{1,2})$")
MIN_YEAR, MAX_YEAR = 2000, 2100


@dataclass(frozen=True, order=True)
class BillingPeriod:
    """A validated calendar month of the CUR (year 2000-2100, month 1-12)."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not (isinstance(self.year, int) and MIN_YEAR <= self.year <= MAX_YEAR):
            raise InvalidInputError(f"year {self.year!r} is outside {MIN_YEAR}-{MAX_YEAR}")
        if not (isinstance(self.month, int) and 1 <= self.month <= 12):
            raise InvalidInputError(f"month {self.month!r} is not between 1 and 12")

    @classmethod
    def parse(cls, text: str) -> BillingPeriod:
        """Parse ``2024-05`` or ``2024-5``; anything else is an InvalidInputError."""
        match = _PERIOD.match(text.strip()) if isinstance(text, str) else None
        if match is None:
            raise InvalidInputError(
                f"billing period {text!r} is not of the form YYYY-MM (for example 2024-05)"
            )
        try:
            return cls(int(match.group(1)), int(match.group(2)))
        except InvalidInputError as exc:
            raise InvalidInputError(f"billing period {text!r}: {exc}") from None

    @classmethod
    def from_partition(cls, year: str, month: str) -> BillingPeriod:
        """The period of a ``year=YYYY/month=M`` partition (also accepts a zero-padded month)."""
        return cls.parse(f"{year}-{month}")

    @property
    def label(self) -> str:
        """``YYYY-MM``, the form used in outputs and messages."""
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def year_value(self) -> str:
        """The ``year`` partition value as the CUR export writes it."""
        return f"{self.year:04d}"

    @property
    def month_value(self) -> str:
        """The ``month`` partition value as the CUR export writes it: not zero-padded."""
        return str(self.month)

    def predicate(self) -> str:
        """Push-down predicate for this period, e.g. ``year = '2024' and month = '5'``."""
        return f"year = '{self.year_value}' and month = '{self.month_value}'"

    def previous(self) -> BillingPeriod:
        """The calendar month before this one."""
        if self.month == 1:
            return BillingPeriod(self.year - 1, 12)
        return BillingPeriod(self.year, self.month - 1)

    def next(self) -> BillingPeriod:
        """The calendar month after this one."""
        if self.month == 12:
            return BillingPeriod(self.year + 1, 1)
        return BillingPeriod(self.year, self.month + 1)

    def __str__(self) -> str:
        return self.label


def month_range(start: BillingPeriod, months: int) -> tuple[BillingPeriod, ...]:
    """``months`` consecutive periods starting at ``start``."""
    periods = [start]
    for _ in range(months - 1):
        periods.append(periods[-1].next())
    return tuple(periods)


_LAST = re.compile(r"^last:([0-9]{1,3})$")


def resolve_periods(
    texts: Iterable[str], available: Iterable[BillingPeriod]
) -> tuple[BillingPeriod, ...]:
    """Periods, sorted and without repeats, from ``YYYY-MM`` values (comma-separated allowed)
    and ``last:N``, the N latest periods present in the table (``available``)."""
    present = sorted(set(available))
    chosen: set[BillingPeriod] = set()
    for part in checked_period_texts(texts):
        match = _LAST.match(part)
        chosen.update(present[-int(match.group(1)) :] if match else [BillingPeriod.parse(part)])
    if not chosen:
        raise InvalidInputError("no billing period given: pass e.g. --period 2024-05 or last:2")
    return tuple(sorted(chosen))


def checked_period_texts(texts: Iterable[str]) -> tuple[str, ...]:
    """Validate period arguments (``YYYY-MM`` or ``last:N``) before any catalog call."""
    parts = [p.strip() for text in texts for p in text.split(",") if p.strip()]
    if not parts:
        raise InvalidInputError("no billing period given: pass e.g. --period 2024-05 or last:2")
    checked = []
    for part in parts:
        match = _LAST.match(part)
        if match is not None and int(match.group(1)) < 1:
            raise InvalidInputError(f"{part!r}: N in last:N must be at least 1")
        checked.append(part if match is not None else BillingPeriod.parse(part).label)
    return tuple(checked)
