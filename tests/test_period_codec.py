"""The period codec: one parse, then every form of a period from ``BillingPeriod``/``Layout``.

Expected values are written out by hand from the export's documented layout
(``year=2024/month=5``, ``BILLING_PERIOD=2024-05``), not computed by the code under test.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from pyspark.sql import functions as F

from cur_analysis.errors import InvalidInputError
from cur_analysis.layout import OUTPUT_LAYOUT, Layout
from cur_analysis.periods import (
    BillingPeriod,
    PeriodSelection,
    label_column,
    month_column,
    shifted_label,
    year_column,
)

MAY = BillingPeriod(2024, 5)


def test_the_codec_imports_without_spark() -> None:
    """``cur-bootstrap`` parses periods with it and needs no pyspark."""
    code = "import sys, cur_analysis.periods; sys.exit('pyspark' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_selection_is_parsed_once_and_resolved_against_the_table() -> None:
    selection = PeriodSelection.parse(["2024-5,last:2", " 2024-01 ", "last:1"])
    assert selection == PeriodSelection((BillingPeriod(2024, 1), MAY), 2)
    assert selection.texts == ("2024-01", "2024-05", "last:2")
    present = [BillingPeriod(2024, m) for m in (2, 3, 4)]
    assert selection.resolve(present) == (
        BillingPeriod(2024, 1),
        BillingPeriod(2024, 3),
        BillingPeriod(2024, 4),
        MAY,
    )


@pytest.mark.parametrize("texts", [[" , "], ["last:0"], ["2024-13"], ["last:x"]])
def test_a_bad_selection_fails_at_parse(texts: list[str]) -> None:
    with pytest.raises(InvalidInputError):
        PeriodSelection.parse(texts)


def test_last_n_of_an_empty_table_selects_nothing_and_says_so() -> None:
    with pytest.raises(InvalidInputError, match="no billing period"):
        PeriodSelection.parse(["last:2"]).resolve(())


def test_folders_and_specs_of_both_layouts() -> None:
    assert MAY.folder == "year=2024/month=5"
    assert Layout.LEGACY.folder(BillingPeriod(2024, 11)) == "year=2024/month=11"
    assert Layout.CUR2.folder(MAY) == "BILLING_PERIOD=2024-05"
    assert OUTPUT_LAYOUT is Layout.LEGACY
    padded = Layout.LEGACY.partition({"year": "2024", "month": "05"})
    assert Layout.LEGACY.partition_spec(padded) == "year = '2024', month = '05'"
    assert Layout.LEGACY.predicate(MAY) == MAY.predicate() == "year = '2024' and month = '5'"


def test_a_path_names_a_partition_only_when_complete() -> None:
    legacy = Layout.LEGACY.partition_of_path("daily_cost/year=2024/month=05")
    assert legacy is not None and legacy.period == MAY and legacy.values == ("2024", "05")
    assert Layout.LEGACY.partition_of_path("year=2024") is None
    cur2 = Layout.CUR2.partition_of_path("BILLING_PERIOD=2024-05")
    assert cur2 is not None and cur2.values == ("2024-05",)
    with pytest.raises(InvalidInputError):
        Layout.LEGACY.partition_of_path("year=2024/month=5x")


def test_column_forms_agree_with_the_python_forms(spark) -> None:
    """The Spark expressions write what ``BillingPeriod`` writes, across a year boundary."""
    periods = [BillingPeriod(2023, 12), BillingPeriod(2024, 1), MAY, BillingPeriod(2024, 10)]
    frame = spark.createDataFrame([(p.label, p.year_value, p.month_value) for p in periods])
    label, year, month = F.col("_1"), F.col("_2"), F.col("_3")
    rows = frame.select(
        year_column(label),
        month_column(label),
        label_column(year, F.lpad(month, 2, "0")),
        label_column(year, month),
        shifted_label(label, 1),
        shifted_label(label, -1),
    ).collect()
    expected = [
        ("2023", "12", "2023-12", "2023-12", "2024-01", "2023-11"),
        ("2024", "1", "2024-01", "2024-01", "2024-02", "2023-12"),
        ("2024", "5", "2024-05", "2024-05", "2024-06", "2024-04"),
        ("2024", "10", "2024-10", "2024-10", "2024-11", "2024-09"),
    ]
    assert [tuple(row) for row in rows] == expected
