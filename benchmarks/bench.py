"""``make bench``: our job against DuckDB on the latest period of synthetic CUR exports, here.

For each scenario (``default``: 24 months x 2 M rows of a small organization; ``large``: 2 months
x 10 M rows of a large one, 400 accounts, 60 services, 12 tag keys over 200,000 resources) it
measures, in one run:
  (a) ``pipeline.run`` with a warm SparkSession, every dataset, and (a-) without ``tag_monthly``
      (first run discarded, median of ``--repeats``, variants timed round-robin);
  (b) the cold CLI end to end (``cur-analysis run`` in a subprocess, its own catalog), and a
      trivial PySpark job's start-up (session, ``range(1).count()``, stop) beside it; (b2) the
      same cold CLI over a tiny export (3 months x 3,000 rows), whose time is the start-up and
      the fixed cost of a run, not the work on the scenario's rows;
  (c) DuckDB computing the same five datasets from the same Parquet files, in a process of its
      own (first run discarded), and its peak memory;
  (d) (default scenario) the job on a table holding only the partitions the run reads;
  (e) (default scenario) the job with the opt-in ``focus`` dataset added to every dataset.
Prints a table per scenario with the targets, writes JSON to ``benchmarks/results/``, and exits 1
when any dataset's column sums differ from DuckDB's beyond 1e-6 relative.
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
    from cur_analysis.io.publish import published_files

    con = duckdb.connect()
    report: dict[str, Any] = {}
    for name, duck_path in duck_outputs.items():
        ours = duckdb_datasets.column_sums(con, published_files(str(spark_output), name, [period]))
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


def _trivial_pyspark(repeats: int) -> list[float]:
    """Wall times of the smallest PySpark job: start a local session, count one row, stop."""
    code = (
        "from pyspark.sql import SparkSession\n"
        "s = SparkSession.builder.master('local[*]').getOrCreate()\n"
        "s.range(1).count()\ns.stop()\n"
    )
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return times


def _duckdb(files: list[str], period: BillingPeriod, labels: list[str], output: Path, repeats: int):
    spec = {
        "files": files,
        "periods": [period.label],
        "loaded": labels,
        "output": str(output),
        "repeats": repeats,
    }
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.duckdb_timed", json.dumps(spec)],
        check=True, capture_output=True, text=True, cwd=PROJECT,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def _jvm_peak_mb(spark: Any) -> float:
    """Peak resident memory (VmHWM) of the driver JVM so far."""
    pid = spark.sparkContext._jvm.java.lang.ProcessHandle.current().pid()  # noqa: SLF001
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--scenario", action="append", choices=sorted(SCENARIOS), help="default: all of them"
    )
    parser.add_argument("--rows-per-month", type=int, help="rows of the default scenario")
    parser.add_argument("--large-rows-per-month", type=int, help="rows of the large scenario")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs after the warm-up")
    parser.add_argument("--cold-repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--home", default=str(PROJECT / ".cur-analysis"))
    parser.add_argument("--skip-cold", action="store_true", help="leave out (b)")
    args = parser.parse_args(argv)
    root = Path(args.home).resolve() / "bench"
    root.mkdir(parents=True, exist_ok=True)
    chosen = {name: SCENARIOS[name] for name in (args.scenario or SCENARIOS)}
    if args.rows_per_month and "default" in chosen:
        chosen["default"] = Scenario("default", chosen["default"].months, args.rows_per_month)
    if args.large_rows_per_month and "large" in chosen:
        chosen["large"] = Scenario("large", chosen["large"].months, args.large_rows_per_month)

    from cur_analysis.local.session import local_spark

    failed = False
    spark = None
    results = []
    for name, scenario in chosen.items():
        export = ensure_export(root, scenario.months, scenario.rows, args.seed, scenario.profile)
        if spark is None:
            spark = local_spark(root / "spark-home", app_name="cur-analysis-bench")
        result = measure(spark, root, name, scenario, export, args)
        results.append(result)
        print(format_table(result))
        RESULTS.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        path = RESULTS / f"bench-{name}-{scenario.rows}-{stamp}.json"
        path.write_text(json.dumps(result, indent=2, default=str) + "\n")
        print(f"\nwrote {path}")
        differences = {
            n: f["differences"] for n, f in result["cross_check"].items() if f["differences"]
        }
        if differences:
            failed = True
            print(f"CROSS-CHECK FAILED (beyond {TOLERANCE:g} relative): {json.dumps(differences)}")
        else:
            print(f"cross-check: every dataset's column sums equal DuckDB's within {TOLERANCE:g}")
    if spark is not None:
        spark.stop()
    return 1 if failed else 0


def measure(spark: Any, root: Path, name: str, scenario: Scenario, export: Path, args) -> dict:
    """Every measurement of one scenario (see the module docstring)."""
    from cur_analysis.datasets.registry import DATASETS, FOCUS, TAG_MONTHLY
    from cur_analysis.local import catalog
    from cur_analysis.local.reader import LocalCatalogReader
    from cur_analysis.pipeline import RunConfig, plan_scan, run

    periods = month_range(START, scenario.months)
    period = periods[-1]
    loaded = (period.previous(), period) if scenario.months > 1 else (period,)
    files = partition_files(export, loaded)
    labels = [p.label for p in loaded]
    load_before = os.getloadavg()
    out = root / f"out-{name}"

    _log(f"{name}: (c) DuckDB")
    duck = _duckdb(files, period, labels, out / "duckdb", args.repeats)
    duck_outputs = {n: out / "duckdb" / f"{n}.parquet" for n in DATASETS}

    cold = trivial = startup = None
    if not args.skip_cold:
        _log(f"{name}: (b) cold CLI and a trivial PySpark start-up, alternating")
        repeats = max(1, args.cold_repeats)
        cold = _cold_cli(root / f"cli-home-{name}", export, period, out / "cli", repeats)
        trivial = _trivial_pyspark(repeats)
        tiny = ensure_export(root, TINY_MONTHS, TINY_ROWS, args.seed, "default")
        tiny_period = month_range(START, TINY_MONTHS)[-1]
        startup = _cold_cli(root / "cli-home-tiny", tiny, tiny_period, out / "cli-tiny", repeats)

    reader = LocalCatalogReader(spark)
    database = f"bench_{name}"
    catalog.register(spark, export, database, TABLE)
    without_tags = tuple(d for d in DATASETS if d != TAG_MONTHLY.name)

    def config(db: str, output: str, datasets: tuple[str, ...] = DATASETS) -> RunConfig:
        return RunConfig(db, TABLE, (period.label,), str(out / output), datasets=datasets)

    variants: dict[str, Callable[[], Any]] = {
        "(a) warm Spark, every dataset": lambda: run(reader, config(database, "spark")),
        "(a-) warm Spark, without tag_monthly": lambda: run(
            reader, config(database, "spark-notags", without_tags)
        ),
    }
    if scenario.months > 2:
        minimal = subset_export(root, export, loaded, f"export-{name}-loaded-only")
        catalog.register(spark, minimal, f"{database}_min", TABLE)
        variants["(d) warm Spark, table of the loaded partitions"] = lambda: run(
            reader, config(f"{database}_min", "spark-min")
        )
        variants[WITH_FOCUS] = lambda: run(
            reader, config(database, "spark-focus", (*DATASETS, FOCUS.name))
        )
    measured = _round_robin(spark, variants, args.repeats)
    jvm_peak = _jvm_peak_mb(spark)
    scan = plan_scan(reader, config(database, "spark"))
    (file_scan,) = file_scans(scan.grain)

    check = cross_check(out / "spark", duck_outputs, period)
    rows = _rows_in(files)
    cores = os.cpu_count() or 1
    seconds = {label: timing.median for label, (timing, _) in measured.items()}
    warm = seconds["(a) warm Spark, every dataset"]
    result: dict[str, Any] = {
        "scenario": name,
        "machine": {"cpus": cores, "load_before": load_before, "load_after": os.getloadavg()},
        "export": {"profile": scenario.profile, "months": scenario.months, "rows": scenario.rows},
        "period": period.label,
        "loaded_periods": labels,
        "rows_read": rows,
        "bytes_of_loaded_files": _bytes_of(files),
        "scan": {
            "read_schema_columns": file_scan.columns,
            "table_columns": len(spark_columns(export)),
            "input_files": len(scan.grain.inputFiles()),
        },
        "warm": {
            label: {"median": timing.median, "runs": timing.runs, "first": timing.first, **stage}
            for label, (timing, stage) in measured.items()
        },
        "cold_cli": cold,
        "cold_cli_tiny_export": startup,
        "trivial_pyspark": trivial,
        "duckdb": duck,
        "peak_memory_mb": {"spark_driver_jvm": jvm_peak, "duckdb": duck["peak_rss_mb"]},
        "cross_check": check,
    }
    duck_median = statistics.median(duck["times"])
    ratios = {
        "spark_over_duckdb": warm / duck_median,
        "with_over_without_tags": warm / seconds["(a-) warm Spark, without tag_monthly"],
        "rows_per_second_per_core": rows / warm / cores,
    }
    if cold and trivial:
        ratios["cold_over_trivial_pyspark"] = cold["median"] / statistics.median(trivial)
        ratios["cold_tiny_over_trivial_pyspark"] = startup["median"] / statistics.median(trivial)
    if "(d) warm Spark, table of the loaded partitions" in seconds:
        ratios["full_over_loaded_only"] = (
            warm / seconds["(d) warm Spark, table of the loaded partitions"]
        )
    if WITH_FOCUS in seconds:
        ratios["with_focus_over_without"] = seconds[WITH_FOCUS] / warm
    result["ratios"] = ratios
    return result


def _round_robin(
    spark: Any, variants: dict[str, Callable[[], Any]], repeats: int
) -> dict[str, tuple[Timing, dict]]:
    """Warm every variant up once, then time them round-robin (load drifts hit all alike)."""
    times: dict[str, list[float]] = {label: [] for label in variants}
    for round_number in range(repeats + 1):
        for label, action in variants.items():
            _log(f"{label}: run {round_number + 1} of {repeats + 1}")
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


def spark_columns(export: Path) -> list[str]:
    """Columns of the table (union over the files), as DuckDB sees them."""
    glob = str(export / "year=*" / "month=*" / "*.parquet")
    rows = (
        duckdb.connect()
        .execute(f"DESCRIBE SELECT * FROM read_parquet('{glob}', union_by_name = true)")
        .fetchall()
    )
    return [row[0] for row in rows]


WITH_FOCUS = "(e) warm Spark, every dataset and focus"
# (b2)'s export: small enough that a cold run's time is its start-up and fixed cost.
TINY_MONTHS, TINY_ROWS = 3, 3000
TARGETS = {  # scenario -> ratio -> (target, what it compares)
    "default": {"spark_over_duckdb": 2.5, "cold_over_trivial_pyspark": 2.5,
                "full_over_loaded_only": 1.15, "with_focus_over_without": 1.5},
    "large": {"spark_over_duckdb": 4.0, "with_over_without_tags": 1.3,
              "cold_over_trivial_pyspark": 2.5},
}  # fmt: skip


def format_table(result: dict) -> str:
    rows = result["rows_read"]
    cores = result["machine"]["cpus"]

    def line(label: str, seconds: float | None, note: str = "", of_rows: bool = True) -> str:
        if seconds is None:
            return f"  {label:<48}{'-':>9}"
        per_core = f"{rows / seconds / cores:>12,.0f}" if of_rows else f"{'':>12}"
        return f"  {label:<48}{seconds:>8.2f}s {per_core}  {note}"

    load = result["machine"]
    cold, trivial, duck = result["cold_cli"], result["trivial_pyspark"], result["duckdb"]
    startup = result.get("cold_cli_tiny_export")
    memory = result["peak_memory_mb"]
    lines = [
        "",
        f"[{result['scenario']}] period {result['period']} of {result['export']['months']} months "
        f"x {result['export']['rows']:,} rows ({result['export']['profile']} profile); the run "
        f"reads {', '.join(result['loaded_periods'])}: {rows:,} rows, "
        f"{result['bytes_of_loaded_files'] / 1e6:,.0f} MB of Parquet",
        f"machine: {cores} cpus, load average before {load['load_before'][0]:.2f}, "
        f"after {load['load_after'][0]:.2f}",
        "",
        f"  {'':<48}{'wall':>9} {'rows/s/core':>12}",
    ]
    for label, found in result["warm"].items():
        lines.append(line(f"{label} (median)", found["median"], f"{found['jobs']} jobs"))
    lines += [
        line("(b) cold `cur-analysis run` (median)", cold["median"] if cold else None),
        line("(b2) cold run of a 3 x 3,000-row export (median)",
             startup["median"] if startup else None, "(start-up and fixed cost)", False),
        line("(b') trivial PySpark start-up (median)",
             statistics.median(trivial) if trivial else None, "(not a CUR run)", False),
        line("(c) DuckDB, same five datasets (median)", statistics.median(duck["times"])),
        "",
        f"  peak memory: Spark driver JVM {memory['spark_driver_jvm']:,.0f} MB (whole bench "
        f"session so far), DuckDB {memory['duckdb']:,.0f} MB (its process)",
        "",
    ]  # fmt: skip
    for ratio, value in result["ratios"].items():
        target = TARGETS.get(result["scenario"], {}).get(ratio)
        if ratio == "rows_per_second_per_core":
            lines.append(f"  {ratio:<34}{value:>12,.0f}")
            continue
        verdict = (
            ""
            if target is None
            else f"(target <= {target}: {'met' if value <= target else 'missed'})"
        )
        lines.append(f"  {ratio:<34}{value:>11.2f}x  {verdict}")
    scan = result["scan"]
    lines.append(
        f"\n  scan: {len(scan['read_schema_columns'])} of {scan['table_columns']} columns read, "
        f"{scan['input_files']} input files"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
