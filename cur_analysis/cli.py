"""``cur-analysis``: generate, register and link the local catalog, run the job, report, demo.

Each command is one function of ``argparse.Namespace`` that calls the library; its parser names
it (``set_defaults(func=...)``), so ``main`` only parses, calls and turns a failure into one line.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from cur_analysis import pipeline
from cur_analysis.cid.tags import parse_tags
from cur_analysis.datasets.registry import CID_GROUP, DATASETS, FOCUS, SELECTABLE, parse_datasets
from cur_analysis.errors import (
    INTERNAL_ERROR_EXIT,
    CurAnalysisError,
    InvalidInputError,
    OutputError,
    SparkFailureError,
    error_line,
)
from cur_analysis.failures import spark_failure
from cur_analysis.focus.options import GRANULARITIES, FocusOptions
from cur_analysis.focus.options import VERSIONS as FOCUS_VERSIONS
from cur_analysis.io.publish import unfinished_runs
from cur_analysis.io.stores import LocalStore, check_local_output
from cur_analysis.io.uris import is_s3_uri
from cur_analysis.local import catalog, session
from cur_analysis.local.index import LocalCatalogIndex
from cur_analysis.local.reader import LocalCatalogReader
from cur_analysis.periods import BillingPeriod, require_month_range
from cur_analysis.planner import Plan, plan_run
from cur_analysis.summary import format_run

# Imported where used, once each: the generator (``cur_analysis.dev``, left out of the Glue
# wheel), and the report and the demo (pandas and botocore, which every other command would
# otherwise load at start-up). Spark starts in ``session.local_spark`` and ``pipeline.run``, each
# called through its module: one name to find, and to replace, for what starts it.

Commands = argparse._SubParsersAction  # the subcommands a parser holds

DEFAULT_SOURCE_DATABASE = catalog.SOURCE_DATABASE
DEFAULT_LINK_DATABASE = catalog.LINK_DATABASE
DEFAULT_TABLE = catalog.TABLE
# The fewest line items per month the synthetic generator makes (cur_analysis/dev/generate.py
# refuses fewer: each month carries a fixed set of savings-plan, reservation and fee rows).
MIN_GENERATED_ROWS = 200


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return value


def _generated_rows(text: str) -> int:
    value = _positive(text)
    if value < MIN_GENERATED_ROWS:
        raise argparse.ArgumentTypeError(
            f"{text!r}: the generator needs at least {MIN_GENERATED_ROWS} line items per month"
        )
    return value


def _period(text: str) -> BillingPeriod:
    try:
        return BillingPeriod.parse(text)
    except InvalidInputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


class HelpFormatter(argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter):
    """Descriptions and example epilogs printed as written; "(default: …)" after an option that
    has a default value and does not state it in its own help already."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default is None or action.default is False or "(default" in (action.help or ""):
            return action.help
        return super()._get_help_string(action)


DESCRIPTION = (
    "Analyse an AWS Organization's Cost and Usage Report locally: generate a synthetic export,\n"
    "register and link it in the local catalog, compute the cost datasets, write the report."
)
HOME_HELP = "local catalog and Spark folder (default: $CUR_ANALYSIS_HOME, else ./.cur-analysis)"
DEBUG_HELP = "on an error, print the stack trace too (Spark's log stays in HOME/logs/spark.log)"
# Every command but the hidden ``deploy`` pointer, in the order ``--help`` lists them.
COMMANDS = ("catalog", "generate", "run", "report", "demo")


def _examples(*lines: str) -> str:
    return "examples:\n" + "\n".join(f"  {line}" for line in lines)


MAIN_EXAMPLES = _examples(
    "cur-analysis demo --rows-per-month 20000",
    "cur-analysis run --period last:2 --output ./datasets",
    "cur-analysis --home /tmp/cur-home catalog register --path ./cur-export",
)


def _home_option(suppress: bool) -> argparse.ArgumentParser:
    """``--home`` and ``--debug``, before the subcommand or after it: the subcommand's copy
    leaves the value alone unless given (``SUPPRESS``), so both positions mean the same."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--home", default=argparse.SUPPRESS if suppress else None, help=HOME_HELP)
    parent.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help=DEBUG_HELP,
    )
    return parent


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cur-analysis",
        description=DESCRIPTION,
        epilog=MAIN_EXAMPLES,
        formatter_class=HelpFormatter,
        parents=[_home_option(suppress=False)],
    )
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="{" + ",".join(COMMANDS) + "}"
    )
    _add_catalog(commands)
    _add_generate(commands)
    _add_run(commands)
    _add_report(commands)
    _add_demo(commands)
    _add_deploy_pointer(commands)
    return parser


def _add_deploy_pointer(commands: Commands) -> None:
    """``deploy`` belongs to the admin tool cur-deploy: the spelling stays accepted and says
    where it went, but no help lists it (no ``help`` given: no line in the listing)."""
    moved = commands.add_parser("deploy")
    moved.add_argument("--config", help=argparse.SUPPRESS)
    for flag in ("--plan", "--check", "--json"):
        moved.add_argument(flag, action="store_true", help=argparse.SUPPRESS)
    moved.set_defaults(func=_deploy_moved)


def _command(group: Commands, name: str, help: str, examples: str) -> argparse.ArgumentParser:
    """A subcommand that shows its defaults and examples and takes ``--home`` too."""
    return group.add_parser(
        name,
        help=help,
        description=help[0].upper() + help[1:] + ".",
        epilog=examples,
        parents=[_home_option(suppress=True)],
        formatter_class=HelpFormatter,
    )


def _add_catalog(commands: Commands) -> None:
    parser = _command(
        commands,
        "catalog",
        "the local catalog (stand-in for Glue)",
        _examples(
            "cur-analysis catalog register --path ./cur-export",
            "cur-analysis catalog link --database cur_org_linked --target-database cur_org",
        ),
    )
    catalog_commands = parser.add_subparsers(dest="catalog_command", required=True)
    register = _command(
        catalog_commands,
        "register",
        "a table over a legacy or CUR 2.0 Parquet export",
        _examples(
            "cur-analysis catalog register --path ./cur-export",
            "cur-analysis catalog register --path ./cur2-export --table cur2_all",
        ),
    )
    register.add_argument(
        "--path",
        required=True,
        help="the export's prefix (year=/month= or BILLING_PERIOD= folders)",
    )
    register.add_argument("--database", default=DEFAULT_SOURCE_DATABASE, help="catalog database")
    register.add_argument("--table", default=DEFAULT_TABLE, help="table name")
    register.set_defaults(func=_register)
    link = _command(
        catalog_commands,
        "link",
        "stand-in for a Lake Formation resource link",
        _examples(
            "cur-analysis catalog link",
            "cur-analysis catalog link --database cur_org_linked --target-database cur_org",
        ),
    )
    link.add_argument("--database", default=DEFAULT_LINK_DATABASE, help="the link database")
    link.add_argument(
        "--target-database", default=DEFAULT_SOURCE_DATABASE, help="the database it links to"
    )
    link.set_defaults(func=_link)


def _add_generate(commands: Commands) -> None:
    generate = _command(
        commands,
        "generate",
        "write a synthetic CUR export (development)",
        _examples(
            "cur-analysis generate --output ./cur-export",
            "cur-analysis generate --output ./cur2-export --format cur2 --start 2024-01 --months 6",
        ),
    )
    generate.add_argument("--output", required=True, help="folder of the export")
    generate.add_argument(
        "--start", type=_period, default=BillingPeriod(2024, 3), help="first month, YYYY-MM"
    )
    generate.add_argument("--months", type=_positive, default=3, help="number of months")
    generate.add_argument(
        "--rows-per-month", type=_generated_rows, default=100_000, help="line items per month"
    )
    generate.add_argument("--seed", type=int, default=7, help="random seed (same seed, same data)")
    generate.add_argument(
        "--format", choices=("legacy", "cur2"), default="legacy", help="legacy CUR or CUR 2.0"
    )
    generate.set_defaults(func=_generate)


def _add_run(commands: Commands) -> None:
    parser = _command(
        commands,
        "run",
        "compute the cost datasets for billing periods",
        _examples(
            "cur-analysis run --period 2024-05 --output ./datasets",
            "cur-analysis run --period last:2 --output ./datasets --output-database cur_datasets",
            "cur-analysis run --period 2024-04,2024-05 --datasets focus --output ./datasets",
        ),
    )
    parser.add_argument("--database", default=DEFAULT_LINK_DATABASE, help="source database")
    parser.add_argument("--table", default=DEFAULT_TABLE, help="source table")
    parser.add_argument(
        "--period",
        "--periods",
        dest="period",
        action="append",
        required=True,
        help="YYYY-MM or last:N (the N latest periods in the table); repeat or comma-separate",
    )
    parser.add_argument("--output", required=True, help="folder for the datasets")
    parser.add_argument("--output-database", help="also publish each dataset as a catalog table")
    parser.add_argument(
        "--datasets",
        default=",".join(DATASETS),
        help=f"comma-separated, from {', '.join(SELECTABLE)}, or {CID_GROUP} for the six CID "
        f"views; {FOCUS.name} and the CID views are opt-in",
    )
    parser.add_argument(
        "--cid-tags",
        help="comma-separated user tag keys (e.g. user_team) for the cid views' tags_json",
    )
    parser.add_argument(
        "--allow-empty-period",
        action="store_true",
        help="publish a period whose partition has no line items (empty datasets replace the "
        "period's output) instead of refusing it",
    )
    parser.add_argument(
        "--focus-version",
        default=FOCUS_VERSIONS[0],
        help=f"FOCUS version of the {FOCUS.name} dataset: {' or '.join(FOCUS_VERSIONS)}",
    )
    parser.add_argument(
        "--focus-granularity",
        default=GRANULARITIES[0],
        help=f"{FOCUS.name} rows per line item or summed per hour, day or month as in AWS's "
        f"export: {', '.join(GRANULARITIES)}",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="compute every requested period, also those whose source, datasets and "
        "definitions are unchanged since they were published (skipped otherwise)",
    )
    parser.set_defaults(func=_run)


def _add_report(commands: Commands) -> None:
    report = _command(
        commands,
        "report",
        "one self-contained HTML cost report per period",
        _examples(
            "cur-analysis report --output ./datasets --period 2024-05",
            "cur-analysis report --output ./datasets --period 2024-05 --html may.html",
            "cur-analysis report --output ./datasets --period 2024-05 "
            "--output-database cur_datasets",
        ),
    )
    report.add_argument("--output", required=True, help="the datasets' folder or s3:// URI")
    report.add_argument("--period", type=_period, required=True, help="YYYY-MM")
    report.add_argument(
        "--html", help="file or s3:// URI (default: OUTPUT/reports/cur-report-YYYY-MM.html)"
    )
    report.add_argument("--output-database", help="read the datasets' catalog tables (Spark)")
    report.set_defaults(func=_report)


def _add_demo(commands: Commands) -> None:
    parser = _command(
        commands,
        "demo",
        "generate, register, link and run, all locally",
        _examples(
            "cur-analysis demo",
            "cur-analysis demo --rows-per-month 20000",
            "cur-analysis --home /tmp/cur-demo demo",
        ),
    )
    parser.add_argument(
        "--rows-per-month", type=_generated_rows, default=100_000, help="line items per month"
    )
    parser.set_defaults(func=_demo)


DEPLOY_MOVED = (
    "cur-analysis: 'deploy' moved to the admin command cur-deploy (same options): run "
    "'cur-deploy --config deploy.toml' from a development install (pip install -e '.[dev]')."
)


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command; every failure ends in one ``cur-analysis: error:`` line and its exit code
    (docs/publishing.md lists them), the stack trace only with ``--debug``."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except CurAnalysisError as exc:
        return _failed(args, exc, exc.exit_code)
    except KeyboardInterrupt:
        print("cur-analysis: interrupted: nothing was published by this run", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the one place every other failure becomes a line
        spark_error = _spark_failure(args, exc)
        if spark_error is not None:
            return _failed(args, spark_error, spark_error.exit_code, cause=exc)
        internal = CurAnalysisError(
            f"unexpected {type(exc).__name__}: {_first_line(exc)} (a bug: rerun with --debug "
            "for the stack trace and report it)"
        )
        return _failed(args, internal, INTERNAL_ERROR_EXIT, cause=exc)


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def _spark_failure(args: argparse.Namespace, exc: Exception) -> SparkFailureError | None:
    """A Spark or JVM failure as one sentence naming the log file; None for other errors."""
    logged = f"its log is {session.spark_log(args.home)} (rerun with --debug for the stack trace)"
    return spark_failure(exc, logged)


def _failed(
    args: argparse.Namespace, exc: CurAnalysisError, code: int, cause: Exception | None = None
) -> int:
    if getattr(args, "debug", False):
        traceback.print_exception(cause or exc, file=sys.stderr)
    print(error_line(exc), file=sys.stderr)
    return code


def _generator() -> Callable[..., list[Path]]:
    """``cur_analysis.dev.generate.generate``, imported on use: a Glue wheel leaves
    ``cur_analysis.dev`` out, and only ``generate`` and ``demo`` need it."""
    try:
        from cur_analysis.dev.generate import generate
    except ModuleNotFoundError as exc:
        if exc.name is None or not exc.name.startswith("cur_analysis.dev"):
            raise
        raise CurAnalysisError(
            "the synthetic CUR generator (cur_analysis.dev) is not installed: it is a "
            "development tool; install cur-analysis from a checkout (pip install -e .)"
        ) from None
    return generate


def _generate(args: argparse.Namespace) -> int:
    require_month_range(args.start, args.months)
    check_local_output(args.output)
    generate = _generator()
    files = generate(
        args.output, args.start, args.months, args.rows_per_month, args.seed, fmt=args.format
    )
    print(f"wrote {len(files)} files under {Path(args.output).resolve()}")
    return 0


def _register(args: argparse.Namespace) -> int:
    found = catalog.register(session.local_spark(args.home), args.path, args.database, args.table)
    periods = ", ".join(p.label for p in found.periods)
    print(f"registered {found.table}: {found.columns} columns, periods {periods}")
    return 0


def _link(args: argparse.Namespace) -> int:
    for name in catalog.link(session.local_spark(args.home), args.database, args.target_database):
        print(f"linked {name} -> {args.target_database}")
    return 0


def _run(args: argparse.Namespace) -> int:
    """Every input is checked and, where the local index knows the table, every period decided
    before Spark starts: a run with nothing to compute never starts it."""
    config = _run_config(args)
    home = session.lock_home(args.home)
    started = time.monotonic()
    plan = _plan_without_spark(home, config)
    if plan is not None and _nothing_to_do(config, plan):
        seconds = time.monotonic() - started
        print(format_run(pipeline.RunResult(config, seconds=seconds, schedule=plan.schedule)))
        return 0
    reader = LocalCatalogReader(session.local_spark(args.home))
    print(format_run(pipeline.run(reader, config, plan=plan)))
    return 0


def _report(args: argparse.Namespace) -> int:
    """From the Parquet folders without Spark, or from the catalog tables with it."""
    from cur_analysis.io import aws
    from cur_analysis.report.build import default_report_path, write_period_report
    from cur_analysis.report.load import CatalogTableSource, ParquetFolderSource

    source = (
        CatalogTableSource(session.local_spark(args.home), args.output_database)
        if args.output_database
        else ParquetFolderSource(args.output)
    )
    destination = args.html or default_report_path(args.output, args.period)
    print(write_period_report(source, args.period, destination, aws.client_factory("s3")))
    return 0


def _demo(args: argparse.Namespace) -> int:
    from cur_analysis import demo

    generate = _generator()  # before Spark starts
    spark = session.local_spark(args.home)
    demo.run_demo(spark, session.resolve_home(args.home), args.rows_per_month, generate)
    return 0


def _deploy_moved(args: argparse.Namespace) -> int:
    print(DEPLOY_MOVED, file=sys.stderr)
    return 1


LOCAL_S3 = (
    "{output}: a local run writes to a local folder only (this Spark has no S3 filesystem, "
    "hadoop-aws); write to a folder and copy it (aws s3 sync), or run the Glue job, which "
    "writes s3:// outputs"
)


def _run_config(args: argparse.Namespace) -> pipeline.RunConfig:
    """The run's configuration, its output folder checked."""
    names = parse_datasets(args.datasets)
    if not names:
        raise InvalidInputError(
            f"--datasets {args.datasets!r} names no dataset: give one or more of "
            f"{', '.join(SELECTABLE)}, comma-separated"
        )
    config = pipeline.RunConfig(
        args.database,
        args.table,
        tuple(args.period),
        args.output,
        output_database=args.output_database,
        datasets=names,
        allow_empty_periods=args.allow_empty_period,
        focus=FocusOptions(args.focus_version, args.focus_granularity),
        cid_tags=parse_tags(args.cid_tags or ""),
        force=args.force,
    )
    if is_s3_uri(args.output.strip()):
        raise OutputError(LOCAL_S3.format(output=args.output))
    check_local_output(args.output)
    return config


def _plan_without_spark(home: Path, config: pipeline.RunConfig) -> Plan | None:
    """The run's decisions from the local catalog's index (``local.index``), or None when the
    index does not know the table: Spark's metastore then answers."""
    index = LocalCatalogIndex(home)
    if not index.knows(config.database, config.table):
        return None
    return plan_run(index, config, LocalStore())


def _nothing_to_do(config: pipeline.RunConfig, plan: Plan) -> bool:
    """Every period skipped, and no run died leaving work that needs Spark (its tables)."""
    return plan.nothing_to_compute and not unfinished_runs(LocalStore(), config.output)


if __name__ == "__main__":
    raise SystemExit(main())
