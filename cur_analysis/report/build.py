"""Wiring: load -> figures -> HTML, and writing the file to a folder or to S3.

An S3 client comes from the caller (``cur_analysis.io.aws.client_factory("s3")`` at the edges),
made only when a report goes to S3.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from cur_analysis import columns as c
from cur_analysis.errors import InvalidInputError, OutputError
from cur_analysis.io.uris import is_s3_uri, is_uri, local_path, split_s3_uri
from cur_analysis.periods import BillingPeriod
from cur_analysis.report.figures import ReportFigures, report_figures
from cur_analysis.report.load import DatasetSource, ParquetFolderSource, load_inputs
from cur_analysis.report.render import render_html

if TYPE_CHECKING:
    from cur_analysis.pipeline import RunResult

REPORTS_FOLDER = "reports"


def report_file_name(period: BillingPeriod) -> str:
    return f"cur-report-{period.label}.html"


def default_report_path(output: str, period: BillingPeriod) -> str:
    """``OUTPUT/reports/cur-report-YYYY-MM.html``, next to the datasets."""
    return f"{output.rstrip('/')}/{REPORTS_FOLDER}/{report_file_name(period)}"


def build_report(
    source: DatasetSource, period: BillingPeriod, generated: str | None = None
) -> tuple[str, ReportFigures]:
    """The HTML page and the figures it shows, for ``period`` of ``source``."""
    figures = report_figures(load_inputs(source, period))
    return render_html(figures, generated), figures


def _split_s3(uri: str) -> tuple[str, str]:
    bucket, key = split_s3_uri(uri)
    if not bucket or not key or key.endswith("/"):
        raise InvalidInputError(f"{uri!r} is not an S3 object URI: use s3://bucket/path/file.html")
    return bucket, key


def write_report(html: str, destination: str, s3_client: Any | None = None) -> str:
    """Write ``html`` to a local file (folders made) or an ``s3://`` object; return where."""
    body = html.encode("utf-8")
    if is_s3_uri(destination):
        bucket, key = _split_s3(destination)
        if s3_client is None:
            raise InvalidInputError(f"writing {destination} needs an S3 client")
        s3_client.put_object(
            Bucket=bucket, Key=key, Body=body, ContentType="text/html; charset=utf-8"
        )
        return destination
    if is_uri(destination):
        raise InvalidInputError(f"{destination!r}: write the report to a local path or s3://")
    path = local_path(destination)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
    except OSError as exc:
        raise OutputError(f"cannot write the report to {path}: {exc.strerror}") from None
    return str(path)


def write_run_reports(
    result: RunResult,
    report_path: str,
    s3_client_factory: Callable[[], Any] | None = None,
) -> list[str]:
    """After a run: reports from the datasets it wrote; one line per report written.

    ``report_path`` ending in ``.html`` is the file for the run's latest period; anything else
    is a folder or prefix that gets ``cur-report-YYYY-MM.html`` for every period of the run.
    A run that skipped every period wrote nothing new: the reports written before stand.
    """
    source = ParquetFolderSource(result.config.output)
    if not result.periods:
        return []
    if report_path.endswith(".html"):
        targets = [(result.periods[-1], report_path)]
    else:
        folder = report_path.rstrip("/")
        targets = [(p, f"{folder}/{report_file_name(p)}") for p in result.periods]
    return [
        write_period_report(source, period, target, s3_client_factory) for period, target in targets
    ]


def write_period_report(
    source: DatasetSource,
    period: BillingPeriod,
    destination: str,
    s3_client_factory: Callable[[], Any] | None = None,
) -> str:
    """Build and write the report of ``period``; return a short account of what was written."""
    from datetime import UTC, datetime

    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    html, figures = build_report(source, period, generated)
    client = s3_client_factory() if s3_client_factory and is_s3_uri(destination) else None
    where = write_report(html, destination, client)
    amortized = figures.figure(c.AMORTIZED).value
    lines = [f"report {period.label}: {where} (amortized {amortized:,.2f} {figures.currency})"]
    lines += [f"  absent: {note}" for note in figures.notes]
    return "\n".join(lines)
