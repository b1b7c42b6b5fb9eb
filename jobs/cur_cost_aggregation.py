"""AWS Glue 5.1 / 6.0 entry script: cost datasets for billing periods of the shared CUR table.

Job arguments: --source_database (the resource link, e.g. cur_org_linked), --source_table
(legacy_all), --periods (comma-separated YYYY-MM, or last:N), --output_path (s3://bucket/prefix),
optional --output_database (publish each dataset as a Glue table; needs
--enable-glue-datacatalog), optional --catalog local (read through the Spark session's own
catalog instead of the Glue Data Catalog: for debugging this script under spark-submit against
the local catalog), optional --report_path (after the run, write the HTML cost report of the
run's latest period to this .html file, or one cur-report-YYYY-MM.html per period into this
folder or s3:// prefix; needs matplotlib), optional --force true (compute every requested
period; without it a period whose source files, datasets, package version and dataset
definitions are unchanged since it was published is skipped, and a run with nothing to compute
never starts the Glue context).
Keep job bookmarks off: they would skip files already read when a month is re-run.
Arguments are taken by their full names only (Glue 6.0 takes no abbreviations): see
``cur_analysis.glue_job``, which does all the work; ``awsglue`` is imported here only.
"""

from __future__ import annotations

import sys

from awsglue.utils import GlueArgumentError, getResolvedOptions

from cur_analysis import glue_job
from cur_analysis.pipeline import RunConfig


def start_job(job_name: str):
    """The ``GlueContext`` and the initialised ``Job`` (bookmarks are off: no state passed)."""
    from awsglue.context import GlueContext
    from awsglue.job import Job
    from pyspark.context import SparkContext

    glue_context = GlueContext(SparkContext.getOrCreate())
    job = Job(glue_context)
    job.init(job_name, {})
    return glue_context, job


EDGE = glue_job.GlueEdge(getResolvedOptions, GlueArgumentError, start_job)


def job_config(argv: list[str]) -> RunConfig:
    """The run configuration from the job arguments, validated before Spark starts."""
    return glue_job.job_settings(EDGE, argv).config


def report_path(argv: list[str]) -> str | None:
    """The optional --report_path: a local path or an s3:// URI, checked before Spark starts."""
    return glue_job.job_settings(EDGE, argv).report_path


def main(argv: list[str]) -> None:
    glue_job.main(EDGE, argv)


if __name__ == "__main__":
    main(sys.argv)
