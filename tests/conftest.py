"""Shared fixtures: one local SparkSession for the whole run, generated and real CUR exports."""

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
        shutil.copy(samples_dir / name, folder / name)
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
