"""The Glue job behind ``jobs/cur_cost_aggregation.py``: its arguments, its run, its exit.

The entry script imports ``awsglue`` and hands in what only it can build (``GlueEdge``): the
argument parser ``getResolvedOptions`` with its error class, and a function that starts the
``GlueContext`` and ``Job``. Everything else is here, once: the argument names (full names only:
Glue 6.0's ``getResolvedOptions`` rejects abbreviated ones (aws-glue-libs release notes,
2026-08-18) and 5.1 accepts them, so an abbreviation is refused on both), the run
configuration, the ``--catalog local`` mode, the report path rule and the error-to-exit mapping.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from cur_analysis.cid.tags import parse_tags
from cur_analysis.datasets.registry import DATASETS, parse_datasets
from cur_analysis.errors import CurAnalysisError, InvalidInputError, error_line
from cur_analysis.focus.options import FocusOptions
from cur_analysis.io.uris import checked_location
from cur_analysis.pipeline import RunResult
from cur_analysis.planner import RunConfig
from cur_analysis.spark_settings import SQL_SETTINGS

ARGUMENTS = ["JOB_NAME", "source_database", "source_table", "periods", "output_path"]
OPTIONAL_ARGUMENTS = [
    "output_database",
    "catalog",
    "report_path",
    "datasets",
    "focus_version",
    "focus_granularity",
    "cid_tags",
    "force",
]
CATALOGS = ("glue", "local")
BOOLEANS = {"true": True, "false": False}


@dataclass(frozen=True)
class GlueEdge:
    """What the entry script brings from ``awsglue``.

    ``resolve`` is ``getResolvedOptions``, ``argument_error`` its ``GlueArgumentError``, and
    ``start(job_name)`` returns ``(glue_context, job)`` with the job initialised.
    """

    resolve: Callable[[Sequence[str], list[str]], dict[str, str]]
    argument_error: type[Exception]
    start: Callable[[str], tuple[Any, Any]]


@dataclass(frozen=True)
class JobSettings:
    """The job's arguments, all checked before Spark starts."""

    job_name: str
    config: RunConfig
    catalog: str = "glue"
    report_path: str | None = None


def refuse_abbreviations(argv: Sequence[str]) -> None:
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


def _resolved(edge: GlueEdge, argv: Sequence[str]) -> dict[str, str]:
    """The job arguments present; the parser's errors become our one-sentence error."""
    refuse_abbreviations(argv)
    given = [name for name in OPTIONAL_ARGUMENTS if f"--{name}" in argv]
    try:
        return edge.resolve(argv, ARGUMENTS + given)
    except edge.argument_error as exc:
        raise InvalidInputError(f"{exc}: set it in the job's arguments") from None


def job_settings(edge: GlueEdge, argv: Sequence[str]) -> JobSettings:
    """The job's settings from its arguments (``sys.argv`` as Glue passes them)."""
    args = _resolved(edge, argv)
    config = RunConfig(
        database=args["source_database"],
        table=args["source_table"],
        period_args=(args["periods"],),
        output=args["output_path"],
        output_database=args.get("output_database"),
        datasets=parse_datasets(args.get("datasets", ",".join(DATASETS))),
        focus=FocusOptions(
            args.get("focus_version", FocusOptions.version),
            args.get("focus_granularity", FocusOptions.granularity),
        ),
        cid_tags=parse_tags(args.get("cid_tags", "")),
        force=_flag(args.get("force", "false"), "--force"),
    )
    catalog = args.get("catalog", "glue")
    if catalog not in CATALOGS:
        raise InvalidInputError(f"--catalog {catalog!r} is not one of {', '.join(CATALOGS)}")
    report = args.get("report_path")
    if report is not None:
        report = checked_location(report, "--report_path")
    return JobSettings(args["JOB_NAME"], config, catalog, report)


def _flag(text: str, name: str) -> bool:
    """A job argument that is ``true`` or ``false`` (Glue job arguments are strings)."""
    value = BOOLEANS.get(text.strip().lower())
    if value is None:
        raise InvalidInputError(f"{name} {text!r} is not true or false")
    return value


def run_job(edge: GlueEdge, settings: JobSettings) -> RunResult:
    """The run, through the Glue Data Catalog (a committed Glue job) or the session's own
    catalog (``--catalog local``: debugging the script under spark-submit).

    The plan (``planner.plan_run``) is made from Glue and S3 listings before the Glue context
    starts and handed to the run: when every requested period is unchanged, and no run died
    leaving work behind, the Glue context never starts and the table is never read.

    Args:
        edge: What the entry script brings from ``awsglue``.
        settings: The job's checked arguments.

    Returns:
        What the run did.

    Raises:
        CurAnalysisError: A check or the run failed; the message says what to do.
    """
    from cur_analysis.pipeline import run
    from cur_analysis.planner import plan_run

    if settings.catalog == "local":
        from pyspark.sql import SparkSession

        from cur_analysis.local.reader import LocalCatalogReader

        return run(LocalCatalogReader(SparkSession.builder.getOrCreate()), settings.config)
    from cur_analysis.io import aws
    from cur_analysis.io.publish import unfinished_runs
    from cur_analysis.io.readers import GlueCatalogReader
    from cur_analysis.io.stores import store_for

    glue, s3 = aws.client("glue"), aws.client("s3")
    store = store_for(settings.config.output, aws.client_factory("s3"))
    plan = plan_run(GlueCatalogReader(None, glue, s3), settings.config, store, s3)
    if plan.nothing_to_compute and not unfinished_runs(store, settings.config.output):
        return RunResult(settings.config, schedule=plan.schedule)
    glue_context, job = edge.start(settings.job_name)
    for key, value in SQL_SETTINGS.items():
        glue_context.spark_session.conf.set(key, value)
    reader = GlueCatalogReader(glue_context, glue, s3)
    result = run(reader, settings.config, store=store, plan=plan)
    job.commit()
    return result


def main(edge: GlueEdge, argv: Sequence[str]) -> None:
    """Run the job and print what it did (and the reports); an error exits 1 with one line."""
    from cur_analysis.summary import format_run

    try:
        settings = job_settings(edge, argv)
        result = run_job(edge, settings)
        print(format_run(result))
        if settings.report_path is not None:
            from cur_analysis.io import aws
            from cur_analysis.report import write_run_reports

            reports = write_run_reports(result, settings.report_path, aws.client_factory("s3"))
            print("\n".join(reports))
    except CurAnalysisError as exc:
        raise SystemExit(error_line(exc)) from None
    except Exception as exc:
        from cur_analysis.failures import spark_failure

        failure = spark_failure(exc, "the driver log has the stack trace")
        if failure is None:
            raise
        print(f"{type(exc).__name__}: {exc}", file=sys.stderr)  # the stack stays in the log
        raise SystemExit(error_line(failure)) from None
