"""Each cid table against CID's rules written again in DuckDB (``oracle``): every row, every
grouping column, measures to 1e-9 relative."""

from __future__ import annotations

import pytest

from . import oracle
from .support import GENERATED_TAGS, SAMPLE_TAGS, VIEWS, _compare, _written


@pytest.mark.parametrize("view", VIEWS)
def test_generated_rows_equal_cids_rules(cid_generated, generated_export, view) -> None:
    _, output = cid_generated
    expected = getattr(oracle, view)(generated_export, GENERATED_TAGS)
    rows, _ = _compare(view, _written(output, view), expected)
    print(f"{view}: {rows} rows equal (generated)")


@pytest.mark.parametrize("view", VIEWS)
def test_sample_rows_equal_cids_rules(cid_samples, samples_export, view) -> None:
    _, output = cid_samples
    expected = getattr(oracle, view)(samples_export, SAMPLE_TAGS)
    if not expected:
        pytest.skip(f"the samples have no {view} rows (no Savings Plans, S3 storage...)")
    rows, _ = _compare(view, _written(output, view), expected)
    print(f"{view}: {rows} rows equal (samples)")
