"""Charts of the report, drawn with matplotlib and returned as inline SVG text.

Matplotlib's SVG backend needs no JavaScript: the report opens the same in a browser with
scripts blocked, a mail client or an S3 console preview, and fetches nothing. Text stays text
(``svg.fonttype = none``): searchable, sharp, small. Figures are built with ``Figure`` directly
(no pyplot, no global state); settings apply inside ``rc_context`` only.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

from cur_analysis.datasets.movers import Mover
from cur_analysis.errors import CurAnalysisError
from cur_analysis.report.figures import (
    OTHER,
    CostRow,
    DailyStack,
    SavingsFigures,
    TagCoverage,
)

PALETTE = ("#2f6eb5", "#e07b39", "#3a9e6f", "#c4453c", "#8a63b8", "#b58b2f", "#4aa3b5")
OTHER_COLOUR = "#a7adb5"
PREVIOUS_COLOUR = "#c9d3df"
INCREASE, DECREASE = "#c4453c", "#3a9e6f"
_RC = {
    "svg.fonttype": "none",
    "svg.hashsalt": "cur-analysis-report",
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
}
_SVG_SIZE = re.compile(r'<svg([^>]*?) width="[^"]*" height="[^"]*"')
_SVG_IDS = re.compile(r'( id="|url\(#|xlink:href="#)')
# Creator, Date, Format and Type would add an RDF block full of (never fetched) URLs.
_NO_METADATA = {"Creator": None, "Date": None, "Format": None, "Type": None}


# Wanted in this order; only the installed ones are named (DejaVu Sans ships with matplotlib), as
# matplotlib warns for every missing family it is given, once per text drawn.
_FONTS = ("DejaVu Sans", "Liberation Sans")


def _rc(matplotlib) -> dict:
    """The charts' settings, with the font families this machine has."""
    installed = {font.name for font in matplotlib.font_manager.fontManager.ttflist}
    families = [name for name in _FONTS if name in installed] or ["sans-serif"]
    return {**_RC, "font.family": families}


def _matplotlib():
    try:
        import matplotlib
        import matplotlib.font_manager
        from matplotlib.backends.backend_svg import FigureCanvasSVG
        from matplotlib.figure import Figure
    except ImportError:
        raise CurAnalysisError(
            "the report needs matplotlib: pip install 'cur-analysis[report]' "
            "(in Glue: add matplotlib to --additional-python-modules)"
        ) from None
    return matplotlib, Figure, FigureCanvasSVG


def _svg(figure, chart_id: str) -> str:
    """The figure as an ``<svg>`` element that scales with its container.

    No XML prologue and no metadata block; every id (and reference to it) is prefixed with
    ``chart_id`` so that several charts in one page never share an id.
    """
    _, _, canvas_type = _matplotlib()
    buffer = io.StringIO()
    canvas_type(figure).print_svg(buffer, metadata=_NO_METADATA)
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    text = _SVG_IDS.sub(lambda m: f"{m.group(1)}{chart_id}-", text)
    return _SVG_SIZE.sub(rf'<svg\1 id="{chart_id}" class="chart" role="img"', text, count=1)


def _figure(width: float, height: float):
    _, figure_type, _ = _matplotlib()
    return figure_type(figsize=(width, height), layout="constrained")


def _usd(axis, which: str = "y") -> None:
    from matplotlib.ticker import FuncFormatter

    formatter = FuncFormatter(lambda value, _: f"{value:,.0f}")
    (axis.yaxis if which == "y" else axis.xaxis).set_major_formatter(formatter)


def daily_chart(daily: DailyStack, period: str, currency: str) -> str:
    """Stacked daily bars of amortized cost, one colour per top service, the rest in grey."""
    matplotlib, _, _ = _matplotlib()
    with matplotlib.rc_context(_rc(matplotlib)):
        figure = _figure(10, 3.8)
        axis = figure.add_subplot()
        days = [date[-2:] for date in daily.dates]
        positions = range(len(days))
        above, below = [0.0] * len(days), [0.0] * len(days)  # credits stack below zero
        for index, (name, values) in enumerate(daily.series):
            colour = OTHER_COLOUR if name == OTHER else PALETTE[index % len(PALETTE)]
            bottom = [a if v >= 0 else b for v, a, b in zip(values, above, below, strict=True)]
            axis.bar(positions, values, bottom=bottom, color=colour, label=name, width=0.8)
            above = [a + max(v, 0.0) for a, v in zip(above, values, strict=True)]
            below = [b + min(v, 0.0) for b, v in zip(below, values, strict=True)]
        axis.axhline(0, color="#555555", linewidth=0.6)
        axis.set_xticks(list(positions), days, fontsize=8)
        axis.set_xlabel(f"Usage day of {period} (UTC)")
        axis.set_ylabel(f"Amortized cost ({currency})")
        axis.set_title(f"Daily amortized cost by service, {period} ({currency})")
        _usd(axis)
        axis.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=9)
        return _svg(figure, "daily-chart")


