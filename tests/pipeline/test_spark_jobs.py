"""A run's fixed cost in Spark jobs, counted by job group (each job costs most in a cold JVM)."""

from __future__ import annotations

from cur_analysis.datasets.registry import CID_GROUP, DATASETS, FOCUS
from cur_analysis.local.reader import LocalCatalogReader
from cur_analysis.pipeline import RunConfig, run

# The five default datasets: one job collects the four small ones and the run totals, one
# writes daily_cost.
DEFAULT_JOBS = 2


def _jobs(spark, catalog, output, datasets=DATASETS) -> int:
    group = f"test-spark-jobs-{output}"
    context = spark.sparkContext
    context.setJobGroup(group, group)
    try:
        config = RunConfig(*catalog, ("2024-05",), str(output), datasets=datasets, force=True)
        run(LocalCatalogReader(spark), config)
    finally:
        context.setJobGroup("", "")
    return len(context.statusTracker().getJobIdsForGroup(group))


def test_a_default_run_takes_two_spark_jobs(spark, generated_catalog, tmp_path) -> None:
    assert len(DATASETS) == 5
    assert _jobs(spark, generated_catalog, tmp_path) == DEFAULT_JOBS


# The cid views whose rows grow with the organization (per day, hour or resource), each written
# by a Spark job of its own: a large organization's would not fit the driver's result size.
CID_WRITTEN_BY_SPARK = (
    "summary_view",
    "ec2_running_cost",
    "compute_savings_plan_eligible_spend",
    "s3_view",
)


def test_focus_adds_its_write_and_cid_its_four_large_views_writes(
    spark, generated_catalog, tmp_path
) -> None:
    """``focus`` is one more job (its own read, transform and write); ``account_map`` and
    ``ri_sp_mapping`` are collected by the job that collects the small default datasets, and each
    other cid view is written by a job of its own."""
    with_focus = _jobs(spark, generated_catalog, tmp_path / "f", (*DATASETS, FOCUS.name))
    with_cid = _jobs(spark, generated_catalog, tmp_path / "c", (*DATASETS, CID_GROUP))
    expected = (DEFAULT_JOBS + 1, DEFAULT_JOBS + len(CID_WRITTEN_BY_SPARK))
    assert (with_focus, with_cid) == expected
