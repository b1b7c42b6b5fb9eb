"""The cid datasets over the generated export and over the real samples, each written once."""

from __future__ import annotations

from pathlib import Path

import pytest

from .support import GENERATED_PERIODS, GENERATED_TAGS, SAMPLE_PERIODS, SAMPLE_TAGS, _run


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
