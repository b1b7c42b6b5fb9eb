"""A computed period's change columns from its previous month as published, instead of that
month's source: figures identical to a computation from the source (generated export and real
samples), only the period's own rows read, and the source read instead when the previous month
was restated since or its published files are gone or unreadable."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from cur_analysis import columns as c
from cur_analysis.datasets.registry import ACCOUNT_MONTHLY, DATASETS, SERVICE_MONTHLY
from cur_analysis.io.publish import manifest_path
from cur_analysis.local import catalog
from cur_analysis.local.reader import LocalCatalogReader
from cur_analysis.periods import BillingPeriod
from cur_analysis.pipeline import RunConfig, RunResult, run
from cur_analysis.report.load import ParquetFolderSource

from ..oracle import ACCOUNT_SQL, totals_by
from ..support import input_records
from .support import World, _outcomes, _touch

APRIL, MAY = BillingPeriod(2024, 4), BillingPeriod(2024, 5)
NOVEMBER, DECEMBER = BillingPeriod(2018, 11), BillingPeriod(2018, 12)


def _inputs(output: Path, period: BillingPeriod) -> dict:
    """What the run that last published ``period`` recorded of its inputs."""
    manifest = json.loads(Path(manifest_path(str(output), period)).read_text())
    return manifest["inputs"][manifest["run_id"]]


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    columns = sorted(frame.columns)
    return frame[columns].sort_values(columns, ignore_index=True)


def _footer_rows(export: Path, period: BillingPeriod) -> int:
    folder = export / f"year={period.year}" / f"month={period.month}"
    return sum(pq.ParquetFile(path).metadata.num_rows for path in folder.glob("*.parquet"))


def _previous_by_account(output: Path, period: BillingPeriod) -> dict[str, float]:
    """``previous_amortized_cost`` per usage account, as ``period``'s account_monthly says."""
    frame = ParquetFolderSource(str(output)).read(ACCOUNT_MONTHLY.name, period)
    return frame.groupby(c.ACCOUNT)[c.PREVIOUS_AMORTIZED].sum().to_dict()


def _expected_previous(export: Path, period: BillingPeriod, accounts) -> dict[str, float]:
    """The previous month's amortized cost per account, by DuckDB over the raw files (0 for an
    account without line items then)."""
    by_account = totals_by(export, ACCOUNT_SQL)
    label = period.previous().label
    return {a: by_account.get((label, a), {}).get(c.AMORTIZED, 0.0) for a in accounts}


def _run(spark, catalog_table, period: BillingPeriod, output: Path, group: str) -> RunResult:
    context = spark.sparkContext
    context.setJobGroup(group, group)
    try:
        config = RunConfig(*catalog_table, (period.label,), str(output))
        return run(LocalCatalogReader(spark), config)
    finally:
        context.setJobGroup("", "")


@pytest.fixture(scope="module")
def samples_catalog(spark, samples_export) -> tuple[str, str]:
    catalog.register(spark, samples_export, "prev_wal", "legacy_all")
    return "prev_wal", "legacy_all"


CASES = {
    "generated": ("generated_catalog", "generated_export", APRIL, MAY),
    "samples": ("samples_catalog", "samples_export", NOVEMBER, DECEMBER),
}


@pytest.mark.parametrize("case", CASES)
def test_a_period_with_its_previous_month_as_published_equals_it_computed_from_the_source(
    spark, request, tmp_path, case
) -> None:
    catalog_fixture, export_fixture, previous, period = CASES[case]
    table = request.getfixturevalue(catalog_fixture)
    export = request.getfixturevalue(export_fixture)
    taken, read = tmp_path / "taken", tmp_path / "read"
    first = _run(spark, table, previous, taken, f"prev-{case}-first")
    with_published = _run(spark, table, period, taken, f"prev-{case}-taken")
    from_source = _run(spark, table, period, read, f"prev-{case}-read")

    (decision,) = with_published.schedule.decisions
    assert decision.reason == "not published yet"
    assert decision.previous == f"previous month from run {first.run_id}"
    (alone,) = from_source.schedule.decisions
    assert (alone.reason, alone.previous) == ("not published yet", "")
    recorded = _inputs(taken, period)
    assert recorded["previous_from"] == "published"
    assert recorded["previous_runs"] == {
        ACCOUNT_MONTHLY.name: first.run_id,
        SERVICE_MONTHLY.name: first.run_id,
    }
    assert _inputs(read, period)["previous_from"] == "source"

    ours, theirs = ParquetFolderSource(str(taken)), ParquetFolderSource(str(read))
    for dataset in DATASETS:
        pd.testing.assert_frame_equal(
            _sorted(ours.read(dataset, period)),
            _sorted(theirs.read(dataset, period)),
            check_exact=True,
            obj=dataset,
        )
    figures = _previous_by_account(taken, period)
    expected = _expected_previous(export, period, figures)
    assert figures == pytest.approx(expected, rel=1e-9)
    assert any(value != 0 for value in figures.values())

    own, before = _footer_rows(export, period), _footer_rows(export, previous)
    assert own <= input_records(spark, f"prev-{case}-taken") < own + before  # April not read
    assert input_records(spark, f"prev-{case}-read") >= own + before
    tracker = spark.sparkContext.statusTracker()
    jobs = [len(tracker.getJobIdsForGroup(f"prev-{case}-{g}")) for g in ("taken", "read")]
    assert jobs[0] == jobs[1]  # the published files are read with their schema: no job of their own


