"""What a daily ``last:3`` schedule reads and costs, scheduled versus recomputed, on a generated
export.

``python -m benchmarks.schedule`` simulates ``--days`` days (30) of a daily run over four months
of synthetic legacy CUR (``--rows`` line items each, 1,000,000; ``last:3`` takes the latest
three, the oldest month is there for the first one's change columns, as an older month is in a
real export): every day the current month is restated (its file rewritten with new line items),
on the first five days the previous month too, older months never, as AWS does until a month is
invoiced. Each day the job runs twice on the same files, into two outputs: as scheduled
(unchanged periods skipped, a previous month taken as published where it can be) and with
``force`` (every requested period computed from every source it needs). It reports, per mode,
the periods computed, the partitions and line items read (counted: the partitions each run's
manifest records as read, and the row counts of their files' Parquet footers, taken right after
the run), the Spark jobs and the total time, and at the end checks that every dataset of every
period the scheduled output publishes equals the recomputed one (exit 1 otherwise).

Both modes run warm in one SparkSession, one run a day each; the session's start-up is timed
apart (a Glue job pays its own start-up either way, unless every period is skipped). Time it on
an idle machine (``uptime`` is printed beside the figures).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cur_analysis.datasets.registry import DATASETS
from cur_analysis.periods import BillingPeriod, month_range

PROJECT = Path(__file__).resolve().parents[1]
RESULTS = PROJECT / "benchmarks" / "results"
# 2023-12..2024-03: last:3 is 2024-01..03 (03 the current month), and 2023-12 is there for
# 2024-01's change columns, as an older month is in a real export.
START = BillingPeriod(2023, 12)
MONTHS = 4
RESTATED_PREVIOUS_DAYS = 5
DATABASE, TABLE = "sched_bench", "legacy_all"
TOLERANCE = 1e-9
# The targets: scheduled over recomputed.
LINE_ITEMS_TARGET = 0.35
TIME_TARGET = 0.5


@dataclass
class Mode:
    """One output and what running into it cost."""

    name: str
    force: bool
    output: Path
    computed: int = 0
    partitions: int = 0
    line_items: int = 0
    jobs: int = 0
    seconds: float = 0.0
    days: list[dict[str, Any]] = field(default_factory=list)

    def reset(self) -> None:
        self.computed = self.partitions = self.line_items = self.jobs = 0
        self.seconds = 0.0
        self.days.clear()


def _month_folder(export: Path, period: BillingPeriod) -> Path:
    return export / f"year={period.year_value}" / f"month={period.month_value}"


def restate(export: Path, period: BillingPeriod, rows: int, seed: int) -> None:
    """Rewrite ``period``'s file in place with other line items (a new ``assemblyId``)."""
    from cur_analysis.dev.generate import generate

    with tempfile.TemporaryDirectory() as scratch:
        (written,) = generate(scratch, period, 1, rows, seed=seed)
        target = _month_folder(export, period) / written.name
        shutil.copyfile(written, target.with_suffix(".tmp"))
        os.replace(target.with_suffix(".tmp"), target)


def _jobs(spark: Any, group: str) -> int:
    return len(spark.sparkContext.statusTracker().getJobIdsForGroup(group))


def _input_records(spark: Any, group: str) -> int:
    """Spark's input records of a job group (its scans' rows, plus cached batches re-read)."""
    context = spark.sparkContext
    store = context._jsc.sc().statusStore()
    records = 0
    for job_id in context.statusTracker().getJobIdsForGroup(group):
        for stage_id in context.statusTracker().getJobInfo(job_id).stageIds:
            try:
                records += int(store.lastStageAttempt(stage_id).inputRecords())
            except Exception:  # noqa: BLE001 (a stage that never ran)
                continue
    return records


def read_by_run(output: Path, result: Any) -> tuple[list[str], int]:
    """The partitions the run read (as its manifests record its source) and their line items,
    counted from the Parquet footers of the files they name."""
    import pyarrow.parquet as pq

    from cur_analysis.io.publish import read_manifest
    from cur_analysis.io.stores import LocalStore

    if not result.periods:
        return [], 0
    manifest = read_manifest(LocalStore(), str(output), result.periods[0])
    partitions = manifest.sources[result.run_id]["partitions"]
    files = [file["path"] for partition in partitions for file in partition["files"]]
    rows = sum(pq.ParquetFile(path).metadata.num_rows for path in files)
    return [partition["period"] for partition in partitions], rows


