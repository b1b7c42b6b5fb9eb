"""AWS Glue 5.1 / 6.0 entry script: cost datasets for billing periods of the shared CUR table.

Job arguments: --source_database (the resource link, e.g. cur_org_linked), --source_table
(legacy_all), --periods (comma-separated YYYY-MM, or last:N), --output_path (s3://bucket/prefix),
optional --output_database (publish each dataset as a Glue table; needs
--enable-glue-datacatalog), optional --catalog local (read through the Spark session's own
catalog instead of the Glue Data Catalog: for debugging this script under spark-submit against
the local catalog), optional --report_path (after the run, write the HTML cost report of the
run's latest period to this .html file, or one cur-report-YYYY-MM.html per period into this
folder or s3:// prefix; needs matplotlib).
Keep job bookmarks off: they would skip files already read when a month is re-run.
Arguments are taken by their full names only: Glue 6.0's getResolvedOptions rejects abbreviated
ones (aws-glue-libs release notes, 2026-08-18) where 5.1's accepted them, so an abbreviation is
refused here on both.
"""

from __future__ import annotations

import sys

from awsglue.utils import GlueArgumentError, getResolvedOptions

from cur_analysis.errors import InvalidInputError
from cur_analysis.pipeline import RunConfig

ARGUMENTS = ["JOB_NAME", "source_database", "source_table", "periods", "output_path"]
OPTIONAL_ARGUMENTS = ["output_database", "catalog", "report_path"]
CATALOGS = ("glue", "local")


def refuse_abbreviations(argv: list[str]) -> None:
    """Stop on ``--period`` and the like: a prefix of one of our names that is not the name."""
    names = ARGUMENTS + OPTIONAL_ARGUMENTS
    for token in argv[1:]:
        given = token[2:].split("=", 1)[0] if token.startswith("--") else None
        if not given or given in names:
            continue
        fuller = [name for name in names if name.startswith(given)]
        if fuller:
            raise InvalidInputError(
                f"--{given} is not a job argument: write it in full (--{fuller[0]}); Glue 6.0 "
                "takes no abbreviated argument names"
            )


def _resolved(argv: list[str], names: list[str]) -> dict[str, str]:
    """``getResolvedOptions``, its argument errors turned into our one-sentence error."""
    try:
        return getResolvedOptions(argv, names)
    except GlueArgumentError as exc:
        raise InvalidInputError(f"{exc}: set it in the job's arguments") from None


def job_config(argv: list[str]) -> RunConfig:
    """The run configuration from the Glue job arguments, validated before Spark starts."""
    refuse_abbreviations(argv)
    given = [name for name in OPTIONAL_ARGUMENTS if f"--{name}" in argv]
    args = _resolved(argv, ARGUMENTS + given)
    return RunConfig(
        database=args["source_database"],
        table=args["source_table"],
        periods=(args["periods"],),
        output=args["output_path"],
        output_database=args.get("output_database"),
    )


def catalog_choice(argv: list[str]) -> str:
    """``glue`` (default) or ``local``, from the optional --catalog argument."""
    if "--catalog" not in argv:
        return "glue"
    chosen = _resolved(argv, ["catalog"])["catalog"]
    if chosen not in CATALOGS:
        raise InvalidInputError(f"--catalog {chosen!r} is not one of {', '.join(CATALOGS)}")
    return chosen


def report_path(argv: list[str]) -> str | None:
    """The optional --report_path: a local path or an s3:// URI, checked before Spark starts."""
    if "--report_path" not in argv:
        return None
    path = _resolved(argv, ["report_path"])["report_path"].strip()
    if not path or ("://" in path and not path.startswith("s3://")):
        raise InvalidInputError(f"--report_path {path!r} must be a local path or an s3:// URI")
    return path


def _run_in_glue(argv: list[str], config: RunConfig):
    import boto3
    from awsglue.context import GlueContext
    from awsglue.job import Job
    from pyspark.context import SparkContext

    from cur_analysis.io.readers import GlueCatalogReader
    from cur_analysis.pipeline import run

    glue_context = GlueContext(SparkContext.getOrCreate())
    job = Job(glue_context)
    job.init(getResolvedOptions(argv, ["JOB_NAME"])["JOB_NAME"], {})
    result = run(GlueCatalogReader(glue_context, boto3.client("glue")), config)
    job.commit()
    return result


def _run_on_local_catalog(config: RunConfig):
    from pyspark.sql import SparkSession

    from cur_analysis.io.readers import LocalCatalogReader
    from cur_analysis.pipeline import run

    return run(LocalCatalogReader(SparkSession.builder.getOrCreate()), config)


def main(argv: list[str]) -> None:
    from cur_analysis.errors import CurAnalysisError
    from cur_analysis.summary import format_run

    try:
        config = job_config(argv)
        reports = report_path(argv)
        if catalog_choice(argv) == "local":
            result = _run_on_local_catalog(config)
        else:
            result = _run_in_glue(argv, config)
    except CurAnalysisError as exc:
        raise SystemExit(f"cur-analysis: error: {exc}") from None
    print(format_run(result))
    if reports is not None:
        from cur_analysis.report import write_run_reports

        try:
            print("\n".join(write_run_reports(result, reports)))
        except CurAnalysisError as exc:
            raise SystemExit(f"cur-analysis: error: {exc}") from None


if __name__ == "__main__":
    main(sys.argv)
