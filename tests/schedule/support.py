"""Helpers of the scheduled-run tests: a registered copy of the generated export and one output
folder (``World``), a file rewritten with a new modification time, the summary's decisions."""

from __future__ import annotations

import os
from pathlib import Path

from cur_analysis import columns as c
from cur_analysis.cli import main
from cur_analysis.io.publish import manifest_path
from cur_analysis.periods import BillingPeriod
from cur_analysis.report.load import ParquetFolderSource

from ..oracle import totals_by_period

DATASETS = "daily_cost,account_monthly"  # account_monthly has change columns


class World:
    """A copy of the generated export registered as its own table, and one output folder."""

    def __init__(self, home: Path, export: Path, output: Path, database: str) -> None:
        self.home, self.export, self.output, self.database = home, export, output, database

    def run(self, capsys, *args: str, datasets: str = DATASETS) -> tuple[int, list[str]]:
        code = main(
            [
                "--home",
                str(self.home),
                "run",
                "--database",
                self.database,
                "--output",
                str(self.output),
                "--datasets",
                datasets,
                *args,
            ]
        )
        captured = capsys.readouterr()
        assert captured.err == "" or code != 0, captured.err
        return code, (captured.out + captured.err).splitlines()

    def month_file(self, period: BillingPeriod) -> Path:
        return next((self.export / f"year=2024/month={period.month}").glob("*.parquet"))

    def manifest_text(self, period: BillingPeriod) -> str:
        return Path(manifest_path(str(self.output), period)).read_text()

    def published_amortized(self, period: BillingPeriod) -> float:
        frame = ParquetFolderSource(str(self.output)).read("daily_cost", period)
        return float(frame[c.AMORTIZED].sum())

    def expected_amortized(self, period: BillingPeriod) -> float:
        return totals_by_period(self.export)[period.label][c.AMORTIZED]


def _touch(file: Path) -> None:
    """Rewrite a file with the same bytes: same size, new modification time."""
    data = file.read_bytes()
    stat = file.stat()
    file.write_bytes(data)
    os.utime(file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def _outcomes(lines: list[str]) -> dict[str, str]:
    """``{period: outcome}`` from the summary's decision lines."""
    found = {}
    for line in lines:
        label, _, rest = line.partition(" ")
        if label[:2] == "20" and rest.strip().startswith(("computed (", "skipped (")):
            found[label] = rest.strip()
    return found
