"""FOCUS 1.2 against AWS's semantics, the version and granularity options, and the manifest.

Expected values are written from AWS's "FOCUS 1.2 with AWS columns" dictionary and conformance
gaps page and the FOCUS 1.2 spec, per CUR line item type, and computed with DuckDB over the raw
CUR files; the granularities are checked against pandas sums of the line-item rows.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pytest

from cur_analysis.errors import InvalidInputError
from cur_analysis.focus.options import FocusOptions
from cur_analysis.focus.rules_1_2 import DICTIONARY
from cur_analysis.focus.versions import FOCUS_1_0, FOCUS_1_2

from ..support import GENERATED_START
from .support import SAMPLE_MONTH, FocusRun, focus_run

# Per CUR line item type: ChargeCategory, ChargeFrequency, CommitmentDiscountStatus,
# CommitmentDiscountType, and how much of the commitment the line counts (SQL over the CUR).
# A recurring commitment fee is Usage with status Unused: its EffectiveCost is the unused
# commitment, and FOCUS 1.2 wants a Purchase's EffectiveCost to be 0.
RI, SP = "Reserved Instance", "Savings Plan"
# An upfront fee names the reservation it buys.
RI_IF_NAMED = f"case when reservation_reservation_a_r_n is not null then '{RI}' end"
EXPECTED: dict[str, tuple[str, str, str | None, str | None, str | None]] = {
    "Usage": ("Usage", "Usage-Based", None, None, None),
    "DiscountedUsage": ("Usage", "Usage-Based", "Used", RI, "line_item_usage_amount"),
    "RIFee": ("Usage", "Recurring", "Unused", RI, "line_item_usage_amount"),
    "SavingsPlanCoveredUsage": (
        "Usage",
        "Usage-Based",
        "Used",
        SP,
        "savings_plan_savings_plan_effective_cost",
    ),
    "SavingsPlanNegation": ("Usage", "Usage-Based", "Used", SP, None),
    "SavingsPlanRecurringFee": ("Usage", "Recurring", "Unused", SP, "line_item_unblended_cost"),
    "SavingsPlanUpfrontFee": ("Purchase", "One-Time", None, SP, "line_item_unblended_cost"),
    "Fee": ("Purchase", "One-Time", None, RI_IF_NAMED, None),
    "Tax": ("Tax", "Recurring", None, None, None),
    "Credit": ("Credit", "One-Time", None, None, None),
    "Refund": ("Adjustment", "One-Time", None, None, None),
    "EdpDiscount": ("Usage", "Usage-Based", None, None, None),
    "BundledDiscount": ("Usage", "Usage-Based", None, None, None),
    "PrivateRateDiscount": ("Usage", "Usage-Based", None, None, None),
}
KEYS = ["ChargeCategory", "ChargeFrequency", "CommitmentDiscountStatus", "CommitmentDiscountType"]


def _expected(files: list[Path]) -> pd.DataFrame:
    """Rows, BilledCost and commitment quantity per expected key, from the raw CUR by DuckDB."""
    connection = duckdb.connect()
    paths = ", ".join(f"'{file}'" for file in files)
    columns = connection.sql(f"select * from read_parquet([{paths}], union_by_name=true) limit 0")
    present = set(columns.columns)
    cases = []
    for line_type, (category, frequency, status, kind, quantity) in EXPECTED.items():
        q = quantity if quantity in present else "null"
        cases.append(
            f"select '{category}' as ChargeCategory, '{frequency}' as ChargeFrequency, "
            f"{_text(status)} as CommitmentDiscountStatus, {_text(kind)} as "
            f"CommitmentDiscountType, line_item_unblended_cost as cost, {q} as quantity "
            f"from cur where line_item_line_item_type = '{line_type}'"
        )
    # Split cost allocation rows (EKS pod, ECS task) repeat their instance's cost: not FOCUS rows.
    connection.sql(
        f"create view cur as select * from read_parquet([{paths}], union_by_name=true) "
        "where line_item_operation is null or line_item_operation not in "
        "('EKSPod-EC2', 'ECSTask-EC2')"
    )
    types = connection.sql("select distinct line_item_line_item_type from cur").fetchall()
    assert {t for (t,) in types} <= set(EXPECTED), "a line item type without an expectation"
    frame = connection.sql(
        f"select ChargeCategory, ChargeFrequency, CommitmentDiscountStatus, "
        f"CommitmentDiscountType, count(*) as n, sum(cost) as cost, sum(quantity) as quantity "
        f"from ({' union all '.join(cases)}) group by all"
    ).df()
    return _keyed(frame)


def _text(value: str | None) -> str:
    """A SQL literal of ``value`` (a ``case`` expression as it is)."""
    if value is None:
        return "null"
    return value if value.startswith("case ") else f"'{value}'"


def _keyed(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.fillna({k: "-" for k in KEYS})
    frame["quantity"] = frame["quantity"].astype(float).fillna(0.0)
    return frame.set_index(KEYS).sort_index()[["n", "cost", "quantity"]]


def _ours(table: pa.Table) -> pd.DataFrame:
    frame = table.select([*KEYS, "BilledCost", "CommitmentDiscountQuantity"]).to_pandas()
    frame = frame.rename(columns={"BilledCost": "cost", "CommitmentDiscountQuantity": "quantity"})
    frame = frame.fillna({k: "-" for k in KEYS})
    summed = frame.groupby(KEYS).agg(
        n=("cost", "size"), cost=("cost", "sum"), quantity=("quantity", "sum")
    )
    return _keyed(summed.reset_index())


def _assert_same(ours: pd.DataFrame, expected: pd.DataFrame) -> None:
    assert list(ours.index) == list(expected.index)
    assert list(ours["n"]) == list(expected["n"])
    pd.testing.assert_frame_equal(
        ours[["cost", "quantity"]], expected[["cost", "quantity"]], atol=1e-6
    )


def test_each_charge_type_of_the_real_sample_as_aws_dictionary(
    focus_samples: FocusRun, samples_dir: Path
) -> None:
    """Usage, reserved instance usage and fees, and tax of the December 2018 sample."""
    _assert_same(_ours(focus_samples.table), _expected([samples_dir / SAMPLE_MONTH]))


def test_each_charge_type_of_generated_data_as_aws_dictionary(
    focus_generated: FocusRun, generated_export: Path
) -> None:
    """Savings plans, fees, credits, refunds and discounts besides (the generator's types)."""
    files = sorted(generated_export.rglob("*.parquet"))
    _assert_same(_ours(focus_generated.table), _expected(files))


def test_commitment_units_and_account_types(focus_generated: FocusRun) -> None:
    frame = focus_generated.table.to_pandas()
    ri = frame[frame["CommitmentDiscountType"] == RI]
    sp = frame[frame["CommitmentDiscountType"] == SP]
    assert set(ri["CommitmentDiscountUnit"].dropna()) == {"Hours"}
    assert set(sp["CommitmentDiscountUnit"].dropna()) == set(frame["BillingCurrency"])
    assert frame["CommitmentDiscountUnit"].isna().equals(frame["CommitmentDiscountQuantity"].isna())
    assert set(frame["BillingAccountType"]) == {"Payer Account"}
    assert set(frame["SubAccountType"]) == {"Linked Account"}
    # Priced in the billing currency: the PricingCurrency columns repeat the billing ones.
    assert (frame["PricingCurrency"] == frame["BillingCurrency"]).all()
    pd.testing.assert_series_equal(
        frame["PricingCurrencyEffectiveCost"], frame["EffectiveCost"], check_names=False
    )


# The version and granularity options.


@pytest.mark.parametrize(
    ("version", "granularity", "named"),
    [("2.0", "line-item", "1.2 or 1.0"), ("1.2", "weekly", "line-item, hourly, daily, monthly")],
)
def test_an_unknown_version_or_granularity_is_refused_in_one_sentence(
    version: str, granularity: str, named: str, tmp_path: Path, capsys
) -> None:
    with pytest.raises(InvalidInputError, match=named):
        FocusOptions(version, granularity)
    from cur_analysis.cli import main

    argv = ["--home", str(tmp_path / "home"), "run", "--period", "2024-03"]
    argv += ["--output", str(tmp_path), "--datasets", "focus"]
    argv += ["--focus-version", version, "--focus-granularity", granularity]
    assert main(argv) == 1  # refused by the argument check, before any Spark session
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and named in lines[0]
    assert not (tmp_path / "home").exists()


def test_the_glue_job_takes_the_focus_arguments() -> None:
    from cur_analysis import glue_job

    base = ["job.py", "--JOB_NAME", "j", "--source_database", "d", "--source_table", "t"]
    base += ["--periods", "2024-05", "--output_path", "s3://b/o"]

    def resolve(argv, names):
        given = dict(zip(argv[1::2], argv[2::2], strict=False))
        return {name: given[f"--{name}"] for name in names}

    edge = glue_job.GlueEdge(resolve, ValueError, lambda name: (None, None))
    settings = glue_job.job_settings(edge, base)
    assert settings.config.focus == FocusOptions("1.2", "line-item")
    settings = glue_job.job_settings(
        edge, [*base, "--focus_version", "1.0", "--focus_granularity", "daily"]
    )
    assert settings.config.focus == FocusOptions("1.0", "daily")
    with pytest.raises(InvalidInputError, match="1.2 or 1.0"):
        glue_job.job_settings(edge, [*base, "--focus_version", "1.1"])


def _without_partitions(table: pa.Table) -> pa.Table:
    return table.drop_columns([n for n in ("year", "month", "run") if n in table.column_names])


def _rounded_up(end: pd.Series, unit: str) -> pd.Series:
    return (end - pd.Timedelta(microseconds=1)).dt.floor(unit) + pd.Timedelta(1, unit=unit)


def _by_pandas(table: pa.Table, unit: str) -> pd.DataFrame:
    """The line-item rows summed per day or hour with pandas, as the granularity rules say."""
    summed = [
        r.name for r in FOCUS_1_2.rules if r.aggregate == "summed" and r.name in table.column_names
    ]
    frame = _comparable(table)
    start = frame["ChargePeriodStart"].dt.floor(unit)
    frame["ChargePeriodEnd"] = pd.concat(
        [start + pd.Timedelta(1, unit=unit), _rounded_up(frame["ChargePeriodEnd"], unit)], axis=1
    ).max(axis=1)
    frame["ChargePeriodStart"] = start
    keys = [n for n in frame.columns if n not in summed and n != "x_Discounts"]
    grouped = frame.fillna({k: "<null>" for k in keys}).groupby(keys, dropna=False)
    return grouped[summed].sum(min_count=1).reset_index()


def _comparable(table: pa.Table) -> pd.DataFrame:
    """The rows as pandas, without partition keys, maps as sortable text."""
    frame = _without_partitions(table).to_pandas()
    for name in ("Tags", "SkuPriceDetails", "x_Discounts"):
        frame[name] = frame[name].map(lambda v: None if v is None else str(sorted(v)))
    return frame


def test_daily_rows_are_the_line_items_summed_per_day(
    spark, generated_catalog, focus_generated: FocusRun, tmp_path_factory
) -> None:
    daily = focus_run(
        spark,
        *generated_catalog,
        ("last:3",),
        tmp_path_factory.mktemp("focus-daily"),
        FocusOptions("1.2", "daily"),
    )
    expected = _by_pandas(focus_generated.table, "D")
    ours = _comparable(daily.table).drop(columns=["x_Discounts"])
    keys = [n for n in expected.columns if n in ours.columns and n not in ("BilledCost",)]
    summed = [r.name for r in FOCUS_1_2.rules if r.aggregate == "summed"]
    keys = [k for k in keys if k not in summed]
    ours = ours.fillna({k: "<null>" for k in keys}).sort_values(keys).reset_index(drop=True)
    expected = expected.sort_values(keys).reset_index(drop=True)[ours.columns]
    assert len(ours) < focus_generated.table.num_rows
    pd.testing.assert_frame_equal(ours, expected, check_dtype=False, atol=1e-6)
    assert daily.table.column("BilledCost").to_pandas().sum() == pytest.approx(
        focus_generated.table.column("BilledCost").to_pandas().sum(), abs=1e-6
    )


def test_a_period_rerun_at_another_form_is_replaced_whole(
    spark, generated_catalog, tmp_path_factory
) -> None:
    from cur_analysis.io.publish import manifest_path

    output = tmp_path_factory.mktemp("focus-forms")
    period = GENERATED_START.label
    first = focus_run(spark, *generated_catalog, (period,), output, FocusOptions("1.0"))
    assert first.table.column_names[: len(FOCUS_1_0.columns)] == list(FOCUS_1_0.columns)
    again = focus_run(spark, *generated_catalog, (period,), output, FocusOptions("1.2", "monthly"))
    manifest = json.loads(Path(manifest_path(str(output), GENERATED_START)).read_text())
    assert manifest["datasets"]["focus"]["form"] == {"version": "1.2", "granularity": "monthly"}
    names = _without_partitions(again.table).column_names
    assert names == [*[n for n, _t, _null in DICTIONARY], "billing_period"]
    assert set(again.table.column("ChargePeriodStart").to_pandas().dt.day) == {1}
