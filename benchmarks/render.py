"""How the bench reports a scenario: the console table, the Markdown summary, the Glue estimate.

Every figure comes from the result dictionary ``bench.measure`` returns (also written as JSON);
nothing here measures. The method and the current figures are in docs/performance.md.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

# AWS Glue's public price for Spark ETL jobs (us-east-1): $0.44 per DPU-hour, billed per second
# with a 1-minute minimum; a G.1X worker is 1 DPU (4 vCPU, 16 GB).
GLUE_DPU_HOUR_USD = 0.44
GLUE_PRICE_SOURCE = "https://aws.amazon.com/glue/pricing/ (Spark ETL jobs, us-east-1)"
VCPUS_PER_DPU = 4

# Each output family's targets: with / without, added time / copy floor, peak driver memory.
_FAMILY_TARGETS = {
    f"{family}_{ratio}": target
    for family in ("focus", "cid")
    for ratio, target in (
        ("added_over_copy_floor", 1.5),
        ("peak_driver_memory_over_without", 1.1),
    )
} | {"with_focus_over_without": 2.0, "with_cid_over_without": 2.0}
TARGETS: dict[str, dict[str, float]] = {  # scenario -> ratio or count -> its target (<=)
    "default": {"spark_over_floor": 1.5, "cold_tiny_over_trivial_pyspark": 2.5,
                "full_over_loaded_only": 1.15, "jobs_per_run": 2, **_FAMILY_TARGETS},
    "large": {"spark_over_floor": 2.0, "with_over_without_tags": 1.3,
              "cold_tiny_over_trivial_pyspark": 2.5, "jobs_per_run": 2, **_FAMILY_TARGETS},
}  # fmt: skip
# What each ratio compares, for the Markdown summary.
MEANINGS = {
    "spark_over_duckdb": "warm job / DuckDB rival",
    "spark_over_floor": "warm job / Spark's floor (its columns into noop)",
    "floor_over_duckdb": "Spark's floor / DuckDB rival",
    "with_over_without_tags": "job with / without tag_monthly",
    "cold_over_trivial_pyspark": "cold CLI run / trivial PySpark start-up",
    "cold_tiny_over_trivial_pyspark": "cold CLI run of the tiny export / trivial start-up",
    "full_over_loaded_only": "24-month table / table of the loaded partitions",
    "jobs_per_run": "Spark jobs of a warm run, default datasets",
    "rows_per_second_per_core": "warm job's rows per second per core",
}


def spread(times: Sequence[float]) -> tuple[float, float, float]:
    """Median, minimum and maximum of ``times``."""
    return statistics.median(times), min(times), max(times)


def glue_estimate(rows_per_second_per_core: float) -> dict[str, Any]:
    """DPU-hours and dollars per million line items on G.1X workers at ``rows_per_second_per_core``
    (the work alone: no start-up, no 1-minute minimum, no idle worker)."""
    core_seconds = 1e6 / rows_per_second_per_core
    dpu_hours = core_seconds / VCPUS_PER_DPU / 3600
    return {
        "dpu_hours_per_million_line_items": dpu_hours,
        "usd_per_million_line_items": dpu_hours * GLUE_DPU_HOUR_USD,
        "usd_per_dpu_hour": GLUE_DPU_HOUR_USD,
        "vcpus_per_dpu": VCPUS_PER_DPU,
        "price_source": GLUE_PRICE_SOURCE,
    }


def _rows_per_core(result: dict, seconds: float) -> float:
    return result["rows_read"] / seconds / result["machine"]["cpus"]


def spark_jobs(count: int) -> str:
    """``2 Spark jobs``, ``1 Spark job``."""
    return f"{count} Spark job{'' if count == 1 else 's'}"


def meaning(name: str) -> str:
    """What a ratio compares (an opt-in dataset's ratio named after its datasets)."""
    if name in MEANINGS:
        return MEANINGS[name]
    if name.startswith("with_") and name.endswith("_over_without"):
        return f"job with / without {name.removeprefix('with_').removesuffix('_over_without')}"
    if name.endswith("_added_over_copy_floor"):
        family = name.removesuffix("_added_over_copy_floor")
        return f"time {family} adds to the job / {family}'s copy floor"
    if name.endswith("_peak_driver_memory_over_without"):
        family = name.removesuffix("_peak_driver_memory_over_without")
        return f"peak driver memory (JVM + Python) with / without {family}"
    return ""


def timed_rows(result: dict) -> list[tuple[str, list[float], bool, str]]:
    """Each timed line: label, its times, whether rows/s per core applies, a note."""
    rows: list[tuple[str, list[float], bool, str]] = [
        (
            label,
            list(found["runs"]) or [found["first"]],
            True,
            f"{spark_jobs(found['jobs'])}, driver peak {found['peak_driver_mb']:,.0f} MB",
        )
        for label, found in result["warm"].items()
    ]
    cold, tiny = result["cold_cli"], result.get("cold_cli_tiny_export")
    if cold:
        rows.append(("(b) cold `cur-analysis run`", cold["times"], True, ""))
    if tiny:
        rows.append(("(b2) cold run of a 3 x 3,000-row export", tiny["times"], False,
                     "start-up and fixed cost"))  # fmt: skip
    if result["trivial_pyspark"]:
        rows.append(("(b') trivial PySpark start-up", result["trivial_pyspark"], False,
                     "not a CUR run"))  # fmt: skip
    rows.append(("(c) DuckDB rival, the default datasets", result["duckdb"]["times"], True,
                 f"peak {result['duckdb']['peak_rss_mb']:,.0f} MB"))  # fmt: skip
    converter = result.get("focus_converter")
    if converter:
        rows.append(("(p) focus-converter, the period to FOCUS", converter["times"], False,
                     f"peer; peak {converter['peak_rss_mb']:,.0f} MB"))  # fmt: skip
    return rows


def verdicts(result: dict) -> list[tuple[str, float, float | None, str]]:
    """Each ratio or count: name, value, target (or None), and met / missed / blank."""
    targets = TARGETS.get(result["scenario"], {})
    found = []
    for name, value in result["ratios"].items():
        target = targets.get(name)
        verdict = "" if target is None else ("met" if value <= target else "missed")
        found.append((name, value, target, verdict))
    return found


def _value(name: str, value: float) -> str:
    if name == "rows_per_second_per_core":
        return f"{value:,.0f}"
    if name == "jobs_per_run":
        return f"{value:.0f}"
    return f"{value:.2f}x"


def glue_line(result: dict) -> str:
    glue = result["glue_estimate"]
    return (
        f"Glue G.1X estimate, extrapolated from {result['machine']['cpus']} local cores: "
        f"{glue['dpu_hours_per_million_line_items']:.4f} DPU-hours, "
        f"${glue['usd_per_million_line_items']:.4f} per million line items "
        f"(${glue['usd_per_dpu_hour']} per DPU-hour, {glue['price_source']}; the warm job's "
        "rate, without start-up or the 1-minute minimum)"
    )


def header(result: dict) -> list[str]:
    export, rows = result["export"], result["rows_read"]
    return [
        f"[{result['scenario']}] period {result['period']} of {export['months']} months x "
        f"{export['rows']:,} rows ({export['profile']} profile); the run reads "
        f"{', '.join(result['loaded_periods'])}: {rows:,} rows, "
        f"{result['bytes_of_loaded_files'] / 1e6:,.0f} MB of Parquet",
    ]


def format_table(result: dict) -> str:
    """The console table of one scenario."""
    load = result["machine"]
    lines = [
        "",
        *header(result),
        f"machine: {load['cpus']} cpus, load average before {load['load_before'][0]:.2f}, "
        f"after {load['load_after'][0]:.2f}",
        "",
        f"  {'':<52}{'median':>9} {'min-max':>17} {'rows/s/core':>12}",
    ]
    for label, times, of_rows, note in timed_rows(result):
        median, low, high = spread(times)
        per_core = f"{_rows_per_core(result, median):>12,.0f}" if of_rows else f"{'':>12}"
        span = f"{low:.2f}-{high:.2f} s"
        lines.append(f"  {label:<52}{median:>8.2f}s {span:>17} {per_core}  {note}")
    lines.append("")
    for name, value, target, verdict in verdicts(result):
        note = f"(target <= {target:g}: {verdict})" if target is not None else ""
        lines.append(f"  {name:<34}{_value(name, value):>12}  {note}")
    lines += ["", f"  {glue_line(result)}"]
    for scan in result["scan"]["scans"]:
        lines.append(
            f"  scan: {len(scan)} of {result['scan']['table_columns']} columns read, "
            f"{result['scan']['input_files']} input files"
        )
    return "\n".join(lines)


def markdown(result: dict) -> str:
    """The Markdown summary of one scenario's run (written beside its JSON)."""
    run = result["run"]
    lines = [
        f"# Bench {result['scenario']}, {run['date']}",
        "",
        f"- commit: `{run['commit']}`",
        f"- machine: {run['machine']}",
        f"- `uptime` before: `{run['uptime_before']}`",
        f"- `uptime` after: `{run['uptime_after']}`",
        f"- command: `{run['command']}`",
        f"- {header(result)[0][len(result['scenario']) + 3 :]}",
        "",
        "| | median | min-max | runs | rows/s per core | |",
        "|---|---|---|---|---|---|",
    ]
    for label, times, of_rows, note in timed_rows(result):
        median, low, high = spread(times)
        per_core = f"{_rows_per_core(result, median):,.0f}" if of_rows else ""
        lines.append(
            f"| {label} | {median:.2f} s | {low:.2f}-{high:.2f} s | {len(times)} | {per_core} "
            f"| {note} |"
        )
    lines += ["", "| ratio | value | target | | what |", "|---|---|---|---|---|"]
    for name, value, target, verdict in verdicts(result):
        shown = "" if target is None else f"<= {target:g}"
        lines.append(f"| {name} | {_value(name, value)} | {shown} | {verdict} | {meaning(name)} |")
    lines += ["", glue_line(result) + ".", "", cross_check_line(result), ""]
    return "\n".join(lines)


def cross_check_line(result: dict) -> str:
    failed = sorted(name for name, f in result["cross_check"].items() if f["differences"])
    if failed:
        return f"Cross-check FAILED for {', '.join(failed)} (see the JSON)."
    return "Cross-check: every dataset's row count and column sums equal DuckDB's within 1e-6."
