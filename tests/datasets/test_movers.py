"""Top movers: the ranking rule on hand-made rows, and the run and the report agreeing on it."""

from __future__ import annotations

import pyarrow.dataset as ds

from cur_analysis import columns as c
from cur_analysis.datasets.movers import Mover, top_movers
from cur_analysis.datasets.registry import ACCOUNT_MONTHLY, ACCOUNT_MOVERS, SERVICE_MOVERS
from cur_analysis.periods import BillingPeriod
from cur_analysis.report.build import build_report
from cur_analysis.report.load import ParquetFolderSource


def _m(period: str, kind: str, name: str, change: float) -> Mover:
    return Mover(period, kind, name, 100.0, change)


def test_largest_absolute_changes_first_per_kind_and_period() -> None:
    rows = [
        _m("2024-05", "account", "a", 5.0),
        _m("2024-05", "account", "b", -30.0),
        _m("2024-04", "account", "c", 1.0),
        _m("2024-05", "account", "d", 20.0),
        _m("2024-05", "service", "EC2", -2.0),
        _m("2024-04", "account", "e", -7.0),
        _m("2024-05", "account", "e", 0.0),
    ]
    got = [(m.kind, m.period, m.name) for m in top_movers(rows, count=2)]
    assert got == [
        # kinds in the order they came, periods sorted, |change| descending, at most 2 each
        ("account", "2024-04", "e"),
        ("account", "2024-04", "c"),
        ("account", "2024-05", "b"),
        ("account", "2024-05", "d"),
        ("service", "2024-05", "EC2"),
    ]


def test_equal_changes_are_ordered_by_name_whatever_the_input_order() -> None:
    rows = [_m("2024-05", "service", name, change) for name, change in [
        ("S3", -10.0), ("EC2", 10.0), ("RDS", 10.0), ("Lambda", 3.0),
    ]]  # fmt: skip
    expected = ["EC2", "RDS", "S3"]
    assert [m.name for m in top_movers(rows, count=3)] == expected
    assert [m.name for m in top_movers(rows[::-1], count=3)] == expected


def test_default_count_is_five() -> None:
    rows = [_m("2024-05", "account", f"a{i}", float(i)) for i in range(8)]
    assert [m.name for m in top_movers(rows)] == ["a7", "a6", "a5", "a4", "a3"]


def test_run_movers_are_the_written_datasets_top_changes(generated_outputs) -> None:
    """The run's movers equal a pandas ranking of the account_monthly it wrote."""
    result, output = generated_outputs
    table = ds.dataset(output / ACCOUNT_MONTHLY.name, format="parquet", partitioning="hive")
    accounts = table.to_table().to_pandas().dropna(subset=[c.AMORTIZED_CHANGE])
    for period, rows in accounts.groupby(c.BILLING_PERIOD):
        ranked = rows.assign(size=rows[c.AMORTIZED_CHANGE].abs()).sort_values(
            ["size", c.ACCOUNT], ascending=[False, True]
        )
        got = [m.name for m in result.movers if m.kind == "account" and m.period == period]
        assert got == list(ranked[c.ACCOUNT][:5]), period
    assert {m.period for m in result.movers} == {"2024-04", "2024-05"}  # March has no previous


def test_report_movers_are_the_run_movers(generated_outputs) -> None:
    result, output = generated_outputs
    _, figures = build_report(ParquetFolderSource(str(output)), BillingPeriod(2024, 5))
    run_may = [m for m in result.movers if m.period == "2024-05"]
    for movers in (SERVICE_MOVERS, ACCOUNT_MOVERS):
        shown = [m for m in figures.movers if m.kind == movers.kind]
        assert [(m.name, m.change) for m in shown] == [
            (m.name, m.change) for m in run_may if m.kind == movers.kind
        ]
        assert len(shown) == 5
