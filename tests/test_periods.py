from __future__ import annotations

import pytest

from cur_analysis.errors import InvalidInputError
from cur_analysis.layout import Layout
from cur_analysis.periods import BillingPeriod, resolve_periods


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05", BillingPeriod(2024, 5)),
        ("2024-5", BillingPeriod(2024, 5)),
        (" 2000-12 ", BillingPeriod(2000, 12)),
        ("2100-01", BillingPeriod(2100, 1)),
    ],
)
def test_parse_accepts_padded_and_unpadded_months(text: str, expected: BillingPeriod) -> None:
    assert BillingPeriod.parse(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2024-13",
        "2024-0",
        "1999-12",
        "2101-01",
        "2024/05",
        "24-05",
        "2024-005",
        "",
        "2024-05' or '1'='1",
        "2024-5 or 1=1",
        "2024-05; DROP TABLE cur_org.legacy_all",
        "２０２４-05",  # full-width digits are not digits of a CUR partition
        "2024-05\n2024-06",
    ],
)
def test_parse_rejects_malformed_and_injection_attempts(text: str) -> None:
    with pytest.raises(InvalidInputError, match="billing period"):
        BillingPeriod.parse(text)


def test_constructor_validates_ranges() -> None:
    with pytest.raises(InvalidInputError, match="month"):
        BillingPeriod(2024, 13)
    with pytest.raises(InvalidInputError, match="year"):
        BillingPeriod(1999, 1)


def test_predicate_matches_the_crawler_partition_values() -> None:
    assert BillingPeriod.parse("2024-05").predicate() == "year = '2024' and month = '5'"
    assert BillingPeriod.parse("2024-11").predicate() == "year = '2024' and month = '11'"


def test_several_periods_make_one_predicate_sorted_without_repeats() -> None:
    periods = resolve_periods(["2024-05", "2024-04,2024-5"], ())
    assert periods == (BillingPeriod(2024, 4), BillingPeriod(2024, 5))
    assert Layout.LEGACY.predicate_for(periods) == (
        "(year = '2024' and month = '4') or (year = '2024' and month = '5')"
    )


def test_no_period_is_an_error() -> None:
    with pytest.raises(InvalidInputError, match="no billing period"):
        resolve_periods([" , "], ())


def test_previous_and_next_cross_year_boundaries() -> None:
    assert BillingPeriod(2024, 1).previous() == BillingPeriod(2023, 12)
    assert BillingPeriod(2023, 12).next() == BillingPeriod(2024, 1)
    assert BillingPeriod(2024, 3).label == "2024-03"


def test_cur2_predicate_uses_the_billing_period_partition() -> None:
    periods = resolve_periods(["2024-5", "2024-04"], ())
    assert Layout.CUR2.predicate(periods[1]) == "billing_period = '2024-05'"
    assert Layout.CUR2.predicate_for(periods) == (
        "(billing_period = '2024-04') or (billing_period = '2024-05')"
    )


def test_catalog_partitions_keep_their_values_in_predicates() -> None:
    """A zero-padded month as the catalog lists it is the value the predicate uses."""
    padded = Layout.LEGACY.partition({"YEAR": "2024", "month": "05"})
    assert padded.period == BillingPeriod(2024, 5) and padded.values == ("2024", "05")
    plain = Layout.LEGACY.partition({"year": "2024", "month": "4"})
    assert Layout.LEGACY.partition_predicate([padded, plain]) == (
        "(year = '2024' and month = '4') or (year = '2024' and month = '05')"
    )
    cur2 = Layout.CUR2.partition({"BILLING_PERIOD": "2024-05"})
    assert Layout.CUR2.partition_predicate([cur2]) == "billing_period = '2024-05'"


@pytest.mark.parametrize("month", ["5'", "5 ", "05' or '1'='1", "", "1e1"])
def test_a_partition_value_that_is_not_a_number_never_reaches_a_predicate(month: str) -> None:
    with pytest.raises(InvalidInputError):
        Layout.LEGACY.partition({"year": "2024", "month": month})
