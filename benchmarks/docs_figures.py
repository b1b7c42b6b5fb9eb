"""The figures the manual quotes from the benches, written from the newest result files.

``docs/performance.md`` and ``docs/scheduling.md`` hold them between ``<!-- figures: NAME -->``
and ``<!-- /figures -->``: the newest ``benchmarks/results/*-default.json`` gives the
performance table, the newest ``*-schedule.json`` the schedule's. ``python -m
benchmarks.docs_figures`` (``make docs-figures``) rewrites those regions after a new result is
committed; ``--check`` only says which pages disagree, and ``tests/test_docs.py`` fails while
any does. Nothing here measures: every figure is read from a result file.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import render
from .bench import (
    FLOOR,
    LOADED_ONLY,
    NO_TAGS,
    TINY_MONTHS,
    TINY_ROWS,
    WARM,
    copy_floor_label,
    optional_label,
)

PROJECT = Path(__file__).resolve().parents[1]
RESULTS = PROJECT / "benchmarks" / "results"
DOCS = PROJECT / "docs"
# Each generated region: the page that holds it and the kind of result file it is written from.
REGIONS = {
    "performance": ("performance.md", "default"),
    "schedule": ("scheduling.md", "schedule"),
}
_REGION = re.compile(
    r"(?P<open><!-- figures: (?P<name>[\w-]+) -->\n)(?P<body>.*?)(?P<close><!-- /figures -->)",
    re.DOTALL,
)
_LOAD = re.compile(r"load average: ([0-9.]+)")


def newest(kind: str, results: Path = RESULTS) -> Path:
    """The newest ``<stamp>-<kind>.json`` of ``results`` (stamps sort as times)."""
    found = sorted(results.glob(f"*-{kind}.json"))
    if not found:
        raise FileNotFoundError(f"no {results}/*-{kind}.json: run the bench first")
    return found[-1]


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _seconds(times: Sequence[float]) -> str:
    median, low, high = render.spread(times)
    if len(times) == 1:
        return f"{median:.2f} s (1 run)"
    return f"{median:.2f} s ({low:.2f}-{high:.2f})"


def _warm_seconds(entry: dict[str, Any]) -> str:
    return _seconds(list(entry["runs"]) or [entry["first"]])


def _family_rows(result: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Each opt-in dataset set timed with the default ones, and its copy floor when measured."""
    warm, ratios = result["warm"], result["ratios"]
    rows = []
    for names in result["optional_sets"]:
        key, shown = "_".join(names), " + ".join(names)
        entry = warm[optional_label(names)]
        ratio = f"with / without {ratios[f'with_{key}_over_without']:.2f}x"
        memory = ratios.get(f"{key}_peak_driver_memory_over_without")
        if memory is not None:
            ratio += f"; driver memory {memory:.2f}x"
        timed = f"{_warm_seconds(entry)}, {render.spark_jobs(entry['jobs'])}"
        rows.append((f"warm job with `{shown}`", timed, ratio))
        floor = warm.get(copy_floor_label(names))
        if floor is not None:
            added = ratios[f"{key}_added_over_copy_floor"]
            rows.append(
                (
                    f"`{shown}`'s copy floor: its columns of the period into Parquet",
                    _warm_seconds(floor),
                    f"added time / copy floor {added:.2f}x",
                )
            )
    return rows


def _cold_rows(result: dict[str, Any]) -> list[tuple[str, str, str]]:
    ratios, rows = result["ratios"], []
    if result.get("cold_cli"):
        ratio = f"{ratios['cold_over_trivial_pyspark']:.2f}x the trivial start-up"
        rows.append(("cold `cur-analysis run`", _seconds(result["cold_cli"]["times"]), ratio))
    if result.get("cold_cli_tiny_export"):
        ratio = f"{ratios['cold_tiny_over_trivial_pyspark']:.2f}x the trivial start-up"
        label = f"cold run of a {TINY_MONTHS} x {TINY_ROWS:,}-row export"
        rows.append((label, _seconds(result["cold_cli_tiny_export"]["times"]), ratio))
    if result.get("trivial_pyspark"):
        rows.append(("trivial PySpark start-up", _seconds(result["trivial_pyspark"]), ""))
    return rows


