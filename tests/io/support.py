"""Helpers of the io tests: a stand-in Glue client answering the four calls the Glue reader makes
(moto ignores ``CatalogId``, which a resource link needs)."""

from __future__ import annotations

from cur_analysis import columns as c

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
