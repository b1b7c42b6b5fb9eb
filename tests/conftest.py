"""Shared fixtures: one local SparkSession for the whole run, generated and real CUR exports.

Every test is marked by what it starts, from the fixtures it uses (``MARKED_BY``) or a module's
own ``pytestmark``: ``spark`` (the JVM), ``moto`` (a moto server), ``focus_tools`` (the FinOps
Foundation's tools in their virtualenvs), ``browser`` (Chromium). ``make test-fast`` runs the
rest; a test without those marks that starts Spark or a moto server fails (``_starts_nothing``).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from .support import (
    GENERATED_DATASETS_DATABASE,
    GENERATED_ROWS,
    GENERATED_START,
    PROJECT,
    SAMPLE_MONTHS,
)
from .support_moto import ThreadedMotoServer


@pytest.fixture(scope="session")
def spark_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cur-home")


@pytest.fixture(scope="session")
def spark(spark_home: Path):
    """The one SparkSession of the test run (local, Derby metastore in a temp home)."""
    from cur_analysis.local.session import local_spark

    session = local_spark(spark_home, app_name="cur-analysis-tests", cores=2)
    yield session
    session.stop()


@pytest.fixture(scope="session")
def generated_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three drifting months (2024-03..05) of synthetic legacy CUR, written once."""
    from cur_analysis.dev.generate import generate

    root = tmp_path_factory.mktemp("generated") / "cur"
    generate(root, GENERATED_START, 3, GENERATED_ROWS, seed=11)
    return root


@pytest.fixture(scope="session")
def generated_catalog(spark, generated_export: Path) -> tuple[str, str]:
    """``gen_org.legacy_all`` over the generated export and its link ``gen_org_linked``."""
    from cur_analysis.local import catalog

    catalog.register(spark, generated_export, "gen_org", "legacy_all")
    catalog.link(spark, "gen_org_linked", "gen_org")
    return "gen_org_linked", "legacy_all"


@pytest.fixture(scope="session")
def generated_cur2_catalog(spark, tmp_path_factory: pytest.TempPathFactory):
    """The months of ``generated_export`` (same seed) in CUR 2.0 form, registered once as
    ``cur2_org.cur2_all`` with its link ``cur2_org_linked``. Returns what ``register`` found."""
    from cur_analysis.dev.generate import generate
    from cur_analysis.local import catalog

    root = tmp_path_factory.mktemp("generated-cur2") / "export"
    generate(root, GENERATED_START, 3, GENERATED_ROWS, seed=11, fmt="cur2")
    found = catalog.register(spark, root, "cur2_org", "cur2_all")
    catalog.link(spark, "cur2_org_linked", "cur2_org")
    return found


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    """The public CUR samples (``CUR_SAMPLES_DIR``, default ../shared/cur-samples)."""
    folder = Path(os.environ.get("CUR_SAMPLES_DIR", PROJECT.parent / "shared" / "cur-samples"))
    if not folder.is_dir():
        pytest.skip(f"public CUR samples not found at {folder} (set CUR_SAMPLES_DIR)")
    return folder


@pytest.fixture(scope="session")
def samples_export(samples_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The three Well-Architected sample months laid out as an export (year=2018/month=M/)."""
    root = tmp_path_factory.mktemp("samples") / "cur"
    for name, month in SAMPLE_MONTHS.items():
        folder = root / "year=2018" / month
        folder.mkdir(parents=True)
        shutil.copyfile(samples_dir / name, folder / name)  # writable: tests restate months
    return root


@pytest.fixture(scope="session")
def generated_outputs(spark, generated_catalog, tmp_path_factory: pytest.TempPathFactory):
    """The job over all three generated months, every dataset, written once for the whole run
    (folders under a temp dir and tables in ``gen_datasets``). Returns ``(result, output)``."""
    from cur_analysis.local.reader import LocalCatalogReader
    from cur_analysis.pipeline import RunConfig, run

    output = tmp_path_factory.mktemp("generated-datasets")
    periods = ("2024-03", "2024-04", "2024-05")
    config = RunConfig(
        *generated_catalog, periods, str(output), output_database=GENERATED_DATASETS_DATABASE
    )
    return run(LocalCatalogReader(spark), config), output


@pytest.fixture(scope="session")
def job_script():
    """The Glue entry script ``jobs/cur_cost_aggregation.py`` loaded as a module (not a package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "cur_cost_aggregation", PROJECT / "jobs" / "cur_cost_aggregation.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# Fixture name -> the mark of every test that uses it (directly or through another fixture).
MARKED_BY = {
    "spark": "spark",
    "moto_url": "moto",
    "converted": "focus_tools",
    "validated_generated": "focus_tools",
    "validated_samples": "focus_tools",
    "validated_generated_1_2": "focus_tools",
    "validated_samples_1_2": "focus_tools",
}
# The marks of what a test starts (pyproject.toml declares them); ``make test-fast`` runs none.
HEAVY = ("spark", "moto", "focus_tools", "browser")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        for fixture in set(item.fixturenames) & set(MARKED_BY):
            item.add_marker(MARKED_BY[fixture])


def _refuse(what: str):
    def refused(*args, **kwargs):
        raise AssertionError(
            f"this test starts {what} but has none of the marks {', '.join(HEAVY)}: use the "
            "fixture that starts it, or mark the module (tests/conftest.py)"
        )

    return refused


@pytest.fixture(autouse=True)
def _starts_nothing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """A test without a heavy mark may not start the JVM or a moto server."""
    if any(request.node.get_closest_marker(mark) for mark in HEAVY):
        return
    from pyspark.sql import SparkSession

    monkeypatch.setattr(SparkSession.Builder, "getOrCreate", _refuse("Spark"))
    monkeypatch.setattr(ThreadedMotoServer, "start", _refuse("a moto server"))