def run_day(spark: Any, mode: Mode, day: int) -> None:
    """One scheduled run of ``mode``: what it computed and read, its Spark jobs and time."""
    from cur_analysis.local.reader import LocalCatalogReader
    from cur_analysis.pipeline import RunConfig, run

    config = RunConfig(DATABASE, TABLE, ("last:3",), str(mode.output), force=mode.force)
    group = f"{mode.name}-{day}"
    spark.sparkContext.setJobGroup(group, group)
    started = time.monotonic()
    result = run(LocalCatalogReader(spark), config)
    seconds = time.monotonic() - started
    spark.sparkContext.setJobGroup("", "")
    read, line_items = read_by_run(mode.output, result)
    computed = len(result.schedule.computed) if result.schedule else len(result.periods)
    jobs = _jobs(spark, group)
    mode.computed += computed
    mode.partitions += len(read)
    mode.line_items += line_items
    mode.jobs += jobs
    mode.seconds += seconds
    mode.days.append(
        {
            "day": day,
            "computed": computed,
            "read": read,
            "line_items": line_items,
            "input_records": _input_records(spark, group),
            "jobs": jobs,
            "seconds": seconds,
            "lines": list(result.schedule.lines) if result.schedule else [],
        }
    )


def compare_outputs(
    scheduled: Path, recomputed: Path, periods: Sequence[BillingPeriod]
) -> dict[str, str]:
    """Every dataset of every period, as published in both outputs: ``exactly equal``,
    ``equal within 1e-09`` (relative) or what differs, by ``dataset period``."""
    from cur_analysis.report.load import ParquetFolderSource

    ours, theirs = ParquetFolderSource(str(scheduled)), ParquetFolderSource(str(recomputed))
    found = {}
    for period in periods:
        for dataset in DATASETS:
            name = f"{dataset} {period.label}"
            left, right = ours.read(dataset, period), theirs.read(dataset, period)
            if left is None or right is None:
                found[name] = "DIFFERENT: missing in one output"
                continue
            columns = sorted(left.columns)
            left = left[columns].sort_values(columns, ignore_index=True)
            right = right[sorted(right.columns)].sort_values(columns, ignore_index=True)
            found[name] = _equality(left, right)
    return found


def _equality(left: Any, right: Any) -> str:
    import pandas as pd

    try:
        pd.testing.assert_frame_equal(left, right, check_exact=True)
        return "exactly equal"
    except AssertionError:
        pass
    try:
        pd.testing.assert_frame_equal(left, right, check_exact=False, rtol=TOLERANCE)
        return f"equal within {TOLERANCE:g}"
    except AssertionError as exc:
        return f"DIFFERENT: {str(exc).splitlines()[0]}"


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def _git_commit() -> str:
    found = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        cwd=PROJECT,
        check=False,
    )
    return found.stdout.strip()


def simulate(root: Path, rows: int, days: int, cores: int | None) -> dict[str, Any]:
    """Generate, register, publish once, then ``days`` scheduled days in both modes."""
    from cur_analysis.dev.generate import generate
    from cur_analysis.local import catalog
    from cur_analysis.local.session import local_spark

    if root.exists():
        shutil.rmtree(root)
    export = root / "cur"
    months = list(month_range(START, MONTHS))
    generate(export, START, MONTHS, rows, seed=1)
    uptime_before = _uptime()
    started = time.monotonic()
    spark = local_spark(root / "home", app_name="cur-schedule-bench", cores=cores)
    startup = time.monotonic() - started
    catalog.register(spark, export, DATABASE, TABLE)
    modes = [Mode("scheduled", False, root / "scheduled"), Mode("recomputed", True, root / "all")]
    for mode in modes:  # day 0: both publish every period once (not counted)
        run_day(spark, mode, 0)
        mode.reset()
    current, previous = months[-1], months[-2]
    for day in range(1, days + 1):
        restate(export, current, rows, seed=1000 + day)
        if day <= RESTATED_PREVIOUS_DAYS:
            restate(export, previous, rows, seed=2000 + day)
        for mode in modes if day % 2 else reversed(modes):  # alternate who runs first
            run_day(spark, mode, day)
        print(f"day {day:2d}: " + "; ".join(modes[0].days[-1]["lines"]), flush=True)
    uptime_after = _uptime()
    equality = compare_outputs(modes[0].output, modes[1].output, months[-3:])
    spark.stop()
    return {
        "commit": _git_commit(),
        "rows_per_month": rows,
        "months": MONTHS,
        "days": days,
        "cores": cores or os.cpu_count(),
        "uptime_before": uptime_before,
        "uptime_after": uptime_after,
        "startup_seconds": startup,
        "modes": {
            m.name: {
                "computed": m.computed,
                "partitions": m.partitions,
                "line_items": m.line_items,
                "jobs": m.jobs,
                "seconds": m.seconds,
                "days": m.days,
            }
            for m in modes
        },
        "equality": equality,
        "differences": [f"{k}: {v}" for k, v in equality.items() if v.startswith("DIFFERENT")],
    }