def _peak_driver_mb(result: dict[str, Any]) -> float:
    """The default run's peak driver memory (per warm variant in newer result files)."""
    measured = result["warm"][WARM].get("peak_driver_mb")
    return measured if measured is not None else result["peak_memory_mb"]["spark_driver_jvm"]


def performance_rows(result: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The performance table's rows: figure, its time (or size), its ratio."""
    warm, ratios = result["warm"], result["ratios"]
    loaded = len(result["loaded_periods"])
    default = (
        f"{_warm_seconds(warm[WARM])}, {render.spark_jobs(warm[WARM]['jobs'])}, "
        f"{ratios['rows_per_second_per_core']:,.0f} rows/s per core"
    )
    duckdb = f"job / DuckDB {ratios['spark_over_duckdb']:.2f}x; "
    duckdb += f"floor / DuckDB {ratios['floor_over_duckdb']:.2f}x"
    rows = [
        ("warm job, the default datasets", default, ""),
        (
            "warm job without `tag_monthly`",
            _warm_seconds(warm[NO_TAGS]),
            f"with / without tags {ratios['with_over_without_tags']:.2f}x",
        ),
        (
            "Spark's floor: the job's columns into `noop`",
            _warm_seconds(warm[FLOOR]),
            f"job / floor {ratios['spark_over_floor']:.2f}x",
        ),
        ("DuckDB rival, the same datasets", _seconds(result["duckdb"]["times"]), duckdb),
    ]
    if LOADED_ONLY in warm:
        months = result["export"]["months"]
        rows.append(
            (
                f"warm job on a table of only the {loaded} partitions read",
                _warm_seconds(warm[LOADED_ONLY]),
                f"{months}-month / {loaded}-partition {ratios['full_over_loaded_only']:.2f}x",
            )
        )
    rows += _family_rows(result)
    rows += _cold_rows(result)
    converter = result.get("focus_converter")
    if converter:
        peak = f"peak {converter['peak_rss_mb']:,.0f} MB"
        rows.append(("focus-converter, the period to FOCUS", _seconds(converter["times"]), peak))
    duck_mb = result["duckdb"]["peak_rss_mb"]
    memory = f"{_peak_driver_mb(result):,.0f} MB / {duck_mb:,.0f} MB"
    rows.append(("peak memory, Spark driver / DuckDB", memory, ""))
    return rows


def performance_figures(result: dict[str, Any], source: str) -> str:
    """The performance page's figures: what was measured, the table, the cross-check."""
    run, machine, scan = result["run"], result["machine"], result["scan"]
    columns = max((len(read) for read in scan["scans"]), default=0)
    repeats = len(result["warm"][WARM]["runs"]) or 1
    lines = [
        f"The {result['scenario']} scenario, {run['date']} (`{run['command']}`, commit "
        f"{run['commit']}, load average {machine['load_before'][0]:.2f} before and "
        f"{machine['load_after'][0]:.2f} after; `benchmarks/results/{source}`): period "
        f"{result['period']} of {result['export']['months']} months x "
        f"{result['export']['rows']:,} line items; the run reads "
        f"{', '.join(result['loaded_periods'])}, {result['rows_read']:,} line items, "
        f"{columns} of the export's {scan['table_columns']} columns.",
        "",
        f"| figure | median of {repeats} (min-max) | ratio |",
        "|---|---|---|",
        *(f"| {label} | {timed} | {ratio} |" for label, timed, ratio in performance_rows(result)),
        "",
        render.cross_check_line(result),
    ]
    return "\n".join(lines) + "\n"


def _load_average(uptime: str) -> str:
    found = _LOAD.search(uptime)
    return found.group(1) if found else "unknown"


def schedule_figures(result: dict[str, Any], source: str) -> str:
    """The scheduling page's figures: the run's size and load, the table, the ratios."""
    modes = result["modes"]
    scheduled, recomputed = modes["scheduled"], modes["recomputed"]
    labels = {"scheduled": "scheduled", "recomputed": "recomputed (`--force`)"}
    kinds = sorted(set(result["equality"].values()))
    equal = (
        "some differ: see the result file"
        if result["differences"]
        else ", ".join(kinds) or "none published"
    )
    lines = [
        f"{result['days']} days over {result['months']} months x "
        f"{result['rows_per_month']:,} line items, {result['cores']} cores, commit "
        f"{result['commit']}, load average {_load_average(result['uptime_before'])} before "
        f"and {_load_average(result['uptime_after'])} after (`benchmarks/results/{source}`):",
        "",
        "| mode | periods computed | partitions read | line items read | Spark jobs | total s |",
        "|---|---|---|---|---|---|",
        *(
            f"| {labels.get(name, name)} | {found['computed']} | {found['partitions']} | "
            f"{found['line_items']:,} | {found['jobs']} | {found['seconds']:.1f} |"
            for name, found in modes.items()
        ),
        "",
        f"Spark's start-up (once, not in the totals): {result['startup_seconds']:.1f} s. The "
        f"scheduled days read {scheduled['line_items'] / recomputed['line_items']:.2f}x the "
        f"line items of the recomputed ones and took "
        f"{scheduled['seconds'] / recomputed['seconds']:.2f}x their time. Every dataset of "
        f"every published period against the full recomputation: {equal}.",
    ]
    return "\n".join(lines) + "\n"


_WRITERS = {"performance": performance_figures, "schedule": schedule_figures}


def regions(results: Path = RESULTS) -> dict[str, str]:
    """Each region's text, from the newest result file of its kind."""
    written = {}
    for name, (_page, kind) in REGIONS.items():
        path = newest(kind, results)
        written[name] = _WRITERS[name](load(path), path.with_suffix(".md").name)
    return written


def rewritten(text: str, bodies: dict[str, str]) -> str:
    """``text`` with the body of each region it holds replaced by its body in ``bodies``."""

    def body(found: re.Match[str]) -> str:
        name = found.group("name")
        if name not in bodies:
            raise KeyError(f"no figures called {name!r}: one of {', '.join(bodies)}")
        return found.group("open") + bodies[name] + found.group("close")

    return _REGION.sub(body, text)


def region_names(text: str) -> list[str]:
    """The names of the regions a page holds, in order."""
    return [found.group("name") for found in _REGION.finditer(text)]


def stale_pages(docs: Path = DOCS, results: Path = RESULTS) -> list[str]:
    """The pages whose figures differ from the newest results (or lack their region)."""
    bodies = regions(results)
    stale = []
    for name, (page, _kind) in REGIONS.items():
        text = (docs / page).read_text(encoding="utf-8")
        if name not in region_names(text) or rewritten(text, bodies) != text:
            stale.append(page)
    return stale


def write_pages(docs: Path = DOCS, results: Path = RESULTS) -> list[str]:
    """Rewrite every page's regions from the newest results; the pages that changed."""
    bodies = regions(results)
    changed = []
    for page in sorted({page for page, _kind in REGIONS.values()}):
        path = docs / page
        text = path.read_text(encoding="utf-8")
        updated = rewritten(text, bodies)
        if updated != text:
            path.write_text(updated, encoding="utf-8")
            changed.append(page)
    return changed


def jobs_per_run(results: Path = RESULTS) -> int:
    """Spark jobs of a warm run of the default datasets, in the newest default result."""
    return round(load(newest("default", results))["ratios"]["jobs_per_run"])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.docs_figures", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if stale")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_pages()
        for page in stale:
            print(f"docs/{page}: its figures differ from the newest benchmarks/results")
        return 1 if stale else 0
    changed = write_pages()
    print("\n".join(f"wrote docs/{page}" for page in changed) or "docs/ already agree")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
