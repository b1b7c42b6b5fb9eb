"""The DuckDB rival timed in a process of its own, so the peak memory it reports is DuckDB's.

``python -m benchmarks.duckdb_timed JSON`` with ``{"files", "periods", "loaded", "output",
"repeats"}``; prints ``{"times": [...], "peak_rss_mb": ...}`` (the first run is a warm-up, kept
apart as ``first``).
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

from . import duckdb_datasets


def main(argv: list[str]) -> int:
    spec = json.loads(argv[0])
    times = []
    for _ in range(spec["repeats"] + 1):
        started = time.perf_counter()
        duckdb_datasets.compute(
            spec["files"], spec["periods"], spec["loaded"], Path(spec["output"])
        )
        times.append(time.perf_counter() - started)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"first": times[0], "times": times[1:], "peak_rss_mb": peak_kb / 1024}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
