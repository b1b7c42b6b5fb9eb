"""``make bench``: our job against Spark's own floor and a DuckDB rival on synthetic CUR exports.

For each scenario (``default``: 24 months x 2 M rows of a small organization; ``large``: 2 months
x 10 M rows of a large one, 400 accounts, 60 services, 12 tag keys over 200,000 resources) it
measures, in one run, on the latest period:
  (a) ``pipeline.run`` with a warm SparkSession, the default datasets, and (a-) without
      ``tag_monthly``;
  (f) Spark's floor: the columns the job's scans read, of the partitions it reads, written to
      Spark's ``noop`` sink (what Spark itself needs to read them);
  (d) (default scenario) the job on a table holding only the partitions the run reads;
  (e) the job with an output family added (``--with-optional``; by default each family apart:
      ``focus``, the ``cid`` views), and (g) each family's copy floor: the source columns the
      family's scans read, of the requested period, written to Parquet unchanged with the job's
      writer settings (what reading and writing its input costs Spark, before any rule);
  (p) the peer: focus-converter (the FinOps Foundation's tool, in its own virtualenv)
      converting the same requested month to FOCUS, with its peak memory;
  (b) the cold CLI end to end (``cur-analysis run`` in a subprocess, its own catalog), a trivial
      PySpark job's start-up (session, ``range(1).count()``, stop) beside it, and (b2) the same
      cold CLI over a tiny export (3 months x 3,000 rows): the start-up and fixed cost of a run;
  (c) the DuckDB rival (``duckdb_datasets``) computing the default datasets from the same Parquet
      files, in a process of its own, and its peak memory.
The warm variants run round-robin after one discarded warm-up each (median of ``--repeats``,
printed with the min-max); DuckDB's runs likewise. Each warm variant's peak driver memory is the
largest resident size of the driver's JVM plus its Python process during one of its runs (each
process's high-water mark reset before every run: ``/proc/PID/clear_refs``). Per scenario it
prints a table with the ratios against their targets and an estimate of a Glue run's cost, writes
``<timestamp>-<scenario>.json`` and ``.md`` to ``benchmarks/results/``, and exits 1 when any
dataset's row count or column sums differ from DuckDB's beyond 1e-6 relative. The method and the
current figures: docs/performance.md.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import platform
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

from . import duckdb_datasets, render
from .plan import file_scans

PROJECT = Path(__file__).resolve().parents[1]
RESULTS = PROJECT / "benchmarks" / "results"
START = BillingPeriod(2023, 1)
TABLE = "legacy_all"
TOLERANCE = 1e-6

# The output families timed with the default datasets by default: name -> ``--datasets`` names.
FAMILIES = {"focus": ("focus",), "cid": ("cid",)}
CONVERTER = PROJECT / ".venv-focus-converter" / "bin" / "python"
CONVERTER_DRIVER = PROJECT / "tests" / "focus" / "converter_driver.py"

WARM = "(a) warm Spark, the default datasets"
NO_TAGS = "(a-) warm Spark, without tag_monthly"
FLOOR = "(f) Spark's floor: the job's columns into noop"
LOADED_ONLY = "(d) warm Spark, table of the loaded partitions"
# (b2)'s export: small enough that a cold run's time is its start-up and fixed cost.
TINY_MONTHS, TINY_ROWS = 3, 3000


@dataclass(frozen=True)
class Scenario:
    """An export the bench measures (the generator's profile, months and rows per month) and the
    timed runs of each warm variant."""

    profile: str
    months: int
    rows: int
    repeats: int


SCENARIOS = {
    "default": Scenario("default", 24, 2_000_000, 5),
    # A large organization: 400 accounts, 60 services, 12 tag keys over 200,000 resources.
    "large": Scenario("large", 2, 10_000_000, 3),
}


@dataclass(frozen=True)
class Timing:
    """Wall times of repeated runs; the first (warm-up) is kept apart."""

    first: float
    runs: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.runs) if self.runs else self.first


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


def cross_check(
    spark_output: Path,
    duck_outputs: dict[str, Path],
    period: BillingPeriod,
    datasets: Sequence[str],
) -> dict:
    """Per dataset: row count and the sum of every numeric column, Spark's against DuckDB's (a
    dataset the rival does not compute is a difference)."""
    from cur_analysis.io.publish import published_files

    con = duckdb.connect()
    report: dict[str, Any] = {}
    for name in datasets:
        if name not in duck_outputs:
            report[name] = {"columns": 0, "rows": 0, "differences": {"(dataset)": "no rival"}}
            continue
        ours = duckdb_datasets.column_sums(con, published_files(str(spark_output), name, [period]))
        theirs = duckdb_datasets.column_sums(con, str(duck_outputs[name]))
        differences = _differences(ours, theirs)
        report[name] = {"columns": len(ours), "rows": ours["rows"], "differences": differences}
    return report


def _differences(ours: dict[str, float], theirs: dict[str, float]) -> dict[str, Any]:
    differences: dict[str, Any] = {}
    for column in sorted(set(ours) | set(theirs)):
        a, b = ours.get(column), theirs.get(column)
        if a is None or b is None:
            differences[column] = {"spark": a, "duckdb": b, "relative": None}
            continue
        scale = max(abs(a), abs(b))
        relative = abs(a - b) / scale if scale > 1e-9 else 0.0
        if relative > TOLERANCE:
            differences[column] = {"spark": a, "duckdb": b, "relative": relative}
    return differences


def _cold_cli(home: Path, export: Path, period: BillingPeriod, output: Path, repeats: int) -> dict:
    cli = str(Path(sys.executable).with_name("cur-analysis"))
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable}
    _log("cold CLI: registering the table in its own catalog (not timed)")
    subprocess.run(
        [cli, "--home", str(home), "catalog", "register", "--path", str(export),
         "--database", "bench_cur", "--table", TABLE],
        check=True, env=env, capture_output=True,
    )  # fmt: skip
    command = [
        cli, "--home", str(home), "run", "--database", "bench_cur", "--table", TABLE,
        "--period", period.label, "--output", str(output), "--force",
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


def _jvm_pid(spark: Any) -> int:
    return int(spark.sparkContext._jvm.java.lang.ProcessHandle.current().pid())  # noqa: SLF001


def _peak_mb(pid: int) -> float:
    """Peak resident memory (VmHWM) of process ``pid`` since its last reset."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _reset_peak(pid: int) -> None:
    """Reset the process's VmHWM to its current resident size (Linux ``clear_refs``, 5)."""
    with contextlib.suppress(OSError):  # not Linux: the peak then covers the whole session
        Path(f"/proc/{pid}/clear_refs").write_text("5")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bench", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--scenario", action="append", choices=sorted(SCENARIOS), help="default: all of them"
    )
    parser.add_argument("--rows-per-month", type=int, help="rows of the default scenario")
    parser.add_argument("--large-rows-per-month", type=int, help="rows of the large scenario")
    parser.add_argument(
        "--repeats",
        type=int,
        help="timed runs of each warm variant and of DuckDB, after one warm-up "
        "(default: 5 in the default scenario, 3 in the large one)",
    )
    parser.add_argument("--cold-repeats", type=int, default=3, help="(default: 3)")
    parser.add_argument(
        "--with-optional",
        action="append",
        metavar="NAMES",
        help="opt-in datasets timed with the default ones, comma-separated and measured "
        "together; repeat the option to measure sets apart (default: in the default scenario, "
        "each non-default dataset of the registry on its own)",
    )
    parser.add_argument("--seed", type=int, default=7, help="(default: 7)")
    parser.add_argument("--home", default=str(PROJECT / ".cur-analysis"), help="exports, outputs")
    parser.add_argument("--results", default=str(RESULTS), help="where the JSON and Markdown go")
    parser.add_argument("--skip-cold", action="store_true", help="leave out (b) and (b2)")
    return parser


