"""CUR 2.0 input: detected, registered with its own partitions, and giving the same datasets."""

from __future__ import annotations

import pytest
from chispa import assert_approx_df_equality

from cur_analysis import columns as c
from cur_analysis.datasets.registry import DATASETS
from cur_analysis.io.publish import published_files
from cur_analysis.io.readers import read_cur
from cur_analysis.layout import Layout
from cur_analysis.local.reader import LocalCatalogReader
from cur_analysis.periods import BillingPeriod
from cur_analysis.pipeline import RunConfig, run

PERIODS = ("2024-03", "2024-04", "2024-05")


@pytest.fixture(scope="module")
def cur2_catalog(generated_cur2_catalog):
    """The same synthetic months as ``generated_export`` (same seed), in CUR 2.0 form."""
    return generated_cur2_catalog


def test_cur2_export_is_registered_with_billing_period_partitions(spark, cur2_catalog) -> None:
    assert cur2_catalog.layout is Layout.CUR2
    assert [p.label for p in cur2_catalog.periods] == list(PERIODS)
    keys = [col.name for col in spark.catalog.listColumns("cur2_org.cur2_all") if col.isPartition]
    assert keys == [c.CUR2_PARTITION_KEY]


def test_cur2_read_prunes_to_the_requested_partition(spark, cur2_catalog) -> None:
    frame = read_cur(
        LocalCatalogReader(spark), "cur2_org_linked", "cur2_all", [BillingPeriod(2024, 5)]
    )
    files = frame.inputFiles()
    assert files and all("/BILLING_PERIOD=2024-05/" in path for path in files)


@pytest.mark.parametrize("name", DATASETS)
def test_legacy_and_cur2_inputs_give_identical_datasets(
    spark, generated_outputs, cur2_catalog, tmp_path_factory, name: str
) -> None:
    outputs = _outputs(spark, generated_outputs, tmp_path_factory)
    legacy = spark.read.parquet(*published_files(str(outputs["legacy"]), name))
    cur2 = spark.read.parquet(*published_files(str(outputs["cur2"]), name))
    assert legacy.count() > 0
    assert_approx_df_equality(
        legacy,
        cur2,
        precision=1e-6,
        ignore_row_order=True,
        ignore_nullable=True,
        allow_nan_equality=True,
    )


_RUNS: dict = {}


def _outputs(spark, generated_outputs, tmp_path_factory) -> dict:
    """The CUR 2.0 run once per test session; the legacy side is the shared generated run."""
    if not _RUNS:
        output = tmp_path_factory.mktemp("same-cur2")
        config = RunConfig("cur2_org_linked", "cur2_all", PERIODS, str(output))
        run(LocalCatalogReader(spark), config)
        _RUNS["cur2"] = output
        _RUNS["legacy"] = generated_outputs[1]
    return _RUNS
