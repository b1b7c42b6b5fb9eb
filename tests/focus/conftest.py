"""The focus dataset of the real samples and of generated data, each computed once per run,
and the FinOps Foundation's tools over the same inputs, started in the background as soon as
their input exists (``tools.Running``): a test waits only for what is not done yet."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest

from . import support_tools as tools
from .support import CONVERTER_SAMPLE, SAMPLE_MONTH, V1_0, FocusRun, csv_export, focus_run


@pytest.fixture(scope="session")
def samples_catalog(spark, samples_export) -> tuple[str, str]:
    from cur_analysis.local import catalog

    catalog.register(spark, samples_export, "wal_focus", "legacy_all")
    return "wal_focus", "legacy_all"


@pytest.fixture(scope="session")
def converter_catalog(spark, samples_dir, tmp_path_factory) -> tuple[str, str]:
    """focus-converter's own AWS sample (2023-11) as a legacy export."""
    from cur_analysis.local import catalog

    root = csv_export(samples_dir / CONVERTER_SAMPLE, tmp_path_factory.mktemp("fc") / "cur")
    catalog.register(spark, root, "fc_focus", "legacy_all")
    return "fc_focus", "legacy_all"


@pytest.fixture(scope="session")
def focus_samples(spark, samples_catalog, tmp_path_factory) -> FocusRun:
    """FOCUS 1.2 of the Well-Architected December 2018 (the smallest month: keeps Spark short;
    a focus-only run reads no previous month)."""
    output = tmp_path_factory.mktemp("focus-samples")
    return focus_run(spark, *samples_catalog, ("2018-12",), output)


@pytest.fixture(scope="session")
def focus_samples_1_0(spark, samples_catalog, tmp_path_factory) -> FocusRun:
    """FOCUS 1.0 of the same month."""
    output = tmp_path_factory.mktemp("focus-samples-1.0")
    return focus_run(spark, *samples_catalog, ("2018-12",), output, V1_0)


@pytest.fixture(scope="session")
def focus_converter_sample(spark, converter_catalog, tmp_path_factory) -> FocusRun:
    """FOCUS 1.2 of focus-converter's own AWS sample (2023-11)."""
    output = tmp_path_factory.mktemp("focus-fc")
    return focus_run(spark, *converter_catalog, ("2023-11",), output)


@pytest.fixture(scope="session")
def focus_converter_sample_1_0(spark, converter_catalog, tmp_path_factory) -> FocusRun:
    output = tmp_path_factory.mktemp("focus-fc-1.0")
    return focus_run(spark, *converter_catalog, ("2023-11",), output, V1_0)


@pytest.fixture(scope="session")
def focus_generated(spark, generated_catalog, tmp_path_factory) -> FocusRun:
    """FOCUS 1.2 of the whole generated table in one backfill run (``last:3``)."""
    output = tmp_path_factory.mktemp("focus-generated")
    return focus_run(spark, *generated_catalog, ("last:3",), output)


@pytest.fixture(scope="session")
def focus_generated_1_0(spark, generated_catalog, tmp_path_factory) -> FocusRun:
    output = tmp_path_factory.mktemp("focus-generated-1.0")
    return focus_run(spark, *generated_catalog, ("last:3",), output, V1_0)


@contextlib.contextmanager
def _stopped_at_the_end(*running: tools.Running) -> Iterator[None]:
    """Kill, when the session ends, a tool no test waited for (its test deselected)."""
    try:
        yield
    finally:
        for tool in running:
            tool.stop()


@pytest.fixture(scope="session")
def converted(samples_dir, tmp_path_factory) -> Iterator[dict[str, tools.Running]]:
    """focus-converter over its own AWS sample (``own``) and the Well-Architected December
    (``wal``): they read the raw samples, so they start before any Spark run."""
    folder = tmp_path_factory.mktemp("converted")
    own_sample, wal_month = samples_dir / CONVERTER_SAMPLE, samples_dir / SAMPLE_MONTH
    own = tools.start_converter("aws-cur", "csv", own_sample, folder / "own.parquet")
    wal = tools.start_converter("aws", "parquet", wal_month, folder / "wal.parquet")
    with _stopped_at_the_end(own, wal):
        yield {"own": own, "wal": wal}


def _validation(table: pa.Table, folder: Path) -> tools.Running:
    data = tools.validator_copy(table, folder / "focus.parquet")
    return tools.start_validator(data, folder / "validator.xml")


@pytest.fixture(scope="session")
def validated_generated(focus_generated_1_0, tmp_path_factory) -> Iterator[tools.Running]:
    """focus-validator 1.0.0 over the generated table's FOCUS 1.0, started as soon as it
    exists."""
    table = focus_generated_1_0.table
    running = _validation(table, tmp_path_factory.mktemp("validated-generated"))
    with _stopped_at_the_end(running):
        yield running


@pytest.fixture(scope="session")
def validated_samples(
    focus_samples_1_0, focus_converter_sample_1_0, tmp_path_factory
) -> Iterator[tools.Running]:
    """focus-validator 1.0.0 over both real samples' FOCUS 1.0 in one run (the same schema; the
    validator's start-up and SQL checks dominate its time)."""
    table = pa.concat_tables([focus_samples_1_0.table, focus_converter_sample_1_0.table])
    running = _validation(table, tmp_path_factory.mktemp("validated-samples"))
    with _stopped_at_the_end(running):
        yield running


def _validation_1_2(table: pa.Table, folder: Path) -> tools.Running | tools.Missing:
    return tools.start_validator_1_2(tools.validator_copy_1_2(table, folder))


@pytest.fixture(scope="session")
def validated_generated_1_2(
    focus_generated, tmp_path_factory
) -> Iterator[tools.Running | tools.Missing]:
    """focus-validator 2.2.1 over the generated table's FOCUS 1.2."""
    folder = tmp_path_factory.mktemp("validated-generated-1.2")
    running = _validation_1_2(focus_generated.table, folder)
    with _stopped_at_the_end(running):
        yield running


@pytest.fixture(scope="session")
def validated_samples_1_2(
    focus_samples, focus_converter_sample, tmp_path_factory
) -> Iterator[tools.Running | tools.Missing]:
    """focus-validator 2.2.1 over both real samples' FOCUS 1.2 in one run."""
    table = pa.concat_tables([focus_samples.table, focus_converter_sample.table])
    folder = tmp_path_factory.mktemp("validated-samples-1.2")
    running = _validation_1_2(table, folder)
    with _stopped_at_the_end(running):
        yield running