def _scenarios(args: argparse.Namespace) -> dict[str, Scenario]:
    """The chosen scenarios, with the rows and repeats the arguments override."""
    rows = {"default": args.rows_per_month, "large": args.large_rows_per_month}
    chosen = {}
    for name in args.scenario or SCENARIOS:
        changes: dict[str, int] = {}
        if rows[name]:
            changes["rows"] = rows[name]
        if args.repeats:
            changes["repeats"] = args.repeats
        chosen[name] = dataclasses.replace(SCENARIOS[name], **changes)
    return chosen


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    root = Path(args.home).resolve() / "bench"
    root.mkdir(parents=True, exist_ok=True)

    from cur_analysis.local.session import local_spark

    failed = False
    spark = None
    for name, scenario in _scenarios(args).items():
        export = ensure_export(root, scenario.months, scenario.rows, args.seed, scenario.profile)
        if spark is None:
            spark = local_spark(root / "spark-home", app_name="cur-analysis-bench")
        result = measure(spark, root, name, scenario, export, args)
        print(render.format_table(result))
        write_results(Path(args.results), result)
        failed = _report_cross_check(result) or failed
    if spark is not None:
        spark.stop()
    return 1 if failed else 0


def _report_cross_check(result: dict) -> bool:
    """Print the cross-check's outcome; True when it failed."""
    differences = {
        n: f["differences"] for n, f in result["cross_check"].items() if f["differences"]
    }
    if differences:
        print(f"CROSS-CHECK FAILED (beyond {TOLERANCE:g} relative): {json.dumps(differences)}")
        return True
    print(f"cross-check: every dataset's column sums equal DuckDB's within {TOLERANCE:g}")
    return False


