"""The cid datasets over the generated export and over the real samples, each written once."""

from __future__ import annotations

from pathlib import Path

import pytest

GENERATED_TAGS = ("user_team", "user_cost_center")  # cost_center appears in the second month
SAMPLE_TAGS = ("user_environment", "user_tag21_nov")  # tag21_nov exists in November only
SAMPLE_PERIODS = ("2018-10", "2018-11", "2018-12")
GENERATED_PERIODS = ("2024-03", "2024-04", "2024-05")


def _run(spark, catalog: tuple[str, str], periods, output: Path, database: str, tags):
    from cur_analysis.local.reader import LocalCatalogReader
    from cur_analysis.pipeline import RunConfig, run

    config = RunConfig(
        *catalog,
        periods,
        str(output),
        output_database=database,
        datasets=("cid",),
        cid_tags=tags,
    )
    return run(LocalCatalogReader(spark), config)


@pytest.fixture(scope="session")
def cid_generated(spark, generated_catalog, tmp_path_factory: pytest.TempPathFactory):
    """``(result, output)`` of the cid group over the three generated months."""
    output = tmp_path_factory.mktemp("cid-generated")
    result = _run(spark, generated_catalog, GENERATED_PERIODS, output, "gen_cid", GENERATED_TAGS)
    return result, output


@pytest.fixture(scope="session")
def cid_samples(spark, samples_export: Path, tmp_path_factory: pytest.TempPathFactory):
    """``(result, output)`` of the cid group over the three Well-Architected sample months."""
    from cur_analysis.local import catalog

    catalog.register(spark, samples_export, "cid_samples_org", "legacy_all")
    output = tmp_path_factory.mktemp("cid-samples")
    result = _run(
        spark,
        ("cid_samples_org", "legacy_all"),
        SAMPLE_PERIODS,
        output,
        "samples_cid",
        SAMPLE_TAGS,
    )
    return result, output
