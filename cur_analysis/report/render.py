"""The report as one self-contained HTML page: inline CSS, inline SVG charts, no script to run.

Every number shown carries its exact value in ``data-value`` (and its name in ``data-key``), and
the whole figure structure is embedded as JSON (``<script type="application/json"
id="report-data">``, a data block browsers never execute), so a test or a script can read the
figures back. A Content-Security-Policy meta tag forbids every fetch.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from html import escape

from cur_analysis.datasets.movers import Mover
from cur_analysis.datasets.registry import DAILY_COST, SAVINGS_MONTHLY
from cur_analysis.report import charts
from cur_analysis.report.figures import CostRow, Figure, ReportFigures

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

_CSS = """
:root { --ink: #1f2933; --muted: #5f6b7a; --line: #d9dee5; --up: #b03a31; --down: #2e7d57; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif;
       color: var(--ink); background: #f4f6f8; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 20px 40px; }
header h1 { margin: 0 0 4px; font-size: 24px; }
header p { margin: 0; color: var(--muted); }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px;
          padding: 16px 18px; margin-top: 18px; }
section h2 { margin: 0 0 10px; font-size: 17px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(190px, 1fr)); gap: 12px;
         margin-top: 18px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
.card .label { color: var(--muted); font-size: 12px; text-transform: uppercase;
               letter-spacing: .04em; }