def write_results(folder: Path, result: dict) -> tuple[Path, Path]:
    """``<timestamp>-<scenario>.json`` and the Markdown summary beside it."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / f"{result['run']['stamp']}-{result['scenario']}"
    as_json, as_markdown = stem.with_suffix(".json"), stem.with_suffix(".md")
    as_json.write_text(json.dumps(result, indent=2, default=str) + "\n")
    as_markdown.write_text(render.markdown(result))
    print(f"\nwrote {as_json}\nwrote {as_markdown}")
    return as_json, as_markdown


def _uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return "load average: " + ", ".join(f"{load:.2f}" for load in os.getloadavg())


def _git(*arguments: str) -> str:
    done = subprocess.run(["git", "-C", str(PROJECT), *arguments], capture_output=True, text=True)
    return done.stdout.strip()


def _commit() -> str:
    changed = len(_git("status", "--porcelain", "--untracked-files=no").splitlines())
    head = _git("rev-parse", "--short", "HEAD") or "unknown"
    return f"{head} (+ {changed} modified tracked files)" if changed else head


def _machine() -> str:
    import pyspark

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    return (
        f"{os.cpu_count()} cpus ({cpu}), {memory_kb / 2**20:.0f} GB RAM, {platform.platform()}, "
        f"Python {platform.python_version()}, PySpark {pyspark.__version__}, "
        f"DuckDB {duckdb.__version__}"
    )


def _run_info() -> dict[str, str]:
    return {
        "date": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        "stamp": time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()),
        "commit": _commit(),
        "machine": _machine(),
        "uptime_before": _uptime(),
        "command": " ".join(["python -m benchmarks.bench", *sys.argv[1:]]),
    }


@dataclass(frozen=True)
class _Job:
    """How the bench runs the job: the reader, the registered table and the period."""

    reader: Any
    database: str
    period: BillingPeriod
    out: Path

    def config(self, output: str, datasets: Sequence[str] = (), database: str = "") -> Any:
        from cur_analysis.datasets.registry import DATASETS
        from cur_analysis.pipeline import RunConfig

        return RunConfig(
            database or self.database,
            TABLE,
            (self.period.label,),
            str(self.out / output),
            datasets=tuple(datasets) or DATASETS,
            force=True,  # every timed run computes: an unchanged period would be skipped
        )

    def runner(self, output: str, datasets: Sequence[str] = (), database: str = "") -> Callable:
        from cur_analysis.pipeline import run

        config = self.config(output, datasets, database)
        return lambda: run(self.reader, config)


def _scan_frames(scan: Any) -> list[Any]:
    """The DataFrames a planned run reads the source through (its grain, any kept rows)."""
    from pyspark.sql import DataFrame

    values = [getattr(scan, field.name) for field in dataclasses.fields(scan)]
    return [value for value in values if isinstance(value, DataFrame)]


def spark_floor(job: _Job) -> tuple[Any, dict[str, Any]]:
    """The columns the job's scans read, over the partitions it loads, as one DataFrame (the
    floor writes it to Spark's ``noop`` sink), and what those scans are (one column list per
    FileScan, the input files)."""
    from cur_analysis.pipeline import plan_scan
    from cur_analysis.planner import Plan

    scan = plan_scan(job.reader, Plan(job.config("spark")))
    scans = [found.columns for frame in _scan_frames(scan) for found in file_scans(frame)]
    columns = sorted({column for read in scans for column in read})
    source = job.reader.read(job.database, TABLE, scan.loaded).select(*columns)
    return source, {"scans": scans, "input_files": len(scan.grain.inputFiles())}


def _noop_write(frame: Any) -> Callable[[], Any]:
    return lambda: frame.write.format("noop").mode("overwrite").save()


def family_columns(job: _Job, names: Sequence[str]) -> list[str]:
    """The source columns the scans of the family's datasets read (their union)."""
    from cur_analysis.datasets.registry import DATASETS, by_name, expand_groups
    from cur_analysis.pipeline import plan_scan
    from cur_analysis.planner import Plan

    chosen = expand_groups(tuple(names))
    scan = plan_scan(job.reader, Plan(job.config("spark", (*DATASETS, *chosen))))
    frames = [scan.line_items.transform(by_name(n).builder(scan.scope)) for n in chosen]
    return sorted({column for frame in frames for s in file_scans(frame) for column in s.columns})


