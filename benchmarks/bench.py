"""``make bench``: our job against DuckDB on one period of a synthetic 24-month CUR, here.

For the latest period of the export it measures, in one run:
  (a) ``pipeline.run`` with a warm SparkSession (first run discarded, median of ``--repeats``), for
      the fine-grain pass (the job) and for the persisted-conformed-frame alternative;
  (b) the cold CLI end to end (``cur-analysis run`` in a subprocess, its own catalog);
  (c) DuckDB computing the same five datasets from the same Parquet files (first run discarded);
  (d) the job on tables holding only the partitions the run reads (the period and its previous
      month, for the change columns), and only the period itself.
Prints a table, writes JSON to ``benchmarks/results/``, and exits 1 when any dataset's column sums
differ from DuckDB's beyond 1e-6 relative.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from cur_analysis.periods import BillingPeriod, month_range

from . import duckdb_datasets
from .plan import file_scans

PROJECT = Path(__file__).resolve().parents[1]
RESULTS = PROJECT / "benchmarks" / "results"
START = BillingPeriod(2023, 1)
TABLE = "legacy_all"
TOLERANCE = 1e-6


@dataclass(frozen=True)
class Scenario:
    """An export the bench measures: the generator's profile, months and rows per month."""

    profile: str
    months: int
    rows: int


SCENARIOS = {
    "default": Scenario("default", 24, 2_000_000),
    # A large organization: 400 accounts, 60 services, 12 tag keys over 200,000 resources.
    "large": Scenario("large", 2, 10_000_000),
}


@dataclass(frozen=True)
class Timing:
    """Wall times of repeated runs; the first (warm-up) is kept apart."""

    first: float
    runs: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.runs) if self.runs else self.first


def _timed(action: Callable[[], Any], repeats: int, warm_up: bool = True) -> Timing:
    times = []
    for _ in range(repeats + (1 if warm_up else 0)):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return Timing(times[0], tuple(times[1:] if warm_up else times))


def _log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def ensure_export(root: Path, months: int, rows: int, seed: int, profile: str) -> Path:
    """The synthetic export, generated once per shape and kept (marked complete when written)."""
    from cur_analysis.dev.generate import generate

    export = root / f"export-{profile}-{months}x{rows}-seed{seed}"
    marker = export / ".complete"
    if not marker.exists():
        _log(f"generating {months} months x {rows:,} rows ({profile} profile) under {export}")
        started = time.perf_counter()
        shutil.rmtree(export, ignore_errors=True)
        generate(export, START, months, rows, seed, profile=profile)
        marker.write_text(f"{time.perf_counter() - started:.1f} s\n")
    return export


def subset_export(root: Path, export: Path, periods: Sequence[BillingPeriod], name: str) -> Path:
    """An export holding only ``periods``: hard links to the same files (no copy)."""
    subset = root / name
    shutil.rmtree(subset, ignore_errors=True)
    for period in periods:
        relative = Path(f"year={period.year_value}") / f"month={period.month_value}"
        (subset / relative).mkdir(parents=True)
        for file in sorted((export / relative).glob("*.parquet")):
            try:
                os.link(file, subset / relative / file.name)
            except OSError:
                shutil.copy2(file, subset / relative / file.name)
    return subset


def partition_files(export: Path, periods: Sequence[BillingPeriod]) -> list[str]:
    return [
        str(file)
        for period in periods
        for file in sorted(
            (export / f"year={period.year_value}" / f"month={period.month_value}").glob("*.parquet")
        )
    ]


def _stage_input(spark: Any, group: str) -> dict[str, int]:
    """Bytes and records read by the stages of a job group (Parquet and cached blocks)."""
    tracker = spark.sparkContext.statusTracker()
    store = spark.sparkContext._jsc.sc().statusStore()  # noqa: SLF001
    totals = {"input_bytes": 0, "input_records": 0, "jobs": 0, "stages": 0}
    for job_id in tracker.getJobIdsForGroup(group):
        info = tracker.getJobInfo(job_id)
        if info is None:
            continue
        totals["jobs"] += 1
        for stage_id in info.stageIds:
            try:
                stage = store.lastStageAttempt(stage_id)
            except Exception:  # noqa: BLE001 (a stage skipped by adaptive execution)
                continue
            if str(stage.status()) != "COMPLETE":
                continue
            totals["stages"] += 1
            totals["input_bytes"] += int(stage.inputBytes())
            totals["input_records"] += int(stage.inputRecords())
    return totals


