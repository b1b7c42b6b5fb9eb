"""``account_map`` is one table over every period: each run merges the accounts of the periods it
computed into the map it finds published.

CID's datasets join ``account_map`` on the account ID alone, so the table holds one row per
account, never one per account and period. A run sees only the periods it computes; an account
seen only in older periods keeps its row, and where both maps hold an account, the row of the
later usage start wins (``LAST_USAGE_START``: the latest line decides the names), the run's own
on a tie. A pure function of two Arrow tables: the pipeline reads the published map and writes
the merged one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cur_analysis.cid.schema import ACCOUNT_MAP_TABLE, LAST_USAGE_START

if TYPE_CHECKING:
    import pyarrow as pa

ACCOUNT_ID = "account_id"


def merged_account_map(published: pa.Table | None, computed: pa.Table) -> pa.Table:
    """Every account of ``published`` (the map as published, or None) and ``computed`` (this
    run's periods), one row each, sorted by account ID, in the table's column order."""
    import pyarrow as pa

    columns = list(ACCOUNT_MAP_TABLE)
    chosen: dict[str, dict] = {}
    for table in (published, computed):  # computed last: it wins a tie
        if table is None:
            continue
        for row in table.select(columns).to_pylist():
            held = chosen.get(row[ACCOUNT_ID])
            if held is None or _not_older(row, held):
                chosen[row[ACCOUNT_ID]] = row
    rows = [chosen[account] for account in sorted(chosen)]
    schema = computed.select(columns).schema
    return pa.Table.from_pylist(rows, schema=schema)


def _not_older(row: dict, held: dict) -> bool:
    """Whether ``row``'s latest usage start is not before ``held``'s (a row without one is
    older than any row with one)."""
    new, old = row[LAST_USAGE_START], held[LAST_USAGE_START]
    if old is None:
        return True
    return new is not None and new >= old
