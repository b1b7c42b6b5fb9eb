"""The focus dataset of the real samples and of generated data, each computed once per run,
and the FinOps Foundation's tools over the same inputs, started in the background as soon as
their input exists (``tools.Running``): a test waits only for what is not done yet."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest

from . import tools
from .support import CONVERTER_SAMPLE, SAMPLE_MONTH, FocusRun, csv_export, focus_run


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
def validated_generated(focus_generated, tmp_path_factory) -> Iterator[tools.Running]:
    """focus-validator over the generated table's ``focus``, started as soon as it exists."""
    running = _validation(focus_generated.table, tmp_path_factory.mktemp("validated-generated"))
    with _stopped_at_the_end(running):
        yield running


@pytest.fixture(scope="session")
def validated_samples(
    focus_samples, focus_converter_sample, tmp_path_factory
) -> Iterator[tools.Running]:
    """focus-validator over both real samples in one run (the same schema; the validator's
    start-up and SQL checks dominate its time)."""
    table = pa.concat_tables([focus_samples.table, focus_converter_sample.table])
    running = _validation(table, tmp_path_factory.mktemp("validated-samples"))
    with _stopped_at_the_end(running):
        yield running