def _rows_in(files: Sequence[str]) -> int:
    con = duckdb.connect()
    listed = ", ".join(f"'{f}'" for f in files)
    row = con.execute(f"SELECT count(*) FROM read_parquet([{listed}])").fetchone()
    return int(row[0]) if row else 0


def _bytes_of(files: Sequence[str]) -> int:
    return sum(Path(f).stat().st_size for f in files)


def cross_check(spark_output: Path, duck_outputs: dict[str, Path], period: BillingPeriod) -> dict:
    """Per dataset: row count and the sum of every numeric column, Spark's against DuckDB's."""
    con = duckdb.connect()
    report: dict[str, Any] = {}
    partition = f"year={period.year_value}/month={period.month_value}"
    for name, duck_path in duck_outputs.items():
        ours = duckdb_datasets.column_sums(con, str(spark_output / name / partition / "*.parquet"))
        theirs = duckdb_datasets.column_sums(con, str(duck_path))
        differences = {}
        for column in sorted(set(ours) | set(theirs)):
            a, b = ours.get(column), theirs.get(column)
            if a is None or b is None:
                differences[column] = {"spark": a, "duckdb": b, "relative": None}
                continue
            scale = max(abs(a), abs(b))
            relative = abs(a - b) / scale if scale > 1e-9 else 0.0
            if relative > TOLERANCE:
                differences[column] = {"spark": a, "duckdb": b, "relative": relative}
        report[name] = {"columns": len(ours), "rows": ours["rows"], "differences": differences}
    return report