def copy_floor(job: _Job, names: Sequence[str], folder: Path) -> Callable[[], Any]:
    """The family's copy floor: its source columns of the requested period written to Parquet
    as the job writes line items (partitioned by year, month and run, no shuffle), anew each
    time."""
    from pyspark.sql import functions as F

    from cur_analysis import columns as c

    columns = family_columns(job, names)
    source = job.reader.read(job.database, TABLE, (job.period,)).select(*columns, *c.PARTITION_KEYS)
    keyed = source.withColumn(c.RUN, F.lit("copy"))

    def copy() -> None:
        shutil.rmtree(folder, ignore_errors=True)
        keyed.write.mode("append").partitionBy(*c.PARTITION_KEYS, c.RUN).parquet(str(folder))

    return copy


def focus_converter(export: Path, period: BillingPeriod, out: Path, repeats: int) -> dict | None:
    """focus-converter 1.0.0 converting the requested month's files (the peer figure): wall
    times and the largest peak resident size of its process; None without its virtualenv."""
    if not CONVERTER.exists():
        return None
    source = export / f"year={period.year_value}" / f"month={period.month_value}" / "*.parquet"
    out.mkdir(parents=True, exist_ok=True)
    target = out / "focus-converter.parquet"
    command = [str(CONVERTER), str(CONVERTER_DRIVER), "aws", "parquet", str(source), str(target)]
    times, peaks = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(process.pid, 0)
        times.append(time.perf_counter() - started)
        if os.waitstatus_to_exitcode(status) != 0:
            raise RuntimeError(f"focus-converter failed:\n{process.stderr.read().decode()[-2000:]}")
        process.stderr.close()
        peaks.append(usage.ru_maxrss / 1024)
    return {"times": times, "median": statistics.median(times), "peak_rss_mb": max(peaks)}


def optional_sets(args: argparse.Namespace, scenario: str) -> list[tuple[str, ...]]:
    """The opt-in dataset sets timed with the default datasets, each measured on its own (by
    default each output family)."""
    if args.with_optional:
        return [
            tuple(name.strip() for name in text.split(",") if name.strip())
            for text in args.with_optional
        ]
    return list(FAMILIES.values())


def optional_label(names: Sequence[str]) -> str:
    return f"(e) warm Spark, the default datasets and {' + '.join(names)}"


def copy_floor_label(names: Sequence[str]) -> str:
    return f"(g) copy floor of {' + '.join(names)}: its columns of the period into Parquet"


