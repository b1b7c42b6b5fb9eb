"""``cur-analysis``: generate, register and link the local catalog, run the job, demo."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from cur_analysis.errors import CurAnalysisError, InvalidInputError
from cur_analysis.periods import BillingPeriod
from cur_analysis.pipeline import DATASETS

DEFAULT_SOURCE_DATABASE = "cur_org"
DEFAULT_LINK_DATABASE = "cur_org_linked"
DEFAULT_TABLE = "legacy_all"
DEMO_OUTPUT_DATABASE = "cur_datasets"


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return value


def _period(text: str) -> BillingPeriod:
    try:
        return BillingPeriod.parse(text)
    except InvalidInputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cur-analysis", description=__doc__)
    parser.add_argument(
        "--home",
        help="local catalog and Spark folder (default $CUR_ANALYSIS_HOME or ./.cur-analysis)",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    catalog = commands.add_parser("catalog", help="the local catalog (stand-in for Glue)")
    catalog_commands = catalog.add_subparsers(dest="catalog_command", required=True)
    register = catalog_commands.add_parser("register", help="table over a year=/month= export")
    register.add_argument("--path", required=True, help="report prefix holding year=YYYY/month=M/")
    register.add_argument("--database", default=DEFAULT_SOURCE_DATABASE)
    register.add_argument("--table", default=DEFAULT_TABLE)
    link = catalog_commands.add_parser("link", help="stand-in for a Lake Formation resource link")
    link.add_argument("--database", default=DEFAULT_LINK_DATABASE)
    link.add_argument("--target-database", default=DEFAULT_SOURCE_DATABASE)

    generate = commands.add_parser("generate", help="write a synthetic legacy CUR export")
    generate.add_argument("--output", required=True)
    generate.add_argument("--start", type=_period, default=BillingPeriod(2024, 3))
    generate.add_argument("--months", type=_positive, default=3)
    generate.add_argument("--rows-per-month", type=_positive, default=100_000)
    generate.add_argument("--seed", type=int, default=7)
    generate.add_argument(
        "--format", choices=("legacy", "cur2"), default="legacy", help="legacy CUR or CUR 2.0"
    )

    run = commands.add_parser("run", help="compute the cost datasets for billing periods")
    run.add_argument("--database", default=DEFAULT_LINK_DATABASE)
    run.add_argument("--table", default=DEFAULT_TABLE)
    run.add_argument(
        "--period",
        "--periods",
        dest="period",
        action="append",
        required=True,
        help="YYYY-MM or last:N (the N latest periods in the table); repeat or comma-separate",
    )
    run.add_argument("--output", required=True, help="folder or s3:// URI for the datasets")
    run.add_argument("--output-database", help="also publish each dataset as a catalog table")
    run.add_argument(
        "--datasets", default=",".join(DATASETS), help="comma-separated subset of the datasets"
    )

    report = commands.add_parser("report", help="one self-contained HTML cost report per period")
    report.add_argument("--output", required=True, help="the datasets' folder or s3:// URI")
    report.add_argument("--period", type=_period, required=True, help="YYYY-MM")
    report.add_argument("--html", help="file or s3:// URI (default OUTPUT/reports/...)")
    report.add_argument("--output-database", help="read the datasets' catalog tables (Spark)")

    demo = commands.add_parser("demo", help="generate, register, link and run, all locally")
    demo.add_argument("--rows-per-month", type=_positive, default=100_000)

    # Deploying is an admin tool now (cur-deploy); the old spelling says where it went.
    moved = commands.add_parser("deploy", help="moved: use the cur-deploy command")
    moved.add_argument("--config", help=argparse.SUPPRESS)
    for flag in ("--plan", "--check", "--json"):
        moved.add_argument(flag, action="store_true", help=argparse.SUPPRESS)
    return parser


DEPLOY_MOVED = (
    "cur-analysis: 'deploy' moved to the admin command cur-deploy (same options): run "
    "'cur-deploy --config deploy.toml' from a development install (pip install -e '.[dev]')."
)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _dispatch(args)
    except CurAnalysisError as exc:
        print(f"cur-analysis: error: {exc}", file=sys.stderr)
        return 1


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "generate":
        return _generate(args)
    if args.command == "deploy":
        print(DEPLOY_MOVED, file=sys.stderr)
        return 1
    if args.command == "report" and not args.output_database:
        return _report(None, args)
    # Spark starts only for the commands that need it.
    from cur_analysis.local.session import local_spark

    spark = local_spark(args.home)
    if args.command == "catalog":
        return _catalog(spark, args)
    if args.command == "run":
        return _run(spark, args)
    if args.command == "report":
        return _report(spark, args)
    return _demo(spark, args)


def _generate(args: argparse.Namespace) -> int:
    from cur_analysis.generate import generate

    files = generate(
        args.output, args.start, args.months, args.rows_per_month, args.seed, fmt=args.format
    )
    print(f"wrote {len(files)} files under {Path(args.output).resolve()}")
    return 0


def _catalog(spark, args: argparse.Namespace) -> int:
    from cur_analysis.local import catalog

    if args.catalog_command == "register":
        found = catalog.register(spark, args.path, args.database, args.table)
        periods = ", ".join(p.label for p in found.periods)
        print(f"registered {found.table}: {found.columns} columns, periods {periods}")
    else:
        for name in catalog.link(spark, args.database, args.target_database):
            print(f"linked {name} -> {args.target_database}")
    return 0


def _run(spark, args: argparse.Namespace) -> int:
    from cur_analysis.io.readers import LocalCatalogReader
    from cur_analysis.pipeline import RunConfig, run
    from cur_analysis.summary import format_run

    config = RunConfig(
        args.database,
        args.table,
        tuple(args.period),
        args.output,
        output_database=args.output_database,
        datasets=tuple(name.strip() for name in args.datasets.split(",") if name.strip()),
    )
    print(format_run(run(LocalCatalogReader(spark), config)))
    return 0


def _report(spark, args: argparse.Namespace) -> int:
    from cur_analysis.report.build import default_report_path, write_period_report
    from cur_analysis.report.load import CatalogTableSource, ParquetFolderSource

    source = (
        ParquetFolderSource(args.output)
        if spark is None
        else CatalogTableSource(spark, args.output_database)
    )
    destination = args.html or default_report_path(args.output, args.period)
    print(write_period_report(source, args.period, destination))
    return 0


def _demo(spark, args: argparse.Namespace) -> int:
    from cur_analysis.generate import generate
    from cur_analysis.io.readers import LocalCatalogReader
    from cur_analysis.local import catalog
    from cur_analysis.local.session import resolve_home
    from cur_analysis.pipeline import RunConfig, run
    from cur_analysis.summary import format_run

    started = time.monotonic()
    home = resolve_home(args.home)
    export = home / "demo" / "cur-export"
    start = BillingPeriod(2024, 3)
    generate(export, start, 3, args.rows_per_month, seed=7)
    print(f"1/4 generated 3 months x ~{args.rows_per_month:,} rows of legacy CUR under {export}")
    found = catalog.register(spark, export, DEFAULT_SOURCE_DATABASE, DEFAULT_TABLE)
    print(
        f"2/4 registered {found.table} ({found.columns} columns, {len(found.periods)} partitions)"
    )
    catalog.link(spark, DEFAULT_LINK_DATABASE, DEFAULT_SOURCE_DATABASE)
    print(f"3/4 linked {DEFAULT_LINK_DATABASE}.{DEFAULT_TABLE} -> {found.table}")
    latest = found.periods[-1]
    ran = found.periods[-2:]  # the previous period too: the report compares with it
    config = RunConfig(
        DEFAULT_LINK_DATABASE,
        DEFAULT_TABLE,
        tuple(p.label for p in ran),
        str(home / "demo" / "output"),
        output_database=DEMO_OUTPUT_DATABASE,
    )
    print(
        f"4/4 running the job for {', '.join(p.label for p in ran)} through "
        f"{DEFAULT_LINK_DATABASE}.{DEFAULT_TABLE}\n"
    )
    print(format_run(run(LocalCatalogReader(spark), config)))
    print(
        f"\ntables: {DEMO_OUTPUT_DATABASE}.<dataset>, e.g. select * from "
        f"{DEMO_OUTPUT_DATABASE}.service_monthly where year = '{latest.year_value}' "
        f"and month = '{latest.month_value}'"
    )
    from cur_analysis.report.build import default_report_path, write_period_report
    from cur_analysis.report.load import ParquetFolderSource

    report = default_report_path(config.output, latest)
    print(f"\n{write_period_report(ParquetFolderSource(config.output), latest, report)}")
    print(f"\ndemo finished in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
