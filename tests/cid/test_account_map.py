"""``account_map`` is one table over every period, as CID joins it: one row per account, merged
run by run, published whole with the same version-and-pointer protocol as the periods."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cur_analysis import columns as c
from cur_analysis.cid.account_map import merged_account_map
from cur_analysis.cid.schema import ACCOUNT_MAP_TABLE, LAST_USAGE_START
from cur_analysis.io import publish
from cur_analysis.io.stores import LocalStore
from cur_analysis.local.reader import LocalCatalogReader
from cur_analysis.pipeline import RunConfig, run

from ..oracle import totals_by_period

MAP = "account_map"


def _map(*rows: tuple[str, str, str, int]) -> pa.Table:
    """An account map of (account, parent, name, day of May 2024 of its latest usage start)."""
    fields = [pa.field(name, pa.string()) for name in ACCOUNT_MAP_TABLE if name != LAST_USAGE_START]
    schema = pa.schema([*fields, pa.field(LAST_USAGE_START, pa.timestamp("us", tz="UTC"))])
    return pa.Table.from_pylist(
        [
            {
                "account_id": account,
                "parent_account_id": parent,
                "account_name": name,
                "account_email_id": account,
                "parent_account_name": None,
                LAST_USAGE_START: datetime(2024, 5, day, tzinfo=UTC),
            }
            for account, parent, name, day in rows
        ],
        schema=schema,
    )


def _names(table: pa.Table) -> dict[str, tuple[str, str]]:
    return {
        row["account_id"]: (row["parent_account_id"], row["account_name"])
        for row in table.to_pylist()
    }


def test_a_merge_keeps_accounts_seen_only_before_and_the_latest_line_decides_the_names() -> None:
    published = _map(("1", "p", "one", 10), ("2", "p", "two", 20), ("3", "p", "three", 5))
    computed = _map(
        ("2", "q", "two again", 15), ("3", "q", "three again", 5), ("4", "q", "four", 1)
    )
    merged = merged_account_map(published, computed)
    assert merged.column_names == list(ACCOUNT_MAP_TABLE)
    assert _names(merged) == {
        "1": ("p", "one"),  # seen only in the published map: stays
        "2": ("p", "two"),  # the published line is later (20 > 15): it decides
        "3": ("q", "three again"),  # a tie: this run's rows win
        "4": ("q", "four"),  # new
    }
    assert merged_account_map(None, computed).equals(computed.sort_by("account_id"))


def _config(catalog: tuple[str, str], output: Path, periods, database: str, datasets):
    return RunConfig(
        *catalog, periods, str(output), output_database=database, datasets=datasets, force=True
    )


def test_summary_view_joined_with_account_map_keeps_every_periods_total(
    spark, generated_catalog, generated_export, tmp_path
) -> None:
    """Three periods published in two runs: each account is one row, so CID's join on the
    account ID alone neither drops nor repeats a cost."""
    chosen = ("summary_view", MAP)
    reader = LocalCatalogReader(spark)
    run(reader, _config(generated_catalog, tmp_path, ("2024-03", "2024-04"), "map_join", chosen))
    run(reader, _config(generated_catalog, tmp_path, ("2024-05",), "map_join", chosen))

    joined = spark.sql(
        "SELECT s.year, s.month, sum(s.unblended_cost) AS cost, count(*) AS n "
        "FROM map_join.summary_view s JOIN map_join.account_map a "
        "ON s.linked_account_id = a.account_id GROUP BY s.year, s.month"
    ).collect()
    alone = spark.sql(
        "SELECT year, month, count(*) AS n FROM map_join.summary_view GROUP BY year, month"
    ).collect()
    expected = totals_by_period(generated_export)
    assert {f"{r.year}-{int(r.month):02d}" for r in joined} == set(expected)
    for row in joined:
        total = expected[f"{row.year}-{int(row.month):02d}"][c.UNBLENDED]
        assert math.isclose(row.cost, total, rel_tol=1e-9), (row, total)
    assert {(r.year, r.month, r.n) for r in joined} == {(r.year, r.month, r.n) for r in alone}
    accounts = spark.sql("SELECT account_id FROM map_join.account_map").collect()
    assert len(accounts) == len({r.account_id for r in accounts})


class Stopped(Exception):
    """The injected failure."""


def _stop_at(stage: str):
    def hook(at: str, detail: str) -> None:
        if at == stage and (stage != publish.STAGED or detail == MAP):
            raise Stopped(stage)

    return hook


def _versions(output: Path) -> list[Path]:
    return sorted((output / MAP).glob("run=*"))


def _published_rows(spark, output: Path, database: str) -> tuple[set, set]:
    """The rows the pointer names, and the rows the catalog table reads."""
    files = publish.published_table_files(str(output), MAP, LocalStore())
    named = {
        (*list(row.values())[:-1], row[LAST_USAGE_START].replace(tzinfo=None))  # as Spark's
        for f in files
        for row in pq.ParquetFile(f).read().to_pylist()
    }
    spark.catalog.refreshTable(f"{database}.{MAP}")
    table = {tuple(row) for row in spark.table(f"{database}.{MAP}").collect()}
    return named, table


def _accounts(rows: set) -> set[str]:
    return {row[0] for row in rows}


@pytest.mark.parametrize(
    "stage",
    [publish.STAGED, publish.TABLE_SWITCHED, publish.SWITCHED, publish.CATALOGED],
)
def test_a_run_stopped_at_any_stage_leaves_the_old_map_or_the_new_and_the_next_run_heals(
    spark, generated_catalog, tmp_path, stage
) -> None:
    reader = LocalCatalogReader(spark)
    database = f"map_faults_{stage.replace('-', '_')}"
    first = run(reader, _config(generated_catalog, tmp_path, ("2024-03",), database, (MAP,)))
    old_rows, _ = _published_rows(spark, tmp_path, database)
    config = _config(generated_catalog, tmp_path, ("2024-04", "2024-05"), database, (MAP,))
    with pytest.raises(Stopped):
        run(reader, config, faults=_stop_at(stage))

    pointer = publish.read_table_pointer(LocalStore(), str(tmp_path), MAP)
    named, read = _published_rows(spark, tmp_path, database)
    switched = stage != publish.STAGED
    assert (pointer.run_id == first.run_id) is not switched
    assert (named == old_rows) is not switched  # the new map: May's usage starts are later
    assert _accounts(named) >= _accounts(old_rows)
    assert read in (old_rows, named)  # the table reads the old version or the new one

    healed = run(reader, config)
    named, read = _published_rows(spark, tmp_path, database)
    assert read == named != old_rows and _accounts(named) >= _accounts(old_rows)
    assert _versions(tmp_path) == [tmp_path / MAP / f"run={healed.run_id}"]
    assert not list((tmp_path / publish.RUNS).glob("*"))
