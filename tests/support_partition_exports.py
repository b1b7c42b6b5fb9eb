"""Exports with zero-padded month folders and a column typed differently between months, made
from the generated export, and DuckDB's totals over them (the independent figures)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from cur_analysis import columns as c


def _copy_month(source: Path, target: Path, *, cost_as_text: bool) -> None:
    """Copy one month's files; with ``cost_as_text`` the unblended cost is written as strings,
    one in ten of them blank (what a writer that lost the type leaves)."""
    target.mkdir(parents=True)
    for file in sorted(source.glob("*.parquet")):
        table = pq.read_table(file)
        if cost_as_text:
            index = table.schema.get_field_index(c.UNBLENDED_COST)
            texts = [
                "" if i % 10 == 0 else repr(value)
                for i, value in enumerate(table.column(index).to_pylist())
            ]
            table = table.set_column(index, c.UNBLENDED_COST, pa.array(texts, pa.string()))
        pq.write_table(table, target / file.name)


def write_export(generated: Path, root: Path, month_folders: dict[int, str], text_months: set[int]):
    for month, folder in month_folders.items():
        _copy_month(
            generated / "year=2024" / f"month={month}",
            root / "year=2024" / folder,
            cost_as_text=month in text_months,
        )
    return root


def duckdb_totals(export: Path) -> dict[str, tuple[float, int]]:
    """Per ``YYYY-MM``: the unblended cost (``TRY_CAST`` to double) and the row count."""
    glob = str(export / "year=*" / "month=*" / "*.parquet")
    rows = (
        duckdb.connect()
        .execute(
            f"""
            SELECT year || '-' || lpad(CAST(CAST(month AS INTEGER) AS VARCHAR), 2, '0'),
                   sum(TRY_CAST({c.UNBLENDED_COST} AS DOUBLE)), count(*)
            FROM read_parquet('{glob}', union_by_name=true, hive_partitioning=true,
                              hive_types_autocast=false)
            GROUP BY 1 ORDER BY 1
            """
        )
        .fetchall()
    )
    return {period: (float(cost), int(count)) for period, cost, count in rows}