.card .value { font-size: 21px; font-weight: 600; margin: 2px 0; white-space: nowrap; }
.card .change { font-size: 13px; }
.up { color: var(--up); } .down { color: var(--down); } .flat, .absent { color: var(--muted); }
.notes { background: #fff8e6; border-color: #f0d48a; }
.notes ul { margin: 0; padding-left: 20px; }
svg.chart { width: 100%; height: auto; display: block; }
table { border-collapse: collapse; width: 100%; margin-top: 10px; font-size: 13px; }
th, td { padding: 5px 8px; border-bottom: 1px solid var(--line); text-align: right; }
th:first-child, td:first-child, .text { text-align: left; }
th { color: var(--muted); font-weight: 600; }
.columns { display: grid; grid-template-columns: 1fr 1fr; gap: 18px; }
@media (max-width: 800px) { .columns { grid-template-columns: 1fr; } }
footer { color: var(--muted); font-size: 12.5px; }
footer li { margin-bottom: 3px; }
"""

_METHOD = (
    "<b>Amortized cost</b> follows the Cloud Intelligence Dashboards <code>summary_view</code> "
    "rule (the same as FOCUS <code>EffectiveCost</code>), chosen by "
    "<code>line_item_line_item_type</code>: SavingsPlanCoveredUsage &rarr; Savings Plan "
    "effective cost; SavingsPlanRecurringFee &rarr; total commitment to date &minus; used "
    "commitment; SavingsPlanNegation and SavingsPlanUpfrontFee &rarr; 0; DiscountedUsage &rarr; "
    "reservation effective cost; RIFee &rarr; unused amortized upfront fee + unused recurring "
    "fee; Fee with a reservation ARN &rarr; 0; everything else &rarr; unblended cost.",
    "<b>Unblended cost</b> is <code>line_item_unblended_cost</code> (SavingsPlanNegation "
    "included, as Cost Explorer). <b>Net</b> figures use the <code>*_net_*</code> columns "
    "where the CUR has them (discounts applied), else the gross ones.",
    "<b>Savings</b> = public on-demand equivalent cost &minus; amortized cost. "
    "<b>Coverage</b> = on-demand equivalent cost of usage covered by RIs (DiscountedUsage) and "
    "Savings Plans (SavingsPlanCoveredUsage) &divide; that of all usage lines. "
    "<b>Utilization</b>: RIs used &divide; (used + unused) amortized commitment; Savings Plans "
    "used &divide; total commitment.",
    "<b>Tag coverage</b> = share of the period's amortized cost whose line items carry the tag "
    "key (<code>resource_tags_user_&lt;key&gt;</code>).",
    "<b>Changes</b> compare with the previous billing period as read from the CUR table by the "
    "job; movers are the largest absolute changes of amortized cost. Split cost allocation rows "
    "(EKSPod-EC2, ECSTask-EC2) duplicate their instance's cost and are left out of every total. "
    "All amounts in USD; days are UTC usage dates.",
)


def money(value: float) -> str:
    """``12,345.67`` (the unit is written next to it, once per column or card)."""
    return f"{value:,.2f}"


def signed_money(value: float) -> str:
    return f"{value:+,.2f}".replace("-", "\u2212")


def percent(ratio: float) -> str:
    return f"{100.0 * ratio:.1f}%"


def _num(key: str, value: float | None, text: str, css: str = "") -> str:
    if value is None:
        return f'<span class="absent" data-key="{escape(key)}" data-value="">&mdash;</span>'
    css_attr = f' class="{css}"' if css else ""
    return f'<span{css_attr} data-key="{escape(key)}" data-value="{value!r}">{escape(text)}</span>'


def _trend(change: float | None) -> str:
    if change is None or change == 0:
        return "flat"
    return "up" if change > 0 else "down"


def _card(figure: Figure, previous_period: str, currency: str) -> str:
    base = f"headline.{figure.key}"
    change = figure.change
    if change is None:
        change_html = f'<span class="absent">no {escape(previous_period)} datasets</span>'
    else:
        ratio = figure.change_ratio
        ratio_text = f" ({ratio * 100:+.1f}%)".replace("-", "\u2212") if ratio is not None else ""
        change_html = (
            _num(f"{base}.change", change, signed_money(change) + f" {currency}", _trend(change))
            + f"{escape(ratio_text)} vs {escape(previous_period)}"
        )
    return (
        f'<div class="card" data-measure="{escape(figure.key)}">'
        f'<div class="label">{escape(figure.label)}</div>'
        f'<div class="value">{_num(base, figure.value, money(figure.value))} '
        f'<small>{currency}</small></div><div class="change">{change_html}</div></div>'
    )


def _cost_table(rows: Sequence[CostRow], kind: str, figures: ReportFigures) -> str:
    cur = figures.currency
    head = (
        f"<tr><th>{kind}</th><th>Amortized {figures.period} ({cur})</th><th>Share</th>"
        f"<th>Amortized {figures.previous_period} ({cur})</th><th>Change ({cur})</th>"
        "<th>Change %</th></tr>"
    )
    body = []
    for row in rows:
        key = f"{kind.lower()}.{row.name}"
        body.append(
            f"<tr><td>{escape(row.name)}</td>"
            f"<td>{_num(key + '.amortized', row.amortized, money(row.amortized))}</td>"
            f"<td>{_num(key + '.share', row.share, percent(row.share or 0.0))}</td>"
            f"<td>{_num(key + '.previous', row.previous, money(row.previous or 0.0))}</td>"
            f"<td>{_num(key + '.change', row.change, signed_money(row.change or 0.0), _trend(row.change))}</td>"  # noqa: E501
            f"<td>{_num(key + '.change_ratio', row.change_ratio, percent(row.change_ratio or 0.0))}</td>"  # noqa: E501
            "</tr>"
        )
    return f"<table>{head}{''.join(body)}</table>"


def _movers_table(movers: Sequence[Mover], currency: str) -> str:
    rows = "".join(
        f'<tr><td>{escape(m.kind)}</td><td class="text">{escape(m.name)}</td>'
        f"<td>{_num(f'mover.{m.kind}.{m.name}.change', m.change, signed_money(m.change), _trend(m.change))}</td>"  # noqa: E501
        f"<td>{_num(f'mover.{m.kind}.{m.name}.amortized', m.amortized, money(m.amortized))}</td></tr>"  # noqa: E501
        for m in movers
    )
    return (
        f'<table><tr><th>Kind</th><th class="text">Name</th><th>Change ({currency})</th>'
        f"<th>Amortized now ({currency})</th></tr>{rows}</table>"
    )


def _absent(text: str) -> str:
    return f'<p class="absent">{escape(text)}</p>'


def _absent_section(title: str, text: str) -> str:
    """A section that says what is absent instead of showing zeros."""
    return f"<section>{title}{_absent(text)}</section>"


def _daily_section(figures: ReportFigures) -> str:
    if figures.daily is None:
        return _absent(f"No {DAILY_COST.name} dataset for {figures.period}.")
    total = figures.daily.total
    return charts.daily_chart(figures.daily, figures.period, figures.currency) + (
        f"<p>Sum of the days: {_num('daily.total', total, money(total))} {figures.currency}.</p>"
    )


def _breakdown(figures: ReportFigures, rows: Sequence[CostRow], kind: str, title: str) -> str:
    if not rows:
        return _absent_section(f"<h2>{title}</h2>", f"No {kind.lower()} breakdown.")
    chart = charts.cost_chart(
        rows,
        title,
        figures.period,
        figures.previous_period,
        figures.currency,
        chart_id=f"{kind.lower()}-chart",
    )
    return f"<section><h2>{title}</h2>{chart}{_cost_table(rows, kind, figures)}</section>"


def _movers_section(figures: ReportFigures) -> str:
    title = "<h2>Top movers</h2>"
    if not figures.movers:
        return _absent_section(
            title,
            f"No change columns for {figures.period}: the previous period "
            f"{figures.previous_period} is not in the CUR table.",
        )
    chart = charts.movers_chart(
        figures.movers, figures.period, figures.previous_period, figures.currency
    )
    return f"<section>{title}{chart}{_movers_table(figures.movers, figures.currency)}</section>"


def _savings_section(figures: ReportFigures) -> str:
    title = "<h2>Savings: Reserved Instances and Savings Plans</h2>"
    s = figures.savings
    if s is None:
        return _absent_section(title, f"No {SAVINGS_MONTHLY.name} dataset for this period.")
    cur = figures.currency
    rows = [
        ("On-demand equivalent", "savings.on_demand_equivalent", s.on_demand_equivalent, cur),
        ("Amortized", "savings.amortized", s.amortized, cur),
        ("Savings", "savings.savings", s.savings, cur),
        ("RI commitment (used / total)", "savings.ri_used_commitment", s.ri_used_commitment, cur),
        ("", "savings.ri_total_commitment", s.ri_total_commitment, cur),
        ("SP commitment (used / total)", "savings.sp_used_commitment", s.sp_used_commitment, cur),
        ("", "savings.sp_total_commitment", s.sp_total_commitment, cur),
    ]
    cells = []
    for index in range(0, 3):
        label, key, value, unit = rows[index]
        cells.append(f"<tr><td>{label}</td><td>{_num(key, value, money(value))} {unit}</td></tr>")
    for index in (3, 5):
        label, key, value, unit = rows[index]
        _, total_key, total, _ = rows[index + 1]
        cells.append(
            f"<tr><td>{label}</td><td>{_num(key, value, money(value))} / "
            f"{_num(total_key, total, money(total))} {unit}</td></tr>"
        )
    ratios = [
        ("Coverage, all commitments", "savings.coverage", s.coverage),
        ("RI utilization", "savings.ri_utilization", s.ri_utilization),
        ("Savings Plans utilization", "savings.sp_utilization", s.sp_utilization),
    ]
    for label, key, value in ratios:
        cells.append(f"<tr><td>{label}</td><td>{_num(key, value, percent(value or 0.0))}</td></tr>")
    absent = []
    if not s.has_reservations:
        absent.append(_absent(f"No Reserved Instances in {figures.period}."))
    if not s.has_savings_plans:
        absent.append(_absent(f"No Savings Plans in {figures.period}."))
    chart = charts.savings_chart(s, figures.period)
    table = f"<table>{''.join(cells)}</table>"
    return (
        f"<section>{title}{chart}{''.join(absent)}"
        f'<div class="columns"><div>{table}</div><div></div></div></section>'
    )


def _tags_section(figures: ReportFigures) -> str:
    title = "<h2>Tag coverage</h2>"
    if not figures.tags:
        return _absent_section(
            title,
            f"No user cost allocation tags in {figures.period}: the CUR has no "
            "resource_tags_user_* columns (activate cost allocation tags in the payer account).",
        )
    cur = figures.currency
    rows = "".join(
        f"<tr><td>{escape(t.key)}</td>"
        f"<td>{_num(f'tag.{t.key}.coverage', t.coverage, percent(t.coverage or 0.0))}</td>"
        f"<td>{_num(f'tag.{t.key}.tagged_amortized', t.tagged_amortized, money(t.tagged_amortized))}</td>"  # noqa: E501
        f"<td>{t.values}</td></tr>"
        for t in figures.tags
    )
    table = (
        f"<table><tr><th>Tag key</th><th>Coverage</th><th>Tagged amortized ({cur})</th>"
        f"<th>Distinct values</th></tr>{rows}</table>"
    )
    return f"<section>{title}{charts.tags_chart(figures.tags, figures.period)}{table}</section>"


def _json_block(figures: ReportFigures) -> str:
    text = json.dumps(figures.as_json_data(), sort_keys=True, allow_nan=False)
    # Inside <script> only "</" could end the block early.
    return (
        '<script type="application/json" id="report-data">'
        + text.replace("</", "<\\/")
        + "</script>"
    )


def render_html(figures: ReportFigures, generated: str | None = None) -> str:
    """The whole page for ``figures`` (``generated``: an optional "generated at" text)."""
    notes = ""
    if figures.notes:
        items = "".join(f"<li>{escape(note)}</li>" for note in figures.notes)
        notes = f'<section class="notes"><h2>What is absent</h2><ul>{items}</ul></section>'
    cards = "".join(
        _card(figure, figures.previous_period, figures.currency) for figure in figures.headline
    )
    subtitle = f"Source: {escape(figures.source)}. Amounts in {figures.currency}."
    if figures.status:
        subtitle += f" {escape(figures.status)}"
    if generated:
        subtitle += f" Generated {escape(generated)}."
    method = "".join(f"<li>{item}</li>" for item in _METHOD)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>AWS cost report {figures.period}</title><style>{_CSS}</style></head><body><main>"
        f"<header><h1>AWS cost report &mdash; {figures.period}</h1><p>{subtitle}</p></header>"
        f'<div class="cards">{cards}</div>{notes}'
        f"<section><h2>Daily amortized cost</h2>{_daily_section(figures)}</section>"
        + _breakdown(figures, figures.services, "Service", "Cost by service")
        + _breakdown(figures, figures.accounts, "Account", "Cost by account")
        + _movers_section(figures)
        + _savings_section(figures)
        + _tags_section(figures)
        + f"<section><footer><h2>How these numbers are computed</h2><ul>{method}</ul>"
        f"</footer></section>{_json_block(figures)}</main></body></html>\n"
    )
