"""A run's fixed cost in Spark jobs, counted by job group (each job costs most in a cold JVM)."""

from __future__ import annotations

from cur_analysis.datasets.registry import DATASETS
from cur_analysis.local.reader import LocalCatalogReader
from cur_analysis.pipeline import RunConfig, run

# The issue 23 target for the five default datasets.
MOST_JOBS = 5


def test_a_default_run_takes_at_most_five_spark_jobs(spark, generated_catalog, tmp_path) -> None:
    assert len(DATASETS) == 5
    group = "test-spark-jobs"
    context = spark.sparkContext
    context.setJobGroup(group, group)
    try:
        run(LocalCatalogReader(spark), RunConfig(*generated_catalog, ("2024-05",), str(tmp_path)))
    finally:
        context.setJobGroup("", "")
    jobs = context.statusTracker().getJobIdsForGroup(group)
    assert 0 < len(jobs) <= MOST_JOBS, sorted(jobs)
