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

APRIL, MAY = BillingPeriod(2024, 4), BillingPeriod(2024, 5)
LOCATION = "s3://cur-bucket/cur/report/year=2024/month={month}/"


class _Paginator:
    def __init__(self, partitions):
        self._partitions = partitions

    def paginate(self, **_):
        return [{"Partitions": self._partitions}]


class _Glue:
    """GetDatabase, GetTable, GetPartitions (no column schema) and GetPartition as Glue answers
    them for a crawled table whose May partition lacks ``without``."""

    def __init__(self, without: str | None = None) -> None:
        self.columns = {
            month: [{"Name": name, "Type": "string"} for name in c.REQUIRED_COLUMNS]
            for month in ("4", "5")
        }
        if without:
            self.columns["5"] = [col for col in self.columns["5"] if col["Name"] != without]

    def get_database(self, Name):  # noqa: N803 - boto3's names
        return {"Database": {"Name": Name}}

    def get_table(self, DatabaseName, Name):  # noqa: N803
        keys = [{"Name": "year", "Type": "string"}, {"Name": "month", "Type": "string"}]
        return {"Table": {"Name": Name, "PartitionKeys": keys}}

    def get_paginator(self, name):
        assert name == "get_partitions"
        listed = [
            {"Values": ["2024", m], "StorageDescriptor": {"Location": LOCATION.format(month=m)}}
            for m in ("4", "5")
        ]
        return _Paginator(listed)

    def get_partition(self, DatabaseName, TableName, PartitionValues):  # noqa: N803
        month = PartitionValues[1]
        return {"Partition": {"StorageDescriptor": {"Columns": self.columns[month]}}}


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
