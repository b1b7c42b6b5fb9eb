"""Column builders memoized per JVM (``cur_analysis.reuse``): one object per JVM and arguments."""

from __future__ import annotations

import pytest
from pyspark import SparkContext
from pyspark.sql import functions as F

from cur_analysis import measures
from cur_analysis.reuse import per_jvm


def test_a_builder_runs_once_per_jvm_and_arguments(spark, monkeypatch) -> None:
    calls: list[str] = []

    @per_jvm
    def doubled(name: str):
        calls.append(name)
        return F.col(name) * 2

    assert doubled("a") is doubled("a")
    assert doubled("b") is not doubled("a")
    assert calls == ["a", "b"]
    # Another JVM (a new gateway) must not see expressions built on the old one.
    monkeypatch.setattr(SparkContext, "_gateway", object())
    doubled("a")
    assert calls == ["a", "b", "a"]


def test_a_memoized_measure_still_computes_per_row(spark) -> None:
    """The same Column object serves two frames; each evaluates it over its own rows."""
    schema = "line_item_line_item_type string, line_item_unblended_cost double"
    first = spark.createDataFrame([("Usage", 2.0)], schema)
    second = spark.createDataFrame([("Usage", 5.0), ("Tax", None)], schema)
    assert measures.unblended_cost() is measures.unblended_cost()
    assert [r[0] for r in first.select(measures.unblended_cost()).collect()] == [2.0]
    assert [r[0] for r in second.select(measures.unblended_cost()).collect()] == [5.0, 0.0]


@pytest.mark.parametrize("mutable", [list, dict])
def test_a_builder_whose_result_callers_could_change_is_refused(spark, mutable) -> None:
    @per_jvm
    def shared():
        return mutable()

    with pytest.raises(TypeError, match=f"returns a {mutable.__name__}"):
        shared()


def test_the_grain_builders_hand_out_tuples_and_read_only_mappings(spark) -> None:
    from cur_analysis.datasets import grain

    assert isinstance(grain.summed(("a", "b")), tuple)
    assert isinstance(grain.tag_values(("resource_tags_user_team",)), tuple)
    with pytest.raises(TypeError):
        grain._summed_values()["extra"] = F.lit(1)  # a read-only mapping
