"""The local catalog's partition locations, kept beside its Derby metastore as JSON.

The Derby metastore can only be read by a running Spark; a scheduled run lists its source before
deciding whether Spark is needed at all. So ``catalog.register`` and ``catalog.link`` also write
what Glue's ``GetPartitions`` would answer (each table's partitions and their folders, each
link's target) to ``HOME/catalog-index.json``. ``register`` removes a table's entry before it
swaps the table and writes it after, so a register that dies leaves no entry (the run then
starts Spark and asks the metastore) rather than a wrong one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cur_analysis.io.stores import LocalStore
from cur_analysis.periods import BillingPeriod

INDEX_FILE = "catalog-index.json"
FORMAT = 1


def index_path(home: Path) -> Path:
    return home / INDEX_FILE


def _load(home: Path) -> dict[str, Any]:
    text = LocalStore().read_text(str(index_path(home)))
    try:
        body = json.loads(text) if text else {}
    except ValueError:
        body = {}
    if not isinstance(body, dict) or body.get("format") != FORMAT:
        return {"format": FORMAT, "tables": {}, "links": {}}
    return body


def _save(home: Path, body: dict[str, Any]) -> None:
    text = json.dumps(body, indent=1, sort_keys=True) + "\n"
    LocalStore().replace_text(str(index_path(home)), text)


def record_table(
    home: Path, table: str, partitions: Iterable[tuple[BillingPeriod, tuple[str, ...], str]]
) -> None:
    """Record (or replace) a physical table's partitions: period, values, folder."""
    body = _load(home)
    body["tables"][table.lower()] = [
        {"period": p.label, "values": list(values), "location": location}
        for p, values, location in sorted(partitions)
    ]
    _save(home, body)


def forget_table(home: Path, table: str) -> None:
    body = _load(home)
    if body["tables"].pop(table.lower(), None) is not None:
        _save(home, body)


def record_link(home: Path, link: str, target: str) -> None:
    body = _load(home)
    body["links"][link.lower()] = target.lower()
    _save(home, body)


@dataclass(frozen=True)
class LocalCatalogIndex:
    """The index of one home: partition locations without Spark (``io.fingerprint``)."""

    home: Path

    def knows(self, database: str, table: str) -> bool:
        """Whether the index has the table (following a link): else ask the metastore."""
        return self._physical(database, table) in _load(self.home)["tables"]

    def partition_locations(
        self, database: str, table: str
    ) -> tuple[tuple[BillingPeriod, str], ...]:
        listed = _load(self.home)["tables"].get(self._physical(database, table), [])
        return tuple(sorted((BillingPeriod.parse(p["period"]), p["location"]) for p in listed))

    def _physical(self, database: str, table: str) -> str:
        name = f"{database}.{table}".lower()
        return _load(self.home)["links"].get(name, name)
