"""Reading a rendered report back: the ``data-value`` of every number shown, and its JSON block."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pyarrow.dataset as ds

from cur_analysis.periods import BillingPeriod


class _Numbers(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.numbers: dict[str, tuple[str, str]] = {}
        self.data_block = ""
        self._open: list[tuple[str, str] | None] = []
        self._text: list[str] = []
        self._in_data = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script" and found.get("id") == "report-data":
            self._in_data = True
        if tag == "span":
            key = found.get("data-key")
            self._open.append((key, found.get("data-value") or "") if key else None)
            self._text = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_data = False
        if tag == "span" and self._open:
            opened = self._open.pop()
            if opened is not None:
                self.numbers[opened[0]] = (opened[1], "".join(self._text))

    def handle_data(self, data: str) -> None:
        if self._in_data:
            self.data_block += data
        else:
            self._text.append(data)


def shown_numbers(html: str) -> dict[str, tuple[str, str]]:
    """``data-key`` -> (``data-value``, text shown) for every number of the page."""
    parser = _Numbers()
    parser.feed(html)
    return parser.numbers


def embedded_data(html: str) -> dict:
    parser = _Numbers()
    parser.feed(html)
    return json.loads(parser.data_block)


def dataset(output: Path, name: str, period: str) -> pd.DataFrame:
    """One period of a written dataset, read with pyarrow's hive partitioning (not the report's
    reader)."""
    year, month = period.split("-")
    table = ds.dataset(output / name, format="parquet", partitioning="hive").to_table()
    frame = table.to_pandas()
    return frame[
        (frame["year"].astype(str) == year) & (frame["month"].astype(str) == str(int(month)))
    ]


def publish_by_hand(folder: Path, period: BillingPeriod) -> None:
    """Write the manifest of ``period`` naming the version folders under ``folder`` (hand-made
    outputs: copied or rewritten partitions), as a run would after writing them."""
    from cur_analysis.io.publish import Manifest, PublishedDataset, manifest_path
    from cur_analysis.io.stores import LocalStore, StoredFile
    from cur_analysis.layout import OUTPUT_LAYOUT

    entries = {}
    for version in sorted(folder.glob(f"*/{OUTPUT_LAYOUT.folder(period)}/run=*")):
        files = tuple(
            StoredFile(f.name, f.stat().st_size) for f in sorted(version.glob("*.parquet"))
        )
        run_id = version.name.removeprefix("run=")
        location = version.relative_to(folder).as_posix()
        entries[location.split("/")[0]] = PublishedDataset(run_id, location, files, "by-hand")
    manifest = Manifest(period, "by-hand", "", entries)
    LocalStore().replace_text(manifest_path(str(folder), period), manifest.to_json())
