"""``focus`` against the FinOps Foundation's tools and against the run's own measures.

focus-validator 1.0.0 checks the rows of the real samples and of generated data; focus-converter
1.0.0 converts the same sources and its BilledCost, EffectiveCost and ListCost per (sub account,
service, charge category, day) are compared with ours. Both run in subprocesses from their own
virtualenvs (``tests/focus/tools.py``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cur_analysis import columns as c
from cur_analysis.datasets.registry import FOCUS
from cur_analysis.focus.rules import COLUMNS

from .support import FocusRun
from .tools import Running

# Validator rules that cannot apply, with the reason; every other rule of the 133 must pass and
# none is skipped. On the real samples: none. On generated data: one, for a gap of the generator.
NOT_APPLICABLE_TO_GENERATED: dict[str, str] = {
    "SkuPriceId_Nullable :: SQLQueryCheck": (
        "cur_analysis.dev.generate writes no pricing_rate_code or pricing_rate_id, so SkuPriceId "
        "is null on its usage and purchase lines; real CURs carry them (the real samples pass)"
    ),
}


@pytest.fixture(scope="module", autouse=True)
def _tools_started_early(converted, validated_generated, validated_samples) -> None:
    """Start the FinOps tools before the first test, each as soon as its input exists (the
    converter at once, the validator after each Spark run): the tests that read their answers
    come last in this module, so the tools run while Spark works."""


COSTS = ("BilledCost", "EffectiveCost", "ListCost")
KEYS = ("SubAccountId", "ServiceCode", "ChargeCategory", "ChargeDay")


def test_each_period_has_files_of_the_declared_columns_one_row_per_line_item(
    focus_generated: FocusRun,
) -> None:
    # Line items are written by the tasks that hold them (no shuffle): a file or more a period.
    files = sorted(
        Path(focus_generated.result.outputs[FOCUS.name]).glob("year=*/month=*/run=*/*.parquet")
    )
    assert {file.parent.parent for file in files} == {
        Path(focus_generated.result.outputs[FOCUS.name]) / "year=2024" / f"month={m}"
        for m in (3, 4, 5)
    }
    for file in files:
        assert tuple(pq.read_schema(file).names) == FOCUS.columns
    assert focus_generated.table.num_rows == focus_generated.result.line_item_count
    assert tuple(FOCUS.columns) == (*COLUMNS, c.BILLING_PERIOD)


def _ours(table: pa.Table) -> pd.DataFrame:
    frame = table.select(
        ["SubAccountId", "x_ServiceCode", "ChargeCategory", "ChargePeriodStart", *COSTS]
    )
    return frame.to_pandas().rename(columns={"x_ServiceCode": "ServiceCode"})


def _theirs(table: pa.Table) -> pd.DataFrame:
    """The converter's rows: its ServiceName is the product code (service_name_S001), its
    sub account an integer where it read a CSV, its EffectiveCost text where a term was null."""
    frame = table.select(
        ["SubAccountId", "ServiceName", "ChargeCategory", "ChargePeriodStart", *COSTS]
    )
    frame = frame.to_pandas().rename(columns={"ServiceName": "ServiceCode"})
    frame["SubAccountId"] = frame["SubAccountId"].astype(str).str.zfill(12)
    return frame


def _by_key(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.assign(
        ChargeDay=pd.to_datetime(frame["ChargePeriodStart"], utc=True).dt.date,
        **{cost: pd.to_numeric(frame[cost]).astype(float).fillna(0.0) for cost in COSTS},
    )
    return frame.groupby(list(KEYS))[list(COSTS)].sum()


def _compare(ours: pa.Table, theirs: pa.Table) -> None:
    mine, converted = _by_key(_ours(ours)), _by_key(_theirs(theirs))
    assert sorted(mine.index) == sorted(converted.index)
    difference = (mine - converted.loc[mine.index]).abs().max()
    assert (difference <= 1e-6).all(), difference


@pytest.mark.parametrize("run", ["focus_samples", "focus_generated"])
def test_costs_per_period_equal_the_runs_measures(run: str, request) -> None:
    focus: FocusRun = request.getfixturevalue(run)
    sums = (
        focus.table.select([c.BILLING_PERIOD, "EffectiveCost", "BilledCost"])
        .to_pandas()
        .groupby(c.BILLING_PERIOD)
        .sum()
    )
    totals = focus.result.totals
    assert sorted(sums.index) == sorted(totals)
    for period, row in sums.iterrows():
        assert row["EffectiveCost"] == pytest.approx(totals[period][c.AMORTIZED], abs=1e-6)
        assert row["BilledCost"] == pytest.approx(totals[period][c.UNBLENDED], abs=1e-6)


def test_a_backfill_reads_each_month_once(focus_generated: FocusRun, generated_export) -> None:
    rows = sum(pq.ParquetFile(f).metadata.num_rows for f in generated_export.rglob("*.parquet"))
    assert {p.label for p in focus_generated.result.periods} == {"2024-03", "2024-04", "2024-05"}
    # Every Parquet row once (the focus write and the grain read the persisted line items, which
    # count no input records); a second scan of the source would double it.
    read = focus_generated.records_read
    assert rows <= read < rows * 1.1, (rows, read)


def test_cur2_gives_the_same_focus_rows_as_the_legacy_cur(
    spark, focus_generated: FocusRun, tmp_path_factory
) -> None:
    """The same generated line items in CUR 2.0 form, through the same conform step."""
    from cur_analysis.dev.generate import generate
    from cur_analysis.local import catalog

    from ..support import GENERATED_ROWS, GENERATED_START
    from .support import focus_run

    root = tmp_path_factory.mktemp("focus-cur2") / "export"
    generate(root, GENERATED_START, 3, GENERATED_ROWS, seed=11, fmt="cur2")
    catalog.register(spark, root, "cur2_focus", "cur2_all")
    cur2 = focus_run(spark, "cur2_focus", "cur2_all", ("last:3",), tmp_path_factory.mktemp("o"))
    # Only CUR 2.0 has the account names.
    names = {"BillingAccountName", "SubAccountName"}
    assert cur2.table.column("SubAccountName").null_count == 0
    shared = [name for name in FOCUS.columns if name not in names]

    def rows(table: pa.Table) -> pd.DataFrame:
        frame = table.select(shared).to_pandas()
        return frame.sort_values(shared, na_position="first").reset_index(drop=True)

    legacy, other = rows(focus_generated.table), rows(cur2.table)
    assert legacy["Tags"].notna().any()
    pd.testing.assert_frame_equal(legacy, other, check_exact=False, atol=1e-9)


# The tools' answers, last: they ran in the background since the module started.


def test_the_validator_finds_no_failed_rule_on_the_real_samples(
    validated_samples: Running,
) -> None:
    assert validated_samples.result() == {}


def test_the_validator_finds_no_failed_rule_on_generated_data(
    validated_generated: Running,
) -> None:
    failed = validated_generated.result()
    assert set(failed) <= set(NOT_APPLICABLE_TO_GENERATED), failed


def test_the_converter_agrees_on_its_own_sample(
    focus_converter_sample: FocusRun, converted: dict[str, Running]
) -> None:
    _compare(focus_converter_sample.table, converted["own"].result())


def test_the_converter_agrees_on_the_well_architected_months(
    focus_samples: FocusRun, converted: dict[str, Running]
) -> None:
    _compare(focus_samples.table, converted["wal"].result())
