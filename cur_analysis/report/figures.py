"""The numbers a report shows, as one immutable structure: pure functions over pandas frames.

Nothing here reads, writes or draws. Every figure comes from a dataset column as the job wrote
it (``account_monthly`` for the totals, ``service_monthly`` and ``account_monthly`` for the
change columns, ``savings_monthly``, ``tag_monthly``, ``daily_cost``): the report computes no
cost rule of its own, it only sums and ranks.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import pandas as pd

from cur_analysis import columns as c
from cur_analysis.datasets.movers import Mover, top_movers
from cur_analysis.datasets.registry import (
    ACCOUNT_MONTHLY,
    ACCOUNT_MOVERS,
    DAILY_COST,
    SAVINGS_MONTHLY,
    SERVICE_MONTHLY,
    SERVICE_MOVERS,
    TAG_MONTHLY,
    Movers,
)
from cur_analysis.report.load import ReportInputs

CURRENCY = "USD"

HEADLINE = (
    (c.AMORTIZED, "Amortized cost"),
    (c.UNBLENDED, "Unblended cost"),
    (c.NET_AMORTIZED, "Net amortized cost"),
    (c.NET_UNBLENDED, "Net unblended cost"),
)
SAVINGS_LABEL = "Savings vs on-demand"
TOP_DAILY_SERVICES = 6
OTHER = "Other services"


@dataclass(frozen=True)
class Figure:
    """A headline number with its previous-period value (None: previous period not written)."""

    key: str
    label: str
    value: float
    previous: float | None

    @property
    def change(self) -> float | None:
        return None if self.previous is None else self.value - self.previous

    @property
    def change_ratio(self) -> float | None:
        if self.previous is None or self.previous == 0:
            return None
        return (self.value - self.previous) / self.previous


@dataclass(frozen=True)
class CostRow:
    """One service or account: amortized cost, share and change as the monthly dataset has them."""

    name: str
    amortized: float
    unblended: float
    share: float | None
    previous: float | None
    change: float | None
    change_ratio: float | None


@dataclass(frozen=True)
class DailyStack:
    """Daily amortized cost per top service (and one "Other services" series), by usage date."""

    dates: tuple[str, ...]
    series: tuple[tuple[str, tuple[float, ...]], ...]

    @property
    def total(self) -> float:
        return sum(sum(values) for _, values in self.series)


@dataclass(frozen=True)
class SavingsFigures:
    on_demand_equivalent: float
    amortized: float
    savings: float
    eligible_usage: float
    ri_covered_usage: float
    sp_covered_usage: float
    ri_total_commitment: float
    ri_used_commitment: float
    ri_unused_commitment: float
    sp_total_commitment: float
    sp_used_commitment: float
    sp_unused_commitment: float

    @property
    def coverage(self) -> float | None:
        return _ratio(self.ri_covered_usage + self.sp_covered_usage, self.eligible_usage)

    @property
    def ri_coverage(self) -> float | None:
        return _ratio(self.ri_covered_usage, self.eligible_usage)

    @property
    def sp_coverage(self) -> float | None:
        return _ratio(self.sp_covered_usage, self.eligible_usage)

    @property
    def ri_utilization(self) -> float | None:
        return _ratio(self.ri_used_commitment, self.ri_total_commitment)

    @property
    def sp_utilization(self) -> float | None:
        return _ratio(self.sp_used_commitment, self.sp_total_commitment)

    @property
    def has_reservations(self) -> bool:
        return self.ri_total_commitment > 0 or self.ri_covered_usage > 0

    @property
    def has_savings_plans(self) -> bool:
        return self.sp_total_commitment > 0 or self.sp_covered_usage > 0


@dataclass(frozen=True)
class TagCoverage:
    key: str
    coverage: float | None
    tagged_amortized: float
    values: int


@dataclass(frozen=True)
class ReportFigures:
    """Everything the report shows. ``notes`` say which pieces are absent and why; ``status``
    whether the month was closed when it was published (None where unknown)."""

    period: str
    previous_period: str
    previous_written: bool
    source: str
    headline: tuple[Figure, ...]
    daily: DailyStack | None
    services: tuple[CostRow, ...]
    accounts: tuple[CostRow, ...]
    movers: tuple[Mover, ...]
    savings: SavingsFigures | None
    tags: tuple[TagCoverage, ...]
    notes: tuple[str, ...]
    status: str | None = None
    currency: str = CURRENCY

    def figure(self, key: str) -> Figure:
        return next(f for f in self.headline if f.key == key)

    def as_json_data(self) -> dict:
        """A JSON-ready dict of the figures (derived values included), embedded in the HTML."""
        data = asdict(self)
        data["headline"] = [
            {**asdict(f), "change": f.change, "change_ratio": f.change_ratio} for f in self.headline
        ]
        if self.savings is not None:
            data["savings"].update(
                coverage=self.savings.coverage,
                ri_coverage=self.savings.ri_coverage,
                sp_coverage=self.savings.sp_coverage,
                ri_utilization=self.savings.ri_utilization,
                sp_utilization=self.savings.sp_utilization,
            )
        return data


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator > 0 else None


def _number(value: object) -> float | None:
    """A float, or None for null / NaN (pandas reads SQL nulls of doubles as NaN)."""
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if math.isnan(number) else number


def _sum(frame: pd.DataFrame | None, column: str) -> float:
    if frame is None or column not in frame.columns:
        return 0.0
    return float(frame[column].fillna(0.0).sum())


def headline(inputs: ReportInputs) -> tuple[Figure, ...]:
    """Period totals of the headline measures (from account_monthly) and savings_monthly savings."""
    accounts = inputs.current.get(ACCOUNT_MONTHLY.name)
    previous_accounts = inputs.previous.get(ACCOUNT_MONTHLY.name) if inputs.previous else None
    figures = [
        Figure(
            key,
            label,
            _sum(accounts, key),
            _sum(previous_accounts, key) if previous_accounts is not None else None,
        )
        for key, label in HEADLINE
    ]
    savings = inputs.current.get(SAVINGS_MONTHLY.name)
    if savings is not None:
        previous_savings = inputs.previous.get(SAVINGS_MONTHLY.name) if inputs.previous else None
        figures.append(
            Figure(
                c.SAVINGS,
                SAVINGS_LABEL,
                _sum(savings, c.SAVINGS),
                _sum(previous_savings, c.SAVINGS) if previous_savings is not None else None,
            )
        )
    return tuple(figures)


def cost_rows(frame: pd.DataFrame | None, name_column: str) -> tuple[CostRow, ...]:
    """A monthly dataset's rows, highest amortized cost first, with the dataset's change columns."""
    if frame is None or frame.empty:
        return ()
    ordered = frame.sort_values([c.AMORTIZED, name_column], ascending=[False, True])
    return tuple(
        CostRow(
            name=str(row[name_column]),
            amortized=float(row[c.AMORTIZED]),
            unblended=float(row[c.UNBLENDED]),
            share=_number(row.get(c.SHARE_OF_TOTAL_AMORTIZED)),
            previous=_number(row.get(c.PREVIOUS_AMORTIZED)),
            change=_number(row.get(c.AMORTIZED_CHANGE)),
            change_ratio=_number(row.get(c.AMORTIZED_CHANGE_RATIO)),
        )
        for _, row in ordered.iterrows()
    )


def movers_of(period: str, rows: Sequence[CostRow], movers: Movers) -> tuple[Mover, ...]:
    """The top movers among a monthly dataset's rows (the run's rule, ``top_movers``)."""
    return top_movers(
        Mover(period, movers.kind, row.name, row.amortized, row.change)
        for row in rows
        if row.change is not None
    )


def daily_stack(frame: pd.DataFrame | None, top: int = TOP_DAILY_SERVICES) -> DailyStack | None:
    """Daily amortized cost of the ``top`` services of the period; the rest as one series."""
    if frame is None or frame.empty:
        return None
    days = frame.assign(**{c.USAGE_DATE: frame[c.USAGE_DATE].astype(str)})
    by_service = days.groupby(c.SERVICE, dropna=False)[c.AMORTIZED].sum()
    ranked = sorted(by_service.items(), key=lambda item: (-item[1], str(item[0])))
    leaders = [str(name) for name, _ in ranked[:top]]
    labels = days[c.SERVICE].astype(str).where(days[c.SERVICE].astype(str).isin(leaders), OTHER)
    table = days.assign(**{c.SERVICE: labels}).pivot_table(
        index=c.USAGE_DATE, columns=c.SERVICE, values=c.AMORTIZED, aggfunc="sum", fill_value=0.0
    )
    order = leaders + ([OTHER] if OTHER in table.columns else [])
    dates = tuple(str(d) for d in table.index)
    return DailyStack(
        dates=dates,
        series=tuple((name, tuple(float(v) for v in table[name])) for name in order),
    )


def savings_figures(frame: pd.DataFrame | None) -> SavingsFigures | None:
    """Period totals of savings_monthly; ratios are recomputed from the summed parts."""
    if frame is None or frame.empty:
        return None
    return SavingsFigures(
        on_demand_equivalent=_sum(frame, c.ON_DEMAND_EQUIVALENT),
        amortized=_sum(frame, c.AMORTIZED),
        savings=_sum(frame, c.SAVINGS),
        eligible_usage=_sum(frame, c.ELIGIBLE),
        ri_covered_usage=_sum(frame, c.RI_COVERED),
        sp_covered_usage=_sum(frame, c.SP_COVERED),
        ri_total_commitment=_sum(frame, c.RI_TOTAL),
        ri_used_commitment=_sum(frame, c.RI_USED),
        ri_unused_commitment=_sum(frame, c.RI_UNUSED),
        sp_total_commitment=_sum(frame, c.SP_TOTAL),
        sp_used_commitment=_sum(frame, c.SP_USED),
        sp_unused_commitment=_sum(frame, c.SP_UNUSED),
    )


def tag_coverage(frame: pd.DataFrame | None) -> tuple[TagCoverage, ...]:
    """Per tag key: the dataset's ``tag_coverage``, the tagged amortized cost, distinct values."""
    if frame is None or frame.empty:
        return ()
    keys = []
    for key, rows in frame.groupby(c.TAG_KEY, sort=True):
        tagged = rows[rows[c.TAG_VALUE].notna()]
        keys.append(
            TagCoverage(
                key=str(key),
                coverage=_number(rows[c.TAG_COVERAGE].iloc[0]),
                tagged_amortized=float(tagged[c.AMORTIZED].sum()),
                values=int(tagged[c.TAG_VALUE].nunique()),
            )
        )
    return tuple(sorted(keys, key=lambda t: (-(t.coverage or 0.0), t.key)))


