"""FOCUS Tags from both layouts: legacy tag columns and CUR 2.0's ``resource_tags`` map."""

from __future__ import annotations

import json

from pyspark.sql.types import MapType, StringType, StructField, StructType

from cur_analysis import columns as c
from cur_analysis.focus.rules_1_0 import tags

_SCHEMA = StructType(
    [
        StructField(c.CUR2_RESOURCE_TAGS, MapType(StringType(), StringType())),
        StructField("resource_tags_user_cost_center", StringType()),
        StructField("resource_tags_user_team", StringType()),
    ]
)
LEGACY = ("resource_tags_user_cost_center", "resource_tags_user_team")


def test_tags_keep_cur2_keys_as_written_and_legacy_keys_as_column_names(spark) -> None:
    rows = [
        # CUR 2.0: the map wins; user_ keys keep their spelling, other keys and blanks go.
        ({"user_CostCenter": "42", "aws_createdBy": "x", "user_Team": ""}, None, None),
        # legacy: no map; keys are the column names after resource_tags_user_.
        (None, "7", None),
        (None, None, None),
    ]
    frame = spark.createDataFrame(rows, _SCHEMA).select(tags(LEGACY).alias("Tags"))
    got = [row["Tags"] for row in frame.collect()]
    assert [json.loads(value) if value else value for value in got] == [
        {"CostCenter": "42"},
        {"cost_center": "7"},
        None,
    ]
