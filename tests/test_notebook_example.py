"""``examples/notebook.py`` runs against the local catalog and its figures match DuckDB's, on a
legacy CUR table and on a CUR 2.0 table of the same rows."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

from cur_analysis.dev.generate import generate
from cur_analysis.local import catalog
from cur_analysis.local.reader import LocalCatalogReader
from cur_analysis.periods import BillingPeriod

from .oracle import totals_by_period
from .support import GENERATED_ROWS, GENERATED_START, PROJECT

EXAMPLE = PROJECT / "examples" / "notebook.py"


@pytest.fixture(scope="module")
def notebook() -> dict:
    """The example's functions, loaded as a module (its ``main`` is not run on load)."""
    return runpy.run_path(str(EXAMPLE), run_name="notebook_example")


@pytest.fixture(scope="module")
def cur2_table(spark, tmp_path_factory) -> tuple[str, str]:
    """The generated months (same seed and start as ``generated_export``) as a CUR 2.0 export."""
    root = tmp_path_factory.mktemp("notebook-cur2") / "export"
    generate(root, GENERATED_START, 3, GENERATED_ROWS, seed=11, fmt="cur2")
    catalog.register(spark, root, "nb_cur2_org", "cur2_all")
    return "nb_cur2_org", "cur2_all"


@pytest.fixture(params=["legacy", "cur2"])
def table_of_layout(request, generated_catalog) -> tuple[str, str]:
    if request.param == "legacy":
        return generated_catalog
    return request.getfixturevalue("cur2_table")


def test_daily_cost_of_a_period_matches_an_independent_total(
    notebook: dict, spark, table_of_layout: tuple[str, str], generated_export: Path
) -> None:
    database, table = table_of_layout
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
