"""A run stopped at every publishing stage leaves each period as the old or the new run made it.

The stops are deterministic: ``run(..., faults=...)`` calls the hook at each named stage of
``io.publish`` and the hook raises at the chosen one. After each stop, every dataset of each
period (read through the manifest, and through the catalog tables) must sum to the amortized
total of one source version (old or new, computed independently with DuckDB over the source
files), the same version for every dataset read through the manifest; the next run must succeed
and leave no version, journal record or Spark staging folder behind.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cur_analysis import columns as c
from cur_analysis.datasets.registry import ACCOUNT_MONTHLY, DAILY_COST, TAG_MONTHLY
from cur_analysis.io import publish
from cur_analysis.io.stores import LocalStore
from cur_analysis.local import catalog
from cur_analysis.local.reader import LocalCatalogReader
from cur_analysis.periods import BillingPeriod
from cur_analysis.pipeline import RunConfig, run
from cur_analysis.report.load import CatalogTableSource, ParquetFolderSource

from ..oracle import totals_by_period

PERIODS = (BillingPeriod(2024, 4), BillingPeriod(2024, 5))
DATABASE = "fault_datasets"
# Three datasets keep the test short and still cover both size classes and the tag roll-up.
CHOSEN = (DAILY_COST.name, ACCOUNT_MONTHLY.name, TAG_MONTHLY.name)


class Stopped(Exception):
    """The injected failure."""


def stop_at(stage: str, detail: str = ""):
    def hook(at: str, at_detail: str) -> None:
        if at == stage and (not detail or at_detail == detail):
            raise Stopped(f"{stage} {detail}")

    return hook


class World:
    """Two versions of the source, one output, and which version each period shows now."""

    def __init__(self, spark, output: Path, sources: dict[str, tuple[str, str, Path]]) -> None:
        self.spark, self.output, self.sources = spark, output, sources
        self.expected = {
            name: {p: totals_by_period(export)[p.label][c.AMORTIZED] for p in PERIODS}
            for name, (_, _, export) in sources.items()
        }
        self.current = "old"

    def config(self, name: str) -> RunConfig:
        database, table, _ = self.sources[name]
        labels = tuple(p.label for p in PERIODS)
        output = str(self.output)
        return RunConfig(database, table, labels, output, output_database=DATABASE, datasets=CHOSEN)

    def run(self, name: str, faults=None):
        return run(LocalCatalogReader(self.spark), self.config(name), faults=faults)

    def version_of(self, total: float, period: BillingPeriod) -> str:
        matches = [n for n, by in self.expected.items() if abs(by[period] - total) < 1e-6]
        assert matches, (period, total, self.expected)
        return matches[0]


def _total(frame, dataset: str) -> float:
    """The period's amortized total in one dataset (tag_monthly: one key's rows sum to it)."""
    if dataset == TAG_MONTHLY.name:
        first = sorted(frame[c.TAG_KEY].unique())[0]
        frame = frame[frame[c.TAG_KEY] == first]
    return float(frame[c.AMORTIZED].sum())


def folder_versions(world: World) -> dict[BillingPeriod, set[str]]:
    """Per period, the source versions its datasets show through the manifest."""
    source = ParquetFolderSource(str(world.output))
    found = {}
    for period in PERIODS:
        frames = {name: source.read(name, period) for name in CHOSEN}
        assert all(frame is not None for frame in frames.values()), period
        found[period] = {world.version_of(_total(f, n), period) for n, f in frames.items()}
    return found


def table_versions(world: World) -> dict[BillingPeriod, list[str]]:
    """Per period, the source version each catalog table shows."""
    found: dict[BillingPeriod, list[str]] = {p: [] for p in PERIODS}
    for name in CHOSEN:
        table = world.spark.table(f"{DATABASE}.{name}").toPandas()
        for period in PERIODS:
            rows = table[table[c.BILLING_PERIOD] == period.label]
            found[period].append(world.version_of(_total(rows, name), period))
    return found


def leftovers(output: Path) -> list[str]:
    """Anything a finished run must not leave: journal records, unpublished versions, staging."""
    left = [str(p) for p in (output / publish.RUNS).glob("*")]
    for name in CHOSEN:
        root = output / name
        left += [str(p) for p in root.iterdir() if p.name.startswith(("_temporary", ".spark"))]
        for period in PERIODS:
            manifest = publish.read_manifest(LocalStore(), str(output), period)
            keep = output / manifest.datasets[name].location
            left += [
                str(p) for p in (root / f"year=2024/month={period.month}").iterdir() if p != keep
            ]
    return left


@pytest.fixture(scope="module")
def world(spark, generated_catalog, generated_export, tmp_path_factory) -> World:
    """The old source (the shared generated export) published; a new source registered."""
    from cur_analysis.dev.generate import generate

    newer = tmp_path_factory.mktemp("newer-source") / "cur"
    generate(newer, BillingPeriod(2024, 3), 3, 2000, seed=5)
    catalog.register(spark, newer, "fault_org", "newer")
    sources = {
        "old": (*generated_catalog, generated_export),
        "new": ("fault_org", "newer", newer),
    }
    created = World(spark, tmp_path_factory.mktemp("published"), sources)
    created.run("old")
    assert leftovers(created.output) == []
    return created


STOPS = [
    pytest.param(publish.BEFORE_WRITE, "", id="before-write"),
    pytest.param(publish.STAGED, "daily_cost", id="between-datasets"),
    pytest.param(publish.STAGED, TAG_MONTHLY.name, id="after-staging"),
    pytest.param(publish.SWITCHED, "2024-04", id="between-period-switches"),
    pytest.param(publish.CATALOGED, "account_monthly", id="between-table-switches"),
    pytest.param(publish.PUBLISHED, "", id="after-the-last-switch"),
]


@pytest.mark.parametrize(("stage", "detail"), STOPS)
def test_a_run_stopped_at_any_stage_leaves_old_or_new_periods_and_the_next_run_heals(
    world: World, stage: str, detail: str
) -> None:
    before, target = world.current, "new" if world.current == "old" else "old"
    with pytest.raises(Stopped):
        world.run(target, faults=stop_at(stage, detail))

    shown = folder_versions(world)
    for period, versions in shown.items():
        assert len(versions) == 1, (period, versions)  # consistent across the datasets
    published = stage in (publish.CATALOGED, publish.PUBLISHED)
    april = {target} if published or stage == publish.SWITCHED else {before}
    may = {target} if published else {before}
    assert shown == {PERIODS[0]: april, PERIODS[1]: may}
    tables = table_versions(world)
    assert all(set(versions) <= {before, target} for versions in tables.values())
    if stage == publish.CATALOGED:  # daily_cost and account_monthly switched, the rest not yet
        assert tables[PERIODS[1]] == [target, target, before]
        warnings = CatalogTableSource(world.spark, DATABASE).warnings(PERIODS[1])
        assert warnings and "different runs" in warnings[0]

    world.run(target)
    world.current = target
    assert folder_versions(world) == {p: {target} for p in PERIODS}
    assert table_versions(world) == {p: [target] * len(CHOSEN) for p in PERIODS}
    assert leftovers(world.output) == []
    assert not list(world.output.rglob("*.tmp"))
