"""The FOCUS form a run writes: the version and the time granularity, checked where they are
given (the CLI, the Glue job, ``RunConfig``) so a bad value is refused before Spark starts."""

from __future__ import annotations

from dataclasses import dataclass

from cur_analysis.errors import InvalidInputError

V1_2 = "1.2"
V1_0 = "1.0"
# The versions ``--focus-version`` accepts, the default first.
VERSIONS: tuple[str, ...] = (V1_2, V1_0)

LINE_ITEM = "line-item"
HOURLY = "hourly"
DAILY = "daily"
MONTHLY = "monthly"
# The granularities ``--focus-granularity`` accepts, the default first: one row per CUR line
# item, or AWS Data Exports' TIME_GRANULARITY (HOURLY, DAILY, MONTHLY) of the native export.
GRANULARITIES: tuple[str, ...] = (LINE_ITEM, HOURLY, DAILY, MONTHLY)


@dataclass(frozen=True)
class FocusOptions:
    """The FOCUS version and granularity of a run's ``focus`` dataset (recorded in the
    manifest: a period re-run at another form is replaced whole)."""

    version: str = V1_2
    granularity: str = LINE_ITEM

    def __post_init__(self) -> None:
        if self.version not in VERSIONS:
            raise InvalidInputError(
                f"FOCUS version {self.version!r} is not supported: choose {' or '.join(VERSIONS)}"
            )
        if self.granularity not in GRANULARITIES:
            raise InvalidInputError(
                f"FOCUS granularity {self.granularity!r} is not supported: choose one of "
                f"{', '.join(GRANULARITIES)}"
            )

    @property
    def aggregated(self) -> bool:
        """Whether rows are summed to a time granularity instead of one per line item."""
        return self.granularity != LINE_ITEM

    def to_json(self) -> dict[str, str]:
        return {"version": self.version, "granularity": self.granularity}