def _variants(
    spark: Any, root: Path, name: str, scenario: Scenario, export: Path, job: _Job, args
) -> tuple[dict[str, Callable[[], Any]], dict[str, Any]]:
    """Every warm variant of the scenario, and what the job's scans read."""
    from cur_analysis.datasets.registry import DATASETS, TAG_MONTHLY
    from cur_analysis.local import catalog

    without_tags = tuple(d for d in DATASETS if d != TAG_MONTHLY.name)
    floor, scans = spark_floor(job)
    variants = {
        WARM: job.runner("spark"),
        NO_TAGS: job.runner("spark-notags", without_tags),
        FLOOR: _noop_write(floor),
    }
    if scenario.months > 2:
        loaded = (job.period.previous(), job.period)
        minimal = subset_export(root, export, loaded, f"export-{name}-loaded-only")
        catalog.register(spark, minimal, f"{job.database}_min", TABLE)
        variants[LOADED_ONLY] = job.runner("spark-min", database=f"{job.database}_min")
    for names in optional_sets(args, name):
        output = "spark-" + "-".join(names)
        variants[optional_label(names)] = job.runner(output, (*DATASETS, *names))
        folder = job.out / ("copy-" + "-".join(names))
        variants[copy_floor_label(names)] = copy_floor(job, names, folder)
    return variants, scans


def _cold_runs(
    root: Path, name: str, export: Path, period: BillingPeriod, out: Path, args
) -> tuple[dict | None, list[float] | None, dict | None]:
    """(b), (b') and (b2): the cold CLI, the trivial start-up and the cold CLI's fixed cost."""
    if args.skip_cold:
        return None, None, None
    _log(f"{name}: (b) cold CLI, a trivial PySpark start-up, (b2) the cold CLI on a tiny export")
    repeats = max(1, args.cold_repeats)
    cold = _cold_cli(root / f"cli-home-{name}", export, period, out / "cli", repeats)
    trivial = _trivial_pyspark(repeats)
    tiny = ensure_export(root, TINY_MONTHS, TINY_ROWS, args.seed, "default")
    tiny_period = month_range(START, TINY_MONTHS)[-1]
    startup = _cold_cli(root / "cli-home-tiny", tiny, tiny_period, out / "cli-tiny", repeats)
    return cold, trivial, startup


def measure(spark: Any, root: Path, name: str, scenario: Scenario, export: Path, args) -> dict:
    """Every measurement of one scenario (see the module docstring)."""
    from cur_analysis.datasets.registry import DATASETS
    from cur_analysis.local import catalog
    from cur_analysis.local.reader import LocalCatalogReader

    run_info = _run_info()
    period = month_range(START, scenario.months)[-1]
    loaded = (period.previous(), period) if scenario.months > 1 else (period,)
    files = partition_files(export, loaded)
    labels = [p.label for p in loaded]
    load_before = os.getloadavg()
    out = root / f"out-{name}"

    _log(f"{name}: (c) DuckDB")
    duck = _duckdb(files, period, labels, out / "duckdb", scenario.repeats)
    duck_outputs = {n: out / "duckdb" / f"{n}.parquet" for n in duckdb_datasets.DATASETS}
    cold, trivial, startup = _cold_runs(root, name, export, period, out, args)

    job = _Job(LocalCatalogReader(spark), f"bench_{name}", period, out)
    catalog.register(spark, export, job.database, TABLE)
    variants, scans = _variants(spark, root, name, scenario, export, job, args)
    measured = _round_robin(spark, variants, scenario.repeats)
    _log(f"{name}: (p) focus-converter over {period.label}")
    converter = focus_converter(export, period, out / "converter", 1)
    run_info["uptime_after"] = _uptime()

    cores = os.cpu_count() or 1
    result: dict[str, Any] = {
        "scenario": name,
        "run": run_info,
        "machine": {"cpus": cores, "load_before": load_before, "load_after": os.getloadavg()},
        "export": {"profile": scenario.profile, "months": scenario.months, "rows": scenario.rows},
        "period": period.label,
        "loaded_periods": labels,
        "rows_read": _rows_in(files),
        "bytes_of_loaded_files": _bytes_of(files),
        "scan": {**scans, "table_columns": len(spark_columns(export))},
        "optional_sets": optional_sets(args, name),
        "warm": {label: _warm_entry(timing, stage) for label, (timing, stage) in measured.items()},
        "cold_cli": cold,
        "cold_cli_tiny_export": startup,
        "trivial_pyspark": trivial,
        "duckdb": duck,
        "focus_converter": converter,
        "peak_memory_mb": {"duckdb": duck["peak_rss_mb"]},
        "cross_check": cross_check(out / "spark", duck_outputs, period, DATASETS),
    }
    result["ratios"] = _ratios(result)
    result["glue_estimate"] = render.glue_estimate(result["ratios"]["rows_per_second_per_core"])
    return result


