"""The focus dataset of the real samples and of generated data, each computed once per run."""

from __future__ import annotations

import pytest

from .support import CONVERTER_SAMPLE, FocusRun, csv_export, focus_run


@pytest.fixture(scope="session")
def focus_samples(spark, samples_export, tmp_path_factory) -> FocusRun:
    """``focus`` of the Well-Architected December 2018 (the smallest month: keeps Spark short;
    a focus-only run reads no previous month)."""
    from cur_analysis.local import catalog

    catalog.register(spark, samples_export, "wal_focus", "legacy_all")
    output = tmp_path_factory.mktemp("focus-samples")
    return focus_run(spark, "wal_focus", "legacy_all", ("2018-12",), output)


@pytest.fixture(scope="session")
def focus_converter_sample(spark, samples_dir, tmp_path_factory) -> FocusRun:
    """``focus`` of focus-converter's own AWS sample (2023-11)."""
    from cur_analysis.local import catalog

    root = csv_export(samples_dir / CONVERTER_SAMPLE, tmp_path_factory.mktemp("fc") / "cur")
    catalog.register(spark, root, "fc_focus", "legacy_all")
    output = tmp_path_factory.mktemp("focus-fc")
    return focus_run(spark, "fc_focus", "legacy_all", ("2023-11",), output)


@pytest.fixture(scope="session")
def focus_generated(spark, generated_catalog, tmp_path_factory) -> FocusRun:
    """``focus`` of the whole generated table in one backfill run (``last:3``)."""
    output = tmp_path_factory.mktemp("focus-generated")
    return focus_run(spark, *generated_catalog, ("last:3",), output)
