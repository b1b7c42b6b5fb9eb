"""What skipping unchanged periods saves a daily ``last:3`` schedule, on a generated export.

``python -m benchmarks.schedule`` simulates ``--days`` days (30) of a daily run over four months
of synthetic legacy CUR (``--rows`` line items each; ``last:3`` takes the latest three): every
day the current month is restated (its file rewritten with new line items), on the first five
days the previous month too, older months never, as AWS does until a month is invoiced. Each
day the job runs twice on the same files, into two outputs: as scheduled (unchanged periods
skipped) and with ``force`` (everything recomputed). It reports, per mode, the periods
computed, the Spark jobs and the total time, and at the end checks that every dataset of every
period the scheduled output publishes equals the recomputed one (exit 1 otherwise).

Both modes run in one warm SparkSession, so the times leave out what a skipped Glue run also
saves: starting the Glue context. Time it on an idle machine (``uptime`` is printed beside it).
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


@dataclass
class Mode:
    """One output and what running into it cost."""

    name: str
    force: bool
    output: Path
    computed: int = 0
    jobs: int = 0
    seconds: float = 0.0
    days: list[dict[str, Any]] = field(default_factory=list)


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


def run_day(spark: Any, mode: Mode, day: int) -> None:
    """One scheduled run of ``mode``: its periods computed, Spark jobs and time, added up."""
    from cur_analysis.local.reader import LocalCatalogReader
    from cur_analysis.pipeline import RunConfig, run

    config = RunConfig(DATABASE, TABLE, ("last:3",), str(mode.output), force=mode.force)
    group = f"{mode.name}-{day}"
    spark.sparkContext.setJobGroup(group, group)
    started = time.monotonic()
    result = run(LocalCatalogReader(spark), config)
    seconds = time.monotonic() - started
    computed = len(result.schedule.computed) if result.schedule else len(result.periods)
    jobs = _jobs(spark, group)
    lines = list(result.schedule.lines) if result.schedule else []
    mode.computed += computed
    mode.jobs += jobs
    mode.seconds += seconds
    mode.days.append(
        {"day": day, "computed": computed, "jobs": jobs, "seconds": seconds, "lines": lines}
    )


def compare_outputs(scheduled: Path, recomputed: Path, periods: Sequence[BillingPeriod]) -> list:
    """Every dataset of every period, as published in both outputs: the differences found."""
    import pandas as pd

    from cur_analysis.report.load import ParquetFolderSource

    ours, theirs = ParquetFolderSource(str(scheduled)), ParquetFolderSource(str(recomputed))
    differences = []
    for period in periods:
        for dataset in DATASETS:
            left, right = ours.read(dataset, period), theirs.read(dataset, period)
            if left is None or right is None:
                differences.append(f"{dataset} {period.label}: missing in one output")
                continue
            columns = sorted(left.columns)
            left = left[columns].sort_values(columns, ignore_index=True)
            right = right[sorted(right.columns)].sort_values(columns, ignore_index=True)
            try:
                pd.testing.assert_frame_equal(left, right, check_exact=False, rtol=TOLERANCE)
            except AssertionError as exc:
                differences.append(f"{dataset} {period.label}: {str(exc).splitlines()[0]}")
    return differences


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


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
    spark = local_spark(root / "home", app_name="cur-schedule-bench", cores=cores)
    catalog.register(spark, export, DATABASE, TABLE)
    modes = [Mode("scheduled", False, root / "scheduled"), Mode("recomputed", True, root / "all")]
    for mode in modes:  # day 0: both publish every period once (not counted)
        run_day(spark, mode, 0)
        mode.computed = mode.jobs = 0
        mode.seconds = 0.0
        mode.days.clear()
    current, previous = months[-1], months[-2]
    for day in range(1, days + 1):
        restate(export, current, rows, seed=1000 + day)
        if day <= RESTATED_PREVIOUS_DAYS:
            restate(export, previous, rows, seed=2000 + day)
        for mode in modes if day % 2 else reversed(modes):  # alternate who runs first
            run_day(spark, mode, day)
        print(f"day {day:2d}: " + "; ".join(modes[0].days[-1]["lines"]), flush=True)
    differences = compare_outputs(modes[0].output, modes[1].output, months[-3:])
    spark.stop()
    return {
        "rows_per_month": rows,
        "days": days,
        "uptime": _uptime(),
        "modes": {
            m.name: {"computed": m.computed, "jobs": m.jobs, "seconds": m.seconds, "days": m.days}
            for m in modes
        },
        "differences": differences,
    }


def format_result(result: dict[str, Any]) -> str:
    modes = result["modes"]
    lines = [
        f"{result['days']} days of a daily last:3 schedule, {result['rows_per_month']:,} line "
        f"items per month ({result['uptime']})",
        f"{'mode':<12}{'periods computed':>18}{'Spark jobs':>12}{'total s':>10}",
    ]
    for name, found in modes.items():
        lines.append(
            f"{name:<12}{found['computed']:>18}{found['jobs']:>12}{found['seconds']:>10.1f}"
        )
    scheduled, recomputed = modes["scheduled"]["seconds"], modes["recomputed"]["seconds"]
    if scheduled > 0:
        lines.append(f"skipping saves {recomputed / scheduled:.2f}x the time (target >= 2.5x)")
    equal = (
        "equal" if not result["differences"] else "DIFFERENT: " + "; ".join(result["differences"])
    )
    lines.append(f"every published period vs a full recomputation: {equal}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.schedule", description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000, help="line items per month")
    parser.add_argument("--days", type=int, default=30, help="days of the schedule")
    parser.add_argument("--cores", type=int, default=None, help="local Spark cores (all)")
    parser.add_argument(
        "--root", type=Path, default=Path(tempfile.gettempdir()) / "cur-schedule-bench"
    )
    args = parser.parse_args(argv)
    result = simulate(args.root, args.rows, args.days, args.cores)
    print(format_result(result))
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    (RESULTS / f"schedule-{stamp}.json").write_text(json.dumps(result, indent=1) + "\n")
    return 1 if result["differences"] else 0


if __name__ == "__main__":
    sys.exit(main())