@pytest.fixture
def world(spark, spark_home, generated_export, tmp_path, request) -> World:
    export = tmp_path / "cur"
    shutil.copytree(generated_export, export)
    database = f"prev_{abs(hash(request.node.name)) % 10**8}"
    catalog.register(spark, export, database, "legacy_all")
    return World(spark_home, export, tmp_path / "out", database)


DEFAULT = ",".join(DATASETS)


def _restate_by_halving(file: Path) -> None:
    """Rewrite a month's file with every other line item: other figures, another size."""
    rows = pq.read_table(file)
    pq.write_table(rows.take(list(range(0, rows.num_rows, 2))), file)


def test_a_previous_month_restated_after_it_was_published_is_read_from_its_source(
    world, capsys
) -> None:
    world.run(capsys, "--period", "last:2", datasets=DEFAULT)
    published_april = ParquetFolderSource(str(world.output)).read(ACCOUNT_MONTHLY.name, APRIL)
    _restate_by_halving(world.month_file(APRIL))

    code, lines = world.run(capsys, "--period", "2024-05", datasets=DEFAULT)
    assert code == 0
    assert _outcomes(lines) == {
        "2024-05": "computed (previous period 2024-04 restated: 1 file, new sizes and "
        "modification times)"
    }
    assert _inputs(world.output, MAY)["previous_from"] == "source"
    figures = _previous_by_account(world.output, MAY)
    assert figures == pytest.approx(_expected_previous(world.export, MAY, figures), rel=1e-9)
    stale = published_april.groupby(c.ACCOUNT)[c.AMORTIZED].sum().to_dict()
    assert any(figures[a] != pytest.approx(stale.get(a, 0.0), rel=1e-6) for a in figures)


def _break_published_april(output: Path, how: str) -> str:
    """Make April's published figures unusable; returns what May's line then says of them."""
    manifest = json.loads(Path(manifest_path(str(output), APRIL)).read_text())
    entry = manifest["datasets"][ACCOUNT_MONTHLY.name]
    (file,) = entry["files"]
    if how == "run folders gone":
        for dataset in manifest["datasets"].values():
            shutil.rmtree(output / dataset["location"])
        return f"{file['name']} of run {entry['run_id']} is missing or cannot be read"
    path = output / entry["location"] / file["name"]
    path.write_bytes(b"x" * path.stat().st_size)  # same size, not Parquet
    return f"{file['name']} of run {entry['run_id']} is not Parquet (ArrowInvalid)"


@pytest.mark.parametrize("how", ["run folders gone", "file unreadable"])
def test_a_published_previous_month_that_cannot_be_read_is_read_from_its_source(
    world, capsys, how
) -> None:
    world.run(capsys, "--period", "last:2", datasets=DEFAULT)
    said = _break_published_april(world.output, how)
    _touch(world.month_file(MAY))

    code, lines = world.run(capsys, "--period", "2024-05", datasets=DEFAULT)
    assert code == 0
    assert _outcomes(lines) == {
        "2024-05": "computed (source changed: 1 file, new modification times; previous month "
        f"from its source: the published 2024-04 account_monthly file {said})"
    }
    assert _inputs(world.output, MAY)["previous_from"] == "source"
    figures = _previous_by_account(world.output, MAY)
    assert figures == pytest.approx(_expected_previous(world.export, MAY, figures), rel=1e-9)