def _cold_cli(home: Path, export: Path, period: BillingPeriod, output: Path, repeats: int) -> dict:
    cli = str(Path(sys.executable).with_name("cur-analysis"))
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable}
    _log("cold CLI: registering the 24-month table in its own catalog (not timed)")
    subprocess.run(
        [cli, "--home", str(home), "catalog", "register", "--path", str(export),
         "--database", "bench_cur", "--table", TABLE],
        check=True, env=env, capture_output=True,
    )  # fmt: skip
    command = [
        cli, "--home", str(home), "run", "--database", "bench_cur", "--table", TABLE,
        "--period", period.label, "--output", str(output),
    ]  # fmt: skip
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        times.append(time.perf_counter() - started)
        if done.returncode != 0:
            raise RuntimeError(f"cur-analysis run failed:\n{done.stderr[-2000:]}")
    job_seconds = [
        float(line.split()[1]) for line in done.stdout.splitlines() if line.startswith("took ")
    ]
    return {"times": times, "median": statistics.median(times), "job_seconds": job_seconds}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench", description=__doc__.split("\n")[0])
    parser.add_argument("--rows-per-month", type=int, default=2_000_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--repeats", type=int, default=3, help="timed runs after the warm-up")
    parser.add_argument("--cold-repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--home", default=str(PROJECT / ".cur-analysis"))
    parser.add_argument("--skip-cold", action="store_true", help="leave out (b)")
    args = parser.parse_args(argv)

    root = Path(args.home).resolve() / "bench"
    root.mkdir(parents=True, exist_ok=True)
    export = ensure_export(root, args.months, args.rows_per_month, args.seed)
    periods = month_range(START, args.months)
    period = periods[-1]
    loaded = (period.previous(), period) if args.months > 1 else (period,)
    minimal = subset_export(root, export, loaded, "export-loaded-only")
    single = subset_export(root, export, (period,), "export-period-only")
    load_before = os.getloadavg()

    cold = None
    if not args.skip_cold:
        _log("(b) cold CLI")
        cold = _cold_cli(
            root / "cli-home", export, period, root / "out-cli", max(1, args.cold_repeats)
        )

    from cur_analysis.local import catalog
    from cur_analysis.local.reader import LocalCatalogReader
    from cur_analysis.local.session import local_spark
    from cur_analysis.pipeline import RunConfig, plan_scan, run

    from .persist_strategy import run_persisting_conformed

    spark = local_spark(root / "spark-home", app_name="cur-analysis-bench")
    reader = LocalCatalogReader(spark)
    tables = {
        "full": (export, "bench_cur"),
        "loaded": (minimal, "bench_min"),
        "one": (single, "bench_one"),
    }
    for path, database in tables.values():
        catalog.register(spark, path, database, TABLE)

    def config(database: str, output: str) -> RunConfig:
        return RunConfig(database, TABLE, (period.label,), str(root / output))

    def timed_runs(variants: dict[str, Callable[[], Any]]) -> dict[str, tuple[Timing, dict]]:
        """Warm every variant up once, then time them round-robin (load drifts hit all alike)."""
        times: dict[str, list[float]] = {label: [] for label in variants}
        for round_number in range(args.repeats + 1):
            for label, action in variants.items():
                _log(f"{label}: run {round_number + 1} of {args.repeats + 1}")
                spark.sparkContext.setJobGroup(label, label)
                started = time.perf_counter()
                action()
                times[label].append(time.perf_counter() - started)
        spark.sparkContext.setJobGroup("bench-idle", "bench-idle")
        measured = {}
        for label, found in times.items():
            stage = _stage_input(spark, label)
            per_run = {key: value // len(found) for key, value in stage.items()}
            measured[label] = (Timing(found[0], tuple(found[1:])), per_run)
        return measured

    grain_config = config("bench_cur", "out-spark")
    measured = timed_runs(
        {
            "(a) warm, fine-grain pass": lambda: run(reader, grain_config),
            "(a') warm, persisted conformed frame": lambda: run_persisting_conformed(
                reader, config("bench_cur", "out-persist")
            ),
            "(d) table of the loaded partitions": lambda: run(
                reader, config("bench_min", "out-min")
            ),
            "(d') table of the period only": lambda: run(reader, config("bench_one", "out-one")),
        }
    )
    (warm, warm_input), (persisted, persisted_input), (loaded_only, _), (period_only, _) = (
        measured.values()
    )
    scan = plan_scan(reader, grain_config)
    (file_scan,) = file_scans(scan.grain)
    input_files = scan.grain.inputFiles()
    spark.stop()

    _log("(c) DuckDB")
    files = partition_files(export, loaded)
    labels = [p.label for p in loaded]
    duck = _timed(
        lambda: duckdb_datasets.compute(files, [period.label], labels, root / "out-duckdb"),
        args.repeats,
    )
    duck_outputs = duckdb_datasets.compute(files, [period.label], labels, root / "out-duckdb")
    check = cross_check(root / "out-spark", duck_outputs, period)
    failed = {name: found["differences"] for name, found in check.items() if found["differences"]}

    rows = _rows_in(files)
    result = {
        "machine": {
            "cpus": os.cpu_count(),
            "load_before": load_before,
            "load_after": os.getloadavg(),
        },
        "export": {
            "months": args.months,
            "rows_per_month": args.rows_per_month,
            "path": str(export),
        },
        "period": period.label,
        "loaded_periods": labels,
        "rows_read": rows,
        "bytes_of_loaded_files": _bytes_of(files),
        "scan": {
            "file_scans": len(file_scans(scan.grain)),
            "read_schema_columns": file_scan.columns,
            "partition_filters": file_scan.partition_filters,
            "location": file_scan.location,
            "input_files": sorted(input_files),
            "table_columns": len(spark_columns(export)),
        },
        "stage_input_per_run": {"fine_grain": warm_input, "persisted": persisted_input},
        "seconds": {
            "warm_fine_grain": warm.median,
            "warm_fine_grain_runs": warm.runs,
            "warm_fine_grain_first": warm.first,
            "warm_persisted": persisted.median,
            "warm_persisted_runs": persisted.runs,
            "cold_cli": cold["median"] if cold else None,
            "cold_cli_runs": cold["times"] if cold else None,
            "cold_cli_job_seconds": cold["job_seconds"] if cold else None,
            "duckdb": duck.median,
            "duckdb_runs": duck.runs,
            "loaded_only_table": loaded_only.median,
            "loaded_only_table_runs": loaded_only.runs,
            "period_only_table": period_only.median,
            "period_only_table_runs": period_only.runs,
        },
        "cross_check": check,
        "passed": not failed,
    }
    result["ratios"] = {
        "spark_over_duckdb": warm.median / duck.median,
        "full_over_loaded_only": warm.median / loaded_only.median,
        "full_over_period_only": warm.median / period_only.median,
        "persisted_over_fine_grain": persisted.median / warm.median,
    }
    print(format_table(result))
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = RESULTS / f"bench-{args.rows_per_month}-{stamp}.json"
    path.write_text(json.dumps(result, indent=2, default=str) + "\n")
    print(f"\nwrote {path}")
    if failed:
        print(f"CROSS-CHECK FAILED (beyond {TOLERANCE:g} relative): {json.dumps(failed, indent=1)}")
        return 1
    print(f"cross-check: every dataset's column sums equal DuckDB's within {TOLERANCE:g}")
    return 0


def spark_columns(export: Path) -> list[str]:
    """Columns of the table (union over the files), as DuckDB sees them."""
    glob = str(export / "year=*" / "month=*" / "*.parquet")
    rows = (
        duckdb.connect()
        .execute(f"DESCRIBE SELECT * FROM read_parquet('{glob}', union_by_name = true)")
        .fetchall()
    )
    return [row[0] for row in rows]


def format_table(result: dict) -> str:
    s = result["seconds"]
    rows = result["rows_read"]
    ratios = result["ratios"]

    def line(label: str, seconds: float | None, note: str = "") -> str:
        if seconds is None:
            return f"  {label:<46}{'-':>9}"
        return f"  {label:<46}{seconds:>8.2f}s {rows / seconds:>12,.0f} rows/s  {note}"

    load = result["machine"]
    scan = result["scan"]
    stage = result["stage_input_per_run"]["fine_grain"]
    lines = [
        "",
        f"period {result['period']} of {result['export']['months']} months x "
        f"{result['export']['rows_per_month']:,} rows; the run reads "
        f"{', '.join(result['loaded_periods'])}: {rows:,} rows, "
        f"{result['bytes_of_loaded_files'] / 1e6:,.0f} MB of Parquet",
        f"machine: {load['cpus']} cpus, load average before {load['load_before'][0]:.2f}, "
        f"after {load['load_after'][0]:.2f}",
        "",
        f"  {'':<46}{'wall':>9} {'rows/s':>12}",
        line("(a) warm Spark, fine-grain pass (median)", s["warm_fine_grain"]),
        line("(a') warm Spark, persisted conformed frame", s["warm_persisted"]),
        line("(b) cold `cur-analysis run` (median)", s["cold_cli"]),
        line("(c) DuckDB, same five datasets (median)", s["duckdb"]),
        line("(d) Spark on a table of the 2 loaded partitions", s["loaded_only_table"]),
        line("(d') Spark on a table of the period only", s["period_only_table"], "(reads 1 month)"),
        "",
        f"  Spark / DuckDB                     {ratios['spark_over_duckdb']:.2f}x  (target <= 3)",
        f"  24-month / loaded-only table       {ratios['full_over_loaded_only']:.2f}x  "
        "(target <= 1.15)",
        f"  24-month / period-only table       {ratios['full_over_period_only']:.2f}x  "
        "(reads half the rows)",
        f"  persisted frame / fine-grain pass  {ratios['persisted_over_fine_grain']:.2f}x",
        "",
        f"  scan: {scan['file_scans']} FileScan, {len(scan['read_schema_columns'])} of "
        f"{scan['table_columns']} columns read, {len(scan['input_files'])} input files",
        f"  ReadSchema: {', '.join(scan['read_schema_columns'])}",
        f"  stage input per run: {stage['input_bytes'] / 1e6:,.1f} MB, "
        f"{stage['input_records']:,} records ({stage['jobs']} jobs, {stage['stages']} stages)",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
