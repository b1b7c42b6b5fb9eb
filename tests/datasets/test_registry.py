"""The dataset registry against what each builder produces and what a run writes."""

from __future__ import annotations

from pathlib import Path

import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from cur_analysis import columns as c
from cur_analysis.datasets.grain import fine_grain
from cur_analysis.datasets.registry import DATASETS, REGISTRY, TAG_MONTHLY, Dataset, Scope
from cur_analysis.errors import InvalidInputError

from ..support_frames import conformed

# The default set, which ``generated_outputs`` writes (``focus`` is opt-in: tests/focus).
DEFAULT = [dataset for dataset in REGISTRY if dataset.default]
IDS = [dataset.name for dataset in DEFAULT]


def _written(output: Path, dataset: Dataset):
    return ds.dataset(output / dataset.name, format="parquet", partitioning="hive").to_table()


@pytest.mark.parametrize("dataset", DEFAULT, ids=IDS)
def test_declared_columns_are_the_written_columns_in_order(generated_outputs, dataset) -> None:
    _, output = generated_outputs
    files = sorted((output / dataset.name).glob("year=*/month=*/run=*/*.parquet"))
    assert len(files) == 3  # one file per period
    for file in files:
        assert tuple(pq.read_schema(file).names) == dataset.columns


@pytest.mark.parametrize("dataset", DEFAULT, ids=IDS)
def test_declared_keys_identify_the_rows(generated_outputs, dataset) -> None:
    _, output = generated_outputs
    frame = _written(output, dataset).to_pandas()
    assert len(frame) > 0
    assert not frame.duplicated(subset=list(dataset.keys)).any()
    assert set(dataset.keys) < set(dataset.columns)


def test_the_run_writes_every_registered_dataset_in_order(generated_outputs) -> None:
    result, output = generated_outputs
    assert tuple(result.outputs) == DATASETS
    assert [Path(path) for path in result.outputs.values()] == [output / n for n in DATASETS]


def _untagged(spark):
    columns = [c.PAYER_ACCOUNT_ID, c.USAGE_ACCOUNT_ID, c.SERVICE_CODE, c.UNBLENDED_COST]
    return conformed(spark, [dict(zip(columns, ("p", "a", "EC2", 1.0), strict=True))], columns)


def test_tag_monthly_without_tag_columns_is_empty_with_the_declared_columns(spark) -> None:
    grain = _untagged(spark).transform(fine_grain())
    out = grain.transform(TAG_MONTHLY.builder(Scope()))
    assert tuple(out.columns) == TAG_MONTHLY.columns
    assert out.count() == 0


def test_tag_monthly_of_a_grain_made_without_its_tags_names_them(spark) -> None:
    grain = _untagged(spark).transform(fine_grain())
    with pytest.raises(InvalidInputError, match=r"no tag columns \['resource_tags_user_team'\]"):
        grain.transform(TAG_MONTHLY.builder(Scope(tag_columns=("resource_tags_user_team",))))
