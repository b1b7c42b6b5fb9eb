"""The report in a real browser: headless Chromium, no console error, no request leaves the file.

Skipped only where Chromium is not installed (``.ci/run`` installs Debian's ``chromium`` when it is
missing, so CI always runs these).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from cur_analysis.periods import BillingPeriod
from cur_analysis.report.build import build_report, write_report
from cur_analysis.report.load import ParquetFolderSource

from .support_browser import chromium, screenshot_flag, visit

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        chromium() is None,
        reason="chromium is not installed: apt-get install chromium (.ci/run installs it)",
    ),
]


def test_the_checker_sees_console_errors_and_requests(tmp_path: Path) -> None:
    """A control page: the method must catch what the report must not do."""
    page = tmp_path / "bad.html"
    page.write_text(
        "<!DOCTYPE html><html><body><p>bad</p>"
        '<script>console.error("boom from the page")</script>'
        '<img src="http://127.0.0.1:9/pixel.png"></body></html>'
    )
    seen = visit(page, tmp_path / "profile")
    assert seen.loaded
    assert any("boom from the page" in error for error in seen.console_errors)
    assert "http://127.0.0.1:9/pixel.png" in seen.external_requests


def test_report_opens_without_errors_or_requests(report_output: Path, tmp_path: Path) -> None:
    html, _ = build_report(ParquetFolderSource(str(report_output)), BillingPeriod(2024, 5))
    page = Path(write_report(html, str(tmp_path / "cur-report-2024-05.html")))
    full_page = tmp_path / "report-full.png"
    seen = visit(page, tmp_path / "profile", screenshot=full_page)
    assert seen.loaded
    assert seen.console_errors == []
    assert seen.external_requests == []
    assert seen.requests == [page.resolve().as_uri()]
    first_screen = tmp_path / "report.png"
    screenshot_flag(page, tmp_path / "profile-shot", first_screen)
    for png in (full_page, first_screen):
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000
    keep = Path(os.environ.get("CUR_REPORT_SCREENSHOTS", ""))
    if keep != Path(""):
        keep.mkdir(parents=True, exist_ok=True)
        for png in (full_page, first_screen):
            shutil.copy(png, keep / png.name)
