"""Top movers: the services and accounts whose amortized cost changed most versus the previous
period. One rule for the run's printed summary and the report (plain Python, no Spark)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

TOP_MOVERS = 5


@dataclass(frozen=True)
class Mover:
    """One row of a monthly dataset with its change of amortized cost versus the previous period."""

    period: str
    kind: str  # "service" or "account"
    name: str
    amortized: float
    change: float


def top_movers(candidates: Iterable[Mover], count: int = TOP_MOVERS) -> tuple[Mover, ...]:
    """The ``count`` largest absolute changes of each kind and period; equal changes by name.

    Kinds keep the order they come in, periods are sorted within a kind.
    """
    groups: dict[str, dict[str, list[Mover]]] = {}
    for mover in candidates:
        groups.setdefault(mover.kind, {}).setdefault(mover.period, []).append(mover)
    top: list[Mover] = []
    for periods in groups.values():
        for period in sorted(periods):
            ranked = sorted(periods[period], key=lambda m: (-abs(m.change), m.name))
            top += ranked[:count]
    return tuple(top)