def _notes(
    inputs: ReportInputs,
    savings: SavingsFigures | None,
    tags: Sequence[TagCoverage],
    daily: DailyStack | None,
) -> tuple[str, ...]:
    period, previous = inputs.current.period.label, inputs.current.period.previous().label
    notes = list(inputs.current.warnings)
    if inputs.previous is None:
        notes.append(
            f"No datasets for the previous period {previous} in {inputs.source}: headline "
            "changes are not shown. Service and account changes come from the job's change "
            f"columns, which are empty when {previous} is not in the CUR table either."
        )
    if daily is None:
        notes.append(f"{DAILY_COST.name} was not written for {period}: no daily chart.")
    if inputs.current.get(SERVICE_MONTHLY.name) is None:
        notes.append(f"{SERVICE_MONTHLY.name} was not written for {period}: no service breakdown.")
    if savings is None:
        notes.append(f"{SAVINGS_MONTHLY.name} was not written for {period}: no savings figures.")
    else:
        if not savings.has_reservations:
            notes.append(f"No Reserved Instances in {period}: RI coverage and utilization absent.")
        if not savings.has_savings_plans:
            notes.append(f"No Savings Plans in {period}: SP coverage and utilization absent.")
    if not tags:
        notes.append(
            f"No user cost allocation tags in {period} (no resource_tags_user_* columns in the "
            f"CUR, or {TAG_MONTHLY.name} not written): no tag coverage."
        )
    return tuple(notes)


def report_figures(inputs: ReportInputs) -> ReportFigures:
    """All figures of the report for ``inputs`` (pure: same inputs, same figures)."""
    period = inputs.current.period.label
    services = cost_rows(inputs.current.get(SERVICE_MONTHLY.name), SERVICE_MOVERS.name_column)
    accounts = cost_rows(inputs.current.get(ACCOUNT_MONTHLY.name), ACCOUNT_MOVERS.name_column)
    savings = savings_figures(inputs.current.get(SAVINGS_MONTHLY.name))
    tags = tag_coverage(inputs.current.get(TAG_MONTHLY.name))
    daily = daily_stack(inputs.current.get(DAILY_COST.name))
    return ReportFigures(
        period=period,
        previous_period=inputs.current.period.previous().label,
        previous_written=inputs.previous is not None,
        source=inputs.source,
        headline=headline(inputs),
        daily=daily,
        services=services,
        accounts=accounts,
        movers=movers_of(period, services, SERVICE_MOVERS)
        + movers_of(period, accounts, ACCOUNT_MOVERS),
        savings=savings,
        tags=tags,
        notes=_notes(inputs, savings, tags, daily),
        status=inputs.current.status,
    )