def _warm_entry(timing: Timing, stage: dict) -> dict[str, Any]:
    runs = timing.runs or (timing.first,)
    return {
        "median": timing.median,
        "min": min(runs),
        "max": max(runs),
        "runs": timing.runs,
        "first": timing.first,
        **stage,
    }


def _ratios(result: dict) -> dict[str, float]:
    """The ratios the targets judge, the job's jobs per run and its rows/s per core."""
    seconds = {label: found["median"] for label, found in result["warm"].items()}
    warm, floor = seconds[WARM], seconds[FLOOR]
    duck = statistics.median(result["duckdb"]["times"])
    ratios = {
        "spark_over_floor": warm / floor,
        "spark_over_duckdb": warm / duck,
        "floor_over_duckdb": floor / duck,
        "with_over_without_tags": warm / seconds[NO_TAGS],
        "jobs_per_run": float(result["warm"][WARM]["jobs"]),
        "rows_per_second_per_core": result["rows_read"] / warm / result["machine"]["cpus"],
    }
    cold, tiny, trivial = (
        result["cold_cli"],
        result["cold_cli_tiny_export"],
        result["trivial_pyspark"],
    )
    if cold and tiny and trivial:
        ratios["cold_over_trivial_pyspark"] = cold["median"] / statistics.median(trivial)
        ratios["cold_tiny_over_trivial_pyspark"] = tiny["median"] / statistics.median(trivial)
    if LOADED_ONLY in seconds:
        ratios["full_over_loaded_only"] = warm / seconds[LOADED_ONLY]
    memory = {label: found["peak_driver_mb"] for label, found in result["warm"].items()}
    for names in result["optional_sets"]:
        key = "_".join(names)
        with_family = seconds[optional_label(names)]
        ratios[f"with_{key}_over_without"] = with_family / warm
        ratios[f"{key}_added_over_copy_floor"] = (with_family - warm) / seconds[
            copy_floor_label(names)
        ]
        ratios[f"{key}_peak_driver_memory_over_without"] = (
            memory[optional_label(names)] / memory[WARM]
        )
    return ratios


def _round_robin(
    spark: Any, variants: dict[str, Callable[[], Any]], repeats: int
) -> dict[str, tuple[Timing, dict]]:
    """Warm every variant up once, then time them round-robin (load drifts hit all alike);
    each run's peak driver memory (JVM + this Python process) is kept, the largest per variant."""
    times: dict[str, list[float]] = {label: [] for label in variants}
    peaks: dict[str, list[float]] = {label: [] for label in variants}
    jvm = _jvm_pid(spark)
    # A job group of this call's own: a second scenario in the same session reuses the labels.
    groups = {label: f"{label} #{time.monotonic_ns()}" for label in variants}
    for round_number in range(repeats + 1):
        for label, action in variants.items():
            _log(f"{label}: run {round_number + 1} of {repeats + 1}")
            spark.sparkContext.setJobGroup(groups[label], label)
            for pid in (jvm, os.getpid()):
                _reset_peak(pid)
            started = time.perf_counter()
            action()
            times[label].append(time.perf_counter() - started)
            peaks[label].append(_peak_mb(jvm) + _peak_mb(os.getpid()))
    spark.sparkContext.setJobGroup("bench-idle", "bench-idle")
    measured = {}
    for label, found in times.items():
        stage = _stage_input(spark, groups[label])
        per_run = {key: value // len(found) for key, value in stage.items()}
        per_run["peak_driver_mb"] = max(peaks[label][1:] or peaks[label])
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


if __name__ == "__main__":
    raise SystemExit(main())
