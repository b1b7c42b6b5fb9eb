"""Conforming the drifting legacy schema."""

from __future__ import annotations

from chispa import assert_df_equality
from pyspark.sql.types import DoubleType, StringType

from cur_analysis import columns as c
from cur_analysis.conform import conform_legacy, without_split_cost_rows

from .support_frames import raw_frame


def test_month_without_sp_and_net_columns_gets_typed_nulls(spark) -> None:
    raw = raw_frame(
        spark,
        [{c.LINE_ITEM_TYPE: c.USAGE, c.UNBLENDED_COST: 2.0}],
        [c.LINE_ITEM_TYPE, c.UNBLENDED_COST],
    )
    out = conform_legacy(raw)
    schema = {field.name: field.dataType for field in out.schema.fields}
    for name, data_type in c.SOURCE_SCHEMA.items():
        assert schema[name] == data_type, name
    row = out.first()
    assert row[c.SP_EFFECTIVE_COST] is None
    assert row[c.NET_UNBLENDED_COST] is None
    assert row[c.BILLING_PERIOD] == "2024-05"


def test_empty_strings_become_null_and_costs_become_doubles(spark) -> None:
    raw = spark.createDataFrame(
        [("", "Usage", "3", "2024", "11")],
        [c.RI_ARN, c.LINE_ITEM_TYPE, c.UNBLENDED_COST, c.YEAR, c.MONTH],
    )
    out = conform_legacy(raw).select(c.RI_ARN, c.UNBLENDED_COST, c.BILLING_PERIOD)
    expected = spark.createDataFrame([(None, 3.0, "2024-11")], out.schema)
    assert_df_equality(out, expected)
    assert isinstance(out.schema[c.UNBLENDED_COST].dataType, DoubleType)
    assert isinstance(out.schema[c.RI_ARN].dataType, StringType)


def test_user_tags_are_kept_only_when_asked(spark) -> None:
    raw = spark.createDataFrame(
        [("prod", "", "2024", "5")],
        ["resource_tags_user_env", "resource_tags_user_team", c.YEAR, c.MONTH],
    )
    assert "resource_tags_user_env" not in conform_legacy(raw).columns
    tagged = (
        conform_legacy(raw, with_tags=True)
        .select("resource_tags_user_env", "resource_tags_user_team")
        .first()
    )
    assert (tagged[0], tagged[1]) == ("prod", None)


def test_split_cost_rows_are_dropped(spark) -> None:
    raw = raw_frame(
        spark,
        [
            {c.OPERATION: "RunInstances", c.UNBLENDED_COST: 1.0},
            {c.OPERATION: "EKSPod-EC2", c.UNBLENDED_COST: 1.0},
            {c.OPERATION: "ECSTask-EC2", c.UNBLENDED_COST: 1.0},
            {c.OPERATION: None, c.UNBLENDED_COST: 1.0},
        ],
        [c.OPERATION, c.UNBLENDED_COST],
    )
    kept = without_split_cost_rows(conform_legacy(raw)).select(c.OPERATION).collect()
    assert sorted(str(row[0]) for row in kept) == ["None", "RunInstances"]
