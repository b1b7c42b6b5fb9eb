"""What the Glue reader records as a run's source, and the month it refuses: partitions'
locations and S3 objects (moto), each partition's own columns checked for the required ones.

The Glue client is a small stand-in answering the four calls the reader makes (moto ignores
``CatalogId``, which a resource link needs); S3 is moto in-process.
"""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from cur_analysis import columns as c
from cur_analysis.errors import SourceDataError
from cur_analysis.io.readers import GlueCatalogReader
from cur_analysis.periods import BillingPeriod

from .support import LOCATION, _Glue

APRIL, MAY = BillingPeriod(2024, 4), BillingPeriod(2024, 5)


@pytest.fixture
def s3(monkeypatch):
    for name, value in (("AWS_DEFAULT_REGION", "us-east-1"), ("AWS_ACCESS_KEY_ID", "x")):
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
    with mock_aws():
        client = boto3.client("s3")
        client.create_bucket(Bucket="cur-bucket")
        for month, body in (("4", b"april"), ("5", b"may-file")):
            key = f"cur/report/year=2024/month={month}/cur-00001.snappy.parquet"
            client.put_object(Bucket="cur-bucket", Key=key, Body=body)
        yield client


def test_the_source_record_lists_partitions_objects_sizes_and_etags(s3) -> None:
    reader = GlueCatalogReader(None, _Glue(), s3)
    reader.available_periods("cur_org", "legacy_all")
    record = reader.describe("cur_org", "legacy_all", [APRIL, MAY])
    assert [(p.period, p.values) for p in record.partitions] == [
        ("2024-04", ("2024", "4")),
        ("2024-05", ("2024", "5")),
    ]
    may = record.partitions[1]
    assert may.location == LOCATION.format(month="5")
    (file,) = may.files
    assert file.path.endswith("month=5/cur-00001.snappy.parquet") and file.size == 8
    assert file.etag == s3.head_object(
        Bucket="cur-bucket", Key=file.path.removeprefix("s3://cur-bucket/")
    )["ETag"].strip('"')


def test_a_month_whose_partition_lacks_a_required_column_is_refused(s3) -> None:
    reader = GlueCatalogReader(None, _Glue(without=c.LINE_ITEM_TYPE), s3)
    reader.available_periods("cur_org", "legacy_all")
    with pytest.raises(
        SourceDataError,
        match="the 2024-05 partition of cur_org.legacy_all lacks "
        "the column line_item_line_item_type",
    ):
        reader.describe("cur_org", "legacy_all", [APRIL, MAY])
