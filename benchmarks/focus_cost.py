"""What adding ``focus`` costs a run: the default datasets with and without it, timed alike.

For the lead's bench (``benchmarks/bench.py`` calls ``focus_cost`` on its 2 M rows/month
scenario; the issue's target is a ratio of at most 1.5). Also runnable alone:
``python -m benchmarks.focus_cost --rows-per-month N``.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cur_analysis.datasets.registry import DATASETS, FOCUS
from cur_analysis.pipeline import RunConfig, run


def focus_cost(
    reader: Any, database: str, table: str, periods: Sequence[str], output: Path, repeats: int = 2
) -> dict[str, float]:
    """Median wall seconds of a run of the default datasets and of the same run with ``focus``
    (warmed up once each, then timed round-robin so load drifts hit both), and their ratio."""
    variants = {
        "without focus": DATASETS,
        "with focus": (*DATASETS, FOCUS.name),
    }
    times: dict[str, list[float]] = {label: [] for label in variants}
    for round_number in range(repeats + 1):
        for label, datasets in variants.items():
            config = RunConfig(
                database,
                table,
                tuple(periods),
                str(output / label.replace(" ", "-")),
                datasets=datasets,
            )
            started = time.perf_counter()
            run(reader, config)
            if round_number:  # the first round warms up
                times[label].append(time.perf_counter() - started)
    without, with_focus = (statistics.median(times[label]) for label in variants)
    return {
        "without focus s": without,
        "with focus s": with_focus,
        "ratio": with_focus / without if without else float("nan"),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows-per-month", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args(argv)

    from cur_analysis.dev.generate import generate
    from cur_analysis.local import catalog
    from cur_analysis.local.reader import LocalCatalogReader
    from cur_analysis.local.session import local_spark
    from cur_analysis.periods import BillingPeriod

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        generate(root / "cur", BillingPeriod(2024, 4), 2, args.rows_per_month, seed=3)
        spark = local_spark(root / "home", app_name="focus-cost")
        catalog.register(spark, root / "cur", "focus_bench", "legacy_all")
        result = focus_cost(
            LocalCatalogReader(spark),
            "focus_bench",
            "legacy_all",
            ("2024-05",),
            root / "out",
            args.repeats,
        )
        spark.stop()
    print(
        f"{args.rows_per_month:,} rows/month, one period: "
        + ", ".join(f"{name} {value:.2f}" for name, value in result.items())
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
