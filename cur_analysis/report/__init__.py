"""The monthly cost report: one self-contained HTML file per billing period, from the datasets.

Three steps, one module each: ``load`` reads the datasets of a period and of its previous period
(Parquet folders with pyarrow, or catalog tables with Spark); ``figures`` turns them into a plain,
immutable structure of the numbers shown (pure functions); ``render`` draws the charts with
matplotlib as inline SVG and writes the HTML. ``write`` puts the file in a folder or on S3.
"""

from __future__ import annotations

from cur_analysis.report.build import build_report, report_file_name, write_run_reports

__all__ = ["build_report", "report_file_name", "write_run_reports"]
