"""Scheduled runs over a local export: unchanged periods skipped without Spark, changed ones
recomputed, each with its reason on one line; published figures equal DuckDB's over the same
files whatever was skipped."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import cur_analysis
from cur_analysis.io.publish import manifest_path, read_manifest
from cur_analysis.io.stores import LocalStore
from cur_analysis.local import catalog
from cur_analysis.local.index import index_path
from cur_analysis.periods import BillingPeriod
from cur_analysis.report.load import ParquetFolderSource

from ..support import PROJECT
from .support import DATASETS, World, _outcomes, _touch

APRIL, MAY = BillingPeriod(2024, 4), BillingPeriod(2024, 5)


@pytest.fixture
def world(spark, spark_home, generated_export, tmp_path, request) -> World:
    export = tmp_path / "cur"
    shutil.copytree(generated_export, export)
    database = f"sched_{request.node.name[5:25].lower()}".replace("-", "_")
    catalog.register(spark, export, database, "legacy_all")
    return World(spark_home, export, tmp_path / "out", database)


def test_unchanged_periods_are_skipped_without_spark_and_a_rewritten_one_is_recomputed(
    world, spark, capsys, monkeypatch
) -> None:
    code, lines = world.run(capsys, "--period", "last:2")
    assert code == 0
    assert _outcomes(lines) == {
        "2024-04": "computed (not published yet)",
        "2024-05": "computed (not published yet)",
    }
    published = read_manifest(LocalStore(), str(world.output), MAY)
    first = published.run_id
    assert not published.closed  # the generator writes no invoice ids
    april = world.manifest_text(APRIL)

    spark.sparkContext.setJobGroup("skipped-run", "every period unchanged")
    with monkeypatch.context() as patched:
        patched.setattr("cur_analysis.local.session.local_spark", _no_spark)
        code, lines = world.run(capsys, "--period", "last:2")
    assert code == 0
    assert _outcomes(lines) == {
        "2024-04": f"skipped (unchanged since run {first})",
        "2024-05": f"skipped (unchanged since run {first})",
    }
    assert spark.sparkContext.statusTracker().getJobIdsForGroup("skipped-run") == []
    assert world.manifest_text(APRIL) == april
    assert _skipped_in_a_process_of_its_own(world) < 3.0

    _touch(world.month_file(MAY))
    code, lines = world.run(capsys, "--period", "last:2")
    assert _outcomes(lines) == {
        "2024-04": f"skipped (unchanged since run {first})",
        "2024-05": "computed (source changed: 1 file, new modification times; previous month "
        f"from run {first})",
    }
    assert world.manifest_text(APRIL) == april  # the skipped period's tables stay as they were
    for period in (APRIL, MAY):
        assert world.published_amortized(period) == pytest.approx(world.expected_amortized(period))


def test_a_restated_previous_month_recomputes_the_month_after_it(world, capsys) -> None:
    world.run(capsys, "--period", "2024-05")
    _touch(world.month_file(APRIL))
    code, lines = world.run(capsys, "--period", "2024-05")
    assert code == 0
    assert _outcomes(lines) == {
        "2024-05": "computed (previous period 2024-04 restated: 1 file, new modification times)"
    }
    _, lines = world.run(capsys, "--period", "2024-05", datasets="daily_cost")
    assert _outcomes(lines)["2024-05"].startswith("skipped (")  # no change columns there


def test_a_file_added_or_removed_is_recomputed_to_the_independent_figures(world, capsys) -> None:
    world.run(capsys, "--period", "2024-05")
    extra = world.month_file(MAY).with_name("cur-00002.snappy.parquet")
    shutil.copy(world.month_file(MAY), extra)
    _, lines = world.run(capsys, "--period", "2024-05")
    assert _outcomes(lines) == {"2024-05": "computed (source changed: 1 file added)"}
    assert world.published_amortized(MAY) == pytest.approx(world.expected_amortized(MAY))
    extra.unlink()
    _, lines = world.run(capsys, "--period", "2024-05")
    assert _outcomes(lines) == {"2024-05": "computed (source changed: 1 file removed)"}
    assert world.published_amortized(MAY) == pytest.approx(world.expected_amortized(MAY))


def test_a_new_dataset_a_version_bump_force_and_a_corrupt_manifest_are_computed(
    world, capsys, monkeypatch
) -> None:
    world.run(capsys, "--period", "2024-05")
    _, lines = world.run(capsys, "--period", "2024-05", datasets=f"{DATASETS},savings_monthly")
    assert _outcomes(lines) == {"2024-05": "computed (savings_monthly not published yet)"}
    with monkeypatch.context() as patched:
        patched.setattr(cur_analysis, "__version__", "99.0.0")
        _, lines = world.run(capsys, "--period", "2024-05")
    assert _outcomes(lines) == {
        "2024-05": f"computed (package version {cur_analysis.__version__} -> 99.0.0)"
    }
    _, lines = world.run(capsys, "--period", "2024-05")
    assert _outcomes(lines)["2024-05"] == "computed (package version 99.0.0 -> 0.1.0)".replace(
        "0.1.0", cur_analysis.__version__
    )
    _, lines = world.run(capsys, "--period", "2024-05", "--force")
    assert _outcomes(lines) == {"2024-05": "computed (--force)"}
    Path(manifest_path(str(world.output), MAY)).write_text('{"format": 2, "datasets": ')
    _, lines = world.run(capsys, "--period", "2024-05")
    (outcome,) = _outcomes(lines).values()
    assert outcome.startswith("computed (manifest unreadable (JSONDecodeError: ")
    _, lines = world.run(capsys, "--period", "2024-05")
    assert _outcomes(lines)["2024-05"].startswith("skipped (")


def _skipped_in_a_process_of_its_own(world: World) -> float:
    """Seconds a ``cur-analysis run`` process takes, start to exit 0, when every period is
    unchanged (its own home, with the catalog index copied: this process holds the world's)."""
    home = world.output.parent / "home-of-its-own"
    home.mkdir()
    shutil.copy(index_path(world.home), index_path(home))
    command = [sys.executable, "-m", "cur_analysis", "--home", str(home), "run"]
    command += ["--database", world.database, "--output", str(world.output)]
    command += ["--datasets", DATASETS, "--period", "last:2"]
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    started = time.monotonic()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    seconds = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    assert "nothing to compute: every requested period is published and unchanged" in done.stdout
    return seconds


def _no_spark(*args, **kwargs):
    raise AssertionError("Spark was started for a run with nothing to compute")


def test_a_closed_month_is_recorded_shown_and_recomputed_when_restated(
    spark, spark_home, samples_export, tmp_path, capsys
) -> None:
    export = tmp_path / "cur"
    shutil.copytree(samples_export, export)
    catalog.register(spark, export, "sched_closed", "legacy_all")
    world = World(spark_home, export, tmp_path / "out", "sched_closed")
    december = BillingPeriod(2018, 12)
    _, lines = world.run(capsys, "--period", "2018-12")
    assert _outcomes(lines) == {"2018-12": "computed (not published yet), closed"}
    manifest = read_manifest(LocalStore(), str(world.output), december)
    assert manifest.closed
    source = ParquetFolderSource(str(world.output))
    assert source.warnings(december) == ()
    assert source.status(december) == (
        f"2018-12 is closed: every line item carries an invoice id (run {manifest.run_id}); a "
        "later restatement (credits, refunds) is recomputed by the next scheduled run."
    )
    _, lines = world.run(capsys, "--period", "2018-12")
    assert _outcomes(lines) == {
        "2018-12": f"skipped (unchanged since run {manifest.run_id}), closed"
    }
    _touch(next((export / "year=2018" / "month=12").glob("*.parquet")))
    _, lines = world.run(capsys, "--period", "2018-12")
    assert _outcomes(lines) == {
        "2018-12": "computed (source changed: 1 file, new modification times), closed"
    }


def test_the_local_index_lists_what_the_metastore_holds_through_a_link(
    spark, spark_home, generated_catalog
) -> None:
    from cur_analysis.local.index import LocalCatalogIndex
    from cur_analysis.local.reader import LocalCatalogReader

    index = LocalCatalogIndex(spark_home)
    assert index.knows(*generated_catalog)
    from_index = index.partition_locations(*generated_catalog)
    from_metastore = LocalCatalogReader(spark).partition_locations(*generated_catalog)
    assert [(p, Path(loc)) for p, loc in from_index] == [
        (p, Path(loc.removeprefix("file:"))) for p, loc in from_metastore
    ]