def _ratio_line(what: str, scheduled: float, recomputed: float, target: float) -> str:
    if recomputed <= 0:
        return f"{what}: nothing recomputed"
    ratio = scheduled / recomputed
    met = "met" if ratio <= target else "missed"
    return f"{what} scheduled / recomputed: {ratio:.2f}x (target <= {target}x: {met})"


def format_result(result: dict[str, Any]) -> str:
    modes = result["modes"]
    lines = [
        f"{result['days']} days of a daily last:3 schedule over {result['months']} months x "
        f"{result['rows_per_month']:,} line items, {result['cores']} cores (commit "
        f"{result['commit']})",
        f"uptime before: {result['uptime_before']}",
        f"uptime after:  {result['uptime_after']}",
        f"Spark start-up (once, not in the totals): {result['startup_seconds']:.1f} s",
        "",
        f"{'mode':<12}{'periods computed':>18}{'partitions read':>17}{'line items read':>17}"
        f"{'Spark jobs':>12}{'total s':>10}",
    ]
    for name, found in modes.items():
        lines.append(
            f"{name:<12}{found['computed']:>18}{found['partitions']:>17}"
            f"{found['line_items']:>17,}{found['jobs']:>12}{found['seconds']:>10.1f}"
        )
    scheduled, recomputed = modes["scheduled"], modes["recomputed"]
    lines += [
        "",
        _ratio_line(
            "line items read",
            scheduled["line_items"],
            recomputed["line_items"],
            LINE_ITEMS_TARGET,
        ),
        _ratio_line("time", scheduled["seconds"], recomputed["seconds"], TIME_TARGET),
    ]
    kinds = sorted(set(result["equality"].values()))
    verdict = "DIFFERENT" if result["differences"] else ", ".join(kinds)
    lines.append(f"every published period vs a full recomputation, dataset by dataset: {verdict}")
    lines += [f"  {difference}" for difference in result["differences"]]
    return "\n".join(lines)


def format_days(result: dict[str, Any]) -> str:
    """Each day's lines of the scheduled mode, as the job prints them."""
    lines = []
    for day in result["modes"]["scheduled"]["days"]:
        lines.append(f"day {day['day']}")
        lines += [line.replace(" ", "    ", 1) for line in day["lines"]]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.schedule", description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000, help="line items per month")
    parser.add_argument("--days", type=int, default=30, help="days of the schedule")
    parser.add_argument("--cores", type=int, default=None, help="local Spark cores (all)")
    parser.add_argument(
        "--root", type=Path, default=Path(tempfile.gettempdir()) / "cur-schedule-bench"
    )
    parser.add_argument(
        "--results", type=Path, default=RESULTS, help="where the result files are written"
    )
    args = parser.parse_args(argv)
    result = simulate(args.root, args.rows, args.days, args.cores)
    text = format_result(result)
    print(text)
    args.results.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    command = " ".join(["python -m benchmarks.schedule", *(argv or sys.argv[1:])])
    (args.results / f"{stamp}-schedule.json").write_text(json.dumps(result, indent=1) + "\n")
    (args.results / f"{stamp}-schedule.md").write_text(
        f"# Schedule bench, {stamp}\n\ncommand: `{command}`\n\n```text\n{text}\n```\n\n"
        f"## The scheduled runs' lines\n\n```text\n{format_days(result)}\n```\n"
    )
    print(f"wrote {args.results / f'{stamp}-schedule.json'} and .md")
    return 1 if result["differences"] else 0


if __name__ == "__main__":
    sys.exit(main())
