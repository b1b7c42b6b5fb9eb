"""Billing periods: parsed once at the edge, then the one codec of every form a period takes.

A period is written as its label ``YYYY-MM`` (outputs, messages, the ``billing_period`` column,
CUR 2.0's ``BILLING_PERIOD`` partition) or as the legacy export's partition values
``year=YYYY/month=M``: AWS writes the month *not* zero-padded and the Glue crawler makes both keys
strings, so a predicate compares strings written the same way. This module is the only place
that rule and the partition text live (``layout.Layout`` builds on them for both layouts; readers
use the values their catalog lists, ``layout.Partition``, which differ where a crawler kept a
``month=05`` folder's '05'). It imports no Spark: the column forms import pyspark on use.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cur_analysis.errors import InvalidInputError

if TYPE_CHECKING:
    from pyspark.sql import Column

_PERIOD = re.compile(r"^([0-9]{4})-([0-9]{1,2})$")
_LAST = re.compile(r"^last:([0-9]{1,3})$")
MIN_YEAR, MAX_YEAR = 2000, 2100

# The legacy export's partition keys (the crawler's names) and the output datasets' keys.
YEAR = "year"
MONTH = "month"
PARTITION_KEYS = (YEAR, MONTH)
NO_PERIOD = "no billing period given: pass e.g. --period 2024-05 or last:2"


@dataclass(frozen=True, order=True)
class BillingPeriod:
    """A validated calendar month of the CUR: every period the library takes travels as one.

    Args:
        year: The calendar year, 2000 to 2100.
        month: The month, 1 to 12.

    Raises:
        InvalidInputError: The year or the month is out of range.
    """

    year: int
    month: int

    def __post_init__(self) -> None:
        if not (isinstance(self.year, int) and MIN_YEAR <= self.year <= MAX_YEAR):
            raise InvalidInputError(f"year {self.year!r} is outside {MIN_YEAR}-{MAX_YEAR}")
        if not (isinstance(self.month, int) and 1 <= self.month <= 12):
            raise InvalidInputError(f"month {self.month!r} is not between 1 and 12")

    @classmethod
    def parse(cls, text: str) -> BillingPeriod:
        """Parse a period's text, the month zero-padded or not.

        Args:
            text: ``2024-05`` or ``2024-5``; blanks around it are ignored.

        Returns:
            The period.

        Raises:
            InvalidInputError: ``text`` is not of the form ``YYYY-MM``, or names no valid month.
        """
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
    def of(cls, value: BillingPeriod | str) -> BillingPeriod:
        """A period as given, or parsed from its text: the notebook's edge, where both come.

        Args:
            value: A period, or its ``YYYY-MM`` text as ``parse`` takes it.

        Returns:
            The period.

        Raises:
            InvalidInputError: ``value`` is text that ``parse`` refuses.
        """
        return value if isinstance(value, BillingPeriod) else cls.parse(value)

    @classmethod
    def from_partition(cls, year: str, month: str) -> BillingPeriod:
        """The period of a ``year=YYYY/month=M`` partition of the legacy export.

        Args:
            year: The ``year`` partition value, e.g. ``'2024'``.
            month: The ``month`` partition value, ``'5'`` as AWS writes it or ``'05'`` as some
                crawled folders hold it.

        Returns:
            The period.

        Raises:
            InvalidInputError: The values name no valid month.
        """
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

    @property
    def partition_values(self) -> tuple[str, str]:
        """``(year, month)`` partition values, in ``PARTITION_KEYS`` order."""
        return (self.year_value, self.month_value)

    @property
    def folder(self) -> str:
        """``year=YYYY/month=M``: the export's folder of this period, and the datasets' one."""
        return partition_path(PARTITION_KEYS, self.partition_values)

    def predicate(self) -> str:
        """The push-down predicate that selects this period's partition of the legacy export.

        Returns:
            ``year = '2024' and month = '5'`` for 2024-05: strings, as the crawler types the
            keys, and the month not zero-padded, as AWS writes it.
        """
        return partition_clause(PARTITION_KEYS, self.partition_values)

    def previous(self) -> BillingPeriod:
        """The calendar month before this one (the period a change column compares with).

        Returns:
            The previous month; January's is the December before.

        Raises:
            InvalidInputError: The month before is before 2000.
        """
        if self.month == 1:
            return BillingPeriod(self.year - 1, 12)
        return BillingPeriod(self.year, self.month - 1)

    def next(self) -> BillingPeriod:
        """The calendar month after this one.

        Returns:
            The next month; December's is the January after.

        Raises:
            InvalidInputError: The month after is after 2100.
        """
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


def require_month_range(start: BillingPeriod, months: int) -> None:
    """Refuse ``months`` periods from ``start`` that run past the last year a period may have
    (an ``InvalidInputError``), so a command can check its range before writing anything."""
    month_range(start, months)


def as_periods(values: Iterable[BillingPeriod | str]) -> tuple[BillingPeriod, ...]:
    """Periods, sorted and without repeats, from periods or their ``YYYY-MM`` texts."""
    return tuple(sorted({BillingPeriod.of(value) for value in values}))


# --- partition text: key = 'value' clauses and key=value folders ---


def partition_clause(keys: Sequence[str], values: Sequence[str], joiner: str = " and ") -> str:
    """``key = 'value'`` pairs joined by ``joiner`` (`` and `` for a predicate, ``, `` for a
    partition spec). The values were validated (a period, or a ``layout.Partition``)."""
    return joiner.join(f"{key} = '{value}'" for key, value in zip(keys, values, strict=True))


def partition_path(keys: Sequence[str], values: Sequence[str]) -> str:
    """``key=value/...``, a partition's folder."""
    return "/".join(f"{key}={value}" for key, value in zip(keys, values, strict=True))


