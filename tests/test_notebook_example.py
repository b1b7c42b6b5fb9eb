"""``examples/notebook.py`` runs against the local catalog and its figures match DuckDB's."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

from cur_analysis.io.readers import LocalCatalogReader
from cur_analysis.periods import BillingPeriod

from .conftest import PROJECT
from .independent import totals_by_period

EXAMPLE = PROJECT / "examples" / "notebook.py"


@pytest.fixture(scope="module")
def notebook() -> dict:
    """The example's functions, loaded as a module (its ``main`` is not run on load)."""
    return runpy.run_path(str(EXAMPLE), run_name="notebook_example")


def test_daily_cost_of_a_period_matches_an_independent_total(
    notebook: dict, spark, generated_catalog: tuple[str, str], generated_export: Path
) -> None:
    database, table = generated_catalog
    reader = LocalCatalogReader(spark)
    period = notebook["latest_period"](reader, database, table)
    assert period == BillingPeriod(2024, 5)

    daily = notebook["daily_cost_of"](reader, period, database, table)
    got = daily.agg({"unblended_cost": "sum", "amortized_cost": "sum", "line_item_count": "sum"})
    row = got.collect()[0]
    expected = totals_by_period(generated_export)["2024-05"]
    assert row["sum(unblended_cost)"] == pytest.approx(expected["unblended_cost"], abs=1e-6)
    assert row["sum(amortized_cost)"] == pytest.approx(expected["amortized_cost"], abs=1e-6)
    assert row["sum(line_item_count)"] == expected["line_item_count"]
    assert {r["billing_period"] for r in daily.select("billing_period").distinct().collect()} == {
        "2024-05"
    }


def test_main_shows_the_top_services(
    notebook: dict, spark, spark_home: Path, generated_catalog: tuple[str, str], capsys
) -> None:
    database, table = generated_catalog
    notebook["main"](
        ["--home", str(spark_home), "--database", database, "--table", table, "--period", "2024-04"]
    )
    out = capsys.readouterr().out
    assert out.startswith(f"daily_cost of {database}.{table} for 2024-04: ")
    assert "|service" in out and "unblended_cost" in out