def cost_chart(
    rows: Sequence[CostRow],
    title: str,
    period: str,
    previous_period: str,
    currency: str,
    chart_id: str,
    top: int = 10,
) -> str:
    """Horizontal bars of amortized cost this period, next to the previous period's when known."""
    matplotlib, _, _ = _matplotlib()
    shown = list(rows[:top])[::-1]
    with matplotlib.rc_context(_rc(matplotlib)):
        figure = _figure(10, 0.9 + 0.42 * max(len(shown), 1))
        axis = figure.add_subplot()
        names = [row.name for row in shown]
        positions = range(len(shown))
        with_previous = any(row.previous is not None for row in shown)
        height = 0.4 if with_previous else 0.7
        offset = height / 2 if with_previous else 0.0
        axis.barh(
            [p + offset for p in positions],
            [row.amortized for row in shown],
            height=height,
            color=PALETTE[0],
            label=period,
        )
        if with_previous:
            axis.barh(
                [p - offset for p in positions],
                [row.previous or 0.0 for row in shown],
                height=height,
                color=PREVIOUS_COLOUR,
                label=previous_period,
            )
        axis.set_yticks(list(positions), names)
        axis.set_xlabel(f"Amortized cost ({currency})")
        axis.set_title(f"{title}, {period}" + (f" vs {previous_period}" if with_previous else ""))
        _usd(axis, "x")
        handles, labels = axis.get_legend_handles_labels()
        axis.legend(handles[::-1], labels[::-1], loc="lower right", frameon=False)
        return _svg(figure, chart_id)


def movers_chart(movers: Sequence[Mover], period: str, previous_period: str, currency: str) -> str:
    """Diverging bars of the largest changes: increases red, decreases green."""
    matplotlib, _, _ = _matplotlib()
    shown = sorted(movers, key=lambda m: m.change)
    with matplotlib.rc_context(_rc(matplotlib)):
        figure = _figure(10, 0.9 + 0.36 * max(len(shown), 1))
        axis = figure.add_subplot()
        positions = range(len(shown))
        axis.barh(
            list(positions),
            [m.change for m in shown],
            color=[INCREASE if m.change > 0 else DECREASE for m in shown],
            height=0.65,
        )
        axis.axvline(0, color="#555555", linewidth=0.8)
        axis.set_yticks(list(positions), [f"{m.kind}: {m.name}" for m in shown])
        axis.set_xlabel(f"Change of amortized cost, {period} vs {previous_period} ({currency})")
        axis.set_title(f"Top movers, {period} vs {previous_period} ({currency})")
        _usd(axis, "x")
        return _svg(figure, "movers-chart")


def savings_chart(savings: SavingsFigures, period: str) -> str:
    """Coverage and utilization of RIs and Savings Plans in percent; absent ones say n/a."""
    matplotlib, _, _ = _matplotlib()
    bars = [
        ("Coverage, all commitments", savings.coverage),
        ("Coverage by RIs", savings.ri_coverage if savings.has_reservations else None),
        ("Coverage by Savings Plans", savings.sp_coverage if savings.has_savings_plans else None),
        ("RI utilization", savings.ri_utilization),
        ("Savings Plans utilization", savings.sp_utilization),
    ][::-1]
    with matplotlib.rc_context(_rc(matplotlib)):
        figure = _figure(10, 2.9)
        axis = figure.add_subplot()
        positions = range(len(bars))
        values = [100.0 * (value or 0.0) for _, value in bars]
        axis.barh(list(positions), values, color=PALETTE[2], height=0.6)
        for position, (_, value) in zip(positions, bars, strict=True):
            text = "n/a (none in period)" if value is None else f"{100.0 * value:.1f}%"
            axis.text(100.0 * (value or 0.0) + 1, position, text, va="center", fontsize=9)
        axis.set_yticks(list(positions), [label for label, _ in bars])
        axis.set_xlim(0, 115)
        axis.set_xticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"])
        axis.set_xlabel(f"Percent, {period} (coverage: of on-demand-equivalent usage cost)")
        axis.set_title(f"Reserved Instances and Savings Plans, {period}")
        return _svg(figure, "savings-chart")


def tags_chart(tags: Sequence[TagCoverage], period: str) -> str:
    """Per tag key, the share of the period's amortized cost that carries it."""
    matplotlib, _, _ = _matplotlib()
    shown = list(tags)[::-1]
    with matplotlib.rc_context(_rc(matplotlib)):
        figure = _figure(10, 0.9 + 0.4 * max(len(shown), 1))
        axis = figure.add_subplot()
        positions = range(len(shown))
        values = [100.0 * (t.coverage or 0.0) for t in shown]
        axis.barh(list(positions), values, color=PALETTE[4], height=0.6)
        for position, value in zip(positions, values, strict=True):
            axis.text(value + 1, position, f"{value:.1f}%", va="center", fontsize=9)
        axis.set_yticks(list(positions), [t.key for t in shown])
        axis.set_xlim(0, 110)
        axis.set_xticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"])
        axis.set_xlabel(f"Share of amortized cost carrying the tag key, {period} (%)")
        axis.set_title(f"Tag coverage per tag key, {period}")
        return _svg(figure, "tags-chart")