def partition_path_values(path: str) -> dict[str, str]:
    """The ``key -> value`` pairs of the ``key=value`` parts of a path (keys as written)."""
    return dict(part.split("=", 1) for part in path.split("/") if "=" in part)


# --- the same forms as Spark columns (pyspark imported on use) ---


def label_column(year: Column, month: Column) -> Column:
    """``YYYY-MM`` from ``year``/``month`` partition columns (a month padded or not)."""
    from pyspark.sql import functions as F

    return F.concat_ws("-", year, F.lpad(month, 2, "0"))


def year_column(label: Column) -> Column:
    """The ``year`` partition value of a ``YYYY-MM`` column (``year_value``)."""
    from pyspark.sql import functions as F

    return F.substring(label, 1, 4)


def month_column(label: Column) -> Column:
    """The ``month`` partition value of a ``YYYY-MM`` column, not zero-padded (``month_value``)."""
    from pyspark.sql import functions as F

    return F.substring(label, 6, 2).cast("int").cast("string")


def shifted_label(label: Column, months: int) -> Column:
    """``YYYY-MM`` of the month ``months`` after a ``YYYY-MM`` column (``next``, ``previous``)."""
    from pyspark.sql import functions as F

    first_day = F.to_date(F.concat(label, F.lit("-01")))
    return F.date_format(F.add_months(first_day, months), "yyyy-MM")


def label_in(label: Column, periods: Iterable[BillingPeriod]) -> Column:
    """True where a ``YYYY-MM`` column is one of ``periods``."""
    return label.isin(*[period.label for period in periods])


# --- what a user asks for: YYYY-MM values and last:N ---


@dataclass(frozen=True)
class PeriodSelection:
    """The periods a run asks for, parsed once: named periods and the N latest (``last:N``)."""

    named: tuple[BillingPeriod, ...] = ()
    latest: int = 0

    @classmethod
    def parse(cls, texts: Iterable[str]) -> PeriodSelection:
        """From ``YYYY-MM`` values (comma-separated allowed) and ``last:N``; checked before any
        catalog call."""
        parts = [p.strip() for text in texts for p in text.split(",") if p.strip()]
        if not parts:
            raise InvalidInputError(NO_PERIOD)
        named: set[BillingPeriod] = set()
        latest = 0
        for part in parts:
            match = _LAST.match(part)
            if match is None and part.lower().startswith("last"):
                raise InvalidInputError(
                    f"{part!r} is not last:N: N is a whole number from 1 to 999 (the N latest "
                    "periods in the table), e.g. last:2"
                )
            if match is None:
                named.add(BillingPeriod.parse(part))
            elif int(match.group(1)) < 1:
                raise InvalidInputError(f"{part!r}: N in last:N must be at least 1, e.g. last:2")
            else:
                latest = max(latest, int(match.group(1)))
        return cls(tuple(sorted(named)), latest)

    @property
    def texts(self) -> tuple[str, ...]:
        """The selection written back as arguments: labels, then ``last:N``."""
        return tuple(p.label for p in self.named) + (
            (f"last:{self.latest}",) if self.latest else ()
        )

    def resolve(self, available: Iterable[BillingPeriod]) -> tuple[BillingPeriod, ...]:
        """The chosen periods, sorted; ``last:N`` takes the N latest of ``available``."""
        present = sorted(set(available))
        chosen = set(self.named) | set(present[-self.latest :] if self.latest else ())
        if not chosen:
            raise InvalidInputError(NO_PERIOD)
        return tuple(sorted(chosen))


def resolve_periods(
    texts: Iterable[str], available: Iterable[BillingPeriod]
) -> tuple[BillingPeriod, ...]:
    """``PeriodSelection.parse(texts).resolve(available)``."""
    return PeriodSelection.parse(texts).resolve(available)


def checked_period_texts(texts: Iterable[str]) -> tuple[str, ...]:
    """Validate period arguments (``YYYY-MM`` or ``last:N``); their canonical texts."""
    return PeriodSelection.parse(texts).texts
