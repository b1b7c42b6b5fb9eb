"""The datasets published as partitioned catalog tables: one partition added per period run."""

from __future__ import annotations

import pytest

from cur_analysis import columns as c
from cur_analysis.datasets.registry import (
    ACCOUNT_MONTHLY,
    DAILY_COST,
    SAVINGS_MONTHLY,
    SERVICE_MONTHLY,
    TAG_MONTHLY,
)
from cur_analysis.local.reader import LocalCatalogReader
from cur_analysis.pipeline import RunConfig, run


def test_datasets_are_published_as_partitioned_tables(spark, generated_catalog, tmp_path) -> None:
    config = RunConfig(
        *generated_catalog, ("2024-05",), str(tmp_path), output_database="pub_datasets"
    )
    result = run(LocalCatalogReader(spark), config)
    for name in (
        DAILY_COST.name,
        ACCOUNT_MONTHLY.name,
        SERVICE_MONTHLY.name,
        TAG_MONTHLY.name,
        SAVINGS_MONTHLY.name,
    ):
        assert spark.catalog.tableExists(f"pub_datasets.{name}")
    rows = spark.sql(
        "select sum(amortized_cost) as total, count(*) as n from pub_datasets.service_monthly "
        "where year = '2024' and month = '5'"
    ).first()
    assert rows["n"] > 0
    assert rows["total"] == pytest.approx(result.totals["2024-05"][c.AMORTIZED], rel=1e-9)
    # A second run of another period adds its partition to the same table.
    run(
        LocalCatalogReader(spark),
        RunConfig(*generated_catalog, ("2024-04",), str(tmp_path), output_database="pub_datasets"),
    )
    periods = {r[0] for r in spark.sql("show partitions pub_datasets.daily_cost").collect()}
    assert periods == {"year=2024/month=4", "year=2024/month=5"}
