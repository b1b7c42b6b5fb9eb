"""Text summaries of a run, for the terminal and the Glue job log."""

from __future__ import annotations

from cur_analysis import columns as c
from cur_analysis.measures import MEASURES
from cur_analysis.pipeline import RunResult


def format_run(result: RunResult) -> str:
    """A short, aligned summary: each requested period computed or skipped and why, per
    computed period the line items and every measure, then the outputs."""
    config = result.config
    lines = [f"source     {config.database}.{config.table}"]
    if result.schedule is not None:
        lines += [f"{d.period.label}    {d.outcome}" for d in result.schedule.decisions]
    if not result.periods:
        lines.append("nothing to compute: every requested period is published and unchanged")
        lines.append(f"took {result.seconds:.1f} s")
        return "\n".join(lines)
    lines += [
        f"periods    {', '.join(p.label for p in result.periods)}",
        f"line items {result.line_item_count:,} (split-cost rows excluded)",
    ]
    for period, totals in result.totals.items():
        lines.append(f"\n{period}")
        lines.append(f"  {'line items':<24}{int(totals[c.LINE_ITEM_COUNT]):>18,}")
        for name in MEASURES:
            unit = "" if name == c.USAGE_QUANTITY else " USD"
            lines.append(f"  {name:<24}{totals[name]:>18,.2f}{unit}")
    if result.movers:
        lines.append("\ntop movers (amortized cost vs previous period)")
    for mover in result.movers:
        lines.append(
            f"  {mover.period}  {mover.kind:<8}{mover.name:<24}{mover.change:>+14,.2f} USD"
            f"  (now {mover.amortized:,.2f})"
        )
    lines.append("")
    for name, path in result.outputs.items():
        lines.append(f"wrote {name:<16} {path}")
    if result.outputs and not config.output_database:
        lines.append("tables not published: no --output-database given (the folders are written)")
    lines += list(result.notes)
    if result.run_id:
        lines.append(f"published run {result.run_id} (manifests in {config.output}/_manifests)")
    lines.append(f"took {result.seconds:.1f} s")
    return "\n".join(lines)
